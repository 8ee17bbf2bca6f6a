//! The formatter: one canonical layout for KDL files, keeping every comment.
//!
//! The formatter changes layout only: every string, number, keyword and comment is printed
//! exactly as written, so the plain document ([`crate::plain::Document`]) of the output is the
//! plain document of the input. A file with syntax errors is not formatted.
//!
//! The layout (see `docs/fmt.md` for examples):
//! - one node per line, children indented by 4 spaces a level, `{` on the node's line and `}`
//!   on its own line at the node's indent; an empty block is printed `node {}`;
//! - one space between a node's name, its entries and its children block; no space around `=`
//!   in properties, none inside type annotations (`(t)`), none between a type and what it types;
//! - `;` is dropped: the nodes it separated go on their own lines;
//! - slashdash is attached to what it comments out: `/-node`, `/-arg`, `/-key=value`, `/-{`;
//! - a line continuation (`\`) is kept, printed as ` \`, a newline, and the node's indent plus 4;
//! - line comments stay at the end of their line (after one space) or on their own line at the
//!   current indent; block comments stay where they are, separated by single spaces;
//! - at most one blank line between two lines, none at the start or end of a file or block;
//! - exactly one newline at the end of the file (an empty file stays empty); a byte-order mark
//!   is kept;
//! - newlines are `\r\n` when most of the file's newlines are, `\n` otherwise; newlines inside
//!   multi-line strings and block comments are left alone.

use crate::{Parse, SyntaxElement, SyntaxError, SyntaxKind as K, SyntaxNode, SyntaxToken};

/// The width of one level of indentation.
const INDENT: usize = 4;

/// Formats a parsed file; `None` when it has syntax errors (a broken file is left as it is).
///
/// As a guard, an output that would not parse back to the same plain document is never
/// returned: the input text is returned instead (the formatter's tests make sure this does
/// not happen).
pub fn format(parse: &Parse) -> Option<String> {
    if !parse.is_ok() {
        return None;
    }
    let formatted = format_unchecked(parse);
    let again = crate::parse(&formatted);
    if again.is_ok() && again.plain() == parse.plain() {
        Some(formatted)
    } else {
        Some(parse.text().to_owned())
    }
}

/// Parses and formats `text`; the syntax errors when it has any.
pub fn format_text(text: &str) -> Result<String, Vec<SyntaxError>> {
    let parse = crate::parse(text);
    format(&parse).ok_or_else(|| parse.errors().to_vec())
}

/// The formatter without [`format`]'s guard, for the formatter's own tests: it formats even
/// a file with errors, as best it can, and keeps every byte of text it does not understand.
#[doc(hidden)]
pub fn format_unchecked(parse: &Parse) -> String {
    let tree = parse.tree();
    let root = tree.root();
    let mut printer = Printer {
        out: String::with_capacity(tree.text().len() + tree.text().len() / 8 + 1),
        nl: newline_style(parse),
    };
    let mut items = Vec::new();
    list_items(root.children(), &mut items);
    if printer.list(&items, 0, false) {
        printer.out.push_str(printer.nl);
    }
    match root.first_token() {
        Some(bom) if bom.kind() == K::Bom => format!("{}{}", bom.text(), printer.out),
        _ => printer.out,
    }
}

/// `\r\n` when most of the newlines between tokens are, `\n` otherwise.
fn newline_style(parse: &Parse) -> &'static str {
    let (mut crlf, mut other) = (0usize, 0usize);
    for token in parse.tree().tokens().filter(|t| t.kind() == K::Newline) {
        if token.text() == "\r\n" {
            crlf += 1;
        } else {
            other += 1;
        }
    }
    if crlf > other { "\r\n" } else { "\n" }
}

/// A significant element (a token that is not trivia, or an inner node) with the trivia
/// before it.
#[derive(Debug)]
struct Piece<'a> {
    gap: Vec<SyntaxToken<'a>>,
    elem: SyntaxElement<'a>,
}

/// Splits a node's direct children into pieces, and the trivia after the last piece.
fn pieces(node: SyntaxNode<'_>) -> (Vec<Piece<'_>>, Vec<SyntaxToken<'_>>) {
    let mut gap = Vec::new();
    let mut pieces = Vec::new();
    for elem in node.children() {
        match elem {
            SyntaxElement::Token(t) if t.kind().is_trivia() => gap.push(t),
            _ => pieces.push(Piece {
                gap: std::mem::take(&mut gap),
                elem,
            }),
        }
    }
    (pieces, gap)
}

