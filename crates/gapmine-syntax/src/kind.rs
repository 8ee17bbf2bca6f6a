//! The kinds of tokens and nodes in the concrete syntax tree.

/// The kind of a token (a leaf that owns text) or of a node (an inner element that groups children).
///
/// Tokens come first; `SyntaxKind::is_token` tells the two apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum SyntaxKind {
    // --- Trivia tokens: carry no meaning, kept for losslessness.
    /// A byte-order mark at the very start of the file.
    Bom,
    /// A run of Unicode whitespace other than newlines.
    Whitespace,
    /// One newline (`\r\n` counts as one).
    Newline,
    /// `// …` up to, not including, the newline.
    LineComment,
    /// `/* … */`, possibly nested.
    BlockComment,
    /// A line continuation: `\` up to and including the newline (or end of file) that follows it.
    /// Whitespace and a line comment between the backslash and the newline are part of the token.
    Escline,

    // --- Significant tokens.
    /// `/-`: comments out the node, entry or children block that follows.
    Slashdash,
    /// A bare identifier string: `node`, `foo-bar`, `+`.
    Ident,
    /// A quoted string: `"…"` or the multi-line `"""…"""`.
    QuotedString,
    /// A raw string: `#"…"#`, `##"…"##`, or the multi-line `#"""…"""#`.
    RawString,
    /// A number in any base: `12`, `-1.5e3`, `0xff`, `0o17`, `0b1010`.
    Number,
    /// A keyword: `#true`, `#false`, `#null`, `#inf`, `#-inf`, `#nan`.
    Keyword,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `=`
    Eq,
    /// `;`
    Semicolon,
    /// Text the lexer could not make sense of.
    ErrorToken,

    // --- Nodes.
    /// The whole file.
    Document,
    /// A KDL node: optional slashdash and type annotation, a name, entries, a children block,
    /// and an optional `;`.
    Node,
    /// A type annotation: `(` name `)`.
    Type,
    /// A positional entry: optional slashdash, optional type, a value.
    Argument,
    /// A named entry: optional slashdash, key, `=`, optional type, a value.
    Property,
    /// A children block: optional slashdash, `{`, nodes, `}`.
    Children,
    /// Tokens that do not fit where they stand, grouped so the rest of the tree stays well formed.
    Error,
}

impl SyntaxKind {
    /// Whether this is the kind of a token (a leaf) rather than of a node.
    pub fn is_token(self) -> bool {
        (self as u8) <= (SyntaxKind::ErrorToken as u8)
    }

    /// Whether this token kind is trivia: whitespace, newlines, comments, line continuations, a BOM.
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            SyntaxKind::Bom
                | SyntaxKind::Whitespace
                | SyntaxKind::Newline
                | SyntaxKind::LineComment
                | SyntaxKind::BlockComment
                | SyntaxKind::Escline
        )
    }

    /// Whether this token kind is a comment (line or block).
    pub fn is_comment(self) -> bool {
        matches!(self, SyntaxKind::LineComment | SyntaxKind::BlockComment)
    }

    /// Whether this token kind is a string (bare identifier, quoted or raw).
    pub fn is_string(self) -> bool {
        matches!(
            self,
            SyntaxKind::Ident | SyntaxKind::QuotedString | SyntaxKind::RawString
        )
    }

    /// Whether this token kind can stand as a value: a string, a number or a keyword.
    pub fn is_value(self) -> bool {
        self.is_string() || matches!(self, SyntaxKind::Number | SyntaxKind::Keyword)
    }
}
