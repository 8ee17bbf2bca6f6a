//! The concrete syntax tree: a flat, compact, lossless store of tokens and nodes.
//!
//! Tokens are stored as two parallel arrays (kind, start offset), nodes in preorder with the
//! range of tokens they cover and the index one past their last descendant.
//! This keeps the whole tree at a few bytes per token, with no reference counting and no
//! per-node allocation, and makes every navigation an index computation.
//! `SyntaxNode` and `SyntaxToken` are `Copy` handles that borrow the tree.

use crate::SyntaxKind;

/// A range of bytes in the text: `start..end`, both offsets in bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TextRange {
    /// The offset of the first byte.
    pub start: u32,
    /// The offset one past the last byte.
    pub end: u32,
}

impl TextRange {
    /// The range `start..end`.
    pub fn new(start: u32, end: u32) -> TextRange {
        debug_assert!(start <= end);
        TextRange { start, end }
    }

    /// The empty range at `offset`.
    pub fn empty(offset: u32) -> TextRange {
        TextRange::new(offset, offset)
    }

    /// The length in bytes.
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// Whether the range is empty.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// Whether `offset` is inside the range; the end is included, so a cursor right after a token
    /// is still "in" it, as editors expect.
    pub fn contains_inclusive(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }

    /// Whether `other` lies wholly inside this range.
    pub fn contains_range(self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The smallest range that covers both.
    pub fn cover(self, other: TextRange) -> TextRange {
        TextRange::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// As a `Range<usize>`, for slicing.
    pub fn to_usize(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl std::fmt::Debug for TextRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<TextRange> for std::ops::Range<usize> {
    fn from(range: TextRange) -> std::ops::Range<usize> {
        range.to_usize()
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct NodeData {
    pub(crate) kind: SyntaxKind,
    pub(crate) parent: u32,
    pub(crate) first_token: u32,
    pub(crate) end_token: u32,
    pub(crate) subtree_end: u32,
}

/// The tree of one file. Its text is the input, byte for byte.
#[derive(Clone)]
pub struct SyntaxTree {
    pub(crate) text: Box<str>,
    pub(crate) token_kinds: Vec<SyntaxKind>,
    /// One more entry than there are tokens: the last is the text's length.
    pub(crate) token_starts: Vec<u32>,
    pub(crate) nodes: Vec<NodeData>,
}

impl std::fmt::Debug for SyntaxTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.root().debug_dump())
    }
}

impl SyntaxTree {
    /// The text the tree was parsed from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The root node, of kind `Document`.
    pub fn root(&self) -> SyntaxNode<'_> {
        SyntaxNode {
            tree: self,
            index: 0,
        }
    }

    /// The number of tokens.
    pub fn token_count(&self) -> usize {
        self.token_kinds.len()
    }

    /// The token with this index, in text order.
    pub fn token(&self, index: usize) -> SyntaxToken<'_> {
        assert!(index < self.token_kinds.len());
        SyntaxToken {
            tree: self,
            index: index as u32,
        }
    }

    /// Every token, in text order.
    pub fn tokens(&self) -> impl DoubleEndedIterator<Item = SyntaxToken<'_>> + '_ {
        (0..self.token_kinds.len() as u32).map(move |index| SyntaxToken { tree: self, index })
    }

    /// The approximate heap size of the tree, in bytes (text included).
    pub fn heap_size(&self) -> usize {
        self.text.len()
            + self.token_kinds.capacity()
            + self.token_starts.capacity() * 4
            + self.nodes.capacity() * std::mem::size_of::<NodeData>()
    }

    /// The token whose range contains `offset`. Where `offset` is the boundary of two tokens,
    /// both are returned, left first (as rust-analyzer's `token_at_offset`).
    pub fn tokens_at_offset(&self, offset: u32) -> TokenAtOffset<'_> {
        let n = self.token_kinds.len();
        if n == 0 || offset as usize > self.text.len() {
            return TokenAtOffset::None;
        }
        // The first token whose start is > offset, minus one, is the one containing offset.
        let idx = self.token_starts[..n].partition_point(|&s| s <= offset);
        if idx == 0 {
            return TokenAtOffset::None;
        }
        let right = self.token(idx - 1);
        if right.range().start == offset && idx >= 2 {
            TokenAtOffset::Between(self.token(idx - 2), right)
        } else if right.range().end == offset && idx < n && offset < self.text.len() as u32 {
            TokenAtOffset::Between(right, self.token(idx))
        } else {
            TokenAtOffset::Single(right)
        }
    }

