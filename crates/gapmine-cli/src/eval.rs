//! `gapmine eval`: classifies escape records and measures the result against ground truth —
//! precision, recall and F1 per failure mode, micro and macro averages, the most common
//! confusions. The arithmetic is `gapmine_match::eval`'s; this module reads the records, the
//! truth and the mapping, and decides which records and which failure modes are judged
//! (docs/eval.md).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::PathBuf;

use anyhow::{Context, anyhow};
use gapmine_match::eval::{Confusion, Judged, Report, evaluate};
use gapmine_records::{EscapeRecord, Item, Reader};
use serde_json::{Value, json};

use crate::ExitStatus;
use crate::catalogue;
use crate::diagnostics::Reporter;
use crate::input::open_records;

/// How many confusions the table shows.
const CONFUSIONS: usize = 10;

/// Measure the catalogue against records whose failure modes are known: precision, recall and
/// F1 per failure mode, micro and macro averages, and the most common confusions.
///
/// The truth is the records' own `failure_modes`, or a truth file; a mapping file turns a
/// corpus's class names into catalogue ids. See docs/eval.md.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// A JSONL file of escape records (`docs/records.md`); `-` reads standard input.
    #[arg(value_name = "RECORDS")]
    records: String,

    /// A JSONL file of `{"id": …, "classes": […]}`, one line per judged record, instead of the
    /// records' own `failure_modes`. Records without a line are not judged.
    #[arg(long, value_name = "FILE")]
    truth: Option<PathBuf>,

    /// A JSON object mapping each truth class to catalogue ids (`{"Time": ["time-handling-bug"]}`;
    /// `[]` for a class the catalogue does not model). Without it, truth classes are catalogue ids.
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,

    /// The catalogue: its `gapmine.kdl`, its folder, or any path inside it. [default: found from
    /// the current folder upward]
    #[arg(long, value_name = "PATH")]
    catalogue: Option<PathBuf>,

    /// The score (0 to 1) at which a record is classified, instead of the manifest's default.
    #[arg(long, value_name = "N")]
    threshold: Option<f64>,

    /// Leave out records whose every truth class maps to nothing (by default they are judged as
    /// "none of the scored failure modes", so a prediction on them is a false positive).
    #[arg(long)]
    skip_unmappable: bool,

    /// Score every failure mode of the catalogue, not only those the mapping can produce.
    #[arg(long)]
    all_classes: bool,

    /// How to print the figures.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// One JSON document.
    Json,
}

/// What the truth classes map to: per class, the catalogue ids it stands for (the first is the
/// primary; the others are accepted alternatives), empty for an unmappable class.
pub(crate) type Mapping = BTreeMap<String, Vec<String>>;

/// How the records and their truth were accounted for.
#[derive(Debug, Default)]
struct Tally {
    read: u64,
    rejected: u64,
    judged: usize,
    no_truth: usize,
    skipped_unmappable: usize,
    /// Truth classes that map to nothing, with how often they occurred.
    unmappable: BTreeMap<String, usize>,
    /// Truth classes the mapping does not mention (treated as unmappable).
    unknown: BTreeMap<String, usize>,
    /// Truth ids the catalogue does not have.
    not_in_catalogue: BTreeMap<String, usize>,
    /// Predictions outside the scored failure modes.
    out_of_scope: usize,
}

