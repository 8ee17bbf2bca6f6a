//! The finishing half: from the aggregates to the [`Ranking`]: every failure mode that occurred,
//! its priority explained term by term, its forecast, and the interventions to recommend.

use std::collections::{BTreeMap, HashSet};

use gapmine_model::{Layer, Severity};
use jiff::civil::Date;
use serde::{Serialize, Serializer};

use crate::aggregate::{Aggregator, ClassAggregate, Example};
use crate::catalogue::Catalogue;
use crate::counts::{DayCounts, MonthCounts, Names};
use crate::date::{day_number, first_day_of_month, from_day_number, month_label, month_of_day};
use crate::forecast::{Fit, Forecast, burstiness, decay, decayed_exposure, empirical_prior};
use crate::recommend::{Recommendation, Sensor, recommend, sensor};
use crate::{Settings, Weights};

/// The result: the gaps, highest priority first, and what the input was like.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    /// The date the ranking and the forecasts are as of.
    #[serde(serialize_with = "date_text")]
    pub as_of: Date,
    /// The settings it was computed with.
    pub settings: Settings,
    /// Every failure mode with at least one occurrence, highest score first (ties: more
    /// occurrences first, then by id).
    pub gaps: Vec<Gap>,
    /// Failure modes of the catalogue that never occurred in the history.
    pub quiet: Vec<String>,
    /// What the input held: counts of every kind of record, bad dates among them.
    pub quality: DataQuality,
}

/// Counts of the records read, so that none is lost silently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataQuality {
    /// Every record added.
    pub records: u64,
    /// Records with at least one failure mode of the catalogue.
    pub classified: u64,
    /// Records with none.
    pub unclassified: u64,
    /// Records without `occurred_at`: counted in occurrences and spread, left out of trends and
    /// forecasts.
    pub undated: u64,
    /// Records dated before 1970: likewise left out of trends and forecasts.
    pub before_1970: u64,
    /// Records dated after the as-of date: likewise left out of trends and forecasts.
    pub future: u64,
    /// Failure-mode ids that records named but the catalogue does not have, with counts (at most
    /// 100 distinct ids; `unknown_other` counts the rest).
    pub unknown_failure_modes: BTreeMap<String, u64>,
    /// Occurrences of unknown ids beyond those listed.
    pub unknown_other: u64,
    /// The newest unclassified records (up to [`UNCLASSIFIED_SAMPLE`](crate::UNCLASSIFIED_SAMPLE)).
    pub unclassified_sample: Vec<Example>,
    /// The first and last dates of the dated history used (up to the as-of date).
    #[serde(serialize_with = "opt_date_text")]
    pub first_date: Option<Date>,
    /// See `first_date`.
    #[serde(serialize_with = "opt_date_text")]
    pub last_date: Option<Date>,
}

/// One failure mode that occurred: a gap in the controls, ranked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// The failure mode's id.
    pub failure_mode: String,
    /// Its title.
    pub title: String,
    /// `control` or `system`, when the catalogue says.
    #[serde(serialize_with = "layer_text")]
    pub layer: Option<Layer>,
    /// The control that should have caught it (its own `caught-by` or its nearest ancestor's).
    pub caught_by: Option<String>,
    /// Every occurrence, dated or not.
    pub occurrences: u64,
    /// Occurrences with a usable date up to the as-of date (the ones trends and forecasts use).
    pub dated: u64,
    /// Dated occurrences in the last `horizon_days` up to the as-of date (the period just
    /// before the one forecast).
    pub last_period: u64,
    /// Occurrences per 30 days, weighted by age (the recency term's measure).
    pub recent_rate: f64,
    /// Dated occurrences per month, from the history's first month to the as-of month.
    pub trend: Vec<MonthCount>,
    /// Occurrences per service, most first (then by name).
    pub services: Vec<(String, u64)>,
    /// Occurrences per team, most first (then by name).
    pub teams: Vec<(String, u64)>,
    /// How late it was detected.
    pub lateness: Lateness,
    /// The objectives it (or a failure mode it refines) threatens, most severe first.
    pub objectives: Vec<ObjectiveRef>,
    /// The priority score and its terms.
    pub score: Score,
    /// Expected occurrences in the next `horizon_days`.
    pub forecast: Forecast,
    /// The same per service, for the services it occurred in, largest first.
    pub per_service: Vec<ServiceForecast>,
    /// Interventions that resolve it, best first.
    pub recommendations: Vec<Recommendation>,
    /// No intervention of the catalogue resolves it (nor a failure mode it refines).
    pub uncovered: bool,
    /// Where its control leaked: the sensor to leave at that control.
    pub sensor: Option<Sensor>,
    /// The newest records of it.
    pub examples: Vec<Example>,
}

