//! `cargo xtask bench rank`: ranking, forecasting and rendering (as JSON) over a million
//! classified records, beside a pass that only counts records per failure mode, and the
//! aggregator's peak heap on the whole history and on a quarter of it.
//!
//! The records are generated in memory as compact tuples first and turned into one reused
//! `EscapeRecord` each as they are fed, so the heap measured is the aggregates', not the input's.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use anyhow::bail;
use gapmine_model::{
    Common, Control, Effort, Entry, Evidence, FailureMode, Id, Intervention, Objective, Outcome,
    Severity,
};
use gapmine_rank::{Aggregator, Backtest, Catalogue, Settings};
use gapmine_records::{EscapeRecord, OccurredAt};

use crate::alloc;
use crate::bench::{median, size};
use crate::synth::Rng;

/// Failure modes of the synthetic catalogue: 100 roots with 9 children each.
const FAILURE_MODES: usize = 1_000;
const SERVICES: usize = 200;
const TEAMS: usize = 40;
const CONTROLS: [&str; 8] = [
    "design-review",
    "code-review",
    "unit-tests",
    "integration-tests",
    "ci",
    "canary",
    "monitoring",
    "customer",
];
/// The history spans three years up to the as-of date.
const DAYS: u32 = 3 * 365;

#[derive(Debug)]
pub(crate) struct Options {
    pub runs: usize,
    pub records: usize,
}

/// `cargo xtask bench rank ARGS…`.
pub(crate) fn main(args: &[String], rest: &[String]) -> anyhow::Result<std::process::ExitCode> {
    let mut options = Options {
        runs: 5,
        records: 1_000_000,
    };
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        let slot = match arg.as_str() {
            "--runs" => &mut options.runs,
            "--records" => &mut options.records,
            other => bail!(
                "unexpected argument `{other}`: usage: cargo xtask bench rank [--runs N] [--records N]"
            ),
        };
        *slot = crate::bench::positive(arg, &mut rest)?;
    }
    if cfg!(debug_assertions) {
        return crate::rerun_in_release(args);
    }
    run(&options);
    Ok(std::process::ExitCode::SUCCESS)
}

/// One record, compactly: day (days before the as-of date), failure mode, service, team, the
/// control that detected it.
#[derive(Debug, Clone, Copy)]
struct Compact {
    age: u32,
    class: u16,
    service: u16,
    team: u16,
    detected: u8,
}

