//! The queries the editor features add on top of the checker's: who refers to an id, what
//! completion and hover show of each entry, and the matches of a records history per failure
//! mode. All salsa-cached, and none catalogue-wide: an id's references and definitions are
//! read from the checker's bucket of the id ([`uses_of`], [`gapmine_check::db::resolve`]),
//! entries' summaries and completion candidates per file. So a feature asked right after an
//! edit re-runs only what the edit touched.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use gapmine_check::db::{Name, bucket_of, included_files};
use gapmine_check::{Catalogue, Db, SourceFile};

/// One reference to an id: the entry that makes it and where in the entry (the checker's
/// [`Referrer`](gapmine_check::db::Referrer)).
pub use gapmine_check::db::Referrer as Use;

/// Every reference to `name` in the catalogue's included files, in catalogue order. Reads the
/// references of the id's bucket (a tracked field of the checker's buckets), so a feature that
/// asks depends on the references to that bucket's ids, not on every file: after an edit that
/// changes no reference nothing is read again, and after one that does, the feature re-runs
/// only if the bucket it reads changed.
pub fn uses_of<'db>(
    db: &'db dyn Db,
    catalogue: Catalogue,
    name: Name<'db>,
) -> impl Iterator<Item = &'db Use<'db>> {
    gapmine_check::db::bucket_referrers(db, catalogue, bucket_of(name))
        .filter(move |u| u.site.target == name)
}

/// A records history, set by the host (the server reads the file). Compared by identity: a new
/// history is a new value even with the same records.
#[derive(Debug, Clone)]
pub struct History(pub Arc<[gapmine_records::EscapeRecord]>);

impl PartialEq for History {
    fn eq(&self, other: &History) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for History {}

/// The history input: `None` until the host names one.
#[salsa::input(singleton, debug)]
pub struct HistoryInput {
    /// The records.
    #[returns(ref)]
    pub history: Option<History>,
}

/// How the history classifies: records in all, and the records each failure mode matches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryCounts {
    /// How many records the history has.
    pub records: usize,
    /// Failure mode id to the number of records classified as it (implied parents included).
    pub matched: FxHashMap<String, usize>,
}

/// The history classified by the catalogue's matcher; re-run when the history or the signals
/// change (the matcher is recompiled only then), not on other edits.
#[salsa::tracked(returns(ref))]
pub fn history_counts(
    db: &dyn Db,
    catalogue: Catalogue,
    input: HistoryInput,
) -> Option<HistoryCounts> {
    let history = input.history(db).as_ref()?;
    let matcher = gapmine_check::db::matcher(db, catalogue).as_ref().ok()?;
    let mut counts = HistoryCounts {
        records: history.0.len(),
        matched: FxHashMap::default(),
    };
    // In batches, so that an edit cancels a long classification between two of them.
    for batch in history.0.chunks(4096) {
        db.unwind_if_revision_cancelled();
        for classification in matcher.classify_batch(batch) {
            for decision in &classification.matches {
                *counts
                    .matched
                    .entry(decision.failure_mode.to_string())
                    .or_default() += 1;
            }
        }
    }
    Some(counts)
}

/// What the editor shows of an entry: in completion, hover, symbols and inlay hints.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntrySummary {
    /// Its position among the file's entries (`gapmine_check::db::file_entries`).
    pub index: u32,
    /// The id.
    pub id: String,
    /// The kind.
    pub kind: gapmine_model::EntryKind,
    /// The title, if it has one.
    pub title: Option<String>,
    /// The title lower-cased, without spaces: what workspace symbols match a query against.
    pub title_key: Option<String>,
    /// The summary, if it has one.
    pub summary: Option<String>,
    /// Whether it is deprecated.
    pub deprecated: bool,
    /// Its replacement, if it names one.
    pub replaced_by: Option<String>,
    /// Its `evidence` (interventions), by outcome: held, failed, pending.
    pub evidence: [u32; 3],
}

