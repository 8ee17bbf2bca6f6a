//! Decoding the text of value tokens: strings (escapes, raw strings, multi-line dedent),
//! numbers (every base, exact) and keywords.
//!
//! Each decoder reports problems through a sink with ranges relative to the token, so the
//! parser can turn them into syntax errors while the typed view decodes the same text
//! without caring (a token with an error still decodes as best it can).

use std::borrow::Cow;

use crate::plain::{Number, Value};
use crate::{SyntaxKind, TextRange};

/// A problem found while decoding a token: the range inside the token, a message, a help.
pub(crate) type Sink<'s> = &'s mut dyn FnMut(TextRange, String, Option<&'static str>);

/// Decodes a string token (bare, quoted or raw) to its value.
pub fn decode_string(kind: SyntaxKind, text: &str) -> Cow<'_, str> {
    decode_string_with(kind, text, &mut |_, _, _| {})
}

/// Decodes any value token to a plain value. Invalid text decodes as best it can.
pub fn decode_value(kind: SyntaxKind, text: &str) -> Value {
    match kind {
        SyntaxKind::Number => Value::Number(decode_number(text, &mut |_, _, _| {})),
        SyntaxKind::Keyword => match text {
            "#true" => Value::Bool(true),
            "#false" => Value::Bool(false),
            "#inf" | "#-inf" | "#nan" => Value::Number(Number {
                canonical: text.into(),
            }),
            _ => Value::Null,
        },
        _ => Value::String(decode_string(kind, text).into_owned()),
    }
}

/// Whether `text` is a keyword the language knows.
pub(crate) fn is_keyword(text: &str) -> bool {
    matches!(
        text,
        "#true" | "#false" | "#null" | "#inf" | "#-inf" | "#nan"
    )
}

pub(crate) fn decode_string_with<'t>(
    kind: SyntaxKind,
    text: &'t str,
    sink: Sink<'_>,
) -> Cow<'t, str> {
    match kind {
        SyntaxKind::QuotedString => decode_quoted(text, sink),
        SyntaxKind::RawString => decode_raw(text, sink),
        _ => Cow::Borrowed(text),
    }
}

fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(start as u32, end as u32)
}

