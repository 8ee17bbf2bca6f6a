//! `cargo xtask bench check`: a cold check of the synthetic catalogue, and re-checks after
//! one-entry edits through the database, with the peak heap of the cold check.
//!
//! The catalogue is `synth::linked_catalogue`, written with its manifest to
//! `target/bench-data/check/`. A cold check is measured twice: as a whole `gapmine check`
//! process (reading the files, checking, printing), and in this process through
//! `gapmine-ide`'s `AnalysisHost` (setting every text, then asking every diagnostic). A re-check
//! is what the language server does after a keystroke: set one file's text, then ask every
//! diagnostic of the catalogue again, on the same long-lived host. Figures are medians.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use gapmine_ide::{AnalysisHost, Change, Code, Diagnostic, MANIFEST};

use crate::bench::{median, size};
use crate::{alloc, synth, workspace_root};

/// What `bench check` was asked to do.
#[derive(Debug)]
pub(crate) struct Options {
    /// Timed cold checks of each kind.
    pub(crate) runs: usize,
}

/// Timed re-checks of each kind (each takes milliseconds, so more of them cost little).
const RECHECKS: usize = 41;

pub(crate) fn run(options: &Options) -> anyhow::Result<()> {
    let dir = workspace_root().join("target/bench-data/check");
    let files = write_catalogue(&dir)?;
    let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();

    let (host, cold_diagnostics) = cold(&files);
    println!();
    println!(
        "gapmine check on the synthetic catalogue: {} entries in {} files and a manifest, {}, \
         in target/bench-data/check/",
        synth::ENTRIES,
        synth::FILES,
        size(bytes)
    );
    println!(
        "release build; median of {} runs (cold) and {RECHECKS} (re-check); {}",
        options.runs,
        summary(&cold_diagnostics)
    );
    drop(host);
    println!();

    let process = time_process(&dir, options.runs);
    let in_process = median(
        (0..options.runs)
            .map(|_| {
                let start = Instant::now();
                let (host, diagnostics) = cold(&files);
                let seconds = start.elapsed().as_secs_f64();
                drop((host, diagnostics));
                seconds
            })
            .collect(),
    );

    let summary_edit = SummaryEdit::find(&files)?;
    let rename = Rename::find(&files)?;
    let low = rechecks(
        &files,
        false,
        &summary_edit,
        &rename,
        cold_diagnostics.len(),
    );
    let durable = rechecks(&files, true, &summary_edit, &rename, cold_diagnostics.len());

    let peak = {
        let base = alloc::current();
        alloc::reset_peak();
        let held = cold(&files);
        let peak = alloc::peak().saturating_sub(base);
        drop(held);
        peak
    };

    println!("{:<68} {:>10} {:>10}", "", "median", "target");
    match &process {
        Ok(seconds) => println!(
            "{:<68} {:>10} {:>10}",
            "cold `gapmine check` (whole process)",
            ms(*seconds),
            "≤ 500 ms"
        ),
        Err(why) => println!("{:<68} {:>10}", "cold `gapmine check` (whole process)", why),
    }
    println!(
        "{:<68} {:>10} {:>10}",
        "cold check through the database (set texts, diagnostics)",
        ms(in_process),
        "≤ 500 ms"
    );
    // As the language server holds a catalogue: the files read from disk durable (HIGH), the
    // edited document not (LOW).
    println!(
        "{:<68} {:>10} {:>10}",
        "re-check after editing one entry's summary",
        ms(durable.summary),
        "≤ 5 ms"
    );
    println!(
        "{:<68} {:>10} {:>10}",
        format!(
            "re-check after renaming an id alone ({} references dangle)",
            rename.referrers
        ),
        ms(durable.rename),
        "≤ 5 ms"
    );
    // The cold check is the whole process, which is what a user waits for.
    if let Ok(process) = process.as_ref() {
        println!(
            "{:<68} {:>10} {:>10}",
            "  cold `gapmine check` / re-check: summary edit, rename",
            format!(
                "{:.0}×, {:.0}×",
                process / durable.summary,
                process / durable.rename
            ),
            "≥ 100×"
        );
    }
    println!(
        "{:<68} {:>10} {:>10}",
        "  cold check through the database / re-check: the same",
        format!(
            "{:.0}×, {:.0}×",
            in_process / durable.summary,
            in_process / durable.rename
        ),
        ""
    );
    println!(
        "{:<68} {:>10} {:>10}",
        format!(
            "re-check after the editor's rename: the id and its {} references ({} files)",
            rename.referrers,
            rename.files()
        ),
        ms(durable.editor_rename),
        "—"
    );
    println!(
        "{:<68} {:>10} {:>10}",
        "for comparison, every file volatile (files LOW): summary edit",
        ms(low.summary),
        "—"
    );
    println!(
        "{:<68} {:>10} {:>10}",
        "  rename alone; the editor's rename",
        format!("{}; {}", ms(low.rename), ms(low.editor_rename)),
        "—"
    );
    println!(
        "{:<68} {:>10} {:>10}",
        "peak heap of the cold check (host and diagnostics held)",
        size(peak),
        "≤ 200 MB"
    );
    println!();
    Ok(())
}

