//! `gapmine forecast`: streams escape records through the catalogue's matcher into
//! `gapmine-rank`'s aggregator and prints each failure mode's expected occurrences in the next
//! period, with an interval; with `--backtest`, fits at each cutoff and scores the forecast and two
//! baselines against what happened (docs/forecast.md).
//!
//! A record's failure modes are, in order of precedence: its line in `--truth` (mapped through
//! `--map`), its own confirmed `failure_modes`, the matcher's classification.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::PathBuf;

use gapmine_rank::{
    Aggregator, Backtest, BacktestReport, Catalogue, Method, MethodScores, Ranking, Settings,
};
use gapmine_records::EscapeRecord;
use jiff::civil::Date;
use serde_json::json;

use crate::ExitStatus;
use crate::catalogue;
use crate::diagnostics::Reporter;
use crate::eval::{Mapping, Truth, read_truth_and_mapping};
use crate::input::{read_records, records_exist};

/// How many records are classified together before they are aggregated.
const BATCH: usize = 4096;

/// Forecast each failure mode's occurrences in the next period from a history of escape records,
/// or backtest the forecast against what happened after given cutoffs.
///
/// Records without a usable date are counted but left out of the forecast; the summary on stderr
/// says how many.
#[derive(Debug, clap::Args)]
pub struct ForecastArgs {
    /// JSONL files of escape records (`docs/records.md`); `-` reads standard input.
    #[arg(value_name = "RECORDS", required = true)]
    records: Vec<String>,

    /// The catalogue: its `gapmine.kdl`, its folder, or any path inside it. [default: found from
    /// the current folder upward]
    #[arg(long, value_name = "PATH")]
    catalogue: Option<PathBuf>,

    /// The period to forecast: days (`90d`, or `90`) or weeks (`13w`).
    #[arg(long, value_name = "SPAN", default_value = "90d", value_parser = parse_horizon)]
    horizon: u32,

    /// The date to forecast from (`2026-01-01`); records dated after it are reported and left
    /// out. [default: today, in UTC]
    #[arg(long, value_name = "DATE", value_parser = parse_date, conflicts_with = "backtest")]
    as_of: Option<Date>,

    /// Also forecast each failure mode per service.
    #[arg(long)]
    per_service: bool,

    /// How to print the forecast.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// Instead of forecasting, fit on the records before each `--cutoff` and score the forecast
    /// and two baselines (last period's count, the all-time mean rate) on the horizon after it.
    #[arg(long, requires = "cutoff")]
    backtest: bool,

    /// The backtest's cutoffs: dates, comma-separated (`2024-01-01,2024-07-01`).
    #[arg(long, value_name = "DATE,…", value_delimiter = ',', value_parser = parse_date, requires = "backtest")]
    cutoff: Vec<Date>,

    /// A JSONL file of `{"id": …, "classes": […]}`: the classes of the records it lists, taken as
    /// their confirmed failure modes (as `gapmine eval --truth` reads it).
    #[arg(long, value_name = "FILE")]
    truth: Option<PathBuf>,

    /// A JSON object mapping each truth class to catalogue ids (`{"Time": ["time-handling-bug"]}`;
    /// the first id is taken; `[]` for a class the catalogue does not model). With `--backtest`,
    /// the failure modes it maps to are the ones scored.
    #[arg(long, value_name = "FILE", requires = "truth")]
    map: Option<PathBuf>,

    /// The score (0 to 1) at which the matcher classifies a record, instead of the manifest's
    /// default.
    #[arg(long, value_name = "N", value_parser = crate::matching::parse_threshold)]
    threshold: Option<f64>,
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// One JSON document.
    Json,
}

fn parse_date(text: &str) -> Result<Date, String> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| format!("`{text}` is not a date: write it as YYYY-MM-DD, like 2026-01-01"))
}

fn parse_horizon(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let (digits, days_per) = if let Some(d) = text.strip_suffix('d') {
        (d, 1)
    } else if let Some(w) = text.strip_suffix('w') {
        (w, 7)
    } else {
        (text, 1)
    };
    match digits.parse::<u32>() {
        Ok(n) if n > 0 && n <= 3650 / days_per => Ok(n * days_per),
        _ => Err(format!(
            "`{text}` is not a horizon: write a number of days or weeks from 1 day to 10 years, like 90d or 13w"
        )),
    }
}

