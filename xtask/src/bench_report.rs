//! `cargo xtask bench report`: ranking, forecasting and rendering the report over a million
//! classified records, beside matching the same records, and the report's peak heap at a million
//! records and at a quarter of them.
//!
//! The catalogue is `bench match`'s 1,000 failure modes (`bench_match::Catalogue`), each given the
//! control that should catch it, with 8 controls, 200 interventions carrying evidence and 10
//! objectives. The corpus (`target/bench-data/report/records.jsonl`, written once) holds
//! `--records` records (default 1,000,000) over three years, each with a phrase of one failure
//! mode in its title, so every record is classified; a service, a team and the control that
//! detected it (one record in 50 has no date).
//!
//! Each run times, one after the other, on one pass over the file each:
//!
//! - `match`: read, parse and classify every record (`classify_batch` on all cores), as
//!   `gapmine match` does before it writes its output;
//! - `report`: the same, and every record added to `gapmine-rank`'s aggregator and the
//!   pipeline's tally, then the ranking with its forecasts (`finish`), then the report rendered
//!   in all four formats; each phase is timed too.
//!
//! Both read files as the commands do: the first pass of the duplicate-id check over the ids
//! (`IdScan`, timed apart too), then the records `Reader` with the repeated ids it found.
//!
//! Then the peak heap of each pass at all records and at the first quarter, read as the commands
//! read files, and without a duplicate check (each line parsed the same way), and for the report
//! pass also with every id in memory (`SeenIds`, the commands' way with standard input), after a
//! first pass has filled the matcher's caches.
//!
//! The target: `report` under 2× `match`, and a peak heap that does not grow with the records
//! beyond the per-class aggregates (the report's peak at the whole corpus over its peak at the
//! first quarter ≈ 1×, duplicate check included).

use std::fs::{self, File};
use std::io::{BufReader, Write as _};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use gapmine_match::Matcher;
use gapmine_model::{
    Common, Control, Effort, Entry, Evidence, Id, Intervention, InterventionKind, Objective,
    Outcome, Severity,
};
use gapmine_rank::{Aggregator, Catalogue as Ranker, Settings};
use gapmine_records::{EscapeRecord, IdCheck, Item, Reader, SeenIds};
use gapmine_report::{DetectionTally, Meta, Pipeline, Report};

use crate::bench::{median, size};
use crate::bench_match::{self, SERVICES, TEAMS};
use crate::synth::Rng;
use crate::{alloc, workspace_root};

/// Records per `classify_batch` call.
const BATCH: usize = 8_192;
/// Bumped whenever the corpus generator changes, so an old corpus is regenerated.
const CORPUS_VERSION: u32 = 1;
/// The stations of the pipeline, in stage order.
const CONTROLS: &[&str] = &[
    "design-review",
    "code-review",
    "unit-tests",
    "integration-tests",
    "ci",
    "canary",
    "monitoring",
    "customer",
];

/// What `bench report` was asked to do.
#[derive(Debug)]
struct Options {
    runs: usize,
    records: usize,
    /// Only the peak-heap measurements.
    peak_only: bool,
}

