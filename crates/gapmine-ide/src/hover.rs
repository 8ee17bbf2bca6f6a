//! Hover: on an entry's id or a reference to one, the entry's title, kind, summary, who refers
//! to it and its evidence; on a node name or a property key, what the schema says of it.

use std::fmt::Write as _;

use gapmine_check::schema::{self, NodeSpec, PropSpec};
use gapmine_model::EntryKind;
use gapmine_syntax::{SyntaxKind, TextRange, ast};

use crate::context::{self, IdRole, Spec};
use crate::db::{EntrySummary, summary_of, uses_of};
use crate::{FilePosition, Snap};

/// What to show on hover, and the range it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverResult {
    /// The range hovered (an id without quotes, a name, a key).
    pub range: TextRange,
    /// The text, in Markdown.
    pub markdown: String,
}

/// How many referrers a hover lists by name.
const LISTED: usize = 10;

pub(crate) fn hover(snap: Snap<'_>, position: &FilePosition) -> Option<HoverResult> {
    let file = snap.file(&position.path)?;
    let manifest = snap.is_manifest(file);
    let parse = snap.parse(file);
    let token = context::string_token_at(parse.tree(), position.offset)?;
    if let Some(site) = context::id_site(token, manifest) {
        return Some(HoverResult {
            range: context::inner_range(site.token),
            markdown: entry_markdown(snap, &site.text, site.role),
        });
    }
    schema_hover(token, manifest)
}

/// The hover of an entry, from its id or a reference to it.
fn entry_markdown(snap: Snap<'_>, id: &str, role: IdRole) -> String {
    let db = snap.db;
    let Some(summary) = summary_of(db, snap.catalogue, id) else {
        return match role {
            IdRole::Reference { expected, .. } => {
                format!("`{id}`: no {} has this id", expected.noun())
            }
            // An entry in a file the manifest does not include.
            IdRole::Definition(kind) => {
                format!(
                    "{} `{id}`\n\nnot in the catalogue: the manifest's `include` globs do not select this file",
                    kind.keyword()
                )
            }
        };
    };
    let mut out = String::new();
    describe(summary, &mut out);
    let name = gapmine_check::db::Name::new(db, id.to_string());
    let referrers: Vec<&crate::db::Use<'_>> = uses_of(db, snap.catalogue, name).collect();
    if !referrers.is_empty() {
        let listed: Vec<String> = referrers
            .iter()
            .take(LISTED)
            .filter_map(|u| Some(format!("`{}` ({})", u.entry.id(db).as_deref()?, u.site.via)))
            .collect();
        let more = referrers.len().saturating_sub(LISTED);
        write!(
            out,
            "\n\nReferred to by {}: {}",
            referrers.len(),
            listed.join(", ")
        )
        .unwrap();
        if more > 0 {
            write!(out, ", and {more} more").unwrap();
        }
    } else {
        out.push_str("\n\nNothing refers to it.");
    }
    let evidence = match summary.kind {
        EntryKind::Intervention => Some((summary.evidence, 0)),
        // A failure mode's evidence is that of the interventions that resolve it.
        EntryKind::FailureMode => {
            let mut total = [0; 3];
            let mut through = 0;
            for u in referrers.iter().filter(|u| u.site.via == "resolves") {
                let Some(resolver) = u
                    .entry
                    .id(db)
                    .as_deref()
                    .and_then(|r| summary_of(db, snap.catalogue, r))
                else {
                    continue;
                };
                through += 1;
                for (t, e) in total.iter_mut().zip(resolver.evidence) {
                    *t += e;
                }
            }
            Some((total, through))
        }
        _ => None,
    };
    if let Some(([held, failed, pending], through)) = evidence {
        let count = held + failed + pending;
        write!(out, "\n\nEvidence: {count}").unwrap();
        if count > 0 {
            write!(out, " ({held} held, {failed} failed, {pending} pending)").unwrap();
        }
        if summary.kind == EntryKind::FailureMode {
            let s = if through == 1 { "" } else { "s" };
            write!(out, ", through {through} intervention{s} that resolve it").unwrap();
        }
    }
    out
}

/// The head of an entry's hover: title, kind and id, deprecation, summary.
pub(crate) fn describe(summary: &EntrySummary, out: &mut String) {
    if let Some(title) = &summary.title {
        writeln!(out, "**{title}**\n").unwrap();
    }
    write!(out, "{} `{}`", summary.kind.keyword(), summary.id).unwrap();
    if summary.deprecated {
        out.push_str(" — deprecated");
        if let Some(replacement) = &summary.replaced_by {
            write!(out, ", replaced by `{replacement}`").unwrap();
        }
    }
    if let Some(text) = &summary.summary {
        write!(out, "\n\n{text}").unwrap();
    }
}

/// The hover of a node name or a property key: its documentation from the schema.
fn schema_hover(token: gapmine_syntax::SyntaxToken<'_>, manifest: bool) -> Option<HoverResult> {
    let parent = token.parent();
    match parent.kind() {
        SyntaxKind::Node => {
            let node = ast::Node::cast(parent)?;
            if node.name()?.token() != token {
                return None;
            }
            let markdown = match context::spec_of(node, manifest)? {
                Spec::Entry(kind) => {
                    let spec = schema::entry(kind);
                    format!("`{}`: {}", kind.keyword(), spec.doc)
                }
                Spec::Catalogue => "`catalogue`: the catalogue's name, version and files.".into(),
                Spec::Child(spec, _) | Spec::ManifestChild(spec) => node_doc(spec),
            };
            Some(HoverResult {
                range: token.range(),
                markdown,
            })
        }
        SyntaxKind::Property => {
            let property = ast::Entry::cast(parent)?;
            let ast::Entry::Property(property) = property else {
                return None;
            };
            if property.key()?.token() != token {
                return None;
            }
            let node = ast::Node::cast(parent.parent()?)?;
            let spec = context::spec_of(node, manifest)?;
            let key = property.key()?.value();
            let prop = spec.props().iter().find(|p| p.name == key)?;
            Some(HoverResult {
                range: token.range(),
                markdown: prop_doc(prop),
            })
        }
        _ => None,
    }
}

/// A node's documentation.
pub(crate) fn node_doc(spec: &NodeSpec) -> String {
    let mut out = format!("`{}`: {}", spec.name, spec.doc);
    if spec.arity != schema::Arity::None {
        write!(
            out,
            "\n\nTakes {} ({})",
            spec.arity.describe(),
            spec.arg_ty.describe()
        )
        .unwrap();
        if let Some(kind) = spec.reference.and_then(|r| match r {
            schema::Reference::Kind(k) => Some(k.noun()),
            schema::Reference::SameKind => None,
        }) {
            write!(out, ", the id of a {kind}").unwrap();
        }
        out.push('.');
    }
    write!(out, "\n\n```kdl\n{}\n```", spec.example).unwrap();
    out
}

/// A property's documentation.
pub(crate) fn prop_doc(prop: &PropSpec) -> String {
    let mut out = format!("`{}`: {}\n\n{}", prop.name, prop.doc, prop.ty.describe());
    if prop.required {
        out.push_str(", required");
    }
    if let Some(default) = prop.default {
        write!(out, ", default {default}").unwrap();
    }
    out.push('.');
    out
}
