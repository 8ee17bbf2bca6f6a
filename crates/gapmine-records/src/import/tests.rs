//! The importers against fixtures written in each tool's own format (`tests/fixtures/import/`),
//! snapshotted as the JSONL they produce, and each output read back by the JSONL reader.

use super::csv::jira_date;
use super::*;
use crate::{Item, Reader};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../../../tests/fixtures/import/", $name)).as_slice()
    };
}

/// The records as JSONL, then each error as `error: …`, then the pull requests skipped; and the
/// JSONL is checked to read back through [`Reader`] without a rejection.
fn render(imported: &Imported) -> String {
    let mut jsonl = String::new();
    let mut errors = String::new();
    for item in &imported.records {
        match item {
            Ok(record) => {
                jsonl.push_str(&serde_json::to_string(record).expect("records serialise"));
                jsonl.push('\n');
            }
            Err(e) => errors.push_str(&format!("error: {e}\n")),
        }
    }
    let mut accepted = 0;
    for item in Reader::new(jsonl.as_bytes(), "<import>") {
        match item.expect("no IO error reading a string") {
            Item::Record { .. } => accepted += 1,
            Item::Rejected { reason, .. } => {
                panic!("the output reads back with a rejection: {reason}")
            }
        }
    }
    assert_eq!(
        accepted,
        imported.records.iter().filter(|r| r.is_ok()).count()
    );
    let mut out = jsonl + &errors;
    if imported.skipped_pull_requests > 0 {
        out.push_str(&format!(
            "skipped pull requests: {}\n",
            imported.skipped_pull_requests
        ));
    }
    out
}

fn errors(imported: &Imported) -> Vec<String> {
    imported
        .records
        .iter()
        .filter_map(|r| r.as_ref().err().map(ToString::to_string))
        .collect()
}

#[test]
fn github_gh_issue_list() {
    let imported = github(fixture!("gh-issue-list.json"), &GithubOptions::default());
    insta::assert_snapshot!(render(&imported));
}

#[test]
fn github_rest_api_skips_pull_requests() {
    let options = GithubOptions {
        repo: Some("acme/billing".into()),
    };
    let imported = github(fixture!("gh-rest-issues.json"), &options);
    assert_eq!(imported.skipped_pull_requests, 1);
    insta::assert_snapshot!(render(&imported));
}

