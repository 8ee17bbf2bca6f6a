//! Inlay hints: the referenced entry's title after each reference, across files.

use gapmine_syntax::TextRange;

use crate::fixture::fixture;

#[test]
fn the_title_after_each_reference_that_resolves() {
    let f = fixture(
        r#"
        //- /failure-modes.kdl
        failure-mode "flaky-test" {
            title "Flaky test"
        }
        failure-mode "slow" {
            title "A test so slow that the whole suite times out in continuous integration"
        }
        //- /interventions.kdl
        intervention "retry" {
            title "Retry"
            resolves "flaky-test" "slow" "nowhere"
            hardens "flaky-test"
        }
    "#,
    );
    let text = f.text("interventions.kdl");
    let render = |range: Option<TextRange>| -> String {
        f.host
            .analysis()
            .inlay_hints("interventions.kdl", range)
            .unwrap()
            .iter()
            .map(|h| {
                let before = &text[..h.offset as usize];
                let word = &before[before.rfind(' ').unwrap() + 1..];
                format!("{word}: {}\n", h.label)
            })
            .collect()
    };
    // `hardens` expects a control, so `flaky-test` there gets no hint; `nowhere` names nothing.
    insta::assert_snapshot!(render(None), @r#"
    "flaky-test": Flaky test
    "slow": A test so slow that the whole suite tim…
    "#);
    let second = text.find("\"slow\"").unwrap() as u32;
    insta::assert_snapshot!(render(Some(TextRange::new(second, second + 6))), @r#""slow": A test so slow that the whole suite tim…"#);
}
