//! The escape record and its validation from a JSON object, field by field.
//!
//! Validation is written out by hand rather than derived so that every rejection names the field
//! and says what was expected; `Deserialize` goes through the same code.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::fmt::temporal::Pieces;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// One escape: a defect that got past the controls meant to catch it.
///
/// `id` and `title` are required; every other field is optional. Fields the format does not
/// know are kept in `extra`, so nothing a team exports is lost on a round trip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscapeRecord {
    /// Unique within a file. A JSON number is accepted and kept as its text (`1042` → `"1042"`).
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<OccurredAt>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Failure modes a person confirmed; the matcher never overrides them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failure_modes: Vec<String>,
    /// Interventions a person confirmed, with how each fared.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub interventions: Vec<Intervention>,
    /// Every field the format does not define, as written.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The string fields [`EscapeRecord::text`] knows by name (beyond string fields in `extra`).
pub const TEXT_FIELDS: &[&str] = &[
    "id",
    "title",
    "body",
    "service",
    "team",
    "detected_by",
    "severity",
    "source",
    "url",
];

impl EscapeRecord {
    /// The text of a string field by name: a field of the format (see [`TEXT_FIELDS`]) or a
    /// string in `extra`. `None` when the record has no such field or it is not a string.
    pub fn text(&self, field: &str) -> Option<&str> {
        match field {
            "id" => Some(&self.id),
            "title" => Some(&self.title),
            "body" => self.body.as_deref(),
            "service" => self.service.as_deref(),
            "team" => self.team.as_deref(),
            "detected_by" => self.detected_by.as_deref(),
            "severity" => self.severity.as_deref(),
            "source" => self.source.as_deref(),
            "url" => self.url.as_deref(),
            "occurred_at" => self.occurred_at.as_ref().map(|at| at.text.as_str()),
            _ => self.extra.get(field).and_then(Value::as_str),
        }
    }

    /// The record's labels, in the order written.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Validates a JSON object as a record, taking its fields.
    pub fn from_object(mut map: Map<String, Value>) -> Result<Self, FieldError> {
        match (map.contains_key("id"), map.contains_key("title")) {
            (true, true) => {}
            (false, true) => return Err(FieldError::Missing("`id`")),
            (true, false) => return Err(FieldError::Missing("`title`")),
            (false, false) => return Err(FieldError::Missing("`id` and `title`")),
        }
        let id = match map.remove("id") {
            Some(Value::String(s)) => s,
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
            Some(other) => return Err(wrong_type("id", "a string or a whole number", &other)),
            None => unreachable!("checked above"),
        };
        if id.trim().is_empty() {
            return Err(FieldError::EmptyId);
        }
        let title = match map.remove("title") {
            Some(Value::String(s)) => s,
            Some(other) => return Err(wrong_type("title", "a string", &other)),
            None => unreachable!("checked above"),
        };
        let body = string(&mut map, "body")?;
        let occurred_at = match string(&mut map, "occurred_at").map_err(|e| match e {
            FieldError::WrongType { field, found, .. } => FieldError::WrongType {
                field,
                expected:
                    "a date or time as a string (`\"2026-09-14\"`, `\"2026-09-14T08:30:00Z\"`)"
                        .to_string(),
                found,
            },
            other => other,
        })? {
            Some(text) => Some(OccurredAt::parse(&text).ok_or(FieldError::BadDate(text))?),
            None => None,
        };
        let service = string(&mut map, "service")?;
        let team = string(&mut map, "team")?;
        let labels = strings(&mut map, "labels")?;
        let detected_by = string(&mut map, "detected_by")?;
        let severity = string(&mut map, "severity")?;
        let source = string(&mut map, "source")?;
        let url = string(&mut map, "url")?;
        let failure_modes = strings(&mut map, "failure_modes")?;
        let interventions = interventions(&mut map)?;
        Ok(EscapeRecord {
            id,
            title,
            body,
            occurred_at,
            service,
            team,
            labels,
            detected_by,
            severity,
            source,
            url,
            failure_modes,
            interventions,
            extra: map,
        })
    }
}

impl<'de> Deserialize<'de> for EscapeRecord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(deserializer)?;
        EscapeRecord::from_object(map).map_err(serde::de::Error::custom)
    }
}

/// When the escape happened: the text as written and the calendar date it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccurredAt {
    /// The value as written, kept so a round trip changes nothing.
    pub text: String,
    /// The calendar date, in the offset the time was written in (`2026-09-14T23:30:00-05:00`
    /// is the 14th): ranking buckets records by month of this date.
    pub date: Date,
    /// The instant, when a time was given rather than a bare date.
    pub timestamp: Option<Timestamp>,
}

impl OccurredAt {
    /// Reads a date (`2026-09-14`) or an RFC 3339 time with an offset (`2026-09-14T08:30:00Z`,
    /// `2026-09-14T08:30:00+02:00`). `None` for anything else.
    pub fn parse(text: &str) -> Option<OccurredAt> {
        let is_date = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
        if is_date {
            let date: Date = text.parse().ok()?;
            return Some(OccurredAt {
                text: text.to_string(),
                date,
                timestamp: None,
            });
        }
        // A time must carry its offset (RFC 3339); a bracketed time-zone name is not RFC 3339.
        if text.contains('[') {
            return None;
        }
        let timestamp: Timestamp = text.parse().ok()?;
        let pieces = Pieces::parse(text).ok()?;
        Some(OccurredAt {
            text: text.to_string(),
            date: pieces.date(),
            timestamp: Some(timestamp),
        })
    }
}

