//! The forecast: an exponentially decayed gamma-Poisson rate per failure mode, shrunk towards the
//! catalogue's pooled rate (empirical Bayes), and its negative-binomial predictive interval.
//!
//! The method, its assumptions and its backtest are described in `docs/forecast.md`.

use serde::Serialize;

use crate::counts::DayCounts;

/// A forecast of how many times something occurs in the next `horizon_days`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// The period forecast, in days from the as-of date.
    pub horizon_days: u32,
    /// The expected count in the period (the predictive mean): expected counts add up across
    /// failure modes and services.
    pub expected: f64,
    /// The predictive median: the point forecast that minimises the expected absolute error,
    /// and the one the backtest scores. For bursty counts it is well below the mean.
    pub median: u64,
    /// The interval's lower bound: a count, never above `expected` rounded down.
    pub low: u64,
    /// The interval's upper bound: a count, never below `expected` rounded up.
    pub high: u64,
    /// The interval's probability (0.8: the count falls in `low..=high` with probability of at
    /// least 80% under the model).
    pub level: f64,
    /// How the forecast came about, for its explanation.
    pub basis: Basis,
}

/// The numbers a forecast is computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Basis {
    /// Occurrences weighted by age: one today counts 1, one a half-life ago 0.5.
    pub decayed_count: f64,
    /// The history's length in days, weighted by age the same way.
    pub exposure_days: f64,
    /// The prior's shape (pseudo-occurrences), from all failure modes together.
    pub prior_count: f64,
    /// The prior's weight in days of exposure.
    pub prior_days: f64,
    /// The posterior daily rate, `(prior_count + decayed_count) / (prior_days + exposure_days)`
    /// (for a service: times its share).
    pub daily_rate: f64,
    /// How bursty the history is: the negative-binomial shape `k` of counts per horizon-long
    /// period, pooled over failure modes (variance `μ + μ²/k`); `None` when the counts look
    /// Poisson or the history is shorter than two periods.
    pub burstiness: Option<f64>,
    /// The predictive's shape: `k` combined with the rate's own uncertainty.
    pub shape: f64,
}

/// A gamma prior on daily rates: `shape` pseudo-occurrences over `days` pseudo-days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Prior {
    pub shape: f64,
    pub days: f64,
}

/// The smallest prior shape: a failure mode never seen still gets a small, non-zero rate.
const MIN_SHAPE: f64 = 0.05;

/// The empirical-Bayes prior from the decayed counts of all classes over the same `exposure`:
/// its mean is the pooled rate, and its strength comes from how much the classes' rates vary
/// beyond Poisson noise (method of moments). Classes that vary a lot get a weak prior, so each
/// follows its own history; classes that look alike are pulled together.
pub(crate) fn empirical_prior(decayed: &[f64], exposure: f64) -> Prior {
    let k = decayed.len() as f64;
    if decayed.is_empty() || exposure <= 0.0 {
        return Prior {
            shape: MIN_SHAPE,
            days: 0.0,
        };
    }
    let rates: Vec<f64> = decayed.iter().map(|n| n / exposure).collect();
    let mean = rates.iter().sum::<f64>() / k;
    if mean <= 0.0 {
        return Prior {
            shape: MIN_SHAPE,
            days: 0.0,
        };
    }
    let var = if decayed.len() > 1 {
        rates.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (k - 1.0)
    } else {
        0.0
    };
    // The spread of the true rates is what the observed spread has beyond Poisson noise; never
    // less than a tenth of the mean squared (a coefficient of variation of about 0.3), so the
    // prior can never outweigh a class's own history completely.
    let between = (var - mean / exposure).max(0.1 * mean * mean);
    let days = mean / between;
    let shape = (mean * days).max(MIN_SHAPE);
    Prior { shape, days }
}

