//! `cargo xtask bench lsp`: `gapmine lsp` driven over stdio as an editor drives it, on the
//! synthetic 10,000-entry, 500-file catalogue.
//!
//! The server is the release `gapmine` binary, started as a process; this benchmark is its
//! client. It opens the middle file (`catalogue-250.kdl`); the other 499 files are read from
//! disk by the server. Then:
//!
//! - **diagnostics after a one-entry edit**: a reference in the open file is broken and
//!   mended in turn (`caught-by "x"` to `"x-typo"` and back), and the clock runs from sending
//!   `didChange` to receiving the `publishDiagnostics` of that version; and the same for a
//!   rename of a failure mode that entries in other files reference, until every file whose
//!   diagnostics change has had them published;
//! - **requests**: completion, hover, definition and references, each sent right after a
//!   keystroke (a different word in one summary of the open file), from sending to receiving
//!   the answer;
//! - **memory**: the server's resident set at the end, and its peak.
//!
//! Figures are the median and the 99th percentile. `--server PATH` benchmarks another build of
//! `gapmine` (an older one, to compare side by side) instead of building this one.
//!
//! Every wait has a deadline: an answer or a publication that does not come within
//! [`PATIENCE`] stops the benchmark with what it was waiting for, never a hang.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::bench_check::{Rename, SummaryEdit, build_cli, write_catalogue};
use crate::{synth, workspace_root};

/// Samples of each kind.
const SAMPLES: usize = 201;

/// How long the benchmark waits for any one answer or publication before it stops and says
/// what it was waiting for.
const PATIENCE: Duration = Duration::from_secs(30);

