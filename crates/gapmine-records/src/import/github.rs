//! GitHub issues, as `gh issue list --json …` prints them and as the REST issues API returns them.
//!
//! Both are JSON arrays of issue objects; they differ in spelling (`createdAt` and `url` from gh,
//! `created_at` and `html_url` from the API). The API lists pull requests among the issues, marked
//! by a `pull_request` field: those are skipped and counted.

use std::io::Read;

use serde_json::{Map, Value};

use super::{
    At, ImportError, Imported, describe, json_values, names, normalise_time, read_text, validate,
};
use crate::EscapeRecord;

/// How GitHub issues become records.
#[derive(Debug, Clone, Default)]
pub struct GithubOptions {
    /// `owner/repo`: ids become `owner/repo#123` instead of `GH-123`, so issues of several
    /// repositories can share one file.
    pub repo: Option<String>,
}

/// Imports a JSON array of GitHub issues (or several, as `gh api --paginate` prints them).
pub fn github(input: impl Read, options: &GithubOptions) -> Imported {
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
        let items = match value {
            Value::Array(items) => items,
            other => {
                imported.records.push(Err(ImportError::new(
                    At::Input,
                    format!(
                        "expected a JSON array of issues, found {}; give the output of `gh issue list --json number,title,body,labels,createdAt,closedAt,url` or of `GET /repos/OWNER/REPO/issues`",
                        describe(&other)
                    ),
                )));
                continue;
            }
        };
        for item in items {
            index += 1;
            if item.get("pull_request").is_some_and(|v| !v.is_null()) {
                imported.skipped_pull_requests += 1;
                continue;
            }
            imported.records.push(issue(item, index, options));
        }
    }
    imported
}

fn issue(item: Value, index: usize, options: &GithubOptions) -> Result<EscapeRecord, ImportError> {
    let at = |id: Option<String>| At::Item { index, id };
    let Value::Object(issue) = item else {
        return Err(ImportError::new(
            at(None),
            format!("expected an issue object, found {}", describe(&item)),
        ));
    };
    let number = match issue.get("number") {
        Some(Value::Number(n)) if n.is_u64() => n.to_string(),
        Some(other) => {
            return Err(ImportError::new(
                at(None),
                format!(
                    "`number` is {}, expected the issue number; give the issues as GitHub prints them",
                    describe(other)
                ),
            ));
        }
        None => {
            return Err(ImportError::new(
                at(None),
                "the issue has no `number`; with `gh issue list`, ask for it: `--json number,title,body,labels,createdAt,closedAt,url`",
            ));
        }
    };
    let id = match &options.repo {
        Some(repo) => format!("{repo}#{number}"),
        None => format!("GH-{number}"),
    };
    let at = at(Some(id.clone()));
    let fail = |message: String| ImportError::new(at.clone(), message);
    let title = match issue.get("title") {
        Some(Value::String(s)) => s.clone(),
        _ => {
            return Err(fail(
                "the issue has no `title` string; with `gh issue list`, ask for it in `--json`"
                    .to_string(),
            ));
        }
    };
    let mut map = Map::new();
    map.insert("id".into(), Value::String(id));
    map.insert("title".into(), Value::String(title));
    if let Some(Value::String(body)) = issue.get("body")
        && !body.trim().is_empty()
    {
        map.insert("body".into(), Value::String(body.clone()));
    }
    let created = issue.get("createdAt").or_else(|| issue.get("created_at"));
    if let Some(created) = time(created, "createdAt").map_err(fail)? {
        map.insert("occurred_at".into(), Value::String(created));
    }
    let labels = names(issue.get("labels"), "labels").map_err(fail)?;
    if !labels.is_empty() {
        map.insert(
            "labels".into(),
            Value::Array(labels.into_iter().map(Value::String).collect()),
        );
    }
    map.insert("source".into(), Value::String("github".into()));
    // The API's `url` is its own address; `html_url` is the page people open.
    let url = issue.get("html_url").or_else(|| issue.get("url"));
    if let Some(Value::String(url)) = url {
        map.insert("url".into(), Value::String(url.clone()));
    }
    let closed = issue.get("closedAt").or_else(|| issue.get("closed_at"));
    if let Some(closed) = time(closed, "closedAt").map_err(fail)? {
        map.insert("closed_at".into(), Value::String(closed));
    }
    validate(map, &at)
}

/// An optional time field: `None` when absent or null (gh prints `"0001-01-01T00:00:00Z"` for
/// an open issue's `closedAt`, which is also absent).
fn time(value: Option<&Value>, field: &str) -> Result<Option<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() || s.starts_with("0001-01-01") => Ok(None),
        Some(Value::String(s)) => normalise_time(s).map(Some).ok_or_else(|| {
            format!(
                "`{field}` {s:?} is not an RFC 3339 time; give the issues as GitHub prints them"
            )
        }),
        Some(other) => Err(format!(
            "`{field}` is {}, expected an RFC 3339 time",
            describe(other)
        )),
    }
}
