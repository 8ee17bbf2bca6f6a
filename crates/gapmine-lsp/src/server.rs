//! The `LanguageServer` implementation: each handler converts the protocol's terms, calls
//! `gapmine-ide` on a snapshot, and converts the answer back.
//!
//! Concurrency follows rust-analyzer. One `State` (behind a mutex held only between awaits)
//! owns every catalogue's `AnalysisHost`. A notification that changes a text applies the change
//! at once, before its first await, so changes apply in the order they were sent; applying it
//! cancels every snapshot taken before, and waits until their work has stopped. A request takes
//! a snapshot under the lock and does its work on the blocking pool, so no request ever holds
//! up an edit; a request whose snapshot an edit cancelled, or whose catalogue changed while it
//! worked, answers `ContentModified`. Diagnostics are computed the same way after every change,
//! the edited file's first, and published, in order, by one task, for every file whose
//! diagnostics changed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use gapmine_ide::{Analysis, Cancellable, Change, Diagnostic, MANIFEST};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{self as lsp, Uri};
use tower_lsp_server::{Client, LanguageServer};

use crate::convert::{FileText, to_proto};
use crate::handlers;
use crate::line_index::PositionEncoding;
use crate::settings::Settings;
use crate::workspace::{Document, HostFactory, Snapshot, State, uri_of};

/// The gapmine language server.
pub struct Server {
    client: Client,
    state: Arc<Mutex<State>>,
    publish: mpsc::UnboundedSender<lsp::PublishDiagnosticsParams>,
    published: Mutex<Option<mpsc::UnboundedReceiver<lsp::PublishDiagnosticsParams>>>,
    /// Whether the client watches files for us when asked to.
    watch_files: Mutex<bool>,
    /// The workspace folders the client opened, whose catalogues are loaded once initialized.
    folders: Mutex<Vec<PathBuf>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").finish_non_exhaustive()
    }
}

impl Server {
    /// A server whose catalogues' hosts `new_host` makes.
    pub fn new(client: Client, new_host: HostFactory) -> Server {
        let (publish, published) = mpsc::unbounded_channel();
        Server {
            client,
            state: Arc::new(Mutex::new(State::new(new_host))),
            publish,
            published: Mutex::new(Some(published)),
            watch_files: Mutex::new(false),
            folders: Mutex::new(Vec::new()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Sends what was logged while the state was locked to the client's log.
    async fn flush_log(&self) {
        let messages = std::mem::take(&mut self.state().log);
        for message in messages {
            self.client
                .log_message(lsp::MessageType::INFO, message)
                .await;
        }
    }

    /// Runs `f` on a snapshot of the catalogue of `uri` on the blocking pool. A document in no
    /// catalogue gets `default`.
    async fn on_snapshot<T: Send + 'static>(
        &self,
        uri: &Uri,
        default: T,
        f: impl FnOnce(&Snapshot) -> Cancellable<T> + Send + 'static,
    ) -> Result<T> {
        let Some(snapshot) = self.state().snapshot(uri) else {
            self.flush_log().await;
            return Ok(default);
        };
        let root = snapshot.root.clone();
        let generation = snapshot.generation;
        // The snapshot goes to the blocking pool before anything awaits: an edit waits for
        // every snapshot to be dropped, so one parked in a task that this thread would have to
        // poll would wait for ever.
        let work = tokio::task::spawn_blocking(move || {
            let result = f(&snapshot);
            drop(snapshot);
            result
        });
        self.flush_log().await;
        let outcome = work.await;
        match outcome {
            Ok(Ok(_)) if self.state().is_stale(&root, generation) => Err(content_modified()),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_cancelled)) => Err(content_modified()),
            Err(join) => Err(internal_error(join)),
        }
    }

