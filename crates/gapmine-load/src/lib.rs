//! Finding a catalogue on disk and reading its files: the IO that the CLI and the language
//! server share, so both see the same files with the same texts.
//!
//! Nothing here decides what is wrong with a catalogue (that is `gapmine-check`'s, behind
//! `gapmine-ide`), nor how a problem is shown (each caller words and renders its own errors).

use std::io;
use std::path::{Path, PathBuf};

use gapmine_ide::{Code, Diagnostic};
use gapmine_syntax::TextRange;

pub use gapmine_ide::MANIFEST;

/// The manifest `start` belongs to: `start` itself if it is a `gapmine.kdl`, else the first
/// `gapmine.kdl` in `start` (or its folder, for a file) and the folders above, as cargo looks
/// for `Cargo.toml`. `Ok(Err(folder))` names the folder the search started from when there is
/// none; `Err` is an error reading `start` itself (it does not exist, say).
pub fn find_manifest(start: &Path) -> io::Result<Result<PathBuf, PathBuf>> {
    let metadata = std::fs::metadata(start)?;
    let absolute = std::path::absolute(start)?;
    if metadata.is_file() && absolute.file_name().is_some_and(|n| n == MANIFEST) {
        return Ok(Ok(absolute));
    }
    let folder = if metadata.is_dir() {
        absolute.as_path()
    } else {
        absolute.parent().unwrap_or(Path::new("/"))
    };
    Ok(manifest_above(folder).ok_or_else(|| folder.to_path_buf()))
}

/// The first `gapmine.kdl` in `folder` and the folders above it. Unlike [`find_manifest`], the
/// folder need not exist (an editor may open a file that is not saved yet).
pub fn manifest_above(folder: &Path) -> Option<PathBuf> {
    folder
        .ancestors()
        .map(|dir| dir.join(MANIFEST))
        .find(|candidate| candidate.is_file())
}

/// A file's contents as the database gets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// UTF-8 text.
    Text(String),
    /// Not UTF-8: the offset of the first invalid byte.
    NotUtf8(usize),
}

impl Contents {
    /// The text the database gets: the file's, or nothing for a file that is not UTF-8 (with
    /// a diagnostic saying so pushed to `diagnostics`).
    pub fn into_text(self, file: &str, diagnostics: &mut Vec<Diagnostic>) -> String {
        match self {
            Contents::Text(text) => text,
            Contents::NotUtf8(at) => {
                diagnostics.push(not_utf8_diagnostic(file, at));
                String::new()
            }
        }
    }
}

/// Reads a file's contents.
pub fn read(path: &Path) -> io::Result<Contents> {
    let bytes = std::fs::read(path)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => Contents::Text(text),
        Err(error) => Contents::NotUtf8(error.utf8_error().valid_up_to()),
    })
}

/// The diagnostic of a catalogue file that is not UTF-8; the checker sees it as empty.
pub fn not_utf8_diagnostic(file: &str, at: usize) -> Diagnostic {
    Diagnostic {
        code: Code::SyntaxError,
        severity: Code::SyntaxError.severity(),
        file: file.to_owned(),
        range: TextRange::empty(0),
        message: format!("this file is not valid UTF-8 text (invalid byte at offset {at})"),
        labels: Vec::new(),
        help: Some(
            "catalogue files are UTF-8 text: convert it (for example with `iconv -t UTF-8`), \
             or keep it out of the manifest's include globs"
                .to_owned(),
        ),
    }
}

/// What [`walk`] found.
#[derive(Debug, Default)]
pub struct Walk {
    /// The `*.kdl` files under the root except the manifest, as (path relative to the root
    /// with `/`, path on disk), sorted.
    pub files: Vec<(String, PathBuf)>,
    /// The folders that could not be read, each as `cannot search `sub`: reason`.
    pub errors: Vec<String>,
}

