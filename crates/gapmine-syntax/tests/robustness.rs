//! Robustness: no input makes the parser panic, lose a byte, or build a malformed tree.
//!
//! Every input goes through [`check`], which asserts the invariants the rest of gapmine relies
//! on: the tree's text is the input; the tokens tile the input in order; every node lies inside
//! its parent and its children are ordered and tile it; every error lies inside the text, on
//! char boundaries, with a message and a help; and the plain document, the typed view and the
//! tree navigation can be walked in full without a panic.

use gapmine_syntax::ast::{self, Entry};
use gapmine_syntax::{SyntaxElement, SyntaxNode, TokenAtOffset};
use proptest::prelude::*;

/// Asserts every invariant of one parse and walks every accessor.
fn check(text: &str) {
    let parse = gapmine_syntax::parse(text);
    let tree = parse.tree();
    let root = tree.root();

    // Lossless.
    assert_eq!(parse.text(), text);
    assert_eq!(root.text(), text, "the root's text is the input");
    assert_eq!(root.range().start, 0);
    assert_eq!(root.range().end as usize, text.len());

    // The tokens tile the input, in order, none empty.
    let mut concat = String::with_capacity(text.len());
    let mut end = 0;
    for token in tree.tokens() {
        let range = token.range();
        assert_eq!(range.start, end, "tokens are contiguous: {token:?}");
        assert!(range.start < range.end, "no empty token: {token:?}");
        assert!(token.kind().is_token());
        concat.push_str(token.text());
        end = range.end;
    }
    assert_eq!(concat, text, "the tokens' texts concatenate to the input");
    assert_eq!(tree.token_count(), tree.tokens().count());

    // Nodes nest and tile. The walk is iterative: no recursion in the test either.
    let mut stack = vec![root];
    let mut node_count = 0usize;
    while let Some(node) = stack.pop() {
        node_count += 1;
        check_node(node);
        stack.extend(node.child_nodes());
    }
    assert_eq!(node_count, root.descendants().count() + 1);

    // Tokens know their place. `SyntaxToken::parent` walks down from the root, so it is
    // quadratic on a file of thousands of top-level nodes: sample it there.
    let step = (tree.token_count() / 2_000).max(1);
    for token in tree.tokens().step_by(step) {
        let parent = token.parent();
        assert!(parent.range().contains_range(token.range()));
        // A direct child: no child node of `parent` holds it.
        assert!(
            parent
                .child_nodes()
                .all(|n| !n.range().contains_range(token.range()) || n.range().is_empty()),
            "{token:?} is a direct child of {parent:?}"
        );
        if let Some(next) = token.next_token() {
            assert_eq!(next.range().start, token.range().end);
            assert_eq!(next.prev_token(), Some(token));
        }
    }
    let offsets = (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .step_by(step);
    for offset in offsets {
        match tree.tokens_at_offset(offset as u32) {
            TokenAtOffset::None => assert!(text.is_empty() || offset == text.len()),
            TokenAtOffset::Single(t) => assert!(t.range().contains_inclusive(offset as u32)),
            TokenAtOffset::Between(l, r) => {
                assert_eq!(l.range().end, offset as u32);
                assert_eq!(r.range().start, offset as u32);
            }
        }
        let _ = tree.tokens_at_offset(offset as u32).pick_best();
    }

    // Errors are data about the text.
    let mut previous = None;
    for error in parse.errors() {
        let range = error.range;
        assert!(range.start <= range.end, "{error:?}");
        assert!(
            range.end as usize <= text.len(),
            "{error:?} lies in the text"
        );
        assert!(text.is_char_boundary(range.start as usize), "{error:?}");
        assert!(text.is_char_boundary(range.end as usize), "{error:?}");
        assert!(!error.message.trim().is_empty(), "{error:?} has a message");
        // (That every error also has a help is `recovery.rs`'s business.)
        assert!(error.help.as_deref().is_none_or(|h| !h.trim().is_empty()));
        assert!(
            previous <= Some((range.start, range.end)),
            "errors are sorted"
        );
        previous = Some((range.start, range.end));
        let _ = error.to_string();
    }
    // `covering_node` walks down from the root: sample it on files with thousands of errors.
    for error in parse.errors().iter().step_by(step) {
        let covering = tree.covering_node(error.range);
        assert!(covering.range().contains_range(error.range));
    }

    // The views.
    walk_document(parse.document());
    let plain = parse.plain();
    let _ = plain.to_canonical_kdl();
    assert_eq!(parse.is_ok(), parse.errors().is_empty());
    if text.len() < 20_000 {
        let _ = root.debug_dump();
        let _ = format!("{tree:?}");
    }
}

fn check_node(node: SyntaxNode<'_>) {
    let range = node.range();
    assert!(!node.kind().is_token());
    if let Some(parent) = node.parent() {
        assert!(
            parent.range().contains_range(range),
            "{node:?} lies in its parent {parent:?}"
        );
        assert_eq!(node.ancestors().nth(1), Some(parent));
    } else {
        assert_eq!(node.index(), 0);
    }
    // The children, nodes and tokens, tile the node in order.
    let mut end = range.start;
    let mut any = false;
    for child in node.children() {
        let r = child.range();
        assert_eq!(
            r.start, end,
            "{node:?}: children are contiguous, at {child:?}"
        );
        end = r.end;
        any = true;
        if let SyntaxElement::Node(n) = child {
            assert_eq!(n.parent(), Some(node));
        }
        let _ = (child.kind(), child.into_node(), child.into_token());
    }
    if any {
        assert_eq!(end, range.end, "{node:?}: children cover it");
    }
    // Child nodes are ordered and do not overlap.
    let mut last_end = range.start;
    for child in node.child_nodes() {
        assert!(child.range().start >= last_end, "{child:?} is ordered");
        last_end = child.range().end;
    }
    assert_eq!(node.first_token().is_some(), node.last_token().is_some());
    if let (Some(first), Some(last)) = (node.first_token(), node.last_token()) {
        assert_eq!(first.range().start, range.start);
        assert_eq!(last.range().end, range.end);
    }
    for token in node.child_tokens() {
        assert!(range.contains_range(token.range()));
    }
    if let Some(next) = node.next_sibling() {
        assert!(next.range().start >= range.end);
        assert_eq!(next.parent(), node.parent());
    }
    let _ = (
        node.text(),
        node.tree(),
        node.descendants().next(),
        node.tokens().next(),
    );
    let _ = (
        node.child_of_kind(gapmine_syntax::SyntaxKind::Node),
        node.token_of_kind(gapmine_syntax::SyntaxKind::Semicolon),
    );
}

/// Every accessor of the typed view, on every node, entry and block; iterative.
fn walk_document(doc: ast::Document<'_>) {
    let _ = doc.syntax();
    let _ = doc.to_plain();
    let _ = doc.active_nodes().count();
    let mut stack: Vec<ast::Node<'_>> = doc.nodes().collect();
    while let Some(node) = stack.pop() {
        let _ = (
            node.range(),
            node.syntax(),
            node.slashdash(),
            node.is_slashdashed(),
        );
        let _ = node.is_commented_out();
        if let Some(ty) = node.ty() {
            let _ = ty.syntax();
            if let Some(name) = ty.name() {
                let _ = (name.value(), name.range(), name.token());
            }
        }
        if let Some(name) = node.name() {
            let _ = (name.value(), name.range());
        }
        let _ = node.name_text();
        for entry in node.entries() {
            walk_entry(entry);
        }
        let _ = node.active_entries().count();
        for arg in node.arguments() {
            let _ = (
                arg.syntax(),
                arg.is_slashdashed(),
                arg.ty(),
                arg.value().map(|v| v.value()),
            );
        }
        for prop in node.properties() {
            let key = prop.key().map(|k| k.value().into_owned());
            let _ = (
                prop.syntax(),
                prop.is_slashdashed(),
                prop.eq_token(),
                prop.ty(),
            );
            let _ = prop.value().map(|v| v.value());
            if let Some(key) = key {
                assert!(node.property(&key).is_some());
            }
        }
        let _ = node.semicolon();
        let _ = node.parent().map(|p| p.range());
        let _ = node.child_nodes().count();
        let _ = node.children().map(|c| c.syntax());
        for block in node.children_blocks() {
            let _ = (
                block.syntax(),
                block.is_slashdashed(),
                block.l_brace(),
                block.r_brace(),
            );
            stack.extend(block.nodes());
        }
        let _ = node.to_plain();
        if let Some(cast) = ast::Node::cast(node.syntax()) {
            assert_eq!(cast, node);
        }
    }
}

fn walk_entry(entry: Entry<'_>) {
    let _ = (entry.syntax(), entry.is_slashdashed(), entry.to_plain());
    if let Some(ty) = entry.ty() {
        let _ = ty.name().map(|n| n.value());
    }
    if let Some(value) = entry.value() {
        let _ = (
            value.token(),
            value.range(),
            value.is_string(),
            value.as_string(),
        );
        let v = value.value();
        let _ = (v.as_str(), v.as_bool(), v.type_name());
        if let Some(n) = v.as_number() {
            let _ = (
                n.canonical(),
                n.is_integer(),
                n.as_i64(),
                n.as_i128(),
                n.as_f64(),
            );
            let _ = n.to_string();
        }
    }
    assert_eq!(Entry::cast(entry.syntax()), Some(entry));
}

// ---------------------------------------------------------------------------------------------
// Arbitrary input.

/// Characters and fragments that make KDL's structure: with enough of them, random text
/// builds deep blocks, long strings, comments and every kind of half-finished token.
const PIECES: &[&str] = &[
    "{", "}", "{", "}", "(", ")", "=", ";", "/", "\\", "#", "\"", "*", "-", "+", ".", "_", "0",
    "1", "9", "x", "e", "a", "b", "n", "é", "日", "🦀", " ", " ", "\t", "\n", "\n", "\r", "\r\n",
    "'", "\u{FEFF}", "\u{7F}", "\u{0}", "\u{2028}", "\u{85}", "\u{A0}", "\u{200E}", "\u{0B}", "/*",
    "*/", "/-", "//", "\"\"\"", "#\"", "\"#", "##", "\\u{", "#true", "#nan", "#-inf", "0x", "0b",
    "0o", "e+", "node", "true", "null", "key=", "(t)", "{\n", "\n}", "\\\n",
];

fn kdl_flavoured() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..300).prop_map(|p| p.concat())
}

