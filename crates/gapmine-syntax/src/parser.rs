//! The parser: tokens to a tree, with local error recovery.
//!
//! A recursive-descent parser over the lexed tokens. It decides every node's kind by looking
//! ahead before opening it, so nodes are written in preorder straight into the flat tree and
//! never wrapped after the fact. Trivia is consumed only when the next significant token belongs
//! to the node being built, so a node ends at its last significant token and the newlines and
//! comments between nodes belong to the list that holds them.
//!
//! Recovery: a token that does not fit is wrapped in an `Error` node and the node goes on; a
//! node ends at the end of its line whatever happened on it. A missing `}` is the one error that
//! could swallow the rest of a file, so when a first pass finds an unclosed or unmatched brace the
//! file is parsed again with indentation as a guide: a line indented no deeper than the line that
//! opened a block closes it. A valid file never takes the second pass.

use crate::lexer::{self, Lexed};
use crate::tree::{NodeData, SyntaxTree};
use crate::{Parse, SyntaxError, SyntaxKind, TextRange};

use SyntaxKind as K;

pub(crate) fn parse(text: &str) -> Parse {
    let lexed = lexer::lex(text);
    let first = Parser::new(text, &lexed, false).run();
    let (nodes, mut errors) = match first {
        Ok(done) => done,
        Err(_) => match Parser::new(text, &lexed, true).run() {
            Ok(done) | Err(done) => done,
        },
    };
    errors.extend(lexed.errors.iter().cloned());
    errors.sort_by_key(|e| (e.range.start, e.range.end));
    let Lexed {
        mut kinds,
        mut starts,
        ..
    } = lexed;
    let mut nodes = nodes;
    // The lexer and parser size their vectors by estimate; give the slack back.
    kinds.shrink_to_fit();
    starts.shrink_to_fit();
    nodes.shrink_to_fit();
    Parse {
        tree: SyntaxTree {
            text: text.into(),
            token_kinds: kinds,
            token_starts: starts,
            nodes,
        },
        errors,
    }
}

type Output = (Vec<NodeData>, Vec<SyntaxError>);

/// How deep children blocks may nest. Deeper blocks are kept as text (an `Error` node) so that
/// no input can exhaust the stack; real catalogues nest a handful of levels.
pub(crate) const MAX_DEPTH: usize = 256;

struct Parser<'t> {
    text: &'t str,
    kinds: &'t [SyntaxKind],
    starts: &'t [u32],
    pos: usize,
    nodes: Vec<NodeData>,
    stack: Vec<u32>,
    errors: Vec<SyntaxError>,
    /// Parse with indentation-guided brace recovery.
    recover: bool,
    /// A brace went unmatched: the first pass asks for the second.
    brace_trouble: bool,
    /// For each open children block, the indentation of the line its node starts on.
    block_indents: Vec<usize>,
    /// Where each line starts, computed the first time indentation is asked for.
    line_starts: Option<Vec<u32>>,
}

/// The offsets where lines start: 0, and after every newline (CRLF as one).
fn line_starts(text: &str) -> Vec<u32> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        let newline = match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => 2,
            b'\n' | b'\r' | 0x0B | 0x0C => 1,
            0xC2 if bytes.get(i + 1) == Some(&0x85) => 2,
            0xE2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
            {
                3
            }
            _ => 0,
        };
        if newline > 0 {
            i += newline;
            starts.push(i as u32);
        } else {
            i += 1;
        }
    }
    starts
}

