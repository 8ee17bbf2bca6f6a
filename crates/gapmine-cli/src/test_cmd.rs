//! `gapmine test`: runs every failure mode's `examples` like a test runner, one line per case.
//!
//! The same verdicts as `gapmine check`'s `failing-example` diagnostics (each case's text is
//! classified as a record with only a title), shown as a runner shows them.

use std::io::{self, Write};
use std::path::PathBuf;

use gapmine_match::RecordText;

use crate::ExitStatus;
use crate::catalogue;
use crate::diagnostics::Reporter;

/// Run every failure mode's `examples`: `matches` cases must be classified as it, `rejects` cases
/// must not. Exits 1 if any case fails.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// The catalogue: its `gapmine.kdl`, its folder, or any path inside it. [default: found from
    /// the current folder upward]
    #[arg(long, value_name = "PATH")]
    catalogue: Option<PathBuf>,
}

pub fn run(args: &TestArgs, reporter: &mut Reporter) -> anyhow::Result<ExitStatus> {
    let Some(ready) = catalogue::ready(args.catalogue.as_deref(), None, "test", reporter)? else {
        return Ok(ExitStatus::Error);
    };
    let matcher = &ready.matcher;
    let mut scratch = matcher.scratch();
    let mut out = io::stdout().lock();
    let (mut passed, mut failed) = (0usize, 0usize);
    for fm in &ready.failure_modes {
        let id = &fm.common.id;
        for example in &fm.examples {
            let classification =
                matcher.classify_with(&RecordText::title(&example.text), &mut scratch);
            let classified = classification.matches.iter().find(|d| d.failure_mode == id);
            let near = classification
                .near_misses
                .iter()
                .find(|d| d.failure_mode == id);
            let verb = if example.matches {
                "matches"
            } else {
                "rejects"
            };
            let text = serde_json::to_string(&example.text)?;
            if classified.is_some() == example.matches {
                passed += 1;
                writeln!(out, "PASS {id} {verb} {text}")?;
                continue;
            }
            failed += 1;
            let threshold = fm.threshold.map_or(ready.default_threshold, |t| t.0);
            let why = match (classified, near) {
                (Some(d), _) if d.reached => format!(
                    "scores {:.2}, at or above the threshold {:.2}",
                    d.score, d.threshold
                ),
                (Some(d), _) => {
                    let children: Vec<String> =
                        d.implied_by.iter().map(|c| format!("`{c}`")).collect();
                    format!("implied by child {}", children.join(", "))
                }
                (None, Some(d)) => format!(
                    "scores {:.2}, below the threshold {:.2}",
                    d.score, d.threshold
                ),
                (None, None) => {
                    format!("no signal of `{id}` fired (score 0.00, threshold {threshold:.2})")
                }
            };
            writeln!(out, "FAIL {id} {verb} {text}: {why}")?;
        }
    }
    if failed > 0 {
        writeln!(out)?;
    }
    writeln!(out, "{passed} passed, {failed} failed")?;
    out.flush()?;
    Ok(if failed > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
