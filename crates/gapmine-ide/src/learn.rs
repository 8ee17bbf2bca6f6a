//! `learn`: writes what a team decided about escapes back into the catalogue, as
//! format-preserving edits.
//!
//! A [`Decision`] says, for one escape record, which failure modes a person confirmed and which
//! intervention was applied with what outcome. [`learn`] turns decisions into text edits of the
//! catalogue's files: an `evidence "RECORD" outcome=… at=… note=…` child on the intervention
//! (its `outcome`, `at` and `note` updated where the record already has evidence there) and, when
//! asked, the record's title as a `matches` example of each confirmed failure mode. Every edit is
//! computed by `gapmine_syntax::edit`, so comments and layout outside the new lines stay byte for
//! byte; applying the result and learning the same decisions again gives no edit.
//!
//! The module does no IO: the CLI shows the edits as a diff and writes them, the language server
//! offers them as a code action.

use std::collections::{HashMap, HashSet};
use std::fmt;

use gapmine_check::did_you_mean;
use gapmine_model::{EntryKind, Outcome};
use gapmine_syntax::edit::{self, EditError, Position, TextEdit};
use gapmine_syntax::plain::{self, Value};
use gapmine_syntax::{TextRange, ast};

mod json;

pub use json::parse_decision;

/// What a person decided about one escape record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The escape record's id.
    pub record: String,
    /// The record's title: the text of a new `matches` example.
    pub title: Option<String>,
    /// The failure modes confirmed for the record.
    pub failure_modes: Vec<String>,
    /// The intervention applied, and how it fared.
    pub intervention: Option<Applied>,
}

/// An intervention applied for a record, and its outcome: the content of an `evidence` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The intervention's id.
    pub id: String,
    /// Whether it held.
    pub outcome: Outcome,
    /// When it was applied or judged (`YYYY-MM-DD`).
    pub at: Option<String>,
    /// A note.
    pub note: Option<String>,
}

/// What to write besides evidence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LearnOptions {
    /// Add each record's title as a `matches` example of its confirmed failure modes.
    pub examples: bool,
}

/// The result: the changed files and what was done for each decision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Learned {
    /// The files that change, in catalogue order.
    pub files: Vec<FileChange>,
    /// What each decision led to, in decision order.
    pub actions: Vec<Action>,
}

impl Learned {
    /// How many actions of this kind there are.
    pub fn count(&self, kind: ActionKind) -> usize {
        self.actions.iter().filter(|a| a.kind == kind).count()
    }
}

/// One changed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The path relative to the catalogue's root.
    pub path: String,
    /// The file's new text.
    pub new_text: String,
    /// The edits that turn the old text into the new one (ranges in the old text).
    pub edits: Vec<TextEdit>,
}

/// One thing a decision led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// The decision's index in the input.
    pub decision: usize,
    /// What was done.
    pub kind: ActionKind,
    /// The entry it was done to (an intervention or a failure mode).
    pub entry: String,
    /// The file of the entry, relative to the catalogue's root.
    pub path: String,
    /// For [`ActionKind::NotResolved`]: the confirmed failure mode the intervention does not
    /// list in `resolves`; for updates, the properties that changed (comma-separated).
    pub detail: Option<String>,
}

/// What a decision led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// A new `evidence` node.
    EvidenceAdded,
    /// The record's evidence was there; its `outcome`, `at` or `note` changed.
    EvidenceUpdated,
    /// The record's evidence was there as decided: nothing to do.
    EvidenceKnown,
    /// A new `matches` example.
    ExampleAdded,
    /// The title was an example already: nothing to do.
    ExampleKnown,
    /// A note, not an edit: the intervention does not list a confirmed failure mode (or one of
    /// its ancestors) in `resolves`.
    NotResolved,
}

/// Why a decision cannot be learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnError {
    /// The decision's index in the input.
    pub decision: usize,
    /// What is wrong.
    pub kind: LearnErrorKind,
}

