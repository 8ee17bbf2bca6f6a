//! The automaton for long inputs: the catalogue's needles as one Aho-Corasick DFA, run over text
//! folded to ASCII lower case.
//!
//! Phrases and pattern literals match ASCII case-insensitively. An ASCII case-insensitive automaton
//! gives each upper-case letter a column of its own in every state's row of transitions (69 byte
//! classes for the benchmark's 6,560 needles, rows of 128 entries, 22 MB); but folding the text to
//! ASCII lower case first (one vectorised pass into a reused buffer; byte lengths do not change, so
//! offsets are the text's) lets a case-sensitive automaton over the lower-cased needles do the same
//! work, with upper-case letters in the class of bytes no needle holds: 42 classes, rows of 64,
//! 11 MB, half the cache lines for the same walk.
//!
//! The walk is written here against the DFA's [`Automaton`] interface rather than taken from
//! `find_overlapping_iter`, which stops and saves its state at every match: this loop does one
//! table load and one compare a byte, and hands each match to a closure. Each step waits on the
//! load of the next state, so a text long enough is walked as two halves at once, the second
//! begun a needle's length early, so that the two waits overlap (`Bulk::for_each_match`).

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{Anchored, MatchKind, dfa::DFA};

/// Needles as a case-sensitive DFA over their ASCII lower case (needle ids kept).
#[derive(Debug)]
pub(crate) struct Bulk {
    dfa: DFA,
    /// The longest needle's length in bytes.
    longest: usize,
}

impl Bulk {
    /// The DFA of `needles` (none empty), or `None` if it cannot be built.
    pub(crate) fn build(needles: &[Vec<u8>]) -> Option<Bulk> {
        debug_assert!(needles.iter().all(|n| !n.is_empty()));
        let dfa = DFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(needles.iter().map(|n| n.to_ascii_lowercase()))
            .ok()?;
        let longest = needles.iter().map(Vec::len).max().unwrap_or(1).max(1);
        Some(Bulk { dfa, longest })
    }

    /// Calls `found(needle, start, end)` for every occurrence of every needle in `folded` (text
    /// already ASCII lower-cased, see [`fold_into`]), overlapping ones included, once each but in
    /// no particular order: the same occurrences an overlapping ASCII case-insensitive search of
    /// the original text finds.
    pub(crate) fn for_each_match(&self, folded: &[u8], mut found: impl FnMut(u32, usize, usize)) {
        let Ok(start) = self.dfa.start_state(Anchored::No) else {
            return;
        };
        // Two walks, over the first half and over the second half begun `longest - 1` bytes
        // early (so it sees every needle that ends in it), interleaved: each walk waits on its
        // next state's load, and two waits overlap. The second reports only what ends in its half.
        // A field so short that the second walk would repeat half of the first is walked once.
        let mid = folded.len() / 2;
        let second = mid.saturating_sub(self.longest - 1);
        if mid - second >= mid / 2 {
            self.walk(start, 0, folded, folded.len(), 0, &mut found);
            return;
        }
        let (mut a, mut b) = ((start, 0), (start, second));
        while a.1 < mid && b.1 < folded.len() {
            (a, b) = self.to_special2(a, mid, b, folded);
            self.report(a.0, a.1, 0, &mut found);
            self.report(b.0, b.1, mid, &mut found);
        }
        self.walk(a.0, a.1, folded, mid, 0, &mut found);
        self.walk(b.0, b.1, folded, folded.len(), mid, &mut found);
    }

    /// Walks from `at` in state `sid` to `end`, reporting the matches that end after `after`.
    fn walk(
        &self,
        mut sid: StateID,
        mut at: usize,
        folded: &[u8],
        end: usize,
        after: usize,
        found: &mut impl FnMut(u32, usize, usize),
    ) {
        while at < end {
            (sid, at) = self.to_special(sid, &folded[..end], at);
            self.report(sid, at, after, found);
        }
    }

    /// Reports the matches of state `sid` reached just before `at`, if they end after `after`.
    #[inline]
    fn report(
        &self,
        sid: StateID,
        at: usize,
        after: usize,
        found: &mut impl FnMut(u32, usize, usize),
    ) {
        let dfa = &self.dfa;
        if !dfa.is_match(sid) || at <= after {
            return;
        }
        for m in 0..dfa.match_len(sid) {
            let needle = dfa.match_pattern(sid, m);
            found(needle.as_u32(), at - dfa.pattern_len(needle), at);
        }
    }

    /// [`Bulk::to_special`] for two walks at once, the first up to `a_end`, the second up to
    /// the end of `folded`: stops after the step where either reaches a special state or its end.
    #[inline(never)]
    fn to_special2(
        &self,
        (mut sa, mut ia): (StateID, usize),
        a_end: usize,
        (mut sb, mut ib): (StateID, usize),
        folded: &[u8],
    ) -> ((StateID, usize), (StateID, usize)) {
        let dfa = &self.dfa;
        let (a_bytes, b_bytes) = (&folded[ia..a_end], &folded[ib..]);
        for (&x, &y) in a_bytes.iter().zip(b_bytes) {
            sa = dfa.next_state(Anchored::No, sa, x);
            sb = dfa.next_state(Anchored::No, sb, y);
            ia += 1;
            ib += 1;
            if dfa.is_special(sa) || dfa.is_special(sb) {
                break;
            }
        }
        ((sa, ia), (sb, ib))
    }

    /// Walks `folded` from `at` in state `sid` up to the first special state (without a
    /// prefilter, a match state: an unanchored walk never dies): returns it and the
    /// offset just after the byte that led to it (or the last state and the end). Kept out of
    /// line, so that the walk, one table load a byte, holds its few values in registers
    /// rather than sharing them with the caller's handling of matches.
    #[inline(never)]
    fn to_special(&self, mut sid: StateID, folded: &[u8], at: usize) -> (StateID, usize) {
        let dfa = &self.dfa;
        for (i, &byte) in folded.iter().enumerate().skip(at) {
            sid = dfa.next_state(Anchored::No, sid, byte);
            if dfa.is_special(sid) {
                return (sid, i + 1);
            }
        }
        (sid, folded.len())
    }
}

/// Copies `text` into `out`, ASCII lower-cased (the same length).
pub(crate) fn fold_into(text: &str, out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(text.as_bytes());
    out.make_ascii_lowercase();
}
