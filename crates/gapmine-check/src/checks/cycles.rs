//! Cycles in `parent`: failure modes whose parents lead back to themselves.

use gapmine_model::EntryKind;

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{Catalogue, Db, EntryNode, entries, index, parent_of};
use crate::diagnostic::{SyntaxPath, Target};

/// Every cycle of `parent` references, reported once at the cycle's first member.
#[salsa::tracked(returns(ref))]
pub fn parent_cycles(db: &dyn Db, catalogue: Catalogue) -> Vec<Anchored<'_>> {
    let index = index(db, catalogue);
    let mut out = Vec::new();
    // 0: unvisited, 1: on the current path, 2: done.
    let mut state: std::collections::HashMap<EntryNode<'_>, u8> = Default::default();
    for &start in entries(db, catalogue) {
        if start.kind(db) != Some(EntryKind::FailureMode) || state.contains_key(&start) {
            continue;
        }
        let mut path: Vec<EntryNode<'_>> = Vec::new();
        let mut current = Some(start);
        while let Some(entry) = current {
            match state.get(&entry) {
                Some(2) => break,
                Some(1) => {
                    let at = path.iter().position(|e| *e == entry).unwrap_or(0);
                    out.push(report(db, &path[at..]));
                    break;
                }
                _ => {}
            }
            state.insert(entry, 1);
            path.push(entry);
            current = parent_of(db, entry)
                .as_ref()
                .and_then(|p| index.get(p.as_str()))
                .filter(|p| p.kind(db) == Some(EntryKind::FailureMode));
        }
        for entry in path {
            state.insert(entry, 2);
        }
    }
    out
}

fn report<'db>(db: &'db dyn Db, cycle: &[EntryNode<'db>]) -> Anchored<'db> {
    let parent_path = |entry: EntryNode<'_>| {
        let index = entry
            .node(db)
            .children
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .position(|c| c.name == "parent")
            .unwrap_or(0);
        SyntaxPath::new(&[index as u32], Target::Arg(0))
    };
    let names: Vec<String> = cycle
        .iter()
        .chain(cycle.first())
        .map(|e| format!("`{}`", e.id(db).clone().unwrap_or_default()))
        .collect();
    Anchored {
        code: Code::ParentCycle,
        message: format!("`parent` goes round in a cycle: {}", names.join(" → ")),
        at: (Anchor::Entry(cycle[0]), parent_path(cycle[0])),
        labels: cycle[1..]
            .iter()
            .map(|e| {
                (
                    Anchor::Entry(*e),
                    parent_path(*e),
                    "part of the cycle".to_string(),
                )
            })
            .collect(),
        help: Some(
            "a failure mode refines its parent; remove one `parent` to break the cycle".into(),
        ),
    }
}
