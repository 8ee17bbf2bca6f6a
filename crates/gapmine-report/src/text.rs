//! Small text helpers shared by the renderers: plurals, sparklines, the summary lines every
//! format opens with.

use gapmine_rank::{Forecast, Gap, MonthCount, Ranking};

use crate::Report;

/// `1 record`, `2 records`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A sparkline of monthly counts, one block character a month.
pub fn sparkline(trend: &[MonthCount]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = trend.iter().map(|m| m.count).max().unwrap_or(0);
    trend
        .iter()
        .map(|m| {
            if m.count == 0 {
                '·'
            } else if max <= 1 {
                BARS[7]
            } else {
                BARS[((m.count - 1) * 7 / (max - 1)) as usize]
            }
        })
        .collect()
}

/// `2025-05 … 2026-10`, the span of a trend.
pub fn span(trend: &[MonthCount]) -> String {
    match (trend.first(), trend.last()) {
        (Some(a), Some(b)) if a.month != b.month => format!("{} … {}", a.month, b.month),
        (Some(a), _) => a.month.clone(),
        _ => String::new(),
    }
}

/// `4.2 expected (80%: 1–8) in the next 90 days`.
pub fn forecast(f: &Forecast) -> String {
    format!(
        "{:.1} expected ({:.0}%: {}–{}) in the next {} days",
        f.expected,
        f.level * 100.0,
        f.low,
        f.high,
        f.horizon_days
    )
}

/// What the input held, in one sentence: every record accounted for.
pub fn input_summary(report: &Report<'_>) -> String {
    let q = &report.ranking.quality;
    let meta = report.meta;
    let mut s = format!(
        "{} read: {} classified, {} unclassified",
        count(q.records, "record", "records"),
        q.classified,
        q.unclassified
    );
    if meta.rejected > 0 {
        s.push_str(&format!(
            "; {} rejected by the reader (not counted)",
            count(meta.rejected, "line", "lines")
        ));
    }
    if meta.before_since > 0
        && let Some(since) = &meta.since
    {
        s.push_str(&format!(
            "; {} dated before {since} left out",
            count(meta.before_since, "record", "records")
        ));
    }
    s.push('.');
    s
}

/// The records that trends and forecasts leave out, in one sentence, or `None` when none are.
pub fn dating_summary(ranking: &Ranking) -> Option<String> {
    let q = &ranking.quality;
    let mut parts = Vec::new();
    if q.undated > 0 {
        parts.push(format!(
            "{} without a date",
            count(q.undated, "record", "records")
        ));
    }
    if q.future > 0 {
        parts.push(format!(
            "{} dated after {} (in the future)",
            count(q.future, "record", "records"),
            ranking.as_of
        ));
    }
    if q.before_1970 > 0 {
        parts.push(format!(
            "{} dated before 1970",
            count(q.before_1970, "record", "records")
        ));
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "{}: counted, but left out of trends and forecasts.",
        parts.join(", ")
    ))
}

/// The span of the dated history, or `None` without dated records.
pub fn history_span(ranking: &Ranking) -> Option<String> {
    match (ranking.quality.first_date, ranking.quality.last_date) {
        (Some(a), Some(b)) => Some(format!("{a} to {b}")),
        _ => None,
    }
}

/// `Unit tests (unit-tests)`, or the id where the pipeline does not know it.
pub fn control_name(report: &Report<'_>, id: &str) -> String {
    match report.pipeline.stations.iter().find(|s| s.control == id) {
        Some(s) => format!("{} (stage {})", s.title, s.stage),
        None => id.to_string(),
    }
}

/// Where the gap should have been caught and how many got past, or `None` when the catalogue
/// does not say.
pub fn caught_by(report: &Report<'_>, gap: &Gap) -> Option<String> {
    let control = gap.caught_by.as_deref()?;
    let name = control_name(report, control);
    let l = &gap.lateness;
    Some(if l.known > 0 {
        format!(
            "should have been caught by {name}: {} of {} with a known detection stage got past it",
            l.leaked, l.known
        )
    } else {
        format!("should have been caught by {name}")
    })
}

/// The evidence of a recommendation, in words.
pub fn evidence(r: &gapmine_rank::Recommendation) -> String {
    let e = &r.evidence;
    if e.held + e.failed + e.pending == 0 {
        return "no evidence yet".to_string();
    }
    let mut s = format!(
        "held {}, failed {}, pending {}",
        e.held, e.failed, e.pending
    );
    if let Some(latest) = &e.latest {
        s.push_str(&format!(", latest {latest}"));
    }
    s
}

/// `control, low effort`, from what the catalogue says.
pub fn kind_effort(r: &gapmine_rank::Recommendation) -> String {
    match (&r.kind, &r.effort) {
        (Some(k), Some(e)) => format!("{k}, {e} effort"),
        (Some(k), None) => k.clone(),
        (None, Some(e)) => format!("{e} effort"),
        (None, None) => String::new(),
    }
}

/// Whether a URL may be a link: only `http` and `https` (never `javascript:` or `data:`).
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The text with control characters (a record's title may hold any) replaced by spaces, so a
/// title cannot move the cursor or break a line of the terminal or Markdown output.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The pipeline's footnotes, as sentences: records detected by something that is not a control,
/// and records that do not say where they were detected.
pub fn pipeline_notes(pipe: &crate::Pipeline) -> Vec<String> {
    let mut notes = Vec::new();
    if !pipe.elsewhere.is_empty() {
        let list: Vec<String> = pipe
            .elsewhere
            .iter()
            .map(|(by, n)| format!("{} {n}", one_line(by)))
            .collect();
        notes.push(format!(
            "Detected by something that is not a control: {}.",
            list.join(", ")
        ));
    }
    if pipe.unknown > 0 {
        notes.push(format!(
            "{} not say where {} detected.",
            count(pipe.unknown, "record does", "records do"),
            if pipe.unknown == 1 {
                "it was"
            } else {
                "they were"
            }
        ));
    }
    notes
}

/// `92 records match no failure mode of the catalogue; the newest 20`.
pub fn unclassified_headline(q: &gapmine_rank::DataQuality) -> String {
    let shown = q.unclassified_sample.len() as u64;
    let mut s = format!(
        "{} no failure mode of the catalogue",
        count(q.unclassified, "record matches", "records match")
    );
    if shown < q.unclassified {
        s.push_str(&format!("; the newest {shown}"));
    }
    s
}

/// The failure-mode ids records named that the catalogue does not have, as a sentence.
pub fn unknown_ids(q: &gapmine_rank::DataQuality) -> Option<String> {
    if q.unknown_failure_modes.is_empty() {
        return None;
    }
    let list: Vec<String> = q
        .unknown_failure_modes
        .iter()
        .map(|(id, n)| format!("{} ({n})", one_line(id)))
        .collect();
    let more = if q.unknown_other > 0 {
        format!(" and {} more", q.unknown_other)
    } else {
        String::new()
    };
    Some(format!(
        "Records name failure modes the catalogue does not have: {}{more}.",
        list.join(", ")
    ))
}