/// A month's count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    /// Dated occurrences in it.
    pub count: u64,
}

/// Detection lateness: the stage of the control that detected each occurrence (its
/// `detected_by`, when that names a control) against the stage of the control in `caught-by`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lateness {
    /// Occurrences whose lateness is known (both stages known).
    pub known: u64,
    /// Of those, detected at a later stage than the control that should have caught them.
    pub leaked: u64,
    /// Mean stages late over the known occurrences (early detection counts as 0).
    pub mean_stages: f64,
    /// Occurrences per `detected_by` value, most first.
    pub detected_by: Vec<(String, u64)>,
}

/// An objective a gap threatens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectiveRef {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its severity (`critical`, `high`, `medium`, `low`), when it has one.
    pub severity: Option<String>,
    /// The failure mode it names: the gap itself or the ancestor through which it threatens it.
    pub via: String,
}

/// The priority score: `Σ weight_i · value_i / Σ weight_i`, in `[0, 1]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The score.
    pub value: f64,
    /// Its terms; their contributions add up to `value`.
    pub terms: Vec<Term>,
}

/// The five terms of the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TermKind {
    /// Occurrences over the whole history.
    Frequency,
    /// The recency-weighted rate.
    Recency,
    /// Distinct services and teams.
    Spread,
    /// Stages late against the control that should have caught it.
    Lateness,
    /// The severity of the objectives it threatens.
    Severity,
}

impl TermKind {
    /// Every term, in the order a score lists them.
    pub const ALL: [TermKind; 5] = [
        TermKind::Frequency,
        TermKind::Recency,
        TermKind::Spread,
        TermKind::Lateness,
        TermKind::Severity,
    ];

    /// Its name in the docs and the manifest.
    pub fn name(self) -> &'static str {
        match self {
            TermKind::Frequency => "frequency",
            TermKind::Recency => "recency",
            TermKind::Spread => "spread",
            TermKind::Lateness => "lateness",
            TermKind::Severity => "severity",
        }
    }

    fn weight(self, w: &Weights) -> f64 {
        match self {
            TermKind::Frequency => w.frequency,
            TermKind::Recency => w.recency,
            TermKind::Spread => w.spread,
            TermKind::Lateness => w.lateness,
            TermKind::Severity => w.severity,
        }
    }
}

/// One term of a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    /// Which term.
    pub kind: TermKind,
    /// What was measured, in words: "12 occurrences (the most: 40)".
    pub measure: String,
    /// The term's value in `[0, 1]`.
    pub value: f64,
    /// Its weight.
    pub weight: f64,
    /// `weight · value / Σ weights`: its share of the score.
    pub contribution: f64,
}

/// A failure mode's forecast in one service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceForecast {
    /// The service.
    pub service: String,
    /// Its occurrences of the failure mode over the whole history.
    pub occurrences: u64,
    /// The forecast.
    pub forecast: Forecast,
}

fn date_text<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(date)
}

fn opt_date_text<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

fn layer_text<S: Serializer>(layer: &Option<Layer>, s: S) -> Result<S::Ok, S::Error> {
    match layer {
        Some(Layer::Control) => s.serialize_str("control"),
        Some(Layer::System) => s.serialize_str("system"),
        None => s.serialize_none(),
    }
}

pub(crate) fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
    }
}

/// The severity term's value: critical 1, high 0.75, medium 0.5, low 0.25; an objective without
/// a severity counts as medium.
fn severity_value(s: Option<Severity>) -> f64 {
    match s {
        Some(Severity::Critical) => 1.0,
        Some(Severity::High) => 0.75,
        Some(Severity::Medium) | None => 0.5,
        Some(Severity::Low) => 0.25,
    }
}

