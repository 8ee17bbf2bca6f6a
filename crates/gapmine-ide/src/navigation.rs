//! Go to definition, find references and document highlight: from an id at the cursor (an
//! entry's id or a reference to one) to its definitions and references across the catalogue.
//!
//! Definitions come from the checker's bucket of the id ([`gapmine_check::db::definitions`]),
//! references from the bucket of references to it ([`crate::db::uses_of`]); both salsa-cached
//! per bucket, so a request reads a few entries and parses (cached) the files it points into.

use gapmine_check::checks::Anchor;
use gapmine_check::db::Name;
use gapmine_check::source_map;
use gapmine_check::{EntryNode, SourceFile, SyntaxPath, Target};
use gapmine_model::EntryKind;
use gapmine_syntax::TextRange;

use crate::context::{self, IdRole, IdSite};
use crate::{FilePosition, FileRange, Snap};

/// An entry to navigate to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavigationTarget {
    /// Its file.
    pub path: String,
    /// The whole entry.
    pub full_range: TextRange,
    /// Its id, without quotes.
    pub focus_range: TextRange,
    /// Its id.
    pub name: String,
    /// Its kind.
    pub kind: EntryKind,
}

/// Whether a highlighted range defines the id or refers to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HighlightKind {
    /// An entry's id.
    Definition,
    /// A reference.
    Reference,
}

/// A range to highlight in the file the cursor is in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HighlightedRange {
    /// The id, without quotes.
    pub range: TextRange,
    /// Definition or reference.
    pub kind: HighlightKind,
}

/// The id site at a position, and the file it is in.
pub(crate) fn site_at<'a>(
    snap: Snap<'a>,
    position: &FilePosition,
) -> Option<(SourceFile, IdSite<'a>)> {
    let file = snap.file(&position.path)?;
    let parse = snap.parse(file);
    let token = context::string_token_at(parse.tree(), position.offset)?;
    let site = context::id_site(token, snap.is_manifest(file))?;
    Some((file, site))
}

/// Where a path in an entry points, as the range of the string there without its quotes.
fn id_range(snap: Snap<'_>, entry: EntryNode<'_>, path: &SyntaxPath) -> (SourceFile, TextRange) {
    let (file, range) = source_map::resolve(snap.db, snap.catalogue, Anchor::Entry(entry), path);
    let tree = snap.parse(file).tree();
    let range = context::token_starting_at(tree, range.start)
        .filter(|t| t.kind().is_string() && t.range() == range)
        .map_or(range, context::inner_range);
    (file, range)
}

/// The entries with the id `text`, in catalogue order.
pub(crate) fn definitions(snap: Snap<'_>, text: &str) -> Vec<NavigationTarget> {
    let db = snap.db;
    let name = Name::new(db, text.to_string());
    gapmine_check::db::definitions(db, snap.catalogue, name)
        .map(|e| {
            let (file, focus_range) =
                id_range(snap, e.entry, &SyntaxPath::new(&[], Target::Arg(0)));
            let (_, full_range) = source_map::resolve(
                db,
                snap.catalogue,
                Anchor::Entry(e.entry),
                &SyntaxPath::new(&[], Target::Node),
            );
            NavigationTarget {
                path: snap.path(file),
                full_range,
                focus_range,
                name: text.to_string(),
                kind: e.kind,
            }
        })
        .collect()
}

/// Every reference to the id `text`, in catalogue order.
pub(crate) fn uses_of(snap: Snap<'_>, text: &str) -> Vec<FileRange> {
    let db = snap.db;
    let name = Name::new(db, text.to_string());
    crate::db::uses_of(db, snap.catalogue, name)
        .map(|u| {
            let (file, range) = id_range(snap, u.entry, &u.site.path());
            FileRange {
                path: snap.path(file),
                range,
            }
        })
        .collect()
}

pub(crate) fn goto_definition(snap: Snap<'_>, position: &FilePosition) -> Vec<NavigationTarget> {
    let Some((_, site)) = site_at(snap, position) else {
        return Vec::new();
    };
    definitions(snap, &site.text)
}

pub(crate) fn references(
    snap: Snap<'_>,
    position: &FilePosition,
    include_declaration: bool,
) -> Vec<FileRange> {
    let Some((_, site)) = site_at(snap, position) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if include_declaration {
        out.extend(
            definitions(snap, &site.text)
                .into_iter()
                .map(|t| FileRange {
                    path: t.path,
                    range: t.focus_range,
                }),
        );
    }
    out.extend(uses_of(snap, &site.text));
    out
}

pub(crate) fn highlight_related(snap: Snap<'_>, position: &FilePosition) -> Vec<HighlightedRange> {
    let Some((file, site)) = site_at(snap, position) else {
        return Vec::new();
    };
    let path = snap.path(file);
    let mut out: Vec<HighlightedRange> = definitions(snap, &site.text)
        .into_iter()
        .filter(|t| t.path == path)
        .map(|t| HighlightedRange {
            range: t.focus_range,
            kind: HighlightKind::Definition,
        })
        .collect();
    out.extend(
        uses_of(snap, &site.text)
            .into_iter()
            .filter(|r| r.path == path)
            .map(|r| HighlightedRange {
                range: r.range,
                kind: HighlightKind::Reference,
            }),
    );
    // A file outside the catalogue's includes is not indexed: highlight the site itself.
    if out.is_empty() {
        out.push(HighlightedRange {
            range: context::inner_range(site.token),
            kind: match site.role {
                IdRole::Definition(_) => HighlightKind::Definition,
                IdRole::Reference { .. } => HighlightKind::Reference,
            },
        });
    }
    out.sort_by_key(|h| (h.range.start, h.range.end));
    out
}