    /// Computes the diagnostics of the catalogue at `root` on a snapshot and publishes those of
    /// every file whose diagnostics changed. After an edit (`first`, the file just edited), the
    /// edited file's come first, alone, then the other open documents': so that they are not
    /// held up by the other 500 files. Where the edit changed what other files read of the
    /// edited one (its ids, references or signals: `Analysis::cross_file_fingerprint`), as a
    /// rename does, the other files' follow at once, in the same job; otherwise they can only
    /// have labels that moved, and follow [`REST_DELAY`] later, if no other change came
    /// meanwhile, so that a burst of typing (and the requests that come with it) does not share
    /// the machine with checking the whole catalogue after each keystroke.
    /// Without `first`, every file's are computed at once. A batch is published as soon as it
    /// is computed; once another change has come, nothing more is (the later change's
    /// diagnostics will be).
    fn schedule_diagnostics(&self, state: &mut State, root: &Path, first: Option<&str>) {
        let Some(first) = first else {
            start_diagnostics(&self.state, &self.publish, state, root, None, Part::All);
            return;
        };
        start_diagnostics(
            &self.state,
            &self.publish,
            state,
            root,
            Some(first),
            Part::Edited,
        );
        let Some(generation) = state.catalogues.get(root).map(|c| c.generation) else {
            return;
        };
        let shared = self.state.clone();
        let publish = self.publish.clone();
        let root = root.to_path_buf();
        // On the blocking pool: the wait holds no snapshot, so it never holds up an edit.
        tokio::task::spawn_blocking(move || {
            std::thread::sleep(REST_DELAY);
            let mut state = lock(&shared);
            let unchanged = state
                .catalogues
                .get(&root)
                .is_some_and(|c| c.generation == generation && c.rest_done != Some(generation));
            if unchanged {
                start_diagnostics(&shared, &publish, &mut state, &root, None, Part::Rest);
            }
        });
    }

    /// Publishes the syntax errors of a document that belongs to no catalogue (as `gapmine
    /// fmt` would report them).
    fn publish_standalone(&self, document: &Document, encoding: PositionEncoding) {
        let parse = gapmine_syntax::parse(&document.file.text);
        let diagnostics = parse
            .errors()
            .iter()
            .map(|error| {
                let diagnostic = Diagnostic {
                    code: gapmine_ide::Code::SyntaxError,
                    severity: gapmine_ide::Code::SyntaxError.severity(),
                    file: String::new(),
                    range: error.range,
                    message: error.message.clone(),
                    labels: Vec::new(),
                    help: error.help.clone(),
                };
                to_proto::diagnostic(&document.file, &diagnostic, encoding, &mut |_| None)
            })
            .collect();
        let _ = self.publish.send(lsp::PublishDiagnosticsParams {
            uri: document.uri.clone(),
            diagnostics,
            version: Some(document.version),
        });
    }

    fn clear_diagnostics(&self, uri: Uri) {
        let _ = self.publish.send(lsp::PublishDiagnosticsParams {
            uri,
            diagnostics: Vec::new(),
            version: None,
        });
    }

    /// Sets an open document's text in its catalogue (or publishes its syntax errors when it
    /// has none) and schedules the diagnostics.
    fn document_changed(&self, state: &mut State, uri: &Uri) {
        let Some(document) = state.documents.get(uri) else {
            return;
        };
        match document.home.clone() {
            Some((root, path)) => {
                let text = document.file.text.to_string();
                state.apply(&root, Change::set(path.clone(), text));
                self.schedule_diagnostics(state, &root, Some(&path));
            }
            None => self.publish_standalone(document, state.encoding),
        }
    }

    /// Loads the catalogues of the workspace folders, and reads the records history.
    fn load_folders(&self, state: &mut State) {
        let folders = lock(&self.folders).clone();
        for folder in folders {
            let manifest = folder.join(MANIFEST);
            if let Some((root, _)) = state.home_of(&manifest) {
                self.schedule_diagnostics(state, &root, None);
            }
        }
    }

