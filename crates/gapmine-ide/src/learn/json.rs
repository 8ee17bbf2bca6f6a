//! Decisions as JSON: one line of a decisions file (the format `gapmine learn` and the language
//! server read, docs/learn.md) parsed into a [`Decision`]. Parsing only: the caller reads the
//! file and says where a line came from.

use gapmine_model::Outcome;
use serde_json::{Map, Value};

use super::{Applied, Decision, is_date, outcome_str, parse_outcome};

const FIELDS: &str = "`record`, `failure_modes`, `intervention`, `outcome`, `at`, `note`, `title`";

/// One line of a decisions file, or what is wrong with it (a message that says what to do).
pub fn parse_decision(line: &str) -> Result<Decision, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| {
        // serde_json's message ends with its own "at line 1 column N".
        let message = e.to_string();
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |at| &message[..at]);
        format!(
            "not valid JSON at column {}: {message}; write each decision as one JSON object on one line",
            e.column()
        )
    })?;
    let Value::Object(map) = value else {
        return Err(format!(
            "expected a JSON object, found {}; write each decision as an object with {FIELDS}",
            describe(&value)
        ));
    };
    for key in map.keys() {
        if !FIELDS.contains(&format!("`{key}`")) {
            return Err(format!(
                "unknown field `{key}`; a decision has the fields {FIELDS}"
            ));
        }
    }
    let string = |map: &Map<String, Value>, key: &str| -> Result<Option<String>, String> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!(
                "`{key}` must be a string, found {}",
                describe(other)
            )),
        }
    };
    let record = match map.get("record") {
        Some(Value::String(s)) => s.clone(),
        // Records accept numeric ids and keep their text; so do decisions.
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => {
            return Err("missing `record`: the escape record's id".to_string());
        }
        Some(other) => {
            return Err(format!(
                "`record` must be a string, found {}",
                describe(other)
            ));
        }
    };
    let failure_modes = match map.get("failure_modes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!(
                    "`failure_modes[{i}]` must be a string (a failure mode's id), found {}",
                    describe(other)
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(format!(
                "`failure_modes` must be an array of ids, found {}",
                describe(other)
            ));
        }
    };
    let intervention = string(&map, "intervention")?;
    let outcome = string(&map, "outcome")?;
    let at = string(&map, "at")?;
    let note = string(&map, "note")?;
    let intervention = match (intervention, outcome) {
        (Some(id), Some(outcome)) => {
            let outcome = parse_outcome(&outcome).ok_or_else(|| {
                format!(
                    "`outcome` is \"{outcome}\"; write one of \"{}\", \"{}\", \"{}\"",
                    outcome_str(Outcome::Held),
                    outcome_str(Outcome::Failed),
                    outcome_str(Outcome::Pending)
                )
            })?;
            if let Some(at) = &at
                && !is_date(at)
            {
                return Err(format!(
                    "`at` is \"{at}\", not a date; write it as YYYY-MM-DD, like 2026-03-02"
                ));
            }
            Some(Applied {
                id,
                outcome,
                at,
                note,
            })
        }
        (Some(_), None) => {
            return Err(
                "`intervention` without `outcome`: say whether it \"held\", \"failed\" or is \"pending\"".to_string(),
            );
        }
        (None, _) => {
            if let Some(key) = ["outcome", "at", "note"]
                .into_iter()
                .find(|k| map.get(*k).is_some_and(|v| !v.is_null()))
            {
                return Err(format!(
                    "`{key}` without `intervention`: name the intervention it is about"
                ));
            }
            None
        }
    };
    Ok(Decision {
        record,
        title: string(&map, "title")?,
        failure_modes,
        intervention,
    })
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
