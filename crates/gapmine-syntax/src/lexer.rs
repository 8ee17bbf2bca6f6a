//! The lexer: splits text into tokens that cover it exactly, reporting malformed tokens
//! as errors instead of stopping.
//!
//! It works on bytes with an ASCII fast path; multi-byte characters are decoded only where
//! they occur. An unterminated single-line string ends at the end of its line, so the next
//! line lexes as if nothing happened.

use crate::value::{self, is_newline, is_unicode_space};
use crate::{SyntaxError, SyntaxKind, TextRange};

pub(crate) struct Lexed {
    pub(crate) kinds: Vec<SyntaxKind>,
    /// One more than `kinds`: the last entry is the text's length.
    pub(crate) starts: Vec<u32>,
    pub(crate) errors: Vec<SyntaxError>,
}

/// ASCII bytes that may appear in a bare identifier.
const fn ascii_ident_table() -> [bool; 128] {
    let mut table = [false; 128];
    let mut b = 0x21;
    while b < 0x7F {
        table[b] = true;
        b += 1;
    }
    let excluded = b"\\/(){};[]\"#=";
    let mut i = 0;
    while i < excluded.len() {
        table[excluded[i] as usize] = false;
        i += 1;
    }
    table
}

static ASCII_IDENT: [bool; 128] = ascii_ident_table();

/// Code points that may not appear literally anywhere in a KDL document.
pub(crate) fn is_disallowed(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}'
        | '\u{E}'..='\u{1F}'
        | '\u{7F}'
        | '\u{200E}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

/// Whether `c` may appear in a bare identifier.
pub(crate) fn is_ident_char(c: char) -> bool {
    if (c as u32) < 0x80 {
        return ASCII_IDENT[c as usize];
    }
    !(is_unicode_space(c) || is_newline(c) || is_disallowed(c))
}

pub(crate) fn lex(text: &str) -> Lexed {
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        out: Lexed {
            kinds: Vec::with_capacity(text.len() / 4 + 1),
            starts: Vec::with_capacity(text.len() / 4 + 2),
            errors: Vec::new(),
        },
    };
    if text.starts_with('\u{FEFF}') {
        lexer.push(SyntaxKind::Bom, 3);
    }
    while lexer.pos < lexer.bytes.len() {
        lexer.next_token();
    }
    lexer.out.starts.push(text.len() as u32);
    lexer.out
}

struct Lexer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    out: Lexed,
}

impl<'t> Lexer<'t> {
    fn push(&mut self, kind: SyntaxKind, len: usize) {
        if matches!(
            kind,
            SyntaxKind::QuotedString
                | SyntaxKind::RawString
                | SyntaxKind::LineComment
                | SyntaxKind::BlockComment
                | SyntaxKind::Escline
        ) {
            self.check_disallowed(self.pos, self.pos + len);
        }
        self.out.kinds.push(kind);
        self.out.starts.push(self.pos as u32);
        self.pos += len;
    }

