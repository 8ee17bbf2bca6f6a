//! Opening and reading the records inputs of a run (files, or standard input for `-`), with one
//! duplicate-id check across them: a first pass over the ids when every input can be read twice.

use std::fs::File;
use std::io::{self, BufRead, BufReader};

use anyhow::{anyhow, bail};
use gapmine_records::{
    EscapeRecord, IdCheck, IdScan, Item, Reader, Repeats, RunStore, SeenIds, Summary,
};

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

/// Reads the records of `names` in order, through one duplicate check: a record repeated in a
/// later input is rejected, naming both places, and counted once. Each record goes to
/// `on_record`; each rejection is reported on stderr. `None` after reporting an input that cannot
/// be opened.
pub(crate) fn read_records(
    names: &[String],
    reporter: &mut Reporter,
    mut on_record: impl FnMut(EscapeRecord),
) -> anyhow::Result<Option<ReadAll>> {
    let Some(inputs) = Inputs::prepare(names, reporter)? else {
        return Ok(None);
    };
    let mut read = ReadAll::default();
    let done = inputs.read(reporter, |reporter, shown, event| {
        match event {
            Event::Item(Item::Record { record, .. }) => on_record(record),
            Event::Item(Item::Rejected { reason, .. }) => {
                read.rejected += 1;
                reporter.note(&reason.to_string())?;
            }
            Event::End(summary) => {
                read.lines += summary.read;
                read.sources.push(shown.to_owned());
            }
        }
        Ok(())
    })?;
    Ok(done.then_some(read))
}

/// What reading the inputs hands the caller: each line's item, then the end of the input with its
/// counts.
// An event is handed over at once, never stored: boxing the record would cost an allocation a
// record.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Event {
    Item(Item),
    End(Summary),
}

/// The record inputs of a run, their ids checked for repeats: by a first pass over the ids
/// (`gapmine_records::IdScan`, memory that does not grow with the records) when every input is a
/// regular file, which can be read twice; otherwise (standard input, a pipe such as `<(zcat …)`)
/// by keeping every id in memory as the records stream by (`SeenIds`, 24 bytes an id), so that
/// the input is read once and records are handled as they come.
pub(crate) struct Inputs<'a> {
    names: &'a [String],
    scanned: Option<Scanned>,
}

/// What the first pass found.
struct Scanned {
    repeats: Repeats,
    /// Each input's length as the first pass read it, so a file that changed before the second is
    /// caught.
    lengths: Vec<u64>,
}

impl<'a> Inputs<'a> {
    /// Opens every input once; if all are regular files, reads their ids (the first pass).
    /// `None` after reporting an input that cannot be opened.
    pub(crate) fn prepare(
        names: &'a [String],
        reporter: &mut Reporter,
    ) -> anyhow::Result<Option<Inputs<'a>>> {
        let rereadable = names
            .iter()
            .all(|n| n != "-" && std::fs::metadata(n).is_ok_and(|m| m.is_file()));
        if !rereadable {
            return Ok(Some(Inputs {
                names,
                scanned: None,
            }));
        }
        let mut scan = IdScan::new(TempRuns, IdScan::<TempRuns>::DEFAULT_BUDGET);
        let mut lengths = Vec::with_capacity(names.len());
        for name in names {
            let (input, shown) = match open_records(name) {
                Ok(opened) => opened,
                Err(cannot) => {
                    cannot.report(reporter)?;
                    return Ok(None);
                }
            };
            let bytes = scan.scan(input).map_err(|e| scan_error(Some(&shown), e))?;
            lengths.push(bytes);
        }
        let repeats = scan.finish().map_err(|e| scan_error(None, e))?;
        Ok(Some(Inputs {
            names,
            scanned: Some(Scanned { repeats, lengths }),
        }))
    }

    /// Reads every input in order (the second pass, when there was a first), handing each item
    /// and each input's end to `on` with the input's name as shown. `false` after reporting an
    /// input that cannot be opened.
    pub(crate) fn read(
        self,
        reporter: &mut Reporter,
        on: impl FnMut(&mut Reporter, &str, Event) -> anyhow::Result<()>,
    ) -> anyhow::Result<bool> {
        match self.scanned {
            Some(Scanned { repeats, lengths }) => {
                read_inputs(self.names, repeats, Some(&lengths), reporter, on)
            }
            None => read_inputs(self.names, SeenIds::default(), None, reporter, on),
        }
    }
}

fn read_inputs<C: IdCheck>(
    names: &[String],
    mut ids: C,
    lengths: Option<&[u64]>,
    reporter: &mut Reporter,
    mut on: impl FnMut(&mut Reporter, &str, Event) -> anyhow::Result<()>,
) -> anyhow::Result<bool> {
    for (i, name) in names.iter().enumerate() {
        let first_pass = lengths.map(|l| l[i]);
        if let Some(first) = first_pass {
            let now = std::fs::metadata(name).map_or(first, |m| m.len());
            changed(name, first, now)?;
        }
        let (input, shown) = match open_records(name) {
            Ok(opened) => opened,
            Err(cannot) => {
                cannot.report(reporter)?;
                return Ok(false);
            }
        };
        let mut reader = Reader::continuing(input, shown.as_str(), ids);
        while let Some(item) = reader
            .next_item()
            .map_err(|e| anyhow!("cannot read `{shown}`: {e}"))?
        {
            on(reporter, &shown, Event::Item(item))?;
        }
        if let Some(first) = first_pass {
            changed(&shown, first, reader.bytes_read())?;
        }
        on(reporter, &shown, Event::End(reader.summary()))?;
        ids = reader.into_seen();
    }
    Ok(true)
}

/// An error if a file's length in the second pass is not the first pass's: its ids were not all
/// checked.
fn changed(shown: &str, first: u64, now: u64) -> anyhow::Result<()> {
    if first != now {
        bail!(
            "`{shown}` changed while gapmine read it ({first} bytes when its ids were checked, {now} bytes now); run again when nothing is writing to it, or pipe it in (`-`)"
        );
    }
    Ok(())
}

/// The sorted runs of the first pass, in unnamed temporary files in the temporary folder
/// (`TMPDIR`, else `/tmp`): the operating system deletes such a file when it is closed, however
/// the process ends.
struct TempRuns;

impl RunStore for TempRuns {
    type Run = File;

    fn create(&mut self) -> io::Result<File> {
        tempfile::tempfile().map_err(|error| io::Error::other(TempError(error)))
    }
}

/// A temporary file that could not be made, told apart from an input's read error.
#[derive(Debug)]
struct TempError(io::Error);

impl std::fmt::Display for TempError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TempError {}

/// The first pass's error: an input it could not read (`shown`), a temporary file it could not
/// write, or one it could not read back (`None`).
fn scan_error(shown: Option<&str>, error: io::Error) -> anyhow::Error {
    match error.get_ref().and_then(|e| e.downcast_ref::<TempError>()) {
        Some(TempError(error)) => anyhow!(
            "cannot write a temporary file in `{}` for the duplicate-id check: {error}; set TMPDIR to a folder you may write to",
            std::env::temp_dir().display()
        ),
        None => match shown {
            Some(shown) => anyhow!("cannot read `{shown}`: {error}"),
            None => anyhow!(
                "cannot read back a temporary file of the duplicate-id check in `{}`: {error}",
                std::env::temp_dir().display()
            ),
        },
    }
}
