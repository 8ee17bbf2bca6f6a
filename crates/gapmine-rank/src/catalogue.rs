//! What ranking needs of a catalogue, indexed once: failure modes with their ancestors, the stage
//! of each control, the objectives that threaten each failure mode, the interventions that resolve
//! it, and the escape records the interventions' evidence names.

use std::collections::HashSet;

use gapmine_model::{Effort, Entry, InterventionKind, Layer, Outcome, Severity};

/// The hash map of the aggregates: keys are ids and names, not attacker-chosen in a way that
/// matters for a local tool, so the fast hasher is used.
pub(crate) type Map<K, V> = rustc_hash::FxHashMap<K, V>;

/// A catalogue as the ranker reads it: built once from the checked model with
/// [`Catalogue::new`], then shared by the [`Aggregator`](crate::Aggregator) and
/// [`Aggregator::finish`](crate::Aggregator::finish).
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// Failure modes in catalogue order.
    pub(crate) failure_modes: Vec<FailureModeInfo>,
    pub(crate) index: Map<String, usize>,
    /// Control id → (stage, title).
    pub(crate) controls: Map<String, (i64, String)>,
    pub(crate) min_stage: i64,
    pub(crate) max_stage: i64,
    pub(crate) objectives: Vec<ObjectiveInfo>,
    pub(crate) interventions: Vec<InterventionInfo>,
    /// Record ids that some intervention's evidence names: the aggregator remembers their service.
    pub(crate) evidence_records: rustc_hash::FxHashSet<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct FailureModeInfo {
    pub id: String,
    pub title: String,
    pub layer: Option<Layer>,
    /// The control named in `caught-by`, or the nearest ancestor's.
    pub caught_by: Option<String>,
    /// Its ancestors, nearest first (indices into `failure_modes`).
    pub ancestors: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct ObjectiveInfo {
    pub id: String,
    pub title: String,
    pub severity: Option<Severity>,
    pub threatened_by: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct InterventionInfo {
    pub id: String,
    pub title: String,
    pub kind: Option<InterventionKind>,
    pub resolves: Vec<String>,
    pub hardens: Vec<String>,
    pub effort: Option<Effort>,
    pub verify: Option<String>,
    pub evidence: Vec<EvidenceInfo>,
}

#[derive(Debug, Clone)]
pub(crate) struct EvidenceInfo {
    pub record: String,
    pub outcome: Outcome,
    /// Day number of `at`, when it is a valid date.
    pub at: Option<i32>,
}

impl Catalogue {
    /// Indexes the entries of a checked catalogue (as `gapmine_ide::Analysis::model` returns them).
    ///
    /// Deprecated failure modes are kept: history classified under them still counts. A `parent`
    /// cycle (which the checker reports as an error) is cut where it closes.
    pub fn new(entries: &[Entry]) -> Catalogue {
        let mut cat = Catalogue::default();
        let mut parents: Vec<Option<String>> = Vec::new();
        let mut own_caught_by: Vec<Option<String>> = Vec::new();
        for entry in entries {
            match entry {
                Entry::FailureMode(fm) => {
                    let id = fm.common.id.to_string();
                    if cat.index.contains_key(&id) {
                        continue;
                    }
                    cat.index.insert(id.clone(), cat.failure_modes.len());
                    cat.failure_modes.push(FailureModeInfo {
                        id,
                        title: fm.common.title.clone(),
                        layer: fm.layer,
                        caught_by: None,
                        ancestors: Vec::new(),
                    });
                    parents.push(fm.parent.as_ref().map(ToString::to_string));
                    own_caught_by.push(fm.caught_by.as_ref().map(ToString::to_string));
                }
                Entry::Control(c) => {
                    cat.controls
                        .insert(c.common.id.to_string(), (c.stage, c.common.title.clone()));
                }
                Entry::Objective(o) => cat.objectives.push(ObjectiveInfo {
                    id: o.common.id.to_string(),
                    title: o.common.title.clone(),
                    severity: o.severity,
                    threatened_by: o.threatened_by.iter().map(ToString::to_string).collect(),
                }),
                Entry::Intervention(i) => {
                    let evidence: Vec<EvidenceInfo> = i
                        .evidence
                        .iter()
                        .map(|e| EvidenceInfo {
                            record: e.record.clone(),
                            outcome: e.outcome,
                            at: e
                                .at
                                .as_deref()
                                .and_then(|at| at.parse::<jiff::civil::Date>().ok())
                                .map(crate::date::day_number),
                        })
                        .collect();
                    cat.evidence_records
                        .extend(evidence.iter().map(|e| e.record.clone()));
                    cat.interventions.push(InterventionInfo {
                        id: i.common.id.to_string(),
                        title: i.common.title.clone(),
                        kind: i.kind,
                        resolves: i.resolves.iter().map(ToString::to_string).collect(),
                        hardens: i.hardens.iter().map(ToString::to_string).collect(),
                        effort: i.effort,
                        verify: i.verify.clone(),
                        evidence,
                    });
                }
            }
        }
        for k in 0..cat.failure_modes.len() {
            let mut ancestors = Vec::new();
            let mut seen = HashSet::from([k]);
            let mut current = parents[k].as_ref().and_then(|p| cat.index.get(p)).copied();
            while let Some(a) = current {
                if !seen.insert(a) {
                    break;
                }
                ancestors.push(a);
                current = parents[a].as_ref().and_then(|p| cat.index.get(p)).copied();
            }
            let caught_by = std::iter::once(k)
                .chain(ancestors.iter().copied())
                .find_map(|i| own_caught_by[i].clone());
            let fm = &mut cat.failure_modes[k];
            fm.ancestors = ancestors;
            fm.caught_by = caught_by;
        }
        cat.min_stage = cat.controls.values().map(|c| c.0).min().unwrap_or(0);
        cat.max_stage = cat.controls.values().map(|c| c.0).max().unwrap_or(0);
        cat
    }

    /// How many failure modes the catalogue has.
    pub fn failure_mode_count(&self) -> usize {
        self.failure_modes.len()
    }

    /// Whether the catalogue has a failure mode with this id.
    pub fn has_failure_mode(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// A record's failure modes, resolved: its own confirmed `failure_modes` when it has any,
    /// else `matched`; then [`most_specific`](Self::most_specific).
    pub(crate) fn classes_of<'a, S: AsRef<str>>(
        &self,
        record: &'a gapmine_records::EscapeRecord,
        matched: &'a [S],
    ) -> (Vec<usize>, Vec<&'a str>) {
        if record.failure_modes.is_empty() {
            self.most_specific(matched.iter().map(AsRef::as_ref))
        } else {
            self.most_specific(record.failure_modes.iter().map(String::as_str))
        }
    }

    /// The most specific of a record's failure modes: known ids that are not an ancestor of
    /// another of them (a record classified `order-dependent-test` is also `flaky-test` by
    /// implication, and counts once, under the former), in catalogue order, deduplicated.
    /// Unknown ids are returned separately.
    pub(crate) fn most_specific<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> (Vec<usize>, Vec<&'a str>) {
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for id in ids {
            match self.index.get(id) {
                Some(&k) => known.push(k),
                None => unknown.push(id),
            }
        }
        known.sort_unstable();
        known.dedup();
        if known.len() <= 1 {
            unknown.sort_unstable();
            unknown.dedup();
            return (known, unknown);
        }
        let implied: HashSet<usize> = known
            .iter()
            .flat_map(|&k| self.failure_modes[k].ancestors.iter().copied())
            .collect();
        known.retain(|k| !implied.contains(k));
        unknown.sort_unstable();
        unknown.dedup();
        (known, unknown)
    }
}
