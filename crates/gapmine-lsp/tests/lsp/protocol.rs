//! The protocol, as an editor speaks it: initialization and position encodings, documents and
//! the files on disk beside them, diagnostics across files, formatting, cancellation.

use serde_json::{Value, json};

use crate::support::{Client, Workspace, runtime, start};

const MANIFEST: &str = r#"catalogue "demo" version="0.1.0" {
    include "*.kdl"
}
"#;

const MODES: &str = r#"failure-mode "missing-null-check" {
    title "Missing null check"
    caught-by "unit-tests"
    signals {
        phrase "null pointer" weight=0.9
    }
    examples {
        matches "a null pointer in checkout"
    }
}
"#;

const FIXES: &str = r#"intervention "null-safety-lint" {
    title "A lint for null safety"
    kind "control"
    resolves "missing-null-check"
}

control "unit-tests" stage=2 {
    title "Unit tests"
}
"#;

/// A clean three-file catalogue.
fn catalogue() -> Workspace {
    Workspace::new(&[
        ("gapmine.kdl", MANIFEST),
        ("modes.kdl", MODES),
        ("fixes.kdl", FIXES),
    ])
}

/// A server initialized on `workspace`, with `modes.kdl` open and its first diagnostics in.
async fn opened(workspace: &Workspace, utf8: bool) -> (Client, Value) {
    let mut client = start(None);
    let init = client
        .initialize(Some(&workspace.root()), utf8, Value::Null)
        .await;
    let modes = workspace.uri("modes.kdl");
    let text = std::fs::read_to_string(workspace.path("modes.kdl")).unwrap();
    client.open(&modes, &text).await;
    (client, init)
}

#[test]
fn the_server_announces_utf16_unless_the_client_offers_utf8() {
    runtime().block_on(async {
        let workspace = catalogue();
        let (client, init) = opened(&workspace, false).await;
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
        assert_eq!(init["serverInfo"]["name"], "gapmine");
        client.shutdown().await;
        let (client, init) = opened(&workspace, true).await;
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
        client.shutdown().await;
    });
}

/// The column where a dangling reference starts, after an emoji on the same line.
async fn dangling_column(utf8: bool) -> u64 {
    let workspace = catalogue();
    let text = MODES.replace(
        "    caught-by \"unit-tests\"",
        "    summary \"😀\"; caught-by \"unit-testz\"",
    );
    workspace.write("modes.kdl", &text);
    let (mut client, _) = opened(&workspace, utf8).await;
    let modes = workspace.uri("modes.kdl");
    client
        .wait_for("the dangling reference", |c| {
            c.codes(&modes).contains(&"dangling-reference".to_owned())
        })
        .await;
    let diagnostic = client.diagnostics[&modes]
        .1
        .iter()
        .find(|d| d["code"] == "dangling-reference")
        .unwrap()
        .clone();
    assert_eq!(diagnostic["range"]["start"]["line"], 2);
    client.shutdown().await;
    diagnostic["range"]["start"]["character"].as_u64().unwrap()
}

#[test]
fn positions_count_utf16_units_or_bytes_as_negotiated() {
    runtime().block_on(async {
        // `    summary "😀"; caught-by "` is 28 UTF-16 units and 30 bytes long.
        assert_eq!(dangling_column(false).await, 28);
        assert_eq!(dangling_column(true).await, 30);
    });
}

#[test]
fn an_edit_in_one_file_updates_the_diagnostics_of_an_unopened_file_read_from_disk() {
    runtime().block_on(async {
        let workspace = catalogue();
        let (mut client, _) = opened(&workspace, false).await;
        let modes = workspace.uri("modes.kdl");
        let fixes = workspace.uri("fixes.kdl");
        // Renaming the failure mode leaves `resolves` in fixes.kdl, never opened, dangling.
        let renamed = MODES.replace("\"missing-null-check\"", "\"missing-nil-check\"");
        client.change(&modes, 2, &renamed).await;
        client
            .wait_for("fixes.kdl's dangling reference", |c| {
                c.codes(&fixes) == ["dangling-reference"]
            })
            .await;
        let diagnostic = &client.diagnostics[&fixes].1[0];
        assert_eq!(
            diagnostic["range"]["start"],
            json!({"line": 3, "character": 13})
        );
        assert!(
            diagnostic["message"]
                .as_str()
                .unwrap()
                .contains("missing-null-check"),
            "{diagnostic}"
        );
        // And back: the error goes away.
        client.change(&modes, 3, MODES).await;
        client
            .wait_for("fixes.kdl's diagnostics cleared", |c| {
                c.codes(&fixes).is_empty()
            })
            .await;
        client.shutdown().await;
    });
}

