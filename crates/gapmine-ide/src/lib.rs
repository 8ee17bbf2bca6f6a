//! The façade that both the CLI and the language server call.
//!
//! An [`AnalysisHost`] owns the database and takes changes (file texts, in editor terms: paths
//! relative to the catalogue's root); an [`Analysis`] is an immutable snapshot to ask questions
//! of. A snapshot whose answers an edit made stale is cancelled: its methods return
//! `Err(Cancelled)` instead of blocking the edit or answering from stale data.
//!
//! # Positions
//!
//! Every offset and range here is in UTF-8 bytes of the file's text ([`TextRange`]); the
//! language server converts them to and from the editor's positions (UTF-16 by default). A
//! [`FilePosition`] is a path and an offset, a [`FileRange`] a path and a range.
//!
//! # The questions
//!
//! Each works across the catalogue's files where it applies, and on a file with syntax errors
//! as far as the parser recovered (a broken node does not hide the ones after it):
//!
//! | method | answers |
//! | --- | --- |
//! | [`Analysis::file_diagnostics`], [`Analysis::diagnostics`] | what `gapmine check` reports, failing examples included |
//! | [`Analysis::completions`] | ids where a reference is expected (of the kind expected), node and property names, enum values |
//! | [`Analysis::hover`] | an entry's title, kind, summary, referrers and evidence, on its id or on a reference to it; a node's or property's documentation |
//! | [`Analysis::goto_definition`] | the entry an id names (every one, where the id is a duplicate) |
//! | [`Analysis::references`] | every reference to the id, optionally with its definitions |
//! | [`Analysis::highlight_related`] | the id's definitions and references in the same file |
//! | [`Analysis::prepare_rename`], [`Analysis::rename`] | the id's range; the edits that rename it everywhere, refused where the new id is invalid or taken |
//! | [`Analysis::document_symbols`], [`Analysis::workspace_symbols`] | a file's entries and their sections; every entry, fuzzy-matched |
//! | [`Analysis::code_actions`] | quick fixes and refactorings at a range ([`Assist`]) |
//! | [`Analysis::format`] | `gapmine fmt`'s output, as edits |
//! | [`Analysis::semantic_tokens`] | what each significant token is (entry kinds, ids, references, enum values, regexes) |
//! | [`Analysis::inlay_hints`] | the title of the entry after each reference |
//! | [`Analysis::code_lenses`] | each failure mode's examples, and its matches in the records history |
//!
//! The records history that code lenses count is set on the host
//! ([`AnalysisHost::set_history`]); the host does no IO, so the caller reads the records.

#![warn(clippy::disallowed_methods)]

mod assists;
mod code_lens;
mod completion;
mod context;
pub mod db;
mod hover;
mod inlay_hints;
mod learn_assist;
mod navigation;
mod rename;
mod semantic_tokens;
mod symbols;

pub mod learn;

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use gapmine_check::{Catalogue, CheckDatabase, Db, SourceFile};
use salsa::{Durability, Setter};

pub use assists::{Assist, AssistKind};
pub use code_lens::{CodeLens, CodeLensKind};
pub use completion::{CompletionItem, CompletionKind, Completions, ID_COMPLETION_LIMIT};
pub use gapmine_check::{Code, Diagnostic, Label, Severity};
pub use gapmine_model::EntryKind;
pub use gapmine_syntax::TextRange;
pub use gapmine_syntax::edit::TextEdit;
pub use hover::HoverResult;
pub use inlay_hints::{INLAY_HINT_MAX_CHARS, InlayHint, InlayHintKind};
pub use navigation::{HighlightKind, HighlightedRange, NavigationTarget};
pub use rename::RenameError;
pub use salsa::Cancelled;
pub use semantic_tokens::{SemanticModifiers, SemanticToken, SemanticTokenKind};
pub use symbols::{DocumentSymbol, SymbolKind, WORKSPACE_SYMBOL_LIMIT, WorkspaceSymbol};

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
    /// Whether these texts rarely change (a shipped catalogue, the files on disk): salsa then
    /// skips re-verifying what depends only on them. A text set not durable (an editor's
    /// document) is set even where it is unchanged, when it was durable: the results that depend
    /// on it become volatile at that change (when the editor opens the file), not at the first
    /// keystroke, which would otherwise redo every catalogue-wide result once, since salsa never
    /// reuses a result that became less durable.
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

/// A position in a file: a path relative to the catalogue's root and a byte offset.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FilePosition {
    /// The file, relative to the catalogue's root (`gapmine.kdl` for the manifest).
    pub path: String,
    /// The offset, in bytes.
    pub offset: u32,
}

