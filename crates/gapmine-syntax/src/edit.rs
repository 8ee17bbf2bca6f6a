//! Format-preserving edits: text edits computed on the tree's ranges.
//!
//! Every operation reads the tree of a file and returns [`TextEdit`]s: replacements of byte
//! ranges by new text. It never rewrites the file: the bytes outside the returned ranges stay as
//! they are, comments, spacing and line endings included. The language server sends the edits
//! to the editor as they are; `gapmine learn` shows them as a diff and writes them with
//! [`apply`].
//!
//! The operations:
//! - values: [`set_value`], [`replace_value`], [`set_property`], [`remove_entry`],
//!   [`remove_property`];
//! - nodes: [`insert_child`], [`insert_node`], [`remove_node`];
//! - names: [`rename`], [`rename_all`] over the [`occurrences`] of strings.
//!
//! Layout rules (indentation, blank lines, comments "attached" to a node) are documented on each
//! function and, for contributors, in `docs/edits.md`.

use std::borrow::Cow;
use std::fmt;

use crate::ast::{self, Entry};
use crate::plain::{self, Value};
use crate::value::{decode_string, is_newline, is_unicode_space};
use crate::{Parse, SyntaxKind, SyntaxNode, SyntaxToken, SyntaxTree, TextRange, TokenAtOffset};

/// One change to a text: the bytes in `range` are replaced by `new_text`.
/// An empty range is an insertion, an empty `new_text` a deletion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TextEdit {
    /// The bytes to replace, in the text the edit was computed on.
    pub range: TextRange,
    /// The text that replaces them.
    pub new_text: String,
}

impl TextEdit {
    /// Replaces `range` by `new_text`.
    pub fn replace(range: TextRange, new_text: impl Into<String>) -> TextEdit {
        TextEdit {
            range,
            new_text: new_text.into(),
        }
    }

    /// Inserts `new_text` at `offset`.
    pub fn insert(offset: u32, new_text: impl Into<String>) -> TextEdit {
        TextEdit::replace(TextRange::empty(offset), new_text)
    }

    /// Deletes `range`.
    pub fn delete(range: TextRange) -> TextEdit {
        TextEdit::replace(range, String::new())
    }
}

/// Why an edit could not be computed or applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// Two edits touch the same bytes (an insertion strictly inside a replaced range counts).
    Overlap {
        /// The edit that comes first in the text.
        first: TextRange,
        /// The edit that overlaps it.
        second: TextRange,
    },
    /// An edit's range is past the end of the text, reversed, or cuts a UTF-8 character.
    OutOfBounds {
        /// The range of the edit.
        range: TextRange,
        /// The length of the text, in bytes.
        len: usize,
    },
    /// A rename was asked for a token that is not a string.
    NotAString {
        /// The token's range.
        range: TextRange,
    },
    /// The entry has no value (the file has a syntax error there).
    MissingValue {
        /// The entry's range.
        range: TextRange,
    },
    /// The node has no name (the file has a syntax error there).
    MissingName {
        /// The node's range.
        range: TextRange,
    },
    /// An insertion index is past the end of the block.
    IndexOutOfRange {
        /// The index asked for.
        index: usize,
        /// The number of nodes in the block.
        len: usize,
    },
    /// The node given as an anchor is not in the block or document edited.
    NotInContainer {
        /// The anchor node's range.
        range: TextRange,
    },
    /// The node's children block has no `}`, so there is no safe place for a child.
    UnclosedBlock {
        /// The block's range.
        range: TextRange,
    },
    /// The text of a node to insert does not parse, or holds no node.
    InvalidSource {
        /// What is wrong with it.
        message: String,
    },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::Overlap { first, second } => write!(
                f,
                "edits at {}..{} and {}..{} overlap; merge them into one edit",
                first.start, first.end, second.start, second.end
            ),
            EditError::OutOfBounds { range, len } => write!(
                f,
                "edit at {}..{} does not fit a text of {len} bytes (or cuts a character); \
                 compute edits on the text they are applied to",
                range.start, range.end
            ),
            EditError::NotAString { range } => write!(
                f,
                "the token at {}..{} is not a string, so it cannot be renamed",
                range.start, range.end
            ),
            EditError::MissingValue { range } => write!(
                f,
                "the entry at {}..{} has no value; fix the syntax error first",
                range.start, range.end
            ),
            EditError::MissingName { range } => write!(
                f,
                "the node at {}..{} has no name; fix the syntax error first",
                range.start, range.end
            ),
            EditError::IndexOutOfRange { index, len } => write!(
                f,
                "cannot insert at index {index} in a block of {len} nodes; use an index up to {len}"
            ),
            EditError::NotInContainer { range } => write!(
                f,
                "the node at {}..{} is not in the block being edited; pass one of its nodes",
                range.start, range.end
            ),
            EditError::UnclosedBlock { range } => write!(
                f,
                "the children block at {}..{} is not closed; add the `}}` first",
                range.start, range.end
            ),
            EditError::InvalidSource { message } => {
                write!(f, "the node to insert is not valid KDL: {message}")
            }
        }
    }
}

impl std::error::Error for EditError {}

