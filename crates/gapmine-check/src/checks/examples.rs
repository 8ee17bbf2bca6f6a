//! Entry examples: each `matches` text must classify as its failure mode, each `rejects` text
//! must not, under the catalogue's compiled matcher.

use gapmine_match::RecordText;
use gapmine_model::{EntryKind, Weight};

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{
    Catalogue, Db, EntryNode, SourceFile, default_threshold, example_matcher, failure_mode_ids,
    failure_mode_offsets, file_lowered,
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

/// The failing examples of one file's failure modes.
///
/// Depends on the compiled matcher, so it re-runs when any signal of the catalogue changes:
/// an edit to one failure mode's signals can change how another's examples classify.
/// The file's cases are classified in one batch, with the matcher's pooled scratch buffers:
/// their regex caches are costly to create, and a batch reuses warm ones from the last run.
#[salsa::tracked(returns(ref))]
pub fn failing_examples(db: &dyn Db, file: SourceFile) -> Vec<Anchored<'_>> {
    let catalogue = Catalogue::get(db);
    let cases = file_examples(db, file);
    if cases.is_empty() {
        return Vec::new();
    }
    let Ok(matcher) = example_matcher(db, catalogue) else {
        return Vec::new();
    };
    let offset = failure_mode_offsets(db, catalogue)
        .get(&file)
        .copied()
        .unwrap_or_default();
    let default = default_threshold(db, catalogue);
    // The example matcher knows failure modes by their position in the catalogue.
    let positions: Vec<String> = cases
        .iter()
        .map(|c| (offset + c.position).to_string())
        .collect();
    let pairs: Vec<(RecordText<'_>, &str)> = cases
        .iter()
        .zip(&positions)
        .map(|(c, position)| (RecordText::title(&c.text), position.as_str()))
        .collect();
    let verdicts = matcher.verdicts(&pairs);
    let mut out = Vec::new();
    for (case, verdict) in cases.iter().zip(verdicts) {
        let id = &case.id;
        let classified = verdict.as_ref().is_some_and(|v| v.classified());
        if classified == case.matches {
            continue;
        }
        let (score, threshold) = verdict
            .as_ref()
            .map_or((0.0, case.threshold.map_or(default, |t| t.0)), |v| {
                (v.score, v.threshold)
            });
        let (message, help) = if case.matches {
            (
                format!("this example is not classified as `{id}`: it scores {score:.2}, below the threshold {threshold:.2}"),
                "add a signal that recognises it, raise a weight, or run `gapmine explain` on it to see what fired".to_string(),
            )
        } else {
            let why = verdict.as_ref().map_or_else(String::new, |v| {
                if v.reached {
                    format!(
                        ": it scores {:.2}, at or above the threshold {:.2}",
                        v.score, v.threshold
                    )
                } else {
                    // Only a failing example needs the ids behind the positions.
                    let ids = failure_mode_ids(db, catalogue);
                    format!(
                        ": a child failure mode ({}) implies it",
                        v.implied_by
                            .iter()
                            .map(|c| {
                                let id = c.0.parse::<usize>().ok().and_then(|i| ids.get(i));
                                format!("`{}`", id.map_or(c.0.as_str(), String::as_str))
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
