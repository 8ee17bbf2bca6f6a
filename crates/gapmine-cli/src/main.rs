//! The `gapmine` binary: parses the command line, runs a command, maps the outcome to an exit code.

mod catalogue;
mod check;
mod diagnostics;
mod eval;
mod explain;
mod fmt;
mod forecast;
mod import;
mod input;
mod learn;
mod line_index;
mod lsp;
mod matching;
mod output;
mod report;
mod test_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// gapmine: catalogues of production defects, kept as KDL files.
#[derive(Debug, Parser)]
#[command(name = "gapmine", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a catalogue: syntax, references, duplicates, cycles, coverage.
    Check(check::CheckArgs),
    /// Format KDL files in place, keeping every comment.
    Fmt(fmt::FmtArgs),
    /// Import escape records from GitHub, Jira, JUnit XML or CSV exports, as JSONL.
    Import(import::ImportArgs),
    /// Classify escape records by the catalogue's failure modes, with the evidence.
    Match(matching::MatchArgs),
    /// Show step by step why one record is classified as it is.
    Explain(explain::ExplainArgs),
    /// Run every failure mode's `examples`, like a test runner.
    Test(test_cmd::TestArgs),
    /// Measure the catalogue against records whose failure modes are known.
    Eval(eval::EvalArgs),
    /// Run the language server on stdin and stdout, for an editor to start.
    Lsp(lsp::LspArgs),
    /// The leadership report: ranked systemic gaps, trends, forecasts, the pipeline.
    Report(report::ReportArgs),
    /// Write decisions back into the catalogue as evidence and examples, shown as a diff first.
    Learn(learn::LearnArgs),
    /// Forecast each failure mode's occurrences in the next period, or backtest the forecast.
    Forecast(forecast::ForecastArgs),
}

/// The exit contract: 0 clean, 1 findings, 2 usage or configuration error. (A panic, 101, is
/// a bug.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// Nothing to report.
    Success,
    /// Findings: diagnostics at error level (or warnings, denied), files that need formatting.
    Failure,
    /// The command could not do its job: a missing path or manifest, an unreadable file.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

fn main() -> ExitCode {
    // clap prints help and version and exits 0, and exits 2 on a usage error.
    let cli = Cli::parse();
    let mut reporter = diagnostics::Reporter::stderr();
    let result = match &cli.command {
        Command::Check(args) => check::run(args, &mut reporter),
        Command::Fmt(args) => fmt::run(args, &mut reporter),
        Command::Import(args) => import::run(args, &mut reporter),
        Command::Match(args) => matching::run(args, &mut reporter),
        Command::Explain(args) => explain::run(args, &mut reporter),
        Command::Test(args) => test_cmd::run(args, &mut reporter),
        Command::Eval(args) => eval::run(args, &mut reporter),
        Command::Lsp(args) => lsp::run(args),
        Command::Learn(args) => learn::run(args, &mut reporter),
        Command::Report(args) => report::run(args, &mut reporter),
        Command::Forecast(args) => forecast::run(args, &mut reporter),
    };
    match result {
        Ok(status) => status.into(),
        // A closed pipe (`gapmine fmt --diff | head`) is the reader's choice, not an error.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = reporter.error(&format!("{error:#}"), None);
            ExitStatus::Error.into()
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
