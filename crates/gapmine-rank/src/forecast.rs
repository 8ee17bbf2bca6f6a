//! The forecast: an exponentially decayed gamma-Poisson rate per failure mode, shrunk towards the
//! catalogue's pooled rate (empirical Bayes), and its negative-binomial predictive interval.
//!
//! The method, its assumptions and its backtest are described in `docs/forecast.md`.

use serde::Serialize;

/// A forecast of how many times something occurs in the next `horizon_days`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// The period forecast, in days from the as-of date.
    pub horizon_days: u32,
    /// The expected count in the period (the predictive mean).
    pub expected: f64,
    /// The interval's lower bound: a count.
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
    /// The prior's shape (pseudo-occurrences) from all failure modes (or services) together.
    pub prior_count: f64,
    /// The prior's weight in days of exposure.
    pub prior_days: f64,
    /// The posterior daily rate, `(prior_count + decayed_count) / (prior_days + exposure_days)`.
    pub daily_rate: f64,
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

/// The forecast from a decayed count over a decayed exposure, with a prior.
pub(crate) fn forecast(
    decayed_count: f64,
    exposure_days: f64,
    prior: Prior,
    horizon_days: u32,
    level: f64,
) -> Forecast {
    let shape = prior.shape + decayed_count;
    let rate_days = prior.days + exposure_days;
    let h = f64::from(horizon_days);
    let (expected, low, high, daily_rate) = if rate_days <= 0.0 {
        (0.0, 0, 0, 0.0)
    } else {
        let daily = shape / rate_days;
        let expected = daily * h;
        let p = rate_days / (rate_days + h);
        let tail = (1.0 - level) / 2.0;
        let low = nb_quantile(shape, p, tail);
        let high = nb_quantile(shape, p, 1.0 - tail).max(expected.ceil() as u64);
        (expected, low.min(expected.floor() as u64), high, daily)
    };
    Forecast {
        horizon_days,
        expected,
        low,
        high,
        level,
        basis: Basis {
            decayed_count,
            exposure_days,
            prior_count: prior.shape,
            prior_days: prior.days,
            daily_rate,
        },
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
        let prior = empirical_prior(&[0.0, 0.0, 100.0], 365.0);
        let f = forecast(100.0, 365.0, prior, 90, 0.8);
        // Mostly the class's own rate: 100/365 a day, about 24.7 in 90 days.
        assert!((f.expected - 24.66).abs() < 2.0, "{f:?}");
        let quiet = forecast(0.0, 365.0, prior, 90, 0.8);
        assert!(quiet.expected > 0.0 && quiet.expected < 5.0, "{quiet:?}");
    }

    #[test]
    fn exposure_is_the_geometric_sum() {
        let direct: f64 = (0..400).map(|a| decay(f64::from(a), 90.0)).sum();
        assert!((decayed_exposure(400.0, 90.0) - direct).abs() < 1e-6);
    }
}
