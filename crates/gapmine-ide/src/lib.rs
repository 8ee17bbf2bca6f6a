//! The façade that both the CLI and the language server call.
//!
//! An [`AnalysisHost`] owns the database and takes changes (file texts, in editor terms: paths
//! relative to the catalogue's root); an [`Analysis`] is an immutable snapshot to ask questions
//! of. A snapshot whose answers an edit made stale is cancelled: its methods return
//! `Err(Cancelled)` instead of blocking the edit or answering from stale data.

#![warn(clippy::disallowed_methods)]

pub mod learn;

use std::collections::BTreeMap;

use gapmine_check::{Catalogue, CheckDatabase, Db, SourceFile};
use salsa::{Durability, Setter};

pub use gapmine_check::{Code, Diagnostic, Label, Severity};
pub use salsa::Cancelled;

/// The result of a question to a snapshot that an edit may cancel.
pub type Cancellable<T> = Result<T, Cancelled>;

/// The path of the manifest, relative to the catalogue's root.
pub const MANIFEST: &str = "gapmine.kdl";

/// A batch of changes to the catalogue's files.
#[derive(Debug, Default, Clone)]
pub struct Change {
    /// Files whose text is set (added or changed), by path relative to the root.
    pub set: Vec<(String, String)>,
    /// Files removed.
    pub removed: Vec<String>,
    /// Whether these texts rarely change (a shipped catalogue): salsa then skips re-verifying
    /// what depends only on them.
    pub durable: bool,
}

impl Change {
    /// A change that sets one file.
    pub fn set(path: impl Into<String>, text: impl Into<String>) -> Change {
        Change {
            set: vec![(path.into(), text.into())],
            ..Change::default()
        }
    }
}

/// Owns the database; takes changes.
#[derive(Debug)]
pub struct AnalysisHost {
    db: CheckDatabase,
    catalogue: Catalogue,
    files: BTreeMap<String, SourceFile>,
}

impl Default for AnalysisHost {
    fn default() -> Self {
        AnalysisHost::new(CheckDatabase::default())
    }
}

impl AnalysisHost {
    /// A host over `db` (a test may pass a database with an event hook), with an empty manifest.
    pub fn new(db: CheckDatabase) -> AnalysisHost {
        let manifest = SourceFile::new(&db, MANIFEST.to_string(), String::new());
        let catalogue = Catalogue::new(&db, manifest, Vec::new());
        AnalysisHost {
            db,
            catalogue,
            files: BTreeMap::new(),
        }
    }

    /// Applies a batch of changes. Snapshots taken before are cancelled.
    pub fn apply_change(&mut self, change: Change) {
        let durability = if change.durable {
            Durability::HIGH
        } else {
            Durability::LOW
        };
        let mut list_changed = false;
        for (path, text) in change.set {
            if path == MANIFEST {
                let manifest = self.catalogue.manifest(&self.db);
                if manifest.text(&self.db) != &text {
                    manifest
                        .set_text(&mut self.db)
                        .with_durability(durability)
                        .to(text);
                }
                continue;
            }
            match self.files.get(&path) {
                Some(file) => {
                    if file.text(&self.db) != &text {
                        file.set_text(&mut self.db)
                            .with_durability(durability)
                            .to(text);
                    }
                }
                None => {
                    let file = SourceFile::builder(path.clone(), text)
                        .durability(durability)
                        .new(&self.db);
                    self.files.insert(path, file);
                    list_changed = true;
                }
            }
        }
        for path in change.removed {
            list_changed |= self.files.remove(&path).is_some();
        }
        if list_changed {
            let files: Vec<SourceFile> = self.files.values().copied().collect();
            self.catalogue
                .set_files(&mut self.db)
                .with_durability(durability)
                .to(files);
        }
    }

    /// A snapshot to ask questions of.
    pub fn analysis(&self) -> Analysis {
        Analysis {
            db: self.db.clone(),
            catalogue: self.catalogue,
            files: self.files.clone(),
        }
    }

    /// The database, for tests that inspect it.
    pub fn db(&self) -> &CheckDatabase {
        &self.db
    }
}

