//! `cargo xtask bench match`: the matcher's throughput and peak heap, beside ripgrep.
//!
//! Everything it reads is generated from fixed seeds (a xorshift generator, as in `synth.rs`):
//!
//! - a catalogue of 1,000 failure modes with 5,000 signals: 4,000 case-insensitive phrases (four
//!   one-phrase signals each) and 1,000 regex patterns (one each, of six kinds, among them
//!   `(?i)a.{0,40}b`), built directly as `gapmine_model::FailureMode` values and also written as
//!   KDL, with the phrase list (`PHRASES`) and every signal as a regex (`ALL_PATTERNS`) for
//!   ripgrep, to `target/bench-data/match/`;
//! - a JSONL corpus of escape records (at least `--size-mb`, default 200 MB), titles and bodies of
//!   sentences drawn from a vocabulary, a few percent of which contain a phrase or a pattern's
//!   match, written once to `target/bench-data/match/records.jsonl` (regenerated when missing or
//!   of the wrong size).
//!
//! Each run times, one after the other: the first pass of the duplicate-id check alone (`IdScan`
//! over the ids, its runs in temporary files); that pass and reading and parsing the corpus; for
//! three catalogues (phrases only, the full catalogue, its first 10 failure modes) the matcher on
//! one thread streaming the file as `gapmine match` does (the first pass, then the records
//! `Reader` with the repeated ids it found; parsing included), on one thread over records parsed
//! beforehand (classification alone), and, for the full and phrases-only catalogues, on all cores
//! (`classify_batch`); then ripgrep. The figures are medians of the runs. The peak heap of the
//! streaming run is measured three ways: as the command runs, with every id in memory
//! (`SeenIds`, the commands' way with standard input), and with no duplicate check.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use gapmine_match::Matcher;

use crate::synth::Rng;
use gapmine_model::{Common, FailureMode, Id, Signal, SignalKind, TextField, Weight};
use gapmine_records::{EscapeRecord, IdCheck, IdScan, Item, Reader, Repeats, RunStore, SeenIds};

use crate::bench::{median, size};
use crate::{alloc, workspace_root};

/// What `bench match` was asked to do.
#[derive(Debug)]
pub(crate) struct Options {
    /// Timed runs of each measurement.
    pub(crate) runs: usize,
    /// The corpus's minimum size, in MB (10^6 bytes).
    pub(crate) size_mb: usize,
    /// `--profile NAME`: only classify the pre-parsed corpus with one catalogue (`full`, `ten`
    /// or `phrases`), `runs` times on one thread, for `perf record`.
    pub(crate) profile: Option<String>,
}

/// Failure modes in the catalogue.
const FAILURE_MODES: usize = 1_000;
/// Phrase signals per failure mode (one phrase each).
const PHRASES_PER_MODE: usize = 4;
/// The slice of the corpus `rg -f ALL_PATTERNS` reads, in bytes (about).
const SLICE_BYTES: u64 = 100_000;
/// Records per `classify_batch` call.
const BATCH: usize = 8_192;
/// Bumped whenever the corpus generator changes, so an old corpus is regenerated.
const CORPUS_VERSION: u32 = 1;

/// `cargo xtask bench match ARGS…`: parses `rest` (the arguments after `match`), reruns itself
/// in release mode when built for debugging, then runs.
pub(crate) fn main(args: &[String], rest: &[String]) -> anyhow::Result<std::process::ExitCode> {
    let mut options = Options {
        runs: 5,
        size_mb: 200,
        profile: None,
    };
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        if arg == "--profile" {
            let name = rest
                .next()
                .filter(|n| ["full", "ten", "phrases"].contains(&n.as_str()))
                .context("`--profile` needs a catalogue: full, ten or phrases")?;
            options.profile = Some(name.clone());
            continue;
        }
        let slot = match arg.as_str() {
            "--runs" => &mut options.runs,
            "--size-mb" => &mut options.size_mb,
            other => bail!(
                "unexpected argument `{other}`: usage: cargo xtask bench match [--runs N] [--size-mb N] [--profile full|ten|phrases]"
            ),
        };
        *slot = crate::bench::positive(arg, &mut rest)?;
    }
    if cfg!(debug_assertions) {
        return crate::rerun_in_release(args);
    }
    run(&options)?;
    Ok(std::process::ExitCode::SUCCESS)
}

