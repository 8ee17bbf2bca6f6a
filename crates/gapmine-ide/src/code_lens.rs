//! Code lenses on each failure mode: how its examples fare, and, where the host was given a
//! records history, how many of its records the failure mode matches.

use gapmine_check::checks::Anchor;
use gapmine_check::db::file_entries;
use gapmine_check::source_map;
use gapmine_check::{Code, SyntaxPath, Target};
use gapmine_model::EntryKind;
use gapmine_syntax::TextRange;

use crate::Snap;
use crate::db::history_counts;

/// A lens: a line of information above an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLens {
    /// The entry's name (`failure-mode`): where the lens stands.
    pub range: TextRange,
    /// The failure mode's id.
    pub id: String,
    /// What the lens says, as data.
    pub kind: CodeLensKind,
    /// What the lens says, in words.
    pub title: String,
}

/// What a lens is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeLensKind {
    /// The failure mode's `examples`: how many, and how many fail.
    Examples {
        /// `matches` and `rejects` cases.
        total: usize,
        /// Cases that do not classify as they say.
        failing: usize,
    },
    /// The records of the history the failure mode matches.
    History {
        /// Records classified as the failure mode (children imply their parents).
        matched: usize,
        /// Records in the history.
        records: usize,
    },
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub(crate) fn code_lenses(snap: Snap<'_>, path: &str) -> Vec<CodeLens> {
    let db = snap.db;
    let Some(file) = snap.file(path) else {
        return Vec::new();
    };
    if snap.is_manifest(file) {
        return Vec::new();
    }
    let diagnostics = gapmine_check::file_diagnostics(db, file);
    let counts = history_counts(db, snap.catalogue, snap.history).as_ref();
    let mut out = Vec::new();
    for &entry in file_entries(db, file) {
        if entry.kind(db) != Some(EntryKind::FailureMode) {
            continue;
        }
        let Some(id) = entry.id(db).clone() else {
            continue;
        };
        let resolve = |target| {
            source_map::resolve(
                db,
                snap.catalogue,
                Anchor::Entry(entry),
                &SyntaxPath::new(&[], target),
            )
            .1
        };
        let range = resolve(Target::Name);
        let whole = resolve(Target::Node);
        let total = entry
            .node(db)
            .children
            .iter()
            .flatten()
            .filter(|c| c.name == "examples")
            .flat_map(|c| c.children.iter().flatten())
            .filter(|c| c.name == "matches" || c.name == "rejects")
            .count();
        let failing = diagnostics
            .iter()
            .filter(|d| d.code == Code::FailingExample && whole.contains_range(d.range))
            .count();
        let title = match (total, failing) {
            (0, _) => "no examples".to_string(),
            (1, 0) => "1 example passes".to_string(),
            (n, 0) => format!("{n} examples pass"),
            (n, f) => format!(
                "{f} of {} fail{}",
                plural(n, "example"),
                if f == 1 { "s" } else { "" }
            ),
        };
        out.push(CodeLens {
            range,
            id: id.clone(),
            kind: CodeLensKind::Examples { total, failing },
            title,
        });
        if let Some(counts) = counts {
            let matched = counts.matched.get(&id).copied().unwrap_or(0);
            out.push(CodeLens {
                range,
                id: id.clone(),
                kind: CodeLensKind::History {
                    matched,
                    records: counts.records,
                },
                title: format!(
                    "matches {matched} of {} in the history",
                    plural(counts.records, "record")
                ),
            });
        }
    }
    out
}