#[test]
fn the_edited_file_has_its_diagnostics_published_before_the_other_files() {
    runtime().block_on(async {
        let workspace = catalogue();
        let (mut client, _) = opened(&workspace, false).await;
        let modes = workspace.uri("modes.kdl");
        let fixes = workspace.uri("fixes.kdl");
        let seen = client.notifications.len();
        // One edit that changes both files' diagnostics: the failure mode renamed (fixes.kdl's
        // `resolves` dangles) and its own `caught-by` misspelt.
        let edited = MODES
            .replace("\"missing-null-check\"", "\"missing-nil-check\"")
            .replace("\"unit-tests\"", "\"unit-testz\"");
        client.change(&modes, 2, &edited).await;
        client
            .wait_for("both files' dangling references", |c| {
                c.codes(&fixes) == ["dangling-reference"]
                    && c.codes(&modes).contains(&"dangling-reference".to_owned())
            })
            .await;
        let published: Vec<&str> = client.notifications[seen..]
            .iter()
            .filter(|(method, _)| method == "textDocument/publishDiagnostics")
            .filter_map(|(_, params)| params["uri"].as_str())
            .collect();
        // fixes.kdl sorts first, yet the edited file comes first: it is computed alone.
        assert_eq!(published, [modes.as_str(), fixes.as_str()]);
        client.shutdown().await;
    });
}

#[test]
fn diagnostics_carry_the_version_of_the_open_document_and_a_failing_example_its_span() {
    runtime().block_on(async {
        let workspace = catalogue();
        let (mut client, _) = opened(&workspace, false).await;
        let modes = workspace.uri("modes.kdl");
        let failing = MODES.replace("a null pointer in checkout", "connection refused");
        client.change(&modes, 7, &failing).await;
        client
            .wait_for("the failing example", |c| {
                c.codes(&modes) == ["failing-example"]
            })
            .await;
        let (version, list) = &client.diagnostics[&modes];
        assert_eq!(*version, Some(7));
        // The example's line, `        matches "connection refused"`.
        assert_eq!(list[0]["range"]["start"]["line"], 7);
        assert_eq!(list[0]["source"], "gapmine");
        client.shutdown().await;
    });
}

#[test]
fn formatting_gives_what_gapmine_fmt_writes() {
    runtime().block_on(async {
        let workspace = catalogue();
        let messy = "failure-mode   \"missing-null-check\"{\n  title \"Missing null check\" // why\ncaught-by \"unit-tests\"\n    signals { phrase \"null pointer\" weight=0.9 }\n}\n";
        workspace.write("modes.kdl", messy);
        let (mut client, _) = opened(&workspace, false).await;
        let modes = workspace.uri("modes.kdl");
        let edits = client
            .request(
                "textDocument/formatting",
                json!({"textDocument": {"uri": modes}, "options": {"tabSize": 4, "insertSpaces": true}}),
            )
            .await;
        let formatted = apply_edits(messy, edits.as_array().unwrap());
        let expected = gapmine_syntax::fmt::format_text(messy).unwrap();
        assert_eq!(formatted, expected);
        assert_ne!(formatted, messy);
        // A file with a syntax error is left alone.
        client.change(&modes, 2, "failure-mode \"x\" {\n").await;
        let edits = client
            .request(
                "textDocument/formatting",
                json!({"textDocument": {"uri": modes}, "options": {"tabSize": 4, "insertSpaces": true}}),
            )
            .await;
        assert_eq!(edits, Value::Null);
        client.shutdown().await;
    });
}

