//! Tests of `learn`: where evidence and examples go, that nothing else changes, that learning
//! twice adds nothing, and the errors.

use gapmine_model::{EntryKind, Outcome};

use super::*;

const MODES: &str = r#"// Failure modes of the test suite.

failure-mode "flaky-test" {
    title "Flaky test"
    signals {
        phrase "flaky" weight=0.7 // the word people use
    }
    examples {
        matches "checkout test is flaky"
        rejects "build always fails"
    }
    since "0.1.0"
}

failure-mode "order-dependent-test" {
    title "Order-dependent test"
    parent "flaky-test"
    since "0.1.0"
}
"#;

const FIXES: &str = r#"// Fixes.
intervention "random-test-order" {
    title "Run tests in random order"
    resolves "order-dependent-test"
    effort "low"   // cheap
    see "https://example.org/random-order"
    since "0.1.0"
}

intervention "quarantine" {
    title "Quarantine flaky tests"
    resolves "flaky-test"
    // The first time it was used.
    evidence "ESC-1" outcome="pending" at="2026-01-05"
}
"#;

fn files() -> Vec<(String, String)> {
    vec![
        ("modes.kdl".to_string(), MODES.to_string()),
        ("fixes.kdl".to_string(), FIXES.to_string()),
    ]
}

fn decision(record: &str, fms: &[&str], intervention: Option<(&str, Outcome)>) -> Decision {
    Decision {
        record: record.to_string(),
        title: Some(format!("{record} title")),
        failure_modes: fms.iter().map(|s| s.to_string()).collect(),
        intervention: intervention.map(|(id, outcome)| Applied {
            id: id.to_string(),
            outcome,
            at: Some("2026-03-02".to_string()),
            note: None,
        }),
    }
}

fn text_of<'a>(learned: &'a Learned, path: &str) -> &'a str {
    &learned
        .files
        .iter()
        .find(|f| f.path == path)
        .expect("the file changed")
        .new_text
}

/// Applies the result to the files, as the CLI writes them.
fn applied(files: &[(String, String)], learned: &Learned) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(path, text)| {
            let new = learned
                .files
                .iter()
                .find(|f| &f.path == path)
                .map_or(text.clone(), |f| {
                    edit::apply(text, &f.edits).expect("the edits apply")
                });
            (path.clone(), new)
        })
        .collect()
}

#[test]
fn evidence_goes_before_the_trailing_children() {
    let d = decision(
        "ESC-7",
        &["order-dependent-test"],
        Some(("random-test-order", Outcome::Held)),
    );
    let learned = learn(&files(), &[d], &LearnOptions::default()).unwrap();
    assert_eq!(learned.files.len(), 1);
    assert_eq!(
        text_of(&learned, "fixes.kdl"),
        r#"// Fixes.
intervention "random-test-order" {
    title "Run tests in random order"
    resolves "order-dependent-test"
    effort "low"   // cheap
    evidence "ESC-7" outcome="held" at="2026-03-02"
    see "https://example.org/random-order"
    since "0.1.0"
}

intervention "quarantine" {
    title "Quarantine flaky tests"
    resolves "flaky-test"
    // The first time it was used.
    evidence "ESC-1" outcome="pending" at="2026-01-05"
}
"#
    );
    assert_eq!(learned.count(ActionKind::EvidenceAdded), 1);
    assert_eq!(learned.count(ActionKind::NotResolved), 0);
}

#[test]
fn evidence_goes_after_the_last_evidence_and_an_existing_record_is_updated() {
    let mut late = decision(
        "ESC-9",
        &["flaky-test"],
        Some(("quarantine", Outcome::Failed)),
    );
    late.intervention.as_mut().unwrap().note = Some("came back in \"two\" weeks".to_string());
    let update = decision("ESC-1", &[], Some(("quarantine", Outcome::Held)));
    let learned = learn(&files(), &[late, update], &LearnOptions::default()).unwrap();
    let text = text_of(&learned, "fixes.kdl");
    assert!(text.ends_with(
        r#"    // The first time it was used.
    evidence "ESC-1" outcome="held" at="2026-03-02"
    evidence "ESC-9" outcome="failed" at="2026-03-02" note="came back in \"two\" weeks"
}
"#
    ));
    assert_eq!(learned.count(ActionKind::EvidenceAdded), 1);
    assert_eq!(learned.count(ActionKind::EvidenceUpdated), 1);
    let updated = learned
        .actions
        .iter()
        .find(|a| a.kind == ActionKind::EvidenceUpdated)
        .unwrap();
    assert_eq!(updated.detail.as_deref(), Some("outcome, at"));
}

