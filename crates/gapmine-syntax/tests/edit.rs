//! Tests of format-preserving edits: each edit on realistic catalogue text, the bytes outside the
//! edits untouched, no new syntax errors, the plain document changed exactly as intended; and
//! round trips (rename there and back, insert then remove) as properties.

use gapmine_syntax::ast;
use gapmine_syntax::edit::{self, EditError, NewNode, Position, Role, TextEdit};
use gapmine_syntax::plain::{self, Value};
use gapmine_syntax::{Parse, SyntaxKind, TextRange, parse};

// ---------------------------------------------------------------------------------------------
// Helpers.

/// Applies `edits` to `before` and checks the guarantees every edit gives: the text between and
/// around the edits is untouched, byte for byte, and the result has exactly the syntax errors
/// the input had (as messages). Returns the new text.
#[track_caller]
fn check(before: &str, edits: &[TextEdit]) -> String {
    let after = edit::apply(before, edits).expect("the edits apply");
    let mut sorted = edits.to_vec();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut last = 0;
    let mut at = 0;
    for e in &sorted {
        let kept = &before[last..e.range.start as usize];
        assert_eq!(&after[at..at + kept.len()], kept, "untouched text changed");
        at += kept.len() + e.new_text.len();
        last = e.range.end as usize;
    }
    assert_eq!(&after[at..], &before[last..], "untouched text changed");
    let messages = |text: &str| -> Vec<String> {
        parse(text)
            .errors()
            .iter()
            .map(|e| e.message.clone())
            .collect()
    };
    assert_eq!(
        messages(&after),
        messages(before),
        "the edit changed the syntax errors"
    );
    after
}

/// Makes tabs and carriage returns visible in snapshots.
fn show(text: &str) -> String {
    text.replace('\t', "⇥").replace('\r', "␍")
}

fn plain_of(text: &str) -> plain::Document {
    parse(text).plain()
}

/// The first node named `name` among `nodes`, slashdashed ones included.
fn named<'a>(mut nodes: impl Iterator<Item = ast::Node<'a>>, name: &str) -> ast::Node<'a> {
    nodes
        .find(|n| n.name_text().as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no node named {name}"))
}

/// The node reached by a path of names from the top level.
fn find<'a>(parse: &'a Parse, path: &[&str]) -> ast::Node<'a> {
    let mut node = named(parse.document().nodes(), path[0]);
    for name in &path[1..] {
        node = named(node.children().expect("a children block").nodes(), name);
    }
    node
}

/// The plain node reached by a path of indices.
fn plain_at<'a>(doc: &'a mut plain::Document, path: &[usize]) -> &'a mut plain::Node {
    let mut node = &mut doc.nodes[path[0]];
    for &i in &path[1..] {
        node = &mut node.children.as_mut().expect("children")[i];
    }
    node
}

fn plain_node(source: &str) -> plain::Node {
    plain_of(source).nodes.remove(0)
}

/// A value as KDL writes it: `value("0.5")`, `value("#true")`, `value("\"x\"")`.
fn value(kdl: &str) -> Value {
    plain_node(&format!("n {kdl}")).entries.remove(0).value
}

fn string(s: &str) -> Value {
    Value::String(s.to_string())
}

const CATALOGUE: &str = r##"// Failure modes of the checkout team.
// Owner: quality guild

failure-mode "order-dependent-test" {
    title "Order-dependent test"
    parent "flaky-test"   // taxonomy
    tags "testing"  "flaky"
    signals {   // what points here
        phrase "passes in isolation" weight=0.9
        pattern #"(?i)test (pollution|interdependen\w+)"# weight=0.7 in="body"
        /- label "order-dependent" weight=0.6
    }
    since "1.2.0"
}

intervention "random-test-order" {
    title "Run the suite in random order in CI"
    resolves "order-dependent-test" shared-mutable-state
    // Evidence from production.
    evidence "ESC-1042" outcome="held" at="2026-03-02"
}
"##;

// ---------------------------------------------------------------------------------------------
// apply.

#[test]
fn apply_sorts_edits_and_keeps_insertions_in_order() {
    let edits = [
        TextEdit::replace(TextRange::new(6, 11), "there"),
        TextEdit::insert(0, "[1]"),
        TextEdit::insert(0, "[2]"),
        TextEdit::delete(TextRange::new(5, 6)),
    ];
    insta::assert_snapshot!(edit::apply("hello world", &edits).unwrap(), @"[1][2]hellothere");
}

#[test]
fn apply_rejects_overlaps_and_ranges_outside_the_text() {
    let overlap = [
        TextEdit::replace(TextRange::new(0, 5), "a"),
        TextEdit::insert(3, "b"),
    ];
    assert_eq!(
        edit::apply("hello", &overlap),
        Err(EditError::Overlap {
            first: TextRange::new(0, 5),
            second: TextRange::new(3, 3),
        })
    );
    let outside = [TextEdit::insert(9, "x")];
    assert!(matches!(
        edit::apply("hello", &outside),
        Err(EditError::OutOfBounds { len: 5, .. })
    ));
    let cuts_a_char = [TextEdit::insert(1, "x")];
    assert!(matches!(
        edit::apply("é", &cuts_a_char),
        Err(EditError::OutOfBounds { .. })
    ));
    // Touching ranges do not overlap.
    let touching = [
        TextEdit::replace(TextRange::new(0, 2), "A"),
        TextEdit::replace(TextRange::new(2, 4), "B"),
        TextEdit::insert(4, "C"),
    ];
    assert_eq!(edit::apply("hello", &touching).unwrap(), "ABCo");
}

