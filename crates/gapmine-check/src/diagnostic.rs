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

/// The nearest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (word.chars().count() / 3).clamp(1, 4);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}
