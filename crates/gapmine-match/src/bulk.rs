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
//! table load and one compare a byte, and hands each match to a closure.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{Anchored, MatchKind, dfa::DFA};

/// Needles as a case-sensitive DFA over their ASCII lower case (needle ids kept).
#[derive(Debug)]
pub(crate) struct Bulk {
    dfa: DFA,
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
        Some(Bulk { dfa })
    }

    /// Calls `found(needle, start, end)` for every occurrence of every needle in `folded` (text
    /// already ASCII lower-cased, see [`fold_into`]), overlapping ones included, in the order of
    /// their ends; the same occurrences an overlapping ASCII case-insensitive search of the
    /// original text finds.
    pub(crate) fn for_each_match(&self, folded: &[u8], mut found: impl FnMut(u32, usize, usize)) {
        let dfa = &self.dfa;
        let Ok(mut sid) = dfa.start_state(Anchored::No) else {
            return;
        };
        let mut at = 0;
        while at < folded.len() {
            (sid, at) = self.to_special(sid, folded, at);
            // Without a prefilter, only match and dead states are special, and an unanchored
            // search never dies.
            if !dfa.is_special(sid) || dfa.is_dead(sid) {
                return;
            }
            for m in 0..dfa.match_len(sid) {
                let needle = dfa.match_pattern(sid, m);
                found(needle.as_u32(), at - dfa.pattern_len(needle), at);
            }
        }
    }

    /// Walks `folded` from `at` in state `sid` up to the first special state: returns it and the
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
