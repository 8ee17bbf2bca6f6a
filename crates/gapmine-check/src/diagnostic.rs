//! Diagnostics as data: positioned by path while checking, by range once resolved.
//!
//! Lowering and checks never see text positions: they say *where* with a [`SyntaxPath`]
//! (which child, which argument), so their results stay equal, and are reused, when only
//! whitespace or comments change. The source map turns paths into ranges at the very end.

use gapmine_syntax::TextRange;

use crate::codes::{Code, Severity};

/// A place inside an entry or the manifest, independent of text positions: the indices of
/// the child nodes to walk down (counting only nodes that are not slashdashed and have a
/// name), then what to point at in the node reached.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, salsa::SalsaValue)]
pub struct SyntaxPath {
    /// Child indices from the entry node down.
    pub children: Vec<u32>,
    /// What to point at in the node reached.
    pub target: Target,
}

/// What a path points at in its node.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, salsa::SalsaValue)]
pub enum Target {
    /// The node's name (the default: short, and always there).
    #[default]
    Name,
    /// The whole node.
    Node,
    /// The n-th argument.
    Arg(u32),
    /// Bytes `start..end` of the n-th argument's decoded string.
    ArgSpan {
        /// The argument's index.
        arg: u32,
        /// The first byte in the decoded string.
        start: u32,
        /// One past the last byte in the decoded string.
        end: u32,
    },
    /// The value of the property with this key (the rightmost one).
    Prop(String),
    /// The key of the property with this key (the rightmost one): where an unknown property is.
    PropKey(String),
    /// Bytes `start..end` of the decoded string value of the property with this key.
    PropSpan {
        /// The property's key.
        key: String,
        /// The first byte in the decoded string.
        start: u32,
        /// One past the last byte in the decoded string.
        end: u32,
    },
}

impl SyntaxPath {
    /// The path to a target in the node at `children`.
    pub fn new(children: &[u32], target: Target) -> SyntaxPath {
        SyntaxPath {
            children: children.to_vec(),
            target,
        }
    }
}

/// A diagnostic located by path inside one entry (or the manifest).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalDiagnostic {
    /// The code.
    pub code: Code,
    /// What is wrong, one sentence.
    pub message: String,
    /// Where.
    pub path: SyntaxPath,
    /// Secondary places in the same entry, each with a note.
    pub labels: Vec<(SyntaxPath, String)>,
    /// What to do about it.
    pub help: Option<String>,
}

impl LocalDiagnostic {
    /// A diagnostic at `path`.
    pub fn new(code: Code, path: SyntaxPath, message: impl Into<String>) -> LocalDiagnostic {
        LocalDiagnostic {
            code,
            message: message.into(),
            path,
            labels: Vec::new(),
            help: None,
        }
    }

    /// With a help line.
    pub fn help(mut self, help: impl Into<String>) -> LocalDiagnostic {
        self.help = Some(help.into());
        self
    }
}

/// A resolved diagnostic: a file, a range, a message — what the CLI and the editor show.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// The code.
    pub code: Code,
    /// Its severity (the code's).
    pub severity: Severity,
    /// The file, as a path relative to the catalogue's root with `/` separators.
    pub file: String,
    /// The bytes it is about.
    pub range: TextRange,
    /// What is wrong, one sentence.
    pub message: String,
    /// Secondary places, each with a note ("first defined here").
    pub labels: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
}

/// A secondary place of a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    /// The file, relative to the catalogue's root.
    pub file: String,
    /// The bytes.
    pub range: TextRange,
    /// A note.
    pub message: String,
}

/// The nearest candidate to `word`, if one is close enough to be a likely typo: within an
/// optimal-string-alignment distance (edits and adjacent swaps) of a third of its length, at
/// least 1 and at most 4. Ties go to the alphabetically first candidate.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    nearest(word, candidates.into_iter().map(|c| (c, ())), |()| true).map(|(c, ())| c)
}

/// [`did_you_mean`] over candidates that carry a value, keeping only those `accept` takes.
/// `accept` is asked only of a candidate that would be the nearest so far, so an expensive
/// test (what the id names) runs for a few candidates, not all of them.
pub(crate) fn nearest<'c, T: Copy>(
    word: &str,
    candidates: impl IntoIterator<Item = (&'c str, T)>,
    mut accept: impl FnMut(T) -> bool,
) -> Option<(&'c str, T)> {
    let word: Vec<char> = word.chars().collect();
    let limit = (word.len() / 3).clamp(1, 4);
    let mut rows = Rows::default();
    let mut best: Option<(usize, &str, T)> = None;
    for (candidate, value) in candidates {
        let bound = best.as_ref().map_or(limit, |(d, _, _)| (*d).min(limit));
        if let Some(distance) = rows.bounded_osa(&word, candidate, bound) {
            if distance == 0 {
                continue;
            }
            if best
                .as_ref()
                .is_none_or(|(d, c, _)| (distance, candidate) < (*d, *c))
                && accept(value)
            {
                best = Some((distance, candidate, value));
            }
        }
    }
    best.map(|(_, c, v)| (c, v))
}

/// Reusable rows for the distance computation: one allocation for all candidates.
#[derive(Default)]
struct Rows {
    candidate: Vec<char>,
    before: Vec<usize>,
    previous: Vec<usize>,
    current: Vec<usize>,
}

impl Rows {
    /// The optimal-string-alignment distance between `a` and `b` if it is at most `bound`.
    /// Gives up as soon as a whole row exceeds the bound, so far-off candidates cost a few rows.
    fn bounded_osa(&mut self, a: &[char], b: &str, bound: usize) -> Option<usize> {
        self.candidate.clear();
        self.candidate.extend(b.chars());
        let b = &self.candidate;
        if a.len().abs_diff(b.len()) > bound {
            return None;
        }
        let width = b.len() + 1;
        for row in [&mut self.before, &mut self.previous, &mut self.current] {
            row.clear();
            row.resize(width, 0);
        }
        for (j, cell) in self.previous.iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            self.current[0] = i;
            let mut row_min = i;
            for j in 1..width {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut value = (self.previous[j] + 1)
                    .min(self.current[j - 1] + 1)
                    .min(self.previous[j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    value = value.min(self.before[j - 2] + 1);
                }
                self.current[j] = value;
                row_min = row_min.min(value);
            }
            if row_min > bound {
                return None;
            }
            std::mem::swap(&mut self.before, &mut self.previous);
            std::mem::swap(&mut self.previous, &mut self.current);
        }
        let distance = self.previous[width - 1];
        (distance <= bound).then_some(distance)
    }
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_the_nearest_plausible_candidate() {
        let ids = ["order-dependent-test", "flaky-test", "missing-null-check"];
        assert_eq!(
            did_you_mean("order-dependant-test", ids),
            Some("order-dependent-test")
        );
        assert_eq!(did_you_mean("flakey-test", ids), Some("flaky-test"));
        // An adjacent swap counts as one edit.
        assert_eq!(did_you_mean("flaky-tset", ids), Some("flaky-test"));
        assert_eq!(
            did_you_mean("summery", ["summary", "title"]),
            Some("summary")
        );
        assert_eq!(did_you_mean("payments", ids), None);
        // The word itself is not a suggestion.
        assert_eq!(did_you_mean("flaky-test", ids), None);
        // Ties go to the alphabetically first.
        assert_eq!(did_you_mean("ab", ["ac", "aa"]), Some("aa"));
    }
}
