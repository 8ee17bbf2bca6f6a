//! Failure modes that no intervention resolves.

use gapmine_model::EntryKind;

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{Catalogue, Db, SourceFile, file_facts, included_files, is_resolved, resolve};
use crate::diagnostic::{SyntaxPath, Target};

/// A warning for each failure mode of one file that no intervention resolves.
///
/// Reads only the buckets of the file's own ids: whether one is resolved, and whether this
/// entry is its first definition (a duplicate is reported as such, not as a second gap).
#[salsa::tracked(returns(ref))]
pub fn file_uncovered_failure_modes(db: &dyn Db, file: SourceFile) -> Vec<Anchored<'_>> {
    let catalogue = Catalogue::get(db);
    file_facts(db, file)
        .iter()
        .filter(|facts| facts.kind == EntryKind::FailureMode)
        .filter(|facts| resolve(db, catalogue, facts.id).is_some_and(|f| f.entry == facts.entry))
        .filter(|facts| !is_resolved(db, catalogue, facts.id))
        .map(|facts| {
            let id = facts.id.text(db);
            Anchored {
                code: Code::UncoveredFailureMode,
                message: format!("no intervention resolves `{id}`"),
                at: (
                    Anchor::Entry(facts.entry),
                    SyntaxPath::new(&[], Target::Arg(0)),
                ),
                labels: Vec::new(),
                help: Some(format!(
                    "add `resolves \"{id}\"` to an intervention that fixes it, or write one: the class is a known gap with no known fix"
                )),
            }
        })
        .collect()
}

/// Every uncovered failure mode of the catalogue, file by file (the checks read
/// [`file_uncovered_failure_modes`]).
#[salsa::tracked(returns(ref))]
pub fn uncovered_failure_modes(db: &dyn Db, catalogue: Catalogue) -> Vec<Anchored<'_>> {
    included_files(db, catalogue)
        .files
        .iter()
        .flat_map(|&file| file_uncovered_failure_modes(db, file).iter().cloned())
        .collect()
}