/// Runs the benchmark on `server` (a `gapmine` binary), or on this workspace's, built first.
pub(crate) fn run(server: Option<PathBuf>) -> anyhow::Result<()> {
    let dir = workspace_root().join("target/bench-data/lsp");
    let files = write_catalogue(&dir)?;
    let dir = dir.canonicalize()?;
    let binary = match server {
        Some(binary) => binary,
        None => build_cli()?,
    };
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();

    let summary = SummaryEdit::find(&files)?;
    let rename = Rename::find(&files)?;
    anyhow::ensure!(summary.path == rename.path, "one middle file");
    let path = summary.path.clone();
    let text = rename.text.clone();
    let uri = file_uri(&dir.join(&path));
    // The files whose diagnostics a rename of the failure mode changes: those that refer to it.
    let quoted = format!("\"{}\"", rename.id);
    let referrers: HashSet<String> = files
        .iter()
        .filter(|(name, t)| t.contains(&quoted) && *name != path)
        .map(|(name, _)| file_uri(&dir.join(name)))
        .collect();

    let mut server = Server::start(&binary, &dir)?;
    let started = Instant::now();
    let (_, initialized) = server.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": file_uri(&dir),
            "workspaceFolders": [{"uri": file_uri(&dir), "name": "synthetic"}],
            "capabilities": {"general": {"positionEncodings": ["utf-16"]}},
        }),
    )?;
    server.notify("initialized", json!({}))?;
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "kdl", "version": 1, "text": text}}),
    )?;
    let id_at = position(
        &text,
        text.find(&quoted).context("the failure mode's id")? + 2,
    );
    let hover = json!({"textDocument": {"uri": uri}, "position": id_at});
    server.request("textDocument/hover", hover.clone())?;
    let ready = started.elapsed();
    let capabilities = initialized["capabilities"]
        .as_object()
        .map(|c| c.keys().cloned().collect::<Vec<_>>().join(", "))
        .unwrap_or_default();

    // A reference to break and mend: the first `caught-by` of the file.
    let caught_by = "caught-by \"";
    let at = text.find(caught_by).context("a caught-by reference")? + caught_by.len();
    let target_end = at + text[at..].find('"').context("a closed string")?;
    let broken_text = format!("{}-typo{}", &text[..target_end], &text[target_end..]);
    let mut version = 1;

    let mut typo = Vec::new();
    for i in 0..SAMPLES {
        version += 1;
        let broken = i % 2 == 0;
        let new = if broken { &broken_text } else { &text };
        let sent = server.change(&uri, version, new)?;
        let published = server.wait_for("the edited file's diagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["version"] == version
        })?;
        typo.push(published.duration_since(sent));
    }
    // Back to the text on disk.
    if SAMPLES % 2 == 1 {
        version += 1;
        server.change(&uri, version, &text)?;
        server.wait_for("the edited file's diagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version
        })?;
    }

    let mut renames = Vec::new();
    for i in 0..SAMPLES {
        version += 1;
        let renamed = i % 2 == 0;
        let sent = server.change(&uri, version, &rename.text(renamed))?;
        let last = server.referrers_published(&referrers, renamed)?;
        renames.push(last.duration_since(sent));
    }
    if SAMPLES % 2 == 1 {
        version += 1;
        server.change(&uri, version, &text)?;
        server.referrers_published(&referrers, false)?;
    }

    // Requests, each right after a keystroke.
    let reference_at = position(&text, at + 1);
    let requests = [
        (
            "completion",
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": position(&text, at)}),
        ),
        ("hover", "textDocument/hover", hover.clone()),
        (
            "definition",
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": reference_at}),
        ),
        (
            "references",
            "textDocument/references",
            json!({"textDocument": {"uri": uri}, "position": id_at, "context": {"includeDeclaration": true}}),
        ),
    ];
    let mut request_rows = Vec::new();
    for (name, method, params) in &requests {
        let mut samples = Vec::new();
        let mut answer = Value::Null;
        for i in 0..SAMPLES {
            version += 1;
            server.change(&uri, version, &summary.edited(i).1)?;
            let (elapsed, result) = server.request(method, params.clone())?;
            samples.push(elapsed);
            answer = result;
        }
        // An array, or a completion list (`{isIncomplete, items}`) when more items match.
        let items = answer
            .as_array()
            .or_else(|| answer["items"].as_array())
            .map_or(1, Vec::len);
        let incomplete = answer["isIncomplete"] == true;
        request_rows.push((*name, samples, items, incomplete));
    }

    let (rss, peak) = server.memory()?;
    server.shutdown()?;

    println!();
    println!(
        "gapmine lsp over stdio on the synthetic catalogue: {} entries in {} files and a manifest, {}, \
         in target/bench-data/lsp/; one file open, the rest read from disk",
        synth::ENTRIES,
        synth::FILES,
        crate::bench::size(bytes)
    );
    println!(
        "release build; {SAMPLES} samples each; load average {}",
        load_average()
    );
    println!();
    println!(
        "initialize, open a file and answer a first hover (the catalogue read and checked): {}",
        ms(ready)
    );
    println!("capabilities announced: {capabilities}");
    println!();
    println!("| what | median | p99 | target (p99) |");
    println!("| --- | --- | --- | --- |");
    row(
        "diagnostics published after breaking or mending a reference in the open file",
        &typo,
        "≤ 20 ms",
    );
    row(
        &format!(
            "diagnostics published in the {} other files after renaming a failure mode they reference",
            referrers.len()
        ),
        &renames,
        "≤ 20 ms",
    );
    for (name, samples, items, incomplete) in &request_rows {
        let target = if *name == "completion" || *name == "hover" {
            "≤ 10 ms"
        } else {
            "—"
        };
        let what = match *name {
            "completion" if *incomplete => {
                format!("completion after a keystroke ({items} items, marked incomplete)")
            }
            "completion" => format!("completion after a keystroke ({items} items)"),
            "references" => format!("references after a keystroke ({items} locations)"),
            other => format!("{other} after a keystroke"),
        };
        row(&what, samples, target);
    }
    println!();
    println!(
        "server memory: {:.0} MB resident at the end, {:.0} MB at its peak (target ≤ 300 MB)",
        rss as f64 / 1e6,
        peak as f64 / 1e6
    );
    Ok(())
}

fn row(what: &str, samples: &[Duration], target: &str) {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let median = sorted[sorted.len() / 2];
    let p99 = sorted[(sorted.len() * 99).div_ceil(100) - 1];
    println!("| {what} | {} | {} | {target} |", ms(median), ms(p99));
}

fn ms(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

fn file_uri(path: &Path) -> String {
    // The benchmark's paths are ASCII without spaces (the workspace's own folder).
    format!("file://{}", path.display())
}

/// A UTF-16 protocol position of a byte offset.
fn position(text: &str, offset: usize) -> Value {
    let line_start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    json!({
        "line": text[..offset].matches('\n').count(),
        "character": text[line_start..offset].encode_utf16().count(),
    })
}

/// The server process and the messages it sent, each with the time it arrived.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: mpsc::Receiver<(Instant, Value)>,
    next_id: i64,
}