/// How the lines of the input were accounted for.
#[derive(Debug, Default)]
struct Tally {
    read: u64,
    rejected: u64,
    /// Records whose classes came from the truth file.
    from_truth: u64,
    /// Truth classes the mapping does not mention (treated as unmappable), with counts.
    unknown_classes: std::collections::BTreeMap<String, u64>,
}

/// Where the records go: the ranking's aggregator or the backtest.
enum Sink {
    Rank(Box<Aggregator>),
    Backtest(Box<Backtest>),
}

impl Sink {
    fn add(&mut self, record: &EscapeRecord, classes: &[&str]) {
        match self {
            Sink::Rank(a) => a.add(record, classes),
            Sink::Backtest(b) => b.add(record, classes),
        }
    }
}

pub fn run(args: &ForecastArgs, reporter: &mut Reporter) -> anyhow::Result<ExitStatus> {
    if !records_exist(&args.records, reporter)? {
        return Ok(ExitStatus::Error);
    }
    let Some((mapping, truth)) =
        read_truth_and_mapping(args.truth.as_deref(), args.map.as_deref(), reporter)?
    else {
        return Ok(ExitStatus::Error);
    };
    let Some(ready) = catalogue::ready(
        args.catalogue.as_deref(),
        args.threshold,
        "forecast",
        reporter,
    )?
    else {
        return Ok(ExitStatus::Error);
    };
    let priority = ready
        .manifest
        .as_ref()
        .map(|m| m.priority.clone())
        .unwrap_or_default();
    let mut settings = Settings::from_priority(&priority);
    settings.horizon_days = args.horizon;
    let catalogue = Catalogue::new(&ready.model);

    let mut sink = if args.backtest {
        Sink::Backtest(Box::new(Backtest::new(
            &catalogue,
            &args.cutoff,
            args.horizon,
        )))
    } else {
        Sink::Rank(Box::new(Aggregator::new(&catalogue)))
    };
    let mut tally = Tally::default();
    let classify = Classify {
        matcher: &ready.matcher,
        truth: truth.as_ref(),
        mapping: mapping.as_ref(),
    };
    let mut batch = Vec::with_capacity(BATCH);
    let Some(read) = read_records(&args.records, reporter, |record| {
        batch.push(record);
        if batch.len() >= BATCH {
            classify.flush(&mut batch, &mut sink, &mut tally);
        }
    })?
    else {
        return Ok(ExitStatus::Error);
    };
    classify.flush(&mut batch, &mut sink, &mut tally);
    tally.read = read.lines;
    tally.rejected = read.rejected;

    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut notes = Vec::new();
    match sink {
        Sink::Rank(aggregator) => {
            let as_of = args.as_of.unwrap_or_else(today);
            let ranking = aggregator.finish(&settings, as_of);
            match args.format {
                Format::Table => write_forecast_table(&mut out, &ranking, args.per_service)?,
                Format::Json => {
                    serde_json::to_writer_pretty(
                        &mut out,
                        &forecast_json(&ranking, args.per_service, &tally),
                    )?;
                    writeln!(out)?;
                }
            }
            notes.extend(quality_notes(&ranking, &tally));
        }
        Sink::Backtest(backtest) => {
            let scope: Option<Vec<String>> = mapping.as_ref().map(|m| {
                let ids: BTreeSet<String> =
                    m.values().filter_map(|ids| ids.first()).cloned().collect();
                ids.into_iter().collect()
            });
            for id in scope.iter().flatten() {
                if !catalogue.has_failure_mode(id) {
                    notes.push(format!(
                        "warning: the mapping names `{id}`, which the catalogue does not have; it is not scored"
                    ));
                }
            }
            let report = backtest.finish(&settings, scope.as_deref());
            match args.format {
                Format::Table => write_backtest_table(&mut out, &report)?,
                Format::Json => {
                    serde_json::to_writer_pretty(&mut out, &report)?;
                    writeln!(out)?;
                }
            }
            notes.push(format!(
                "{} lines read: {} rejected, {} without a usable date (in no fit and no horizon), {} with no failure mode of the catalogue",
                tally.read, tally.rejected, report.undated, report.unclassified
            ));
        }
    }
    out.flush()?;
    drop(out);
    for (class, n) in &tally.unknown_classes {
        reporter.note(&format!(
            "warning: the truth class `{class}` ({n}×) is not in the mapping; counted as unmappable"
        ))?;
    }
    if truth.is_some() {
        reporter.note(&format!(
            "{} records took their failure modes from the truth file",
            tally.from_truth
        ))?;
    }
    for note in notes {
        reporter.note(&note)?;
    }
    Ok(ExitStatus::Success)
}