pub(crate) fn run(options: &Options) -> anyhow::Result<()> {
    let dir = workspace_root().join("target/bench-data/match");
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;

    let started = Instant::now();
    let catalogue = Catalogue::generate();
    catalogue.write(&dir)?;
    let corpus = dir.join("records.jsonl");
    let corpus_bytes = ensure_corpus(&corpus, &catalogue, options.size_mb)?;
    let slice = dir.join("records-slice.jsonl");
    let slice_bytes = write_prefix(&corpus, &slice, SLICE_BYTES)?;
    let quarter_bytes = line_aligned(&corpus, corpus_bytes / 4)?;
    eprintln!(
        "note: catalogue and corpus ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let full = Matcher::compile(&catalogue.full, 0.5).context("compiling the full catalogue")?;
    let phrases =
        Matcher::compile(&catalogue.phrases_only, 0.5).context("compiling the phrases")?;
    let ten = Matcher::compile(&catalogue.full[..10], 0.5).context("compiling 10 modes")?;
    if full.unbounded_pattern_count() > 0 {
        eprintln!(
            "warning: {} patterns have no literal prefilter and run on every record",
            full.unbounded_pattern_count()
        );
    }

    if let Some(name) = &options.profile {
        let matcher = match name.as_str() {
            "full" => &full,
            "ten" => &ten,
            _ => &phrases,
        };
        let records = parse_all(&corpus, u64::MAX)?;
        for run in 0..options.runs {
            let (s, c) = time(|| classify_one_thread(matcher, &records));
            println!(
                "{name}, run {}: {s:.3} s, {} records, {} classified, {} matches",
                run + 1,
                c.records,
                c.classified,
                c.matches
            );
        }
        return Ok(());
    }

    let rg = ensure_ripgrep()?;
    let rg_version = Command::new(&rg)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_owned))
        .unwrap_or_else(|| "ripgrep (version unknown)".to_owned());

    eprintln!("note: parsing the corpus once for the classification-only rows");
    let records = parse_all(&corpus, u64::MAX)?;
    let record_count = records.len();

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!();
    println!(
        "gapmine-match against {rg_version}; release build; median of {} runs; \
         MB = 10^6 bytes; {threads} cores",
        options.runs
    );
    println!(
        "catalogue: {} failure modes, {} phrases, {} patterns ({} signals); corpus: {} records, {}",
        catalogue.full.len(),
        catalogue.phrases.len(),
        catalogue.patterns.len(),
        catalogue.phrases.len() + catalogue.patterns.len(),
        record_count,
        size(corpus_bytes as usize)
    );
    println!("files in {}", dir.display());
    println!();

    let mut samples: Vec<(String, Vec<f64>)> = Vec::new();
    let mut push = |name: &str, seconds: f64| match samples.iter_mut().find(|(n, _)| n == name) {
        Some((_, v)) => v.push(seconds),
        None => samples.push((name.to_owned(), vec![seconds])),
    };
    let mut counts: Vec<(String, Counts)> = Vec::new();
    let matchers: [(&str, &Matcher); 3] = [("phrases", &phrases), ("full", &full), ("ten", &ten)];
    let mut rg_counts = Vec::new();
    let mut scan_summary = None;
    for run in 0..options.runs {
        eprintln!("note: run {} of {}", run + 1, options.runs);
        let (s, repeats) = time(|| scan_ids(&corpus, u64::MAX));
        push("ids", s);
        scan_summary = Some(repeats?.summary());
        let (s, _) = time(|| stream(None, &corpus, u64::MAX));
        push("parse", s);
        for (name, matcher) in matchers {
            let (s, c) = time(|| stream(Some(matcher), &corpus, u64::MAX));
            push(&format!("{name} stream"), s);
            let c = c?;
            let (s, c2) = time(|| classify_one_thread(matcher, &records));
            push(&format!("{name} 1t"), s);
            assert_eq!(c, c2, "streaming and pre-parsed runs agree");
            if name != "ten" {
                let (s, c3) = time(|| classify_all_cores(matcher, &records));
                push(&format!("{name} batch"), s);
                assert_eq!(c, c3, "one thread and all cores agree");
            }
            if run == 0 {
                counts.push((name.to_owned(), c));
            }
        }
        rg_counts.clear();
        for (name, args, file) in [
            ("rg -F -i", vec!["-F", "-i", "-f", "PHRASES"], &corpus),
            ("rg -F", vec!["-F", "-f", "PHRASES"], &corpus),
            ("rg -f ALL_PATTERNS", vec!["-f", "ALL_PATTERNS"], &slice),
        ] {
            let (s, out) = time(|| ripgrep(&rg, &dir, &args, file));
            push(name, s);
            rg_counts.push((name, out?));
        }
    }
    let med = |name: &str| {
        samples
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| median(v.clone()))
            .expect("measured")
    };

    let mbs = |bytes: u64, seconds: f64| bytes as f64 / seconds / 1e6;
    let recs = |seconds: f64| record_count as f64 / seconds;
    println!(
        "{:<58} {:>10} {:>10} {:>9}",
        "measure", "median", "records/s", "MB/s"
    );
    let row = |label: &str, key: &str, bytes: u64, with_records: bool| {
        let s = med(key);
        let r = if with_records {
            format!("{:.0}", recs(s))
        } else {
            "-".to_owned()
        };
        println!(
            "{:<58} {:>8.3} s {:>10} {:>9.1}",
            label,
            s,
            r,
            mbs(bytes, s)
        );
    };
    row(
        "first pass: the ids only (IdScan, duplicate check)",
        "ids",
        corpus_bytes,
        true,
    );
    row(
        "first pass + read + parse JSONL (Reader, no matcher)",
        "parse",
        corpus_bytes,
        true,
    );
    for (name, label) in [
        ("phrases", "phrases only (1,000 modes, 4,000 phrases)"),
        ("full", "full (1,000 modes, 4,000 phrases + 1,000 patterns)"),
        ("ten", "10 failure modes (the full catalogue's first 10)"),
    ] {
        row(
            &format!("{label}, 1 thread, first pass + read + parse + classify"),
            &format!("{name} stream"),
            corpus_bytes,
            true,
        );
        row(
            &format!("{label}, 1 thread, classify only"),
            &format!("{name} 1t"),
            corpus_bytes,
            true,
        );
        if name != "ten" {
            row(
                &format!("{label}, {threads} cores, classify_batch only"),
                &format!("{name} batch"),
                corpus_bytes,
                true,
            );
        }
    }
    row(
        "rg -j1 -c -F -i -f PHRASES (whole corpus)",
        "rg -F -i",
        corpus_bytes,
        false,
    );
    row(
        "rg -j1 -c -F -f PHRASES (whole corpus)",
        "rg -F",
        corpus_bytes,
        false,
    );
    row(
        &format!(
            "rg -j1 -c -f ALL_PATTERNS (first {} of the corpus)",
            size(slice_bytes as usize)
        ),
        "rg -f ALL_PATTERNS",
        slice_bytes,
        false,
    );
    println!();
    for (name, c) in &counts {
        println!(
            "{name:<8} records classified: {} of {} ({:.1}%), failure-mode matches: {}",
            c.classified,
            c.records,
            100.0 * c.classified as f64 / c.records.max(1) as f64,
            c.matches
        );
    }
    for (name, lines) in &rg_counts {
        println!("{name:<20} matching lines: {lines}");
    }
    if let Some(summary) = scan_summary {
        println!(
            "first pass (budget {}): {summary}",
            size(IdScan::<TempRuns>::DEFAULT_BUDGET)
        );
    }

    // Peak heap of the one-thread streaming run, on the whole corpus and on its first quarter:
    // as the command runs it (the first pass over the ids, then the reader with the repeats it
    // found), with the in-memory check of every id (the commands' way with standard input), and
    // with no check, so the rest is measured, not estimated by subtraction.
    let peak_of = |limit: u64, mode: IdMode| -> anyhow::Result<(usize, usize)> {
        let base = alloc::current();
        alloc::reset_peak();
        let (_, ids) = stream_with_ids(Some(&full), &corpus, limit, mode)?;
        Ok((alloc::peak().saturating_sub(base), ids))
    };
    let (peak_full, repeats_full) = peak_of(u64::MAX, IdMode::Scan)?;
    let (peak_quarter, repeats_quarter) = peak_of(quarter_bytes, IdMode::Scan)?;
    let (seen_full, ids_full) = peak_of(u64::MAX, IdMode::Seen)?;
    let (seen_quarter, ids_quarter) = peak_of(quarter_bytes, IdMode::Seen)?;
    let (bare_full, _) = peak_of(u64::MAX, IdMode::Trust)?;
    let (bare_quarter, _) = peak_of(quarter_bytes, IdMode::Trust)?;
    println!();
    println!(
        "peak heap of the one-thread streaming run (full catalogue), above what was held before"
    );
    println!(
        "  as gapmine match runs it (first pass, then the reader with the repeated ids): whole corpus ({}): {} (repeated ids at the end {}); first quarter ({}): {} ({})",
        size(corpus_bytes as usize),
        size(peak_full),
        size(repeats_full),
        size(quarter_bytes as usize),
        size(peak_quarter),
        size(repeats_quarter)
    );
    println!(
        "  with every id in memory (SeenIds, as with standard input): whole corpus {} (the id table at the end {}, {:.1} bytes a record); first quarter {} (id table {})",
        size(seen_full),
        size(ids_full),
        ids_full as f64 / record_count.max(1) as f64,
        size(seen_quarter),
        size(ids_quarter)
    );
    println!(
        "  with a reader that keeps no ids (Reader::trusting_ids): whole corpus {}, first quarter {}",
        size(bare_full),
        size(bare_quarter)
    );

    let rg_fi = mbs(corpus_bytes, med("rg -F -i"));
    let rg_all = mbs(slice_bytes, med("rg -f ALL_PATTERNS"));
    let phrases_mbs = mbs(corpus_bytes, med("phrases stream"));
    let full_mbs = mbs(corpus_bytes, med("full stream"));
    let phrases_only = mbs(corpus_bytes, med("phrases 1t"));
    let full_only = mbs(corpus_bytes, med("full 1t"));
    println!();
    println!(
        "{:<52} {:>14} {:>14} {:>8}",
        "target (one thread)", "with parsing", "classify only", "target"
    );
    let target = |label: &str, a: f64, b: f64, goal: &str| {
        println!("{label:<52} {a:>13.1}× {b:>13.1}× {goal:>8}");
    };
    target(
        "phrases only vs rg -F -i",
        phrases_mbs / rg_fi,
        phrases_only / rg_fi,
        "≥ 4×",
    );
    target(
        "full vs rg -F -i",
        full_mbs / rg_fi,
        full_only / rg_fi,
        "≥ 2×",
    );
    target(
        "full vs rg -f ALL_PATTERNS",
        full_mbs / rg_all,
        full_only / rg_all,
        "≥ 100×",
    );
    target(
        "time of 1,000 modes / time of 10 modes",
        med("full stream") / med("ten stream"),
        med("full 1t") / med("ten 1t"),
        "≤ 1.5×",
    );
    println!(
        "{:<52} {:>14} {:>14} {:>8}",
        "first pass / read + parse + classify (full)",
        format!("{:.0}%", 100.0 * med("ids") / med("full stream")),
        "",
        ""
    );
    println!(
        "{:<52} {:>14} {:>14} {:>8}",
        "peak heap, whole corpus / first quarter",
        format!("{:.2}×", peak_full as f64 / peak_quarter.max(1) as f64),
        "",
        "≈ 1×"
    );
    println!(
        "{:<52} {:>14} {:>14} {:>8}",
        "  the same with every id in memory (SeenIds)",
        format!("{:.2}×", seen_full as f64 / seen_quarter.max(1) as f64),
        "",
        ""
    );
    println!(
        "{:<52} {:>14} {:>14} {:>8}",
        "  the same with a reader that keeps no ids",
        format!("{:.2}×", bare_full as f64 / bare_quarter.max(1) as f64),
        "",
        "≈ 1×"
    );
    println!();
    Ok(())
}

