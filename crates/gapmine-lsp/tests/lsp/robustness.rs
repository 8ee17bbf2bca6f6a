//! Thousands of random edits through the protocol, invalid text and half-typed nodes among
//! them: the server never fails, and after each edit the diagnostics it has published for
//! every file equal those of a check of the same texts from scratch, as `gapmine check` does.

use std::collections::HashMap;
use std::time::Duration;

use gapmine_ide::{AnalysisHost, Change};
use gapmine_lsp::{FileText, PositionEncoding, to_proto};
use proptest::prelude::*;
use serde_json::{Value, json};
use tower_lsp_server::ls_types::Uri;

use crate::support::{Workspace, runtime, start};

const FILES: [&str; 4] = ["gapmine.kdl", "modes.kdl", "fixes.kdl", "extra.kdl"];

const TEXTS: [&str; 4] = [
    "catalogue \"demo\" version=\"0.1.0\" {\n    include \"*.kdl\"\n}\n",
    "failure-mode \"missing-null-check\" {\n    title \"Missing null check\"\n    caught-by \"unit-tests\"\n    parent \"flaky\"\n    signals {\n        phrase \"null pointer\" weight=0.9\n        pattern #\"(?i)npe\\b\"# in=\"body\"\n    }\n    examples {\n        matches \"a null pointer in checkout\"\n        rejects \"disk full\"\n    }\n}\n\nfailure-mode \"flaky\" {\n    title \"Flaky — é😀\"\n}\n",
    "intervention \"null-safety-lint\" {\n    title \"A lint for null safety\"\n    kind \"control\"\n    resolves \"missing-null-check\" \"flaky\"\n    evidence \"ESC-1\" outcome=\"held\" at=\"2026-03-02\"\n}\n",
    "control \"unit-tests\" stage=2 {\n    title \"Unit tests\"\n}\n",
];

/// What an edit inserts: fragments of the language, broken pieces, ids, other scripts.
const SNIPPETS: &[&str] = &[
    "{",
    "}",
    "\"",
    "\n",
    " ",
    ";",
    "/-",
    "/*",
    "*/",
    "//",
    "#\"",
    "\"#",
    "\r\n",
    "é😀",
    "=",
    "failure-mode \"",
    "failure-mode \"new-mode\" {\n    title \"New\"\n}\n",
    "resolves \"missing-null-check\"",
    "resolves \"missing-nil-check\"",
    "parent \"missing-null-check\"",
    "caught-by \"unit-tests\"",
    "caught-by \"unit-testz\"",
    "title \"x\"",
    "weight=2",
    "stage=1",
    "pattern #\"(\"#",
    "control \"unit-tests\" stage=1 { title \"t\" }\n",
    "-",
    "missing-nil-check",
    "include \"modes.kdl\"",
    "deprecated",
    "replaced-by \"flaky\"",
    "examples { matches \"disk\" }",
];

