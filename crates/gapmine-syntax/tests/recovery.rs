//! Error recovery is local: a syntax error damages the node it is in, not the file.
//!
//! Each case renders the parse compactly — every error as `line:col message «the text it
//! points at»`, then the plain document's node names as a tree — and compares it with an
//! inline snapshot (`cargo insta review` to update).

use std::fmt::Write;

use gapmine_syntax::plain;

/// 1-based line and column (in chars) of a byte offset; `\r\n`, `\r` and `\n` end lines.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + before.matches('\r').count()
        - before.matches("\r\n").count()
        + 1;
    (line, before[line_start..].chars().count() + 1)
}

fn names(nodes: &[plain::Node], out: &mut String) {
    for (i, node) in nodes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&node.name);
        if let Some(children) = &node.children {
            out.push('{');
            names(children, out);
            out.push('}');
        }
    }
}

fn render(text: &str) -> String {
    let parse = gapmine_syntax::parse(text);
    assert_eq!(parse.tree().root().text(), text);
    let mut out = String::new();
    for e in parse.errors() {
        assert!(!e.message.is_empty(), "{e:?} has a message");
        assert!(
            e.help.as_deref().is_some_and(|h| !h.is_empty()),
            "{e:?} has a help"
        );
        let (line, col) = line_col(text, e.range.start as usize);
        let at = &text[e.range.to_usize()];
        let at: String = at
            .chars()
            .take(30)
            .collect::<String>()
            .escape_debug()
            .to_string();
        writeln!(out, "{line}:{col} {} «{at}»", e.message).unwrap();
    }
    out.push_str("nodes: ");
    names(&parse.plain().nodes, &mut out);
    out
}

/// The text of each error's range, in order.
fn error_texts(text: &str) -> Vec<&str> {
    gapmine_syntax::parse(text)
        .errors()
        .iter()
        .map(|e| &text[e.range.to_usize()])
        .collect()
}