/// Applies protocol edits (UTF-16 positions, ASCII text here) to `text`.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| -> usize {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + character
    };
    let mut edits: Vec<&Value> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(offset(&e["range"]["start"])));
    let mut out = text.to_owned();
    for edit in edits {
        let start = offset(&edit["range"]["start"]);
        let end = offset(&edit["range"]["end"]);
        out.replace_range(start..end, edit["newText"].as_str().unwrap());
    }
    out
}

#[test]
fn files_created_changed_and_deleted_on_disk_are_picked_up() {
    runtime().block_on(async {
        let workspace = catalogue();
        let without_control = format!("{}\n", FIXES.split("\ncontrol").next().unwrap());
        workspace.write("fixes.kdl", &without_control);
        let (mut client, _) = opened(&workspace, false).await;
        // The server asked the editor to watch catalogue files.
        let modes = workspace.uri("modes.kdl");
        client
            .wait_for("the missing control", |c| {
                c.codes(&modes) == ["dangling-reference"]
            })
            .await;
        assert!(
            client
                .server_requests
                .iter()
                .any(|(method, params)| method == "client/registerCapability"
                    && params.to_string().contains("**/*.kdl")),
            "{:?}",
            client.server_requests
        );

        let watched =
            |file: &str, typ: u8| json!({"changes": [{"uri": workspace.uri(file), "type": typ}]});
        // Created: the control now exists.
        workspace.write(
            "controls.kdl",
            "control \"unit-tests\" stage=2 {\n    title \"Unit tests\"\n}\n",
        );
        client
            .notify(
                "workspace/didChangeWatchedFiles",
                watched("controls.kdl", 1),
            )
            .await;
        client
            .wait_for("the reference resolved", |c| c.codes(&modes).is_empty())
            .await;
        // Changed: the control is renamed away.
        workspace.write(
            "controls.kdl",
            "control \"integration-tests\" stage=3 {\n    title \"Integration tests\"\n}\n",
        );
        client
            .notify(
                "workspace/didChangeWatchedFiles",
                watched("controls.kdl", 2),
            )
            .await;
        client
            .wait_for("the reference dangling again", |c| {
                c.codes(&modes) == ["dangling-reference"]
            })
            .await;
        // Created back, then deleted.
        workspace.write(
            "controls.kdl",
            "control \"unit-tests\" stage=2 {\n    title \"Unit tests\"\n}\n",
        );
        client
            .notify(
                "workspace/didChangeWatchedFiles",
                watched("controls.kdl", 2),
            )
            .await;
        client
            .wait_for("the reference resolved", |c| c.codes(&modes).is_empty())
            .await;
        workspace.remove("controls.kdl");
        client
            .notify(
                "workspace/didChangeWatchedFiles",
                watched("controls.kdl", 3),
            )
            .await;
        client
            .wait_for("the reference dangling after the delete", |c| {
                c.codes(&modes) == ["dangling-reference"]
            })
            .await;
        client.shutdown().await;
    });
}

#[test]
fn closing_a_document_goes_back_to_the_text_on_disk() {
    runtime().block_on(async {
        let workspace = catalogue();
        let (mut client, _) = opened(&workspace, false).await;
        let modes = workspace.uri("modes.kdl");
        client.change(&modes, 2, "failure-mode \"x\" {\n").await;
        client
            .wait_for("the syntax error", |c| {
                c.codes(&modes).contains(&"syntax-error".to_owned())
            })
            .await;
        client
            .notify(
                "textDocument/didClose",
                json!({"textDocument": {"uri": modes}}),
            )
            .await;
        client
            .wait_for("the disk's clean text", |c| c.codes(&modes).is_empty())
            .await;
        client.shutdown().await;
    });
}

#[test]
fn a_document_outside_any_catalogue_gets_its_syntax_errors() {
    runtime().block_on(async {
        let workspace = Workspace::new(&[("loose.kdl", "node \"unterminated\n")]);
        let mut client = start(None);
        client.initialize(None, false, Value::Null).await;
        let loose = workspace.uri("loose.kdl");
        client.open(&loose, "node \"unterminated\n").await;
        client
            .wait_for("the syntax error", |c| c.codes(&loose) == ["syntax-error"])
            .await;
        client.change(&loose, 2, "node \"terminated\"\n").await;
        client
            .wait_for("no error", |c| {
                c.diagnostics.get(&loose).is_some_and(|(_, d)| d.is_empty())
            })
            .await;
        client.shutdown().await;
    });
}

