//! Classifying records with a compiled [`Matcher`]: the per-record loop, free of per-failure-mode
//! work and, but for the result it returns, of allocation.

use rayon::prelude::*;

use regex_automata::{Anchored, Input, meta};

use crate::compile::{Confirm, Matcher, RegexInfo, Scanner, Target, Targets, lower_into};
use crate::{Classification, Decision, Evidence, EvidenceField, RecordView, Standing, Verdict};

/// Once a scratch has scanned this many bytes of titles and bodies, its matcher's automaton is
/// rebuilt as a compact DFA ([`Matcher::automaton_for`], [`crate::bulk`]), which every scratch
/// then uses.
pub(crate) const BULK_BYTES: u64 = 4 << 20;

/// The regex caches of one [`Scratch`] are dropped when together they exceed this many bytes…
///
/// Small enough that a stream's first records fill it: most patterns' caches stay about 6 KB
/// (they are tried anchored at a literal), so a larger budget (8 MB and 8 KB a pattern, when
/// lazy DFAs grew the caches) was never reached and a thread's memory grew with each pattern
/// its input woke for the first time (9.0 MB after 50 MB of records, 11.2 MB after 200 MB).
/// At 2 MB and 2 KB a pattern, the benchmark's 1,000-pattern catalogue peaks at 7.1 and 7.2 MB,
/// classifying as fast.
const CACHE_BUDGET: usize = 2 << 20;
/// And this many more for each pattern.
const CACHE_PER_PATTERN: usize = 2 << 10;

/// A scratch taken from a matcher's pool, given back when dropped.
struct Pooled<'m> {
    matcher: &'m Matcher,
    scratch: Option<Scratch>,
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(scratch) = self.scratch.take() {
            self.matcher
                .pool
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(scratch);
        }
    }
}

/// Where a signal fired, before it becomes [`Evidence`].
#[derive(Debug, Clone, Copy)]
struct Hit {
    place: Place,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Title,
    Body,
    Label(u32),
    Field(u32),
}

impl Place {
    /// Earlier places win: title before body, labels in record order.
    fn order(self) -> u32 {
        match self {
            Place::Title | Place::Field(_) => 0,
            Place::Body => 1,
            Place::Label(i) => i,
        }
    }
}

impl Hit {
    /// Whether `self` is an earlier occurrence than `other`: earlier place, then smaller start,
    /// then longer.
    fn before(&self, other: &Hit) -> bool {
        (self.place.order(), self.start, usize::MAX - self.end)
            < (other.place.order(), other.start, usize::MAX - other.end)
    }
}

/// Buffers reused from record to record: sized once per matcher, reset by bumping a generation
/// rather than by clearing (so a record costs nothing per signal that did not fire).
#[derive(Debug)]
pub struct Scratch {
    generation: u32,
    signal_stamp: Vec<u32>,
    signal_hit: Vec<Hit>,
    fired: Vec<u32>,
    scan: u32,
    regex_stamp: Vec<u32>,
    /// Per automaton needle, the last scan that found it.
    needle_stamp: Vec<u32>,
    /// The needles found in this scan: (needle, start, end), in the automaton's order.
    hits: Vec<(u32, u32, u32)>,
    candidates: Vec<u32>,
    /// Where a candidate's anchor group was found: (start of the anchor, end of the literal).
    anchors: Vec<(u32, u32)>,
    /// Bytes of titles and bodies scanned with this scratch (saturating).
    pub(crate) scanned: u64,
    caches: Vec<Option<meta::Cache>>,
    /// Each cache's bytes after its last search, and their sum.
    cache_bytes: Vec<usize>,
    cache_total: usize,
    /// Regex searches so far, and the search each cache was last used by.
    searches: u64,
    cache_used: Vec<u64>,
    /// (last use, regex) of the live caches, gathered when some must be dropped.
    by_use: Vec<(u64, u32)>,
    fm_stamp: Vec<u32>,
    fm_keep: Vec<f64>,
    fm_damp: Vec<f64>,
    touched: Vec<u32>,
    classified: Vec<(u32, u32)>,
    lower: String,
    /// The bulk DFA's matches in the title and in the body, and its plan of lanes.
    walked: [Vec<(u32, u32, u32)>; 2],
    plan: crate::bulk::Plan,
}

