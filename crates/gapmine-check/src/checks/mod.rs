//! The checks across entries, one file each; each returns diagnostics anchored at entries.

pub(crate) mod cycles;
pub(crate) mod duplicates;
pub(crate) mod examples;
pub(crate) mod references;
pub(crate) mod uncovered;

use crate::codes::Code;
use crate::db::EntryNode;
use crate::diagnostic::{LocalDiagnostic, SyntaxPath};

/// Where a diagnostic is: an entry, or a top-level node of the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub enum Anchor<'db> {
    /// Inside an entry.
    Entry(EntryNode<'db>),
    /// Inside the manifest's n-th top-level node (`crate::manifest::NO_NODE`: the file's start).
    Manifest(u32),
}

/// A diagnostic located by anchor and path, before positions are known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Anchored<'db> {
    /// The code.
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// Where.
    pub at: (Anchor<'db>, SyntaxPath),
    /// Secondary places.
    pub labels: Vec<(Anchor<'db>, SyntaxPath, String)>,
    /// What to do.
    pub help: Option<String>,
}

impl<'db> Anchored<'db> {
    /// A local diagnostic anchored at `anchor` (its labels too).
    pub fn from_local(anchor: Anchor<'db>, local: &LocalDiagnostic) -> Anchored<'db> {
        Anchored {
            code: local.code,
            message: local.message.clone(),
            at: (anchor, local.path.clone()),
            labels: local
                .labels
                .iter()
                .map(|(path, message)| (anchor, path.clone(), message.clone()))
                .collect(),
            help: local.help.clone(),
        }
    }
}

/// The checks of one bucket of ids ([`crate::db::buckets`]): duplicate ids, failure modes no
/// intervention resolves, and every reference to an id of the bucket (dangling, to the wrong
/// kind, to a deprecated entry). Per bucket rather than per file: after an edit, proving that
/// nothing changed costs one check per bucket, not one per (file, bucket) pair; after a
/// rename, only the buckets of the old and the new id are checked again.
#[salsa::tracked(returns(ref))]
pub fn bucket_checks<'db>(
    db: &'db dyn crate::db::Db,
    bucket: crate::db::Bucket<'db>,
) -> Vec<Anchored<'db>> {
    let catalogue = crate::db::Catalogue::get(db);
    let entries = crate::db::bucket_entries(db, bucket);
    let mut out = Vec::new();
    duplicates::check(db, &entries, &mut out);
    uncovered::check(db, &entries, &mut out);
    references::check(
        db,
        &entries,
        crate::db::bucket_referrers(db, catalogue, bucket.slot(db) as usize),
        &mut out,
    );
    out
}

/// Every bucket's checks, in bucket order (each file puts its share in position order).
#[salsa::tracked(returns(ref))]
pub fn id_checks(db: &dyn crate::db::Db, catalogue: crate::db::Catalogue) -> Vec<Anchored<'_>> {
    crate::db::buckets(db, catalogue)
        .iter()
        .flat_map(|&bucket| bucket_checks(db, bucket).iter().cloned())
        .collect()
}