    /// The innermost node whose range covers `range`.
    pub fn covering_node(&self, range: TextRange) -> SyntaxNode<'_> {
        let mut node = self.root();
        'descend: loop {
            for child in node.child_nodes() {
                if child.range().contains_range(range) && !child.range().is_empty() {
                    node = child;
                    continue 'descend;
                }
            }
            return node;
        }
    }

    fn token_range(&self, index: u32) -> TextRange {
        TextRange::new(
            self.token_starts[index as usize],
            self.token_starts[index as usize + 1],
        )
    }

    /// The node that directly contains this token.
    fn token_parent(&self, index: u32) -> SyntaxNode<'_> {
        let mut node = self.root();
        'descend: loop {
            for child in node.child_nodes() {
                let data = child.data();
                if data.first_token <= index && index < data.end_token {
                    node = child;
                    continue 'descend;
                }
            }
            return node;
        }
    }
}

/// The tokens at an offset: none, one, or the two on either side of a boundary.
#[derive(Debug, Clone, Copy)]
pub enum TokenAtOffset<'a> {
    /// The offset is past the end, or the text is empty.
    None,
    /// The offset is inside one token.
    Single(SyntaxToken<'a>),
    /// The offset is the boundary between two tokens.
    Between(SyntaxToken<'a>, SyntaxToken<'a>),
}

impl<'a> TokenAtOffset<'a> {
    /// Prefer the non-trivia token of the two; on a tie, the right one.
    pub fn pick_best(self) -> Option<SyntaxToken<'a>> {
        match self {
            TokenAtOffset::None => None,
            TokenAtOffset::Single(t) => Some(t),
            TokenAtOffset::Between(l, r) => {
                if r.kind().is_trivia() && !l.kind().is_trivia() {
                    Some(l)
                } else {
                    Some(r)
                }
            }
        }
    }
}

/// A node of the tree: a handle, cheap to copy.
#[derive(Clone, Copy)]
pub struct SyntaxNode<'a> {
    tree: &'a SyntaxTree,
    index: u32,
}

impl PartialEq for SyntaxNode<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.tree, other.tree) && self.index == other.index
    }
}
impl Eq for SyntaxNode<'_> {}

impl std::hash::Hash for SyntaxNode<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.index.hash(state);
    }
}

impl std::fmt::Debug for SyntaxNode<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}@{:?}", self.kind(), self.range())
    }
}