/// The kinds of re-check, for `--profile`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Edit {
    /// Extend one failure mode's summary.
    Summary,
    /// Rename a failure mode others reference, and back.
    Rename,
    /// The same with every reference to it, as the editor's rename does.
    EditorRename,
}

/// Runs `count` re-checks of one kind and nothing else, for a profiler (`perf record`,
/// `valgrind --tool=callgrind`): the cold check before them is the only other work. The
/// database is the checker's own (what `AnalysisHost` holds), so that after the timed re-checks
/// one more can print the queries it executed (salsa's `WillExecute` events).
pub(crate) fn profile(edit: Edit, durable: bool, count: usize) -> anyhow::Result<()> {
    use gapmine_check::{Catalogue, CheckDatabase, SourceFile, catalogue_diagnostics};
    use salsa::{Database as _, Durability, Setter as _};
    use std::sync::{Arc, Mutex, PoisonError};

    let files = synth_files();
    let summary_edit = SummaryEdit::find(&files)?;
    let rename = Rename::find(&files)?;
    let edited = |i: usize| match edit {
        Edit::Summary => {
            let (path, text) = summary_edit.edited(i);
            vec![(path.to_owned(), text)]
        }
        Edit::Rename => vec![(rename.path.clone(), rename.text(i.is_multiple_of(2)))],
        Edit::EditorRename => rename.everywhere(i.is_multiple_of(2)),
    };
    let executed = Arc::new(Mutex::new(Vec::new()));
    let mut db = CheckDatabase::with_event_hook({
        let executed = Arc::clone(&executed);
        move |event| match event.kind {
            salsa::EventKind::WillExecute { database_key } => executed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((true, database_key)),
            salsa::EventKind::DidValidateMemoizedValue { database_key } => executed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((false, database_key)),
            _ => {}
        }
    });
    let durability = if durable {
        Durability::HIGH
    } else {
        Durability::LOW
    };
    let handles: Vec<(String, SourceFile)> = files
        .iter()
        .map(|(path, text)| {
            let file = SourceFile::builder(path.clone(), text.clone())
                .durability(durability)
                .new(&db);
            (path.clone(), file)
        })
        .collect();
    // As `AnalysisHost` makes it: the handle is durable whatever the files are.
    let catalogue =
        Catalogue::builder(handles[0].1, handles[1..].iter().map(|(_, f)| *f).collect())
            .durability(Durability::HIGH)
            .new(&db);
    println!("{}", summary(&catalogue_diagnostics(&db, catalogue)));
    let recheck = |db: &mut CheckDatabase, i: usize| {
        for (path, text) in edited(i) {
            let file = handles.iter().find(|(p, _)| *p == path).expect("a file").1;
            // As the language server edits: the edit LOW, whatever the file was.
            file.set_text(db).with_durability(Durability::LOW).to(text);
        }
        profiled(db, catalogue)
    };
    let take = || std::mem::take(&mut *executed.lock().unwrap_or_else(PoisonError::into_inner));
    take();
    let start = Instant::now();
    for i in 0..count {
        recheck(&mut db, i);
    }
    println!(
        "{count} re-checks ({edit:?}, files {}): {} each on average",
        if durable { "HIGH" } else { "LOW" },
        ms(start.elapsed().as_secs_f64() / count as f64)
    );
    let all = take();
    recheck(&mut db, count);
    let last = take();
    let tally = |events: &[(bool, salsa::DatabaseKeyIndex)], executed: bool, per: usize| {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for (_, key) in events.iter().filter(|(e, _)| *e == executed) {
            let name = db
                .ingredient_debug_name(key.ingredient_index())
                .into_owned();
            match counts.iter_mut().find(|(n, _)| *n == name) {
                Some((_, n)) => *n += 1,
                None => counts.push((name, 1)),
            }
        }
        let counts: Vec<String> = counts
            .iter()
            .map(|(n, c)| {
                if per == 1 {
                    format!("{n} ×{c}")
                } else {
                    format!("{n} ×{:.1}", *c as f64 / per as f64)
                }
            })
            .collect();
        counts.join(", ")
    };
    for (executed, what) in [(true, "executed"), (false, "verified without executing")] {
        println!("the last re-check {what}: {}", tally(&last, executed, 1));
    }
    println!(
        "each re-check executed, on average over the {count}: {}",
        tally(&all, true, count)
    );
    Ok(())
}

