//! Duplicate ids: every entry after the first with the same id, with the first shown.

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{Catalogue, Db, index};
use crate::diagnostic::{SyntaxPath, Target};

/// Every duplicate id of the catalogue.
#[salsa::tracked(returns(ref))]
pub fn duplicate_ids(db: &dyn Db, catalogue: Catalogue) -> Vec<Anchored<'_>> {
    let mut out = Vec::new();
    let index = index(db, catalogue);
    let mut ids: Vec<(&str, &Vec<u32>)> = index
        .by_id
        .iter()
        .filter(|(_, positions)| positions.len() > 1)
        .map(|(id, positions)| (id.text(db).as_str(), positions))
        .collect();
    ids.sort();
    for (id, positions) in ids {
        let first = index.entries[positions[0] as usize].entry;
        for &position in &positions[1..] {
            let duplicate = index.entries[position as usize].entry;
            out.push(Anchored {
                code: Code::DuplicateId,
                message: format!("the id `{id}` is already taken"),
                at: (
                    Anchor::Entry(duplicate),
                    SyntaxPath::new(&[], Target::Arg(0)),
                ),
                labels: vec![(
                    Anchor::Entry(first),
                    SyntaxPath::new(&[], Target::Arg(0)),
                    "first defined here".to_string(),
                )],
                help: Some("ids are unique across the catalogue: rename one of them".to_string()),
            });
        }
    }
    out
}
