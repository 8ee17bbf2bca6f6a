//! gapmine's automation, run as `cargo xtask <command>`: the KDL conformance suite and the
//! parser and checker benchmarks. Tidy rules live here too, as tests (`src/tidy.rs`).
//!
//! Arguments are parsed by hand: the commands are few, and the tree stays lean.

mod alloc;
mod bench;
mod bench_check;
mod bench_ide;
mod bench_lsp;
mod bench_match;
mod bench_rank;
mod bench_report;
mod codegen;
mod conformance;
mod grammar;
mod synth;
#[cfg(test)]
mod tidy;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  kdl-conformance DIR [--verbose]
      Run the KDL test suite in DIR (which holds input/ and expected_kdl/) through
      gapmine-syntax and print `N passed, M failed`; exit 1 if any case failed.
  bench parse [--runs N] [--conformance DIR]
      Time gapmine-syntax and the kdl crate on a synthetic 10,000-entry catalogue and on the
      conformance inputs (DIR, default ../shared/kdl-spec-tests/test_cases/input), and
      measure their peak heap. Builds and runs itself in release mode.
  bench check [--runs N] [--profile summary|rename|editor-rename [--durable]]
      Time a cold `gapmine check` of a synthetic 10,000-entry catalogue whose entries reference
      each other across files (as a process and through the database), re-checks after editing
      one entry's summary and after renaming an id others reference, and the cold check's peak
      heap. Builds and runs itself (and `gapmine`) in release mode. `--profile` runs only N
      re-checks of one kind (default 1,000), on files set LOW or `--durable`, for a profiler.
  bench ide
      Time the editor features of gapmine-ide (hover, completion, definition, references,
      diagnostics, semantic tokens, …) on the checker benchmark's catalogue, each request right
      after an edit: median and 99th percentile. Builds and runs itself in release mode.
  bench lsp [--server PATH]
      Drive `gapmine lsp` over stdio as an editor does, on the checker benchmark's catalogue:
      the time until diagnostics are published after a one-entry edit, completion, hover,
      definition and references after a keystroke (median and 99th percentile), the server's
      resident memory. Builds and runs itself (and `gapmine`) in release mode; `--server`
      drives another `gapmine` binary instead (an older build, to compare side by side).
  bench match [--runs N] [--size-mb N] [--profile full|ten|phrases]
      Time gapmine-match on a synthetic 1,000-failure-mode catalogue over a JSONL corpus of at
      least N MB (default 200) on one thread and on all cores, beside ripgrep, and its peak heap.
      --profile only classifies the corpus with one catalogue, N runs on one thread (for perf).
      Builds and runs itself in release mode; writes to target/bench-data/match/.
  bench report [--runs N] [--records N]
      Time ranking, forecasting and rendering the report over N classified records (default
      1,000,000) beside matching them, and the report's peak heap at N and N/4 records.
      Builds and runs itself in release mode; writes to target/bench-data/report/.
  bench rank [--runs N] [--records N]
      Time gapmine-rank over N synthetic classified records (default 1,000,000) and a
      1,000-failure-mode catalogue: aggregating, finishing (rank, forecast, recommend),
      rendering the ranking as JSON and a four-cutoff backtest, beside a pass that only counts
      records; and the peak heap on all records and on a quarter. Runs itself in release mode.
  codegen
      Write the generated files (docs/diagnostics.md, docs/language.md, docs/records.md,
      docs/schemas/escape-record.schema.json, docs/schemas/report.schema.json) from the code; a test
      fails when a committed one is out of date.
  help
      Print this message.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    match command.as_str() {
        "kdl-conformance" => {
            let mut dir = None;
            let mut verbose = false;
            for arg in rest {
                match arg.as_str() {
                    "--verbose" | "-v" => verbose = true,
                    flag if flag.starts_with('-') => bail!("unknown flag `{flag}`\n\n{USAGE}"),
                    path if dir.is_none() => dir = Some(PathBuf::from(path)),
                    extra => bail!("unexpected argument `{extra}`\n\n{USAGE}"),
                }
            }
            let dir = dir.context(
                "`kdl-conformance` needs the suite's folder: \
                 cargo xtask kdl-conformance ../shared/kdl-spec-tests/test_cases",
            )?;
            let all_passed = conformance::run(&dir, verbose)?;
            Ok(if all_passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        "bench" => {
            let Some((what, rest)) = rest.split_first() else {
                bail!(
                    "`bench` needs a benchmark name: cargo xtask bench parse|check|ide|lsp|match|rank|report"
                );
            };
            if what == "match" {
                return bench_match::main(args, rest);
            }
            if what == "report" {
                return bench_report::main(args, rest);
            }
            if what == "rank" {
                return bench_rank::main(args, rest);
            }
            if what != "parse" && what != "check" && what != "ide" && what != "lsp" {
                bail!(
                    "unknown benchmark `{what}`: the benchmarks are `parse`, `check`, `ide`, `lsp`, `match`, `rank` and `report`"
                );
            }
            let mut profile = None;
            let mut durable = false;
            let mut runs = None;
            let mut server = None;
            let mut options = bench::Options {
                runs: 7,
                conformance: workspace_root().join("../shared/kdl-spec-tests/test_cases/input"),
            };
            let mut rest = rest.iter();
            while let Some(arg) = rest.next() {
                match arg.as_str() {
                    "--runs" => {
                        options.runs = bench::positive(arg, &mut rest)?;
                        runs = Some(options.runs);
                    }
                    "--profile" if what == "check" => {
                        let kind = rest
                            .next()
                            .context("`--profile` needs `summary`, `rename` or `editor-rename`")?;
                        profile = Some(match kind.as_str() {
                            "summary" => bench_check::Edit::Summary,
                            "rename" => bench_check::Edit::Rename,
                            "editor-rename" => bench_check::Edit::EditorRename,
                            other => bail!(
                                "`--profile {other}`: expected `summary`, `rename` or `editor-rename`"
                            ),
                        });
                    }
                    "--durable" if what == "check" => durable = true,
                    "--server" if what == "lsp" => {
                        let path = rest.next().context("`--server` needs a `gapmine` binary")?;
                        let path = PathBuf::from(path);
                        anyhow::ensure!(
                            path.is_file(),
                            "`--server {}`: no such file",
                            path.display()
                        );
                        server = Some(path.canonicalize()?);
                    }
                    "--conformance" if what == "parse" => {
                        let dir = rest.next().context("`--conformance` needs a folder")?;
                        options.conformance = PathBuf::from(dir);
                    }
                    other => bail!("unexpected argument `{other}`\n\n{USAGE}"),
                }
            }
            if cfg!(debug_assertions) {
                // Timings of an unoptimised build mean nothing: build and run this command in
                // release mode instead, so `cargo xtask bench parse` does the right thing.
                return rerun_in_release(args);
            }
            if what == "ide" {
                bench_ide::run()?;
            } else if what == "lsp" {
                bench_lsp::run(server)?;
            } else if what == "check" {
                match profile {
                    Some(edit) => {
                        bench_check::profile(edit, durable, runs.unwrap_or(1_000))?;
                    }
                    None => bench_check::run(&bench_check::Options { runs: options.runs })?,
                }
            } else {
                bench::run(&options)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        "codegen" => {
            if let Some(extra) = rest.first() {
                bail!("unexpected argument `{extra}`\n\n{USAGE}");
            }
            codegen::run()?;
            Ok(ExitCode::SUCCESS)
        }
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

/// The workspace's root folder (the parent of `xtask/`).
pub(crate) fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ has a parent folder")
}

fn rerun_in_release(args: &[String]) -> anyhow::Result<ExitCode> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("note: benchmarks need an optimised build; running `cargo run --release -p xtask`");
    let status = std::process::Command::new(cargo)
        .current_dir(workspace_root())
        .args(["run", "--release", "--package", "xtask", "--"])
        .args(args)
        .status()
        .context("could not run cargo to build the benchmark in release mode")?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}