/// The dated history the forecasts see: from its first day to the as-of date.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub as_of: i32,
    pub first: Option<i32>,
    pub half_life: f64,
}

impl Window {
    /// The history's length in days, weighted by age.
    pub fn exposure(&self) -> f64 {
        match self.first {
            Some(first) => decayed_exposure(f64::from(self.as_of - first + 1), self.half_life),
            None => 0.0,
        }
    }

    /// A count on `day` weighted by its age; 0 after the as-of date.
    pub fn weight(&self, day: i32) -> f64 {
        if day > self.as_of {
            0.0
        } else {
            decay(f64::from(self.as_of - day), self.half_life)
        }
    }

    /// The weight of a month's counts: at the middle of the part of the month up to the as-of
    /// date.
    pub fn month_weight(&self, month: i32) -> f64 {
        let start = first_day_of_month(month);
        let end = (first_day_of_month(month + 1) - 1).min(self.as_of);
        if start > self.as_of {
            return 0.0;
        }
        self.weight((start + end) / 2)
    }

    pub fn decayed_months(&self, months: &MonthCounts) -> f64 {
        months
            .iter()
            .map(|(m, n)| n as f64 * self.month_weight(m))
            .sum()
    }

    pub fn decayed_days(&self, days: &DayCounts) -> f64 {
        days.range(i32::MIN, self.as_of)
            .map(|(d, n)| n as f64 * self.weight(d))
            .sum()
    }
}

