//! The plain catalogue: what a gapmine catalogue says, without text positions.
//!
//! These are the types the checker lowers KDL into and the matcher, the ranker and reports read.
//! They hold no ranges (a whitespace or comment edit leaves them equal, so nothing downstream
//! re-runs) and know nothing of salsa. Every type is `Eq` so the checker can tell "unchanged".

#![warn(clippy::disallowed_methods)]

use std::fmt;

/// An entry's id: kebab-case, unique across the catalogue (`order-dependent-test`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub String);

impl Id {
    /// The id's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `text` is a valid id: lower-case ASCII letters and digits in words joined by
    /// single hyphens, starting with a letter.
    pub fn is_valid(text: &str) -> bool {
        !text.is_empty()
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && !text.ends_with('-')
            && !text.contains("--")
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The four kinds of entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryKind {
    /// `failure-mode`: a named class of escape, with the signals that recognise it.
    FailureMode,
    /// `intervention`: a fix that resolves failure modes, with its evidence.
    Intervention,
    /// `objective`: what a failure mode threatens (the priority catalogue).
    Objective,
    /// `control`: a station of the delivery pipeline.
    Control,
}

impl EntryKind {
    /// Every kind, in the order the docs present them.
    pub const ALL: [EntryKind; 4] = [
        EntryKind::FailureMode,
        EntryKind::Intervention,
        EntryKind::Objective,
        EntryKind::Control,
    ];

    /// The node name that introduces an entry of this kind.
    pub fn keyword(self) -> &'static str {
        match self {
            EntryKind::FailureMode => "failure-mode",
            EntryKind::Intervention => "intervention",
            EntryKind::Objective => "objective",
            EntryKind::Control => "control",
        }
    }

    /// The kind a node name introduces.
    pub fn from_keyword(keyword: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.keyword() == keyword)
    }

    /// How a person says it: "failure mode".
    pub fn noun(self) -> &'static str {
        match self {
            EntryKind::FailureMode => "failure mode",
            EntryKind::Intervention => "intervention",
            EntryKind::Objective => "objective",
            EntryKind::Control => "control",
        }
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// A number from the catalogue, kept as an `f64` compared by its bits so the model can be `Eq`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Weight(pub f64);

impl PartialEq for Weight {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}
impl Eq for Weight {}

impl std::hash::Hash for Weight {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

/// The manifest, `gapmine.kdl`: the catalogue's name, version and files.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Manifest {
    /// The catalogue's name.
    pub name: String,
    /// Its semantic version, as written (`2.3.0`).
    pub version: String,
    /// Include globs, relative to the manifest's folder.
    pub include: Vec<String>,
    /// The score at or above which a record is classified (default 0.5).
    pub threshold: Weight,
    /// The ranking's weights, from the manifest's `priority` node (unset ones take the ranker's
    /// defaults).
    pub priority: Priority,
}

/// The manifest's `priority` node: how much each term of the ranking's priority score counts,
/// and the half-life of its recency weighting. `None` where the manifest does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Priority {
    /// How often the failure mode occurred over the whole history.
    pub frequency: Option<Weight>,
    /// How often lately.
    pub recency: Option<Weight>,
    /// Across how many services and teams.
    pub spread: Option<Weight>,
    /// How many stages late it was detected.
    pub lateness: Option<Weight>,
    /// How severe the objectives it threatens are.
    pub severity: Option<Weight>,
    /// The half-life of an occurrence's weight in recency and forecasts, in days.
    pub half_life_days: Option<Weight>,
}

/// What every entry has.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Common {
    /// The entry's id.
    pub id: Id,
    /// A short name for people.
    pub title: String,
    /// A sentence or two on what it is.
    pub summary: Option<String>,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// References: URLs, CWE ids.
    pub see: Vec<String>,
    /// The catalogue version that introduced the entry.
    pub since: Option<String>,
    /// Set when the entry is deprecated: the reason, if given.
    pub deprecated: Option<String>,
    /// The entry that replaces a deprecated one.
    pub replaced_by: Option<Id>,
}

/// One catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Entry {
    /// A failure mode.
    FailureMode(FailureMode),
    /// An intervention.
    Intervention(Intervention),
    /// An objective.
    Objective(Objective),
    /// A control.
    Control(Control),
}

impl Entry {
    /// The fields every entry has.
    pub fn common(&self) -> &Common {
        match self {
            Entry::FailureMode(e) => &e.common,
            Entry::Intervention(e) => &e.common,
            Entry::Objective(e) => &e.common,
            Entry::Control(e) => &e.common,
        }
    }

    /// The entry's kind.
    pub fn kind(&self) -> EntryKind {
        match self {
            Entry::FailureMode(_) => EntryKind::FailureMode,
            Entry::Intervention(_) => EntryKind::Intervention,
            Entry::Objective(_) => EntryKind::Objective,
            Entry::Control(_) => EntryKind::Control,
        }
    }

