//! Properties of the formatter: idempotent, meaning-preserving, comment-preserving — on generated
//! documents full of trivia and on the valid inputs of the official KDL test suite.

use std::path::PathBuf;

use gapmine_syntax::fmt::{format, format_unchecked};
use gapmine_syntax::{SyntaxKind, parse};
use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

/// The comments of a file, in order, as the formatter prints them (line comments without
/// trailing whitespace), those inside line continuations included.
fn comments(text: &str) -> Vec<String> {
    let parse = parse(text);
    let mut out = Vec::new();
    for token in parse.tree().tokens() {
        match token.kind() {
            SyntaxKind::LineComment => out.push(token.text().trim_end().to_owned()),
            SyntaxKind::BlockComment => out.push(token.text().to_owned()),
            // `\ /* a */ // b` + newline: its rest parses as a document of trivia.
            SyntaxKind::Escline => out.extend(comments(&token.text()[1..])),
            _ => {}
        }
    }
    out
}

/// Checks the formatter's properties on one valid input.
fn check(text: &str) -> Result<(), String> {
    let parsed = parse(text);
    if !parsed.is_ok() {
        return Err(format!("the input does not parse: {:?}", parsed.errors()));
    }
    let formatted = format_unchecked(&parsed);
    let reparsed = parse(&formatted);
    if !reparsed.is_ok() {
        return Err(format!(
            "the output does not parse: {:?}\n--- output\n{formatted}",
            reparsed.errors()
        ));
    }
    if reparsed.plain() != parsed.plain() {
        return Err(format!(
            "the meaning changed\n--- output\n{formatted}\n--- before\n{:?}\n--- after\n{:?}",
            parsed.plain(),
            reparsed.plain()
        ));
    }
    let twice = format_unchecked(&reparsed);
    if twice != formatted {
        return Err(format!(
            "not idempotent\n--- once\n{formatted:?}\n--- twice\n{twice:?}"
        ));
    }
    if format(&parsed).as_deref() != Some(formatted.as_str()) {
        return Err("`format` disagrees with `format_unchecked`".into());
    }
    let mut rest = formatted.as_str();
    for comment in comments(text) {
        match rest.find(&comment) {
            Some(at) => rest = &rest[at + comment.len()..],
            None => {
                return Err(format!(
                    "comment {comment:?} lost or out of order\n--- output\n{formatted}"
                ));
            }
        }
    }
    for line in formatted.lines() {
        if line.ends_with([' ', '\t']) && !text.contains(line.trim_start()) {
            return Err(format!("trailing whitespace on {line:?}"));
        }
    }
    let body = formatted.trim_start_matches('\u{feff}');
    if !body.is_empty() && (!body.ends_with('\n') || body.ends_with("\n\n")) {
        return Err(format!("not exactly one trailing newline: {formatted:?}"));
    }
    Ok(())
}

// --- A generator of valid KDL documents, with trivia everywhere it may go. Comments hold an
// `@`, replaced by a running number so that each comment's text is unique.

fn pick(options: &'static [&'static str]) -> BoxedStrategy<String> {
    proptest::sample::select(options)
        .prop_map(str::to_owned)
        .boxed()
}

fn ident() -> BoxedStrategy<String> {
    pick(&[
        "a", "b", "node", "foo-bar", "x_1", "über", "+", "-", "--flag", "a.b", "ß", "_",
    ])
}

