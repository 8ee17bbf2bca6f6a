//! The server's state between messages: the open documents, and for each catalogue an
//! `AnalysisHost` holding every file of the catalogue, open ones with the editor's text and the
//! others as they are on disk.
//!
//! All file IO of the server happens here, on the thread that handles the message, before any
//! snapshot is taken: the database itself never reads a file.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gapmine_ide::{Analysis, AnalysisHost, Change, Diagnostic, MANIFEST};
use tower_lsp_server::ls_types::Uri;

use crate::convert::FileText;
use crate::line_index::PositionEncoding;
use crate::settings::Settings;

/// Makes the host of each catalogue: a plain one, or (in tests) one whose database has an
/// event hook.
pub type HostFactory = Arc<dyn Fn() -> AnalysisHost + Send + Sync>;

/// An open document.
#[derive(Debug)]
pub struct Document {
    pub uri: Uri,
    pub version: i32,
    pub file: FileText,
    /// Where it belongs: its catalogue's root and its path relative to it.
    pub home: Option<(PathBuf, String)>,
}

/// One catalogue: a folder with a `gapmine.kdl`.
#[derive(Debug)]
pub struct Catalogue {
    pub host: AnalysisHost,
    /// Files read from disk that are not UTF-8, by path: the checker sees them empty, and
    /// `gapmine check` reports them as this diagnostic, so the server does too.
    pub not_utf8: HashMap<String, Diagnostic>,
    /// The open documents of the catalogue, by path, with their URIs as the editor spells them.
    pub open: HashMap<String, Uri>,
    /// Bumped by every change, so that diagnostics computed before a change are not published
    /// after it.
    pub generation: u64,
    /// The diagnostics last published, by path (files without any are absent).
    pub published: Arc<HashMap<String, Vec<Diagnostic>>>,
    /// What the rest of the catalogue read of each edited file when its diagnostics were last
    /// computed (`Analysis::cross_file_fingerprint`): an edit that changes it has the other
    /// files checked at once, not after the wait.
    pub fingerprints: HashMap<String, u64>,
    /// The last generation whose other files' diagnostics were computed with the edited
    /// file's: the delayed pass for it has nothing left to do.
    pub rest_done: Option<u64>,
}

