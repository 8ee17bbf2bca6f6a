//! Semantic tokens: entry kinds, schema names, ids, references (resolved or not), enums, regexes.

use gapmine_ide::SemanticTokenKind;

use crate::fixture::fixture;

fn tokens(text: &str, path: &str) -> String {
    let f = fixture(text);
    let file = f.text(path).to_string();
    f.host
        .analysis()
        .semantic_tokens(path)
        .unwrap()
        .iter()
        .map(|t| {
            let kind = match t.kind {
                SemanticTokenKind::EntryKind => "entry-kind",
                SemanticTokenKind::NodeName => "node",
                SemanticTokenKind::PropertyKey => "property",
                SemanticTokenKind::Id => "id",
                SemanticTokenKind::Reference => "reference",
                SemanticTokenKind::EnumValue => "enum",
                SemanticTokenKind::Regex => "regex",
            };
            let mut modifiers = String::new();
            for (on, name) in [
                (t.modifiers.declaration, "declaration"),
                (t.modifiers.deprecated, "deprecated"),
                (t.modifiers.unresolved, "unresolved"),
            ] {
                if on {
                    modifiers.push('+');
                    modifiers.push_str(name);
                }
            }
            format!(
                "{kind}{modifiers} {}\n",
                &file[t.range.start as usize..t.range.end as usize]
            )
        })
        .collect()
}

#[test]
fn classifies_what_the_schema_knows() {
    insta::assert_snapshot!(tokens(r##"
        //- /a.kdl
        failure-mode "flaky-test" {
            title "Flaky test"
            layer "control"
            caught-by "unit-tests"
            parent "nowhere"
            signals {
                pattern #"(?i)flak\w+"# weight=0.5 in="title"
            }
            probes {
                probe "sleeps" glob="**/*.java" pattern=#"Thread\.sleep"#
            }
            unknown "not in the schema"
        }
        control "unit-tests" stage=1 {
            title "Unit tests"
            deprecated
        }
    "##, "a.kdl"), @r##"
    entry-kind failure-mode
    id+declaration "flaky-test"
    node title
    node layer
    enum "control"
    node caught-by
    reference+deprecated "unit-tests"
    node parent
    reference+unresolved "nowhere"
    node signals
    node pattern
    regex #"(?i)flak\w+"#
    property weight
    property in
    enum "title"
    node probes
    node probe
    property glob
    property pattern
    regex #"Thread\.sleep"#
    entry-kind control
    id+declaration+deprecated "unit-tests"
    property stage
    node title
    node deprecated
    "##);
}

#[test]
fn a_broken_node_does_not_hide_the_ones_after_it() {
    insta::assert_snapshot!(tokens(r#"
        //- /a.kdl
        objective "green" {
            title "Green
            severity "high"
        objective "fast" {
            severity "critical"
        }
    "#, "a.kdl"), @r#"
    entry-kind objective
    id+declaration "green"
    node title
    node severity
    enum "high"
    entry-kind objective
    id+declaration "fast"
    node severity
    enum "critical"
    "#);
}
