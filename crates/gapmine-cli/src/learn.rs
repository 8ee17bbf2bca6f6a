//! `gapmine learn`: reads decisions (a JSONL file, or one decision given by flags), asks
//! `gapmine_ide::learn` for the format-preserving edits that write them into the catalogue,
//! prints them as a unified diff and, with `--write`, replaces each changed file atomically.
//!
//! Nothing is written unless every decision is valid: a malformed line, an unknown id or a
//! record missing from `--records` is reported with its `FILE:LINE` and the command stops.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use gapmine_ide::learn::{
    ActionKind, Applied, Decision, LearnErrorKind, LearnOptions, Learned, parse_decision,
    parse_outcome,
};
use gapmine_ide::{AnalysisHost, Change, Diagnostic};
use gapmine_model::Outcome;
use gapmine_records::{Item, Reader};

use crate::ExitStatus;
use crate::catalogue::{self, Checked};
use crate::diagnostics::Reporter;

/// Write what the team decided about escapes back into the catalogue: evidence on the
/// interventions applied and, with `--examples`, the records' titles as examples of their
/// failure modes. Shows a diff; writes only with `--write`.
#[derive(Debug, clap::Args)]
pub struct LearnArgs {
    /// A JSONL file of decisions, one a line (docs/learn.md); `-` reads standard input.
    #[arg(
        value_name = "DECISIONS",
        required_unless_present = "record",
        conflicts_with = "record"
    )]
    decisions: Option<String>,

    /// The catalogue: its `gapmine.kdl`, its folder, or any path inside it. [default: found from
    /// the current folder upward]
    #[arg(long, value_name = "PATH")]
    catalogue: Option<PathBuf>,

    /// Escape records (JSONL): every decision's record must be among them, and their titles
    /// become the examples.
    #[arg(long, value_name = "FILE")]
    records: Vec<PathBuf>,

    /// Also add each record's title as a `matches` example of its confirmed failure modes.
    #[arg(long)]
    examples: bool,

    /// Write the changes (each file replaced atomically); without it, only the diff is shown.
    #[arg(long)]
    write: bool,

    /// One decision by flags: the escape record's id.
    #[arg(long, value_name = "ID", help_heading = "One decision by flags")]
    record: Option<String>,

    /// A failure mode confirmed for the record (repeatable).
    #[arg(
        long = "failure-mode",
        value_name = "ID",
        requires = "record",
        help_heading = "One decision by flags"
    )]
    failure_modes: Vec<String>,

    /// The intervention applied.
    #[arg(
        long,
        value_name = "ID",
        requires_all = ["record", "outcome"],
        help_heading = "One decision by flags"
    )]
    intervention: Option<String>,

    /// How the intervention fared.
    #[arg(long, value_parser = ["held", "failed", "pending"], requires = "intervention", help_heading = "One decision by flags")]
    outcome: Option<String>,

    /// When the intervention was applied or judged (YYYY-MM-DD).
    #[arg(
        long,
        value_name = "DATE",
        requires = "intervention",
        help_heading = "One decision by flags"
    )]
    at: Option<String>,

    /// A note on the evidence.
    #[arg(
        long,
        value_name = "TEXT",
        requires = "intervention",
        help_heading = "One decision by flags"
    )]
    note: Option<String>,

    /// The record's title (the example's text), when `--records` does not give it.
    #[arg(
        long,
        value_name = "TEXT",
        requires = "record",
        help_heading = "One decision by flags"
    )]
    title: Option<String>,
}

/// A decision and where it came from, for messages.
struct Sourced {
    decision: Decision,
    /// `FILE:LINE`, or `--record` for flags.
    place: String,
}