#[test]
fn unterminated_string_damages_only_its_node() {
    let text = "a \"ok\"\nb \"unterminated\nc 1\nd {\n    e\n}\n";
    insta::assert_snapshot!(render(text), @r#"
    2:3 unterminated string «\"unterminated»
    nodes: a b c d{e}
    "#);
}

#[test]
fn missing_brace_in_a_catalogue_keeps_every_following_entry() {
    let text = r#"failure-mode "order-lost" {
    title "Orders lost on checkout"
    signals {
        phrase "order missing" weight=0.9
        phrase "lost order" weight=0.5
    // the `}` that closes `signals` is missing
}

failure-mode "payment-timeout" {
    title "Payment times out"
    signals {
        phrase "timeout" weight=0.8
    }
}

intervention "retry-queue" resolves="order-lost" {
    title "Retry from a queue"
}
"#;
    insta::assert_snapshot!(render(text), @"
    3:13 this `{` is never closed «{»
    nodes: failure-mode{title signals{phrase phrase}} failure-mode{title signals{phrase}} intervention{title}
    ");
    let parse = gapmine_syntax::parse(text);
    let plain = parse.plain();
    let top: Vec<&str> = plain.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(top, ["failure-mode", "failure-mode", "intervention"]);
    // The error points at the `{` that is never closed: the one of `signals`.
    let errors = parse.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let (line, _) = line_col(text, errors[0].range.start as usize);
    assert_eq!((line, error_texts(text)[0]), (3, "{"));
}

#[test]
fn missing_brace_in_the_middle_of_a_nested_block() {
    let text = "a {\n    b {\n        c 1\n    d 2\n}\ne 3\n";
    insta::assert_snapshot!(render(text), @"
    2:7 this `{` is never closed «{»
    nodes: a{b{c} d} e
    ");
}

#[test]
fn a_stray_token_damages_one_node() {
    let text = "first 1\nstray ) here\nequals = 1\nkeyword #maybe\nbare true\nprop x=\ntype (t 1\nlast 2\n";
    insta::assert_snapshot!(render(text), @"
    2:7 unmatched `)` «)»
    3:8 unexpected `=`: a property needs a key before it «=»
    4:9 unknown keyword `#maybe` «#maybe»
    5:6 `true` is a keyword and needs a `#` «true»
    6:7 expected a value after `=`, found the end of the line «=»
    7:6 unclosed `(` «(»
    nodes: first stray equals keyword bare prop type last
    ");
    assert_eq!(
        error_texts(text),
        [")", "=", "#maybe", "true", "=", "("],
        "each error points at the token at fault"
    );
}

#[test]
fn entries_after_a_children_block_and_a_missing_semicolon() {
    let text = "a { b } c=1\nd; e f; g {} h\ni\n";
    insta::assert_snapshot!(render(text), @"
    1:9 arguments and properties must come before the children block «c»
    2:14 arguments and properties must come before the children block «h»
    nodes: a{b} d e g{} i
    ");
}

#[test]
fn an_extra_closing_brace() {
    let text = "a {\n    b\n}\n}\nc\n";
    insta::assert_snapshot!(render(text), @"
    4:1 unmatched `}` «}»
    nodes: a{b} c
    ");
    assert_eq!(error_texts(text), ["}"]);
}

#[test]
fn an_unterminated_block_comment_runs_to_the_end_of_the_file() {
    // A block comment has no line structure to recover by: everything after `/*` is comment.
    let text = "a 1\n/* never closed\nb 2\nc 3\n";
    insta::assert_snapshot!(render(text), @"
    2:1 unterminated block comment «/*»
    nodes: a
    ");
}

#[test]
fn a_half_typed_file() {
    // What an editor sees mid-keystroke: an unclosed string at the end of a line...
    let text = "failure-mode \"a\" {\n    title \"A\"\n}\nintervention \"fix\" resolves=\"ord\nintervention \"other\" resolves=\"a\"\n";
    insta::assert_snapshot!(render(text), @r#"
    4:29 unterminated string «\"ord»
    nodes: failure-mode{title} intervention intervention
    "#);
    // ...at the very end of the file...
    let text = "failure-mode \"a\"\nintervention \"fix\" resolves \"ord";
    insta::assert_snapshot!(render(text), @r#"
    2:29 unterminated string «\"ord»
    nodes: failure-mode intervention
    "#);
    // ...and a block opened but not yet closed at the end of the file.
    let text = "failure-mode \"a\" {\n    title \"A\"\n}\nfailure-mode \"b\" {\n    title \"B\"\n";
    insta::assert_snapshot!(render(text), @"
    4:18 this `{` is never closed «{»
    nodes: failure-mode{title} failure-mode{title}
    ");
    let text = "failure-mode \"a\" {\n    title \"A\"\n}\nfailure-mode \"b\" {";
    insta::assert_snapshot!(render(text), @"
    4:18 this `{` is never closed «{»
    nodes: failure-mode{title} failure-mode{}
    ");
}

#[test]
fn errors_point_at_the_right_place() {
    assert_eq!(error_texts("n \"abc"), ["\"abc"]);
    assert_eq!(error_texts("n 1x"), ["x"]);
    assert_eq!(error_texts("n {"), ["{"]);
    assert_eq!(error_texts("n\n}"), ["}"]);
    assert_eq!(error_texts("n #nul"), ["#nul"]);
    assert_eq!(error_texts("n (t)"), [")"]);
}

/// Every syntax error says what to do about it, number errors included.
#[test]
fn every_error_has_a_help() {
    for text in [
        "n 0x", "n 0xfg", "n 0b102", "n 0o8", "n 1x", "n 1.x", "n 1e", "n 1_000.", "n -.5",
    ] {
        for e in gapmine_syntax::parse(text).errors() {
            assert!(e.help.is_some(), "{text:?}: {e:?} has no help");
        }
    }
}
