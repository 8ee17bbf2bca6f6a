//! Literal prefilters for patterns: the groups of byte strings every match of a regex contains
//! one of each, and whether a group begins or ends every match.

use regex_syntax::hir::literal::{Extractor, Seq};
use regex_syntax::hir::{Class, Hir, HirKind};

/// Literal groups shorter than this are not worth a needle: they occur nearly everywhere.
const MIN_GROUP_LEN: usize = 3;
/// At most this many groups per pattern (a bit each in a `u32` mask).
pub(crate) const MAX_GROUPS: usize = 32;
/// At most this many literals in one group.
const GROUP_LITERALS: usize = 256;
/// A run of parts stops growing when it would have more literals than this: the next part
/// starts a new group, since two groups of `m` and `n` literals cost `m + n` needles where one
/// costs `m × n` (`(?i)(dns|lock) (leak|drift) (seen|observed)` has 48 spellings).
const RUN_LITERALS: usize = 16;

/// What a pattern's literals say about where it can match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Literals {
    /// Sets of ASCII lower-cased, deduplicated, non-empty literals, in pattern order: every match
    /// contains (ASCII case-insensitively) a literal of each set. Empty: no usable literal (`\d+`,
    /// `x*`), so the pattern runs on every record.
    pub(crate) groups: Vec<Vec<Vec<u8>>>,
    /// Every match starts with a literal of the first group.
    pub(crate) prefix: bool,
    /// Every match ends with a literal of the last group.
    pub(crate) suffix: bool,
    /// The ASCII bytes that may follow a literal of the first group in a match, as a bit set
    /// (`u128::MAX`: any): the first characters of the part after it, where that part matches at
    /// least one character from a small set (`a\s+b`: whitespace).
    pub(crate) after_first: u128,
    /// The ASCII bytes that may come just before a literal of the last group, likewise
    /// (`[A-Z]{3}-\d{3,5} hang`: digits), before its `last_lead`.
    pub(crate) before_last: u128,
    /// Whitespace that every literal of the first (last) group began with, taken off them: a
    /// needle that begins with a space would send the automaton down its branch at every space
    /// of the text. The bytes must stand just before an occurrence for it to anchor a match.
    pub(crate) first_lead: Vec<u8>,
    pub(crate) last_lead: Vec<u8>,
}