    /// The entry's id.
    pub fn id(&self) -> &Id {
        &self.common().id
    }
}

/// Whether a failure mode is a leak of a control or a defect of the system itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// A control of the pipeline leaked (a test, a review, a gate).
    Control,
    /// The product itself was wrong.
    System,
}

/// A named class of escape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FailureMode {
    /// Id, title and the rest.
    pub common: Common,
    /// The failure mode this one refines.
    pub parent: Option<Id>,
    /// Control leak or system defect.
    pub layer: Option<Layer>,
    /// The control that should have caught it.
    pub caught_by: Option<Id>,
    /// A threshold of its own, overriding the manifest's.
    pub threshold: Option<Weight>,
    /// What in an escape record points here.
    pub signals: Vec<Signal>,
    /// Where else in code the failure mode may live.
    pub probes: Vec<Probe>,
    /// The entry's own tests.
    pub examples: Vec<Example>,
}

/// Which text of a record a signal reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextField {
    /// The title only.
    Title,
    /// The body only.
    Body,
    /// The title and the body (the default).
    Any,
}

/// What a signal looks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SignalKind {
    /// Case-insensitive phrases; any one fires the signal.
    Phrase(Vec<String>),
    /// Regular expressions (Rust `regex` syntax); any one fires the signal.
    Pattern(Vec<String>),
    /// Record labels, compared case-insensitively.
    Label(Vec<String>),
    /// A record field (`detected_by`, `service`, …) equal to one of the values.
    Field {
        /// The field's name.
        name: String,
        /// The values that fire the signal.
        values: Vec<String>,
    },
}

/// One signal: what it looks for, how much it counts, where it looks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Signal {
    /// What it looks for.
    pub kind: SignalKind,
    /// Its weight in `[-1, 1]`; a negative weight lowers the score.
    pub weight: Weight,
    /// Which text it reads (phrases and patterns only).
    pub field: TextField,
}

/// A place in code where a failure mode may live.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Probe {
    /// What the probe looks for, for people.
    pub description: String,
    /// Which files it reads (a glob).
    pub glob: Option<String>,
    /// The regular expression it looks for.
    pub pattern: String,
}

/// A test of an entry's signals.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Example {
    /// `true` for `matches` (must classify here), `false` for `rejects` (must not).
    pub matches: bool,
    /// The text of the escape (as its title).
    pub text: String,
}

/// What kind of change an intervention is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InterventionKind {
    /// A new or better test.
    Test,
    /// A control of the pipeline (a gate, a job, a check).
    Control,
    /// A change to the code.
    Code,
    /// A change to how people work.
    Process,
    /// A guideline or lint rule.
    Guideline,
    /// Slicing changes smaller.
    Slicing,
}

/// How much work an intervention is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Effort {
    /// Hours.
    Low,
    /// Days.
    Medium,
    /// Weeks.
    High,
}

/// Whether an intervention held when it was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The failure mode did not come back.
    Held,
    /// It came back.
    Failed,
    /// Too early to tell.
    Pending,
}

/// A fix that resolves failure modes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Intervention {
    /// Id, title and the rest.
    pub common: Common,
    /// What kind of change it is.
    pub kind: Option<InterventionKind>,
    /// The failure modes it resolves.
    pub resolves: Vec<Id>,
    /// The controls it hardens.
    pub hardens: Vec<Id>,
    /// How much work it is.
    pub effort: Option<Effort>,
    /// The sensor that shows it works.
    pub verify: Option<String>,
    /// Where it was applied and whether it held.
    pub evidence: Vec<Evidence>,
}

/// One application of an intervention.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Evidence {
    /// The escape record it was applied for.
    pub record: String,
    /// Whether it held.
    pub outcome: Outcome,
    /// When (a date, `2026-03-02`).
    pub at: Option<String>,
    /// A note.
    pub note: Option<String>,
}

/// How bad it is when an objective is hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Lowest.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Highest.
    Critical,
}

/// An objective the failure modes threaten.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Objective {
    /// Id, title and the rest.
    pub common: Common,
    /// The KPI that measures it.
    pub kpi: Option<String>,
    /// How bad a hit is.
    pub severity: Option<Severity>,
    /// The failure modes that threaten it.
    pub threatened_by: Vec<Id>,
    /// The services it lives in.
    pub services: Vec<String>,
}

/// A station of the delivery pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Control {
    /// Id, title and the rest.
    pub common: Common,
    /// Its position in the pipeline: lower stages come first.
    pub stage: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kebab_case() {
        for ok in ["a", "order-dependent-test", "cwe-79", "a1-b2"] {
            assert!(Id::is_valid(ok), "{ok}");
        }
        for bad in ["", "A", "-a", "a-", "a--b", "a_b", "1a", "a b", "é"] {
            assert!(!Id::is_valid(bad), "{bad}");
        }
    }
}
