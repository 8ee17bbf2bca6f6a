//! Completion: ids of the expected kind, node and property names, enum values; in broken files.

use gapmine_ide::CompletionKind;

use crate::fixture::fixture;

/// The completions, one a line: label, kind, the text inserted and the range replaced.
fn complete(text: &str) -> String {
    let f = fixture(text);
    let position = f.position();
    let items = f.host.analysis().completions(&position).unwrap().items;
    let file = f.text(&position.path);
    items
        .iter()
        .map(|item| {
            let kind = match item.kind {
                CompletionKind::Id(kind) => kind.keyword().to_string(),
                CompletionKind::EntryKind => "entry kind".into(),
                CompletionKind::Node => "node".into(),
                CompletionKind::Property => "property".into(),
                CompletionKind::EnumValue => "value".into(),
            };
            let replaced =
                &file[item.replace_range.start as usize..item.replace_range.end as usize];
            let deprecated = if item.deprecated { " (deprecated)" } else { "" };
            format!(
                "{} [{kind}]{deprecated} {replaced:?} -> {:?}\n",
                item.label, item.insert_text
            )
        })
        .collect()
}

const ENTRIES: &str = r#"
    //- /failure-modes.kdl
    failure-mode "flaky-test" {
        title "Flaky test"
        summary "Passes and fails on the same code."
    }
    failure-mode "order-dependent-test" {
        title "Order-dependent test"
    }
    failure-mode "old-flake" {
        title "Old"
        deprecated
    }
    //- /controls.kdl
    control "unit-tests" stage=1 {
        title "Unit tests"
    }
"#;

fn with(file: &str) -> String {
    format!("{ENTRIES}\n    //- /editing.kdl\n{file}")
}