/// The `*.kdl` files under `root` except the manifest. `.gitignore` and `.ignore` files are
/// respected and hidden files skipped; symbolic links to files are taken but symbolic links to
/// folders are not followed, so a link loop cannot make the walk endless.
pub fn walk(root: &Path) -> Walk {
    let mut walk = Walk::default();
    let walker = ignore::WalkBuilder::new(root)
        .require_git(false)
        .follow_links(false)
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                walk.errors.push(walk_error(root, &error));
                continue;
            }
        };
        if entry.depth() == 0 || !is_kdl(entry.path()) {
            continue;
        }
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        // A link is taken unless it leads to a folder: a broken link or a loop of links is
        // then reported when it is read, if the manifest includes it.
        let is_file = file_type.is_file() || (file_type.is_symlink() && !entry.path().is_dir());
        if !is_file {
            continue;
        }
        if let Some(relative) = relative_path(root, entry.path())
            && relative != MANIFEST
        {
            walk.files.push((relative, entry.into_path()));
        }
    }
    walk.files.sort();
    walk
}

/// Whether `path` names a KDL file (`*.kdl`).
pub fn is_kdl(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "kdl")
}

/// `path` relative to `root`, with `/` separators, as the database names files; `None` for a
/// path outside `root`.
pub fn relative_path(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let parts: Vec<_> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// `cannot search `sub`: Permission denied (os error 13)`, without the nesting of
/// `ignore`'s errors.
fn walk_error(root: &Path, error: &ignore::Error) -> String {
    let mut path = None;
    let mut inner = error;
    loop {
        match inner {
            ignore::Error::WithPath { path: p, err } => {
                path = Some(p.clone());
                inner = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                inner = err;
            }
            _ => break,
        }
    }
    let what = match path {
        Some(path) => {
            let shown = path.strip_prefix(root).unwrap_or(&path);
            format!("`{}`", shown.display())
        }
        None => "the catalogue's folder".to_owned(),
    };
    // The OS's own words when there are some: `ignore` wraps them in its own phrasing.
    let os_error = error.io_error().and_then(|io| {
        let mut deepest: &dyn std::error::Error = io;
        while let Some(source) = deepest.source() {
            deepest = source;
        }
        deepest.downcast_ref::<io::Error>()?.raw_os_error()
    });
    let reason = match os_error {
        Some(code) => io::Error::from_raw_os_error(code).to_string(),
        None => inner.to_string(),
    };
    format!("cannot search {what}: {reason}")
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn the_manifest_is_found_from_any_file_or_folder_below_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join(MANIFEST), "").unwrap();
        fs::write(root.join("a/b/x.kdl"), "").unwrap();
        let manifest = std::path::absolute(root.join(MANIFEST)).unwrap();
        assert_eq!(
            find_manifest(&root.join("a/b/x.kdl")).unwrap(),
            Ok(manifest.clone())
        );
        assert_eq!(
            find_manifest(&root.join("a")).unwrap(),
            Ok(manifest.clone())
        );
        assert_eq!(manifest_above(&root.join("a/b/not-yet")), Some(manifest));
        assert!(find_manifest(&root.join("missing")).is_err());
    }

    #[test]
    fn the_walk_finds_kdl_files_but_not_the_manifest_nor_ignored_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::create_dir_all(root.join("skip")).unwrap();
        for file in [MANIFEST, "b.kdl", "sub/a.kdl", "notes.txt", "skip/c.kdl"] {
            fs::write(root.join(file), "").unwrap();
        }
        fs::write(root.join(".ignore"), "skip/\n").unwrap();
        let walk = walk(root);
        let files: Vec<&str> = walk.files.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(files, ["b.kdl", "sub/a.kdl"]);
        assert!(walk.errors.is_empty());
    }

    #[test]
    fn a_file_that_is_not_utf8_is_read_as_empty_with_a_diagnostic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.kdl");
        fs::write(&path, b"ab\xffc").unwrap();
        let mut diagnostics = Vec::new();
        assert_eq!(read(&path).unwrap(), Contents::NotUtf8(2));
        assert_eq!(
            read(&path).unwrap().into_text("x.kdl", &mut diagnostics),
            ""
        );
        assert_eq!(diagnostics.len(), 1);
        assert!(
            diagnostics[0].message.contains("offset 2"),
            "{diagnostics:?}"
        );
    }
}
