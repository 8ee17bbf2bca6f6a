//! `gapmine check`: finds the catalogue, reads its files (both in `catalogue`), asks
//! `gapmine-ide` for the diagnostics, and renders them.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::anyhow;
use gapmine_ide::Severity;

use crate::ExitStatus;
pub use crate::catalogue::Checked;
use crate::catalogue::{check, find_manifest};
use crate::diagnostics::Reporter;
use crate::output;

/// Check a catalogue: syntax, references, duplicates, cycles, coverage.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The catalogue: its `gapmine.kdl`, its folder, or any file or folder inside it (the
    /// manifest is looked for there and in the folders above, as cargo looks for Cargo.toml).
    /// [default: the current folder]
    #[arg(value_name = "PATH")]
    path: Option<PathBuf>,

    /// How to print the diagnostics on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Fail (exit 1) on warnings too.
    #[arg(long, value_enum, value_name = "WHAT")]
    deny: Vec<Deny>,
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: the source lines with the ranges underlined, coloured on a terminal.
    Human,
    /// One JSON document (docs/schemas/check-output.schema.json).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other static-analysis viewers.
    Sarif,
    /// GitHub Actions workflow commands: `::error file=…,line=…::message`.
    Github,
}

/// What `--deny` can turn into failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Warnings fail the check, as errors do.
    Warnings,
}

pub fn run(args: &CheckArgs, reporter: &mut Reporter) -> anyhow::Result<ExitStatus> {
    let start = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let Some(manifest) = find_manifest(&start, "check", reporter)? else {
        return Ok(ExitStatus::Error);
    };
    let root = manifest
        .parent()
        .ok_or_else(|| anyhow!("`{}` has no parent folder", manifest.display()))?
        .to_path_buf();
    let Some(checked) = check(&root, &manifest, reporter)? else {
        return Ok(ExitStatus::Error);
    };

    let mut stdout = io::stdout().lock();
    match args.format {
        Format::Human => {
            drop(stdout);
            Reporter::stdout().check_diagnostics(&checked)?;
        }
        Format::Json => output::json::write(&mut stdout, &checked)?,
        Format::Sarif => output::sarif::write(&mut stdout, &checked)?,
        Format::Github => output::github::write(&mut stdout, &checked)?,
    }
    io::stdout().flush()?;
    if matches!(args.format, Format::Human | Format::Github) {
        reporter.note(&summary(&checked))?;
    }

    let errors = checked.count(Severity::Error);
    let warnings = checked.count(Severity::Warning);
    let deny_warnings = args.deny.contains(&Deny::Warnings);
    // The process ends here: freeing the database entry by entry would only cost time (a
    // sixth of a cold check of a 10,000-entry catalogue), so leave it to the operating system.
    std::mem::forget(checked);
    Ok(if errors > 0 || (deny_warnings && warnings > 0) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// `Found 3 errors and 2 warnings in 12 files` or `All checks passed: 12 files`.
pub fn summary(checked: &Checked) -> String {
    let count = |n: usize, what: &str| {
        if n == 1 {
            format!("1 {what}")
        } else {
            format!("{n} {what}s")
        }
    };
    let files = count(checked.files, "file");
    let errors = checked.count(Severity::Error);
    let warnings = checked.count(Severity::Warning);
    match (errors, warnings) {
        (0, 0) => format!("All checks passed: {files}"),
        (0, w) => format!("Found {} in {files}", count(w, "warning")),
        (e, 0) => format!("Found {} in {files}", count(e, "error")),
        (e, w) => format!(
            "Found {} and {} in {files}",
            count(e, "error"),
            count(w, "warning")
        ),
    }
}