/// KDL's newline characters (CRLF is handled by the callers).
pub(crate) fn is_newline(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// KDL's non-newline whitespace.
pub(crate) fn is_unicode_space(c: char) -> bool {
    matches!(
        c,
        '\t' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

fn decode_quoted<'t>(text: &'t str, sink: Sink<'_>) -> Cow<'t, str> {
    if let Some(rest) = text.strip_prefix("\"\"\"") {
        // Multi-line: `"""` newline … newline ws* `"""`.
        let body_end =
            if rest.len() >= 3 && rest.ends_with("\"\"\"") && !ends_with_escaped_quote(rest) {
                text.len() - 3
            } else {
                text.len()
            };
        return decode_multiline(text, 3, body_end, true, sink);
    }
    let inner_start = 1;
    let inner_end =
        if text.len() >= 2 && text.ends_with('"') && !ends_with_escaped_quote(&text[1..]) {
            text.len() - 1
        } else {
            text.len()
        };
    let body = &text[inner_start..inner_end.max(inner_start)];
    if !body.contains('\\') {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len());
    unescape(body, inner_start, &mut out, sink);
    Cow::Owned(out)
}

/// Whether the string ends with `\"` whose backslash is itself unescaped (so the quote is not
/// a closing one). Only used to find the body of a possibly unterminated token.
fn ends_with_escaped_quote(s: &str) -> bool {
    let without = &s[..s.len() - 1];
    let backslashes = without.bytes().rev().take_while(|&b| b == b'\\').count();
    backslashes % 2 == 1
}

/// Resolves the escapes of `body` (which starts at `base` in the token) into `out`.
fn unescape(body: &str, base: usize, out: &mut String, sink: Sink<'_>) {
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(&(j, e)) = chars.peek() else {
            sink(
                range(base + i, base + i + 1),
                "a `\\` at the end of a string escapes nothing".into(),
                Some("write `\\\\` for a backslash"),
            );
            break;
        };
        chars.next();
        match e {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            'b' => out.push('\u{08}'),
            'f' => out.push('\u{0C}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            's' => out.push(' '),
            'u' => {
                let start = base + i;
                if chars.peek().map(|&(_, c)| c) != Some('{') {
                    sink(
                        range(start, base + j + 1),
                        "invalid unicode escape".into(),
                        Some("write it as `\\u{1F600}`: one to six hex digits in braces"),
                    );
                    continue;
                }
                chars.next();
                let mut hex = String::new();
                let mut closed = false;
                let mut end = base + j + 2;
                while let Some(&(k, h)) = chars.peek() {
                    if h == '}' {
                        chars.next();
                        closed = true;
                        end = base + k + 1;
                        break;
                    }
                    if !h.is_ascii_hexdigit() {
                        end = base + k;
                        break;
                    }
                    hex.push(h);
                    chars.next();
                    end = base + k + 1;
                }
                let code = u32::from_str_radix(&hex, 16).ok();
                match (closed, hex.len(), code.and_then(char::from_u32)) {
                    (true, 1..=6, Some(ch)) => out.push(ch),
                    (true, 1..=6, None) => sink(
                        range(start, end),
                        format!("`\\u{{{hex}}}` is not a Unicode scalar value"),
                        Some("surrogates (D800–DFFF) and values above 10FFFF cannot be escaped"),
                    ),
                    _ => sink(
                        range(start, end),
                        "invalid unicode escape".into(),
                        Some("write it as `\\u{1F600}`: one to six hex digits in braces"),
                    ),
                }
            }
            c if is_unicode_space(c) || is_newline(c) => {
                // A whitespace escape: drop the backslash and all whitespace after it.
                while let Some(&(_, w)) = chars.peek() {
                    if is_unicode_space(w) || is_newline(w) {
                        chars.next();
                    } else {
                        break;
                    }
                }
            }
            other => {
                sink(
                    range(base + i, base + j + other.len_utf8()),
                    format!("unknown escape `\\{other}`"),
                    Some(
                        "valid escapes are \\n \\r \\t \\\\ \\\" \\b \\f \\s \\u{…} and `\\` before whitespace; write `\\\\` for a backslash",
                    ),
                );
                out.push(other);
            }
        }
    }
}

fn decode_raw<'t>(text: &'t str, sink: Sink<'_>) -> Cow<'t, str> {
    let hashes = text.bytes().take_while(|&b| b == b'#').count();
    let after = &text[hashes..];
    let mut closing = String::with_capacity(hashes + 1);
    closing.push('"');
    closing.extend(std::iter::repeat_n('#', hashes));
    if after.starts_with("\"\"\"") {
        let close3 = format!("\"\"{closing}");
        let body_end = if after.len() >= 3 + close3.len() && after.ends_with(&close3) {
            text.len() - close3.len()
        } else {
            text.len()
        };
        return decode_multiline(text, hashes + 3, body_end, false, sink);
    }
    let start = hashes + 1;
    let end = if after.len() > closing.len() && after.ends_with(&closing) {
        text.len() - closing.len()
    } else {
        text.len()
    };
    Cow::Borrowed(&text[start.min(end)..end])
}

/// Decodes the body `text[start..end]` of a multi-line string (after the opening quotes, up to
/// the closing ones), dedenting by the whitespace of its last line.
fn decode_multiline<'t>(
    text: &'t str,
    start: usize,
    end: usize,
    escapes: bool,
    sink: Sink<'_>,
) -> Cow<'t, str> {
    let body = &text[start..end];
    // 1. Whitespace escapes first: they can join lines. Keep a map back to token offsets.
    let (joined, offsets) = if escapes {
        strip_whitespace_escapes(body, start)
    } else {
        (body.to_string(), None)
    };
    // 2. Split into lines, each newline (CRLF as one) ending a line.
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut line_start = 0;
    let bytes = joined.as_bytes();
    let mut iter = joined.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if is_newline(c) {
            lines.push((line_start, &joined[line_start..i]));
            let mut next = i + c.len_utf8();
            if c == '\r' && bytes.get(next) == Some(&b'\n') {
                iter.next();
                next += 1;
            }
            line_start = next;
        }
    }
    lines.push((line_start, &joined[line_start..]));
    let to_token = |k: usize| -> usize {
        match &offsets {
            Some(map) => map.get(k).copied().unwrap_or(end),
            None => start + k,
        }
    };
    // The first "line" is what follows the opening quotes: it must be empty.
    if !lines[0].1.is_empty() {
        sink(
            range(start.saturating_sub(3), to_token(lines[0].1.len())),
            "a multi-line string must start with a newline right after its opening quotes".into(),
            Some("put the text on the next line, or use a single `\"` for a one-line string"),
        );
    }
    if lines.len() < 2 {
        if lines[0].1.is_empty() {
            sink(
                range(start.saturating_sub(3), end),
                "a multi-line string must start with a newline right after its opening quotes"
                    .into(),
                Some(
                    "write `\"\"` for an empty string, or put the closing quotes on a line of their own",
                ),
            );
        }
        return Cow::Owned(String::new());
    }
    let (last_start, last) = lines[lines.len() - 1];
    let prefix = if last.chars().all(is_unicode_space) {
        last
    } else {
        sink(
            range(to_token(last_start), to_token(last_start + last.len())),
            "the closing quotes of a multi-line string must be on a line of their own".into(),
            Some("put the closing quotes on the next line, after only whitespace"),
        );
        ""
    };
    let mut out = String::with_capacity(joined.len());
    let content = &lines[1..lines.len() - 1];
    for (n, &(line_start, line)) in content.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        if line.chars().all(is_unicode_space) {
            continue;
        }
        match line.strip_prefix(prefix) {
            Some(rest) => {
                if escapes {
                    unescape(rest, 0, &mut out, &mut |r, m, h| {
                        let base = line_start + prefix.len();
                        sink(
                            range(
                                to_token(base + r.start as usize),
                                to_token(base + r.end as usize),
                            ),
                            m,
                            h,
                        )
                    });
                } else {
                    out.push_str(rest);
                }
            }
            None => {
                sink(
                    range(to_token(line_start), to_token(line_start + line.len())),
                    "this line of a multi-line string does not start with the indentation of its closing line".into(),
                    Some("indent every line at least as far as the closing quotes, with the same whitespace characters"),
                );
                out.push_str(line);
            }
        }
    }
    Cow::Owned(out)
}