/// The literals of a pattern: its "all of" prefilter.
///
/// The pattern is read as a concatenation (`a.{0,40}b` is `a`, `.{0,40}`, `b`). Each run of
/// consecutive parts that match finitely many exact strings (literals, small classes such as the
/// `[Cc]` that `(?i)` makes of a letter, `\b`, `(ed|s)?`) is one group: the strings its matches
/// can be. Each part's strings are ASCII lower-cased before they are crossed with the next part's
/// (the automaton is ASCII case-insensitive, and lower-casing bytes commutes with concatenation),
/// so `(?i)connection` is one literal, not a thousand case variants; a run whose strings would
/// exceed 16 ends there and a new one starts. A part that is not exact but has a finite set of
/// prefixes (an alternation of longer patterns) is a group of its own, which may begin a match
/// but never ends one. Groups whose shortest literal is under three bytes are left out, as are
/// groups beyond the 32nd: leaving a group out only makes the prefilter weaker, never wrong.
pub(crate) fn literals(hir: &Hir) -> Literals {
    let mut hir = hir;
    while let HirKind::Capture(capture) = hir.kind() {
        hir = &capture.sub;
    }
    let parts: &[Hir] = match hir.kind() {
        HirKind::Concat(parts) => parts,
        _ => std::slice::from_ref(hir),
    };
    // Case variants multiply: `(?i)observed` has 512 before they are lower-cased.
    let mut extractor = Extractor::new();
    extractor.limit_total(4096);
    let mut found: Vec<Found> = Vec::new();
    // The current run: its first part and its strings.
    let mut run: Option<(usize, Seq)> = None;
    for (i, part) in parts.iter().enumerate() {
        let Some(strings) = exact(part) else {
            if let Some((start, seq)) = run.take() {
                found.extend(Found::new(&seq, start, i, true));
            }
            found.extend(Found::new(&extractor.extract(part), i, i + 1, false));
            continue;
        };
        let mut seq = Seq::new(strings);
        match &mut run {
            Some((_, acc)) if acc.max_cross_len(&seq).is_some_and(|n| n <= RUN_LITERALS) => {
                acc.cross_forward(&mut seq);
            }
            _ => {
                if let Some((start, seq)) = run.take() {
                    found.extend(Found::new(&seq, start, i, true));
                }
                run = Some((i, seq));
            }
        }
    }
    if let Some((start, seq)) = run.take() {
        found.extend(Found::new(&seq, start, parts.len(), true));
    }
    found.truncate(MAX_GROUPS);
    let zero_width = |ps: &[Hir]| ps.iter().all(|p| p.properties().maximum_len() == Some(0));
    let prefix = found.first().is_some_and(|f| zero_width(&parts[..f.start]));
    // Only a run's literals end where its parts do.
    let after_first = found
        .first()
        .filter(|f| f.exact)
        .and_then(|f| parts.get(f.end))
        .map_or(u128::MAX, |p| edge(p, Edge::First));
    let before_last = found
        .last()
        .and_then(|f| f.start.checked_sub(1))
        .map_or(u128::MAX, |i| edge(&parts[i], Edge::Last));
    let suffix = found
        .last()
        .is_some_and(|f| f.exact && zero_width(&parts[f.end..]));
    let first_lead = found.first().map(|f| f.lead.clone()).unwrap_or_default();
    let last_lead = found.last().map(|f| f.lead.clone()).unwrap_or_default();
    // A group found twice (`foo.*foo`) is two bits that the same needles set: harmless.
    let groups = found.into_iter().map(|f| f.literals).collect();
    Literals {
        groups,
        prefix,
        suffix,
        after_first,
        before_last,
        first_lead,
        last_lead,
    }
}

#[derive(Clone, Copy)]
enum Edge {
    First,
    Last,
}

/// The ASCII bytes that can be the first (or last) byte of a match of `part`, as a bit set;
/// `u128::MAX` where it can match the empty string or we cannot tell. A non-ASCII character
/// never has an ASCII byte, so where the text has an ASCII byte there, it must be in the set.
fn edge(part: &Hir, which: Edge) -> u128 {
    match part.kind() {
        HirKind::Class(Class::Unicode(class)) => class
            .iter()
            .filter(|r| (r.start() as u32) < 128)
            .fold(0, |set, r| {
                set | ascii_range(r.start() as u8, (r.end() as u32).min(127) as u8)
            }),
        HirKind::Class(Class::Bytes(class)) => class
            .iter()
            .filter(|r| r.start() < 128)
            .fold(0, |set, r| set | ascii_range(r.start(), r.end().min(127))),
        HirKind::Literal(literal) => match which {
            Edge::First => literal.0.first(),
            Edge::Last => literal.0.last(),
        }
        .filter(|b| b.is_ascii())
        .map_or(u128::MAX, |&b| 1u128 << b),
        HirKind::Repetition(rep) if rep.min >= 1 => edge(&rep.sub, which),
        HirKind::Capture(capture) => edge(&capture.sub, which),
        _ => u128::MAX,
    }
}

fn ascii_range(start: u8, end: u8) -> u128 {
    (start..=end).fold(0, |set, b| set | 1u128 << b)
}

/// A group, and the parts `start..end` of the concatenation it came from.
struct Found {
    literals: Vec<Vec<u8>>,
    /// The whitespace all the literals began with, taken off them.
    lead: Vec<u8>,
    start: usize,
    end: usize,
    /// Whether the parts' matches are exactly the literals (a run), not only begin with them.
    exact: bool,
}

