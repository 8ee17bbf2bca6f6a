//! Failure modes that no intervention resolves.

use gapmine_model::EntryKind;

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{BucketEntries, Db};
use crate::diagnostic::{SyntaxPath, Target};

/// A warning for each failure mode of one bucket (see [`super::bucket_checks`]) that no
/// intervention resolves: the first entry of its id (a duplicate is reported as such).
pub(crate) fn check<'db>(
    db: &'db dyn Db,
    entries: &BucketEntries<'db>,
    out: &mut Vec<Anchored<'db>>,
) {
    use salsa::plumbing::AsId;
    for (i, fm) in entries.definitions.iter().enumerate() {
        if fm.kind != EntryKind::FailureMode
            || entries.definitions[..i].iter().any(|e| e.id == fm.id)
            || entries
                .resolved
                .binary_search_by_key(&fm.id.as_id(), |n| n.as_id())
                .is_ok()
        {
            continue;
        }
        let id = fm.id.text(db);
        out.push(Anchored {
            code: Code::UncoveredFailureMode,
            message: format!("no intervention resolves `{id}`"),
            at: (
                Anchor::Entry(fm.entry),
                SyntaxPath::new(&[], Target::Arg(0)),
            ),
            labels: Vec::new(),
            help: Some(format!(
                "add `resolves \"{id}\"` to an intervention that fixes it, or write one: the class is a known gap with no known fix"
            )),
        });
    }
}