/// What a pass over the corpus found: compared between passes, so each does the same work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    records: u64,
    classified: u64,
    matches: u64,
}

impl Counts {
    fn add(&mut self, c: &gapmine_match::Classification<'_>) {
        self.records += 1;
        self.classified += u64::from(!c.matches.is_empty());
        self.matches += c.matches.len() as u64;
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let start = Instant::now();
    let out = black_box(f());
    (start.elapsed().as_secs_f64(), out)
}

/// How a streaming pass tells repeated ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdMode {
    /// As `gapmine match` does with files: a first pass over the ids (`IdScan`, its runs in
    /// temporary files), then the records `Reader` with the `Repeats` it found.
    Scan,
    /// The reader's in-memory check, every id kept (`SeenIds`): the commands' way with standard
    /// input, and the only way before the first pass.
    Seen,
    /// No check (`Reader::trusting_ids`): what the pass holds beyond the duplicate check.
    Trust,
}

/// Reads the first `limit` bytes of `path` as `gapmine match` does (the first pass over the ids,
/// then the records `Reader`) and classifies each record with one `Scratch` (or, without a
/// matcher, only reads and parses).
fn stream(matcher: Option<&Matcher>, path: &Path, limit: u64) -> anyhow::Result<Counts> {
    Ok(stream_with_ids(matcher, path, limit, IdMode::Scan)?.0)
}

