//! Inlay hints: the title of the entry a reference names, after the reference.

use gapmine_syntax::TextRange;

use crate::Snap;
use crate::db::summary_of;
use crate::semantic_tokens::{Class, classify};

/// A hint to show inline.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InlayHint {
    /// Where: the end of the reference.
    pub offset: u32,
    /// The text: the referenced entry's title, shortened to [`INLAY_HINT_MAX_CHARS`].
    pub label: String,
    /// What the hint is.
    pub kind: InlayHintKind,
}

/// What an inlay hint shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InlayHintKind {
    /// The title of the entry a reference names.
    Title,
}

/// Longer titles are cut, with `…`.
pub const INLAY_HINT_MAX_CHARS: usize = 40;

pub(crate) fn inlay_hints(snap: Snap<'_>, path: &str, range: Option<TextRange>) -> Vec<InlayHint> {
    let Some(file) = snap.file(path) else {
        return Vec::new();
    };
    let manifest = snap.is_manifest(file);
    let parse = snap.parse(file);
    classify(parse.document(), manifest)
        .into_iter()
        .filter(|(token, _)| range.is_none_or(|r| r.contains_range(token.range())))
        .filter_map(|(token, class)| {
            let Class::Reference(expected) = class else {
                return None;
            };
            let id = gapmine_syntax::value::decode_string(token.kind(), token.text());
            let target = summary_of(snap.db, snap.catalogue, &id)?;
            if target.kind != expected {
                return None;
            }
            let title = target.title.as_deref()?;
            let label = if title.chars().count() > INLAY_HINT_MAX_CHARS {
                let cut: String = title.chars().take(INLAY_HINT_MAX_CHARS - 1).collect();
                format!("{}…", cut.trim_end())
            } else {
                title.to_string()
            };
            Some(InlayHint {
                offset: token.range().end,
                label,
                kind: InlayHintKind::Title,
            })
        })
        .collect()
}
