//! Hover: an entry's title, kind, summary, referrers and evidence; schema docs on names and keys.

use crate::fixture::fixture;

fn hover(text: &str) -> String {
    let f = fixture(text);
    match f.host.analysis().hover(&f.position()).unwrap() {
        Some(h) => format!(
            "{}\n---\n{}",
            f.render(&f.position().path, h.range),
            h.markdown
        ),
        None => "no hover".to_string(),
    }
}

const CATALOGUE: &str = r#"
    //- /failure-modes.kdl
    failure-mode "flaky-test" {
        title "Flaky test"
        summary "A test that passes and fails on the same code."
    }
    failure-mode "order-dependent-test" {
        title "Order-dependent test"
        parent "flaky-test"
    }
    //- /interventions.kdl
    intervention "random-test-order" {
        title "Run tests in random order"
        resolves "order-dependent-test" "flaky-test"
        evidence "ESC-1" outcome="held"
        evidence "ESC-2" outcome="failed"
    }
    intervention "quarantine" {
        title "Quarantine flaky tests"
        resolves "flaky-test"
        evidence "ESC-3" outcome="held"
    }
"#;

#[test]
fn on_a_failure_mode_id() {
    let text = CATALOGUE.replace(
        r#"failure-mode "flaky-test""#,
        r#"failure-mode "flaky-$0test""#,
    );
    insta::assert_snapshot!(hover(&text), @r#"
    failure-modes.kdl:1:15-1:25 "flaky-test"
    ---
    **Flaky test**

    failure-mode `flaky-test`

    A test that passes and fails on the same code.

    Referred to by 3: `order-dependent-test` (parent), `random-test-order` (resolves), `quarantine` (resolves)

    Evidence: 3 (2 held, 1 failed, 0 pending), through 2 interventions that resolve it
    "#);
}

#[test]
fn on_a_reference_shows_the_target() {
    let text = CATALOGUE.replace(r#"resolves "flaky-test""#, r#"resolves "flaky-test$0""#);
    insta::assert_snapshot!(hover(&text), @r#"
    interventions.kdl:9:15-9:25 "flaky-test"
    ---
    **Flaky test**

    failure-mode `flaky-test`

    A test that passes and fails on the same code.

    Referred to by 3: `order-dependent-test` (parent), `random-test-order` (resolves), `quarantine` (resolves)

    Evidence: 3 (2 held, 1 failed, 0 pending), through 2 interventions that resolve it
    "#);
}

#[test]
fn on_an_intervention_counts_its_own_evidence() {
    let text = CATALOGUE.replace(
        r#"intervention "random-test-order""#,
        r#"intervention "$0random-test-order""#,
    );
    insta::assert_snapshot!(hover(&text), @r#"
    interventions.kdl:1:15-1:32 "random-test-order"
    ---
    **Run tests in random order**

    intervention `random-test-order`

    Nothing refers to it.

    Evidence: 2 (1 held, 1 failed, 0 pending)
    "#);
}

#[test]
fn on_an_entry_below_a_broken_one() {
    insta::assert_snapshot!(hover(r#"
        //- /controls.kdl
        control "unit-tests" stage=1 {
            title "Unit tests
            summary "broken above: the title is not closed"
        control "code-review" stage=2 {
            title "Code review"
            deprecated
            replaced-by "unit-tests"
        }
        failure-mode "missed-in-review" {
            title "Missed in review"
            caught-by "code-$0review"
        }
    "#), @r#"
    controls.kdl:11:16-11:27 "code-review"
    ---
    **Code review**

    control `code-review` — deprecated, replaced by `unit-tests`

    Referred to by 1: `missed-in-review` (caught-by)
    "#);
}

#[test]
fn on_a_dangling_reference() {
    insta::assert_snapshot!(hover(r#"
        failure-mode "a" {
            title "A"
            caught-by "nowhe$0re"
        }
    "#), @r#"
    catalogue.kdl:3:16-3:23 "nowhere"
    ---
    `nowhere`: no control has this id
    "#);
}

#[test]
fn on_node_names_and_property_keys() {
    insta::assert_snapshot!(hover(r#"
        failure-mode "a" {
            title "A"
            caug$0ht-by "ci"
        }
    "#), @r#"
    catalogue.kdl:3:5-3:14 "caught-by"
    ---
    `caught-by`: The control that should have caught it.

    Takes one argument (id), the id of a control.

    ```kdl
    caught-by "unit-tests"
    ```
    "#);
    insta::assert_snapshot!(hover(r#"
        failure-mode "a" {
            title "A"
            signals {
                phrase "flaky" wei$0ght=0.9
            }
        }
    "#), @r#"
    catalogue.kdl:4:24-4:30 "weight"
    ---
    `weight`: How much the signal counts; a negative weight lowers the score.

    number in [-1, 1], default 0.5.
    "#);
    insta::assert_snapshot!(hover(r#"
        failure-$0mode "a" {
            title "A"
        }
    "#), @r#"
    catalogue.kdl:1:1-1:13 "failure-mode"
    ---
    `failure-mode`: A named class of escape, with the signals that recognise it in escape records.
    "#);
}
