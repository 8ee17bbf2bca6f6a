//! The report as one self-contained HTML page: inline CSS, inline SVG charts (each gap's
//! escapes a month with its forecast, the pipeline as a line of stations), no script, no font,
//! image or stylesheet fetched from anywhere, and a print stylesheet.
//!
//! Every piece of text from the records or the catalogue goes through [`escape`]; links are
//! made only of `http`/`https` URLs.

use std::fmt::Write as _;

use gapmine_rank::{Gap, Ranking};

use crate::text::{self, count};
use crate::{Pipeline, Report};

/// How many recommendations, examples and objectives a gap lists.
const LIST: usize = 5;

/// Escapes text for HTML content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not allowed in HTML text.
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `<a href="…">id</a>` for a web URL, else the id as text.
fn link(label: &str, url: Option<&str>) -> String {
    match url {
        Some(u) if text::is_web_url(u) => {
            format!("<a href=\"{}\">{}</a>", escape(u.trim()), escape(label))
        }
        _ => escape(label),
    }
}

/// An id usable in `id="…"` and `#…`: letters, digits and `-` kept, the rest as `-`.
fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

const STYLE: &str = r#"
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bar: #0969da; --fc: #bf8700; --bad: #cf222e; --ok: #1a7f37; --bg: #ffffff; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.8em; margin: 0 0 4px; }
h2 { font-size: 1.35em; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 1.1em; margin: 0 0 6px; }
h4 { font-size: 0.95em; margin: 12px 0 4px; }
code { font: 0.85em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft); padding: 1px 4px; border-radius: 4px; }
.meta, .muted, figcaption { color: var(--muted); }
.note { background: #fff8c5; border: 1px solid #d4a72c66; border-radius: 6px; padding: 8px 12px; }
ol.gaps { list-style: none; padding: 0; margin: 0; }
.gap { border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin: 16px 0; break-inside: avoid; }
.rank { display: inline-block; min-width: 1.8em; color: var(--muted); }
.score { float: right; font-weight: 600; }
.uncovered { color: var(--bad); font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 0.92em; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.overview td { vertical-align: middle; }
.meter { display: inline-block; height: 8px; background: var(--bar); border-radius: 2px; vertical-align: middle; }
figure { margin: 8px 0; }
svg { max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg .bar { fill: var(--bar); }
svg .fc { fill: var(--fc); opacity: 0.75; }
svg .whisker { stroke: var(--fc); stroke-width: 2; }
svg .axis { stroke: var(--line); }
svg .track { stroke: var(--muted); stroke-width: 3; }
svg .station { fill: var(--bg); stroke: var(--ink); stroke-width: 2; }
svg .station.leaky { stroke: var(--bad); fill: #ffebe9; }
svg text.name { fill: var(--ink); font-weight: 600; }
svg text.passed { fill: var(--bad); }
ul { margin: 4px 0; padding-left: 20px; }
footer { margin-top: 32px; color: var(--muted); font-size: 0.85em; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  .gap { border-color: #999; page-break-inside: avoid; }
  h2 { page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  a[href]::after { content: " <" attr(href) ">"; font-size: 0.8em; color: #555; word-break: break-all; }
  .note { background: none; }
}
"#;

/// Renders the report as one HTML page.
pub fn render(report: &Report<'_>) -> String {
    let r = report.ranking;
    let meta = report.meta;
    let mut out = String::new();
    let title = format!(
        "gapmine report: {} {}, as of {}",
        meta.catalogue, meta.version, r.as_of
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"gapmine\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&title)
    );
    let _ = writeln!(
        out,
        "<header>\n<h1>Systemic gaps</h1>\n<p class=\"meta\">{}</p>\n</header>",
        escape(&title)
    );

    let _ = writeln!(out, "<section id=\"summary\">");
    let mut line = escape(&text::input_summary(report));
    if let Some(span) = text::history_span(r) {
        line.push_str(&format!(" Dated history: {span}."));
    }
    let _ = writeln!(out, "<p>{line}</p>");
    if let Some(dating) = text::dating_summary(r) {
        let _ = writeln!(
            out,
            "<p class=\"note\" id=\"dating\">{}</p>",
            escape(&dating)
        );
    }
    let _ = writeln!(out, "</section>");

    let _ = writeln!(
        out,
        "<section id=\"gaps\">\n<h2>Systemic gaps, highest priority first</h2>"
    );
    if r.gaps.is_empty() {
        let _ = writeln!(
            out,
            "<p>No systemic gaps: no record is classified as a failure mode of the catalogue.</p>"
        );
    } else {
        overview_html(&mut out, r);
        let _ = writeln!(out, "<ol class=\"gaps\">");
        for (i, gap) in r.gaps.iter().enumerate() {
            gap_html(&mut out, report, i + 1, gap);
        }
        let _ = writeln!(out, "</ol>");
    }
    let _ = writeln!(out, "</section>");

    pipeline_html(&mut out, report.pipeline);

    let uncovered: Vec<&Gap> = r.gaps.iter().filter(|g| g.uncovered).collect();
    if !uncovered.is_empty() {
        let _ = writeln!(
            out,
            "<section id=\"uncovered\">\n<h2>Uncovered gaps</h2>\n<p>No intervention of the catalogue resolves these:</p>\n<ul>"
        );
        for g in uncovered {
            let _ = writeln!(
                out,
                "<li><a href=\"#gap-{}\">{}</a> <code>{}</code> ({})</li>",
                anchor(&g.failure_mode),
                escape(&g.title),
                escape(&g.failure_mode),
                count(g.occurrences, "escape", "escapes")
            );
        }
        let _ = writeln!(out, "</ul>\n</section>");
    }
    unclassified_html(&mut out, r);
    let _ = writeln!(
        out,
        "<footer>Made by <code>gapmine report</code> from {}. Scores, trends and forecasts are explained in gapmine's docs/report.md.</footer>",
        escape(&meta.sources.join(", "))
    );
    let _ = writeln!(out, "</main>\n</body>\n</html>");
    out
}

/// The ranking at a glance: one row a gap, linking to its section.
fn overview_html(out: &mut String, r: &Ranking) {
    let _ = writeln!(
        out,
        "<table class=\"overview\">\n<tr><th class=\"num\">#</th><th>gap</th><th class=\"num\">score</th><th class=\"num\">escapes</th><th class=\"num\">next {} days (80%)</th><th>first recommendation</th></tr>",
        r.settings.horizon_days
    );
    for (i, gap) in r.gaps.iter().enumerate() {
        let first = match gap.recommendations.first() {
            Some(rec) => escape(&rec.title),
            None if gap.uncovered => "<span class=\"uncovered\">uncovered</span>".to_string(),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td><a href=\"#gap-{}\">{}</a></td><td class=\"num\">{:.2}</td><td class=\"num\">{}</td><td class=\"num\">{:.1} ({}–{})</td><td>{first}</td></tr>",
            i + 1,
            anchor(&gap.failure_mode),
            escape(&gap.title),
            gap.score.value,
            gap.occurrences,
            gap.forecast.expected,
            gap.forecast.low,
            gap.forecast.high
        );
    }
    let _ = writeln!(out, "</table>");
}

fn gap_html(out: &mut String, report: &Report<'_>, rank: usize, gap: &Gap) {
    let _ = writeln!(
        out,
        "<li class=\"gap\" id=\"gap-{}\">\n<h3><span class=\"rank\">{rank}.</span>{} <code>{}</code><span class=\"score\" title=\"priority score, 0 to 1\">{:.2}</span></h3>",
        anchor(&gap.failure_mode),
        escape(&gap.title),
        escape(&gap.failure_mode),
        gap.score.value
    );
    let mut facts = count(gap.occurrences, "escape", "escapes");
    if !gap.services.is_empty() {
        let names: Vec<String> = gap
            .services
            .iter()
            .take(LIST)
            .map(|(s, n)| format!("{} {n}", escape(s)))
            .collect();
        facts.push_str(&format!(
            " in {} ({}{})",
            count(gap.services.len() as u64, "service", "services"),
            names.join(", "),
            if gap.services.len() > LIST {
                ", …"
            } else {
                ""
            }
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
        "<p class=\"facts\">{facts}. Forecast: <b>{}</b>.</p>",
        escape(&text::forecast(&gap.forecast))
    );
    trend_svg(out, gap);

    let _ = writeln!(
        out,
        "<h4>Why this score</h4>\n<table class=\"why\">\n<tr><th>term</th><th>what was measured</th><th class=\"num\">value</th><th class=\"num\">weight</th><th class=\"num\">share of the score</th></tr>"
    );
    for t in &gap.score.terms {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{:.2} <span class=\"meter\" style=\"width:{}px\"></span></td><td class=\"num\">{:.1}</td><td class=\"num\">{:.3}</td></tr>",
            t.kind.name(),
            escape(&t.measure),
            t.value,
            (t.value.clamp(0.0, 1.0) * 60.0).round() as u32,
            t.weight,
            t.contribution
        );
    }
    let _ = writeln!(out, "</table>");

    if let Some(caught) = text::caught_by(report, gap) {
        let _ = writeln!(out, "<p>Control: {}.</p>", escape(&caught));
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
                    escape(o.severity.as_deref().unwrap_or("no severity"))
                )
            })
            .collect();
        let _ = writeln!(out, "<p>Threatens: {}.</p>", list.join(", "));
    }

    let _ = writeln!(out, "<h4>Recommended interventions</h4>");
    if gap.uncovered {
        let _ = writeln!(
            out,
            "<p class=\"uncovered\">No intervention of the catalogue resolves it: an uncovered gap.</p>"
        );
    } else if gap.recommendations.is_empty() {
        let _ = writeln!(out, "<p class=\"muted\">None.</p>");
    } else {
        let _ = writeln!(out, "<ol class=\"recommendations\">");
        for rec in gap.recommendations.iter().take(LIST) {
            let kind = text::kind_effort(rec);
            let _ = writeln!(
                out,
                "<li><b>{}</b> <code>{}</code>{} — evidence: {}{}</li>",
                escape(&rec.title),
                escape(&rec.intervention),
                if kind.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", escape(&kind))
                },
                escape(&text::evidence(rec)),
                rec.verify
                    .as_deref()
                    .map(|v| format!("<br><span class=\"muted\">Verify: {}</span>", escape(v)))
                    .unwrap_or_default()
            );
        }
        let _ = writeln!(out, "</ol>");
    }

    if !gap.examples.is_empty() {
        let _ = writeln!(
            out,
            "<h4>Evidence: the newest escapes</h4>\n<ul class=\"examples\">"
        );
        for e in gap.examples.iter().take(LIST) {
            let mut extra = Vec::new();
            if let Some(at) = &e.occurred_at {
                extra.push(escape(at));
            }
            if let Some(s) = &e.service {
                extra.push(escape(s));
            }
            let _ = writeln!(
                out,
                "<li>{} {}{}</li>",
                link(&e.id, e.url.as_deref()),
                escape(&e.title),
                if extra.is_empty() {
                    String::new()
                } else {
                    format!(" <span class=\"muted\">({})</span>", extra.join(", "))
                }
            );
        }
        let _ = writeln!(out, "</ul>");
    }
    let _ = writeln!(out, "</li>");
}

/// Bars of escapes a month, and the forecast's monthly rate with its interval as a whisker.
fn trend_svg(out: &mut String, gap: &Gap) {
    let trend = &gap.trend;
    if trend.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"muted\">No dated escapes: no trend to draw.</p>"
        );
        return;
    }
    let f = &gap.forecast;
    let per_month = 30.0 / f64::from(f.horizon_days.max(1));
    let (fc, fc_low, fc_high) = (
        f.expected * per_month,
        f.low as f64 * per_month,
        f.high as f64 * per_month,
    );
    let max = trend
        .iter()
        .map(|m| m.count as f64)
        .fold(fc_high.max(fc), f64::max)
        .max(1.0);
    let (width, height, top, bottom, left) = (640.0, 130.0, 12.0, 24.0, 28.0);
    let slots = trend.len() as f64 + 1.5;
    let slot = (width - left - 8.0) / slots;
    let bar = (slot * 0.75).max(1.0);
    let plot = height - top - bottom;
    let y = |v: f64| top + plot - v / max * plot;
    let _ = writeln!(
        out,
        "<figure class=\"trend\"><svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Escapes of {} a month, and the forecast\">",
        escape(&gap.failure_mode)
    );
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{0:.1}\" x2=\"{width}\" y2=\"{0:.1}\"/>",
        top + plot
    );
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">0</text>",
        left - 4.0,
        top + 4.0,
        max.round(),
        left - 4.0,
        top + plot
    );
    for (i, m) in trend.iter().enumerate() {
        let x = left + i as f64 * slot;
        let h = m.count as f64 / max * plot;
        let _ = writeln!(
            out,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\"><title>{}: {}</title></rect>",
            y(m.count as f64),
            m.month,
            count(m.count, "escape", "escapes")
        );
    }
    let x = left + (trend.len() as f64 + 0.5) * slot;
    let _ = writeln!(
        out,
        "<rect class=\"fc\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{:.1}\"><title>forecast: {:.1} a month ({:.0}% interval {:.1}–{:.1})</title></rect>",
        y(fc),
        fc / max * plot,
        fc,
        f.level * 100.0,
        fc_low,
        fc_high
    );
    let cx = x + bar / 2.0;
    let _ = writeln!(
        out,
        "<line class=\"whisker\" x1=\"{cx:.1}\" y1=\"{:.1}\" x2=\"{cx:.1}\" y2=\"{:.1}\"/>",
        y(fc_low),
        y(fc_high)
    );
    let last = trend.len() - 1;
    let _ = writeln!(
        out,
        "<text x=\"{left}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">next</text>",
        height - 8.0,
        trend[0].month,
        left + last as f64 * slot + bar,
        height - 8.0,
        trend[last].month,
        cx,
        height - 8.0
    );
    let _ = writeln!(
        out,
        "</svg><figcaption>Escapes a month ({}); in amber, the forecast as a monthly rate with its {:.0}% interval.</figcaption></figure>",
        escape(&text::span(trend)),
        f.level * 100.0
    );
}

