//! The server's settings, from `initializationOptions` and `workspace/didChangeConfiguration`.
//!
//! Both take the same object, either bare or under a `gapmine` key (as editors that keep every
//! server's settings in one tree send it): `{ "records": "history/escapes.jsonl" }`.

use serde_json::Value;

/// What a user can set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// A JSONL history of escape records whose matches the code lenses count, relative to the
    /// catalogue's root unless absolute.
    pub records: Option<String>,
}

impl Settings {
    /// The settings an options object gives; `None` when it says nothing about them, so a
    /// notification about another tool's settings changes nothing.
    pub fn from_json(value: &Value) -> Option<Settings> {
        let object = value.get("gapmine").unwrap_or(value).as_object()?;
        let records = match object.get("records") {
            None => return None,
            Some(Value::String(path)) if !path.trim().is_empty() => Some(path.trim().to_owned()),
            Some(_) => None,
        };
        Some(Settings { records })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_are_read_bare_or_under_gapmine() {
        let records = |value: Value| Settings::from_json(&value).map(|s| s.records);
        assert_eq!(
            records(json!({"records": "a.jsonl"})),
            Some(Some("a.jsonl".into()))
        );
        assert_eq!(
            records(json!({"gapmine": {"records": "b.jsonl"}})),
            Some(Some("b.jsonl".into()))
        );
        assert_eq!(records(json!({"gapmine": {"records": null}})), Some(None));
        assert_eq!(records(json!({"other": 1})), None);
        assert_eq!(records(json!(null)), None);
    }
}