/// [`stream`], with the duplicate check `mode`, and the heap bytes of the check's state at the
/// end (the `Repeats` or the `SeenIds`).
fn stream_with_ids(
    matcher: Option<&Matcher>,
    path: &Path,
    limit: u64,
    mode: IdMode,
) -> anyhow::Result<(Counts, usize)> {
    match mode {
        IdMode::Scan => {
            let repeats = scan_ids(path, limit)?;
            let (counts, repeats) = read_classify(matcher, path, limit, repeats, false)?;
            Ok((counts, repeats.heap_bytes()))
        }
        IdMode::Seen | IdMode::Trust => {
            let (counts, seen) = read_classify(
                matcher,
                path,
                limit,
                SeenIds::default(),
                mode == IdMode::Trust,
            )?;
            Ok((counts, seen.heap_bytes()))
        }
    }
}

/// The second pass of [`stream_with_ids`]: the records `Reader` with the duplicate check `ids`.
fn read_classify<C: IdCheck>(
    matcher: Option<&Matcher>,
    path: &Path,
    limit: u64,
    ids: C,
    trust: bool,
) -> anyhow::Result<(Counts, C)> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let input = BufReader::with_capacity(1 << 16, file.take(limit));
    let mut reader = Reader::continuing(input, path.display().to_string(), ids);
    if trust {
        reader = reader.trusting_ids();
    }
    let mut scratch = matcher.map(Matcher::scratch);
    let mut counts = Counts::default();
    while let Some(item) = reader.next_item()? {
        match item {
            Item::Record { record, .. } => match (matcher, scratch.as_mut()) {
                (Some(m), Some(s)) => counts.add(&m.classify_with(&record, s)),
                _ => {
                    black_box(&record);
                    counts.records += 1;
                }
            },
            Item::Rejected { reason, .. } => bail!("the generated corpus has a bad line: {reason}"),
        }
    }
    Ok((counts, reader.into_seen()))
}

/// Sorted runs of the first pass in unnamed temporary files, as the CLI keeps them.
pub(crate) struct TempRuns;

impl RunStore for TempRuns {
    type Run = File;

    fn create(&mut self) -> std::io::Result<File> {
        tempfile::tempfile()
    }
}

/// The first pass over the ids of the first `limit` bytes of `path`, with the commands' budget.
pub(crate) fn scan_ids(path: &Path, limit: u64) -> anyhow::Result<Repeats> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut scan = IdScan::new(TempRuns, IdScan::<TempRuns>::DEFAULT_BUDGET);
    scan.scan(BufReader::with_capacity(1 << 16, file.take(limit)))?;
    Ok(scan.finish()?)
}

fn parse_all(path: &Path, limit: u64) -> anyhow::Result<Vec<EscapeRecord>> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let reader = Reader::new(BufReader::new(file.take(limit)), path.display().to_string());
    let mut records = Vec::new();
    for item in reader {
        match item? {
            Item::Record { record, .. } => records.push(record),
            Item::Rejected { reason, .. } => bail!("the generated corpus has a bad line: {reason}"),
        }
    }
    Ok(records)
}

fn classify_one_thread(matcher: &Matcher, records: &[EscapeRecord]) -> Counts {
    let mut scratch = matcher.scratch();
    let mut counts = Counts::default();
    for r in records {
        counts.add(&matcher.classify_with(r, &mut scratch));
    }
    counts
}

