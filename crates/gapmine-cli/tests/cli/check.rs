//! `gapmine check`: finding the manifest, the output formats, exit codes, and bad input of
//! every kind (issue 3, item 6): each must give a clear diagnostic or error, never a panic
//! or a hang.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::mpsc;
use std::time::Duration;

use crate::{TestEnv, assert_cmd};

const MANIFEST: &str = "catalogue \"tiny\" version=\"1.0.0\" {\n    include \"*.kdl\"\n}\n";

const CLEAN: &str = r#"failure-mode "flaky-test" {
    title "Flaky test"
    caught-by "ci"
}

control "ci" stage=1 {
    title "CI"
}

intervention "quarantine" {
    title "Quarantine flaky tests"
    resolves "flaky-test"
}
"#;

/// A catalogue with problems of several codes in two files, some pointing into the other.
fn broken(env: &TestEnv) {
    env.write("gapmine.kdl", MANIFEST);
    env.write(
        "a.kdl",
        r#"failure-mode "flaky-test" {
    title "Flaky test"
}

objective "checkout" {
    title "Checkout"
}
"#,
    );
    env.write(
        "b.kdl",
        r#"failure-mode "flaky-test" {
    title "Flaky test, again"
    tittle "typo"
}

intervention "quarantine" {
    title "Quarantine"
    resolves "flaky-tset" "checkout"
}

failure-mode "broken" {
    title "unterminated
}
"#,
    );
}

fn clean(env: &TestEnv) {
    env.write("gapmine.kdl", MANIFEST);
    env.write("modes.kdl", CLEAN);
}

/// Runs a command and fails the test if it has not ended within `seconds`.
fn output_within(mut command: Command, seconds: u64) -> Output {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(command.output().expect("run gapmine"));
    });
    receive
        .recv_timeout(Duration::from_secs(seconds))
        .unwrap_or_else(|_| panic!("gapmine did not finish within {seconds} s"))
}

