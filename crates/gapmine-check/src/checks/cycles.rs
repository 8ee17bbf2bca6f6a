//! Cycles in `parent`: failure modes whose parents lead back to themselves.

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{Catalogue, Db, EntryNode, hierarchy};
use crate::diagnostic::{SyntaxPath, Target};

/// Every cycle of `parent` references, reported once at the cycle's first member.
///
/// Walks the [`hierarchy`]: positions, so following parents touches no hash map and no text.
#[salsa::tracked(returns(ref))]
pub fn parent_cycles(db: &dyn Db, catalogue: Catalogue) -> Vec<Anchored<'_>> {
    let h = hierarchy(db, catalogue);
    let mut out = Vec::new();
    // 0: unvisited, 1: on the current path, 2: done; by position.
    let mut state = vec![0u8; h.entries.len()];
    // One buffer for every walk.
    let mut path: Vec<u32> = Vec::new();
    for start in 0..h.entries.len() as u32 {
        if state[start as usize] != 0 {
            continue;
        }
        path.clear();
        let mut current = Some(start);
        while let Some(at) = current {
            match state[at as usize] {
                2 => break,
                1 => {
                    let from = path.iter().position(|p| *p == at).unwrap_or(0);
                    let cycle: Vec<EntryNode<'_>> = path[from..]
                        .iter()
                        .map(|&p| h.entries[p as usize])
                        .collect();
                    let ids: Vec<&str> = path[from..]
                        .iter()
                        .map(|&p| h.ids[p as usize].text(db).as_str())
                        .collect();
                    out.push(report(db, &cycle, &ids));
                    break;
                }
                _ => {}
            }
            state[at as usize] = 1;
            path.push(at);
            current = h.parent_of(at);
        }
        for &at in &path {
            state[at as usize] = 2;
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