impl<'a> SyntaxNode<'a> {
    fn data(self) -> &'a NodeData {
        &self.tree.nodes[self.index as usize]
    }

    /// The tree this node belongs to.
    pub fn tree(self) -> &'a SyntaxTree {
        self.tree
    }

    /// The node's index in preorder; the root is 0.
    pub fn index(self) -> usize {
        self.index as usize
    }

    /// The node's kind.
    pub fn kind(self) -> SyntaxKind {
        self.data().kind
    }

    /// The bytes the node covers, trivia inside it included.
    pub fn range(self) -> TextRange {
        let data = self.data();
        if data.first_token == data.end_token {
            let at = self.tree.token_starts[data.first_token as usize];
            return TextRange::empty(at);
        }
        TextRange::new(
            self.tree.token_starts[data.first_token as usize],
            self.tree.token_starts[data.end_token as usize],
        )
    }

    /// The node's text.
    pub fn text(self) -> &'a str {
        &self.tree.text[self.range().to_usize()]
    }

    /// The parent node, or `None` at the root.
    pub fn parent(self) -> Option<SyntaxNode<'a>> {
        if self.index == 0 {
            None
        } else {
            Some(SyntaxNode {
                tree: self.tree,
                index: self.data().parent,
            })
        }
    }

    /// This node, its parent, its parent's parent, up to the root.
    pub fn ancestors(self) -> impl Iterator<Item = SyntaxNode<'a>> + 'a {
        std::iter::successors(Some(self), |n| n.parent())
    }

    /// The direct child nodes, in order.
    pub fn child_nodes(self) -> impl Iterator<Item = SyntaxNode<'a>> + 'a {
        let tree = self.tree;
        let end = self.data().subtree_end;
        let mut next = self.index + 1;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let node = SyntaxNode { tree, index: next };
            next = node.data().subtree_end;
            Some(node)
        })
    }

    /// Every node below this one, in preorder (this one excluded).
    pub fn descendants(self) -> impl Iterator<Item = SyntaxNode<'a>> + 'a {
        let tree = self.tree;
        (self.index + 1..self.data().subtree_end).map(move |index| SyntaxNode { tree, index })
    }

    /// The direct children, nodes and tokens, in text order.
    pub fn children(self) -> impl Iterator<Item = SyntaxElement<'a>> + 'a {
        let tree = self.tree;
        let data = self.data();
        let mut token = data.first_token;
        let end_token = data.end_token;
        let mut nodes = self.child_nodes().peekable();
        std::iter::from_fn(move || {
            if let Some(node) = nodes.peek().copied()
                && node.data().first_token <= token
            {
                nodes.next();
                token = token.max(node.data().end_token);
                return Some(SyntaxElement::Node(node));
            }
            if token < end_token {
                let t = SyntaxToken { tree, index: token };
                token += 1;
                return Some(SyntaxElement::Token(t));
            }
            None
        })
    }

    /// The direct child tokens (not those inside child nodes), in order.
    pub fn child_tokens(self) -> impl Iterator<Item = SyntaxToken<'a>> + 'a {
        self.children().filter_map(SyntaxElement::into_token)
    }

    /// Every token inside this node, at any depth, in order.
    pub fn tokens(self) -> impl DoubleEndedIterator<Item = SyntaxToken<'a>> + 'a {
        let tree = self.tree;
        let data = self.data();
        (data.first_token..data.end_token).map(move |index| SyntaxToken { tree, index })
    }

    /// The first token inside this node, if it has any.
    pub fn first_token(self) -> Option<SyntaxToken<'a>> {
        self.tokens().next()
    }

    /// The last token inside this node, if it has any.
    pub fn last_token(self) -> Option<SyntaxToken<'a>> {
        self.tokens().next_back()
    }

    /// The first direct child node of this kind.
    pub fn child_of_kind(self, kind: SyntaxKind) -> Option<SyntaxNode<'a>> {
        self.child_nodes().find(|n| n.kind() == kind)
    }

    /// The first direct child token of this kind.
    pub fn token_of_kind(self, kind: SyntaxKind) -> Option<SyntaxToken<'a>> {
        self.child_tokens().find(|t| t.kind() == kind)
    }

    /// The next node with the same parent.
    pub fn next_sibling(self) -> Option<SyntaxNode<'a>> {
        let parent = self.parent()?;
        let next = self.data().subtree_end;
        if next < parent.data().subtree_end {
            Some(SyntaxNode {
                tree: self.tree,
                index: next,
            })
        } else {
            None
        }
    }

    /// The previous node with the same parent.
    pub fn prev_sibling(self) -> Option<SyntaxNode<'a>> {
        let parent = self.parent()?;
        parent.child_nodes().take_while(|n| *n != self).last()
    }

    /// An indented dump of the tree, one element a line, for tests and debugging.
    pub fn debug_dump(self) -> String {
        let mut out = String::new();
        dump(self, 0, &mut out);
        out
    }
}

fn dump(node: SyntaxNode<'_>, depth: usize, out: &mut String) {
    use std::fmt::Write;
    let _ = writeln!(
        out,
        "{:indent$}{:?}@{:?}",
        "",
        node.kind(),
        node.range(),
        indent = depth * 2
    );
    for child in node.children() {
        match child {
            SyntaxElement::Node(n) => dump(n, depth + 1, out),
            SyntaxElement::Token(t) => {
                let _ = writeln!(
                    out,
                    "{:indent$}{:?}@{:?} {:?}",
                    "",
                    t.kind(),
                    t.range(),
                    t.text(),
                    indent = (depth + 1) * 2
                );
            }
        }
    }
}

/// A token of the tree: a handle, cheap to copy.
#[derive(Clone, Copy)]
pub struct SyntaxToken<'a> {
    tree: &'a SyntaxTree,
    index: u32,
}

impl PartialEq for SyntaxToken<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.tree, other.tree) && self.index == other.index
    }
}
impl Eq for SyntaxToken<'_> {}

impl std::hash::Hash for SyntaxToken<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.index.hash(state);
    }
}

impl std::fmt::Debug for SyntaxToken<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}@{:?} {:?}", self.kind(), self.range(), self.text())
    }
}

impl<'a> SyntaxToken<'a> {
    /// The token's index in text order.
    pub fn index(self) -> usize {
        self.index as usize
    }

    /// The token's kind.
    pub fn kind(self) -> SyntaxKind {
        self.tree.token_kinds[self.index as usize]
    }

    /// The bytes the token covers.
    pub fn range(self) -> TextRange {
        self.tree.token_range(self.index)
    }