/// What is wrong with a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LearnErrorKind {
    /// No entry has this id.
    UnknownId {
        /// The id.
        id: String,
        /// The kind of entry the decision needs.
        expected: EntryKind,
        /// A close id of that kind.
        suggestion: Option<String>,
    },
    /// The id names an entry of another kind.
    WrongKind {
        /// The id.
        id: String,
        /// The kind of entry the decision needs.
        expected: EntryKind,
        /// The kind it is.
        found: EntryKind,
    },
    /// Examples were asked for, but the decision has no title.
    MissingTitle,
    /// The title is empty or only whitespace.
    EmptyTitle,
    /// The record id is empty or only whitespace.
    EmptyRecord,
    /// The decision confirms no failure mode and names no intervention.
    Empty,
    /// `at` is not a date.
    BadDate(String),
    /// The edit could not be computed (the entry's file has a syntax error there).
    Edit {
        /// The file.
        path: String,
        /// Why.
        error: EditError,
    },
}

impl fmt::Display for LearnErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LearnErrorKind::UnknownId {
                id,
                expected,
                suggestion,
            } => {
                write!(f, "no {} has the id `{id}`", expected.keyword())?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{s}`?"),
                    None => write!(
                        f,
                        "; use the id of {} of the catalogue",
                        with_article(*expected)
                    ),
                }
            }
            LearnErrorKind::WrongKind {
                id,
                expected,
                found,
            } => write!(
                f,
                "`{id}` is {}, not {}; name {} here",
                with_article(*found),
                with_article(*expected),
                with_article(*expected)
            ),
            LearnErrorKind::MissingTitle => f.write_str(
                "the decision has no title, so it cannot become an example; add a `title` (or give the records it comes from)",
            ),
            LearnErrorKind::EmptyTitle => {
                f.write_str("the title is empty; an example needs the record's title")
            }
            LearnErrorKind::EmptyRecord => f.write_str("the record id is empty; give the escape record's id"),
            LearnErrorKind::Empty => f.write_str(
                "the decision confirms no failure mode and names no intervention, so there is nothing to learn; add `failure_modes` or an `intervention`",
            ),
            LearnErrorKind::BadDate(at) => write!(
                f,
                "`{at}` is not a date; write `at` as YYYY-MM-DD, like 2026-03-02"
            ),
            LearnErrorKind::Edit { path, error } => write!(f, "cannot edit `{path}`: {error}"),
        }
    }
}

/// `a failure-mode`, `an intervention`.
fn with_article(kind: EntryKind) -> String {
    let keyword = kind.keyword();
    let article = if keyword.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {keyword}")
}

/// The text of an outcome, as the catalogue writes it.
pub fn outcome_str(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Held => "held",
        Outcome::Failed => "failed",
        Outcome::Pending => "pending",
    }
}

/// An outcome from its text (`held`, `failed`, `pending`).
pub fn parse_outcome(text: &str) -> Option<Outcome> {
    [Outcome::Held, Outcome::Failed, Outcome::Pending]
        .into_iter()
        .find(|o| outcome_str(*o) == text)
}

/// Whether `text` is a date `YYYY-MM-DD` that exists on the calendar.
pub fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let number = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r.clone()]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| text[r].parse().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Where an entry is defined: the first definition of each id, by kind.
struct Index {
    by_id: HashMap<String, (EntryKind, usize)>,
    ids: Vec<(EntryKind, String)>,
    /// Each failure mode's `parent`.
    parents: HashMap<String, String>,
}

impl Index {
    fn new(files: &[(String, String)]) -> Index {
        let mut index = Index {
            by_id: HashMap::new(),
            ids: Vec::new(),
            parents: HashMap::new(),
        };
        for (i, (_, text)) in files.iter().enumerate() {
            let parse = gapmine_syntax::parse(text);
            for node in parse.document().active_nodes() {
                let Some(kind) = node.name_text().and_then(|n| EntryKind::from_keyword(&n)) else {
                    continue;
                };
                let Some(id) = first_string(node) else {
                    continue;
                };
                if kind == EntryKind::FailureMode
                    && let Some(parent) = node
                        .child_nodes()
                        .find(|c| c.name_text().as_deref() == Some("parent"))
                        .and_then(first_string)
                {
                    index.parents.entry(id.clone()).or_insert(parent);
                }
                if !index.by_id.contains_key(&id) {
                    index.ids.push((kind, id.clone()));
                    index.by_id.insert(id, (kind, i));
                }
            }
        }
        index
    }

    /// The file of the entry `id` of kind `expected`, or why there is none.
    fn find(&self, id: &str, expected: EntryKind) -> Result<usize, LearnErrorKind> {
        match self.by_id.get(id) {
            Some(&(kind, file)) if kind == expected => Ok(file),
            Some(&(found, _)) => Err(LearnErrorKind::WrongKind {
                id: id.to_string(),
                expected,
                found,
            }),
            None => {
                let candidates = self
                    .ids
                    .iter()
                    .filter(|(k, _)| *k == expected)
                    .map(|(_, id)| id.as_str());
                Err(LearnErrorKind::UnknownId {
                    id: id.to_string(),
                    expected,
                    suggestion: did_you_mean(id, candidates).map(str::to_string),
                })
            }
        }
    }

    /// `id` and its ancestors, nearest first (a cycle stops the walk).
    fn lineage<'s>(&'s self, id: &'s str) -> Vec<&'s str> {
        let mut out = vec![id];
        let mut cur = id;
        while let Some(parent) = self.parents.get(cur) {
            if out.contains(&parent.as_str()) {
                break;
            }
            out.push(parent);
            cur = parent;
        }
        out
    }
}

/// The decoded first argument of a node, if it is a string.
fn first_string(node: ast::Node<'_>) -> Option<String> {
    node.arguments()
        .find(|a| !a.is_slashdashed())
        .and_then(|a| a.value())
        .and_then(|v| v.as_string())
        .map(|s| s.into_owned())
}

/// Whether `node` is named `name`.
fn is_named(node: ast::Node<'_>, name: &str) -> bool {
    node.name_text().as_deref() == Some(name)
}

/// The active top-level entry `keyword "id"` of a document.
fn find_entry<'a>(doc: ast::Document<'a>, keyword: &str, id: &str) -> Option<ast::Node<'a>> {
    doc.active_nodes()
        .find(|n| is_named(*n, keyword) && first_string(*n).as_deref() == Some(id))
}

/// The children every entry accepts that, by convention, close an entry: new children go before
/// them.
const TRAILERS: &[&str] = &["see", "since", "deprecated", "replaced-by"];

/// Where a new child goes in `parent`: after the last child named `after`, else before the first
/// trailing child (`see`, `since`, …), else at the end.
fn position_for<'a>(parent: ast::Node<'a>, after: &str) -> Position<'a> {
    let children: Vec<ast::Node<'a>> = parent.child_nodes().collect();
    if let Some(last) = children.iter().rev().find(|c| is_named(**c, after)) {
        return Position::After(*last);
    }
    match children.iter().find(|c| {
        c.name_text()
            .is_some_and(|n| TRAILERS.contains(&n.as_ref()))
    }) {
        Some(first) => Position::Before(*first),
        None => Position::End,
    }
}

fn string_arg(value: &str) -> plain::Entry {
    plain::Entry {
        name: None,
        ty: None,
        value: Value::String(value.to_string()),
    }
}

fn string_prop(key: &str, value: &str) -> plain::Entry {
    plain::Entry {
        name: Some(key.to_string()),
        ty: None,
        value: Value::String(value.to_string()),
    }
}

fn leaf(name: &str, entries: Vec<plain::Entry>) -> plain::Node {
    plain::Node {
        ty: None,
        name: name.to_string(),
        entries,
        children: None,
    }
}

/// Checks every decision; all problems at once, so a file of decisions is fixed in one pass.
fn validate(
    index: &Index,
    decisions: &[Decision],
    options: &LearnOptions,
) -> Result<(), Vec<LearnError>> {
    let mut errors = Vec::new();
    for (i, d) in decisions.iter().enumerate() {
        let mut fail = |kind| {
            errors.push(LearnError { decision: i, kind });
        };
        if d.record.trim().is_empty() {
            fail(LearnErrorKind::EmptyRecord);
        }
        if d.failure_modes.is_empty() && d.intervention.is_none() {
            fail(LearnErrorKind::Empty);
        }
        for fm in &d.failure_modes {
            if let Err(kind) = index.find(fm, EntryKind::FailureMode) {
                fail(kind);
            }
        }
        if let Some(applied) = &d.intervention {
            if let Err(kind) = index.find(&applied.id, EntryKind::Intervention) {
                fail(kind);
            }
            if let Some(at) = &applied.at
                && !is_date(at)
            {
                fail(LearnErrorKind::BadDate(at.clone()));
            }
        }
        if options.examples && !d.failure_modes.is_empty() {
            match &d.title {
                None => fail(LearnErrorKind::MissingTitle),
                Some(t) if t.trim().is_empty() => fail(LearnErrorKind::EmptyTitle),
                Some(_) => {}
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Computes the edits that learn `decisions`, on the catalogue files `files` (path relative to
/// the root, text), in catalogue order; entries are found by id in them (the first definition
/// counts, as in the checker).
///
/// Every decision is checked first; if any is wrong, all problems are returned and nothing is
/// computed. Decisions are applied one after the other, each on the text the previous ones
/// left, so two decisions on one entry compose and a repeated decision is a no-op.
pub fn learn(
    files: &[(String, String)],
    decisions: &[Decision],
    options: &LearnOptions,
) -> Result<Learned, Vec<LearnError>> {
    let index = Index::new(files);
    validate(&index, decisions, options)?;

    let mut texts: Vec<String> = files.iter().map(|(_, t)| t.clone()).collect();
    let mut actions = Vec::new();
    for (i, d) in decisions.iter().enumerate() {
        let fail = |path: &str, error: EditError| {
            vec![LearnError {
                decision: i,
                kind: LearnErrorKind::Edit {
                    path: path.to_string(),
                    error,
                },
            }]
        };
        if let Some(applied) = &d.intervention {
            let file = index
                .find(&applied.id, EntryKind::Intervention)
                .map_err(|kind| vec![LearnError { decision: i, kind }])?;
            let path = &files[file].0;
            let (kind, detail, resolves) =
                learn_evidence(&mut texts[file], &d.record, applied).map_err(|e| fail(path, e))?;
            actions.push(Action {
                decision: i,
                kind,
                entry: applied.id.clone(),
                path: path.clone(),
                detail,
            });
            for fm in &d.failure_modes {
                if !index
                    .lineage(fm)
                    .iter()
                    .any(|id| resolves.iter().any(|r| r == id))
                {
                    actions.push(Action {
                        decision: i,
                        kind: ActionKind::NotResolved,
                        entry: applied.id.clone(),
                        path: path.clone(),
                        detail: Some(fm.clone()),
                    });
                }
            }
        }
        if options.examples
            && let Some(title) = &d.title
        {
            let mut seen = HashSet::new();
            for fm in &d.failure_modes {
                if !seen.insert(fm) {
                    continue;
                }
                let file = index
                    .find(fm, EntryKind::FailureMode)
                    .map_err(|kind| vec![LearnError { decision: i, kind }])?;
                let path = &files[file].0;
                let kind = learn_example(&mut texts[file], fm, title).map_err(|e| fail(path, e))?;
                actions.push(Action {
                    decision: i,
                    kind,
                    entry: fm.clone(),
                    path: path.clone(),
                    detail: None,
                });
            }
        }
    }

    let files = files
        .iter()
        .zip(texts)
        .filter(|((_, old), new)| old != new)
        .map(|((path, old), new)| FileChange {
            path: path.clone(),
            edits: vec![difference(old, &new)],
            new_text: new,
        })
        .collect();
    Ok(Learned { files, actions })
}

/// Adds or updates the record's evidence on the intervention in `text`. Returns what was done,
/// the properties updated, and the failure modes the intervention resolves.
fn learn_evidence(
    text: &mut String,
    record: &str,
    applied: &Applied,
) -> Result<(ActionKind, Option<String>, Vec<String>), EditError> {
    let parse = gapmine_syntax::parse(text);
    let doc = parse.document();
    let node =
        find_entry(doc, "intervention", &applied.id).ok_or_else(|| EditError::InvalidSource {
            message: format!("intervention `{}` is no longer in the file", applied.id),
        })?;
    let resolves: Vec<String> = node
        .child_nodes()
        .filter(|c| is_named(*c, "resolves"))
        .flat_map(|c| {
            c.arguments()
                .filter(|a| !a.is_slashdashed())
                .filter_map(|a| {
                    a.value()
                        .and_then(|v| v.as_string())
                        .map(|s| s.into_owned())
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let wanted: Vec<(&str, &str)> = [
        Some(("outcome", outcome_str(applied.outcome))),
        applied.at.as_deref().map(|a| ("at", a)),
        applied.note.as_deref().map(|n| ("note", n)),
    ]
    .into_iter()
    .flatten()
    .collect();

    let existing = node
        .child_nodes()
        .find(|c| is_named(*c, "evidence") && first_string(*c).as_deref() == Some(record));
    let (kind, detail, edits) = match existing {
        Some(evidence) => {
            let mut edits = Vec::new();
            let mut changed = Vec::new();
            for (key, value) in &wanted {
                let current = evidence
                    .property(key)
                    .and_then(|p| p.value())
                    .and_then(|v| v.as_string())
                    .map(|s| s.into_owned());
                if current.as_deref() != Some(*value) {
                    edits.extend(edit::set_property(
                        evidence,
                        key,
                        &Value::String(value.to_string()),
                    )?);
                    changed.push(*key);
                }
            }
            if edits.is_empty() {
                (ActionKind::EvidenceKnown, None, edits)
            } else {
                (ActionKind::EvidenceUpdated, Some(changed.join(", ")), edits)
            }
        }
        None => {
            let mut entries = vec![string_arg(record)];
            entries.extend(wanted.iter().map(|(k, v)| string_prop(k, v)));
            let new = leaf("evidence", entries);
            let at = position_for(node, "evidence");
            let edits = edit::insert_child(node, at, &new)?;
            (ActionKind::EvidenceAdded, None, edits)
        }
    };
    if !edits.is_empty() {
        *text = edit::apply(text, &edits)?;
    }
    Ok((kind, detail, resolves))
}

/// Adds `title` as a `matches` example of the failure mode `id` in `text`, unless it is one.
fn learn_example(text: &mut String, id: &str, title: &str) -> Result<ActionKind, EditError> {
    let parse = gapmine_syntax::parse(text);
    let doc = parse.document();
    let node = find_entry(doc, "failure-mode", id).ok_or_else(|| EditError::InvalidSource {
        message: format!("failure mode `{id}` is no longer in the file"),
    })?;
    let matches = leaf("matches", vec![string_arg(title)]);
    let edits = match node.child_nodes().find(|c| is_named(*c, "examples")) {
        Some(examples) => {
            let known = examples
                .child_nodes()
                .any(|c| is_named(c, "matches") && first_string(c).as_deref() == Some(title));
            if known {
                return Ok(ActionKind::ExampleKnown);
            }
            // After the last `matches`, else first: the block keeps its matches together.
            let at = match examples
                .child_nodes()
                .filter(|c| is_named(*c, "matches"))
                .last()
            {
                Some(last) => Position::After(last),
                None => Position::Index(0),
            };
            edit::insert_child(examples, at, &matches)?
        }
        None => {
            let block = plain::Node {
                children: Some(vec![matches]),
                ..leaf("examples", Vec::new())
            };
            edit::insert_child(node, position_for(node, "examples"), &block)?
        }
    };
    *text = edit::apply(text, &edits)?;
    Ok(ActionKind::ExampleAdded)
}

/// One edit that turns `old` into `new`: the span between their common prefix and suffix.
fn difference(old: &str, new: &str) -> TextEdit {
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    TextEdit::replace(
        TextRange::new(prefix as u32, (old.len() - suffix) as u32),
        &new[prefix..new.len() - suffix],
    )
}

#[cfg(test)]
mod tests;
