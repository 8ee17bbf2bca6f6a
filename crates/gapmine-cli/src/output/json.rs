//! `--format json`: one JSON document, described by `docs/schemas/check-output.schema.json`.
//!
//! Lines and columns are 1-based; columns count characters (Unicode scalar values), as the
//! human output does; `offset` is the 0-based byte offset. Files are paths relative to the
//! catalogue's root with `/` separators. `version` changes only when a change would break a
//! reader; fields may be added without it.

use std::io::{self, Write};

use serde::Serialize;

use super::Locator;
use crate::check::Checked;
use crate::line_index::Position;
use gapmine_ide::Severity;

/// The version of the document's shape.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'c> {
    version: u32,
    catalogue: Catalogue,
    diagnostics: Vec<JsonDiagnostic<'c>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Catalogue {
    root: String,
    manifest: &'static str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'c> {
    code: &'static str,
    severity: &'static str,
    message: &'c str,
    help: Option<&'c str>,
    file: &'c str,
    range: Range,
    labels: Vec<JsonLabel<'c>>,
}

#[derive(Serialize)]
struct JsonLabel<'c> {
    file: &'c str,
    range: Range,
    message: &'c str,
}

#[derive(Serialize)]
struct Range {
    start: Location,
    end: Location,
}

#[derive(Serialize)]
struct Location {
    line: usize,
    column: usize,
    offset: usize,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    files: usize,
}

impl From<(Position, Position)> for Range {
    fn from((start, end): (Position, Position)) -> Range {
        let location = |p: Position| Location {
            line: p.line,
            column: p.column,
            offset: p.offset,
        };
        Range {
            start: location(start),
            end: location(end),
        }
    }
}

pub fn write(out: &mut dyn Write, checked: &Checked) -> io::Result<()> {
    let mut locator = Locator::new(checked);
    let diagnostics = checked
        .diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            code: d.code.name(),
            severity: d.severity.as_str(),
            message: &d.message,
            help: d.help.as_deref(),
            file: &d.file,
            range: locator.locate(&d.file, d.range).into(),
            labels: d
                .labels
                .iter()
                .map(|l| JsonLabel {
                    file: &l.file,
                    range: locator.locate(&l.file, l.range).into(),
                    message: &l.message,
                })
                .collect(),
        })
        .collect();
    let document = Document {
        version: VERSION,
        catalogue: Catalogue {
            root: checked.root.display().to_string(),
            manifest: gapmine_ide::MANIFEST,
        },
        diagnostics,
        summary: Summary {
            errors: checked.count(Severity::Error),
            warnings: checked.count(Severity::Warning),
            files: checked.files,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
