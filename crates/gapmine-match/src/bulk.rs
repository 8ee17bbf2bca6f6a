//! The automaton for long inputs: the catalogue's needles as one compact DFA over bytes whose
//! ASCII upper-case letters share the classes of their lower case.
//!
//! Phrases and pattern literals match ASCII case-insensitively. An ASCII case-insensitive
//! Aho-Corasick DFA gives each upper-case letter a column of its own in every state's row of
//! transitions (69 byte classes for the benchmark's 6,560 needles, rows of 128 entries, 22 MB), and
//! the crate's case-sensitive DFA over the lower-cased needles still pads its 42 classes to rows of
//! 64 four-byte entries (11 MB) and needs the text folded to lower case first (a copy of every
//! field). So the crate builds the DFA over the lower-cased needles, and [`Bulk::build`] copies its
//! states into a table of its own: one row of exactly as many entries as there are classes (every
//! byte no needle holds is one class), each entry a state index of two bytes when there are fewer
//! than 65,536 states (four otherwise), and a byte-to-class map that sends `A`..`Z` to the classes
//! of `a`..`z`, so the text is read as it is. The benchmark's DFA: 42 classes, 3.6 MB instead of
//! 11 MB, and no copy of the text.
//!
//! Match states come first in the table, so that one compare tells whether a state has matches;
//! the others follow in breadth-first order from the start state, so that the shallow states, where
//! the walk spends most of its steps, share cache lines.
//!
//! The walk is the matcher's own: one class load (off the critical path), one table load and one
//! compare a byte, and each match handed to a closure. Each step waits on the load of the next
//! state, so a text long enough is walked as two halves at once, the second begun a needle's length
//! early, so that the two waits overlap (`Bulk::for_each_match`).

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{Anchored, MatchKind, dfa::DFA};
use rustc_hash::FxHashMap;

/// Needles as a compact DFA that matches them ASCII case-insensitively (needle ids kept).
#[derive(Debug)]
pub(crate) struct Bulk {
    /// Byte → its class: one per byte of the lower-cased needles, upper-case ASCII letters in
    /// their lower case's, every other byte in one class.
    classes: [u8; 256],
    /// How many classes, the length of a row.
    stride: usize,
    /// The transitions, `stride` a state.
    table: Table,
    /// The start state.
    start: usize,
    /// States below this one are match states.
    match_limit: usize,
    /// Match state `s`'s matches are `matches[match_ends[s - 1]..match_ends[s]]`, as (needle,
    /// its length).
    match_ends: Box<[u32]>,
    matches: Box<[(u32, u32)]>,
    /// The longest needle's length in bytes.
    longest: usize,
}

/// The transition table, with entries as narrow as the state count allows.
#[derive(Debug)]
enum Table {
    Narrow(Box<[u16]>),
    Wide(Box<[u32]>),
}

/// A state index as stored in a [`Table`].
trait Entry: Copy {
    fn index(self) -> usize;
}

impl Entry for u16 {
    #[inline(always)]
    fn index(self) -> usize {
        usize::from(self)
    }
}

impl Entry for u32 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }
}

impl Bulk {
    /// The DFA of `needles` (none empty), or `None` if it cannot be built.
    pub(crate) fn build(needles: &[Vec<u8>]) -> Option<Bulk> {
        debug_assert!(needles.iter().all(|n| !n.is_empty()));
        let lowered: Vec<Vec<u8>> = needles.iter().map(|n| n.to_ascii_lowercase()).collect();
        let dfa = DFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&lowered)
            .ok()?;

        // Classes: 0 for bytes in no needle, then one per needle byte in byte order.
        let mut used = [false; 256];
        for needle in &lowered {
            for &b in needle {
                used[usize::from(b)] = true;
            }
        }
        let mut classes = [0u8; 256];
        // The byte the crate's DFA reads for each class (never an upper-case letter).
        let mut representative = Vec::new();
        if let Some(other) = (0..=255u8).find(|&b| !used[usize::from(b)] && !b.is_ascii_uppercase())
        {
            representative.push(other);
        }
        for b in 0..=255u8 {
            if used[usize::from(b)] {
                classes[usize::from(b)] = u8::try_from(representative.len()).ok()?;
                representative.push(b);
            }
        }
        for b in b'A'..=b'Z' {
            classes[usize::from(b)] = classes[usize::from(b.to_ascii_lowercase())];
        }
        let stride = representative.len();

