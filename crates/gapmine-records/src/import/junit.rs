//! JUnit XML reports, as Maven Surefire, Gradle, pytest and cargo-nextest write them.
//!
//! Each failed or errored test case is a record; a test that failed and then passed on a rerun
//! (Surefire's and nextest's `<flakyFailure>`/`<flakyError>`) is a record labelled `flaky`.
//! Skipped and passing tests are not records. quick-xml resolves no document type declaration:
//! an entity other than the five XML predefines and character references is kept as written
//! (`&xxe;`), never expanded, so an external entity never reads a file or the network.

use std::borrow::Cow;
use std::io::Read;

use quick_xml::events::{BytesStart, Event};
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use super::{At, ImportError, Imported, normalise_time, validate};

/// The ids given so far, so that a test that fails more than once gets `-2`, `-3`, …: pass the
/// same value to every file of one import.
#[derive(Debug, Default)]
pub struct JunitIds {
    seen: FxHashMap<String, u32>,
}

impl JunitIds {
    fn next(&mut self, base: &str) -> String {
        let count = self.seen.entry(base.to_string()).or_insert(0);
        *count += 1;
        if *count == 1 {
            base.to_string()
        } else {
            format!("{base}-{count}")
        }
    }
}

/// How a test case went wrong, in order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Flaky,
    Error,
    Failure,
}

/// One `<failure>`, `<error>`, `<flakyFailure>`, … element.
#[derive(Debug)]
struct Problem {
    outcome: Outcome,
    message: String,
    kind: String,
    text: String,
}

#[derive(Debug, Default)]
struct Case {
    line: u64,
    classname: String,
    name: String,
    timestamp: Option<String>,
    time: Option<String>,
    problems: Vec<Problem>,
}

/// Where the text of the current element goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sink {
    Nowhere,
    Problem,
}

/// Imports one JUnit XML report.
pub fn junit(mut input: impl Read, ids: &mut JunitIds) -> Imported {
    let mut imported = Imported::default();
    let mut bytes = Vec::new();
    if let Err(e) = input.read_to_end(&mut bytes) {
        imported.records.push(Err(ImportError::new(
            At::Input,
            format!("cannot read the input: {e}"),
        )));
        return imported;
    }
    let line_of = |position: u64| -> u64 {
        let end = (position as usize).min(bytes.len());
        bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64 + 1
    };
    let mut reader = quick_xml::Reader::from_reader(bytes.as_slice());
    let mut buffer = Vec::new();
    // The timestamps of the enclosing `<testsuites>` and `<testsuite>` elements, and suite names.
    let mut suites: Vec<(String, Option<String>)> = Vec::new();
    let mut case: Option<Case> = None;
    let mut into = Sink::Nowhere;
    // Depth of elements inside a problem whose text is not the stack trace (`system-out`).
    let mut ignored_depth = 0usize;
    let mut saw_root = false;
    loop {
        let position = reader.buffer_position();
        let event = match reader.read_event_into(&mut buffer) {
            Ok(event) => event,
            Err(e) => {
                imported.records.push(Err(ImportError::new(
                    At::Line(line_of(reader.error_position())),
                    format!(
                        "not well-formed XML: {e}; give the report as the test runner wrote it"
                    ),
                )));
                break;
            }
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let empty = matches!(event, Event::Empty(_));
                saw_root = true;
                let name = start.local_name();
                match name.as_ref() {
                    b"testsuites" | b"testsuite" if case.is_none() && !empty => {
                        let suite = attribute(start, "name").unwrap_or_default();
                        let stamp = attribute(start, "timestamp")
                            .or_else(|| suites.last().and_then(|s| s.1.clone()));
                        suites.push((suite, stamp));
                    }
                    b"testcase" if case.is_none() => {
                        let new = Case {
                            line: line_of(position),
                            classname: attribute(start, "classname").unwrap_or_default(),
                            name: attribute(start, "name").unwrap_or_default(),
                            timestamp: attribute(start, "timestamp"),
                            time: attribute(start, "time"),
                            problems: Vec::new(),
                        };
                        if empty {
                            finish(new, &suites, ids, &mut imported);
                        } else {
                            case = Some(new);
                        }
                    }
                    kind if case.is_some() && into == Sink::Nowhere => {
                        let outcome = match kind {
                            b"failure" | b"rerunFailure" => Some(Outcome::Failure),
                            b"error" | b"rerunError" => Some(Outcome::Error),
                            b"flakyFailure" | b"flakyError" => Some(Outcome::Flaky),
                            _ => None,
                        };
                        if let (Some(outcome), Some(case)) = (outcome, case.as_mut()) {
                            case.problems.push(Problem {
                                outcome,
                                message: attribute(start, "message").unwrap_or_default(),
                                kind: attribute(start, "type").unwrap_or_default(),
                                text: String::new(),
                            });
                            if !empty {
                                into = Sink::Problem;
                            }
                        }
                    }
                    // Inside a problem: nextest and Surefire put the trace in `<stackTrace>`
                    // and the output in `<system-out>`/`<system-err>`, which are left out.
                    b"system-out" | b"system-err" if into == Sink::Problem && !empty => {
                        ignored_depth += 1;
                    }
                    _ => {}
                }
            }
            Event::End(ref end) => match end.local_name().as_ref() {
                b"testsuites" | b"testsuite" if case.is_none() => {
                    suites.pop();
                }
                b"testcase" => {
                    if let Some(done) = case.take() {
                        finish(done, &suites, ids, &mut imported);
                    }
                    into = Sink::Nowhere;
                    ignored_depth = 0;
                }
                b"system-out" | b"system-err" if into == Sink::Problem && ignored_depth > 0 => {
                    ignored_depth -= 1;
                }
                b"failure" | b"error" | b"flakyFailure" | b"flakyError" | b"rerunFailure"
                | b"rerunError"
                    if into == Sink::Problem =>
                {
                    into = Sink::Nowhere;
                }
                _ => {}
            },
            Event::Text(text) if into == Sink::Problem && ignored_depth == 0 => {
                push_text(&mut case, &text.decode().unwrap_or(Cow::Borrowed("")));
            }
            Event::CData(text) if into == Sink::Problem && ignored_depth == 0 => {
                push_text(&mut case, &String::from_utf8_lossy(&text));
            }
            Event::GeneralRef(reference) if into == Sink::Problem && ignored_depth == 0 => {
                let name = reference.decode().unwrap_or(Cow::Borrowed(""));
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(text) => text.to_string(),
                        // Declared in a DTD, or not at all: kept as written, never expanded.
                        None => format!("&{name};"),
                    },
                };
                push_text(&mut case, &resolved);
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    if !saw_root && imported.records.is_empty() {
        imported.records.push(Err(ImportError::new(
            At::Input,
            "the input has no XML elements; give a JUnit XML report (`<testsuites>` or `<testsuite>`)",
        )));
    }
    imported
}

