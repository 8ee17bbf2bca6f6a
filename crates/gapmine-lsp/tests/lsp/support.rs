//! A test client: the server runs in process over an in-memory duplex and the test speaks
//! JSON-RPC to it as an editor would, answering the server's own requests.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gapmine_lsp::HostFactory;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tower_lsp_server::ls_types::Uri;

/// How long a test waits for the server before it fails.
const PATIENCE: Duration = Duration::from_secs(20);

/// A catalogue in a temporary folder.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    /// Writes `files` (path, text) into a new temporary folder.
    pub fn new(files: &[(&str, &str)]) -> Workspace {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let workspace = Workspace { dir };
        for (path, text) in files {
            workspace.write(path, text);
        }
        workspace
    }

    pub fn root(&self) -> PathBuf {
        // The server sees paths as the client gives them: canonical, as editors do.
        self.dir.path().canonicalize().expect("the folder exists")
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.root().join(file)
    }

    pub fn uri(&self, file: &str) -> String {
        uri(&self.path(file))
    }

    pub fn write(&self, file: &str, text: &str) {
        let path = self.dir.path().join(file);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("write");
    }

    pub fn remove(&self, file: &str) {
        std::fs::remove_file(self.dir.path().join(file)).expect("remove");
    }
}

pub fn uri(path: &Path) -> String {
    Uri::from_file_path(path)
        .expect("an absolute path")
        .as_str()
        .to_owned()
}

/// The client's side of a running server.
pub struct Client {
    writer: DuplexStream,
    reader: BufReader<DuplexStream>,
    next_id: i64,
    /// The latest diagnostics published for each URI, with the version they are for.
    pub diagnostics: HashMap<String, (Option<i64>, Vec<Value>)>,
    /// Every notification received, in order (method, params).
    pub notifications: Vec<(String, Value)>,
    /// The server's requests to the client, in order (method, params).
    pub server_requests: Vec<(String, Value)>,
}

/// Starts a server in process on the current runtime.
pub fn start(new_host: Option<HostFactory>) -> Client {
    let (client_out, server_in) = tokio::io::duplex(1 << 20);
    let (server_out, client_in) = tokio::io::duplex(1 << 20);
    let service = match new_host {
        Some(new_host) => gapmine_lsp::service_with(new_host),
        None => gapmine_lsp::service(),
    };
    tokio::spawn(gapmine_lsp::serve(server_in, server_out, service));
    Client {
        writer: client_out,
        reader: BufReader::new(client_in),
        next_id: 0,
        diagnostics: HashMap::new(),
        notifications: Vec::new(),
        server_requests: Vec::new(),
    }
}

/// A runtime like the server's: one thread, and a blocking pool for the snapshots' work.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime")
}

impl Client {
    async fn send(&mut self, message: Value) {
        let body = serde_json::to_string(&message).expect("JSON");
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.writer
            .write_all(frame.as_bytes())
            .await
            .expect("the server reads");
    }

    /// The next message from the server.
    async fn receive(&mut self) -> Value {
        let read = async {
            let mut length = None;
            loop {
                let mut line = String::new();
                let n = self
                    .reader
                    .read_line(&mut line)
                    .await
                    .expect("read a header");
                assert!(n > 0, "the server closed its output");
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(value) = line.strip_prefix("Content-Length: ") {
                    length = Some(value.parse::<usize>().expect("a length"));
                }
            }
            let mut body = vec![0; length.expect("a Content-Length header")];
            self.reader
                .read_exact(&mut body)
                .await
                .expect("read a body");
            serde_json::from_slice(&body).expect("the server sends JSON")
        };
        tokio::time::timeout(PATIENCE, read)
            .await
            .expect("the server answers in time")
    }

    /// Handles a message that is not the response awaited: records a notification, answers a
    /// request of the server's.
    async fn handle(&mut self, message: Value) {
        let Some(method) = message.get("method").and_then(Value::as_str) else {
            return;
        };
        let method = method.to_owned();
        let params = message.get("params").cloned().unwrap_or(Value::Null);
        if let Some(id) = message.get("id") {
            let result = match method.as_str() {
                "workspace/configuration" => json!([null]),
                _ => Value::Null,
            };
            let id = id.clone();
            self.server_requests.push((method, params));
            self.send(json!({"jsonrpc": "2.0", "id": id, "result": result}))
                .await;
            return;
        }
        if method == "textDocument/publishDiagnostics" {
            let uri = params["uri"].as_str().expect("a URI").to_owned();
            let version = params.get("version").and_then(Value::as_i64);
            let diagnostics = params["diagnostics"]
                .as_array()
                .expect("diagnostics")
                .clone();
            self.diagnostics.insert(uri, (version, diagnostics));
        }
        self.notifications.push((method, params));
    }

    /// Sends a request and waits for its response: `Ok(result)` or `Err(error)`.
    pub async fn request_result(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.send_request(method, params).await;
        self.response(id).await
    }

    /// Sends a request without waiting; returns its id.
    pub async fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        id
    }

    /// Waits for the response to request `id`.
    pub async fn response(&mut self, id: i64) -> Result<Value, Value> {
        loop {
            let message = self.receive().await;
            if message.get("method").is_none() && message.get("id") == Some(&json!(id)) {
                return match message.get("error") {
                    Some(error) => Err(error.clone()),
                    None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
                };
            }
            self.handle(message).await;
        }
    }

    /// Sends a request and returns its result; a test fails on an error.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        match self.request_result(method, params).await {
            Ok(result) => result,
            Err(error) => panic!("{method} failed: {error}"),
        }
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// `initialize` then `initialized`, offering UTF-8 positions or not; returns the result.
    pub async fn initialize(&mut self, root: Option<&Path>, utf8: bool, options: Value) -> Value {
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let folders = match root {
            Some(root) => json!([{"uri": uri(root), "name": "catalogue"}]),
            None => Value::Null,
        };
        let result = self
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": null,
                    "workspaceFolders": folders,
                    "initializationOptions": options,
                    "capabilities": {
                        "general": {"positionEncodings": encodings},
                        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
                    },
                }),
            )
            .await;
        self.notify("initialized", json!({})).await;
        result
    }

    pub async fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "kdl", "version": 1, "text": text}}),
        )
        .await;
    }

    /// Replaces a document's whole text.
    pub async fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            }),
        )
        .await;
    }

    /// Waits until `done` holds of the diagnostics published so far; fails after a while,
    /// showing them.
    pub async fn wait_for(&mut self, what: &str, mut done: impl FnMut(&Client) -> bool) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !done(self) {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.receive()).await {
                Ok(message) => self.handle(message).await,
                Err(_) => panic!(
                    "waited in vain for {what}; diagnostics published: {:#?}",
                    self.diagnostics
                ),
            }
        }
    }

    /// Waits until `done` holds of the diagnostics published so far; `false` after `patience`.
    pub async fn wait_until(
        &mut self,
        patience: Duration,
        mut done: impl FnMut(&Client) -> bool,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + patience;
        while !done(self) {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.receive()).await {
                Ok(message) => self.handle(message).await,
                Err(_) => return false,
            }
        }
        true
    }

    /// The codes of the latest diagnostics published for `uri`.
    pub fn codes(&self, uri: &str) -> Vec<String> {
        self.diagnostics
            .get(uri)
            .map(|(_, list)| {
                list.iter()
                    .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `shutdown` then `exit`.
    pub async fn shutdown(mut self) {
        self.request("shutdown", Value::Null).await;
        self.notify("exit", Value::Null).await;
    }
}