/// The position of the first `needle` in `text`, ASCII text, at `shift` characters into it.
fn at(text: &str, needle: &str, shift: usize) -> Value {
    let offset = text.find(needle).expect("the needle is in the text") + shift;
    let line = text[..offset].matches('\n').count();
    let column = offset - text[..offset].rfind('\n').map_or(0, |n| n + 1);
    json!({"line": line, "character": column})
}

#[test]
fn every_feature_answers_across_files() {
    runtime().block_on(async {
        let workspace = catalogue();
        let (mut client, init) = opened(&workspace, false).await;
        let capabilities = &init["capabilities"];
        for capability in [
            "completionProvider",
            "hoverProvider",
            "definitionProvider",
            "referencesProvider",
            "documentHighlightProvider",
            "renameProvider",
            "documentSymbolProvider",
            "workspaceSymbolProvider",
            "codeActionProvider",
            "documentFormattingProvider",
            "semanticTokensProvider",
            "inlayHintProvider",
            "codeLensProvider",
        ] {
            assert!(!capabilities[capability].is_null(), "{capability} announced");
        }
        let modes = workspace.uri("modes.kdl");
        let fixes = workspace.uri("fixes.kdl");
        client.open(&fixes, FIXES).await;
        let on_reference = |needle: &str| {
            json!({"textDocument": {"uri": fixes}, "position": at(FIXES, needle, 2)})
        };

        // Go to definition: from fixes.kdl's `resolves` to the entry in modes.kdl.
        let definition = client
            .request("textDocument/definition", on_reference("\"missing-null-check\""))
            .await;
        assert_eq!(definition[0]["uri"], modes.as_str());
        assert_eq!(definition[0]["range"]["start"]["line"], 0);

        // References from the definition, with it.
        let mut params = json!({"textDocument": {"uri": modes}, "position": at(MODES, "missing-null", 1)});
        params["context"] = json!({"includeDeclaration": true});
        let references = client.request("textDocument/references", params).await;
        let uris: Vec<&str> = references
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["uri"].as_str().unwrap())
            .collect();
        assert_eq!(uris, [modes.as_str(), fixes.as_str()]);

        // Hover on the reference: the entry's title.
        let hover = client
            .request("textDocument/hover", on_reference("\"missing-null-check\""))
            .await;
        assert!(
            hover["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("Missing null check"),
            "{hover}"
        );

        // Highlight in the same file.
        let highlights = client
            .request("textDocument/documentHighlight", on_reference("\"unit-tests\""))
            .await;
        assert_eq!(highlights.as_array().unwrap().len(), 1, "{highlights}");

        // Completion inside an empty `caught-by ""` offers the control of fixes.kdl.
        let blank = MODES.replace("caught-by \"unit-tests\"", "caught-by \"\"");
        client.change(&modes, 2, &blank).await;
        let completion = client
            .request(
                "textDocument/completion",
                json!({"textDocument": {"uri": modes}, "position": at(&blank, "caught-by \"", 11)}),
            )
            .await;
        client.change(&modes, 3, MODES).await;
        assert!(
            completion
                .as_array()
                .unwrap()
                .iter()
                .any(|item| item["label"] == "unit-tests"),
            "{completion}"
        );

        // Rename from the reference: both files change.
        let prepared = client
            .request("textDocument/prepareRename", on_reference("\"missing-null-check\""))
            .await;
        assert_eq!(prepared["start"], at(FIXES, "missing-null-check", 0));
        let mut params = on_reference("\"missing-null-check\"");
        params["newName"] = json!("missing-nil-check");
        let edit = client.request("textDocument/rename", params).await;
        let changes = edit["changes"].as_object().unwrap();
        assert!(changes.contains_key(&modes) && changes.contains_key(&fixes), "{edit}");
        // A taken id is refused with the reason.
        let mut params = on_reference("\"missing-null-check\"");
        params["newName"] = json!("unit-tests");
        let refused = client
            .request_result("textDocument/rename", params)
            .await
            .unwrap_err();
        assert!(refused["message"].as_str().unwrap().contains("already taken"), "{refused}");

        // Symbols: the outline, and the catalogue's entries by name.
        let symbols = client
            .request("textDocument/documentSymbol", json!({"textDocument": {"uri": fixes}}))
            .await;
        let names: Vec<&str> = symbols
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["null-safety-lint", "unit-tests"]);
        let found = client.request("workspace/symbol", json!({"query": "nullcheck"})).await;
        assert_eq!(found[0]["name"], "missing-null-check", "{found}");
        assert_eq!(found[0]["location"]["uri"], modes.as_str());

        // Semantic tokens, inlay hints and code lenses on modes.kdl.
        let tokens = client
            .request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": modes}}))
            .await;
        let data = tokens["data"].as_array().unwrap();
        assert!(!data.is_empty() && data.len() % 5 == 0, "{tokens}");
        let hints = client
            .request(
                "textDocument/inlayHint",
                json!({"textDocument": {"uri": fixes}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}}}),
            )
            .await;
        assert!(hints.to_string().contains("Missing null check"), "{hints}");
        let lenses = client
            .request("textDocument/codeLens", json!({"textDocument": {"uri": modes}}))
            .await;
        assert_eq!(lenses[0]["command"]["title"], "1 example passes", "{lenses}");

        // A code action fixes a dangling reference typed in fixes.kdl.
        let typo = FIXES.replace("resolves \"missing-null-check\"", "resolves \"missing-null-chek\"");
        client.change(&fixes, 2, &typo).await;
        client
            .wait_for("the dangling reference", |c| c.codes(&fixes) == ["dangling-reference"])
            .await;
        let diagnostic = client.diagnostics[&fixes].1[0].clone();
        let actions = client
            .request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": fixes}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}}),
            )
            .await;
        let fix = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["kind"] == "quickfix" && a["title"].as_str().unwrap().contains("missing-null-check"))
            .unwrap_or_else(|| panic!("a quick fix among {actions}"));
        assert_eq!(fix["diagnostics"][0]["code"], "dangling-reference");
        let edits = fix["edit"]["changes"][&fixes].as_array().unwrap();
        assert_eq!(apply_edits(&typo, edits), FIXES);
        client.shutdown().await;
    });
}