/// Removes whitespace escapes (`\` followed by whitespace and newlines) from a multi-line body,
/// leaving other escapes in place. Returns the new text and, for each of its bytes, the offset
/// in the token it came from.
fn strip_whitespace_escapes(body: &str, base: usize) -> (String, Option<Vec<usize>>) {
    if !body.contains('\\') {
        return (body.to_string(), None);
    }
    let mut out = String::with_capacity(body.len());
    let mut map = Vec::with_capacity(body.len() + 1);
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\\'
            && let Some(&(j, e)) = chars.peek()
        {
            if is_unicode_space(e) || is_newline(e) {
                while let Some(&(_, w)) = chars.peek() {
                    if is_unicode_space(w) || is_newline(w) {
                        chars.next();
                    } else {
                        break;
                    }
                }
                continue;
            }
            // Any other escape is kept whole, so `\\` is not read as a backslash
            // escaping what follows it.
            chars.next();
            for (k, ch) in [(i, c), (j, e)] {
                out.push(ch);
                map.extend((0..ch.len_utf8()).map(|b| base + k + b));
            }
            continue;
        }
        out.push(c);
        map.extend((0..c.len_utf8()).map(|b| base + i + b));
    }
    map.push(base + body.len());
    (out, Some(map))
}

/// Decodes a number token to its canonical decimal text, reporting what is wrong with it.
pub(crate) fn decode_number(text: &str, sink: Sink<'_>) -> Number {
    let (negative, unsigned, sign_len) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..], 1),
        Some(b'+') => (false, &text[1..], 1),
        _ => (false, text, 0),
    };
    let radix = match unsigned.get(..2) {
        Some("0x") => 16,
        Some("0o") => 8,
        Some("0b") => 2,
        _ => 10,
    };
    let canonical = if radix == 10 {
        decimal(unsigned, sign_len, sink)
    } else {
        based(&unsigned[2..], radix, sign_len + 2, sink)
    };
    let canonical = match canonical {
        Some(c) if negative && c != "0" => format!("-{c}"),
        Some(c) => c,
        None => "0".to_string(),
    };
    Number {
        canonical: canonical.into(),
    }
}