fn kdl_chars() -> impl Strategy<Value = String> {
    let chars: Vec<char> = PIECES.iter().flat_map(|p| p.chars()).collect();
    prop::collection::vec(prop::sample::select(chars), 0..200).prop_map(String::from_iter)
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check(&String::from_utf8_lossy(&bytes));
        if let Ok(text) = std::str::from_utf8(&bytes) {
            check(text);
        }
    }

    #[test]
    fn arbitrary_strings(text in any::<String>()) {
        check(&text);
    }
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn kdl_flavoured_fragments(text in kdl_flavoured()) {
        check(&text);
    }

    #[test]
    fn kdl_flavoured_chars(text in kdl_chars()) {
        check(&text);
    }
}

// ---------------------------------------------------------------------------------------------
// Pathological input. These run on the test harness's threads (2 MiB of stack in debug
// builds), which is the requirement: no input may exhaust the stack there.

const N: usize = 10_000;

/// The parser nests at most `MAX_DEPTH` (256) children blocks and keeps anything deeper as
/// one `Error` node, without recursion (parser.rs `Parser::too_deep`); `to_plain` and the
/// typed view recurse only as deep as the tree, so they are bounded too.
const MAX_DEPTH: usize = 256;

fn plain_depth(doc: &gapmine_syntax::plain::Document) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&gapmine_syntax::plain::Node, usize)> =
        doc.nodes.iter().map(|n| (n, 1)).collect();
    while let Some((node, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        for child in node.children.iter().flatten() {
            stack.push((child, depth + 1));
        }
    }
    deepest
}

