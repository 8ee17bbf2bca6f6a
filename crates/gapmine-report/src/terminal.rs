//! The report for a person at a terminal: plain text, coloured with ANSI escapes only when
//! asked (the CLI asks on a terminal without `NO_COLOR`).

use std::fmt::Write as _;

use gapmine_rank::Gap;

use crate::Report;
use crate::text::{self, count, one_line};

/// How many recommendations, examples and objectives a gap lists.
const LIST: usize = 3;

struct Paint {
    colour: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.wrap("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.wrap("2", t)
    }
    fn red(&self, t: &str) -> String {
        self.wrap("31", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.wrap("33", t)
    }
    fn cyan(&self, t: &str) -> String {
        self.wrap("36", t)
    }
}

/// Renders the report as text; `colour` adds ANSI colours.
pub fn render(report: &Report<'_>, colour: bool) -> String {
    let p = Paint { colour };
    let r = report.ranking;
    let mut out = String::new();
    let meta = report.meta;
    let _ = writeln!(
        out,
        "{} {} {}, as of {}",
        p.bold("gapmine report:"),
        meta.catalogue,
        meta.version,
        r.as_of
    );
    let mut line = text::input_summary(report);
    if let Some(span) = text::history_span(r) {
        line.push_str(&format!(" Dated history: {span}."));
    }
    let _ = writeln!(out, "{line}");
    if let Some(dating) = text::dating_summary(r) {
        let _ = writeln!(out, "{}", p.yellow(&dating));
    }
    let _ = writeln!(out);

    if r.gaps.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            p.bold("No systemic gaps: no record is classified as a failure mode of the catalogue.")
        );
    } else {
        let _ = writeln!(out, "{}", p.bold("SYSTEMIC GAPS, HIGHEST PRIORITY FIRST"));
        for (i, gap) in r.gaps.iter().enumerate() {
            let _ = writeln!(out);
            gap_block(&mut out, &p, report, i + 1, gap);
        }
    }

    let _ = writeln!(out);
    pipeline(&mut out, &p, report);

    let uncovered: Vec<&Gap> = r.gaps.iter().filter(|g| g.uncovered).collect();
    if !uncovered.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            p.bold("UNCOVERED GAPS: no intervention of the catalogue resolves them")
        );
        for g in uncovered {
            let _ = writeln!(
                out,
                "  {}  {} ({})",
                p.red(&g.failure_mode),
                one_line(&g.title),
                count(g.occurrences, "escape", "escapes")
            );
        }
    }

    let _ = writeln!(out);
    unclassified(&mut out, &p, report);
    if !r.quiet.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            p.dim(&format!(
                "{} of the catalogue had no escape in this history.",
                count(r.quiet.len() as u64, "failure mode", "failure modes")
            ))
        );
    }
    out
}