        // Every state reachable from the start, breadth first.
        let start = dfa.start_state(Anchored::No).ok()?;
        let mut order = vec![start];
        let mut seen: FxHashMap<StateID, usize> = FxHashMap::default();
        seen.insert(start, 0);
        let mut next = 0;
        while let Some(&sid) = order.get(next) {
            next += 1;
            for &b in &representative {
                let to = dfa.next_state(Anchored::No, sid, b);
                seen.entry(to).or_insert_with(|| {
                    order.push(to);
                    order.len() - 1
                });
            }
        }
        // Match states first, then the others, each in breadth-first order.
        let (mut renumbered, rest): (Vec<StateID>, Vec<StateID>) =
            order.iter().partition(|&&sid| dfa.is_match(sid));
        let match_limit = renumbered.len();
        renumbered.extend(rest);
        let index: FxHashMap<StateID, usize> = renumbered
            .iter()
            .enumerate()
            .map(|(i, &sid)| (sid, i))
            .collect();

        let mut match_ends = Vec::with_capacity(match_limit);
        let mut matches = Vec::new();
        for &sid in &renumbered[..match_limit] {
            for m in 0..dfa.match_len(sid) {
                let needle = dfa.match_pattern(sid, m);
                matches.push((
                    needle.as_u32(),
                    u32::try_from(dfa.pattern_len(needle)).ok()?,
                ));
            }
            match_ends.push(u32::try_from(matches.len()).ok()?);
        }

