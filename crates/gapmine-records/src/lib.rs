//! Escape records: the record type, the streaming JSONL reader and the record's JSON Schema.
//!
//! An escape record is one JSON object a line (`docs/records.md`). This crate never opens a file:
//! it reads from any `BufRead` the caller hands it, so the CLI does the IO and tests use byte
//! slices. Records are validated field by field, so a bad line is rejected with a message that
//! names the field, and every line is accounted for: accepted, rejected, or blank. Duplicate ids
//! are found either with every id in memory (`SeenIds`) or, in memory that does not grow with the
//! records, by a first pass over the ids that spills sorted runs to storage the caller supplies
//! (`IdScan`, `RunStore`, `Repeats`).

#![warn(clippy::disallowed_methods)]

pub mod import;
mod reader;
mod record;
mod repeats;
pub mod schema;

pub use reader::{IdCheck, Item, Reader, Rejection, RejectionKind, SeenIds, Summary};
pub use record::{EscapeRecord, FieldError, Intervention, OccurredAt, Outcome, TEXT_FIELDS};
pub use repeats::{IdScan, MemoryRuns, Repeats, RunStore, ScanSummary};

#[cfg(test)]
mod tests;
