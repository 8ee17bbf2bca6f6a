//! `gapmine explain ID --records FILE`: the matcher's reasoning for one record, step by step:
//! the record, each signal that fired and where, the score arithmetic against the threshold, the
//! near misses and what they lacked, and the roll-up to parents.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::PathBuf;

use gapmine_match::{Classification, Decision, Evidence, EvidenceField};
use gapmine_model::{FailureMode, SignalKind};
use gapmine_records::{EscapeRecord, Item, Reader};

use crate::ExitStatus;
use crate::catalogue::{self, Ready};
use crate::diagnostics::Reporter;

/// Show step by step why one record is classified as it is (or is not).
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The record's id.
    #[arg(value_name = "ID")]
    id: String,

    /// The JSONL file of escape records that holds it (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    records: String,

    /// The catalogue: its `gapmine.kdl`, its folder, or any path inside it. [default: found from
    /// the current folder upward]
    #[arg(long, value_name = "PATH")]
    catalogue: Option<PathBuf>,
}

/// How much of a body is shown.
const EXCERPT: usize = 300;

pub fn run(args: &ExplainArgs, reporter: &mut Reporter) -> anyhow::Result<ExitStatus> {
    let input: Box<dyn io::BufRead> = if args.records == "-" {
        Box::new(io::stdin().lock())
    } else {
        match File::open(&args.records) {
            Ok(file) => Box::new(BufReader::new(file)),
            Err(error) => {
                reporter.error(
                    &format!("cannot read `{}`: {error}", args.records),
                    Some("check the path; `--records` names a JSONL file of escape records (docs/records.md)"),
                )?;
                return Ok(ExitStatus::Error);
            }
        }
    };
    let shown = if args.records == "-" {
        "<stdin>"
    } else {
        args.records.as_str()
    };
    let Some(ready) = catalogue::ready(args.catalogue.as_deref(), None, "explain", reporter)?
    else {
        return Ok(ExitStatus::Error);
    };

    // Only the ids are kept while looking, for the did-you-mean.
    let mut reader = Reader::new(input, shown);
    let mut ids = Vec::new();
    let mut found = None;
    while let Some(item) = reader
        .next_item()
        .map_err(|e| anyhow::anyhow!("cannot read `{shown}`: {e}"))?
    {
        if let Item::Record { line, record } = item {
            if record.id == args.id {
                found = Some((line, record));
                break;
            }
            ids.push(record.id);
        }
    }
    let Some((line, record)) = found else {
        let near = did_you_mean(&args.id, &ids);
        let mut help = if near.is_empty() {
            format!("check the id; `gapmine match {shown} --format table` lists every record's")
        } else {
            let near: Vec<String> = near.iter().map(|id| format!("`{id}`")).collect();
            format!("did you mean {}?", near.join(" or "))
        };
        let rejected = reader.summary().rejected;
        if rejected > 0 {
            let _ = write!(
                help,
                " ({rejected} line{} of the file were rejected: `gapmine match {shown}` shows why)",
                if rejected == 1 { "" } else { "s" }
            );
        }
        reporter.error(
            &format!("no record with id `{}` in `{shown}`", args.id),
            Some(&help),
        )?;
        return Ok(ExitStatus::Error);
    };

    let classification = ready.matcher.classify(&record);
    let text = explanation(&ready, shown, line, &record, &classification);
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// The whole explanation, as text.
fn explanation(
    ready: &Ready,
    file: &str,
    line: u64,
    record: &EscapeRecord,
    classification: &Classification<'_>,
) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Record {} ({file}:{line})", record.id);
    let _ = writeln!(o, "  title: {}", record.title);
    if let Some(body) = record.body.as_deref().filter(|b| !b.is_empty()) {
        let excerpt = excerpt(body, EXCERPT);
        let mut lines = excerpt.lines();
        if let Some(first) = lines.next() {
            let _ = writeln!(o, "  body:  {first}");
        }
        for rest in lines {
            let _ = writeln!(o, "         {rest}");
        }
    }
    if !record.labels.is_empty() {
        let _ = writeln!(o, "  labels: {}", record.labels.join(", "));
    }
    for name in ["service", "team", "detected_by", "severity"] {
        if let Some(value) = record.text(name) {
            let _ = writeln!(o, "  {name}: {value}");
        }
    }

    // 1. The signals that fired.
    let all: Vec<&Decision<'_>> = classification
        .matches
        .iter()
        .chain(&classification.near_misses)
        .collect();
    let fired: Vec<&Evidence<'_>> = all.iter().flat_map(|d| &d.evidence).collect();
    let _ = writeln!(o, "\nSignals that fired");
    if fired.is_empty() {
        let _ = writeln!(
            o,
            "  none: no phrase, pattern, label or field of the catalogue is in this record"
        );
    }
    for d in &all {
        for e in &d.evidence {
            let _ = writeln!(
                o,
                "  {}  {} #{} ({:+.2}) on the {}:",
                d.failure_mode,
                e.kind.keyword(),
                e.signal_index,
                e.weight,
                e.field
            );
            let _ = writeln!(o, "{}", in_context(record, e));
        }
    }

    // 2. The arithmetic.
    let _ = writeln!(o, "\nScores");
    if all.is_empty() {
        let _ = writeln!(o, "  no failure mode scored above 0");
    }
    for d in &all {
        arithmetic(&mut o, d);
    }

    // 3. Near misses.
    if !classification.near_misses.is_empty() {
        let _ = writeln!(o, "\nNear misses");
        for d in &classification.near_misses {
            near_miss(&mut o, ready, d);
        }
    }

    // 4. Roll-up and verdict.
    let implied: Vec<&Decision<'_>> = classification
        .matches
        .iter()
        .filter(|d| !d.implied_by.is_empty())
        .collect();
    if !implied.is_empty() {
        let _ = writeln!(o, "\nParents");
        for d in implied {
            let children: Vec<String> = d.implied_by.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                o,
                "  {}: implied by child {}",
                d.failure_mode,
                children.join(", ")
            );
        }
    }
    let _ = writeln!(o);
    if classification.is_unclassified() {
        let _ = writeln!(
            o,
            "Result: unclassified (no failure mode reached its threshold)"
        );
    } else {
        let ids: Vec<String> = classification
            .matches
            .iter()
            .map(|d| d.failure_mode.to_string())
            .collect();
        let _ = writeln!(o, "Result: classified as {}", ids.join(", "));
    }
    o
}

