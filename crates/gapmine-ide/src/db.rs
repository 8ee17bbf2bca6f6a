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