fn gap_block(out: &mut String, p: &Paint, report: &Report<'_>, rank: usize, gap: &Gap) {
    let _ = writeln!(
        out,
        "{:>2}  {}  {}  score {:.2}",
        rank,
        p.bold(&one_line(&gap.title)),
        p.dim(&gap.failure_mode),
        gap.score.value
    );
    let mut facts = count(gap.occurrences, "escape", "escapes");
    if !gap.services.is_empty() {
        facts.push_str(&format!(
            " in {}",
            count(gap.services.len() as u64, "service", "services")
        ));
    }
    if !gap.teams.is_empty() {
        facts.push_str(&format!(
            ", {}",
            count(gap.teams.len() as u64, "team", "teams")
        ));
    }
    let _ = writeln!(
        out,
        "    {facts}; {}",
        p.cyan(&text::forecast(&gap.forecast))
    );
    if gap.trend.iter().any(|m| m.count > 0) {
        let _ = writeln!(
            out,
            "    trend     {}  {}",
            text::sparkline(&gap.trend),
            p.dim(&text::span(&gap.trend))
        );
    }
    for (i, term) in gap.score.terms.iter().enumerate() {
        let label = if i == 0 { "why" } else { "" };
        let _ = writeln!(
            out,
            "    {label:<9} {:<9} {:.2} × {:.1} → {:.3}  {}",
            term.kind.name(),
            term.value,
            term.weight,
            term.contribution,
            p.dim(&one_line(&term.measure))
        );
    }
    if let Some(caught) = text::caught_by(report, gap) {
        let _ = writeln!(out, "    caught    {caught}");
    }
    if gap.uncovered {
        let _ = writeln!(
            out,
            "    do        {}",
            p.red("no intervention of the catalogue resolves it: an uncovered gap")
        );
    }
    for (i, rec) in gap.recommendations.iter().take(LIST).enumerate() {
        let label = if i == 0 { "do" } else { "" };
        let kind = text::kind_effort(rec);
        let _ = writeln!(
            out,
            "    {label:<9} {}  {} ({}{}{})",
            p.bold(&rec.intervention),
            one_line(&rec.title),
            kind,
            if kind.is_empty() { "" } else { "; " },
            text::evidence(rec)
        );
    }
    if let Some(sensor) = &gap.sensor
        && let Some((_, verify)) = sensor.verify.first()
    {
        let _ = writeln!(
            out,
            "    sensor    at {}: {}",
            sensor.control_title,
            one_line(verify)
        );
    }
    for (i, o) in gap.objectives.iter().take(LIST).enumerate() {
        let label = if i == 0 { "threatens" } else { "" };
        let severity = o.severity.as_deref().unwrap_or("no severity");
        let _ = writeln!(out, "    {label:<9} {} ({severity})", one_line(&o.title));
    }
    for (i, e) in gap.examples.iter().take(LIST).enumerate() {
        let label = if i == 0 { "e.g." } else { "" };
        let mut line = format!(
            "    {label:<9} {}  {}",
            p.bold(&one_line(&e.id)),
            one_line(&e.title)
        );
        if let Some(at) = &e.occurred_at {
            line.push_str(&format!("  {}", p.dim(&one_line(at))));
        }
        if let Some(url) = &e.url {
            line.push_str(&format!("  {}", p.dim(&one_line(url))));
        }
        let _ = writeln!(out, "{line}");
    }
}

fn pipeline(out: &mut String, p: &Paint, report: &Report<'_>) {
    let pipe = report.pipeline;
    let _ = writeln!(
        out,
        "{}",
        p.bold(
            "THE PIPELINE: where escapes were detected, and where each gap should have been stopped"
        )
    );
    if pipe.stations.is_empty() {
        let _ = writeln!(
            out,
            "  The catalogue has no `control` entries, so there is no pipeline to draw."
        );
    }
    for (i, s) in pipe.stations.iter().enumerate() {
        let _ = writeln!(
            out,
            "  ● {} {}  detected {}, {} passed it",
            p.bold(&one_line(&s.title)),
            p.dim(&format!("(stage {}, {})", s.stage, s.control)),
            s.detected,
            count(s.passed, "escape", "escapes")
        );
        let bar = if i + 1 < pipe.stations.len() {
            "│"
        } else {
            " "
        };
        for c in &s.should_stop {
            let _ = writeln!(
                out,
                "  {bar}   should have stopped {} ({}, {} got past)",
                one_line(&c.title),
                count(c.occurrences, "escape", "escapes"),
                c.leaked
            );
        }
    }
    for note in text::pipeline_notes(pipe) {
        let _ = writeln!(out, "  {note}");
    }
}

fn unclassified(out: &mut String, p: &Paint, report: &Report<'_>) {
    let q = &report.ranking.quality;
    let _ = writeln!(
        out,
        "{}",
        p.bold(&format!(
            "UNCLASSIFIED: {} no failure mode of the catalogue",
            count(q.unclassified, "record matches", "records match")
        ))
    );
    if q.unclassified > 0 {
        if (q.unclassified_sample.len() as u64) < q.unclassified {
            let _ = writeln!(out, "  the newest {}:", q.unclassified_sample.len());
        }
        for e in &q.unclassified_sample {
            let mut line = format!("  {}  {}", p.bold(&one_line(&e.id)), one_line(&e.title));
            if let Some(at) = &e.occurred_at {
                line.push_str(&format!("  {}", p.dim(&one_line(at))));
            }
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(
            out,
            "  {}",
            p.dim("`gapmine explain ID --records FILE` shows what fired; a new failure mode or signal may be due.")
        );
    }
    if let Some(note) = text::unknown_ids(q) {
        let _ = writeln!(out, "{}", p.yellow(&note));
    }
}
