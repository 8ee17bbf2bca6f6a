//! Compiling failure modes into a [`Matcher`]: everything decided once per catalogue.

use std::fmt;

use aho_corasick::{AhoCorasick, MatchKind};
use gapmine_model::{FailureMode, Id, SignalKind, TextField};
use regex_automata::meta;
use rustc_hash::FxHashMap;

use crate::EvidenceKind;
use crate::literal::{MAX_GROUPS, literals};

/// Why a catalogue could not be compiled: only what the checker cannot have caught.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// A pattern the regex engine rejects (an unchecked model, or a pattern beyond its size limit).
    InvalidPattern {
        /// The failure mode that owns the pattern.
        failure_mode: Id,
        /// The signal's index in the failure mode's `signals`.
        signal_index: usize,
        /// The pattern as written.
        pattern: String,
        /// The regex engine's message.
        message: String,
    },
    /// The phrase and literal automaton could not be built (too many or too long phrases).
    Automaton {
        /// The automaton builder's message.
        message: String,
    },
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::InvalidPattern {
                failure_mode,
                signal_index,
                pattern,
                message,
            } => write!(
                f,
                "failure mode `{failure_mode}`, signal {signal_index}: pattern `{pattern}` does not compile: {message}; run `gapmine check` to see where"
            ),
            CompileError::Automaton { message } => write!(
                f,
                "the catalogue's phrases could not be compiled into one automaton: {message}; try fewer or shorter phrases"
            ),
        }
    }
}

impl std::error::Error for CompileError {}

/// A catalogue compiled for matching: build once, classify many records (it is `Send + Sync`).
#[derive(Debug)]
pub struct Matcher {
    pub(crate) failure_modes: Vec<FailureModeInfo>,
    /// Failure mode id → its index (the first, should ids repeat).
    pub(crate) by_id: FxHashMap<String, u32>,
    /// Every signal of every failure mode, flattened in catalogue order: the signals of one failure
    /// mode are contiguous, so sorting fired signal ids groups them by failure mode.
    pub(crate) signals: Vec<SignalInfo>,
    /// Phrases and pattern literals, ASCII case-insensitive; `None` when there are none.
    pub(crate) automaton: Option<AhoCorasick>,
    /// What each automaton needle means when found in the title, and in the body.
    pub(crate) title_targets: Targets,
    pub(crate) body_targets: Targets,
    pub(crate) regexes: Vec<RegexInfo>,
    /// Patterns without a usable literal, run on every title / body.
    pub(crate) unbounded_title: Vec<u32>,
    pub(crate) unbounded_body: Vec<u32>,
    /// Lower-cased label → label signals.
    pub(crate) labels: FxHashMap<String, Vec<u32>>,
    /// Field names the catalogue asks about, each with its lower-cased values → field signals.
    pub(crate) fields: Vec<FieldInfo>,
    /// Scratch buffers `classify_batch` reuses from call to call (one per concurrent job).
    pub(crate) pool: std::sync::Mutex<Vec<crate::Scratch>>,
}

#[derive(Debug)]
pub(crate) struct FailureModeInfo {
    pub(crate) id: Id,
    pub(crate) threshold: f64,
    /// Parent, grandparent, …: resolved once, cycles cut.
    pub(crate) ancestors: Vec<u32>,
    /// Whether another failure mode has this one among its ancestors.
    pub(crate) has_descendants: bool,
}

#[derive(Debug)]
pub(crate) struct SignalInfo {
    pub(crate) failure_mode: u32,
    pub(crate) index: u32,
    pub(crate) weight: f64,
    pub(crate) kind: EvidenceKind,
}

