//! Completion: ids where a reference is expected (of the kind the position expects, with the
//! entry's title and summary as documentation), node names valid in the enclosing block,
//! property names valid on the node, and enum values (`severity`, `kind`, `layer`, `outcome`…).
//!
//! The position is read from the tokens around the cursor, so it works inside an unterminated
//! string (`resolves "ord`) and on a line the parser could not make sense of yet.

use gapmine_check::schema::{NodeSpec, PropSpec, Ty};
use gapmine_model::EntryKind;
use gapmine_syntax::ast::{self, Entry};
use gapmine_syntax::{SyntaxKind, SyntaxNode, SyntaxToken, SyntaxTree, TextRange, TokenAtOffset};

use crate::context;
use crate::db::{Candidate, id_candidates};
use crate::hover::{node_doc, prop_doc};
use crate::symbols::fuzzy_score;
use crate::{FilePosition, Snap};

/// One completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    /// What the list shows (and what the editor filters on).
    pub label: String,
    /// What it completes.
    pub kind: CompletionKind,
    /// A short line beside the label: an entry's title, a node's one-line doc.
    pub detail: Option<String>,
    /// Documentation, in Markdown.
    pub documentation: Option<String>,
    /// Whether it names a deprecated entry.
    pub deprecated: bool,
    /// The range the completion replaces (where the editor filters from).
    pub replace_range: TextRange,
    /// The text that replaces it.
    pub insert_text: String,
}

/// What completion answers at a position.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completions {
    /// The completions, in the order to show them.
    pub items: Vec<CompletionItem>,
    /// Whether ids that match what was typed were left out ([`ID_COMPLETION_LIMIT`]): the
    /// editor should ask again as more of the id is typed.
    pub incomplete: bool,
}

/// The most ids offered at once, best matches first (an id that holds what was typed, then
/// one that holds its letters in order; earlier matches first, then catalogue order). A large
/// catalogue has thousands of ids of a kind; an editor shows a screenful, and asks again as
/// more of the id is typed.
pub const ID_COMPLETION_LIMIT: usize = 100;

/// What a completion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    /// The id of an entry of this kind.
    Id(EntryKind),
    /// An entry kind (`failure-mode`, …) at the top of a file.
    EntryKind,
    /// A node name valid in the block.
    Node,
    /// A property name valid on the node.
    Property,
    /// A value of an enum (`"critical"`, `"control"`, …).
    EnumValue,
}

/// Where the cursor is, in the schema's terms.
enum Position<'a> {
    /// Where a node's name goes: in this block (`None`: the top of the file), replacing
    /// `range`.
    NodeName {
        block: Option<ast::Node<'a>>,
        range: TextRange,
        current: Option<ast::Node<'a>>,
    },
    /// Where an argument or a property goes in `node`: `token` is the string being typed, if any.
    Argument {
        node: ast::Node<'a>,
        token: Option<SyntaxToken<'a>>,
        offset: u32,
    },
    /// The value of the property `key` of `node`.
    PropertyValue {
        node: ast::Node<'a>,
        key: String,
        token: Option<SyntaxToken<'a>>,
        offset: u32,
    },
    /// A property's key being typed.
    PropertyKey {
        node: ast::Node<'a>,
        token: SyntaxToken<'a>,
    },
}

pub(crate) fn completions(snap: Snap<'_>, position: &FilePosition) -> Completions {
    let mut incomplete = false;
    let items = items(snap, position, &mut incomplete);
    Completions { items, incomplete }
}

