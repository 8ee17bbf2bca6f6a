//! Failure modes that no intervention resolves.

use std::collections::HashSet;

use gapmine_model::EntryKind;

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{Catalogue, Db, entries, resolves_of};
use crate::diagnostic::{SyntaxPath, Target};

/// A warning for each failure mode no intervention resolves.
#[salsa::tracked(returns(ref))]
pub fn uncovered_failure_modes(db: &dyn Db, catalogue: Catalogue) -> Vec<Anchored<'_>> {
    let all = entries(db, catalogue);
    let resolved: HashSet<&str> = all
        .iter()
        .filter(|e| e.kind(db) == Some(EntryKind::Intervention))
        .flat_map(|e| resolves_of(db, *e).iter().map(|id| id.as_str()))
        .collect();
    all.iter()
        .filter(|e| e.kind(db) == Some(EntryKind::FailureMode))
        .filter_map(|e| Some((*e, e.id(db).as_deref()?)))
        .filter(|(_, id)| !resolved.contains(id))
        .map(|(entry, id)| Anchored {
            code: Code::UncoveredFailureMode,
            message: format!("no intervention resolves `{id}`"),
            at: (Anchor::Entry(entry), SyntaxPath::new(&[], Target::Arg(0))),
            labels: Vec::new(),
            help: Some(format!(
                "add `resolves \"{id}\"` to an intervention that fixes it, or write one: the class is a known gap with no known fix"
            )),
        })
        .collect()
}