fn classify_all_cores(matcher: &Matcher, records: &[EscapeRecord]) -> Counts {
    let mut counts = Counts::default();
    for batch in records.chunks(BATCH) {
        for c in matcher.classify_batch(batch) {
            counts.add(&c);
        }
    }
    counts
}

/// `rg -j1 -c ARGS FILE` in `dir`; the sum of the matching-line count it prints.
fn ripgrep(rg: &Path, dir: &Path, args: &[&str], file: &Path) -> anyhow::Result<u64> {
    let out = Command::new(rg)
        .current_dir(dir)
        .args(["-j1", "-c"])
        .args(args)
        .arg(file)
        .stderr(Stdio::inherit())
        .output()
        .context("could not run rg")?;
    if !out.status.success() && out.status.code() != Some(1) {
        bail!("rg {args:?} failed: {}", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse::<u64>().ok())
        .sum())
}

/// The path of `rg`, installing ripgrep (apt, else `cargo install`) if it is missing.
fn ensure_ripgrep() -> anyhow::Result<PathBuf> {
    let found = |name: &str| -> Option<PathBuf> {
        let paths = std::env::var_os("PATH")?;
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    };
    if let Some(rg) = found("rg") {
        return Ok(rg);
    }
    eprintln!("note: ripgrep is missing; installing it with apt-get");
    let apt = Command::new("apt-get")
        .arg("update")
        .status()
        .is_ok_and(|s| s.success())
        && Command::new("apt-get")
            .args(["install", "-y", "ripgrep"])
            .status()
            .is_ok_and(|s| s.success());
    if !apt {
        eprintln!("note: apt-get could not install ripgrep; trying `cargo install ripgrep`");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let _ = Command::new(cargo).args(["install", "ripgrep"]).status();
    }
    if let Some(rg) = found("rg") {
        return Ok(rg);
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    home.map(|h| h.join("bin/rg"))
        .filter(|p| p.is_file())
        .context("could not install ripgrep: install it (`apt-get install ripgrep`) and rerun")
}

/// The offset of the first line start at or after `at` (the file's length if none).
fn line_aligned(path: &Path, at: u64) -> anyhow::Result<u64> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(at))?;
    let mut rest = Vec::new();
    BufReader::new(file).read_until(b'\n', &mut rest)?;
    Ok(at + rest.len() as u64)
}

/// Writes the first whole lines of `path`, about `bytes` of them, to `to`; returns their size.
fn write_prefix(path: &Path, to: &Path, bytes: u64) -> anyhow::Result<u64> {
    let end = line_aligned(path, bytes)?;
    let mut prefix = Vec::with_capacity(end as usize);
    File::open(path)?.take(end).read_to_end(&mut prefix)?;
    if fs::read(to).ok().as_deref() != Some(prefix.as_slice()) {
        fs::write(to, &prefix).with_context(|| format!("cannot write {}", to.display()))?;
    }
    Ok(end)
}

// ---------------------------------------------------------------------------------------------
// Generators.

/// First words of phrases: things that fail.
const THINGS: &[&str] = &[
    "connection",
    "cache",
    "database",
    "disk",
    "memory",
    "thread",
    "lock",
    "socket",
    "certificate",
    "config",
    "dns",
    "queue",
    "replica",
    "shard",
    "token",
    "session",
    "schema",
    "index",
    "kernel",
    "container",
    "pod",
    "node",
    "cluster",
    "network",
    "gateway",
    "proxy",
    "leader",
    "clock",
    "timer",
    "retry",
    "batch",
    "cron",
    "deploy",
    "rollback",
    "migration",
    "feature",
    "quota",
    "rate",
    "heap",
    "buffer",
    "file",
    "pipeline",
    "build",
    "fixture",
    "mock",
    "snapshot",
    "upstream",
    "dependency",
    "payment",
    "billing",
    "auth",
    "login",
    "search",
    "storage",
    "bucket",
    "volume",
    "backup",
    "restore",
    "power",
    "fan",
    "cable",
    "switch",
    "router",
    "firewall",
    "vpn",
    "tls",
    "api",
    "client",
    "server",
    "worker",
    "scheduler",
    "consumer",
    "producer",
    "topic",
    "partition",
    "offset",
    "transaction",
    "query",
    "cursor",
    "pool",
    "timezone",
    "calendar",
    "daylight",
    "leap",
    "locale",
    "encoding",
    "parser",
    "serializer",
    "webhook",
    "callback",
    "event",
    "message",
    "signal",
    "process",
    "daemon",
    "lease",
    "mutex",
    "semaphore",
    "channel",
    "sidecar",
    "registry",
];