    /// Re-homes every open document after a manifest appeared or went: a document belongs
    /// to the catalogue of the nearest manifest above it. Catalogues whose manifest is gone
    /// are closed and their diagnostics cleared.
    fn rehome(&self, state: &mut State) {
        let gone: Vec<PathBuf> = state
            .catalogues
            .keys()
            .filter(|root| !root.join(MANIFEST).is_file())
            .cloned()
            .collect();
        for root in gone {
            if let Some(catalogue) = state.catalogues.remove(&root) {
                for path in catalogue.published.keys() {
                    if let Some(uri) = uri_of(&root, path, &catalogue.open) {
                        self.clear_diagnostics(uri);
                    }
                }
                state
                    .log
                    .push(format!("closed the catalogue {}", root.display()));
            }
        }
        let uris: Vec<Uri> = state.documents.keys().cloned().collect();
        for uri in uris {
            let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
                continue;
            };
            let home = state.home_of(&path);
            let Some(document) = state.documents.get_mut(&uri) else {
                continue;
            };
            if document.home == home {
                continue;
            }
            if let Some((old_root, old_path)) = document.home.take()
                && let Some(catalogue) = state.catalogues.get_mut(&old_root)
            {
                catalogue.open.remove(&old_path);
            }
            document.home = home.clone();
            match home {
                Some((root, path)) => {
                    if let Some(catalogue) = state.catalogues.get_mut(&root) {
                        catalogue.open.insert(path, uri.clone());
                    }
                    self.document_changed(state, &uri);
                }
                None => {
                    if let Some(document) = state.documents.get(&uri) {
                        self.publish_standalone(document, state.encoding);
                    }
                }
            }
        }
    }
}

/// How long after an edit the files other than the open ones have their diagnostics computed,
/// if no other change came meanwhile.
const REST_DELAY: std::time::Duration = std::time::Duration::from_millis(50);

/// Which files a diagnostics job computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The file just edited, then the other open documents.
    Edited,
    /// Every file but the open documents (and the files no longer included, to clear them).
    Rest,
    /// Every file.
    All,
}

/// Starts a diagnostics job on a snapshot of the catalogue at `root`, and the task that
/// publishes what it computes (see [`Server::schedule_diagnostics`]).
fn start_diagnostics(
    shared: &Arc<Mutex<State>>,
    publish: &mpsc::UnboundedSender<lsp::PublishDiagnosticsParams>,
    state: &mut State,
    root: &Path,
    first: Option<&str>,
    part: Part,
) {
    let Some(catalogue) = state.catalogues.get(root) else {
        return;
    };
    let job = DiagnosticsJob {
        fingerprint: first.and_then(|path| catalogue.fingerprints.get(path).copied()),
        analysis: catalogue.host.analysis(),
        root: root.to_path_buf(),
        open: catalogue.open.clone(),
        not_utf8: catalogue.not_utf8.clone(),
        previous: catalogue.published.clone(),
        encoding: state.encoding,
        first: first.map(str::to_owned),
        part,
    };
    let generation = catalogue.generation;
    let shared = shared.clone();
    let publish = publish.clone();
    let root = job.root.clone();
    let (batches, mut computed) = mpsc::unbounded_channel::<Batch>();
    // Started now, not in the task below: see `on_snapshot`. It ends early, cancelled, when a
    // change comes; a batch it had sent by then is still published.
    tokio::task::spawn_blocking(move || job.run(&mut |batch| batches.send(batch).is_ok()));
    tokio::spawn(async move {
        while let Some(batch) = computed.recv().await {
            let mut state = lock(&shared);
            let state = &mut *state;
            let Some(catalogue) = state.catalogues.get_mut(&root) else {
                return;
            };
            // Another change came: its own diagnostics will be published.
            if catalogue.generation != generation {
                return;
            }
            if let Some((path, fingerprint)) = batch.fingerprint {
                catalogue.fingerprints.insert(path, fingerprint);
            }
            if batch.rest {
                catalogue.rest_done = Some(generation);
            }
            if batch.changed.is_empty() {
                continue;
            }
            let mut published = (*catalogue.published).clone();
            for changed in batch.changed {
                // Another job on the same state may have published these already.
                let now = published.get(&changed.path).map_or(&[][..], Vec::as_slice);
                if now == changed.diagnostics.as_slice() {
                    continue;
                }
                let version = state.documents.get(&changed.uri).map(|d| d.version);
                if changed.diagnostics.is_empty() {
                    published.remove(&changed.path);
                } else {
                    published.insert(changed.path, changed.diagnostics);
                }
                let _ = publish.send(lsp::PublishDiagnosticsParams {
                    uri: changed.uri,
                    diagnostics: changed.converted,
                    version,
                });
            }
            catalogue.published = Arc::new(published);
        }
    });
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while the state was locked left it as the last complete step left it: every
    // step keeps it consistent before it can panic, so the server goes on.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn content_modified() -> Error {
    Error {
        code: ErrorCode::ContentModified,
        message: "the catalogue changed while this request was answered".into(),
        data: None,
    }
}

