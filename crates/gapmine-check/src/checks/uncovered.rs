//! Failure modes that no intervention resolves.

use rustc_hash::FxHashSet;

use gapmine_model::EntryKind;

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{Catalogue, Db, Name, index};
use crate::diagnostic::{SyntaxPath, Target};

/// A warning for each failure mode no intervention resolves.
#[salsa::tracked(returns(ref))]
pub fn uncovered_failure_modes(db: &dyn Db, catalogue: Catalogue) -> Vec<Anchored<'_>> {
    let index = index(db, catalogue);
    let resolved: FxHashSet<Name<'_>> = index
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Intervention)
        .flat_map(|e| e.resolves.iter().copied())
        .collect();
    index
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::FailureMode && !resolved.contains(&e.id))
        // Once per id: a duplicate is reported as such, not as a second gap.
        .filter(|e| index.get(e.id).is_some_and(|first| first.entry == e.entry))
        .map(|e| (e, e.id.text(db)))
        .map(|(e, id)| Anchored {
            code: Code::UncoveredFailureMode,
            message: format!("no intervention resolves `{id}`"),
            at: (Anchor::Entry(e.entry), SyntaxPath::new(&[], Target::Arg(0))),
            labels: Vec::new(),
            help: Some(format!(
                "add `resolves \"{id}\"` to an intervention that fixes it, or write one: the class is a known gap with no known fix"
            )),
        })
        .collect()
}
