//! Tests of the ranking as a whole: aggregation, scores, forecasts and recommendations.

use gapmine_model::{
    Common, Control, Effort, Entry, Evidence, FailureMode, Id, Intervention, Objective, Outcome,
    Severity,
};
use gapmine_records::{EscapeRecord, OccurredAt};
use jiff::civil::Date;
use proptest::prelude::*;

use crate::{Aggregator, Backtest, Catalogue, Method, Settings};

fn common(id: &str) -> Common {
    Common {
        id: Id(id.to_string()),
        title: format!("Title of {id}"),
        summary: None,
        tags: Vec::new(),
        see: Vec::new(),
        since: None,
        deprecated: None,
        replaced_by: None,
    }
}

fn failure_mode(id: &str, parent: Option<&str>, caught_by: Option<&str>) -> Entry {
    Entry::FailureMode(FailureMode {
        common: common(id),
        parent: parent.map(|p| Id(p.to_string())),
        layer: None,
        caught_by: caught_by.map(|c| Id(c.to_string())),
        threshold: None,
        signals: Vec::new(),
        probes: Vec::new(),
        examples: Vec::new(),
    })
}

fn control(id: &str, stage: i64) -> Entry {
    Entry::Control(Control {
        common: common(id),
        stage,
    })
}

fn evidence(record: &str, outcome: Outcome, at: &str) -> Evidence {
    Evidence {
        record: record.to_string(),
        outcome,
        at: Some(at.to_string()),
        note: None,
    }
}

fn catalogue() -> Catalogue {
    Catalogue::new(&[
        failure_mode("flaky-test", None, Some("ci")),
        failure_mode(
            "order-dependent-test",
            Some("flaky-test"),
            Some("unit-tests"),
        ),
        failure_mode("missing-null-check", None, Some("code-review")),
        failure_mode("never-seen", None, None),
        control("code-review", 2),
        control("unit-tests", 3),
        control("ci", 5),
        control("customer", 8),
        Entry::Objective(Objective {
            common: common("checkout"),
            kpi: None,
            severity: Some(Severity::Critical),
            threatened_by: vec![Id("missing-null-check".into())],
            services: Vec::new(),
        }),
        Entry::Objective(Objective {
            common: common("dev-speed"),
            kpi: None,
            severity: Some(Severity::Low),
            threatened_by: vec![Id("flaky-test".into())],
            services: Vec::new(),
        }),
        Entry::Intervention(Intervention {
            common: common("random-test-order"),
            kind: None,
            resolves: vec![Id("order-dependent-test".into())],
            hardens: vec![Id("unit-tests".into())],
            effort: Some(Effort::Low),
            verify: Some("CI shuffles the test order".into()),
            evidence: vec![
                evidence("R-1", Outcome::Held, "2026-01-10"),
                evidence("R-2", Outcome::Held, "2026-02-10"),
            ],
        }),
        Entry::Intervention(Intervention {
            common: common("quarantine"),
            kind: None,
            resolves: vec![Id("flaky-test".into())],
            hardens: Vec::new(),
            effort: Some(Effort::Medium),
            verify: None,
            evidence: vec![evidence("R-3", Outcome::Failed, "2025-01-10")],
        }),
    ])
}

fn record(
    id: &str,
    date: Option<&str>,
    service: &str,
    team: &str,
    by: &str,
    fms: &[&str],
) -> EscapeRecord {
    EscapeRecord {
        id: id.to_string(),
        title: format!("escape {id}"),
        body: None,
        occurred_at: date.map(|d| OccurredAt::parse(d).unwrap()),
        service: Some(service.to_string()),
        team: Some(team.to_string()),
        labels: Vec::new(),
        detected_by: Some(by.to_string()),
        severity: None,
        source: None,
        url: None,
        failure_modes: fms.iter().map(|s| s.to_string()).collect(),
        interventions: Vec::new(),
        extra: serde_json::Map::new(),
    }
}

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

