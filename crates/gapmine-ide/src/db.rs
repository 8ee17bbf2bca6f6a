//! The queries the editor features add on top of the checker's: who refers to an id, and
//! the matches of a records history per failure mode. Both salsa-cached, so a hover or a code
//! lens reads a map instead of walking the catalogue.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use gapmine_check::db::{Name, RefSite, file_facts, included_files};
use gapmine_check::{Catalogue, Db, EntryNode};

/// One reference to an id: the entry that makes it and where in the entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Use<'db> {
    /// The entry that holds the reference.
    pub entry: EntryNode<'db>,
    /// The reference.
    pub site: RefSite<'db>,
}

/// Every reference of the catalogue, by the id referred to.
#[derive(Debug, Clone, PartialEq, Eq, Default, salsa::SalsaValue)]
pub struct Uses<'db> {
    /// Id to its references, in catalogue order.
    pub by_target: FxHashMap<Name<'db>, Vec<Use<'db>>>,
}

/// Every reference of the catalogue's included files, by target. Built from the files' facts,
/// so it is rebuilt only when a reference, an id or a kind changes somewhere, not on an edit to
/// a title or a signal.
#[salsa::tracked(returns(ref))]
pub fn uses(db: &dyn Db, catalogue: Catalogue) -> Uses<'_> {
    let mut uses = Uses::default();
    for file in &included_files(db, catalogue).files {
        for facts in file_facts(db, *file) {
            for site in &facts.references {
                uses.by_target.entry(site.target).or_default().push(Use {
                    entry: facts.entry,
                    site: site.clone(),
                });
            }
        }
    }
    uses
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

/// The summary of the first entry with the id `id`, through the index.
pub(crate) fn summary_of<'db>(
    db: &'db dyn Db,
    catalogue: Catalogue,
    id: &str,
) -> Option<&'db EntrySummary> {
    let name = Name::new(db, id.to_string());
    let entry = gapmine_check::db::index(db, catalogue).get(name)?.entry;
    file_summaries(db, entry.file(db))
        .iter()
        .find(|s| s.id == id && Some(s.kind) == entry.kind(db))
}

/// An id offered by completion, with what the list shows of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// The id.
    pub id: String,
    /// The entry's title.
    pub title: Option<String>,
    /// Title, kind and summary, in Markdown.
    pub documentation: String,
    /// Whether it is deprecated.
    pub deprecated: bool,
}

/// The ids of the entries of a kind, in catalogue order, each once, with their documentation:
/// what completion offers where a reference expects that kind. Rebuilt when a summary of
/// the catalogue changes, not on edits that leave every title, summary and id as they were.
#[salsa::tracked(returns(ref))]
pub fn id_candidates(
    db: &dyn Db,
    catalogue: Catalogue,
    kind: gapmine_model::EntryKind,
) -> Vec<Candidate> {
    let mut seen = rustc_hash::FxHashSet::default();
    let mut out = Vec::new();
    for file in &included_files(db, catalogue).files {
        for summary in file_summaries(db, *file) {
            if summary.kind != kind || !seen.insert(summary.id.as_str()) {
                continue;
            }
            let mut documentation = String::new();
            crate::hover::describe(summary, &mut documentation);
            out.push(Candidate {
                id: summary.id.clone(),
                title: summary.title.clone(),
                documentation,
                deprecated: summary.deprecated,
            });
        }
    }
    out
}