pub fn run(args: &LearnArgs, reporter: &mut Reporter) -> anyhow::Result<ExitStatus> {
    let Some(mut decisions) = read_decisions(args, reporter)? else {
        return Ok(ExitStatus::Error);
    };
    if !args.records.is_empty() && !attach_records(args, &mut decisions, reporter)? {
        return Ok(ExitStatus::Error);
    }
    let Some(checked) = catalogue::load(
        args.catalogue.as_deref(),
        "learn",
        "it cannot be edited",
        reporter,
    )?
    else {
        return Ok(ExitStatus::Error);
    };
    let options = LearnOptions {
        examples: args.examples,
    };
    let plain: Vec<Decision> = decisions.iter().map(|s| s.decision.clone()).collect();
    let learned = match checked
        .analysis
        .learn(&plain, &options)
        .map_err(catalogue::cancelled)?
    {
        Ok(learned) => learned,
        Err(errors) => {
            for error in &errors {
                let place = &decisions[error.decision].place;
                reporter.error(&format!("{place}: {}", error.kind), help(&error.kind))?;
            }
            let n = errors.len();
            reporter.note(&format!(
                "nothing learned: {n} problem{} in the decisions; fix {} and run again",
                plural(n),
                if n == 1 { "it" } else { "them" }
            ))?;
            return Ok(ExitStatus::Error);
        }
    };

    // The diff, file by file in catalogue order.
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for change in &learned.files {
        let name = checked.shown_path(&change.path);
        let diff = similar::TextDiff::from_lines(checked.text(&change.path), &change.new_text);
        write!(
            out,
            "{}",
            diff.unified_diff().context_radius(3).header(&name, &name)
        )?;
    }
    out.flush()?;

    for action in learned
        .actions
        .iter()
        .filter(|a| a.kind == ActionKind::NotResolved)
    {
        let fm = action.detail.as_deref().unwrap_or_default();
        reporter.note(&format!(
            "warning: {}: `{}` does not resolve `{fm}` (nor a parent of it); if it is a fix for that class, add `resolves \"{fm}\"` to it in {}",
            decisions[action.decision].place,
            action.entry,
            checked.shown_path(&action.path)
        ))?;
    }
    new_problems(&checked, &learned, reporter)?;

    let mut status = ExitStatus::Success;
    let mut written = 0;
    if args.write {
        for change in &learned.files {
            let path = checked.root.join(&change.path);
            match crate::fmt::write_atomically(&path, &change.new_text) {
                Ok(()) => written += 1,
                Err(error) => {
                    reporter.error(
                        &format!(
                            "cannot write `{}`: {error:#}",
                            checked.shown_path(&change.path)
                        ),
                        Some("check that you may write to the file and its folder"),
                    )?;
                    status = ExitStatus::Error;
                }
            }
        }
    }
    reporter.note(&summary(&learned, decisions.len(), args.write, written))?;
    Ok(status)
}

fn help(kind: &LearnErrorKind) -> Option<&'static str> {
    match kind {
        LearnErrorKind::UnknownId { .. } | LearnErrorKind::WrongKind { .. } => Some(
            "the ids are those of the catalogue's entries; `gapmine check` lists problems with them",
        ),
        LearnErrorKind::Edit { .. } => Some("run `gapmine check` and fix the file first"),
        _ => None,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `learned 3 decisions: 2 evidence added, …; 1 file would change (run again with --write)`.
fn summary(learned: &Learned, decisions: usize, write: bool, written: usize) -> String {
    let mut parts = Vec::new();
    for (kind, what, done) in [
        (ActionKind::EvidenceAdded, "evidence node", "added"),
        (ActionKind::EvidenceUpdated, "evidence node", "updated"),
        (ActionKind::ExampleAdded, "example", "added"),
        (ActionKind::EvidenceKnown, "evidence node", "already there"),
        (ActionKind::ExampleKnown, "example", "already there"),
    ] {
        let n = learned.count(kind);
        if n > 0 {
            parts.push(format!("{n} {what}{} {done}", plural(n)));
        }
    }
    let what = if parts.is_empty() {
        "nothing to change".to_string()
    } else {
        parts.join(", ")
    };
    let files = learned.files.len();
    let tail = if files == 0 {
        "the catalogue already says all of it".to_string()
    } else if write {
        format!("{written} file{} written", plural(written))
    } else {
        format!(
            "{files} file{} would change; run again with --write to write {}",
            plural(files),
            if files == 1 { "it" } else { "them" }
        )
    };
    format!(
        "learned {decisions} decision{}: {what}; {tail}",
        plural(decisions)
    )
}

/// Checks the catalogue as the edits would leave it, and reports the problems it would have
/// that it does not have now (most often: a new example the signals do not match yet).
fn new_problems(
    checked: &Checked,
    learned: &Learned,
    reporter: &mut Reporter,
) -> anyhow::Result<()> {
    if learned.files.is_empty() {
        return Ok(());
    }
    let mut texts = checked.texts.clone();
    for change in &learned.files {
        texts.insert(change.path.clone(), change.new_text.clone());
    }
    let mut host = AnalysisHost::default();
    host.apply_change(Change {
        set: texts.iter().map(|(p, t)| (p.clone(), t.clone())).collect(),
        ..Change::default()
    });
    let analysis = host.analysis();
    let key = |d: &Diagnostic| (d.code, d.file.clone(), d.message.clone());
    let before: HashSet<_> = checked.diagnostics.iter().map(key).collect();
    let fresh: Vec<Diagnostic> = analysis
        .diagnostics()
        .map_err(catalogue::cancelled)?
        .into_iter()
        .filter(|d| !before.contains(&key(d)))
        .collect();
    if fresh.is_empty() {
        return Ok(());
    }
    reporter.note(&format!(
        "warning: after these edits the catalogue would have {} new problem{}:",
        fresh.len(),
        plural(fresh.len())
    ))?;
    let after = Checked {
        root: checked.root.clone(),
        shown_root: checked.shown_root.clone(),
        texts,
        diagnostics: fresh,
        files: checked.files,
        analysis,
    };
    reporter.check_diagnostics(&after)?;
    Ok(())
}

/// The decisions, from the file or the flags; `None` after reporting every malformed line.
fn read_decisions(
    args: &LearnArgs,
    reporter: &mut Reporter,
) -> anyhow::Result<Option<Vec<Sourced>>> {
    let Some(name) = &args.decisions else {
        let Some(record) = &args.record else {
            return Ok(Some(Vec::new()));
        };
        let intervention = match (&args.intervention, &args.outcome) {
            (Some(id), Some(outcome)) => Some(Applied {
                id: id.clone(),
                outcome: parse_outcome(outcome).unwrap_or(Outcome::Pending),
                at: args.at.clone(),
                note: args.note.clone(),
            }),
            _ => None,
        };
        return Ok(Some(vec![Sourced {
            decision: Decision {
                record: record.clone(),
                title: args.title.clone(),
                failure_modes: args.failure_modes.clone(),
                intervention,
            },
            place: "--record".to_string(),
        }]));
    };
    let (input, shown): (Box<dyn Read>, String) = if name == "-" {
        (Box::new(io::stdin()), "<stdin>".to_string())
    } else {
        match File::open(name) {
            Ok(file) => (Box::new(file), name.clone()),
            Err(error) => {
                reporter.error(
                    &format!("cannot read `{name}`: {error}"),
                    Some("check the path; decisions are a JSONL file (docs/learn.md), or `-` for standard input"),
                )?;
                return Ok(None);
            }
        }
    };
    let mut decisions = Vec::new();
    let mut bad = 0;
    for (n, line) in BufReader::new(input).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read `{shown}`"))?;
        if line.trim().is_empty() {
            continue;
        }
        let place = format!("{shown}:{}", n + 1);
        match parse_decision(&line) {
            Ok(decision) => decisions.push(Sourced { decision, place }),
            Err(message) => {
                reporter.error(&format!("{place}: {message}"), None)?;
                bad += 1;
            }
        }
    }
    if bad > 0 {
        reporter.note(&format!(
            "nothing learned: {bad} malformed line{} in `{shown}`",
            plural(bad)
        ))?;
        return Ok(None);
    }
    if decisions.is_empty() {
        reporter.error(
            &format!("`{shown}` holds no decision"),
            Some("write one JSON object a line, like {\"record\": \"ESC-1\", \"failure_modes\": [\"flaky-test\"], \"intervention\": \"quarantine-flaky-tests\", \"outcome\": \"held\"}"),
        )?;
        return Ok(None);
    }
    Ok(Some(decisions))
}