impl Aggregator {
    /// The ranking as of `as_of`: records dated after it are reported as in the future and left
    /// out of trends and forecasts, like undated ones.
    pub fn finish(self, settings: &Settings, as_of: Date) -> Ranking {
        let cat = &self.catalogue;
        let as_of_day = day_number(as_of);
        let totals = &self.totals;
        let class_days: Vec<&DayCounts> = self.classes.iter().map(|c| &c.days).collect();
        let first = totals
            .days
            .range(i32::MIN, as_of_day)
            .next()
            .map(|(d, _)| d);
        let last = totals
            .days
            .range(i32::MIN, as_of_day)
            .last()
            .map(|(d, _)| d);
        let future: u64 = totals
            .days
            .range(as_of_day.saturating_add(1), i32::MAX)
            .map(|(_, n)| n)
            .sum();
        let window = Window {
            as_of: as_of_day,
            first,
            half_life: settings.half_life_days,
        };
        let exposure = window.exposure();
        let decayed: Vec<f64> = class_days.iter().map(|d| window.decayed_days(d)).collect();
        let fit = Fit {
            prior: empirical_prior(&decayed, exposure),
            exposure,
            burstiness: burstiness(
                class_days.iter().copied(),
                first,
                as_of_day,
                settings.horizon_days,
            ),
            horizon_days: settings.horizon_days,
            level: settings.level,
        };
        let service_shares = Shares::new(&totals.service_months, &self.services, &window);

        let occurring: Vec<usize> = (0..self.classes.len())
            .filter(|&k| self.classes[k].occurrences > 0)
            .collect();
        let max_occurrences = occurring
            .iter()
            .map(|&k| self.classes[k].occurrences)
            .max()
            .unwrap_or(0);
        let max_decayed = occurring
            .iter()
            .map(|&k| decayed[k])
            .fold(0.0_f64, f64::max);
        let any_services = self.classes.iter().any(|c| !c.services.is_empty());
        let any_teams = self.classes.iter().any(|c| !c.teams.is_empty());

        let mut gaps: Vec<Gap> = occurring
            .iter()
            .map(|&k| {
                let class = &self.classes[k];
                let fm = &cat.failure_modes[k];
                let lateness = lateness(cat, fm.caught_by.as_deref(), class, &self.detectors);
                let objectives = objectives(cat, k);
                let recent_rate = if exposure > 0.0 {
                    decayed[k] / exposure * 30.0
                } else {
                    0.0
                };
                let inputs = TermInputs {
                    occurrences: class.occurrences,
                    max_occurrences,
                    decayed: decayed[k],
                    max_decayed,
                    recent_rate,
                    services: any_services.then_some(class.services.len()),
                    teams: any_teams.then_some(class.teams.len()),
                    lateness: &lateness,
                    stage_span: cat.max_stage - cat.min_stage,
                    objectives: &objectives,
                    objective_severities: objectives
                        .iter()
                        .map(|o| {
                            cat.objectives
                                .iter()
                                .find(|x| x.id == o.id)
                                .and_then(|x| x.severity)
                        })
                        .collect(),
                };
                let score = score(&inputs, &settings.weights);
                let class_forecast = fit.forecast(decayed[k]);
                let per_service = per_service(
                    class,
                    decayed[k],
                    &class_forecast,
                    &service_shares,
                    &window,
                    &fit,
                    settings.services_per_forecast,
                );
                let class_services: HashSet<&str> = class
                    .services
                    .keys()
                    .map(|&s| self.services.name(s))
                    .collect();
                let (recommendations, uncovered) =
                    recommend(cat, k, &class_services, &self.evidence_services, as_of_day);
                let sensor = sensor(cat, fm.caught_by.as_deref(), &lateness, &recommendations);
                Gap {
                    failure_mode: fm.id.clone(),
                    title: fm.title.clone(),
                    layer: fm.layer,
                    caught_by: fm.caught_by.clone(),
                    occurrences: class.occurrences,
                    dated: class_days[k]
                        .range(i32::MIN, as_of_day)
                        .map(|(_, n)| n)
                        .sum(),
                    last_period: class_days[k]
                        .range(as_of_day - settings.horizon_days as i32 + 1, as_of_day)
                        .map(|(_, n)| n)
                        .sum(),
                    recent_rate,
                    trend: trend(class_days[k], first, as_of_day),
                    services: sorted_counts(
                        class
                            .services
                            .iter()
                            .map(|(&s, a)| (self.services.name(s), a.occurrences)),
                    ),
                    teams: sorted_counts(
                        class.teams.iter().map(|(&t, &n)| (self.teams.name(t), n)),
                    ),
                    lateness,
                    objectives,
                    score,
                    forecast: class_forecast,
                    per_service,
                    recommendations,
                    uncovered,
                    sensor,
                    examples: class.examples.clone(),
                }
            })
            .collect();
        gaps.sort_by(|a, b| {
            b.score
                .value
                .total_cmp(&a.score.value)
                .then(b.occurrences.cmp(&a.occurrences))
                .then_with(|| a.failure_mode.cmp(&b.failure_mode))
        });
        let quiet = (0..self.classes.len())
            .filter(|&k| self.classes[k].occurrences == 0)
            .map(|k| cat.failure_modes[k].id.clone())
            .collect();
        Ranking {
            as_of,
            settings: settings.clone(),
            gaps,
            quiet,
            quality: DataQuality {
                records: totals.records,
                classified: totals.classified,
                unclassified: totals.unclassified,
                undated: totals.undated,
                before_1970: totals.before_1970,
                future,
                unknown_failure_modes: totals.unknown_ids.clone(),
                unknown_other: totals.unknown_other,
                unclassified_sample: totals.unclassified_sample.clone(),
                first_date: first.and_then(from_day_number),
                last_date: last.and_then(from_day_number),
            },
        }
    }
}