/// `cargo xtask bench report ARGS…`.
pub(crate) fn main(args: &[String], rest: &[String]) -> anyhow::Result<std::process::ExitCode> {
    let mut options = Options {
        runs: 5,
        records: 1_000_000,
        peak_only: false,
    };
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        let slot = match arg.as_str() {
            "--peak-only" => {
                options.peak_only = true;
                continue;
            }
            "--runs" => &mut options.runs,
            "--records" => &mut options.records,
            other => bail!(
                "unexpected argument `{other}`: usage: cargo xtask bench report [--runs N] [--records N] [--peak-only]"
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

/// The catalogue as the ranker reads it: the matcher's failure modes, given controls, with
/// interventions and objectives.
fn model(catalogue: &bench_match::Catalogue) -> Vec<Entry> {
    let mut rng = Rng(0x00DD_BA11_5EED_0001);
    let common = |id: String, title: String| Common {
        id: Id(id),
        title,
        summary: None,
        tags: Vec::new(),
        see: Vec::new(),
        since: None,
        deprecated: None,
        replaced_by: None,
    };
    let mut entries: Vec<Entry> = Vec::new();
    for (i, fm) in catalogue.full.iter().enumerate() {
        let mut fm = fm.clone();
        fm.caught_by = Some(Id(CONTROLS[i % (CONTROLS.len() - 1)].to_string()));
        entries.push(Entry::FailureMode(fm));
    }
    for (stage, id) in CONTROLS.iter().enumerate() {
        entries.push(Entry::Control(Control {
            common: common(id.to_string(), format!("Station {id}")),
            stage: stage as i64 + 1,
        }));
    }
    let kinds = [
        InterventionKind::Test,
        InterventionKind::Control,
        InterventionKind::Code,
        InterventionKind::Process,
    ];
    let efforts = [Effort::Low, Effort::Medium, Effort::High];
    for i in 0..200 {
        let resolves: Vec<Id> = (0..5)
            .map(|_| {
                catalogue.full[rng.below(catalogue.full.len())]
                    .common
                    .id
                    .clone()
            })
            .collect();
        let evidence = (0..3)
            .map(|k| Evidence {
                record: format!("ESC-{:07}", 1 + rng.below(1_000_000)),
                outcome: [Outcome::Held, Outcome::Failed, Outcome::Pending][k % 3],
                at: Some(format!(
                    "2026-{:02}-{:02}",
                    1 + rng.below(12),
                    1 + rng.below(28)
                )),
                note: None,
            })
            .collect();
        entries.push(Entry::Intervention(Intervention {
            common: common(format!("iv-{i:03}"), format!("Intervention {i}")),
            kind: Some(kinds[i % kinds.len()]),
            resolves,
            hardens: vec![Id(CONTROLS[i % CONTROLS.len()].to_string())],
            effort: Some(efforts[i % efforts.len()]),
            verify: Some(format!("Sensor {i} fires before a customer notices.")),
            evidence,
        }));
    }
    for i in 0..10 {
        let threatened_by = (0..30)
            .map(|_| {
                catalogue.full[rng.below(catalogue.full.len())]
                    .common
                    .id
                    .clone()
            })
            .collect();
        entries.push(Entry::Objective(Objective {
            common: common(format!("objective-{i}"), format!("Objective {i}")),
            kpi: None,
            severity: Some([Severity::Critical, Severity::High, Severity::Medium][i % 3]),
            threatened_by,
            services: Vec::new(),
        }));
    }
    entries
}

/// Writes the corpus once: `records` classified records, one a line.
fn ensure_corpus(
    path: &Path,
    catalogue: &bench_match::Catalogue,
    records: usize,
) -> anyhow::Result<u64> {
    let stamp_path = path.with_extension("jsonl.stamp");
    let want = format!("version={CORPUS_VERSION} records={records}");
    if let (Ok(stamp), Ok(meta)) = (fs::read_to_string(&stamp_path), fs::metadata(path))
        && let Some((head, bytes)) = stamp.trim().rsplit_once(" bytes=")
        && head == want
        && bytes.parse::<u64>().ok() == Some(meta.len())
    {
        return Ok(meta.len());
    }
    eprintln!(
        "note: writing {records} records to {} (once)",
        path.display()
    );
    let _ = fs::remove_file(&stamp_path);
    let mut out = std::io::BufWriter::with_capacity(
        1 << 20,
        File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    let mut rng = Rng(0xFEED_FACE_0BAD_CAFE);
    let mut line = String::with_capacity(1024);
    let mut written = 0u64;
    for n in 1..=records {
        line.clear();
        let mut title = String::new();
        let count = 3 + rng.below(6);
        bench_match::words(&mut rng, count, &mut title);
        // Skewed towards the first failure modes, as real histories are.
        let skew = rng.below(catalogue.phrases.len());
        let phrase = &catalogue.phrases[rng.below(skew + 1)];
        title.push(' ');
        title.push_str(phrase);
        let mut body = String::new();
        let count = 6 + rng.below(15);
        bench_match::words(&mut rng, count, &mut body);
        body.push('.');
        let date = if rng.permille(20) {
            String::new()
        } else {
            format!(
                ",\"occurred_at\":\"{}-{:02}-{:02}\"",
                2024 + rng.below(3),
                1 + rng.below(12),
                1 + rng.below(28)
            )
        };
        use std::fmt::Write as _;
        let _ = writeln!(
            line,
            "{{\"id\":\"ESC-{n:07}\",\"title\":\"{title}\",\"body\":\"{body}\"{date},\
             \"service\":\"{}\",\"team\":\"{}\",\"detected_by\":\"{}\",\
             \"url\":\"https://example.org/ESC-{n:07}\"}}",
            rng.pick(SERVICES),
            rng.pick(TEAMS),
            rng.pick(CONTROLS),
        );
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    out.flush()?;
    drop(out);
    fs::write(&stamp_path, format!("{want} bytes={written}\n"))?;
    Ok(written)
}

/// How a pass reads the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ids {
    /// As the commands read files: the first pass of the duplicate check over the ids
    /// (`IdScan`, its runs in temporary files), then the records `Reader` with the repeated ids
    /// it found.
    Scanned,
    /// Through the records `Reader` with every id in memory (`SeenIds`): the commands' way with
    /// standard input, and the only way before the first pass.
    Checked,
    /// Each line parsed as the reader parses it (`EscapeRecord::from_object`), with no duplicate
    /// check: what the pass holds beyond it.
    Unchecked,
}

/// Streams at most `limit` records of the file through `each` batch of records. Returns the
/// records read and the bytes of the duplicate check's state at the end (0 unchecked).
fn stream(
    path: &Path,
    limit: usize,
    ids: Ids,
    mut each: impl FnMut(&[EscapeRecord]),
) -> anyhow::Result<(usize, usize)> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let input = BufReader::with_capacity(1 << 20, file);
    let mut batch = Vec::with_capacity(BATCH);
    let mut n = 0;
    let mut push = |record: EscapeRecord, batch: &mut Vec<EscapeRecord>| {
        batch.push(record);
        if batch.len() == BATCH {
            each(batch);
            batch.clear();
        }
    };
    let id_bytes = match ids {
        Ids::Scanned => {
            let repeats = bench_match::scan_ids(path, prefix_bytes(path, limit)?)?;
            read_through(input, repeats, limit, &mut n, |r| push(r, &mut batch))?.heap_bytes()
        }
        Ids::Checked => read_through(input, SeenIds::default(), limit, &mut n, |r| {
            push(r, &mut batch)
        })?
        .heap_bytes(),
        Ids::Unchecked => {
            use std::io::BufRead as _;
            let mut lines = input.lines();
            while n < limit
                && let Some(line) = lines.next()
            {
                let object = serde_json::from_str(&line?)?;
                let record = EscapeRecord::from_object(object)
                    .map_err(|e| anyhow::anyhow!("the corpus has a bad line: {e}"))?;
                push(record, &mut batch);
                n += 1;
            }
            0
        }
    };
    each(&batch);
    Ok((n, id_bytes))
}

/// Reads at most `limit` records through the records `Reader` with the duplicate check `ids`,
/// counting them in `n`; the check's state at the end.
fn read_through<C: IdCheck>(
    input: BufReader<File>,
    ids: C,
    limit: usize,
    n: &mut usize,
    mut push: impl FnMut(EscapeRecord),
) -> anyhow::Result<C> {
    let mut reader = Reader::continuing(input, "records.jsonl", ids);
    while *n < limit
        && let Some(item) = reader.next_item()?
    {
        match item {
            Item::Record { record, .. } => push(record),
            Item::Rejected { reason, .. } => bail!("the corpus has a bad line: {reason}"),
        }
        *n += 1;
    }
    Ok(reader.into_seen())
}

/// The bytes of the first `records` lines of `path` (all of it for `usize::MAX`).
fn prefix_bytes(path: &Path, records: usize) -> anyhow::Result<u64> {
    use std::io::BufRead as _;
    if records == usize::MAX {
        return Ok(u64::MAX);
    }
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut input = BufReader::with_capacity(1 << 16, file);
    let (mut bytes, mut line) = (0, Vec::new());
    for _ in 0..records {
        line.clear();
        let n = input.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
    }
    Ok(bytes)
}

/// `gapmine match`'s work: every record read, parsed and classified. Returns the matches.
fn match_pass(
    matcher: &Matcher,
    path: &Path,
    limit: usize,
    ids: Ids,
) -> anyhow::Result<(usize, u64)> {
    let mut matches = 0u64;
    let (n, _) = stream(path, limit, ids, |batch| {
        for c in matcher.classify_batch(batch) {
            matches += c.matches.len() as u64;
        }
    })?;
    Ok((n, matches))
}

/// The seconds of each phase of a report, and what it made.
struct ReportRun {
    records: usize,
    aggregate: f64,
    finish: f64,
    render: f64,
    bytes: [usize; 4],
    gaps: usize,
    /// The bytes of the duplicate check's state at the end.
    id_bytes: usize,
}

/// `gapmine report`'s work: the match pass with every record aggregated, then ranking and
/// forecasting, then rendering in every format.
fn report_pass(
    matcher: &Matcher,
    ranker: &Ranker,
    controls: &[gapmine_report::Control],
    path: &Path,
    limit: usize,
    ids: Ids,
) -> anyhow::Result<ReportRun> {
    let start = Instant::now();
    let mut aggregator = Aggregator::new(ranker);
    let mut tally = DetectionTally::default();
    let (records, id_bytes) = stream(path, limit, ids, |batch| {
        let classifications = matcher.classify_batch(batch);
        for (record, c) in batch.iter().zip(&classifications) {
            let ids: Vec<&str> = c.matches.iter().map(|d| d.failure_mode.as_str()).collect();
            aggregator.add(record, &ids);
            tally.add(record.detected_by.as_deref());
        }
    })?;
    let aggregate = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let as_of = jiff::civil::date(2027, 1, 1);
    let ranking = aggregator.finish(&Settings::default(), as_of);
    let pipeline = Pipeline::build(controls, &tally, &ranking);
    let finish = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let meta = Meta {
        catalogue: "bench".into(),
        version: "1.0.0".into(),
        sources: vec!["records.jsonl".into()],
        ..Meta::default()
    };
    let report = Report {
        meta: &meta,
        ranking: &ranking,
        pipeline: &pipeline,
    };
    // One at a time, as the command renders one.
    let terminal = std::hint::black_box(gapmine_report::terminal::render(&report, false)).len();
    let markdown = std::hint::black_box(gapmine_report::markdown::render(&report)).len();
    let html = std::hint::black_box(gapmine_report::html::render(&report)).len();
    let json = std::hint::black_box(gapmine_report::json::render(&report)).len();
    let bytes = [terminal, markdown, html, json];
    let render = start.elapsed().as_secs_f64();
    Ok(ReportRun {
        records,
        aggregate,
        finish,
        render,
        bytes,
        gaps: ranking.gaps.len(),
        id_bytes,
    })
}

fn run(options: &Options) -> anyhow::Result<()> {
    let dir = workspace_root().join("target/bench-data/report");
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let catalogue = bench_match::Catalogue::generate();
    let entries = model(&catalogue);
    let corpus = dir.join("records.jsonl");
    let corpus_bytes = ensure_corpus(&corpus, &catalogue, options.records)?;
    let matcher = Matcher::compile(&catalogue.full, 0.5).context("compiling the catalogue")?;
    let ranker = Ranker::new(&entries);
    let controls: Vec<gapmine_report::Control> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Control(c) => Some(gapmine_report::Control {
                id: c.common.id.to_string(),
                title: c.common.title.clone(),
                stage: c.stage,
            }),
            _ => None,
        })
        .collect();

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!();
    println!(
        "gapmine report against gapmine match on the same records; release build; median of {} runs; {threads} cores",
        options.runs
    );
    println!(
        "catalogue: {} failure modes, {} controls, 200 interventions, 10 objectives; corpus: {} records, {}",
        catalogue.full.len(),
        CONTROLS.len(),
        options.records,
        size(corpus_bytes as usize)
    );
    println!();

    let mut matches = Vec::new();
    let mut reports = Vec::new();
    let mut scans = Vec::new();
    let mut last = None;
    let runs = if options.peak_only { 0 } else { options.runs };
    for run in 0..runs {
        eprintln!("note: run {} of {}", run + 1, options.runs);
        let start = Instant::now();
        let repeats = bench_match::scan_ids(&corpus, u64::MAX)?;
        scans.push((start.elapsed().as_secs_f64(), repeats.summary()));
        let start = Instant::now();
        let (n, m) = match_pass(&matcher, &corpus, usize::MAX, Ids::Scanned)?;
        matches.push(start.elapsed().as_secs_f64());
        let start = Instant::now();
        let r = report_pass(
            &matcher,
            &ranker,
            &controls,
            &corpus,
            usize::MAX,
            Ids::Scanned,
        )?;
        reports.push(start.elapsed().as_secs_f64());
        assert_eq!(n, r.records, "both passes read every record");
        last = Some((m, r));
    }
    let timed = last.map(|(matched, sample)| (matched, sample, median(matches), median(reports)));
    if let Some((matched, sample, m, r)) = &timed {
        print_times(*matched, sample, *m, *r);
        let scan = median(scans.iter().map(|(s, _)| *s).collect());
        println!(
            "{:<64} {scan:>7.3} s {:>12.0}",
            "  of which the first pass of the duplicate check (ids only)",
            sample.records as f64 / scan
        );
        if let Some((_, summary)) = scans.last() {
            println!("  first pass: {summary}");
        }
    }

    // Peak heap, above what was held before, at all records and at a quarter, of the match pass
    // and of the report pass (the same, and the per-class aggregates and the rendered report),
    // each with the reader's set of ids (it rejects duplicates, so it holds every id) and
    // without. The matcher's caches grow as more of its patterns are used: a first match pass
    // over every record fills them, so that no measured pass counts them.
    if runs == 0 {
        eprintln!("note: a first match pass, to fill the matcher's caches");
        match_pass(&matcher, &corpus, usize::MAX, Ids::Unchecked)?;
    }
    let quarter = (options.records / 4).max(1);
    let peak = |f: &dyn Fn() -> anyhow::Result<usize>| -> anyhow::Result<(usize, usize)> {
        let base = alloc::current();
        alloc::reset_peak();
        let id_bytes = f()?;
        Ok((alloc::peak().saturating_sub(base), id_bytes))
    };
    let match_peak = |limit: usize, ids: Ids| {
        peak(&|| match_pass(&matcher, &corpus, limit, ids).map(|_| 0)).map(|(p, _)| p)
    };
    let report_peak = |limit: usize, ids: Ids| {
        peak(&|| report_pass(&matcher, &ranker, &controls, &corpus, limit, ids).map(|r| r.id_bytes))
    };
    let mut rows = Vec::new();
    let mut bare = [(0, 0); 2];
    for (label, ids) in [
        (" (first pass, then the repeated ids)", Ids::Scanned),
        (" without a duplicate check", Ids::Unchecked),
    ] {
        eprintln!("note: peak heap of the match pass{label}");
        let all = match_peak(usize::MAX, ids)?;
        let q = match_peak(quarter, ids)?;
        if ids == Ids::Unchecked {
            bare[0] = (all, q);
        }
        rows.push((format!("match pass{label}"), all, q));
    }
    let mut id_rows = Vec::new();
    for (label, ids) in [
        (" (first pass, then the repeated ids)", Ids::Scanned),
        (" with every id in memory (SeenIds)", Ids::Checked),
        (" without a duplicate check", Ids::Unchecked),
    ] {
        eprintln!("note: peak heap of the report pass{label}");
        let (all, all_ids) = report_peak(usize::MAX, ids)?;
        let (q, q_ids) = report_peak(quarter, ids)?;
        match ids {
            Ids::Scanned => id_rows.push(("the repeated ids at the end (Repeats)", all_ids, q_ids)),
            Ids::Checked => id_rows.push(("every id at the end (SeenIds)", all_ids, q_ids)),
            Ids::Unchecked => bare[1] = (all, q),
        }
        rows.push((format!("report pass{label}"), all, q));
    }
    rows.push((
        "report pass beyond the match pass, both without a check".into(),
        bare[1].0.saturating_sub(bare[0].0),
        bare[1].1.saturating_sub(bare[0].1),
    ));
    println!();
    println!(
        "{:<60} {:>14} {:>14} {:>8}",
        "peak heap",
        format!("{} records", options.records),
        format!("{quarter} records"),
        "ratio"
    );
    let row = |label: &str, all: usize, q: usize| {
        println!(
            "{label:<60} {:>14} {:>14} {:>7.2}×",
            size(all),
            size(q),
            all as f64 / q.max(1) as f64
        );
    };
    for (label, all, q) in &rows {
        row(label, *all, *q);
    }
    for (label, all, q) in id_rows {
        row(label, all, q);
        println!(
            "{:<60} {:>14.1} {:>14.1}",
            "  bytes a record",
            all as f64 / options.records as f64,
            q as f64 / quarter as f64
        );
    }
    println!();
    if let Some((_, _, m, r)) = timed {
        println!(
            "{:<52} {:>9.2}× {:>8}",
            "report time / match time",
            r / m,
            "< 2×"
        );
    }
    println!();
    Ok(())
}

fn print_times(matched: u64, sample: &ReportRun, m: f64, r: f64) {
    println!("{:<64} {:>9} {:>12}", "measure", "median", "records/s");
    let row = |label: &str, s: f64| {
        println!("{label:<64} {s:>7.3} s {:>12.0}", sample.records as f64 / s);
    };
    row("match: read + parse + classify (all cores)", m);
    row(
        "report: the same + aggregate + rank + forecast + render ×4",
        r,
    );
    println!(
        "  of the last report run: read + classify + aggregate {:.3} s, rank + forecast {:.3} s, render {:.3} s",
        sample.aggregate, sample.finish, sample.render
    );
    println!(
        "  {} gaps ranked, {} failure-mode matches; rendered: terminal {}, Markdown {}, HTML {}, JSON {}",
        sample.gaps,
        matched,
        size(sample.bytes[0]),
        size(sample.bytes[1]),
        size(sample.bytes[2]),
        size(sample.bytes[3])
    );
}

/// Lines of a file, for a test of the generator.
#[cfg(test)]
fn lines(path: &Path) -> usize {
    use std::io::BufRead as _;
    BufReader::new(File::open(path).unwrap()).lines().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generator's records are valid, every one is classified, and the report pass counts
    /// them all.
    #[test]
    fn a_small_corpus_is_classified_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.jsonl");
        let catalogue = bench_match::Catalogue::generate();
        ensure_corpus(&path, &catalogue, 300).unwrap();
        assert_eq!(lines(&path), 300);
        let matcher = Matcher::compile(&catalogue.full, 0.5).unwrap();
        let entries = model(&catalogue);
        let ranker = Ranker::new(&entries);
        let mut unclassified = 0;
        stream(&path, usize::MAX, Ids::Checked, |batch| {
            unclassified += matcher
                .classify_batch(batch)
                .iter()
                .filter(|c| c.is_unclassified())
                .count();
        })
        .unwrap();
        assert_eq!(unclassified, 0);
        let run = report_pass(&matcher, &ranker, &[], &path, usize::MAX, Ids::Checked).unwrap();
        assert_eq!(run.records, 300);
        assert!(run.gaps > 0);
        assert!(run.id_bytes > 0);
        // Without the reader's set of ids, the same report.
        let unchecked =
            report_pass(&matcher, &ranker, &[], &path, usize::MAX, Ids::Unchecked).unwrap();
        assert_eq!(unchecked.records, 300);
        assert_eq!((unchecked.gaps, unchecked.bytes), (run.gaps, run.bytes));
        assert_eq!(unchecked.id_bytes, 0);
        // As the commands read files (a first pass over the ids): the same report, and a quarter
        // of the records reads a quarter.
        let scanned = report_pass(&matcher, &ranker, &[], &path, usize::MAX, Ids::Scanned).unwrap();
        assert_eq!((scanned.gaps, scanned.bytes), (run.gaps, run.bytes));
        let quarter = report_pass(&matcher, &ranker, &[], &path, 75, Ids::Scanned).unwrap();
        assert_eq!(quarter.records, 75);
    }
}
