//! From paths to ranges: finds, in the current tree, the node and token a path points at.
//!
//! Paths count only the nodes and entries the plain document keeps (not slashdashed, with a
//! name or a value), so this walk uses the same filters as `plain`.

use gapmine_syntax::ast::{self, Entry};
use gapmine_syntax::{SyntaxKind, TextRange};

use crate::checks::Anchor;
use crate::db::{Catalogue, Db, SourceFile, file_entries, parse};
use crate::diagnostic::{SyntaxPath, Target};
use crate::manifest::NO_NODE;

/// The file and range an anchored path points at.
pub fn resolve(
    db: &dyn Db,
    catalogue: Catalogue,
    anchor: Anchor<'_>,
    path: &SyntaxPath,
) -> (SourceFile, TextRange) {
    let (file, index) = match anchor {
        Anchor::Entry(entry) => {
            let file = entry.file(db);
            let index = file_entries(db, file).iter().position(|e| *e == entry);
            (file, index)
        }
        Anchor::Manifest(NO_NODE) => (catalogue.manifest(db), None),
        Anchor::Manifest(i) => (catalogue.manifest(db), Some(i as usize)),
    };
    let parse = parse(db, file);
    let Some(index) = index else {
        return (file, TextRange::empty(0));
    };
    let Some(node) = named(parse.document().active_nodes()).nth(index) else {
        return (file, TextRange::empty(0));
    };
    (file, locate(node, path))
}

fn named<'a>(nodes: impl Iterator<Item = ast::Node<'a>>) -> impl Iterator<Item = ast::Node<'a>> {
    nodes.filter(|n| !n.is_slashdashed() && n.name().is_some())
}

/// The range `path` points at inside `node`; where the tree no longer has it, the nearest
/// enclosing thing.
pub fn locate(mut node: ast::Node<'_>, path: &SyntaxPath) -> TextRange {
    for &k in &path.children {
        match named(node.child_nodes()).nth(k as usize) {
            Some(child) => node = child,
            None => return name_range(node),
        }
    }
    let args = || {
        node.active_entries()
            .filter(|e| matches!(e, Entry::Argument(_)) && e.value().is_some())
    };
    let prop = |key: &str| {
        node.properties()
            .filter(|p| p.value().is_some() && p.key().is_some_and(|k| k.value() == key))
            .last()
    };
    match &path.target {
        Target::Name => name_range(node),
        Target::Node => node.range(),
        Target::Arg(i) => args()
            .nth(*i as usize)
            .and_then(|e| e.value())
            .map_or_else(|| name_range(node), |v| v.range()),
        Target::ArgSpan { arg, start, end } => args()
            .nth(*arg as usize)
            .and_then(|e| e.value())
            .map_or_else(|| name_range(node), |v| span_in(v.token(), *start, *end)),
        Target::Prop(key) => prop(key)
            .and_then(|p| p.value())
            .map_or_else(|| name_range(node), |v| v.range()),
        Target::PropKey(key) => prop(key)
            .and_then(|p| p.key())
            .map_or_else(|| name_range(node), |k| k.range()),
        Target::PropSpan { key, start, end } => prop(key)
            .and_then(|p| p.value())
            .map_or_else(|| name_range(node), |v| span_in(v.token(), *start, *end)),
    }
}

fn name_range(node: ast::Node<'_>) -> TextRange {
    node.name().map_or_else(|| node.range(), |n| n.range())
}

/// The range of bytes `start..end` of a string token's decoded value, where the decoded value
/// maps one-to-one onto the token's text (raw strings and quoted strings without escapes on
/// one line); the whole token otherwise.
fn span_in(token: gapmine_syntax::SyntaxToken<'_>, start: u32, end: u32) -> TextRange {
    let text = token.text();
    let range = token.range();
    let prefix = match token.kind() {
        SyntaxKind::RawString if !text.trim_start_matches('#').starts_with("\"\"\"") => {
            text.bytes().take_while(|&b| b == b'#').count() + 1
        }
        SyntaxKind::QuotedString if !text.starts_with("\"\"\"") && !text.contains('\\') => 1,
        SyntaxKind::Ident => 0,
        _ => return range,
    };
    let start = range.start + prefix as u32 + start;
    let end =
        (range.start + prefix as u32 + end.max(start - range.start - prefix as u32)).min(range.end);
    if start > range.end {
        return range;
    }
    TextRange::new(start, end.max(start))
}
