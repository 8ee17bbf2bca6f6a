//! Compiling failure modes into a [`Matcher`]: everything decided once per catalogue.

use std::fmt;

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use gapmine_model::{FailureMode, Id, SignalKind, TextField};
use regex_automata::meta;
use rustc_hash::FxHashMap;

use crate::EvidenceKind;
use crate::bulk::Bulk;
use crate::literal::literals;

/// Above this many bytes of needles, no DFA is built: its memory (while it is built, the crate's
/// DFA it is copied from, about 110 bytes a needle byte; then the table kept, about 30) would
/// outweigh its speed.
const DFA_NEEDLE_BYTES: usize = 128 << 10;

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
    /// Compact and quick to build (the crate picks a DFA only for a hundred needles or fewer).
    pub(crate) automaton: Option<AhoCorasick>,
    /// The needles, kept to build [`Matcher::bulk`] when it is first wanted.
    pub(crate) needles: Vec<Vec<u8>>,
    /// Whether a DFA is worth building once the input is long: the automaton is not one
    /// already, and the needles are not too many for it.
    pub(crate) bulk_wanted: bool,
    /// The same needles as a compact DFA that matches them ASCII case-insensitively (the same
    /// needle ids, so the same targets; [`crate::bulk`]), built once a scratch has scanned
    /// [`crate::classify::BULK_BYTES`] of text and used from then on by every scratch: several
    /// times faster than the contiguous NFA on long inputs, but it costs memory and tens of
    /// milliseconds to build, which checking a catalogue's examples never earns back. `None`
    /// inside: no DFA (too many needles, or it could not be built).
    pub(crate) bulk: OnceLock<Option<Bulk>>,
    /// What each automaton needle means when found in the title, and in the body.
    pub(crate) title_targets: Targets,
    pub(crate) body_targets: Targets,
    pub(crate) regexes: Vec<RegexInfo>,
    /// Per regex, where its candidate check's data is in `wake_data` ([`Wake`]): the few values
    /// a needle's waking the pattern reads, packed, so that the millions of checks a long input
    /// makes read two dense arrays instead of a pattern's scattered allocations.
    pub(crate) wakes: Vec<Wake>,
    pub(crate) wake_data: Vec<u32>,
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

impl Matcher {
    /// How many automaton needles there are (a needle id is below it).
    pub(crate) fn needle_count(&self) -> usize {
        self.needles.len()
    }

    /// The automaton to scan with: the DFA once it is built, or once `scanned` bytes (of the
    /// scratch asking) make it worth building.
    pub(crate) fn automaton_for(&self, scanned: u64) -> Option<Scanner<'_>> {
        let fast = self.automaton.as_ref()?;
        let bulk = match self.bulk.get() {
            Some(built) => built,
            None if !self.bulk_wanted || scanned < crate::classify::BULK_BYTES => {
                return Some(Scanner::Compact(fast));
            }
            None => self.bulk.get_or_init(|| Bulk::build(&self.needles)),
        };
        Some(bulk.as_ref().map_or(Scanner::Compact(fast), Scanner::Bulk))
    }
}