fn history() -> Vec<EscapeRecord> {
    let mut out = Vec::new();
    let services = ["payments", "search", "web", "auth", "billing"];
    for i in 0..30 {
        let month = 1 + i % 12;
        let d = format!("2025-{month:02}-{:02}", 1 + i % 27);
        out.push(record(
            &format!("R-{i}"),
            Some(&d),
            services[i % 5],
            services[i % 5],
            if i % 3 == 0 { "customer" } else { "unit-tests" },
            &["order-dependent-test"],
        ));
    }
    for i in 0..6 {
        out.push(record(
            &format!("N-{i}"),
            Some("2025-12-01"),
            "payments",
            "payments",
            "customer",
            &["missing-null-check"],
        ));
    }
    out.push(record("U-1", None, "web", "web", "ci", &["flaky-test"]));
    out.push(record(
        "F-1",
        Some("2031-01-01"),
        "web",
        "web",
        "ci",
        &["flaky-test"],
    ));
    out.push(record("Z-1", Some("2025-06-01"), "web", "web", "ci", &[]));
    out.push(record(
        "X-1",
        Some("2025-06-01"),
        "web",
        "web",
        "ci",
        &["not-in-catalogue"],
    ));
    out
}

fn ranked(records: &[EscapeRecord]) -> crate::Ranking {
    let cat = catalogue();
    let mut agg = Aggregator::new(&cat);
    for r in records {
        agg.add::<&str>(r, &[]);
    }
    agg.finish(&Settings::default(), date("2026-01-01"))
}

#[test]
fn every_record_is_accounted_for() {
    let ranking = ranked(&history());
    let q = &ranking.quality;
    assert_eq!(q.records, 40);
    assert_eq!(q.classified + q.unclassified, q.records);
    assert_eq!(q.unclassified, 2, "no failure mode, and an unknown one");
    assert_eq!(q.undated, 1);
    assert_eq!(q.future, 1);
    assert_eq!(q.unknown_failure_modes.get("not-in-catalogue"), Some(&1));
    assert_eq!(ranking.quiet, vec!["never-seen".to_string()]);
}

#[test]
fn the_child_counts_and_the_parent_does_not_double_count() {
    let ranking = ranked(&history());
    let ids: Vec<&str> = ranking
        .gaps
        .iter()
        .map(|g| g.failure_mode.as_str())
        .collect();
    assert!(ids.contains(&"order-dependent-test"));
    let od = ranking
        .gaps
        .iter()
        .find(|g| g.failure_mode == "order-dependent-test")
        .unwrap();
    assert_eq!(od.occurrences, 30);
    let flaky = ranking
        .gaps
        .iter()
        .find(|g| g.failure_mode == "flaky-test")
        .unwrap();
    assert_eq!(flaky.occurrences, 2);
    assert_eq!(
        flaky.dated, 0,
        "undated and future records are left out of trends"
    );
    assert_eq!(flaky.forecast.basis.decayed_count, 0.0);
}

#[test]
fn scores_explain_themselves() {
    let ranking = ranked(&history());
    for gap in &ranking.gaps {
        let sum: f64 = gap.score.terms.iter().map(|t| t.contribution).sum();
        assert!((sum - gap.score.value).abs() < 1e-12);
        assert!((0.0..=1.0).contains(&gap.score.value));
    }
    let od = ranking
        .gaps
        .iter()
        .find(|g| g.failure_mode == "order-dependent-test")
        .unwrap();
    // Five services and five teams: spread 0.8.
    let spread = od
        .score
        .terms
        .iter()
        .find(|t| t.kind == crate::TermKind::Spread)
        .unwrap();
    assert!((spread.value - 0.8).abs() < 1e-12, "{spread:?}");
    // Ten of thirty detected by the customer (stage 8) against unit tests (stage 3).
    assert_eq!(od.lateness.known, 30);
    assert_eq!(od.lateness.leaked, 10);
    assert!((od.lateness.mean_stages - 5.0 / 3.0).abs() < 1e-12);
    // Severity through the parent: `dev-speed` is threatened by `flaky-test`.
    assert_eq!(od.objectives[0].id, "dev-speed");
    assert_eq!(od.objectives[0].via, "flaky-test");
    let null = ranking
        .gaps
        .iter()
        .find(|g| g.failure_mode == "missing-null-check")
        .unwrap();
    let sev = null
        .score
        .terms
        .iter()
        .find(|t| t.kind == crate::TermKind::Severity)
        .unwrap();
    assert_eq!(sev.value, 1.0);
}