impl Scratch {
    fn next_generation(&mut self) {
        if self.generation == u32::MAX {
            self.generation = 0;
            self.signal_stamp.fill(0);
            self.fm_stamp.fill(0);
        }
        self.generation += 1;
        self.fired.clear();
        self.touched.clear();
        self.classified.clear();
    }

    fn next_scan(&mut self) {
        if self.scan == u32::MAX {
            self.scan = 0;
            self.regex_stamp.fill(0);
            self.needle_stamp.fill(0);
        }
        self.scan += 1;
        self.candidates.clear();
        self.hits.clear();
    }

    fn offer(&mut self, signal: u32, hit: Hit) {
        let s = signal as usize;
        if self.signal_stamp[s] != self.generation {
            self.signal_stamp[s] = self.generation;
            self.signal_hit[s] = hit;
            self.fired.push(signal);
        } else if hit.before(&self.signal_hit[s]) {
            self.signal_hit[s] = hit;
        }
    }

    /// Searches `input` with regex `r` and its cache (created on first use), and accounts for
    /// the cache's growth.
    ///
    /// Caches grow as their lazy DFAs meet new text (patterns searched over windows or whole
    /// fields; those tried anchored at a literal use engines whose caches stay about 6 KB), and a
    /// catalogue has hundreds of patterns; so the caches' bytes are kept up to date after every
    /// search, and above the budget (2 MB, and 2 KB a pattern) the least recently used caches
    /// are dropped until they hold
    /// three quarters of it ([`Scratch::drop_caches`]). So one thread's caches never hold more
    /// than the budget and one search's growth, however long the input; results never depend on
    /// a cache.
    fn search(
        &mut self,
        r: u32,
        regex: &meta::Regex,
        input: &Input<'_>,
    ) -> Option<regex_automata::Match> {
        let r = r as usize;
        self.searches += 1;
        self.cache_used[r] = self.searches;
        let cache = self.caches[r].get_or_insert_with(|| regex.create_cache());
        let found = regex.search_with(cache, input);
        let bytes = cache.memory_usage();
        self.cache_total = self.cache_total + bytes - self.cache_bytes[r];
        self.cache_bytes[r] = bytes;
        if self.cache_total > self.cache_budget() {
            self.drop_caches();
        }
        found
    }

    /// The most bytes this scratch's regex caches may hold.
    fn cache_budget(&self) -> usize {
        CACHE_BUDGET + CACHE_PER_PATTERN * self.caches.len()
    }

    /// Drops the least recently used caches until the rest hold at most three quarters of the
    /// budget.
    ///
    /// Searches are unevenly spread over patterns (in the benchmark, a fifth of the patterns run
    /// four fifths of the searches), so the busy patterns keep their warmed caches; leaving a
    /// quarter of the budget free spaces the drops out. (Dropping every cache idle for a few
    /// thousand searches, as before, dropped nearly all of them each time: 6,435 caches were
    /// created for 34,923 searches over the benchmark's corpus, 3,994 with this rule while every
    /// pattern had a lazy DFA, and 912, one per pattern searched, since the anchored ones do not:
    /// the budget is no longer reached there.)
    fn drop_caches(&mut self) {
        let target = self.cache_budget() / 4 * 3;
        self.by_use.clear();
        for (r, cache) in self.caches.iter().enumerate() {
            if cache.is_some() {
                self.by_use.push((self.cache_used[r], r as u32));
            }
        }
        self.by_use.sort_unstable();
        for &(_, r) in &self.by_use {
            if self.cache_total <= target {
                break;
            }
            let r = r as usize;
            self.caches[r] = None;
            self.cache_total -= self.cache_bytes[r];
            self.cache_bytes[r] = 0;
        }
    }

    /// Records that the automaton found `needle` at `start..end` of the field at `place`: offers
    /// the hit to its phrase signals and makes the patterns it wakes candidates.
    fn found(&mut self, needle: u32, start: usize, end: usize, place: Place, targets: &Targets) {
        self.needle_stamp[needle as usize] = self.scan;
        self.hits.push((needle, start as u32, end as u32));
        for &target in targets.get(needle as usize) {
            match target {
                Target::Phrase(s) => self.offer(s, Hit { place, start, end }),
                Target::Regex(r) => self.candidate(r),
            }
        }
    }