/// Checks every decision's record against `--records` and takes the titles from there.
/// `false` after reporting the records that are not there, or the files that cannot be read.
fn attach_records(
    args: &LearnArgs,
    decisions: &mut [Sourced],
    reporter: &mut Reporter,
) -> anyhow::Result<bool> {
    let wanted: HashSet<&str> = decisions
        .iter()
        .map(|s| s.decision.record.as_str())
        .collect();
    // Only the titles of the decisions' records are kept: memory is bounded by the decisions.
    let mut titles: HashMap<String, String> = HashMap::new();
    for path in &args.records {
        let shown = path.display().to_string();
        let file = match File::open(path) {
            Ok(file) => file,
            Err(error) => {
                reporter.error(
                    &format!("cannot read `{shown}`: {error}"),
                    Some("check the path; records are JSONL files (docs/records.md)"),
                )?;
                return Ok(false);
            }
        };
        let mut reader = Reader::new(BufReader::new(file), shown.as_str());
        while let Some(item) = reader
            .next_item()
            .with_context(|| format!("cannot read `{shown}`"))?
        {
            // Rejected lines are `gapmine match`'s business; a decision about one is reported
            // below as a record that is not there.
            if let Item::Record { record, .. } = item
                && wanted.contains(record.id.as_str())
            {
                titles.entry(record.id).or_insert(record.title);
            }
        }
    }
    let mut missing = 0;
    for s in decisions.iter_mut() {
        match titles.get(&s.decision.record) {
            Some(title) => {
                if s.decision.title.is_none() {
                    s.decision.title = Some(title.clone());
                }
            }
            None => {
                missing += 1;
                let files: Vec<String> = args
                    .records
                    .iter()
                    .map(|p| format!("`{}`", p.display()))
                    .collect();
                reporter.error(
                    &format!(
                        "{}: no record has the id `{}` in {}",
                        s.place,
                        s.decision.record,
                        files.join(", ")
                    ),
                    Some("check the id, or pass the records file that holds it"),
                )?;
            }
        }
    }
    if missing > 0 {
        reporter.note(&format!(
            "nothing learned: {missing} decision{} about unknown records",
            plural(missing)
        ))?;
        return Ok(false);
    }
    Ok(true)
}