#[test]
fn deep_nesting_does_not_exhaust_the_stack() {
    let inputs = [
        "{".repeat(N),
        "}".repeat(N),
        "a{".repeat(N),
        "a {\n".repeat(N),
        format!("{}{}", "a{".repeat(N), "}".repeat(N)),
        format!("{}{}", "a {\n".repeat(N), "}\n".repeat(N)),
        format!("{}{}", "/-a{".repeat(N), "}".repeat(N)),
        "a /-{".repeat(N),
        "(".repeat(N),
        "a (".repeat(N),
        "/*".repeat(N),
        format!("{}{}", "/*".repeat(N), "*/".repeat(N)),
        "{}".repeat(N),
        // 1,000, not 10,000: see `parser_perf_many_blocks_on_one_line`.
        "a{}}".repeat(1_000),
    ];
    for text in &inputs {
        check(text);
        let parse = gapmine_syntax::parse(text);
        assert!(plain_depth(&parse.plain()) <= MAX_DEPTH + 1);
    }
    // Valid KDL nested deeper than the limit is one error at the first block too deep, and the
    // document keeps every level up to it.
    let text = format!("{}{}", "a{".repeat(N), "}".repeat(N));
    let parse = gapmine_syntax::parse(&text);
    let messages: Vec<&str> = parse.errors().iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        ["children blocks are nested more than 256 levels deep"]
    );
    assert_eq!(plain_depth(&parse.plain()), MAX_DEPTH + 1);
    // Up to the limit, deep nesting is simply valid.
    let text = format!("{}{}", "a{".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
    let parse = gapmine_syntax::parse(&text);
    assert!(parse.is_ok(), "{:?}", parse.errors());
    assert_eq!(plain_depth(&parse.plain()), MAX_DEPTH);
}

