//! Ranks the failure modes of a catalogue over a history of classified escape records, forecasts
//! each one's next period, and recommends the interventions that resolve them.
//!
//! The crate is pure: no IO, no environment, no salsa. It streams: an [`Aggregator`] takes one
//! classified record at a time and keeps per-failure-mode aggregates only (daily counts, counts
//! per service and team, how each was detected, a few example records), so its memory does not
//! grow with the number of records.
//!
//! ```text
//! let catalogue = Catalogue::new(&entries);          // the checked model, indexed once
//! let mut agg = Aggregator::new(&catalogue);
//! for (record, matched) in history {                  // in any order
//!     agg.add(&record, &matched);                     // the record's own `failure_modes` win
//! }
//! let ranking = agg.finish(&catalogue, &settings, as_of);
//! for gap in &ranking.gaps {                          // highest priority first
//!     gap.score.value;                                // = Σ gap.score.terms[i].contribution
//!     gap.forecast.expected;                          // next `horizon_days`, with low..=high
//!     gap.recommendations;                            // best first; empty ⇒ gap.uncovered
//! }
//! ```
//!
//! - The priority score is a weighted mean of five terms in `[0, 1]` (frequency, recency, spread,
//!   lateness, severity), so every score is explained term by term: [`Score`], `docs/ranking.md`.
//! - The forecast is an exponentially decayed gamma-Poisson rate with an empirical-Bayes prior
//!   across failure modes, and a negative-binomial interval: [`Forecast`], `docs/forecast.md`.
//! - [`Backtest`] fits on the records before each cutoff and scores the forecast and two
//!   baselines against what happened in the horizon after it.

#![warn(clippy::disallowed_methods)]

mod aggregate;
mod backtest;
mod catalogue;
mod counts;
pub mod date;
mod forecast;
mod rank;
mod recommend;

pub use aggregate::{Aggregator, EXAMPLES_PER_CLASS, Example, UNCLASSIFIED_SAMPLE};
pub use backtest::{
    Backtest, BacktestReport, ClassOutcome, CutoffReport, Method, MethodScores, Wins,
};
pub use catalogue::Catalogue;
pub use forecast::{Basis, Forecast};
pub use rank::{
    DataQuality, Gap, Lateness, MonthCount, ObjectiveRef, Ranking, Score, ServiceForecast, Term,
    TermKind,
};
pub use recommend::{EvidenceSummary, Recommendation, Sensor};

/// How much each term counts in the priority score. Any non-negative numbers: the score divides
/// by their sum, so only their ratios matter. A catalogue sets them in its manifest's
/// `priority` block (`docs/ranking.md`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Weights {
    /// How often the failure mode occurred over the whole history.
    pub frequency: f64,
    /// How often lately: its recency-weighted rate.
    pub recency: f64,
    /// How widely: distinct services and teams.
    pub spread: f64,
    /// How late it was caught, against the control that should have caught it.
    pub lateness: f64,
    /// How bad: the severity of the objectives it threatens.
    pub severity: f64,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            frequency: 1.0,
            recency: 2.0,
            spread: 1.0,
            lateness: 1.0,
            severity: 1.5,
        }
    }
}

/// Everything that tunes a ranking.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Settings {
    /// The priority score's weights.
    pub weights: Weights,
    /// The half-life of an occurrence's weight in the recency term and the forecast, in days.
    pub half_life_days: f64,
    /// The period forecast, in days.
    pub horizon_days: u32,
    /// The probability of the forecast intervals (0.8 by default).
    pub level: f64,
    /// How many services each failure mode's per-service forecast lists (the largest first).
    pub services_per_forecast: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            weights: Weights::default(),
            half_life_days: DEFAULT_HALF_LIFE_DAYS,
            horizon_days: 90,
            level: 0.8,
            services_per_forecast: 10,
        }
    }
}

impl Settings {
    /// The defaults with the weights and half-life a manifest's `priority` node sets.
    pub fn from_priority(priority: &gapmine_model::Priority) -> Settings {
        let mut settings = Settings::default();
        let w = &mut settings.weights;
        for (slot, value) in [
            (&mut w.frequency, priority.frequency),
            (&mut w.recency, priority.recency),
            (&mut w.spread, priority.spread),
            (&mut w.lateness, priority.lateness),
            (&mut w.severity, priority.severity),
            (&mut settings.half_life_days, priority.half_life_days),
        ] {
            if let Some(v) = value {
                *slot = v.0;
            }
        }
        settings
    }
}

/// The default half-life of the recency weighting, in days (`docs/forecast.md` says why).
pub const DEFAULT_HALF_LIFE_DAYS: f64 = 180.0;

#[cfg(test)]
mod tests;