fn run(options: &Options) {
    let entries = catalogue();
    let catalogue = Catalogue::new(&entries);
    let history = history(options.records);
    let as_of: jiff::civil::Date = "2026-01-01".parse().expect("a date");
    let names = Names::new(&entries);
    let settings = Settings::default();

    println!(
        "{} classified records over {} days, {FAILURE_MODES} failure modes, {SERVICES} services, {TEAMS} teams; release build; median of {} runs",
        history.len(),
        DAYS,
        options.runs
    );

    let mut count_times = Vec::new();
    let mut aggregate_times = Vec::new();
    let mut finish_times = Vec::new();
    let mut render_times = Vec::new();
    let mut backtest_times = Vec::new();
    let mut json_bytes = 0;
    for _ in 0..options.runs {
        let started = Instant::now();
        let mut counts: HashMap<&str, u64> = HashMap::new();
        let mut record = blank();
        for c in &history {
            names.fill(&mut record, c);
            *counts
                .entry(names.classes[c.class as usize].as_str())
                .or_default() += 1;
            black_box(&record);
        }
        black_box(&counts);
        count_times.push(started.elapsed().as_secs_f64());

        let started = Instant::now();
        let aggregator = aggregate(&catalogue, &names, &history, usize::MAX);
        aggregate_times.push(started.elapsed().as_secs_f64());

        let started = Instant::now();
        let ranking = aggregator.finish(&settings, as_of);
        finish_times.push(started.elapsed().as_secs_f64());

        let started = Instant::now();
        let json = serde_json::to_string(&ranking).expect("serialises");
        render_times.push(started.elapsed().as_secs_f64());
        json_bytes = json.len();
        black_box(json);

        let started = Instant::now();
        let cutoffs: Vec<jiff::civil::Date> =
            ["2024-01-01", "2024-07-01", "2025-01-01", "2025-07-01"]
                .iter()
                .map(|d| d.parse().expect("a date"))
                .collect();
        let mut backtest = Backtest::new(&catalogue, &cutoffs, 90);
        let mut record = blank();
        for c in &history {
            names.fill(&mut record, c);
            backtest.add::<&str>(&record, &[]);
        }
        black_box(backtest.finish(&settings, None));
        backtest_times.push(started.elapsed().as_secs_f64());
    }
    let count = median(count_times);
    let aggregate_s = median(aggregate_times);
    let row = |what: &str, s: f64| {
        println!(
            "  {what:<58} {:>9.1} ms  {:>6.2}× the count  {:>7.2} M records/s",
            s * 1e3,
            s / count,
            history.len() as f64 / s / 1e6
        );
    };
    row(
        "reference: build each record, count it per failure mode",
        count,
    );
    row("aggregate (Aggregator::add)", aggregate_s);
    println!(
        "  {:<58} {:>9.1} ms",
        "finish: rank, forecast, recommend (Aggregator::finish)",
        median(finish_times) * 1e3
    );
    println!(
        "  {:<58} {:>9.1} ms  ({})",
        "render the ranking as JSON (serde_json)",
        median(render_times) * 1e3,
        size(json_bytes)
    );
    row(
        "backtest at 4 cutoffs, 90 days (add and finish)",
        median(backtest_times),
    );

    // The heap the aggregation holds at its peak, on the whole history and on its first quarter
    // (the generator spreads every kind of record over the whole list, so a quarter has the same
    // failure modes, services and days, a quarter as often).
    let peak_of = |limit: usize| {
        let base = alloc::current();
        alloc::reset_peak();
        let aggregator = aggregate(&catalogue, &names, &history, limit);
        let ranking = aggregator.finish(&settings, as_of);
        let peak = alloc::peak().saturating_sub(base);
        black_box(ranking);
        peak
    };
    let full = peak_of(usize::MAX);
    let quarter = peak_of(history.len() / 4);
    println!(
        "  peak heap of aggregating and finishing, above what was held before: {} for all {} records, {} for a quarter ({:.2}×)",
        size(full),
        history.len(),
        size(quarter),
        full as f64 / quarter.max(1) as f64
    );
}

fn aggregate(
    catalogue: &Catalogue,
    names: &Names,
    history: &[Compact],
    limit: usize,
) -> Aggregator {
    let mut aggregator = Aggregator::new(catalogue);
    let mut record = blank();
    for c in history.iter().take(limit) {
        names.fill(&mut record, c);
        aggregator.add::<&str>(&record, &[]);
    }
    aggregator
}

/// The strings records are built from.
struct Names {
    classes: Vec<String>,
    services: Vec<String>,
    teams: Vec<String>,
    /// `2023-01-03` … for each age in days.
    dates: Vec<OccurredAt>,
}

impl Names {
    fn new(entries: &[Entry]) -> Names {
        let classes = entries
            .iter()
            .filter(|e| matches!(e, Entry::FailureMode(_)))
            .map(|e| e.id().to_string())
            .collect();
        let as_of: jiff::civil::Date = "2026-01-01".parse().expect("a date");
        let dates = (0..DAYS)
            .map(|age| {
                let date = as_of
                    .checked_sub(jiff::Span::new().days(i64::from(age)))
                    .expect("in range");
                OccurredAt::parse(&date.to_string()).expect("a date")
            })
            .collect();
        Names {
            classes,
            services: (0..SERVICES).map(|i| format!("service-{i}")).collect(),
            teams: (0..TEAMS).map(|i| format!("team-{i}")).collect(),
            dates,
        }
    }

    /// Overwrites `record` with the compact record's fields, reusing its buffers.
    fn fill(&self, record: &mut EscapeRecord, c: &Compact) {
        set(&mut record.service, &self.services[c.service as usize]);
        set(&mut record.team, &self.teams[c.team as usize]);
        set(&mut record.detected_by, CONTROLS[c.detected as usize]);
        record.occurred_at = Some(self.dates[c.age as usize].clone());
        if record.failure_modes.is_empty() {
            record.failure_modes.push(String::new());
        }
        let id = &mut record.failure_modes[0];
        id.clear();
        id.push_str(&self.classes[c.class as usize]);
    }
}