        let mut cells = Vec::with_capacity(renumbered.len() * stride);
        for &sid in &renumbered {
            for &b in &representative {
                cells.push(index[&dfa.next_state(Anchored::No, sid, b)]);
            }
        }
        let table = match cells.iter().map(|&i| u16::try_from(i)).collect() {
            Ok(narrow) => Table::Narrow(narrow),
            Err(_) => Table::Wide(
                cells
                    .iter()
                    .map(|&i| u32::try_from(i))
                    .collect::<Result<_, _>>()
                    .ok()?,
            ),
        };
        let longest = needles.iter().map(Vec::len).max().unwrap_or(1).max(1);
        Some(Bulk {
            classes,
            stride,
            table,
            start: index[&start],
            match_limit,
            match_ends: match_ends.into(),
            matches: matches.into(),
            longest,
        })
    }

    /// Calls `found(needle, start, end)` for every occurrence of every needle in `text`, ASCII
    /// case-insensitively, overlapping ones included, once each but in no particular order: the
    /// same occurrences an overlapping ASCII case-insensitive Aho-Corasick search finds.
    pub(crate) fn for_each_match(&self, text: &[u8], found: impl FnMut(u32, usize, usize)) {
        match &self.table {
            Table::Narrow(table) => self.for_each_match_in(table, text, found),
            Table::Wide(table) => self.for_each_match_in(table, text, found),
        }
    }

    fn for_each_match_in<T: Entry>(
        &self,
        table: &[T],
        text: &[u8],
        mut found: impl FnMut(u32, usize, usize),
    ) {
        // Each lane's own part must be at least as long as the overlap it walks first.
        let overlap = self.longest - 1;
        let fits = |lanes: usize| text.len() >= (lanes + 1) * overlap.max(1);
        if fits(4) {
            self.lanes::<T, 4>(table, text, &mut found);
        } else if fits(2) {
            self.lanes::<T, 2>(table, text, &mut found);
        } else {
            self.lanes::<T, 1>(table, text, &mut found);
        }
    }

    /// Walks `text` as `K` lanes at once: lane `k` reports the matches that end in its part of
    /// the text, and begins `longest - 1` bytes before it (the first at the start), so that it
    /// is in the right state when its part begins. Each step waits on the load of each lane's
    /// next state, and the `K` waits overlap. The parts are sized so that the lanes walk the same
    /// number of bytes; the few left over when the first lane ends are walked one lane at a time.
    fn lanes<T: Entry, const K: usize>(
        &self,
        table: &[T],
        text: &[u8],
        found: &mut impl FnMut(u32, usize, usize),
    ) {
        let overlap = self.longest - 1;
        // Lane 0 walks `walked` bytes, lane k > 0 `walked - overlap` of its own after `overlap`.
        let walked = (text.len() + (K - 1) * overlap) / K;
        let mut own_start = [0usize; K];
        let mut end = [0usize; K];
        for k in 0..K {
            own_start[k] = if k == 0 { 0 } else { end[k - 1] };
            end[k] = if k + 1 == K {
                text.len()
            } else {
                own_start[k] + walked - if k == 0 { 0 } else { overlap }
            };
        }
        let mut at: [usize; K] = std::array::from_fn(|k| own_start[k].saturating_sub(overlap));
        let mut state = [self.start; K];
        loop {
            let steps = (0..K).map(|k| end[k] - at[k]).min().unwrap_or(0);
            if steps == 0 {
                break;
            }
            self.to_match_lanes(table, &mut state, &mut at, text, steps);
            for k in 0..K {
                self.report(state[k], at[k], own_start[k], found);
            }
        }
        for k in 0..K {
            let mut st = state[k];
            while at[k] < end[k] {
                (st, at[k]) = self.to_match(table, st, &text[..end[k]], at[k]);
                self.report(st, at[k], own_start[k], found);
            }
        }
    }

    /// Reports the matches of state `state` reached just before `at`, if they end after `after`
    /// (or at all, when `after` is 0).
    #[inline]
    fn report(
        &self,
        state: usize,
        at: usize,
        after: usize,
        found: &mut impl FnMut(u32, usize, usize),
    ) {
        if state >= self.match_limit || (after > 0 && at <= after) {
            return;
        }
        let begin = state
            .checked_sub(1)
            .map_or(0, |p| self.match_ends[p] as usize);
        for &(needle, len) in &self.matches[begin..self.match_ends[state] as usize] {
            found(needle, at - len as usize, at);
        }
    }

    /// Advances every lane `steps` bytes, or fewer: stops after the step where a lane reaches a
    /// match state. Kept out of line, so that the walk, one table load a byte a lane, holds its
    /// few values in registers rather than sharing them with the caller's handling of matches.
    #[inline(never)]
    fn to_match_lanes<T: Entry, const K: usize>(
        &self,
        table: &[T],
        state: &mut [usize; K],
        at: &mut [usize; K],
        text: &[u8],
        steps: usize,
    ) {
        let (stride, limit, classes) = (self.stride, self.match_limit, &self.classes);
        let (mut s, mut i) = (*state, *at);
        for _ in 0..steps {
            let mut hit = false;
            for k in 0..K {
                s[k] = table[s[k] * stride + usize::from(classes[usize::from(text[i[k]])])].index();
                i[k] += 1;
                hit |= s[k] < limit;
            }
            if hit {
                break;
            }
        }
        (*state, *at) = (s, i);
    }

    /// Walks `text` from `at` in state `state` up to the first match state (an unanchored walk
    /// never dies): returns it and the offset just after the byte that led to it (or the last
    /// state and the end).
    #[inline(never)]
    fn to_match<T: Entry>(
        &self,
        table: &[T],
        mut state: usize,
        text: &[u8],
        at: usize,
    ) -> (usize, usize) {
        let (stride, limit, classes) = (self.stride, self.match_limit, &self.classes);
        for (i, &byte) in text.iter().enumerate().skip(at) {
            state = table[state * stride + usize::from(classes[usize::from(byte)])].index();
            if state < limit {
                return (state, i + 1);
            }
        }
        (state, text.len())
    }
}
