//! Rename: every file of the catalogue, strings keep their style, refused on a taken or invalid id.

use gapmine_syntax::edit;

use crate::fixture::{Fixture, fixture};

/// The files the rename changes, each after the change.
fn rename(f: &Fixture, new_name: &str) -> String {
    let change = f
        .host
        .analysis()
        .rename(&f.position(), new_name)
        .unwrap()
        .unwrap_or_else(|e| panic!("the rename was refused: {e}"));
    change
        .edits
        .iter()
        .map(|(path, edits)| {
            let text = edit::apply(f.text(path), edits).unwrap();
            format!("//- /{path}\n{text}")
        })
        .collect()
}

fn refused(f: &Fixture, new_name: &str) -> String {
    match f.host.analysis().rename(&f.position(), new_name).unwrap() {
        Ok(change) => panic!("the rename was done: {change:?}"),
        Err(e) => e.to_string(),
    }
}

const CATALOGUE: &str = r##"
    //- /failure-modes.kdl
    failure-mode "flaky-test" {
        title "Flaky test"
        deprecated
        replaced-by order-dependent-test
    }
    failure-mode "order-dependent-test" {
        title "Order-dependent test"
        parent "flaky-test"
    }
    //- /interventions.kdl
    intervention "random-test-order" {
        title "Run tests in random order"
        resolves "order-$0dependent-test" #"flaky-test"#
    }
    //- /priorities.kdl
    objective "green-builds" {
        title "Green builds"
        threatened-by "order-dependent-test"
    }
"##;

#[test]
fn renames_the_definition_and_every_reference_in_every_file() {
    let f = fixture(CATALOGUE);
    insta::assert_snapshot!(rename(&f, "test-order-dependence"), @r##"
    //- /failure-modes.kdl
    failure-mode "flaky-test" {
        title "Flaky test"
        deprecated
        replaced-by test-order-dependence
    }
    failure-mode "test-order-dependence" {
        title "Order-dependent test"
        parent "flaky-test"
    }
    //- /interventions.kdl
    intervention "random-test-order" {
        title "Run tests in random order"
        resolves "test-order-dependence" #"flaky-test"#
    }
    //- /priorities.kdl
    objective "green-builds" {
        title "Green builds"
        threatened-by "test-order-dependence"
    }
    "##);
}

#[test]
fn a_raw_string_stays_raw() {
    let f = fixture(&CATALOGUE.replace("$0", "").replace(
        r#"failure-mode "flaky-test""#,
        r#"failure-mode "flaky$0-test""#,
    ));
    insta::assert_snapshot!(rename(&f, "intermittent-test"), @r##"
    //- /failure-modes.kdl
    failure-mode "intermittent-test" {
        title "Flaky test"
        deprecated
        replaced-by order-dependent-test
    }
    failure-mode "order-dependent-test" {
        title "Order-dependent test"
        parent "intermittent-test"
    }
    //- /interventions.kdl
    intervention "random-test-order" {
        title "Run tests in random order"
        resolves "order-dependent-test" #"intermittent-test"#
    }
    "##);
}

#[test]
fn prepare_rename_is_the_id_without_quotes() {
    let f = fixture(CATALOGUE);
    let range = f
        .host
        .analysis()
        .prepare_rename(&f.position())
        .unwrap()
        .unwrap();
    assert_eq!(
        f.render(&range.path, range.range),
        r#"interventions.kdl:3:15-3:35 "order-dependent-test""#
    );
    let f = fixture(
        &CATALOGUE
            .replace("$0", "")
            .replace(r#"title "Green"#, r#"title "Gr$0een"#),
    );
    let error = f
        .host
        .analysis()
        .prepare_rename(&f.position())
        .unwrap()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "there is no id here: put the cursor on an entry's id or on a reference to one"
    );
}

#[test]
fn refuses_an_id_another_entry_has() {
    let f = fixture(CATALOGUE);
    assert_eq!(
        refused(&f, "flaky-test"),
        "the id `flaky-test` is already taken (in failure-modes.kdl): ids are unique across the catalogue, choose another"
    );
    // Across kinds too: ids are unique across the catalogue.
    assert_eq!(
        refused(&f, "green-builds"),
        "the id `green-builds` is already taken (in priorities.kdl): ids are unique across the catalogue, choose another"
    );
}

#[test]
fn refuses_an_invalid_id() {
    let f = fixture(CATALOGUE);
    assert_eq!(
        refused(&f, "Order Dependent"),
        "`Order Dependent` is not a valid id: ids are kebab-case (lower-case letters and digits in words joined by single hyphens, starting with a letter)"
    );
}

#[test]
fn renames_from_a_file_with_syntax_errors() {
    let f = fixture(
        r#"
        //- /failure-modes.kdl
        failure-mode "flaky-test" {
            title "Flaky test
        }
        failure-mode "order-dependent-test" {
            title "Order-dependent test"
            parent "flaky-test$0"
        //- /interventions.kdl
        intervention "retry" {
            title "Retry"
            resolves "flaky-test"
        }
    "#,
    );
    insta::assert_snapshot!(rename(&f, "intermittent-test"), @r#"
    //- /failure-modes.kdl
    failure-mode "intermittent-test" {
        title "Flaky test
    }
    failure-mode "order-dependent-test" {
        title "Order-dependent test"
        parent "intermittent-test"
    //- /interventions.kdl
    intervention "retry" {
        title "Retry"
        resolves "intermittent-test"
    }
    "#);
}
