//! `gapmine report` (issue 6, items 4 and 6): each format on a small history of the project's
//! own, the JSON against its schema, an empty history, and records without dates, in the future
//! or before 1970 counted and reported.

use std::path::Path;

use crate::{TestEnv, assert_cmd};

const MANIFEST: &str =
    "catalogue \"tiny\" version=\"1.2.0\" {\n    include \"*.kdl\"\n    threshold 0.5\n}\n";

const CATALOGUE: &str = r#"failure-mode "flaky-test" {
    title "Flaky test"
    layer "control"
    caught-by "ci"
    signals {
        phrase "flaky" weight=0.8
    }
}

failure-mode "config-typo" {
    title "Configuration typo"
    caught-by "review"
    signals {
        phrase "config" weight=0.8
    }
}

intervention "quarantine" {
    title "Quarantine flaky tests"
    kind "process"
    resolves "flaky-test"
    hardens "ci"
    effort "low"
    verify "Every quarantined test has an owner."
    evidence "ESC-1" outcome="held" at="2026-02-01"
}

objective "uptime" {
    title "Uptime"
    severity "critical"
    threatened-by "config-typo"
}

control "review" stage=1 {
    title "Code review"
}

control "ci" stage=2 {
    title "Continuous integration"
}

control "customer" stage=3 {
    title "Customer"
}
"#;

