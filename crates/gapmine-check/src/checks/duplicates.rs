//! Duplicate ids: every entry after the first with the same id, with the first shown.

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{Catalogue, Db, SourceFile, definitions, file_facts, included_files};
use crate::diagnostic::{SyntaxPath, Target};

/// The duplicate ids of one file's entries: each entry whose id an earlier entry (in this file
/// or another) already has.
///
/// Reads only the buckets of the file's own ids, so a rename elsewhere checks it again only if
/// the new or old id falls in one of them.
#[salsa::tracked(returns(ref))]
pub fn file_duplicate_ids(db: &dyn Db, file: SourceFile) -> Vec<Anchored<'_>> {
    let catalogue = Catalogue::get(db);
    let mut out = Vec::new();
    for facts in file_facts(db, file) {
        let Some(first) = definitions(db, catalogue, facts.id).next() else {
            continue;
        };
        if first.entry == facts.entry {
            continue;
        }
        let id = facts.id.text(db);
        out.push(Anchored {
            code: Code::DuplicateId,
            message: format!("the id `{id}` is already taken"),
            at: (
                Anchor::Entry(facts.entry),
                SyntaxPath::new(&[], Target::Arg(0)),
            ),
            labels: vec![(
                Anchor::Entry(first.entry),
                SyntaxPath::new(&[], Target::Arg(0)),
                "first defined here".to_string(),
            )],
            help: Some("ids are unique across the catalogue: rename one of them".to_string()),
        });
    }
    out
}

/// Every duplicate id of the catalogue, file by file (the checks read [`file_duplicate_ids`]).
#[salsa::tracked(returns(ref))]
pub fn duplicate_ids(db: &dyn Db, catalogue: Catalogue) -> Vec<Anchored<'_>> {
    included_files(db, catalogue)
        .files
        .iter()
        .flat_map(|&file| file_duplicate_ids(db, file).iter().cloned())
        .collect()
}
