//! The request handlers: each converts the protocol's terms, asks the snapshot, and converts
//! the answer back. They run on the blocking pool; `Err(Cancelled)` becomes `ContentModified`.

use std::collections::HashMap;

use gapmine_ide::{
    AssistKind, Cancellable, CompletionKind, EntryKind, FilePosition, FileRange, HighlightKind,
    NavigationTarget, SemanticTokenKind, SourceChange, SymbolKind, TextEdit,
};
use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::convert::{FileText, from_proto, to_proto};
use crate::workspace::Snapshot;

/// Converts ranges of any file of a snapshot's catalogue, reading each file's text once.
struct Locator<'a> {
    snapshot: &'a Snapshot,
    files: HashMap<String, Option<(Uri, FileText)>>,
}

impl<'a> Locator<'a> {
    fn new(snapshot: &'a Snapshot) -> Locator<'a> {
        Locator {
            snapshot,
            files: HashMap::new(),
        }
    }

    fn file(&mut self, path: &str) -> Option<&(Uri, FileText)> {
        self.files
            .entry(path.to_owned())
            .or_insert_with(|| self.snapshot.locate(path))
            .as_ref()
    }

    fn range(&mut self, path: &str, range: gapmine_ide::TextRange) -> Option<lsp::Range> {
        let encoding = self.snapshot.encoding;
        let (_, file) = self.file(path)?;
        Some(to_proto::range(file, range, encoding))
    }

    fn location(&mut self, path: &str, range: gapmine_ide::TextRange) -> Option<lsp::Location> {
        let encoding = self.snapshot.encoding;
        let (uri, file) = self.file(path)?;
        Some(lsp::Location::new(
            uri.clone(),
            to_proto::range(file, range, encoding),
        ))
    }

    fn text_edits(&mut self, path: &str, edits: &[TextEdit]) -> Option<Vec<lsp::TextEdit>> {
        let encoding = self.snapshot.encoding;
        let (_, file) = self.file(path)?;
        Some(
            edits
                .iter()
                .map(|edit| lsp::TextEdit {
                    range: to_proto::range(file, edit.range, encoding),
                    new_text: edit.new_text.clone(),
                })
                .collect(),
        )
    }

    fn workspace_edit(&mut self, change: &SourceChange) -> lsp::WorkspaceEdit {
        let mut changes = HashMap::new();
        for (path, edits) in &change.edits {
            if let Some(converted) = self.text_edits(path, edits) {
                let uri = self.file(path).map(|(uri, _)| uri.clone());
                if let Some(uri) = uri {
                    changes.insert(uri, converted);
                }
            }
        }
        lsp::WorkspaceEdit {
            changes: Some(changes),
            ..lsp::WorkspaceEdit::default()
        }
    }
}

fn position(snapshot: &Snapshot, position: lsp::Position) -> FilePosition {
    FilePosition {
        path: snapshot.path.clone(),
        offset: from_proto::offset(&snapshot.file, position, snapshot.encoding),
    }
}

fn here(snapshot: &Snapshot, range: gapmine_ide::TextRange) -> lsp::Range {
    to_proto::range(&snapshot.file, range, snapshot.encoding)
}

pub fn completion(
    snapshot: &Snapshot,
    at: lsp::Position,
) -> Cancellable<Option<lsp::CompletionResponse>> {
    let completions = snapshot.analysis.completions(&position(snapshot, at))?;
    let items: Vec<lsp::CompletionItem> = completions
        .items
        .into_iter()
        .enumerate()
        .map(|(i, item)| lsp::CompletionItem {
            label: item.label,
            kind: Some(match item.kind {
                CompletionKind::Id(_) => lsp::CompletionItemKind::REFERENCE,
                CompletionKind::EntryKind => lsp::CompletionItemKind::KEYWORD,
                CompletionKind::Node => lsp::CompletionItemKind::FIELD,
                CompletionKind::Property => lsp::CompletionItemKind::PROPERTY,
                CompletionKind::EnumValue => lsp::CompletionItemKind::ENUM_MEMBER,
            }),
            detail: item.detail,
            documentation: item.documentation.map(|value| {
                lsp::Documentation::MarkupContent(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value,
                })
            }),
            tags: item
                .deprecated
                .then(|| vec![lsp::CompletionItemTag::DEPRECATED]),
            // The façade's order is the order to show.
            sort_text: Some(format!("{i:05}")),
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                range: here(snapshot, item.replace_range),
                new_text: item.insert_text,
            })),
            ..lsp::CompletionItem::default()
        })
        .collect();
    if items.is_empty() {
        return Ok(None);
    }
    // An incomplete list (more ids match than are sent) is asked for again as the user types.
    Ok(Some(if completions.incomplete {
        lsp::CompletionResponse::List(lsp::CompletionList {
            is_incomplete: true,
            items,
        })
    } else {
        lsp::CompletionResponse::Array(items)
    }))
}