#[test]
fn recommendations_rank_evidence_and_flag_uncovered_gaps() {
    let ranking = ranked(&history());
    let od = ranking
        .gaps
        .iter()
        .find(|g| g.failure_mode == "order-dependent-test")
        .unwrap();
    let ids: Vec<&str> = od
        .recommendations
        .iter()
        .map(|r| r.intervention.as_str())
        .collect();
    assert_eq!(
        ids,
        ["random-test-order", "quarantine"],
        "held and low effort first; via the parent second"
    );
    assert_eq!(od.recommendations[1].resolves, "flaky-test");
    assert_eq!(od.recommendations[0].evidence.held, 2);
    assert_eq!(od.recommendations[0].evidence.services.len(), 2);
    assert!(!od.uncovered);
    let sensor = od.sensor.as_ref().expect("unit tests leaked");
    assert_eq!(sensor.control, "unit-tests");
    assert_eq!(sensor.verify[0].0, "random-test-order");
    let null = ranking
        .gaps
        .iter()
        .find(|g| g.failure_mode == "missing-null-check")
        .unwrap();
    assert!(null.uncovered && null.recommendations.is_empty());
}

#[test]
fn a_backtest_scores_three_methods() {
    let cat = catalogue();
    let mut bt = Backtest::new(&cat, &[date("2025-10-01")], 90);
    for r in history() {
        bt.add::<&str>(&r, &[]);
    }
    let report = bt.finish(&Settings::default(), None);
    let c = &report.cutoffs[0];
    assert_eq!(c.scores.len(), 3);
    assert_eq!(c.scores[0].method, Method::Forecast);
    let od = c
        .per_class
        .iter()
        .find(|o| o.failure_mode == "order-dependent-test")
        .unwrap();
    assert_eq!(od.actual, 6, "October to December");
    let null = c
        .per_class
        .iter()
        .find(|o| o.failure_mode == "missing-null-check")
        .unwrap();
    assert_eq!(null.actual, 6);
    assert_eq!(null.last_period, 0.0);
}

#[test]
fn spearman_handles_ties_and_constants() {
    use crate::backtest::spearman;
    assert_eq!(spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]), Some(1.0));
    assert_eq!(spearman(&[1.0, 1.0, 1.0], &[10.0, 20.0, 30.0]), None);
    let r = spearman(&[1.0, 1.0, 2.0], &[1.0, 2.0, 3.0]).unwrap();
    assert!((r - 0.866_025_403_784_438_6).abs() < 1e-12, "{r}");
}

fn arb_record() -> impl Strategy<Value = EscapeRecord> {
    (
        0u32..200,
        prop::option::of(0i32..900),
        0usize..4,
        0usize..3,
        0usize..4,
        prop::sample::subsequence(
            vec![
                "flaky-test",
                "order-dependent-test",
                "missing-null-check",
                "other",
            ],
            0..3,
        ),
    )
        .prop_map(|(n, day, s, t, by, fms)| {
            let d = day.map(|d| {
                crate::date::from_day_number(20_000 + d)
                    .unwrap()
                    .to_string()
            });
            record(
                &format!("R-{n}"),
                d.as_deref(),
                ["a", "b", "c", "d"][s],
                ["x", "y", "z"][t],
                ["ci", "customer", "unit-tests", "nobody"][by],
                &fms,
            )
        })
}

