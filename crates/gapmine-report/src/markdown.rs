//! The report as GitHub-flavoured Markdown, sized for a pull-request comment: a table of the
//! gaps, each gap's explanation collapsed in a `<details>` block, the pipeline as a table, and
//! the unclassified records collapsed.
//!
//! A GitHub comment holds at most 65,536 characters; the report stays under [`MAX_CHARS`] by
//! listing fewer gaps in detail (and then in the table) until it fits, and says what it left out.

use std::fmt::Write as _;

use gapmine_rank::Gap;

use crate::Report;
use crate::text::{self, count, one_line};

/// The most characters the Markdown report may have: below GitHub's 65,536 for a comment, with
/// room for a bot's own header.
pub const MAX_CHARS: usize = 60_000;

/// How many recommendations, examples and objectives a gap's details list.
const LIST: usize = 5;

/// Renders the report as Markdown of at most [`MAX_CHARS`] characters.
pub fn render(report: &Report<'_>) -> String {
    let gaps = report.ranking.gaps.len();
    let mut limits = vec![(gaps.min(15), gaps.min(50))];
    limits.extend([(10, 30), (5, 20), (3, 10), (0, 10), (0, 0)]);
    let mut last = String::new();
    for (details, rows) in limits {
        last = render_with(report, details.min(gaps), rows.min(gaps));
        if last.chars().count() <= MAX_CHARS {
            return last;
        }
    }
    last
}

/// Escapes text for Markdown inline content and table cells: HTML is written as entities and
/// Markdown's punctuation is backslash-escaped, so a record's title is shown, never rendered.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in one_line(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // What Markdown could read as emphasis, code, links, tables, headings or images.
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `[id](url)` where the URL is a web link, else the id as text.
fn link(id: &str, url: Option<&str>) -> String {
    match url {
        Some(u) if text::is_web_url(u) && !u.contains([' ', ')', '<', '>']) => {
            format!("[{}]({})", escape(id), u.trim())
        }
        _ => escape(id),
    }
}

fn render_with(report: &Report<'_>, details: usize, rows: usize) -> String {
    let r = report.ranking;
    let meta = report.meta;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## gapmine report: {} {}, as of {}\n",
        escape(&meta.catalogue),
        escape(&meta.version),
        r.as_of
    );
    let mut line = escape(&text::input_summary(report));
    if let Some(span) = text::history_span(r) {
        line.push_str(&format!(" Dated history: {span}."));
    }
    let _ = writeln!(out, "{line}\n");
    if let Some(dating) = text::dating_summary(r) {
        let _ = writeln!(out, "> [!NOTE]\n> {}\n", escape(&dating));
    }

    if r.gaps.is_empty() {
        let _ = writeln!(
            out,
            "**No systemic gaps**: no record is classified as a failure mode of the catalogue.\n"
        );
    } else {
        let _ = writeln!(out, "### Systemic gaps, highest priority first\n");
        let horizon = r.settings.horizon_days;
        let _ = writeln!(
            out,
            "| # | gap | score | escapes | trend | next {horizon} days (80% interval) | first recommendation |"
        );
        let _ = writeln!(out, "| --: | --- | --: | --: | --- | --- | --- |");
        for (i, gap) in r.gaps.iter().take(rows).enumerate() {
            let first = match gap.recommendations.first() {
                Some(rec) => format!("{} `{}`", escape(&rec.title), rec.intervention),
                None if gap.uncovered => "**uncovered**: none in the catalogue".to_string(),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | **{}** `{}` | {:.2} | {} | {} | {:.1} ({}–{}) | {} |",
                i + 1,
                escape(&gap.title),
                gap.failure_mode,
                gap.score.value,
                gap.occurrences,
                text::sparkline(&gap.trend),
                gap.forecast.expected,
                gap.forecast.low,
                gap.forecast.high,
                first
            );
        }
        if rows < r.gaps.len() {
            let _ = writeln!(
                out,
                "\n{} more: `gapmine report --format html` shows them all.",
                count((r.gaps.len() - rows) as u64, "gap", "gaps")
            );
        }
        let _ = writeln!(out);
        for (i, gap) in r.gaps.iter().take(details).enumerate() {
            gap_details(&mut out, report, i + 1, gap);
        }
    }

    pipeline(&mut out, report);
    let uncovered: Vec<&Gap> = r.gaps.iter().filter(|g| g.uncovered).collect();
    if !uncovered.is_empty() {
        let _ = writeln!(
            out,
            "### Uncovered gaps\n\nNo intervention of the catalogue resolves these:\n"
        );
        for g in uncovered {
            let _ = writeln!(
                out,
                "- **{}** `{}` ({})",
                escape(&g.title),
                g.failure_mode,
                count(g.occurrences, "escape", "escapes")
            );
        }
        let _ = writeln!(out);
    }
    unclassified(&mut out, report);
    if !r.quiet.is_empty() {
        let _ = writeln!(
            out,
            "{} of the catalogue had no escape in this history.",
            count(r.quiet.len() as u64, "failure mode", "failure modes")
        );
    }
    out
}

