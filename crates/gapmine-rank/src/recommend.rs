//! Recommendations: for a gap, the interventions that resolve it (or a failure mode it refines),
//! ranked by the evidence they carry and their effort; and where its control leaked, the sensor
//! to leave at that control.

use std::collections::HashSet;

use gapmine_model::{Effort, InterventionKind, Outcome};
use serde::Serialize;

use crate::catalogue::{Catalogue, Map};
use crate::date::from_day_number;
use crate::forecast::decay;
use crate::rank::Lateness;

/// The half-life of a piece of evidence's weight, in days: evidence from a year ago counts half.
pub const EVIDENCE_HALF_LIFE_DAYS: f64 = 365.0;
/// The weight of evidence without a date.
const UNDATED_EVIDENCE: f64 = 0.5;

/// One intervention recommended for a gap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// The intervention's id.
    pub intervention: String,
    /// Its title.
    pub title: String,
    /// Its kind (`test`, `control`, …), when given.
    pub kind: Option<String>,
    /// Its effort (`low`, `medium`, `high`), when given.
    pub effort: Option<String>,
    /// The failure mode its `resolves` names: the gap or an ancestor of it.
    pub resolves: String,
    /// The controls it hardens.
    pub hardens: Vec<String>,
    /// Its `verify`: the sensor that shows it works.
    pub verify: Option<String>,
    /// What its evidence says.
    pub evidence: EvidenceSummary,
    /// The ranking score in `[0, 1]`: `0.4 held + 0.15 confidence + 0.15 recency + 0.1 services +
    /// 0.2 effort` (`docs/ranking.md`).
    pub score: f64,
    /// The score's terms, by name: `held`, `confidence`, `recency`, `services`, `effort`, each
    /// `(value in [0, 1], contribution)`.
    pub terms: Vec<(String, f64, f64)>,
}

/// An intervention's evidence, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceSummary {
    /// Applications that held.
    pub held: u32,
    /// Applications that failed (the failure mode came back).
    pub failed: u32,
    /// Applications too recent to tell.
    pub pending: u32,
    /// The newest `at` date of any application.
    pub latest: Option<String>,
    /// Services of the records the evidence names, as found in the history.
    pub services: Vec<String>,
    /// How many of the evidence records are in services where the gap occurred.
    pub on_gap_services: u32,
}

/// The sensor to leave at the control that leaked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensor {
    /// The control that should have caught the failure mode (its `caught-by`).
    pub control: String,
    /// Its title.
    pub control_title: String,
    /// How many occurrences got past it.
    pub leaked: u64,
    /// The `verify` of the recommended interventions, best first, as (intervention, text); those
    /// that harden this control come first.
    pub verify: Vec<(String, String)>,
}

fn kind_name(k: InterventionKind) -> &'static str {
    match k {
        InterventionKind::Test => "test",
        InterventionKind::Control => "control",
        InterventionKind::Code => "code",
        InterventionKind::Process => "process",
        InterventionKind::Guideline => "guideline",
        InterventionKind::Slicing => "slicing",
    }
}

fn effort_name(e: Effort) -> &'static str {
    match e {
        Effort::Low => "low",
        Effort::Medium => "medium",
        Effort::High => "high",
    }
}

