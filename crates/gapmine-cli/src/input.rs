//! Opening a records input: a file, or standard input for `-`.

use std::fs::File;
use std::io::{self, BufRead, BufReader};

use anyhow::anyhow;
use gapmine_records::{EscapeRecord, Item, Reader, SeenIds};

use crate::diagnostics::Reporter;

/// A records file that could not be opened.
#[derive(Debug)]
pub(crate) struct CannotOpen {
    name: String,
    error: io::Error,
}

impl CannotOpen {
    /// Says so on stderr, with what to do.
    pub(crate) fn report(&self, reporter: &mut Reporter) -> io::Result<()> {
        reporter.error(
            &format!("cannot read `{}`: {}", self.name, self.error),
            Some("check that the file exists and that you may read it"),
        )
    }
}

/// Opens `name` (`-`: standard input) for reading, with the name to show in messages.
pub(crate) fn open_records(name: &str) -> Result<(Box<dyn BufRead>, String), CannotOpen> {
    if name == "-" {
        return Ok((Box::new(io::stdin().lock()), "<stdin>".to_owned()));
    }
    match File::open(name) {
        Ok(file) => Ok((Box::new(BufReader::new(file)), name.to_owned())),
        Err(error) => Err(CannotOpen {
            name: name.to_owned(),
            error,
        }),
    }
}

/// Whether every one of `names` can be found (`-`, standard input, always can): checked before
/// any output is written; `false` after reporting the first that cannot.
pub(crate) fn records_exist(names: &[String], reporter: &mut Reporter) -> io::Result<bool> {
    for name in names {
        if name != "-"
            && let Err(error) = std::fs::metadata(name)
        {
            reporter.error(
                &format!("cannot read `{name}`: {error}"),
                Some("check the path; records are JSONL files (docs/records.md), or `-` for standard input"),
            )?;
            return Ok(false);
        }
    }
    Ok(true)
}

/// What [`read_records`] read.
#[derive(Debug, Default)]
pub(crate) struct ReadAll {
    /// Non-blank lines read, in all the inputs.
    pub(crate) lines: u64,
    /// Lines rejected, each reported on stderr with its reason.
    pub(crate) rejected: u64,
    /// The inputs as shown in messages, in order.
    pub(crate) sources: Vec<String>,
}

/// Reads the records of `names` in order, through one set of ids: a record repeated in a later
/// input is rejected, naming both places, and counted once. Each record goes to `on_record`;
/// each rejection is reported on stderr. `None` after reporting an input that cannot be opened.
pub(crate) fn read_records(
    names: &[String],
    reporter: &mut Reporter,
    mut on_record: impl FnMut(EscapeRecord),
) -> anyhow::Result<Option<ReadAll>> {
    let mut read = ReadAll::default();
    let mut seen = SeenIds::default();
    for name in names {
        let (input, shown) = match open_records(name) {
            Ok(opened) => opened,
            Err(cannot) => {
                cannot.report(reporter)?;
                return Ok(None);
            }
        };
        let mut reader = Reader::continuing(input, shown.as_str(), seen);
        while let Some(item) = reader
            .next_item()
            .map_err(|e| anyhow!("cannot read `{shown}`: {e}"))?
        {
            match item {
                Item::Record { record, .. } => on_record(record),
                Item::Rejected { reason, .. } => {
                    read.rejected += 1;
                    reporter.note(&reason.to_string())?;
                }
            }
        }
        read.lines += reader.summary().read;
        seen = reader.into_seen();
        read.sources.push(shown);
    }
    Ok(Some(read))
}