/// Every diagnostic of the catalogue, for `--profile`. Never inlined, so a profiler can collect
/// the re-checks alone (`valgrind --tool=callgrind --toggle-collect='*profiled*'`).
#[inline(never)]
fn profiled(
    db: &gapmine_check::CheckDatabase,
    catalogue: gapmine_check::Catalogue,
) -> Vec<Diagnostic> {
    gapmine_check::catalogue_diagnostics(db, catalogue)
}

/// The catalogue and its manifest, manifest first, as `write_catalogue` writes them.
fn synth_files() -> Vec<(String, String)> {
    let mut files = vec![(MANIFEST.to_owned(), synth::MANIFEST.to_owned())];
    files.extend(synth::linked_catalogue());
    files
}

/// The median re-checks of one kind of host.
struct Rechecks {
    summary: f64,
    rename: f64,
    /// The rename as the editor's rename makes it: the id and every reference to it.
    editor_rename: f64,
}

/// Re-checks on a host whose files were set with `durable` (as a shipped catalogue is) or not
/// (as a language server sets the files of a workspace); the edits are never durable.
fn rechecks(
    files: &[(String, String)],
    durable: bool,
    summary_edit: &SummaryEdit,
    rename: &Rename,
    clean: usize,
) -> Rechecks {
    let mut host = AnalysisHost::default();
    host.apply_change(Change {
        set: files.to_vec(),
        durable,
        ..Change::default()
    });
    let _ = host.analysis().diagnostics();
    let summary = median(
        (0..RECHECKS)
            .map(|i| {
                let (path, text) = summary_edit.edited(i);
                let start = Instant::now();
                let diagnostics = recheck(&mut host, path, text);
                let seconds = start.elapsed().as_secs_f64();
                assert_eq!(
                    diagnostics.len(),
                    clean,
                    "editing a summary changed the diagnostics"
                );
                seconds
            })
            .collect(),
    );
    let alone = median(
        (0..RECHECKS)
            .map(|i| {
                let renamed = i % 2 == 0;
                let text = rename.text(renamed);
                let start = Instant::now();
                let diagnostics = recheck(&mut host, &rename.path, text);
                let seconds = start.elapsed().as_secs_f64();
                let dangling = diagnostics
                    .iter()
                    .filter(|d| d.code == Code::DanglingReference)
                    .count();
                assert_eq!(
                    dangling,
                    if renamed { rename.referrers } else { 0 },
                    "renaming `{}` should leave {} references dangling",
                    rename.id,
                    rename.referrers
                );
                seconds
            })
            .collect(),
    );
    let editor_rename = median(
        (0..RECHECKS)
            .map(|i| {
                let texts = rename.everywhere(i % 2 == 0);
                let start = Instant::now();
                host.apply_change(Change {
                    set: texts,
                    ..Change::default()
                });
                let diagnostics = host
                    .analysis()
                    .diagnostics()
                    .expect("nothing cancels a lone snapshot");
                let seconds = start.elapsed().as_secs_f64();
                assert_eq!(
                    diagnostics.len(),
                    clean,
                    "renaming `{}` with its references changed the diagnostics",
                    rename.id
                );
                seconds
            })
            .collect(),
    );
    Rechecks {
        summary,
        rename: alone,
        editor_rename,
    }
}

