//! Compiles a catalogue's failure modes once into one automaton and classifies escape records, each
//! decision with its evidence.
//!
//! # Shape
//!
//! [`Matcher::compile`] decides everything that can be decided per catalogue: every phrase of every
//! failure mode, and the literal groups of every pattern (its "all of" prefilter), go into one ASCII
//! case-insensitive Aho-Corasick automaton; each automaton needle maps to the phrase signals that
//! own it and the patterns it wakes (each pattern is woken by its rarest group only), split by
//! field so the scan never asks "does this signal read the title?";
//! labels and field values go into hash maps; parents are resolved into ancestor lists.
//! [`Matcher::classify`] then reads a record: one automaton pass over the title and one over the
//! body, a regex run only for a pattern every group of which was seen in that field, anchored at
//! or just before a literal where the pattern's shape allows (or, for a pattern with no usable
//! literal, which makes it "unbounded", on every record), one hash lookup per label and per
//! catalogue field name. The cost of a record grows with its length, not with the catalogue.
//!
//! # Scoring
//!
//! A signal fires at most once per record; its evidence is its first occurrence (title before body;
//! then the smallest start; then the longest match; labels in record order).
//! For a failure mode whose fired signals have weights `w`:
//!
//! ```text
//! positive = 1 − Π (1 − w)      over fired signals with w > 0   (noisy-OR)
//! score    = positive × Π (1 − |w|)  over fired signals with w < 0
//! ```
//!
//! Weights are clamped to `[-1, 1]`; a weight of `0` changes nothing. A failure mode is classified
//! where `score > 0` and `score ≥ threshold` (its own `threshold`, else the manifest's default).
//! A classified failure mode implies its parent, its parent's parent and so on ("implied by child
//! X"); cycles, which the checker rejects, are cut. Failure modes with `0 < score < threshold` that
//! nothing implies are reported as near misses. `docs/matching.md` has a worked example.
//!
//! Phrases are matched as substrings, ASCII case-insensitively (non-ASCII letters match exactly);
//! patterns are Rust `regex` syntax as written (case-sensitive unless they say `(?i)`); labels and
//! field values compare by Unicode lower case.

#![warn(clippy::disallowed_methods)]

mod bulk;
mod classify;
mod compile;
pub mod eval;
mod literal;
#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Range;

use gapmine_model::Id;

pub use classify::Scratch;
pub use compile::{CompileError, Matcher, ancestors};

/// What the matcher reads of an escape record.
///
/// Implemented by the records crate's type in one small impl, and by [`RecordText`] for text that
/// is not a full record (an `examples` case, a test).
pub trait RecordView {
    /// The record's title.
    fn title(&self) -> &str;
    /// The record's body (empty when it has none).
    fn body(&self) -> &str;
    /// The record's labels, in the record's order.
    fn labels(&self) -> &[String];
    /// A named field (`service`, `detected_by`, …), if the record has it.
    fn field(&self, name: &str) -> Option<&str>;
}

/// An escape record as the records crate reads it.
impl RecordView for gapmine_records::EscapeRecord {
    fn title(&self) -> &str {
        &self.title
    }
    fn body(&self) -> &str {
        self.body.as_deref().unwrap_or_default()
    }
    fn labels(&self) -> &[String] {
        gapmine_records::EscapeRecord::labels(self)
    }
    fn field(&self, name: &str) -> Option<&str> {
        self.text(name)
    }
}

/// A borrowed record: title, body, labels and named fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordText<'a> {
    /// The title.
    pub title: &'a str,
    /// The body.
    pub body: &'a str,
    /// The labels.
    pub labels: &'a [String],
    /// Named fields as `(name, value)` pairs.
    pub fields: &'a [(&'a str, &'a str)],
}

impl<'a> RecordText<'a> {
    /// A record with only a title (as an `examples` case is).
    pub fn title(title: &'a str) -> RecordText<'a> {
        RecordText {
            title,
            ..RecordText::default()
        }
    }
}

impl RecordView for RecordText<'_> {
    fn title(&self) -> &str {
        self.title
    }
    fn body(&self) -> &str {
        self.body
    }
    fn labels(&self) -> &[String] {
        self.labels
    }
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

/// Which kind of signal fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvidenceKind {
    /// A phrase.
    Phrase,
    /// A regular expression.
    Pattern,
    /// A label.
    Label,
    /// A field value.
    Field,
}

impl EvidenceKind {
    /// The signal's keyword in the catalogue language.
    pub fn keyword(self) -> &'static str {
        match self {
            EvidenceKind::Phrase => "phrase",
            EvidenceKind::Pattern => "pattern",
            EvidenceKind::Label => "label",
            EvidenceKind::Field => "field",
        }
    }
}

