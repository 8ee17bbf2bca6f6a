//! The streaming half: an [`Aggregator`] takes one classified record at a time and keeps only
//! per-failure-mode aggregates, so memory grows with the number of failure modes, services, teams
//! and distinct days, never with the number of records.

use std::collections::BTreeMap;

use gapmine_records::EscapeRecord;

use crate::catalogue::{Catalogue, Map};
use crate::date::{day_number, month_of_day};

/// How many example records each failure mode keeps (the most recent ones).
pub const EXAMPLES_PER_CLASS: usize = 5;
/// How many unclassified records are kept as a sample (the most recent ones).
pub const UNCLASSIFIED_SAMPLE: usize = 20;
/// How many distinct unknown failure-mode ids are remembered by name.
const UNKNOWN_IDS: usize = 100;

/// A record kept as an example: enough to show and link it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Example {
    /// The record's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its `url`, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `occurred_at` as written, if the record has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<String>,
    /// Its service, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Its team, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(skip)]
    pub(crate) day: Option<i32>,
}

impl Example {
    fn of(record: &EscapeRecord, day: Option<i32>) -> Example {
        Example {
            id: record.id.clone(),
            title: record.title.clone(),
            url: record.url.clone(),
            occurred_at: record.occurred_at.as_ref().map(|at| at.text.clone()),
            service: record.service.clone(),
            team: record.team.clone(),
            day,
        }
    }

    /// Newest first; undated last; then by id, so the kept set does not depend on input order.
    fn key(&self) -> (std::cmp::Reverse<Option<i32>>, &str) {
        (std::cmp::Reverse(self.day), self.id.as_str())
    }
}

/// Whether a record dated `day` with this id would be among the `cap` newest examples.
fn would_keep(examples: &[Example], day: Option<i32>, id: &str, cap: usize) -> bool {
    examples.len() < cap
        || examples
            .last()
            .is_some_and(|last| (std::cmp::Reverse(day), id) < last.key())
}

/// A count slot by a borrowed key, allocating the key only when it is new.
fn slot<'a, V: Default>(map: &'a mut Map<String, V>, key: &str) -> &'a mut V {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), V::default());
    }
    map.get_mut(key).expect("inserted above")
}

/// Day counts in day order.
pub(crate) fn sorted(days: &Map<i32, u64>) -> BTreeMap<i32, u64> {
    days.iter().map(|(&d, &n)| (d, n)).collect()
}

/// Keeps the `cap` newest examples (by date, then id), whatever the order they come in.
fn keep_example(examples: &mut Vec<Example>, example: Example, cap: usize) {
    let pos = examples
        .binary_search_by(|e| e.key().cmp(&example.key()))
        .unwrap_or_else(|p| p);
    if pos < cap {
        examples.insert(pos, example);
        examples.truncate(cap);
    }
}

/// What one failure mode has accumulated.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClassAggregate {
    /// Every occurrence, dated or not.
    pub occurrences: u64,
    /// Occurrences without a usable date (none, or before 1970).
    pub undated: u64,
    /// Dated occurrences by day number (hashed while streaming: a tree's lookups cost more than
    /// the rest of a record's aggregation; sorted once, by [`sorted`], when finishing).
    pub days: Map<i32, u64>,
    /// Per service: all occurrences, and dated ones by month index.
    pub services: Map<String, ServiceAggregate>,
    /// Occurrences without a service.
    pub no_service: u64,
    /// Occurrences per team.
    pub teams: Map<String, u64>,
    /// Occurrences per `detected_by` value.
    pub detected_by: Map<String, u64>,
    /// The newest records.
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceAggregate {
    pub occurrences: u64,
    pub months: BTreeMap<i32, u64>,
}

/// Counts over every record, classified or not: what the report says about the input.
#[derive(Debug, Clone, Default)]
pub(crate) struct Totals {
    pub records: u64,
    pub classified: u64,
    pub unclassified: u64,
    /// Records with no `occurred_at`.
    pub undated: u64,
    /// Records dated before 1970.
    pub before_1970: u64,
    /// Dated records (from 1970) by day: the history's span and the records after `as_of`.
    pub days: Map<i32, u64>,
    /// Dated records per service, by month index: each service's share of the history.
    pub service_months: Map<String, BTreeMap<i32, u64>>,
    pub unclassified_sample: Vec<Example>,
    /// Failure-mode ids a record named that the catalogue does not have, with counts.
    pub unknown_ids: BTreeMap<String, u64>,
    /// Occurrences of unknown ids beyond the first [`UNKNOWN_IDS`] distinct ones.
    pub unknown_other: u64,
}

/// Streams classified records into per-failure-mode aggregates.
///
/// Feed it with [`add`](Aggregator::add) (in any order: the result does not depend on it), merge
/// aggregators built in parallel with [`merge`](Aggregator::merge), then call
/// [`finish`](Aggregator::finish) for the [`Ranking`](crate::Ranking).
#[derive(Debug, Clone)]
pub struct Aggregator {
    pub(crate) classes: Vec<ClassAggregate>,
    pub(crate) totals: Totals,
    /// Service of each record that an intervention's evidence names, as seen in the history.
    pub(crate) evidence_services: Map<String, Option<String>>,
    pub(crate) catalogue: Catalogue,
}

impl Aggregator {
    /// An empty aggregator for the failure modes of `catalogue`.
    pub fn new(catalogue: &Catalogue) -> Aggregator {
        Aggregator {
            classes: vec![ClassAggregate::default(); catalogue.failure_modes.len()],
            totals: Totals::default(),
            evidence_services: Map::default(),
            catalogue: catalogue.clone(),
        }
    }