/// Sorts `edits` by position and checks that they fit a text of `len` bytes and do not overlap.
///
/// The sort is stable: insertions at the same offset keep the order they were given in, and an
/// insertion at the start of a replaced range comes before the replacement. Ranges are only
/// checked against `len` here; [`apply`] also checks character boundaries.
pub fn sort_and_check(len: usize, edits: &mut [TextEdit]) -> Result<(), EditError> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut prev: Option<TextRange> = None;
    for edit in edits.iter() {
        let range = edit.range;
        if range.start > range.end || range.end as usize > len {
            return Err(EditError::OutOfBounds { range, len });
        }
        if let Some(p) = prev
            && range.start < p.end
        {
            return Err(EditError::Overlap {
                first: p,
                second: range,
            });
        }
        prev = Some(range);
    }
    Ok(())
}

/// Applies `edits`, given in any order, to `text`.
///
/// Errors, without panicking, when two edits overlap or an edit does not fit the text
/// (see [`sort_and_check`] for the order of insertions at the same offset).
pub fn apply(text: &str, edits: &[TextEdit]) -> Result<String, EditError> {
    let mut sorted = edits.to_vec();
    sort_and_check(text.len(), &mut sorted)?;
    let extra: usize = sorted.iter().map(|e| e.new_text.len()).sum();
    let mut out = String::with_capacity(text.len() + extra);
    let mut last = 0;
    for edit in &sorted {
        let range = edit.range.to_usize();
        if !text.is_char_boundary(range.start) || !text.is_char_boundary(range.end) {
            return Err(EditError::OutOfBounds {
                range: edit.range,
                len: text.len(),
            });
        }
        out.push_str(&text[last..range.start]);
        out.push_str(&edit.new_text);
        last = range.end;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Values and entries.

/// Replaces the value of an argument or a property by `value`.
///
/// See [`replace_value`] for how the new value is written. Errors where the entry has no value.
pub fn set_value(entry: Entry<'_>, value: &Value) -> Result<Vec<TextEdit>, EditError> {
    let token = entry.value().ok_or(EditError::MissingValue {
        range: entry.syntax().range(),
    })?;
    Ok(replace_value(token, value))
}

/// Replaces a value token by `value`, keeping the token's style where the new value allows it.
///
/// No edit where the token already means `value` (so `0xff` stays `0xff` when set to 255).
/// A string replacing a string keeps its kind: bare stays bare if the new text can be bare
/// (else quoted), quoted stays quoted, raw stays raw if the new text can be raw (same number of
/// `#`, more if the text needs them; else quoted). Multi-line strings become single-line
/// (quoted, with escapes). A string replacing a number or keyword is quoted; numbers are written
/// in canonical decimal and keywords as `#true`, `#false`, `#null`.
pub fn replace_value(token: ast::ValueToken<'_>, value: &Value) -> Vec<TextEdit> {
    if token.value() == *value {
        return Vec::new();
    }
    let old = token.token();
    let text = match value {
        Value::String(s) if old.kind().is_string() => encode_string_like(old, s),
        other => encode_value(other),
    };
    vec![TextEdit::replace(old.range(), text)]
}

/// Sets the property `key` of `node` to `value`.
///
/// Where the node has the property (not slashdashed; the rightmost one, which is the one that
/// counts), its value is replaced as by [`replace_value`]. Otherwise ` key=value` is inserted
/// after the node's last entry (or its name), before any children block or `;`, separated as
/// the last entry is from what precedes it (so a node written one entry a line with `\` keeps
/// that layout). A new key is bare where it can be; a new string value is quoted.
pub fn set_property(
    node: ast::Node<'_>,
    key: &str,
    value: &Value,
) -> Result<Vec<TextEdit>, EditError> {
    if let Some(prop) = node.property(key) {
        return set_value(Entry::Property(prop), value);
    }
    let last_entry = node.entries().last();
    let anchor = match last_entry {
        Some(entry) => entry.syntax().range().end,
        None => {
            node.name()
                .ok_or(EditError::MissingName {
                    range: node.range(),
                })?
                .range()
                .end
        }
    };
    let separator = last_entry
        .map(|e| leading_spacing(e.syntax()))
        .filter(|s| !s.is_empty())
        .unwrap_or(" ");
    let mut text = separator.to_string();
    plain::write_string(&mut text, key);
    text.push('=');
    text.push_str(&encode_value(value));
    Ok(vec![TextEdit::insert(anchor, text)])
}

/// Removes an argument or property together with the whitespace (and `\` line continuations)
/// before it, so `a 1 k=2` becomes `a 1` and `a \` / `k=2` becomes `a`.
pub fn remove_entry(entry: Entry<'_>) -> Vec<TextEdit> {
    let syntax = entry.syntax();
    let range = syntax.range();
    let start = range.start - leading_spacing(syntax).len() as u32;
    vec![TextEdit::delete(TextRange::new(start, range.end))]
}

/// Removes every property `key` of `node` that is not slashdashed, as [`remove_entry`] does.
pub fn remove_property(node: ast::Node<'_>, key: &str) -> Vec<TextEdit> {
    node.properties()
        .filter(|p| p.key().is_some_and(|k| k.value() == key))
        .flat_map(|p| remove_entry(Entry::Property(p)))
        .collect()
}

/// The run of whitespace and line continuations directly before `syntax`, as text.
fn leading_spacing(syntax: SyntaxNode<'_>) -> &str {
    let tree = syntax.tree();
    let end = syntax.range().start;
    let mut start = end;
    while let Some(t) = token_ending_at(tree, start)
        && matches!(t.kind(), SyntaxKind::Whitespace | SyntaxKind::Escline)
    {
        start = t.range().start;
    }
    &tree.text()[start as usize..end as usize]
}

// ---------------------------------------------------------------------------------------------
// Renames.

/// Renames a string token (a node name, a property key, a type name or a string value) to
/// `new`, written in the token's style: bare stays bare where `new` can be bare (else quoted),
/// quoted stays quoted, raw stays raw where `new` can be raw (else quoted).
///
/// No edit where the token already decodes to `new`. Errors where the token is not a string.
pub fn rename(token: SyntaxToken<'_>, new: &str) -> Result<Vec<TextEdit>, EditError> {
    if !token.kind().is_string() {
        return Err(EditError::NotAString {
            range: token.range(),
        });
    }
    if decode_string(token.kind(), token.text()) == new {
        return Ok(Vec::new());
    }
    Ok(vec![TextEdit::replace(
        token.range(),
        encode_string_like(token, new),
    )])
}

/// Where a string stands in a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The node's name.
    NodeName,
    /// The name in a type annotation, of a node or of a value.
    TypeName,
    /// An argument's value.
    Argument,
    /// A property's key.
    PropertyKey,
    /// A property's value.
    PropertyValue,
}

impl Role {
    /// Whether the string is a value (an argument or a property's value).
    pub fn is_value(self) -> bool {
        matches!(self, Role::Argument | Role::PropertyValue)
    }
}

/// A string token in a document, with where it stands.
#[derive(Debug, Clone, Copy)]
pub struct Occurrence<'a> {
    /// The token (bare, quoted or raw).
    pub token: SyntaxToken<'a>,
    /// Where it stands.
    pub role: Role,
    /// The node it belongs to.
    pub node: ast::Node<'a>,
    /// Whether it is inside a slashdashed node, entry or children block.
    pub commented_out: bool,
}