fn items(snap: Snap<'_>, position: &FilePosition, incomplete: &mut bool) -> Vec<CompletionItem> {
    let Some(file) = snap.file(&position.path) else {
        return Vec::new();
    };
    let manifest = snap.is_manifest(file);
    let tree = snap.parse(file).tree();
    let Some(at) = locate(tree, position.offset) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match at {
        Position::NodeName {
            block,
            range,
            current,
        } => node_names(block, current, range, manifest, &mut out),
        Position::Argument {
            node,
            token,
            offset,
        } => {
            let Some(spec) = context::spec_of(node, manifest) else {
                return out;
            };
            let (range, quoted) = value_range(token, offset);
            if let Some(kind) = spec.reference() {
                // What was typed of the id, without a quote: the editor filters on it anyway,
                // and a catalogue holds thousands of ids.
                let text = tree.text();
                let start = (range.start as usize).min(position.offset as usize);
                let typed = text[start..position.offset as usize].trim_start_matches('"');
                *incomplete = ids(snap, node, kind, range, quoted, typed, &mut out);
            }
            if let Some(Ty::Enum(values)) = spec.node_spec().map(|s| s.arg_ty) {
                enum_values(values, range, quoted, &mut out);
            }
            // A bare word may be the start of a property.
            if token.is_none_or(|t| t.kind() == SyntaxKind::Ident) {
                let range = token.map_or(TextRange::empty(offset), |t| t.range());
                properties(node, spec.props(), range, &mut out);
            }
        }
        Position::PropertyValue {
            node,
            key,
            token,
            offset,
        } => {
            let Some(spec) = context::spec_of(node, manifest) else {
                return out;
            };
            let (range, quoted) = value_range(token, offset);
            if let Some(Ty::Enum(values)) =
                spec.props().iter().find(|p| p.name == key).map(|p| p.ty)
            {
                enum_values(values, range, quoted, &mut out);
            }
        }
        Position::PropertyKey { node, token } => {
            let Some(spec) = context::spec_of(node, manifest) else {
                return out;
            };
            let mut items = Vec::new();
            properties(node, spec.props(), token.range(), &mut items);
            // Keep the value already written: complete the key alone.
            for item in &mut items {
                item.insert_text = item.label.clone();
            }
            out.extend(items);
        }
    }
    out
}

/// Whether the cursor is inside the text of a string token (after its opening quote, up to its
/// closing quote; anywhere after the start of a bare word).
fn inside(token: SyntaxToken<'_>, offset: u32) -> bool {
    let inner = context::inner_range(token);
    token.kind().is_string()
        && inner.start <= offset
        && offset <= inner.end
        && offset > token.range().start
}

/// The token before the cursor that is not trivia, on any line.
fn significant_before(tree: &SyntaxTree, offset: u32) -> Option<SyntaxToken<'_>> {
    let mut token = match tree.tokens_at_offset(offset) {
        TokenAtOffset::None => tree.tokens().next_back()?,
        TokenAtOffset::Single(t) => t,
        TokenAtOffset::Between(left, _) => left,
    };
    loop {
        if !token.kind().is_trivia() && token.range().start < offset {
            return Some(token);
        }
        token = token.prev_token()?;
    }
}