fn set(slot: &mut Option<String>, value: &str) {
    match slot {
        Some(s) => {
            s.clear();
            s.push_str(value);
        }
        None => *slot = Some(value.to_owned()),
    }
}

fn blank() -> EscapeRecord {
    EscapeRecord {
        id: "BENCH".to_owned(),
        title: "a benchmark record".to_owned(),
        body: None,
        occurred_at: None,
        service: None,
        team: None,
        labels: Vec::new(),
        detected_by: None,
        severity: None,
        source: None,
        url: None,
        failure_modes: Vec::new(),
        interventions: Vec::new(),
        extra: serde_json::Map::new(),
    }
}

/// A history with a heavy-tailed mix of failure modes (a few common, most rare), bursts (a
/// tenth of the records fall in a few short windows), and services and teams spread unevenly.
fn history(n: usize) -> Vec<Compact> {
    let mut rng = Rng(0x005E_ED0F_4A11_4B0B);
    (0..n)
        .map(|_| {
            // Roughly Zipf: the square of a uniform index concentrates on small indices.
            let u = rng.below(1_000) as f64 / 1_000.0;
            let class = ((u * u) * FAILURE_MODES as f64) as u16;
            let age = if rng.permille(100) {
                // A burst: one of twelve 10-day windows.
                (rng.below(12) * 90 + rng.below(10)) as u32
            } else {
                rng.below(DAYS as usize) as u32
            };
            Compact {
                age,
                class,
                service: ((rng.below(SERVICES) * rng.below(SERVICES)) / SERVICES) as u16,
                team: rng.below(TEAMS) as u16,
                detected: rng.below(CONTROLS.len()) as u8,
            }
        })
        .collect()
}

fn common(id: String) -> Common {
    Common {
        title: format!("Title of {id}"),
        id: Id(id),
        summary: None,
        tags: Vec::new(),
        see: Vec::new(),
        since: None,
        deprecated: None,
        replaced_by: None,
    }
}

/// 1,000 failure modes (100 roots, 9 children each), 8 controls, 50 objectives, 500
/// interventions with 4 pieces of evidence each.
fn catalogue() -> Vec<Entry> {
    let mut rng = Rng(0xCA7A_1061_0E00_0001);
    let mut entries = Vec::new();
    for i in 0..FAILURE_MODES {
        let parent = (i % 10 != 0).then(|| Id(format!("fm-{}", i - i % 10)));
        entries.push(Entry::FailureMode(FailureMode {
            common: common(format!("fm-{i}")),
            parent,
            layer: None,
            caught_by: Some(Id(CONTROLS[rng.below(5)].to_owned())),
            threshold: None,
            signals: Vec::new(),
            probes: Vec::new(),
            examples: Vec::new(),
        }));
    }
    for (stage, id) in CONTROLS.iter().enumerate() {
        entries.push(Entry::Control(Control {
            common: common((*id).to_owned()),
            stage: stage as i64 + 1,
        }));
    }
    let severities = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];
    for i in 0..50 {
        entries.push(Entry::Objective(Objective {
            common: common(format!("objective-{i}")),
            kpi: None,
            severity: Some(severities[i % 4]),
            threatened_by: (0..20)
                .map(|_| Id(format!("fm-{}", rng.below(FAILURE_MODES))))
                .collect(),
            services: Vec::new(),
        }));
    }
    let outcomes = [
        Outcome::Held,
        Outcome::Held,
        Outcome::Failed,
        Outcome::Pending,
    ];
    for i in 0..500 {
        entries.push(Entry::Intervention(Intervention {
            common: common(format!("intervention-{i}")),
            kind: None,
            resolves: vec![Id(format!("fm-{}", rng.below(FAILURE_MODES)))],
            hardens: Vec::new(),
            effort: Some([Effort::Low, Effort::Medium, Effort::High][i % 3]),
            verify: Some("a sensor".to_owned()),
            evidence: (0..4)
                .map(|k| Evidence {
                    record: format!("REC-{}", rng.below(1_000_000)),
                    outcome: outcomes[k],
                    at: Some(format!("2025-{:02}-01", 1 + rng.below(12))),
                    note: None,
                })
                .collect(),
        }));
    }
    entries
}