    /// Reports the code points that may not appear literally anywhere in a document, inside
    /// tokens whose content is otherwise free (strings and comments).
    fn check_disallowed(&mut self, start: usize, end: usize) {
        let mut i = start;
        while i < end {
            let b = self.bytes[i];
            let suspicious = (b < 0x20 && !matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r'))
                || b == 0x7F
                || b == 0xE2
                || b == 0xEF;
            if suspicious && let Some(c) = self.char_at(i) {
                if is_disallowed(c) {
                    self.error(
                        i,
                        i + c.len_utf8(),
                        format!(
                            "the character U+{:04X} is not allowed in a KDL document, not even in a string or comment",
                            c as u32
                        ),
                        Some("remove it; inside a quoted string, write it as an escape such as `\\u{200e}`"),
                    );
                }
                i += c.len_utf8();
                continue;
            }
            i += 1;
        }
    }

    fn error(&mut self, start: usize, end: usize, message: impl Into<String>, help: Option<&str>) {
        let mut error = SyntaxError::new(TextRange::new(start as u32, end as u32), message);
        if let Some(help) = help {
            error = error.with_help(help);
        }
        self.out.errors.push(error);
    }

    /// The character starting at `pos`; `None` inside a multi-byte character or at the end.
    fn char_at(&self, pos: usize) -> Option<char> {
        self.text.get(pos..)?.chars().next()
    }

    /// The length of the newline at `pos` (CRLF counts as one), or 0.
    fn newline_len(&self, pos: usize) -> usize {
        match self.bytes.get(pos) {
            Some(b'\n') | Some(0x0B) | Some(0x0C) => 1,
            Some(b'\r') => {
                if self.bytes.get(pos + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                }
            }
            Some(b) if *b >= 0x80 => match self.char_at(pos) {
                Some(c) if is_newline(c) => c.len_utf8(),
                _ => 0,
            },
            _ => 0,
        }
    }

    /// The length of the non-newline whitespace character at `pos`, or 0.
    fn space_len(&self, pos: usize) -> usize {
        match self.bytes.get(pos) {
            Some(b' ') | Some(b'\t') => 1,
            Some(b) if *b >= 0x80 => match self.char_at(pos) {
                Some(c) if is_unicode_space(c) => c.len_utf8(),
                _ => 0,
            },
            _ => 0,
        }
    }

    /// The end of the identifier-character run starting at `pos`.
    fn ident_end(&self, mut pos: usize) -> usize {
        while pos < self.bytes.len() {
            let b = self.bytes[pos];
            if b < 0x80 {
                if !ASCII_IDENT[b as usize] {
                    break;
                }
                pos += 1;
            } else {
                let c = self.char_at(pos).unwrap_or(' ');
                if !is_ident_char(c) {
                    break;
                }
                pos += c.len_utf8();
            }
        }
        pos
    }

    fn next_token(&mut self) {
        let start = self.pos;
        let b = self.bytes[start];
        match b {
            b' ' | b'\t' => self.whitespace(),
            b'\n' | b'\r' | 0x0B | 0x0C => {
                let len = self.newline_len(start);
                self.push(SyntaxKind::Newline, len)
            }
            b'/' => match self.bytes.get(start + 1) {
                Some(b'/') => self.line_comment(),
                Some(b'*') => self.block_comment(),
                Some(b'-') => self.push(SyntaxKind::Slashdash, 2),
                _ => {
                    self.error(
                        start,
                        start + 1,
                        "unexpected `/`",
                        Some("comments start with `//` or `/*`; quote the text to use `/` in a string"),
                    );
                    self.push(SyntaxKind::ErrorToken, 1)
                }
            },
            b'\\' => self.escline(),
            b'(' => self.push(SyntaxKind::LParen, 1),
            b')' => self.push(SyntaxKind::RParen, 1),
            b'{' => self.push(SyntaxKind::LBrace, 1),
            b'}' => self.push(SyntaxKind::RBrace, 1),
            b'=' => self.push(SyntaxKind::Eq, 1),
            b';' => self.push(SyntaxKind::Semicolon, 1),
            b'"' => self.quoted_string(),
            b'#' => self.hash(),
            b'0'..=b'9' => self.number(),
            b'+' | b'-' if self.bytes.get(start + 1).is_some_and(u8::is_ascii_digit) => {
                self.number()
            }
            _ if b < 0x80 => {
                if ASCII_IDENT[b as usize] {
                    self.ident()
                } else {
                    let c = b as char;
                    let (message, help) = if c == '[' || c == ']' {
                        (
                            format!("unexpected `{c}`"),
                            Some(
                                "KDL has no lists: write the items as arguments; quote the text to use `[` or `]` in a string",
                            ),
                        )
                    } else {
                        (
                            format!("the character U+{:04X} is not allowed in a KDL document", b),
                            Some(
                                "remove it, or write it as an escape such as `\\u{7f}` inside a quoted string",
                            ),
                        )
                    };
                    self.error(start, start + 1, message, help);
                    self.push(SyntaxKind::ErrorToken, 1)
                }
            }
            _ => {
                let c = self.char_at(start).unwrap_or('\u{FFFD}');
                if is_unicode_space(c) {
                    self.whitespace()
                } else if is_newline(c) {
                    self.push(SyntaxKind::Newline, c.len_utf8())
                } else if is_disallowed(c) {
                    let message = if c == '\u{FEFF}' {
                        "a byte-order mark is only allowed at the start of a file".to_string()
                    } else {
                        format!(
                            "the character U+{:04X} is not allowed in a KDL document",
                            c as u32
                        )
                    };
                    self.error(start, start + c.len_utf8(), message, Some("remove it"));
                    self.push(SyntaxKind::ErrorToken, c.len_utf8())
                } else {
                    self.ident()
                }
            }
        }
    }

    fn whitespace(&mut self) {
        let mut end = self.pos;
        loop {
            let len = self.space_len(end);
            if len == 0 {
                break;
            }
            end += len;
        }
        let len = end - self.pos;
        self.push(SyntaxKind::Whitespace, len);
    }

    fn line_comment(&mut self) {
        let mut end = self.pos + 2;
        while end < self.bytes.len() && self.newline_len(end) == 0 {
            end += 1;
        }
        // `end` may be inside a multi-byte character only if newline_len never matched there,
        // and it only matches at character starts: step to the next boundary to be safe.
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        let len = end - self.pos;
        self.push(SyntaxKind::LineComment, len);
    }

    fn block_comment(&mut self) {
        let start = self.pos;
        let (end, terminated) = self.block_comment_end(start);
        if !terminated {
            self.error(
                start,
                start + 2,
                "unterminated block comment",
                Some("close it with `*/`; block comments nest, so every `/*` needs its own `*/`"),
            );
        }
        self.push(SyntaxKind::BlockComment, end - start);
    }

    /// The end of the (nested) block comment that starts at `start`, and whether it is closed.
    fn block_comment_end(&self, start: usize) -> (usize, bool) {
        let mut depth = 0usize;
        let mut i = start;
        let n = self.bytes.len();
        while i < n {
            if self.bytes[i] == b'/' && self.bytes.get(i + 1) == Some(&b'*') {
                depth += 1;
                i += 2;
            } else if self.bytes[i] == b'*' && self.bytes.get(i + 1) == Some(&b'/') {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return (i, true);
                }
            } else {
                i += 1;
            }
        }
        (n, false)
    }

