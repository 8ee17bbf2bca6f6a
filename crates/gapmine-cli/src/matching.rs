//! `gapmine match`: streams escape records through the catalogue's matcher in batches and writes
//! each record's failure modes and evidence, in input order, as JSONL, JSON or a table.
//!
//! Memory stays bounded: one batch of records at a time, and the duplicate-id check across all the
//! files (`input::Inputs`: a first pass over the ids, so only repeated ids are kept; every id,
//! 24 bytes each, when reading standard input). Every non-blank line is accounted for: read =
//! classified + unclassified + rejected.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use gapmine_match::{Classification, Decision, Evidence, EvidenceField};
use gapmine_records::{EscapeRecord, Item};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::{Value, json};

use crate::ExitStatus;
use crate::catalogue;
use crate::diagnostics::Reporter;
use crate::input::{Event, Inputs, records_exist};

/// How many records are classified together (in parallel) before their results are written.
const BATCH: usize = 4096;

/// Classify escape records (JSONL, `docs/records.md`) by the catalogue's failure modes.
///
/// Results go to stdout in input order; rejected lines, the summary and the progress bar go to
/// stderr.
#[derive(Debug, clap::Args)]
pub struct MatchArgs {
    /// JSONL files of escape records; `-` reads standard input.
    #[arg(value_name = "RECORDS", required = true)]
    records: Vec<String>,

    /// The catalogue: its `gapmine.kdl`, its folder, or any path inside it. [default: found from
    /// the current folder upward]
    #[arg(long, value_name = "PATH")]
    catalogue: Option<PathBuf>,

    /// How to write the results on stdout.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,

    /// The score (0 to 1) at which a record is classified, instead of the manifest's default.
    /// Failure modes with a `threshold` of their own keep it.
    #[arg(long, value_name = "N", value_parser = parse_threshold)]
    threshold: Option<f64>,

    /// Fail (exit 1) if any record is unclassified.
    #[arg(long)]
    fail_on_unclassified: bool,

    /// Fail (exit 1) if any line is rejected (malformed, missing id, duplicate id, bad date).
    #[arg(long)]
    strict: bool,
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per record and line.
    Jsonl,
    /// One JSON document: `{"records": [...], "summary": {...}}`.
    Json,
    /// A table for people: id, failure modes, the strongest evidence.
    Table,
}

pub(crate) fn parse_threshold(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(t) if (0.0..=1.0).contains(&t) => Ok(t),
        _ => Err(format!(
            "`{text}` is not a threshold: write a number from 0 to 1, like 0.5"
        )),
    }
}

/// Counts of one run: every non-blank line lands in exactly one of classified, unclassified and
/// rejected.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Non-blank lines read, as the readers counted them.
    pub read: u64,
    pub classified: u64,
    pub unclassified: u64,
    pub rejected: u64,
    /// Per failure mode (catalogue order), the records classified as it (implied ones too).
    pub per_failure_mode: Vec<u64>,
}

impl Tally {
    /// Whether the counts add up, as they must.
    pub fn adds_up(&self) -> bool {
        self.read == self.classified + self.unclassified + self.rejected
    }

    fn add(&mut self, classification: &Classification<'_>, index_of: &dyn Fn(&str) -> usize) {
        if classification.is_unclassified() {
            self.unclassified += 1;
        } else {
            self.classified += 1;
        }
        for d in &classification.matches {
            self.per_failure_mode[index_of(d.failure_mode.as_str())] += 1;
        }
    }
}

