//! The backtest: for each cutoff, fit on the records dated before it and compare the forecast of
//! the next `horizon_days` (and two baselines) with what happened, per failure mode and per
//! failure mode and service.

use std::collections::BTreeSet;

use gapmine_records::EscapeRecord;
use jiff::civil::Date;
use serde::Serialize;

use crate::Settings;
use crate::aggregate::Aggregator;
use crate::catalogue::{Catalogue, Map};
use crate::counts::{DayCounts, MonthCounts, Names};
use crate::date::{day_number, first_day_of_month, month_of_day};
use crate::forecast::{Fit, burstiness, empirical_prior};
use crate::rank::{Shares, Window, service_share};

/// A forecasting method the backtest scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// gapmine's forecast: the decayed gamma-Poisson rate ([`Forecast`](crate::Forecast)).
    Forecast,
    /// Baseline: the count in the last `horizon_days` before the cutoff.
    LastPeriod,
    /// Baseline: the all-time mean rate before the cutoff, times the horizon.
    MeanRate,
}

impl Method {
    /// Every method, in the order tables list them.
    pub const ALL: [Method; 3] = [Method::Forecast, Method::LastPeriod, Method::MeanRate];

    /// Its name in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Method::Forecast => "forecast",
            Method::LastPeriod => "last-period",
            Method::MeanRate => "mean-rate",
        }
    }
}

/// How one method did at one cutoff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodScores {
    /// The method.
    pub method: Method,
    /// Spearman's rank correlation of predicted and actual counts over the failure modes scored
    /// (`None` when either side is constant).
    pub spearman: Option<f64>,
    /// Mean absolute error of the counts over the failure modes scored.
    pub mae: f64,
    /// The same over (failure mode, service) cells.
    pub service_spearman: Option<f64>,
    /// The same over (failure mode, service) cells.
    pub service_mae: f64,
}

/// One failure mode at one cutoff: what each method predicted and what happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassOutcome {
    /// The failure mode.
    pub failure_mode: String,
    /// Occurrences in the horizon.
    pub actual: u64,
    /// The forecast's expected count (its mean).
    pub expected: f64,
    /// The forecast's median: the point the backtest scores.
    pub median: u64,
    /// Its interval.
    pub low: u64,
    /// Its interval.
    pub high: u64,
    /// The last-period baseline.
    pub last_period: f64,
    /// The mean-rate baseline.
    pub mean_rate: f64,
}

/// The backtest at one cutoff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CutoffReport {
    /// The cutoff: fitted on records dated before it, scored on `[cutoff, cutoff + horizon)`.
    pub cutoff: String,
    /// Dated, classified records before the cutoff.
    pub fitted: u64,
    /// Occurrences in the horizon over the failure modes scored.
    pub actual_total: u64,
    /// How many (failure mode, service) cells were scored.
    pub cells: usize,
    /// The share of failure modes whose actual count fell inside the forecast's interval.
    pub coverage: f64,
    /// Each method's figures, in [`Method::ALL`] order.
    pub scores: Vec<MethodScores>,
    /// Per failure mode, in the order of the scope.
    pub per_class: Vec<ClassOutcome>,
}

/// The backtest's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    /// The horizon, in days.
    pub horizon_days: u32,
    /// The interval level of the forecast.
    pub level: f64,
    /// One report per cutoff, in the order given.
    pub cutoffs: Vec<CutoffReport>,
    /// Each method's figures averaged over the cutoffs, in [`Method::ALL`] order. A rank
    /// correlation that is undefined at a cutoff (a constant prediction or outcome ranks nothing)
    /// counts as 0.
    pub mean: Vec<MethodScores>,
    /// At how many cutoffs the forecast did strictly better than both baselines, per figure.
    pub wins: Wins,
    /// Records without a usable date (none, or before 1970): in no fit and no horizon.
    pub undated: u64,
    /// Records with no failure mode of the catalogue.
    pub unclassified: u64,
}

