//! `--format sarif`: SARIF 2.1.0, the format GitHub code scanning uploads
//! (`github/codeql-action/upload-sarif`) and other static-analysis viewers read.
//!
//! One run; its tool's `rules` are every code of the registry (so a viewer can describe a
//! code that this run did not report), each linking to its section of docs/diagnostics.md.
//! Artifact URIs are relative to the current folder (the repository's root in CI) under the
//! base `%SRCROOT%`, which `originalUriBaseIds` defines as that folder; a catalogue outside
//! it gets absolute `file://` URIs. Columns count Unicode code points (`columnKind`).

use std::io::{self, Write};
use std::path::Path;

use gapmine_ide::{Code, Severity};
use serde_json::{Value, json};

use super::Locator;
use crate::check::Checked;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

pub fn write(out: &mut dyn Write, checked: &Checked) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(checked))?;
    writeln!(out)
}

fn document(checked: &Checked) -> Value {
    let repository = env!("CARGO_PKG_REPOSITORY");
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|code| {
            let docs = code.docs();
            json!({
                "id": code.name(),
                "shortDescription": { "text": docs.what },
                "fullDescription": { "text": docs.why },
                "helpUri": format!("{repository}/blob/main/docs/diagnostics.md#{}", code.name()),
                "defaultConfiguration": { "level": level(code.severity()) },
            })
        })
        .collect();

    let mut locator = Locator::new(checked);
    let mut location = |file: &str, range| {
        let (start, end) = locator.locate(checked_path(checked, file), range);
        json!({
            "artifactLocation": artifact(checked, file),
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            },
        })
    };
    let results: Vec<Value> = checked
        .diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            let related: Vec<Value> = d
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    json!({
                        "id": i,
                        "message": { "text": l.message },
                        "physicalLocation": location(&l.file, l.range),
                    })
                })
                .collect();
            let mut result = json!({
                "ruleId": d.code.name(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code),
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [{ "physicalLocation": location(&d.file, d.range) }],
            });
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            result
        })
        .collect();

    let mut run = json!({
        "tool": {
            "driver": {
                "name": "gapmine",
                "informationUri": repository,
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if let Ok(cwd) = std::env::current_dir() {
        run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": file_uri(&cwd, true) } });
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The checked catalogue's own copy of a path (the locator borrows from it).
fn checked_path<'c>(checked: &'c Checked, file: &str) -> &'c str {
    checked
        .texts
        .get_key_value(file)
        .map_or("", |(key, _)| key.as_str())
}

/// A file's `artifactLocation`: relative to `%SRCROOT%` when the file is under the current
/// folder, an absolute `file://` URI otherwise.
fn artifact(checked: &Checked, file: &str) -> Value {
    let shown = checked.shown_path(file);
    if Path::new(&shown).is_absolute() {
        json!({ "uri": file_uri(Path::new(&shown), false) })
    } else {
        json!({ "uri": percent_encode(&shown), "uriBaseId": SRCROOT })
    }
}

/// `file:///a/b/` for a folder, `file:///a/b.kdl` for a file.
fn file_uri(path: &Path, folder: bool) -> String {
    let mut path = path.display().to_string().replace('\\', "/");
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if folder && !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{}", percent_encode(&path))
}

/// Percent-encodes every byte but the unreserved characters of RFC 3986 and `/`.
fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(super::percent_encode("a b/é.kdl"), "a%20b/%C3%A9.kdl");
        assert_eq!(super::file_uri(Path::new("/x y"), true), "file:///x%20y/");
    }
}