    /// The token's text.
    pub fn text(self) -> &'a str {
        &self.tree.text[self.range().to_usize()]
    }

    /// The node that directly contains this token.
    pub fn parent(self) -> SyntaxNode<'a> {
        self.tree.token_parent(self.index)
    }

    /// The next token in the file.
    pub fn next_token(self) -> Option<SyntaxToken<'a>> {
        let next = self.index + 1;
        (next < self.tree.token_kinds.len() as u32).then_some(SyntaxToken {
            tree: self.tree,
            index: next,
        })
    }

    /// The previous token in the file.
    pub fn prev_token(self) -> Option<SyntaxToken<'a>> {
        self.index.checked_sub(1).map(|index| SyntaxToken {
            tree: self.tree,
            index,
        })
    }
}

/// A child of a node: a node or a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntaxElement<'a> {
    /// An inner node.
    Node(SyntaxNode<'a>),
    /// A token.
    Token(SyntaxToken<'a>),
}

impl<'a> SyntaxElement<'a> {
    /// The element's kind.
    pub fn kind(self) -> SyntaxKind {
        match self {
            SyntaxElement::Node(n) => n.kind(),
            SyntaxElement::Token(t) => t.kind(),
        }
    }

    /// The element's range.
    pub fn range(self) -> TextRange {
        match self {
            SyntaxElement::Node(n) => n.range(),
            SyntaxElement::Token(t) => t.range(),
        }
    }

    /// The node, if this is one.
    pub fn into_node(self) -> Option<SyntaxNode<'a>> {
        match self {
            SyntaxElement::Node(n) => Some(n),
            SyntaxElement::Token(_) => None,
        }
    }

    /// The token, if this is one.
    pub fn into_token(self) -> Option<SyntaxToken<'a>> {
        match self {
            SyntaxElement::Token(t) => Some(t),
            SyntaxElement::Node(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{SyntaxKind, TokenAtOffset, parse};

    const TEXT: &str = "a 1 k=2 {\n    b\n}\nc";

    #[test]
    fn children_interleave_tokens_and_nodes_in_text_order() {
        let parse = parse(TEXT);
        let root = parse.tree().root();
        let kinds: Vec<_> = root.children().map(|c| c.kind()).collect();
        assert_eq!(
            kinds,
            [SyntaxKind::Node, SyntaxKind::Newline, SyntaxKind::Node]
        );
        let a = root.child_nodes().next().unwrap();
        let kinds: Vec<_> = a.children().map(|c| c.kind()).collect();
        use SyntaxKind::*;
        assert_eq!(
            kinds,
            [
                Ident, Whitespace, Argument, Whitespace, Property, Whitespace, Children
            ]
        );
        let concatenated: String = root.tokens().map(|t| t.text()).collect();
        assert_eq!(concatenated, TEXT);
    }

    #[test]
    fn navigation_between_tokens_nodes_and_offsets() {
        let parse = parse(TEXT);
        let tree = parse.tree();
        // Inside `b`.
        let offset = TEXT.find('b').unwrap() as u32;
        let token = tree.tokens_at_offset(offset).pick_best().unwrap();
        assert_eq!(token.text(), "b");
        let ancestors: Vec<_> = token.parent().ancestors().map(|n| n.kind()).collect();
        use SyntaxKind::*;
        assert_eq!(ancestors, [Node, Children, Node, Document]);
        // On the boundary between `k` and `=`, both are offered and the left one is preferred
        // by neither being trivia: the right one wins.
        let eq = TEXT.find('=').unwrap() as u32;
        match tree.tokens_at_offset(eq) {
            TokenAtOffset::Between(l, r) => assert_eq!((l.text(), r.text()), ("k", "=")),
            other => panic!("{other:?}"),
        }
        // After a token and before whitespace, the token is preferred.
        let after_a = 1;
        assert_eq!(
            tree.tokens_at_offset(after_a).pick_best().unwrap().text(),
            "a"
        );
        let covering = tree.covering_node(crate::TextRange::new(offset, offset + 1));
        assert_eq!(covering.kind(), Node);
        assert_eq!(covering.text(), "b");
        let a = tree.root().child_nodes().next().unwrap();
        let c = a.next_sibling().unwrap();
        assert_eq!(c.text(), "c");
        assert_eq!(c.prev_sibling(), Some(a));
        assert_eq!(c.next_sibling(), None);
        assert_eq!(
            tree.tokens_at_offset(TEXT.len() as u32 + 1).pick_best(),
            None
        );
    }
}