impl Found {
    fn new(seq: &Seq, start: usize, end: usize, exact: bool) -> Option<Found> {
        let mut literals: Vec<Vec<u8>> = seq
            .literals()?
            .iter()
            .map(|l| l.as_bytes().to_ascii_lowercase())
            .collect();
        let first = literals.first()?.clone();
        let lead_len = first
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .enumerate()
            .take_while(|&(i, &b)| literals.iter().all(|l| l.len() > i + 1 && l[i] == b))
            .count();
        let lead = first[..lead_len].to_vec();
        for literal in &mut literals {
            literal.drain(..lead_len);
        }
        literals.sort();
        literals.dedup();
        let shortest = literals.iter().map(Vec::len).min()?;
        (shortest >= MIN_GROUP_LEN && literals.len() <= GROUP_LITERALS).then_some(Found {
            literals,
            lead,
            start,
            end,
            exact,
        })
    }
}

/// Classes of more characters than this are not spelled out.
const CLASS_CHARS: u32 = 10;
/// Repetitions of more than this are not spelled out.
const REPEAT: u32 = 4;

/// Every string `hir` can match, ASCII lower-cased and deduplicated, if there are at most
/// [`GROUP_LITERALS`] (else `None`). Lower-casing as we go keeps the `[Cc][Oo]…` that `(?i)`
/// makes of a word to one string; it is sound because ASCII lower-casing works byte by byte, so
/// it commutes with concatenation and the automaton compares ASCII case-insensitively.
fn exact(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let strings = match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => vec![Vec::new()],
        HirKind::Literal(literal) => vec![literal.0.to_ascii_lowercase()],
        HirKind::Class(Class::Unicode(class)) => {
            let mut count = 0;
            let mut out = Vec::new();
            for range in class.iter() {
                count += u32::from(range.end()) - u32::from(range.start()) + 1;
                if count > CLASS_CHARS {
                    return None;
                }
                for c in range.start()..=range.end() {
                    let mut buf = [0; 4];
                    out.push(c.encode_utf8(&mut buf).as_bytes().to_ascii_lowercase());
                }
            }
            out
        }
        HirKind::Class(Class::Bytes(class)) => {
            let mut out = Vec::new();
            for range in class.iter() {
                for b in range.start()..=range.end() {
                    out.push(vec![b.to_ascii_lowercase()]);
                    if out.len() > CLASS_CHARS as usize {
                        return None;
                    }
                }
            }
            out
        }
        HirKind::Capture(capture) => return exact(&capture.sub),
        HirKind::Concat(parts) => {
            let mut acc = vec![Vec::new()];
            for part in parts {
                acc = cross(&acc, &exact(part)?)?;
            }
            acc
        }
        HirKind::Alternation(alternatives) => {
            let mut out = Vec::new();
            for alternative in alternatives {
                out.extend(exact(alternative)?);
                dedup(&mut out);
                if out.len() > GROUP_LITERALS {
                    return None;
                }
            }
            out
        }
        HirKind::Repetition(rep) => {
            let max = rep.max.filter(|&m| m <= REPEAT)?;
            let sub = exact(&rep.sub)?;
            let mut power = vec![Vec::new()];
            let mut out = Vec::new();
            for k in 0..=max {
                if k >= rep.min {
                    out.extend(power.iter().cloned());
                }
                if k < max {
                    power = cross(&power, &sub)?;
                }
            }
            out
        }
    };
    let mut strings = strings;
    dedup(&mut strings);
    (strings.len() <= GROUP_LITERALS).then_some(strings)
}

/// Every `a` followed by every `b`, if there are at most [`GROUP_LITERALS`].
fn cross(a: &[Vec<u8>], b: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    if a.len() * b.len() > GROUP_LITERALS {
        return None;
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            out.push([x.as_slice(), y.as_slice()].concat());
        }
    }
    dedup(&mut out);
    Some(out)
}