pub fn run(args: &EvalArgs, reporter: &mut Reporter) -> anyhow::Result<ExitStatus> {
    if let Some(t) = args.threshold
        && !(0.0..=1.0).contains(&t)
    {
        reporter.error(
            &format!("--threshold {t} is not between 0 and 1"),
            Some("give a score such as 0.5"),
        )?;
        return Ok(ExitStatus::Error);
    }
    let Some((mapping, truth_file)) =
        read_truth_and_mapping(args.truth.as_deref(), args.map.as_deref(), reporter)?
    else {
        return Ok(ExitStatus::Error);
    };

    let Some(ready) =
        catalogue::ready(args.catalogue.as_deref(), args.threshold, "eval", reporter)?
    else {
        return Ok(ExitStatus::Error);
    };
    let parents: HashMap<String, String> = ready
        .failure_modes
        .iter()
        .filter_map(|fm| {
            fm.parent
                .as_ref()
                .map(|p| (fm.common.id.to_string(), p.to_string()))
        })
        .collect();
    let known: BTreeSet<String> = ready
        .failure_modes
        .iter()
        .map(|fm| fm.common.id.to_string())
        .collect();
    let scope: BTreeSet<String> = match &mapping {
        Some(m) if !args.all_classes => m.values().flatten().cloned().collect(),
        _ => known.clone(),
    };

    let (records, tally_io) = read_records(&args.records, reporter)?;
    let Some(records) = records else {
        return Ok(ExitStatus::Error);
    };
    let mut tally = tally_io;

    let classifications = ready.matcher.classify_batch(&records);
    let mut judged = Vec::new();
    for (record, classification) in records.iter().zip(&classifications) {
        let classes: Vec<String> = match &truth_file {
            Some(t) => match t.get(&record.id) {
                Some(classes) => classes.clone(),
                None => {
                    tally.no_truth += 1;
                    continue;
                }
            },
            None if record.failure_modes.is_empty() => {
                tally.no_truth += 1;
                continue;
            }
            None => record.failure_modes.clone(),
        };
        let predicted_all: BTreeSet<String> = classification
            .matches
            .iter()
            .map(|d| d.failure_mode.to_string())
            .collect();
        let mut truth = BTreeSet::new();
        let mut mapped_any = false;
        for class in &classes {
            let ids: Vec<String> = match &mapping {
                None => vec![class.clone()],
                Some(m) => match m.get(class) {
                    Some(ids) => ids.clone(),
                    None => {
                        *tally.unknown.entry(class.clone()).or_default() += 1;
                        continue;
                    }
                },
            };
            if ids.is_empty() {
                *tally.unmappable.entry(class.clone()).or_default() += 1;
                continue;
            }
            mapped_any = true;
            for id in &ids {
                if !known.contains(id) {
                    *tally.not_in_catalogue.entry(id.clone()).or_default() += 1;
                }
            }
            // Any of the ids is a hit; with none predicted, the primary one is the miss.
            let hits: Vec<&String> = ids
                .iter()
                .filter(|id| predicted_all.contains(*id))
                .collect();
            if hits.is_empty() {
                truth.insert(ids[0].clone());
            } else {
                truth.extend(hits.into_iter().cloned());
            }
        }
        if !mapped_any && args.skip_unmappable && !classes.is_empty() {
            tally.skipped_unmappable += 1;
            continue;
        }
        // A true child implies its true parent, as a classified child implies its parent.
        let truth: BTreeSet<String> = with_ancestors(truth, &parents)
            .into_iter()
            .filter(|id| scope.contains(id))
            .collect();
        let predicted: BTreeSet<String> = predicted_all
            .iter()
            .filter(|id| scope.contains(*id))
            .cloned()
            .collect();
        tally.out_of_scope += predicted_all.len() - predicted.len();
        judged.push(Judged { predicted, truth });
    }
    tally.judged = judged.len();
    let report = evaluate(&judged);

    let mut out = io::BufWriter::new(io::stdout().lock());
    match args.format {
        Format::Table => write_table(&mut out, &report, &tally)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &to_json(&report, &tally))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    drop(out);
    for (id, n) in &tally.not_in_catalogue {
        reporter.note(&format!(
            "warning: the truth names `{id}` ({n}×), which the catalogue does not have"
        ))?;
    }
    for (class, n) in &tally.unknown {
        reporter.note(&format!(
            "warning: the truth class `{class}` ({n}×) is not in the mapping; counted as unmappable"
        ))?;
    }
    reporter.note(&format!(
        "{} lines read: {} records judged, {} without truth, {} skipped as unmappable, {} rejected",
        tally.read, tally.judged, tally.no_truth, tally.skipped_unmappable, tally.rejected
    ))?;
    Ok(ExitStatus::Success)
}

/// Truth classes by record id.
pub(crate) type Truth = HashMap<String, Vec<String>>;