pub fn hover(snapshot: &Snapshot, at: lsp::Position) -> Cancellable<Option<lsp::Hover>> {
    let hover = snapshot.analysis.hover(&position(snapshot, at))?;
    Ok(hover.map(|hover| lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: hover.markdown,
        }),
        range: Some(here(snapshot, hover.range)),
    }))
}

fn locations(snapshot: &Snapshot, targets: &[NavigationTarget]) -> Vec<lsp::Location> {
    let mut locator = Locator::new(snapshot);
    targets
        .iter()
        .filter_map(|t| locator.location(&t.path, t.focus_range))
        .collect()
}

pub fn goto_definition(
    snapshot: &Snapshot,
    at: lsp::Position,
) -> Cancellable<Option<lsp::GotoDefinitionResponse>> {
    let targets = snapshot.analysis.goto_definition(&position(snapshot, at))?;
    let locations = locations(snapshot, &targets);
    Ok((!locations.is_empty()).then_some(lsp::GotoDefinitionResponse::Array(locations)))
}

pub fn references(
    snapshot: &Snapshot,
    at: lsp::Position,
    include_declaration: bool,
) -> Cancellable<Option<Vec<lsp::Location>>> {
    let ranges = snapshot
        .analysis
        .references(&position(snapshot, at), include_declaration)?;
    let mut locator = Locator::new(snapshot);
    let locations: Vec<lsp::Location> = ranges
        .iter()
        .filter_map(|r| locator.location(&r.path, r.range))
        .collect();
    Ok((!locations.is_empty()).then_some(locations))
}

pub fn document_highlight(
    snapshot: &Snapshot,
    at: lsp::Position,
) -> Cancellable<Option<Vec<lsp::DocumentHighlight>>> {
    let ranges = snapshot
        .analysis
        .highlight_related(&position(snapshot, at))?;
    let highlights: Vec<lsp::DocumentHighlight> = ranges
        .into_iter()
        .map(|h| lsp::DocumentHighlight {
            range: here(snapshot, h.range),
            kind: Some(match h.kind {
                HighlightKind::Definition => lsp::DocumentHighlightKind::WRITE,
                HighlightKind::Reference => lsp::DocumentHighlightKind::READ,
            }),
        })
        .collect();
    Ok((!highlights.is_empty()).then_some(highlights))
}

/// `Ok(Err(message))` where the rename cannot be done, saying why.
pub fn prepare_rename(
    snapshot: &Snapshot,
    at: lsp::Position,
) -> Cancellable<Result<Option<lsp::PrepareRenameResponse>, String>> {
    Ok(
        match snapshot.analysis.prepare_rename(&position(snapshot, at))? {
            Ok(range) => {
                let mut locator = Locator::new(snapshot);
                Ok(locator
                    .range(&range.path, range.range)
                    .map(lsp::PrepareRenameResponse::Range))
            }
            Err(gapmine_ide::RenameError::NoId) => Ok(None),
            Err(error) => Err(error.to_string()),
        },
    )
}

pub fn rename(
    snapshot: &Snapshot,
    at: lsp::Position,
    new_name: &str,
) -> Cancellable<Result<Option<lsp::WorkspaceEdit>, String>> {
    Ok(
        match snapshot
            .analysis
            .rename(&position(snapshot, at), new_name)?
        {
            Ok(change) => Ok(Some(Locator::new(snapshot).workspace_edit(&change))),
            Err(error) => Err(error.to_string()),
        },
    )
}

