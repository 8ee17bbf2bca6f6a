//! `cargo xtask bench parse`: the throughput and peak heap of gapmine-syntax against `kdl`.
//!
//! Two corpora: the synthetic catalogue of `synth.rs` (also written to
//! `target/bench-data/parse/`) and the inputs of the KDL test suite that `kdl` accepts. Each run
//! parses every file of a corpus with one parser and holds the results until the clock stops,
//! so a run times parsing, not freeing; the two parsers alternate which goes first. The
//! figures are the median of the runs. Peak heap comes from the counting allocator in
//! `alloc.rs`, measured in a separate pass that holds every parsed tree at once.

use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use crate::{alloc, synth, workspace_root};

/// What `bench parse` was asked to do.
#[derive(Debug)]
pub(crate) struct Options {
    /// Timed runs of each parser over each corpus.
    pub(crate) runs: usize,
    /// The conformance suite's `input` folder.
    pub(crate) conformance: PathBuf,
}

/// A set of files to parse, held in memory.
struct Corpus {
    name: String,
    files: Vec<(String, String)>,
}

impl Corpus {
    fn bytes(&self) -> usize {
        self.files.iter().map(|(_, text)| text.len()).sum()
    }
}

/// Each timed run parses at least this many bytes, repeating a small corpus, so that a run is
/// long enough for the clock.
const MIN_BYTES_PER_RUN: usize = 4_000_000;

pub(crate) fn run(options: &Options) -> anyhow::Result<()> {
    let catalogue = load_catalogue()?;
    check_catalogue(&catalogue);
    let conformance = load_conformance(&options.conformance)?;

    println!();
    println!(
        "gapmine-syntax against kdl 6.7.1 (default features, `span` on); release build; \
         median of {} runs; MB = 10^6 bytes",
        options.runs
    );
    println!(
        "synthetic catalogue: {} entries in {} files, in target/bench-data/parse/",
        synth::ENTRIES,
        synth::FILES
    );
    println!();
    println!(
        "{:<36} {:>5} {:>9}  {:<15} {:>10} {:>8} {:>9}",
        "corpus", "files", "text", "parser", "median", "MB/s", "ours/kdl"
    );
    let mut corpora = vec![&catalogue];
    corpora.extend(conformance.as_ref());
    for corpus in corpora {
        let bytes = corpus.bytes();
        let reps = MIN_BYTES_PER_RUN.div_ceil(bytes.max(1));
        let (ours, theirs) = time_corpus(corpus, options.runs, reps);
        let (ours_mbs, theirs_mbs) = (
            (bytes * reps) as f64 / ours / 1e6,
            (bytes * reps) as f64 / theirs / 1e6,
        );
        let name = if reps > 1 {
            format!("{} (×{reps} a run)", corpus.name)
        } else {
            corpus.name.clone()
        };
        println!(
            "{:<36} {:>5} {:>9}  {:<15} {:>8.4} s {:>8.1} {:>8.1}×",
            name,
            corpus.files.len(),
            size(bytes),
            "gapmine-syntax",
            ours,
            ours_mbs,
            ours_mbs / theirs_mbs
        );
        println!(
            "{:<36} {:>5} {:>9}  {:<15} {:>8.4} s {:>8.1}",
            "", "", "", "kdl 6.7.1", theirs, theirs_mbs
        );
    }

    println!();
    println!("peak heap while parsing and holding every tree, and its ratio to the text's size");
    println!("(gapmine-syntax's tree keeps its own copy of the text: that copy is counted)");
    println!();
    println!(
        "{:<44} {:>9}  {:>20}  {:>20}",
        "corpus", "text", "gapmine-syntax", "kdl 6.7.1"
    );
    let largest = catalogue
        .files
        .iter()
        .max_by_key(|(_, text)| text.len())
        .expect("the catalogue has files");
    let memory_rows = [
        (
            format!("largest catalogue file ({})", largest.0),
            vec![largest.1.as_str()],
        ),
        (
            "whole synthetic catalogue".to_owned(),
            catalogue.files.iter().map(|(_, t)| t.as_str()).collect(),
        ),
    ];
    for (name, texts) in &memory_rows {
        let bytes: usize = texts.iter().map(|t| t.len()).sum();
        let ours = peak_heap(texts, gapmine_syntax::parse);
        let theirs = peak_heap(texts, kdl::KdlDocument::parse);
        println!(
            "{:<44} {:>9}  {:>20}  {:>20}",
            name,
            size(bytes),
            format!("{} ({:.1}×)", size(ours), ours as f64 / bytes as f64),
            format!("{} ({:.1}×)", size(theirs), theirs as f64 / bytes as f64),
        );
    }
    println!();
    Ok(())
}