/// At how many cutoffs the forecast beat both baselines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Wins {
    /// Higher rank correlation over failure modes (an undefined one counts as 0).
    pub spearman: usize,
    /// Lower mean absolute error over failure modes.
    pub mae: usize,
    /// Higher rank correlation over (failure mode, service) cells.
    pub service_spearman: usize,
    /// Lower mean absolute error over cells.
    pub service_mae: usize,
    /// Of how many cutoffs.
    pub of: usize,
}

/// Streams records into one fit per cutoff and the counts of each horizon.
#[derive(Debug)]
pub struct Backtest {
    catalogue: Catalogue,
    cutoffs: Vec<(Date, i32)>,
    horizon_days: u32,
    fits: Vec<Aggregator>,
    /// Per cutoff: (failure mode, number of the service or of "") → occurrences in the horizon.
    actual: Vec<Map<(usize, u32), u64>>,
    /// The services of the records in some horizon, numbered.
    services: Names,
    undated: u64,
    unclassified: u64,
}

impl Backtest {
    /// A backtest at `cutoffs` with a horizon of `horizon_days`.
    pub fn new(catalogue: &Catalogue, cutoffs: &[Date], horizon_days: u32) -> Backtest {
        Backtest {
            catalogue: catalogue.clone(),
            cutoffs: cutoffs.iter().map(|&d| (d, day_number(d))).collect(),
            horizon_days,
            fits: cutoffs.iter().map(|_| Aggregator::new(catalogue)).collect(),
            actual: vec![Map::default(); cutoffs.len()],
            services: Names::default(),
            undated: 0,
            unclassified: 0,
        }
    }

    /// Adds one record, classified as for [`Aggregator::add`].
    pub fn add<S: AsRef<str>>(&mut self, record: &EscapeRecord, matched: &[S]) {
        let (known, unknown) = self.catalogue.classes_of(record, matched);
        if known.is_empty() {
            self.unclassified += 1;
        }
        let Some(day) = record
            .occurred_at
            .as_ref()
            .map(|at| day_number(at.date))
            .filter(|&d| d >= 0)
        else {
            self.undated += 1;
            return;
        };
        let horizon = self.horizon_days as i32;
        for (i, &(_, cutoff)) in self.cutoffs.iter().enumerate() {
            if day < cutoff {
                self.fits[i].add_resolved(record, &known, &unknown);
            } else if day < cutoff + horizon {
                let service = self
                    .services
                    .intern(record.service.as_deref().unwrap_or_default());
                for &k in &known {
                    *self.actual[i].entry((k, service)).or_default() += 1;
                }
            }
        }
    }

