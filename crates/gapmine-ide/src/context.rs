//! What is at a position of a file, in the catalogue language's terms: an entry's id, a
//! reference to one, a node of a known schema, a property.
//!
//! Works on the syntax tree of one file, so it works on a file with syntax errors as far as the
//! parser recovered. The schema (`gapmine_check::schema`) says which nodes go where and which
//! arguments are references; nothing here repeats it.

use gapmine_check::schema::{self, NodeSpec, PropSpec, Reference};
use gapmine_model::EntryKind;
use gapmine_syntax::ast::{self, Entry};
use gapmine_syntax::{SyntaxKind, SyntaxToken, SyntaxTree, TextRange, TokenAtOffset};

/// Where a node stands in the schema.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Spec {
    /// A top-level entry of this kind.
    Entry(EntryKind),
    /// A node inside an entry of this kind.
    Child(&'static NodeSpec, EntryKind),
    /// The manifest's `catalogue` node.
    Catalogue,
    /// A node inside the manifest's `catalogue` node.
    ManifestChild(&'static NodeSpec),
}

impl Spec {
    /// The children this node accepts, in schema order.
    pub(crate) fn children(self) -> Vec<&'static NodeSpec> {
        match self {
            Spec::Entry(kind) => schema::COMMON
                .iter()
                .chain(schema::entry(kind).children)
                .collect(),
            Spec::Child(spec, _) | Spec::ManifestChild(spec) => spec.children.iter().collect(),
            Spec::Catalogue => schema::MANIFEST.iter().collect(),
        }
    }

    /// The properties this node accepts.
    pub(crate) fn props(self) -> &'static [PropSpec] {
        match self {
            Spec::Entry(kind) => schema::entry(kind).props,
            Spec::Child(spec, _) | Spec::ManifestChild(spec) => spec.props,
            Spec::Catalogue => schema::MANIFEST_PROPS,
        }
    }

    /// The node's own spec, for a child node.
    pub(crate) fn node_spec(self) -> Option<&'static NodeSpec> {
        match self {
            Spec::Child(spec, _) | Spec::ManifestChild(spec) => Some(spec),
            Spec::Entry(_) | Spec::Catalogue => None,
        }
    }

    /// The kind of entry an argument of this node references, if its arguments are ids.
    pub(crate) fn reference(self) -> Option<EntryKind> {
        match self {
            Spec::Child(spec, kind) => match spec.reference? {
                Reference::Kind(k) => Some(k),
                Reference::SameKind => Some(kind),
            },
            _ => None,
        }
    }
}

/// The schema of `node`, found by walking from its top-level node down by name; `None` where a
/// name on the way is not in the schema (or is missing), or the node is commented out.
pub(crate) fn spec_of(node: ast::Node<'_>, manifest: bool) -> Option<Spec> {
    if node.is_commented_out() {
        return None;
    }
    let mut chain = vec![node];
    while let Some(parent) = chain.last().and_then(|n| n.parent()) {
        chain.push(parent);
    }
    let mut nodes = chain.into_iter().rev();
    let top = nodes.next()?;
    let name = top.name_text()?;
    let mut spec = if manifest {
        (name == "catalogue").then_some(Spec::Catalogue)?
    } else {
        Spec::Entry(EntryKind::from_keyword(&name)?)
    };
    for node in nodes {
        let name = node.name_text()?;
        let child = *spec.children().iter().find(|s| s.name == name)?;
        spec = match spec {
            Spec::Entry(kind) | Spec::Child(_, kind) => Spec::Child(child, kind),
            Spec::Catalogue | Spec::ManifestChild(_) => Spec::ManifestChild(child),
        };
    }
    Some(spec)
}