/// The synthetic catalogue. It is generated in memory on every run (a few milliseconds) and
/// written to `target/bench-data/parse/` wherever a file there is missing or differs, so the
/// files on disk are always the ones measured, for anyone who wants to read or reuse them.
fn load_catalogue() -> anyhow::Result<Corpus> {
    let dir = workspace_root().join("target/bench-data/parse");
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = synth::catalogue();
    for (name, text) in &files {
        let path = dir.join(name);
        if fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
            fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(Corpus {
        name: "synthetic catalogue".to_owned(),
        files,
    })
}

/// Says so if either parser does not accept the whole synthetic catalogue: its figures would
/// then compare different work.
fn check_catalogue(catalogue: &Corpus) {
    let ours = catalogue
        .files
        .iter()
        .filter(|(_, text)| !gapmine_syntax::parse(text).errors().is_empty())
        .count();
    let theirs = catalogue
        .files
        .iter()
        .filter(|(_, text)| kdl::KdlDocument::parse(text).is_err())
        .count();
    if ours > 0 || theirs > 0 {
        eprintln!(
            "warning: of the synthetic catalogue's {} files, gapmine-syntax reports errors in \
             {ours} and kdl rejects {theirs}",
            catalogue.files.len()
        );
    }
}

/// The conformance inputs that must parse and that `kdl` accepts, or `None` (with a note) when
/// the folder is missing.
fn load_conformance(dir: &Path) -> anyhow::Result<Option<Corpus>> {
    if !dir.is_dir() {
        eprintln!(
            "note: {} not found; benchmarking the synthetic catalogue only \
             (pass `--conformance DIR` to point at the suite's input folder)",
            dir.display()
        );
        return Ok(None);
    }
    let files: Vec<_> = read_files(dir)?
        .into_iter()
        .filter(|(name, _)| {
            !Path::new(name)
                .file_stem()
                .is_some_and(|s| s.to_string_lossy().ends_with("_fail"))
        })
        .filter_map(|(name, bytes)| Some((name, String::from_utf8(bytes).ok()?)))
        .filter(|(_, text)| kdl::KdlDocument::parse(text).is_ok())
        .collect();
    anyhow::ensure!(
        !files.is_empty(),
        "no input that kdl accepts in {}",
        dir.display()
    );
    Ok(Some(Corpus {
        name: "KDL conformance inputs".to_owned(),
        files,
    }))
}

/// Every file directly in `dir`, sorted by name.
fn read_files(dir: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_file() {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let bytes =
                fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            files.push((name, bytes));
        }
    }
    files.sort();
    Ok(files)
}

/// The median seconds of a run of gapmine-syntax and of kdl over `corpus`, `reps` passes a run.
fn time_corpus(corpus: &Corpus, runs: usize, reps: usize) -> (f64, f64) {
    let texts: Vec<&str> = corpus.files.iter().map(|(_, t)| t.as_str()).collect();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let ours_first = run % 2 == 0;
        if ours_first {
            ours.push(time_once(&texts, reps, gapmine_syntax::parse));
        }
        theirs.push(time_once(&texts, reps, kdl::KdlDocument::parse));
        if !ours_first {
            ours.push(time_once(&texts, reps, gapmine_syntax::parse));
        }
    }
    (median(ours), median(theirs))
}

/// Seconds to parse every text `reps` times, holding the results until the clock stops.
fn time_once<T>(texts: &[&str], reps: usize, parse: impl Fn(&str) -> T) -> f64 {
    let mut held = Vec::with_capacity(texts.len() * reps);
    let start = Instant::now();
    for _ in 0..reps {
        for text in texts {
            held.push(parse(black_box(text)));
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    drop(black_box(held));
    seconds
}

/// The peak heap, in bytes above what was allocated before, while parsing every text and
/// holding all the results.
fn peak_heap<T>(texts: &[&str], parse: impl Fn(&str) -> T) -> usize {
    let mut held = Vec::with_capacity(texts.len());
    let base = alloc::current();
    alloc::reset_peak();
    for text in texts {
        held.push(parse(text));
    }
    let peak = alloc::peak().saturating_sub(base);
    drop(black_box(held));
    peak
}

pub(crate) fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    let mid = samples.len() / 2;
    if samples.len() % 2 == 1 {
        samples[mid]
    } else {
        (samples[mid - 1] + samples[mid]) / 2.0
    }
}

/// A byte count for people: `812 B`, `14.2 KB`, `6.02 MB` (powers of ten).
pub(crate) fn size(bytes: usize) -> String {
    let b = bytes as f64;
    if b < 1e3 {
        format!("{bytes} B")
    } else if b < 1e6 {
        format!("{:.1} KB", b / 1e3)
    } else {
        format!("{:.2} MB", b / 1e6)
    }
}

/// The positive number given to a benchmark's option `arg` (`--runs 5`), from `rest`.
pub(crate) fn positive<'a>(
    arg: &str,
    rest: &mut impl Iterator<Item = &'a String>,
) -> anyhow::Result<usize> {
    let n = rest
        .next()
        .with_context(|| format!("`{arg}` needs a number"))?;
    n.parse()
        .ok()
        .filter(|&n| n > 0)
        .with_context(|| format!("`{arg} {n}`: expected a positive number"))
}