/// Reads the mapping and the truth file, where given. `None` after reporting a malformed one.
#[allow(clippy::type_complexity)]
pub(crate) fn read_truth_and_mapping(
    truth: Option<&std::path::Path>,
    map: Option<&std::path::Path>,
    reporter: &mut Reporter,
) -> anyhow::Result<Option<(Option<Mapping>, Option<Truth>)>> {
    let mapping: Option<Mapping> = match map {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            match serde_json::from_str::<Mapping>(&text) {
                Ok(m) => Some(m),
                Err(e) => {
                    reporter.error(
                        &format!("`{}` is not a mapping: {e}", path.display()),
                        Some(r#"write one JSON object, like {"Time": ["time-handling-bug"], "Other": []}"#),
                    )?;
                    return Ok(None);
                }
            }
        }
    };
    let truth_file: Option<Truth> = match truth {
        None => None,
        Some(path) => match read_truth(path)? {
            Ok(t) => Some(t),
            Err(message) => {
                reporter.error(
                    &message,
                    Some(r#"write one object a line, like {"id": "ESC-1", "classes": ["Time"]}"#),
                )?;
                return Ok(None);
            }
        },
    };
    Ok(Some((mapping, truth_file)))
}

/// The ids and all their ancestors.
fn with_ancestors(
    ids: impl IntoIterator<Item = String>,
    parents: &HashMap<String, String>,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for id in ids {
        let mut current = Some(id);
        while let Some(id) = current {
            if !out.insert(id.clone()) {
                break; // seen: its ancestors are in already (and a cycle stops here)
            }
            current = parents.get(&id).cloned();
        }
    }
    out
}

/// Reads the truth file: `id` → classes. `Err` with the message for a malformed line.
fn read_truth(
    path: &std::path::Path,
) -> anyhow::Result<Result<HashMap<String, Vec<String>>, String>> {
    let file = File::open(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let mut truth = HashMap::new();
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read `{}`", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{}:{}", path.display(), n + 1);
        let value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => return Ok(Err(format!("{at}: not valid JSON: {e}"))),
        };
        let id = match value.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Ok(Err(format!("{at}: the line has no string `id`"))),
        };
        let Some(Value::Array(classes)) = value.get("classes") else {
            return Ok(Err(format!("{at}: the line has no `classes` array")));
        };
        let mut names = Vec::new();
        for c in classes {
            match c {
                Value::String(s) => names.push(s.clone()),
                _ => return Ok(Err(format!("{at}: `classes` holds a non-string"))),
            }
        }
        if truth.insert(id.clone(), names).is_some() {
            return Ok(Err(format!("{at}: duplicate id {id:?}")));
        }
    }
    Ok(Ok(truth))
}

/// Reads every record; rejected lines are reported on stderr and counted. `None` after reporting
/// that the file cannot be opened.
fn read_records(
    name: &str,
    reporter: &mut Reporter,
) -> anyhow::Result<(Option<Vec<EscapeRecord>>, Tally)> {
    let mut tally = Tally::default();
    let (input, shown) = match open_records(name) {
        Ok(opened) => opened,
        Err(cannot) => {
            cannot.report(reporter)?;
            return Ok((None, tally));
        }
    };
    let mut reader = Reader::new(input, shown.as_str());
    let mut records = Vec::new();
    while let Some(item) = reader
        .next_item()
        .map_err(|e| anyhow!("cannot read `{shown}`: {e}"))?
    {
        match item {
            Item::Record { record, .. } => records.push(record),
            Item::Rejected { reason, .. } => {
                tally.rejected += 1;
                reporter.note(&reason.to_string())?;
            }
        }
    }
    tally.read = reader.summary().read;
    Ok((Some(records), tally))
}

fn confusion_text(c: &Confusion) -> String {
    match c {
        Confusion::Confused { truth, predicted } => format!("true {truth}, predicted {predicted}"),
        Confusion::Missed { truth } => format!("missed {truth}"),
        Confusion::Spurious { predicted } => format!("spurious {predicted}"),
    }
}

