//! Go to definition, find references and document highlight, across files and in broken files.

use gapmine_ide::HighlightKind;

use crate::fixture::fixture;

fn definition(text: &str) -> String {
    let f = fixture(text);
    let targets = f.host.analysis().goto_definition(&f.position()).unwrap();
    targets
        .iter()
        .map(|t| {
            format!(
                "{} {} {}\n  full {}\n",
                t.kind,
                t.name,
                f.render(&t.path, t.focus_range),
                f.render(&t.path, t.full_range).lines().next().unwrap_or("")
            )
        })
        .collect()
}

fn references(text: &str, include_declaration: bool) -> String {
    let f = fixture(text);
    let ranges = f
        .host
        .analysis()
        .references(&f.position(), include_declaration)
        .unwrap();
    f.render_all(&ranges)
}

const CATALOGUE: &str = r#"
    //- /failure-modes.kdl
    failure-mode "flaky-test" {
        title "Flaky test"
    }
    failure-mode "order-dependent-test" {
        title "Order-dependent test"
        parent "flaky-test"
    }
    //- /interventions.kdl
    intervention "random-test-order" {
        title "Run tests in random order"
        resolves "order-dependent-test" "flaky-test"
    }
    intervention "quarantine" {
        title "Quarantine flaky tests"
        resolves "flaky-test"
    }
"#;

#[test]
fn definition_from_a_reference_in_another_file() {
    let text = CATALOGUE.replace(
        r#"resolves "order-dependent-test" "flaky-test""#,
        r#"resolves "order-dependent-test" "flaky-$0test""#,
    );
    insta::assert_snapshot!(definition(&text), @r#"
    failure-mode flaky-test failure-modes.kdl:1:15-1:25 "flaky-test"
      full failure-modes.kdl:1:1-3:2 "failure-mode \"flaky-test\" {\n    title \"Flaky test\"\n}"
    "#);
}

#[test]
fn definition_from_the_id_itself() {
    let text = CATALOGUE.replace(
        r#"intervention "quarantine""#,
        r#"intervention "$0quarantine""#,
    );
    insta::assert_snapshot!(definition(&text), @r#"
    intervention quarantine interventions.kdl:5:15-5:25 "quarantine"
      full interventions.kdl:5:1-8:2 "intervention \"quarantine\" {\n    title \"Quarantine flaky tests\"\n    resolves \"flaky-test\"\n}"
    "#);
}

#[test]
fn definition_of_a_duplicate_id_is_every_entry() {
    insta::assert_snapshot!(definition(r#"
        //- /a.kdl
        control "ci" stage=1 {
            title "CI"
        }
        failure-mode "leak" {
            title "Leak"
            caught-by "c$0i"
        }
        //- /b.kdl
        control "ci" stage=2 {
            title "CI again"
        }
    "#), @r#"
    control ci a.kdl:1:10-1:12 "ci"
      full a.kdl:1:1-3:2 "control \"ci\" stage=1 {\n    title \"CI\"\n}"
    control ci b.kdl:1:10-1:12 "ci"
      full b.kdl:1:1-3:2 "control \"ci\" stage=2 {\n    title \"CI again\"\n}"
    "#);
}

#[test]
fn definition_from_a_file_with_a_missing_brace() {
    insta::assert_snapshot!(definition(r#"
        //- /failure-modes.kdl
        failure-mode "flaky-test" {
            title "Flaky test"
        }
        //- /interventions.kdl
        intervention "retry" {
            title "Retry"

        intervention "quarantine" {
            title "Quarantine flaky tests"
            resolves "flaky$0-test"
        }
    "#), @r#"
    failure-mode flaky-test failure-modes.kdl:1:15-1:25 "flaky-test"
      full failure-modes.kdl:1:1-3:2 "failure-mode \"flaky-test\" {\n    title \"Flaky test\"\n}"
    "#);
}

#[test]
fn nothing_to_go_to_from_a_title_or_a_dangling_reference() {
    assert_eq!(
        definition(
            r#"
            failure-mode "flaky-test" {
                title "Flaky $0test"
            }
        "#
        ),
        ""
    );
    assert_eq!(
        definition(
            r#"
            failure-mode "flaky-test" {
                title "Flaky test"
                parent "nowh$0ere"
            }
        "#
        ),
        ""
    );
}

#[test]
fn references_across_files_with_and_without_the_declaration() {
    let text = CATALOGUE.replace(
        r#"failure-mode "flaky-test""#,
        r#"failure-mode "flaky$0-test""#,
    );
    insta::assert_snapshot!(references(&text, false), @r#"
    failure-modes.kdl:6:13-6:23 "flaky-test"
    interventions.kdl:3:38-3:48 "flaky-test"
    interventions.kdl:7:15-7:25 "flaky-test"
    "#);
    insta::assert_snapshot!(references(&text, true), @r#"
    failure-modes.kdl:1:15-1:25 "flaky-test"
    failure-modes.kdl:6:13-6:23 "flaky-test"
    interventions.kdl:3:38-3:48 "flaky-test"
    interventions.kdl:7:15-7:25 "flaky-test"
    "#);
}

#[test]
fn references_from_a_reference_in_a_file_with_an_unterminated_string() {
    insta::assert_snapshot!(references(r#"
        //- /failure-modes.kdl
        failure-mode "flaky-test" {
            title "Flaky test
            summary "the title above is not closed"
        }
        failure-mode "order-dependent-test" {
            title "Order-dependent test"
            parent "flaky-test$0"
        }
    "#, true), @r#"
    failure-modes.kdl:1:15-1:25 "flaky-test"
    failure-modes.kdl:7:13-7:23 "flaky-test"
    "#);
}

#[test]
fn highlight_is_the_same_file_only() {
    let text = CATALOGUE.replace(r#"resolves "flaky-test""#, r#"resolves "flaky-test$0""#);
    let f = fixture(&text);
    let highlights = f.host.analysis().highlight_related(&f.position()).unwrap();
    let rendered: Vec<String> = highlights
        .iter()
        .map(|h| {
            let kind = match h.kind {
                HighlightKind::Definition => "def",
                HighlightKind::Reference => "ref",
            };
            format!("{kind} {}", f.render("interventions.kdl", h.range))
        })
        .collect();
    insta::assert_snapshot!(rendered.join("\n"), @r#"
    ref interventions.kdl:3:38-3:48 "flaky-test"
    ref interventions.kdl:7:15-7:25 "flaky-test"
    "#);
}
