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

/// The cross-file fingerprint, by which the language server decides whether an edit can have
/// changed other files' diagnostics now (then it checks them at once) or only moved their
/// labels (then a little later): the same after an edit to a title, a summary or the layout;
/// different after a rename, a reference edit or a signal edit.
#[test]
fn the_cross_file_fingerprint_changes_with_ids_references_and_signals_only() {
    let mut f = fixture(
        r#"
        //- /a.kdl
        failure-mode "leak" {
            title "Leak"
            summary "Memory grows until the pod is killed."
            caught-by "ci"
            signals {
                phrase "out of memory"
            }
        }
        //- /b.kdl
        control "ci" stage=1 {
            title "CI"
        }
    "#,
    );
    let original = f.text("a.kdl").to_owned();
    let fingerprint = |f: &crate::fixture::Fixture| {
        f.host
            .analysis()
            .cross_file_fingerprint("a.kdl")
            .unwrap()
            .expect("a file of the catalogue has one")
    };
    let before = fingerprint(&f);
    let mut after = |from: &str, to: &str| {
        f.host.apply_change(gapmine_ide::Change::set(
            "a.kdl",
            original.replace(from, to),
        ));
        fingerprint(&f)
    };
    assert_eq!(after("Leak", "Memory leak"), before, "a title");
    assert_eq!(after("until the pod", "till the pod"), before, "a summary");
    assert_eq!(after("    title", "\n    title"), before, "the layout");
    assert_ne!(after("\"leak\"", "\"leaks\""), before, "a rename");
    assert_ne!(after("\"ci\"", "\"cd\""), before, "a reference");
    assert_ne!(after("out of memory", "OOM killed"), before, "a signal");
    assert_eq!(after("Leak", "Leak"), before, "back as it was");
    let analysis = f.host.analysis();
    assert_eq!(
        analysis.cross_file_fingerprint("gapmine.kdl").unwrap(),
        None
    );
    assert_eq!(analysis.cross_file_fingerprint("nope.kdl").unwrap(), None);
}
