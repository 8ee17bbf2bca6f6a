//! Code actions ("assists"): quick fixes for the checker's diagnostics and refactorings of an
//! entry, each a [`SourceChange`] computed with the format-preserving edits of
//! `gapmine_syntax::edit`.
//!
//! | id | kind | offered |
//! | --- | --- | --- |
//! | `fix-reference` | quick fix | on a reference to no entry of the expected kind: change it to the nearest id of that kind |
//! | `use-replacement` | quick fix | on a reference to a deprecated entry that names its replacement |
//! | `create-entry` | quick fix | on a dangling reference: create the entry, in this file or in a file that holds entries of that kind (one action per file) |
//! | `add-missing-child` | quick fix | in a node that lacks a required child or property (`title`, `stage`, `outcome`, …) |
//! | `deprecate-entry` | refactor | on an entry's kind or id: mark it deprecated, with no replacement or replaced by a similar entry of its kind |

use gapmine_check::db::{id_texts, included_files};
use gapmine_check::did_you_mean;
use gapmine_check::schema::{NodeSpec, PropSpec, Ty};
use gapmine_model::EntryKind;
use gapmine_syntax::edit::{self, Position};
use gapmine_syntax::{TextRange, ast};

use crate::context::{self, IdRole, IdSite, Spec};
use crate::db::{file_summaries, summary_of};
use crate::{FileRange, Snap, SourceChange};

/// A code action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assist {
    /// A stable name for the action (`fix-reference`, `create-entry`, …).
    pub id: &'static str,
    /// What the editor shows.
    pub label: String,
    /// Quick fix or refactoring.
    pub kind: AssistKind,
    /// The diagnostic code it fixes, if it is a quick fix for one.
    pub fixes: Option<gapmine_check::Code>,
    /// The edits.
    pub source_change: SourceChange,
}

/// What kind of action an assist is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssistKind {
    /// Fixes a problem the checker reports.
    QuickFix,
    /// Changes working code.
    Refactor,
}

/// At most this many files are offered to create a missing entry in.
const CREATE_IN_FILES: usize = 5;
/// At most this many replacements are offered when deprecating an entry.
const REPLACEMENTS: usize = 3;

pub(crate) fn code_actions(snap: Snap<'_>, range: &FileRange) -> Vec<Assist> {
    let Some(file) = snap.file(&range.path) else {
        return Vec::new();
    };
    let manifest = snap.is_manifest(file);
    let parse = snap.parse(file);
    let tree = parse.tree();
    let mut out = Vec::new();
    let token = context::string_token_at(tree, range.range.start)
        .or_else(|| context::string_token_at(tree, range.range.end));
    if let Some(site) = token.and_then(|t| context::id_site(t, manifest)) {
        match site.role {
            IdRole::Reference { expected, .. } => {
                reference_fixes(snap, &range.path, &site, expected, &mut out);
            }
            IdRole::Definition(kind) => {
                deprecate(snap, &range.path, &site, kind, &mut out);
            }
        }
    } else if let Some(token) = token
        && let Some(node) = ast::Node::cast(token.parent())
        && node.parent().is_none()
        && node.name().is_some_and(|n| n.token() == token)
        && let Some(Spec::Entry(kind)) = context::spec_of(node, manifest)
        && let Some(id) = node.arguments().next().and_then(|a| a.value())
        && let Some(site) = context::id_site(id.token(), manifest)
    {
        deprecate(snap, &range.path, &site, kind, &mut out);
    }
    missing_children(snap, &range.path, tree, range.range, manifest, &mut out);
    out
}

fn single(path: &str, edits: Vec<edit::TextEdit>) -> SourceChange {
    let mut change = SourceChange::default();
    change.extend(path, edits);
    change
}