/// A request that cannot be done as asked (a rename to a taken id), with the reason.
fn request_failed(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}

fn internal_error(error: tokio::task::JoinError) -> Error {
    let message = match error.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic".to_owned()),
        Err(error) => error.to_string(),
    };
    Error {
        code: ErrorCode::InternalError,
        message: format!("internal error (a bug in gapmine, please report it): {message}").into(),
        data: None,
    }
}

/// The diagnostics of one catalogue, computed on a snapshot.
struct DiagnosticsJob {
    analysis: Analysis,
    root: PathBuf,
    open: HashMap<String, Uri>,
    not_utf8: HashMap<String, Diagnostic>,
    previous: Arc<HashMap<String, Vec<Diagnostic>>>,
    encoding: PositionEncoding,
    /// The file just edited, computed and published before the others.
    first: Option<String>,
    /// Its cross-file fingerprint when its diagnostics were last computed.
    fingerprint: Option<u64>,
    /// Which files.
    part: Part,
}

/// Some files' diagnostics that changed since they were last published.
struct Batch {
    changed: Vec<Changed>,
    /// The edited file's cross-file fingerprint now, to keep.
    fingerprint: Option<(String, u64)>,
    /// Whether the files other than the open ones were computed (the delayed pass is moot).
    rest: bool,
}

/// One file's new diagnostics.
struct Changed {
    path: String,
    /// Its diagnostics (empty: none any more).
    diagnostics: Vec<Diagnostic>,
    /// Where to publish them.
    uri: Uri,
    /// What to publish.
    converted: Vec<lsp::Diagnostic>,
}

