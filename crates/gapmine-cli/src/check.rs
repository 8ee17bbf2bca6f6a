//! `gapmine check`: finds the catalogue, reads its files, asks `gapmine-ide` for the
//! diagnostics, and renders them.
//!
//! All file IO of checking lives here; what is wrong with a catalogue is decided by
//! `gapmine-check` behind the `gapmine-ide` façade, never here.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use gapmine_ide::{AnalysisHost, Change, Code, Diagnostic, MANIFEST, Severity};
use gapmine_syntax::TextRange;

use crate::ExitStatus;
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

/// A checked catalogue: what the renderers need.
#[derive(Debug)]
pub struct Checked {
    /// The catalogue's folder (the manifest's), absolute.
    pub root: PathBuf,
    /// The catalogue's folder as shown to the user: relative to the current folder when it is
    /// inside it (empty for the current folder itself), absolute otherwise.
    pub shown_root: String,
    /// The text of every file of the catalogue, by path relative to the root (`/`-separated).
    pub texts: HashMap<String, String>,
    /// The diagnostics: the manifest's first, then each included file's, in catalogue order.
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were checked: the manifest and the files it includes.
    pub files: usize,
}

impl Checked {
    /// A file's path as shown to the user: relative to the current folder when possible.
    pub fn shown_path(&self, file: &str) -> String {
        shown_path(&self.shown_root, file)
    }

    /// A file's text; empty for a file the catalogue does not have.
    pub fn text(&self, file: &str) -> &str {
        self.texts.get(file).map_or("", String::as_str)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

pub fn run(args: &CheckArgs, reporter: &mut Reporter) -> anyhow::Result<ExitStatus> {
    let start = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let Some(manifest) = find_manifest(&start, reporter)? else {
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
    Ok(if errors > 0 || (deny_warnings && warnings > 0) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The manifest: `start` itself if it is a `gapmine.kdl`, else the first `gapmine.kdl` in
/// `start` (or its folder, for a file) and the folders above. `None` after reporting why.
fn find_manifest(start: &Path, reporter: &mut Reporter) -> anyhow::Result<Option<PathBuf>> {
    let metadata = match std::fs::metadata(start) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            reporter.error(
                &format!("`{}` does not exist", start.display()),
                Some("check the path; with no path, `gapmine check` looks for gapmine.kdl in the current folder and the folders above it"),
            )?;
            return Ok(None);
        }
        Err(error) => {
            reporter.error(
                &format!("cannot read `{}`: {error}", start.display()),
                Some("check that you may read it"),
            )?;
            return Ok(None);
        }
    };
    let absolute = std::path::absolute(start)?;
    if metadata.is_file() && absolute.file_name().is_some_and(|n| n == MANIFEST) {
        return Ok(Some(absolute));
    }
    let folder = if metadata.is_dir() {
        absolute.as_path()
    } else {
        absolute.parent().unwrap_or(Path::new("/"))
    };
    for dir in folder.ancestors() {
        let candidate = dir.join(MANIFEST);
        if candidate.is_file() {
            return Ok(Some(candidate));
        }
    }
    reporter.error(
        &format!(
            "no `{MANIFEST}` found in `{}` or any folder above it",
            folder.display()
        ),
        Some(&format!(
            "run `gapmine check` inside a catalogue or pass its folder (`gapmine check catalogues/starter`); \
             to start a catalogue, create a `{MANIFEST}` holding `catalogue \"name\" version=\"0.1.0\" {{ include \"**/*.kdl\" }}` \
             (the language is described in docs/language.md)"
        )),
    )?;
    Ok(None)
}

/// A file's contents as the database gets them.
enum Contents {
    Text(String),
    /// Not UTF-8: the offset of the first invalid byte.
    NotUtf8(usize),
}

/// Reads a file; `None` after reporting why it cannot be read.
fn read(path: &Path, shown: &str, reporter: &mut Reporter) -> anyhow::Result<Option<Contents>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(match String::from_utf8(bytes) {
            Ok(text) => Contents::Text(text),
            Err(error) => Contents::NotUtf8(error.utf8_error().valid_up_to()),
        })),
        Err(error) => {
            reporter.error(
                &format!("cannot read `{shown}`: {error}"),
                Some("check that the file exists and that you may read it, or leave it out of the include globs"),
            )?;
            Ok(None)
        }
    }
}