fn gap_details(out: &mut String, report: &Report<'_>, rank: usize, gap: &Gap) {
    let _ = writeln!(
        out,
        "<details><summary><b>{rank}. {}</b>: score {:.2}, why, evidence and what to do</summary>\n",
        escape(&gap.title),
        gap.score.value
    );
    let _ = writeln!(out, "| term | measure | value | weight | contribution |");
    let _ = writeln!(out, "| --- | --- | --: | --: | --: |");
    for t in &gap.score.terms {
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} | {:.1} | {:.3} |",
            t.kind.name(),
            escape(&t.measure),
            t.value,
            t.weight,
            t.contribution
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "- **Forecast**: {}.",
        escape(&text::forecast(&gap.forecast))
    );
    if gap.trend.iter().any(|m| m.count > 0) {
        let months: Vec<String> = gap
            .trend
            .iter()
            .map(|m| format!("{} {}", m.month, m.count))
            .collect();
        let _ = writeln!(out, "- **Trend** (escapes a month): {}.", months.join(", "));
    }
    if let Some(caught) = text::caught_by(report, gap) {
        let _ = writeln!(out, "- **Control**: {}.", escape(&caught));
    }
    if !gap.objectives.is_empty() {
        let list: Vec<String> = gap
            .objectives
            .iter()
            .take(LIST)
            .map(|o| {
                format!(
                    "{} ({})",
                    escape(&o.title),
                    o.severity.as_deref().unwrap_or("no severity")
                )
            })
            .collect();
        let _ = writeln!(out, "- **Threatens**: {}.", list.join(", "));
    }
    if gap.uncovered {
        let _ = writeln!(
            out,
            "- **Do**: no intervention of the catalogue resolves it: an uncovered gap."
        );
    }
    for rec in gap.recommendations.iter().take(LIST) {
        let kind = text::kind_effort(rec);
        let _ = writeln!(
            out,
            "- **Do**: {} `{}` ({}{}{}, score {:.2}).",
            escape(&rec.title),
            rec.intervention,
            escape(&kind),
            if kind.is_empty() { "" } else { "; " },
            escape(&text::evidence(rec)),
            rec.score
        );
    }
    if let Some(sensor) = &gap.sensor
        && let Some((_, verify)) = sensor.verify.first()
    {
        let _ = writeln!(
            out,
            "- **Sensor** at {}: {}",
            escape(&sensor.control_title),
            escape(verify)
        );
    }
    for e in gap.examples.iter().take(LIST) {
        let at = e
            .occurred_at
            .as_deref()
            .map(|a| format!(" ({})", escape(a)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- **Example**: {} {}{at}",
            link(&e.id, e.url.as_deref()),
            escape(&e.title)
        );
    }
    let _ = writeln!(out, "\n</details>\n");
}

fn pipeline(out: &mut String, report: &Report<'_>) {
    let pipe = report.pipeline;
    let _ = writeln!(out, "### The pipeline\n");
    if pipe.stations.is_empty() {
        let _ = writeln!(
            out,
            "The catalogue has no `control` entries, so there is no pipeline to draw.\n"
        );
        return;
    }
    let _ = writeln!(
        out,
        "| stage | station | detected here | escapes that passed it | should have stopped (escapes, got past) |"
    );
    let _ = writeln!(out, "| --: | --- | --: | --: | --- |");
    for s in &pipe.stations {
        let stop: Vec<String> = s
            .should_stop
            .iter()
            .map(|c| format!("{} ({}, {})", escape(&c.title), c.occurrences, c.leaked))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} `{}` | {} | {} | {} |",
            s.stage,
            escape(&s.title),
            s.control,
            s.detected,
            s.passed,
            stop.join("; ")
        );
    }
    let _ = writeln!(out);
    for note in text::pipeline_notes(pipe) {
        let _ = writeln!(out, "{}\n", escape(&note));
    }
}

fn unclassified(out: &mut String, report: &Report<'_>) {
    let q = &report.ranking.quality;
    let _ = writeln!(out, "### Unclassified records\n");
    if q.unclassified == 0 {
        let _ = writeln!(
            out,
            "Every record matches a failure mode of the catalogue.\n"
        );
    } else {
        let _ = writeln!(
            out,
            "<details><summary>{}</summary>\n",
            escape(&text::unclassified_headline(q))
        );
        for e in &q.unclassified_sample {
            let _ = writeln!(
                out,
                "- {} {}",
                link(&e.id, e.url.as_deref()),
                escape(&e.title)
            );
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    if let Some(note) = text::unknown_ids(q) {
        let _ = writeln!(out, "{}\n", escape(&note));
    }
}
