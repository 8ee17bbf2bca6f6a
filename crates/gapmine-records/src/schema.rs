//! The record format described as data: one [`FieldSpec`] per field, from which `schema()` builds
//! the JSON Schema (`docs/schemas/escape-record.schema.json`) and xtask the field table of
//! `docs/records.md`. Both are generated, so they say what the reader accepts.

use serde_json::{Value, json};

use crate::record::Outcome;

/// One field of an escape record.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub required: bool,
    /// The type as the docs describe it.
    pub ty: &'static str,
    pub doc: &'static str,
    /// An example value, as JSON.
    pub example: &'static str,
}

/// Every field of the format, in the order records are usually written.
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "id",
        required: true,
        ty: "string (or a whole number, kept as its text)",
        doc: "Identifies the record; unique within a file. Not empty.",
        example: r#""ESC-1042""#,
    },
    FieldSpec {
        name: "title",
        required: true,
        ty: "string",
        doc: "A one-line summary of what escaped.",
        example: r#""Export silently dropped rows""#,
    },
    FieldSpec {
        name: "body",
        required: false,
        ty: "string",
        doc: "The full description: what happened, logs, the postmortem's text.",
        example: r#""Rows with a null region were skipped by the CSV writer.""#,
    },
    FieldSpec {
        name: "occurred_at",
        required: false,
        ty: "date or time",
        doc: "When the escape happened or was found: a date `YYYY-MM-DD` or an RFC 3339 time with an offset. Reports bucket records by the month of its date.",
        example: r#""2026-09-14""#,
    },
    FieldSpec {
        name: "service",
        required: false,
        ty: "string",
        doc: "The service or component it happened in.",
        example: r#""billing-export""#,
    },
    FieldSpec {
        name: "team",
        required: false,
        ty: "string",
        doc: "The team that owns it.",
        example: r#""data""#,
    },
    FieldSpec {
        name: "labels",
        required: false,
        ty: "array of strings",
        doc: "Labels or tags from the tracker; label signals match them.",
        example: r#"["bug", "sev2"]"#,
    },
    FieldSpec {
        name: "detected_by",
        required: false,
        ty: "string",
        doc: "Who or what found it (`customer`, `monitoring`, `ci`, …).",
        example: r#""customer""#,
    },
    FieldSpec {
        name: "severity",
        required: false,
        ty: "string",
        doc: "The severity, in the tracker's own words.",
        example: r#""high""#,
    },
    FieldSpec {
        name: "source",
        required: false,
        ty: "string",
        doc: "Where the record came from (`github`, `jira`, `junit`, `csv`, …).",
        example: r#""jira""#,
    },
    FieldSpec {
        name: "url",
        required: false,
        ty: "string",
        doc: "A link to the original issue, incident or test run.",
        example: r#""https://jira.example.com/browse/ESC-1042""#,
    },
    FieldSpec {
        name: "failure_modes",
        required: false,
        ty: "array of strings",
        doc: "Failure-mode ids a person confirmed. They train and evaluate the catalogue; the matcher never overrides them.",
        example: r#"["missing-null-check"]"#,
    },
    FieldSpec {
        name: "interventions",
        required: false,
        ty: "array of `{\"id\": string, \"outcome\": \"held\" | \"failed\" | \"pending\"}`",
        doc: "Interventions a person confirmed for this escape, and how each fared: `held` (the failure has not recurred), `failed` (it recurred anyway), `pending` (not yet known).",
        example: r#"[{"id": "contract-test", "outcome": "held"}]"#,
    },
];

/// The JSON Schema (draft 2020-12) of one escape record.
pub fn schema() -> Value {
    let mut properties = serde_json::Map::new();
    for field in FIELDS {
        let mut property = match field.name {
            "id" => json!({ "type": ["string", "integer"], "minLength": 1, "pattern": "\\S" }),
            "title" => json!({ "type": "string" }),
            "occurred_at" => json!({
                "type": ["string", "null"],
                "anyOf": [
                    { "type": "null" },
                    { "type": "string", "format": "date", "pattern": "^\\d{4}-\\d{2}-\\d{2}$" },
                    { "type": "string", "format": "date-time" }
                ]
            }),
            "labels" | "failure_modes" => {
                json!({ "type": ["array", "null"], "items": { "type": "string" } })
            }
            "interventions" => json!({
                "type": ["array", "null"],
                "items": {
                    "type": "object",
                    "required": ["id", "outcome"],
                    "additionalProperties": false,
                    "properties": {
                        "id": { "type": "string", "minLength": 1 },
                        "outcome": {
                            "enum": Outcome::ALL.iter().map(|o| o.as_str()).collect::<Vec<_>>()
                        }
                    }
                }
            }),
            _ => json!({ "type": ["string", "null"] }),
        };
        let object = property
            .as_object_mut()
            .expect("every property is an object");
        object.insert("description".into(), field.doc.into());
        let example: Value = serde_json::from_str(field.example).expect("examples are JSON");
        object.insert("examples".into(), json!([example]));
        properties.insert(field.name.into(), property);
    }
    let required: Vec<&str> = FIELDS
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name)
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/gapmine/gapmine/blob/main/docs/schemas/escape-record.schema.json",
        "title": "gapmine escape record",
        "description": "One escape record: one JSON object per line of a JSONL file (docs/records.md). Fields not listed here are allowed and kept as written.",
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": true
    })
}
