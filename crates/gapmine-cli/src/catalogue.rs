//! Finding a catalogue and loading it into `gapmine-ide`: shared by every command that reads one
//! (`check` renders its diagnostics; `match`, `explain` and `test` need its compiled matcher).
//!
//! All file IO of loading a catalogue lives here; what is wrong with a catalogue is decided by
//! `gapmine-check` behind the `gapmine-ide` façade, never here.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::anyhow;
use gapmine_ide::{Analysis, AnalysisHost, Change, Code, Diagnostic, MANIFEST, Severity};
use gapmine_load::Contents;
use gapmine_match::Matcher;
use gapmine_model::{Entry, FailureMode};

use crate::diagnostics::Reporter;

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
    /// The snapshot the diagnostics came from: the matcher and the model are asked of it.
    pub analysis: Analysis,
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

    /// The catalogue's folder as shown, `.` for the current folder.
    pub fn display_root(&self) -> String {
        if self.shown_root.is_empty() {
            ".".to_owned()
        } else {
            self.shown_root.clone()
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// The manifest: `start` itself if it is a `gapmine.kdl`, else the first `gapmine.kdl` in
/// `start` (or its folder, for a file) and the folders above. `None` after reporting why.
pub fn find_manifest(
    start: &Path,
    command: &str,
    reporter: &mut Reporter,
) -> anyhow::Result<Option<PathBuf>> {
    let folder = match gapmine_load::find_manifest(start) {
        Ok(Ok(manifest)) => return Ok(Some(manifest)),
        Ok(Err(folder)) => folder,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            reporter.error(
                &format!("`{}` does not exist", start.display()),
                Some(&format!("check the path; with no path, `gapmine {command}` looks for gapmine.kdl in the current folder and the folders above it")),
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
    reporter.error(
        &format!(
            "no `{MANIFEST}` found in `{}` or any folder above it",
            folder.display()
        ),
        Some(&format!(
            "run `gapmine {command}` inside a catalogue or pass its folder ({}); \
             to start a catalogue, create a `{MANIFEST}` holding `catalogue \"name\" version=\"0.1.0\" {{ include \"**/*.kdl\" }}` \
             (the language is described in docs/language.md)",
            if command == "check" {
                "`gapmine check catalogues/starter`".to_owned()
            } else {
                format!("`gapmine {command} --catalogue catalogues/starter …`")
            }
        )),
    )?;
    Ok(None)
}

/// Reads a file; `None` after reporting why it cannot be read.
fn read(path: &Path, shown: &str, reporter: &mut Reporter) -> anyhow::Result<Option<Contents>> {
    match gapmine_load::read(path) {
        Ok(contents) => Ok(Some(contents)),
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
pub fn check(
    root: &Path,
    manifest: &Path,
    reporter: &mut Reporter,
) -> anyhow::Result<Option<Checked>> {
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
    let mut take = |file: &str, contents: Contents| contents.into_text(file, &mut not_utf8);
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
    analysis.prime_caches().map_err(cancelled)?;
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
        analysis,
    }))
}

/// The `*.kdl` files under `root` except the manifest (`gapmine_load::walk`). `None` after
/// reporting a folder that cannot be read.
fn walk(root: &Path, reporter: &mut Reporter) -> anyhow::Result<Option<Vec<(String, PathBuf)>>> {
    let walk = gapmine_load::walk(root);
    for error in &walk.errors {
        reporter.error(
            error,
            Some("check that you may read every folder of the catalogue, or add the folder to `.gitignore` or `.ignore`"),
        )?;
    }
    Ok(walk.errors.is_empty().then_some(walk.files))
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

pub fn cancelled(_: gapmine_ide::Cancelled) -> anyhow::Error {
    // Nothing edits the database while the CLI asks it, so this is a bug.
    anyhow!("internal error: the catalogue's analysis was cancelled")
}

/// A catalogue ready for matching: its compiled matcher and its failure modes.
#[derive(Debug)]
pub struct Ready {
    /// The compiled matcher.
    pub matcher: Arc<Matcher>,
    /// The failure modes, in catalogue order.
    pub failure_modes: Vec<FailureMode>,
    /// The threshold entries without their own are held to.
    pub default_threshold: f64,
    /// Every entry of the catalogue, in catalogue order (the ranker reads them all).
    pub model: Vec<Entry>,
    /// The manifest, as lowered.
    pub manifest: Option<gapmine_model::Manifest>,
}

/// Finds the catalogue from `path` (or the current folder) and checks it. `None` after
/// reporting why it cannot be used: it is not found, a file cannot be read, or it has errors (a
/// failing `examples` case is not one: that is `gapmine test`'s finding, not a broken
/// catalogue). `consequence` ends the refusal: "…, so {its records cannot be matched}".
pub fn load(
    path: Option<&Path>,
    command: &str,
    consequence: &str,
    reporter: &mut Reporter,
) -> anyhow::Result<Option<Checked>> {
    let start = path.map_or_else(|| PathBuf::from("."), Path::to_path_buf);

    let Some(manifest) = find_manifest(&start, command, reporter)? else {
        return Ok(None);
    };
    let root = manifest
        .parent()
        .ok_or_else(|| anyhow!("`{}` has no parent folder", manifest.display()))?
        .to_path_buf();
    let Some(checked) = check(&root, &manifest, reporter)? else {
        return Ok(None);
    };
    let errors = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && d.code != Code::FailingExample)
        .count();
    if errors > 0 {
        let shown = checked.display_root();
        let plural = if errors == 1 { "" } else { "s" };
        reporter.error(
            &format!("the catalogue `{shown}` has {errors} error{plural}, so {consequence}"),
            Some(&format!(
                "run `gapmine check {shown}` to see them, and fix them first"
            )),
        )?;
        return Ok(None);
    }
    Ok(Some(checked))
}

/// Finds the catalogue from `path` (or the current folder), checks it, and compiles it for
/// matching, with `threshold` (when given) instead of the manifest's default. `None` after
/// reporting why it cannot be used: it is not found, a file cannot be read, or it has errors (a
/// failing `examples` case is not one: that is `gapmine test`'s finding, not a broken
/// catalogue).
pub fn ready(
    path: Option<&Path>,
    threshold: Option<f64>,
    command: &str,
    reporter: &mut Reporter,
) -> anyhow::Result<Option<Ready>> {
    let Some(checked) = load(path, command, "its records cannot be matched", reporter)? else {
        return Ok(None);
    };
    let shown = checked.display_root();
    let analysis = &checked.analysis;
    let model = analysis.model().map_err(cancelled)?;
    let failure_modes: Vec<FailureMode> = model
        .iter()
        .filter_map(|entry| match entry {
            Entry::FailureMode(fm) => Some(fm.clone()),
            _ => None,
        })
        .collect();
    let manifest = analysis.manifest().map_err(cancelled)?;
    let default_threshold = match threshold {
        Some(t) => t,
        None => analysis.default_threshold().map_err(cancelled)?,
    };
    let compiled = match threshold {
        None => analysis.matcher().map_err(cancelled)?,
        Some(t) => analysis
            .matcher_with_default_threshold(t)
            .map_err(cancelled)?,
    };
    let matcher = match compiled {
        Ok(matcher) => matcher,
        Err(message) => {
            reporter.error(
                &format!("the catalogue `{shown}` cannot be compiled for matching: {message}"),
                Some(&format!("run `gapmine check {shown}` to see where")),
            )?;
            return Ok(None);
        }
    };
    Ok(Some(Ready {
        matcher,
        failure_modes,
        default_threshold,
        model,
        manifest,
    }))
}