#[test]
fn learning_twice_adds_nothing() {
    let decisions = vec![
        decision(
            "ESC-7",
            &["order-dependent-test"],
            Some(("random-test-order", Outcome::Held)),
        ),
        decision(
            "ESC-8",
            &["flaky-test"],
            Some(("quarantine", Outcome::Held)),
        ),
    ];
    let options = LearnOptions { examples: true };
    let first = learn(&files(), &decisions, &options).unwrap();
    assert_eq!(first.files.len(), 2);
    let after = applied(&files(), &first);
    let second = learn(&after, &decisions, &options).unwrap();
    assert!(second.files.is_empty(), "{:?}", second.files);
    assert_eq!(second.count(ActionKind::EvidenceKnown), 2);
    assert_eq!(second.count(ActionKind::ExampleKnown), 2);
}

#[test]
fn a_repeated_decision_in_one_run_is_learned_once() {
    let d = decision(
        "ESC-7",
        &["flaky-test"],
        Some(("quarantine", Outcome::Held)),
    );
    let learned = learn(&files(), &[d.clone(), d], &LearnOptions { examples: true }).unwrap();
    let text = text_of(&learned, "fixes.kdl");
    assert_eq!(text.matches("ESC-7").count(), 1);
    assert_eq!(learned.count(ActionKind::EvidenceKnown), 1);
    assert_eq!(learned.count(ActionKind::ExampleKnown), 1);
}

#[test]
fn examples_go_after_the_last_matches_or_into_a_new_block() {
    let decisions = vec![decision(
        "ESC-7",
        &["flaky-test", "order-dependent-test"],
        None,
    )];
    let learned = learn(&files(), &decisions, &LearnOptions { examples: true }).unwrap();
    assert_eq!(
        text_of(&learned, "modes.kdl"),
        "// Failure modes of the test suite.

failure-mode \"flaky-test\" {
    title \"Flaky test\"
    signals {
        phrase \"flaky\" weight=0.7 // the word people use
    }
    examples {
        matches \"checkout test is flaky\"
        matches \"ESC-7 title\"
        rejects \"build always fails\"
    }
    since \"0.1.0\"
}

failure-mode \"order-dependent-test\" {
    title \"Order-dependent test\"
    parent \"flaky-test\"
    examples {
        matches \"ESC-7 title\"
    }
    since \"0.1.0\"
}
"
    );
    assert_eq!(learned.count(ActionKind::ExampleAdded), 2);
}

#[test]
fn without_the_option_no_example_is_written() {
    let d = decision(
        "ESC-7",
        &["flaky-test"],
        Some(("quarantine", Outcome::Held)),
    );
    let learned = learn(&files(), &[d], &LearnOptions::default()).unwrap();
    assert_eq!(learned.files.len(), 1);
    assert_eq!(learned.files[0].path, "fixes.kdl");
}

#[test]
fn edits_keep_every_byte_outside_them() {
    let d = decision(
        "ESC-7",
        &["order-dependent-test"],
        Some(("random-test-order", Outcome::Held)),
    );
    let learned = learn(&files(), &[d], &LearnOptions { examples: true }).unwrap();
    for change in &learned.files {
        let old = &files()
            .into_iter()
            .find(|(p, _)| *p == change.path)
            .unwrap()
            .1;
        assert_eq!(edit::apply(old, &change.edits).unwrap(), change.new_text);
        for e in &change.edits {
            let range = e.range.to_usize();
            assert!(change.new_text.starts_with(&old[..range.start]));
            assert!(change.new_text.ends_with(&old[range.end..]));
        }
        assert!(gapmine_syntax::parse(&change.new_text).errors().is_empty());
    }
}

#[test]
fn an_intervention_that_does_not_resolve_the_class_is_noted() {
    // `quarantine` resolves `flaky-test`, the parent of `order-dependent-test`: no note.
    // `random-test-order` resolves only `order-dependent-test`: a note for `flaky-test`.
    let decisions = vec![
        decision(
            "ESC-7",
            &["order-dependent-test"],
            Some(("quarantine", Outcome::Held)),
        ),
        decision(
            "ESC-8",
            &["flaky-test"],
            Some(("random-test-order", Outcome::Held)),
        ),
    ];
    let learned = learn(&files(), &decisions, &LearnOptions::default()).unwrap();
    let notes: Vec<_> = learned
        .actions
        .iter()
        .filter(|a| a.kind == ActionKind::NotResolved)
        .map(|a| (a.decision, a.entry.as_str(), a.detail.as_deref()))
        .collect();
    assert_eq!(notes, [(1, "random-test-order", Some("flaky-test"))]);
}