/// Reads the catalogue under `root` and checks it. `None` after reporting a file or folder
/// that cannot be read: a check that silently left a file out would report false dangling
/// references, so nothing is checked then.
fn check(root: &Path, manifest: &Path, reporter: &mut Reporter) -> anyhow::Result<Option<Checked>> {
    let shown_root = shown_root(root);
    let shown = |file: &str| shown_path(&shown_root, file);
    let Some(paths) = walk(root, reporter)? else {
        return Ok(None);
    };

    // First the manifest and the paths alone: which files the include globs select depends
    // on paths only, so only those are read (an unrelated broken `.kdl` file under the
    // root, a test fixture say, is none of the check's business).
    let mut host = AnalysisHost::default();
    let mut texts = HashMap::new();
    let mut not_utf8 = Vec::new();
    let Some(contents) = read(manifest, &shown(MANIFEST), reporter)? else {
        return Ok(None);
    };
    let mut take = |file: &str, contents: Contents| -> String {
        match contents {
            Contents::Text(text) => text,
            Contents::NotUtf8(at) => {
                not_utf8.push(not_utf8_diagnostic(file, at));
                String::new()
            }
        }
    };
    let manifest_text = take(MANIFEST, contents);
    let mut change = Change::set(MANIFEST, manifest_text.clone());
    change
        .set
        .extend(paths.iter().map(|(file, _)| (file.clone(), String::new())));
    host.apply_change(change);
    texts.insert(MANIFEST.to_owned(), manifest_text);

    let included = host.analysis().included_files().map_err(cancelled)?;
    let mut change = Change::default();
    let mut unreadable = false;
    for file in &included {
        let Some((_, path)) = paths.iter().find(|(f, _)| f == file) else {
            continue;
        };
        match read(path, &shown(file), reporter)? {
            Some(contents) => {
                let text = take(file, contents);
                change.set.push((file.clone(), text.clone()));
                texts.insert(file.clone(), text);
            }
            None => unreadable = true,
        }
    }
    if unreadable {
        return Ok(None);
    }
    host.apply_change(change);

    let analysis = host.analysis();
    let mut diagnostics = not_utf8;
    diagnostics.extend(analysis.diagnostics().map_err(cancelled)?);
    // Catalogue order: the manifest, then the included files; within a file, the decoding
    // error first, then the checker's in its order (the sort is stable).
    let rank: HashMap<&str, usize> = std::iter::once(MANIFEST)
        .chain(included.iter().map(String::as_str))
        .enumerate()
        .map(|(i, f)| (f, i))
        .collect();
    diagnostics.sort_by_key(|d| rank.get(d.file.as_str()).copied().unwrap_or(usize::MAX));

    Ok(Some(Checked {
        root: root.to_path_buf(),
        shown_root,
        texts,
        diagnostics,
        files: 1 + included.len(),
    }))
}

/// The `*.kdl` files under `root` except the manifest, as (path relative to the root with
/// `/`, path on disk), sorted. `.gitignore` and `.ignore` files are respected and hidden
/// files skipped; symbolic links to files are taken but symbolic links to folders are not
/// followed, so a link loop cannot make the walk endless. `None` after reporting a folder
/// that cannot be read.
fn walk(root: &Path, reporter: &mut Reporter) -> anyhow::Result<Option<Vec<(String, PathBuf)>>> {
    let mut ok = true;
    let mut found = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .require_git(false)
        .follow_links(false)
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                reporter.error(
                    &walk_error(root, &error),
                    Some("check that you may read every folder of the catalogue, or add the folder to `.gitignore` or `.ignore`"),
                )?;
                ok = false;
                continue;
            }
        };
        if entry.depth() == 0 || entry.path().extension().is_none_or(|e| e != "kdl") {
            continue;
        }
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        // A link is taken unless it leads to a folder: a broken link or a loop of links is
        // then reported when it is read, if the manifest includes it.
        let is_file = file_type.is_file() || (file_type.is_symlink() && !entry.path().is_dir());
        if !is_file {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let relative: Vec<_> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect();
        let relative = relative.join("/");
        if relative != MANIFEST {
            found.push((relative, entry.into_path()));
        }
    }
    found.sort();
    Ok(ok.then_some(found))
}

/// `cannot search `sub`: Permission denied (os error 13)`, without the nesting of
/// `ignore`'s errors.
fn walk_error(root: &Path, error: &ignore::Error) -> String {
    let mut path = None;
    let mut inner = error;
    loop {
        match inner {
            ignore::Error::WithPath { path: p, err } => {
                path = Some(p.clone());
                inner = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                inner = err;
            }
            _ => break,
        }
    }
    let what = match path {
        Some(path) => {
            let shown = path.strip_prefix(root).unwrap_or(&path);
            format!("`{}`", shown.display())
        }
        None => "the catalogue's folder".to_owned(),
    };
    // The OS's own words when there are some: `ignore` wraps them in its own phrasing.
    let os_error = error.io_error().and_then(|io| {
        let mut deepest: &dyn std::error::Error = io;
        while let Some(source) = deepest.source() {
            deepest = source;
        }
        deepest.downcast_ref::<io::Error>()?.raw_os_error()
    });
    let reason = match os_error {
        Some(code) => io::Error::from_raw_os_error(code).to_string(),
        None => inner.to_string(),
    };
    format!("cannot search {what}: {reason}")
}

/// The root as shown: relative to the current folder when inside it, absolute otherwise.
fn shown_root(root: &Path) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return root.display().to_string();
    };
    let relative = root
        .strip_prefix(&cwd)
        .ok()
        .map(Path::to_path_buf)
        .or_else(|| {
            let root = root.canonicalize().ok()?;
            let cwd = cwd.canonicalize().ok()?;
            root.strip_prefix(cwd).ok().map(Path::to_path_buf)
        });
    match relative {
        Some(relative) => relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        None => root.display().to_string(),
    }
}

fn shown_path(shown_root: &str, file: &str) -> String {
    if shown_root.is_empty() {
        file.to_owned()
    } else {
        format!("{}/{file}", shown_root.trim_end_matches('/'))
    }
}

fn not_utf8_diagnostic(file: &str, at: usize) -> Diagnostic {
    Diagnostic {
        code: Code::SyntaxError,
        severity: Code::SyntaxError.severity(),
        file: file.to_owned(),
        range: TextRange::empty(0),
        message: format!("this file is not valid UTF-8 text (invalid byte at offset {at})"),
        labels: Vec::new(),
        help: Some(
            "catalogue files are UTF-8 text: convert it (for example with `iconv -t UTF-8`), \
             or keep it out of the manifest's include globs"
                .to_owned(),
        ),
    }
}

fn cancelled(_: gapmine_ide::Cancelled) -> anyhow::Error {
    // Nothing edits the database while the CLI asks it, so this is a bug.
    anyhow!("internal error: the check was cancelled")
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