/// Today's date in UTC: the default as-of date.
fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// Decides each record's failure modes.
struct Classify<'a> {
    matcher: &'a gapmine_match::Matcher,
    truth: Option<&'a Truth>,
    mapping: Option<&'a Mapping>,
}

impl Classify<'_> {
    /// Classifies a batch and hands each record with its failure modes to the sink.
    fn flush(&self, batch: &mut Vec<EscapeRecord>, sink: &mut Sink, tally: &mut Tally) {
        if batch.is_empty() {
            return;
        }
        let classifications = self.matcher.classify_batch(batch);
        for (record, classification) in batch.iter_mut().zip(&classifications) {
            if let Some(classes) = self.truth.and_then(|t| t.get(&record.id)) {
                tally.from_truth += 1;
                let mut ids: Vec<String> = Vec::new();
                for class in classes {
                    match self.mapping {
                        None => ids.push(class.clone()),
                        Some(m) => match m.get(class) {
                            Some(mapped) => ids.extend(mapped.first().cloned()),
                            None => *tally.unknown_classes.entry(class.clone()).or_default() += 1,
                        },
                    }
                }
                // The truth is the confirmed classification: it replaces the record's own.
                record.failure_modes.clear();
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                sink.add(record, &ids);
                continue;
            }
            let matched: Vec<&str> = classification
                .matches
                .iter()
                .map(|d| d.failure_mode.as_str())
                .collect();
            sink.add(record, &matched);
        }
        batch.clear();
    }
}

/// What the summary on stderr says about the input.
fn quality_notes(ranking: &Ranking, tally: &Tally) -> Vec<String> {
    let q = &ranking.quality;
    let mut notes = vec![format!(
        "{} lines read: {} classified, {} unclassified, {} rejected",
        tally.read, q.classified, q.unclassified, tally.rejected
    )];
    let left_out = q.undated + q.before_1970 + q.future;
    if left_out > 0 {
        notes.push(format!(
            "{left_out} records counted but left out of trends and forecasts: {} without a date, {} dated before 1970, {} dated after {}",
            q.undated, q.before_1970, q.future, ranking.as_of
        ));
    }
    for (id, n) in &q.unknown_failure_modes {
        notes.push(format!(
            "warning: {n} records name the failure mode `{id}`, which the catalogue does not have"
        ));
    }
    if q.unknown_other > 0 {
        notes.push(format!(
            "warning: {} more records name failure modes the catalogue does not have",
            q.unknown_other
        ));
    }
    notes
}

/// The gaps, the most expected occurrences first.
fn by_expected(ranking: &Ranking) -> Vec<&gapmine_rank::Gap> {
    let mut gaps: Vec<&gapmine_rank::Gap> = ranking.gaps.iter().collect();
    gaps.sort_by(|a, b| {
        b.forecast
            .expected
            .total_cmp(&a.forecast.expected)
            .then_with(|| a.failure_mode.cmp(&b.failure_mode))
    });
    gaps
}

fn interval(low: u64, high: u64) -> String {
    format!("{low}–{high}")
}

fn write_forecast_table(
    out: &mut impl Write,
    ranking: &Ranking,
    per_service: bool,
) -> io::Result<()> {
    let s = &ranking.settings;
    writeln!(
        out,
        "as of {}: occurrences expected in the next {} days, with {:.0}% intervals",
        ranking.as_of,
        s.horizon_days,
        s.level * 100.0
    )?;
    if ranking.gaps.is_empty() {
        writeln!(
            out,
            "no failure mode of the catalogue occurred in the records"
        )?;
        return Ok(());
    }
    let gaps = by_expected(ranking);
    let width = gaps
        .iter()
        .map(|g| g.failure_mode.len())
        .chain(
            gaps.iter()
                .filter(|_| per_service)
                .flat_map(|g| g.per_service.iter().map(|p| p.service.len() + 2)),
        )
        .chain([12])
        .max()
        .unwrap_or(12);
    let last = format!("last {}d", s.horizon_days);
    writeln!(out)?;
    writeln!(
        out,
        "{:width$}  {:>11}  {:>5}  {:>9}  {:>8}  {:>6}  {:>8}",
        "failure mode", "occurrences", "dated", last, "expected", "median", "interval"
    )?;
    for g in gaps {
        let f = &g.forecast;
        writeln!(
            out,
            "{:width$}  {:>11}  {:>5}  {:>9}  {:>8.2}  {:>6}  {:>8}",
            g.failure_mode,
            g.occurrences,
            g.dated,
            g.last_period,
            f.expected,
            f.median,
            interval(f.low, f.high)
        )?;
        if per_service {
            for p in &g.per_service {
                let f = &p.forecast;
                writeln!(
                    out,
                    "{:width$}  {:>11}  {:>5}  {:>9}  {:>8.2}  {:>6}  {:>8}",
                    format!("  {}", p.service),
                    p.occurrences,
                    "",
                    "",
                    f.expected,
                    f.median,
                    interval(f.low, f.high)
                )?;
            }
        }
    }
    Ok(())
}