fn string() -> BoxedStrategy<String> {
    prop_oneof![
        3 => ident(),
        2 => pick(&[
            r#""hello""#,
            r#""""#,
            r#""with \"escape\" and \\""#,
            r#""tab\tand \u{1F600}""#,
            r#""has // no comment""#,
            r#""/* not a comment */""#,
            r#""a\   b""#,
            r#""true""#,
        ]),
        1 => pick(&[r##"#"raw \n"#"##, r###"##"a"#b"##"###, r##"#"/-"#"##]),
        1 => pick(&[
            "\"\"\"\n  hello\n    world\n  \"\"\"",
            "\"\"\"\n\t x\n\t \"\"\"",
            "#\"\"\"\n    raw // text\n    \"\"\"#",
            "\"\"\"\n  line \\\n     continued\n  \"\"\"",
        ]),
    ]
    .boxed()
}

fn number() -> BoxedStrategy<String> {
    pick(&[
        "1",
        "-2",
        "+3",
        "0",
        "1.5",
        "-0.25",
        "1e10",
        "1.5E-3",
        "2e+4",
        "0xFF",
        "-0x1f",
        "0o17",
        "0b1010",
        "1_000",
        "0xdead_beef",
        "12345678901234567890123",
    ])
}

fn keyword() -> BoxedStrategy<String> {
    pick(&["#true", "#false", "#null", "#inf", "#-inf", "#nan"])
}

/// Node-space: at least one of whitespace, block comment or line continuation.
fn node_space() -> BoxedStrategy<String> {
    prop_oneof![
        8 => Just(" ".to_owned()),
        2 => pick(&["   ", "\t", " \t "]),
        2 => pick(&[" /* c@ */ ", "/*c@*/", " /* c@ */"]),
        1 => pick(&[" /* multi@\n   line   \n*/ ", " /* nested /* c@ */ */ "]),
        2 => pick(&[" \\\n    ", "\\\n", " \\ // esc@\n  ", " \\ /* in esc@ */ \n ", " \\  \r\n"]),
    ]
    .boxed()
}

fn opt_space() -> BoxedStrategy<String> {
    prop_oneof![3 => Just(String::new()), 1 => node_space()].boxed()
}

/// Where a slashdash may stand, with what may follow it (line-space).
fn slashdash() -> BoxedStrategy<String> {
    prop_oneof![
        6 => Just(String::new()),
        1 => pick(&["/-", "/- ", "/-\n", "/- // sd@\n  ", "/- /* sd@ */ ", "/-\n\n  "]),
    ]
    .boxed()
}

fn value() -> BoxedStrategy<String> {
    prop_oneof![3 => string(), 2 => number(), 1 => keyword()].boxed()
}

fn ty() -> BoxedStrategy<String> {
    prop_oneof![
        3 => Just(String::new()),
        1 => (opt_space(), string(), opt_space(), opt_space())
            .prop_map(|(a, name, b, c)| format!("({a}{name}{b}){c}")),
    ]
    .boxed()
}

fn entry() -> BoxedStrategy<String> {
    let argument = (ty(), value()).prop_map(|(ty, value)| format!("{ty}{value}"));
    let property = (string(), opt_space(), opt_space(), ty(), value())
        .prop_map(|(key, a, b, ty, value)| format!("{key}{a}={b}{ty}{value}"));
    (slashdash(), prop_oneof![2 => argument, 1 => property])
        .prop_map(|(sd, entry)| format!("{sd}{entry}"))
        .boxed()
}

/// A node without its children block: slashdash, type, name, entries.
fn node_head() -> BoxedStrategy<String> {
    (
        slashdash(),
        ty(),
        string(),
        proptest::collection::vec((node_space(), entry()), 0..4),
    )
        .prop_map(|(sd, ty, name, entries)| {
            let mut out = format!("{sd}{ty}{name}");
            for (space, entry) in entries {
                out.push_str(&space);
                out.push_str(&entry);
            }
            out
        })
        .boxed()
}

/// What may come between two nodes: at least a terminator.
fn terminator() -> BoxedStrategy<String> {
    prop_oneof![
        6 => Just("\n".to_owned()),
        2 => pick(&["\n\n", "\n\n\n\n", "\r\n", "\n   \n\t\n"]),
        3 => pick(&[";", "; ", ";\n", " ;\n\n", "\\\n;"]),
        2 => pick(&[" // line@\n", "// line@   \n", ";// line@\n"]),
        2 => pick(&[
            "\n// own@\n",
            "\n\n  // own@\n\n",
            "\n  /* own block@ */\n",
            " /* after@ */;",
            "; /* before@ */ ",
            "\n/* multi@\n   line */\n",
            " /* after@ */\n",
            "\n\\ // esc-between@\n",
        ]),
    ]
    .boxed()
}

fn list(nodes: BoxedStrategy<String>, in_block: bool) -> BoxedStrategy<String> {
    let lead = pick(&["", "\n", "// head@\n", "/* head@ */ ", "\n\n  ", " "]);
    let trail = if in_block {
        pick(&["", "\n", " ", ";", " // end@\n", "\n\n", "\n/* end@ */"])
    } else {
        pick(&[
            "",
            "\n",
            " // end@",
            "\n\n",
            ";",
            "\n// end@\n\n",
            " /* end@ */",
        ])
    };
    (
        lead,
        proptest::collection::vec((nodes, terminator()), 0..5),
        trail,
    )
        .prop_map(|(lead, nodes, trail)| {
            let mut out = lead;
            let count = nodes.len();
            for (i, (node, term)) in nodes.into_iter().enumerate() {
                out.push_str(&node);
                if i + 1 < count {
                    out.push_str(&term);
                }
            }
            // A line comment at the end of a list needs its newline before `}`; the lead may
            // end in a comment only when something follows it.
            if count == 0 && out.contains("//") && !out.ends_with('\n') {
                out.push('\n');
            }
            // A `;` ends a node: with no node, there is nothing to end.
            if count > 0 || trail != ";" {
                out.push_str(&trail);
            }
            out
        })
        .boxed()
}

fn node() -> BoxedStrategy<String> {
    node_head()
        .prop_recursive(3, 24, 4, |inner| {
            let block = list(inner, true).prop_map(|body| format!("{{{body}}}"));
            (
                node_head(),
                opt_space(),
                prop_oneof![1 => Just(None), 3 => block.clone().prop_map(Some)],
                proptest::collection::vec((node_space(), block), 0..2),
            )
                .prop_map(|(head, space, children, dashed)| {
                    let mut out = head;
                    if let Some(children) = children {
                        out.push_str(&space);
                        out.push_str(&children);
                    }
                    for (space, block) in dashed {
                        out.push_str(&space);
                        out.push_str("/-");
                        out.push_str(&block);
                    }
                    out
                })
                .boxed()
        })
        .boxed()
}

fn document() -> BoxedStrategy<String> {
    (proptest::bool::weighted(0.1), list(node(), false))
        .prop_map(|(bom, body)| {
            let mut out = if bom {
                "\u{feff}".to_owned()
            } else {
                String::new()
            };
            let mut n = 0;
            for c in body.chars() {
                if c == '@' {
                    n += 1;
                    out.push_str(&n.to_string());
                } else {
                    out.push(c);
                }
            }
            out
        })
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn formatter_properties_on_generated_documents(text in document()) {
        if let Err(message) = check(&text) {
            prop_assert!(false, "{}\n--- input\n{}\n--- input (debug)\n{:?}", message, text, text);
        }
    }
}

#[test]
fn formatter_properties_on_the_official_suite() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/kdl-spec-tests/test_cases/input");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!(
            "note: {} is absent; skipping the official suite",
            dir.display()
        );
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    let (mut checked, mut failures) = (0, Vec::new());
    for path in paths {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.trim_end_matches(".kdl").ends_with("_fail") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        checked += 1;
        if let Err(message) = check(&text) {
            failures.push(format!("{name}: {message}\n--- input\n{text:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked >= 200, "only {checked} inputs checked");
    println!("checked {checked} inputs of the official suite");
}

#[test]
fn formatter_properties_on_edge_cases() {
    let cases = [
        "node /-\\\n 1",
        "node /- \\ // c\n 1",
        "(\\\n t)node",
        "( \\ // c\n t )node",
        "node key=\\\n 1",
        "node key \\\n = \\ // c\n 1",
        "node \\",
        "\\",
        "\\ // only",
        "node; \\ // c",
        "node {\n}\\\n",
        "a /* x */ /* y */",
        "/* a */ /* b */ node",
        "/* a */ /* b */ node /* c */; /* d */ node2",
        "a\u{2028}b\u{85}c\u{0C}d\re\u{2029}",
        "node 1 /-{a} {b} /-{c}",
        "\u{feff}// comment",
        "\u{feff}/* comment */",
        "a { b }; c",
        "a { b } /* c */ ;",
        "a {\n    b // c\n}// d",
        "a { b; } // d\n\n\n// e",
        "/-a { b }\n/-c",
        "a /-\n\n// c\n\n 1",
        "a /- /* b */ // c\n /* d */ 1",
        "a {\n\n  // first\n\n  b\n\n  // last\n\n}",
        "a \"\"\"\n  x\n  \"\"\" {\n b \"\"\"\n   y\n   \"\"\"\n}",
        "a /*\n*/ b",
        "(t)/* c */a",
        "a (t)/* c */1",
        "a\t\t1\t\t2",
        "\n\n\n// just a comment\n\n\n",
        "a {\n}\n",
        "a { /* only a comment */ }",
        "a { // only a comment\n}",
        "a {\n\n\n}",
    ];
    let mut failures = Vec::new();
    for case in cases {
        if !parse(case).is_ok() {
            println!("not valid KDL (skipped): {case:?}");
            continue;
        }
        if let Err(message) = check(case) {
            failures.push(format!("{message}\n--- input\n{case:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