#[derive(Debug)]
pub(crate) struct RegexInfo {
    /// The signals that wrote this pattern, reading the same field: a pattern written by many
    /// failure modes is compiled, cached and searched once, and fires for all of them.
    pub(crate) signals: Vec<u32>,
    pub(crate) regex: meta::Regex,
    /// How to confirm the pattern where one of its literals was found.
    pub(crate) confirm: Confirm,
    /// The "all of" prefilter: a bit per literal group ([`crate::literal::literals`]); the
    /// pattern is tried in a field only when every group's bit was set there. `0`: no groups
    /// (the pattern is unbounded).
    pub(crate) need: u32,
    /// The group whose occurrences anchor the confirmation (the first for
    /// [`Confirm::AnchoredAtLiteral`], the last for [`Confirm::WindowBeforeLiteral`]).
    pub(crate) anchor: u32,
    /// The ASCII bytes (a bit set) that may follow an anchor occurrence (anchored at it) or come
    /// just before it (a window before it): an occurrence with another ASCII byte there is no
    /// anchor.
    pub(crate) edge: u128,
    /// Whitespace taken off the front of the anchor group's literals, which must stand just
    /// before an occurrence (see [`crate::literal::Literals::first_lead`]).
    pub(crate) lead: Box<[u8]>,
}

impl RegexInfo {
    /// Where the anchor that an occurrence of the anchor group at `start..end` of `text` gives
    /// begins (before the group's `lead`), or `None` if the text around it rules a match out.
    pub(crate) fn anchor_start(&self, text: &[u8], start: usize, end: usize) -> Option<usize> {
        let begin = start.checked_sub(self.lead.len())?;
        if text[begin..start] != *self.lead {
            return None;
        }
        let at = match self.confirm {
            Confirm::AnchoredAtLiteral => text.get(end),
            Confirm::WindowBeforeLiteral(_) => begin.checked_sub(1).and_then(|i| text.get(i)),
            Confirm::Whole => None,
        };
        at.is_none_or(|&b| !b.is_ascii() || self.edge & (1u128 << b) != 0)
            .then_some(begin)
    }
}

/// How a literal-prefiltered pattern is confirmed in a field where a literal occurred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Confirm {
    /// Every match starts with a literal: try it anchored at each occurrence.
    AnchoredAtLiteral,
    /// Every match ends with a literal and is at most this many bytes long: search the window
    /// that ends at each occurrence.
    WindowBeforeLiteral(usize),
    /// Search the whole field.
    Whole,
}

#[derive(Debug)]
pub(crate) struct FieldInfo {
    pub(crate) name: String,
    pub(crate) values: FxHashMap<String, Vec<u32>>,
}

/// What finding a needle means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Target {
    /// A phrase of this signal occurred.
    Phrase(u32),
    /// A literal of this group of this regex occurred (see [`RegexInfo::need`]).
    Group(u32, u32),
}

/// Per automaton needle, a slice of targets (flattened: one allocation, not one per needle).
#[derive(Debug, Default)]
pub(crate) struct Targets {
    offsets: Vec<u32>,
    items: Vec<Target>,
}

impl Targets {
    fn build(per_needle: Vec<Vec<Target>>) -> Targets {
        let mut t = Targets::default();
        t.offsets.push(0);
        for mut list in per_needle {
            list.sort();
            list.dedup();
            t.items.extend(list);
            t.offsets.push(t.items.len() as u32);
        }
        t
    }

    pub(crate) fn get(&self, needle: usize) -> &[Target] {
        &self.items[self.offsets[needle] as usize..self.offsets[needle + 1] as usize]
    }
}

/// Lower-cases by Unicode, character by character, into `out` (the same function on both sides of
/// every label and field comparison).
pub(crate) fn lower_into(text: &str, out: &mut String) {
    out.clear();
    for c in text.chars() {
        out.extend(c.to_lowercase());
    }
}

fn lower(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    lower_into(text, &mut out);
    out
}

#[derive(Default)]
struct Needles {
    index: FxHashMap<Vec<u8>, usize>,
    bytes: Vec<Vec<u8>>,
    title: Vec<Vec<Target>>,
    body: Vec<Vec<Target>>,
}

