//! A catalogue database for the incrementality tests: it sets file texts as the language server
//! does and logs, by name and key, every query salsa executes.

// Each test binary that includes this module uses part of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use gapmine_check::{Catalogue, CheckDatabase, Diagnostic, SourceFile, catalogue_diagnostics};
use salsa::plumbing::AsId;
use salsa::{Database, DatabaseKeyIndex, EventKind, Setter};

/// The path of the manifest.
pub const MANIFEST: &str = "gapmine.kdl";

/// A long-lived database over a catalogue, with a log of the queries it executed.
pub struct Logged {
    db: CheckDatabase,
    executed: Arc<Mutex<Vec<DatabaseKeyIndex>>>,
    catalogue: Catalogue,
    files: BTreeMap<String, SourceFile>,
    log: Vec<String>,
}

impl Logged {
    /// A database over these files; `gapmine.kdl` is the manifest.
    pub fn new(files: &[(&str, &str)]) -> Logged {
        let executed = Arc::new(Mutex::new(Vec::new()));
        let db = CheckDatabase::with_event_hook({
            let executed = Arc::clone(&executed);
            move |event| {
                if let EventKind::WillExecute { database_key } = event.kind {
                    executed.lock().unwrap().push(database_key);
                }
            }
        });
        let manifest = SourceFile::new(&db, MANIFEST.to_string(), String::new());
        let catalogue = Catalogue::new(&db, manifest, Vec::new());
        let mut logged = Logged {
            db,
            executed,
            catalogue,
            files: BTreeMap::new(),
            log: Vec::new(),
        };
        for (path, text) in files {
            logged.set(path, text.to_string());
        }
        logged
    }

    /// The text of a file.
    pub fn text(&self, path: &str) -> &str {
        self.file(path)
            .unwrap_or_else(|| panic!("no file {path}"))
            .text(&self.db)
    }

    /// The paths of the files, manifest first.
    pub fn paths(&self) -> Vec<String> {
        std::iter::once(MANIFEST.to_string())
            .chain(self.files.keys().cloned())
            .collect()
    }

    fn file(&self, path: &str) -> Option<SourceFile> {
        if path == MANIFEST {
            Some(self.catalogue.manifest(&self.db))
        } else {
            self.files.get(path).copied()
        }
    }

    /// Sets a file's text, adding the file if it is new (as `AnalysisHost::apply_change`).
    pub fn set(&mut self, path: &str, text: String) {
        match self.file(path) {
            Some(file) => {
                if file.text(&self.db) != &text {
                    file.set_text(&mut self.db).to(text);
                }
            }
            None => {
                let file = SourceFile::new(&self.db, path.to_string(), text);
                self.files.insert(path.to_string(), file);
                let files: Vec<SourceFile> = self.files.values().copied().collect();
                self.catalogue.set_files(&mut self.db).to(files);
            }
        }
    }

    /// Replaces the one occurrence of `from` in a file by `to`.
    #[track_caller]
    pub fn edit(&mut self, path: &str, from: &str, to: &str) {
        let text = self.text(path);
        assert_eq!(
            text.matches(from).count(),
            1,
            "`{from}` is not in {path} exactly once"
        );
        let text = text.replacen(from, to, 1);
        self.set(path, text);
    }

    /// Every diagnostic of the catalogue; the log holds the queries this check executed.
    pub fn check(&mut self) -> Vec<Diagnostic> {
        let diagnostics = catalogue_diagnostics(&self.db, self.catalogue);
        self.drain_executed();
        diagnostics
    }

    /// Checks, and asserts the diagnostics equal those of a fresh database on the same texts.
    #[track_caller]
    pub fn check_matches_fresh(&mut self) -> Vec<Diagnostic> {
        let incremental = self.check();
        let fresh = self.fresh_check();
        assert_eq!(
            incremental, fresh,
            "the incremental diagnostics differ from a check from scratch"
        );
        incremental
    }

    /// The diagnostics of a new database on the same texts.
    pub fn fresh_check(&self) -> Vec<Diagnostic> {
        let db = CheckDatabase::default();
        let manifest = SourceFile::new(&db, MANIFEST.to_string(), self.text(MANIFEST).to_string());
        let files: Vec<SourceFile> = self
            .files
            .iter()
            .map(|(path, file)| SourceFile::new(&db, path.clone(), file.text(&self.db).clone()))
            .collect();
        let catalogue = Catalogue::new(&db, manifest, files);
        catalogue_diagnostics(&db, catalogue)
    }

    /// The queries the last check executed, as `query(key)`: the key is an entry's id, a file's
    /// path or `catalogue`.
    pub fn take_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }

    fn drain_executed(&mut self) {
        let executed = std::mem::take(&mut *self.executed.lock().unwrap());
        self.log.clear();
        let names = self.names();
        for key in executed {
            let query = self.db.ingredient_debug_name(key.ingredient_index());
            let id = key.key_index();
            let name = names.get(&id).cloned().unwrap_or_else(|| format!("{id:?}"));
            self.log.push(format!("{query}({name})"));
        }
        // Asking for the names above must not have executed anything.
        assert!(self.executed.lock().unwrap().is_empty());
    }

    /// Names for the salsa ids of the catalogue, its files and its entries.
    fn names(&self) -> HashMap<salsa::Id, String> {
        let db = &self.db;
        let mut names = HashMap::new();
        names.insert(self.catalogue.as_id(), "catalogue".to_string());
        for path in self.paths() {
            let file = self.file(&path).unwrap();
            names.insert(file.as_id(), path);
        }
        for group in gapmine_check::db::file_groups(db, self.catalogue) {
            names.insert(group.as_id(), format!("group {}", group.number(db)));
        }
        // Only the included files' entries were asked for, so only theirs are computed.
        for &file in &gapmine_check::db::included_files(db, self.catalogue).files {
            for entry in gapmine_check::db::file_entries(db, file) {
                let name = entry
                    .id(db)
                    .clone()
                    .unwrap_or_else(|| format!("{}?", entry.name(db)));
                names.insert(entry.as_id(), name);
            }
        }
        names
    }
}

/// Asserts that `query` is in the log.
#[track_caller]
pub fn assert_ran(log: &[String], query: &str) {
    assert!(
        log.iter().any(|q| q == query),
        "`{query}` did not run:\n{log:#?}"
    );
}

/// Asserts that `query` is not in the log: its result was reused.
#[track_caller]
pub fn assert_not_ran(log: &[String], query: &str) {
    assert!(
        !log.iter().any(|q| q == query),
        "`{query}` ran again:\n{log:#?}"
    );
}
