//! `gapmine import`: each format from fixtures in the tools' own formats, the output read back
//! by the records reader, per-file errors and exit codes.

use gapmine_records::{Item, Reader};

use crate::{TestEnv, assert_cmd};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../../tests/fixtures/import/", $name))
    };
}

/// Reads JSONL back with the records reader and asserts that no line is rejected.
fn assert_reads_back(jsonl: &str) -> u64 {
    let mut reader = Reader::new(jsonl.as_bytes(), "out.jsonl");
    for item in &mut reader {
        if let Item::Rejected { reason, .. } = item.expect("no IO error") {
            panic!("the output reads back with a rejection: {reason}");
        }
    }
    reader.summary().accepted
}

#[test]
fn github_gh_and_rest_to_a_file() {
    let env = TestEnv::new();
    env.write("gh.json", fixture!("gh-issue-list.json"));
    env.write("rest.json", fixture!("gh-rest-issues.json"));
    assert_cmd!(env, env.gapmine(&["import", "github", "gh.json", "rest.json", "-o", "out.jsonl"]), @"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    imported 5 records from 2 files, skipped 1 pull request
    ");
    let out = env.read("out.jsonl");
    assert_eq!(assert_reads_back(&out), 5);
    insta::assert_snapshot!(out);
}

#[test]
fn github_repo_option_names_ids() {
    let env = TestEnv::new();
    env.write("rest.json", fixture!("gh-rest-issues.json"));
    let output = env
        .gapmine(&["import", "github", "--repo", "acme/billing", "rest.json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains(r#""id":"acme/billing#1070""#), "{stdout}");
    assert_eq!(assert_reads_back(&stdout), 2);
}

#[test]
fn jira_to_stdout() {
    let env = TestEnv::new();
    env.write("search.json", fixture!("jira-search.json"));
    assert_cmd!(env, env.gapmine(&["import", "jira", "search.json"]));
}

#[test]
fn junit_from_four_runners() {
    let env = TestEnv::new();
    env.write("surefire.xml", fixture!("surefire.xml"));
    env.write("gradle.xml", fixture!("gradle.xml"));
    env.write("pytest.xml", fixture!("pytest.xml"));
    env.write("nextest.xml", fixture!("nextest.xml"));
    let args = [
        "import",
        "junit",
        "surefire.xml",
        "gradle.xml",
        "pytest.xml",
        "nextest.xml",
    ];
    assert_cmd!(env, env.gapmine(&args));
    let output = env.gapmine(&args).output().unwrap();
    assert_eq!(
        assert_reads_back(&String::from_utf8(output.stdout).unwrap()),
        9
    );
}

#[test]
fn csv_with_a_mapping() {
    let env = TestEnv::new();
    env.write("export.csv", fixture!("jira-export.csv"));
    assert_cmd!(env, env.gapmine(&[
        "import",
        "csv",
        "export.csv",
        "--map",
        "id=Issue key,title=Summary,occurred_at=Created,labels=Labels",
        "--map",
        "service=Component/s,severity=Priority",
    ]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    {"id":"SRCH-88","title":"Search results missing after reindex","occurred_at":"2026-08-03","service":"search","labels":["reindex","data-loss"],"severity":"High","source":"csv"}
    {"id":"SRCH-91","title":"Rate limiter blocked the mobile app after the config push","occurred_at":"2026-08-19T06:40:00Z","service":"gateway","labels":["config-change"],"severity":"Highest","source":"csv"}
    {"id":"SRCH-97","title":"Autocomplete slow for queries with emoji","occurred_at":"2026-09-01","service":"search","labels":["unicode","performance"],"severity":"Medium","source":"csv"}

    ----- stderr -----
    imported 3 records from 1 file
    "#);
}

#[test]
fn bad_records_are_reported_and_the_rest_written() {
    let env = TestEnv::new();
    env.write(
        "issues.json",
        r#"[{"number": 1, "title": "ok"}, {"title": "no number"}, {"number": 1, "title": "again"}]"#,
    );
    env.write("broken.json", "[{");
    assert_cmd!(env, env.gapmine(&["import", "github", "issues.json", "broken.json"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    {"id":"GH-1","title":"ok","source":"github"}

    ----- stderr -----
    issues.json: item 2: the issue has no `number`; with `gh issue list`, ask for it: `--json number,title,body,labels,createdAt,closedAt,url`
    issues.json: duplicate id "GH-1", already imported from issues.json; import each export once, or use `--repo` to tell repositories apart
    broken.json: not valid JSON at line 1 column 2: EOF while parsing an object at line 1 column 2; give the file exactly as the tool printed it
    imported 1 record from 2 files, skipped 0 pull requests; 3 could not be imported (see above)
    "#);
}

/// `--strict` stops at the first item that cannot be imported and writes nothing, not even to
/// `--output`, which keeps what it held.
#[test]
fn strict_stops_at_the_first_bad_item_and_writes_nothing() {
    let env = TestEnv::new();
    env.write(
        "issues.json",
        r#"[{"number": 1, "title": "ok"}, {"title": "no number"}, {"number": 2, "title": "fine"}]"#,
    );
    env.write("good.json", r#"[{"number": 3, "title": "ok"}]"#);
    env.write("out.jsonl", "kept\n");
    assert_cmd!(env, env.gapmine(&["import", "github", "--strict", "good.json", "issues.json", "-o", "out.jsonl"]), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    issues.json: item 2: the issue has no `number`; with `gh issue list`, ask for it: `--json number,title,body,labels,createdAt,closedAt,url`
    error: stopped at the first problem, as `--strict` asks; nothing was written; fix it, or leave out `--strict` to import the rest
    ");
    assert_eq!(env.read("out.jsonl"), "kept\n");
    assert_cmd!(env, env.gapmine(&["import", "github", "--strict", "missing.json", "good.json"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    missing.json: cannot read the file: No such file or directory (os error 2); check the path
    error: stopped at the first problem, as `--strict` asks; nothing was written; fix it, or leave out `--strict` to import the rest
    ");
    assert_cmd!(env, env.gapmine(&["import", "github", "--strict", "good.json"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    {"id":"GH-3","title":"ok","source":"github"}

    ----- stderr -----
    imported 1 record from 1 file, skipped 0 pull requests
    "#);
}

#[test]
fn usage_and_mapping_errors() {
    let env = TestEnv::new();
    env.write("export.csv", fixture!("jira-export.csv"));
    assert_cmd!(env, env.gapmine(&["import", "csv", "export.csv"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: `gapmine import csv` needs `--map` to know which column is which field
     = help: add `--map id=Key,title=Summary,occurred_at=Created` with your columns' names
    ");
    assert_cmd!(env, env.gapmine(&["import", "csv", "export.csv", "--map", "id=Key,title=Summary,owner=Assignee"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: bad `--map`: `owner` is not a record field; map columns to one of id, title, body, occurred_at, service, team, labels, detected_by, severity, source, url, failure_modes
    ");
    assert_cmd!(env, env.gapmine(&["import", "jira", "export.csv", "--repo", "a/b"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: `--repo` applies only to `gapmine import github`
     = help: remove `--repo`
    ");
    assert_cmd!(env, env.gapmine(&["import", "jira", "missing.json"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    missing.json: cannot read the file: No such file or directory (os error 2); check the path
    imported 0 records from 1 file
    ");
    assert_cmd!(env, env.gapmine(&["import", "csv", "export.csv", "--map", "id=Key,title=Summary"]), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    export.csv: line 1: no column `Key` (mapped to `id`); the header has `Summary`, `Issue key`, `Issue id`, `Issue Type`, `Status`, `Priority`, `Component/s`, `Labels`, `Labels`, `Created`, `Description`; fix the mapping or the header
    imported 0 records from 1 file; 1 could not be imported (see above)
    ");
}