/// A range in a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileRange {
    /// The file, relative to the catalogue's root.
    pub path: String,
    /// The range, in bytes.
    pub range: TextRange,
}

/// Text edits to several files, each file's edits on its current text (non-overlapping, in
/// order of position).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceChange {
    /// The edits, by path.
    pub edits: BTreeMap<String, Vec<TextEdit>>,
}

impl SourceChange {
    /// Adds edits to a file, keeping each file's edits sorted by position.
    pub(crate) fn extend(&mut self, path: &str, edits: impl IntoIterator<Item = TextEdit>) {
        let list = self.edits.entry(path.to_string()).or_default();
        list.extend(edits);
        list.sort_by_key(|e| (e.range.start, e.range.end));
    }
}

/// Owns the database; takes changes.
#[derive(Debug)]
pub struct AnalysisHost {
    db: CheckDatabase,
    catalogue: Catalogue,
    /// Shared with the snapshots (a snapshot per request must not copy 500 paths).
    files: Arc<BTreeMap<String, SourceFile>>,
    /// The files (and the manifest) whose text was last set not durable.
    volatile: rustc_hash::FxHashSet<String>,
    history: db::HistoryInput,
    decisions: Arc<[learn::Decision]>,
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
        // The manifest's handle never changes, and the list of files is set with each change's
        // durability: created durable, so that what reads the handle alone is not re-verified
        // after every keystroke.
        let catalogue = Catalogue::builder(manifest, Vec::new())
            .durability(Durability::HIGH)
            .new(&db);
        let history = db::HistoryInput::new(&db, None);
        AnalysisHost {
            db,
            catalogue,
            files: Arc::new(BTreeMap::new()),
            volatile: rustc_hash::FxHashSet::default(),
            history,
            decisions: Arc::from([]),
        }
    }

    /// Sets the records history that code lenses count matches in (`None`: no history). The
    /// caller reads and parses the records (`gapmine_records::Reader`); the matches are
    /// computed once per history and per change to the catalogue's signals.
    pub fn set_history(&mut self, records: Option<Vec<gapmine_records::EscapeRecord>>) {
        let history = records.map(|r| db::History(Arc::from(r)));
        self.history.set_history(&mut self.db).to(history);
    }

    /// Sets the pending decisions (what `gapmine learn` reads) that code actions offer to write
    /// into the catalogue. The caller reads and parses them (`learn::parse_decision`).
    pub fn set_decisions(&mut self, decisions: Vec<learn::Decision>) {
        self.decisions = Arc::from(decisions);
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
            // Set where the text changed, or where it becomes volatile.
            let becomes_volatile = !change.durable && !self.volatile.contains(&path);
            if change.durable {
                self.volatile.remove(&path);
            } else {
                self.volatile.insert(path.clone());
            }
            if path == MANIFEST {
                let manifest = self.catalogue.manifest(&self.db);
                if becomes_volatile || manifest.text(&self.db) != &text {
                    manifest
                        .set_text(&mut self.db)
                        .with_durability(durability)
                        .to(text);
                }
                continue;
            }
            match self.files.get(&path) {
                Some(file) => {
                    if becomes_volatile || file.text(&self.db) != &text {
                        file.set_text(&mut self.db)
                            .with_durability(durability)
                            .to(text);
                    }
                }
                None => {
                    let file = SourceFile::builder(path.clone(), text)
                        .durability(durability)
                        .new(&self.db);
                    Arc::make_mut(&mut self.files).insert(path, file);
                    list_changed = true;
                }
            }
        }
        for path in change.removed {
            self.volatile.remove(&path);
            list_changed |= Arc::make_mut(&mut self.files).remove(&path).is_some();
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
            files: Arc::clone(&self.files),
            history: self.history,
            decisions: self.decisions.clone(),
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
    files: Arc<BTreeMap<String, SourceFile>>,
    history: db::HistoryInput,
    decisions: Arc<[learn::Decision]>,
}

/// What the features read: the database, the catalogue and the files by path.
#[derive(Clone, Copy)]
pub(crate) struct Snap<'a> {
    pub(crate) db: &'a dyn Db,
    pub(crate) catalogue: Catalogue,
    pub(crate) files: &'a BTreeMap<String, SourceFile>,
    pub(crate) history: db::HistoryInput,
    pub(crate) decisions: &'a [learn::Decision],
}

