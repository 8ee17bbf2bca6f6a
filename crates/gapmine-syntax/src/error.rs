//! Syntax errors as data: a range, a message, and what to do about it.

use crate::TextRange;

/// One syntax error: where it is, what is wrong, and, where we know, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The bytes of the input the error is about.
    pub range: TextRange,
    /// What is wrong, as one sentence without a trailing period: "unterminated string".
    pub message: String,
    /// What to do about it, where the parser can tell: "add a closing `\"`".
    pub help: Option<String>,
}

impl SyntaxError {
    pub(crate) fn new(range: TextRange, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            range,
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> SyntaxError {
        self.help = Some(help.into());
        self
    }
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {:?}", self.message, self.range)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}