#[test]
fn many_unclosed_strings() {
    let inputs = [
        "n \"unclosed\n".repeat(N),
        "\"".repeat(N),
        "n \"".repeat(N),
        "#\"".repeat(N),
        "n #\"raw\n".repeat(N),
        "\"\"\"".repeat(N),
        "n \"\"\"\n".repeat(N),
        "n #\"\"\"\n".repeat(N),
        "n \"a\\".repeat(N),
        "n \"\\u{".repeat(N),
    ];
    for text in &inputs {
        check(text);
    }
    // An unclosed single-line string ends at its line: every line is still a node.
    let parse = gapmine_syntax::parse(&"n \"unclosed\n".repeat(N));
    assert_eq!(parse.plain().nodes.len(), N);
}

#[test]
fn huge_single_tokens() {
    const BIG: usize = 1 << 18;
    // Runs of one-char tokens that are each an error: 64K of them, not a megabyte — a
    // megabyte of `=` is a million errors, and takes some 40 s in a debug build.
    const MANY: usize = 1 << 16;
    let inputs = [
        "a".repeat(BIG),
        format!("n {}", "a".repeat(BIG)),
        format!("n \"{}\"", "a".repeat(BIG)),
        format!("n \"{}", "\\n".repeat(BIG / 2)),
        format!("n {}", "1".repeat(BIG)),
        // 20,000 digits, not a megabyte: see `parser_perf_huge_hex_literal`.
        format!("n 0x{}", "f".repeat(20_000)),
        format!("n 0b{}", "1".repeat(20_000)),
        format!("n 1.{}e{}", "5".repeat(BIG / 2), "9".repeat(1000)),
        format!("n {}", "-".repeat(BIG)),
        format!("n {}\"x\"{}", "#".repeat(BIG / 2), "#".repeat(BIG / 2)),
        format!("n {}\"x\"", "#".repeat(BIG)),
        format!("n \"\"\"\n{}\n\"\"\"", "  x\n".repeat(BIG / 4)),
        format!("// {}", "x".repeat(BIG)),
        format!("/* {}", "x".repeat(BIG)),
        " ".repeat(BIG),
        "\n".repeat(BIG),
        "\u{3000}".repeat(BIG / 3),
        "\u{7F}".repeat(MANY),
        "\u{FEFF}".repeat(MANY),
        format!("n {}", "\\\n".repeat(BIG / 2)),
        format!("n {}", "/-".repeat(MANY)),
        format!("n {}", "=".repeat(MANY)),
        format!("n ({}", "a".repeat(BIG)),
    ];
    for text in &inputs {
        check(text);
    }
    // The big integer is kept exactly.
    let parse = gapmine_syntax::parse(&format!("n {}", "1".repeat(BIG)));
    assert!(parse.is_ok());
    let number = parse.plain().nodes[0].entries[0].value.clone();
    assert_eq!(number.as_number().unwrap().canonical().len(), BIG);
}

