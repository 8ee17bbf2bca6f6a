//! Entry examples: each `matches` text must classify as its failure mode, each `rejects` text
//! must not, under the catalogue's compiled matcher.

use gapmine_match::{RecordText, Standing};
use gapmine_model::{EntryKind, Weight};

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{
    Catalogue, Db, EntryNode, Hierarchy, SourceFile, ancestries, default_threshold, descends,
    example_matcher, file_lowered, hierarchy,
};
use crate::diagnostic::{SyntaxPath, Target};

/// One `matches` or `rejects` case of a failure mode's examples: what classifying it needs,
/// and where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct ExampleCase<'db> {
    /// The failure mode.
    pub entry: EntryNode<'db>,
    /// Its id.
    pub id: String,
    /// Its position among the file's failure modes (those [`crate::db::file_signals`] lists).
    pub position: u32,
    /// Its own threshold, if it has one.
    pub threshold: Option<Weight>,
    /// Where the case's text is, inside the entry.
    pub path: SyntaxPath,
    /// `matches` (true) or `rejects` (false).
    pub matches: bool,
    /// The text to classify.
    pub text: String,
}

/// The example cases of one file's failure modes, in order: a projection of the lowered entries
/// that an edit to a title, a summary or anything but examples, ids and thresholds leaves
/// equal, so [`failing_examples`] is not run again after it.
#[salsa::tracked(returns(ref))]
pub fn file_examples(db: &dyn Db, file: SourceFile) -> Vec<ExampleCase<'_>> {
    let mut cases = Vec::new();
    let mut position = 0;
    for e in file_lowered(db, file) {
        let entry = e.entry;
        let Some(gapmine_model::Entry::FailureMode(fm)) = e.lowered.entry.as_ref() else {
            continue;
        };
        position += 1;
        if entry.kind(db) != Some(EntryKind::FailureMode) || fm.examples.is_empty() {
            continue;
        }
        let node = entry.node(db);
        let children = node.children.as_deref().unwrap_or(&[]);
        let Some(block) = children.iter().position(|c| c.name == "examples") else {
            continue;
        };
        for (k, case) in children[block]
            .children
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let matches = match case.name.as_str() {
                "matches" => true,
                "rejects" => false,
                _ => continue,
            };
            let Some(text) = crate::lower::args(case).next().and_then(|v| v.as_str()) else {
                continue;
            };
            cases.push(ExampleCase {
                entry,
                id: fm.common.id.to_string(),
                position: position - 1,
                threshold: fm.threshold,
                path: SyntaxPath::new(&[block as u32, k as u32], Target::Arg(0)),
                matches,
                text: text.to_string(),
            });
        }
    }
    cases
}

/// What classifying a file's example cases needs: each case's text and its failure mode's
/// position among the file's failure modes. No entries and no ids, so a rename leaves it equal
/// and [`example_standings`] is not run again.
#[salsa::tracked(returns(ref))]
pub fn example_texts(db: &dyn Db, file: SourceFile) -> Vec<(u32, String)> {
    file_examples(db, file)
        .iter()
        .map(|c| (c.position, c.text.clone()))
        .collect()
}

