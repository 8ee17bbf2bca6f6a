//! Jira issues, as the REST search API returns them (`GET /rest/api/2|3/search?jql=…`).
//!
//! A description is a string (API v2) or an Atlassian Document Format tree (API v3), whose text
//! nodes are joined with a line break after each block. Jira writes offsets without a colon
//! (`2026-09-14T10:02:03.000+0000`); they are normalised to RFC 3339.

use std::io::Read;

use serde_json::{Map, Value};

use super::{
    At, ImportError, Imported, describe, json_values, names, normalise_time, read_text, validate,
};
use crate::EscapeRecord;

/// Imports a Jira search response (`{"issues": [...]}`), or several concatenated pages.
pub fn jira(input: impl Read) -> Imported {
    let mut imported = Imported::default();
    let values = match read_text(input).and_then(|text| json_values(&text)) {
        Ok(values) => values,
        Err(e) => {
            imported.records.push(Err(e));
            return imported;
        }
    };
    let mut index = 0;
    for value in values {
        let issues = match value {
            Value::Object(mut page) => match page.remove("issues") {
                Some(Value::Array(issues)) => issues,
                _ => {
                    imported.records.push(Err(ImportError::new(
                        At::Input,
                        "the object has no `issues` array; give the response of Jira's search API (`/rest/api/2/search?jql=…`) as it was returned",
                    )));
                    continue;
                }
            },
            other => {
                imported.records.push(Err(ImportError::new(
                    At::Input,
                    format!(
                        "expected a Jira search response (an object with `issues`), found {}",
                        describe(&other)
                    ),
                )));
                continue;
            }
        };
        for item in issues {
            index += 1;
            imported.records.push(issue(item, index));
        }
    }
    imported
}

fn issue(item: Value, index: usize) -> Result<EscapeRecord, ImportError> {
    let Value::Object(issue) = item else {
        return Err(ImportError::new(
            At::Item { index, id: None },
            format!("expected an issue object, found {}", describe(&item)),
        ));
    };
    let Some(Value::String(key)) = issue.get("key") else {
        return Err(ImportError::new(
            At::Item { index, id: None },
            "the issue has no `key` string (like \"OPS-12\"); give the search response as Jira returned it",
        ));
    };
    let at = At::Item {
        index,
        id: Some(key.clone()),
    };
    let fail = |message: String| ImportError::new(at.clone(), message);
    let empty = Map::new();
    let fields = match issue.get("fields") {
        Some(Value::Object(fields)) => fields,
        None | Some(Value::Null) => &empty,
        Some(other) => {
            return Err(fail(format!(
                "`fields` is {}, expected an object",
                describe(other)
            )));
        }
    };
    let Some(Value::String(summary)) = fields.get("summary") else {
        return Err(fail(
            "the issue has no `fields.summary`; ask the search for it (`fields=summary,description,labels,components,created,priority`)"
                .to_string(),
        ));
    };
    let mut map = Map::new();
    map.insert("id".into(), Value::String(key.clone()));
    map.insert("title".into(), Value::String(summary.clone()));
    let body = match fields.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_string()),
        Some(Value::Object(_)) => {
            let mut text = String::new();
            flatten_adf(&fields["description"], &mut text);
            Some(text.trim().to_string())
        }
        Some(other) => {
            return Err(fail(format!(
                "`fields.description` is {}, expected a string or an Atlassian Document Format object",
                describe(other)
            )));
        }
    };
    if let Some(body) = body.filter(|b| !b.is_empty()) {
        map.insert("body".into(), Value::String(body));
    }
    match fields.get("created") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            let created = normalise_time(s).ok_or_else(|| {
                fail(format!(
                    "`fields.created` {s:?} is not a time Jira writes (like \"2026-09-14T10:02:03.000+0000\")"
                ))
            })?;
            map.insert("occurred_at".into(), Value::String(created));
        }
        Some(other) => {
            return Err(fail(format!(
                "`fields.created` is {}, expected a time",
                describe(other)
            )));
        }
    }
    let components = names(fields.get("components"), "fields.components").map_err(fail)?;
    if let Some(first) = components.first() {
        map.insert("service".into(), Value::String(first.clone()));
    }
    let labels = names(fields.get("labels"), "fields.labels").map_err(fail)?;
    if !labels.is_empty() {
        map.insert(
            "labels".into(),
            Value::Array(labels.into_iter().map(Value::String).collect()),
        );
    }
    if let Some(priority) = name_of(fields.get("priority")) {
        map.insert("severity".into(), Value::String(priority));
    }
    map.insert("source".into(), Value::String("jira".into()));
    // `self` is the API's address of the issue; people open `…/browse/KEY`.
    if let Some(Value::String(api)) = issue.get("self")
        && let Some(base) = api
            .split("/rest/api/")
            .next()
            .filter(|b| b.len() < api.len())
    {
        map.insert("url".into(), Value::String(format!("{base}/browse/{key}")));
    }
    if components.len() > 1 {
        map.insert(
            "components".into(),
            Value::Array(components.into_iter().map(Value::String).collect()),
        );
    }
    if let Some(kind) = name_of(fields.get("issuetype")) {
        map.insert("issue_type".into(), Value::String(kind));
    }
    if let Some(status) = name_of(fields.get("status")) {
        map.insert("status".into(), Value::String(status));
    }
    validate(map, &at)
}

/// The `name` of a `{"name": …}` object.
fn name_of(value: Option<&Value>) -> Option<String> {
    value?.get("name")?.as_str().map(str::to_string)
}

/// The text of an Atlassian Document Format node: text nodes in order, a line break after each
/// block and for `hardBreak`, mentions and emoji as their text.
fn flatten_adf(node: &Value, out: &mut String) {
    let kind = node.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "text" => {
            if let Some(text) = node.get("text").and_then(Value::as_str) {
                out.push_str(text);
            }
        }
        "hardBreak" => out.push('\n'),
        "mention" | "emoji" | "status" | "date" => {
            if let Some(text) = node
                .get("attrs")
                .and_then(|a| a.get("text"))
                .and_then(Value::as_str)
            {
                out.push_str(text);
            }
        }
        "listItem" => out.push_str("- "),
        _ => {}
    }
    if let Some(Value::Array(children)) = node.get("content") {
        for child in children {
            flatten_adf(child, out);
        }
    }
    let block = matches!(
        kind,
        "paragraph" | "heading" | "codeBlock" | "blockquote" | "rule" | "panel" | "tableRow"
    );
    if block && !out.ends_with('\n') {
        out.push('\n');
    }
}
