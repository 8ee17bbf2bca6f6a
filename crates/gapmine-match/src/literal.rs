//! Literal prefilters for patterns: the byte strings one of which every match of a regex contains.

use regex_syntax::hir::Hir;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// How a pattern is found among records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Prefilter {
    /// Every match contains one of these (ASCII lower-cased, deduplicated, non-empty) literals, so
    /// the regex runs only where an ASCII case-insensitive search found one. With `prefix`, every
    /// match *starts* with one of them, so the regex need only be tried, anchored, where one was
    /// found, instead of searching the whole field.
    Literals {
        /// The literals.
        literals: Vec<Vec<u8>>,
        /// Whether they are prefixes of every match (rather than suffixes).
        prefix: bool,
    },
    /// No usable literal (`\d+`, `x*`): the regex runs on every record.
    Unbounded,
}

/// The prefilter of a pattern: the better of its prefix and suffix literal sets.
///
/// A finite prefix set means every match starts with one of its literals (exact or a prefix of the
/// match); a finite suffix set, that every match ends with one. Either way the match contains the
/// literal, which is all the prefilter needs. The set whose shortest literal is longest wins,
/// because short literals fire often. Lower-casing only ASCII keeps the set sound for the ASCII
/// case-insensitive automaton: a case variant found there is a superset of the exact literals.
pub(crate) fn prefilter(hir: &Hir) -> Prefilter {
    let mut best: Option<(usize, Vec<Vec<u8>>, bool)> = None;
    for (kind, prefix) in [(ExtractKind::Prefix, true), (ExtractKind::Suffix, false)] {
        let mut extractor = Extractor::new();
        extractor.kind(kind);
        let seq = extractor.extract(hir);
        let (Some(literals), Some(min)) = (seq.literals(), seq.min_literal_len()) else {
            continue;
        };
        if min == 0 || best.as_ref().is_some_and(|(m, _, _)| *m >= min) {
            continue;
        }
        let mut bytes: Vec<Vec<u8>> = literals
            .iter()
            .map(|l| l.as_bytes().to_ascii_lowercase())
            .collect();
        bytes.sort();
        bytes.dedup();
        best = Some((min, bytes, prefix));
    }
    match best {
        Some((_, literals, prefix)) => Prefilter::Literals { literals, prefix },
        None => Prefilter::Unbounded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pattern: &str) -> String {
        let hir = regex_syntax::Parser::new().parse(pattern).unwrap();
        match prefilter(&hir) {
            Prefilter::Literals { literals: ls, .. } => ls
                .iter()
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect::<Vec<_>>()
                .join(" | "),
            Prefilter::Unbounded => "unbounded".to_owned(),
        }
    }

    #[test]
    fn literals() {
        insta::assert_snapshot!(check("connection (reset|refused)"), @"connection refused | connection reset");
        insta::assert_snapshot!(check(r"(?i)dead ?lock"), @"dead lo | deadlo");
        insta::assert_snapshot!(check(r"\d+ms timeout"), @"ms timeout");
        insta::assert_snapshot!(check(r"\d+"), @"unbounded");
        insta::assert_snapshot!(check(r"x*"), @"unbounded");
        insta::assert_snapshot!(check(r"\bOOM\b|out of memory"), @"oom | out of memory");
    }
}
