//! `gapmine import`: escape records from GitHub, Jira, JUnit XML and CSV exports, written as JSONL.
//!
//! The importers live in `gapmine-records` and read from any `Read`; this command opens the
//! files, reports each item that could not be imported as `FILE: where: what`, and writes the
//! rest — to stdout, or to `--output` at once (a temporary file renamed over it).

use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use gapmine_records::import::{self, CsvMapping, GithubOptions, Imported, JunitIds};
use std::collections::HashMap;

use crate::ExitStatus;
use crate::diagnostics::Reporter;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The format of the input files.
    #[arg(value_enum)]
    format: Format,
    /// The exported files; `-` reads stdin.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Write the records here instead of to stdout.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// csv only: which column fills which record field, like `id=Key,title=Summary,occurred_at=Created`.
    #[arg(long, value_name = "FIELD=COLUMN,…")]
    map: Vec<String>,
    /// github only: the `owner/repo` the issues come from; ids become `owner/repo#123`.
    #[arg(long, value_name = "OWNER/REPO")]
    repo: Option<String>,
    /// Stop at the first item that cannot be imported (or file that cannot be read) and write
    /// nothing: no partial output, `--output` left as it was.
    #[arg(long)]
    strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// `gh issue list --json number,title,body,labels,createdAt,closedAt,url`, or the REST issues API.
    Github,
    /// The Jira REST search API's response.
    Jira,
    /// JUnit XML from Maven Surefire, Gradle, pytest or cargo-nextest.
    Junit,
    /// CSV with a header row, read by `--map`.
    Csv,
}

/// Each format's importer, set up once for all files.
enum Importer {
    Github(GithubOptions),
    Jira,
    Junit(JunitIds),
    Csv(CsvMapping),
}

impl Importer {
    fn import(&mut self, input: impl Read) -> Imported {
        match self {
            Importer::Github(options) => import::github(input, options),
            Importer::Jira => import::jira(input),
            Importer::Junit(ids) => import::junit(input, ids),
            Importer::Csv(mapping) => import::csv(input, mapping),
        }
    }
}

pub fn run(args: &ImportArgs, reporter: &mut Reporter) -> anyhow::Result<ExitStatus> {
    let Some(mut importer) = importer(args, reporter)? else {
        return Ok(ExitStatus::Error);
    };
    let mut out = String::new();
    // Each id written, and the file it came from: the output must read back without duplicates.
    let mut seen: HashMap<String, String> = HashMap::new();
    let (mut records, mut failed, mut skipped_pull_requests) = (0u64, 0u64, 0u64);
    let mut unreadable = false;
    let stop = |reporter: &mut Reporter| {
        reporter.note(
            "error: stopped at the first problem, as `--strict` asks; nothing was written; fix it, or leave out `--strict` to import the rest",
        )
    };
    for path in &args.files {
        let name = path.display().to_string();
        let imported = if path == Path::new("-") {
            importer.import(io::stdin().lock())
        } else {
            match std::fs::File::open(path) {
                Ok(file) => importer.import(io::BufReader::new(file)),
                Err(e) => {
                    reporter.note(&format!(
                        "{name}: cannot read the file: {e}; check the path"
                    ))?;
                    unreadable = true;
                    if args.strict {
                        stop(reporter)?;
                        return Ok(ExitStatus::Error);
                    }
                    continue;
                }
            }
        };
        skipped_pull_requests += imported.skipped_pull_requests;
        for item in imported.records {
            match item {
                Ok(record) => {
                    if let Some(first) = seen.get(&record.id) {
                        reporter.note(&format!(
                            "{name}: duplicate id {:?}, already imported from {first}; import each export once, or use `--repo` to tell repositories apart",
                            record.id
                        ))?;
                        failed += 1;
                        if args.strict {
                            stop(reporter)?;
                            return Ok(ExitStatus::Failure);
                        }
                        continue;
                    }
                    seen.insert(record.id.clone(), name.clone());
                    out.push_str(&serde_json::to_string(&record)?);
                    out.push('\n');
                    records += 1;
                }
                Err(error) => {
                    reporter.note(&format!("{name}: {error}"))?;
                    failed += 1;
                    if args.strict {
                        stop(reporter)?;
                        return Ok(ExitStatus::Failure);
                    }
                }
            }
        }
    }
    match &args.output {
        Some(path) => write_atomically(path, &out)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut stdout = BufWriter::new(io::stdout().lock());
            stdout.write_all(out.as_bytes())?;
            stdout.flush()?;
        }
    }
    let files = args.files.len();
    let mut summary = format!(
        "imported {records} record{} from {files} file{}",
        plural(records),
        plural(files as u64)
    );
    if args.format == Format::Github {
        summary.push_str(&format!(
            ", skipped {skipped_pull_requests} pull request{}",
            plural(skipped_pull_requests)
        ));
    }
    if failed > 0 {
        summary.push_str(&format!("; {failed} could not be imported (see above)"));
    }
    reporter.note(&summary)?;
    Ok(if unreadable {
        ExitStatus::Error
    } else if failed > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The importer for the format, or `None` after reporting options that do not fit it.
fn importer(args: &ImportArgs, reporter: &mut Reporter) -> io::Result<Option<Importer>> {
    if args.repo.is_some() && args.format != Format::Github {
        reporter.error(
            "`--repo` applies only to `gapmine import github`",
            Some("remove `--repo`"),
        )?;
        return Ok(None);
    }
    if !args.map.is_empty() && args.format != Format::Csv {
        reporter.error(
            "`--map` applies only to `gapmine import csv`",
            Some("remove `--map`"),
        )?;
        return Ok(None);
    }
    Ok(Some(match args.format {
        Format::Github => Importer::Github(GithubOptions {
            repo: args.repo.clone(),
        }),
        Format::Jira => Importer::Jira,
        Format::Junit => Importer::Junit(JunitIds::default()),
        Format::Csv => {
            if args.map.is_empty() {
                reporter.error(
                    "`gapmine import csv` needs `--map` to know which column is which field",
                    Some("add `--map id=Key,title=Summary,occurred_at=Created` with your columns' names"),
                )?;
                return Ok(None);
            }
            match CsvMapping::parse(&args.map.join(",")) {
                Ok(mapping) => Importer::Csv(mapping),
                Err(e) => {
                    reporter.error(&format!("bad `--map`: {e}"), None)?;
                    return Ok(None);
                }
            }
        }
    }))
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Writes the output at once: a temporary file beside it, renamed over it, so a reader never
/// sees half a file and a failed run leaves the old one.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".gapmine-import-")
        .tempfile_in(dir)
        .context("cannot create a temporary file beside it")?;
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