impl DiagnosticsJob {
    /// Every file's diagnostics as `gapmine check` gives them (the manifest's and the included
    /// files'; a file that is not UTF-8 first says so), in batches: the file just edited, the
    /// other open documents, the rest (with the files no longer included, whose diagnostics
    /// are cleared). Each batch holds the files whose diagnostics changed, converted, and goes
    /// to `send` as soon as it is computed; the job stops when `send` says no one listens.
    fn run(self, send: &mut dyn FnMut(Batch) -> bool) -> Cancellable<()> {
        let included = self.analysis.included_files()?;
        let all: Vec<&str> = std::iter::once(MANIFEST)
            .chain(included.iter().map(String::as_str))
            .collect();
        let checked: HashSet<&str> = all.iter().copied().collect();
        let first: Vec<&str> = self
            .first
            .as_deref()
            .filter(|path| checked.contains(path))
            .into_iter()
            .collect();
        let mut open: Vec<&str> = all
            .iter()
            .copied()
            .filter(|path| self.open.contains_key(*path) && !first.contains(path))
            .collect();
        open.sort_unstable();
        let mut rest: Vec<&str> = all
            .iter()
            .copied()
            .filter(|path| !first.contains(path) && !open.contains(path))
            .collect();
        // Files published before that the catalogue no longer includes: cleared.
        let mut gone: Vec<&str> = self
            .previous
            .keys()
            .map(String::as_str)
            .filter(|path| !checked.contains(path))
            .collect();
        gone.sort_unstable();
        rest.extend(gone);

        // After an edit, the files but the open ones are checked now only if the edit changed
        // what they read of the edited file; then the fingerprint to keep is the new one.
        let mut fingerprint = None;
        let check_rest = match (self.part, first.first()) {
            (Part::Edited, Some(path)) => {
                let now = self.analysis.cross_file_fingerprint(path)?;
                let changed = now.is_none() || now != self.fingerprint;
                fingerprint = now.filter(|_| changed).map(|now| (path.to_string(), now));
                changed
            }
            (Part::Edited, None) => false,
            (Part::Rest | Part::All, _) => true,
        };
        let rest_done = self.part == Part::Edited && check_rest;
        let rest = if check_rest { rest } else { Vec::new() };
        let batches = match self.part {
            Part::Rest => [Vec::new(), Vec::new(), rest],
            Part::Edited | Part::All => [first, open, rest],
        };
        let mut texts: HashMap<String, Option<FileText>> = HashMap::new();
        // What the publisher keeps for the next edit goes with the last batch, so that it is
        // kept exactly when that batch is published: a client that answers the other files'
        // diagnostics with another edit at once must not find the fingerprint of two edits ago
        // kept (a rename undone would then look like no change to the other files).
        let mut keep = (fingerprint, rest_done);
        let last = batches.iter().rposition(|b| !b.is_empty());
        for (i, batch) in batches.into_iter().enumerate() {
            if batch.is_empty() {
                continue;
            }
            let mut changed = Vec::new();
            for path in batch {
                let mut diagnostics: Vec<Diagnostic> = Vec::new();
                if checked.contains(path) {
                    diagnostics.extend(self.not_utf8.get(path).cloned());
                    diagnostics.extend(self.analysis.file_diagnostics(path)?);
                }
                let before = self.previous.get(path).map_or(&[][..], Vec::as_slice);
                if diagnostics == before {
                    continue;
                }
                let Some(uri) = uri_of(&self.root, path, &self.open) else {
                    continue;
                };
                let converted = self.convert(path, &diagnostics, &mut texts);
                changed.push(Changed {
                    path: path.to_owned(),
                    diagnostics,
                    uri,
                    converted,
                });
            }
            if changed.is_empty() {
                continue;
            }
            let (fingerprint, rest) = if Some(i) == last {
                std::mem::take(&mut keep)
            } else {
                (None, false)
            };
            if !send(Batch {
                changed,
                fingerprint,
                rest,
            }) {
                return Ok(());
            }
        }
        // Every batch is out, the last with nothing changed: what to keep goes alone.
        let (fingerprint, rest) = keep;
        if fingerprint.is_some() || rest {
            send(Batch {
                changed: Vec::new(),
                fingerprint,
                rest,
            });
        }
        Ok(())
    }

