//! The automaton for long inputs: the catalogue's needles as one compact DFA over bytes whose
//! ASCII upper-case letters share the classes of their lower case.
//!
//! Phrases and pattern literals match ASCII case-insensitively. An ASCII case-insensitive
//! Aho-Corasick DFA gives each upper-case letter a column of its own in every state's row of
//! transitions (69 byte classes for the benchmark's 6,560 needles, rows of 128 entries, 22 MB), and
//! the crate's case-sensitive DFA over the lower-cased needles still pads its 42 classes to rows of
//! 64 four-byte entries (11 MB) and needs the text folded to lower case first (a copy of every
//! field). So the crate builds the DFA over the lower-cased needles, and [`Bulk::build`] copies its
//! states into a table of its own: one row of exactly as many entries as there are classes (one
//! per byte of the lower-cased needles, and one for every other byte), each entry a state index of
//! two bytes when there are fewer than 65,536 states (four otherwise), and a byte-to-class map that
//! sends `A`..`Z` to the classes of `a`..`z`, so the text is read as it is. The benchmark's DFA:
//! 42,306 states, 34 classes, 2.9 MB instead of 11 MB, and no copy of the text.
//!
//! Match states come first in the table, so that one compare tells whether a state has matches;
//! the others follow in breadth-first order from the start state, so that the shallow states, where
//! the walk spends most of its steps, share cache lines.
//!
//! The walk is the matcher's own: one class load (off the critical path), one table load and one
//! compare a byte. Each step waits on the load of the next state, so the texts (a record's title
//! and body) are cut into up to [`LANES`] lanes of equal length, walked at once so that their waits
//! overlap: a lane begins a needle's length before its own part, so that it is in the right state
//! there, and reports only the matches that end in it (`Bulk::plan`). Matches are reported from
//! inside the walk, by a function kept out of line.

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

    /// Calls `found(text, needle, start, end)` for every occurrence of every needle in each of
    /// `texts` (`text` its index, `start..end` its place there), ASCII case-insensitively,
    /// overlapping ones included, once each but in no particular order: the same occurrences an
    /// overlapping ASCII case-insensitive Aho-Corasick search of each text finds. No occurrence
    /// spans two texts. `plan` is a buffer, reused from call to call.
    pub(crate) fn for_each_match(
        &self,
        texts: &[&[u8]],
        plan: &mut Plan,
        mut found: impl FnMut(usize, u32, usize, usize),
    ) {
        self.plan(texts, plan);
        match &self.table {
            Table::Narrow(table) => self.walk_plan(table, texts, plan, &mut found),
            Table::Wide(table) => self.walk_plan(table, texts, plan, &mut found),
        }
    }

    /// Splits `texts`, as if laid end to end, into lanes that walk the same number of bytes,
    /// each lane but the first begun `longest - 1` bytes before its own part (within its text),
    /// so that it is in the right state there; a lane whose part crosses from one text into the
    /// next walks two segments. As many lanes as keep each own part at least as long as that
    /// overlap, at most [`LANES`]. The segments are queued first segment of every lane first, so
    /// that a lane's second segment starts when another segment ends.
    fn plan(&self, texts: &[&[u8]], plan: &mut Plan) {
        let overlap = self.longest - 1;
        let total: usize = texts.iter().map(|t| t.len()).sum();
        let lanes = (1..=LANES)
            .rev()
            .find(|&k| total >= (k + 1) * overlap.max(1))
            .unwrap_or(1);
        // Lane 0 owns `walked` bytes; lane k > 0 `walked - overlap`, after walking the overlap.
        let walked = (total + (lanes - 1) * overlap) / lanes;
        plan.firsts.clear();
        plan.later.clear();
        let mut own_start = 0;
        for lane in 0..lanes {
            let own_end = if lane + 1 == lanes {
                total
            } else if lane == 0 {
                walked
            } else {
                own_start + walked - overlap
            };
            // The lane's own part, cut at the texts' ends.
            let mut base = 0;
            let mut first = true;
            for (t, text) in texts.iter().enumerate() {
                let (lo, hi) = (own_start.max(base), own_end.min(base + text.len()));
                if lo < hi {
                    let own_from = lo - base;
                    let segment = Segment {
                        text: t,
                        walk_from: own_from.saturating_sub(overlap),
                        own_from,
                        end: hi - base,
                    };
                    if first {
                        plan.firsts.push(segment);
                    } else {
                        plan.later.push(segment);
                    }
                    first = false;
                }
                base += text.len();
            }
            own_start = own_end;
        }
    }

    /// Walks the segments of `plan`, up to [`LANES`] at once, reporting each match in the
    /// segment's own part.
    fn walk_plan<T: Entry>(
        &self,
        table: &[T],
        texts: &[&[u8]],
        plan: &Plan,
        found: &mut impl FnMut(usize, u32, usize, usize),
    ) {
        let mut queue = plan.firsts.iter().chain(&plan.later);
        let idle = Lane {
            segment: Segment {
                text: 0,
                walk_from: 0,
                own_from: 0,
                end: 0,
            },
            state: self.start,
            at: 0,
        };
        let mut active = [idle; LANES];
        let mut len = 0;
        loop {
            while len < LANES {
                let Some(segment) = queue.next() else { break };
                active[len] = Lane {
                    segment: *segment,
                    state: self.start,
                    at: segment.walk_from,
                };
                len += 1;
            }
            match len {
                0 => return,
                1 => self.step_lanes::<T, 1>(table, texts, &mut active, found),
                2 => self.step_lanes::<T, 2>(table, texts, &mut active, found),
                3 => self.step_lanes::<T, 3>(table, texts, &mut active, found),
                _ => self.step_lanes::<T, 4>(table, texts, &mut active, found),
            }
            let mut kept = 0;
            for i in 0..len {
                let lane = active[i];
                if lane.at < lane.segment.end {
                    active[kept] = lane;
                    kept += 1;
                }
            }
            len = kept;
        }
    }

    /// Advances the `K` lanes of `active` together until one reaches a match state or the end
    /// of its segment.
    fn step_lanes<T: Entry, const K: usize>(
        &self,
        table: &[T],
        texts: &[&[u8]],
        active: &mut [Lane],
        found: &mut impl FnMut(usize, u32, usize, usize),
    ) {
        let lanes: &mut [Lane; K] = (&mut active[..K]).try_into().expect("K lanes");
        let steps = lanes
            .iter()
            .map(|l| l.segment.end - l.at)
            .min()
            .unwrap_or(0);
        let mut walk: Walk<'_, K> = Walk {
            state: std::array::from_fn(|k| lanes[k].state),
            at: std::array::from_fn(|k| lanes[k].at),
            text: std::array::from_fn(|k| texts[lanes[k].segment.text]),
            segment: std::array::from_fn(|k| lanes[k].segment),
        };
        self.walk_lanes(table, &mut walk, steps, found);
        for (k, lane) in lanes.iter_mut().enumerate() {
            (lane.state, lane.at) = (walk.state[k], walk.at[k]);
        }
    }

    /// Reports the matches of the lanes of `walk` in a match state, reached just before their
    /// offsets, if they end in the lane's own part. Out of line: matches are rare next to steps.
    #[inline(never)]
    #[cold]
    fn report<const K: usize>(
        &self,
        walk: &Walk<'_, K>,
        found: &mut impl FnMut(usize, u32, usize, usize),
    ) {
        for k in 0..K {
            let (state, at) = (walk.state[k], walk.at[k]);
            if state >= self.match_limit || at <= walk.segment[k].own_from {
                continue;
            }
            let begin = state
                .checked_sub(1)
                .map_or(0, |p| self.match_ends[p] as usize);
            for &(needle, len) in &self.matches[begin..self.match_ends[state] as usize] {
                found(walk.segment[k].text, needle, at - len as usize, at);
            }
        }
    }

    /// Advances every lane of `walk` `steps` bytes, reporting the matches on the way. Kept out
    /// of line, so that the walk, one table load a byte a lane, holds its few values in
    /// registers.
    #[inline(never)]
    fn walk_lanes<T: Entry, const K: usize>(
        &self,
        table: &[T],
        walk: &mut Walk<'_, K>,
        steps: usize,
        found: &mut impl FnMut(usize, u32, usize, usize),
    ) {
        let (stride, limit, classes) = (self.stride, self.match_limit, &self.classes);
        let (mut s, mut i, text) = (walk.state, walk.at, walk.text);
        for _ in 0..steps {
            let mut hit = false;
            for k in 0..K {
                let class = classes[usize::from(text[k][i[k]])];
                s[k] = table[s[k] * stride + usize::from(class)].index();
                i[k] += 1;
                hit |= s[k] < limit;
            }
            if hit {
                (walk.state, walk.at) = (s, i);
                self.report(walk, found);
            }
        }
        (walk.state, walk.at) = (s, i);
    }
}

/// `K` lanes being walked: their states, offsets, texts and segments.
#[derive(Debug)]
struct Walk<'t, const K: usize> {
    state: [usize; K],
    at: [usize; K],
    text: [&'t [u8]; K],
    segment: [Segment; K],
}

/// How many lanes are walked at once.
const LANES: usize = 4;

/// Part of one text that one lane walks.
#[derive(Debug, Clone, Copy)]
struct Segment {
    /// The text's index.
    text: usize,
    /// Where the walk begins…
    walk_from: usize,
    /// where the matches it reports may end after (they end in `own_from + 1..=end`, or
    /// anywhere in `1..=end` when it is 0)…
    own_from: usize,
    /// and where it ends.
    end: usize,
}

/// A segment being walked.
#[derive(Debug, Clone, Copy)]
struct Lane {
    segment: Segment,
    state: usize,
    at: usize,
}

/// The segments of one walk: every lane's first, then the others, in the order lanes take them
/// up.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    firsts: Vec<Segment>,
    later: Vec<Segment>,
}