// ---------------------------------------------------------------------------------------------
// Values and properties.

#[test]
fn set_value_keeps_the_style_of_the_token() {
    let p = parse(CATALOGUE);
    let title = find(&p, &["failure-mode", "title"])
        .arguments()
        .next()
        .unwrap();
    let resolves = find(&p, &["intervention", "resolves"]);
    let bare = resolves.arguments().nth(1).unwrap();
    let signals = find(&p, &["failure-mode", "signals"]);
    let pattern = named(signals.child_nodes(), "pattern");
    let regex = pattern.arguments().next().unwrap();
    let weight = pattern.property("weight").unwrap();

    let mut edits = Vec::new();
    // Quoted stays quoted.
    edits.extend(
        edit::set_value(
            ast::Entry::Argument(title),
            &string("Order-dependent \"flaky\" test"),
        )
        .unwrap(),
    );
    // Bare stays bare where it can, else it is quoted.
    edits.extend(edit::set_value(ast::Entry::Argument(bare), &string("global-state")).unwrap());
    // Raw stays raw, with one more `#` where the text needs it.
    edits.extend(
        edit::set_value(ast::Entry::Argument(regex), &string(r##"(?i)order "#1""##)).unwrap(),
    );
    // Numbers are written canonically.
    edits.extend(edit::set_value(ast::Entry::Property(weight), &value("0.75")).unwrap());
    let after = check(CATALOGUE, &edits);
    insta::assert_snapshot!(show(&after), @r###"
    // Failure modes of the checkout team.
    // Owner: quality guild

    failure-mode "order-dependent-test" {
        title "Order-dependent \"flaky\" test"
        parent "flaky-test"   // taxonomy
        tags "testing"  "flaky"
        signals {   // what points here
            phrase "passes in isolation" weight=0.9
            pattern ##"(?i)order "#1""## weight=0.75 in="body"
            /- label "order-dependent" weight=0.6
        }
        since "1.2.0"
    }

    intervention "random-test-order" {
        title "Run the suite in random order in CI"
        resolves "order-dependent-test" global-state
        // Evidence from production.
        evidence "ESC-1042" outcome="held" at="2026-03-02"
    }
    "###);

    let mut expected = plain_of(CATALOGUE);
    plain_at(&mut expected, &[0, 0]).entries[0].value = string("Order-dependent \"flaky\" test");
    plain_at(&mut expected, &[1, 1]).entries[1].value = string("global-state");
    let pattern = plain_at(&mut expected, &[0, 3, 1]);
    pattern.entries[0].value = string(r##"(?i)order "#1""##);
    pattern.entries[1].value = value("0.75");
    assert_eq!(plain_of(&after), expected);
}

#[test]
fn set_value_falls_back_to_quotes_and_skips_equal_values() {
    let text = "threshold 0x10 mode=auto name=#\"raw\"#\n";
    let p = parse(text);
    let node = find(&p, &["threshold"]);
    let number = ast::Entry::Argument(node.arguments().next().unwrap());
    let mode = ast::Entry::Property(node.property("mode").unwrap());
    let name = ast::Entry::Property(node.property("name").unwrap());
    // 0x10 already means 16: no edit, the hex stays.
    assert_eq!(edit::set_value(number, &value("16")).unwrap(), vec![]);
    let mut edits = edit::set_value(number, &string("sixteen")).unwrap();
    edits.extend(edit::set_value(mode, &string("two words")).unwrap());
    edits.extend(edit::set_value(name, &string("line\nbreak")).unwrap());
    let after = check(text, &edits);
    insta::assert_snapshot!(after, @r#"threshold "sixteen" mode="two words" name="line\nbreak""#);
    let node = &plain_of(&after).nodes[0];
    assert_eq!(node.entries[0].value, string("sixteen"));
    assert_eq!(node.entries[1].value, string("two words"));
    assert_eq!(node.entries[2].value, string("line\nbreak"));
}

#[test]
fn set_property_replaces_or_appends_before_the_children_block() {
    let p = parse(CATALOGUE);
    let evidence = find(&p, &["intervention", "evidence"]);
    let fm = find(&p, &["failure-mode"]);
    let phrase = named(
        find(&p, &["failure-mode", "signals"]).child_nodes(),
        "phrase",
    );
    let mut edits = edit::set_property(evidence, "outcome", &string("failed")).unwrap();
    edits.extend(edit::set_property(evidence, "note", &string("caught two more")).unwrap());
    edits.extend(edit::set_property(fm, "deprecated", &value("#true")).unwrap());
    edits.extend(edit::set_property(phrase, "in", &string("title")).unwrap());
    let after = check(CATALOGUE, &edits);
    insta::assert_snapshot!(after, @r##"
    // Failure modes of the checkout team.
    // Owner: quality guild

    failure-mode "order-dependent-test" deprecated=#true {
        title "Order-dependent test"
        parent "flaky-test"   // taxonomy
        tags "testing"  "flaky"
        signals {   // what points here
            phrase "passes in isolation" weight=0.9 in="title"
            pattern #"(?i)test (pollution|interdependen\w+)"# weight=0.7 in="body"
            /- label "order-dependent" weight=0.6
        }
        since "1.2.0"
    }

    intervention "random-test-order" {
        title "Run the suite in random order in CI"
        resolves "order-dependent-test" shared-mutable-state
        // Evidence from production.
        evidence "ESC-1042" outcome="failed" at="2026-03-02" note="caught two more"
    }
    "##);

    let mut expected = plain_of(CATALOGUE);
    let evidence = plain_at(&mut expected, &[1, 2]);
    evidence.entries[1].value = string("failed");
    evidence.entries.push(plain::Entry {
        name: Some("note".into()),
        ty: None,
        value: string("caught two more"),
    });
    plain_at(&mut expected, &[0]).entries.push(plain::Entry {
        name: Some("deprecated".into()),
        ty: None,
        value: Value::Bool(true),
    });
    plain_at(&mut expected, &[0, 3, 0])
        .entries
        .push(plain::Entry {
            name: Some("in".into()),
            ty: None,
            value: string("title"),
        });
    assert_eq!(plain_of(&after), expected);
}

#[test]
fn set_property_follows_a_node_written_one_entry_a_line() {
    let text = "probes {\n    probe \"static state\" \\\n        glob=\"**/*Test.java\" \\\n        pattern=#\"static\\s+\"#\n}\n";
    let p = parse(text);
    let probe = find(&p, &["probes", "probe"]);
    let after = check(
        text,
        &edit::set_property(probe, "severity", &string("high")).unwrap(),
    );
    insta::assert_snapshot!(after, @r##"
    probes {
        probe "static state" \
            glob="**/*Test.java" \
            pattern=#"static\s+"# \
            severity="high"
    }
    "##);
    assert_eq!(
        plain_of(&after).nodes[0].children.as_ref().unwrap()[0]
            .entries
            .len(),
        4
    );
}

#[test]
fn remove_entry_takes_the_spacing_before_it() {
    let text = "evidence \"ESC-1\" \\\n    outcome=\"held\"   at=\"2026-01-01\" // why\ntags \"a\" /-\"b\" \"c\"\n";
    let p = parse(text);
    let evidence = find(&p, &["evidence"]);
    let tags = find(&p, &["tags"]);
    let mut edits = edit::remove_property(evidence, "outcome");
    edits.extend(edit::remove_entry(tags.entries().nth(1).unwrap()));
    edits.extend(edit::remove_entry(tags.entries().nth(2).unwrap()));
    let after = check(text, &edits);
    insta::assert_snapshot!(after, @r#"
    evidence "ESC-1"   at="2026-01-01" // why
    tags "a"
    "#);
    let mut expected = plain_of(text);
    expected.nodes[0].entries.remove(1);
    expected.nodes[1].entries.remove(1);
    assert_eq!(plain_of(&after), expected);
}

// ---------------------------------------------------------------------------------------------
// Inserting children.

#[test]
fn insert_child_at_the_end_of_a_block_after_its_trailing_lines() {
    let p = parse(CATALOGUE);
    let signals = find(&p, &["failure-mode", "signals"]);
    let intervention = find(&p, &["intervention"]);
    let mut edits = edit::insert_child(
        signals,
        Position::End,
        "field \"detected_by\" \"ci\" weight=0.2",
    )
    .unwrap();
    // Multi-line source, with a comment and its own indentation: re-indented as a whole.
    let source = "
            // learned from ESC-1107
            evidence \"ESC-1107\" outcome=\"held\" {
                note \"two more pairs\"
            }
    ";
    edits.extend(edit::insert_child(intervention, Position::End, source).unwrap());
    let after = check(CATALOGUE, &edits);
    insta::assert_snapshot!(after, @r##"
    // Failure modes of the checkout team.
    // Owner: quality guild

    failure-mode "order-dependent-test" {
        title "Order-dependent test"
        parent "flaky-test"   // taxonomy
        tags "testing"  "flaky"
        signals {   // what points here
            phrase "passes in isolation" weight=0.9
            pattern #"(?i)test (pollution|interdependen\w+)"# weight=0.7 in="body"
            /- label "order-dependent" weight=0.6
            field "detected_by" "ci" weight=0.2
        }
        since "1.2.0"
    }

    intervention "random-test-order" {
        title "Run the suite in random order in CI"
        resolves "order-dependent-test" shared-mutable-state
        // Evidence from production.
        evidence "ESC-1042" outcome="held" at="2026-03-02"
        // learned from ESC-1107
        evidence "ESC-1107" outcome="held" {
            note "two more pairs"
        }
    }
    "##);

    let mut expected = plain_of(CATALOGUE);
    plain_at(&mut expected, &[0, 3])
        .children
        .as_mut()
        .unwrap()
        .push(plain_node("field \"detected_by\" \"ci\" weight=0.2"));
    plain_at(&mut expected, &[1])
        .children
        .as_mut()
        .unwrap()
        .push(plain_node(source));
    assert_eq!(plain_of(&after), expected);
}

#[test]
fn insert_child_at_an_index_goes_above_the_comments_of_the_node_there() {
    let p = parse(CATALOGUE);
    let intervention = find(&p, &["intervention"]);
    let evidence = find(&p, &["intervention", "evidence"]);
    let edits =
        edit::insert_child(intervention, Position::Before(evidence), "effort \"low\"").unwrap();
    let by_index = edit::insert_child(intervention, Position::Index(2), "effort \"low\"").unwrap();
    assert_eq!(edits, by_index);
    let first = edit::insert_child(intervention, Position::Index(0), "kind \"control\"").unwrap();
    let after = check(CATALOGUE, &[edits, first].concat());
    insta::assert_snapshot!(after, @r##"
    // Failure modes of the checkout team.
    // Owner: quality guild

    failure-mode "order-dependent-test" {
        title "Order-dependent test"
        parent "flaky-test"   // taxonomy
        tags "testing"  "flaky"
        signals {   // what points here
            phrase "passes in isolation" weight=0.9
            pattern #"(?i)test (pollution|interdependen\w+)"# weight=0.7 in="body"
            /- label "order-dependent" weight=0.6
        }
        since "1.2.0"
    }

    intervention "random-test-order" {
        kind "control"
        title "Run the suite in random order in CI"
        resolves "order-dependent-test" shared-mutable-state
        effort "low"
        // Evidence from production.
        evidence "ESC-1042" outcome="held" at="2026-03-02"
    }
    "##);

    let mut expected = plain_of(CATALOGUE);
    let children = plain_at(&mut expected, &[1]).children.as_mut().unwrap();
    children.insert(2, plain_node("effort \"low\""));
    children.insert(0, plain_node("kind \"control\""));
    assert_eq!(plain_of(&after), expected);
}

#[test]
fn insert_child_creates_a_block_where_there_is_none() {
    let text = "catalogue \"acme\" {\n\tcontrol \"unit-tests\" stage=2 // first station\n\tcontrol \"review\" stage=3;\n}\n";
    let p = parse(text);
    let unit = find(&p, &["catalogue", "control"]);
    let review = unit
        .syntax()
        .next_sibling()
        .and_then(ast::Node::cast)
        .unwrap();
    let mut edits = edit::insert_child(unit, Position::End, "title \"Unit tests\"").unwrap();
    edits.extend(edit::insert_child(review, Position::Index(0), "title \"Review\"").unwrap());
    let after = check(text, &edits);
    insta::assert_snapshot!(show(&after), @r#"
    catalogue "acme" {
    ⇥control "unit-tests" stage=2 { // first station
    ⇥⇥title "Unit tests"
    ⇥}
    ⇥control "review" stage=3 {
    ⇥⇥title "Review"
    ⇥};
    }
    "#);

    let mut expected = plain_of(text);
    plain_at(&mut expected, &[0, 0]).children = Some(vec![plain_node("title \"Unit tests\"")]);
    plain_at(&mut expected, &[0, 1]).children = Some(vec![plain_node("title \"Review\"")]);
    assert_eq!(plain_of(&after), expected);
}

#[test]
fn insert_child_into_empty_and_one_line_blocks() {
    let text =
        "fm \"a\" {\n  examples {}\n  probes { }\n  tags { flaky; testing }\n  see {\n  }\n}\n";
    let p = parse(text);
    let mut edits = Vec::new();
    for name in ["examples", "probes", "tags", "see"] {
        let node = find(&p, &["fm", name]);
        edits.extend(edit::insert_child(node, Position::End, "new 1").unwrap());
    }
    let after = check(text, &edits);
    insta::assert_snapshot!(after, @r#"
    fm "a" {
      examples {
        new 1
      }
      probes {
        new 1
      }
      tags {
        flaky; testing
        new 1
      }
      see {
        new 1
      }
    }
    "#);

    let mut expected = plain_of(text);
    for i in 0..4 {
        plain_at(&mut expected, &[0, i])
            .children
            .as_mut()
            .unwrap()
            .push(plain_node("new 1"));
    }
    assert_eq!(plain_of(&after), expected);
}

#[test]
fn insert_child_renders_a_plain_node_with_the_files_indentation() {
    let text = "intervention \"x\" {\n\ttitle \"X\"\n}\n";
    let p = parse(text);
    let node = plain_node("evidence \"ESC-9\" outcome=\"held\" { note \"n\"; tags a \"b c\" }");
    let edits = edit::insert_child(find(&p, &["intervention"]), Position::End, &node).unwrap();
    let after = check(text, &edits);
    insta::assert_snapshot!(show(&after), @r#"
    intervention "x" {
    ⇥title "X"
    ⇥evidence "ESC-9" outcome="held" {
    ⇥⇥note "n"
    ⇥⇥tags "a" "b c"
    ⇥}
    }
    "#);
    assert_eq!(
        plain_of(&after).nodes[0].children.as_ref().unwrap()[1],
        node
    );
}

#[test]
fn insert_child_in_a_crlf_file_writes_crlf() {
    let text = "objective \"checkout\" {\r\n    title \"Checkout\"\r\n}\r\n";
    let p = parse(text);
    let edits = edit::insert_child(
        find(&p, &["objective"]),
        Position::End,
        "services \"payments\" {\n    owner \"team-a\"\n}",
    )
    .unwrap();
    let after = check(text, &edits);
    insta::assert_snapshot!(show(&after), @r#"
    objective "checkout" {␍
        title "Checkout"␍
        services "payments" {␍
            owner "team-a"␍
        }␍
    }␍
    "#);
    assert!(!after.replace("\r\n", "").contains('\n'));
}

#[test]
fn insert_child_reports_impossible_requests() {
    let text = "a {\n    b\n}\nc\nd {\n    e\n";
    let p = parse(text);
    let a = find(&p, &["a"]);
    let c = find(&p, &["c"]);
    assert_eq!(
        edit::insert_child(a, Position::Index(2), "x"),
        Err(EditError::IndexOutOfRange { index: 2, len: 1 })
    );
    assert_eq!(
        edit::insert_child(a, Position::Before(c), "x"),
        Err(EditError::NotInContainer { range: c.range() })
    );
    assert!(matches!(
        edit::insert_child(a, Position::End, "x \"unterminated"),
        Err(EditError::InvalidSource { .. })
    ));
    assert!(matches!(
        edit::insert_child(a, Position::End, "  // only a comment\n"),
        Err(EditError::InvalidSource { .. })
    ));
    assert!(matches!(
        edit::insert_child(find(&p, &["d"]), Position::End, "x"),
        Err(EditError::UnclosedBlock { .. })
    ));
    let message = edit::insert_child(a, Position::Index(2), "x")
        .unwrap_err()
        .to_string();
    insta::assert_snapshot!(message, @"cannot insert at index 2 in a block of 1 nodes; use an index up to 1");
}

// ---------------------------------------------------------------------------------------------
// Inserting top-level nodes.

#[test]
fn insert_node_keeps_the_blank_line_convention() {
    let p = parse(CATALOGUE);
    let fm = find(&p, &["failure-mode"]);
    let source = "control \"unit-tests\" stage=2 {\n    title \"Unit tests\"\n}";
    let mut edits = edit::insert_node(p.document(), Position::After(fm), source).unwrap();
    edits.extend(edit::insert_node(p.document(), Position::End, "objective \"o\"").unwrap());
    let after = check(CATALOGUE, &edits);
    insta::assert_snapshot!(after, @r##"
    // Failure modes of the checkout team.
    // Owner: quality guild

    failure-mode "order-dependent-test" {
        title "Order-dependent test"
        parent "flaky-test"   // taxonomy
        tags "testing"  "flaky"
        signals {   // what points here
            phrase "passes in isolation" weight=0.9
            pattern #"(?i)test (pollution|interdependen\w+)"# weight=0.7 in="body"
            /- label "order-dependent" weight=0.6
        }
        since "1.2.0"
    }

    control "unit-tests" stage=2 {
        title "Unit tests"
    }

    intervention "random-test-order" {
        title "Run the suite in random order in CI"
        resolves "order-dependent-test" shared-mutable-state
        // Evidence from production.
        evidence "ESC-1042" outcome="held" at="2026-03-02"
    }

    objective "o"
    "##);
    let mut expected = plain_of(CATALOGUE);
    expected.nodes.insert(1, plain_node(source));
    expected.nodes.push(plain_node("objective \"o\""));
    assert_eq!(plain_of(&after), expected);
}

#[test]
fn insert_node_without_blank_lines_where_the_neighbours_have_none() {
    let text = "// ids\nfm-a \"x\"\nfm-b \"y\" // trailing\nfm-c \"z\"";
    let p = parse(text);
    let b = find(&p, &["fm-b"]);
    let mut edits = edit::insert_node(p.document(), Position::After(b), "fm-new 1").unwrap();
    // The file has no final newline: the new last node has none either.
    edits.extend(edit::insert_node(p.document(), Position::End, "fm-last 2").unwrap());
    let after = check(text, &edits);
    insta::assert_snapshot!(after, @r#"
    // ids
    fm-a "x"
    fm-b "y" // trailing
    fm-new 1
    fm-c "z"
    fm-last 2
    "#);
}

#[test]
fn insert_node_into_empty_documents() {
    let cases = ["", "// A new catalogue.\n", "\u{FEFF}// header"];
    let results: Vec<String> = cases
        .iter()
        .map(|text| {
            let p = parse(text);
            let edits = edit::insert_node(p.document(), Position::End, "catalogue \"c\"").unwrap();
            show(&check(text, &edits)).replace('\u{FEFF}', "<BOM>")
        })
        .collect();
    insta::assert_snapshot!(results.join("\n---\n"), @r#"
    catalogue "c"

    ---
    // A new catalogue.

    catalogue "c"

    ---
    <BOM>// header

    catalogue "c"
    "#);
}

// ---------------------------------------------------------------------------------------------
// Removing nodes.

#[test]
fn remove_node_takes_its_lines_its_trailing_comment_and_attached_comments() {
    let p = parse(CATALOGUE);
    let mut edits = edit::remove_node(find(&p, &["failure-mode", "parent"]));
    edits.extend(edit::remove_node(find(&p, &["intervention", "evidence"])));
    let after = check(CATALOGUE, &edits);
    insta::assert_snapshot!(after, @r##"
    // Failure modes of the checkout team.
    // Owner: quality guild

    failure-mode "order-dependent-test" {
        title "Order-dependent test"
        tags "testing"  "flaky"
        signals {   // what points here
            phrase "passes in isolation" weight=0.9
            pattern #"(?i)test (pollution|interdependen\w+)"# weight=0.7 in="body"
            /- label "order-dependent" weight=0.6
        }
        since "1.2.0"
    }

    intervention "random-test-order" {
        title "Run the suite in random order in CI"
        resolves "order-dependent-test" shared-mutable-state
    }
    "##);
    let mut expected = plain_of(CATALOGUE);
    plain_at(&mut expected, &[0])
        .children
        .as_mut()
        .unwrap()
        .remove(1);
    plain_at(&mut expected, &[1])
        .children
        .as_mut()
        .unwrap()
        .remove(2);
    assert_eq!(plain_of(&after), expected);
}

#[test]
fn remove_node_keeps_separated_comments_and_one_blank_line() {
    let p = parse(CATALOGUE);
    // The header comment is separated by a blank line: it stays; the blank lines around the
    // removed entry collapse into one.
    let after = check(CATALOGUE, &edit::remove_node(find(&p, &["failure-mode"])));
    insta::assert_snapshot!(after, @r#"
    // Failure modes of the checkout team.
    // Owner: quality guild

    intervention "random-test-order" {
        title "Run the suite in random order in CI"
        resolves "order-dependent-test" shared-mutable-state
        // Evidence from production.
        evidence "ESC-1042" outcome="held" at="2026-03-02"
    }
    "#);
    let after_last = check(CATALOGUE, &edit::remove_node(find(&p, &["intervention"])));
    assert!(
        after_last.ends_with("    since \"1.2.0\"\n}\n"),
        "{after_last}"
    );
}

#[test]
fn remove_node_on_a_shared_line_and_slashdashed_nodes() {
    let text = "tags { a; b; c }\nx; y\n/- old-entry \"z\" {\n    title \"Z\"\n}\nlast";
    let p = parse(text);
    let mut edits = edit::remove_node(find(&p, &["tags", "b"]));
    edits.extend(edit::remove_node(find(&p, &["tags", "c"])));
    edits.extend(edit::remove_node(find(&p, &["x"])));
    edits.extend(edit::remove_node(find(&p, &["old-entry"])));
    // Edits of separate operations may overlap: here both reach the newline before `last`.
    let last = edit::remove_node(find(&p, &["last"]));
    assert!(matches!(
        edit::apply(text, &[edits.clone(), last].concat()),
        Err(EditError::Overlap { .. })
    ));
    let after = check(text, &edits);
    let q = parse(&after);
    let after = check(&after, &edit::remove_node(find(&q, &["last"])));
    insta::assert_snapshot!(after, @"
    tags { a; }
    y
    ");
    assert_eq!(plain_of(&after), plain_of("tags { a; }\ny"));
}

// ---------------------------------------------------------------------------------------------
// Renames.

#[test]
fn rename_keeps_bare_quoted_and_raw_styles() {
    let text = "failure-mode \"order-dependent-test\" {\n    caught \"caught by\"=unit-tests #\"raw\"#\n}\n";
    let p = parse(text);
    assert!(p.is_ok());
    let fm = find(&p, &["failure-mode"]);
    let name = fm.name().unwrap().token();
    let id = fm.arguments().next().unwrap().value().unwrap().token();
    let caught = find(&p, &["failure-mode", "caught"]);
    let prop = caught.properties().next().unwrap();
    let key = prop.key().unwrap().token();
    let bare = prop.value().unwrap().token();
    let raw = caught.arguments().next().unwrap().value().unwrap().token();
    let mut edits = edit::rename(name, "failure mode").unwrap();
    edits.extend(edit::rename(id, "test-order-dependency").unwrap());
    edits.extend(edit::rename(key, "caught-by").unwrap());
    edits.extend(edit::rename(bare, "integration-tests").unwrap());
    edits.extend(edit::rename(raw, "has \"# inside").unwrap());
    let after = check(text, &edits);
    insta::assert_snapshot!(after, @r###"
    "failure mode" "test-order-dependency" {
        caught "caught-by"=integration-tests ##"has "# inside"##
    }
    "###);
    assert_eq!(
        plain_of(&after),
        plain_of(
            "\"failure mode\" test-order-dependency { caught caught-by=integration-tests \"has \\\"# inside\"; }"
        )
    );
    // A bare name that cannot stay bare is quoted.
    let after = check(text, &edit::rename(bare, "two words").unwrap());
    assert!(after.contains("\"caught by\"=\"two words\""), "{after}");
    assert_eq!(edit::rename(name, "failure-mode").unwrap(), vec![]);
    let brace = fm
        .syntax()
        .tokens()
        .find(|t| t.kind() == SyntaxKind::LBrace)
        .unwrap();
    assert!(matches!(
        edit::rename(brace, "x"),
        Err(EditError::NotAString { .. })
    ));
}

#[test]
fn rename_all_renames_references_and_ids_with_a_filter() {
    let text = r#"failure-mode "order-dependent-test" {
    parent order-dependent-test // a self-reference, bare
}
intervention "random-test-order" {
    resolves "order-dependent-test" "shared-mutable-state"
    /- resolves "order-dependent-test"
    note text="order-dependent-test" // a property value
}
order-dependent-test
"#;
    let p = parse(text);
    let all = edit::rename_all(&p, "order-dependent-test", "test-order-dependency", |o| {
        o.role.is_value() && !o.commented_out
    });
    let after = check(text, &all);
    insta::assert_snapshot!(after, @r#"
    failure-mode "test-order-dependency" {
        parent test-order-dependency // a self-reference, bare
    }
    intervention "random-test-order" {
        resolves "test-order-dependency" "shared-mutable-state"
        /- resolves "order-dependent-test"
        note text="test-order-dependency" // a property value
    }
    order-dependent-test
    "#);
    // Node names only.
    let names = edit::rename_all(&p, "order-dependent-test", "x", |o| {
        o.role == Role::NodeName
    });
    assert_eq!(names.len(), 1);
    // Everything, commented-out parts included.
    let every = edit::rename_all(&p, "order-dependent-test", "x", |_| true);
    assert_eq!(every.len(), 6);
}

// ---------------------------------------------------------------------------------------------
// Files with syntax errors elsewhere.

#[test]
fn edits_work_in_a_file_with_a_syntax_error_elsewhere() {
    let text = "failure-mode \"a\" {\n    title \"A\n    summary \"broken above\"\n}\n\nintervention \"b\" {\n    title \"B\"\n}\n";
    let p = parse(text);
    assert!(!p.is_ok());
    let b = find(&p, &["intervention"]);
    let title = find(&p, &["intervention", "title"]);
    let mut edits = edit::insert_child(b, Position::End, "effort \"low\"").unwrap();
    edits.extend(
        edit::set_value(
            ast::Entry::Argument(title.arguments().next().unwrap()),
            &string("Bee"),
        )
        .unwrap(),
    );
    edits.extend(edit::insert_node(p.document(), Position::End, "control \"c\"").unwrap());
    let after = check(text, &edits);
    insta::assert_snapshot!(after, @r#"
    failure-mode "a" {
        title "A
        summary "broken above"
    }

    intervention "b" {
        title "Bee"
        effort "low"
    }

    control "c"
    "#);
}

// ---------------------------------------------------------------------------------------------
// Properties: round trips on generated documents.

mod props {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::{Index, select};

    /// A node of a generated document, with its layout: one node per line, blocks on lines of
    /// their own (the layout the round trips hold for).
    #[derive(Debug, Clone)]
    struct GenNode {
        slashdash: bool,
        name: &'static str,
        args: Vec<&'static str>,
        blank_above: u8,
        comments_above: u8,
        trailing_comment: bool,
        semicolon: bool,
        children: Option<Vec<GenNode>>,
    }

    #[derive(Debug, Clone)]
    struct GenDoc {
        header: bool,
        nodes: Vec<GenNode>,
        unit: &'static str,
        newline: &'static str,
        final_newline: bool,
    }

    const NAMES: &[&str] = &[
        "title",
        "fm",
        "x-y",
        "\"quoted\"",
        "\"two words\"",
        "#\"raw\"#",
    ];
    const ARGS: &[&str] = &[
        "1",
        "\"s\"",
        "k=v",
        "#true",
        "k2=\"a b\"",
        "#\"r\"#",
        "0x1f",
    ];

    fn gen_leaf() -> impl Strategy<Value = GenNode> {
        (
            prop::bool::weighted(0.15),
            select(NAMES),
            prop::collection::vec(select(ARGS), 0..3),
            0..3u8,
            prop::bool::weighted(0.3)
                .prop_flat_map(|c| if c { (1..3u8).boxed() } else { Just(0).boxed() }),
            prop::bool::weighted(0.3),
            prop::bool::weighted(0.1),
        )
            .prop_map(
                |(
                    slashdash,
                    name,
                    args,
                    blank_above,
                    comments_above,
                    trailing_comment,
                    semicolon,
                )| {
                    GenNode {
                        slashdash,
                        name,
                        args,
                        blank_above,
                        comments_above,
                        trailing_comment,
                        semicolon,
                        children: None,
                    }
                },
            )
    }

    fn gen_node() -> impl Strategy<Value = GenNode> {
        gen_leaf().prop_recursive(3, 24, 4, |inner| {
            (
                gen_leaf(),
                prop::option::of(prop::collection::vec(inner, 0..4)),
            )
                .prop_map(|(mut node, children)| {
                    node.children = children;
                    node
                })
        })
    }

    fn gen_doc() -> impl Strategy<Value = GenDoc> {
        (
            any::<bool>(),
            prop::collection::vec(gen_node(), 0..5),
            select(&["    ", "\t", "  "][..]),
            select(&["\n", "\r\n"][..]),
            prop::bool::weighted(0.8),
        )
            .prop_map(|(header, nodes, unit, newline, final_newline)| GenDoc {
                header,
                nodes,
                unit,
                newline,
                final_newline,
            })
    }

    fn render(doc: &GenDoc) -> String {
        let mut out = String::new();
        if doc.header {
            out.push_str("// generated");
            out.push_str(doc.newline);
            out.push_str(doc.newline);
        }
        for node in &doc.nodes {
            render_node(doc, node, 0, &mut out);
        }
        if !doc.final_newline && out.ends_with(doc.newline) {
            out.truncate(out.len() - doc.newline.len());
        }
        out
    }

    fn render_node(doc: &GenDoc, node: &GenNode, depth: usize, out: &mut String) {
        let indent = doc.unit.repeat(depth);
        let nl = doc.newline;
        match node.blank_above {
            1 => out.push_str(nl),
            2 => {
                out.push_str(&indent);
                out.push_str(nl);
            }
            _ => {}
        }
        for i in 0..node.comments_above {
            out.push_str(&format!("{indent}// about the next node ({i}){nl}"));
        }
        out.push_str(&indent);
        if node.slashdash {
            out.push_str("/-");
        }
        out.push_str(node.name);
        for arg in &node.args {
            out.push(' ');
            out.push_str(arg);
        }
        if let Some(children) = &node.children {
            out.push_str(" {");
            out.push_str(nl);
            for child in children {
                render_node(doc, child, depth + 1, out);
            }
            out.push_str(&indent);
            out.push('}');
        }
        if node.semicolon {
            out.push(';');
        }
        if node.trailing_comment {
            out.push_str(" // trailing");
        }
        out.push_str(nl);
    }

    /// The containers of a document: the document itself (empty path) and every node with a
    /// children block, as paths of indices into `nodes()`.
    fn containers(parse: &Parse) -> Vec<Vec<usize>> {
        fn walk<'a>(
            nodes: impl Iterator<Item = ast::Node<'a>>,
            path: &mut Vec<usize>,
            out: &mut Vec<Vec<usize>>,
        ) {
            for (i, node) in nodes.enumerate() {
                path.push(i);
                if let Some(block) = node.children() {
                    out.push(path.clone());
                    walk(block.nodes(), path, out);
                }
                path.pop();
            }
        }
        let mut out = vec![vec![]];
        walk(parse.document().nodes(), &mut Vec::new(), &mut out);
        out
    }

    fn node_at<'a>(parse: &'a Parse, path: &[usize]) -> ast::Node<'a> {
        let mut node = parse.document().nodes().nth(path[0]).unwrap();
        for &i in &path[1..] {
            node = node.children().unwrap().nodes().nth(i).unwrap();
        }
        node
    }

    fn nodes_of<'a>(parse: &'a Parse, path: &[usize]) -> Vec<ast::Node<'a>> {
        if path.is_empty() {
            parse.document().nodes().collect()
        } else {
            node_at(parse, path).children().unwrap().nodes().collect()
        }
    }

    fn insert<'a>(
        parse: &'a Parse,
        path: &[usize],
        at: Position<'a>,
        new: NewNode<'_>,
    ) -> Vec<TextEdit> {
        if path.is_empty() {
            edit::insert_node(parse.document(), at, new).unwrap()
        } else {
            edit::insert_child(node_at(parse, path), at, new).unwrap()
        }
    }

    const SOURCES: &[&str] = &[
        "evidence \"ESC-1\" outcome=\"held\"",
        "// learned\nevidence \"ESC-2\"",
        "examples {\n    matches \"x\"\n    rejects \"y\"\n}",
        "see #\"https://example.org\"# // a reference",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn generated_documents_parse(doc in gen_doc()) {
            let text = render(&doc);
            let p = parse(&text);
            prop_assert!(p.is_ok(), "{text:?}: {:?}", p.errors());
        }

        #[test]
        fn rename_there_and_back_is_the_identity(doc in gen_doc(), pick in any::<Index>()) {
            let text = render(&doc);
            let p = parse(&text);
            let names: Vec<_> = p.tree().root().descendants()
                .filter_map(ast::Node::cast)
                .filter_map(|n| n.name())
                .collect();
            if names.is_empty() {
                return Ok(());
            }
            let i = pick.index(names.len());
            let old = names[i].value().into_owned();
            let new = if names[i].token().kind() == SyntaxKind::Ident { "zz-renamed" } else { "zz renamed" };
            let renamed = check(&text, &edit::rename(names[i].token(), new).unwrap());
            let q = parse(&renamed);
            let names: Vec<_> = q.tree().root().descendants()
                .filter_map(ast::Node::cast)
                .filter_map(|n| n.name())
                .collect();
            prop_assert_eq!(names[i].value(), new);
            let back = check(&renamed, &edit::rename(names[i].token(), &old).unwrap());
            prop_assert_eq!(back, text);
        }

        #[test]
        fn set_then_remove_a_property_is_the_identity(doc in gen_doc(), pick in any::<Index>()) {
            let text = render(&doc);
            let p = parse(&text);
            let nodes: Vec<_> = p.tree().root().descendants().filter_map(ast::Node::cast).collect();
            if nodes.is_empty() {
                return Ok(());
            }
            let i = pick.index(nodes.len());
            let set = check(&text, &edit::set_property(nodes[i], "zz-key", &string("a b")).unwrap());
            let q = parse(&set);
            let node = q.tree().root().descendants().filter_map(ast::Node::cast).nth(i).unwrap();
            let mut expected = nodes[i].to_plain().unwrap();
            expected.entries.push(plain::Entry { name: Some("zz-key".into()), ty: None, value: string("a b") });
            prop_assert_eq!(node.to_plain().unwrap(), expected);
            let back = check(&set, &edit::remove_property(node, "zz-key"));
            prop_assert_eq!(back, text);
        }

        #[test]
        fn insert_then_remove_is_the_identity(
            doc in gen_doc(),
            container in any::<Index>(),
            index in any::<Index>(),
            source in select(SOURCES),
            anchor in 0..3u8,
        ) {
            let text = render(&doc);
            let p = parse(&text);
            let all = containers(&p);
            let path = &all[container.index(all.len())];
            let nodes = nodes_of(&p, path);
            let i = index.index(nodes.len() + 1);
            // The same place, asked three ways where it can be.
            let at = match (anchor, i.checked_sub(1), nodes.get(i)) {
                (1, Some(prev), _) => Position::After(nodes[prev]),
                (2, _, Some(&node)) => Position::Before(node),
                _ if i == nodes.len() && anchor == 0 => Position::End,
                _ => Position::Index(i),
            };
            let inserted = check(&text, &insert(&p, path, at, NewNode::Source(source)));

            let q = parse(&inserted);
            let new_nodes = nodes_of(&q, path);
            prop_assert_eq!(new_nodes.len(), nodes.len() + 1, "{}", inserted);
            let new = new_nodes[i];
            prop_assert_eq!(new.to_plain(), Some(plain_node(source)), "{}", inserted);
            // Everything else means what it meant.
            let mut expected = plain_of(&text);
            let active_before = nodes[..i].iter().filter(|n| !n.is_slashdashed()).count();
            if !node_at_is_commented(&p, path) {
                let siblings = if path.is_empty() {
                    &mut expected.nodes
                } else {
                    plain_children(&mut expected, &p, path)
                };
                siblings.insert(active_before, plain_node(source));
            }
            prop_assert_eq!(plain_of(&inserted), expected, "{}", inserted);

            let removed = check(&inserted, &edit::remove_node(new));
            prop_assert_eq!(removed, text, "inserted: {:?}", inserted);
        }
    }

    /// Whether the container at `path` is commented out (so its children are not in the plain
    /// document).
    fn node_at_is_commented(parse: &Parse, path: &[usize]) -> bool {
        !path.is_empty() && node_at(parse, path).is_commented_out()
    }

    /// The plain children of the node at `path` (by indices into `nodes()`), which is not
    /// commented out.
    fn plain_children<'a>(
        doc: &'a mut plain::Document,
        parse: &Parse,
        path: &[usize],
    ) -> &'a mut Vec<plain::Node> {
        // Map each index into `nodes()` to an index among the active nodes.
        let mut active = Vec::new();
        let mut nodes: Vec<ast::Node<'_>> = parse.document().nodes().collect();
        for &i in path {
            active.push(nodes[..i].iter().filter(|n| !n.is_slashdashed()).count());
            let node = nodes[i];
            nodes = node
                .children()
                .map(|c| c.nodes().collect())
                .unwrap_or_default();
        }
        plain_at(doc, &active).children.as_mut().unwrap()
    }
}