/// `fix-reference`, `use-replacement` and `create-entry` on a reference.
fn reference_fixes(
    snap: Snap<'_>,
    path: &str,
    site: &IdSite<'_>,
    expected: EntryKind,
    out: &mut Vec<Assist>,
) {
    let db = snap.db;
    let target = summary_of(db, snap.catalogue, &site.text);
    match target {
        Some(target) if target.kind == expected => {
            if target.deprecated
                && let Some(replacement) = &target.replaced_by
                && let Ok(edits) = edit::rename(site.token, replacement)
            {
                out.push(Assist {
                    id: "use-replacement",
                    label: format!(
                        "Replace `{}` with its replacement, `{replacement}`",
                        site.text
                    ),
                    kind: AssistKind::QuickFix,
                    fixes: Some(gapmine_check::Code::DeprecatedReference),
                    source_change: single(path, edits),
                });
            }
            return;
        }
        _ => {}
    }
    let code = if target.is_some() {
        gapmine_check::Code::WrongReferenceKind
    } else {
        gapmine_check::Code::DanglingReference
    };
    let candidates = id_texts(db, snap.catalogue, expected);
    if let Some(near) = did_you_mean(&site.text, candidates.iter().map(String::as_str))
        && let Ok(edits) = edit::rename(site.token, near)
    {
        out.push(Assist {
            id: "fix-reference",
            label: format!("Change to `{near}`"),
            kind: AssistKind::QuickFix,
            fixes: Some(code),
            source_change: single(path, edits),
        });
    }
    if target.is_some() || !gapmine_model::Id::is_valid(&site.text) {
        return;
    }
    // The files to offer: this one, then those that hold entries of the kind.
    let mut files: Vec<String> = vec![path.to_string()];
    for &file in &included_files(db, snap.catalogue).files {
        if files.len() >= CREATE_IN_FILES {
            break;
        }
        let file_path = snap.path(file);
        if !files.contains(&file_path)
            && file_summaries(db, file).iter().any(|s| s.kind == expected)
        {
            files.push(file_path);
        }
    }
    let source = new_entry(snap, expected, &site.text);
    for file_path in files {
        let Some(file) = snap.file(&file_path) else {
            continue;
        };
        let Ok(edits) = edit::insert_node(snap.parse(file).document(), Position::End, &source)
        else {
            continue;
        };
        out.push(Assist {
            id: "create-entry",
            label: format!(
                "Create {} `{}` in {file_path}",
                expected.keyword(),
                site.text
            ),
            kind: AssistKind::QuickFix,
            fixes: Some(gapmine_check::Code::DanglingReference),
            source_change: single(&file_path, edits),
        });
    }
}

/// A title for people from an id: `order-dependent-test` → `Order dependent test`.
fn title_from_id(id: &str) -> String {
    let words = id.replace('-', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The next stage after the catalogue's last control.
fn next_stage(snap: Snap<'_>) -> i64 {
    gapmine_check::db::model(snap.db, snap.catalogue)
        .iter()
        .filter_map(|e| match e {
            gapmine_model::Entry::Control(c) => Some(c.stage),
            _ => None,
        })
        .max()
        .map_or(1, |s| s + 1)
}

/// The source of a new entry with its required parts.
fn new_entry(snap: Snap<'_>, kind: EntryKind, id: &str) -> String {
    let props = if kind == EntryKind::Control {
        format!(" stage={}", next_stage(snap))
    } else {
        String::new()
    };
    let mut title = String::new();
    gapmine_syntax::plain::write_quoted(&mut title, &title_from_id(id));
    format!(
        "{} \"{id}\"{props} {{\n    title {title}\n}}",
        kind.keyword()
    )
}

/// `deprecate-entry` on an entry that is not deprecated yet.
fn deprecate(
    snap: Snap<'_>,
    path: &str,
    site: &IdSite<'_>,
    kind: EntryKind,
    out: &mut Vec<Assist>,
) {
    let Some(node) = context::node_of(site.token) else {
        return;
    };
    if node
        .child_nodes()
        .any(|c| c.name_text().as_deref() == Some("deprecated"))
    {
        return;
    }
    let mut push = |label: String, source: String| {
        if let Ok(edits) = edit::insert_child(node, Position::End, &source) {
            out.push(Assist {
                id: "deprecate-entry",
                label,
                kind: AssistKind::Refactor,
                fixes: None,
                source_change: single(path, edits),
            });
        }
    };
    push(
        format!("Mark `{}` deprecated", site.text),
        "deprecated".to_string(),
    );
    for replacement in replacements(snap, kind, &site.text) {
        let mut quoted = String::new();
        gapmine_syntax::plain::write_quoted(&mut quoted, &replacement);
        push(
            format!(
                "Mark `{}` deprecated, replaced by `{replacement}`",
                site.text
            ),
            format!("deprecated\nreplaced-by {quoted}"),
        );
    }
}

/// Entries of the same kind most like `id`: sharing the most words of their ids, then the
/// shortest; not deprecated.
fn replacements(snap: Snap<'_>, kind: EntryKind, id: &str) -> Vec<String> {
    let db = snap.db;
    let words: Vec<&str> = id.split('-').collect();
    let mut scored: Vec<(usize, &str)> = Vec::new();
    for &file in &included_files(db, snap.catalogue).files {
        for s in file_summaries(db, file) {
            if s.kind != kind || s.id == id || s.deprecated {
                continue;
            }
            let shared = s.id.split('-').filter(|w| words.contains(w)).count();
            if shared > 0 {
                scored.push((shared, s.id.as_str()));
            }
        }
    }
    scored.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.len().cmp(&b.1.len()))
            .then(a.1.cmp(b.1))
    });
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(REPLACEMENTS)
        .map(|(_, id)| id.to_string())
        .collect()
}