/// The line of the field that holds the match, with the match underlined, prefixed by its line
/// number in that field.
fn in_context(record: &EscapeRecord, e: &Evidence<'_>) -> String {
    let text = match e.field {
        EvidenceField::Title => record.title.as_str(),
        EvidenceField::Body => record.body.as_deref().unwrap_or_default(),
        EvidenceField::Label | EvidenceField::Field(_) => {
            return format!("      {:?}", e.text);
        }
    };
    let start = e.range.start.min(text.len());
    let end = e.range.end.clamp(start, text.len());
    if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return format!("      {:?}", e.text);
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let line_number = text[..start].matches('\n').count() + 1;
    // At most 40 characters either side of the match.
    let before: Vec<char> = text[line_start..start].chars().collect();
    let after: Vec<char> = text[end..line_end].chars().collect();
    let (cut_before, before) = if before.len() > 40 {
        (true, before[before.len() - 40..].iter().collect::<String>())
    } else {
        (false, before.iter().collect::<String>())
    };
    let (cut_after, after) = if after.len() > 40 {
        (true, after[..40].iter().collect::<String>())
    } else {
        (false, after.iter().collect::<String>())
    };
    let matched = text[start..end].replace('\n', " ");
    let prefix = format!(
        "    {line_number:>4} | {}",
        if cut_before { "…" } else { "" }
    );
    let shown = format!(
        "{prefix}{before}{matched}{after}{}",
        if cut_after { "…" } else { "" }
    );
    let pad = prefix.chars().count() + before.chars().count();
    let carets = "^".repeat(matched.chars().count().max(1));
    format!("{shown}\n{}{carets}", " ".repeat(pad))
}

/// `positive = 1 − (1 − 0.90)(1 − 0.60) = 0.960` and the rest, for one failure mode.
fn arithmetic(o: &mut String, d: &Decision<'_>) {
    let _ = writeln!(o, "  {} (threshold {:.2})", d.failure_mode, d.threshold);
    let positive: Vec<f64> = d
        .evidence
        .iter()
        .map(|e| e.weight)
        .filter(|w| *w > 0.0)
        .collect();
    let negative: Vec<f64> = d
        .evidence
        .iter()
        .map(|e| e.weight)
        .filter(|w| *w < 0.0)
        .collect();
    if d.evidence.is_empty() {
        let _ = writeln!(o, "    no signal of its own fired: score 0");
    } else {
        let p = 1.0 - positive.iter().map(|w| 1.0 - w).product::<f64>();
        let factors: Vec<String> = positive.iter().map(|w| format!("(1 − {w:.2})")).collect();
        if positive.is_empty() {
            let _ = writeln!(o, "    positive = 0 (no positive signal fired)");
        } else {
            let _ = writeln!(o, "    positive = 1 − {} = {p:.3}", factors.join(""));
        }
        if !negative.is_empty() {
            let damp: Vec<String> = negative
                .iter()
                .map(|w| format!("(1 − {:.2})", w.abs()))
                .collect();
            let _ = writeln!(
                o,
                "    lowered  = {p:.3} × {} = {:.3}",
                damp.join(""),
                d.score
            );
        }
        let (cmp, verdict) = if d.reached {
            ("≥", "classified")
        } else {
            ("<", "not classified by its own signals")
        };
        let _ = writeln!(
            o,
            "    score    = {:.3} {cmp} {:.2}: {verdict}",
            d.score, d.threshold
        );
    }
    for child in &d.implied_by {
        let _ = writeln!(o, "    implied by child {child}: classified");
    }
}