/// What a list of nodes (the document, or the inside of a children block) is made of, once
/// whitespace is dropped.
#[derive(Debug)]
enum Item<'a> {
    /// A newline in the source: counted, to keep one blank line where there were some.
    Newline,
    /// A comment (or, in a file with errors, text we do not understand), printed verbatim.
    Verbatim(&'a str),
    /// A node's pieces, its `;` dropped.
    Node(Vec<Piece<'a>>),
}

/// Flattens the elements of a list into items. The trivia between a node's last entry and
/// its `;` is treated as if it followed the node, since the `;` is dropped.
fn list_items<'a>(elems: impl Iterator<Item = SyntaxElement<'a>>, items: &mut Vec<Item<'a>>) {
    for elem in elems {
        match elem {
            SyntaxElement::Token(t) => trivia_item(t, items),
            SyntaxElement::Node(n) if n.kind() == K::Node => {
                let (mut node_pieces, mut trailing) = pieces(n);
                if let Some(semicolon) = node_pieces.pop_if(|p| p.elem.kind() == K::Semicolon) {
                    let mut gap = semicolon.gap;
                    gap.append(&mut trailing);
                    trailing = gap;
                }
                items.push(Item::Node(node_pieces));
                for t in trailing {
                    trivia_item(t, items);
                }
            }
            SyntaxElement::Node(n) => items.push(Item::Verbatim(n.text())),
        }
    }
}

fn trivia_item<'a>(token: SyntaxToken<'a>, items: &mut Vec<Item<'a>>) {
    match token.kind() {
        K::Whitespace | K::Bom | K::Semicolon => {}
        K::Newline => items.push(Item::Newline),
        K::LineComment | K::BlockComment => items.push(Item::Verbatim(comment_text(token.text()))),
        // Between nodes, a line continuation continues nothing: it is a line break, and its
        // comments are kept.
        K::Escline => {
            items.extend(escline_comments(token.text()).map(Item::Verbatim));
            items.push(Item::Newline);
        }
        _ => items.push(Item::Verbatim(token.text())),
    }
}

/// The comments inside a line continuation: `\ /* a */ // b` has two.
fn escline_comments(text: &str) -> impl Iterator<Item = &str> {
    let rest = text.get(1..).unwrap_or_default();
    let lexed = crate::lexer::lex(rest);
    let ranges: Vec<(usize, usize)> = lexed
        .kinds
        .iter()
        .enumerate()
        .filter(|(_, k)| k.is_comment())
        .map(|(i, _)| (lexed.starts[i] as usize, lexed.starts[i + 1] as usize))
        .collect();
    ranges
        .into_iter()
        .map(move |(start, end)| comment_text(rest.get(start..end).unwrap_or_default()))
}

/// A comment as printed: a line comment without its trailing whitespace.
fn comment_text(text: &str) -> &str {
    if text.starts_with("//") {
        text.trim_end()
    } else {
        text
    }
}

struct Printer {
    out: String,
    nl: &'static str,
}

impl Printer {
    /// Whether nothing but indentation was written since the last newline.
    fn at_line_start(&self) -> bool {
        // From the end, so that the cost is the indent, not the length of the line.
        for b in self.out.bytes().rev() {
            match b {
                b' ' => {}
                b'\n' => return true,
                _ => return false,
            }
        }
        true
    }

    fn newline_indent(&mut self, width: usize) {
        self.out.push_str(self.nl);
        self.indent(width);
    }

    fn indent(&mut self, width: usize) {
        self.out.extend(std::iter::repeat_n(' ', width));
    }

