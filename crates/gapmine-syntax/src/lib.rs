//! gapmine's KDL v2 parser: lossless, error-tolerant, with a typed view and a plain document.
//!
//! `parse` never fails and never panics: it returns a [`Parse`] holding a concrete syntax tree
//! whose text is the input, byte for byte, and the syntax errors found, as data with ranges.
//! A syntax error damages only the node it is in; the rest of the file still parses into nodes.
//!
//! Three views of one file:
//! - [`SyntaxTree`]: every token, trivia included, with ranges — for the formatter, edits and the
//!   language server;
//! - [`ast`]: typed wrappers over the tree (nodes, arguments, properties, children, values);
//! - [`plain::Document`]: what the file means, without trivia or positions — for comparisons.

#![warn(clippy::disallowed_methods)]

pub mod ast;
pub mod edit;
mod error;
pub mod fmt;
mod kind;
mod lexer;
mod parser;
pub mod plain;
mod tree;
pub mod value;

pub use error::SyntaxError;
pub use fmt::format;
pub use kind::SyntaxKind;
pub use tree::{SyntaxElement, SyntaxNode, SyntaxToken, SyntaxTree, TextRange, TokenAtOffset};

/// The result of parsing one file: the tree and the syntax errors. Never a failure.
#[derive(Debug, Clone)]
pub struct Parse {
    tree: SyntaxTree,
    errors: Vec<SyntaxError>,
}

impl Parse {
    /// The concrete syntax tree.
    pub fn tree(&self) -> &SyntaxTree {
        &self.tree
    }

    /// The text that was parsed (the tree's text).
    pub fn text(&self) -> &str {
        self.tree.text()
    }

    /// The syntax errors, in order of position.
    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    /// Whether the file has no syntax errors.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The typed view of the root.
    pub fn document(&self) -> ast::Document<'_> {
        ast::Document::new(self.tree.root())
    }

    /// The plain document: what the file means. Parts that did not parse are left out.
    pub fn plain(&self) -> plain::Document {
        self.document().to_plain()
    }
}

/// Two parses are equal when their texts are: the tree and the errors follow from the text.
impl PartialEq for Parse {
    fn eq(&self, other: &Parse) -> bool {
        self.text() == other.text()
    }
}
impl Eq for Parse {}

/// Parses KDL v2 text. Never fails, never panics: errors are in [`Parse::errors`].
pub fn parse(text: &str) -> Parse {
    parser::parse(text)
}