    /// `\` ws* (line-comment | newline | eof): one token, newline included.
    fn escline(&mut self) {
        let start = self.pos;
        let mut i = start + 1;
        loop {
            let len = self.space_len(i);
            if len > 0 {
                i += len;
                continue;
            }
            if self.bytes.get(i) == Some(&b'/') && self.bytes.get(i + 1) == Some(&b'*') {
                let (end, terminated) = self.block_comment_end(i);
                if !terminated {
                    self.error(
                        i,
                        i + 2,
                        "unterminated block comment",
                        Some("close it with `*/`; block comments nest, so every `/*` needs its own `*/`"),
                    );
                }
                i = end;
                continue;
            }
            break;
        }
        if self.bytes.get(i) == Some(&b'/') && self.bytes.get(i + 1) == Some(&b'/') {
            while i < self.bytes.len() && self.newline_len(i) == 0 {
                i += 1;
            }
            while !self.text.is_char_boundary(i) {
                i += 1;
            }
        }
        let nl = self.newline_len(i);
        if nl == 0 && i < self.bytes.len() {
            self.error(
                start,
                start + 1,
                "a `\\` outside a string must end its line",
                Some("a backslash continues a node on the next line; nothing but whitespace or a comment may follow it"),
            );
            self.push(SyntaxKind::ErrorToken, i - start);
            return;
        }
        self.push(SyntaxKind::Escline, i + nl - start);
    }

    fn quoted_string(&mut self) {
        let start = self.pos;
        let n = self.bytes.len();
        if self.text[start..].starts_with("\"\"\"") {
            let mut i = start + 3;
            while i < n {
                match self.bytes[i] {
                    b'\\' => i += 2,
                    b'"' if self.text[i..].starts_with("\"\"\"") => {
                        let len = i + 3 - start;
                        self.validate_string(SyntaxKind::QuotedString, start, len);
                        return self.push(SyntaxKind::QuotedString, len);
                    }
                    _ => i += 1,
                }
            }
            self.error(
                start,
                start + 3,
                "unterminated multi-line string",
                Some("close it with `\"\"\"` on a line of its own"),
            );
            return self.push(SyntaxKind::QuotedString, n - start);
        }
        let mut i = start + 1;
        while i < n {
            match self.bytes[i] {
                b'"' => {
                    let len = i + 1 - start;
                    self.validate_string(SyntaxKind::QuotedString, start, len);
                    return self.push(SyntaxKind::QuotedString, len);
                }
                b'\\' => {
                    i += 1;
                    // A whitespace escape may span newlines.
                    let mut ws = false;
                    loop {
                        let len = self.space_len(i).max(self.newline_len(i));
                        if len == 0 {
                            break;
                        }
                        ws = true;
                        i += len;
                    }
                    if !ws && i < n {
                        i += self.char_at(i).map_or(1, char::len_utf8);
                    }
                }
                _ => {
                    if self.newline_len(i) > 0 {
                        break;
                    }
                    i += 1;
                }
            }
        }
        while !self.text.is_char_boundary(i.min(n)) {
            i += 1;
        }
        let end = i.min(n);
        self.error(
            start,
            end,
            "unterminated string",
            Some("close it with `\"` before the end of the line; for text over several lines use `\"\"\"`"),
        );
        // Still report bad escapes inside it.
        self.validate_string(SyntaxKind::QuotedString, start, end - start);
        self.push(SyntaxKind::QuotedString, end - start);
    }

