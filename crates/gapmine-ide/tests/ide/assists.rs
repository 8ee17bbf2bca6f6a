//! Code actions: quick fixes for references and missing children, deprecating an entry.

use gapmine_ide::{Assist, AssistKind};
use gapmine_syntax::edit;

use crate::fixture::{Fixture, fixture};

fn assists(f: &Fixture) -> Vec<Assist> {
    f.host.analysis().code_actions(&f.range()).unwrap()
}

/// The labels of the assists, one a line.
fn labels(f: &Fixture) -> String {
    assists(f)
        .iter()
        .map(|a| {
            let kind = match a.kind {
                AssistKind::QuickFix => "quick fix",
                AssistKind::Refactor => "refactor",
            };
            format!("{} [{kind}] {}\n", a.id, a.label)
        })
        .collect()
}

/// The files an assist changes, after the change.
#[track_caller]
fn apply(f: &Fixture, label: &str) -> String {
    let all = assists(f);
    let assist = all
        .iter()
        .find(|a| a.label == label)
        .unwrap_or_else(|| panic!("no assist `{label}` among {all:#?}"));
    assist
        .source_change
        .edits
        .iter()
        .map(|(path, edits)| format!("//- /{path}\n{}", edit::apply(f.text(path), edits).unwrap()))
        .collect()
}

const DANGLING: &str = r#"
    //- /failure-modes.kdl
    failure-mode "order-dependent-test" {
        title "Order-dependent test"
    }
    //- /interventions.kdl
    intervention "random-test-order" {
        title "Run tests in random order"
        resolves "order-dependant-t$0est"
    }
"#;

#[test]
fn fixes_offered_on_a_dangling_reference() {
    let f = fixture(DANGLING);
    insta::assert_snapshot!(labels(&f), @r"
    fix-reference [quick fix] Change to `order-dependent-test`
    create-entry [quick fix] Create failure-mode `order-dependant-test` in interventions.kdl
    create-entry [quick fix] Create failure-mode `order-dependant-test` in failure-modes.kdl
    ");
}

#[test]
fn fix_a_dangling_reference_to_the_nearest_id() {
    let f = fixture(DANGLING);
    insta::assert_snapshot!(apply(&f, "Change to `order-dependent-test`"), @r#"
    //- /interventions.kdl
    intervention "random-test-order" {
        title "Run tests in random order"
        resolves "order-dependent-test"
    }
    "#);
}

#[test]
fn create_the_missing_entry_in_a_chosen_file() {
    let f = fixture(DANGLING);
    insta::assert_snapshot!(apply(&f, "Create failure-mode `order-dependant-test` in failure-modes.kdl"), @r#"
    //- /failure-modes.kdl
    failure-mode "order-dependent-test" {
        title "Order-dependent test"
    }

    failure-mode "order-dependant-test" {
        title "Order dependant test"
    }
    "#);
}

#[test]
fn a_missing_control_gets_the_next_stage() {
    let f = fixture(
        r#"
        control "unit-tests" stage=2 {
            title "Unit tests"
        }
        failure-mode "leak" {
            title "Leak"
            caught-by "$0canary"
        }
    "#,
    );
    insta::assert_snapshot!(apply(&f, "Create control `canary` in catalogue.kdl"), @r#"
    //- /catalogue.kdl
    control "unit-tests" stage=2 {
        title "Unit tests"
    }
    failure-mode "leak" {
        title "Leak"
        caught-by "canary"
    }
    control "canary" stage=3 {
        title "Canary"
    }
    "#);
}

#[test]
fn a_deprecated_reference_is_replaced_by_the_replacement() {
    let f = fixture(
        r#"
        failure-mode "flaky" {
            title "Flaky"
            deprecated
            replaced-by "flaky-test"
        }
        failure-mode "flaky-test" {
            title "Flaky test"
        }
        intervention "retry" {
            title "Retry"
            resolves "fla$0ky"
        }
    "#,
    );
    insta::assert_snapshot!(labels(&f), @"use-replacement [quick fix] Replace `flaky` with its replacement, `flaky-test`");
    insta::assert_snapshot!(apply(&f, "Replace `flaky` with its replacement, `flaky-test`"), @r#"
    //- /catalogue.kdl
    failure-mode "flaky" {
        title "Flaky"
        deprecated
        replaced-by "flaky-test"
    }
    failure-mode "flaky-test" {
        title "Flaky test"
    }
    intervention "retry" {
        title "Retry"
        resolves "flaky-test"
    }
    "#);
}

#[test]
fn add_a_missing_title_and_stage() {
    let f = fixture(
        r#"
        control "canary-release" {
            summary "A$0 small share of traffic first."
        }
    "#,
    );
    insta::assert_snapshot!(labels(&f), @r#"
    add-missing-child [quick fix] Add `title "Canary release"`
    add-missing-child [quick fix] Add `stage=1`
    "#);
    insta::assert_snapshot!(apply(&f, r#"Add `title "Canary release"`"#), @r#"
    //- /catalogue.kdl
    control "canary-release" {
        title "Canary release"
        summary "A small share of traffic first."
    }
    "#);
    insta::assert_snapshot!(apply(&f, "Add `stage=1`"), @r#"
    //- /catalogue.kdl
    control "canary-release" stage=1 {
        summary "A small share of traffic first."
    }
    "#);
}

#[test]
fn add_a_missing_outcome_in_a_broken_file() {
    let f = fixture(
        r#"
        intervention "retry" {
            title "Retry
            evidence "ESC-1"$0 at="2026-01-02"
        }
    "#,
    );
    insta::assert_snapshot!(apply(&f, r#"Add `outcome="pending"`"#), @r#"
    //- /catalogue.kdl
    intervention "retry" {
        title "Retry
        evidence "ESC-1" at="2026-01-02" outcome="pending"
    }
    "#);
}

#[test]
fn mark_an_entry_deprecated_with_its_replacement() {
    let f = fixture(
        r#"
        failure-mode "flaky$0" {
            title "Flaky"
        }
        failure-mode "flaky-test" {
            title "Flaky test"
        }
        failure-mode "flaky-build" {
            title "Flaky build"
            deprecated
        }
        control "flaky-ci" stage=1 {
            title "Flaky CI"
        }
    "#,
    );
    insta::assert_snapshot!(labels(&f), @r"
    deprecate-entry [refactor] Mark `flaky` deprecated
    deprecate-entry [refactor] Mark `flaky` deprecated, replaced by `flaky-test`
    ");
    insta::assert_snapshot!(apply(&f, "Mark `flaky` deprecated, replaced by `flaky-test`"), @r#"
    //- /catalogue.kdl
    failure-mode "flaky" {
        title "Flaky"
        deprecated
        replaced-by "flaky-test"
    }
    failure-mode "flaky-test" {
        title "Flaky test"
    }
    failure-mode "flaky-build" {
        title "Flaky build"
        deprecated
    }
    control "flaky-ci" stage=1 {
        title "Flaky CI"
    }
    "#);
}