fn push_text(case: &mut Option<Case>, text: &str) {
    if let Some(problem) = case.as_mut().and_then(|c| c.problems.last_mut()) {
        problem.text.push_str(text);
    }
}

/// An attribute's value with the predefined entities resolved; an undeclared or DTD-declared
/// entity is kept as written.
fn attribute(start: &BytesStart<'_>, name: &str) -> Option<String> {
    let attribute = start.try_get_attribute(name).ok().flatten()?;
    match attribute.unescape_value() {
        Ok(value) => Some(value.into_owned()),
        Err(_) => Some(String::from_utf8_lossy(&attribute.value).into_owned()),
    }
}

/// Makes a finished test case a record, if it failed.
fn finish(
    case: Case,
    suites: &[(String, Option<String>)],
    ids: &mut JunitIds,
    imported: &mut Imported,
) {
    // A failure outranks an error, which outranks a flaky pass; the first of the kind is shown.
    let Some(worst) = case.problems.iter().map(|p| p.outcome).max() else {
        return;
    };
    let at = At::Line(case.line);
    if case.name.trim().is_empty() {
        imported.records.push(Err(ImportError::new(
            at,
            "the failed `<testcase>` has no `name`; give the report as the test runner wrote it",
        )));
        return;
    }
    let problem = case
        .problems
        .iter()
        .find(|p| p.outcome == worst)
        .expect("the worst outcome is one of the problems");
    let test = if case.classname.is_empty() {
        case.name.clone()
    } else {
        format!("{}.{}", case.classname, case.name)
    };
    let mut message = problem.message.trim();
    // nextest's message is only its type ("test failure"): the panic in the text says more.
    if message == problem.kind.trim() {
        message = "";
    }
    let text = problem.text.trim();
    // The title carries the first line of the message, or of the text when there is no message;
    // a Rust panic's first line says only where (`thread 't' panicked at src/x.rs:1:2:`).
    let mut lines = message
        .lines()
        .chain(text.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .peekable();
    let mut headline = lines.next().unwrap_or(problem.kind.trim());
    if headline.starts_with("thread '") && headline.contains("' panicked at ") {
        headline = lines.next().unwrap_or(headline);
    }
    let title = if headline.is_empty() {
        format!("{test} failed")
    } else {
        format!("{test} failed: {headline}")
    };
    let body = match (message.is_empty(), text.is_empty()) {
        (false, false) if text.contains(message) => text.to_string(),
        (false, false) => format!("{message}\n\n{text}"),
        (false, true) => message.to_string(),
        (true, _) => text.to_string(),
    };
    let mut map = Map::new();
    map.insert(
        "id".into(),
        Value::String(ids.next(&format!("JUNIT-{test}"))),
    );
    map.insert("title".into(), Value::String(title));
    if !body.is_empty() {
        map.insert("body".into(), Value::String(body));
    }
    let stamp = case
        .timestamp
        .as_deref()
        .or_else(|| suites.last().and_then(|s| s.1.as_deref()));
    if let Some(at) = stamp.and_then(normalise_time) {
        map.insert("occurred_at".into(), Value::String(at));
    }
    let mut labels = vec![Value::String("junit".into())];
    match worst {
        Outcome::Flaky => labels.push(Value::String("flaky".into())),
        Outcome::Error => labels.push(Value::String("error".into())),
        Outcome::Failure => {}
    }
    map.insert("labels".into(), Value::Array(labels));
    map.insert("source".into(), Value::String("junit".into()));
    if let Some(suite) = suites.iter().rev().map(|s| &s.0).find(|s| !s.is_empty()) {
        map.insert("test_suite".into(), Value::String(suite.clone()));
    }
    if !problem.kind.trim().is_empty() {
        map.insert(
            "failure_type".into(),
            Value::String(problem.kind.trim().to_string()),
        );
    }
    if let Some(time) = case.time.filter(|t| !t.is_empty()) {
        map.insert("duration".into(), Value::String(time));
    }
    imported.records.push(validate(map, &at));
}
