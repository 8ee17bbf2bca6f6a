//! Importers: escape records from the formats teams already export, each read from any `Read`.
//!
//! Every importer returns an [`Imported`]: one `Result` per input item, in input order, so a bad
//! item is reported with where it is and the rest are still imported. Every record is built as a
//! JSON object and validated by [`EscapeRecord::from_object`], the same rules the JSONL reader
//! applies, so what an importer produces always reads back without a rejection.

use std::fmt;

use serde_json::{Map, Value};

use crate::record::{EscapeRecord, OccurredAt};

mod csv;
mod github;
mod jira;
mod junit;

pub use csv::{CsvMapping, MappingError, Target, csv};
pub use github::{GithubOptions, github};
pub use jira::jira;
pub use junit::{JunitIds, junit};

/// What one input gave: a record or an error per item, in input order.
#[derive(Debug, Default)]
pub struct Imported {
    pub records: Vec<Result<EscapeRecord, ImportError>>,
    /// GitHub pull requests left out: the REST issues API lists them among the issues.
    pub skipped_pull_requests: u64,
}

/// An item that could not be imported: where it is in the input, and what is wrong and what to
/// do. Its `Display` is `WHERE: message`, to be prefixed with the file name by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub at: At,
    pub message: String,
}

/// Where in an input an [`ImportError`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// The input as a whole: not the expected format, or unreadable.
    Input,
    /// The n-th item (1-based) of a JSON input, and its id when it has one.
    Item { index: usize, id: Option<String> },
    /// A 1-based line of an XML or CSV input.
    Line(u64),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            At::Input => write!(f, "{}", self.message),
            At::Item {
                index,
                id: Some(id),
            } => write!(f, "item {index} ({id}): {}", self.message),
            At::Item { index, id: None } => write!(f, "item {index}: {}", self.message),
            At::Line(line) => write!(f, "line {line}: {}", self.message),
        }
    }
}

impl std::error::Error for ImportError {}

impl ImportError {
    pub fn new(at: At, message: impl Into<String>) -> ImportError {
        ImportError {
            at,
            message: message.into(),
        }
    }
}

/// Validates a built record by the records crate's own rules.
pub(crate) fn validate(map: Map<String, Value>, at: &At) -> Result<EscapeRecord, ImportError> {
    EscapeRecord::from_object(map)
        .map_err(|e| ImportError::new(at.clone(), format!("the imported record is not valid: {e}")))
}

/// A date or time as the tools write it, made into the record's form: a date, or an RFC 3339
/// time. Jira's `+0000` offsets get their colon (`+00:00`); a time without an offset keeps only
/// its date, since the day it names is all that is known for sure.
pub(crate) fn normalise_time(text: &str) -> Option<String> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() > 16 && bytes[10] == b'T' {
        let (head, offset) = text.split_at(text.len() - 5);
        let o = offset.as_bytes();
        if (o[0] == b'+' || o[0] == b'-') && o[1..].iter().all(u8::is_ascii_digit) {
            let fixed = format!("{head}{}:{}", &offset[..3], &offset[3..]);
            if OccurredAt::parse(&fixed).is_some() {
                return Some(fixed);
            }
        }
    }
    if OccurredAt::parse(text).is_some() {
        return Some(text.to_string());
    }
    // A local time (`2026-09-14T10:02:03`, `2026-09-14 10:02`): its date part.
    if bytes.len() > 10 && matches!(bytes[10], b'T' | b't' | b' ') {
        let date = &text[..10];
        if OccurredAt::parse(date).is_some() {
            return Some(date.to_string());
        }
    }
    None
}

/// The JSON description of a value, for messages ("an object", "null").
pub(crate) fn describe(value: &Value) -> &'static str {
    crate::record::describe(value)
}

/// Reads a whole input as text, or says why not.
pub(crate) fn read_text(mut input: impl std::io::Read) -> Result<String, ImportError> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::new(At::Input, format!("cannot read the input: {e}")))?;
    let mut text = String::from_utf8(bytes).map_err(|e| {
        ImportError::new(
            At::Input,
            format!(
                "the input is not valid UTF-8 (from byte {}); save it as UTF-8",
                e.utf8_error().valid_up_to() + 1
            ),
        )
    })?;
    if text.starts_with('\u{feff}') {
        text.remove(0);
    }
    Ok(text)
}

/// Every top-level JSON value of a text: one for most exports, several when pages were
/// concatenated (`gh api --paginate` prints one array per page).
pub(crate) fn json_values(text: &str) -> Result<Vec<Value>, ImportError> {
    let mut values = Vec::new();
    for value in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        match value {
            Ok(value) => values.push(value),
            Err(e) => {
                return Err(ImportError::new(
                    At::Input,
                    format!(
                        "not valid JSON at line {} column {}: {e}; give the file exactly as the tool printed it",
                        e.line(),
                        e.column()
                    ),
                ));
            }
        }
    }
    Ok(values)
}

/// The names of an array of `{"name": …}` objects (GitHub labels, Jira components); plain
/// strings are accepted too. Anything else is an error naming the field.
pub(crate) fn names(value: Option<&Value>, field: &str) -> Result<Vec<String>, String> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(format!(
                "`{field}` is {}, expected an array like [{{\"name\": \"bug\"}}]",
                describe(other)
            ));
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) => out.push(s.clone()),
            Value::Object(object) => match object.get("name") {
                Some(Value::String(s)) => out.push(s.clone()),
                _ => {
                    return Err(format!(
                        "`{field}[{i}]` has no `name` string; give each as {{\"name\": \"bug\"}}"
                    ));
                }
            },
            other => {
                return Err(format!(
                    "`{field}[{i}]` is {}, expected {{\"name\": \"…\"}}",
                    describe(other)
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
