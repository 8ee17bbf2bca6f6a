//! `cargo xtask bench ide`: the editor features of `gapmine-ide` on the synthetic 10,000-entry
//! catalogue, each request timed right after an edit, as a language server sees them.
//!
//! The catalogue is `synth::linked_catalogue` (the checker benchmark's). One long-lived host
//! holds it, checked once, its files set durable as the language server sets the files it
//! reads from disk; the edits are LOW, as the server sets the documents the editor changes. Each sample sets one file's text (a keystroke: a different word in
//! one summary, or one more letter of an id being typed), takes a new snapshot, and times one
//! request on it, so the time includes re-validating what the edit may have changed. The
//! figures are the median and the 99th percentile of the samples.

use std::time::Instant;

use anyhow::{Context, bail};
use gapmine_ide::{AnalysisHost, Change, FilePosition, MANIFEST};

use crate::synth;

/// Timed samples of each request.
const SAMPLES: usize = 201;

/// One row of the table.
struct Row {
    what: String,
    median: f64,
    p99: f64,
    target: &'static str,
}

pub(crate) fn run() -> anyhow::Result<()> {
    let mut files = vec![(MANIFEST.to_owned(), synth::MANIFEST.to_owned())];
    files.extend(synth::linked_catalogue());
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let mut host = AnalysisHost::default();
    host.apply_change(Change {
        set: files.clone(),
        durable: true,
        ..Change::default()
    });
    let diagnostics = host
        .analysis()
        .diagnostics()
        .map_err(|_| anyhow::anyhow!("cancelled"))?;
    let mut codes: Vec<(&str, usize)> = Vec::new();
    for d in &diagnostics {
        match codes.iter_mut().find(|(code, _)| *code == d.code.name()) {
            Some((_, n)) => *n += 1,
            None => codes.push((d.code.name(), 1)),
        }
    }
    let clean: Vec<String> = codes.iter().map(|(c, n)| format!("{n} {c}")).collect();
    let clean = if clean.is_empty() {
        "no diagnostics".to_owned()
    } else {
        format!("diagnostics: {}", clean.join(", "))
    };

    let (path, text) = files[files.len() / 2].clone();
    // An intervention's `resolves` line: hover and go to definition on its first id, find its
    // references, and complete a new id typed after it.
    let resolves = "    resolves \"";
    let at = text
        .find(resolves)
        .with_context(|| format!("no `resolves` in {path}"))?;
    let reference = (at + resolves.len() + 2) as u32;
    let line_end = at + text[at..].find('\n').context("a line ends")?;
    let summary_at = one_line_summary(&path, &text)?;
    // Another file, whose summary a keystroke edits before each request on `path`.
    let (other_path, other_text) = files[files.len() / 3].clone();
    let other_at = one_line_summary(&other_path, &other_text)?;
    let mut typed_in_other = |host: &mut AnalysisHost, i: usize| {
        let mut edited = other_text.clone();
        edited.insert_str(other_at, &format!("Edit {i} "));
        host.apply_change(Change::set(other_path.clone(), edited));
    };
    let position = FilePosition {
        path: path.clone(),
        offset: reference,
    };

    println!();
    println!(
        "gapmine-ide on the synthetic catalogue: {} entries in {} files, {}; {clean}",
        synth::ENTRIES,
        synth::FILES,
        crate::bench::size(bytes)
    );
    println!(
        "release build; {SAMPLES} samples a request, each on a new snapshot right after an edit; \
         files loaded durable, edits LOW, as `gapmine lsp` sets them; load average {}",
        crate::bench_lsp::load_average()
    );
    println!();

    println!("{:<72} {:>10} {:>10} {:>10}", "", "median", "p99", "target");
    let time = |what: &str,
                target: &'static str,
                host: &mut AnalysisHost,
                edit: &mut dyn FnMut(&mut AnalysisHost, usize),
                request: &dyn Fn(&gapmine_ide::Analysis) -> usize|
     -> anyhow::Result<()> {
        let mut samples = Vec::with_capacity(SAMPLES);
        let mut answer = 0;
        // One untimed round first, so the row does not time a cold cache.
        edit(host, SAMPLES);
        request(&host.analysis());
        for i in 0..SAMPLES {
            edit(host, i);
            let start = Instant::now();
            let analysis = host.analysis();
            let n = request(&analysis);
            samples.push(start.elapsed().as_secs_f64());
            answer = answer.max(n);
        }
        if answer == 0 {
            bail!("`{what}` answered nothing: the benchmark does not measure what it says");
        }
        samples.sort_by(f64::total_cmp);
        let row = Row {
            what: format!("{what} (up to {answer} items)"),
            median: samples[samples.len() / 2],
            p99: samples[(samples.len() * 99).div_ceil(100) - 1],
            target,
        };
        println!(
            "{:<72} {:>10} {:>10} {:>10}",
            row.what,
            ms(row.median),
            ms(row.p99),
            row.target
        );
        Ok(())
    };

    time(
        "hover on a reference",
        "≤ 10 ms",
        &mut host,
        &mut typed_in_other,
        &|a| a.hover(&position).unwrap().map_or(0, |h| h.markdown.len()),
    )?;
    time(
        "go to definition",
        "",
        &mut host,
        &mut typed_in_other,
        &|a| a.goto_definition(&position).unwrap().len(),
    )?;
    time(
        "find references",
        "",
        &mut host,
        &mut typed_in_other,
        &|a| a.references(&position, true).unwrap().len(),
    )?;
    // Typing an id: the file gets ` "o`, ` "or`, … (the first letters of the id the line
    // resolves first) after the `resolves` ids, one letter more each keystroke, and completion
    // is asked at the end of what was typed.
    let first_id = &text[at + resolves.len()..];
    let typed = &first_id[..first_id.find('-').unwrap_or(4).clamp(1, 7)];
    let typing = |host: &mut AnalysisHost, i: usize| {
        let letters = &typed[..1 + i % typed.len()];
        let mut edited = text.clone();
        edited.insert_str(line_end, &format!(" \"{letters}"));
        host.apply_change(Change::set(path.clone(), edited));
    };
    let completion_at = |i: usize| FilePosition {
        path: path.clone(),
        offset: (line_end + 2 + 1 + i % typed.len()) as u32,
    };
    {
        let counter = std::cell::Cell::new(0usize);
        let mut typing_counted = |host: &mut AnalysisHost, i: usize| {
            counter.set(i);
            typing(host, i);
        };
        time(
            "completion of a failure-mode id while typing it",
            "≤ 10 ms",
            &mut host,
            &mut typing_counted,
            &|a| {
                a.completions(&completion_at(counter.get()))
                    .unwrap()
                    .items
                    .len()
            },
        )?;
    }
    let mut summary_typed = |host: &mut AnalysisHost, i: usize| {
        let mut edited = text.clone();
        edited.insert_str(summary_at, &format!("Edit {i} "));
        host.apply_change(Change::set(path.clone(), edited));
    };
    time(
        "diagnostics of the edited file",
        "≤ 20 ms",
        &mut host,
        &mut summary_typed,
        &|a| 1 + a.file_diagnostics(&position.path).unwrap().len(),
    )?;
    // Breaking and mending a reference of the file (what `bench lsp` times until the file's
    // diagnostics are published): the edit changes what the file refers to.
    let caught_by = "caught-by \"";
    let typo_at = text.find(caught_by).context("a caught-by reference")? + caught_by.len();
    let typo_end = typo_at + text[typo_at..].find('"').context("a closed string")?;
    let mut reference_typed = |host: &mut AnalysisHost, i: usize| {
        let mut edited = text.clone();
        if i.is_multiple_of(2) {
            edited.insert_str(typo_end, "-typo");
        }
        host.apply_change(Change::set(path.clone(), edited));
    };
    time(
        "diagnostics of the edited file, a reference broken or mended",
        "≤ 20 ms",
        &mut host,
        &mut reference_typed,
        &|a| 1 + a.file_diagnostics(&position.path).unwrap().len(),
    )?;
    time(
        "diagnostics of the whole catalogue",
        "",
        &mut host,
        &mut summary_typed,
        &|a| 1 + a.diagnostics().unwrap().len(),
    )?;
    time(
        "semantic tokens of the edited file",
        "",
        &mut host,
        &mut summary_typed,
        &|a| a.semantic_tokens(&position.path).unwrap().len(),
    )?;
    time(
        "inlay hints of the edited file",
        "",
        &mut host,
        &mut summary_typed,
        &|a| a.inlay_hints(&position.path, None).unwrap().len(),
    )?;
    time(
        "code lenses of the edited file",
        "",
        &mut host,
        &mut summary_typed,
        &|a| a.code_lenses(&position.path).unwrap().len(),
    )?;
    time(
        "workspace symbols `timeout`",
        "",
        &mut host,
        &mut typed_in_other,
        &|a| a.workspace_symbols("timeout").unwrap().len(),
    )?;
    // The summary edits above moved the reference: put the file back as it was.
    host.apply_change(Change::set(path.clone(), text.clone()));
    time(
        "rename an id (edits computed, not applied)",
        "",
        &mut host,
        &mut typed_in_other,
        &|a| {
            a.rename(&position, "renamed-for-the-benchmark")
                .unwrap()
                .map_or(0, |c| c.edits.values().map(Vec::len).sum())
        },
    )?;

    println!();
    Ok(())
}

/// Where the text of the first one-line summary of a file starts (a keystroke goes there).
fn one_line_summary(path: &str, text: &str) -> anyhow::Result<usize> {
    let opening = "\n    summary \"";
    text.match_indices(opening)
        .map(|(at, _)| at + opening.len())
        .find(|&at| !text[at..].starts_with('"'))
        .with_context(|| format!("no one-line summary in {path}"))
}

fn ms(seconds: f64) -> String {
    format!("{:.2} ms", seconds * 1e3)
}