fn dedup(strings: &mut Vec<Vec<u8>>) {
    strings.sort();
    strings.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pattern: &str) -> String {
        let hir = regex_syntax::Parser::new().parse(pattern).unwrap();
        let found = literals(&hir);
        if found.groups.is_empty() {
            return "unbounded".to_owned();
        }
        let groups = found
            .groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|l| String::from_utf8_lossy(l).into_owned())
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect::<Vec<_>>()
            .join(" & ");
        let ends = match (found.prefix, found.suffix) {
            (true, true) => "prefix, suffix",
            (true, false) => "prefix",
            (false, true) => "suffix",
            (false, false) => "inside",
        };
        let set = |set: u128| match set {
            u128::MAX => String::new(),
            set => (0u8..128)
                .filter(|b| set & (1 << b) != 0)
                .map(|b| (b as char).escape_debug().to_string())
                .collect(),
        };
        let mut out = format!("{groups} ({ends})");
        for (which, lead) in [("first", &found.first_lead), ("last", &found.last_lead)] {
            if !lead.is_empty() {
                out += &format!(" {which} after {:?}", String::from_utf8_lossy(lead));
            }
        }
        if found.after_first != u128::MAX {
            out += &format!(" then [{}]", set(found.after_first));
        }
        if found.before_last != u128::MAX {
            out += &format!(" after [{}]", set(found.before_last));
        }
        out
    }

    #[test]
    fn literals_every_match_contains() {
        insta::assert_snapshot!(check("connection (reset|refused)"), @"connection refused | connection reset (prefix, suffix)");
        insta::assert_snapshot!(check(r"(?i)dead ?lock"), @"dead lock | dead locK | deadlock | deadlocK (prefix, suffix)");
        insta::assert_snapshot!(check(r"\d+ms timeout"), @"ms timeout (suffix) after [0123456789]");
        insta::assert_snapshot!(check(r"\d+"), @"unbounded");
        insta::assert_snapshot!(check(r"x*"), @"unbounded");
        insta::assert_snapshot!(check(r"\bOOM\b|out of memory"), @"oom | out of memory (prefix, suffix)");
        insta::assert_snapshot!(check(r"(?i)lease.{0,40}timeout"), @"lease | leaſe & timeout (prefix, suffix)");
        insta::assert_snapshot!(check(r"disk\s+leak"), @r"disk & leak (prefix, suffix) then [\t\n\u{b}\u{c}\r ] after [\t\n\u{b}\u{c}\r ]");
        insta::assert_snapshot!(check(r"(?i)\bcache\b.{0,40}\bstall(ed|s)?\b"), @"cache & stall | stalled | stalls | stallſ | ſtall | ſtalled | ſtalls | ſtallſ (prefix, suffix)");
        insta::assert_snapshot!(check(r"(?i)(api|tcp) (drift|hang) (noted|logged)"), @"api drift logged | api drift noted | api hang logged | api hang noted | tcp drift logged | tcp drift noted | tcp hang logged | tcp hang noted (prefix, suffix)");
        insta::assert_snapshot!(check(r"\b[A-Z]{3}-\d{3,5} hang"), @r#"hang (suffix) first after " " last after " " after [0123456789]"#);
        insta::assert_snapshot!(check(r"(foo|bar\d+)baz"), @"bar | foo & baz (prefix, suffix)");
        insta::assert_snapshot!(check(r"\d+ ?ms"), @"unbounded");
        insta::assert_snapshot!(check(r"(?i)timeout:\s*\d+"), @"timeout: (prefix)");
        insta::assert_snapshot!(check(r"[0-9a-f]{8} (?i)hash"), @r#"hash | haſh (suffix) first after " " last after " " after [0123456789abcdef]"#);
        insta::assert_snapshot!(check(r" (?i)test \d+"), @r#"test  | teſt  (prefix) first after " " last after " " then [0123456789]"#);
    }
}