/// The most digits a hexadecimal, octal or binary number may have: converting one to exact
/// decimal takes time quadratic in its length, so past this it is an error, not a stall.
pub(crate) const MAX_BASED_DIGITS: usize = 4096;

fn based(digits: &str, radix: u32, base: usize, sink: Sink<'_>) -> Option<String> {
    let (name, prefix, valid, help) = match radix {
        16 => (
            "hexadecimal",
            "0x",
            "0-9 and a-f",
            "write at least one digit after the prefix, such as `0x1f`",
        ),
        8 => (
            "octal",
            "0o",
            "0-7",
            "write at least one digit after the prefix, such as `0o17`",
        ),
        _ => (
            "binary",
            "0b",
            "0 and 1",
            "write at least one digit after the prefix, such as `0b101`",
        ),
    };
    if digits.is_empty() || digits.starts_with('_') {
        sink(
            range(base, base + digits.len()),
            format!(
                "{} {name} number needs a digit right after `{prefix}`",
                if radix == 8 { "an" } else { "a" }
            ),
            Some(help),
        );
        return None;
    }
    let mut count = 0;
    for (i, c) in digits.char_indices() {
        if c == '_' {
            continue;
        }
        if c.to_digit(radix).is_none() {
            sink(
                range(base + i, base + i + c.len_utf8()),
                format!(
                    "`{c}` is not {} {name} digit (those are {valid})",
                    if radix == 8 { "an" } else { "a" }
                ),
                Some("a value that starts with a digit is a number; quote it to make it a string"),
            );
            return None;
        }
        count += 1;
    }
    if count > MAX_BASED_DIGITS {
        sink(
            range(base - prefix.len(), base + digits.len()),
            format!(
                "this {name} number has {count} digits, more than the {MAX_BASED_DIGITS} gapmine reads"
            ),
            Some("write it as a string, or in decimal, which has no limit"),
        );
        return None;
    }
    // Base conversion on a little-endian vector of base-10^9 limbs: exact for any length.
    let mut limbs: Vec<u64> = vec![0];
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else {
            continue;
        };
        let mut carry = d as u64;
        for limb in limbs.iter_mut() {
            let v = *limb * radix as u64 + carry;
            *limb = v % 1_000_000_000;
            carry = v / 1_000_000_000;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    let mut out = limbs.last().map(|l| l.to_string()).unwrap_or_default();
    for limb in limbs.iter().rev().skip(1) {
        out.push_str(&format!("{limb:09}"));
    }
    Some(out)
}

fn decimal(text: &str, base: usize, sink: Sink<'_>) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let digits_at = |i: usize| -> usize {
        let mut j = i;
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'_') {
                j += 1;
            }
        }
        j
    };
    let int_end = digits_at(i);
    if int_end == i {
        sink(
            range(base, base + text.len()),
            "invalid number".into(),
            Some("a number starts with a digit, after an optional sign: `12`, `-1.5`, `0x1f`"),
        );
        return None;
    }
    let int_part: String = text[i..int_end].chars().filter(|&c| c != '_').collect();
    let int_part = int_part.trim_start_matches('0');
    let mut out = if int_part.is_empty() {
        "0".to_string()
    } else {
        int_part.to_string()
    };
    i = int_end;
    if i < bytes.len() && bytes[i] == b'.' {
        let frac_end = digits_at(i + 1);
        if frac_end == i + 1 {
            sink(
                range(base + i, base + i + 1),
                "a decimal point must be followed by a digit".into(),
                Some("write `1.0` rather than `1.`"),
            );
            return None;
        }
        out.push('.');
        out.extend(text[i + 1..frac_end].chars().filter(|&c| c != '_'));
        i = frac_end;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        let mut sign = '+';
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            sign = bytes[j] as char;
            j += 1;
        }
        let exp_end = digits_at(j);
        if exp_end == j {
            sink(
                range(base + i, base + text.len()),
                "an exponent needs digits".into(),
                Some("write it as `1.5e10` or `1.5E-3`"),
            );
            return None;
        }
        out.push('E');
        out.push(sign);
        out.extend(text[j..exp_end].chars().filter(|&c| c != '_'));
        i = exp_end;
    }
    if i < bytes.len() {
        let bad = text[i..].chars().next().unwrap_or('?');
        sink(
            range(base + i, base + text.len()),
            format!("unexpected `{bad}` in a number"),
            Some("a value that starts with a digit is a number; quote it to make it a string"),
        );
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(text: &str) -> Result<String, String> {
        let mut err = None;
        let n = decode_number(text, &mut |_, m, _| err = Some(m));
        match err {
            Some(e) => Err(e),
            None => Ok(n.canonical().to_string()),
        }
    }

    #[test]
    fn numbers_are_canonical_and_exact() {
        assert_eq!(
            num("0xABCDEF0123456789abcdef").unwrap(),
            "207698809136909011942886895"
        );
        assert_eq!(num("0o012_3456_7").unwrap(), "342391");
        assert_eq!(num("0b10_").unwrap(), "2");
        assert_eq!(num("-1.0e-10_0").unwrap(), "-1.0E-100");
        assert_eq!(num("1e10").unwrap(), "1E+10");
        assert_eq!(num("+011").unwrap(), "11");
        assert_eq!(num("-0").unwrap(), "0");
        assert!(num("1.").is_err());
        assert!(num("0x_1").is_err());
        assert!(num("1.2.3").is_err());
        assert!(num("1e").is_err());
        assert!(num("0xg").is_err());
    }

    fn string(kind: SyntaxKind, text: &str) -> Result<String, String> {
        let mut err = None;
        let s = decode_string_with(kind, text, &mut |_, m, _| err = Some(m)).into_owned();
        match err {
            Some(e) => Err(e),
            None => Ok(s),
        }
    }

    #[test]
    fn strings_decode_escapes_raw_and_multiline() {
        use SyntaxKind::*;
        assert_eq!(
            string(QuotedString, r#""a\n\u{1F600}\s""#).unwrap(),
            "a\n😀 "
        );
        assert_eq!(string(QuotedString, "\"a\\   \n  b\"").unwrap(), "ab");
        assert_eq!(string(RawString, r###"##"a"#b"##"###).unwrap(), "a\"#b");
        assert_eq!(
            string(QuotedString, "\"\"\"\n    hey\n   everyone\n  \"\"\"").unwrap(),
            "  hey\n everyone"
        );
        assert_eq!(
            string(RawString, "#\"\"\"\n  a\\n\n  \"\"\"#").unwrap(),
            "a\\n"
        );
        assert!(string(QuotedString, r#""\u{D800}""#).is_err());
        assert!(string(QuotedString, r#""\q""#).is_err());
        assert!(string(QuotedString, "\"\"\"\n a\n  \"\"\"").is_err());
    }
}