/// The automaton a scan uses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scanner<'m> {
    /// The automaton built with the matcher, ASCII case-insensitive, over the text as it is.
    Compact(&'m AhoCorasick),
    /// The DFA for long inputs, ASCII case-insensitive through its byte classes.
    Bulk(&'m Bulk),
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
    /// The most characters a match can have, if that is bounded (`.{0,40}` is 40 characters,
    /// but up to 160 bytes).
    pub(crate) max_chars: Option<usize>,
    /// The most bytes a match can have, if that is bounded: a search anchored at `start` need
    /// not look past `start + max_len`.
    pub(crate) max_len: Option<usize>,
    /// The "all of" prefilter: the literal groups ([`crate::literal::literals`]) as sorted
    /// automaton needle ids, group `g` being `group_needles[group_ends[g - 1]..group_ends[g]]`;
    /// the pattern is tried in a field only when a needle of every group was found there. No
    /// groups: the pattern is unbounded.
    pub(crate) group_needles: Box<[u32]>,
    pub(crate) group_ends: Box<[u32]>,
    /// The group whose needles make the pattern a candidate (the others are only looked up
    /// then): the one whose needles the fewest other groups share, short needles counting more,
    /// so that a common word such as `observed`, shared by hundreds of patterns, wakes none.
    pub(crate) trigger: u32,
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
    /// The needle ids of literal group `g`, sorted.
    pub(crate) fn group(&self, g: usize) -> &[u32] {
        let start = g.checked_sub(1).map_or(0, |p| self.group_ends[p] as usize);
        &self.group_needles[start..self.group_ends[g] as usize]
    }

    /// How many literal groups the pattern has (0: unbounded).
    pub(crate) fn group_count(&self) -> usize {
        self.group_ends.len()
    }

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

/// Where one pattern's candidate check reads in [`Matcher::wake_data`]: its signals, then each of
/// its literal groups but the trigger, as its length followed by its needle ids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wake {
    pub(crate) signals_at: u32,
    pub(crate) signal_count: u32,
    pub(crate) others_at: u32,
    pub(crate) other_count: u32,
}

/// Packs each pattern's signals and non-trigger groups for [`Matcher::wakes`].
fn wakes(regexes: &[RegexInfo]) -> (Vec<Wake>, Vec<u32>) {
    let mut data = Vec::new();
    let mut wakes = Vec::with_capacity(regexes.len());
    for info in regexes {
        let signals_at = data.len() as u32;
        data.extend_from_slice(&info.signals);
        let others_at = data.len() as u32;
        let mut other_count = 0;
        for g in (0..info.group_count()).filter(|&g| g != info.trigger as usize) {
            let group = info.group(g);
            data.push(group.len() as u32);
            data.extend_from_slice(group);
            other_count += 1;
        }
        wakes.push(Wake {
            signals_at,
            signal_count: info.signals.len() as u32,
            others_at,
            other_count,
        });
    }
    (wakes, data)
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
    /// A literal of this regex's trigger group occurred (see [`RegexInfo::trigger`]).
    Regex(u32),
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
    /// The id of `needle`, added if new.
    fn id(&mut self, needle: Vec<u8>) -> usize {
        let next = self.bytes.len();
        let id = *self.index.entry(needle.clone()).or_insert(next);
        if id == next {
            self.bytes.push(needle);
            self.title.push(Vec::new());
            self.body.push(Vec::new());
        }
        id
    }

    fn add(&mut self, needle: Vec<u8>, target: Target, field: TextField) {
        let id = self.id(needle);
        self.add_to(id, target, field);
    }

    fn add_to(&mut self, id: usize, target: Target, field: TextField) {
        if matches!(field, TextField::Title | TextField::Any) {
            self.title[id].push(target);
        }
        if matches!(field, TextField::Body | TextField::Any) {
            self.body[id].push(target);
        }
    }
}

/// The ancestors of failure mode `of`, nearest first, given each failure mode's parent (by
/// index; `None` for a root or a parent that names no failure mode): the chain the matcher
/// rolls a classification up, cut where it would come back to `of` or to an ancestor already
/// listed (the checker reports such cycles).
pub fn ancestors(of: u32, parent_of: impl Fn(u32) -> Option<u32>) -> Vec<u32> {
    let mut chain = Vec::new();
    let mut current = parent_of(of);
    while let Some(a) = current {
        if a == of || chain.contains(&a) {
            break;
        }
        chain.push(a);
        current = parent_of(a);
    }
    chain
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
            let parent_of = |at: u32| {
                failure_modes[at as usize]
                    .parent
                    .as_ref()
                    .and_then(|p| index_of.get(p))
                    .copied()
            };
            let ancestors = ancestors(i as u32, parent_of);
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
        let mut regex_fields: Vec<TextField> = Vec::new();

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
                            let regex = meta::Regex::builder()
                                .configure(engine_config(confirm))
                                .build_from_hir(&hir).map_err(|e| {
                                invalid(match e.size_limit() {
                                    Some(limit) => format!(
                                        "it compiles to more than the size limit of {limit} bytes"
                                    ),
                                    None => e.to_string(),
                                })
                            })?;
                            let unbounded = found.groups.is_empty();
                            let mut group_needles = Vec::new();
                            let mut group_ends = Vec::new();
                            for group in found.groups {
                                let start = group_needles.len();
                                for literal in group {
                                    group_needles.push(needles.id(literal) as u32);
                                }
                                group_needles[start..].sort_unstable();
                                group_ends.push(group_needles.len() as u32);
                            }
                            shared.insert((pattern.as_str(), signal.field), r);
                            regex_fields.push(signal.field);
                            regexes.push(RegexInfo {
                                signals: vec![id],
                                regex,
                                confirm,
                                max_chars: max_chars(&hir),
                                max_len: hir.properties().maximum_len(),
                                group_needles: group_needles.into(),
                                group_ends: group_ends.into(),
                                trigger: 0,
                                anchor,
                                edge,
                                lead: lead.into(),
                            });
                            if unbounded {
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

        choose_triggers(&mut regexes, &mut needles, &regex_fields);
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

        let (wakes, wake_data) = wakes(&regexes);
        let title_targets = Targets::build(std::mem::take(&mut needles.title));
        let body_targets = Targets::build(std::mem::take(&mut needles.body));
        let by_id = index_of
            .into_iter()
            .map(|(id, i)| (id.0.clone(), i))
            .collect();
        Ok(Matcher {
            failure_modes: infos,
            by_id,
            signals,
            bulk_wanted: automaton
                .as_ref()
                .is_some_and(|a| a.kind() != AhoCorasickKind::DFA)
                && needles.bytes.iter().map(Vec::len).sum::<usize>() <= DFA_NEEDLE_BYTES,
            automaton,
            needles: needles.bytes,
            bulk: OnceLock::new(),
            title_targets,
            body_targets,
            regexes,
            wakes,
            wake_data,
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

/// The regex engines a pattern confirmed as `confirm` may use.
///
/// A pattern tried anchored at its literal searches a few dozen bytes, once in a while: the lazy
/// DFA would build its states anew for nearly every search (a catalogue has hundreds of patterns,
/// and their caches are dropped to stay within the scratch's budget: 3,994 caches were created for
/// 34,923 searches over the benchmark's corpus), where the one-pass DFA or the bounded
/// backtracker, which need no warming, search such a span at once. Patterns searched over windows
/// or whole fields keep the lazy DFA. Every engine finds the same leftmost-first match.
fn engine_config(confirm: Confirm) -> meta::Config {
    let config = meta::Config::new();
    match confirm {
        Confirm::AnchoredAtLiteral => config.hybrid(false),
        _ => config,
    }
}

/// The most characters a match of `hir` can have, or `None` if unbounded. Patterns match whole
/// characters (they are compiled for UTF-8), so a class is one character, a literal its
/// characters.
fn max_chars(hir: &regex_syntax::hir::Hir) -> Option<usize> {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(0),
        HirKind::Literal(literal) => {
            Some(std::str::from_utf8(&literal.0).map_or(literal.0.len(), |s| s.chars().count()))
        }
        HirKind::Class(_) => Some(1),
        HirKind::Repetition(rep) => match (max_chars(&rep.sub)?, rep.max) {
            (0, _) => Some(0),
            (n, Some(max)) => n.checked_mul(max as usize),
            (_, None) => None,
        },
        HirKind::Capture(capture) => max_chars(&capture.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .try_fold(0usize, |sum, p| sum.checked_add(max_chars(p)?)),
        HirKind::Alternation(alts) => alts
            .iter()
            .try_fold(0usize, |most, a| Some(most.max(max_chars(a)?))),
    }
}

/// Picks each pattern's trigger group and makes its needles point at the pattern.
///
/// A needle's cost is how many pattern groups hold it (a word shared by many patterns is a common
/// word) times a penalty for shortness (a short needle occurs inside more words); a group's cost is
/// the sum over its needles, and the cheapest group is the trigger, the first among equals.
fn choose_triggers(regexes: &mut [RegexInfo], needles: &mut Needles, fields: &[TextField]) {
    let mut uses = vec![0u32; needles.bytes.len()];
    for info in regexes.iter() {
        for &n in info.group_needles.iter() {
            uses[n as usize] += 1;
        }
    }
    for (r, info) in regexes.iter_mut().enumerate() {
        if info.group_count() == 0 {
            continue;
        }
        let cost = |g: usize| -> u64 {
            info.group(g)
                .iter()
                .map(|&n| {
                    let len = needles.bytes[n as usize].len() as u64;
                    u64::from(uses[n as usize]) * 12u64.saturating_sub(len).max(1)
                })
                .sum()
        };
        let trigger = (0..info.group_count())
            .min_by_key(|&g| (cost(g), g))
            .expect("a group");
        info.trigger = trigger as u32;
        for &n in info.group(trigger) {
            needles.add_to(n as usize, Target::Regex(r as u32), fields[r]);
        }
    }
}