#[test]
fn resolves_in_an_unterminated_string_offers_failure_modes() {
    insta::assert_snapshot!(complete(&with(r#"
    intervention "retry" {
        title "Retry"
        resolves "ord$0
    }
    "#)), @r#"order-dependent-test [failure-mode] "ord" -> "order-dependent-test\"""#);
}

#[test]
fn a_reference_after_a_space_is_quoted() {
    insta::assert_snapshot!(complete(&with(r#"
    objective "green" {
        title "Green"
        threatened-by "flaky-test" $0
    }
    "#)), @r#"
    order-dependent-test [failure-mode] "" -> "\"order-dependent-test\""
    old-flake [failure-mode] (deprecated) "" -> "\"old-flake\""
    "#);
}

#[test]
fn caught_by_offers_controls_and_parent_leaves_out_the_entry_itself() {
    insta::assert_snapshot!(complete(&with(r#"
    failure-mode "leak" {
        title "Leak"
        caught-by "$0"
    }
    "#)), @r#"unit-tests [control] "" -> "unit-tests""#);
    insta::assert_snapshot!(complete(&with(r#"
    failure-mode "leak" {
        title "Leak"
        parent "fla$0ky"
    }
    "#)), @r#"
    flaky-test [failure-mode] "flaky" -> "flaky-test"
    old-flake [failure-mode] (deprecated) "flaky" -> "old-flake"
    "#);
}

#[test]
fn ids_come_with_title_and_summary() {
    let f = fixture(&with(
        r#"
    intervention "retry" {
        title "Retry"
        resolves "$0"
    }
    "#,
    ));
    let items = f.host.analysis().completions(&f.position()).unwrap().items;
    let flaky = items.iter().find(|i| i.label == "flaky-test").unwrap();
    assert_eq!(flaky.detail.as_deref(), Some("Flaky test"));
    assert_eq!(
        flaky.documentation.as_deref(),
        Some("**Flaky test**\n\nfailure-mode `flaky-test`\n\nPasses and fails on the same code.")
    );
}

#[test]
fn node_names_valid_in_the_block() {
    insta::assert_snapshot!(complete(r#"
    intervention "retry" {
        title "Retry"
        $0
    }
    "#), @r#"
    summary [node] "" -> "summary"
    tags [node] "" -> "tags"
    see [node] "" -> "see"
    since [node] "" -> "since"
    deprecated [node] "" -> "deprecated"
    replaced-by [node] "" -> "replaced-by"
    kind [node] "" -> "kind"
    resolves [node] "" -> "resolves"
    hardens [node] "" -> "hardens"
    effort [node] "" -> "effort"
    verify [node] "" -> "verify"
    evidence [node] "" -> "evidence"
    "#);
    insta::assert_snapshot!(complete(r#"
    failure-mode "leak" {
        title "Leak"
        signals {
            phrase "leak"
            la$0
        }
    }
    "#), @r#"
    phrase [node] "la" -> "phrase"
    pattern [node] "la" -> "pattern"
    label [node] "la" -> "label"
    field [node] "la" -> "field"
    "#);
}

#[test]
fn entry_kinds_at_the_top_of_a_file() {
    insta::assert_snapshot!(complete(r#"
    failure-mode "leak" {
        title "Leak"
    }
    fai$0
    "#), @r#"
    failure-mode [entry kind] "fai" -> "failure-mode"
    intervention [entry kind] "fai" -> "intervention"
    objective [entry kind] "fai" -> "objective"
    control [entry kind] "fai" -> "control"
    "#);
}

#[test]
fn property_names_valid_on_the_node() {
    insta::assert_snapshot!(complete(r#"
    failure-mode "leak" {
        title "Leak"
        signals {
            phrase "leak" weight=0.5 $0
        }
    }
    "#), @r#"in [property] "" -> "in=""#);
    insta::assert_snapshot!(complete(r#"
    intervention "retry" {
        title "Retry"
        evidence "ESC-1" outcome="held" no$0
    }
    "#), @r#"
    at [property] "no" -> "at="
    note [property] "no" -> "note="
    "#);
}

#[test]
fn enum_values_of_arguments_and_properties() {
    insta::assert_snapshot!(complete(r#"
    objective "green" {
        title "Green"
        severity "$0"
    }
    "#), @r#"
    critical [value] "" -> "critical"
    high [value] "" -> "high"
    medium [value] "" -> "medium"
    low [value] "" -> "low"
    "#);
    insta::assert_snapshot!(complete(r#"
    failure-mode "leak" {
        title "Leak"
        layer $0
    }
    "#), @r#"
    control [value] "" -> "\"control\""
    system [value] "" -> "\"system\""
    "#);
    insta::assert_snapshot!(complete(r#"
    intervention "retry" {
        title "Retry"
        kind "co
        evidence "ESC-1" outcome=$0
    }
    "#), @r#"
    held [value] "" -> "\"held\""
    failed [value] "" -> "\"failed\""
    pending [value] "" -> "\"pending\""
    "#);
}

#[test]
fn nothing_inside_a_title_or_after_a_closing_quote() {
    assert_eq!(
        complete(
            r#"
        failure-mode "leak" {
            title "Le$0ak"
        }
        "#
        ),
        ""
    );
    assert_eq!(
        complete(
            r#"
        failure-mode "leak" {
            title "Leak"
            layer "control"$0
        }
        "#
        ),
        ""
    );
}

#[test]
fn manifest_children() {
    insta::assert_snapshot!(complete(r#"
    //- /gapmine.kdl
    catalogue "test" version="1.0.0" {
        include "*.kdl"
        $0
    }
    "#), @r#"
    include [node] "" -> "include"
    threshold [node] "" -> "threshold"
    priority [node] "" -> "priority"
    "#);
}

#[test]
fn ids_are_offered_best_first_at_most_a_hundred_and_the_list_says_when_more_match() {
    let mut text =
        String::from("intervention \"retry\" {\n    title \"Retry\"\n    resolves \"$0\"\n}\n");
    for i in 0..150 {
        text.push_str(&format!(
            "failure-mode \"fault-{i:03}\" {{\n    title \"Fault {i}\"\n}}\n"
        ));
    }
    text.push_str("failure-mode \"t-9\" {\n    title \"T\"\n}\n");
    let all = fixture(&text);
    let completions = all.host.analysis().completions(&all.position()).unwrap();
    assert_eq!(completions.items.len(), gapmine_ide::ID_COMPLETION_LIMIT);
    assert!(completions.incomplete);

    let complete = |typed: &str| {
        let f = fixture(&text.replace("resolves \"$0\"", &format!("resolves \"{typed}$0\"")));
        let completions = f.host.analysis().completions(&f.position()).unwrap();
        let labels: Vec<String> = completions.items.into_iter().map(|i| i.label).collect();
        (labels, completions.incomplete)
    };
    // `t-9` holds what was typed from its start: before the `fault-…` that hold it further
    // in, which keep catalogue order among themselves; 151 match, 100 are offered.
    let (labels, incomplete) = complete("t-");
    assert_eq!(&labels[..3], ["t-9", "fault-000", "fault-001"]);
    assert_eq!(labels.len(), gapmine_ide::ID_COMPLETION_LIMIT);
    assert!(incomplete);
    // Typing on narrows the list until it is whole: substrings first, scattered letters after.
    let (labels, incomplete) = complete("t-14");
    assert_eq!(&labels[..2], ["fault-140", "fault-141"]);
    assert!(labels.contains(&"fault-104".to_owned()), "{labels:?}");
    assert!(!incomplete, "{labels:?}");
}
