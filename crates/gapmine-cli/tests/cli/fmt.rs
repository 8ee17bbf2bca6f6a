//! `gapmine fmt`: formatting in place, `--check`, `--diff`, stdin, errors and exit codes.

use crate::{TestEnv, assert_cmd};

const MESSY: &str = "catalogue \"acme\"   version = \"1.0\"{\n  include \"a.kdl\";threshold 0.5   // default\n\n\n\n}\n\n";
const CLEAN: &str = "catalogue \"acme\" version=\"1.0\" {\n    include \"a.kdl\"\n    threshold 0.5 // default\n}\n";

#[test]
fn clean_file_is_left_alone() {
    let env = TestEnv::new();
    env.write("gapmine.kdl", CLEAN);
    assert_cmd!(env, env.gapmine(&["fmt"]), @"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    1 file already formatted
    ");
    assert_eq!(env.read("gapmine.kdl"), CLEAN);
}

#[test]
fn messy_file_is_rewritten() {
    let env = TestEnv::new();
    env.write("gapmine.kdl", MESSY);
    assert_cmd!(env, env.gapmine(&["fmt", "gapmine.kdl"]), @"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    Formatted 1 file
    ");
    assert_eq!(env.read("gapmine.kdl"), CLEAN);
}

#[test]
fn check_lists_files_and_writes_nothing() {
    let env = TestEnv::new();
    env.write("clean.kdl", CLEAN);
    env.write("messy.kdl", MESSY);
    env.write("sub/messy.kdl", MESSY);
    assert_cmd!(env, env.gapmine(&["fmt", "--check"]), @"
    success: false
    exit_code: 1
    ----- stdout -----
    Would reformat: messy.kdl
    Would reformat: sub/messy.kdl

    ----- stderr -----
    Would reformat 2 files, 1 already formatted
    ");
    assert_eq!(env.read("messy.kdl"), MESSY);
}

#[test]
fn diff_prints_a_unified_diff() {
    let env = TestEnv::new();
    env.write("messy.kdl", MESSY);
    assert_cmd!(env, env.gapmine(&["fmt", "--diff", "messy.kdl"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    --- messy.kdl
    +++ messy.kdl
    @@ -1,7 +1,4 @@
    -catalogue "acme"   version = "1.0"{
    -  include "a.kdl";threshold 0.5   // default
    -
    -
    -
    +catalogue "acme" version="1.0" {
    +    include "a.kdl"
    +    threshold 0.5 // default
     }
    -

    ----- stderr -----
    Would reformat 1 file
    "#);
    assert_eq!(env.read("messy.kdl"), MESSY);
}

#[test]
fn stdin_is_formatted_to_stdout() {
    let env = TestEnv::new();
    assert_cmd!(env, env.gapmine(&["fmt", "-"]).pass_stdin(MESSY), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    catalogue "acme" version="1.0" {
        include "a.kdl"
        threshold 0.5 // default
    }

    ----- stderr -----
    "#);
}

#[test]
fn stdin_check() {
    let env = TestEnv::new();
    assert_cmd!(env, env.gapmine(&["fmt", "--check", "-"]).pass_stdin(MESSY), @"
    success: false
    exit_code: 1
    ----- stdout -----
    Would reformat: <stdin>

    ----- stderr -----
    ");
}

#[test]
fn syntax_errors_are_rendered_and_the_file_left_alone() {
    let env = TestEnv::new();
    let broken = "failure-mode \"x\" {\n    title \"unterminated\n}\n";
    env.write("broken.kdl", broken);
    env.write("ok.kdl", MESSY);
    assert_cmd!(env, env.gapmine(&["fmt"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: unterminated string
      ┌─ broken.kdl:2:11
      │
    2 │     title "unterminated
      │           ^^^^^^^^^^^^^
      │
      = help: close it with `"` before the end of the line; for text over several lines use `"""`

    Formatted 1 file; 1 file with syntax errors left unchanged
    "#);
    assert_eq!(env.read("broken.kdl"), broken);
    assert_eq!(env.read("ok.kdl"), CLEAN);
}

#[test]
fn missing_path_is_a_usage_error() {
    let env = TestEnv::new();
    env.write("a.kdl", MESSY);
    assert_cmd!(env, env.gapmine(&["fmt", "a.kdl", "nope.kdl"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: `nope.kdl` does not exist
     = help: check the path; with no path, `gapmine fmt` formats the `.kdl` files under the current folder
    ");
    assert_eq!(env.read("a.kdl"), MESSY);
}

#[test]
fn not_utf8_is_a_usage_error() {
    let env = TestEnv::new();
    env.write("latin1.kdl", b"node \"caf\xe9\"\n");
    assert_cmd!(env, env.gapmine(&["fmt", "latin1.kdl"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: `latin1.kdl` is not UTF-8 text (invalid byte at offset 9)
     = help: KDL files are UTF-8: convert the file to UTF-8, or leave it out

    1 file failed (see the errors above)
    ");
}

#[test]
fn directory_walk_respects_gitignore() {
    let env = TestEnv::new();
    env.write(".gitignore", "generated/\n");
    env.write("cat/a.kdl", MESSY);
    env.write("cat/deep/b.kdl", MESSY);
    env.write("cat/notes.txt", MESSY);
    env.write("generated/c.kdl", MESSY);
    assert_cmd!(env, env.gapmine(&["fmt", "--check", "."]), @"
    success: false
    exit_code: 1
    ----- stdout -----
    Would reformat: cat/a.kdl
    Would reformat: cat/deep/b.kdl

    ----- stderr -----
    Would reformat 2 files
    ");
    assert_cmd!(env, env.gapmine(&["fmt"]), @"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    Formatted 2 files
    ");
    assert_eq!(env.read("cat/deep/b.kdl"), CLEAN);
    assert_eq!(env.read("generated/c.kdl"), MESSY);
}

#[test]
fn no_kdl_files() {
    let env = TestEnv::new();
    assert_cmd!(env, env.gapmine(&["fmt"]), @"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    No `.kdl` files found
    ");
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let env = TestEnv::new();
    assert_cmd!(env, env.gapmine(&["fmt", "--frobnicate"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: unexpected argument '--frobnicate' found

      tip: to pass '--frobnicate' as a value, use '-- --frobnicate'

    Usage: gapmine fmt [OPTIONS] [PATH]...

    For more information, try '--help'.
    ");
}