impl<'a> Occurrence<'a> {
    /// The decoded string.
    pub fn value(&self) -> Cow<'a, str> {
        decode_string(self.token.kind(), self.token.text())
    }
}

/// Every string token of the document that belongs to a node (names, keys, types, string
/// values), slashdashed parts included, in text order. Tokens in parts that did not parse
/// (error nodes) are left out.
pub fn occurrences<'a>(doc: ast::Document<'a>) -> Vec<Occurrence<'a>> {
    let mut out = Vec::new();
    for node in doc.nodes() {
        collect_occurrences(node, false, &mut out);
    }
    out
}

fn collect_occurrences<'a>(node: ast::Node<'a>, outer: bool, out: &mut Vec<Occurrence<'a>>) {
    let commented_out = outer || node.is_slashdashed();
    let mut push = |token: SyntaxToken<'a>, role: Role, commented_out: bool| {
        if token.kind().is_string() {
            out.push(Occurrence {
                token,
                role,
                node,
                commented_out,
            });
        }
    };
    if let Some(name) = node.ty().and_then(|t| t.name()) {
        push(name.token(), Role::TypeName, commented_out);
    }
    if let Some(name) = node.name() {
        push(name.token(), Role::NodeName, commented_out);
    }
    for entry in node.entries() {
        let commented_out = commented_out || entry.is_slashdashed();
        if let Entry::Property(p) = entry
            && let Some(key) = p.key()
        {
            push(key.token(), Role::PropertyKey, commented_out);
        }
        if let Some(name) = entry.ty().and_then(|t| t.name()) {
            push(name.token(), Role::TypeName, commented_out);
        }
        if let Some(value) = entry.value() {
            let role = match entry {
                Entry::Argument(_) => Role::Argument,
                Entry::Property(_) => Role::PropertyValue,
            };
            push(value.token(), role, commented_out);
        }
    }
    for block in node.children_blocks() {
        let commented_out = commented_out || block.is_slashdashed();
        for child in block.nodes() {
            collect_occurrences(child, commented_out, out);
        }
    }
}

/// Renames every string equal to `old` (decoded) that `filter` accepts to `new`, each in its
/// token's style (see [`rename`]). The base of cross-reference renames: a filter such as
/// `|o| o.role.is_value()` renames references, `|o| o.role == Role::NodeName` node names.
pub fn rename_all(
    parse: &Parse,
    old: &str,
    new: &str,
    mut filter: impl FnMut(&Occurrence<'_>) -> bool,
) -> Vec<TextEdit> {
    if old == new {
        return Vec::new();
    }
    occurrences(parse.document())
        .into_iter()
        .filter(|o| o.value() == old && filter(o))
        .map(|o| TextEdit::replace(o.token.range(), encode_string_like(o.token, new)))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Encoding.

/// Writes a value as a new token: strings quoted, numbers canonical, keywords.
fn encode_value(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let mut out = String::new();
            plain::write_quoted(&mut out, s);
            out
        }
        Value::Number(n) => n.canonical().to_string(),
        Value::Bool(true) => "#true".to_string(),
        Value::Bool(false) => "#false".to_string(),
        Value::Null => "#null".to_string(),
    }
}