pub fn run(args: &MatchArgs, reporter: &mut Reporter) -> anyhow::Result<ExitStatus> {
    // Missing files are found before any output is written.
    if !records_exist(&args.records, reporter)? {
        return Ok(ExitStatus::Error);
    }
    let Some(ready) =
        catalogue::ready(args.catalogue.as_deref(), args.threshold, "match", reporter)?
    else {
        return Ok(ExitStatus::Error);
    };
    let ids: Vec<&str> = ready
        .failure_modes
        .iter()
        .map(|fm| fm.common.id.as_str())
        .collect();
    let index_of = |id: &str| ids.iter().position(|i| *i == id).unwrap_or(0);
    let mut tally = Tally {
        per_failure_mode: vec![0; ids.len()],
        ..Tally::default()
    };

    let progress = if io::stderr().is_terminal() {
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {pos} records read ({per_sec})")
        {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };

    // The first pass over the ids, if any, before any output.
    let Some(inputs) = Inputs::prepare(&args.records, reporter)? else {
        return Ok(ExitStatus::Error);
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut sink = Sink::new(args.format);
    sink.start(&mut out)?;
    let mut batch = Batch::default();
    let read = inputs.read(reporter, |_, shown, event| {
        match event {
            Event::Item(Item::Record { line, record }) => {
                batch.push(shown, line, record);
                if batch.records.len() >= BATCH {
                    batch.flush(&ready.matcher, &mut sink, &mut out, &mut tally, &index_of)?;
                    progress.set_position(tally.classified + tally.unclassified);
                }
            }
            Event::Item(Item::Rejected { reason, .. }) => {
                tally.rejected += 1;
                progress.suspend(|| {
                    let _ = out.flush();
                    eprintln!("{reason}");
                });
            }
            Event::End(summary) => {
                tally.read += summary.read;
                // Results of one file before the next file's rejections.
                batch.flush(&ready.matcher, &mut sink, &mut out, &mut tally, &index_of)?;
            }
        }
        Ok(())
    })?;
    if !read {
        progress.finish_and_clear();
        return Ok(ExitStatus::Error);
    }
    sink.finish(&mut out, &tally, &ids)?;
    out.flush()?;
    drop(out);
    progress.finish_and_clear();

    if !tally.adds_up() {
        anyhow::bail!(
            "internal error: {} lines read but {} classified, {} unclassified and {} rejected",
            tally.read,
            tally.classified,
            tally.unclassified,
            tally.rejected
        );
    }
    for line in summary(&tally, &ids) {
        reporter.note(&line)?;
    }
    let mut status = ExitStatus::Success;
    if args.strict && tally.rejected > 0 {
        reporter.note("error: lines were rejected and `--strict` was given; fix them, or leave out `--strict` to skip them")?;
        status = ExitStatus::Failure;
    }
    if args.fail_on_unclassified && tally.unclassified > 0 {
        reporter.note("error: some records are unclassified and `--fail-on-unclassified` was given; `gapmine explain ID --records FILE` shows what fired")?;
        status = ExitStatus::Failure;
    }
    Ok(status)
}

/// The summary's lines: the totals, then the count of each failure mode that has records.
pub fn summary(tally: &Tally, ids: &[&str]) -> Vec<String> {
    let plural = if tally.read == 1 { "" } else { "s" };
    let mut lines = vec![format!(
        "{} record{plural} read: {} classified, {} unclassified, {} rejected",
        tally.read, tally.classified, tally.unclassified, tally.rejected
    )];
    let width = ids
        .iter()
        .zip(&tally.per_failure_mode)
        .filter(|(_, n)| **n > 0)
        .map(|(id, _)| id.len())
        .max()
        .unwrap_or(0);
    for (id, n) in ids.iter().zip(&tally.per_failure_mode) {
        if *n > 0 {
            lines.push(format!("  {id:<width$}  {n}"));
        }
    }
    lines
}

/// Records waiting to be classified, with where each came from.
#[derive(Default)]
struct Batch {
    records: Vec<EscapeRecord>,
    places: Vec<(String, u64)>,
}

impl Batch {
    fn push(&mut self, file: &str, line: u64, record: EscapeRecord) {
        self.records.push(record);
        self.places.push((file.to_owned(), line));
    }

    fn flush(
        &mut self,
        matcher: &gapmine_match::Matcher,
        sink: &mut Sink,
        out: &mut dyn Write,
        tally: &mut Tally,
        index_of: &dyn Fn(&str) -> usize,
    ) -> io::Result<()> {
        if self.records.is_empty() {
            return Ok(());
        }
        let classifications = matcher.classify_batch(&self.records);
        sink.widths(&self.records, &classifications);
        for ((record, (file, line)), classification) in
            self.records.iter().zip(&self.places).zip(&classifications)
        {
            tally.add(classification, index_of);
            sink.record(out, file, *line, record, classification)?;
        }
        self.records.clear();
        self.places.clear();
        Ok(())
    }
}

/// Writes results in one format, as they come.
struct Sink {
    format: Format,
    /// For `json`: whether a record was written yet (a comma goes before the next).
    written: bool,
    /// For `table`: the widths of the id and failure-mode columns, fixed by the first batch.
    widths: Option<(usize, usize)>,
}

impl Sink {
    fn new(format: Format) -> Sink {
        Sink {
            format,
            written: false,
            widths: None,
        }
    }

    fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.format == Format::Json {
            out.write_all(b"{\n  \"records\": [")?;
        }
        Ok(())
    }

    fn widths(&mut self, records: &[EscapeRecord], classifications: &[Classification<'_>]) {
        if self.format != Format::Table || self.widths.is_some() {
            return;
        }
        let id = records
            .iter()
            .map(|r| r.id.chars().count())
            .max()
            .unwrap_or(0);
        let modes = classifications
            .iter()
            .map(|c| failure_modes_cell(c).chars().count())
            .max()
            .unwrap_or(0);
        self.widths = Some((id.clamp(2, 32), modes.clamp(13, 48)));
    }

    fn record(
        &mut self,
        out: &mut dyn Write,
        file: &str,
        line: u64,
        record: &EscapeRecord,
        classification: &Classification<'_>,
    ) -> io::Result<()> {
        match self.format {
            Format::Jsonl => {
                serde_json::to_writer(&mut *out, &record_json(file, line, record, classification))?;
                out.write_all(b"\n")
            }
            Format::Json => {
                let value = record_json(file, line, record, classification);
                let text = serde_json::to_string_pretty(&value)?;
                let indented = text.replace('\n', "\n    ");
                let comma = if self.written { "," } else { "" };
                self.written = true;
                write!(out, "{comma}\n    {indented}")
            }
            Format::Table => {
                let (id_width, modes_width) = self.widths.unwrap_or((2, 13));
                if !self.written {
                    self.written = true;
                    writeln!(
                        out,
                        "{:<id_width$}  {:<modes_width$}  TOP EVIDENCE",
                        "ID", "FAILURE MODES"
                    )?;
                }
                let evidence = top_evidence(classification).map_or_else(
                    || "-".to_owned(),
                    |e| {
                        let text = Value::String(e.text.clone());
                        match e.field {
                            EvidenceField::Title | EvidenceField::Body => format!(
                                "{} {text} in {} ({:+.2})",
                                e.kind.keyword(),
                                e.field,
                                e.weight
                            ),
                            EvidenceField::Label | EvidenceField::Field(_) => {
                                format!("{} {text} ({:+.2})", e.field, e.weight)
                            }
                        }
                    },
                );
                writeln!(
                    out,
                    "{:<id_width$}  {:<modes_width$}  {evidence}",
                    record.id,
                    failure_modes_cell(classification)
                )
            }
        }
    }

    fn finish(&mut self, out: &mut dyn Write, tally: &Tally, ids: &[&str]) -> io::Result<()> {
        if self.format == Format::Json {
            let per: serde_json::Map<String, Value> = ids
                .iter()
                .zip(&tally.per_failure_mode)
                .filter(|(_, n)| **n > 0)
                .map(|(id, n)| ((*id).to_owned(), json!(n)))
                .collect();
            let summary = SummaryOut {
                read: tally.read,
                classified: tally.classified,
                unclassified: tally.unclassified,
                rejected: tally.rejected,
                failure_modes: per,
            };
            let text = serde_json::to_string_pretty(&summary)?.replace('\n', "\n  ");
            let close = if self.written { "\n  " } else { "" };
            writeln!(out, "{close}],\n  \"summary\": {text}\n}}")?;
        } else if self.format == Format::Table && !self.written {
            writeln!(out, "no records")?;
        }
        Ok(())
    }
}

/// `flaky-test 0.91, test-problem ⇐ flaky-test` or `unclassified`.
fn failure_modes_cell(classification: &Classification<'_>) -> String {
    if classification.is_unclassified() {
        return "unclassified".to_owned();
    }
    classification
        .matches
        .iter()
        .map(|d| {
            if d.reached {
                format!("{} {:.2}", d.failure_mode, d.score)
            } else {
                format!("{} (implied)", d.failure_mode)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The evidence with the largest weight among the classified failure modes' own.
fn top_evidence<'c, 'm>(classification: &'c Classification<'m>) -> Option<&'c Evidence<'m>> {
    classification
        .matches
        .iter()
        .flat_map(|d| &d.evidence)
        .filter(|e| e.weight > 0.0)
        .max_by(|a, b| a.weight.total_cmp(&b.weight))
}

/// A score as shown: four decimals, so `0.9099999` reads `0.91`.
fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The field a signal fired on, as JSON names it: `title`, `body`, `label` or the field's name.
pub fn field_name(field: &EvidenceField<'_>) -> String {
    match field {
        EvidenceField::Title => "title".to_owned(),
        EvidenceField::Body => "body".to_owned(),
        EvidenceField::Label => "label".to_owned(),
        EvidenceField::Field(name) => (*name).to_owned(),
    }
}

/// One record's result: where it is, what it is classified as and why, and its near misses.
#[derive(Serialize)]
struct RecordOut<'a> {
    id: &'a str,
    file: &'a str,
    line: u64,
    classified: bool,
    failure_modes: Vec<DecisionOut<'a>>,
    near_misses: Vec<NearMissOut<'a>>,
}

#[derive(Serialize)]
struct DecisionOut<'a> {
    id: &'a str,
    score: f64,
    threshold: f64,
    reached: bool,
    implied_by: Vec<&'a str>,
    evidence: Vec<EvidenceOut<'a>>,
}

#[derive(Serialize)]
struct EvidenceOut<'a> {
    signal: &'static str,
    signal_index: usize,
    weight: f64,
    field: String,
    range: [usize; 2],
    text: &'a str,
}

#[derive(Serialize)]
struct SummaryOut {
    read: u64,
    classified: u64,
    unclassified: u64,
    rejected: u64,
    failure_modes: serde_json::Map<String, Value>,
}

#[derive(Serialize)]
struct NearMissOut<'a> {
    id: &'a str,
    score: f64,
    threshold: f64,
}

fn record_json<'a>(
    file: &'a str,
    line: u64,
    record: &'a EscapeRecord,
    classification: &'a Classification<'_>,
) -> RecordOut<'a> {
    let decision = |d: &'a Decision<'_>| DecisionOut {
        id: d.failure_mode.as_str(),
        score: round(d.score),
        threshold: round(d.threshold),
        reached: d.reached,
        implied_by: d.implied_by.iter().map(|c| c.as_str()).collect(),
        evidence: d
            .evidence
            .iter()
            .map(|e: &'a Evidence<'_>| EvidenceOut {
                signal: e.kind.keyword(),
                signal_index: e.signal_index,
                weight: round(e.weight),
                field: field_name(&e.field),
                range: [e.range.start, e.range.end],
                text: &e.text,
            })
            .collect(),
    };
    RecordOut {
        id: &record.id,
        file,
        line,
        classified: !classification.is_unclassified(),
        failure_modes: classification.matches.iter().map(decision).collect(),
        near_misses: classification
            .near_misses
            .iter()
            .map(|d| NearMissOut {
                id: d.failure_mode.as_str(),
                score: round(d.score),
                threshold: round(d.threshold),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_adds_up_and_lists_failure_modes_with_records() {
        let tally = Tally {
            read: 5,
            classified: 3,
            unclassified: 1,
            rejected: 1,
            per_failure_mode: vec![2, 0, 1],
        };
        assert!(tally.adds_up());
        assert_eq!(
            summary(&tally, &["flaky-test", "unused", "timeout"]),
            [
                "5 records read: 3 classified, 1 unclassified, 1 rejected",
                "  flaky-test  2",
                "  timeout     1",
            ]
        );
        assert!(!Tally { read: 4, ..tally }.adds_up());
    }

    #[test]
    fn thresholds_outside_zero_to_one_are_refused() {
        assert_eq!(parse_threshold("0.7"), Ok(0.7));
        assert!(parse_threshold("1.5").is_err());
        assert!(parse_threshold("x").is_err());
    }
}