/// What a near miss lacked: the gap to its threshold, the weight one more signal would need, and
/// its signals that did not fire.
fn near_miss(o: &mut String, ready: &Ready, d: &Decision<'_>) {
    let gap = d.threshold - d.score;
    let _ = writeln!(
        o,
        "  {}: {:.3} < {:.2}, {gap:.3} short",
        d.failure_mode, d.score, d.threshold
    );
    let positive = 1.0
        - d.evidence
            .iter()
            .filter(|e| e.weight > 0.0)
            .map(|e| 1.0 - e.weight)
            .product::<f64>();
    let damp: f64 = d
        .evidence
        .iter()
        .filter(|e| e.weight < 0.0)
        .map(|e| 1.0 - e.weight.abs())
        .product();
    // One more positive signal of weight w reaches it when 1 − (1 − p)(1 − w) ≥ t / damp.
    let needed_positive = d.threshold / damp;
    if damp <= 0.0 || needed_positive > 1.0 {
        let _ = writeln!(
            o,
            "    its negative signals hold it below the threshold whatever else fires"
        );
    } else if positive < 1.0 {
        let w = 1.0 - (1.0 - needed_positive) / (1.0 - positive);
        let _ = writeln!(
            o,
            "    one more of its signals with weight ≥ {w:.2} would classify it"
        );
    }
    let Some(fm) = ready
        .failure_modes
        .iter()
        .find(|fm| fm.common.id == *d.failure_mode)
    else {
        return;
    };
    let missing = unfired(fm, d);
    if !missing.is_empty() {
        let _ = writeln!(o, "    its signals that did not fire:");
        for line in missing.iter().take(5) {
            let _ = writeln!(o, "      {line}");
        }
        if missing.len() > 5 {
            let _ = writeln!(o, "      … and {} more", missing.len() - 5);
        }
    }
}

/// The failure mode's positive signals that did not fire, one line each.
fn unfired(fm: &FailureMode, d: &Decision<'_>) -> Vec<String> {
    fm.signals
        .iter()
        .enumerate()
        .filter(|(i, s)| s.weight.0 > 0.0 && !d.evidence.iter().any(|e| e.signal_index == *i))
        .map(|(_, s)| {
            let (keyword, what) = match &s.kind {
                SignalKind::Phrase(v) => ("phrase", quoted(v)),
                SignalKind::Pattern(v) => (
                    "pattern",
                    v.iter()
                        .map(|p| format!("#\"{p}\"#"))
                        .collect::<Vec<_>>()
                        .join(" | "),
                ),
                SignalKind::Label(v) => ("label", quoted(v)),
                SignalKind::Field { name, values } => {
                    ("field", format!("{name} = {}", quoted(values)))
                }
            };
            format!("{keyword} {what} ({:+.2})", s.weight.0)
        })
        .collect()
}

fn quoted(values: &[String]) -> String {
    values
        .iter()
        .map(|v| serde_json::Value::String(v.clone()).to_string())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The first `max` characters of `text`, with `…` when cut.
fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", text[..i].trim_end()),
        None => text.to_owned(),
    }
}

/// Up to three ids near `id`: by edit distance (at most a third of its length, at least 2), or
/// that contain it or it contains.
fn did_you_mean<'a>(id: &str, ids: &'a [String]) -> Vec<&'a str> {
    let wanted = id.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(2);
    let mut near: Vec<(usize, &str)> = ids
        .iter()
        .filter_map(|candidate| {
            let lower = candidate.to_lowercase();
            let distance = levenshtein(&wanted, &lower);
            let close = distance <= limit
                || (wanted.len() >= 3 && (lower.contains(&wanted) || wanted.contains(&lower)));
            close.then_some((distance, candidate.as_str()))
        })
        .collect();
    near.sort();
    near.into_iter().take(3).map(|(_, id)| id).collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_ids_by_distance_then_containment() {
        let ids: Vec<String> = ["ESC-101", "ESC-102", "ESC-2001", "INC-7"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(did_you_mean("esc-103", &ids), ["ESC-101", "ESC-102"]);
        assert_eq!(did_you_mean("INC-7x", &ids), ["INC-7"]);
        assert!(did_you_mean("PAGE-99999", &ids).is_empty());
    }
}