fn symbol_kind(kind: EntryKind) -> lsp::SymbolKind {
    match kind {
        EntryKind::FailureMode => lsp::SymbolKind::CLASS,
        EntryKind::Intervention => lsp::SymbolKind::FUNCTION,
        EntryKind::Objective => lsp::SymbolKind::CONSTANT,
        EntryKind::Control => lsp::SymbolKind::EVENT,
    }
}

pub fn document_symbols(snapshot: &Snapshot) -> Cancellable<Option<lsp::DocumentSymbolResponse>> {
    fn convert(snapshot: &Snapshot, symbol: gapmine_ide::DocumentSymbol) -> lsp::DocumentSymbol {
        #[allow(deprecated)]
        lsp::DocumentSymbol {
            name: symbol.name,
            detail: symbol.detail,
            kind: match symbol.kind {
                SymbolKind::Entry(kind) => symbol_kind(kind),
                SymbolKind::Section => lsp::SymbolKind::NAMESPACE,
                SymbolKind::Node => lsp::SymbolKind::FIELD,
            },
            tags: symbol.deprecated.then(|| vec![lsp::SymbolTag::DEPRECATED]),
            deprecated: None,
            range: here(snapshot, symbol.full_range),
            selection_range: here(snapshot, symbol.focus_range),
            children: Some(
                symbol
                    .children
                    .into_iter()
                    .map(|c| convert(snapshot, c))
                    .collect(),
            ),
        }
    }
    let symbols = snapshot.analysis.document_symbols(&snapshot.path)?;
    Ok(Some(lsp::DocumentSymbolResponse::Nested(
        symbols.into_iter().map(|s| convert(snapshot, s)).collect(),
    )))
}

pub fn workspace_symbols(
    snapshot: &Snapshot,
    query: &str,
) -> Cancellable<Vec<lsp::WorkspaceSymbol>> {
    let symbols = snapshot.analysis.workspace_symbols(query)?;
    let mut locator = Locator::new(snapshot);
    Ok(symbols
        .into_iter()
        .filter_map(|symbol| {
            let location = locator.location(&symbol.target.path, symbol.target.focus_range)?;
            Some(lsp::WorkspaceSymbol {
                name: symbol.target.name.clone(),
                kind: symbol_kind(symbol.target.kind),
                tags: symbol.deprecated.then(|| vec![lsp::SymbolTag::DEPRECATED]),
                container_name: symbol.title,
                location: lsp::OneOf::Left(location),
                data: None,
            })
        })
        .collect())
}

pub fn code_actions(
    snapshot: &Snapshot,
    range: lsp::Range,
    context: &lsp::CodeActionContext,
) -> Cancellable<Option<lsp::CodeActionResponse>> {
    let range = FileRange {
        path: snapshot.path.clone(),
        range: from_proto::range(&snapshot.file, range, snapshot.encoding),
    };
    let assists = snapshot.analysis.code_actions(&range)?;
    let mut locator = Locator::new(snapshot);
    let actions: Vec<lsp::CodeActionOrCommand> = assists
        .into_iter()
        .filter(|assist| {
            let kind = match assist.kind {
                AssistKind::QuickFix => lsp::CodeActionKind::QUICKFIX,
                AssistKind::Refactor => lsp::CodeActionKind::REFACTOR,
            };
            context
                .only
                .as_ref()
                .is_none_or(|only| only.iter().any(|o| kind.as_str().starts_with(o.as_str())))
        })
        .map(|assist| {
            let diagnostics: Vec<lsp::Diagnostic> = context
                .diagnostics
                .iter()
                .filter(|d| {
                    assist.fixes.is_some_and(|code| {
                        d.code == Some(lsp::NumberOrString::String(code.name().to_owned()))
                    })
                })
                .cloned()
                .collect();
            lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: assist.label,
                kind: Some(match assist.kind {
                    AssistKind::QuickFix => lsp::CodeActionKind::QUICKFIX,
                    AssistKind::Refactor => lsp::CodeActionKind::REFACTOR,
                }),
                diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
                edit: Some(locator.workspace_edit(&assist.source_change)),
                ..lsp::CodeAction::default()
            })
        })
        .collect();
    Ok((!actions.is_empty()).then_some(actions))
}

