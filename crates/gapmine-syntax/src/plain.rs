//! The plain document: what a KDL file means, without trivia, comments or positions.
//!
//! Slashdashed nodes, entries and children blocks are left out, strings are decoded and
//! numbers are kept exactly (as canonical decimal text), so two files that mean the same
//! thing give equal `Document`s. This is the shape the conformance suite, the differential
//! tests against the `kdl` crate and the formatter's "the meaning did not change" property
//! compare.

/// A whole document: its top-level nodes, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    /// The nodes, in order.
    pub nodes: Vec<Node>,
}

/// One node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The type annotation, `(type)name`, if any.
    pub ty: Option<String>,
    /// The node's name.
    pub name: String,
    /// Arguments and properties, in source order (duplicates kept).
    pub entries: Vec<Entry>,
    /// The children block, if the node has one (`Some(vec![])` for `node {}`).
    pub children: Option<Vec<Node>>,
}

/// An argument (`name` is `None`) or a property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The property's key; `None` for an argument.
    pub name: Option<String>,
    /// The value's type annotation, if any.
    pub ty: Option<String>,
    /// The value.
    pub value: Value,
}

/// A KDL value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A string, decoded (escapes resolved, multi-line strings dedented).
    String(String),
    /// A number, kept exactly.
    Number(Number),
    /// `#true` or `#false`.
    Bool(bool),
    /// `#null`.
    Null,
}

/// A number, kept exactly as canonical decimal text, so arbitrarily large integers and
/// exponents survive: `0xff` is `255`, `1e10` is `1E+10`, `1_000` is `1000`, and the keywords
/// `#inf`, `#-inf` and `#nan` are kept as they are written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number {
    pub(crate) canonical: Box<str>,
}

impl Number {
    /// Parses KDL number syntax (`12`, `-1.5e3`, `0xff`, `1_000`) or one of the keywords
    /// `#inf`, `#-inf`, `#nan`; `None` if `text` is not a valid KDL number.
    pub fn parse(text: &str) -> Option<Number> {
        if matches!(text, "#inf" | "#-inf" | "#nan") {
            return Some(Number {
                canonical: text.into(),
            });
        }
        let starts_like_a_number = text
            .strip_prefix(['+', '-'])
            .unwrap_or(text)
            .starts_with(|c: char| c.is_ascii_digit());
        if !starts_like_a_number {
            return None;
        }
        let mut ok = true;
        let number = crate::value::decode_number(text, &mut |_, _, _| ok = false);
        ok.then_some(number)
    }

    /// The number nearest to `value`, written as KDL would: `1.5`, `1E+20`, `#inf`, `#nan`.
    pub fn from_f64(value: f64) -> Number {
        if value.is_nan() {
            return Number::parse("#nan").expect("keyword");
        }
        if value.is_infinite() {
            return Number::parse(if value > 0.0 { "#inf" } else { "#-inf" }).expect("keyword");
        }
        // `{:?}` gives the shortest text that round-trips (`1.5`, `1e20`, `1e-7`, `3.0`).
        Number::parse(&format!("{value:?}")).expect("Rust's float syntax is KDL number syntax")
    }

    /// The canonical decimal text: no underscores, no `+` on the mantissa, no leading zeros,
    /// an upper-case `E` with an explicit sign, integers in base 10.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// Whether this is an integer (no fraction, no exponent, not a keyword).
    pub fn is_integer(&self) -> bool {
        !self.canonical.contains(['.', 'E', '#'])
    }

    /// The value as an `i64`, if it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        if self.is_integer() {
            self.canonical.parse().ok()
        } else {
            None
        }
    }

    /// The value as an `i128`, if it is an integer that fits.
    pub fn as_i128(&self) -> Option<i128> {
        if self.is_integer() {
            self.canonical.parse().ok()
        } else {
            None
        }
    }

    /// The value as the nearest `f64` (integers too; `#inf`, `#-inf`, `#nan` as such).
    pub fn as_f64(&self) -> f64 {
        match &*self.canonical {
            "#inf" => f64::INFINITY,
            "#-inf" => f64::NEG_INFINITY,
            "#nan" => f64::NAN,
            text => text.parse().unwrap_or(f64::NAN),
        }
    }
}

impl From<i64> for Number {
    fn from(value: i64) -> Number {
        Number {
            canonical: value.to_string().into(),
        }
    }
}

