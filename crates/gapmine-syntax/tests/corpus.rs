//! The syntax corpus: every file under `tests/corpus/syntax/{ok,err}` is parsed and its tree
//! and errors snapshotted beside it; `ok` files must parse without errors, `err` files with some.

use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/syntax")
}

fn render(text: &str) -> String {
    let parse = gapmine_syntax::parse(text);
    assert_eq!(
        parse.tree().root().text(),
        text,
        "the tree must keep every byte"
    );
    let mut out = String::new();
    for error in parse.errors() {
        let line = text[..error.range.start as usize].matches('\n').count() + 1;
        let col = error.range.start as usize
            - text[..error.range.start as usize]
                .rfind('\n')
                .map_or(0, |i| i + 1)
            + 1;
        out.push_str(&format!(
            "error {line}:{col} {:?}: {}\n  help: {}\n",
            &text[error.range.to_usize()],
            error.message,
            error.help.as_deref().unwrap_or("-"),
        ));
    }
    out.push_str(&parse.tree().root().debug_dump());
    out
}

fn run(kind: &str) {
    let dir = corpus_dir().join(kind);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "kdl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus files in {}", dir.display());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let parse = gapmine_syntax::parse(&text);
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        match kind {
            "ok" => assert!(parse.is_ok(), "{name}: {:?}", parse.errors()),
            _ => assert!(!parse.is_ok(), "{name} parsed without errors"),
        }
        insta::with_settings!({
            snapshot_path => dir.clone(),
            prepend_module_to_snapshot => false,
            omit_expression => true,
            input_file => &path,
        }, {
            insta::assert_snapshot!(name, render(&text));
        });
    }
}

#[test]
fn ok_corpus_parses_cleanly() {
    run("ok");
}

#[test]
fn err_corpus_recovers_locally() {
    run("err");
}