    /// Scores every cutoff. `scope` lists the failure modes to score (the ids a truth mapping
    /// can produce, say); without it, every failure mode that occurs before or in the horizon of
    /// some cutoff is scored.
    pub fn finish(self, settings: &Settings, scope: Option<&[String]>) -> BacktestReport {
        let cat = &self.catalogue;
        let scope: Vec<usize> = match scope {
            Some(ids) => {
                let set: BTreeSet<usize> = ids
                    .iter()
                    .filter_map(|id| cat.index.get(id).copied())
                    .collect();
                set.into_iter().collect()
            }
            None => {
                let mut set = BTreeSet::new();
                for (fit, actual) in self.fits.iter().zip(&self.actual) {
                    set.extend((0..fit.classes.len()).filter(|&k| !fit.classes[k].days.is_empty()));
                    set.extend(actual.keys().map(|(k, _)| *k));
                }
                set.into_iter().collect()
            }
        };
        let h = f64::from(self.horizon_days);
        let horizon = self.horizon_days as i32;
        let mut cutoffs = Vec::new();
        for ((aggregate, actual), &(date, cutoff)) in
            self.fits.iter().zip(&self.actual).zip(&self.cutoffs)
        {
            let as_of = cutoff - 1;
            let first = aggregate.totals.days.iter().next().map(|(d, _)| d);
            let class_days: Vec<&DayCounts> = aggregate.classes.iter().map(|c| &c.days).collect();
            let window = Window {
                as_of,
                first,
                half_life: settings.half_life_days,
            };
            let exposure = window.exposure();
            let length = first.map_or(0.0, |f| f64::from(as_of - f + 1));
            let decayed: Vec<f64> = class_days.iter().map(|d| window.decayed_days(d)).collect();
            let fit = Fit {
                prior: empirical_prior(&decayed, exposure),
                exposure,
                burstiness: burstiness(class_days.iter().copied(), first, as_of, self.horizon_days),
                horizon_days: self.horizon_days,
                level: settings.level,
            };
            let mut actual_by_class = vec![0u64; cat.failure_modes.len()];
            for ((k, _), n) in actual {
                actual_by_class[*k] += n;
            }
            let mut per_class = Vec::new();
            let mut inside = 0usize;
            // Cells: every scoped failure mode × every service seen before the cutoff or in the
            // horizon.
            let mut services: BTreeSet<&str> = aggregate
                .totals
                .service_months
                .iter()
                .enumerate()
                .filter(|(_, months)| !months.is_empty())
                .map(|(s, _)| aggregate.services.name(s as u32))
                .collect();
            services.extend(
                actual
                    .keys()
                    .map(|&(_, s)| self.services.name(s))
                    .filter(|s| !s.is_empty()),
            );
            let shares = Shares::new(
                &aggregate.totals.service_months,
                &aggregate.services,
                &window,
            );
            let mut cells: Vec<[f64; 4]> = Vec::new();
            for &k in &scope {
                let class = &aggregate.classes[k];
                let f = fit.forecast(decayed[k]);
                let last: u64 = class_days[k]
                    .range(cutoff - horizon, cutoff - 1)
                    .map(|(_, n)| n)
                    .sum();
                let total: u64 = class.days.total();
                let mean = per_day(total as f64, length) * h;
                let act = actual_by_class[k];
                if (f.low..=f.high).contains(&act) {
                    inside += 1;
                }
                for &service in &services {
                    let number = aggregate.services.get(service);
                    let agg = number.and_then(|s| class.services.get(&s));
                    let dec = agg.map_or(0.0, |a| window.decayed_months(&a.months));
                    let overall = number.map_or(0.0, |s| shares.of(s));
                    let share = service_share(decayed[k], dec, overall);
                    let s_f = fit.thinned(&f, share, dec);
                    let s_last = agg.map_or(0.0, |a| prorated(&a.months, cutoff - horizon, cutoff));
                    let s_total = agg.map_or(0, |a| a.months.total());
                    let s_act = self
                        .services
                        .get(service)
                        .and_then(|s| actual.get(&(k, s)))
                        .copied()
                        .unwrap_or(0);
                    cells.push([
                        s_f.median as f64,
                        s_last,
                        per_day(s_total as f64, length) * h,
                        s_act as f64,
                    ]);
                }
                per_class.push(ClassOutcome {
                    failure_mode: cat.failure_modes[k].id.clone(),
                    actual: act,
                    expected: f.expected,
                    median: f.median,
                    low: f.low,
                    high: f.high,
                    last_period: last as f64,
                    mean_rate: mean,
                });
            }
            let actual_counts: Vec<f64> = per_class.iter().map(|c| c.actual as f64).collect();
            let cell_actual: Vec<f64> = cells.iter().map(|c| c[3]).collect();
            let scores = Method::ALL
                .iter()
                .enumerate()
                .map(|(m, &method)| {
                    let predicted: Vec<f64> = per_class
                        .iter()
                        .map(|c| match method {
                            Method::Forecast => c.median as f64,
                            Method::LastPeriod => c.last_period,
                            Method::MeanRate => c.mean_rate,
                        })
                        .collect();
                    let cell_predicted: Vec<f64> = cells.iter().map(|c| c[m]).collect();
                    MethodScores {
                        method,
                        spearman: spearman(&predicted, &actual_counts),
                        mae: mae(&predicted, &actual_counts),
                        service_spearman: spearman(&cell_predicted, &cell_actual),
                        service_mae: mae(&cell_predicted, &cell_actual),
                    }
                })
                .collect();
            cutoffs.push(CutoffReport {
                cutoff: date.to_string(),
                fitted: aggregate.totals.classified,
                actual_total: actual_counts.iter().sum::<f64>() as u64,
                cells: cells.len(),
                coverage: if per_class.is_empty() {
                    0.0
                } else {
                    inside as f64 / per_class.len() as f64
                },
                scores,
                per_class,
            });
        }
        let (mean, wins) = summarise(&cutoffs);
        BacktestReport {
            horizon_days: self.horizon_days,
            level: settings.level,
            cutoffs,
            mean,
            wins,
            undated: self.undated,
            unclassified: self.unclassified,
        }
    }
}

