//! The one place where protocol positions meet the core's byte offsets (`from_proto`) and
//! the core's answers become protocol types (`to_proto`).

use gapmine_ide::{Code, Diagnostic, Severity};
use gapmine_syntax::TextRange;
use tower_lsp_server::ls_types as lsp;

use crate::line_index::{LineCol, LineIndex, PositionEncoding};

/// A file's text with its line index: what every conversion of positions in it needs.
#[derive(Debug, Clone)]
pub struct FileText {
    pub text: std::sync::Arc<str>,
    pub index: std::sync::Arc<LineIndex>,
}

impl FileText {
    pub fn new(text: impl Into<std::sync::Arc<str>>) -> FileText {
        let text = text.into();
        let index = std::sync::Arc::new(LineIndex::new(&text));
        FileText { text, index }
    }
}

pub mod from_proto {
    use super::*;

    /// The byte offset of a protocol position.
    pub fn offset(file: &FileText, position: lsp::Position, encoding: PositionEncoding) -> u32 {
        let pos = LineCol {
            line: position.line,
            col: position.character,
        };
        file.index.offset(&file.text, pos, encoding)
    }

    /// The byte range of a protocol range (its ends ordered).
    pub fn range(file: &FileText, range: lsp::Range, encoding: PositionEncoding) -> TextRange {
        let start = offset(file, range.start, encoding);
        let end = offset(file, range.end, encoding);
        TextRange::new(start.min(end), start.max(end))
    }
}

pub mod to_proto {
    use super::*;

    /// The repository's page of diagnostic codes, where each code has a section.
    const DIAGNOSTICS_PAGE: &str =
        "https://github.com/gapmine/gapmine/blob/main/docs/diagnostics.md";

    pub fn position(file: &FileText, offset: u32, encoding: PositionEncoding) -> lsp::Position {
        let LineCol { line, col } = file.index.line_col(&file.text, offset, encoding);
        lsp::Position::new(line, col)
    }

    pub fn range(file: &FileText, range: TextRange, encoding: PositionEncoding) -> lsp::Range {
        lsp::Range::new(
            position(file, range.start, encoding),
            position(file, range.end, encoding),
        )
    }

    pub fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
        match severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }
    }

    /// A diagnostic of `file`; `locate` gives the URI and text of another file a label points
    /// into (`None` drops that label: its file is gone).
    pub fn diagnostic(
        file: &FileText,
        diagnostic: &Diagnostic,
        encoding: PositionEncoding,
        locate: &mut dyn FnMut(&str) -> Option<(lsp::Uri, FileText)>,
    ) -> lsp::Diagnostic {
        let related: Vec<lsp::DiagnosticRelatedInformation> = diagnostic
            .labels
            .iter()
            .filter_map(|label| {
                let (uri, text) = locate(&label.file)?;
                Some(lsp::DiagnosticRelatedInformation {
                    location: lsp::Location::new(uri, range(&text, label.range, encoding)),
                    message: label.message.clone(),
                })
            })
            .collect();
        let message = match &diagnostic.help {
            Some(help) => format!("{}\nhelp: {help}", diagnostic.message),
            None => diagnostic.message.clone(),
        };
        let code = diagnostic.code.name();
        let tags = (diagnostic.code == Code::DeprecatedReference)
            .then(|| vec![lsp::DiagnosticTag::DEPRECATED]);
        lsp::Diagnostic {
            range: range(file, diagnostic.range, encoding),
            severity: Some(severity(diagnostic.severity)),
            code: Some(lsp::NumberOrString::String(code.to_owned())),
            code_description: format!("{DIAGNOSTICS_PAGE}#{code}")
                .parse()
                .ok()
                .map(|href| lsp::CodeDescription { href }),
            source: Some("gapmine".to_owned()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags,
            data: None,
        }
    }

    /// The edits that turn `old` into `new`: one edit covering what lies between their
    /// common prefix and suffix, so an editor keeps the cursor and the folds where nothing
    /// changed.
    pub fn minimal_edit(
        old: &FileText,
        new: &str,
        encoding: PositionEncoding,
    ) -> Vec<lsp::TextEdit> {
        let old_text: &str = &old.text;
        if old_text == new {
            return Vec::new();
        }
        let mut prefix = old_text
            .bytes()
            .zip(new.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        while !old_text.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
            prefix -= 1;
        }
        let max_suffix = (old_text.len() - prefix).min(new.len() - prefix);
        let mut suffix = old_text
            .bytes()
            .rev()
            .zip(new.bytes().rev())
            .take(max_suffix)
            .take_while(|(a, b)| a == b)
            .count();
        while !old_text.is_char_boundary(old_text.len() - suffix)
            || !new.is_char_boundary(new.len() - suffix)
        {
            suffix -= 1;
        }
        let replaced = TextRange::new(prefix as u32, (old_text.len() - suffix) as u32);
        vec![lsp::TextEdit {
            range: range(old, replaced, encoding),
            new_text: new[prefix..new.len() - suffix].to_owned(),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, new: &str) -> String {
        let file = FileText::new(old);
        let encoding = PositionEncoding::Utf16;
        let mut text = old.to_owned();
        for edit in to_proto::minimal_edit(&file, new, encoding) {
            let range = from_proto::range(&file, edit.range, encoding);
            text.replace_range(range.start as usize..range.end as usize, &edit.new_text);
        }
        text
    }

    #[test]
    fn the_minimal_edit_turns_the_old_text_into_the_new() {
        for (old, new) in [
            ("", ""),
            ("a", "a"),
            ("abc", "abxc"),
            ("node  1\n", "node 1\n"),
            ("é😀x", "é😁x"),
            ("aaa", "aa"),
            ("aa", "aaa"),
            ("x\r\ny", "x\ny"),
            ("", "new\n"),
        ] {
            assert_eq!(apply(old, new), new, "{old:?} -> {new:?}");
        }
    }
}