    /// A file's diagnostics in the protocol's terms; `texts` keeps the texts of the files they
    /// point into.
    fn convert(
        &self,
        path: &str,
        diagnostics: &[Diagnostic],
        texts: &mut HashMap<String, Option<FileText>>,
    ) -> Vec<lsp::Diagnostic> {
        let mut text_of = |path: &str| -> Option<FileText> {
            texts
                .entry(path.to_owned())
                .or_insert_with(|| self.analysis.file_text(path).map(FileText::new))
                .clone()
        };
        let Some(file) = text_of(path) else {
            return Vec::new();
        };
        diagnostics
            .iter()
            .map(|d| {
                to_proto::diagnostic(&file, d, self.encoding, &mut |other| {
                    let uri = uri_of(&self.root, other, &self.open)?;
                    Some((uri, text_of(other)?))
                })
            })
            .collect()
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|encodings| encodings.contains(&lsp::PositionEncodingKind::UTF8));
        let encoding = if utf8 {
            PositionEncoding::Utf8
        } else {
            PositionEncoding::Utf16
        };
        *lock(&self.watch_files) = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        let mut folders: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .collect();
        #[allow(deprecated)]
        if folders.is_empty()
            && let Some(root) = params.root_uri.as_ref().and_then(|u| u.to_file_path())
        {
            folders.push(root.into_owned());
        }
        *lock(&self.folders) = folders;
        {
            let mut state = self.state();
            state.encoding = encoding;
            if let Some(settings) = params
                .initialization_options
                .as_ref()
                .and_then(Settings::from_json)
            {
                state.settings = settings;
            }
        }
        // The publisher: one task sends every diagnostics notification, in order.
        if let Some(mut published) = lock(&self.published).take() {
            let client = self.client.clone();
            tokio::spawn(async move {
                while let Some(params) = published.recv().await {
                    client
                        .publish_diagnostics(params.uri, params.diagnostics, params.version)
                        .await;
                }
            });
        }
        Ok(lsp::InitializeResult {
            capabilities: capabilities(encoding),
            server_info: Some(lsp::ServerInfo {
                name: "gapmine".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        {
            let mut state = self.state();
            self.load_folders(&mut state);
        }
        self.flush_log().await;
        if *lock(&self.watch_files) {
            let options = lsp::DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![lsp::FileSystemWatcher {
                    glob_pattern: lsp::GlobPattern::String("**/*.kdl".to_owned()),
                    kind: None,
                }],
            };
            let registration = lsp::Registration {
                id: "gapmine-watch-kdl".to_owned(),
                method: "workspace/didChangeWatchedFiles".to_owned(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(error) = self.client.register_capability(vec![registration]).await {
                self.client
                    .log_message(
                        lsp::MessageType::WARNING,
                        format!(
                            "could not ask the editor to watch *.kdl files ({error}); \
                             changes made outside the editor are seen when a file is opened"
                        ),
                    )
                    .await;
            }
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        {
            let mut state = self.state();
            let state = &mut *state;
            let uri = params.text_document.uri;
            let home = uri.to_file_path().and_then(|path| state.home_of(&path));
            if let Some((root, path)) = &home
                && let Some(catalogue) = state.catalogues.get_mut(root)
            {
                catalogue.open.insert(path.clone(), uri.clone());
            }
            state.documents.insert(
                uri.clone(),
                Document {
                    uri: uri.clone(),
                    version: params.text_document.version,
                    file: FileText::new(params.text_document.text),
                    home,
                },
            );
            self.document_changed(state, &uri);
        }
        self.flush_log().await;
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let mut state = self.state();
        let state = &mut *state;
        let encoding = state.encoding;
        let uri = params.text_document.uri;
        let Some(document) = state.documents.get_mut(&uri) else {
            return;
        };
        let mut text = document.file.text.to_string();
        let mut file = document.file.clone();
        for change in params.content_changes {
            match change.range {
                Some(range) => {
                    let range = crate::convert::from_proto::range(&file, range, encoding);
                    text.replace_range(range.start as usize..range.end as usize, &change.text);
                }
                None => text = change.text,
            }
            file = FileText::new(text.as_str());
        }
        document.file = file;
        document.version = params.text_document.version;
        self.document_changed(state, &uri);
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        {
            let mut state = self.state();
            let state = &mut *state;
            let uri = params.text_document.uri;
            let Some(document) = state.documents.remove(&uri) else {
                return;
            };
            match document.home {
                Some((root, path)) => {
                    if let Some(catalogue) = state.catalogues.get_mut(&root) {
                        catalogue.open.remove(&path);
                    }
                    // The file on disk is the truth again (or it is gone: never saved).
                    let on_disk = root.join(&path);
                    state.disk_changed(&on_disk, on_disk.is_file());
                    // Its diagnostics now go to its path's URI: if the editor spelled it
                    // otherwise, clear the editor's and publish the path's afresh.
                    if Uri::from_file_path(&on_disk).as_ref() != Some(&uri) {
                        self.clear_diagnostics(uri);
                        if let Some(catalogue) = state.catalogues.get_mut(&root) {
                            let mut published = (*catalogue.published).clone();
                            published.remove(&path);
                            catalogue.published = Arc::new(published);
                        }
                    }
                    self.schedule_diagnostics(state, &root, None);
                }
                None => self.clear_diagnostics(uri),
            }
        }
        self.flush_log().await;
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        {
            let mut state = self.state();
            let state = &mut *state;
            let mut roots = Vec::new();
            let mut manifests = false;
            for event in params.changes {
                let Some(path) = event.uri.to_file_path().map(|p| p.into_owned()) else {
                    continue;
                };
                if !gapmine_load::is_kdl(&path) {
                    continue;
                }
                let exists = event.typ != lsp::FileChangeType::DELETED;
                let is_manifest = path.file_name().is_some_and(|n| n == MANIFEST);
                manifests |= is_manifest && event.typ != lsp::FileChangeType::CHANGED;
                if let Some(root) = state.disk_changed(&path, exists) {
                    roots.push(root);
                }
            }
            if manifests {
                self.rehome(state);
            }
            roots.sort();
            roots.dedup();
            for root in roots {
                self.schedule_diagnostics(state, &root, None);
            }
        }
        self.flush_log().await;
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        if let Some(settings) = Settings::from_json(&params.settings) {
            let mut state = self.state();
            if state.settings != settings {
                state.settings = settings;
                let roots: Vec<PathBuf> = state.catalogues.keys().cloned().collect();
                for root in roots {
                    state.load_history(&root);
                }
            }
        }
        self.flush_log().await;
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let at = params.text_document_position;
        self.on_snapshot(&at.text_document.uri, None, move |s| {
            handlers::completion(s, at.position)
        })
        .await
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let at = params.text_document_position_params;
        self.on_snapshot(&at.text_document.uri, None, move |s| {
            handlers::hover(s, at.position)
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        self.on_snapshot(&at.text_document.uri, None, move |s| {
            handlers::goto_definition(s, at.position)
        })
        .await
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let at = params.text_document_position;
        let include_declaration = params.context.include_declaration;
        self.on_snapshot(&at.text_document.uri, None, move |s| {
            handlers::references(s, at.position, include_declaration)
        })
        .await
    }

    async fn document_highlight(
        &self,
        params: lsp::DocumentHighlightParams,
    ) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        let at = params.text_document_position_params;
        self.on_snapshot(&at.text_document.uri, None, move |s| {
            handlers::document_highlight(s, at.position)
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        self.on_snapshot(&params.text_document.uri, Ok(None), move |s| {
            handlers::prepare_rename(s, params.position)
        })
        .await?
        .map_err(request_failed)
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let at = params.text_document_position;
        let new_name = params.new_name;
        self.on_snapshot(&at.text_document.uri, Ok(None), move |s| {
            handlers::rename(s, at.position, &new_name)
        })
        .await?
        .map_err(request_failed)
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        self.on_snapshot(&params.text_document.uri, None, handlers::document_symbols)
            .await
    }

    async fn symbol(
        &self,
        params: lsp::WorkspaceSymbolParams,
    ) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        let snapshots = self.state().snapshots();
        let stamps: Vec<(PathBuf, u64)> = snapshots
            .iter()
            .map(|s| (s.root.clone(), s.generation))
            .collect();
        let query = params.query;
        let work = tokio::task::spawn_blocking(move || {
            let mut symbols = Vec::new();
            for snapshot in &snapshots {
                symbols.extend(handlers::workspace_symbols(snapshot, &query)?);
            }
            drop(snapshots);
            Ok::<_, gapmine_ide::Cancelled>(symbols)
        });
        let symbols = match work.await {
            Ok(Ok(symbols)) => symbols,
            Ok(Err(_)) => return Err(content_modified()),
            Err(join) => return Err(internal_error(join)),
        };
        let state = self.state();
        if stamps.iter().any(|(root, g)| state.is_stale(root, *g)) {
            return Err(content_modified());
        }
        Ok(Some(lsp::WorkspaceSymbolResponse::Nested(symbols)))
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let range = params.range;
        let context = params.context;
        self.on_snapshot(&params.text_document.uri, None, move |s| {
            handlers::code_actions(s, range, &context)
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        self.on_snapshot(&params.text_document.uri, None, handlers::semantic_tokens)
            .await
    }

    async fn inlay_hint(
        &self,
        params: lsp::InlayHintParams,
    ) -> Result<Option<Vec<lsp::InlayHint>>> {
        let range = params.range;
        self.on_snapshot(&params.text_document.uri, None, move |s| {
            handlers::inlay_hints(s, range)
        })
        .await
    }

    async fn code_lens(&self, params: lsp::CodeLensParams) -> Result<Option<Vec<lsp::CodeLens>>> {
        self.on_snapshot(&params.text_document.uri, None, handlers::code_lenses)
            .await
    }

    async fn formatting(
        &self,
        params: lsp::DocumentFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        let (file, encoding) = {
            let state = self.state();
            let Some(document) = state.documents.get(&params.text_document.uri) else {
                return Ok(None);
            };
            (document.file.clone(), state.encoding)
        };
        let edits = tokio::task::spawn_blocking(move || {
            let parse = gapmine_syntax::parse(&file.text);
            // A file with syntax errors is not formatted, as by `gapmine fmt`: its errors are
            // already shown as diagnostics.
            let formatted = gapmine_syntax::format(&parse)?;
            Some(to_proto::minimal_edit(&file, &formatted, encoding))
        })
        .await
        .map_err(internal_error)?;
        Ok(edits)
    }
}

/// What the server announces: only what works.
pub fn capabilities(encoding: PositionEncoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(match encoding {
            PositionEncoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                ..lsp::TextDocumentSyncOptions::default()
            },
        )),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec!["\"".to_owned(), " ".to_owned()]),
            ..lsp::CompletionOptions::default()
        }),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_highlight_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::REFACTOR,
                ]),
                ..lsp::CodeActionOptions::default()
            },
        )),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp::SemanticTokensOptions {
                    legend: lsp::SemanticTokensLegend {
                        token_types: handlers::TOKEN_TYPES.to_vec(),
                        token_modifiers: handlers::token_modifiers(),
                    },
                    full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
                },
            ),
        ),
        inlay_hint_provider: Some(lsp::OneOf::Left(true)),
        code_lens_provider: Some(lsp::CodeLensOptions {
            resolve_provider: Some(false),
        }),
        ..lsp::ServerCapabilities::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gapmine_ide::AnalysisHost;

    const MODES: &str = "failure-mode \"slow-query\" {\n    title \"Slow query\"\n}\n";
    const FIXES: &str = "intervention \"add-index\" {\n    title \"Add an index\"\n    kind \"code\"\n    resolves \"slow-query\"\n}\n";

    /// Runs the job of an edit to `modes.kdl` and returns its batches as (files, kept
    /// fingerprint).
    fn batches(host: &AnalysisHost, fingerprint: Option<u64>) -> Vec<(Vec<String>, bool)> {
        let job = DiagnosticsJob {
            analysis: host.analysis(),
            root: PathBuf::from("/catalogue"),
            open: HashMap::from([(
                "modes.kdl".to_owned(),
                "file:///catalogue/modes.kdl".parse().unwrap(),
            )]),
            not_utf8: HashMap::new(),
            previous: Arc::default(),
            encoding: PositionEncoding::Utf16,
            first: Some("modes.kdl".to_owned()),
            fingerprint,
            part: Part::Edited,
        };
        let mut out = Vec::new();
        job.run(&mut |batch| {
            let files = batch.changed.iter().map(|c| c.path.clone()).collect();
            out.push((files, batch.fingerprint.is_some()));
            true
        })
        .unwrap();
        out
    }

    /// After a rename, the edited file's new fingerprint is kept with the batch that publishes
    /// the other files' diagnostics, not after it: a client that answers those at once with
    /// another edit must find it kept, or a rename undone would look like no change to them.
    #[test]
    fn the_fingerprint_is_kept_with_the_other_files_diagnostics() {
        let mut host = AnalysisHost::default();
        host.apply_change(Change {
            set: vec![
                (
                    "gapmine.kdl".into(),
                    "catalogue \"c\" version=\"1.0.0\" {\n    include \"*.kdl\"\n}\n".into(),
                ),
                ("modes.kdl".into(), MODES.into()),
                ("fixes.kdl".into(), FIXES.into()),
            ],
            durable: true,
            ..Change::default()
        });
        let before = host.analysis().cross_file_fingerprint("modes.kdl").unwrap();
        host.apply_change(Change::set(
            "modes.kdl",
            MODES.replace("slow-query", "slow-sql"),
        ));
        let batches = batches(&host, before);
        assert_eq!(
            batches,
            [
                (vec!["modes.kdl".to_owned()], false),
                (vec!["fixes.kdl".to_owned()], true),
            ]
        );
    }
}
