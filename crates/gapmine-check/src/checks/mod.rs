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
