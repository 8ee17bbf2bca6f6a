//! The machine-readable formats of `gapmine check`: JSON, SARIF 2.1.0, GitHub Actions
//! workflow commands. (The format for people is codespan-reporting, in `diagnostics`.)

pub mod github;
pub mod json;
pub mod sarif;

use std::collections::HashMap;

use gapmine_syntax::TextRange;

use crate::check::Checked;
use crate::line_index::{LineIndex, Position};

/// Turns byte ranges of the catalogue's files into lines and columns, indexing each file once.
#[derive(Debug)]
pub struct Locator<'c> {
    checked: &'c Checked,
    indexes: HashMap<&'c str, LineIndex<'c>>,
}

impl<'c> Locator<'c> {
    pub fn new(checked: &'c Checked) -> Locator<'c> {
        Locator {
            checked,
            indexes: HashMap::new(),
        }
    }

    /// The start and end of `range` in `file`.
    pub fn locate(&mut self, file: &'c str, range: TextRange) -> (Position, Position) {
        let checked = self.checked;
        let index = self
            .indexes
            .entry(file)
            .or_insert_with(|| LineIndex::new(checked.text(file)));
        let start = index.position(range.start as usize);
        let end = index.position((range.end as usize).max(start.offset));
        (start, end)
    }
}