fn locate(tree: &SyntaxTree, offset: u32) -> Option<Position<'_>> {
    let text = tree.text();
    if offset as usize > text.len() {
        return None;
    }
    // Inside a string: a node name, an argument, a key or a value being typed.
    if let Some(token) = context::string_token_at(tree, offset).filter(|t| inside(*t, offset)) {
        let parent = token.parent();
        match parent.kind() {
            SyntaxKind::Node => {
                let node = ast::Node::cast(parent)?;
                if node.name()?.token() == token {
                    return Some(Position::NodeName {
                        block: node.parent(),
                        range: context::inner_range(token),
                        current: Some(node),
                    });
                }
            }
            SyntaxKind::Argument => {
                return Some(Position::Argument {
                    node: ast::Node::cast(parent.parent()?)?,
                    token: Some(token),
                    offset,
                });
            }
            SyntaxKind::Property => {
                let Entry::Property(property) = Entry::cast(parent)? else {
                    return None;
                };
                let node = ast::Node::cast(parent.parent()?)?;
                if property.key().is_some_and(|k| k.token() == token) {
                    return Some(Position::PropertyKey { node, token });
                }
                return Some(Position::PropertyValue {
                    node,
                    key: property.key()?.value().into_owned(),
                    token: Some(token),
                    offset,
                });
            }
            _ => {}
        }
        return None;
    }
    let line_start = text[..offset as usize].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset as usize];
    let left = significant_before(tree, offset);
    let at_line_start = before.trim().is_empty();
    match left {
        Some(t) if !at_line_start && t.kind() == SyntaxKind::Eq => {
            let Entry::Property(property) = Entry::cast(t.parent())? else {
                return None;
            };
            Some(Position::PropertyValue {
                node: ast::Node::cast(t.parent().parent()?)?,
                key: property.key()?.value().into_owned(),
                token: None,
                offset,
            })
        }
        Some(t)
            if !at_line_start
                && !matches!(
                    t.kind(),
                    SyntaxKind::LBrace | SyntaxKind::RBrace | SyntaxKind::Semicolon
                ) =>
        {
            // Right after a token, with no space: nothing to complete.
            if t.range().end == offset {
                return None;
            }
            let node = context::node_of(t)?;
            // The cursor must be on the node's line, after its entries, not in its block.
            if node
                .children()
                .is_some_and(|c| c.syntax().range().start < offset)
            {
                return None;
            }
            Some(Position::Argument {
                node,
                token: None,
                offset,
            })
        }
        Some(t) if !at_line_start && t.kind() == SyntaxKind::RBrace => None,
        _ => Some(Position::NodeName {
            block: enclosing_block(left, offset),
            range: TextRange::empty(offset),
            current: None,
        }),
    }
}