    /// Adds one record with the failure modes it is classified as.
    ///
    /// The record's own confirmed `failure_modes` win when it has any (the matcher never overrides
    /// a person); otherwise `matched` (the matcher's classification, ids of the catalogue) is
    /// used. A record with neither is counted as unclassified. Of a record's failure modes only
    /// the most specific count (a child implies its parent; the record counts once, under the
    /// child). Ids the catalogue does not have are counted and reported, not ranked.
    pub fn add<S: AsRef<str>>(&mut self, record: &EscapeRecord, matched: &[S]) {
        let (known, unknown) = self.catalogue.classes_of(record, matched);
        self.add_resolved(record, &known, &unknown);
    }

    pub(crate) fn add_resolved(
        &mut self,
        record: &EscapeRecord,
        known: &[usize],
        unknown: &[&str],
    ) {
        let totals = &mut self.totals;
        totals.records += 1;
        let date = record.occurred_at.as_ref().map(|at| day_number(at.date));
        let day = match date {
            None => {
                totals.undated += 1;
                None
            }
            Some(d) if d < 0 => {
                totals.before_1970 += 1;
                None
            }
            Some(d) => {
                *totals.days.entry(d).or_default() += 1;
                if let Some(service) = &record.service {
                    *slot(&mut totals.service_months, service)
                        .entry(month_of_day(d))
                        .or_default() += 1;
                }
                Some(d)
            }
        };
        if self.catalogue.evidence_records.contains(&record.id) {
            self.evidence_services
                .insert(record.id.clone(), record.service.clone());
        }
        for id in unknown {
            if let Some(n) = totals.unknown_ids.get_mut(*id) {
                *n += 1;
            } else if totals.unknown_ids.len() < UNKNOWN_IDS {
                totals.unknown_ids.insert((*id).to_string(), 1);
            } else {
                totals.unknown_other += 1;
            }
        }
        if known.is_empty() {
            totals.unclassified += 1;
            if would_keep(
                &totals.unclassified_sample,
                day,
                &record.id,
                UNCLASSIFIED_SAMPLE,
            ) {
                keep_example(
                    &mut totals.unclassified_sample,
                    Example::of(record, day),
                    UNCLASSIFIED_SAMPLE,
                );
            }
            return;
        }
        totals.classified += 1;
        for &k in known {
            let class = &mut self.classes[k];
            class.occurrences += 1;
            match day {
                Some(d) => *class.days.entry(d).or_default() += 1,
                None => class.undated += 1,
            }
            match &record.service {
                Some(service) => {
                    let s = slot(&mut class.services, service);
                    s.occurrences += 1;
                    if let Some(d) = day {
                        *s.months.entry(month_of_day(d)).or_default() += 1;
                    }
                }
                None => class.no_service += 1,
            }
            if let Some(team) = &record.team {
                *slot(&mut class.teams, team) += 1;
            }
            if let Some(by) = &record.detected_by {
                *slot(&mut class.detected_by, by) += 1;
            }
            if would_keep(&class.examples, day, &record.id, EXAMPLES_PER_CLASS) {
                keep_example(
                    &mut class.examples,
                    Example::of(record, day),
                    EXAMPLES_PER_CLASS,
                );
            }
        }
    }

    /// Adds everything `other` has seen (built over the same catalogue), as if its records had
    /// been added here.
    pub fn merge(&mut self, other: Aggregator) {
        for (mine, theirs) in self.classes.iter_mut().zip(other.classes) {
            mine.occurrences += theirs.occurrences;
            mine.undated += theirs.undated;
            add_counts(&mut mine.days, theirs.days);
            for (service, s) in theirs.services {
                let m = mine.services.entry(service).or_default();
                m.occurrences += s.occurrences;
                add_counts(&mut m.months, s.months);
            }
            mine.no_service += theirs.no_service;
            add_counts(&mut mine.teams, theirs.teams);
            add_counts(&mut mine.detected_by, theirs.detected_by);
            for e in theirs.examples {
                keep_example(&mut mine.examples, e, EXAMPLES_PER_CLASS);
            }
        }
        self.evidence_services.extend(other.evidence_services);
        let (t, o) = (&mut self.totals, other.totals);
        t.records += o.records;
        t.classified += o.classified;
        t.unclassified += o.unclassified;
        t.undated += o.undated;
        t.before_1970 += o.before_1970;
        add_counts(&mut t.days, o.days);
        for (service, months) in o.service_months {
            add_counts(t.service_months.entry(service).or_default(), months);
        }
        for e in o.unclassified_sample {
            keep_example(&mut t.unclassified_sample, e, UNCLASSIFIED_SAMPLE);
        }
        for (id, n) in o.unknown_ids {
            if let Some(m) = t.unknown_ids.get_mut(&id) {
                *m += n;
            } else if t.unknown_ids.len() < UNKNOWN_IDS {
                t.unknown_ids.insert(id, n);
            } else {
                t.unknown_other += n;
            }
        }
        t.unknown_other += o.unknown_other;
    }

    /// How many records were added.
    pub fn records(&self) -> u64 {
        self.totals.records
    }
}

fn add_counts<K, M: CountMap<K>>(into: &mut M, from: impl IntoIterator<Item = (K, u64)>) {
    for (k, n) in from {
        *into.slot(k) += n;
    }
}

/// A map from keys to counts: `BTreeMap` or `HashMap`.
pub(crate) trait CountMap<K> {
    fn slot(&mut self, key: K) -> &mut u64;
}

impl<K: Ord> CountMap<K> for BTreeMap<K, u64> {
    fn slot(&mut self, key: K) -> &mut u64 {
        self.entry(key).or_default()
    }
}

impl<K: std::hash::Hash + Eq> CountMap<K> for Map<K, u64> {
    fn slot(&mut self, key: K) -> &mut u64 {
        self.entry(key).or_default()
    }
}