#[test]
fn every_prefix_of_a_catalogue() {
    // What an editor sees while a file is typed, one char at a time.
    let text = r##"failure-mode "order-lost" {
    title "Orders lost on checkout"
    signals {
        phrase "order missing" weight=0.9
        /- phrase "lost" weight=0.5
        regex #"order \d+ (lost|missing)"#
    }
    note """
        multi
          line
        """
}
intervention "retry-queue" resolves="order-lost" cost=1_000 (days)2.5e0 #true
"##;
    for (i, _) in text.char_indices() {
        check(&text[..i]);
        check(&text[i..]);
    }
}

#[test]
fn empty_and_tiny_inputs() {
    for text in [
        "",
        " ",
        "\n",
        "\u{FEFF}",
        "\u{FEFF}\u{FEFF}",
        "{",
        "}",
        "(",
        ")",
        "\"",
        "#",
        "/",
        "\\",
        "/-",
        "/*",
        "*/",
        ";",
        "=",
        "#\"",
        "\"\"\"",
        "\r",
        "\r\n",
        "\u{85}",
        "0",
        "-",
        "+",
        ".",
    ] {
        check(text);
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs that once took time quadratic in their length. Nothing here times them (speed is
// measured by benchmarks, not tests); a regression shows as a test that does not finish.

/// A long line of blocks: indentation is looked up in a table of line starts, not by scanning
/// back to the start of the line for every block.
#[test]
fn a_long_line_of_blocks_parses() {
    let text = "a{}}".repeat(N);
    let parse = gapmine_syntax::parse(&text);
    assert_eq!(parse.text(), text);
    assert!(!parse.errors().is_empty());
}

/// A huge hexadecimal literal is an error past `MAX_BASED_DIGITS` digits, not a quadratic
/// base conversion.
#[test]
fn a_huge_hex_literal_is_an_error_not_a_stall() {
    let text = format!("n 0x{}", "f".repeat(1 << 20));
    let parse = gapmine_syntax::parse(&text);
    assert_eq!(parse.text(), text);
    let messages: Vec<&str> = parse.errors().iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        ["this hexadecimal number has 1048576 digits, more than the 4096 gapmine reads"]
    );
    // Up to the limit, numbers are exact.
    let text = format!("n 0x{}", "f".repeat(4096));
    let parse = gapmine_syntax::parse(&text);
    assert!(parse.errors().is_empty());
    let plain = parse.plain();
    let value = plain.nodes[0].entries[0].value.as_number().unwrap();
    assert!(value.canonical().len() > 4900);
}
