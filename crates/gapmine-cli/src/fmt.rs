//! `gapmine fmt`: formats KDL files in place, or checks and diffs them.
//!
//! All file IO of formatting lives here; the layout itself is `gapmine_syntax::fmt`.

use std::collections::HashSet;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::ExitStatus;
use crate::diagnostics::Reporter;

/// Format KDL files in place, keeping every comment.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Files or directories to format; directories are searched for `*.kdl` files, respecting
    /// `.gitignore`. `-` reads standard input and writes the result to standard output.
    /// [default: the current directory]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Write nothing: list the files that would be reformatted, and exit 1 if there are any.
    #[arg(long)]
    check: bool,

    /// Write nothing: print a unified diff of the changes, and exit 1 if there are any.
    #[arg(long)]
    diff: bool,
}

/// Where text to format comes from.
#[derive(Debug)]
enum Input {
    Stdin,
    File(PathBuf),
}

/// Counts for the summary.
#[derive(Debug, Default)]
struct Tally {
    files: usize,
    changed: usize,
    broken: usize,
    failed: usize,
}

pub fn run(args: &FmtArgs, reporter: &mut Reporter) -> anyhow::Result<ExitStatus> {
    let Some(inputs) = collect_inputs(args, reporter)? else {
        return Ok(ExitStatus::Error);
    };
    let write = !args.check && !args.diff;
    let mut status = ExitStatus::Success;
    let mut tally = Tally::default();
    let mut stdout = io::stdout().lock();
    let stdin_only = !args.paths.is_empty() && args.paths.iter().all(|p| p.as_os_str() == "-");

    tally.files = inputs.len();
    for input in &inputs {
        let (name, bytes) = match input {
            Input::Stdin => {
                let mut bytes = Vec::new();
                if let Err(error) = io::stdin().lock().read_to_end(&mut bytes) {
                    reporter.error(&format!("cannot read standard input: {error}"), None)?;
                    tally.failed += 1;
                    status = status.max(ExitStatus::Error);
                    continue;
                }
                ("<stdin>".to_owned(), bytes)
            }
            Input::File(path) => {
                let name = display(path);
                match std::fs::read(path) {
                    Ok(bytes) => (name, bytes),
                    Err(error) => {
                        reporter.error(
                            &format!("cannot read `{name}`: {error}"),
                            Some("check that the file exists and that you may read it"),
                        )?;
                        tally.failed += 1;
                        status = status.max(ExitStatus::Error);
                        continue;
                    }
                }
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                let at = error.utf8_error().valid_up_to();
                reporter.error(
                    &format!("`{name}` is not UTF-8 text (invalid byte at offset {at})"),
                    Some("KDL files are UTF-8: convert the file to UTF-8, or leave it out"),
                )?;
                tally.failed += 1;
                status = status.max(ExitStatus::Error);
                continue;
            }
        };

        let parse = gapmine_syntax::parse(&text);
        let Some(formatted) = gapmine_syntax::format(&parse) else {
            reporter.syntax_errors(&name, &text, parse.errors())?;
            tally.broken += 1;
            status = status.max(ExitStatus::Failure);
            continue;
        };

        if matches!(input, Input::Stdin) && write {
            stdout.write_all(formatted.as_bytes())?;
            continue;
        }
        if formatted == text {
            continue;
        }
        tally.changed += 1;
        if args.diff {
            let diff = similar::TextDiff::from_lines(&text, &formatted);
            write!(
                stdout,
                "{}",
                diff.unified_diff().context_radius(3).header(&name, &name)
            )?;
        }
        if args.check {
            writeln!(stdout, "Would reformat: {name}")?;
        }
        if !write {
            status = status.max(ExitStatus::Failure);
        } else if let Input::File(path) = input
            && let Err(error) = write_atomically(path, &formatted)
        {
            reporter.error(
                &format!("cannot write `{name}`: {error:#}"),
                Some("check that you may write to the file and its folder"),
            )?;
            status = status.max(ExitStatus::Error);
            tally.changed -= 1;
            tally.failed += 1;
        }
    }
    stdout.flush()?;

    if !stdin_only {
        reporter.note(&summary(&tally, write))?;
    }
    Ok(status)
}

