//! Document symbols (entries and their sections) and workspace symbols (fuzzy, every file).

use gapmine_ide::{DocumentSymbol, SymbolKind};

use crate::fixture::{Fixture, fixture};

fn render(f: &Fixture, path: &str, symbols: &[DocumentSymbol], depth: usize, out: &mut String) {
    for s in symbols {
        let kind = match s.kind {
            SymbolKind::Entry(kind) => kind.keyword(),
            SymbolKind::Node => "node",
            SymbolKind::Section => "section",
        };
        let detail = s
            .detail
            .as_deref()
            .map_or(String::new(), |d| format!(" ({d})"));
        let deprecated = if s.deprecated { " deprecated" } else { "" };
        out.push_str(&format!(
            "{}{kind} {}{detail}{deprecated} at {}\n",
            "  ".repeat(depth),
            s.name,
            f.render(path, s.focus_range)
        ));
        render(f, path, &s.children, depth + 1, out);
    }
}

#[test]
fn entries_and_their_sections_in_a_broken_file() {
    let f = fixture(
        r#"
        failure-mode "flaky-test" {
            title "Flaky test"
            signals {
                phrase "flaky"
                label "flaky"
            }
            examples {
                matches "test fails randomly
            }
        }
        intervention "retry" {
            title "Retry"
            deprecated
        failure-mod "typo" {
            title "Typo"
        }
    "#,
    );
    let symbols = f.host.analysis().document_symbols("catalogue.kdl").unwrap();
    let mut out = String::new();
    render(&f, "catalogue.kdl", &symbols, 0, &mut out);
    insta::assert_snapshot!(out, @r#"
    failure-mode flaky-test (Flaky test) at catalogue.kdl:1:15-1:25 "flaky-test"
      section signals at catalogue.kdl:3:5-3:12 "signals"
        section phrase (flaky) at catalogue.kdl:4:9-4:15 "phrase"
        section label (flaky) at catalogue.kdl:5:9-5:14 "label"
      section examples at catalogue.kdl:7:5-7:13 "examples"
        section matches (test fails randomly) at catalogue.kdl:8:9-8:16 "matches"
    intervention retry (Retry) deprecated at catalogue.kdl:11:15-11:20 "retry"
    node failure-mod (typo) at catalogue.kdl:14:1-14:12 "failure-mod"
    "#);
}

#[test]
fn workspace_symbols_match_ids_and_titles_fuzzily_across_files() {
    let f = fixture(
        r#"
        //- /a.kdl
        failure-mode "order-dependent-test" {
            title "Order-dependent test"
        }
        failure-mode "flaky-test" {
            title "Flaky test"
        }
        //- /b.kdl
        intervention "random-test-order" {
            title "Shuffle the suite"
        }
        control "ci" stage=1 {
            title "Continuous integration"
        }
    "#,
    );
    let search = |query: &str| -> String {
        f.host
            .analysis()
            .workspace_symbols(query)
            .unwrap()
            .iter()
            .map(|s| {
                format!(
                    "{} {} ({}) at {}\n",
                    s.target.kind,
                    s.target.name,
                    s.title.as_deref().unwrap_or(""),
                    f.render(&s.target.path, s.target.focus_range)
                )
            })
            .collect()
    };
    insta::assert_snapshot!(search("order"), @r#"
    failure-mode order-dependent-test (Order-dependent test) at a.kdl:1:15-1:35 "order-dependent-test"
    intervention random-test-order (Shuffle the suite) at b.kdl:1:15-1:32 "random-test-order"
    "#);
    insta::assert_snapshot!(search("rto"), @r#"
    intervention random-test-order (Shuffle the suite) at b.kdl:1:15-1:32 "random-test-order"
    control ci (Continuous integration) at b.kdl:4:10-4:12 "ci"
    "#);
    insta::assert_snapshot!(search("continuous"), @r#"control ci (Continuous integration) at b.kdl:4:10-4:12 "ci""#);
    assert_eq!(f.host.analysis().workspace_symbols("").unwrap().len(), 4);
}
