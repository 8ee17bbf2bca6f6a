//! Cycles in `parent`: failure modes whose parents lead back to themselves.

use gapmine_model::EntryKind;

use super::{Anchor, Anchored};
use crate::codes::Code;
use rustc_hash::FxHashMap;

use crate::db::{Catalogue, Db, EntryNode, Facts, Name, file_facts, included_files};
use crate::diagnostic::{SyntaxPath, Target};

/// Every cycle of `parent` references, reported once at the cycle's first member.
///
/// Reads the files' facts, not the buckets: following parents touches ids all over the
/// catalogue, and one hash map built here costs less than a bucket read per step.
#[salsa::tracked(returns(ref))]
pub fn parent_cycles(db: &dyn Db, catalogue: Catalogue) -> Vec<Anchored<'_>> {
    let entries: Vec<&Facts<'_>> = included_files(db, catalogue)
        .files
        .iter()
        .flat_map(|&file| file_facts(db, file))
        .collect();
    // The first entry with each id, by position in `entries`.
    let mut by_id: FxHashMap<Name<'_>, u32> = FxHashMap::default();
    by_id.reserve(entries.len());
    for (at, facts) in entries.iter().enumerate() {
        by_id.entry(facts.id).or_insert(at as u32);
    }
    let mut out = Vec::new();
    // 0: unvisited, 1: on the current path, 2: done; by position in `entries`.
    let mut state = vec![0u8; entries.len()];
    // One buffer for every walk.
    let mut path: Vec<usize> = Vec::new();
    for start in 0..entries.len() {
        if entries[start].kind != EntryKind::FailureMode || state[start] != 0 {
            continue;
        }
        path.clear();
        let mut current = Some(start);
        while let Some(at) = current {
            match state[at] {
                2 => break,
                1 => {
                    let from = path.iter().position(|p| *p == at).unwrap_or(0);
                    let cycle: Vec<EntryNode<'_>> =
                        path[from..].iter().map(|&p| entries[p].entry).collect();
                    let ids: Vec<&str> = path[from..]
                        .iter()
                        .map(|&p| entries[p].id.text(db).as_str())
                        .collect();
                    out.push(report(db, &cycle, &ids));
                    break;
                }
                _ => {}
            }
            state[at] = 1;
            path.push(at);
            current = entries[at]
                .parent()
                .and_then(|p| by_id.get(&p.target))
                .map(|&p| p as usize)
                .filter(|&p| entries[p].kind == EntryKind::FailureMode);
        }
        for &at in &path {
            state[at] = 2;
        }
    }
    out
}

fn report<'db>(db: &'db dyn Db, cycle: &[EntryNode<'db>], ids: &[&str]) -> Anchored<'db> {
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
    let names: Vec<String> = ids
        .iter()
        .chain(ids.first())
        .map(|id| format!("`{id}`"))
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
