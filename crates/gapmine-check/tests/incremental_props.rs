//! The incremental check agrees with a check from scratch: random sequences of edits to the
//! shipped starter catalogue — text inserted and deleted anywhere (often breaking the syntax),
//! ids renamed and duplicated, whole entries deleted — go through one long-lived database, and
//! after each edit its diagnostics must equal those of a fresh database on the same texts.

mod logged;

use std::path::Path;

use logged::{Logged, MANIFEST};
use proptest::prelude::*;

/// The starter catalogue's files, read from disk once: (path relative to its root, text).
fn starter() -> &'static [(String, String)] {
    static FILES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalogues/starter");
        let mut files = Vec::new();
        read_kdl(&root, &root, &mut files);
        files.sort();
        assert!(
            files.iter().any(|(path, _)| path == MANIFEST),
            "no manifest in {}",
            root.display()
        );
        files
    })
}

fn read_kdl(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_kdl(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "kdl") {
            let relative = path.strip_prefix(root).unwrap().to_string_lossy();
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((relative.replace('\\', "/"), text));
        }
    }
}

/// Text to insert: fragments that open or close what the grammar nests, comments, whole
/// entries and multi-byte characters.
const SNIPPETS: &[&str] = &[
    "{",
    "}",
    "\"",
    "\"\"\"",
    "#",
    "\n",
    " ",
    ";",
    "=",
    "/-",
    "// a comment\n",
    "/* a block ",
    "*/",
    "\\",
    "é",
    "🦀",
    "weight=0.5",
    "parent \"missing-null-check\"\n",
    "resolves \"no-such-failure-mode\"\n",
    "\nfailure-mode \"inserted\" {\n    title \"Inserted\"\n    summary \"x\"\n}\n",
    "\nintervention \"fix-it\" {\n    title \"Fix\"\n    kind \"test\"\n    resolves \"inserted\"\n}\n",
    "deprecated\n    replaced-by \"flaky-test\"\n",
    "pattern #\"(unclosed\"#\n",
];

const KEYWORDS: &[&str] = &["failure-mode", "intervention", "objective", "control"];

/// One edit, in terms independent of the texts it applies to: positions are fractions of the
/// file's length, picks are taken modulo the choices there are.
#[derive(Debug, Clone)]
enum Edit {
    /// Insert a snippet at a character boundary.
    Insert {
        file: usize,
        at: f64,
        snippet: usize,
    },
    /// Delete up to `len` characters from a character boundary.
    Delete { file: usize, at: f64, len: usize },
    /// Rename an entry's id to a new one.
    Rename { file: usize, entry: usize },
    /// Give an entry the id of another entry.
    Duplicate {
        file: usize,
        entry: usize,
        other: usize,
    },
    /// Delete a whole entry.
    DeleteEntry { file: usize, entry: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    let file = any::<usize>();
    let at = 0.0..=1.0f64;
    prop_oneof![
        4 => (file, at.clone(), 0..SNIPPETS.len())
            .prop_map(|(file, at, snippet)| Edit::Insert { file, at, snippet }),
        3 => (file, at, 1..40usize).prop_map(|(file, at, len)| Edit::Delete { file, at, len }),
        1 => (file, any::<usize>()).prop_map(|(file, entry)| Edit::Rename { file, entry }),
        1 => (file, any::<usize>(), any::<usize>())
            .prop_map(|(file, entry, other)| Edit::Duplicate { file, entry, other }),
        1 => (file, any::<usize>()).prop_map(|(file, entry)| Edit::DeleteEntry { file, entry }),
    ]
}

/// The byte offset of the character boundary nearest below `at` of the way through `text`.
fn boundary(text: &str, at: f64) -> usize {
    let mut offset = ((text.len() as f64) * at) as usize;
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Where an entry's id is written: the byte range of the id inside its quotes, and the entry's
/// whole text up to the `}` that starts a line (the starter catalogue is formatted).
struct EntrySpan {
    id: std::ops::Range<usize>,
    whole: std::ops::Range<usize>,
}

fn entry_spans(text: &str) -> Vec<EntrySpan> {
    let mut spans = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let start = line_start;
        line_start += line.len();
        let Some(keyword) = KEYWORDS
            .iter()
            .find(|k| line.starts_with(&format!("{k} \"")))
        else {
            continue;
        };
        let id_start = start + keyword.len() + 2;
        let Some(id_len) = text[id_start..].find('"') else {
            continue;
        };
        let end = text[start..]
            .find("\n}\n")
            .map_or(text.len(), |i| start + i + 3);
        spans.push(EntrySpan {
            id: id_start..id_start + id_len,
            whole: start..end,
        });
    }
    spans
}

/// Applies an edit to the database's texts; an edit that finds nothing to act on inserts a
/// `{` instead, so every step changes something.
fn apply(db: &mut Logged, edit: &Edit, step: usize) {
    let paths = db.paths();
    let (Edit::Insert { file, .. }
    | Edit::Delete { file, .. }
    | Edit::Rename { file, .. }
    | Edit::Duplicate { file, .. }
    | Edit::DeleteEntry { file, .. }) = edit;
    let path = &paths[file % paths.len()];
    let mut text = db.text(path).to_string();
    let spans = entry_spans(&text);
    match edit {
        Edit::Insert { at, snippet, .. } => {
            text.insert_str(boundary(&text, *at), SNIPPETS[*snippet]);
        }
        Edit::Delete { at, len, .. } => {
            let start = boundary(&text, *at);
            let end = text[start..]
                .char_indices()
                .nth(*len)
                .map_or(text.len(), |(i, _)| start + i);
            text.replace_range(start..end, "");
        }
        Edit::Rename { entry, .. } if !spans.is_empty() => {
            let span = &spans[entry % spans.len()];
            text.replace_range(span.id.clone(), &format!("renamed-{step}"));
        }
        Edit::Duplicate { entry, other, .. } if spans.len() > 1 => {
            let span = &spans[entry % spans.len()];
            let other = &spans[other % spans.len()];
            let id = text[other.id.clone()].to_string();
            text.replace_range(span.id.clone(), &id);
        }
        Edit::DeleteEntry { entry, .. } if !spans.is_empty() => {
            let span = &spans[entry % spans.len()];
            text.replace_range(span.whole.clone(), "");
        }
        _ => text.insert(0, '{'),
    }
    db.set(path, text);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24, // each step compiles the starter catalogue's matcher twice (incremental and fresh)
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn incremental_diagnostics_equal_a_check_from_scratch(
        edits in prop::collection::vec(edit(), 5)
    ) {
        let files: Vec<(&str, &str)> = starter()
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str()))
            .collect();
        let mut db = Logged::new(&files);
        db.check();
        for (step, edit) in edits.iter().enumerate() {
            apply(&mut db, edit, step);
            let incremental = db.check();
            let fresh = db.fresh_check();
            prop_assert_eq!(incremental, fresh, "after edit {} ({:?})", step, edit);
        }
    }
}