/// Counts sorted most first, then by name.
fn sorted_counts<'a>(items: impl Iterator<Item = (&'a str, u64)>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = items.map(|(k, n)| (k.to_owned(), n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

fn trend(days: &DayCounts, first: Option<i32>, as_of: i32) -> Vec<MonthCount> {
    let Some(first) = first else {
        return Vec::new();
    };
    let (m0, m1) = (month_of_day(first), month_of_day(as_of));
    let mut counts = vec![0u64; (m1 - m0 + 1).max(0) as usize];
    for (d, n) in days.range(first, as_of) {
        counts[(month_of_day(d) - m0) as usize] += n;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, count)| MonthCount {
            month: month_label(m0 + i as i32),
            count,
        })
        .collect()
}

fn lateness(
    cat: &Catalogue,
    caught_by: Option<&str>,
    class: &ClassAggregate,
    detectors: &Names,
) -> Lateness {
    let expected = caught_by.and_then(|c| cat.controls.get(c)).map(|c| c.0);
    let (mut known, mut leaked, mut stages) = (0u64, 0u64, 0.0f64);
    if let Some(expected) = expected {
        for (&by, &n) in &class.detected_by {
            if let Some(&(stage, _)) = cat.controls.get(detectors.name(by)) {
                known += n;
                if stage > expected {
                    leaked += n;
                    stages += (stage - expected) as f64 * n as f64;
                }
            }
        }
    }
    Lateness {
        known,
        leaked,
        mean_stages: if known > 0 {
            stages / known as f64
        } else {
            0.0
        },
        detected_by: sorted_counts(
            class
                .detected_by
                .iter()
                .map(|(&k, &n)| (detectors.name(k), n)),
        ),
    }
}

fn objectives(cat: &Catalogue, k: usize) -> Vec<ObjectiveRef> {
    let lineage: Vec<usize> = std::iter::once(k)
        .chain(cat.failure_modes[k].ancestors.iter().copied())
        .collect();
    let mut out: Vec<(Option<Severity>, ObjectiveRef)> = Vec::new();
    for o in &cat.objectives {
        let via = lineage
            .iter()
            .map(|&i| &cat.failure_modes[i].id)
            .find(|id| o.threatened_by.iter().any(|t| t == *id));
        if let Some(via) = via {
            out.push((
                o.severity,
                ObjectiveRef {
                    id: o.id.clone(),
                    title: o.title.clone(),
                    severity: o.severity.map(|s| severity_name(s).to_string()),
                    via: via.clone(),
                },
            ));
        }
    }
    out.sort_by(|a, b| {
        severity_value(b.0)
            .total_cmp(&severity_value(a.0))
            .then_with(|| a.1.id.cmp(&b.1.id))
    });
    out.into_iter().map(|(_, o)| o).collect()
}

pub(crate) struct TermInputs<'a> {
    pub occurrences: u64,
    pub max_occurrences: u64,
    pub decayed: f64,
    pub max_decayed: f64,
    pub recent_rate: f64,
    /// Distinct services, when any record of the history has a service.
    pub services: Option<usize>,
    /// Distinct teams, when any record of the history has a team.
    pub teams: Option<usize>,
    pub lateness: &'a Lateness,
    pub stage_span: i64,
    pub objectives: &'a [ObjectiveRef],
    pub objective_severities: Vec<Option<Severity>>,
}

