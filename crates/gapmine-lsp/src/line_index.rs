//! Byte offsets to protocol positions and back, in the negotiated encoding.
//!
//! The core speaks UTF-8 byte offsets; the protocol speaks lines and columns whose unit is a
//! UTF-16 code unit by default and a byte when the client offers `utf-8`. A line ends at `\n`;
//! a `\r` before it counts as the line's last character, so that every byte offset has a
//! position (an edit that removes a `\r` needs one).

/// The unit of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionEncoding {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units: the protocol's default.
    Utf16,
}

/// A position: 0-based line and column, the column in the encoding's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// The line starts of one text, to convert positions without scanning the whole text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// The byte offset where each line starts; the first is 0.
    starts: Vec<u32>,
    /// Whether each line is ASCII only, so that its columns are bytes in every encoding.
    ascii: Vec<bool>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i as u32 + 1);
                ascii.push(line_ascii);
                line_ascii = true;
            } else if !b.is_ascii() {
                line_ascii = false;
            }
        }
        ascii.push(line_ascii);
        LineIndex {
            starts,
            ascii,
            len: text.len() as u32,
        }
    }

    /// The position of byte `offset` of `text` (the text this index was built from), clamped
    /// into the text and back onto a character boundary.
    pub fn line_col(&self, text: &str, offset: u32, encoding: PositionEncoding) -> LineCol {
        let mut offset = offset.min(self.len) as usize;
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s as usize <= offset) - 1;
        let start = self.starts[line] as usize;
        let col = if self.ascii[line] {
            offset - start
        } else {
            match encoding {
                PositionEncoding::Utf8 => offset - start,
                PositionEncoding::Utf16 => text[start..offset].encode_utf16().count(),
            }
        };
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// The byte offset of a position in `text`. A column past the end of its line means the
    /// line's end, a line past the last means the end of the text, and a column inside a
    /// character (half a surrogate pair, a byte inside a UTF-8 sequence) means the start of
    /// that character: clients do send such positions, and a position is never an error.
    pub fn offset(&self, text: &str, pos: LineCol, encoding: PositionEncoding) -> u32 {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.len;
        };
        let start = start as usize;
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map_or(self.len as usize, |&next| next as usize - 1);
        // The line's text without its `\n`.
        let line = &text[start..end];
        let col = pos.col as usize;
        let within = if self.ascii[pos.line as usize] {
            col.min(line.len())
        } else {
            match encoding {
                PositionEncoding::Utf8 => {
                    let mut col = col.min(line.len());
                    while !line.is_char_boundary(col) {
                        col -= 1;
                    }
                    col
                }
                PositionEncoding::Utf16 => {
                    let mut units = 0;
                    let mut bytes = line.len();
                    for (i, c) in line.char_indices() {
                        if units + c.len_utf16() > col {
                            bytes = i;
                            break;
                        }
                        units += c.len_utf16();
                    }
                    bytes
                }
            }
        };
        (start + within) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str, encoding: PositionEncoding) {
        let index = LineIndex::new(text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let pos = index.line_col(text, offset as u32, encoding);
            let back = index.offset(text, pos, encoding) as usize;
            assert_eq!(back, offset, "{text:?} at {offset} ({pos:?}, {encoding:?})");
        }
    }

    #[test]
    fn offsets_round_trip_in_both_encodings() {
        for text in [
            "",
            "a",
            "ab\ncd",
            "é = 1\n😀x\n",
            "a\r\nb",
            "\n\n",
            "x😀😀y\nz",
        ] {
            round_trip(text, PositionEncoding::Utf8);
            round_trip(text, PositionEncoding::Utf16);
        }
    }

    #[test]
    fn columns_count_utf16_units_or_bytes() {
        let text = "a😀b\né";
        let index = LineIndex::new(text);
        let b = text.find('b').unwrap() as u32;
        assert_eq!(
            index.line_col(text, b, PositionEncoding::Utf16),
            LineCol { line: 0, col: 3 }
        );
        assert_eq!(
            index.line_col(text, b, PositionEncoding::Utf8),
            LineCol { line: 0, col: 5 }
        );
        let end = text.len() as u32;
        assert_eq!(
            index.line_col(text, end, PositionEncoding::Utf16),
            LineCol { line: 1, col: 1 }
        );
    }

    #[test]
    fn positions_out_of_range_or_inside_a_character_are_clamped() {
        let text = "a😀b\ncd\r\n";
        let index = LineIndex::new(text);
        let utf16 = PositionEncoding::Utf16;
        // Half a surrogate pair: the start of the emoji.
        assert_eq!(index.offset(text, LineCol { line: 0, col: 2 }, utf16), 1);
        // Inside the emoji's UTF-8 bytes.
        let utf8 = PositionEncoding::Utf8;
        assert_eq!(index.offset(text, LineCol { line: 0, col: 3 }, utf8), 1);
        // Past the end of a line: its end, before the `\n`.
        assert_eq!(index.offset(text, LineCol { line: 1, col: 99 }, utf16), 10);
        // Past the last line: the end of the text.
        assert_eq!(index.offset(text, LineCol { line: 9, col: 0 }, utf16), 11);
        assert_eq!(index.line_col(text, 99, utf16), LineCol { line: 2, col: 0 });
        // An offset inside a character goes back to its start.
        assert_eq!(index.line_col(text, 3, utf8), LineCol { line: 0, col: 1 });
    }
}
