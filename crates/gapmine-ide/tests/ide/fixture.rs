//! The fixture harness of the feature tests: a catalogue written as text, with `$0` for the
//! cursor.
//!
//! A fixture is one string, dedented (the indentation common to its non-blank lines is removed,
//! as is a leading newline). `//- /path.kdl` lines start a file; text before the first header is
//! the file `/catalogue.kdl`. A fixture without a `/gapmine.kdl` gets a manifest that includes
//! every `.kdl` file. One `$0` marks the cursor; two mark a range (for code actions). Ranges in
//! results are rendered as `path:line:column-line:column` (1-based, columns in characters)
//! followed by the text they cover, so a snapshot reads like the file.

use gapmine_ide::{AnalysisHost, Change, FilePosition, FileRange, TextRange};

/// The manifest a fixture without `/gapmine.kdl` gets.
pub const DEFAULT_MANIFEST: &str =
    "catalogue \"test\" version=\"1.0.0\" { include \"**/*.kdl\" }\n";

/// A catalogue loaded into a host, and where the cursor is.
pub struct Fixture {
    pub host: AnalysisHost,
    /// (path without the leading `/`, text without markers), in fixture order.
    pub files: Vec<(String, String)>,
    /// The cursor (`$0`), or the start of the marked range.
    pub position: Option<FilePosition>,
    /// The range between two `$0`, or the empty range at the cursor.
    pub range: Option<FileRange>,
}

impl Fixture {
    /// The cursor; panics when the fixture has none.
    #[track_caller]
    pub fn position(&self) -> FilePosition {
        self.position.clone().expect("the fixture has a `$0`")
    }

    /// The marked range; panics when the fixture has none.
    #[track_caller]
    pub fn range(&self) -> FileRange {
        self.range.clone().expect("the fixture has a `$0`")
    }

    /// The text of a file.
    #[track_caller]
    pub fn text(&self, path: &str) -> &str {
        &self
            .files
            .iter()
            .find(|(p, _)| p == path)
            .unwrap_or_else(|| panic!("the fixture has no file `{path}`"))
            .1
    }

    /// A range rendered as `path:line:col-line:col "text"`.
    pub fn render(&self, path: &str, range: TextRange) -> String {
        let text = if path == "gapmine.kdl" && !self.files.iter().any(|(p, _)| p == path) {
            DEFAULT_MANIFEST
        } else {
            self.text(path)
        };
        let (l1, c1) = line_col(text, range.start);
        let (l2, c2) = line_col(text, range.end);
        format!(
            "{path}:{l1}:{c1}-{l2}:{c2} {:?}",
            &text[range.start as usize..range.end as usize]
        )
    }

    /// File ranges rendered one a line.
    pub fn render_all(&self, ranges: &[FileRange]) -> String {
        ranges
            .iter()
            .map(|r| self.render(&r.path, r.range) + "\n")
            .collect()
    }
}

/// 1-based line and column (in characters) of an offset.
pub fn line_col(text: &str, offset: u32) -> (usize, usize) {
    let before = &text[..offset as usize];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Loads a fixture into a new host.
pub fn fixture(fixture: &str) -> Fixture {
    let text = trim_indent(fixture);
    let mut files: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.split_inclusive('\n') {
        if let Some(header) = line.strip_prefix("//- ") {
            let path = header.trim();
            let path = path
                .strip_prefix('/')
                .unwrap_or_else(|| panic!("a fixture path starts with `/`: `{path}`"));
            files.extend(current.take());
            current = Some((path.to_string(), String::new()));
            continue;
        }
        current
            .get_or_insert_with(|| ("catalogue.kdl".to_string(), String::new()))
            .1
            .push_str(line);
    }
    files.extend(current);
    let mut marks: Vec<(String, u32)> = Vec::new();
    for (path, text) in &mut files {
        while let Some(at) = text.find("$0") {
            text.replace_range(at..at + 2, "");
            marks.push((path.clone(), at as u32));
        }
    }
    let (position, range) = match marks.as_slice() {
        [] => (None, None),
        [(path, offset)] => (
            Some(FilePosition {
                path: path.clone(),
                offset: *offset,
            }),
            Some(FileRange {
                path: path.clone(),
                range: TextRange::empty(*offset),
            }),
        ),
        [(path, start), (other, end)] if path == other => (
            Some(FilePosition {
                path: path.clone(),
                offset: *start,
            }),
            Some(FileRange {
                path: path.clone(),
                range: TextRange::new(*start, *end),
            }),
        ),
        _ => panic!("a fixture has one `$0`, or two in one file"),
    };
    let mut change = Change::default();
    if !files.iter().any(|(p, _)| p == "gapmine.kdl") {
        change
            .set
            .push(("gapmine.kdl".to_string(), DEFAULT_MANIFEST.to_string()));
    }
    change.set.extend(files.iter().cloned());
    let mut host = AnalysisHost::default();
    host.apply_change(change);
    Fixture {
        host,
        files,
        position,
        range,
    }
}

/// Removes a leading newline and the indentation common to the non-blank lines.
fn trim_indent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    text.split_inclusive('\n')
        .map(|l| {
            if l.trim().is_empty() {
                l.trim_start_matches(' ')
            } else {
                &l[indent..]
            }
        })
        .collect()
}
