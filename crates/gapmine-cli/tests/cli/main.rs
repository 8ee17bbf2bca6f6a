//! The CLI's tests, in one binary: each runs `gapmine` in a temporary folder and snapshots its
//! exit code, stdout and stderr whole.

mod check;
mod fmt;
mod forecast;
mod import;
mod learn;
mod lsp;
mod matching;
mod report;

use std::path::Path;
use std::process::Command;

/// A temporary folder to run `gapmine` in.
struct TestEnv {
    dir: tempfile::TempDir,
}

impl TestEnv {
    fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file, creating its folders.
    fn write(&self, path: &str, contents: impl AsRef<[u8]>) {
        let path = self.root().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folders");
        }
        std::fs::write(path, contents).expect("write a file");
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.root().join(path)).expect("read a file")
    }

    /// `gapmine` with these arguments, run in the folder, without colour.
    fn gapmine(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gapmine"));
        command
            .args(args)
            .current_dir(self.root())
            .env("NO_COLOR", "1")
            .env_remove("RUST_BACKTRACE");
        command
    }

    /// Filters that replace the temporary folder's path with `[TEMP]`.
    fn filters(&self) -> Vec<(String, String)> {
        let mut paths = vec![self.root().to_path_buf()];
        if let Ok(canonical) = self.root().canonicalize() {
            paths.push(canonical);
        }
        paths
            .iter()
            .map(|p| (regex_escape(&p.display().to_string()), "[TEMP]".to_owned()))
            .collect()
    }
}

fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Snapshots a command's exit code, stdout and stderr, with the temporary folder filtered out.
macro_rules! assert_cmd {
    ($env:expr, $cmd:expr) => {
        let filters = $env.filters();
        let filters: Vec<(&str, &str)> =
            filters.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        insta::with_settings!({ filters => filters }, {
            insta_cmd::assert_cmd_snapshot!($cmd);
        });
    };
    ($env:expr, $cmd:expr, @$snapshot:literal) => {
        let filters = $env.filters();
        let filters: Vec<(&str, &str)> =
            filters.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        insta::with_settings!({ filters => filters }, {
            insta_cmd::assert_cmd_snapshot!($cmd, @$snapshot);
        });
    };
}
pub(crate) use assert_cmd;
