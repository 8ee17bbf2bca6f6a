//! `cargo xtask kdl-conformance DIR`: runs the official KDL test suite through gapmine-syntax.
//!
//! The suite's folder holds `input/*` and, for every input that must parse, the same name in
//! `expected_kdl/`. An input whose name ends in `_fail` passes when the parser reports an error
//! (bytes that are not UTF-8 count as one); any other passes when it parses without errors and
//! its plain document, printed in the suite's canonical form, equals the expected file.

use std::ffi::OsString;
use std::fs;
use std::path::Path;

use anyhow::Context;

/// What one case came to.
enum Outcome {
    Pass,
    Fail(String),
}

/// Runs every case in `dir`, prints each failure and a closing `N passed, M failed` line, and
/// returns whether every case passed.
pub(crate) fn run(dir: &Path, verbose: bool) -> anyhow::Result<bool> {
    let input_dir = dir.join("input");
    let expected_dir = dir.join("expected_kdl");
    let mut names = fs::read_dir(&input_dir)
        .with_context(|| {
            format!(
                "cannot read {}: is {} the suite's `test_cases` folder?",
                input_dir.display(),
                dir.display()
            )
        })?
        .map(|entry| entry.map(|e| e.file_name()))
        .collect::<Result<Vec<OsString>, _>>()
        .with_context(|| format!("cannot list {}", input_dir.display()))?;
    names.sort();

    let (mut passed, mut failed) = (0usize, 0usize);
    for name in names {
        let path = input_dir.join(&name);
        if !path.is_file() {
            continue;
        }
        let display = name.to_string_lossy();
        let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let must_fail = Path::new(&name)
            .file_stem()
            .is_some_and(|stem| stem.to_string_lossy().ends_with("_fail"));
        let outcome = if must_fail {
            check_fail(&bytes, verbose)
        } else {
            let expected = fs::read_to_string(expected_dir.join(&name));
            check_pass(&bytes, expected, verbose)
        };
        match outcome {
            Outcome::Pass => {
                passed += 1;
                if verbose {
                    println!("ok   {display}");
                }
            }
            Outcome::Fail(why) => {
                failed += 1;
                println!("FAIL {display}: {why}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}

/// Parses `bytes`, turning a panic into an error message so one bad case cannot stop the run.
fn parse(bytes: &[u8]) -> Result<gapmine_syntax::Parse, String> {
    let text = std::str::from_utf8(bytes).map_err(|err| format!("not UTF-8: {err}"))?;
    std::panic::catch_unwind(|| gapmine_syntax::parse(text))
        .map_err(|_| "the parser panicked (a bug: `parse` must never panic)".to_owned())
}

fn check_fail(bytes: &[u8], verbose: bool) -> Outcome {
    match parse(bytes) {
        Err(why) if why.starts_with("not UTF-8") => Outcome::Pass,
        Err(why) => Outcome::Fail(why),
        Ok(parse) if !parse.errors().is_empty() => {
            if verbose {
                for error in parse.errors() {
                    println!("     {}", describe_error(parse.text(), error));
                }
            }
            Outcome::Pass
        }
        Ok(parse) => Outcome::Fail(format!(
            "expected a syntax error, got none; it parsed as:\n{}",
            indent(&parse.plain().to_canonical_kdl())
        )),
    }
}

fn check_pass(bytes: &[u8], expected: std::io::Result<String>, verbose: bool) -> Outcome {
    let parse = match parse(bytes) {
        Ok(parse) => parse,
        Err(why) => return Outcome::Fail(why),
    };
    if let Some(first) = parse.errors().first() {
        let mut why = format!(
            "unexpected syntax error: {}",
            describe_error(parse.text(), first)
        );
        if verbose {
            for error in &parse.errors()[1..] {
                why.push_str(&format!("\n  and: {}", describe_error(parse.text(), error)));
            }
        }
        return Outcome::Fail(why);
    }
    let expected = match expected {
        Ok(expected) => expected,
        Err(err) => return Outcome::Fail(format!("no expected_kdl file to compare with: {err}")),
    };
    let got = parse.plain().to_canonical_kdl();
    if got == expected {
        Outcome::Pass
    } else {
        Outcome::Fail(format!(
            "output differs\n  expected:\n{}\n  got:\n{}",
            indent(&expected),
            indent(&got)
        ))
    }
}

/// `line:column: message (help)`, with 1-based line and column (in characters).
fn describe_error(text: &str, error: &gapmine_syntax::SyntaxError) -> String {
    let offset = (error.range.start as usize).min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    match &error.help {
        Some(help) => format!("{line}:{column}: {} (help: {help})", error.message),
        None => format!("{line}:{column}: {}", error.message),
    }
}

/// Prefixes every line with `    | ` and marks a missing final newline, so outputs that differ
/// only in whitespace still read differently.
fn indent(text: &str) -> String {
    if text.is_empty() {
        return "    (empty)".to_owned();
    }
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        out.push_str("    | ");
        match line.strip_suffix('\n') {
            Some(body) => out.push_str(body),
            None => {
                out.push_str(line);
                out.push_str("  (no newline at end)");
            }
        }
        out.push('\n');
    }
    out.pop();
    out
}