/// The mean of each method's figures over the cutoffs, and the forecast's wins.
fn summarise(cutoffs: &[CutoffReport]) -> (Vec<MethodScores>, Wins) {
    let n = cutoffs.len().max(1) as f64;
    let figures = |c: &CutoffReport, m: usize| {
        let s = &c.scores[m];
        [
            s.spearman.unwrap_or(0.0),
            s.mae,
            s.service_spearman.unwrap_or(0.0),
            s.service_mae,
        ]
    };
    let mean = Method::ALL
        .iter()
        .enumerate()
        .map(|(m, &method)| {
            let mut sum = [0.0; 4];
            for c in cutoffs {
                for (acc, v) in sum.iter_mut().zip(figures(c, m)) {
                    *acc += v;
                }
            }
            MethodScores {
                method,
                spearman: Some(sum[0] / n),
                mae: sum[1] / n,
                service_spearman: Some(sum[2] / n),
                service_mae: sum[3] / n,
            }
        })
        .collect();
    let mut wins = Wins {
        spearman: 0,
        mae: 0,
        service_spearman: 0,
        service_mae: 0,
        of: cutoffs.len(),
    };
    for c in cutoffs {
        let [f, l, m] = [0, 1, 2].map(|i| figures(c, i));
        let higher = |i: usize| f[i] > l[i] && f[i] > m[i];
        let lower = |i: usize| f[i] < l[i] && f[i] < m[i];
        wins.spearman += usize::from(higher(0));
        wins.mae += usize::from(lower(1));
        wins.service_spearman += usize::from(higher(2));
        wins.service_mae += usize::from(lower(3));
    }
    (mean, wins)
}

fn per_day(count: f64, days: f64) -> f64 {
    if days > 0.0 { count / days } else { 0.0 }
}

/// Monthly counts in `[from, to)`, each month's count taken in proportion to the days of it in
/// the range.
fn prorated(months: &MonthCounts, from: i32, to: i32) -> f64 {
    months
        .range(month_of_day(from), month_of_day(to - 1))
        .map(|(m, n)| {
            let (start, end) = (first_day_of_month(m), first_day_of_month(m + 1));
            let overlap = (end.min(to) - start.max(from)).max(0);
            n as f64 * f64::from(overlap) / f64::from(end - start)
        })
        .sum()
}

/// Mean absolute error; 0 for no items.
pub(crate) fn mae(predicted: &[f64], actual: &[f64]) -> f64 {
    if actual.is_empty() {
        return 0.0;
    }
    predicted
        .iter()
        .zip(actual)
        .map(|(p, a)| (p - a).abs())
        .sum::<f64>()
        / actual.len() as f64
}

/// Spearman's rank correlation with tied ranks averaged (Pearson's on the ranks). `None` with
/// fewer than two items or when either side is constant.
pub(crate) fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() < 2 || x.len() != y.len() {
        return None;
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = rx.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

/// Ranks from 1, ties sharing their mean rank.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            out[o] = rank;
        }
        i = j + 1;
    }
    out
}