impl From<i128> for Number {
    fn from(value: i128) -> Number {
        Number {
            canonical: value.to_string().into(),
        }
    }
}

impl From<u64> for Number {
    fn from(value: u64) -> Number {
        Number {
            canonical: value.to_string().into(),
        }
    }
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.canonical)
    }
}

impl Value {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A word for the value's type, for messages: "string", "number", "boolean", "null".
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "boolean",
            Value::Null => "null",
        }
    }
}

impl Document {
    /// Prints the document in the normal form of the official KDL test suite: no comments,
    /// 4-space indents, arguments in order, properties deduplicated (the rightmost wins) and
    /// sorted by key, strings quoted only where they must be, numbers in canonical decimal.
    pub fn to_canonical_kdl(&self) -> String {
        let mut out = String::new();
        for node in &self.nodes {
            node.write_canonical(&mut out, 0);
        }
        if out.is_empty() {
            // The suite's normal form of an empty document is one newline.
            out.push('\n');
        }
        out
    }
}

impl Node {
    fn write_canonical(&self, out: &mut String, depth: usize) {
        for _ in 0..depth {
            out.push_str("    ");
        }
        if let Some(ty) = &self.ty {
            out.push('(');
            write_string(out, ty);
            out.push(')');
        }
        write_string(out, &self.name);
        for entry in self.entries.iter().filter(|e| e.name.is_none()) {
            out.push(' ');
            entry.write_value(out);
        }
        let mut props: Vec<&Entry> = Vec::new();
        for entry in self.entries.iter().filter(|e| e.name.is_some()) {
            props.retain(|p| p.name != entry.name);
            props.push(entry);
        }
        props.sort_by(|a, b| a.name.cmp(&b.name));
        for prop in props {
            out.push(' ');
            write_string(out, prop.name.as_deref().unwrap_or_default());
            out.push('=');
            prop.write_value(out);
        }
        match &self.children {
            Some(children) if !children.is_empty() => {
                out.push_str(" {\n");
                for child in children {
                    child.write_canonical(out, depth + 1);
                }
                for _ in 0..depth {
                    out.push_str("    ");
                }
                out.push_str("}\n");
            }
            _ => out.push('\n'),
        }
    }
}

impl Entry {
    fn write_value(&self, out: &mut String) {
        if let Some(ty) = &self.ty {
            out.push('(');
            write_string(out, ty);
            out.push(')');
        }
        match &self.value {
            Value::String(s) => write_string(out, s),
            Value::Number(n) => out.push_str(n.canonical()),
            Value::Bool(true) => out.push_str("#true"),
            Value::Bool(false) => out.push_str("#false"),
            Value::Null => out.push_str("#null"),
        }
    }
}

/// Whether `s` can be written as a bare identifier.
pub fn is_bare_identifier(s: &str) -> bool {
    if s.is_empty() || !s.chars().all(crate::lexer::is_ident_char) {
        return false;
    }
    if matches!(s, "true" | "false" | "null" | "inf" | "-inf" | "nan") {
        return false;
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let after_dot = unsigned.strip_prefix('.').unwrap_or(unsigned);
    !after_dot.starts_with(|c: char| c.is_ascii_digit())
}

/// Writes `s` as a KDL string: bare where it can be, quoted and escaped otherwise.
pub fn write_string(out: &mut String, s: &str) {
    if is_bare_identifier(s) {
        out.push_str(s);
    } else {
        write_quoted(out, s);
    }
}

/// Writes `s` as a quoted KDL string, escaping what must be escaped.
pub fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if crate::lexer::is_disallowed(c) || crate::value::is_newline(c) => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::Number;

    #[test]
    fn numbers_are_built_from_rust_values_canonically() {
        assert_eq!(Number::from(-42i64).canonical(), "-42");
        assert_eq!(Number::from_f64(1.5).canonical(), "1.5");
        assert_eq!(Number::from_f64(1e20).canonical(), "1E+20");
        assert_eq!(Number::from_f64(-2.5e-7).canonical(), "-2.5E-7");
        assert_eq!(Number::from_f64(f64::NEG_INFINITY).canonical(), "#-inf");
        assert_eq!(Number::parse("0x_1"), None);
        assert_eq!(Number::parse("abc"), None);
        assert_eq!(Number::parse("0xff").unwrap().as_i64(), Some(255));
        assert_eq!(Number::from_f64(0.1).as_f64(), 0.1);
    }
}
