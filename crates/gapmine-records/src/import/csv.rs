//! CSV exports, with a mapping from record fields to columns: `id=Key,title=Summary,…`.
//!
//! The header row is required and names the columns. A column may appear more than once (Jira's
//! CSV export repeats `Labels` once per label): a list field takes every cell of that name, any
//! other field the first non-empty one. List fields (`labels`, `failure_modes`) split each cell
//! on `,` and `;`, trimming each item and dropping empty ones.

use std::fmt;
use std::io::Read;

use serde_json::{Map, Value};

use super::{At, ImportError, Imported, normalise_time, validate};
use crate::EscapeRecord;

/// A record field a CSV column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Id,
    Title,
    Body,
    OccurredAt,
    Service,
    Team,
    Labels,
    DetectedBy,
    Severity,
    Source,
    Url,
    FailureModes,
}

impl Target {
    pub const ALL: &[Target] = &[
        Target::Id,
        Target::Title,
        Target::Body,
        Target::OccurredAt,
        Target::Service,
        Target::Team,
        Target::Labels,
        Target::DetectedBy,
        Target::Severity,
        Target::Source,
        Target::Url,
        Target::FailureModes,
    ];

    /// The record field's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Id => "id",
            Target::Title => "title",
            Target::Body => "body",
            Target::OccurredAt => "occurred_at",
            Target::Service => "service",
            Target::Team => "team",
            Target::Labels => "labels",
            Target::DetectedBy => "detected_by",
            Target::Severity => "severity",
            Target::Source => "source",
            Target::Url => "url",
            Target::FailureModes => "failure_modes",
        }
    }

    fn is_list(self) -> bool {
        matches!(self, Target::Labels | Target::FailureModes)
    }
}

/// Which column fills which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvMapping {
    pairs: Vec<(Target, String)>,
}

/// Why a mapping cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError(pub String);

impl fmt::Display for MappingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MappingError {}

impl CsvMapping {
    /// Reads `field=Column,field=Column,…`. `id` and `title` must be mapped; a field may be
    /// mapped once.
    pub fn parse(text: &str) -> Result<CsvMapping, MappingError> {
        let mut pairs: Vec<(Target, String)> = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((field, column)) = part.split_once('=') else {
                return Err(MappingError(format!(
                    "`{part}` is not `field=Column`; write the mapping like `id=Key,title=Summary,occurred_at=Created`"
                )));
            };
            let (field, column) = (field.trim(), column.trim());
            let Some(&target) = Target::ALL.iter().find(|t| t.as_str() == field) else {
                let known: Vec<&str> = Target::ALL.iter().map(|t| t.as_str()).collect();
                return Err(MappingError(format!(
                    "`{field}` is not a record field; map columns to one of {}",
                    known.join(", ")
                )));
            };
            if column.is_empty() {
                return Err(MappingError(format!(
                    "`{field}=` names no column; write `{field}=Column`"
                )));
            }
            if pairs.iter().any(|(t, _)| *t == target) {
                return Err(MappingError(format!(
                    "`{field}` is mapped twice; map each field to one column"
                )));
            }
            pairs.push((target, column.to_string()));
        }
        for required in [Target::Id, Target::Title] {
            if !pairs.iter().any(|(t, _)| *t == required) {
                let name = required.as_str();
                return Err(MappingError(format!(
                    "the mapping has no `{name}`; add `{name}=Column`, naming the column that holds each record's {name}"
                )));
            }
        }
        Ok(CsvMapping { pairs })
    }
}

/// Imports a CSV export with a header row, by the mapping.
pub fn csv(input: impl Read, mapping: &CsvMapping) -> Imported {
    let mut imported = Imported::default();
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input);
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(e) => {
            imported.records.push(Err(csv_error(&e)));
            return imported;
        }
    };
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = h.trim();
            // A byte-order mark before the first header.
            if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                h
            }
            .to_string()
        })
        .collect();
    let mut columns: Vec<(Target, Vec<usize>)> = Vec::new();
    for (target, column) in &mapping.pairs {
        let found: Vec<usize> = (0..names.len()).filter(|&i| names[i] == *column).collect();
        if found.is_empty() {
            imported.records.push(Err(ImportError::new(
                At::Line(1),
                format!(
                    "no column `{column}` (mapped to `{}`); the header has {}; fix the mapping or the header",
                    target.as_str(),
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )));
            return imported;
        }
        columns.push((*target, found));
    }
    let has_source = columns.iter().any(|(t, _)| *t == Target::Source);
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                imported.records.push(Err(csv_error(&e)));
                if e.is_io_error() {
                    break;
                }
                continue;
            }
        };
        let line = row.position().map_or(0, |p| p.line());
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        imported
            .records
            .push(record(&row, &columns, has_source, At::Line(line)));
    }
    imported
}

fn record(
    row: &::csv::StringRecord,
    columns: &[(Target, Vec<usize>)],
    has_source: bool,
    at: At,
) -> Result<EscapeRecord, ImportError> {
    let mut map = Map::new();
    for (target, indices) in columns {
        let cells = indices
            .iter()
            .filter_map(|&i| row.get(i))
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if target.is_list() {
            let items: Vec<Value> = cells
                .flat_map(|c| c.split([',', ';']))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect();
            if !items.is_empty() {
                map.insert(target.as_str().into(), Value::Array(items));
            }
            continue;
        }
        let Some(cell) = cells.into_iter().next() else {
            continue;
        };
        let value = if *target == Target::OccurredAt {
            normalise_time(cell).or_else(|| jira_date(cell)).ok_or_else(|| {
                ImportError::new(
                    at.clone(),
                    format!(
                        "`occurred_at` {cell:?} is not a date or time; export dates as `2026-09-14`, RFC 3339 times (`2026-09-14T08:30:00Z`) or as Jira writes them (`21/Nov/26 10:15 AM`)"
                    ),
                )
            })?
        } else {
            cell.to_string()
        };
        map.insert(target.as_str().into(), Value::String(value));
    }
    if !has_source {
        map.insert("source".into(), Value::String("csv".into()));
    }
    validate(map, &at)
}

/// A date as Jira's "Export CSV" writes it with the default date format `dd/MMM/yy h:mm a`
/// (`21/Nov/26 10:15 AM`), also with a four-digit year, a 24-hour time or no time: the day it
/// names, since the time has no offset. English month abbreviations, in any case; a two-digit
/// year is 1969 to 2068.
pub(crate) fn jira_date(text: &str) -> Option<String> {
    const FORMATS: &[&str] = &[
        "%d/%b/%y %I:%M %p",
        "%d/%b/%Y %I:%M %p",
        "%d/%b/%y %H:%M",
        "%d/%b/%Y %H:%M",
        "%d/%b/%y",
        "%d/%b/%Y",
    ];
    FORMATS.iter().find_map(|format| {
        let date = jiff::fmt::strtime::parse(format, text)
            .ok()?
            .to_date()
            .ok()?;
        Some(date.to_string())
    })
}

fn csv_error(error: &::csv::Error) -> ImportError {
    let line = match error.kind() {
        ::csv::ErrorKind::Utf8 { pos: Some(pos), .. } => Some(pos.line()),
        ::csv::ErrorKind::Deserialize { pos: Some(pos), .. } => Some(pos.line()),
        _ => None,
    };
    let message = match error.kind() {
        ::csv::ErrorKind::Utf8 { .. } => {
            "the row is not valid UTF-8; save the export as UTF-8".to_string()
        }
        _ => format!("cannot read the CSV: {error}"),
    };
    ImportError::new(line.map_or(At::Input, At::Line), message)
}