/// Shortens a station's title to fit under it; the whole title is in the SVG `<title>`.
fn short(title: &str, max: usize) -> String {
    if title.chars().count() <= max {
        title.to_string()
    } else {
        let mut s: String = title.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// The pipeline as a line of stations, and a table of the same.
fn pipeline_html(out: &mut String, pipe: &Pipeline) {
    let _ = writeln!(
        out,
        "<section id=\"pipeline\">\n<h2>The pipeline</h2>\n<p>The controls in stage order. Above the line, how many escapes passed each station (they were detected later); under each station, the gaps it should have stopped.</p>"
    );
    if pipe.stations.is_empty() {
        let _ = writeln!(
            out,
            "<p>The catalogue has no <code>control</code> entries, so there is no pipeline to draw.</p>\n</section>"
        );
        return;
    }
    let n = pipe.stations.len() as f64;
    let step = 120.0;
    let width = (n * step + 40.0).max(400.0);
    let height = 150.0;
    let line_y = 56.0;
    let x = |i: usize| 60.0 + i as f64 * step;
    let _ = writeln!(
        out,
        "<figure><svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"The delivery pipeline as a line of stations\">"
    );
    // The track between two stations is as thick as the flow of escapes that passed the first.
    let most = pipe
        .stations
        .iter()
        .map(|s| s.passed)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    for i in 1..pipe.stations.len() {
        let passed = pipe.stations[i - 1].passed as f64;
        let _ = writeln!(
            out,
            "<line class=\"track\" x1=\"{:.1}\" y1=\"{line_y}\" x2=\"{:.1}\" y2=\"{line_y}\" style=\"stroke-width:{:.1}px\"><title>{} escapes passed {}</title></line>",
            x(i - 1),
            x(i),
            2.0 + 10.0 * passed / most,
            passed,
            escape(&pipe.stations[i - 1].title)
        );
    }
    for (i, s) in pipe.stations.iter().enumerate() {
        let cx = x(i);
        let leaky = s.should_stop.iter().any(|c| c.leaked > 0);
        let _ = writeln!(
            out,
            "<g class=\"stop\"><title>{} (stage {}): {} detected here, {} passed it{}</title>",
            escape(&s.title),
            s.stage,
            s.detected,
            s.passed,
            if s.should_stop.is_empty() {
                String::new()
            } else {
                format!(
                    "; should have stopped {}",
                    escape(
                        &s.should_stop
                            .iter()
                            .map(|c| c.title.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                )
            }
        );
        let _ = writeln!(
            out,
            "<circle class=\"station{}\" cx=\"{cx:.1}\" cy=\"{line_y}\" r=\"11\"/>",
            if leaky { " leaky" } else { "" }
        );
        let _ = writeln!(
            out,
            "<text class=\"passed\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{} passed</text>",
            line_y - 20.0,
            s.passed
        );
        let _ = writeln!(
            out,
            "<text class=\"name\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            line_y + 30.0,
            escape(&short(&s.title, 16))
        );
        let _ = writeln!(
            out,
            "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{} detected here</text>",
            line_y + 46.0,
            s.detected
        );
        if !s.should_stop.is_empty() {
            let _ = writeln!(
                out,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">should stop {}</text>",
                line_y + 62.0,
                count(s.should_stop.len() as u64, "gap", "gaps")
            );
        }
        let _ = writeln!(out, "</g>");
    }
    let _ = writeln!(out, "</svg></figure>");

    let _ = writeln!(
        out,
        "<table class=\"stations\">\n<tr><th class=\"num\">stage</th><th>station</th><th class=\"num\">detected here</th><th class=\"num\">escapes that passed it</th><th>should have stopped (escapes, got past)</th></tr>"
    );
    for s in &pipe.stations {
        let stop: Vec<String> = s
            .should_stop
            .iter()
            .map(|c| {
                format!(
                    "<a href=\"#gap-{}\">{}</a> ({}, {})",
                    anchor(&c.failure_mode),
                    escape(&c.title),
                    c.occurrences,
                    c.leaked
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td>{} <code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            s.stage,
            escape(&s.title),
            escape(&s.control),
            s.detected,
            s.passed,
            stop.join("; ")
        );
    }
    let _ = writeln!(out, "</table>");
    for note in text::pipeline_notes(pipe) {
        let _ = writeln!(out, "<p>{}</p>", escape(&note));
    }
    let _ = writeln!(out, "</section>");
}

fn unclassified_html(out: &mut String, r: &Ranking) {
    let q = &r.quality;
    let _ = writeln!(
        out,
        "<section id=\"unclassified\">\n<h2>Unclassified records</h2>"
    );
    if q.unclassified == 0 {
        let _ = writeln!(
            out,
            "<p>Every record matches a failure mode of the catalogue.</p>"
        );
    } else {
        let _ = writeln!(
            out,
            "<p>{}. <code>gapmine explain ID --records FILE</code> shows what fired; a new failure mode or signal may be due.</p>\n<ul>",
            escape(&text::unclassified_headline(q))
        );
        for e in &q.unclassified_sample {
            let _ = writeln!(
                out,
                "<li>{} {}{}</li>",
                link(&e.id, e.url.as_deref()),
                escape(&e.title),
                e.occurred_at
                    .as_deref()
                    .map(|a| format!(" <span class=\"muted\">({})</span>", escape(a)))
                    .unwrap_or_default()
            );
        }
        let _ = writeln!(out, "</ul>");
    }
    if let Some(note) = text::unknown_ids(q) {
        let _ = writeln!(out, "<p>{}</p>", escape(&note));
    }
    let _ = writeln!(out, "</section>");
}
