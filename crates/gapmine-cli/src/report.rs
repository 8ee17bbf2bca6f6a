//! `gapmine report`: streams escape records through the catalogue's matcher into
//! `gapmine-rank`'s aggregator (and a tally of where each was detected), ranks the history, and
//! renders the leadership report with `gapmine-report`, to stdout or atomically to a file.
//!
//! Memory stays bounded by one batch of records and the per-class aggregates: records are never
//! held all at once.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use gapmine_model::Entry;
use gapmine_rank::{Aggregator, Catalogue, Settings};
use gapmine_records::EscapeRecord;
use gapmine_report::{Control, DetectionTally, Meta, Pipeline, Report};
use jiff::civil::Date;

use crate::ExitStatus;
use crate::catalogue;
use crate::diagnostics::Reporter;
use crate::input::{read_records, records_exist};

/// How many records are classified together (in parallel) before they are aggregated.
const BATCH: usize = 4096;

/// The leadership view of a history of escapes: the ranked systemic gaps with their scores
/// explained, evidence, trends, forecasts and recommended interventions; the pipeline as a line
/// of stations; the unclassified records.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// JSONL files of escape records; `-` reads standard input.
    #[arg(value_name = "RECORDS", required = true)]
    records: Vec<String>,

    /// The catalogue: its `gapmine.kdl`, its folder, or any path inside it. [default: found from
    /// the current folder upward]
    #[arg(long, value_name = "PATH")]
    catalogue: Option<PathBuf>,

    /// How to render the report.
    #[arg(long, value_enum, default_value_t = Format::Terminal)]
    format: Format,

    /// Write the report to this file (replaced atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,

    /// Leave out records dated before this day (YYYY-MM-DD); undated records stay, counted as
    /// undated.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    since: Option<Date>,

    /// The day the ranking and the forecasts are as of (YYYY-MM-DD). [default: today, in UTC]
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<Date>,

    /// The score (0 to 1) at which a record is classified, instead of the manifest's default.
    #[arg(long, value_name = "N", value_parser = parse_threshold)]
    threshold: Option<f64>,
}

/// The report's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for a terminal, coloured on a terminal unless `NO_COLOR` is set.
    Terminal,
    /// GitHub-flavoured Markdown that fits a pull-request comment.
    Markdown,
    /// One self-contained HTML page with inline SVG charts.
    Html,
    /// One JSON document (docs/schemas/report.schema.json).
    Json,
}

fn parse_date(text: &str) -> Result<Date, String> {
    let ok = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    match text.parse::<Date>() {
        Ok(date) if ok => Ok(date),
        _ => Err(format!(
            "`{text}` is not a date: write YYYY-MM-DD, like 2026-03-02"
        )),
    }
}

fn parse_threshold(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(t) if (0.0..=1.0).contains(&t) => Ok(t),
        _ => Err(format!(
            "`{text}` is not a threshold: write a number from 0 to 1, like 0.5"
        )),
    }
}

pub fn run(args: &ReportArgs, reporter: &mut Reporter) -> anyhow::Result<ExitStatus> {
    if !records_exist(&args.records, reporter)? {
        return Ok(ExitStatus::Error);
    }
    let Some(ready) = catalogue::ready(
        args.catalogue.as_deref(),
        args.threshold,
        "report",
        reporter,
    )?
    else {
        return Ok(ExitStatus::Error);
    };
    let as_of = match args.as_of {
        Some(date) => date,
        None => jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date(),
    };

    let ranker = Catalogue::new(&ready.model);
    let mut aggregator = Aggregator::new(&ranker);
    let mut tally = DetectionTally::default();
    let mut meta = Meta {
        catalogue: ready
            .manifest
            .as_ref()
            .map_or_else(String::new, |m| m.name.clone()),
        version: ready
            .manifest
            .as_ref()
            .map_or_else(String::new, |m| m.version.clone()),
        since: args.since.map(|d| d.to_string()),
        ..Meta::default()
    };

    let mut batch: Vec<EscapeRecord> = Vec::with_capacity(BATCH);
    let flush =
        |batch: &mut Vec<EscapeRecord>, aggregator: &mut Aggregator, tally: &mut DetectionTally| {
            let classifications = ready.matcher.classify_batch(batch);
            for (record, classification) in batch.iter().zip(&classifications) {
                let matched: Vec<&str> = classification
                    .matches
                    .iter()
                    .map(|d| d.failure_mode.as_str())
                    .collect();
                aggregator.add(record, &matched);
                tally.add(record.detected_by.as_deref());
            }
            batch.clear();
        };
    let mut before_since = 0;
    let Some(read) = read_records(&args.records, reporter, |record| {
        if let (Some(since), Some(at)) = (args.since, &record.occurred_at)
            && at.date < since
        {
            before_since += 1;
            return;
        }
        batch.push(record);
        if batch.len() >= BATCH {
            flush(&mut batch, &mut aggregator, &mut tally);
        }
    })?
    else {
        return Ok(ExitStatus::Error);
    };
    meta.before_since = before_since;
    meta.lines = read.lines;
    meta.rejected = read.rejected;
    meta.sources = read.sources;
    flush(&mut batch, &mut aggregator, &mut tally);

    // The manifest's `priority` node sets the score's weights and the half-life (docs/ranking.md).
    let settings = ready
        .manifest
        .as_ref()
        .map_or_else(Settings::default, |m| Settings::from_priority(&m.priority));
    let ranking = aggregator.finish(&settings, as_of);
    let controls: Vec<Control> = ready
        .model
        .iter()
        .filter_map(|e| match e {
            Entry::Control(c) => Some(Control {
                id: c.common.id.to_string(),
                title: c.common.title.clone(),
                stage: c.stage,
            }),
            _ => None,
        })
        .collect();
    let pipeline = Pipeline::build(&controls, &tally, &ranking);
    let report = Report {
        meta: &meta,
        ranking: &ranking,
        pipeline: &pipeline,
    };

    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let colour = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let text = match args.format {
        Format::Terminal => gapmine_report::terminal::render(&report, colour),
        Format::Markdown => gapmine_report::markdown::render(&report),
        Format::Html => gapmine_report::html::render(&report),
        Format::Json => gapmine_report::json::render(&report),
    };
    match &args.output {
        Some(path) => {
            if let Err(error) = crate::fmt::write_atomically(path, &text) {
                reporter.error(
                    &format!("cannot write `{}`: {error:#}", path.display()),
                    Some("check that the folder exists and that you may write to it"),
                )?;
                return Ok(ExitStatus::Error);
            }
            reporter.note(&format!(
                "report written to {} ({} gaps, {} records)",
                path.display(),
                ranking.gaps.len(),
                ranking.quality.records
            ))?;
        }
        None => {
            let stdout = io::stdout();
            let mut out = stdout.lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitStatus::Success)
}