#[derive(Debug, Clone)]
enum Edit {
    /// Insert a snippet at a fraction of the file.
    Insert {
        file: usize,
        at: f64,
        snippet: usize,
    },
    /// Delete up to `len` bytes from a fraction of the file.
    Delete { file: usize, at: f64, len: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    // The manifest is edited less often: most of its edits exclude every file.
    let file = prop_oneof![1 => Just(0usize), 4 => Just(1usize), 4 => Just(2usize)];
    prop_oneof![
        3 => (file.clone(), 0.0..=1.0f64, 0..SNIPPETS.len())
            .prop_map(|(file, at, snippet)| Edit::Insert { file, at, snippet }),
        2 => (file, 0.0..=1.0f64, 1..24usize).prop_map(|(file, at, len)| Edit::Delete { file, at, len }),
    ]
}

fn boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A UTF-16 protocol position, computed here independently of the server's line index.
fn position(text: &str, offset: usize) -> Value {
    let line_start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    json!({
        "line": text[..offset].matches('\n').count(),
        "character": text[line_start..offset].encode_utf16().count(),
    })
}

/// What `gapmine check` reports for these texts, converted as the server converts, by URI.
fn expected(workspace: &Workspace, texts: &[String]) -> HashMap<String, Vec<Value>> {
    let mut host = AnalysisHost::default();
    host.apply_change(Change {
        set: FILES
            .iter()
            .zip(texts)
            .map(|(f, t)| (f.to_string(), t.clone()))
            .collect(),
        ..Change::default()
    });
    let diagnostics = host.analysis().diagnostics().expect("nothing cancels it");
    let file_of = |path: &str| {
        let i = FILES.iter().position(|f| *f == path)?;
        let uri: Uri = workspace.uri(path).parse().ok()?;
        Some((uri, FileText::new(texts[i].as_str())))
    };
    let mut by_uri: HashMap<String, Vec<Value>> = HashMap::new();
    for diagnostic in &diagnostics {
        let (uri, file) = file_of(&diagnostic.file).expect("a file of the catalogue");
        let converted =
            to_proto::diagnostic(&file, diagnostic, PositionEncoding::Utf16, &mut |p| {
                file_of(p)
            });
        by_uri
            .entry(uri.as_str().to_owned())
            .or_default()
            .push(serde_json::to_value(converted).unwrap());
    }
    by_uri
}

fn run(edits: Vec<Edit>) -> Result<(), TestCaseError> {
    runtime().block_on(async {
        let workspace = Workspace::new(&FILES.iter().copied().zip(TEXTS).collect::<Vec<_>>());
        let mut texts: Vec<String> = TEXTS.iter().map(|t| t.to_string()).collect();
        let mut versions = [1i64; 4];
        let mut client = start(None);
        client
            .initialize(Some(&workspace.root()), false, Value::Null)
            .await;
        // The manifest and two files are open; extra.kdl is read from disk.
        for i in 0..3 {
            client.open(&workspace.uri(FILES[i]), &texts[i]).await;
        }
        for (step, edit) in edits.iter().enumerate() {
            let (file, start, end, insert) = match *edit {
                Edit::Insert { file, at, snippet } => {
                    let offset = boundary(&texts[file], (at * texts[file].len() as f64) as usize);
                    (file, offset, offset, SNIPPETS[snippet])
                }
                Edit::Delete { file, at, len } => {
                    let start = boundary(&texts[file], (at * texts[file].len() as f64) as usize);
                    let end = boundary(&texts[file], start + len);
                    (file, start, end, "")
                }
            };
            let range = json!({"start": position(&texts[file], start), "end": position(&texts[file], end)});
            texts[file].replace_range(start..end, insert);
            versions[file] += 1;
            client
                .notify(
                    "textDocument/didChange",
                    json!({
                        "textDocument": {"uri": workspace.uri(FILES[file]), "version": versions[file]},
                        "contentChanges": [{"range": range, "text": insert}],
                    }),
                )
                .await;
            let expected = expected(&workspace, &texts);
            let uris: Vec<String> = FILES.iter().map(|f| workspace.uri(f)).collect();
            let settled = client
                .wait_until(Duration::from_secs(10), |c| {
                    uris.iter().all(|uri| {
                        let published = c.diagnostics.get(uri).map_or(&[][..], |(_, d)| d.as_slice());
                        let wanted = expected.get(uri).map_or(&[][..], Vec::as_slice);
                        published == wanted
                    })
                })
                .await;
            prop_assert!(
                settled,
                "after edit {step} ({edit:?}) the published diagnostics differ from a check from scratch\ntexts: {texts:#?}\nexpected: {expected:#?}\npublished: {:#?}",
                client.diagnostics
            );
        }
        // Still alive, and every request still answers.
        let symbols = client
            .request_result("workspace/symbol", json!({"query": ""}))
            .await;
        prop_assert!(symbols.is_ok(), "{symbols:?}");
        client.shutdown().await;
        Ok(())
    })
}

proptest! {
    // About 2,100 edits in all; the cases and the seed are fixed.
    #![proptest_config(ProptestConfig {
        cases: 70,
        failure_persistence: None,
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x6a70_6d6e),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_edits_leave_the_diagnostics_equal_to_a_check_from_scratch(
        edits in proptest::collection::vec(edit(), 10..50)
    ) {
        run(edits)?;
    }
}