/// The priority score of one gap, term by term (`docs/ranking.md`).
pub(crate) fn score(x: &TermInputs<'_>, weights: &Weights) -> Score {
    let total: f64 = TermKind::ALL
        .iter()
        .map(|k| k.weight(weights).max(0.0))
        .sum();
    let terms: Vec<Term> = TermKind::ALL
        .iter()
        .map(|&kind| {
            let (value, measure) = term(kind, x);
            let weight = kind.weight(weights).max(0.0);
            let contribution = if total > 0.0 {
                weight * value / total
            } else {
                0.0
            };
            Term {
                kind,
                measure,
                value,
                weight,
                contribution,
            }
        })
        .collect();
    Score {
        value: terms.iter().map(|t| t.contribution).sum(),
        terms,
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn term(kind: TermKind, x: &TermInputs<'_>) -> (f64, String) {
    match kind {
        TermKind::Frequency => {
            let value = if x.max_occurrences > 0 {
                (x.occurrences as f64).ln_1p() / (x.max_occurrences as f64).ln_1p()
            } else {
                0.0
            };
            (
                value,
                format!(
                    "{} (the most of any failure mode: {}), on a log scale",
                    plural(x.occurrences, "occurrence", "occurrences"),
                    x.max_occurrences
                ),
            )
        }
        TermKind::Recency => {
            let value = if x.max_decayed > 0.0 {
                x.decayed / x.max_decayed
            } else {
                0.0
            };
            (
                value.clamp(0.0, 1.0),
                format!(
                    "{:.2} occurrences per 30 days, weighted by age, against the highest rate",
                    x.recent_rate
                ),
            )
        }
        TermKind::Spread => {
            let parts: Vec<(usize, &str)> = [(x.services, "service"), (x.teams, "team")]
                .into_iter()
                .filter_map(|(n, what)| n.map(|n| (n, what)))
                .collect();
            if parts.is_empty() {
                return (0.0, "no record has a service or a team".to_string());
            }
            let value = parts
                .iter()
                .map(|&(n, _)| if n == 0 { 0.0 } else { 1.0 - 1.0 / n as f64 })
                .sum::<f64>()
                / parts.len() as f64;
            let words: Vec<String> = parts
                .iter()
                .map(|&(n, what)| plural(n as u64, what, &format!("{what}s")))
                .collect();
            (value, words.join(", "))
        }
        TermKind::Lateness => {
            let l = x.lateness;
            if l.known == 0 {
                return (
                    0.0,
                    "unknown: no occurrence was detected by a control of the catalogue, or the failure mode names no `caught-by`".to_string(),
                );
            }
            let value = if x.stage_span > 0 {
                (l.mean_stages / x.stage_span as f64).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (
                value,
                format!(
                    "{:.2} stages late on average over {} ({} leaked), of a pipeline {} stages long",
                    l.mean_stages,
                    plural(l.known, "occurrence", "occurrences"),
                    l.leaked,
                    x.stage_span
                ),
            )
        }
        TermKind::Severity => {
            let best = x
                .objective_severities
                .iter()
                .map(|&s| severity_value(s))
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
            match (best, x.objectives.first()) {
                (Some(v), Some(o)) => (
                    v,
                    format!(
                        "threatens `{}` ({}){}",
                        o.id,
                        o.severity
                            .as_deref()
                            .unwrap_or("no severity: counted as medium"),
                        match x.objectives.len() {
                            1 => String::new(),
                            n => format!(" and {} more", n - 1),
                        }
                    ),
                ),
                _ => (0.0, "threatens no objective".to_string()),
            }
        }
    }
}

/// Each service's share of the dated, age-weighted history (over all failure modes), by the
/// service's number.
pub(crate) struct Shares<'a> {
    pub names: &'a Names,
    shares: Vec<f64>,
}

impl<'a> Shares<'a> {
    /// The shares of the services in `service_months` (numbered by `names`); summed in the order
    /// of the services' names, so they do not depend on the order the records came in.
    pub fn new(service_months: &[MonthCounts], names: &'a Names, window: &Window) -> Shares<'a> {
        let weighted: Vec<f64> = service_months
            .iter()
            .map(|months| window.decayed_months(months))
            .collect();
        let mut by_name: Vec<usize> = (0..weighted.len()).collect();
        by_name.sort_by_key(|&s| names.name(s as u32));
        let total: f64 = by_name.iter().map(|&s| weighted[s]).sum();
        let shares = weighted
            .into_iter()
            .map(|w| if total > 0.0 { w / total } else { 0.0 })
            .collect();
        Shares { names, shares }
    }

    /// The share of the service numbered `service`.
    pub fn of(&self, service: u32) -> f64 {
        self.shares.get(service as usize).copied().unwrap_or(0.0)
    }
}

/// A service's share of a failure mode: its own age-weighted occurrences of it, smoothed towards
/// its share of all escapes (`overall`) by one pseudo-occurrence.
pub(crate) fn service_share(class_decayed: f64, service_decayed: f64, overall: f64) -> f64 {
    ((service_decayed + overall) / (class_decayed + 1.0)).clamp(0.0, 1.0)
}

/// Per-service forecasts: the failure mode's forecast thinned by each service's share of it, for
/// the `limit` services with the largest shares.
fn per_service(
    class: &ClassAggregate,
    class_decayed: f64,
    class_forecast: &Forecast,
    shares: &Shares,
    window: &Window,
    fit: &Fit,
    limit: usize,
) -> Vec<ServiceForecast> {
    let mut ranked: Vec<(&str, u64, f64, f64)> = class
        .services
        .iter()
        .map(|(&service, agg)| {
            let decayed = window.decayed_months(&agg.months);
            let share = service_share(class_decayed, decayed, shares.of(service));
            (shares.names.name(service), agg.occurrences, decayed, share)
        })
        .collect();
    ranked.sort_by(|a, b| b.3.total_cmp(&a.3).then_with(|| a.0.cmp(b.0)));
    ranked.truncate(limit);
    ranked
        .into_iter()
        .map(|(service, occurrences, decayed, share)| ServiceForecast {
            service: service.to_owned(),
            occurrences,
            forecast: fit.thinned(class_forecast, share, decayed),
        })
        .collect()
}