#[test]
fn every_wrong_decision_is_reported_and_nothing_is_computed() {
    let mut bad_date = decision(
        "ESC-3",
        &["flaky-test"],
        Some(("quarantine", Outcome::Held)),
    );
    bad_date.intervention.as_mut().unwrap().at = Some("2026-02-30".to_string());
    let mut no_title = decision("ESC-4", &["flaky-test"], None);
    no_title.title = None;
    let decisions = vec![
        decision(
            "ESC-1",
            &["flaky-tset"],
            Some(("random-test-order", Outcome::Held)),
        ),
        decision("ESC-2", &[], Some(("flaky-test", Outcome::Held))),
        bad_date,
        no_title,
        decision("ESC-5", &[], None),
        decision(" ", &["flaky-test"], None),
    ];
    let errors = learn(&files(), &decisions, &LearnOptions { examples: true }).unwrap_err();
    let got: Vec<(usize, String)> = errors
        .iter()
        .map(|e| (e.decision, e.kind.to_string()))
        .collect();
    assert_eq!(
        got,
        [
            (0, "no failure-mode has the id `flaky-tset`; did you mean `flaky-test`?".to_string()),
            (1, "`flaky-test` is a failure-mode, not an intervention; name an intervention here".to_string()),
            (2, "`2026-02-30` is not a date; write `at` as YYYY-MM-DD, like 2026-03-02".to_string()),
            (3, "the decision has no title, so it cannot become an example; add a `title` (or give the records it comes from)".to_string()),
            (4, "the decision confirms no failure mode and names no intervention, so there is nothing to learn; add `failure_modes` or an `intervention`".to_string()),
            (5, "the record id is empty; give the escape record's id".to_string()),
        ]
    );
    assert!(matches!(
        errors[0].kind,
        LearnErrorKind::UnknownId {
            expected: EntryKind::FailureMode,
            ..
        }
    ));
}

#[test]
fn a_crlf_file_stays_crlf() {
    let crlf = FIXES.replace('\n', "\r\n");
    let files = vec![("fixes.kdl".to_string(), crlf)];
    let d = decision("ESC-7", &[], Some(("quarantine", Outcome::Held)));
    let learned = learn(&files, &[d], &LearnOptions::default()).unwrap();
    let text = text_of(&learned, "fixes.kdl");
    assert!(text.contains("evidence \"ESC-7\" outcome=\"held\" at=\"2026-03-02\"\r\n}"));
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
}

#[test]
fn a_tab_indented_file_gets_tabs() {
    let files = vec![(
        "modes.kdl".to_string(),
        "failure-mode \"flaky-test\" {\n\ttitle \"Flaky test\"\n}\n".to_string(),
    )];
    let d = decision("ESC-7", &["flaky-test"], None);
    let learned = learn(&files, &[d], &LearnOptions { examples: true }).unwrap();
    assert_eq!(
        text_of(&learned, "modes.kdl"),
        "failure-mode \"flaky-test\" {\n\ttitle \"Flaky test\"\n\texamples {\n\t\tmatches \"ESC-7 title\"\n\t}\n}\n"
    );
}

#[test]
fn dates_are_checked_against_the_calendar() {
    assert!(is_date("2024-02-29"));
    assert!(!is_date("2023-02-29"));
    assert!(!is_date("2026-13-01"));
    assert!(!is_date("2026-1-01"));
    assert!(is_date("1999-12-31"));
}

#[test]
fn the_analysis_learns_from_the_included_files() {
    let mut host = crate::AnalysisHost::default();
    host.apply_change(crate::Change {
        set: vec![
            (
                crate::MANIFEST.to_string(),
                "catalogue \"t\" version=\"1.0.0\" {\n    include \"*.kdl\"\n}\n".to_string(),
            ),
            ("modes.kdl".to_string(), MODES.to_string()),
            ("fixes.kdl".to_string(), FIXES.to_string()),
        ],
        ..crate::Change::default()
    });
    let d = decision("ESC-7", &[], Some(("quarantine", Outcome::Held)));
    let learned = host
        .analysis()
        .learn(&[d], &LearnOptions::default())
        .unwrap()
        .unwrap();
    assert_eq!(learned.files.len(), 1);
    assert!(learned.files[0].new_text.contains("evidence \"ESC-7\""));
}