    /// Makes regex `r` a candidate for a whole-field search in this scan (once).
    fn candidate(&mut self, r: u32) {
        if self.regex_stamp[r as usize] != self.scan {
            self.regex_stamp[r as usize] = self.scan;
            self.candidates.push(r);
        }
    }

    /// Whether a needle of every literal group of a pattern but its trigger was found in this
    /// scan (the trigger's was, or it would not be a candidate), given its groups but the
    /// trigger as packed in [`Matcher::wake_data`] from `at` on.
    fn has_groups(&self, data: &[u32], mut at: usize, count: u32) -> bool {
        for _ in 0..count {
            let len = data[at] as usize;
            let group = &data[at + 1..at + 1 + len];
            if !group
                .iter()
                .any(|&n| self.needle_stamp[n as usize] == self.scan)
            {
                return false;
            }
            at += 1 + len;
        }
        true
    }

    /// The score of failure mode `fm` in this generation, once [`Matcher::score_touched`] ran.
    fn score(&self, fm: usize) -> f64 {
        if self.fm_stamp[fm] == self.generation {
            (1.0 - self.fm_keep[fm]) * self.fm_damp[fm]
        } else {
            0.0
        }
    }

    /// Whether every one of `signals` already fired at a place before `place` (so searching
    /// `place` for them is moot).
    fn all_settled_before(&self, signals: &[u32], place: Place) -> bool {
        signals.iter().all(|&signal| {
            let s = signal as usize;
            self.signal_stamp[s] == self.generation
                && self.signal_hit[s].place.order() < place.order()
        })
    }

    /// [`Scratch::offer`] to each of `signals` (those of one shared pattern).
    fn offer_all(&mut self, signals: &[u32], hit: Hit) {
        for &signal in signals {
            self.offer(signal, hit);
        }
    }
}

impl Matcher {
    /// Fresh buffers for [`Matcher::classify_with`]; keep one per thread.
    pub fn scratch(&self) -> Scratch {
        let hit = Hit {
            place: Place::Title,
            start: 0,
            end: 0,
        };
        Scratch {
            generation: 0,
            signal_stamp: vec![0; self.signals.len()],
            signal_hit: vec![hit; self.signals.len()],
            fired: Vec::new(),
            scan: 0,
            regex_stamp: vec![0; self.regexes.len()],
            needle_stamp: vec![0; self.needle_count()],
            hits: Vec::new(),
            candidates: Vec::new(),
            anchors: Vec::new(),
            scanned: 0,
            caches: (0..self.regexes.len()).map(|_| None).collect(),
            searches: 0,
            cache_used: vec![0; self.regexes.len()],
            by_use: Vec::new(),
            cache_bytes: vec![0; self.regexes.len()],
            cache_total: 0,
            fm_stamp: vec![0; self.failure_modes.len()],
            fm_keep: vec![1.0; self.failure_modes.len()],
            fm_damp: vec![1.0; self.failure_modes.len()],
            touched: Vec::new(),
            classified: Vec::new(),
            lower: String::new(),
            walked: [Vec::new(), Vec::new()],
            plan: crate::bulk::Plan::default(),
        }
    }