/// The node whose children block the cursor is in (`None`: the top of the file).
fn enclosing_block(left: Option<SyntaxToken<'_>>, offset: u32) -> Option<ast::Node<'_>> {
    let left = left?;
    let start: SyntaxNode<'_> = left.parent();
    std::iter::once(start)
        .chain(start.ancestors())
        .filter(|n| n.kind() == SyntaxKind::Children)
        .find(|block| {
            let open = block
                .child_tokens()
                .find(|t| t.kind() == SyntaxKind::LBrace)
                .is_some_and(|t| t.range().start < offset);
            let closed = block
                .child_tokens()
                .find(|t| t.kind() == SyntaxKind::RBrace)
                .is_some_and(|t| t.range().start < offset);
            open && !closed
        })
        .and_then(|block| block.parent())
        .and_then(ast::Node::cast)
}

/// The range a value completion replaces and whether it is inside quotes already.
fn value_range(token: Option<SyntaxToken<'_>>, offset: u32) -> (TextRange, Quoting) {
    match token {
        None => (TextRange::empty(offset), Quoting::Add),
        Some(t) if t.kind() == SyntaxKind::Ident => (t.range(), Quoting::Add),
        Some(t) if context::is_closed(t) => (context::inner_range(t), Quoting::Inside),
        Some(t) => (context::inner_range(t), Quoting::Close),
    }
}

/// How a value completion is quoted.
#[derive(Clone, Copy)]
enum Quoting {
    /// Not in a string: insert `"value"`.
    Add,
    /// Inside a closed string: insert the value.
    Inside,
    /// Inside an unterminated string: insert the value and the closing quote.
    Close,
}

fn quote(value: &str, quoting: Quoting) -> String {
    match quoting {
        Quoting::Add => format!("\"{value}\""),
        Quoting::Inside => value.to_string(),
        Quoting::Close => format!("{value}\""),
    }
}

/// Ids of entries of `kind` that match what was typed, except the entry's own and those the
/// node already lists: the best [`ID_COMPLETION_LIMIT`] of them. Returns whether some were
/// left out.
fn ids(
    snap: Snap<'_>,
    node: ast::Node<'_>,
    kind: EntryKind,
    range: TextRange,
    quoting: Quoting,
    typed: &str,
    out: &mut Vec<CompletionItem>,
) -> bool {
    let listed: Vec<String> = node
        .arguments()
        .filter(|a| {
            a.value()
                .is_some_and(|v| !range.contains_range(v.range()) && v.range() != range)
        })
        .filter_map(|a| a.value()?.as_string().map(|s| s.into_owned()))
        .collect();
    let own = context::top_level(node)
        .arguments()
        .next()
        .and_then(|a| a.value()?.as_string().map(|s| s.into_owned()));
    let typed = typed.to_lowercase();
    let mut matches: Vec<(u32, &Candidate)> = id_candidates(snap.db, snap.catalogue, kind)
        .filter(|c| !listed.contains(&c.id) && own.as_deref() != Some(c.id.as_str()))
        .filter_map(|c| Some((fuzzy_score(&typed, &c.id)?, c)))
        .collect();
    // Stable: equal scores keep catalogue order.
    matches.sort_by_key(|(score, _)| *score);
    let incomplete = matches.len() > ID_COMPLETION_LIMIT;
    matches.truncate(ID_COMPLETION_LIMIT);
    for (_, candidate) in matches {
        out.push(CompletionItem {
            label: candidate.id.clone(),
            kind: CompletionKind::Id(kind),
            detail: candidate.title.clone(),
            documentation: Some(candidate.documentation.clone()),
            deprecated: candidate.deprecated,
            replace_range: range,
            insert_text: quote(&candidate.id, quoting),
        });
    }
    incomplete
}

fn enum_values(values: &[&str], range: TextRange, quoting: Quoting, out: &mut Vec<CompletionItem>) {
    for value in values {
        out.push(CompletionItem {
            label: (*value).to_string(),
            kind: CompletionKind::EnumValue,
            detail: None,
            documentation: None,
            deprecated: false,
            replace_range: range,
            insert_text: quote(value, quoting),
        });
    }
}

/// The properties of a node it does not have yet.
fn properties(
    node: ast::Node<'_>,
    props: &[PropSpec],
    range: TextRange,
    out: &mut Vec<CompletionItem>,
) {
    for prop in props {
        let present = node.properties().any(|p| {
            p.key()
                .is_some_and(|k| k.value() == prop.name && !k.range().contains_range(range))
        });
        if present {
            continue;
        }
        out.push(CompletionItem {
            label: prop.name.to_string(),
            kind: CompletionKind::Property,
            detail: Some(prop.ty.describe()),
            documentation: Some(prop_doc(prop)),
            deprecated: false,
            replace_range: range,
            insert_text: format!("{}=", prop.name),
        });
    }
}

/// The node names valid in a block, except those given already that may not repeat.
fn node_names(
    block: Option<ast::Node<'_>>,
    current: Option<ast::Node<'_>>,
    range: TextRange,
    manifest: bool,
    out: &mut Vec<CompletionItem>,
) {
    let Some(block) = block else {
        if manifest {
            out.push(CompletionItem {
                label: "catalogue".into(),
                kind: CompletionKind::EntryKind,
                detail: Some("the catalogue's name, version and files".into()),
                documentation: None,
                deprecated: false,
                replace_range: range,
                insert_text: "catalogue".into(),
            });
            return;
        }
        for kind in EntryKind::ALL {
            let spec = gapmine_check::schema::entry(kind);
            out.push(CompletionItem {
                label: kind.keyword().to_string(),
                kind: CompletionKind::EntryKind,
                detail: Some(spec.doc.to_string()),
                documentation: None,
                deprecated: false,
                replace_range: range,
                insert_text: kind.keyword().to_string(),
            });
        }
        return;
    };
    let Some(spec) = context::spec_of(block, manifest) else {
        return;
    };
    let present: Vec<String> = block
        .child_nodes()
        .filter(|n| Some(*n) != current)
        .filter_map(|n| n.name_text().map(|s| s.into_owned()))
        .collect();
    for child in spec.children() {
        if !child.repeat && present.iter().any(|p| p == child.name) {
            continue;
        }
        out.push(node_item(child, range));
    }
}

fn node_item(spec: &NodeSpec, range: TextRange) -> CompletionItem {
    CompletionItem {
        label: spec.name.to_string(),
        kind: CompletionKind::Node,
        detail: Some(spec.doc.to_string()),
        documentation: Some(node_doc(spec)),
        deprecated: false,
        replace_range: range,
        insert_text: spec.name.to_string(),
    }
}