/// How each example case of a file stands with its failure mode by the signals alone
/// (see [`gapmine_match::Standing`]), in the order of [`file_examples`]; `None` where the
/// catalogue's signals do not compile.
///
/// Depends on the compiled [`example_matcher`], so it re-runs when any signal of the catalogue
/// changes: an edit to one failure mode's signals can change how another's examples classify.
/// Not on ids and parents: [`failing_examples`] rolls the verdicts up the hierarchy. The file's
/// cases are classified in one batch, with the matcher's pooled scratch buffers: their regex
/// caches are costly to create, and a batch reuses warm ones.
#[salsa::tracked(returns(ref))]
pub fn example_standings(db: &dyn Db, file: SourceFile) -> Option<Vec<Option<Standing>>> {
    let catalogue = Catalogue::get(db);
    let texts = example_texts(db, file);
    if texts.is_empty() {
        return Some(Vec::new());
    }
    let matcher = example_matcher(db, catalogue).as_ref().ok()?;
    let offset = file_offset(db, catalogue, file)?;
    let pairs: Vec<(RecordText<'_>, usize)> = texts
        .iter()
        .map(|(position, text)| (RecordText::title(text), (offset + position) as usize))
        .collect();
    Some(matcher.standings(&pairs))
}

/// Where a file's failure modes start in catalogue order (`None`: it has none).
fn file_offset(db: &dyn Db, catalogue: Catalogue, file: SourceFile) -> Option<u32> {
    ancestries(db, catalogue)
        .iter()
        .find(|(_, a)| a.file(db) == file)
        .map(|(at, _)| *at)
}

/// The failing examples of one file's failure modes: a case is classified as its failure mode
/// by its own score, or by a descendant's ([`example_standings`] says which other failure modes
/// reach their thresholds, the [`crate::db::Ancestry`] of their files whether they descend from
/// it). Only the ancestries of the files whose failure modes a case also reaches are read, so a
/// rename or a new `parent` re-runs only the files whose verdicts it can change, and classifies
/// nothing again.
#[salsa::tracked(returns(ref))]
pub fn failing_examples(db: &dyn Db, file: SourceFile) -> Vec<Anchored<'_>> {
    let catalogue = Catalogue::get(db);
    let cases = file_examples(db, file);
    if cases.is_empty() {
        return Vec::new();
    }
    let Some(standings) = example_standings(db, file) else {
        return Vec::new();
    };
    let ancestries = ancestries(db, catalogue);
    let Some(offset) = file_offset(db, catalogue, file) else {
        return Vec::new();
    };
    // The parent of the failure mode at a position, from its file's `Ancestry`.
    let parent_of = |position: u32| -> Option<u32> {
        let i = ancestries.partition_point(|(at, _)| *at <= position);
        let (at, ancestry) = &ancestries[i.checked_sub(1)?];
        ancestry
            .parents(db)
            .get((position - at) as usize)
            .copied()
            .filter(|&p| p != Hierarchy::NONE)
    };
    let verdicts = cases.iter().zip(standings).map(|(case, standing)| {
        let target = offset + case.position;
        standing.as_ref().map(|s| {
            let implied_by: Vec<u32> = s
                .others
                .iter()
                .copied()
                .filter(|&o| descends(o, target, parent_of))
                .collect();
            (s, implied_by)
        })
    });
    let mut out = Vec::new();
    for (case, verdict) in cases.iter().zip(verdicts) {
        let id = &case.id;
        let classified = verdict
            .as_ref()
            .is_some_and(|(s, implied_by)| s.reached || !implied_by.is_empty());
        if classified == case.matches {
            continue;
        }
        let (score, threshold) = verdict.as_ref().map_or_else(
            || {
                let own = case.threshold.map(|t| t.0);
                (0.0, own.unwrap_or_else(|| default_threshold(db, catalogue)))
            },
            |(s, _)| (s.score, s.threshold),
        );
        let (message, help) = if case.matches {
            (
                format!("this example is not classified as `{id}`: it scores {score:.2}, below the threshold {threshold:.2}"),
                "add a signal that recognises it, raise a weight, or run `gapmine explain` on it to see what fired".to_string(),
            )
        } else {
            let why = verdict
                .as_ref()
                .map_or_else(String::new, |(s, implied_by)| {
                    if s.reached {
                        format!(
                            ": it scores {:.2}, at or above the threshold {:.2}",
                            s.score, s.threshold
                        )
                    } else {
                        // Only a failing example needs the ids behind the positions.
                        let ids = &hierarchy(db, catalogue).ids;
                        format!(
                            ": a child failure mode ({}) implies it",
                            implied_by
                                .iter()
                                .map(|&c| match ids.get(c as usize) {
                                    Some(id) => format!("`{}`", id.text(db)),
                                    None => format!("`{c}`"),
                                })
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                });
            (
                format!("this example is classified as `{id}`, which it should not be{why}"),
                "add a negative signal for what sets it apart, or lower a weight".to_string(),
            )
        };
        out.push(Anchored {
            code: Code::FailingExample,
            message,
            at: (Anchor::Entry(case.entry), case.path.clone()),
            labels: Vec::new(),
            help: Some(help),
        });
    }
    out
}