impl Serialize for OccurredAt {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// An intervention a person confirmed for this escape, and how it fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intervention {
    pub id: String,
    pub outcome: Outcome,
}

impl Serialize for Intervention {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("outcome", self.outcome.as_str())?;
        map.end()
    }
}

/// How an intervention fared against the failure that escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// In place, and the failure has not recurred.
    Held,
    /// In place, and the failure recurred anyway.
    Failed,
    /// Not yet known.
    Pending,
}

impl Outcome {
    pub const ALL: &[Outcome] = &[Outcome::Held, Outcome::Failed, Outcome::Pending];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Held => "held",
            Outcome::Failed => "failed",
            Outcome::Pending => "pending",
        }
    }
}

/// Why a JSON object is not a valid record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// A required field is absent: "`id`", "`title`" or "`id` and `title`".
    Missing(&'static str),
    /// `id` is empty or only whitespace.
    EmptyId,
    /// A field has the wrong type or value.
    WrongType {
        /// The field, with a path into arrays and objects: `interventions[1].outcome`.
        field: String,
        /// What the format expects there: "a string", "one of \"held\", …".
        expected: String,
        /// What the record has there: "a number", "\"won\"".
        found: String,
    },
    /// `occurred_at` is a string but neither a date nor an RFC 3339 time.
    BadDate(String),
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldError::Missing("`id` and `title`") => write!(
                f,
                "the record has no `id` and no `title`; give every record a unique `id` and a one-line `title`"
            ),
            FieldError::Missing("`id`") => write!(
                f,
                "the record has no `id`; give every record a unique `id` string"
            ),
            FieldError::Missing(field) => write!(
                f,
                "the record has no {field}; give every record a one-line `title`"
            ),
            FieldError::EmptyId => write!(
                f,
                "`id` is empty; give every record a unique, non-empty `id`"
            ),
            FieldError::WrongType {
                field,
                expected,
                found,
            } => write!(
                f,
                "`{field}` is {found}, expected {expected}; fix the value, or rename the field if it means something else"
            ),
            FieldError::BadDate(text) => write!(
                f,
                "`occurred_at` {} is not a date or time; write a date (`2026-09-14`) or an RFC 3339 time with an offset (`2026-09-14T08:30:00Z`, `2026-09-14T08:30:00+02:00`)",
                Value::String(text.clone())
            ),
        }
    }
}

impl std::error::Error for FieldError {}

/// How a JSON value is described in messages.
pub(crate) fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number with a fraction",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(field: &str, expected: &str, found: &Value) -> FieldError {
    FieldError::WrongType {
        field: field.to_string(),
        expected: expected.to_string(),
        found: describe(found).to_string(),
    }
}

/// An optional string field; `null` counts as absent, as exports often write it.
fn string(map: &mut Map<String, Value>, field: &str) -> Result<Option<String>, FieldError> {
    match map.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(field, "a string", &other)),
    }
}

/// An optional array of strings; `null` counts as empty.
fn strings(map: &mut Map<String, Value>, field: &str) -> Result<Vec<String>, FieldError> {
    match map.remove(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s),
                other => Err(wrong_type(&format!("{field}[{i}]"), "a string", &other)),
            })
            .collect(),
        Some(other) => Err(wrong_type(field, "an array of strings", &other)),
    }
}

fn interventions(map: &mut Map<String, Value>) -> Result<Vec<Intervention>, FieldError> {
    const FIELD: &str = "interventions";
    const EXPECTED: &str = r#"an array of objects like {"id": "contract-test", "outcome": "held"}"#;
    let items = match map.remove(FIELD) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(wrong_type(FIELD, EXPECTED, &other)),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(mut object) = item else {
            return Err(wrong_type(
                &format!("{FIELD}[{i}]"),
                r#"an object like {"id": "contract-test", "outcome": "held"}"#,
                &item,
            ));
        };
        let id = match object.remove("id") {
            Some(Value::String(s)) if !s.trim().is_empty() => s,
            other => {
                return Err(FieldError::WrongType {
                    field: format!("{FIELD}[{i}].id"),
                    expected: "an intervention's id (a non-empty string)".to_string(),
                    found: match &other {
                        None => "missing".to_string(),
                        Some(Value::String(_)) => "empty".to_string(),
                        Some(value) => describe(value).to_string(),
                    },
                });
            }
        };
        let outcome = match object.remove("outcome") {
            Some(Value::String(s)) => match Outcome::ALL.iter().find(|o| o.as_str() == s) {
                Some(&outcome) => outcome,
                None => {
                    return Err(FieldError::WrongType {
                        field: format!("{FIELD}[{i}].outcome"),
                        expected: outcomes_expected(),
                        found: Value::String(s).to_string(),
                    });
                }
            },
            other => {
                return Err(FieldError::WrongType {
                    field: format!("{FIELD}[{i}].outcome"),
                    expected: outcomes_expected(),
                    found: other.as_ref().map_or("missing", describe).to_string(),
                });
            }
        };
        if let Some(key) = object.keys().next() {
            return Err(FieldError::WrongType {
                field: format!("{FIELD}[{i}].{key}"),
                expected: "only `id` and `outcome` in an intervention".to_string(),
                found: "an unknown field".to_string(),
            });
        }
        out.push(Intervention { id, outcome });
    }
    Ok(out)
}

fn outcomes_expected() -> String {
    let names: Vec<String> = Outcome::ALL
        .iter()
        .map(|o| format!("\"{}\"", o.as_str()))
        .collect();
    format!("one of {}", names.join(", "))
}