/// The entries of a file (of a known kind, with an id), summarised; per file, so an edit to a
/// title re-summarises one file.
#[salsa::tracked(returns(ref))]
pub fn file_summaries(db: &dyn Db, file: gapmine_check::SourceFile) -> Vec<EntrySummary> {
    gapmine_check::db::file_entries(db, file)
        .iter()
        .enumerate()
        .filter_map(|(index, &entry)| {
            let kind = entry.kind(db)?;
            let id = entry.id(db).clone()?;
            let node = entry.node(db);
            let mut evidence = [0; 3];
            for child in children(node).iter().filter(|c| c.name == "evidence") {
                let outcome = child
                    .entries
                    .iter()
                    .rev()
                    .find(|e| e.name.as_deref() == Some("outcome"))
                    .and_then(|e| e.value.as_str());
                match outcome {
                    Some("held") => evidence[0] += 1,
                    Some("failed") => evidence[1] += 1,
                    Some("pending") => evidence[2] += 1,
                    _ => {}
                }
            }
            let title = child_str(node, "title");
            Some(EntrySummary {
                index: index as u32,
                id,
                kind,
                title_key: title
                    .as_deref()
                    .map(|t| t.to_lowercase().split_whitespace().collect()),
                title,
                summary: child_str(node, "summary"),
                deprecated: children(node).iter().any(|c| c.name == "deprecated"),
                replaced_by: child_str(node, "replaced-by"),
                evidence,
            })
        })
        .collect()
}

fn children(node: &gapmine_syntax::plain::Node) -> &[gapmine_syntax::plain::Node] {
    node.children.as_deref().unwrap_or(&[])
}

/// The first string argument of the first child named `name`.
pub(crate) fn child_str(node: &gapmine_syntax::plain::Node, name: &str) -> Option<String> {
    children(node)
        .iter()
        .find(|c| c.name == name)?
        .entries
        .iter()
        .find(|e| e.name.is_none())?
        .value
        .as_str()
        .map(str::to_string)
}

/// The summary of the first entry with the id `id` (the one references resolve to), through
/// the checker's bucket of the id.
pub(crate) fn summary_of<'db>(
    db: &'db dyn Db,
    catalogue: Catalogue,
    id: &str,
) -> Option<&'db EntrySummary> {
    let name = Name::new(db, id.to_string());
    let entry = gapmine_check::db::resolve(db, catalogue, name)?.entry;
    file_summaries(db, entry.file(db))
        .iter()
        .find(|s| s.id == id && Some(s.kind) == entry.kind(db))
}

/// An id offered by completion, with what the list shows of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// The id.
    pub id: String,
    /// The entry's kind.
    pub kind: gapmine_model::EntryKind,
    /// The entry's title.
    pub title: Option<String>,
    /// Title, kind and summary, in Markdown.
    pub documentation: String,
    /// Whether it is deprecated.
    pub deprecated: bool,
}

/// The completion candidates of a file's entries, in order, with their documentation rendered:
/// per file, so an edit to a title or a summary renders one file's again.
#[salsa::tracked(returns(ref))]
pub fn file_candidates(db: &dyn Db, file: SourceFile) -> Vec<Candidate> {
    file_summaries(db, file)
        .iter()
        .map(|summary| {
            let mut documentation = String::new();
            crate::hover::describe(summary, &mut documentation);
            Candidate {
                id: summary.id.clone(),
                kind: summary.kind,
                title: summary.title.clone(),
                documentation,
                deprecated: summary.deprecated,
            }
        })
        .collect()
}

/// The ids of the entries of a kind, in catalogue order, each once, with their documentation:
/// what completion offers where a reference expects that kind. Read from each included file's
/// [`file_candidates`] at every call rather than cached catalogue-wide, so that no edit makes
/// it rebuild the whole list: an edit re-renders at most its own file's candidates.
pub fn id_candidates(
    db: &dyn Db,
    catalogue: Catalogue,
    kind: gapmine_model::EntryKind,
) -> impl Iterator<Item = &Candidate> {
    let mut seen = rustc_hash::FxHashSet::default();
    included_files(db, catalogue)
        .files
        .iter()
        .flat_map(move |&file| file_candidates(db, file))
        .filter(move |c| c.kind == kind && seen.insert(c.id.as_str()))
}