/// Writes `new` as a string in the style of the string token `old`.
fn encode_string_like(old: SyntaxToken<'_>, new: &str) -> String {
    let mut out = String::new();
    match old.kind() {
        SyntaxKind::Ident => plain::write_string(&mut out, new),
        SyntaxKind::RawString => match encode_raw(old.text(), new) {
            Some(raw) => out = raw,
            None => plain::write_quoted(&mut out, new),
        },
        _ => plain::write_quoted(&mut out, new),
    }
    out
}

/// Writes `new` as a single-line raw string with at least as many `#` as `old` has, if it can
/// be one.
fn encode_raw(old: &str, new: &str) -> Option<String> {
    let cannot = new.starts_with("\"\"")
        || new
            .chars()
            .any(|c| is_newline(c) || crate::lexer::is_disallowed(c));
    if cannot {
        return None;
    }
    let mut hashes = old.bytes().take_while(|&b| b == b'#').count().max(1);
    while new.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let fence = "#".repeat(hashes);
    Some(format!("{fence}\"{new}\"{fence}"))
}

/// Writes a plain node as KDL source, one child a line, indented by `unit` per level.
/// Names, keys and types are bare where they can be; string values are quoted.
pub fn render_node(node: &plain::Node, unit: &str) -> String {
    let mut out = String::new();
    render_into(&mut out, node, unit, 0);
    out
}

