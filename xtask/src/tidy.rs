//! Tidy rules, run as tests by `cargo test --workspace` (STYLE.md #22): every Rust file in
//! `crates/` and `xtask/` opens with a `//!` line saying what it is for, and no test is marked
//! to be skipped or to pass by panicking.

use std::fs;
use std::path::{Path, PathBuf};

use crate::workspace_root;

/// Attributes that hide what a test does, and what to do instead. Each is spelt in two halves
/// so that this file does not match itself.
const FORBIDDEN: &[(&str, &str)] = &[
    (
        concat!("#[", "should_panic"),
        "check the error as a value instead of expecting a panic",
    ),
    (
        concat!("#[", "ignore"),
        "a test that must not run should be deleted or fixed",
    ),
];

#[test]
fn every_rust_file_opens_with_a_module_doc_and_skips_no_test() {
    let root = workspace_root();
    let mut files = Vec::new();
    for dir in ["crates", "xtask"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(
        !files.is_empty(),
        "no Rust files found under {}",
        root.display()
    );

    let mut problems = Vec::new();
    for path in &files {
        let shown = path.strip_prefix(root).unwrap_or(path).display();
        let Ok(text) = fs::read_to_string(path) else {
            problems.push(format!("{shown}: not readable as UTF-8"));
            continue;
        };
        if !text.trim_start_matches('\u{feff}').starts_with("//!") {
            problems.push(format!(
                "{shown}: the first line must be a `//!` comment saying what the file is for"
            ));
        }
        for (number, line) in text.lines().enumerate() {
            for (attribute, instead) in FORBIDDEN {
                // Only an attribute that starts its line: a comment may name one.
                if line.trim_start().starts_with(attribute) {
                    problems.push(format!(
                        "{shown}:{}: `{attribute}]` is not allowed: {instead}",
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "tidy found {} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Every `.rs` file under `dir`, skipping build output and hidden folders.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}