    /// Prints a list of nodes and comments at `depth`; `in_block` when it is the inside of a
    /// children block, whose `{` is already on the current line. Returns whether it printed
    /// anything.
    fn list(&mut self, items: &[Item<'_>], depth: usize, in_block: bool) -> bool {
        let mut newlines = 0usize;
        let mut printed = false;
        // Whether a line of this list was started: blank lines are kept only after one, so a
        // block never starts with a blank line, even after a comment on its `{` line.
        let mut started = false;
        // A node may share its line only with block comments before it.
        let mut line_has_node = in_block;
        for item in items {
            match item {
                Item::Newline => newlines += 1,
                Item::Verbatim(text) => {
                    if newlines == 0 && !self.at_line_start() {
                        self.out.push(' ');
                    } else {
                        self.start_line(depth, newlines, started, in_block);
                        line_has_node = false;
                        started = true;
                    }
                    self.out.push_str(text);
                    printed = true;
                    newlines = 0;
                }
                Item::Node(pieces) => {
                    if newlines == 0 && !self.at_line_start() && !line_has_node {
                        self.out.push(' ');
                    } else {
                        self.start_line(depth, newlines, started, in_block);
                        started = true;
                    }
                    self.inline(pieces, depth);
                    line_has_node = true;
                    printed = true;
                    newlines = 0;
                }
            }
        }
        printed
    }

    /// Starts a new line at `depth`, after one blank line if the source had blank lines
    /// there and it is not the first line of the list.
    fn start_line(&mut self, depth: usize, newlines: usize, started: bool, in_block: bool) {
        if started || in_block {
            self.out.push_str(self.nl);
            if started && newlines >= 2 {
                self.out.push_str(self.nl);
            }
        }
        self.indent(depth * INDENT);
    }

    /// Prints the pieces of a node, entry or type annotation on one line (line continuations
    /// and comments after a slashdash aside). `depth` is the depth of the node they are in.
    fn inline(&mut self, pieces: &[Piece<'_>], depth: usize) {
        let mut prev: Option<K> = None;
        for piece in pieces {
            self.gap(&piece.gap, prev, piece.elem.kind(), depth);
            self.element(piece.elem, depth);
            prev = Some(piece.elem.kind());
        }
    }

    fn element(&mut self, elem: SyntaxElement<'_>, depth: usize) {
        match elem {
            SyntaxElement::Token(t) => self.out.push_str(t.text()),
            SyntaxElement::Node(n) => match n.kind() {
                K::Type | K::Argument | K::Property => {
                    let (pieces, trailing) = pieces(n);
                    self.inline(&pieces, depth);
                    self.gap(&trailing, Some(K::LParen), K::RParen, depth);
                }
                K::Children => self.children(n, depth),
                _ => self.out.push_str(n.text()),
            },
        }
    }

    /// Prints a children block of a node at `depth`: `/-{`, the nodes one level deeper, `}`.
    fn children(&mut self, node: SyntaxNode<'_>, depth: usize) {
        let elems: Vec<SyntaxElement<'_>> = node.children().collect();
        let open = elems
            .iter()
            .position(|e| e.kind() == K::LBrace)
            .map_or(0, |i| i + 1);
        let close = elems
            .iter()
            .rposition(|e| e.kind() == K::RBrace)
            .filter(|&i| i >= open);
        let body_end = close.unwrap_or(elems.len());

        // The header: an optional slashdash, trivia, `{`.
        let mut prev = None;
        let mut gap = Vec::new();
        for &elem in &elems[..open] {
            match elem {
                SyntaxElement::Token(t) if t.kind().is_trivia() => gap.push(t),
                _ => {
                    self.gap(&gap, prev, elem.kind(), depth);
                    gap.clear();
                    self.element(elem, depth);
                    prev = Some(elem.kind());
                }
            }
        }

        let mut items = Vec::new();
        list_items(elems[open..body_end].iter().copied(), &mut items);
        if self.list(&items, depth + 1, true) {
            self.newline_indent(depth * INDENT);
        }
        if let Some(close) = close {
            self.out.push('}');
            // Nothing follows `}` in a children block; print whatever does, just in case.
            let mut items = Vec::new();
            list_items(elems[close + 1..].iter().copied(), &mut items);
            for item in &items {
                if let Item::Verbatim(text) = item {
                    self.out.push(' ');
                    self.out.push_str(text);
                }
            }
        }
    }

    /// Prints the trivia between two pieces of a node at `depth`: nothing, or one space, plus
    /// the comments and line continuations, each separated by single spaces.
    fn gap(&mut self, trivia: &[SyntaxToken<'_>], prev: Option<K>, next: K, depth: usize) {
        let Some(prev) = prev else {
            // Trivia before the first piece: only in a file with errors. Keep its comments.
            for t in trivia.iter().filter(|t| t.kind().is_comment()) {
                self.out.push_str(t.text());
                self.out.push(' ');
            }
            return;
        };
        // Tight: nothing between the pieces unless a comment needs room.
        let tight = matches!(prev, K::Slashdash | K::LParen | K::Eq | K::Type)
            || matches!(next, K::RParen | K::Eq);
        let after_open = prev == K::LParen;
        let before_close = next == K::RParen;
        let continuation = depth * INDENT + INDENT;
        let mut printed = false;
        let mut space_next = !tight;
        for t in trivia {
            match t.kind() {
                K::Whitespace | K::Newline | K::Bom => {}
                K::BlockComment => {
                    if (printed || !after_open) && !self.at_line_start() {
                        self.out.push(' ');
                    }
                    self.out.push_str(t.text());
                    printed = true;
                    space_next = !before_close;
                }
                // After a slashdash, a line comment may come before what it comments out.
                K::LineComment => {
                    if (printed || !after_open) && !self.at_line_start() {
                        self.out.push(' ');
                    }
                    self.out.push_str(comment_text(t.text()));
                    self.newline_indent(continuation);
                    printed = true;
                    space_next = false;
                }
                K::Escline => {
                    let mut comments = escline_comments(t.text()).peekable();
                    // Line continuations are kept between entries, where they break long
                    // lines; elsewhere only for the comments they hold.
                    if tight && comments.peek().is_none() {
                        continue;
                    }
                    if !self.at_line_start() {
                        self.out.push(' ');
                    }
                    self.out.push('\\');
                    for comment in comments {
                        self.out.push(' ');
                        self.out.push_str(comment);
                    }
                    self.newline_indent(continuation);
                    printed = true;
                    space_next = false;
                }
                _ => {
                    self.out.push_str(t.text());
                    printed = true;
                }
            }
        }
        if space_next && !self.at_line_start() {
            self.out.push(' ');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{format, format_text};

    /// Formats `text`, checking that formatting again changes nothing and that the meaning
    /// is kept.
    fn fmt(text: &str) -> String {
        let formatted = format_text(text).unwrap();
        assert_eq!(
            format_text(&formatted).unwrap(),
            formatted,
            "not idempotent"
        );
        assert_eq!(
            crate::parse(&formatted).plain(),
            crate::parse(text).plain(),
            "meaning changed"
        );
        formatted
    }

    #[test]
    fn one_node_per_line_and_semicolons_dropped() {
        insta::assert_snapshot!(fmt("a; b;c\nd;"), @"
        a
        b
        c
        d
        ");
    }

    #[test]
    fn single_spaces_between_name_and_entries() {
        insta::assert_snapshot!(fmt("node   1\t\"two\"    three=3   "), @r#"node 1 "two" three=3"#);
    }

    #[test]
    fn no_spaces_around_eq() {
        insta::assert_snapshot!(fmt("node key = value other= 1 k =(u) 2"), @"node key=value other=1 k=(u)2");
    }

    #[test]
    fn type_annotations_are_tight() {
        insta::assert_snapshot!(fmt("( t )node ( u ) 1 k=( v )#true"), @"(t)node (u)1 k=(v)#true");
    }

    #[test]
    fn children_are_indented() {
        insta::assert_snapshot!(fmt("a{b{c 1}\nd}"), @"
        a {
            b {
                c 1
            }
            d
        }
        ");
    }

    #[test]
    fn children_on_one_line_are_split() {
        insta::assert_snapshot!(fmt("a { b; c { d; e } }"), @"
        a {
            b
            c {
                d
                e
            }
        }
        ");
    }

    #[test]
    fn empty_block_stays_on_one_line() {
        insta::assert_snapshot!(fmt("a {\n\n}\nb{}"), @"
        a {}
        b {}
        ");
    }

    #[test]
    fn reindents_badly_indented_children() {
        insta::assert_snapshot!(fmt("a {\n        b {\n  c\n      }\n  }"), @"
        a {
            b {
                c
            }
        }
        ");
    }

    #[test]
    fn blank_lines_collapse_and_are_trimmed() {
        insta::assert_snapshot!(fmt("\n\n\na\n\n\n\nb {\n\n\n    c\n\n\n    d\n\n}\n\n\n"), @"
        a

        b {
            c

            d
        }
        ");
    }

    #[test]
    fn exactly_one_trailing_newline() {
        assert_eq!(fmt("a"), "a\n");
        assert_eq!(fmt("a\n\n\n"), "a\n");
    }

    #[test]
    fn empty_file_stays_empty() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n \n\t\n"), "");
    }

    #[test]
    fn trailing_whitespace_is_removed() {
        insta::assert_snapshot!(fmt("a 1   \n  b {   \n  c  \n }  \n"), @"
        a 1
        b {
            c
        }
        ");
    }

    #[test]
    fn line_comments_stay_at_the_end_of_their_line() {
        insta::assert_snapshot!(fmt("a 1    // one\nb {   // open\n  c // three\n}   // close\n"), @"
        a 1 // one
        b { // open
            c // three
        } // close
        ");
    }

    #[test]
    fn line_comments_on_their_own_line_take_the_indent() {
        insta::assert_snapshot!(fmt("// top\na {\n        // inside\n  b\n// last\n}\n"), @"
        // top
        a {
            // inside
            b
            // last
        }
        ");
    }

    #[test]
    fn comment_after_semicolon_stays_on_the_line() {
        insta::assert_snapshot!(fmt("a; // after a\nb /* x */; c"), @"
        a // after a
        b /* x */
        c
        ");
    }

    #[test]
    fn block_comments_stay_in_place() {
        insta::assert_snapshot!(fmt("/* lead */   a   /* mid */ 1/* tail */\n  /* own line */\nb"), @"
        /* lead */ a /* mid */ 1 /* tail */
        /* own line */
        b
        ");
    }

    #[test]
    fn multi_line_block_comments_are_verbatim() {
        insta::assert_snapshot!(fmt("a {\n  /* one\n     two   \n  three */\n  b\n}"), @"
        a {
            /* one
             two   
          three */
            b
        }
        ");
    }

    #[test]
    fn block_comment_in_type_and_property() {
        insta::assert_snapshot!(fmt("(/*a*/t /*b*/)n k /*c*/ = /*d*/ v"), @"(/*a*/ t /*b*/)n k /*c*/ = /*d*/ v");
    }

    #[test]
    fn slashdash_is_attached() {
        insta::assert_snapshot!(fmt("/- a 1\nb /- 2 /-  k=v /- (t)3 /- {\n c\n}\n/-  d { e; }"), @"
        /-a 1
        b /-2 /-k=v /-(t)3 /-{
            c
        }
        /-d {
            e
        }
        ");
    }

    #[test]
    fn slashdash_followed_by_newlines_and_comments() {
        insta::assert_snapshot!(fmt("/-\n\na\nb /- // why\n  2 /- /* c */ 3"), @"
        /-a
        b /- // why
            2 /- /* c */ 3
        ");
    }

    #[test]
    fn slashdashed_children_after_active_children() {
        insta::assert_snapshot!(fmt("a { b } /-{ c; /* keep */ }"), @"
        a {
            b
        } /-{
            c /* keep */
        }
        ");
    }

    #[test]
    fn line_continuations_are_normalised() {
        insta::assert_snapshot!(fmt("a {\n  node 1 \\\n 2   \\   // why\n         3\n}"), @r"
        a {
            node 1 \
                2 \ // why
                3
        }
        ");
    }

    #[test]
    fn line_continuation_with_block_comment() {
        insta::assert_snapshot!(fmt("node 1 \\ /* c */\n  2"), @r"
        node 1 \ /* c */
            2
        ");
    }

    #[test]
    fn line_continuation_between_nodes_becomes_a_line_break() {
        insta::assert_snapshot!(fmt("a \\\n\nb \\ // c\n;d"), @"
        a

        b // c
        d
        ");
    }

    #[test]
    fn line_continuation_before_semicolon() {
        insta::assert_snapshot!(fmt("a 1 \\ // c\n /* d */ ;b"), @"
        a 1 // c
        /* d */ b
        ");
    }

    #[test]
    fn values_are_kept_as_written() {
        insta::assert_snapshot!(fmt("n 0xFF 0b1_0 1e10 +5 \"q\\n\" #\"raw\"# bare #true #null #inf #-inf #nan"), @r##"n 0xFF 0b1_0 1e10 +5 "q\n" #"raw"# bare #true #null #inf #-inf #nan"##);
    }

    #[test]
    fn multi_line_strings_are_verbatim() {
        insta::assert_snapshot!(fmt("a {\n        b \"\"\"\n          text\n          \"\"\"\n}"), @r#"
        a {
            b """
                  text
                  """
        }
        "#);
    }

    #[test]
    fn bom_is_kept() {
        assert_eq!(fmt("\u{feff}\n\na  1"), "\u{feff}a 1\n");
    }

    #[test]
    fn crlf_is_kept_when_dominant() {
        assert_eq!(fmt("a\r\nb {\r\nc\r\n}\r\n"), "a\r\nb {\r\n    c\r\n}\r\n");
        assert_eq!(fmt("a\r\nb\nc\n"), "a\nb\nc\n");
    }

    #[test]
    fn syntax_errors_are_not_formatted() {
        let parse = crate::parse("a {\n  b \"unterminated\n");
        assert_eq!(format(&parse), None);
        assert!(!format_text("a {").unwrap_err().is_empty());
    }

    #[test]
    fn block_comment_then_node_on_one_line() {
        insta::assert_snapshot!(fmt("a { /* c */ b }\n/* d */ e; /* f */ g"), @"
        a { /* c */
            b
        }
        /* d */ e /* f */
        g
        ");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 200;
        let text = format!("{}{}", "a {".repeat(depth), "}".repeat(depth));
        let formatted = fmt(&text);
        assert_eq!(formatted.lines().count(), 2 * depth - 1);
    }
}