/// The top-level node a node is in (itself, at the top).
pub(crate) fn top_level(node: ast::Node<'_>) -> ast::Node<'_> {
    let mut node = node;
    while let Some(parent) = node.parent() {
        node = parent;
    }
    node
}

/// The innermost KDL node around a token.
pub(crate) fn node_of(token: SyntaxToken<'_>) -> Option<ast::Node<'_>> {
    std::iter::once(token.parent())
        .chain(token.parent().ancestors())
        .find_map(ast::Node::cast)
}

/// An id at a position: where an entry is defined, or where one is referred to.
#[derive(Debug, Clone)]
pub(crate) struct IdSite<'a> {
    /// The string token.
    pub(crate) token: SyntaxToken<'a>,
    /// The id, decoded.
    pub(crate) text: String,
    /// What kind of site it is.
    pub(crate) role: IdRole,
}

/// Whether an id defines an entry or refers to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdRole {
    /// The first argument of an entry of this kind.
    Definition(EntryKind),
    /// An argument of a reference node (`via`) that expects an entry of this kind.
    Reference {
        /// The kind the position expects.
        expected: EntryKind,
        /// The node that holds the reference.
        via: &'static str,
    },
}

/// The string token at `offset`: the one containing it, or the one that ends or starts there.
pub(crate) fn string_token_at(tree: &SyntaxTree, offset: u32) -> Option<SyntaxToken<'_>> {
    match tree.tokens_at_offset(offset) {
        TokenAtOffset::None => None,
        TokenAtOffset::Single(t) => t.kind().is_string().then_some(t),
        TokenAtOffset::Between(left, right) => {
            if right.kind().is_string() {
                Some(right)
            } else {
                left.kind().is_string().then_some(left)
            }
        }
    }
}

/// The token that starts exactly at `offset`.
pub(crate) fn token_starting_at(tree: &SyntaxTree, offset: u32) -> Option<SyntaxToken<'_>> {
    match tree.tokens_at_offset(offset) {
        TokenAtOffset::Single(t) if t.range().start == offset => Some(t),
        TokenAtOffset::Between(_, right) if right.range().start == offset => Some(right),
        _ => None,
    }
}

/// The id site of a string token, if it is one.
pub(crate) fn id_site(token: SyntaxToken<'_>, manifest: bool) -> Option<IdSite<'_>> {
    if manifest || !token.kind().is_string() {
        return None;
    }
    let argument = token.parent();
    if argument.kind() != SyntaxKind::Argument {
        return None;
    }
    let entry = Entry::cast(argument)?;
    if entry.is_slashdashed() {
        return None;
    }
    let node = ast::Node::cast(argument.parent()?)?;
    let spec = spec_of(node, manifest)?;
    let text = gapmine_syntax::value::decode_string(token.kind(), token.text()).into_owned();
    let role = match spec {
        Spec::Entry(kind) => {
            let first = node.arguments().next()?;
            if first.syntax() != argument {
                return None;
            }
            IdRole::Definition(kind)
        }
        _ => IdRole::Reference {
            expected: spec.reference()?,
            via: spec.node_spec()?.name,
        },
    };
    Some(IdSite { token, text, role })
}

/// The range of the text of a string token without its quotes: what a rename replaces and
/// what an editor highlights. A bare identifier is all text; an unterminated string runs to
/// its end.
pub(crate) fn inner_range(token: SyntaxToken<'_>) -> TextRange {
    let range = token.range();
    let text = token.text();
    match token.kind() {
        SyntaxKind::QuotedString if !text.starts_with("\"\"\"") => {
            let end = if text.len() >= 2 && text.ends_with('"') {
                range.end - 1
            } else {
                range.end
            };
            TextRange::new(range.start + 1, end.max(range.start + 1))
        }
        SyntaxKind::RawString if !text.trim_start_matches('#').starts_with("\"\"\"") => {
            let hashes = text.bytes().take_while(|&b| b == b'#').count() as u32;
            let closing = format!("\"{}", "#".repeat(hashes as usize));
            let start = range.start + hashes + 1;
            let end = if text.len() as u32 > 2 * hashes + 1 && text.ends_with(&closing) {
                range.end - hashes - 1
            } else {
                range.end
            };
            TextRange::new(start.min(range.end), end.max(start.min(range.end)))
        }
        _ => range,
    }
}

/// Whether a string token is closed (an unterminated string is not).
pub(crate) fn is_closed(token: SyntaxToken<'_>) -> bool {
    let text = token.text();
    match token.kind() {
        SyntaxKind::QuotedString => text.len() >= 2 && text.ends_with('"'),
        SyntaxKind::RawString => {
            let hashes = text.bytes().take_while(|&b| b == b'#').count();
            text.len() > 2 * hashes + 1 && text.ends_with(&format!("\"{}", "#".repeat(hashes)))
        }
        _ => true,
    }
}
