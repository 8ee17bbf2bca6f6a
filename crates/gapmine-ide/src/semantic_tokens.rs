//! Semantic tokens: what each significant token of a file is in the catalogue language (entry
//! kinds, node names and property keys the schema knows, entry ids, references, enum values,
//! regular expressions), for an editor to colour beyond what a KDL grammar can tell.

use gapmine_check::schema::Ty;
use gapmine_model::EntryKind;
use gapmine_syntax::ast::{self, Entry};
use gapmine_syntax::{SyntaxToken, TextRange};

use crate::Snap;
use crate::context::Spec;
use crate::db::summary_of;

/// A classified token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SemanticToken {
    /// The token's range (a multi-line string spans lines; the server splits it where the
    /// editor cannot take that).
    pub range: TextRange,
    /// What it is.
    pub kind: SemanticTokenKind,
    /// How it is qualified.
    pub modifiers: SemanticModifiers,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SemanticTokenKind {
    /// The name of an entry's node: `failure-mode`, `intervention`, … (and `catalogue`).
    EntryKind,
    /// A node name the schema knows, inside an entry or the manifest.
    NodeName,
    /// A property key the schema knows.
    PropertyKey,
    /// An entry's id, where it is defined.
    Id,
    /// A reference to an entry.
    Reference,
    /// A value of an enum: `"critical"`, `"control"`, `"held"`, …
    EnumValue,
    /// A regular expression string.
    Regex,
}

/// Qualifiers of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SemanticModifiers {
    /// An id where it is defined.
    pub declaration: bool,
    /// An entry that is deprecated, or a reference to one.
    pub deprecated: bool,
    /// A reference to no entry of the kind expected.
    pub unresolved: bool,
}

/// A significant token as the schema sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Class {
    EntryKind,
    NodeName,
    PropertyKey,
    Id { deprecated: bool },
    Reference(EntryKind),
    EnumValue,
    Regex,
}

/// Every token of a file the schema classifies, in text order.
pub(crate) fn classify<'a>(
    document: ast::Document<'a>,
    manifest: bool,
) -> Vec<(SyntaxToken<'a>, Class)> {
    let mut out = Vec::new();
    for node in document.active_nodes() {
        let Some(name) = node.name_text() else {
            continue;
        };
        let spec = if manifest {
            (name == "catalogue").then_some(Spec::Catalogue)
        } else {
            EntryKind::from_keyword(&name).map(Spec::Entry)
        };
        if let Some(spec) = spec {
            walk(node, spec, &mut out);
        }
    }
    out
}

fn walk<'a>(node: ast::Node<'a>, spec: Spec, out: &mut Vec<(SyntaxToken<'a>, Class)>) {
    if let Some(name) = node.name() {
        let class = match spec {
            Spec::Entry(_) | Spec::Catalogue => Class::EntryKind,
            Spec::Child(..) | Spec::ManifestChild(_) => Class::NodeName,
        };
        out.push((name.token(), class));
    }
    let deprecated = || {
        node.child_nodes()
            .any(|c| c.name_text().as_deref() == Some("deprecated"))
    };
    let arg_class = match spec {
        Spec::Entry(_) => Some(Class::Id {
            deprecated: deprecated(),
        }),
        _ => match (spec.reference(), spec.node_spec().map(|s| s.arg_ty)) {
            (Some(kind), _) => Some(Class::Reference(kind)),
            (None, Some(Ty::Enum(_))) => Some(Class::EnumValue),
            (None, Some(Ty::Regex)) => Some(Class::Regex),
            _ => None,
        },
    };
    let mut first = true;
    for entry in node.active_entries() {
        match entry {
            Entry::Argument(argument) => {
                let Some(value) = argument.value().filter(|v| v.is_string()) else {
                    first = false;
                    continue;
                };
                // An entry's id is its first argument only.
                let class = match arg_class {
                    Some(Class::Id { .. }) if !first => None,
                    Some(Class::EnumValue) => enum_value(spec.node_spec().map(|s| s.arg_ty), value),
                    class => class,
                };
                if let Some(class) = class {
                    out.push((value.token(), class));
                }
                first = false;
            }
            Entry::Property(property) => {
                let Some(key) = property.key() else {
                    continue;
                };
                let Some(prop) = spec.props().iter().find(|p| p.name == key.value()) else {
                    continue;
                };
                out.push((key.token(), Class::PropertyKey));
                let Some(value) = property.value().filter(|v| v.is_string()) else {
                    continue;
                };
                let class = match prop.ty {
                    Ty::Enum(_) => enum_value(Some(prop.ty), value),
                    Ty::Regex => Some(Class::Regex),
                    _ => None,
                };
                if let Some(class) = class {
                    out.push((value.token(), class));
                }
            }
        }
    }
    let children = spec.children();
    for child in node.child_nodes() {
        let Some(name) = child.name_text() else {
            continue;
        };
        let Some(child_spec) = children.iter().find(|s| s.name == name) else {
            continue;
        };
        let spec = match spec {
            Spec::Entry(kind) | Spec::Child(_, kind) => Spec::Child(child_spec, kind),
            Spec::Catalogue | Spec::ManifestChild(_) => Spec::ManifestChild(child_spec),
        };
        walk(child, spec, out);
    }
}

/// An enum value, where the string is one of the enum's values.
fn enum_value(ty: Option<Ty>, value: ast::ValueToken<'_>) -> Option<Class> {
    let Some(Ty::Enum(values)) = ty else {
        return None;
    };
    let text = value.as_string()?;
    values.contains(&text.as_ref()).then_some(Class::EnumValue)
}

pub(crate) fn semantic_tokens(snap: Snap<'_>, path: &str) -> Vec<SemanticToken> {
    let Some(file) = snap.file(path) else {
        return Vec::new();
    };
    let manifest = snap.is_manifest(file);
    let parse = snap.parse(file);
    classify(parse.document(), manifest)
        .into_iter()
        .map(|(token, class)| {
            let mut modifiers = SemanticModifiers::default();
            let kind = match class {
                Class::EntryKind => SemanticTokenKind::EntryKind,
                Class::NodeName => SemanticTokenKind::NodeName,
                Class::PropertyKey => SemanticTokenKind::PropertyKey,
                Class::Id { deprecated } => {
                    modifiers.declaration = true;
                    modifiers.deprecated = deprecated;
                    SemanticTokenKind::Id
                }
                Class::Reference(expected) => {
                    let id = gapmine_syntax::value::decode_string(token.kind(), token.text());
                    match summary_of(snap.db, snap.catalogue, &id) {
                        Some(target) if target.kind == expected => {
                            modifiers.deprecated = target.deprecated;
                        }
                        _ => modifiers.unresolved = true,
                    }
                    SemanticTokenKind::Reference
                }
                Class::EnumValue => SemanticTokenKind::EnumValue,
                Class::Regex => SemanticTokenKind::Regex,
            };
            SemanticToken {
                range: token.range(),
                kind,
                modifiers,
            }
        })
        .collect()
}