#[test]
fn code_lenses_count_the_matches_in_the_history_the_settings_name() {
    runtime().block_on(async {
        let workspace = catalogue();
        workspace.write(
            "history/escapes.jsonl",
            "{\"id\": \"ESC-1\", \"title\": \"null pointer in checkout\"}\n{\"id\": \"ESC-2\", \"title\": \"disk full\"}\nnot json\n",
        );
        let mut client = start(None);
        client
            .initialize(Some(&workspace.root()), false, json!({"records": "history/escapes.jsonl"}))
            .await;
        let modes = workspace.uri("modes.kdl");
        client.open(&modes, MODES).await;
        let lenses = client
            .request("textDocument/codeLens", json!({"textDocument": {"uri": modes}}))
            .await;
        let titles: Vec<&str> = lenses
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["command"]["title"].as_str().unwrap())
            .collect();
        assert!(titles.contains(&"matches 1 of 2 records in the history"), "{titles:?}");
        client.shutdown().await;
    });
}

/// Holds the first salsa query of a request on the blocking pool until an edit has asked every
/// snapshot to stop, so that the request is certainly stale when it goes on.
#[derive(Default)]
struct Gate {
    armed: std::sync::atomic::AtomicBool,
    released: std::sync::Mutex<bool>,
    signal: std::sync::Condvar,
}

impl Gate {
    fn on_event(&self, event: salsa::Event, runtime_thread: std::thread::ThreadId) {
        use std::sync::atomic::Ordering;
        match event.kind {
            salsa::EventKind::DidSetCancellationFlag => {
                *self.released.lock().unwrap() = true;
                self.signal.notify_all();
            }
            salsa::EventKind::WillCheckCancellation
                if std::thread::current().id() != runtime_thread
                    && self.armed.swap(false, Ordering::SeqCst) =>
            {
                let released = self.released.lock().unwrap();
                let _ = self
                    .signal
                    .wait_timeout_while(released, std::time::Duration::from_secs(20), |r| !*r)
                    .unwrap();
            }
            _ => {}
        }
    }
}