/// The files to format, in a stable order; `None` (after reporting why) when a path does not
/// exist or a folder cannot be searched.
fn collect_inputs(args: &FmtArgs, reporter: &mut Reporter) -> anyhow::Result<Option<Vec<Input>>> {
    let default = [PathBuf::from(".")];
    let paths = if args.paths.is_empty() {
        &default[..]
    } else {
        &args.paths[..]
    };
    let mut ok = true;
    let mut inputs = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                reporter.error(
                    &format!("`{}` does not exist", path.display()),
                    Some("check the path; with no path, `gapmine fmt` formats the `.kdl` files under the current folder"),
                )?;
                ok = false;
                continue;
            }
            Err(error) => {
                reporter.error(&format!("cannot read `{}`: {error}", path.display()), None)?;
                ok = false;
                continue;
            }
        };
        if !metadata.is_dir() {
            if seen.insert(path.clone()) {
                inputs.push(Input::File(path.clone()));
            }
            continue;
        }
        let mut found = Vec::new();
        for entry in ignore::WalkBuilder::new(path).require_git(false).build() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    reporter.error(
                        &format!("cannot search `{}`: {error}", path.display()),
                        Some("check that you may read the folder"),
                    )?;
                    ok = false;
                    continue;
                }
            };
            let is_kdl = entry.path().extension().is_some_and(|e| e == "kdl");
            if is_kdl && entry.file_type().is_some_and(|t| t.is_file()) {
                found.push(entry.into_path());
            }
        }
        found.sort();
        for file in found {
            if seen.insert(file.clone()) {
                inputs.push(Input::File(file));
            }
        }
    }
    Ok(ok.then_some(inputs))
}

/// A path as shown to the user: without a leading `./`.
fn display(path: &Path) -> String {
    path.strip_prefix(".").unwrap_or(path).display().to_string()
}

fn summary(tally: &Tally, write: bool) -> String {
    let plural = |n: usize| if n == 1 { "file" } else { "files" };
    let unchanged = tally.files - tally.changed - tally.broken - tally.failed;
    let mut line = if tally.files == 0 {
        "No `.kdl` files found".to_owned()
    } else if tally.changed == 0 {
        if unchanged == 0 {
            String::new()
        } else if unchanged == 1 {
            "1 file already formatted".to_owned()
        } else {
            format!("All {unchanged} files already formatted")
        }
    } else {
        let verb = if write { "Formatted" } else { "Would reformat" };
        let mut line = format!("{verb} {} {}", tally.changed, plural(tally.changed));
        if unchanged > 0 {
            line.push_str(&format!(", {unchanged} already formatted"));
        }
        line
    };
    let mut add = |part: String| {
        if !line.is_empty() {
            line.push_str("; ");
        }
        line.push_str(&part);
    };
    if tally.broken > 0 {
        add(format!(
            "{} {} with syntax errors left unchanged",
            tally.broken,
            plural(tally.broken)
        ));
    }
    if tally.failed > 0 {
        add(format!(
            "{} {} failed (see the errors above)",
            tally.failed,
            plural(tally.failed)
        ));
    }
    line
}

/// Replaces the file's contents at once: writes a temporary file beside it and renames it over
/// the original, so a reader never sees half a file.
pub fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    // Write through a symbolic link rather than replace it.
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".gapmine-");
    // A new file gets the permissions any new file gets (the umask applies), not the temporary
    // file's private ones; an existing file keeps its own (below).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder
        .tempfile_in(dir)
        .context("cannot create a temporary file beside it")?;
    temp.write_all(text.as_bytes())?;
    if let Ok(metadata) = std::fs::metadata(&target) {
        // Keep the original's permissions; the temporary file's are private.
        let _ = temp.as_file().set_permissions(metadata.permissions());
    }
    temp.as_file().sync_all()?;
    temp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}
