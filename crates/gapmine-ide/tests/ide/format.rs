//! Formatting: exactly `gapmine fmt`'s output, nothing for a formatted or broken file.

use gapmine_syntax::edit;

use crate::fixture::fixture;

#[test]
fn formats_as_gapmine_fmt_does() {
    let text = "failure-mode   \"a\"{\ntitle \"A\" // the title\n\n\n  signals { phrase \"x\" weight=0.5; label \"y\" }\n}";
    let f = fixture(&format!("//- /a.kdl\n{text}"));
    let edits = f
        .host
        .analysis()
        .format("a.kdl")
        .unwrap()
        .expect("the file parses");
    let formatted = edit::apply(text, &edits).unwrap();
    assert_eq!(formatted, gapmine_syntax::fmt::format_text(text).unwrap());
    insta::assert_snapshot!(formatted, @r#"
    failure-mode "a" {
        title "A" // the title

        signals {
            phrase "x" weight=0.5
            label "y"
        }
    }
    "#);
    // Formatting a formatted file changes nothing.
    let f = fixture(&format!("//- /a.kdl\n{formatted}"));
    assert_eq!(f.host.analysis().format("a.kdl").unwrap(), Some(Vec::new()));
}

#[test]
fn a_file_with_syntax_errors_is_left_alone() {
    let f = fixture("//- /a.kdl\nfailure-mode \"a\" {\n    title \"A\n}\n");
    assert_eq!(f.host.analysis().format("a.kdl").unwrap(), None);
    assert_eq!(f.host.analysis().format("missing.kdl").unwrap(), None);
}