/// A history: dated, undated, in the future, before 1970, unclassified, one rejected line, and a
/// title that would be markup if it were not escaped.
const RECORDS: &str = r#"{"id":"ESC-1","title":"checkout test is flaky","occurred_at":"2026-01-10","service":"checkout","team":"pay","detected_by":"ci","url":"https://example.org/ESC-1"}
{"id":"ESC-2","title":"login test flaky again <b>bold</b>","occurred_at":"2026-02-14","service":"auth","team":"id","detected_by":"customer"}
{"id":"ESC-3","title":"bad config pushed to prod","occurred_at":"2026-03-03","service":"checkout","team":"pay","detected_by":"customer"}
{"id":"ESC-4","title":"config typo, undated"}
{"id":"ESC-5","title":"flaky test from the future","occurred_at":"2027-01-01","detected_by":"ci"}
{"id":"ESC-6","title":"flaky test before 1970","occurred_at":"1969-07-20","detected_by":"pager"}
{"id":"ESC-7","title":"typo on the pricing page","occurred_at":"2026-03-20","detected_by":"review"}
{"id":"ESC-8","title":
"#;

fn history(env: &TestEnv) {
    env.write("cat/gapmine.kdl", MANIFEST);
    env.write("cat/entries.kdl", CATALOGUE);
    env.write("records.jsonl", RECORDS);
}

fn report(env: &TestEnv, format: &str) -> std::process::Command {
    report_of(env, &["records.jsonl"], format)
}

/// `gapmine report FILES… --format FORMAT` on the catalogue `cat`, as of 2026-04-01.
fn report_of(env: &TestEnv, files: &[&str], format: &str) -> std::process::Command {
    let mut args = vec!["report"];
    args.extend_from_slice(files);
    args.extend([
        "--catalogue",
        "cat",
        "--as-of",
        "2026-04-01",
        "--format",
        format,
    ]);
    env.gapmine(&args)
}

#[test]
fn terminal() {
    let env = TestEnv::new();
    history(&env);
    assert_cmd!(env, report(&env, "terminal"));
}

#[test]
fn markdown() {
    let env = TestEnv::new();
    history(&env);
    assert_cmd!(env, report(&env, "markdown"));
}

#[test]
fn json_matches_its_schema_and_counts_every_record() {
    let env = TestEnv::new();
    history(&env);
    let output = report(&env, "json").output().unwrap();
    assert!(output.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schemas/report.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let mut errors = Vec::new();
    crate::check::conforms(&schema, &schema, &doc, "$", &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");

    let q = &doc["ranking"]["quality"];
    assert_eq!(q["records"], 7);
    assert_eq!(q["classified"], 6);
    assert_eq!(q["unclassified"], 1);
    assert_eq!(q["undated"], 1);
    assert_eq!(q["future"], 1);
    assert_eq!(q["before_1970"], 1);
    assert_eq!(doc["meta"]["rejected"], 1);
    assert_eq!(doc["meta"]["lines"], 8);
    let gaps: Vec<&str> = doc["ranking"]["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["failure_mode"].as_str().unwrap())
        .collect();
    assert_eq!(gaps.len(), 2);
    assert!(gaps.contains(&"flaky-test") && gaps.contains(&"config-typo"));
    let stations: Vec<(&str, u64, u64)> = doc["pipeline"]["stations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["control"].as_str().unwrap(),
                s["detected"].as_u64().unwrap(),
                s["passed"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        stations,
        [("review", 1, 4), ("ci", 2, 2), ("customer", 2, 0)]
    );
    assert_eq!(
        doc["pipeline"]["elsewhere"],
        serde_json::json!([["pager", 1]])
    );
}

#[test]
fn html_to_a_file() {
    let env = TestEnv::new();
    history(&env);
    // A folder that does not exist: an error, and nothing written.
    let output = env
        .gapmine(&[
            "report",
            "records.jsonl",
            "--catalogue",
            "cat",
            "--as-of",
            "2026-04-01",
            "--format",
            "html",
            "-o",
            "out/report.html",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error: cannot write `out/report.html`"),
        "{stderr}"
    );
    std::fs::create_dir(env.root().join("out")).unwrap();
    let output = env
        .gapmine(&[
            "report",
            "records.jsonl",
            "--catalogue",
            "cat",
            "--as-of",
            "2026-04-01",
            "--format",
            "html",
            "-o",
            "out/report.html",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    let page = env.read("out/report.html");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("Flaky test") && page.contains("Configuration typo"));
    assert!(page.contains("login test flaky again &lt;b&gt;bold&lt;/b&gt;"));
    assert!(page.contains("<svg") && page.contains("class=\"station"));
    assert!(page.contains("<a href=\"https://example.org/ESC-1\">ESC-1</a>"));
    assert!(page.contains("1 record without a date, 1 record dated after 2026-04-01 (in the future), 1 record dated before 1970"));
    // Self-contained: nothing is fetched and nothing runs.
    for forbidden in ["<script", "<link", "src=", "url(", "@import"] {
        assert!(!page.contains(forbidden), "{forbidden}");
    }
}

#[test]
fn since_leaves_out_older_records() {
    let env = TestEnv::new();
    history(&env);
    let output = env
        .gapmine(&[
            "report",
            "records.jsonl",
            "--catalogue",
            "cat",
            "--as-of",
            "2026-04-01",
            "--since",
            "2026-02-01",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // ESC-1 and ESC-6 are older; the undated ESC-4 stays.
    assert_eq!(doc["meta"]["before_since"], 2);
    assert_eq!(doc["ranking"]["quality"]["records"], 5);
    assert_eq!(doc["ranking"]["quality"]["undated"], 1);
}

#[test]
fn an_empty_history() {
    let env = TestEnv::new();
    history(&env);
    env.write("empty.jsonl", "");
    assert_cmd!(
        env,
        env.gapmine(&[
            "report",
            "empty.jsonl",
            "--catalogue",
            "cat",
            "--as-of",
            "2026-04-01",
        ])
    );
    let output = env
        .gapmine(&[
            "report",
            "empty.jsonl",
            "--catalogue",
            "cat",
            "--as-of",
            "2026-04-01",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["ranking"]["gaps"], serde_json::json!([]));
    assert_eq!(doc["ranking"]["quality"]["records"], 0);
}

#[test]
fn a_bad_date_is_a_usage_error() {
    let env = TestEnv::new();
    history(&env);
    assert_cmd!(env, env.gapmine(&["report", "records.jsonl", "--catalogue", "cat", "--since", "2026-13-01"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid value '2026-13-01' for '--since <DATE>': `2026-13-01` is not a date: write YYYY-MM-DD, like 2026-03-02

    For more information, try '--help'.
    ");
}

/// A record whose id an earlier file of the run used is rejected, naming both places, and the
/// report counts it once, as `gapmine match` does.
#[test]
fn a_duplicate_id_in_a_later_file_is_rejected_and_counted_once() {
    let env = TestEnv::new();
    history(&env);
    env.write(
        "more.jsonl",
        "{\"id\":\"ESC-1\",\"title\":\"checkout test is flaky\",\"occurred_at\":\"2026-01-10\"}\n\
         {\"id\":\"ESC-9\",\"title\":\"flaky again\",\"occurred_at\":\"2026-03-01\"}\n",
    );
    let output = report_of(&env, &["records.jsonl", "more.jsonl"], "json")
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("more.jsonl:1: duplicate id \"ESC-1\", first used at records.jsonl:1"),
        "{stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // The 7 records of the history and ESC-9; the repeat of ESC-1 is rejected, beside the
    // history's malformed line.
    assert_eq!(doc["ranking"]["quality"]["records"], 8);
    assert_eq!(doc["meta"]["rejected"], 2);
    assert_eq!(doc["meta"]["lines"], 10);
    let flaky = doc["ranking"]["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["failure_mode"] == "flaky-test")
        .unwrap();
    // ESC-1, ESC-2, ESC-5, ESC-6 and ESC-9.
    assert_eq!(flaky["occurrences"], 5);
}