/// The interventions for failure mode `k`, best first, and whether none exists.
pub(crate) fn recommend(
    cat: &Catalogue,
    k: usize,
    gap_services: &HashSet<&str>,
    evidence_services: &Map<String, Option<String>>,
    as_of: i32,
) -> (Vec<Recommendation>, bool) {
    let lineage: Vec<&str> = std::iter::once(k)
        .chain(cat.failure_modes[k].ancestors.iter().copied())
        .map(|i| cat.failure_modes[i].id.as_str())
        .collect();
    let mut out = Vec::new();
    for iv in &cat.interventions {
        // The nearest failure mode of the lineage it resolves: its own first.
        let Some(resolves) = lineage
            .iter()
            .find(|id| iv.resolves.iter().any(|r| r == *id))
        else {
            continue;
        };
        let (mut held, mut failed, mut pending) = (0u32, 0u32, 0u32);
        let (mut w_held, mut w_failed, mut w_all) = (0.0f64, 0.0f64, 0.0f64);
        let mut latest: Option<i32> = None;
        let mut newest_weight = 0.0f64;
        let mut services: Vec<String> = Vec::new();
        let mut on_gap = 0u32;
        for e in &iv.evidence {
            let w = match e.at {
                Some(at) => decay(f64::from(as_of - at), EVIDENCE_HALF_LIFE_DAYS),
                None => UNDATED_EVIDENCE,
            };
            match e.outcome {
                Outcome::Held => {
                    held += 1;
                    w_held += w;
                }
                Outcome::Failed => {
                    failed += 1;
                    w_failed += w;
                }
                Outcome::Pending => pending += 1,
            }
            if e.outcome != Outcome::Pending {
                w_all += w;
                if e.at.is_some() {
                    newest_weight = newest_weight.max(w);
                }
            }
            if let Some(at) = e.at {
                latest = Some(latest.map_or(at, |l| l.max(at)));
            }
            if let Some(Some(service)) = evidence_services.get(&e.record) {
                if gap_services.contains(service.as_str()) {
                    on_gap += 1;
                }
                if !services.contains(service) {
                    services.push(service.clone());
                }
            }
        }
        services.sort();
        let decided = held + failed;
        // The held rate's posterior mean under a uniform prior, from age-weighted outcomes.
        let held_term = (w_held + 1.0) / (w_held + w_failed + 2.0);
        let confidence = w_all / (w_all + 2.0);
        let recency = newest_weight;
        let service_term = if decided + pending > 0 {
            f64::from(on_gap) / f64::from(decided + pending)
        } else {
            0.0
        };
        let effort_term = match iv.effort {
            Some(Effort::Low) => 1.0,
            Some(Effort::Medium) | None => 0.5,
            Some(Effort::High) => 0.0,
        };
        let terms: Vec<(String, f64, f64)> = [
            ("held", held_term, 0.4),
            ("confidence", confidence, 0.15),
            ("recency", recency, 0.15),
            ("services", service_term, 0.1),
            ("effort", effort_term, 0.2),
        ]
        .into_iter()
        .map(|(name, v, w)| (name.to_string(), v, v * w))
        .collect();
        let score = terms.iter().map(|t| t.2).sum();
        out.push(Recommendation {
            intervention: iv.id.clone(),
            title: iv.title.clone(),
            kind: iv.kind.map(|k| kind_name(k).to_string()),
            effort: iv.effort.map(|e| effort_name(e).to_string()),
            resolves: (*resolves).to_string(),
            hardens: iv.hardens.clone(),
            verify: iv.verify.clone(),
            evidence: EvidenceSummary {
                held,
                failed,
                pending,
                latest: latest.and_then(from_day_number).map(|d| d.to_string()),
                services,
                on_gap_services: on_gap,
            },
            score,
            terms,
        });
    }
    out.sort_by(|a: &Recommendation, b: &Recommendation| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.intervention.cmp(&b.intervention))
    });
    let uncovered = out.is_empty();
    (out, uncovered)
}

/// The sensor for a gap whose control leaked: the `verify` of its recommendations, those that
/// harden the leaking control first.
pub(crate) fn sensor(
    cat: &Catalogue,
    caught_by: Option<&str>,
    lateness: &Lateness,
    recommendations: &[Recommendation],
) -> Option<Sensor> {
    let control = caught_by?;
    if lateness.leaked == 0 {
        return None;
    }
    let (_, title) = cat.controls.get(control)?;
    let mut verify: Vec<(bool, usize, String, String)> = recommendations
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let text = r.verify.clone()?;
            let hardens = r.hardens.iter().any(|h| h == control);
            Some((!hardens, i, r.intervention.clone(), text))
        })
        .collect();
    verify.sort();
    Some(Sensor {
        control: control.to_string(),
        control_title: title.clone(),
        leaked: lateness.leaked,
        verify: verify
            .into_iter()
            .map(|(_, _, id, text)| (id, text))
            .collect(),
    })
}