    /// Classifies one record. For many records use [`Matcher::classify_batch`] or
    /// [`Matcher::classify_with`], which reuse buffers.
    pub fn classify<R: RecordView + ?Sized>(&self, record: &R) -> Classification<'_> {
        self.classify_with(record, &mut self.scratch())
    }

    /// Classifies records in parallel; the results are in input order.
    ///
    /// Scratch buffers (with their regex caches, which are costly to create and warm) are kept in
    /// the matcher's pool from call to call: rayon calls `map_init`'s init once per split job,
    /// not once per thread, so fresh buffers there would be rebuilt many times a batch.
    pub fn classify_batch<R: RecordView + Sync>(&self, records: &[R]) -> Vec<Classification<'_>> {
        self.pooled(records, |r, scratch| self.classify_with(r, scratch))
    }

    /// `each` over `items` in parallel, in input order, with scratch buffers from the
    /// matcher's pool (returned to it when the batch is done).
    fn pooled<T: Sync, U: Send>(
        &self,
        items: &[T],
        each: impl Fn(&T, &mut Scratch) -> U + Sync + Send,
    ) -> Vec<U> {
        items
            .par_iter()
            .map_init(
                || Pooled {
                    matcher: self,
                    scratch: Some(self.take_scratch()),
                },
                |pooled, item| {
                    let scratch = pooled.scratch.as_mut().expect("held until dropped");
                    each(item, scratch)
                },
            )
            .collect()
    }

    fn take_scratch(&self) -> Scratch {
        let pooled = self
            .pool
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        pooled.unwrap_or_else(|| self.scratch())
    }

    /// Classifies one record with buffers from [`Matcher::scratch`] (of this matcher).
    pub fn classify_with<R: RecordView + ?Sized>(
        &self,
        record: &R,
        scratch: &mut Scratch,
    ) -> Classification<'_> {
        assert_eq!(
            scratch.signal_stamp.len(),
            self.signals.len(),
            "a Scratch is made by the Matcher that uses it"
        );
        self.collect(record, scratch);
        self.decide(record, scratch)
    }

    /// How one record stands with the failure mode `failure_mode` (`None` if the matcher has no
    /// such failure mode): the same score, threshold and implication as [`Matcher::classify`]
    /// gives it, without the evidence and the other failure modes' decisions.
    pub fn verdict_with<R: RecordView + ?Sized>(
        &self,
        record: &R,
        failure_mode: &str,
        scratch: &mut Scratch,
    ) -> Option<Verdict<'_>> {
        assert_eq!(
            scratch.signal_stamp.len(),
            self.signals.len(),
            "a Scratch is made by the Matcher that uses it"
        );
        let target = *self.by_id.get(failure_mode)?;
        self.collect(record, scratch);
        self.score_touched(scratch);
        let info = &self.failure_modes[target as usize];
        let score = scratch.score(target as usize);
        let mut implied_by = Vec::new();
        if info.has_descendants {
            scratch.touched.sort_unstable();
        }
        for &fm in scratch.touched.iter().filter(|_| info.has_descendants) {
            let child = &self.failure_modes[fm as usize];
            if fm != target && child.ancestors.contains(&target) {
                let s = scratch.score(fm as usize);
                if s > 0.0 && s >= child.threshold {
                    implied_by.push(&child.id);
                }
            }
        }
        Some(Verdict {
            score,
            threshold: info.threshold,
            reached: score > 0.0 && score >= info.threshold,
            implied_by,
        })
    }

    /// How one record stands with the failure mode at `index` (in the order the matcher was
    /// compiled from; `None` past the end) by its own signals, and which other failure modes
    /// reach their thresholds by theirs: [`Matcher::verdict_with`] without the roll-up, for a
    /// caller that keeps the hierarchy itself.
    pub fn standing_with<R: RecordView + ?Sized>(
        &self,
        record: &R,
        index: usize,
        scratch: &mut Scratch,
    ) -> Option<Standing> {
        assert_eq!(
            scratch.signal_stamp.len(),
            self.signals.len(),
            "a Scratch is made by the Matcher that uses it"
        );
        let info = self.failure_modes.get(index)?;
        self.collect(record, scratch);
        self.score_touched(scratch);
        let score = scratch.score(index);
        let reached = score > 0.0 && score >= info.threshold;
        let mut others = Vec::new();
        if !reached {
            for &fm in &scratch.touched {
                let s = scratch.score(fm as usize);
                if fm as usize != index && s > 0.0 && s >= self.failure_modes[fm as usize].threshold
                {
                    others.push(fm);
                }
            }
            others.sort_unstable();
        }
        Some(Standing {
            score,
            threshold: info.threshold,
            reached,
            others,
        })
    }

    /// [`Matcher::standing_with`] for many (record, failure mode index) pairs, in parallel, with
    /// the matcher's pooled scratch buffers; the results are in input order.
    pub fn standings<R: RecordView + Sync>(&self, cases: &[(R, usize)]) -> Vec<Option<Standing>> {
        self.pooled(cases, |(record, index), scratch| {
            self.standing_with(record, *index, scratch)
        })
    }

    /// Reads every signal of the record into `scratch` (a new generation): what fired, and where
    /// first.
    fn collect<R: RecordView + ?Sized>(&self, record: &R, scratch: &mut Scratch) {
        scratch.next_generation();
        let (title, body) = (record.title(), record.body());
        // The bulk DFA walks the title and the body at once (as lanes), into `walked`.
        let scanner = self.automaton_for(scratch.scanned);
        if let Some(Scanner::Bulk(bulk)) = scanner {
            scratch.scanned = scratch
                .scanned
                .saturating_add((title.len() + body.len()) as u64);
            let mut walked = std::mem::take(&mut scratch.walked);
            walked.iter_mut().for_each(Vec::clear);
            bulk.for_each_match(
                &[title.as_bytes(), body.as_bytes()],
                &mut scratch.plan,
                |field, needle, start, end| walked[field].push((needle, start as u32, end as u32)),
            );
            scratch.walked = walked;
        }
        self.scan(title, 0, scanner, scratch);
        self.scan(body, 1, scanner, scratch);
        if !self.labels.is_empty() {
            for (i, label) in record.labels().iter().enumerate() {
                lower_into(label, &mut scratch.lower);
                if let Some(signals) = self.labels.get(scratch.lower.as_str()) {
                    for &s in signals {
                        let place = Place::Label(i as u32);
                        scratch.offer(
                            s,
                            Hit {
                                place,
                                start: 0,
                                end: label.len(),
                            },
                        );
                    }
                }
            }
        }
        for (f, field) in self.fields.iter().enumerate() {
            let Some(value) = record.field(&field.name) else {
                continue;
            };
            lower_into(value, &mut scratch.lower);
            if let Some(signals) = field.values.get(scratch.lower.as_str()) {
                for &s in signals {
                    let place = Place::Field(f as u32);
                    scratch.offer(
                        s,
                        Hit {
                            place,
                            start: 0,
                            end: value.len(),
                        },
                    );
                }
            }
        }
    }

    /// One automaton pass over field `field`'s text (0 the title, 1 the body), then the regexes
    /// whose literals it contained.
    ///
    /// With the bulk DFA (the `scanner` [`Matcher::collect`] chose for both fields), the pass
    /// has been made already: its matches in the field are in `scratch.walked[field]`.
    fn scan(&self, text: &str, field: usize, scanner: Option<Scanner<'_>>, scratch: &mut Scratch) {
        let (place, targets, unbounded) = if field == 0 {
            (Place::Title, &self.title_targets, &self.unbounded_title)
        } else {
            (Place::Body, &self.body_targets, &self.unbounded_body)
        };
        scratch.next_scan();
        match scanner {
            Some(Scanner::Compact(automaton)) => {
                scratch.scanned = scratch.scanned.saturating_add(text.len() as u64);
                for m in automaton.find_overlapping_iter(text) {
                    scratch.found(m.pattern().as_u32(), m.start(), m.end(), place, targets);
                }
            }
            Some(Scanner::Bulk(_)) => {
                let walked = std::mem::take(&mut scratch.walked[field]);
                for &(needle, start, end) in &walked {
                    scratch.found(needle, start as usize, end as usize, place, targets);
                }
                scratch.walked[field] = walked;
            }
            None => {}
        }
        let candidates = std::mem::take(&mut scratch.candidates);
        for &r in candidates.iter().chain(unbounded) {
            let wake = self.wakes[r as usize];
            let signals = &self.wake_data[wake.signals_at as usize..][..wake.signal_count as usize];
            if !scratch.has_groups(&self.wake_data, wake.others_at as usize, wake.other_count)
                || scratch.all_settled_before(signals, place)
            {
                continue;
            }
            let info = &self.regexes[r as usize];
            if let Some(m) = self.confirm(r, text, scratch) {
                scratch.offer_all(
                    &info.signals,
                    Hit {
                        place,
                        start: m.start(),
                        end: m.end(),
                    },
                );
            }
        }
        scratch.candidates = candidates;
    }

    /// The leftmost match of regex `r` in `text`, every group of which was found there.
    ///
    /// Where every match starts with a literal of the anchor group, it is tried anchored at each
    /// place that group was found, leftmost first: the first that matches is the leftmost match a
    /// whole-field search would have found, and a failed try costs the pattern's length, not the
    /// field's. Where every match ends with a literal and is at most `max` bytes long, the
    /// leftmost match starts in one of the windows of `max` bytes that end at a literal: find the
    /// smallest such start, then take the match anchored there, so the match is exactly the
    /// whole-field search's. Otherwise the whole field is searched.
    fn confirm(&self, r: u32, text: &str, scratch: &mut Scratch) -> Option<regex_automata::Match> {
        let info = &self.regexes[r as usize];
        if info.confirm == Confirm::Whole {
            return scratch.search(r, &info.regex, &Input::new(text));
        }
        let anchor = info.group(info.anchor as usize);
        scratch.anchors.clear();
        for &(needle, start, end) in &scratch.hits {
            if anchor.binary_search(&needle).is_ok()
                && let Some(begin) =
                    info.anchor_start(text.as_bytes(), start as usize, end as usize)
                && others_within(info, text, begin, end as usize, &scratch.hits)
            {
                scratch.anchors.push((begin as u32, end));
            }
        }
        if scratch.anchors.is_empty() {
            return None;
        }
        let mut anchors = std::mem::take(&mut scratch.anchors);
        anchors.sort_unstable();
        anchors.dedup();
        // A match anchored at `start` ends within the pattern's longest match; the span ends
        // there (look-arounds still see the text beyond it), so a search never reads further
        // and the backtracker's memory is bounded by the pattern, not by the field.
        let anchored = |scratch: &mut Scratch, start: usize| {
            let end = info
                .max_len
                .map_or(text.len(), |max| text.len().min(start.saturating_add(max)));
            let input = Input::new(text).range(start..end).anchored(Anchored::Yes);
            scratch.search(r, &info.regex, &input)
        };
        let found = match info.confirm {
            Confirm::WindowBeforeLiteral(max) => {
                let mut leftmost: Option<usize> = None;
                for &(_, end) in &anchors {
                    let end = end as usize;
                    let start = window(info, text, end, max);
                    let input = Input::new(text).range(start..end);
                    if let Some(m) = scratch.search(r, &info.regex, &input) {
                        leftmost = Some(leftmost.map_or(m.start(), |l| l.min(m.start())));
                    }
                }
                leftmost.and_then(|start| anchored(scratch, start))
            }
            _ => anchors
                .iter()
                .find_map(|&(start, _)| anchored(scratch, start as usize)),
        };
        scratch.anchors = anchors;
        found
    }

    /// Sorts the fired signals (so grouped by failure mode: signal ids are in catalogue order)
    /// and sums each touched failure mode's weights into its score ([`Scratch::score`]).
    fn score_touched(&self, scratch: &mut Scratch) {
        scratch.fired.sort_unstable();
        for &s in &scratch.fired {
            let signal = &self.signals[s as usize];
            let fm = signal.failure_mode as usize;
            if scratch.fm_stamp[fm] != scratch.generation {
                scratch.fm_stamp[fm] = scratch.generation;
                scratch.fm_keep[fm] = 1.0;
                scratch.fm_damp[fm] = 1.0;
                scratch.touched.push(fm as u32);
            }
            let w = signal.weight;
            if w > 0.0 {
                scratch.fm_keep[fm] *= 1.0 - w;
            } else if w < 0.0 {
                scratch.fm_damp[fm] *= 1.0 - w.abs();
            }
        }
    }

    /// Scores the failure modes whose signals fired, applies thresholds and parents, and builds
    /// the result.
    fn decide<'m, R: RecordView + ?Sized>(
        &'m self,
        record: &R,
        scratch: &mut Scratch,
    ) -> Classification<'m> {
        self.score_touched(scratch);
        let score = |scratch: &Scratch, fm: usize| scratch.score(fm);

        // (implied failure mode, classified descendant) pairs, the classified ones as (fm, fm).
        for &fm in &scratch.touched {
            let info = &self.failure_modes[fm as usize];
            let s = score(scratch, fm as usize);
            if s > 0.0 && s >= info.threshold {
                scratch.classified.push((fm, fm));
                for &a in &info.ancestors {
                    scratch.classified.push((a, fm));
                }
            }
        }
        scratch.classified.sort_unstable();

        let mut out = Classification::default();
        let mut next_classified = 0;
        let mut next_fired = 0;
        let emit = |fm: u32, scratch: &Scratch, next_fired: &mut usize| {
            let info = &self.failure_modes[fm as usize];
            let s = score(scratch, fm as usize);
            let mut evidence = Vec::new();
            while let Some(&sig) = scratch.fired.get(*next_fired) {
                let signal = &self.signals[sig as usize];
                if signal.failure_mode > fm {
                    break;
                }
                *next_fired += 1;
                if signal.failure_mode < fm {
                    continue;
                }
                evidence.push(self.evidence(record, sig, &scratch.signal_hit[sig as usize]));
            }
            Decision {
                failure_mode: &info.id,
                score: s,
                threshold: info.threshold,
                reached: s > 0.0 && s >= info.threshold,
                implied_by: Vec::new(),
                evidence,
            }
        };
        // Walk the touched and the implied failure modes together, in catalogue order.
        scratch.touched.sort_unstable();
        let mut next_touched = 0;
        loop {
            let t = scratch.touched.get(next_touched).copied();
            let c = scratch.classified.get(next_classified).map(|p| p.0);
            let fm = match (t, c) {
                (None, None) => break,
                (Some(t), None) => t,
                (None, Some(c)) => c,
                (Some(t), Some(c)) => t.min(c),
            };
            if t == Some(fm) {
                next_touched += 1;
            }
            let mut decision = emit(fm, scratch, &mut next_fired);
            let mut classified = false;
            while let Some(&(implied, child)) = scratch.classified.get(next_classified) {
                if implied != fm {
                    break;
                }
                next_classified += 1;
                classified = true;
                if child != fm {
                    decision
                        .implied_by
                        .push(&self.failure_modes[child as usize].id);
                }
            }
            if classified {
                out.matches.push(decision);
            } else if decision.score > 0.0 {
                out.near_misses.push(decision);
            }
        }
        out
    }

    fn evidence<'m, R: RecordView + ?Sized>(
        &'m self,
        record: &R,
        signal: u32,
        hit: &Hit,
    ) -> Evidence<'m> {
        let info = &self.signals[signal as usize];
        let range = hit.start..hit.end;
        let (field, text) = match hit.place {
            Place::Title => (
                EvidenceField::Title,
                record.title()[range.clone()].to_owned(),
            ),
            Place::Body => (EvidenceField::Body, record.body()[range.clone()].to_owned()),
            Place::Label(i) => (EvidenceField::Label, record.labels()[i as usize].clone()),
            Place::Field(f) => {
                let name = self.fields[f as usize].name.as_str();
                (
                    EvidenceField::Field(name),
                    record.field(name).unwrap_or_default().to_owned(),
                )
            }
        };
        Evidence {
            failure_mode: &self.failure_modes[info.failure_mode as usize].id,
            signal_index: info.index as usize,
            kind: info.kind,
            weight: info.weight,
            field,
            range,
            text,
        }
    }
}