#[test]
fn github_paginated_output_and_bad_items() {
    let input = br#"[{"number": 1, "title": "one", "createdAt": "2026-01-02T03:04:05Z"}]
[{"title": "no number"}, {"number": 3, "title": "bad date", "created_at": "yesterday"}, 7]"#;
    let imported = github(input.as_slice(), &GithubOptions::default());
    insta::assert_snapshot!(render(&imported), @r#"
    {"id":"GH-1","title":"one","occurred_at":"2026-01-02T03:04:05Z","source":"github"}
    error: item 2: the issue has no `number`; with `gh issue list`, ask for it: `--json number,title,body,labels,createdAt,closedAt,url`
    error: item 3 (GH-3): `createdAt` "yesterday" is not an RFC 3339 time; give the issues as GitHub prints them
    error: item 4: expected an issue object, found a number
    "#);
}

#[test]
fn github_not_an_array() {
    let imported = github(
        br#"{"message": "Not Found"}"#.as_slice(),
        &GithubOptions::default(),
    );
    insta::assert_snapshot!(errors(&imported).join("\n"), @"expected a JSON array of issues, found an object; give the output of `gh issue list --json number,title,body,labels,createdAt,closedAt,url` or of `GET /repos/OWNER/REPO/issues`");
}

#[test]
fn jira_search_with_adf_and_plain_descriptions() {
    let imported = jira(fixture!("jira-search.json"));
    insta::assert_snapshot!(render(&imported));
}

#[test]
fn jira_bad_input() {
    let imported = jira(br#"{"errorMessages": ["JQL is invalid"]}"#.as_slice());
    insta::assert_snapshot!(errors(&imported).join("\n"), @"the object has no `issues` array; give the response of Jira's search API (`/rest/api/2/search?jql=…`) as it was returned");
    let imported = jira(br#"{"issues": [{"key": "A-1", "fields": {}}, {"key": "A-2", "fields": {"summary": "s", "created": "Monday"}}]}"#.as_slice());
    insta::assert_snapshot!(errors(&imported).join("\n"), @r#"
    item 1 (A-1): the issue has no `fields.summary`; ask the search for it (`fields=summary,description,labels,components,created,priority`)
    item 2 (A-2): `fields.created` "Monday" is not a time Jira writes (like "2026-09-14T10:02:03.000+0000")
    "#);
}

#[test]
fn junit_surefire() {
    let imported = junit(fixture!("surefire.xml"), &mut JunitIds::default());
    insta::assert_snapshot!(render(&imported));
}

#[test]
fn junit_gradle() {
    let imported = junit(fixture!("gradle.xml"), &mut JunitIds::default());
    insta::assert_snapshot!(render(&imported));
}

#[test]
fn junit_pytest() {
    let imported = junit(fixture!("pytest.xml"), &mut JunitIds::default());
    insta::assert_snapshot!(render(&imported));
}

#[test]
fn junit_nextest() {
    let imported = junit(fixture!("nextest.xml"), &mut JunitIds::default());
    insta::assert_snapshot!(render(&imported));
}

#[test]
fn junit_repeats_are_numbered_across_files() {
    let mut ids = JunitIds::default();
    let first = junit(fixture!("gradle.xml"), &mut ids);
    let second = junit(fixture!("gradle.xml"), &mut ids);
    let id = |imported: &Imported| imported.records[0].as_ref().unwrap().id.clone();
    assert_eq!(
        id(&first),
        "JUNIT-com.acme.ledger.ReconcilerTest.matchesTransfersAcrossDays()"
    );
    assert_eq!(
        id(&second),
        "JUNIT-com.acme.ledger.ReconcilerTest.matchesTransfersAcrossDays()-2"
    );
}

/// quick-xml resolves no DTD: an external entity is neither read nor expanded, in text or in an
/// attribute, and the rest of the report is imported as usual.
#[test]
fn junit_never_expands_external_entities() {
    let input = br#"<?xml version="1.0"?>
<!DOCTYPE testsuite [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY inner "expanded">
]>
<testsuite name="s" timestamp="2026-01-01T00:00:00Z">
  <testcase classname="c" name="t">
    <failure message="leak: &xxe;">&xxe; &inner; &amp; &#65;</failure>
  </testcase>
</testsuite>
"#;
    let imported = junit(input.as_slice(), &mut JunitIds::default());
    let out = render(&imported);
    assert!(!out.contains("root:"), "{out}");
    insta::assert_snapshot!(out, @r#"{"id":"JUNIT-c.t","title":"c.t failed: leak: &xxe;","body":"leak: &xxe;\n\n&xxe; &inner; & A","occurred_at":"2026-01-01T00:00:00Z","labels":["junit"],"source":"junit","test_suite":"s"}"#);
}

#[test]
fn junit_malformed_xml_keeps_what_came_before() {
    let input = b"<testsuite name=\"s\">\n<testcase classname=\"c\" name=\"a\"><failure message=\"m\"/></testcase>\n<testcase name=\"b\">\n</testsuite>\n";
    let imported = junit(input.as_slice(), &mut JunitIds::default());
    insta::assert_snapshot!(render(&imported), @r#"
    {"id":"JUNIT-c.a","title":"c.a failed: m","body":"m","labels":["junit"],"source":"junit","test_suite":"s"}
    error: line 4: not well-formed XML: ill-formed document: expected `</testcase>`, but `</testsuite>` was found; give the report as the test runner wrote it
    "#);
}

#[test]
fn csv_jira_export() {
    let mapping = CsvMapping::parse(
        "id=Issue key,title=Summary,body=Description,occurred_at=Created,service=Component/s,labels=Labels,severity=Priority",
    )
    .unwrap();
    let imported = csv(fixture!("jira-export.csv"), &mapping);
    insta::assert_snapshot!(render(&imported));
}

#[test]
fn csv_mapping_errors() {
    let error = |text: &str| CsvMapping::parse(text).unwrap_err().to_string();
    insta::assert_snapshot!(error("id=Key,title=Summary,owner=Assignee"), @"`owner` is not a record field; map columns to one of id, title, body, occurred_at, service, team, labels, detected_by, severity, source, url, failure_modes");
    insta::assert_snapshot!(error("id=Key"), @"the mapping has no `title`; add `title=Column`, naming the column that holds each record's title");
    insta::assert_snapshot!(error("id=Key,title"), @"`title` is not `field=Column`; write the mapping like `id=Key,title=Summary,occurred_at=Created`");
    insta::assert_snapshot!(error("id=Key,title=A,id=B"), @"`id` is mapped twice; map each field to one column");
}

#[test]
fn csv_missing_column_and_bad_rows() {
    let mapping = CsvMapping::parse("id=Key,title=Title,occurred_at=When").unwrap();
    let imported = csv(b"Key,Summary\nA-1,x\n".as_slice(), &mapping);
    insta::assert_snapshot!(errors(&imported).join("\n"), @"line 1: no column `Title` (mapped to `title`); the header has `Key`, `Summary`; fix the mapping or the header");
    let input = b"Key,Title,When\nA-1,one,2026-01-02\n,no id,2026-01-02\nA-3,three,last week\n\nA-4,\"four\",2026-01-04T10:00:00.000+0000\n";
    let imported = csv(input.as_slice(), &mapping);
    insta::assert_snapshot!(render(&imported), @r#"
    {"id":"A-1","title":"one","occurred_at":"2026-01-02","source":"csv"}
    {"id":"A-4","title":"four","occurred_at":"2026-01-04T10:00:00.000+00:00","source":"csv"}
    error: line 3: the imported record is not valid: the record has no `id`; give every record a unique `id` string
    error: line 4: `occurred_at` "last week" is not a date or time; export dates as `2026-09-14`, RFC 3339 times (`2026-09-14T08:30:00Z`) or as Jira writes them (`21/Nov/26 10:15 AM`)
    "#);
}

#[test]
fn times_are_normalised() {
    assert_eq!(
        normalise_time("2026-09-14T10:02:03.000+0000").as_deref(),
        Some("2026-09-14T10:02:03.000+00:00")
    );
    assert_eq!(
        normalise_time("2026-09-21T02:14:55.123-0700").as_deref(),
        Some("2026-09-21T02:14:55.123-07:00")
    );
    assert_eq!(
        normalise_time("2026-09-21T09:31:07").as_deref(),
        Some("2026-09-21")
    );
    assert_eq!(
        normalise_time("2026-09-21 09:31").as_deref(),
        Some("2026-09-21")
    );
    assert_eq!(normalise_time("21/Sep/26 9:31 AM"), None);
}

#[test]
fn jira_csv_dates_are_read_as_their_day() {
    let cases = [
        "21/Nov/26 10:15 AM",
        "03/Jan/26 9:05 PM",
        "3/jan/26 12:00 am",
        "31/DEC/99 11:59 PM",
        "21/Nov/2026 10:15 AM",
        "21/Nov/26 22:15",
        "21/Nov/26",
        "21/Nov/2026",
        // Not dates: a day that does not exist, a month that is not English, a bare number.
        "30/Feb/26 10:15 AM",
        "21/Noe/26 10:15 AM",
        "21/11/26",
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|c| format!("{c} -> {}", jira_date(c).unwrap_or_else(|| "none".into())))
        .collect();
    insta::assert_snapshot!(out.join("\n"), @"
    21/Nov/26 10:15 AM -> 2026-11-21
    03/Jan/26 9:05 PM -> 2026-01-03
    3/jan/26 12:00 am -> 2026-01-03
    31/DEC/99 11:59 PM -> 1999-12-31
    21/Nov/2026 10:15 AM -> 2026-11-21
    21/Nov/26 22:15 -> 2026-11-21
    21/Nov/26 -> 2026-11-21
    21/Nov/2026 -> 2026-11-21
    30/Feb/26 10:15 AM -> none
    21/Noe/26 10:15 AM -> none
    21/11/26 -> none
    ");
}

#[test]
fn csv_jira_export_with_human_dates() {
    let mapping = CsvMapping::parse(
        "id=Issue key,title=Summary,occurred_at=Created,labels=Labels,severity=Priority",
    )
    .unwrap();
    let imported = csv(fixture!("jira-export-human-dates.csv"), &mapping);
    insta::assert_snapshot!(render(&imported), @r#"
    {"id":"PAY-412","title":"Checkout failed for saved cards","occurred_at":"2026-11-21","labels":["payments"],"severity":"High","source":"csv"}
    {"id":"PAY-415","title":"Refund emails sent twice","occurred_at":"2026-01-03","labels":["email"],"severity":"Medium","source":"csv"}
    error: line 4: `occurred_at` "30/Feb/26 10:15 AM" is not a date or time; export dates as `2026-09-14`, RFC 3339 times (`2026-09-14T08:30:00Z`) or as Jira writes them (`21/Nov/26 10:15 AM`)
    "#);
}
