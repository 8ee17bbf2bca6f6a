//! Diagnostics: what `gapmine check` reports, per file, failing examples at the example.

use crate::fixture::fixture;

#[test]
fn a_file_gets_the_checker_diagnostics_and_failing_examples_at_the_example() {
    let f = fixture(
        r#"
        //- /failure-modes.kdl
        failure-mode "flaky-test" {
            title "Flaky test"
            signals {
                phrase "flaky"
            }
            examples {
                matches "the build is flaky"
                matches "timeout in the payment service"
            }
        }
        //- /interventions.kdl
        intervention "retry" {
            title "Retry"
            resolves "flaky-tests"
        }
    "#,
    );
    let analysis = f.host.analysis();
    let render = |path: &str| -> String {
        analysis
            .file_diagnostics(path)
            .unwrap()
            .iter()
            .map(|d| {
                format!(
                    "{}[{}] {}: {}\n",
                    d.severity.as_str(),
                    d.code.name(),
                    f.render(&d.file, d.range),
                    d.message
                )
            })
            .collect()
    };
    insta::assert_snapshot!(render("failure-modes.kdl"), @r#"
    warning[uncovered-failure-mode] failure-modes.kdl:1:14-1:26 "\"flaky-test\"": no intervention resolves `flaky-test`
    error[failing-example] failure-modes.kdl:8:17-8:49 "\"timeout in the payment service\"": this example is not classified as `flaky-test`: it scores 0.00, below the threshold 0.50
    "#);
    insta::assert_snapshot!(render("interventions.kdl"), @r#"error[dangling-reference] interventions.kdl:3:14-3:27 "\"flaky-tests\"": no failure mode has the id `flaky-tests`"#);
    // The same as the whole catalogue's, which is what `gapmine check` prints.
    let all = analysis.diagnostics().unwrap();
    let mut per_file = analysis.file_diagnostics("gapmine.kdl").unwrap();
    for path in analysis.included_files().unwrap() {
        per_file.extend(analysis.file_diagnostics(&path).unwrap());
    }
    assert_eq!(all, per_file);
}

#[test]
fn diagnostics_after_an_edit() {
    let mut f = fixture(
        r#"
        //- /a.kdl
        control "ci" stage=1 {
            title "CI"
        }
        failure-mode "leak" {
            title "Leak"
            caught-by "ci"
        }
    "#,
    );
    assert_eq!(
        f.host.analysis().file_diagnostics("a.kdl").unwrap().len(),
        1
    ); // uncovered
    let text = f
        .text("a.kdl")
        .replace(r#"control "ci""#, r#"control "cd""#);
    f.host.apply_change(gapmine_ide::Change::set("a.kdl", text));
    let codes: Vec<&str> = f
        .host
        .analysis()
        .file_diagnostics("a.kdl")
        .unwrap()
        .iter()
        .map(|d| d.code.name())
        .collect();
    assert_eq!(codes, ["uncovered-failure-mode", "dangling-reference"]);
}