/// The burstiness of the history: the negative-binomial shape `k` of the counts per period of
/// `horizon` days, over the whole periods that end at `as_of`, pooled across classes by the
/// method of moments (`k = Σ m² / Σ (v − m)`, with `m` and `v` each class's mean and variance
/// per period). `None` with fewer than two periods or no variance beyond Poisson's.
pub(crate) fn burstiness<'a>(
    classes: impl IntoIterator<Item = &'a DayCounts>,
    first: Option<i32>,
    as_of: i32,
    horizon: u32,
) -> Option<f64> {
    let first = first?;
    let h = i32::try_from(horizon).ok().filter(|&h| h > 0)?;
    let periods = (as_of - first + 1) / h;
    if periods < 2 {
        return None;
    }
    let from = as_of - periods * h + 1;
    let (mut num, mut den) = (0.0f64, 0.0f64);
    let mut counts = vec![0u64; periods as usize];
    for days in classes {
        counts.iter_mut().for_each(|c| *c = 0);
        for (d, n) in days.range(from, as_of) {
            counts[((as_of - d) / h) as usize] += n;
        }
        let p = f64::from(periods);
        let m = counts.iter().sum::<u64>() as f64 / p;
        let v = counts.iter().map(|&c| (c as f64 - m).powi(2)).sum::<f64>() / (p - 1.0);
        num += m * m;
        den += (v - m).max(0.0);
    }
    (den > 0.0 && num > 0.0).then(|| num / den)
}

/// What the forecasts of one as-of date share.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fit {
    pub prior: Prior,
    pub exposure: f64,
    pub burstiness: Option<f64>,
    pub horizon_days: u32,
    pub level: f64,
}

impl Fit {
    /// The forecast of a class with this decayed count.
    pub fn forecast(&self, decayed_count: f64) -> Forecast {
        let shape = self.prior.shape + decayed_count;
        let rate_days = self.prior.days + self.exposure;
        let daily_rate = if rate_days > 0.0 {
            shape / rate_days
        } else {
            0.0
        };
        self.predictive(decayed_count, daily_rate, shape)
    }

    /// The forecast of a share of a class (a service's): the class's rate thinned, which keeps
    /// its shape.
    pub fn thinned(&self, class: &Forecast, share: f64, decayed_count: f64) -> Forecast {
        let b = &class.basis;
        self.predictive(
            decayed_count,
            b.daily_rate * share.clamp(0.0, 1.0),
            b.prior_count + b.decayed_count,
        )
    }

    fn predictive(&self, decayed_count: f64, daily_rate: f64, rate_shape: f64) -> Forecast {
        let expected = daily_rate * f64::from(self.horizon_days);
        // Burstiness and the uncertainty of the rate add up: 1/shape = 1/k + 1/rate_shape.
        let shape = match self.burstiness {
            Some(k) => 1.0 / (1.0 / k + 1.0 / rate_shape.max(MIN_SHAPE)),
            None => rate_shape.max(MIN_SHAPE),
        };
        let (median, low, high) = if expected > 0.0 {
            let p = shape / (shape + expected);
            let tail = (1.0 - self.level) / 2.0;
            (
                nb_quantile(shape, p, 0.5),
                nb_quantile(shape, p, tail).min(expected.floor() as u64),
                nb_quantile(shape, p, 1.0 - tail).max(expected.ceil() as u64),
            )
        } else {
            (0, 0, 0)
        };
        Forecast {
            horizon_days: self.horizon_days,
            expected,
            median,
            low,
            high,
            level: self.level,
            basis: Basis {
                decayed_count,
                exposure_days: self.exposure,
                prior_count: self.prior.shape,
                prior_days: self.prior.days,
                daily_rate,
                burstiness: self.burstiness,
                shape,
            },
        }
    }
}

/// The smallest `k` with `P(X ≤ k) ≥ q` for a negative binomial with shape `r` and success
/// probability `p` (mean `r (1 - p) / p`): the predictive of a Poisson count whose rate has a
/// gamma posterior.
pub(crate) fn nb_quantile(r: f64, p: f64, q: f64) -> u64 {
    if r <= 0.0 || p >= 1.0 {
        return 0;
    }
    let mean = r * (1.0 - p) / p;
    let var = mean / p;
    // Far from zero the pmf's first term underflows and the sum is long: a normal approximation
    // with a continuity correction is accurate there.
    let log_p0 = r * p.ln();
    if log_p0 < -600.0 || mean > 5_000.0 {
        let z = normal_quantile(q);
        return (mean + z * var.sqrt() - 0.5).ceil().max(0.0) as u64;
    }
    let mut pk = log_p0.exp();
    let mut cdf = pk;
    let mut k = 0u64;
    let limit = (mean + 40.0 * var.sqrt() + 50.0) as u64;
    while cdf < q && k < limit {
        pk *= (k as f64 + r) / (k as f64 + 1.0) * (1.0 - p);
        k += 1;
        cdf += pk;
    }
    k
}

