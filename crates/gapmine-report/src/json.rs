//! The report as one JSON document: where the data came from, the ranking as `gapmine-rank`
//! computed it, and the pipeline. Its shape is described by [`crate::schema::schema`]
//! (`docs/schemas/report.schema.json`).

use gapmine_rank::Ranking;
use serde::Serialize;

use crate::{Meta, Pipeline, Report};

/// The value of the document's `format` field; it changes when the shape changes incompatibly.
pub const FORMAT: &str = "gapmine-report/1";

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    meta: &'a Meta,
    ranking: &'a Ranking,
    pipeline: &'a Pipeline,
}

/// Renders the report as pretty-printed JSON, ending with a newline.
pub fn render(report: &Report<'_>) -> String {
    let document = Document {
        format: FORMAT,
        meta: report.meta,
        ranking: report.ranking,
        pipeline: report.pipeline,
    };
    // Serialising plain data with string keys cannot fail; a NaN would become `null`.
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_else(|e| {
        serde_json::json!({ "format": FORMAT, "error": e.to_string() }).to_string()
    });
    out.push('\n');
    out
}
