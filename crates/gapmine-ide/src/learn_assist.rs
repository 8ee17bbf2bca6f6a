//! Code actions that write a pending decision into the catalogue: the edits of `gapmine learn`,
//! offered on the entry a decision names.
//!
//! | id | kind | offered |
//! | --- | --- | --- |
//! | `learn-evidence` | refactor | in an intervention a decision names, while the intervention lacks the decision's evidence (or has it with another `outcome`, `at` or `note`) |
//! | `learn-example` | refactor | in a failure mode a decision confirms, while its `examples` lack the record's title |
//!
//! The decisions are set on the host ([`crate::AnalysisHost::set_decisions`]). Each edit is
//! [`learn::learn`]'s for that one decision, so it is exactly what `gapmine learn` writes
//! (with `--examples` for an example); once applied, learning the decision changes nothing and
//! the action is no longer offered. A decision without a title takes its record's from the
//! records history, as `gapmine learn --records` does.

use gapmine_check::db::included_files;
use gapmine_model::EntryKind;
use gapmine_syntax::ast;

use crate::learn::{self, ActionKind, Decision, LearnOptions, outcome_str};
use crate::{Assist, AssistKind, FileRange, Snap, SourceChange};

/// `learn-evidence` and `learn-example` in the entry around `range`.
pub(crate) fn learn_assists(snap: Snap<'_>, range: &FileRange, out: &mut Vec<Assist>) {
    if snap.decisions.is_empty() {
        return;
    }
    let Some(file) = snap.file(&range.path) else {
        return;
    };
    if snap.is_manifest(file) {
        return;
    }
    let covering = snap.parse(file).tree().covering_node(range.range);
    let Some(mut entry) = std::iter::once(covering)
        .chain(covering.ancestors())
        .find_map(ast::Node::cast)
    else {
        return;
    };
    while let Some(parent) = entry.parent() {
        entry = parent;
    }
    let Some(kind) = entry.name_text().and_then(|n| EntryKind::from_keyword(&n)) else {
        return;
    };
    let Some(id) = entry
        .arguments()
        .find(|a| !a.is_slashdashed())
        .and_then(|a| a.value())
        .and_then(|v| v.as_string())
    else {
        return;
    };
    // The catalogue's files, read once and only when a decision names the entry.
    let mut files: Option<Vec<(String, String)>> = None;
    let mut files = || -> Vec<(String, String)> {
        files
            .get_or_insert_with(|| {
                included_files(snap.db, snap.catalogue)
                    .files
                    .iter()
                    .map(|f| (f.path(snap.db).clone(), f.text(snap.db).clone()))
                    .collect()
            })
            .clone()
    };
    for decision in snap.decisions {
        match kind {
            EntryKind::Intervention => {
                let Some(applied) = decision
                    .intervention
                    .as_ref()
                    .filter(|a| a.id == id.as_ref())
                else {
                    continue;
                };
                let options = LearnOptions { examples: false };
                let Some((change, updated)) = learned(&files(), decision, options) else {
                    continue;
                };
                let mut what = vec![outcome_str(applied.outcome)];
                what.extend(applied.at.as_deref());
                let verb = if updated { "Update" } else { "Record" };
                out.push(Assist {
                    id: "learn-evidence",
                    label: format!(
                        "{verb} the evidence of {}: {}",
                        decision.record,
                        what.join(", ")
                    ),
                    kind: AssistKind::Refactor,
                    fixes: None,
                    source_change: change,
                });
            }
            EntryKind::FailureMode => {
                if !decision.failure_modes.iter().any(|f| *f == id) {
                    continue;
                }
                let Some(title) = decision
                    .title
                    .clone()
                    .or_else(|| history_title(snap, decision))
                else {
                    continue;
                };
                // The example alone: what `gapmine learn --examples` writes in this entry.
                let one = Decision {
                    record: decision.record.clone(),
                    title: Some(title),
                    failure_modes: vec![id.to_string()],
                    intervention: None,
                };
                let options = LearnOptions { examples: true };
                let Some((change, _)) = learned(&files(), &one, options) else {
                    continue;
                };
                out.push(Assist {
                    id: "learn-example",
                    label: format!("Add {}'s title as an example", decision.record),
                    kind: AssistKind::Refactor,
                    fixes: None,
                    source_change: change,
                });
            }
            _ => {}
        }
    }
}

/// The edits `learn` makes for one decision, and whether they update existing evidence; `None`
/// when there is nothing to do or the decision cannot be learned.
fn learned(
    files: &[(String, String)],
    decision: &Decision,
    options: LearnOptions,
) -> Option<(SourceChange, bool)> {
    let learned = learn::learn(files, std::slice::from_ref(decision), &options).ok()?;
    if learned.files.is_empty() {
        return None;
    }
    let updated = learned.count(ActionKind::EvidenceUpdated) > 0;
    let mut change = SourceChange::default();
    for file in learned.files {
        change.extend(&file.path, file.edits);
    }
    Some((change, updated))
}

/// The title of the decision's record in the records history, if the host has one with it.
fn history_title(snap: Snap<'_>, decision: &Decision) -> Option<String> {
    let history = snap.history.history(snap.db).as_ref()?;
    history
        .0
        .iter()
        .find(|r| r.id == decision.record)
        .map(|r| r.title.clone())
}