#[test]
fn a_request_made_stale_by_an_edit_answers_content_modified() {
    runtime().block_on(async {
        let gate = std::sync::Arc::new(Gate::default());
        let runtime_thread = std::thread::current().id();
        let hook_gate = gate.clone();
        let new_host: gapmine_lsp::HostFactory = std::sync::Arc::new(move || {
            let gate = hook_gate.clone();
            gapmine_ide::AnalysisHost::new(gapmine_check::CheckDatabase::with_event_hook(
                move |event| gate.on_event(event, runtime_thread),
            ))
        });
        let workspace = catalogue();
        let mut client = crate::support::start(Some(new_host));
        client
            .initialize(Some(&workspace.root()), false, Value::Null)
            .await;
        let modes = workspace.uri("modes.kdl");
        // A dangling reference, so that the first diagnostics are published: then no
        // diagnostics work is running when the gate is armed.
        let typo = MODES.replace("\"unit-tests\"", "\"unit-testz\"");
        client.open(&modes, &typo).await;
        client
            .wait_for("the first diagnostics", |c| {
                c.codes(&modes) == ["dangling-reference"]
            })
            .await;

        // Every edit so far has set the flag: only the next one may release the request.
        *gate.released.lock().unwrap() = false;
        gate.armed.store(true, std::sync::atomic::Ordering::SeqCst);
        let hover =
            json!({"textDocument": {"uri": modes}, "position": at(&typo, "missing-null", 1)});
        let id = client
            .send_request("textDocument/hover", hover.clone())
            .await;
        client.change(&modes, 2, MODES).await;
        let error = client.response(id).await.unwrap_err();
        assert_eq!(error["code"], -32801, "{error}");

        // The edit went through, and the next request answers from the new text.
        client
            .wait_for("the fixed reference", |c| c.codes(&modes).is_empty())
            .await;
        let answer = client.request("textDocument/hover", hover).await;
        assert!(
            answer.to_string().contains("Missing null check"),
            "{answer}"
        );
        client.shutdown().await;
    });
}

#[test]
fn a_decision_the_settings_name_is_offered_as_a_code_action_until_applied() {
    runtime().block_on(async {
        let workspace = catalogue();
        workspace.write(
            "decisions.jsonl",
            "{\"record\": \"ESC-7\", \"failure_modes\": [\"missing-null-check\"], \"intervention\": \"null-safety-lint\", \"outcome\": \"held\", \"at\": \"2026-10-02\"}\n{\"record\": \"ESC-8\", \"outcome\": \"sideways\"}\n",
        );
        let mut client = start(None);
        client
            .initialize(Some(&workspace.root()), false, json!({"gapmine": {"decisions": "decisions.jsonl"}}))
            .await;
        let fixes = workspace.uri("fixes.kdl");
        client.open(&fixes, FIXES).await;
        let title = "Record the evidence of ESC-7: held, 2026-10-02";
        let range = json!({"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 4}});
        let actions = client
            .request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": fixes}, "range": range, "context": {"diagnostics": []}}),
            )
            .await;
        let action = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == title)
            .unwrap_or_else(|| panic!("`{title}` among {actions}"));
        assert_eq!(action["kind"], "refactor");
        let edits = action["edit"]["changes"][&fixes].as_array().unwrap();
        let learned = apply_edits(FIXES, edits);
        assert_eq!(
            learned,
            FIXES.replace(
                "    resolves \"missing-null-check\"\n",
                "    resolves \"missing-null-check\"\n    evidence \"ESC-7\" outcome=\"held\" at=\"2026-10-02\"\n"
            )
        );

        // Applied, the decision is in the catalogue: it is no longer offered.
        client.change(&fixes, 2, &learned).await;
        let actions = client
            .request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": fixes}, "range": range, "context": {"diagnostics": []}}),
            )
            .await;
        assert!(!actions.to_string().contains(title), "{actions}");
        client.shutdown().await;
    });
}