fn render_into(out: &mut String, node: &plain::Node, unit: &str, depth: usize) {
    if let Some(ty) = &node.ty {
        out.push('(');
        plain::write_string(out, ty);
        out.push(')');
    }
    plain::write_string(out, &node.name);
    for entry in &node.entries {
        out.push(' ');
        if let Some(name) = &entry.name {
            plain::write_string(out, name);
            out.push('=');
        }
        if let Some(ty) = &entry.ty {
            out.push('(');
            plain::write_string(out, ty);
            out.push(')');
        }
        out.push_str(&encode_value(&entry.value));
    }
    match &node.children {
        None => {}
        Some(children) if children.is_empty() => out.push_str(" {}"),
        Some(children) => {
            out.push_str(" {\n");
            for child in children {
                out.push_str(&unit.repeat(depth + 1));
                render_into(out, child, unit, depth + 1);
                out.push('\n');
            }
            out.push_str(&unit.repeat(depth));
            out.push('}');
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Inserting and removing nodes.

/// Where to insert a node in a children block or a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position<'a> {
    /// After the last node.
    End,
    /// Before the node with this index (0 is first), counting every node of the block,
    /// slashdashed ones too (they occupy lines); the number of nodes means the end.
    Index(usize),
    /// Before this node (and above the comments attached to it).
    Before(ast::Node<'a>),
    /// After this node (and after a comment on the same line).
    After(ast::Node<'a>),
}

/// A node to insert: KDL source text (one or more nodes, possibly multi-line, comments
/// allowed), or a plain node to render.
#[derive(Debug, Clone, Copy)]
pub enum NewNode<'s> {
    /// Source text. Its common indentation is replaced by the indentation of the place it goes
    /// to, its line endings by the file's.
    Source(&'s str),
    /// A plain node, rendered with the file's indentation unit (see [`render_node`]).
    Plain(&'s plain::Node),
}

impl<'s> From<&'s str> for NewNode<'s> {
    fn from(source: &'s str) -> NewNode<'s> {
        NewNode::Source(source)
    }
}

impl<'s> From<&'s String> for NewNode<'s> {
    fn from(source: &'s String) -> NewNode<'s> {
        NewNode::Source(source)
    }
}

impl<'s> From<&'s plain::Node> for NewNode<'s> {
    fn from(node: &'s plain::Node) -> NewNode<'s> {
        NewNode::Plain(node)
    }
}

/// Inserts a child node into `parent`'s children block.
///
/// The child gets lines of its own, indented as its neighbours are (where the block has no
/// node on a line of its own: the parent's indentation plus the file's indentation unit, found
/// from its other blocks, else four spaces). Where `parent` has no children block (or only
/// slashdashed ones), one is added: `parent arg {` / `child` / `}`. A block on one line
/// (`a { b }`) is opened up onto several lines (only its whitespace is touched). Blank lines
/// between the new node and its neighbours follow the block's convention (see
/// [`insert_node`]).
pub fn insert_child<'a, 's>(
    parent: ast::Node<'a>,
    at: Position<'a>,
    new: impl Into<NewNode<'s>>,
) -> Result<Vec<TextEdit>, EditError> {
    let tree = parent.syntax().tree();
    let text = tree.text();
    let style = Style::of(tree);
    let parent_indent = line_indent(text, parent.range().start);
    let Some(block) = parent.children() else {
        match at {
            Position::End | Position::Index(0) => {}
            Position::Index(index) => return Err(EditError::IndexOutOfRange { index, len: 0 }),
            Position::Before(n) | Position::After(n) => {
                return Err(EditError::NotInContainer { range: n.range() });
            }
        }
        let indent = format!("{parent_indent}{}", style.unit);
        let body = layout(new.into(), &indent, &style)?;
        let offset = parent
            .syntax()
            .tokens()
            .rev()
            .find(|t| !t.kind().is_trivia() && t.kind() != SyntaxKind::Semicolon)
            .map_or(parent.range().end, |t| t.range().end);
        let nl = style.newline;
        // `node arg // comment`: the block opens before the comment, its lines go below it.
        if parent.semicolon().is_none()
            && let Some((line_end, true)) = line_end_after(parent.syntax())
            && parent.syntax().range().end < line_end
            && token_starting_at(tree, offset)
                .into_iter()
                .flat_map(|t| std::iter::successors(Some(t), |t| t.next_token()))
                .take_while(|t| t.range().end <= line_end)
                .any(|t| t.kind().is_comment())
        {
            return Ok(vec![
                TextEdit::insert(offset, " {"),
                TextEdit::insert(line_end, format!("{body}{nl}{parent_indent}}}{nl}")),
            ]);
        }
        return Ok(vec![TextEdit::insert(
            offset,
            format!(" {{{nl}{body}{nl}{parent_indent}}}"),
        )]);
    };
    if block.r_brace().is_none() {
        return Err(EditError::UnclosedBlock {
            range: block.syntax().range(),
        });
    }
    let container = Container {
        syntax: block.syntax(),
        nodes: block.nodes().collect(),
        outer_indent: parent_indent.to_string(),
        default_indent: format!("{parent_indent}{}", style.unit),
        is_document: false,
    };
    container.insert(at, new.into(), &style)
}

/// Inserts a top-level node into a document.
///
/// The node gets lines of its own, at the indentation of the other top-level nodes.
/// Blank lines follow the convention of the neighbours: where most neighbouring nodes are
/// separated by a blank line (in a document with one node: where that node spans several
/// lines; in an empty one: always), the new node is too, except next to a node it is not
/// separated from already. Inserted before a node, the new node goes above the comment lines
/// attached to it (see [`remove_node`]).
pub fn insert_node<'a, 's>(
    doc: ast::Document<'a>,
    at: Position<'a>,
    new: impl Into<NewNode<'s>>,
) -> Result<Vec<TextEdit>, EditError> {
    let style = Style::of(doc.syntax().tree());
    let container = Container {
        syntax: doc.syntax(),
        nodes: doc.nodes().collect(),
        outer_indent: String::new(),
        default_indent: String::new(),
        is_document: true,
    };
    container.insert(at, new.into(), &style)
}

/// Removes a node.
///
/// Where the node stands alone on its lines (nothing but whitespace before it on its first
/// line; nothing but whitespace and comments after it on its last), its whole lines go, with
/// the comment on its last line and the comment lines *attached* above it: the comment-only
/// lines directly above it, with no blank line in between (so a comment separated from the node
/// by a blank line, such as a section header, stays). Where that leaves two blank lines in a
/// row, or a blank line at the start or end of the block or file, one blank line goes too.
/// Otherwise (`a; b`, `x { b }`) the node goes with the whitespace before it on its line (or,
/// where there is none, after it). A node emptied of its children keeps its `{ }`.
pub fn remove_node(node: ast::Node<'_>) -> Vec<TextEdit> {
    let syntax = node.syntax();
    let tree = syntax.tree();
    let range = syntax.range();
    let (Some(line_start), Some((line_end, newline))) =
        (line_start_before(syntax), line_end_after(syntax))
    else {
        let mut start = range.start;
        while let Some(t) = token_ending_at(tree, start)
            && t.kind() == SyntaxKind::Whitespace
        {
            start = t.range().start;
        }
        let mut end = range.end;
        if start == range.start {
            while let Some(t) = token_starting_at(tree, end)
                && t.kind() == SyntaxKind::Whitespace
            {
                end = t.range().end;
            }
        }
        return vec![TextEdit::delete(TextRange::new(start, end))];
    };
    let mut start = attached_start(tree, line_start);
    let mut end = line_end;
    if !newline {
        // The last line of a file without a final newline: remove the line break before it
        // instead, so the file still ends without one.
        while let Some(t) = token_ending_at(tree, start)
            && matches!(t.kind(), SyntaxKind::Whitespace | SyntaxKind::Newline)
        {
            start = t.range().start;
        }
        return vec![TextEdit::delete(TextRange::new(start, end))];
    }
    match (line_before(tree, start), line_at(tree, end)) {
        (Line::Blank(_) | Line::Start, Line::Blank(next)) => end = next.end,
        (Line::Blank(prev), Line::End) => start = prev.start,
        _ => {}
    }
    vec![TextEdit::delete(TextRange::new(start, end))]
}

/// The file's layout habits: its line ending and its indentation unit.
struct Style {
    newline: &'static str,
    unit: String,
}

impl Style {
    fn of(tree: &SyntaxTree) -> Style {
        let newline = match tree
            .tokens()
            .find(|t| t.kind() == SyntaxKind::Newline)
            .map(|t| t.text())
        {
            Some("\r\n") => "\r\n",
            _ => "\n",
        };
        Style {
            newline,
            unit: indent_unit(tree).unwrap_or("    ").to_string(),
        }
    }
}

/// The indentation unit of the file: what the first child standing on its own line adds to
/// its parent's indentation.
fn indent_unit(tree: &SyntaxTree) -> Option<&str> {
    let text = tree.text();
    tree.root()
        .descendants()
        .filter(|n| n.kind() == SyntaxKind::Children)
        .find_map(|block| {
            let parent = block.parent()?;
            let outer = line_indent(text, parent.range().start);
            block
                .child_nodes()
                .filter(|n| n.kind() == SyntaxKind::Node && line_start_before(*n).is_some())
                .find_map(|child| {
                    let inner = line_indent(text, child.range().start);
                    (inner.len() > outer.len())
                        .then(|| inner.strip_prefix(outer))
                        .flatten()
                })
        })
}

/// The list of nodes of a document or a children block, and how to indent them.
struct Container<'a> {
    syntax: SyntaxNode<'a>,
    nodes: Vec<ast::Node<'a>>,
    /// The indentation of the line of the `{` (empty for a document).
    outer_indent: String,
    /// The indentation of a child where no child shows one.
    default_indent: String,
    is_document: bool,
}

impl<'a> Container<'a> {
    fn insert(
        &self,
        at: Position<'a>,
        new: NewNode<'_>,
        style: &Style,
    ) -> Result<Vec<TextEdit>, EditError> {
        let check = |n: ast::Node<'a>| {
            if n.syntax().parent() == Some(self.syntax) {
                Ok(n)
            } else {
                Err(EditError::NotInContainer { range: n.range() })
            }
        };
        match at {
            Position::End => self.insert_at_end(new, style),
            Position::Index(index) if index == self.nodes.len() => self.insert_at_end(new, style),
            Position::Index(index) => match self.nodes.get(index) {
                Some(&n) => self.insert_before(n, new, style),
                None => Err(EditError::IndexOutOfRange {
                    index,
                    len: self.nodes.len(),
                }),
            },
            Position::Before(n) => self.insert_before(check(n)?, new, style),
            Position::After(n) => {
                let n = check(n)?;
                let next = self.nodes.iter().position(|&m| m == n).map(|i| i + 1);
                match next.and_then(|i| self.nodes.get(i)) {
                    None => self.insert_at_end(new, style),
                    Some(&next) => match line_end_after(n.syntax()) {
                        Some((end, true)) => {
                            let indent = self.indent_near(n);
                            let body = layout(new, &indent, style)?;
                            Ok(self.insert_lines(end, &body, style))
                        }
                        _ => self.insert_before(next, new, style),
                    },
                }
            }
        }
    }

    /// The indentation for a node inserted next to `n`.
    fn indent_near(&self, n: ast::Node<'a>) -> String {
        let text = n.syntax().tree().text();
        if line_start_before(n.syntax()).is_some() {
            line_indent(text, n.range().start).to_string()
        } else {
            self.indent()
        }
    }

    /// The indentation of the block's nodes: that of the last one on a line of its own.
    fn indent(&self) -> String {
        self.nodes
            .iter()
            .rev()
            .find(|n| line_start_before(n.syntax()).is_some())
            .map(|n| line_indent(n.syntax().tree().text(), n.range().start).to_string())
            .unwrap_or_else(|| self.default_indent.clone())
    }

    /// Whether the neighbours are separated by blank lines.
    fn separated(&self) -> bool {
        let tree = self.syntax.tree();
        let mut gaps = 0;
        let mut blank = 0;
        for pair in self.nodes.windows(2) {
            let Some(start) = line_start_before(pair[1].syntax()) else {
                continue;
            };
            if line_end_after(pair[0].syntax()).is_none() {
                continue;
            }
            gaps += 1;
            if matches!(
                line_before(tree, attached_start(tree, start)),
                Line::Blank(_)
            ) {
                blank += 1;
            }
        }
        if gaps > 0 {
            return blank * 2 > gaps;
        }
        if !self.is_document {
            return false;
        }
        match self.nodes.as_slice() {
            [] => true,
            [only] => only.syntax().text().contains(is_newline),
            _ => false,
        }
    }

    fn insert_before(
        &self,
        n: ast::Node<'a>,
        new: NewNode<'_>,
        style: &Style,
    ) -> Result<Vec<TextEdit>, EditError> {
        let tree = self.syntax.tree();
        let indent = self.indent_near(n);
        let body = layout(new, &indent, style)?;
        match line_start_before(n.syntax()) {
            Some(start) => Ok(self.insert_lines(attached_start(tree, start), &body, style)),
            None => {
                // `a; b`: the new node goes before `b`, and `b` onto a line of its own.
                let text = format!("{}{}{indent}", body.trim_start(), style.newline);
                Ok(vec![TextEdit::insert(n.range().start, text)])
            }
        }
    }

    fn insert_at_end(&self, new: NewNode<'_>, style: &Style) -> Result<Vec<TextEdit>, EditError> {
        let tree = self.syntax.tree();
        let text = tree.text();
        let nl = style.newline;
        let indent = self.indent();
        let body = layout(new, &indent, style)?;
        let separated = self.separated();
        if let Some(last) = self.nodes.last() {
            match line_end_after(last.syntax()) {
                Some((end, true)) => return Ok(self.insert_lines(end, &body, style)),
                Some((end, false)) => {
                    // The last line of a file without a final newline: keep it without one.
                    let blank = if separated { nl } else { "" };
                    return Ok(vec![TextEdit::insert(end, format!("{nl}{blank}{body}"))]);
                }
                None => {}
            }
        }
        if self.is_document {
            let len = text.len() as u32;
            if text.is_empty() || text.ends_with(is_newline) {
                return Ok(self.insert_lines(len, &body, style));
            }
            let blank = if separated { nl } else { "" };
            return Ok(vec![TextEdit::insert(len, format!("{nl}{blank}{body}"))]);
        }
        // A children block: after the line of its `{` if it spans lines, else opened up.
        let l_brace = self.syntax.token_of_kind(SyntaxKind::LBrace);
        let r_brace = self.syntax.token_of_kind(SyntaxKind::RBrace);
        let (Some(l_brace), Some(r_brace)) = (l_brace, r_brace) else {
            return Err(EditError::UnclosedBlock {
                range: self.syntax.range(),
            });
        };
        if self.nodes.is_empty()
            && let Some(newline) = self
                .syntax
                .child_tokens()
                .find(|t| t.kind() == SyntaxKind::Newline)
        {
            return Ok(self.insert_lines(newline.range().end, &body, style));
        }
        // `a { b }`, `a {}`, or `a {` … `b }`: the whitespace before the `}` becomes a line
        // break, the new node, a line break and the parent's indentation.
        let mut edits = Vec::new();
        let spans_lines = self
            .syntax
            .child_tokens()
            .any(|t| t.kind() == SyntaxKind::Newline);
        if !spans_lines && !self.nodes.is_empty() {
            let after = whitespace_after(tree, l_brace.range().end);
            edits.push(TextEdit::replace(after, format!("{nl}{indent}")));
        }
        let before = whitespace_before(tree, r_brace.range().start);
        let outer = &self.outer_indent;
        edits.push(TextEdit::replace(before, format!("{nl}{body}{nl}{outer}")));
        Ok(edits)
    }

    /// Inserts `body` (already indented, without a final newline) as lines of their own at the
    /// line start `at`, with blank lines around it as the neighbours and the convention ask.
    ///
    /// The blank lines are chosen so that [`remove_node`] on the new node gives back the text
    /// as it was.
    fn insert_lines(&self, mut at: u32, body: &str, style: &Style) -> Vec<TextEdit> {
        let tree = self.syntax.tree();
        let nl = style.newline;
        let separated = self.separated();
        let mut prev = line_before(tree, at);
        let mut next = line_at(tree, at);
        // Below a node's line and above a blank line: go below the blank line, so the new node is
        // separated from the one above as the convention asks (and never below a comment, which
        // would attach to it).
        let below_comment = matches!(prev, Line::Comment(_));
        if let (Line::Content | Line::Comment(_), Line::Blank(blank)) = (prev, next) {
            let beyond = line_at(tree, blank.end);
            if below_comment || (separated && beyond != Line::End) {
                at = blank.end;
                prev = next;
                next = beyond;
            }
        }
        let (blank_before, blank_after) = match (prev, next) {
            (Line::Blank(_) | Line::Start, Line::Blank(_)) | (Line::Blank(_), Line::End) => {
                (false, true)
            }
            (Line::Content | Line::Comment(_), Line::End) => (separated || below_comment, false),
            (Line::Blank(_) | Line::Start, Line::Content | Line::Comment(_)) => (false, separated),
            _ => (false, false),
        };
        let mut text = String::new();
        if blank_before {
            text.push_str(nl);
        }
        text.push_str(body);
        text.push_str(nl);
        if blank_after {
            text.push_str(nl);
        }
        vec![TextEdit::insert(at, text)]
    }
}

/// Checks and lays out the node to insert: its lines re-indented to `indent` (the first line
/// included), its line endings the file's, no final newline.
fn layout(new: NewNode<'_>, indent: &str, style: &Style) -> Result<String, EditError> {
    let source: Cow<'_, str> = match new {
        NewNode::Source(s) => Cow::Borrowed(s),
        NewNode::Plain(node) => Cow::Owned(render_node(node, &style.unit)),
    };
    let parsed = crate::parse(&source);
    if let Some(error) = parsed.errors().first() {
        return Err(EditError::InvalidSource {
            message: format!(
                "{} at bytes {}..{}",
                error.message, error.range.start, error.range.end
            ),
        });
    }
    if parsed.document().nodes().next().is_none() {
        return Err(EditError::InvalidSource {
            message: "it holds no node".to_string(),
        });
    }
    let normalized = source.replace("\r\n", "\n");
    let lines: Vec<&str> = normalized.split('\n').collect();
    let is_blank = |l: &&str| l.chars().all(is_unicode_space);
    let first = lines.iter().position(|l| !is_blank(l)).unwrap_or(0);
    let last = lines.iter().rposition(|l| !is_blank(l)).unwrap_or(0);
    let lines = &lines[first..=last];
    let common = lines
        .iter()
        .filter(|l| !is_blank(l))
        .map(|l| &l[..l.len() - l.trim_start_matches(is_unicode_space).len()])
        .reduce(|a, b| {
            let n = a
                .char_indices()
                .zip(b.chars())
                .take_while(|((_, x), y)| x == y)
                .last()
                .map_or(0, |((i, x), _)| i + x.len_utf8());
            &a[..n]
        })
        .unwrap_or("");
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str(style.newline);
        }
        if !is_blank(line) {
            out.push_str(indent);
            out.push_str(&line[common.len()..]);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Lines, read off the tokens.

/// A line of a document or block, as insertion and removal see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// Before the first line of the document, or the line of the block's `{`.
    Start,
    /// After the last line of the document, or the line of the block's `}`.
    End,
    /// Only whitespace; the range includes its line break.
    Blank(TextRange),
    /// Only comments (and whitespace); the range includes its line break.
    Comment(TextRange),
    /// Anything else.
    Content,
}

/// The line that ends at the line start `at`.
fn line_before(tree: &SyntaxTree, at: u32) -> Line {
    let Some(newline) = token_ending_at(tree, at) else {
        return Line::Start;
    };
    match newline.kind() {
        SyntaxKind::Newline => {}
        SyntaxKind::Bom => return Line::Start,
        _ => return Line::Content,
    }
    let mut start = newline.range().start;
    let mut comment = false;
    let mut cur = newline.prev_token();
    while let Some(t) = cur {
        match t.kind() {
            SyntaxKind::Newline => break,
            SyntaxKind::Bom => break,
            SyntaxKind::Whitespace => {}
            SyntaxKind::LineComment | SyntaxKind::BlockComment => comment = true,
            SyntaxKind::LBrace => return Line::Start,
            _ => return Line::Content,
        }
        start = t.range().start;
        cur = t.prev_token();
    }
    let range = TextRange::new(start, at);
    if comment {
        Line::Comment(range)
    } else {
        Line::Blank(range)
    }
}

/// The line that starts at the line start `at`.
fn line_at(tree: &SyntaxTree, at: u32) -> Line {
    let mut comment = false;
    let mut cur = token_starting_at(tree, at);
    while let Some(t) = cur {
        match t.kind() {
            SyntaxKind::Whitespace => {}
            SyntaxKind::Newline if comment => {
                return Line::Comment(TextRange::new(at, t.range().end));
            }
            SyntaxKind::Newline => return Line::Blank(TextRange::new(at, t.range().end)),
            SyntaxKind::LineComment | SyntaxKind::BlockComment => comment = true,
            SyntaxKind::RBrace => return Line::End,
            _ => return Line::Content,
        }
        cur = t.next_token();
    }
    if comment {
        Line::Comment(TextRange::new(at, tree.text().len() as u32))
    } else {
        Line::End
    }
}

/// The start of the line `node` begins, if only whitespace precedes it there.
fn line_start_before(node: SyntaxNode<'_>) -> Option<u32> {
    let tree = node.tree();
    let mut cur = token_ending_at(tree, node.range().start);
    while let Some(t) = cur {
        match t.kind() {
            SyntaxKind::Whitespace => cur = t.prev_token(),
            SyntaxKind::Newline | SyntaxKind::Bom => return Some(t.range().end),
            _ => return None,
        }
    }
    Some(0)
}

/// The end of the line `node` ends (after its line break), if only whitespace and comments
/// follow it there; `false` where the line is the last of the file, without a line break.
fn line_end_after(node: SyntaxNode<'_>) -> Option<(u32, bool)> {
    let tree = node.tree();
    let mut cur = token_starting_at(tree, node.range().end);
    while let Some(t) = cur {
        match t.kind() {
            SyntaxKind::Whitespace | SyntaxKind::LineComment | SyntaxKind::BlockComment => {
                cur = t.next_token();
            }
            SyntaxKind::Newline => return Some((t.range().end, true)),
            _ => return None,
        }
    }
    Some((tree.text().len() as u32, false))
}

/// The start of the comment lines attached above the line that starts at `line_start`.
fn attached_start(tree: &SyntaxTree, line_start: u32) -> u32 {
    let mut start = line_start;
    while let Line::Comment(line) = line_before(tree, start) {
        start = line.start;
    }
    start
}

/// The whitespace tokens right after `offset`, as a (possibly empty) range.
fn whitespace_after(tree: &SyntaxTree, offset: u32) -> TextRange {
    let mut end = offset;
    while let Some(t) = token_starting_at(tree, end)
        && t.kind() == SyntaxKind::Whitespace
    {
        end = t.range().end;
    }
    TextRange::new(offset, end)
}

/// The whitespace tokens right before `offset`, as a (possibly empty) range.
fn whitespace_before(tree: &SyntaxTree, offset: u32) -> TextRange {
    let mut start = offset;
    while let Some(t) = token_ending_at(tree, start)
        && t.kind() == SyntaxKind::Whitespace
    {
        start = t.range().start;
    }
    TextRange::new(start, offset)
}

/// The leading whitespace of the line `offset` is on.
fn line_indent(text: &str, offset: u32) -> &str {
    let before = &text[..offset as usize];
    let start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| is_newline(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let line = text[start..].trim_start_matches('\u{FEFF}');
    let rest = line.trim_start_matches(is_unicode_space);
    &line[..line.len() - rest.len()]
}

/// The token that starts at `offset`, if a token starts there.
fn token_starting_at(tree: &SyntaxTree, offset: u32) -> Option<SyntaxToken<'_>> {
    match tree.tokens_at_offset(offset) {
        TokenAtOffset::Single(t) if t.range().start == offset => Some(t),
        TokenAtOffset::Between(_, right) => Some(right),
        _ => None,
    }
}

/// The token that ends at `offset`, if a token ends there.
fn token_ending_at(tree: &SyntaxTree, offset: u32) -> Option<SyntaxToken<'_>> {
    match tree.tokens_at_offset(offset) {
        TokenAtOffset::Single(t) if t.range().end == offset => Some(t),
        TokenAtOffset::Between(left, _) => Some(left),
        _ => None,
    }
}