fn forecast_json(ranking: &Ranking, per_service: bool, tally: &Tally) -> serde_json::Value {
    let gaps = by_expected(ranking);
    let failure_modes: Vec<serde_json::Value> = gaps
        .iter()
        .map(|g| {
            let mut v = json!({
                "failure_mode": g.failure_mode,
                "title": g.title,
                "occurrences": g.occurrences,
                "dated": g.dated,
                "last_period": g.last_period,
                "forecast": g.forecast,
            });
            if per_service {
                v["per_service"] = json!(g.per_service);
            }
            v
        })
        .collect();
    json!({
        "as_of": ranking.as_of.to_string(),
        "horizon_days": ranking.settings.horizon_days,
        "level": ranking.settings.level,
        "half_life_days": ranking.settings.half_life_days,
        "failure_modes": failure_modes,
        "records": {
            "read": tally.read,
            "rejected": tally.rejected,
            "classified": ranking.quality.classified,
            "unclassified": ranking.quality.unclassified,
            "undated": ranking.quality.undated,
            "before_1970": ranking.quality.before_1970,
            "future": ranking.quality.future,
        },
        "unknown_failure_modes": ranking.quality.unknown_failure_modes,
    })
}

fn rho(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_owned(), |r| format!("{r:.2}"))
}

fn write_backtest_table(out: &mut impl Write, report: &BacktestReport) -> io::Result<()> {
    writeln!(
        out,
        "backtest: fitted on the records before each cutoff, scored on the {} days from it",
        report.horizon_days
    )?;
    writeln!(
        out,
        "ρ: Spearman's rank correlation of predicted and actual counts; MAE: mean absolute error; the forecast's point is its median"
    )?;
    let header = |out: &mut dyn Write, what: &str| -> io::Result<()> {
        writeln!(out)?;
        writeln!(out, "{what}")?;
        write!(out, "{:10}  {:>6}", "cutoff", "actual")?;
        for m in Method::ALL {
            write!(out, "  {:>11} {:>7}", format!("{} ρ", m.name()), "MAE")?;
        }
        writeln!(out)
    };
    let row = |out: &mut dyn Write,
               label: &str,
               actual: &str,
               scores: &[MethodScores],
               cells: bool|
     -> io::Result<()> {
        write!(out, "{label:10}  {actual:>6}")?;
        for s in scores {
            let (r, e) = if cells {
                (s.service_spearman, s.service_mae)
            } else {
                (s.spearman, s.mae)
            };
            write!(out, "  {:>11} {:>7.2}", rho(r), e)?;
        }
        writeln!(out)
    };
    for cells in [false, true] {
        let first = report.cutoffs.first();
        let what = if cells {
            format!(
                "per (failure mode, service) cell ({} cells at the first cutoff)",
                first.map_or(0, |c| c.cells)
            )
        } else {
            format!(
                "per failure mode ({} scored)",
                first.map_or(0, |c| c.per_class.len())
            )
        };
        header(out, &what)?;
        for c in &report.cutoffs {
            row(
                out,
                &c.cutoff,
                &c.actual_total.to_string(),
                &c.scores,
                cells,
            )?;
        }
        row(out, "mean", "", &report.mean, cells)?;
    }
    let w = &report.wins;
    writeln!(out)?;
    writeln!(
        out,
        "the forecast beat both baselines at {} of {} cutoffs on ρ and {} on MAE per failure mode; {} on ρ and {} on MAE per cell",
        w.spearman, w.of, w.mae, w.service_spearman, w.service_mae
    )?;
    let coverage: f64 = if report.cutoffs.is_empty() {
        0.0
    } else {
        report.cutoffs.iter().map(|c| c.coverage).sum::<f64>() / report.cutoffs.len() as f64
    };
    writeln!(
        out,
        "the actual count fell inside the forecast's {:.0}% interval for {:.0}% of failure modes and cutoffs",
        report.level * 100.0,
        coverage * 100.0
    )?;
    Ok(())
}