proptest! {
    #[test]
    fn aggregation_does_not_depend_on_order(records in prop::collection::vec(arb_record(), 0..60), seed in any::<u64>()) {
        // Ids are unique in a history (the reader rejects duplicates).
        let records: Vec<EscapeRecord> = records
            .into_iter()
            .enumerate()
            .map(|(i, r)| EscapeRecord { id: format!("R-{i}"), ..r })
            .collect();
        let mut shuffled = records.clone();
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = ranked(&records);
        let b = ranked(&shuffled);
        prop_assert_eq!(a.gaps.len(), b.gaps.len());
        for (x, y) in a.gaps.iter().zip(&b.gaps) {
            prop_assert_eq!(&x.failure_mode, &y.failure_mode);
            prop_assert_eq!(x.occurrences, y.occurrences);
            prop_assert_eq!(&x.examples, &y.examples);
            prop_assert_eq!(&x.services, &y.services);
            prop_assert!((x.score.value - y.score.value).abs() < 1e-9);
            prop_assert!((x.forecast.expected - y.forecast.expected).abs() < 1e-9);
        }
        prop_assert_eq!(&a.quality, &b.quality);
    }

    #[test]
    fn merging_halves_equals_one_pass(records in prop::collection::vec(arb_record(), 0..60), split in 0usize..60) {
        let cat = catalogue();
        let split = split.min(records.len());
        let (mut left, mut right) = (Aggregator::new(&cat), Aggregator::new(&cat));
        for r in &records[..split] { left.add::<&str>(r, &[]); }
        for r in &records[split..] { right.add::<&str>(r, &[]); }
        left.merge(right);
        let merged = left.finish(&Settings::default(), date("2026-01-01"));
        let whole = ranked(&records);
        prop_assert_eq!(merged.gaps.len(), whole.gaps.len());
        for (x, y) in merged.gaps.iter().zip(&whole.gaps) {
            prop_assert_eq!(&x.failure_mode, &y.failure_mode);
            prop_assert!((x.score.value - y.score.value).abs() < 1e-9);
        }
    }

    #[test]
    fn scores_sum_and_intervals_hold_the_mean(records in prop::collection::vec(arb_record(), 0..60)) {
        let ranking = ranked(&records);
        for gap in &ranking.gaps {
            let sum: f64 = gap.score.terms.iter().map(|t| t.contribution).sum();
            prop_assert!((sum - gap.score.value).abs() < 1e-12);
            let f = &gap.forecast;
            prop_assert!((f.low as f64) <= f.expected && f.expected <= f.high as f64, "{:?}", f);
            for s in &gap.per_service {
                let f = &s.forecast;
                prop_assert!((f.low as f64) <= f.expected && f.expected <= f.high as f64, "{:?}", f);
            }
        }
    }
}

#[test]
fn a_manifest_sets_weights_and_half_life() {
    use gapmine_model::{Priority, Weight};
    let settings = Settings::from_priority(&Priority {
        recency: Some(Weight(0.0)),
        half_life_days: Some(Weight(30.0)),
        ..Priority::default()
    });
    assert_eq!(settings.weights.recency, 0.0);
    assert_eq!(
        settings.weights.severity,
        Settings::default().weights.severity
    );
    assert_eq!(settings.half_life_days, 30.0);
    // With recency weighted 0, its term contributes nothing.
    let cat = catalogue();
    let mut agg = Aggregator::new(&cat);
    for r in history() {
        agg.add::<&str>(&r, &[]);
    }
    let ranking = agg.finish(&settings, date("2026-01-01"));
    for gap in &ranking.gaps {
        let recency = gap
            .score
            .terms
            .iter()
            .find(|t| t.kind == crate::TermKind::Recency)
            .unwrap();
        assert_eq!(recency.contribution, 0.0);
    }
}
