//! Tests of the renderers on rankings built by `gapmine-rank`: record text is escaped in every
//! format, the pipeline's counts, the Markdown size bound, the JSON's shape.

use gapmine_rank::{Aggregator, Catalogue, Ranking, Settings};
use gapmine_records::EscapeRecord;
use jiff::civil::date;

use crate::{Control, DetectionTally, Meta, Pipeline, Report, html, json, markdown, terminal};

fn record(id: &str, title: &str, detected_by: Option<&str>) -> EscapeRecord {
    let mut object = serde_json::json!({ "id": id, "title": title, "occurred_at": "2026-03-02",
        "url": "javascript:alert(1)" });
    if let Some(by) = detected_by {
        object["detected_by"] = by.into();
    }
    serde_json::from_value(object).unwrap()
}

/// A ranking of unclassified records (an empty catalogue), and their detection tally.
fn ranking(records: &[EscapeRecord]) -> (Ranking, DetectionTally) {
    let catalogue = Catalogue::new(&[]);
    let mut agg = Aggregator::new(&catalogue);
    let mut tally = DetectionTally::default();
    for r in records {
        agg.add::<&str>(r, &[]);
        tally.add(r.detected_by.as_deref());
    }
    (agg.finish(&Settings::default(), date(2026, 6, 1)), tally)
}

fn controls() -> Vec<Control> {
    [
        ("ci", "Continuous integration", 5),
        ("review", "Code review", 2),
        ("customer", "Customer", 8),
    ]
    .into_iter()
    .map(|(id, title, stage)| Control {
        id: id.into(),
        title: title.into(),
        stage,
    })
    .collect()
}

const EVIL: &str = "<script>alert('x')</script> & \"quotes\" | *stars* [link](http://x)";

#[test]
fn record_text_is_escaped_in_html_and_markdown() {
    let (ranking, tally) = ranking(&[record("ESC-<1>", EVIL, None)]);
    let pipeline = Pipeline::build(&controls(), &tally, &ranking);
    let meta = Meta {
        catalogue: "c<at>".into(),
        version: "1.0.0".into(),
        ..Meta::default()
    };
    let report = Report {
        meta: &meta,
        ranking: &ranking,
        pipeline: &pipeline,
    };

    let page = html::render(&report);
    assert!(!page.contains("<script"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;")
    );
    assert!(page.contains("ESC-&lt;1&gt;"));
    assert!(page.contains("c&lt;at&gt;"));
    // A `javascript:` URL is never a link.
    assert!(!page.contains("href=\"javascript"));

    let md = markdown::render(&report);
    assert!(!md.contains("<script"));
    assert!(md.contains("&lt;script&gt;"));
    assert!(md.contains("\\*stars\\* \\[link\\](http://x)"));
    assert!(!md.contains("](javascript"));

    let text = terminal::render(&report, false);
    assert!(text.contains(EVIL));
    assert!(!text.contains('\x1b'));
    assert!(terminal::render(&report, true).contains("\x1b[1m"));
}

#[test]
fn control_characters_cannot_break_lines() {
    let (ranking, tally) = ranking(&[record("ESC-1", "two\nlines\x1b[31m red", None)]);
    let pipeline = Pipeline::build(&[], &tally, &ranking);
    let meta = Meta::default();
    let report = Report {
        meta: &meta,
        ranking: &ranking,
        pipeline: &pipeline,
    };
    let text = terminal::render(&report, false);
    assert!(text.contains("two lines [31m red"));
    assert!(markdown::render(&report).contains("two lines \\[31m red"));
}

#[test]
fn stations_count_the_escapes_that_passed_them() {
    let records = [
        record("A", "a", Some("customer")),
        record("B", "b", Some("customer")),
        record("C", "c", Some("ci")),
        record("D", "d", Some("review")),
        record("E", "e", Some("qa-team")),
        record("F", "f", None),
    ];
    let (ranking, tally) = ranking(&records);
    let pipeline = Pipeline::build(&controls(), &tally, &ranking);
    let got: Vec<(&str, u64, u64)> = pipeline
        .stations
        .iter()
        .map(|s| (s.control.as_str(), s.detected, s.passed))
        .collect();
    assert_eq!(got, [("review", 1, 3), ("ci", 1, 2), ("customer", 2, 0)]);
    assert_eq!(pipeline.elsewhere, [("qa-team".to_string(), 1)]);
    assert_eq!(pipeline.unknown, 1);
}

#[test]
fn markdown_fits_a_comment() {
    let records: Vec<EscapeRecord> = (0..200)
        .map(|i| record(&format!("ESC-{i}"), &"a long title ".repeat(40), Some("ci")))
        .collect();
    let (ranking, tally) = ranking(&records);
    let pipeline = Pipeline::build(&controls(), &tally, &ranking);
    let meta = Meta::default();
    let report = Report {
        meta: &meta,
        ranking: &ranking,
        pipeline: &pipeline,
    };
    let md = markdown::render(&report);
    assert!(md.chars().count() <= markdown::MAX_CHARS);
    assert!(md.contains("<details>"));
}

#[test]
fn an_empty_history_gives_a_well_formed_report() {
    let (ranking, tally) = ranking(&[]);
    let pipeline = Pipeline::build(&controls(), &tally, &ranking);
    let meta = Meta::default();
    let report = Report {
        meta: &meta,
        ranking: &ranking,
        pipeline: &pipeline,
    };
    let doc: serde_json::Value = serde_json::from_str(&json::render(&report)).unwrap();
    assert_eq!(doc["format"], json::FORMAT);
    assert_eq!(doc["ranking"]["gaps"], serde_json::json!([]));
    let page = html::render(&report);
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
    assert!(page.contains("No systemic gaps"));
    assert!(markdown::render(&report).contains("**No systemic gaps**"));
}