/// Writes the catalogue and its manifest wherever a file differs, and returns them, manifest
/// first.
pub(crate) fn write_catalogue(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = synth_files();
    for (name, text) in &files {
        let path = dir.join(name);
        if fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
            fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(files)
}

/// A new host with every file set, and every diagnostic of the catalogue.
fn cold(files: &[(String, String)]) -> (AnalysisHost, Vec<Diagnostic>) {
    let mut host = AnalysisHost::default();
    host.apply_change(Change {
        set: files.to_vec(),
        ..Change::default()
    });
    // As `gapmine check` does: parse and lower on every core, then check.
    let analysis = host.analysis();
    analysis
        .prime_caches()
        .expect("nothing cancels a lone snapshot");
    let diagnostics = analysis
        .diagnostics()
        .expect("nothing cancels a lone snapshot");
    drop(analysis);
    (host, diagnostics)
}

/// Sets one file's text and asks every diagnostic again. Never inlined, so a profiler can
/// collect this function alone (`valgrind --tool=callgrind --toggle-collect='*recheck*'`).
#[inline(never)]
fn recheck(host: &mut AnalysisHost, path: &str, text: String) -> Vec<Diagnostic> {
    host.apply_change(Change::set(path, text));
    host.analysis()
        .diagnostics()
        .expect("nothing cancels a lone snapshot")
}

/// The diagnostics by code, for the header: the catalogue is meant to be clean.
fn summary(diagnostics: &[Diagnostic]) -> String {
    if diagnostics.is_empty() {
        return "the catalogue checks clean".to_owned();
    }
    let mut codes: Vec<(&str, usize)> = Vec::new();
    for d in diagnostics {
        match codes.iter_mut().find(|(code, _)| *code == d.code.name()) {
            Some((_, n)) => *n += 1,
            None => codes.push((d.code.name(), 1)),
        }
    }
    let codes: Vec<String> = codes.iter().map(|(c, n)| format!("{n} {c}")).collect();
    format!("the catalogue has diagnostics: {}", codes.join(", "))
}

/// A failure mode's one-line summary in the middle file, to rewrite.
pub(crate) struct SummaryEdit {
    pub(crate) path: String,
    before: String,
    after: String,
}

impl SummaryEdit {
    pub(crate) fn find(files: &[(String, String)]) -> anyhow::Result<SummaryEdit> {
        let (path, text) = &files[files.len() / 2];
        let opening = "\n    summary \"";
        let Some(at) = text
            .match_indices(opening)
            .map(|(at, _)| at)
            .find(|at| !text[at + opening.len()..].starts_with('"'))
        else {
            bail!("no one-line summary in {path}");
        };
        // The line ends in the summary's closing quote: the edit goes just before it.
        let line_end = at
            + 1
            + text[at + 1..]
                .find('\n')
                .context("a summary ends its line")?;
        Ok(SummaryEdit {
            path: path.clone(),
            before: text[..line_end - 1].to_owned(),
            after: text[line_end - 1..].to_owned(),
        })
    }

    /// The file with the summary's sentence extended by a different word each time.
    pub(crate) fn edited(&self, i: usize) -> (&str, String) {
        (
            &self.path,
            format!("{} Edit {i}.{}", self.before, self.after),
        )
    }
}

/// A failure mode that entries in other files reference, to rename and rename back.
pub(crate) struct Rename {
    pub(crate) path: String,
    pub(crate) id: String,
    pub(crate) text: String,
    /// How many references to it the catalogue holds.
    pub(crate) referrers: usize,
    /// Every file that names it (its own among them), as it is.
    pub(crate) naming: Vec<(String, String)>,
}

impl Rename {
    pub(crate) fn find(files: &[(String, String)]) -> anyhow::Result<Rename> {
        let (path, text) = &files[files.len() / 2];
        let mut best: Option<Rename> = None;
        for line in text.lines() {
            let Some(id) = line
                .strip_prefix("failure-mode \"")
                .and_then(|rest| rest.split('"').next())
            else {
                continue;
            };
            let quoted = format!("\"{id}\"");
            let referrers = files
                .iter()
                .map(|(_, t)| t.matches(&quoted).count())
                .sum::<usize>()
                - 1;
            if best.as_ref().is_none_or(|b| referrers > b.referrers) {
                best = Some(Rename {
                    path: path.clone(),
                    id: id.to_owned(),
                    text: text.clone(),
                    referrers,
                    naming: files
                        .iter()
                        .filter(|(_, t)| t.contains(&quoted))
                        .cloned()
                        .collect(),
                });
            }
        }
        best.filter(|b| b.referrers > 0)
            .with_context(|| format!("no failure mode in {path} that others reference"))
    }

    /// How many files name the failure mode (its own included).
    pub(crate) fn files(&self) -> usize {
        self.naming.len()
    }

    /// Every file that names the failure mode, with it renamed everywhere (as the editor's
    /// rename does), or as they were.
    pub(crate) fn everywhere(&self, renamed: bool) -> Vec<(String, String)> {
        let quoted = format!("\"{}\"", self.id);
        self.naming
            .iter()
            .map(|(path, text)| {
                let text = if renamed {
                    text.replace(&quoted, &format!("\"{}-renamed\"", self.id))
                } else {
                    text.clone()
                };
                (path.clone(), text)
            })
            .collect()
    }

    /// The file with the failure mode renamed, or as it was.
    pub(crate) fn text(&self, renamed: bool) -> String {
        if renamed {
            self.text.replacen(
                &format!("failure-mode \"{}\"", self.id),
                &format!("failure-mode \"{}-renamed\"", self.id),
                1,
            )
        } else {
            self.text.clone()
        }
    }
}

/// The median seconds of `gapmine check DIR` as a process, built in release mode first; or why
/// it could not be measured.
fn time_process(dir: &Path, runs: usize) -> Result<f64, String> {
    let binary = match build_cli() {
        Ok(binary) => binary,
        Err(err) => {
            eprintln!("note: not timing `gapmine check` as a process: {err:#}");
            return Err("skipped".to_owned());
        }
    };
    let help = Command::new(&binary)
        .args(["check", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !help.is_ok_and(|s| s.success()) {
        eprintln!(
            "note: {} has no `check` subcommand yet: not timing it as a process",
            binary.display()
        );
        return Err("skipped".to_owned());
    }
    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let status = Command::new(&binary)
            .arg("check")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|err| format!("cannot run {}: {err}", binary.display()))?;
        samples.push(start.elapsed().as_secs_f64());
        if !matches!(status.code(), Some(0 | 1)) {
            eprintln!("note: `gapmine check` exited with {status}");
        }
    }
    Ok(median(samples))
}

/// Builds the `gapmine` binary in release mode and returns its path.
pub(crate) fn build_cli() -> anyhow::Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "build",
            "--release",
            "--package",
            "gapmine-cli",
            "--bin",
            "gapmine",
        ])
        .status()
        .context("could not run cargo to build `gapmine`")?;
    anyhow::ensure!(
        status.success(),
        "`cargo build --release -p gapmine-cli` failed"
    );
    Ok(workspace_root().join("target/release/gapmine"))
}

fn ms(seconds: f64) -> String {
    if seconds < 0.01 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{:.0} ms", seconds * 1e3)
    }
}