#[test]
fn clean_catalogue_passes() {
    let env = TestEnv::new();
    clean(&env);
    assert_cmd!(env, env.gapmine(&["check"]), @"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    All checks passed: 2 files
    ");
}

#[test]
fn the_starter_catalogue_passes() {
    // Its contents change as it grows, so only the exit code is asserted.
    let starter = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalogues/starter");
    let env = TestEnv::new();
    let output = env
        .gapmine(&["check", starter.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn warnings_pass_unless_denied() {
    let env = TestEnv::new();
    env.write("gapmine.kdl", MANIFEST);
    env.write(
        "modes.kdl",
        "failure-mode \"flaky-test\" {\n    title \"Flaky test\"\n}\n",
    );
    assert_cmd!(env, env.gapmine(&["check"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    warning[uncovered-failure-mode]: no intervention resolves `flaky-test`
      ┌─ modes.kdl:1:14
      │
    1 │ failure-mode "flaky-test" {
      │              ^^^^^^^^^^^^
      │
      = help: add `resolves "flaky-test"` to an intervention that fixes it, or write one: the class is a known gap with no known fix


    ----- stderr -----
    Found 1 warning in 2 files
    "#);
    assert_cmd!(env, env.gapmine(&["check", "--deny", "warnings"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    warning[uncovered-failure-mode]: no intervention resolves `flaky-test`
      ┌─ modes.kdl:1:14
      │
    1 │ failure-mode "flaky-test" {
      │              ^^^^^^^^^^^^
      │
      = help: add `resolves "flaky-test"` to an intervention that fixes it, or write one: the class is a known gap with no known fix


    ----- stderr -----
    Found 1 warning in 2 files
    "#);
}

#[test]
fn broken_catalogue_human() {
    let env = TestEnv::new();
    broken(&env);
    assert_cmd!(env, env.gapmine(&["check"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    warning[uncovered-failure-mode]: no intervention resolves `flaky-test`
      ┌─ a.kdl:1:14
      │
    1 │ failure-mode "flaky-test" {
      │              ^^^^^^^^^^^^
      │
      = help: add `resolves "flaky-test"` to an intervention that fixes it, or write one: the class is a known gap with no known fix

    error[duplicate-id]: the id `flaky-test` is already taken
      ┌─ b.kdl:1:14
      │
    1 │ failure-mode "flaky-test" {
      │              ^^^^^^^^^^^^
      │
      ┌─ a.kdl:1:14
      │
    1 │ failure-mode "flaky-test" {
      │              ------------ first defined here
      │
      = help: ids are unique across the catalogue: rename one of them

    error[unknown-node]: `tittle` is not a child of a failure mode
      ┌─ b.kdl:3:5
      │
    3 │     tittle "typo"
      │     ^^^^^^
      │
      = help: did you mean `title`?

    error[dangling-reference]: no failure mode has the id `flaky-tset`
      ┌─ b.kdl:8:14
      │
    8 │     resolves "flaky-tset" "checkout"
      │              ^^^^^^^^^^^^
      │
      = help: did you mean `flaky-test`?

    error[wrong-reference-kind]: `checkout` names an objective, but `resolves` expects a failure mode
      ┌─ b.kdl:8:27
      │
    8 │     resolves "flaky-tset" "checkout"
      │                           ^^^^^^^^^^
      │
      ┌─ a.kdl:5:11
      │
    5 │ objective "checkout" {
      │           ---------- `checkout` is an objective
      │
      = help: `resolves` takes the id of a failure mode

    warning[uncovered-failure-mode]: no intervention resolves `broken`
       ┌─ b.kdl:11:14
       │
    11 │ failure-mode "broken" {
       │              ^^^^^^^^
       │
       = help: add `resolves "broken"` to an intervention that fixes it, or write one: the class is a known gap with no known fix

    error[syntax-error]: unterminated string
       ┌─ b.kdl:12:11
       │
    12 │     title "unterminated
       │           ^^^^^^^^^^^^^
       │
       = help: close it with `"` before the end of the line; for text over several lines use `"""`


    ----- stderr -----
    Found 5 errors and 2 warnings in 3 files
    "#);
}

#[test]
fn broken_catalogue_json() {
    let env = TestEnv::new();
    broken(&env);
    assert_cmd!(env, env.gapmine(&["check", "--format", "json"]));
}

#[test]
fn broken_catalogue_sarif() {
    let env = TestEnv::new();
    broken(&env);
    assert_cmd!(env, env.gapmine(&["check", "--format", "sarif"]));
}

#[test]
fn broken_catalogue_github() {
    let env = TestEnv::new();
    env.write("cat/gapmine.kdl", MANIFEST);
    env.write(
        "cat/b.kdl",
        "failure-mode \"x\" {\n    title \"X: 100%\"\n    parent \"y,z\"\n}\n",
    );
    assert_cmd!(env, env.gapmine(&["check", "cat", "--format", "github"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    ::warning file=cat/b.kdl,line=1,col=14,endLine=1,endColumn=17,title=uncovered-failure-mode::no intervention resolves `x`%0Ahelp: add `resolves "x"` to an intervention that fixes it, or write one: the class is a known gap with no known fix
    ::error file=cat/b.kdl,line=3,col=12,endLine=3,endColumn=17,title=dangling-reference::no failure mode has the id `y,z`%0Ahelp: add a `failure-mode "y,z"` entry, or reference an existing failure mode

    ----- stderr -----
    Found 1 error and 1 warning in 2 files
    "#);
}

/// The JSON output has the shape its schema describes: every required key, of the right type.
#[test]
fn json_output_matches_its_schema() {
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schemas/check-output.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let env = TestEnv::new();
    broken(&env);
    let output = env
        .gapmine(&["check", "--format", "json"])
        .output()
        .unwrap();
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!document["diagnostics"].as_array().unwrap().is_empty());
    let mut errors = Vec::new();
    conforms(&schema, &schema, &document, "$", &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A small subset of JSON Schema: `$ref` into `$defs`, `type`, `const`, `enum`, `required`,
/// `properties`, `items`, `minimum`.
pub(crate) fn conforms(
    root: &serde_json::Value,
    schema: &serde_json::Value,
    value: &serde_json::Value,
    at: &str,
    errors: &mut Vec<String>,
) {
    use serde_json::Value;
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.strip_prefix("#/$defs/").expect("a local $ref");
        return conforms(root, &root["$defs"][name], value, at, errors);
    }
    let type_name = |v: &Value| match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.contains(&type_name(value)) {
        errors.push(format!("{at}: {} is not {types:?}", type_name(value)));
        return;
    }
    if let Some(expected) = schema.get("const")
        && expected != value
    {
        errors.push(format!("{at}: {value} is not {expected}"));
    }
    if let Some(options) = schema["enum"].as_array()
        && !options.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {options:?}"));
    }
    if let (Some(minimum), Some(n)) = (schema["minimum"].as_f64(), value.as_f64())
        && n < minimum
    {
        errors.push(format!("{at}: {n} is below {minimum}"));
    }
    if let Some(object) = value.as_object() {
        for key in schema["required"].as_array().into_iter().flatten() {
            if !object.contains_key(key.as_str().unwrap()) {
                errors.push(format!("{at}: `{key}` is missing"));
            }
        }
        if let Some(properties) = schema["properties"].as_object() {
            for (key, property) in properties {
                if let Some(child) = object.get(key) {
                    conforms(root, property, child, &format!("{at}.{key}"), errors);
                }
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            conforms(root, items, item, &format!("{at}[{i}]"), errors);
        }
    }
}

#[test]
fn finds_the_manifest_above_the_current_folder_and_a_path() {
    let env = TestEnv::new();
    env.write("cat/gapmine.kdl", MANIFEST);
    env.write("cat/sub/modes.kdl", CLEAN);
    env.write("cat/modes.kdl", "");
    let mut command = env.gapmine(&["check"]);
    command.current_dir(env.root().join("cat/sub"));
    assert_cmd!(env, command, @"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    All checks passed: 2 files
    ");
    assert_cmd!(env, env.gapmine(&["check", "cat/sub/modes.kdl"]), @"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    All checks passed: 2 files
    ");
    assert_cmd!(env, env.gapmine(&["check", "cat/gapmine.kdl"]), @"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    All checks passed: 2 files
    ");
}

#[test]
fn missing_manifest() {
    let env = TestEnv::new();
    env.write("modes.kdl", CLEAN);
    assert_cmd!(env, env.gapmine(&["check"]), @r#"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: no `gapmine.kdl` found in `[TEMP]` or any folder above it
     = help: run `gapmine check` inside a catalogue or pass its folder (`gapmine check catalogues/starter`); to start a catalogue, create a `gapmine.kdl` holding `catalogue "name" version="0.1.0" { include "**/*.kdl" }` (the language is described in docs/language.md)
    "#);
}

#[test]
fn missing_path() {
    let env = TestEnv::new();
    assert_cmd!(env, env.gapmine(&["check", "nowhere"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: `nowhere` does not exist
     = help: check the path; with no path, `gapmine check` looks for gapmine.kdl in the current folder and the folders above it
    ");
}

#[test]
fn invalid_utf8_file() {
    let env = TestEnv::new();
    clean(&env);
    env.write(
        "latin1.kdl",
        b"failure-mode \"caf\xe9\" {\n    title \"Caf\xe9\"\n}\n",
    );
    assert_cmd!(env, env.gapmine(&["check"]), @"
    success: false
    exit_code: 1
    ----- stdout -----
    error[syntax-error]: this file is not valid UTF-8 text (invalid byte at offset 17)
      ┌─ latin1.kdl:1:1
      │
    1 │ 
      │ ^
      │
      = help: catalogue files are UTF-8 text: convert it (for example with `iconv -t UTF-8`), or keep it out of the manifest's include globs


    ----- stderr -----
    Found 1 error in 3 files
    ");
}

#[test]
fn binary_file() {
    let env = TestEnv::new();
    clean(&env);
    env.write("image.kdl", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01");
    assert_cmd!(env, env.gapmine(&["check"]), @"
    success: false
    exit_code: 1
    ----- stdout -----
    error[syntax-error]: this file is not valid UTF-8 text (invalid byte at offset 0)
      ┌─ image.kdl:1:1
      │
    1 │ 
      │ ^
      │
      = help: catalogue files are UTF-8 text: convert it (for example with `iconv -t UTF-8`), or keep it out of the manifest's include globs


    ----- stderr -----
    Found 1 error in 3 files
    ");
}

#[test]
fn invalid_utf8_manifest() {
    let env = TestEnv::new();
    env.write("gapmine.kdl", b"catalogue \"\xff\" version=\"1.0.0\"\n");
    assert_cmd!(env, env.gapmine(&["check"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    error[syntax-error]: this file is not valid UTF-8 text (invalid byte at offset 11)
      ┌─ gapmine.kdl:1:1
      │
    1 │ 
      │ ^
      │
      = help: catalogue files are UTF-8 text: convert it (for example with `iconv -t UTF-8`), or keep it out of the manifest's include globs

    error[invalid-manifest]: the manifest has no `catalogue` node
      ┌─ gapmine.kdl:1:1
      │
    1 │ 
      │ ^
      │
      = help: start it with `catalogue "name" version="1.0.0" { include "**/*.kdl" }`


    ----- stderr -----
    Found 2 errors in 1 file
    "#);
}

/// A 50 MB file (one entry with a 50 MB summary) is checked in seconds, even in a debug build.
#[test]
fn fifty_megabyte_file() {
    let env = TestEnv::new();
    clean(&env);
    let mut text = String::from("failure-mode \"huge\" {\n    title \"Huge\"\n    summary \"");
    let word = "lorem ipsum ";
    text.push_str(&word.repeat(50 * 1024 * 1024 / word.len()));
    text.push_str("\"\n}\n");
    env.write("huge.kdl", text);
    let started = std::time::Instant::now();
    let output = output_within(env.gapmine(&["check"]), 120);
    eprintln!("checking a 50 MB file took {:?}", started.elapsed());
    assert_eq!(output.status.code(), Some(0));
    assert_cmd!(env, env.gapmine(&["check"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    warning[uncovered-failure-mode]: no intervention resolves `huge`
      ┌─ huge.kdl:1:14
      │
    1 │ failure-mode "huge" {
      │              ^^^^^^
      │
      = help: add `resolves "huge"` to an intervention that fixes it, or write one: the class is a known gap with no known fix


    ----- stderr -----
    Found 1 warning in 3 files
    "#);
}

#[test]
fn ten_thousand_deep_nesting() {
    let env = TestEnv::new();
    clean(&env);
    let depth = 10_000;
    let text = format!(
        "failure-mode \"deep\" {{\n    title \"Deep\"\n{}{}}}\n",
        "a {\n".repeat(depth),
        "}\n".repeat(depth)
    );
    env.write("deep.kdl", text);
    assert_cmd!(env, env.gapmine(&["check"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    warning[uncovered-failure-mode]: no intervention resolves `deep`
      ┌─ deep.kdl:1:14
      │
    1 │ failure-mode "deep" {
      │              ^^^^^^
      │
      = help: add `resolves "deep"` to an intervention that fixes it, or write one: the class is a known gap with no known fix

    error[unknown-node]: `a` is not a child of a failure mode
      ┌─ deep.kdl:3:1
      │
    3 │ a {
      │ ^
      │
      = help: a failure mode accepts `caught-by`, `deprecated`, `examples`, `layer`, `parent`, `probes`, `replaced-by`, `see`, `signals`, `since`, `summary`, `tags`, `threshold`, `title`

    error[syntax-error]: children blocks are nested more than 256 levels deep
        ┌─ deep.kdl:258:3
        │
    258 │ a {
        │   ^
        │
        = help: flatten the structure: gapmine reads at most this many levels


    ----- stderr -----
    Found 2 errors and 1 warning in 3 files
    "#);
}

#[test]
fn empty_file() {
    let env = TestEnv::new();
    clean(&env);
    env.write("empty.kdl", "");
    assert_cmd!(env, env.gapmine(&["check"]), @"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    All checks passed: 3 files
    ");
}

#[test]
fn empty_manifest() {
    let env = TestEnv::new();
    env.write("gapmine.kdl", "");
    env.write("modes.kdl", CLEAN);
    assert_cmd!(env, env.gapmine(&["check"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    error[invalid-manifest]: the manifest has no `catalogue` node
      ┌─ gapmine.kdl:1:1
      │
    1 │ 
      │ ^
      │
      = help: start it with `catalogue "name" version="1.0.0" { include "**/*.kdl" }`


    ----- stderr -----
    Found 1 error in 1 file
    "#);
}

#[test]
fn include_glob_outside_the_root() {
    let env = TestEnv::new();
    env.write(
        "cat/gapmine.kdl",
        "catalogue \"tiny\" version=\"1.0.0\" {\n    include \"*.kdl\" \"../x/*.kdl\"\n}\n",
    );
    env.write("cat/modes.kdl", CLEAN);
    env.write("x/other.kdl", CLEAN);
    assert_cmd!(env, env.gapmine(&["check", "cat"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    error[include-escapes-root]: `../x/*.kdl` reaches outside the catalogue's folder
      ┌─ cat/gapmine.kdl:2:21
      │
    2 │     include "*.kdl" "../x/*.kdl"
      │                     ^^^^^^^^^^^^
      │
      = help: include globs are relative to gapmine.kdl and stay inside its folder; move the files into the catalogue


    ----- stderr -----
    Found 1 error in 2 files
    "#);
}

/// A link back to the catalogue's own folder is not followed: the walk ends, and each file
/// is checked once.
#[test]
fn symlink_loop_of_folders() {
    let env = TestEnv::new();
    env.write(
        "gapmine.kdl",
        "catalogue \"tiny\" version=\"1.0.0\" {\n    include \"**/*.kdl\"\n}\n",
    );
    env.write("sub/modes.kdl", CLEAN);
    std::os::unix::fs::symlink("..", env.root().join("sub/up")).unwrap();
    std::os::unix::fs::symlink(".", env.root().join("here")).unwrap();
    let output = output_within(env.gapmine(&["check"]), 60);
    assert_eq!(output.status.code(), Some(0));
    assert_cmd!(env, env.gapmine(&["check"]), @"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    All checks passed: 2 files
    ");
}

/// A file that is a link to itself cannot be read: an error naming it, exit 2.
#[test]
fn symlink_loop_of_files() {
    let env = TestEnv::new();
    clean(&env);
    std::os::unix::fs::symlink("self.kdl", env.root().join("self.kdl")).unwrap();
    let output = output_within(env.gapmine(&["check"]), 60);
    assert_eq!(output.status.code(), Some(2));
    assert_cmd!(env, env.gapmine(&["check"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot read `self.kdl`: Too many levels of symbolic links (os error 40)
     = help: check that the file exists and that you may read it, or leave it out of the include globs
    ");
}

#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    clean(&env);
    env.write("secret.kdl", CLEAN);
    let path = env.root().join("secret.kdl");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        // As root (in CI containers), permissions do not stop reading; the read error itself
        // is covered by `symlink_loop_of_files`.
        eprintln!("note: skipping unreadable_file: this user can read a file with mode 000");
        return;
    }
    assert_cmd!(env, env.gapmine(&["check"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot read `secret.kdl`: Permission denied (os error 13)
     = help: check that the file exists and that you may read it, or leave it out of the include globs
    ");
}

/// A file outside the include globs is not read, so a broken one does no harm.
#[test]
fn files_outside_the_include_globs_are_not_read() {
    let env = TestEnv::new();
    env.write(
        "gapmine.kdl",
        "catalogue \"tiny\" version=\"1.0.0\" {\n    include \"modes.kdl\"\n}\n",
    );
    env.write("modes.kdl", CLEAN);
    env.write("fixtures/binary.kdl", b"\xff\xfe\0");
    std::os::unix::fs::symlink("loop.kdl", env.root().join("fixtures/loop.kdl")).unwrap();
    assert_cmd!(env, env.gapmine(&["check"]), @"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    All checks passed: 2 files
    ");
}

/// A folder of the catalogue that cannot be searched is an error, as an unreadable file is.
#[test]
fn unreadable_folder() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    clean(&env);
    env.write("locked/more.kdl", CLEAN);
    let path = env.root().join("locked");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable = std::fs::read_dir(&path).is_ok();
    if readable {
        eprintln!("note: skipping unreadable_folder: this user can read a folder with mode 000");
    } else {
        assert_cmd!(env, env.gapmine(&["check"]), @"
        success: false
        exit_code: 2
        ----- stdout -----

        ----- stderr -----
        error: cannot search `locked`: Permission denied (os error 13)
         = help: check that you may read every folder of the catalogue, or add the folder to `.gitignore` or `.ignore`
        ");
    }
    // Let the temporary folder be removed.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// What GitHub code scanning needs of a SARIF file: the version, a driver with rules, and
/// for every result a rule that exists, a level, a message and a relative location.
#[test]
fn sarif_has_what_code_scanning_needs() {
    let env = TestEnv::new();
    broken(&env);
    let output = env
        .gapmine(&["check", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &sarif["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "gapmine");
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let rules = driver["rules"].as_array().unwrap();
    assert!(rules.len() >= 15);
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert!(
            !rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        assert!(
            rule["helpUri"]
                .as_str()
                .unwrap()
                .ends_with(&format!("#{id}"))
        );
    }
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(["error", "warning"].contains(&result["level"].as_str().unwrap()));
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(
            !location["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with('/')
        );
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(location["region"]["startColumn"].as_u64().unwrap() >= 1);
    }
}
