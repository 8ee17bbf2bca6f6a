//! Code lenses: each failure mode's examples, and its matches in a records history.

use gapmine_ide::Change;
use gapmine_records::{Item, Reader};

use crate::fixture::{Fixture, fixture};

fn lenses(f: &Fixture, path: &str) -> String {
    f.host
        .analysis()
        .code_lenses(path)
        .unwrap()
        .iter()
        .map(|l| format!("{} {}: {}\n", f.render(path, l.range), l.id, l.title))
        .collect()
}

fn records(jsonl: &str) -> Vec<gapmine_records::EscapeRecord> {
    let mut reader = Reader::new(jsonl.as_bytes(), "history.jsonl");
    let mut out = Vec::new();
    while let Some(item) = reader.next_item().unwrap() {
        match item {
            Item::Record { record, .. } => out.push(record),
            Item::Rejected { reason, .. } => panic!("{reason}"),
        }
    }
    out
}

const CATALOGUE: &str = r#"
    //- /failure-modes.kdl
    failure-mode "flaky-test" {
        title "Flaky test"
        signals {
            phrase "flaky"
        }
        examples {
            matches "a flaky test in CI"
            matches "timeout in checkout"
            rejects "the flaky network"
        }
    }
    failure-mode "order-dependent-test" {
        title "Order-dependent test"
        parent "flaky-test"
        signals {
            phrase "fails when run after"
        }
        examples {
            matches "testB fails when run after testA"
        }
    }
    failure-mode "null-check" {
        title "Missing null check"
        signals {
            phrase "NullPointerException"
        }
    }
    intervention "quarantine" {
        title "Quarantine"
        resolves "flaky-test" "null-check"
    }
"#;

#[test]
fn examples_of_each_failure_mode() {
    let f = fixture(CATALOGUE);
    insta::assert_snapshot!(lenses(&f, "failure-modes.kdl"), @r#"
    failure-modes.kdl:1:1-1:13 "failure-mode" flaky-test: 2 of 3 examples fail
    failure-modes.kdl:12:1-12:13 "failure-mode" order-dependent-test: 1 example passes
    failure-modes.kdl:22:1-22:13 "failure-mode" null-check: no examples
    "#);
}

#[test]
fn matches_in_the_records_history_follow_edits_and_the_history() {
    let mut f = fixture(CATALOGUE);
    f.host.set_history(Some(records(concat!(
        r#"{"id": "ESC-1", "title": "flaky checkout test"}"#,
        "\n",
        r#"{"id": "ESC-2", "title": "testB fails when run after testA"}"#,
        "\n",
        r#"{"id": "ESC-3", "title": "NullPointerException in export"}"#,
        "\n",
        r#"{"id": "ESC-4", "title": "disk full"}"#,
        "\n",
    ))));
    insta::assert_snapshot!(lenses(&f, "failure-modes.kdl"), @r#"
    failure-modes.kdl:1:1-1:13 "failure-mode" flaky-test: 2 of 3 examples fail
    failure-modes.kdl:1:1-1:13 "failure-mode" flaky-test: matches 2 of 4 records in the history
    failure-modes.kdl:12:1-12:13 "failure-mode" order-dependent-test: 1 example passes
    failure-modes.kdl:12:1-12:13 "failure-mode" order-dependent-test: matches 1 of 4 records in the history
    failure-modes.kdl:22:1-22:13 "failure-mode" null-check: no examples
    failure-modes.kdl:22:1-22:13 "failure-mode" null-check: matches 1 of 4 records in the history
    "#);
    // A new signal changes the counts.
    let text = f.text("failure-modes.kdl").replace(
        r#"phrase "NullPointerException""#,
        r#"phrase "NullPointerException" "disk full""#,
    );
    f.host.apply_change(Change::set("failure-modes.kdl", text));
    let after = f.host.analysis().code_lenses("failure-modes.kdl").unwrap();
    assert_eq!(
        after.last().unwrap().title,
        "matches 2 of 4 records in the history"
    );
    // Without a history, only the examples.
    f.host.set_history(None);
    assert_eq!(
        f.host
            .analysis()
            .code_lenses("failure-modes.kdl")
            .unwrap()
            .len(),
        3
    );
}