/// Second words of phrases: how they fail.
const FAULTS: &[&str] = &[
    "timeout",
    "reset",
    "refused",
    "leak",
    "exhaustion",
    "corruption",
    "overflow",
    "underflow",
    "deadlock",
    "race",
    "starvation",
    "contention",
    "expiry",
    "mismatch",
    "drift",
    "skew",
    "lag",
    "backlog",
    "storm",
    "stampede",
    "spike",
    "outage",
    "failure",
    "crash",
    "panic",
    "hang",
    "stall",
    "loop",
    "regression",
    "misconfiguration",
    "typo",
    "collision",
    "conflict",
    "eviction",
    "invalidation",
    "poisoning",
    "split",
    "flap",
    "saturation",
    "throttling",
    "rejection",
    "truncation",
    "rollover",
    "wraparound",
    "inversion",
    "misorder",
    "duplication",
    "loss",
    "drop",
    "churn",
    "thrash",
    "fragmentation",
    "fault",
    "error",
    "exception",
    "assertion",
    "violation",
    "breach",
    "revocation",
    "rotation",
    "renewal",
    "downgrade",
    "upgrade",
    "incompatibility",
    "deprecation",
    "removal",
    "rename",
    "ordering",
    "flakiness",
    "nondeterminism",
    "pollution",
    "leakage",
    "sharing",
    "misuse",
    "bypass",
    "injection",
    "escalation",
    "denial",
    "backoff",
    "jitter",
    "burst",
    "surge",
    "brownout",
    "blackout",
    "degradation",
    "misroute",
    "blackhole",
    "desync",
    "divergence",
    "staleness",
    "inconsistency",
    "misread",
    "miswrite",
    "overwrite",
    "hotspot",
    "flood",
    "freeze",
    "halt",
    "gap",
    "slip",
];

/// Everyday words of incident write-ups.
const FILLER: &[&str] = &[
    "the",
    "a",
    "we",
    "it",
    "was",
    "were",
    "after",
    "before",
    "during",
    "when",
    "while",
    "and",
    "but",
    "then",
    "so",
    "because",
    "of",
    "in",
    "on",
    "for",
    "to",
    "from",
    "with",
    "at",
    "by",
    "customers",
    "users",
    "team",
    "engineer",
    "on-call",
    "alert",
    "page",
    "dashboard",
    "graph",
    "metrics",
    "logs",
    "trace",
    "request",
    "requests",
    "response",
    "latency",
    "p99",
    "traffic",
    "release",
    "change",
    "commit",
    "version",
    "rollout",
    "region",
    "zone",
    "service",
    "endpoint",
    "job",
    "step",
    "stage",
    "check",
    "ticket",
    "incident",
    "postmortem",
    "impact",
    "minutes",
    "hours",
    "noticed",
    "reported",
    "investigated",
    "found",
    "saw",
    "observed",
    "confirmed",
    "fixed",
    "reverted",
    "restarted",
    "scaled",
    "paged",
    "escalated",
    "mitigated",
    "resolved",
    "slow",
    "slower",
    "higher",
    "lower",
    "intermittent",
    "elevated",
    "partial",
    "full",
    "unexpected",
    "several",
    "some",
    "many",
    "most",
    "all",
    "no",
    "one",
    "two",
    "three",
    "first",
    "last",
    "again",
    "later",
    "earlier",
    "quickly",
    "eventually",
    "briefly",
    "only",
    "production",
    "staging",
    "canary",
    "test",
    "tests",
    "suite",
    "runner",
    "ci",
    "main",
    "branch",
    "merge",
    "review",
    "monday",
    "friday",
    "night",
    "morning",
    "weekend",
    "window",
    "maintenance",
    "vendor",
    "provider",
    "cloud",
    "account",
    "limit",
    "value",
    "setting",
    "flag",
    "default",
    "code",
    "path",
    "handler",
    "library",
    "module",
    "function",
    "call",
    "calls",
];

pub(crate) const SERVICES: &[&str] = &[
    "payments",
    "checkout",
    "search",
    "identity",
    "billing",
    "inventory",
    "shipping",
    "notifications",
    "catalog",
    "gateway",
    "reports",
    "scheduler",
];
pub(crate) const TEAMS: &[&str] = &[
    "core", "platform", "growth", "infra", "data", "mobile", "web",
];
const LABELS: &[&str] = &[
    "bug",
    "incident",
    "flaky",
    "regression",
    "p1",
    "p2",
    "p3",
    "customer-facing",
    "infra",
    "postmortem",
    "ci",
];
const SEVERITIES: &[&str] = &["sev1", "sev2", "sev3", "sev4"];

/// The catalogue, three ways, with its phrases and patterns.
pub(crate) struct Catalogue {
    pub(crate) full: Vec<FailureMode>,
    phrases_only: Vec<FailureMode>,
    /// Every phrase, in catalogue order (lower case, distinct).
    pub(crate) phrases: Vec<String>,
    /// Every pattern, in catalogue order, with a text it matches.
    patterns: Vec<(String, String)>,
}