    /// `#` starts a raw string (`#"…"#`, `##"""…"""##`) or a keyword (`#true`).
    fn hash(&mut self) {
        let start = self.pos;
        let hashes = self.bytes[start..]
            .iter()
            .take_while(|&&b| b == b'#')
            .count();
        if self.bytes.get(start + hashes) == Some(&b'"') {
            return self.raw_string(hashes);
        }
        let end = self.ident_end(start + 1);
        let word = &self.text[start..end];
        if hashes == 1 && value::is_keyword(word) {
            return self.push(SyntaxKind::Keyword, end - start);
        }
        let end = end.max(start + hashes);
        let help = match word {
            "#True" | "#TRUE" => Some("keywords are lower case: write `#true`"),
            "#False" | "#FALSE" => Some("keywords are lower case: write `#false`"),
            _ => Some(
                "the keywords are #true, #false, #null, #inf, #-inf and #nan; quote the text to use `#` in a string",
            ),
        };
        self.error(
            start,
            end,
            format!("unknown keyword `{}`", &self.text[start..end]),
            help,
        );
        self.push(SyntaxKind::ErrorToken, end - start);
    }

    fn raw_string(&mut self, hashes: usize) {
        let start = self.pos;
        let n = self.bytes.len();
        let open = start + hashes;
        let closes_at = |i: usize| -> bool {
            self.bytes.len() >= i + hashes && self.bytes[i..i + hashes].iter().all(|&b| b == b'#')
        };
        if self.text[open..].starts_with("\"\"\"") {
            let mut i = open + 3;
            while i < n {
                if self.bytes[i] == b'"' && self.text[i..].starts_with("\"\"\"") && closes_at(i + 3)
                {
                    let len = i + 3 + hashes - start;
                    self.validate_string(SyntaxKind::RawString, start, len);
                    return self.push(SyntaxKind::RawString, len);
                }
                i += 1;
            }
            self.error(
                start,
                open + 3,
                "unterminated multi-line raw string",
                Some("close it with `\"\"\"` and as many `#` as it opened with"),
            );
            return self.push(SyntaxKind::RawString, n - start);
        }
        let mut i = open + 1;
        while i < n {
            if self.bytes[i] == b'"' && closes_at(i + 1) {
                let len = i + 1 + hashes - start;
                return self.push(SyntaxKind::RawString, len);
            }
            if self.newline_len(i) > 0 {
                break;
            }
            i += 1;
        }
        while !self.text.is_char_boundary(i.min(n)) {
            i += 1;
        }
        let end = i.min(n);
        self.error(
            start,
            end,
            "unterminated raw string",
            Some(if self.newline_len(end) > 0 {
                "a raw string on one line must close on that line; for text over several lines use `#\"\"\"`"
            } else {
                "close it with a quote followed by as many `#` as it opened with"
            }),
        );
        self.push(SyntaxKind::RawString, end - start);
    }

    fn validate_string(&mut self, kind: SyntaxKind, start: usize, len: usize) {
        let text = &self.text[start..start + len];
        let mut errors = Vec::new();
        value::decode_string_with(kind, text, &mut |range, message, help| {
            errors.push((range, message, help));
        });
        for (range, message, help) in errors {
            self.error(
                start + range.start as usize,
                start + range.end as usize,
                message,
                help,
            );
        }
    }

    fn number(&mut self) {
        let start = self.pos;
        let end = self.ident_end(start);
        let text = &self.text[start..end];
        let mut errors = Vec::new();
        value::decode_number(text, &mut |range, message, help| {
            errors.push((range, message, help));
        });
        for (range, message, help) in errors {
            self.error(
                start + range.start as usize,
                start + range.end as usize,
                message,
                help,
            );
        }
        self.push(SyntaxKind::Number, end - start);
    }

    fn ident(&mut self) {
        let start = self.pos;
        let end = self.ident_end(start);
        let text = &self.text[start..end];
        // `.5`, `+.5`: looks like a number without its leading digit.
        let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
        if let Some(after_dot) = unsigned.strip_prefix('.')
            && after_dot.starts_with(|c: char| c.is_ascii_digit())
        {
            self.error(
                start,
                end,
                "a number needs a digit before its decimal point",
                Some("write `0.5` rather than `.5`; quote it to make it a string"),
            );
            return self.push(SyntaxKind::Number, end - start);
        }
        match text {
            "true" | "false" | "null" | "inf" | "-inf" | "nan" => {
                self.error(
                    start,
                    end,
                    format!("`{text}` is a keyword and needs a `#`"),
                    Some(match text {
                        "true" => "write `#true`, or `\"true\"` for the string",
                        "false" => "write `#false`, or `\"false\"` for the string",
                        "null" => "write `#null`, or `\"null\"` for the string",
                        _ => "write it with `#` for the number, or quote it for the string",
                    }),
                );
            }
            _ => {}
        }
        self.push(SyntaxKind::Ident, end - start);
    }
}
