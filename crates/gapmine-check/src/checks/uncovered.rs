//! Failure modes that no intervention resolves.

use std::collections::HashSet;

use gapmine_model::EntryKind;

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{Catalogue, Db, index};
use crate::diagnostic::{SyntaxPath, Target};

/// A warning for each failure mode no intervention resolves.
#[salsa::tracked(returns(ref))]
pub fn uncovered_failure_modes(db: &dyn Db, catalogue: Catalogue) -> Vec<Anchored<'_>> {
    let index = index(db, catalogue);
    let resolved: HashSet<&str> = index
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Intervention)
        .flat_map(|e| e.resolves.iter().map(String::as_str))
        .collect();
    index
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::FailureMode && !resolved.contains(e.id.as_str()))
        .map(|e| Anchored {
            code: Code::UncoveredFailureMode,
            message: format!("no intervention resolves `{}`", e.id),
            at: (Anchor::Entry(e.entry), SyntaxPath::new(&[], Target::Arg(0))),
            labels: Vec::new(),
            help: Some(format!(
                "add `resolves \"{}\"` to an intervention that fixes it, or write one: the class is a known gap with no known fix",
                e.id
            )),
        })
        .collect()
}