impl Catalogue {
    pub(crate) fn generate() -> Catalogue {
        let mut rng = Rng(0x51A7_E5EE_D0F0_0D01);
        // 4,000 distinct two-word phrases out of the 10,000 pairs, in a shuffled order.
        let mut pairs: Vec<(usize, usize)> = (0..THINGS.len())
            .flat_map(|a| (0..FAULTS.len()).map(move |b| (a, b)))
            .collect();
        for i in (1..pairs.len()).rev() {
            pairs.swap(i, rng.below(i + 1));
        }
        let phrases: Vec<String> = pairs[..FAILURE_MODES * PHRASES_PER_MODE]
            .iter()
            .map(|&(a, b)| format!("{} {}", THINGS[a], FAULTS[b]))
            .collect();
        let patterns: Vec<(String, String)> =
            (0..FAILURE_MODES).map(|i| pattern(&mut rng, i)).collect();

        let mut full: Vec<FailureMode> = Vec::with_capacity(FAILURE_MODES);
        for i in 0..FAILURE_MODES {
            let own = &phrases[i * PHRASES_PER_MODE..(i + 1) * PHRASES_PER_MODE];
            let mut signals: Vec<Signal> = own
                .iter()
                .map(|p| Signal {
                    kind: SignalKind::Phrase(vec![p.clone()]),
                    weight: Weight(0.6),
                    field: TextField::Any,
                })
                .collect();
            signals.push(Signal {
                kind: SignalKind::Pattern(vec![patterns[i].0.clone()]),
                weight: Weight(0.7),
                field: if i % 4 == 0 {
                    TextField::Body
                } else {
                    TextField::Any
                },
            });
            let id = format!("fm-{i:04}-{}", own[0].replace(' ', "-"));
            full.push(FailureMode {
                common: Common {
                    id: Id(id),
                    title: format!("{} and related faults", capitalised(&own[0])),
                    summary: None,
                    tags: Vec::new(),
                    see: Vec::new(),
                    since: None,
                    deprecated: None,
                    replaced_by: None,
                },
                // Every tenth failure mode refines the one nine before it.
                parent: (i % 10 == 9).then(|| full[i - 9].common.id.clone()),
                layer: None,
                caught_by: None,
                threshold: None,
                signals,
                probes: Vec::new(),
                examples: Vec::new(),
            });
        }
        let phrases_only = full
            .iter()
            .map(|fm| {
                let mut fm = fm.clone();
                fm.signals
                    .retain(|s| matches!(s.kind, SignalKind::Phrase(_)));
                fm
            })
            .collect();
        Catalogue {
            full,
            phrases_only,
            phrases,
            patterns,
        }
    }

    /// Writes `catalogue.kdl` (with its manifest `gapmine.kdl`), `PHRASES` and `ALL_PATTERNS`
    /// where they are missing or differ.
    fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let mut kdl = String::from(
            "// Synthetic catalogue of `cargo xtask bench match`; the same bytes on every run.\n\n",
        );
        for fm in &self.full {
            let _ = writeln!(kdl, "failure-mode \"{}\" {{", fm.common.id);
            let _ = writeln!(kdl, "    title \"{}\"", fm.common.title);
            if let Some(parent) = &fm.parent {
                let _ = writeln!(kdl, "    parent \"{parent}\"");
            }
            kdl.push_str("    signals {\n");
            for s in &fm.signals {
                let field = match s.field {
                    TextField::Body => " in=\"body\"",
                    TextField::Title => " in=\"title\"",
                    TextField::Any => "",
                };
                match &s.kind {
                    SignalKind::Phrase(ps) => {
                        let _ = writeln!(
                            kdl,
                            "        phrase \"{}\" weight={}{field}",
                            ps[0], s.weight.0
                        );
                    }
                    SignalKind::Pattern(ps) => {
                        let _ = writeln!(
                            kdl,
                            "        pattern #\"{}\"# weight={}{field}",
                            ps[0], s.weight.0
                        );
                    }
                    _ => {}
                }
            }
            kdl.push_str("    }\n}\n\n");
        }
        let manifest =
            "catalogue \"bench-match\" version=\"1.0.0\" {\n    include \"catalogue.kdl\"\n}\n";
        let phrases: String = self.phrases.iter().map(|p| format!("{p}\n")).collect();
        // Every signal as a regex: phrases case-insensitively (they are letters and spaces, so
        // need no escaping), then the patterns as written.
        let all: String = self
            .phrases
            .iter()
            .map(|p| format!("(?i){p}\n"))
            .chain(self.patterns.iter().map(|(p, _)| format!("{p}\n")))
            .collect();
        for (name, text) in [
            ("gapmine.kdl", manifest),
            ("catalogue.kdl", kdl.as_str()),
            ("PHRASES", phrases.as_str()),
            ("ALL_PATTERNS", all.as_str()),
        ] {
            let path = dir.join(name);
            if fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
                fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
        Ok(())
    }
}

