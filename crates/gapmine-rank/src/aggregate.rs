//! The streaming half: an [`Aggregator`] takes one classified record at a time and keeps only
//! per-failure-mode aggregates, so memory grows with the number of failure modes, services, teams
//! and distinct days, never with the number of records: counts per day in dense blocks, per
//! service and month in sorted vectors, and every service, team and control name held once, the
//! aggregates counting by its number (`counts.rs`).

use std::collections::BTreeMap;

use gapmine_records::EscapeRecord;

use crate::catalogue::{Catalogue, Map};
use crate::counts::{DayCounts, MonthCounts, Names};
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
    /// Dated occurrences by day number.
    pub days: DayCounts,
    /// Per service (by its number in `Aggregator::services`): all occurrences, and dated ones
    /// by month index.
    pub services: Map<u32, ServiceAggregate>,
    /// Occurrences without a service.
    pub no_service: u64,
    /// Occurrences per team (by its number in `Aggregator::teams`).
    pub teams: Map<u32, u64>,
    /// Occurrences per `detected_by` value (by its number in `Aggregator::detectors`).
    pub detected_by: Map<u32, u64>,
    /// The newest records.
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceAggregate {
    pub occurrences: u64,
    pub months: MonthCounts,
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
    pub days: DayCounts,
    /// Dated records per service (by number), by month index: each service's share of the
    /// history. Empty for a service seen on undated records only.
    pub service_months: Vec<MonthCounts>,
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
    /// Every service, team and `detected_by` value seen, numbered.
    pub(crate) services: Names,
    pub(crate) teams: Names,
    pub(crate) detectors: Names,
    pub(crate) catalogue: Catalogue,
}

impl Aggregator {
    /// An empty aggregator for the failure modes of `catalogue`.
    pub fn new(catalogue: &Catalogue) -> Aggregator {
        Aggregator {
            classes: vec![ClassAggregate::default(); catalogue.failure_modes.len()],
            totals: Totals::default(),
            evidence_services: Map::default(),
            services: Names::default(),
            teams: Names::default(),
            detectors: Names::default(),
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
        let service = record.service.as_deref().map(|s| self.services.intern(s));
        if let Some(s) = service
            && s as usize == totals.service_months.len()
        {
            totals.service_months.push(MonthCounts::default());
        }
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
                totals.days.add(d, 1);
                if let Some(s) = service {
                    totals.service_months[s as usize].add(month_of_day(d), 1);
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
        let team = record.team.as_deref().map(|t| self.teams.intern(t));
        let detector = record
            .detected_by
            .as_deref()
            .map(|d| self.detectors.intern(d));
        for &k in known {
            let class = &mut self.classes[k];
            class.occurrences += 1;
            match day {
                Some(d) => class.days.add(d, 1),
                None => class.undated += 1,
            }
            match service {
                Some(service) => {
                    let s = class.services.entry(service).or_default();
                    s.occurrences += 1;
                    if let Some(d) = day {
                        s.months.add(month_of_day(d), 1);
                    }
                }
                None => class.no_service += 1,
            }
            if let Some(team) = team {
                *class.teams.entry(team).or_default() += 1;
            }
            if let Some(by) = detector {
                *class.detected_by.entry(by).or_default() += 1;
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
        // The numbers `other` gave its names, as this aggregator numbers them.
        let renumber = |mine: &mut Names, theirs: &Names| -> Vec<u32> {
            (0..theirs.len() as u32)
                .map(|id| mine.intern(theirs.name(id)))
                .collect()
        };
        let services = renumber(&mut self.services, &other.services);
        let teams = renumber(&mut self.teams, &other.teams);
        let detectors = renumber(&mut self.detectors, &other.detectors);
        for (mine, theirs) in self.classes.iter_mut().zip(other.classes) {
            mine.occurrences += theirs.occurrences;
            mine.undated += theirs.undated;
            mine.days.merge(&theirs.days);
            for (service, s) in theirs.services {
                let m = mine.services.entry(services[service as usize]).or_default();
                m.occurrences += s.occurrences;
                m.months.merge(&s.months);
            }
            mine.no_service += theirs.no_service;
            for (team, n) in theirs.teams {
                *mine.teams.entry(teams[team as usize]).or_default() += n;
            }
            for (by, n) in theirs.detected_by {
                *mine.detected_by.entry(detectors[by as usize]).or_default() += n;
            }
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
        t.days.merge(&o.days);
        t.service_months
            .resize_with(self.services.len(), MonthCounts::default);
        for (service, months) in o.service_months.iter().enumerate() {
            t.service_months[services[service] as usize].merge(months);
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