impl<'t> Parser<'t> {
    fn new(text: &'t str, lexed: &'t Lexed, recover: bool) -> Parser<'t> {
        Parser {
            text,
            kinds: &lexed.kinds,
            starts: &lexed.starts,
            pos: 0,
            nodes: Vec::with_capacity(lexed.kinds.len() / 4 + 1),
            stack: Vec::new(),
            errors: Vec::new(),
            recover,
            brace_trouble: false,
            block_indents: Vec::new(),
            line_starts: None,
        }
    }

    /// `Err` when the first pass found brace trouble and a second, recovering pass is due.
    fn run(mut self) -> Result<Output, Output> {
        self.start(K::Document);
        if self.at(K::Bom) {
            self.bump();
        }
        self.node_list(false);
        // Anything left (only possible after recovery stops a list early) goes into errors.
        while self.pos < self.kinds.len() {
            self.bump();
        }
        self.finish();
        let failed = self.brace_trouble && !self.recover;
        let out = (self.nodes, self.errors);
        if failed { Err(out) } else { Ok(out) }
    }

    // --- Tree building.

    fn start(&mut self, kind: SyntaxKind) {
        let parent = self.stack.last().copied().unwrap_or(0);
        self.stack.push(self.nodes.len() as u32);
        self.nodes.push(NodeData {
            kind,
            parent,
            first_token: self.pos as u32,
            end_token: self.pos as u32,
            subtree_end: 0,
        });
    }

    fn finish(&mut self) {
        let index = self.stack.pop().expect("finish without start") as usize;
        let end = self.nodes.len() as u32;
        let node = &mut self.nodes[index];
        node.end_token = self.pos as u32;
        node.subtree_end = end;
    }

    fn bump(&mut self) {
        self.pos += 1;
    }

    // --- Looking at tokens.

    fn kind_at(&self, index: usize) -> SyntaxKind {
        self.kinds.get(index).copied().unwrap_or(K::ErrorToken)
    }

    fn at_eof(&self) -> bool {
        self.pos >= self.kinds.len()
    }

    fn at(&self, kind: SyntaxKind) -> bool {
        self.pos < self.kinds.len() && self.kinds[self.pos] == kind
    }

    fn range_at(&self, index: usize) -> TextRange {
        if index >= self.kinds.len() {
            let end = self.text.len() as u32;
            return TextRange::empty(end);
        }
        TextRange::new(self.starts[index], self.starts[index + 1])
    }

    fn token_text(&self, index: usize) -> &'t str {
        &self.text[self.range_at(index).to_usize()]
    }

    /// The index of the first token at or after `from` that is not node-space
    /// (whitespace, block comment, line continuation).
    fn skip_node_space(&self, mut from: usize) -> usize {
        while from < self.kinds.len()
            && matches!(
                self.kinds[from],
                K::Whitespace | K::BlockComment | K::Escline
            )
        {
            from += 1;
        }
        from
    }

    /// The index of the first token at or after `from` that is not line-space
    /// (node-space, newlines, line comments).
    fn skip_line_space(&self, mut from: usize) -> usize {
        while from < self.kinds.len() && self.kinds[from].is_trivia() && self.kinds[from] != K::Bom
        {
            from += 1;
        }
        from
    }

    fn describe(&self, index: usize) -> String {
        if index >= self.kinds.len() {
            return "the end of the file".into();
        }
        let text = self.token_text(index);
        match self.kinds[index] {
            K::Newline => "the end of the line".into(),
            K::LineComment => "a comment".into(),
            _ => {
                let short: String = text.chars().take(24).collect();
                if short.len() < text.len() {
                    format!("`{short}…`")
                } else {
                    format!("`{short}`")
                }
            }
        }
    }

    fn error_at(&mut self, mut range: TextRange, message: impl Into<String>, help: &str) {
        // An error "at the end of the line" points at the line's end, not across the newline.
        if self.text[range.to_usize()].starts_with(crate::value::is_newline) {
            range = TextRange::empty(range.start);
        }
        self.errors
            .push(SyntaxError::new(range, message).with_help(help));
    }

    /// The indentation (in bytes) of the line `index` is on, and whether `index` is the first
    /// significant token of that line.
    fn line_indent(&mut self, index: usize) -> (usize, bool) {
        let start = self.range_at(index).start as usize;
        let line_starts = self
            .line_starts
            .get_or_insert_with(|| line_starts(self.text));
        let line = line_starts.partition_point(|&s| s as usize <= start);
        let line_start = line_starts[line - 1] as usize;
        let before = &self.text[line_start..start];
        let indent = before.len() - before.trim_start().len();
        (indent, indent == before.len())
    }

    // --- Grammar.

    /// `nodes`: line-space and nodes, until the end of the file or, in a block, a `}`.
    /// Returns whether it stopped at a `}` that closes this block.
    fn node_list(&mut self, in_block: bool) -> bool {
        loop {
            let next = self.skip_line_space(self.pos);
            if next >= self.kinds.len() {
                self.pos = next;
                return false;
            }
            if self.recover && in_block {
                let block_indent = self.block_indents.last().copied().unwrap_or(0);
                let (indent, first_on_line) = self.line_indent(next);
                if first_on_line {
                    let closes_outer = if self.kinds[next] == K::RBrace {
                        indent < block_indent
                    } else {
                        indent <= block_indent
                    };
                    if closes_outer {
                        // Leave the trivia for the enclosing list.
                        return false;
                    }
                }
            }
            self.pos = next;
            match self.kinds[next] {
                K::RBrace if in_block => return true,
                K::RBrace => {
                    self.brace_trouble = true;
                    self.error_at(
                        self.range_at(next),
                        "unmatched `}`",
                        "remove it, or add the `{` it was meant to close",
                    );
                    self.start(K::Error);
                    self.bump();
                    self.finish();
                }
                _ => self.node(),
            }
        }
    }

    /// One node, up to (not including) its terminating newline, or including its `;`.
    fn node(&mut self) {
        self.start(K::Node);
        if self.at(K::Slashdash) {
            self.slashdash();
            if self.at_eof() || self.at(K::RBrace) {
                self.error_at(
                    self.range_at(self.pos - 1),
                    "`/-` must be followed by the node it comments out",
                    "remove the `/-`",
                );
                self.finish();
                return;
            }
        }
        if self.at(K::LParen) {
            self.type_annotation();
            let next = self.skip_node_space(self.pos);
            if self.kind_at(next).is_string() {
                self.pos = next;
            }
        }
        let mut has_name = false;
        if self.kind_at(self.pos).is_string() && !self.at_eof() {
            self.bump();
            has_name = true;
        } else {
            let found = self.describe(self.pos);
            let (message, help) = match self.kind_at(self.pos) {
                K::Number | K::Keyword => (
                    format!("a node name must be a string, found {found}"),
                    "quote it: node names are strings",
                ),
                _ => (
                    format!("expected a node name, found {found}"),
                    "a node starts with its name: `name arg key=value { children }`",
                ),
            };
            self.error_at(self.range_at(self.pos), message, help);
            if matches!(self.kind_at(self.pos), K::Number | K::Keyword) {
                self.start(K::Error);
                self.bump();
                self.finish();
                has_name = true;
            }
        }
        self.node_rest(has_name);
        self.finish();
    }

    /// `/-` and the line-space after it.
    fn slashdash(&mut self) {
        self.bump();
        self.pos = self.skip_line_space(self.pos);
    }

    /// Entries, children blocks and the terminator of a node.
    fn node_rest(&mut self, has_name: bool) {
        // Whether node-space separates the last entry from what comes next.
        let mut spaced = !has_name;
        // Set once a children block that is not slashdashed has been seen.
        let mut children_seen = false;
        // Set once any children block has been seen: entries may not follow.
        let mut any_children = false;
        loop {
            let next = self.skip_node_space(self.pos);
            let space = next > self.pos;
            let kind = self.kind_at(next);
            if next >= self.kinds.len() || matches!(kind, K::Newline | K::LineComment | K::RBrace) {
                return;
            }
            if kind == K::Semicolon {
                self.pos = next;
                self.bump();
                return;
            }
            self.pos = next;
            spaced |= space;
            match kind {
                K::LBrace => {
                    if children_seen {
                        self.error_at(
                            self.range_at(next),
                            "a node can have only one children block",
                            "merge the blocks, or comment one out with `/-`",
                        );
                    }
                    self.children(false);
                    children_seen = true;
                    any_children = true;
                }
                K::Slashdash => {
                    let target = self.skip_line_space(next + 1);
                    match self.kind_at(target) {
                        _ if target >= self.kinds.len() => {
                            self.error_at(
                                self.range_at(next),
                                "`/-` must be followed by the entry or children block it comments out",
                                "remove the `/-`",
                            );
                            self.start(K::Error);
                            self.bump();
                            self.finish();
                        }
                        K::LBrace => {
                            self.children(true);
                            any_children = true;
                        }
                        k if k.is_value() || k == K::LParen => {
                            if any_children {
                                self.entry_after_children(next);
                            }
                            self.entry(true);
                        }
                        _ => {
                            self.error_at(
                                self.range_at(next),
                                format!(
                                    "`/-` must be followed by an entry or a children block, found {}",
                                    self.describe(target)
                                ),
                                "remove the `/-`",
                            );
                            self.start(K::Error);
                            self.bump();
                            self.finish();
                        }
                    }
                }
                k if k.is_value() || k == K::LParen => {
                    if any_children {
                        self.entry_after_children(next);
                    } else if !spaced {
                        self.error_at(
                            self.range_at(next),
                            format!("expected whitespace before {}", self.describe(next)),
                            "separate a node's name, arguments and properties with spaces",
                        );
                    }
                    self.entry(false);
                }
                _ => {
                    let message = match kind {
                        K::Eq => "unexpected `=`: a property needs a key before it".to_string(),
                        K::RParen => "unmatched `)`".to_string(),
                        K::ErrorToken => String::new(), // The lexer has reported it.
                        _ => format!("unexpected {}", self.describe(next)),
                    };
                    if !message.is_empty() {
                        self.error_at(
                            self.range_at(next),
                            message,
                            "remove it, or quote it to make it a string",
                        );
                    }
                    self.start(K::Error);
                    self.bump();
                    self.finish();
                    // What follows a stray token needs no whitespace of its own: one error
                    // is enough.
                    spaced = true;
                    continue;
                }
            }
            spaced = false;
        }
    }

    fn entry_after_children(&mut self, at: usize) {
        self.error_at(
            self.range_at(at),
            "arguments and properties must come before the children block",
            "move it before the `{`, or end the node with a newline or `;` first",
        );
    }

    /// An argument or a property, decided by looking ahead for `=`.
    fn entry(&mut self, slashdashed: bool) {
        let mut look = self.pos;
        if slashdashed {
            look = self.skip_line_space(look + 1);
        }
        let is_property =
            self.kind_at(look).is_string() && self.kind_at(self.skip_node_space(look + 1)) == K::Eq;
        self.start(if is_property {
            K::Property
        } else {
            K::Argument
        });
        if slashdashed {
            self.slashdash();
        }
        if is_property {
            self.bump(); // key
            self.pos = self.skip_node_space(self.pos);
            self.bump(); // =
            let value = self.skip_node_space(self.pos);
            if self.kind_at(value).is_value() || self.kind_at(value) == K::LParen {
                self.pos = value;
                self.value();
            } else {
                let found = self.describe(value);
                self.error_at(
                    self.range_at(self.pos - 1),
                    format!("expected a value after `=`, found {found}"),
                    "write the value right after the `=`: `key=value`",
                );
            }
        } else {
            self.value();
        }
        self.finish();
    }

    /// `(type)? value`, at a value or a `(`.
    fn value(&mut self) {
        if self.at(K::LParen) {
            self.type_annotation();
            let next = self.skip_node_space(self.pos);
            if self.kind_at(next).is_value() && next < self.kinds.len() {
                self.pos = next;
            } else {
                let found = self.describe(next);
                self.error_at(
                    self.range_at(self.pos - 1),
                    format!("expected a value after the type annotation, found {found}"),
                    "a type annotates a value: `(type)value`",
                );
                return;
            }
        }
        self.bump();
    }

    /// `(` node-space* string node-space* `)`.
    fn type_annotation(&mut self) {
        self.start(K::Type);
        let open = self.pos;
        self.bump();
        let name = self.skip_node_space(self.pos);
        if self.kind_at(name).is_string() && name < self.kinds.len() {
            self.pos = name + 1;
        } else {
            let found = self.describe(name);
            self.error_at(
                self.range_at(name),
                format!("expected a type name, found {found}"),
                "write the type between the parentheses: `(type)`",
            );
        }
        let close = self.skip_node_space(self.pos);
        if self.kind_at(close) == K::RParen && close < self.kinds.len() {
            self.pos = close + 1;
        } else if self.kind_at(self.pos) != K::Newline {
            // Swallow what is left up to `)` on this line, if there is one.
            let mut scan = self.pos;
            while scan < self.kinds.len()
                && !matches!(
                    self.kinds[scan],
                    K::RParen | K::Newline | K::LBrace | K::RBrace | K::Semicolon
                )
            {
                scan += 1;
            }
            self.error_at(
                self.range_at(open),
                "unclosed `(`",
                "close the type annotation with `)`",
            );
            if self.kind_at(scan) == K::RParen && scan < self.kinds.len() {
                self.pos = scan + 1;
            }
        } else {
            self.error_at(
                self.range_at(open),
                "unclosed `(`",
                "close the type annotation with `)`",
            );
        }
        self.finish();
    }

    /// `/-`? `{` nodes `}`.
    fn children(&mut self, slashdashed: bool) {
        // The node that owns this block starts the line whose indentation guides recovery.
        let owner = *self.stack.last().expect("children inside a node");
        let owner_first = self.nodes[owner as usize].first_token as usize;
        self.start(K::Children);
        if slashdashed {
            self.slashdash();
        }
        let open = self.pos;
        self.bump(); // {
        // Indentation guides only the recovering pass; a valid file never needs it.
        let indent = if self.recover {
            self.line_indent(owner_first).0
        } else {
            0
        };
        let closed = if self.block_indents.len() >= MAX_DEPTH {
            self.too_deep(open)
        } else {
            self.block_indents.push(indent);
            let closed = self.node_list(true);
            self.block_indents.pop();
            closed
        };
        if closed {
            self.bump();
        } else {
            self.brace_trouble = true;
            self.error_at(
                self.range_at(open),
                "this `{` is never closed",
                "add a `}` after the block's last node",
            );
        }
        self.finish();
    }

    /// Past `MAX_DEPTH`, a block's content is kept as one `Error` node, matched by counting
    /// braces, without recursion. Returns whether the block's `}` was found.
    fn too_deep(&mut self, open: usize) -> bool {
        self.error_at(
            self.range_at(open),
            format!("children blocks are nested more than {MAX_DEPTH} levels deep"),
            "flatten the structure: gapmine reads at most this many levels",
        );
        self.start(K::Error);
        let mut depth = 0usize;
        while self.pos < self.kinds.len() {
            match self.kinds[self.pos] {
                K::LBrace => depth += 1,
                K::RBrace if depth == 0 => break,
                K::RBrace => depth -= 1,
                _ => {}
            }
            self.bump();
        }
        self.finish();
        self.pos < self.kinds.len()
    }
}

#[cfg(test)]
mod tests {
    use crate::parse;

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        // Runs on a test thread (2 MiB of stack in debug builds): the depth limit must hold there.
        for depth in [super::MAX_DEPTH - 1, super::MAX_DEPTH + 1, 10_000] {
            let text = format!("{}{}", "a {".repeat(depth), "}".repeat(depth));
            let parse = parse(&text);
            assert_eq!(parse.tree().root().text(), text);
            assert_eq!(
                parse.errors().is_empty(),
                depth < super::MAX_DEPTH,
                "depth {depth}"
            );
            let _ = parse.plain();
        }
    }

    #[test]
    fn missing_brace_damages_one_entry() {
        let text = "failure-mode \"a\" {\n    title \"A\"\n    signals {\n        phrase \"x\"\n}\nfailure-mode \"b\" {\n    title \"B\"\n}\n";
        let parse = parse(text);
        let names: Vec<_> = parse
            .document()
            .nodes()
            .map(|n| n.name_text().unwrap().into_owned())
            .collect();
        assert_eq!(names, ["failure-mode", "failure-mode"]);
        assert_eq!(parse.errors().len(), 1, "{:?}", parse.errors());
        assert_eq!(parse.errors()[0].message, "this `{` is never closed");
    }
}
