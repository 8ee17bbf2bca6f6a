//! Duplicate ids: every entry after the first with the same id, with the first shown.

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{BucketEntries, Db};
use crate::diagnostic::{SyntaxPath, Target};

/// The duplicate ids of one bucket (see [`super::bucket_checks`]): each entry whose id an
/// earlier entry (in catalogue order) already has.
pub(crate) fn check<'db>(
    db: &'db dyn Db,
    entries: &BucketEntries<'db>,
    out: &mut Vec<Anchored<'db>>,
) {
    for (i, later) in entries.definitions.iter().enumerate() {
        let Some(first) = entries.definitions[..i].iter().find(|e| e.id == later.id) else {
            continue;
        };
        let id = later.id.text(db);
        out.push(Anchored {
            code: Code::DuplicateId,
            message: format!("the id `{id}` is already taken"),
            at: (
                Anchor::Entry(later.entry),
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
}