/// Where the window of a pattern whose matches end at `end` and are at most `max` bytes long
/// begins: no further back than its most characters, either.
fn window(info: &RegexInfo, text: &str, end: usize, max: usize) -> usize {
    let bytes = end.saturating_sub(max);
    match info.max_chars {
        Some(0) => end,
        Some(chars) => text[..end]
            .char_indices()
            .rev()
            .nth(chars - 1)
            .map_or(0, |(i, _)| i)
            .max(bytes),
        None => bytes,
    }
}

/// Whether a match anchored at an occurrence of `info`'s anchor group (`begin..end`, its lead
/// included) can hold a literal of every other group: where matches have at most so many
/// characters, each group must have been found within them after `begin` (anchored at the
/// literal) or before `end` (a window before it). `(?i)lease.{0,40}timeout` is not tried where
/// the only `timeout` is 200 bytes on, or before the `lease`.
fn others_within(
    info: &RegexInfo,
    text: &str,
    begin: usize,
    end: usize,
    hits: &[(u32, u32, u32)],
) -> bool {
    if info.group_count() < 2 {
        return true;
    }
    let (lo, hi) = match (info.confirm, info.max_chars) {
        (Confirm::AnchoredAtLiteral, Some(chars)) => {
            let hi = text[begin..]
                .char_indices()
                .nth(chars)
                .map_or(text.len(), |(i, _)| begin + i);
            (begin, hi)
        }
        (Confirm::WindowBeforeLiteral(max), _) => (window(info, text, end, max), end),
        _ => return true,
    };
    (0..info.group_count()).all(|g| {
        g == info.anchor as usize || {
            let group = info.group(g);
            hits.iter().any(|&(n, s, e)| {
                s as usize >= lo && e as usize <= hi && group.binary_search(&n).is_ok()
            })
        }
    })
}
