//! Code actions that write a pending decision (what `gapmine learn` reads) into the catalogue.

use gapmine_ide::learn::{Decision, LearnOptions, parse_decision};
use gapmine_ide::{Assist, Change};
use gapmine_syntax::edit;

use crate::fixture::{Fixture, fixture};

const CATALOGUE: &str = r#"
    //- /modes.kdl
    failure-mode "flaky-test" {
        title "Flaky test"
        // The signals stay as they are.
        examples {
            matches "Build red then green"
        }
    }
    //- /fixes.kdl
    intervention "quarantine-flaky-tests" {
        title "Quarantine flaky tests"
        resolves "flaky-t$0est"
        evidence "CHK-400" outcome="held"
        see "https://example.com/flaky"
    }
"#;

const DECISION: &str = r#"{"record": "CHK-415", "failure_modes": ["flaky-test"], "intervention": "quarantine-flaky-tests", "outcome": "held", "at": "2026-10-02", "title": "CheckoutIT fails one run in ten"}"#;

fn with_decisions(text: &str, decisions: &[&str]) -> Fixture {
    let mut f = fixture(text);
    let decisions: Vec<Decision> = decisions
        .iter()
        .map(|line| parse_decision(line).unwrap())
        .collect();
    f.host.set_decisions(decisions);
    f
}

/// The learn assists at the fixture's range.
fn learn_assists(f: &Fixture) -> Vec<Assist> {
    f.host
        .analysis()
        .code_actions(&f.range())
        .unwrap()
        .into_iter()
        .filter(|a| a.id.starts_with("learn-"))
        .collect()
}

/// What `gapmine learn` computes for the decisions: (path, new text) per changed file.
fn cli_learn(f: &Fixture, decisions: &[Decision], examples: bool) -> Vec<(String, String)> {
    let learned = f
        .host
        .analysis()
        .learn(decisions, &LearnOptions { examples })
        .unwrap()
        .unwrap();
    learned
        .files
        .into_iter()
        .map(|c| (c.path, c.new_text))
        .collect()
}

fn applied(f: &Fixture, assist: &Assist) -> Vec<(String, String)> {
    assist
        .source_change
        .edits
        .iter()
        .map(|(path, edits)| (path.clone(), edit::apply(f.text(path), edits).unwrap()))
        .collect()
}

#[test]
fn evidence_is_offered_in_the_intervention_with_the_edit_of_gapmine_learn() {
    let mut f = with_decisions(CATALOGUE, &[DECISION]);
    let assists = learn_assists(&f);
    let labels: Vec<&str> = assists.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["Record the evidence of CHK-415: held, 2026-10-02"]);
    let after = applied(&f, &assists[0]);
    assert_eq!(
        after,
        cli_learn(&f, &[parse_decision(DECISION).unwrap()], false)
    );
    assert_eq!(
        after[0].1,
        "intervention \"quarantine-flaky-tests\" {\n    title \"Quarantine flaky tests\"\n    resolves \"flaky-test\"\n    evidence \"CHK-400\" outcome=\"held\"\n    evidence \"CHK-415\" outcome=\"held\" at=\"2026-10-02\"\n    see \"https://example.com/flaky\"\n}\n"
    );

    // Applied, the evidence is there: the action is gone.
    f.host
        .apply_change(Change::set("fixes.kdl", after[0].1.clone()));
    assert_eq!(learn_assists(&f), []);
}

#[test]
fn a_changed_outcome_updates_the_evidence() {
    let f = with_decisions(
        &CATALOGUE.replace(
            r#""CHK-400" outcome="held""#,
            r#""CHK-415" outcome="pending""#,
        ),
        &[DECISION],
    );
    let labels: Vec<String> = learn_assists(&f).into_iter().map(|a| a.label).collect();
    assert_eq!(labels, ["Update the evidence of CHK-415: held, 2026-10-02"]);
}

#[test]
fn the_title_is_offered_as_an_example_in_the_failure_mode() {
    let text = CATALOGUE
        .replace("flaky-t$0est", "flaky-test")
        .replace("title \"Flaky test\"", "title \"Flaky $0test\"");
    let mut f = with_decisions(&text, &[DECISION]);
    let assists = learn_assists(&f);
    let labels: Vec<&str> = assists.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["Add CHK-415's title as an example"]);
    let after = applied(&f, &assists[0]);
    let example_only = Decision {
        intervention: None,
        ..parse_decision(DECISION).unwrap()
    };
    assert_eq!(after, cli_learn(&f, &[example_only], true));
    assert!(
        after[0].1.contains(
            "        matches \"Build red then green\"\n        matches \"CheckoutIT fails one run in ten\"\n"
        ),
        "{}",
        after[0].1
    );
    f.host
        .apply_change(Change::set("modes.kdl", after[0].1.clone()));
    assert_eq!(learn_assists(&f), []);
}

#[test]
fn a_decision_without_a_title_takes_the_one_of_the_records_history() {
    let text = CATALOGUE
        .replace("flaky-t$0est", "flaky-test")
        .replace("matches \"Build", "matches \"$0Build");
    let untitled = DECISION.replace(r#", "title": "CheckoutIT fails one run in ten""#, "");
    let mut f = with_decisions(&text, &[&untitled]);
    assert_eq!(learn_assists(&f), [], "no title, no history: no example");
    let record = serde_json::from_value(
        serde_json::json!({"id": "CHK-415", "title": "Payment test times out"}),
    )
    .unwrap();
    f.host.set_history(Some(vec![record]));
    let assists = learn_assists(&f);
    assert_eq!(assists.len(), 1);
    assert!(
        applied(&f, &assists[0])[0]
            .1
            .contains("matches \"Payment test times out\""),
    );
}

#[test]
fn nothing_is_offered_outside_the_entries_a_decision_names() {
    let other = r#"{"record": "CHK-9", "failure_modes": ["flaky-test"]}"#;
    let f = with_decisions(CATALOGUE, &[other]);
    assert_eq!(learn_assists(&f), []);
}