/// Failure mode `i`'s pattern, one of six kinds, and a text it matches.
fn pattern(rng: &mut Rng, i: usize) -> (String, String) {
    let a = rng.pick(THINGS);
    let b = rng.pick(FAULTS);
    let a2 = rng.pick(THINGS);
    let b2 = rng.pick(FAULTS);
    match i % 6 {
        0 => (
            format!("(?i){a}.{{0,40}}{b}"),
            format!("{} went bad and the {}", a.to_uppercase(), b),
        ),
        1 => (format!(r"{a}\s+{b}"), format!("{a}  {b}")),
        2 => (
            format!(r"(?i)\b{a}\b.{{0,40}}\b{b}(ed|s)?\b"),
            format!("{} in the main region, then a {b}", capitalised(a)),
        ),
        3 => (
            format!(r"{}Error: {b} after \d+ ?ms", capitalised(a)),
            format!(
                "{}Error: {b} after {} ms",
                capitalised(a),
                10 + rng.below(990)
            ),
        ),
        4 => (
            format!("(?i)({a}|{a2}) ({b}|{b2}) (detected|observed|reported)"),
            format!("{a2} {b} observed"),
        ),
        _ => (
            format!(r"\b[A-Z]{{3}}-\d{{3,5}} {b}"),
            format!("INC-{} {b}", 100 + rng.below(9900)),
        ),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Makes sure `path` holds the corpus for `size_mb` (regenerating it if missing, of the wrong
/// size, or from another generator); returns its size in bytes.
fn ensure_corpus(path: &Path, catalogue: &Catalogue, size_mb: usize) -> anyhow::Result<u64> {
    let stamp_path = path.with_extension("jsonl.stamp");
    let want = format!("version={CORPUS_VERSION} size_mb={size_mb}");
    if let (Ok(stamp), Ok(meta)) = (fs::read_to_string(&stamp_path), fs::metadata(path))
        && let Some((head, bytes)) = stamp.trim().rsplit_once(" bytes=")
        && head == want
        && bytes.parse::<u64>().ok() == Some(meta.len())
    {
        return Ok(meta.len());
    }
    eprintln!(
        "note: writing a {size_mb} MB corpus to {} (once)",
        path.display()
    );
    let _ = fs::remove_file(&stamp_path);
    let target = size_mb as u64 * 1_000_000;
    let mut out = std::io::BufWriter::with_capacity(
        1 << 20,
        File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    let mut rng = Rng(0xC0FF_EE15_BAD5_EED5);
    let mut line = String::with_capacity(4096);
    let mut written = 0u64;
    let mut n = 0u64;
    while written < target {
        n += 1;
        line.clear();
        record(&mut rng, catalogue, n, &mut line);
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    out.flush()?;
    drop(out);
    fs::write(&stamp_path, format!("{want} bytes={written}\n"))?;
    Ok(written)
}

/// One JSONL record (with its newline). Texts are ASCII letters, digits and punctuation without
/// quotes or backslashes, so they need no JSON escaping.
fn record(rng: &mut Rng, catalogue: &Catalogue, n: u64, out: &mut String) {
    let mut title = String::new();
    let count = 4 + rng.below(7);
    words(rng, count, &mut title);
    inject(rng, catalogue, &mut title, 8, 4);
    let mut body = String::new();
    for s in 0..1 + rng.below(6) {
        if s > 0 {
            body.push(' ');
        }
        let count = 6 + rng.below(15);
        words(rng, count, &mut body);
        body.push('.');
    }
    inject(rng, catalogue, &mut body, 15, 10);
    let month = 1 + rng.below(12);
    let day = 1 + rng.below(28);
    let year = 2025 + rng.below(2);
    let _ = writeln!(
        out,
        "{{\"id\":\"ESC-{n:07}\",\"title\":\"{title}\",\"body\":\"{body}\",\
         \"occurred_at\":\"{year}-{month:02}-{day:02}\",\"service\":\"{}\",\"team\":\"{}\",\
         \"labels\":[\"{}\",\"{}\"],\"severity\":\"{}\",\"source\":\"synthetic\"}}",
        rng.pick(SERVICES),
        rng.pick(TEAMS),
        rng.pick(LABELS),
        rng.pick(LABELS),
        rng.pick(SEVERITIES),
    );
}

/// `count` words, capitalised first: mostly everyday words, about 2% each a thing or a fault
/// word, so partial phrase matches are common and accidental whole ones rare.
pub(crate) fn words(rng: &mut Rng, count: usize, out: &mut String) {
    for i in 0..count {
        if i > 0 {
            out.push(' ');
        }
        let roll = rng.below(100);
        let word = if roll < 2 {
            rng.pick(THINGS)
        } else if roll < 4 {
            rng.pick(FAULTS)
        } else {
            rng.pick(FILLER)
        };
        if i == 0 {
            out.push_str(&capitalised(word));
        } else {
            out.push_str(word);
        }
    }
}

/// With a chance of `phrase` in 1,000 appends a phrase (in one of three casings), and of
/// `pattern` in 1,000 a text one pattern matches.
fn inject(rng: &mut Rng, catalogue: &Catalogue, text: &mut String, phrase: usize, pattern: usize) {
    if rng.permille(phrase) {
        let p = &catalogue.phrases[rng.below(catalogue.phrases.len())];
        let p = match rng.below(3) {
            0 => p.clone(),
            1 => p.to_uppercase(),
            _ => capitalised(p),
        };
        let _ = write!(text, " {p} again");
    }
    if rng.permille(pattern) {
        let (_, witness) = &catalogue.patterns[rng.below(catalogue.patterns.len())];
        let _ = write!(text, " {witness} there");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_the_promised_shape_and_its_witnesses_match() {
        let c = Catalogue::generate();
        assert_eq!(c.full.len(), 1_000);
        assert_eq!(c.phrases.len(), 4_000);
        assert_eq!(c.patterns.len(), 1_000);
        let mut distinct = c.phrases.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 4_000);
        let matcher = Matcher::compile(&c.full, 0.5).unwrap();
        assert_eq!(matcher.unbounded_pattern_count(), 0);
        for (i, (_, witness)) in c.patterns.iter().enumerate() {
            let text = gapmine_match::RecordText {
                body: witness,
                ..gapmine_match::RecordText::title("")
            };
            let found = matcher.classify(&text);
            assert!(
                found
                    .matches
                    .iter()
                    .any(|d| d.failure_mode == &c.full[i].common.id),
                "pattern {i} `{}` does not match `{witness}`",
                c.patterns[i].0
            );
        }
    }

    #[test]
    fn records_are_valid_jsonl() {
        let c = Catalogue::generate();
        let mut rng = Rng(1);
        let mut text = String::new();
        for n in 0..2_000 {
            record(&mut rng, &c, n, &mut text);
        }
        let reader = Reader::new(text.as_bytes(), "generated");
        for item in reader {
            assert!(matches!(item.unwrap(), Item::Record { .. }));
        }
    }
}
