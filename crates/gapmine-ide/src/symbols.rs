//! Document symbols (a file's entries and their sections) and workspace symbols (every entry
//! of the catalogue, matched fuzzily on its id and title).

use gapmine_check::checks::Anchor;
use gapmine_check::db::{file_entries, included_files};
use gapmine_check::source_map;
use gapmine_check::{SourceFile, SyntaxPath, Target};
use gapmine_model::EntryKind;
use gapmine_syntax::{TextRange, ast};

use crate::Snap;
use crate::context;
use crate::db::{EntrySummary, file_summaries};
use crate::navigation::NavigationTarget;

/// A symbol of a file: an entry, or a section of one (a node with a block, such as `signals`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSymbol {
    /// The entry's id, or the section's node name.
    pub name: String,
    /// The entry's title, or the section's first argument.
    pub detail: Option<String>,
    /// What it is.
    pub kind: SymbolKind,
    /// Whether the entry is deprecated.
    pub deprecated: bool,
    /// The whole node.
    pub full_range: TextRange,
    /// The id, or the node's name.
    pub focus_range: TextRange,
    /// Its sections, and their nodes.
    pub children: Vec<DocumentSymbol>,
}

/// What a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// An entry of this kind.
    Entry(EntryKind),
    /// A top-level node that is not an entry (the manifest's `catalogue`, or a misspelling).
    Node,
    /// A node inside an entry.
    Section,
}

/// An entry found by a workspace-symbol query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    /// Where it is.
    pub target: NavigationTarget,
    /// Its title.
    pub title: Option<String>,
    /// Whether it is deprecated.
    pub deprecated: bool,
}

/// At most this many workspace symbols are returned, the best matches first.
pub const WORKSPACE_SYMBOL_LIMIT: usize = 128;

pub(crate) fn document_symbols(snap: Snap<'_>, path: &str) -> Vec<DocumentSymbol> {
    let Some(file) = snap.file(path) else {
        return Vec::new();
    };
    let manifest = snap.is_manifest(file);
    snap.parse(file)
        .document()
        .active_nodes()
        .filter_map(|node| {
            let name = node.name()?;
            let kind = if manifest {
                None
            } else {
                EntryKind::from_keyword(&name.value())
            };
            let id = node.arguments().next().and_then(|a| a.value());
            let (label, focus) = match (kind, id.and_then(|v| Some((v.as_string()?, v)))) {
                (Some(_), Some((id, token))) => {
                    (id.into_owned(), context::inner_range(token.token()))
                }
                _ => (name.value().into_owned(), name.range()),
            };
            let title = node
                .child_nodes()
                .find(|c| c.name_text().as_deref() == Some("title"))
                .and_then(first_string);
            Some(DocumentSymbol {
                name: label,
                detail: if kind.is_some() {
                    title
                } else {
                    first_string(node)
                },
                kind: kind.map_or(SymbolKind::Node, SymbolKind::Entry),
                deprecated: node
                    .child_nodes()
                    .any(|c| c.name_text().as_deref() == Some("deprecated")),
                full_range: node.range(),
                focus_range: focus,
                children: sections(node),
            })
        })
        .collect()
}

fn first_string(node: ast::Node<'_>) -> Option<String> {
    node.arguments()
        .next()?
        .value()?
        .as_string()
        .map(|s| s.into_owned())
}

/// The child nodes with a block, with their children.
fn sections(node: ast::Node<'_>) -> Vec<DocumentSymbol> {
    node.child_nodes()
        .filter(|c| c.children().is_some())
        .filter_map(|section| {
            let name = section.name()?;
            Some(DocumentSymbol {
                name: name.value().into_owned(),
                detail: first_string(section),
                kind: SymbolKind::Section,
                deprecated: false,
                full_range: section.range(),
                focus_range: name.range(),
                children: section
                    .child_nodes()
                    .filter_map(|child| {
                        let name = child.name()?;
                        Some(DocumentSymbol {
                            name: name.value().into_owned(),
                            detail: first_string(child),
                            kind: SymbolKind::Section,
                            deprecated: false,
                            full_range: child.range(),
                            focus_range: name.range(),
                            children: sections(child),
                        })
                    })
                    .collect(),
            })
        })
        .collect()
}

/// How well `query` matches `text` (lower is better): `None` when its characters do not all
/// appear in order. A substring beats a scattered match, an earlier one a later one. Both are
/// lower-case already.
pub(crate) fn fuzzy_score(query: &str, text: &str) -> Option<u32> {
    if query.is_empty() {
        return Some(0);
    }
    if let Some(at) = text.find(query) {
        return Some(at as u32);
    }
    let mut chars = text.char_indices();
    let mut gaps = 0u32;
    let mut last: Option<usize> = None;
    for q in query.chars() {
        let (i, _) = chars.find(|&(_, c)| c == q)?;
        if let Some(last) = last {
            gaps += (i - last - 1) as u32;
        }
        last = Some(i);
    }
    Some(1_000 + gaps)
}

pub(crate) fn workspace_symbols(snap: Snap<'_>, query: &str) -> Vec<WorkspaceSymbol> {
    let db = snap.db;
    let query: String = query.to_lowercase().split_whitespace().collect();
    let mut found: Vec<(u32, SourceFile, &EntrySummary)> = Vec::new();
    for &file in &included_files(db, snap.catalogue).files {
        for summary in file_summaries(db, file) {
            // Ids are lower-case, except invalid ones (which the checker reports).
            let by_id = if summary.id.bytes().any(|b| b.is_ascii_uppercase()) {
                fuzzy_score(&query, &summary.id.to_lowercase())
            } else {
                fuzzy_score(&query, &summary.id)
            };
            // A match on the title counts, after matches on ids.
            let by_title = summary
                .title_key
                .as_deref()
                .and_then(|t| fuzzy_score(&query, t))
                .map(|s| s + 10_000);
            if let Some(score) = by_id.into_iter().chain(by_title).min() {
                found.push((score, file, summary));
            }
        }
    }
    found.sort_by_key(|(score, _, s)| (*score, s.id.len()));
    found.truncate(WORKSPACE_SYMBOL_LIMIT);
    found
        .into_iter()
        .filter_map(|(_, file, summary)| {
            let entry = *file_entries(db, file).get(summary.index as usize)?;
            let resolve = |target| {
                source_map::resolve(
                    db,
                    snap.catalogue,
                    Anchor::Entry(entry),
                    &SyntaxPath::new(&[], target),
                )
                .1
            };
            let id = resolve(Target::Arg(0));
            let focus_range = context::token_starting_at(snap.parse(file).tree(), id.start)
                .map_or(id, context::inner_range);
            Some(WorkspaceSymbol {
                target: NavigationTarget {
                    path: snap.path(file),
                    full_range: resolve(Target::Node),
                    focus_range,
                    name: summary.id.clone(),
                    kind: summary.kind,
                },
                title: summary.title.clone(),
                deprecated: summary.deprecated,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fuzzy_score;

    #[test]
    fn substrings_beat_scattered_matches() {
        assert_eq!(fuzzy_score("order", "order-dependent-test"), Some(0));
        assert_eq!(fuzzy_score("dep", "order-dependent-test"), Some(6));
        assert_eq!(
            fuzzy_score("odt", "order-dependent-test"),
            Some(1_000 + 1 + 11)
        );
        assert_eq!(fuzzy_score("xyz", "order-dependent-test"), None);
        assert_eq!(fuzzy_score("", "anything"), Some(0));
    }
}
