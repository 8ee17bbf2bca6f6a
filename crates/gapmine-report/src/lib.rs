//! Renders the leadership view of a history of escapes: the ranked systemic gaps of a
//! [`Ranking`] (each score explained, its evidence, trend, forecast and recommended
//! interventions), the delivery pipeline as a line of stations, and the unclassified records.
//!
//! The crate computes nothing about the history itself: `gapmine-rank` does (this crate only
//! counts, per record, which station detected it, to draw the pipeline). It does no IO: each
//! renderer returns a `String`, and the CLI writes it.
//!
//! - [`terminal`]: for a person at a terminal, coloured where asked;
//! - [`markdown`]: GitHub-flavoured, sized for a pull-request comment (long lists collapsed);
//! - [`html`]: one self-contained page, inline CSS and SVG charts, no script, printable;
//! - [`json`]: the whole report as one JSON document, described by [`schema::schema`].

#![warn(clippy::disallowed_methods)]

use std::collections::HashMap;

use gapmine_rank::Ranking;
use serde::Serialize;

pub mod html;
pub mod json;
pub mod markdown;
pub mod schema;
pub mod terminal;
mod text;

/// Everything a report shows.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// Where the data came from.
    pub meta: &'a Meta,
    /// The ranking of the history.
    pub ranking: &'a Ranking,
    /// The delivery pipeline, station by station.
    pub pipeline: &'a Pipeline,
}

/// Where a report's data came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Meta {
    /// The catalogue's name.
    pub catalogue: String,
    /// The catalogue's version.
    pub version: String,
    /// The record files read, as shown to the user.
    pub sources: Vec<String>,
    /// Non-blank lines read from them.
    pub lines: u64,
    /// Lines rejected by the reader (malformed, duplicate ids, bad dates): not in the ranking.
    pub rejected: u64,
    /// `--since`: records dated before it were left out.
    pub since: Option<String>,
    /// Records dated before `since`, left out.
    pub before_since: u64,
}

/// A control of the catalogue: a station of the pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its stage: lower stages come first.
    pub stage: i64,
}

/// Counts, record by record, where each escape was detected (its `detected_by`). Memory grows
/// with the number of distinct values, never with the number of records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetectionTally {
    by: HashMap<String, u64>,
    none: u64,
}

impl DetectionTally {
    /// Counts one record.
    pub fn add(&mut self, detected_by: Option<&str>) {
        match detected_by {
            Some(by) => match self.by.get_mut(by) {
                Some(n) => *n += 1,
                None => {
                    self.by.insert(by.to_string(), 1);
                }
            },
            None => self.none += 1,
        }
    }

    /// Adds another tally's counts.
    pub fn merge(&mut self, other: DetectionTally) {
        for (by, n) in other.by {
            *self.by.entry(by).or_default() += n;
        }
        self.none += other.none;
    }
}

/// The delivery pipeline, drawn as a line of stations.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Pipeline {
    /// The controls in stage order (ties by id).
    pub stations: Vec<Station>,
    /// Records detected by something that is not a control of the catalogue, with counts, most
    /// first: they are on no station.
    pub elsewhere: Vec<(String, u64)>,
    /// Records that do not say where they were detected.
    pub unknown: u64,
}

/// One station: a control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Station {
    /// The control's id.
    pub control: String,
    /// Its title.
    pub title: String,
    /// Its stage.
    pub stage: i64,
    /// Records detected here (their `detected_by` names it).
    pub detected: u64,
    /// Records detected at a later station: escapes that passed this one.
    pub passed: u64,
    /// The gaps this station should have stopped (their `caught-by`), in ranking order.
    pub should_stop: Vec<StopClass>,
}

/// A gap a station should have stopped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StopClass {
    /// The failure mode's id.
    pub failure_mode: String,
    /// Its title.
    pub title: String,
    /// Its occurrences.
    pub occurrences: u64,
    /// Of those with a known detection stage, how many were detected later than this station.
    pub leaked: u64,
}

impl Pipeline {
    /// The pipeline of `controls`, with each station's counts from `tally` and the gaps of
    /// `ranking` placed at the control that should have caught them.
    pub fn build(controls: &[Control], tally: &DetectionTally, ranking: &Ranking) -> Pipeline {
        let mut controls: Vec<&Control> = controls.iter().collect();
        controls.sort_by(|a, b| a.stage.cmp(&b.stage).then_with(|| a.id.cmp(&b.id)));
        let stage_of: HashMap<&str, i64> =
            controls.iter().map(|c| (c.id.as_str(), c.stage)).collect();
        let stations = controls
            .iter()
            .map(|c| {
                let passed = tally
                    .by
                    .iter()
                    .filter(|(by, _)| stage_of.get(by.as_str()).is_some_and(|&s| s > c.stage))
                    .map(|(_, n)| n)
                    .sum();
                let should_stop = ranking
                    .gaps
                    .iter()
                    .filter(|g| g.caught_by.as_deref() == Some(c.id.as_str()))
                    .map(|g| StopClass {
                        failure_mode: g.failure_mode.clone(),
                        title: g.title.clone(),
                        occurrences: g.occurrences,
                        leaked: g.lateness.leaked,
                    })
                    .collect();
                Station {
                    control: c.id.clone(),
                    title: c.title.clone(),
                    stage: c.stage,
                    detected: tally.by.get(&c.id).copied().unwrap_or(0),
                    passed,
                    should_stop,
                }
            })
            .collect();
        let mut elsewhere: Vec<(String, u64)> = tally
            .by
            .iter()
            .filter(|(by, _)| !stage_of.contains_key(by.as_str()))
            .map(|(by, n)| (by.clone(), *n))
            .collect();
        elsewhere.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Pipeline {
            stations,
            elsewhere,
            unknown: tally.none,
        }
    }
}

#[cfg(test)]
mod tests;
