//! Byte offsets to 1-based lines and columns, for the machine-readable output formats.
//!
//! Lines end at `\n` (a `\r` before it belongs to the line), as in codespan-reporting, so every
//! format agrees with the human output. Columns count Unicode scalar values (characters), as
//! codespan-reporting does; the byte offset is given beside them where a format has room for
//! it. The language server will convert to UTF-16 itself.

/// The line starts of one text.
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

/// A position: 1-based line and column (in characters), and the 0-based byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The position of `offset`, clamped into the text and onto a character boundary.
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        Position {
            line: line + 1,
            column: self.text[start..offset].chars().count() + 1,
            offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{LineIndex, Position};

    fn at(text: &str, offset: usize) -> (usize, usize, usize) {
        let Position {
            line,
            column,
            offset,
        } = LineIndex::new(text).position(offset);
        (line, column, offset)
    }

    #[test]
    fn lines_and_columns_are_one_based() {
        assert_eq!(at("", 0), (1, 1, 0));
        assert_eq!(at("ab\ncd", 0), (1, 1, 0));
        assert_eq!(at("ab\ncd", 2), (1, 3, 2));
        assert_eq!(at("ab\ncd", 3), (2, 1, 3));
        assert_eq!(at("ab\r\ncd", 4), (2, 1, 4));
        assert_eq!(at("ab\ncd\n", 6), (3, 1, 6));
    }

    #[test]
    fn columns_count_characters_and_offsets_are_clamped() {
        assert_eq!(at("é = 1", 2), (1, 2, 2));
        assert_eq!(at("é", 1), (1, 1, 0));
        assert_eq!(at("ab", 99), (1, 3, 2));
    }
}