/// The token types, in the order of the legend.
pub const TOKEN_TYPES: &[lsp::SemanticTokenType] = &[
    lsp::SemanticTokenType::KEYWORD,
    lsp::SemanticTokenType::PROPERTY,
    lsp::SemanticTokenType::PARAMETER,
    lsp::SemanticTokenType::VARIABLE,
    lsp::SemanticTokenType::ENUM_MEMBER,
    lsp::SemanticTokenType::REGEXP,
];

/// The token modifiers, in the order of the legend: `unresolved` is ours (a reference to no
/// entry of the kind expected).
pub fn token_modifiers() -> Vec<lsp::SemanticTokenModifier> {
    vec![
        lsp::SemanticTokenModifier::DECLARATION,
        lsp::SemanticTokenModifier::DEPRECATED,
        lsp::SemanticTokenModifier::new("unresolved"),
    ]
}

pub fn semantic_tokens(snapshot: &Snapshot) -> Cancellable<Option<lsp::SemanticTokensResult>> {
    let tokens = snapshot.analysis.semantic_tokens(&snapshot.path)?;
    let file = &snapshot.file;
    let encoding = snapshot.encoding;
    let mut data = Vec::with_capacity(tokens.len());
    let (mut line, mut start) = (0, 0);
    for token in tokens {
        let token_type = match token.kind {
            SemanticTokenKind::EntryKind => 0,
            SemanticTokenKind::NodeName => 1,
            SemanticTokenKind::PropertyKey => 2,
            SemanticTokenKind::Id | SemanticTokenKind::Reference => 3,
            SemanticTokenKind::EnumValue => 4,
            SemanticTokenKind::Regex => 5,
        };
        let modifiers = u32::from(token.modifiers.declaration)
            | u32::from(token.modifiers.deprecated) << 1
            | u32::from(token.modifiers.unresolved) << 2;
        // The protocol's tokens stay on one line: a multi-line string is cut at each line end.
        let mut from = token.range.start;
        while from < token.range.end {
            let begin = to_proto::position(file, from, encoding);
            let line_end = file.text[from as usize..token.range.end as usize]
                .find('\n')
                .map_or(token.range.end, |n| from + n as u32);
            let end = to_proto::position(file, line_end, encoding);
            if end.character > begin.character {
                let delta_line = begin.line - line;
                let delta_start = if delta_line == 0 {
                    begin.character - start
                } else {
                    begin.character
                };
                data.push(lsp::SemanticToken {
                    delta_line,
                    delta_start,
                    length: end.character - begin.character,
                    token_type,
                    token_modifiers_bitset: modifiers,
                });
                line = begin.line;
                start = begin.character;
            }
            from = line_end + 1;
        }
    }
    Ok(Some(lsp::SemanticTokensResult::Tokens(
        lsp::SemanticTokens {
            result_id: None,
            data,
        },
    )))
}

pub fn inlay_hints(
    snapshot: &Snapshot,
    range: lsp::Range,
) -> Cancellable<Option<Vec<lsp::InlayHint>>> {
    let range = from_proto::range(&snapshot.file, range, snapshot.encoding);
    let hints = snapshot.analysis.inlay_hints(&snapshot.path, Some(range))?;
    Ok(Some(
        hints
            .into_iter()
            .map(|hint| lsp::InlayHint {
                position: to_proto::position(&snapshot.file, hint.offset, snapshot.encoding),
                label: lsp::InlayHintLabel::String(hint.label),
                kind: None,
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
            .collect(),
    ))
}

pub fn code_lenses(snapshot: &Snapshot) -> Cancellable<Option<Vec<lsp::CodeLens>>> {
    let lenses = snapshot.analysis.code_lenses(&snapshot.path)?;
    Ok(Some(
        lenses
            .into_iter()
            .map(|lens| lsp::CodeLens {
                range: here(snapshot, lens.range),
                // A lens that only informs: its command does nothing when clicked.
                command: Some(lsp::Command {
                    title: lens.title,
                    command: String::new(),
                    arguments: None,
                }),
                data: None,
            })
            .collect(),
    ))
}