/// Everything the server knows.
pub struct State {
    pub encoding: PositionEncoding,
    pub settings: Settings,
    /// Open documents by URI.
    pub documents: HashMap<Uri, Document>,
    /// Loaded catalogues by root.
    pub catalogues: BTreeMap<PathBuf, Catalogue>,
    pub new_host: HostFactory,
    /// Messages for the client's log, gathered while the state is locked and sent after.
    pub log: Vec<String>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("encoding", &self.encoding)
            .field("documents", &self.documents.len())
            .field("catalogues", &self.catalogues.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// What a request works on: a snapshot of the catalogue of the document it is about.
#[derive(Debug)]
pub struct Snapshot {
    pub analysis: Analysis,
    pub encoding: PositionEncoding,
    pub root: PathBuf,
    /// The document's path relative to the root.
    pub path: String,
    pub file: FileText,
    /// The URIs of the catalogue's open documents, by path.
    pub open: HashMap<String, Uri>,
    pub generation: u64,
}

impl Snapshot {
    /// The URI and text of a file of the catalogue, for results that point into it.
    pub fn locate(&self, path: &str) -> Option<(Uri, FileText)> {
        let text = if path == self.path {
            self.file.clone()
        } else {
            FileText::new(self.analysis.file_text(path)?)
        };
        Some((uri_of(&self.root, path, &self.open)?, text))
    }
}

/// The URI of a file of a catalogue: the editor's own for an open document, else its path's.
pub fn uri_of(root: &Path, path: &str, open: &HashMap<String, Uri>) -> Option<Uri> {
    if let Some(uri) = open.get(path) {
        return Some(uri.clone());
    }
    Uri::from_file_path(root.join(path))
}

impl State {
    pub fn new(new_host: HostFactory) -> State {
        State {
            encoding: PositionEncoding::Utf16,
            settings: Settings::default(),
            documents: HashMap::new(),
            catalogues: BTreeMap::new(),
            new_host,
            log: Vec::new(),
        }
    }

    /// The catalogue a file belongs to: the folder of the first `gapmine.kdl` above it, with
    /// the file's path relative to that folder. Loads the catalogue if it is not loaded.
    pub fn home_of(&mut self, path: &Path) -> Option<(PathBuf, String)> {
        let manifest = gapmine_load::manifest_above(path.parent()?)?;
        let root = manifest.parent()?.to_path_buf();
        let relative = gapmine_load::relative_path(&root, path)?;
        if !self.catalogues.contains_key(&root) {
            let catalogue = self.load(&root);
            self.catalogues.insert(root.clone(), catalogue);
            self.load_history(&root);
        }
        Some((root, relative))
    }

    /// Reads a catalogue from disk, with the text of its open documents instead of theirs.
    fn load(&mut self, root: &Path) -> Catalogue {
        let walk = gapmine_load::walk(root);
        for error in &walk.errors {
            self.log.push(format!("{}: {error}", root.display()));
        }
        let mut catalogue = Catalogue {
            host: (self.new_host)(),
            not_utf8: HashMap::new(),
            open: HashMap::new(),
            generation: 0,
            published: Arc::default(),
            fingerprints: HashMap::new(),
            rest_done: None,
        };
        // Files on disk change seldom while the editor types (a checkout, a generator): set
        // durable, so that after a keystroke salsa knows their results still hold without
        // walking each file's queries again. The open documents' texts are set LOW.
        let mut change = Change {
            durable: true,
            ..Change::default()
        };
        let files = std::iter::once((MANIFEST.to_owned(), root.join(MANIFEST))).chain(walk.files);
        for (relative, path) in files {
            let text = self.read(&mut catalogue, &relative, &path);
            change.set.push((relative, text));
        }
        catalogue.host.apply_change(change);
        self.log.push(format!(
            "opened the catalogue {} ({} files)",
            root.display(),
            catalogue
                .host
                .analysis()
                .included_files()
                .map_or(0, |f| f.len())
                + 1
        ));
        catalogue
    }

    /// A file's text from disk (empty, with a diagnostic, when it is not UTF-8; empty, with a
    /// log message, when it cannot be read).
    fn read(&mut self, catalogue: &mut Catalogue, relative: &str, path: &Path) -> String {
        catalogue.not_utf8.remove(relative);
        match gapmine_load::read(path) {
            Ok(contents) => {
                let mut diagnostics = Vec::new();
                let text = contents.into_text(relative, &mut diagnostics);
                if let Some(diagnostic) = diagnostics.pop() {
                    catalogue.not_utf8.insert(relative.to_owned(), diagnostic);
                }
                text
            }
            Err(error) => {
                self.log
                    .push(format!("cannot read {}: {error}", path.display()));
                String::new()
            }
        }
    }

    /// Reads the records history the settings name into a catalogue's host (or clears it).
    /// A line that is not a record is left out and counted in the log, as `gapmine match`
    /// counts rejected lines; a history that cannot be read is logged and left out.
    pub fn load_history(&mut self, root: &Path) {
        let records = self.settings.records.as_ref().and_then(|records| {
            let path = root.join(records);
            let file = match std::fs::File::open(&path) {
                Ok(file) => file,
                Err(error) => {
                    self.log.push(format!(
                        "cannot read the records history {}: {error}; code lenses count no matches",
                        path.display()
                    ));
                    return None;
                }
            };
            let reader = gapmine_records::Reader::new(
                std::io::BufReader::new(file),
                path.display().to_string(),
            );
            let mut records = Vec::new();
            let mut rejected = 0;
            for item in reader {
                match item {
                    Ok(gapmine_records::Item::Record { record, .. }) => records.push(record),
                    Ok(gapmine_records::Item::Rejected { .. }) => rejected += 1,
                    Err(error) => {
                        self.log.push(format!(
                            "cannot read the records history {}: {error}",
                            path.display()
                        ));
                        return None;
                    }
                }
            }
            self.log.push(format!(
                "read {} records from {} ({rejected} lines rejected: `gapmine match` says why)",
                records.len(),
                path.display()
            ));
            Some(records)
        });
        if let Some(catalogue) = self.catalogues.get_mut(root) {
            catalogue.host.set_history(records);
            catalogue.generation += 1;
        }
        self.load_decisions(root);
    }

    /// Reads the pending decisions the settings name into a catalogue's host (or clears them),
    /// for the code actions that write them. A line that is not a decision is logged with its
    /// `FILE:LINE` and why, as `gapmine learn` reports it, and left out; the others are kept.
    pub fn load_decisions(&mut self, root: &Path) {
        let decisions = match &self.settings.decisions {
            None => Vec::new(),
            Some(name) => {
                let path = root.join(name);
                match std::fs::read_to_string(&path) {
                    Ok(text) => {
                        let mut decisions = Vec::new();
                        for (n, line) in text.lines().enumerate() {
                            if line.trim().is_empty() {
                                continue;
                            }
                            match gapmine_ide::learn::parse_decision(line) {
                                Ok(decision) => decisions.push(decision),
                                Err(message) => self.log.push(format!(
                                    "{}:{}: {message}; the line is left out",
                                    path.display(),
                                    n + 1
                                )),
                            }
                        }
                        self.log.push(format!(
                            "read {} decisions from {}",
                            decisions.len(),
                            path.display()
                        ));
                        decisions
                    }
                    Err(error) => {
                        self.log.push(format!(
                            "cannot read the decisions {}: {error}; no decision is offered",
                            path.display()
                        ));
                        Vec::new()
                    }
                }
            }
        };
        if let Some(catalogue) = self.catalogues.get_mut(root) {
            catalogue.host.set_decisions(decisions);
        }
    }

    /// Applies a change to one catalogue and marks its diagnostics stale. Snapshots of it
    /// taken before are cancelled: this waits until their work has stopped.
    pub fn apply(&mut self, root: &Path, change: Change) {
        if let Some(catalogue) = self.catalogues.get_mut(root) {
            catalogue.host.apply_change(change);
            catalogue.generation += 1;
        }
    }

    /// A file on disk was created or changed (`exists`) or deleted. Returns the root of the
    /// catalogue that changed, if one did. An open document keeps the editor's text.
    pub fn disk_changed(&mut self, path: &Path, exists: bool) -> Option<PathBuf> {
        let root = self
            .catalogues
            .keys()
            .filter(|root| path.starts_with(root))
            .max_by_key(|root| root.components().count())?
            .clone();
        // A file below a nested catalogue belongs to that one, loaded or not.
        if gapmine_load::manifest_above(path.parent()?)
            .as_deref()
            .and_then(Path::parent)
            .is_some_and(|nearest| nearest != root && exists)
        {
            return None;
        }
        let relative = gapmine_load::relative_path(&root, path)?;
        let mut catalogue = self.catalogues.remove(&root)?;
        if !catalogue.open.contains_key(&relative) {
            let mut change = if exists && path.is_file() {
                let text = self.read(&mut catalogue, &relative, path);
                Change::set(relative, text)
            } else {
                catalogue.not_utf8.remove(&relative);
                if relative == MANIFEST {
                    Change::set(relative, String::new())
                } else {
                    Change {
                        removed: vec![relative],
                        ..Change::default()
                    }
                }
            };
            // A file on disk, as when the catalogue was loaded.
            change.durable = true;
            catalogue.host.apply_change(change);
            catalogue.generation += 1;
        }
        self.catalogues.insert(root.clone(), catalogue);
        Some(root)
    }

    /// The snapshot a request about `uri` works on; `None` for a document that belongs to no
    /// catalogue.
    pub fn snapshot(&mut self, uri: &Uri) -> Option<Snapshot> {
        let (root, path, file) = match self.documents.get(uri) {
            Some(document) => {
                let (root, path) = document.home.clone()?;
                (root, path, Some(document.file.clone()))
            }
            None => {
                let path = uri.to_file_path()?.into_owned();
                let (root, relative) = self.home_of(&path)?;
                (root, relative, None)
            }
        };
        self.snapshot_at(root, path, file)
    }

    /// A snapshot of every loaded catalogue, each about its manifest.
    pub fn snapshots(&self) -> Vec<Snapshot> {
        self.catalogues
            .keys()
            .filter_map(|root| self.snapshot_at(root.clone(), MANIFEST.to_owned(), None))
            .collect()
    }

    fn snapshot_at(&self, root: PathBuf, path: String, file: Option<FileText>) -> Option<Snapshot> {
        let catalogue = self.catalogues.get(&root)?;
        let analysis = catalogue.host.analysis();
        let file = match file {
            Some(file) => file,
            None => FileText::new(analysis.file_text(&path)?),
        };
        Some(Snapshot {
            analysis,
            encoding: self.encoding,
            root,
            path,
            file,
            open: catalogue.open.clone(),
            generation: catalogue.generation,
        })
    }

    /// Whether a snapshot's catalogue has changed since it was taken.
    pub fn is_stale(&self, root: &Path, generation: u64) -> bool {
        self.catalogues
            .get(root)
            .is_none_or(|c| c.generation != generation)
    }
}