/// The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9).
fn normal_quantile(q: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let q = q.clamp(1e-12, 1.0 - 1e-12);
    let low = 0.024_25;
    if q < low {
        let t = (-2.0 * q.ln()).sqrt();
        (((((C[0] * t + C[1]) * t + C[2]) * t + C[3]) * t + C[4]) * t + C[5])
            / ((((D[0] * t + D[1]) * t + D[2]) * t + D[3]) * t + 1.0)
    } else if q <= 1.0 - low {
        let u = q - 0.5;
        let t = u * u;
        (((((A[0] * t + A[1]) * t + A[2]) * t + A[3]) * t + A[4]) * t + A[5]) * u
            / (((((B[0] * t + B[1]) * t + B[2]) * t + B[3]) * t + B[4]) * t + 1.0)
    } else {
        -normal_quantile(1.0 - q)
    }
}

/// The weight of something `age_days` old: `2^(-age / half_life)`.
pub(crate) fn decay(age_days: f64, half_life_days: f64) -> f64 {
    (-age_days.max(0.0) * std::f64::consts::LN_2 / half_life_days).exp()
}

/// The decayed length of a history of `days` days ending at the as-of date:
/// `Σ_{a=0}^{days-1} decay(a)`, a geometric series.
pub(crate) fn decayed_exposure(days: f64, half_life_days: f64) -> f64 {
    if days <= 0.0 {
        return 0.0;
    }
    let g = decay(1.0, half_life_days);
    (1.0 - g.powf(days)) / (1.0 - g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nb_quantiles_bracket_the_mean_and_grow_with_q() {
        // r = 4, p = 0.5: mean 4.
        let lo = nb_quantile(4.0, 0.5, 0.1);
        let hi = nb_quantile(4.0, 0.5, 0.9);
        assert!(lo < 4 && hi > 4, "{lo} {hi}");
        assert!(nb_quantile(4.0, 0.5, 0.5) <= nb_quantile(4.0, 0.5, 0.6));
        // The normal branch agrees with the exact sum where both apply.
        let exact = nb_quantile(3000.0, 0.5, 0.9);
        let mean: f64 = 3000.0;
        let approx = (mean + normal_quantile(0.9) * (mean / 0.5).sqrt() - 0.5).ceil() as u64;
        assert!(exact.abs_diff(approx) <= 2, "{exact} {approx}");
    }

    #[test]
    fn normal_quantile_is_accurate() {
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-6);
        assert!((normal_quantile(0.5)).abs() < 1e-12);
        assert!((normal_quantile(0.1) + 1.281_551_566).abs() < 1e-6);
    }

    #[test]
    fn the_prior_pools_classes_and_shrinks_little_when_they_differ() {
        let fit = Fit {
            prior: empirical_prior(&[0.0, 0.0, 100.0], 365.0),
            exposure: 365.0,
            burstiness: None,
            horizon_days: 90,
            level: 0.8,
        };
        let f = fit.forecast(100.0);
        // Mostly the class's own rate: 100/365 a day, about 24.7 in 90 days.
        assert!((f.expected - 24.66).abs() < 2.0, "{f:?}");
        let quiet = fit.forecast(0.0);
        assert!(quiet.expected > 0.0 && quiet.expected < 5.0, "{quiet:?}");
    }

    #[test]
    fn bursts_lower_the_shape_and_the_median() {
        // One class: 40 in one 30-day period of six, nothing in the others.
        let mut bursty = DayCounts::default();
        bursty.add(100, 40);
        let mut steady = DayCounts::default();
        for d in (0..180).step_by(6) {
            steady.add(d, 1);
        }
        let k_bursty = burstiness([&bursty], Some(0), 179, 30).unwrap();
        assert!(k_bursty < 1.0, "{k_bursty}");
        assert_eq!(
            burstiness([&steady], Some(0), 179, 30),
            None,
            "Poisson-like: no extra variance"
        );
        let fit = |k| Fit {
            prior: Prior {
                shape: 0.05,
                days: 0.0,
            },
            exposure: 180.0,
            burstiness: k,
            horizon_days: 30,
            level: 0.8,
        };
        let poisson = fit(None).forecast(40.0);
        let clumped = fit(Some(k_bursty)).forecast(40.0);
        assert!((poisson.expected - clumped.expected).abs() < 1e-9);
        assert!(clumped.median < poisson.median, "{clumped:?} {poisson:?}");
        assert!(clumped.high > poisson.high);
    }

    #[test]
    fn exposure_is_the_geometric_sum() {
        let direct: f64 = (0..400).map(|a| decay(f64::from(a), 90.0)).sum();
        assert!((decayed_exposure(400.0, 90.0) - direct).abs() < 1e-6);
    }
}