fn write_table(out: &mut impl Write, report: &Report, tally: &Tally) -> io::Result<()> {
    let mut rows: Vec<(&String, &gapmine_match::eval::Scores)> = report.per_class.iter().collect();
    rows.sort_by(|a, b| {
        b.1.support()
            .cmp(&a.1.support())
            .then_with(|| b.1.predicted().cmp(&a.1.predicted()))
            .then_with(|| a.0.cmp(b.0))
    });
    let width = rows
        .iter()
        .map(|(id, _)| id.len())
        .chain([11])
        .max()
        .unwrap_or(11);
    writeln!(
        out,
        "{:width$}  {:>7}  {:>9}  {:>4}  {:>4}  {:>4}  {:>9}  {:>6}  {:>5}",
        "failure mode", "support", "predicted", "tp", "fp", "fn", "precision", "recall", "f1"
    )?;
    for (id, s) in &rows {
        writeln!(
            out,
            "{id:width$}  {:>7}  {:>9}  {:>4}  {:>4}  {:>4}  {:>9.3}  {:>6.3}  {:>5.3}",
            s.support(),
            s.predicted(),
            s.tp,
            s.fp,
            s.fn_,
            s.precision,
            s.recall,
            s.f1
        )?;
    }
    writeln!(out)?;
    let m = &report.micro;
    writeln!(
        out,
        "micro: precision {:.3}  recall {:.3}  f1 {:.3}  (tp {}, fp {}, fn {})",
        m.precision, m.recall, m.f1, m.tp, m.fp, m.fn_
    )?;
    let a = &report.macro_;
    writeln!(
        out,
        "macro: precision {:.3}  recall {:.3}  f1 {:.3}  (over {} failure modes with support or predictions)",
        a.precision, a.recall, a.f1, a.classes
    )?;
    writeln!(
        out,
        "records: {} judged, {} exactly right",
        report.records, report.exact
    )?;
    if tally.out_of_scope > 0 {
        writeln!(
            out,
            "{} predictions of failure modes the truth does not score were left out (--all-classes scores them)",
            tally.out_of_scope
        )?;
    }
    if !tally.unmappable.is_empty() {
        let list: Vec<String> = tally
            .unmappable
            .iter()
            .map(|(c, n)| format!("{c} ({n})"))
            .collect();
        writeln!(out, "unmappable truth classes: {}", list.join(", "))?;
    }
    if !report.confusions.is_empty() {
        writeln!(out)?;
        writeln!(out, "most common confusions:")?;
        for (c, n) in report.confusions.iter().take(CONFUSIONS) {
            writeln!(out, "  {n:>4}  {}", confusion_text(c))?;
        }
    }
    Ok(())
}

fn to_json(report: &Report, tally: &Tally) -> Value {
    let per_class: serde_json::Map<String, Value> = report
        .per_class
        .iter()
        .map(|(id, s)| {
            (
                id.clone(),
                json!({
                    "support": s.support(), "predicted": s.predicted(),
                    "tp": s.tp, "fp": s.fp, "fn": s.fn_,
                    "precision": s.precision, "recall": s.recall, "f1": s.f1,
                }),
            )
        })
        .collect();
    let confusions: Vec<Value> = report
        .confusions
        .iter()
        .map(|(c, n)| {
            let (kind, truth, predicted) = match c {
                Confusion::Confused { truth, predicted } => {
                    ("confused", Some(truth), Some(predicted))
                }
                Confusion::Missed { truth } => ("missed", Some(truth), None),
                Confusion::Spurious { predicted } => ("spurious", None, Some(predicted)),
            };
            json!({"kind": kind, "truth": truth, "predicted": predicted, "count": n})
        })
        .collect();
    let m = &report.micro;
    let a = &report.macro_;
    json!({
        "records": {
            "read": tally.read, "rejected": tally.rejected, "judged": report.records,
            "exact": report.exact, "without_truth": tally.no_truth,
            "skipped_unmappable": tally.skipped_unmappable,
        },
        "micro": {"precision": m.precision, "recall": m.recall, "f1": m.f1, "tp": m.tp, "fp": m.fp, "fn": m.fn_},
        "macro": {"precision": a.precision, "recall": a.recall, "f1": a.f1, "classes": a.classes},
        "per_failure_mode": per_class,
        "confusions": confusions,
        "unmappable": tally.unmappable,
        "unknown_classes": tally.unknown,
        "out_of_scope_predictions": tally.out_of_scope,
    })
}