impl<'a> Snap<'a> {
    /// The file at `path`, if the catalogue has it.
    pub(crate) fn file(self, path: &str) -> Option<SourceFile> {
        if path == MANIFEST {
            Some(self.catalogue.manifest(self.db))
        } else {
            self.files.get(path).copied()
        }
    }

    /// Whether `file` is the manifest.
    pub(crate) fn is_manifest(self, file: SourceFile) -> bool {
        file == self.catalogue.manifest(self.db)
    }

    /// The file's parse.
    pub(crate) fn parse(self, file: SourceFile) -> &'a gapmine_syntax::Parse {
        gapmine_check::db::parse(self.db, file)
    }

    /// The file's path.
    pub(crate) fn path(self, file: SourceFile) -> String {
        file.path(self.db).clone()
    }
}

impl Analysis {
    fn with_db<T>(&self, f: impl FnOnce(&dyn Db) -> T + std::panic::UnwindSafe) -> Cancellable<T> {
        let db = &self.db;
        Cancelled::catch(|| f(db))
    }

    /// Runs a feature on a snapshot, catching cancellation.
    fn with_snap<T>(&self, f: impl FnOnce(Snap<'_>) -> T) -> Cancellable<T> {
        let snap = Snap {
            db: &self.db,
            catalogue: self.catalogue,
            files: &self.files,
            history: self.history,
            decisions: &self.decisions,
        };
        Cancelled::catch(AssertUnwindSafe(|| f(snap)))
    }

    /// The entries an id at `position` names: its definitions (several where it is a
    /// duplicate), from a reference or from the id itself.
    pub fn goto_definition(&self, position: &FilePosition) -> Cancellable<Vec<NavigationTarget>> {
        self.with_snap(|snap| navigation::goto_definition(snap, position))
    }

    /// Every reference to the id at `position`, across the catalogue, in catalogue order; with
    /// `include_declaration`, its definitions first.
    pub fn references(
        &self,
        position: &FilePosition,
        include_declaration: bool,
    ) -> Cancellable<Vec<FileRange>> {
        self.with_snap(|snap| navigation::references(snap, position, include_declaration))
    }

    /// The completions at `position`: ids where a reference is expected (of the expected
    /// kind; the best [`ID_COMPLETION_LIMIT`], the list marked incomplete when there are more),
    /// node names valid in the block, property names valid on the node, enum values.
    pub fn completions(&self, position: &FilePosition) -> Cancellable<Completions> {
        self.with_snap(|snap| completion::completions(snap, position))
    }

    /// What to show on hover at `position`: an entry's title, kind, summary, referrers and
    /// evidence on its id or a reference to it; the schema's documentation on a node name or a
    /// property key.
    pub fn hover(&self, position: &FilePosition) -> Cancellable<Option<HoverResult>> {
        self.with_snap(|snap| hover::hover(snap, position))
    }

    /// The range of the id at `position`, without quotes: what a rename replaces.
    pub fn prepare_rename(
        &self,
        position: &FilePosition,
    ) -> Cancellable<Result<FileRange, RenameError>> {
        self.with_snap(|snap| rename::prepare_rename(snap, position))
    }

    /// Renames the id at `position` to `new_name` in its definitions and every reference, in
    /// every file of the catalogue. Refused where `new_name` is not a valid id or another
    /// entry has it.
    pub fn rename(
        &self,
        position: &FilePosition,
        new_name: &str,
    ) -> Cancellable<Result<SourceChange, RenameError>> {
        self.with_snap(|snap| rename::rename(snap, position, new_name))
    }

    /// A file's entries (id, title, kind) with their sections (nodes with a block, such as
    /// `signals`, and their nodes), in order.
    pub fn document_symbols(&self, path: &str) -> Cancellable<Vec<DocumentSymbol>> {
        self.with_snap(|snap| symbols::document_symbols(snap, path))
    }

    /// The catalogue's entries whose id (or title) matches `query` fuzzily: its characters in
    /// order, case-insensitively. Substring matches first, ids before titles; at most
    /// [`WORKSPACE_SYMBOL_LIMIT`].
    pub fn workspace_symbols(&self, query: &str) -> Cancellable<Vec<WorkspaceSymbol>> {
        self.with_snap(|snap| symbols::workspace_symbols(snap, query))
    }

    /// The edits that format a file exactly as `gapmine fmt` does: none where it is formatted
    /// already; `None` where it has syntax errors (a broken file is not formatted) or is not
    /// in the catalogue.
    pub fn format(&self, path: &str) -> Cancellable<Option<Vec<TextEdit>>> {
        self.with_snap(|snap| {
            let file = snap.file(path)?;
            let parse = snap.parse(file);
            let formatted = gapmine_syntax::format(parse)?;
            let text = parse.text();
            Some(if formatted == text {
                Vec::new()
            } else {
                vec![TextEdit::replace(
                    TextRange::new(0, text.len() as u32),
                    formatted,
                )]
            })
        })
    }

    /// What each significant token of a file is (entry kinds, schema node names and property
    /// keys, ids, references, enum values, regexes), in text order, without overlaps.
    pub fn semantic_tokens(&self, path: &str) -> Cancellable<Vec<SemanticToken>> {
        self.with_snap(|snap| semantic_tokens::semantic_tokens(snap, path))
    }

    /// The title of the referenced entry after each reference in `range` (the whole file for
    /// `None`).
    pub fn inlay_hints(&self, path: &str, range: Option<TextRange>) -> Cancellable<Vec<InlayHint>> {
        self.with_snap(|snap| inlay_hints::inlay_hints(snap, path, range))
    }

    /// The code actions at a range: quick fixes (a dangling reference to the nearest id, a
    /// deprecated reference to its replacement, the missing entry created in a chosen file, a
    /// missing required child or property added) and refactorings (mark an entry deprecated,
    /// with a replacement).
    pub fn code_actions(&self, range: &FileRange) -> Cancellable<Vec<Assist>> {
        self.with_snap(|snap| assists::code_actions(snap, range))
    }

    /// A lens on each failure mode of a file: its examples (how many, how many fail), and,
    /// where the host has a records history ([`AnalysisHost::set_history`]), how many records
    /// it matches.
    pub fn code_lenses(&self, path: &str) -> Cancellable<Vec<CodeLens>> {
        self.with_snap(|snap| code_lens::code_lenses(snap, path))
    }

    /// The definitions and references of the id at `position` in the same file.
    pub fn highlight_related(&self, position: &FilePosition) -> Cancellable<Vec<HighlightedRange>> {
        self.with_snap(|snap| navigation::highlight_related(snap, position))
    }

    /// Every diagnostic of the catalogue: the manifest's, then each included file's.
    pub fn diagnostics(&self) -> Cancellable<Vec<Diagnostic>> {
        let catalogue = self.catalogue;
        self.with_db(move |db| gapmine_check::catalogue_diagnostics(db, catalogue))
    }

    /// Parses and lowers every file on every core, so that a following
    /// [`Analysis::diagnostics`] (or any feature) finds the entries ready: for a cold start
    /// (`gapmine check`). After a small edit it would only verify again what the next query
    /// verifies anyway, so it is not worth calling then.
    pub fn prime_caches(&self) -> Cancellable<()> {
        let db = &self.db;
        let catalogue = self.catalogue;
        Cancelled::catch(AssertUnwindSafe(|| gapmine_check::prime(db, catalogue)))
    }

    /// The diagnostics of one file.
    pub fn file_diagnostics(&self, path: &str) -> Cancellable<Vec<Diagnostic>> {
        let Some(file) = self.file(path) else {
            return Ok(Vec::new());
        };
        self.with_db(move |db| gapmine_check::file_diagnostics(db, file).clone())
    }

    /// A fingerprint of what the rest of the catalogue reads of a file: its entries' kinds, ids
    /// and references ([`gapmine_check::db::file_facts`]) and its failure modes' signals,
    /// parents and thresholds ([`gapmine_check::db::file_signals`]). Where it is the same
    /// before and after an edit, the edit changed no other file's diagnostics but for where
    /// their labels point in this file; where it differs (a rename, a reference, a signal), it
    /// may have. `None` for the manifest, which every file depends on, and an unknown path.
    pub fn cross_file_fingerprint(&self, path: &str) -> Cancellable<Option<u64>> {
        let Some(file) = self.file(path).filter(|_| path != MANIFEST) else {
            return Ok(None);
        };
        self.with_db(move |db| {
            use std::hash::{Hash, Hasher};
            let mut hasher = rustc_hash::FxHasher::default();
            // Not the entries' salsa ids: an entry renamed and renamed back is a new one.
            for facts in gapmine_check::db::file_facts(db, file) {
                let gapmine_check::db::Facts {
                    entry: _,
                    kind,
                    id,
                    deprecated,
                    replaced_by,
                    resolves,
                    // Among the `references`.
                    parent: _,
                    references,
                } = facts;
                (kind, id, deprecated, replaced_by, resolves, references).hash(&mut hasher);
            }
            gapmine_check::db::file_signals(db, file).hash(&mut hasher);
            Some(hasher.finish())
        })
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