/// An immutable snapshot of the catalogue.
#[derive(Debug)]
pub struct Analysis {
    db: CheckDatabase,
    catalogue: Catalogue,
    files: BTreeMap<String, SourceFile>,
}

impl Analysis {
    fn with_db<T>(&self, f: impl FnOnce(&dyn Db) -> T + std::panic::UnwindSafe) -> Cancellable<T> {
        let db = &self.db;
        Cancelled::catch(|| f(db))
    }

    /// Every diagnostic of the catalogue: the manifest's, then each included file's.
    pub fn diagnostics(&self) -> Cancellable<Vec<Diagnostic>> {
        let catalogue = self.catalogue;
        self.with_db(move |db| gapmine_check::catalogue_diagnostics(db, catalogue))
    }

    /// The diagnostics of one file.
    pub fn file_diagnostics(&self, path: &str) -> Cancellable<Vec<Diagnostic>> {
        let Some(file) = self.file(path) else {
            return Ok(Vec::new());
        };
        self.with_db(move |db| gapmine_check::file_diagnostics(db, file).clone())
    }

    /// The paths of the files the manifest includes, in order.
    pub fn included_files(&self) -> Cancellable<Vec<String>> {
        let catalogue = self.catalogue;
        self.with_db(move |db| {
            gapmine_check::db::included_files(db, catalogue)
                .files
                .iter()
                .map(|f| f.path(db).clone())
                .collect()
        })
    }

    /// The text of a file, if the catalogue has it.
    pub fn file_text(&self, path: &str) -> Option<String> {
        self.file(path).map(|f| f.text(&self.db).clone())
    }

    /// The catalogue compiled for matching records, or why it cannot be (a pattern that does
    /// not compile: `diagnostics` reports it too).
    pub fn matcher(&self) -> Cancellable<Result<std::sync::Arc<gapmine_match::Matcher>, String>> {
        let catalogue = self.catalogue;
        self.with_db(move |db| gapmine_check::db::matcher(db, catalogue).clone())
    }

    /// The catalogue compiled for matching with another default threshold; failure modes with
    /// a threshold of their own keep it. Compiled anew on each call.
    pub fn matcher_with_default_threshold(
        &self,
        threshold: f64,
    ) -> Cancellable<Result<std::sync::Arc<gapmine_match::Matcher>, String>> {
        let catalogue = self.catalogue;
        self.with_db(move |db| gapmine_check::db::compile_matcher(db, catalogue, threshold))
    }

    /// The manifest's default threshold (0.5 where the manifest does not say).
    pub fn default_threshold(&self) -> Cancellable<f64> {
        let catalogue = self.catalogue;
        self.with_db(move |db| {
            gapmine_check::db::manifest(db, catalogue)
                .manifest
                .as_ref()
                .map_or(0.5, |m| m.threshold.0)
        })
    }

    /// The manifest as lowered, `None` when it has no `catalogue` node.
    pub fn manifest(&self) -> Cancellable<Option<gapmine_model::Manifest>> {
        let catalogue = self.catalogue;
        self.with_db(move |db| gapmine_check::db::manifest(db, catalogue).manifest.clone())
    }

    /// The lowered model of the whole catalogue.
    pub fn model(&self) -> Cancellable<Vec<gapmine_model::Entry>> {
        let catalogue = self.catalogue;
        self.with_db(move |db| gapmine_check::db::model(db, catalogue).clone())
    }

    /// The edits that write `decisions` into the catalogue as evidence (and examples, when
    /// asked): see [`learn::learn`]. Entries are looked up in the included files.
    pub fn learn(
        &self,
        decisions: &[learn::Decision],
        options: &learn::LearnOptions,
    ) -> Cancellable<Result<learn::Learned, Vec<learn::LearnError>>> {
        let catalogue = self.catalogue;
        let files = self.with_db(move |db| {
            gapmine_check::db::included_files(db, catalogue)
                .files
                .iter()
                .map(|f| (f.path(db).clone(), f.text(db).clone()))
                .collect::<Vec<_>>()
        })?;
        Ok(learn::learn(&files, decisions, options))
    }

    fn file(&self, path: &str) -> Option<SourceFile> {
        if path == MANIFEST {
            Some(self.catalogue.manifest(&self.db))
        } else {
            self.files.get(path).copied()
        }
    }
}