impl Needles {
    fn add(&mut self, needle: Vec<u8>, target: Target, field: TextField) {
        let next = self.bytes.len();
        let id = *self.index.entry(needle.clone()).or_insert(next);
        if id == next {
            self.bytes.push(needle);
            self.title.push(Vec::new());
            self.body.push(Vec::new());
        }
        if matches!(field, TextField::Title | TextField::Any) {
            self.title[id].push(target);
        }
        if matches!(field, TextField::Body | TextField::Any) {
            self.body[id].push(target);
        }
    }
}

impl Matcher {
    /// Compiles failure modes (in catalogue order) with the manifest's default threshold.
    ///
    /// Empty phrases never fire. Unknown parents are ignored and parent cycles cut (the checker
    /// reports both).
    pub fn compile(
        failure_modes: &[FailureMode],
        default_threshold: f64,
    ) -> Result<Matcher, CompileError> {
        let mut index_of: FxHashMap<&Id, u32> = FxHashMap::default();
        for (i, fm) in failure_modes.iter().enumerate() {
            index_of.entry(&fm.common.id).or_insert(i as u32);
        }

        let mut infos = Vec::with_capacity(failure_modes.len());
        for (i, fm) in failure_modes.iter().enumerate() {
            let mut ancestors = Vec::new();
            let mut current = fm.parent.as_ref().and_then(|p| index_of.get(p)).copied();
            while let Some(a) = current {
                if a as usize == i || ancestors.contains(&a) {
                    break;
                }
                ancestors.push(a);
                current = failure_modes[a as usize]
                    .parent
                    .as_ref()
                    .and_then(|p| index_of.get(p))
                    .copied();
            }
            infos.push(FailureModeInfo {
                id: fm.common.id.clone(),
                threshold: fm.threshold.map_or(default_threshold, |t| t.0),
                ancestors,
                has_descendants: false,
            });
        }
        let with_descendants: Vec<u32> = infos
            .iter()
            .flat_map(|info| info.ancestors.iter().copied())
            .collect();
        for a in with_descendants {
            infos[a as usize].has_descendants = true;
        }

        let mut signals = Vec::new();
        let mut needles = Needles::default();
        let mut regexes = Vec::new();
        let mut unbounded_title = Vec::new();
        let mut unbounded_body = Vec::new();
        let mut labels: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut fields: Vec<FieldInfo> = Vec::new();
        let parser = regex_syntax::ParserBuilder::new();
        // (pattern text, field) → its regex, so that a pattern is compiled once however many
        // signals write it.
        let mut shared: FxHashMap<(&str, TextField), u32> = FxHashMap::default();

        for (fm_index, fm) in failure_modes.iter().enumerate() {
            for (signal_index, signal) in fm.signals.iter().enumerate() {
                let id = signals.len() as u32;
                let kind = match &signal.kind {
                    SignalKind::Phrase(phrases) => {
                        for phrase in phrases.iter().filter(|p| !p.is_empty()) {
                            let needle = phrase.as_bytes().to_ascii_lowercase();
                            needles.add(needle, Target::Phrase(id), signal.field);
                        }
                        EvidenceKind::Phrase
                    }
                    SignalKind::Pattern(patterns) => {
                        for pattern in patterns {
                            if let Some(&r) = shared.get(&(pattern.as_str(), signal.field)) {
                                let info: &mut RegexInfo = &mut regexes[r as usize];
                                if info.signals.last() != Some(&id) {
                                    info.signals.push(id);
                                }
                                continue;
                            }
                            let invalid = |message: String| CompileError::InvalidPattern {
                                failure_mode: fm.common.id.clone(),
                                signal_index,
                                pattern: pattern.clone(),
                                message,
                            };
                            let hir = parser.build().parse(pattern).map_err(|e| {
                                invalid(match e {
                                    regex_syntax::Error::Parse(e) => e.kind().to_string(),
                                    regex_syntax::Error::Translate(e) => e.kind().to_string(),
                                    e => e.to_string(),
                                })
                            })?;
                            let regex = meta::Regex::builder().build_from_hir(&hir).map_err(|e| {
                                invalid(match e.size_limit() {
                                    Some(limit) => format!(
                                        "it compiles to more than the size limit of {limit} bytes"
                                    ),
                                    None => e.to_string(),
                                })
                            })?;
                            let r = regexes.len() as u32;
                            let found = literals(&hir);
                            let last = found.groups.len().saturating_sub(1) as u32;
                            let (confirm, anchor, edge, lead) = match (
                                found.prefix,
                                found.suffix,
                                hir.properties().maximum_len(),
                            ) {
                                (true, _, _) => (
                                    Confirm::AnchoredAtLiteral,
                                    0,
                                    found.after_first,
                                    found.first_lead,
                                ),
                                (false, true, Some(max)) => (
                                    Confirm::WindowBeforeLiteral(max),
                                    last,
                                    found.before_last,
                                    found.last_lead,
                                ),
                                _ => (Confirm::Whole, 0, u128::MAX, Vec::new()),
                            };
                            let need = match found.groups.len() {
                                MAX_GROUPS.. => u32::MAX,
                                n => (1u32 << n) - 1,
                            };
                            shared.insert((pattern.as_str(), signal.field), r);
                            regexes.push(RegexInfo {
                                signals: vec![id],
                                regex,
                                confirm,
                                need,
                                anchor,
                                edge,
                                lead: lead.into(),
                            });
                            for (g, group) in found.groups.into_iter().enumerate() {
                                for literal in group {
                                    let target = Target::Group(r, g as u32);
                                    needles.add(literal, target, signal.field);
                                }
                            }
                            if need == 0 {
                                if matches!(signal.field, TextField::Title | TextField::Any) {
                                    unbounded_title.push(r);
                                }
                                if matches!(signal.field, TextField::Body | TextField::Any) {
                                    unbounded_body.push(r);
                                }
                            }
                        }
                        EvidenceKind::Pattern
                    }
                    SignalKind::Label(names) => {
                        for name in names {
                            let list = labels.entry(lower(name)).or_default();
                            if !list.contains(&id) {
                                list.push(id);
                            }
                        }
                        EvidenceKind::Label
                    }
                    SignalKind::Field { name, values } => {
                        let at = match fields.iter().position(|f| f.name == *name) {
                            Some(at) => at,
                            None => {
                                fields.push(FieldInfo {
                                    name: name.clone(),
                                    values: FxHashMap::default(),
                                });
                                fields.len() - 1
                            }
                        };
                        for value in values {
                            let list = fields[at].values.entry(lower(value)).or_default();
                            if !list.contains(&id) {
                                list.push(id);
                            }
                        }
                        EvidenceKind::Field
                    }
                };
                signals.push(SignalInfo {
                    failure_mode: fm_index as u32,
                    index: signal_index as u32,
                    weight: signal.weight.0.clamp(-1.0, 1.0),
                    kind,
                });
            }
        }

        let automaton = if needles.bytes.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&needles.bytes)
                    .map_err(|e| CompileError::Automaton {
                        message: e.to_string(),
                    })?,
            )
        };

        let by_id = index_of
            .into_iter()
            .map(|(id, i)| (id.0.clone(), i))
            .collect();
        Ok(Matcher {
            failure_modes: infos,
            by_id,
            signals,
            automaton,
            title_targets: Targets::build(needles.title),
            body_targets: Targets::build(needles.body),
            regexes,
            unbounded_title,
            unbounded_body,
            labels,
            fields,
            pool: std::sync::Mutex::default(),
        })
    }

    /// How many failure modes the matcher knows.
    pub fn failure_mode_count(&self) -> usize {
        self.failure_modes.len()
    }

    /// How many patterns have no usable literal and so run on every record (worth a warning: each
    /// costs a regex search per record).
    pub fn unbounded_pattern_count(&self) -> usize {
        self.regexes.len()
            - self
                .regexes
                .iter()
                .enumerate()
                .filter(|(r, _)| {
                    let r = *r as u32;
                    !self.unbounded_title.contains(&r) && !self.unbounded_body.contains(&r)
                })
                .count()
    }
}