/// Where in the record a signal fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvidenceField<'m> {
    /// The title.
    Title,
    /// The body.
    Body,
    /// A label (the evidence's text is the label as the record spells it).
    Label,
    /// A named field.
    Field(&'m str),
}

impl fmt::Display for EvidenceField<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvidenceField::Title => f.write_str("title"),
            EvidenceField::Body => f.write_str("body"),
            EvidenceField::Label => f.write_str("label"),
            EvidenceField::Field(name) => write!(f, "field {name}"),
        }
    }
}

/// One signal that fired: which, where, and what it matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence<'m> {
    /// The failure mode the signal belongs to.
    pub failure_mode: &'m Id,
    /// The signal's index in the failure mode's `signals`.
    pub signal_index: usize,
    /// What kind of signal it is.
    pub kind: EvidenceKind,
    /// The signal's weight, as used in the score (clamped to `[-1, 1]`).
    pub weight: f64,
    /// Which field of the record it fired on.
    pub field: EvidenceField<'m>,
    /// The byte range of the match in that field's text (the whole label or value for labels and
    /// fields).
    pub range: Range<usize>,
    /// The matched text.
    pub text: String,
}

/// The matcher's verdict on one failure mode for one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision<'m> {
    /// The failure mode.
    pub failure_mode: &'m Id,
    /// Its score from its own signals (see the crate docs for the formula).
    pub score: f64,
    /// The threshold it was held to.
    pub threshold: f64,
    /// Whether its own score reached the threshold.
    pub reached: bool,
    /// The classified descendants that imply it, in catalogue order.
    pub implied_by: Vec<&'m Id>,
    /// The signals of its own that fired, in signal order.
    pub evidence: Vec<Evidence<'m>>,
}

/// What the matcher says about one record.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Classification<'m> {
    /// The failure modes the record is classified as (by score or implied by a child), in catalogue
    /// order.
    pub matches: Vec<Decision<'m>>,
    /// Failure modes that scored above zero but below their threshold, in catalogue order.
    pub near_misses: Vec<Decision<'m>>,
}

impl Classification<'_> {
    /// Whether no failure mode was classified: the record is reported as unclassified.
    pub fn is_unclassified(&self) -> bool {
        self.matches.is_empty()
    }
}

/// How one record stands with one failure mode, without evidence ([`Matcher::verdict_with`]),
/// at a fraction of a whole [`Classification`]'s cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict<'m> {
    /// The failure mode's own score.
    pub score: f64,
    /// Its threshold (its own, or the catalogue's).
    pub threshold: f64,
    /// Whether its own score reached the threshold.
    pub reached: bool,
    /// The classified descendants that imply it, in catalogue order.
    pub implied_by: Vec<&'m Id>,
}

impl Verdict<'_> {
    /// Whether the record is classified as the failure mode: by its own score, or implied by a
    /// classified descendant (exactly when [`Classification::matches`] would hold it).
    pub fn classified(&self) -> bool {
        self.reached || !self.implied_by.is_empty()
    }
}

/// How one record stands with one failure mode by its own signals alone, and which other
/// failure modes reach their thresholds by theirs ([`Matcher::standings`]): for a caller that
/// rolls the hierarchy up itself, so that a change to `parent` links alone needs no new
/// classification. With the matcher's own hierarchy, [`Verdict`] is the same answer rolled up.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// The failure mode's own score.
    pub score: f64,
    /// Its threshold (its own, or the catalogue's).
    pub threshold: f64,
    /// Whether its own score reached the threshold.
    pub reached: bool,
    /// Where it did not: every other failure mode whose own score reached its threshold, by
    /// index in the order the matcher was compiled from, ascending (the candidates for
    /// implying it). Empty where it did: the record is classified as it whatever they are.
    pub others: Vec<u32>,
}

/// A compact, line-per-fact rendering, used by tests and as the core of `explain`.
impl fmt::Display for Classification<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.matches.is_empty() {
            writeln!(f, "unclassified")?;
        }
        for d in &self.matches {
            write_decision(f, "match", d)?;
        }
        for d in &self.near_misses {
            write_decision(f, "near miss", d)?;
        }
        Ok(())
    }
}

fn write_decision(f: &mut fmt::Formatter<'_>, what: &str, d: &Decision<'_>) -> fmt::Result {
    let cmp = if d.reached { ">=" } else { "<" };
    writeln!(
        f,
        "{what} {} {:.3} {cmp} {:.3}",
        d.failure_mode, d.score, d.threshold
    )?;
    for e in &d.evidence {
        writeln!(
            f,
            "  {}#{} {:+} {} {}..{} {:?}",
            e.kind.keyword(),
            e.signal_index,
            e.weight,
            e.field,
            e.range.start,
            e.range.end,
            e.text
        )?;
    }
    for child in &d.implied_by {
        writeln!(f, "  implied by child {child}")?;
    }
    Ok(())
}