/// `add-missing-child` in the innermost node around the range that lacks a required child or
/// property.
fn missing_children(
    snap: Snap<'_>,
    path: &str,
    tree: &gapmine_syntax::SyntaxTree,
    range: TextRange,
    manifest: bool,
    out: &mut Vec<Assist>,
) {
    let covering = tree.covering_node(range);
    let Some(node) = std::iter::once(covering)
        .chain(covering.ancestors())
        .find_map(ast::Node::cast)
    else {
        return;
    };
    // The node and the nodes around it, innermost first: a fix is offered for each.
    let mut current = Some(node);
    while let Some(node) = current {
        current = node.parent();
        let Some(spec) = context::spec_of(node, manifest) else {
            continue;
        };
        let present: Vec<String> = node
            .child_nodes()
            .filter_map(|c| c.name_text().map(|n| n.into_owned()))
            .collect();
        for child in spec.children().into_iter().filter(|c| c.required) {
            if present.iter().any(|p| p == child.name) {
                continue;
            }
            let source = required_child(node, child);
            let at = if child.name == "title" {
                Position::Index(0)
            } else {
                Position::End
            };
            if let Ok(edits) = edit::insert_child(node, at, &source) {
                out.push(Assist {
                    id: "add-missing-child",
                    label: format!("Add `{}`", source),
                    kind: AssistKind::QuickFix,
                    fixes: Some(gapmine_check::Code::MissingChild),
                    source_change: single(path, edits),
                });
            }
        }
        for prop in spec.props().iter().filter(|p| p.required) {
            if node.property(prop.name).is_some() {
                continue;
            }
            let Some(value) = placeholder(snap, prop) else {
                continue;
            };
            if let Ok(edits) = edit::set_property(node, prop.name, &value) {
                out.push(Assist {
                    id: "add-missing-child",
                    label: format!("Add `{}={}`", prop.name, render_value(&value)),
                    kind: AssistKind::QuickFix,
                    fixes: Some(gapmine_check::Code::MissingChild),
                    source_change: single(path, edits),
                });
            }
        }
    }
}

/// A required child with a value to start from: the title from the entry's id, the schema's
/// example otherwise.
fn required_child(node: ast::Node<'_>, child: &NodeSpec) -> String {
    if child.name == "title"
        && let Some(id) = node
            .arguments()
            .next()
            .and_then(|a| a.value())
            .and_then(|v| v.as_string())
    {
        let mut title = String::new();
        gapmine_syntax::plain::write_quoted(&mut title, &title_from_id(&id));
        return format!("title {title}");
    }
    child.example.to_string()
}

/// A value to start a required property from, where one makes sense.
fn placeholder(snap: Snap<'_>, prop: &PropSpec) -> Option<gapmine_syntax::plain::Value> {
    use gapmine_syntax::plain::{Number, Value};
    match prop.ty {
        Ty::Integer if prop.name == "stage" => {
            Number::parse(&next_stage(snap).to_string()).map(Value::Number)
        }
        Ty::Enum(values) if prop.name == "outcome" => {
            // Not judged yet.
            values
                .iter()
                .find(|v| **v == "pending")
                .map(|v| Value::String((*v).to_string()))
        }
        Ty::Enum(values) => values.first().map(|v| Value::String((*v).to_string())),
        Ty::Semver => Some(Value::String("1.0.0".to_string())),
        _ => None,
    }
}

fn render_value(value: &gapmine_syntax::plain::Value) -> String {
    match value {
        gapmine_syntax::plain::Value::String(s) => {
            let mut out = String::new();
            gapmine_syntax::plain::write_quoted(&mut out, s);
            out
        }
        gapmine_syntax::plain::Value::Number(n) => n.canonical().to_string(),
        other => format!("{other:?}"),
    }
}