impl Server {
    fn start(binary: &Path, dir: &Path) -> anyhow::Result<Server> {
        let mut child = Command::new(binary)
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {} lsp", binary.display()))?;
        let stdin = child.stdin.take().context("the server's stdin")?;
        let stdout = child.stdout.take().context("the server's stdout")?;
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let Some(length) = length else { return };
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let arrived = Instant::now();
                let Ok(message) = serde_json::from_slice::<Value>(&body) else {
                    return;
                };
                if sender.send((arrived, message)).is_err() {
                    return;
                }
            }
        });
        Ok(Server {
            child,
            stdin,
            messages,
            next_id: 0,
        })
    }

    fn send(&mut self, message: &Value) -> anyhow::Result<Instant> {
        let body = serde_json::to_string(message)?;
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        let sent = Instant::now();
        self.stdin.write_all(frame.as_bytes())?;
        self.stdin.flush()?;
        Ok(sent)
    }

    fn notify(&mut self, method: &str, params: Value) -> anyhow::Result<Instant> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) -> anyhow::Result<Instant> {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        )
    }

    /// The next message, if one comes before `deadline`; a request of the server's is answered
    /// with `null` on the way.
    fn next(&mut self, deadline: Instant) -> anyhow::Result<Option<(Instant, Value)>> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (arrived, message) = match self.messages.recv_timeout(left) {
                Ok(message) => message,
                Err(mpsc::RecvTimeoutError::Timeout) => return Ok(None),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    bail!("the server closed its output (it exited or crashed)")
                }
            };
            if message.get("method").is_some()
                && let Some(id) = message.get("id")
            {
                let id = id.clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}))?;
                continue;
            }
            return Ok(Some((arrived, message)));
        }
    }

    /// Sends a request; returns the time to its answer and its result.
    fn request(&mut self, method: &str, params: Value) -> anyhow::Result<(Duration, Value)> {
        self.next_id += 1;
        let id = self.next_id;
        let sent =
            self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        let deadline = sent + PATIENCE;
        loop {
            let Some((arrived, message)) = self.next(deadline)? else {
                bail!("no answer to `{method}` within {PATIENCE:?}");
            };
            if message.get("method").is_none() && message["id"] == id {
                if let Some(error) = message.get("error") {
                    bail!("{method} failed: {error}");
                }
                return Ok((arrived.duration_since(sent), message["result"].clone()));
            }
        }
    }

    /// Waits for a message `done` accepts (`what`, for the error); returns when it arrived.
    fn wait_for(&mut self, what: &str, done: impl Fn(&Value) -> bool) -> anyhow::Result<Instant> {
        let deadline = Instant::now() + PATIENCE;
        let mut others = 0;
        loop {
            let Some((arrived, message)) = self.next(deadline)? else {
                bail!("no {what} within {PATIENCE:?} ({others} other messages came meanwhile)");
            };
            if done(&message) {
                return Ok(arrived);
            }
            others += 1;
        }
    }

    /// Waits until each of `referrers` (URIs) has had diagnostics published that have a
    /// `dangling-reference` (`dangling`) or none; returns when the last of them arrived.
    fn referrers_published(
        &mut self,
        referrers: &HashSet<String>,
        dangling: bool,
    ) -> anyhow::Result<Instant> {
        let deadline = Instant::now() + PATIENCE;
        let mut waiting = referrers.clone();
        let mut last = Instant::now();
        while !waiting.is_empty() {
            let Some((arrived, message)) = self.next(deadline)? else {
                let mut left: Vec<&String> = waiting.iter().collect();
                left.sort();
                bail!(
                    "{} of the {} files that refer to the renamed failure mode had no diagnostics \
                     published {} a dangling reference within {PATIENCE:?}: {}",
                    left.len(),
                    referrers.len(),
                    if dangling { "with" } else { "without" },
                    left.iter()
                        .take(5)
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            };
            if message["method"] == "textDocument/publishDiagnostics" {
                let params = &message["params"];
                let has = params["diagnostics"]
                    .as_array()
                    .is_some_and(|d| d.iter().any(|d| d["code"] == "dangling-reference"));
                if has == dangling
                    && let Some(uri) = params["uri"].as_str()
                    && waiting.remove(uri)
                {
                    last = arrived;
                }
            }
        }
        Ok(last)
    }

    /// The resident set and its peak, in bytes, from /proc.
    fn memory(&self) -> anyhow::Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .context("the server's /proc status (the benchmark needs Linux)")?;
        let field = |name: &str| -> anyhow::Result<u64> {
            let line = status
                .lines()
                .find(|l| l.starts_with(name))
                .with_context(|| format!("no {name} in /proc status"))?;
            let kb: u64 = line
                .split_whitespace()
                .nth(1)
                .and_then(|n| n.parse().ok())
                .with_context(|| format!("{name} is not a number"))?;
            Ok(kb * 1024)
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }

    fn shutdown(mut self) -> anyhow::Result<()> {
        self.request("shutdown", Value::Null)?;
        self.notify("exit", Value::Null)?;
        drop(self.stdin);
        let status = self.child.wait()?;
        anyhow::ensure!(status.success(), "the server exited with {status}");
        Ok(())
    }
}
