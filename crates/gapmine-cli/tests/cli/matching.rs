//! `gapmine match`, `gapmine explain` and `gapmine test` (issue 4, items 4 to 6): the output
//! formats, rejected lines and `--strict`, standard input, the counts adding up, explanations,
//! and the examples runner.

use std::path::Path;

use crate::{TestEnv, assert_cmd};

const MANIFEST: &str =
    "catalogue \"tiny\" version=\"1.0.0\" {\n    include \"*.kdl\"\n    threshold 0.5\n}\n";

const MODES: &str = r#"failure-mode "flaky-test" {
    title "Flaky test"
    signals {
        phrase "flaky" weight=0.7
        phrase "intermittent" weight=0.3
        phrase "always fails" weight=-0.5
        label "flaky" weight=0.8
    }
    examples {
        matches "checkout test is flaky"
        rejects "build always fails"
    }
}

failure-mode "order-dependent-test" {
    title "Order-dependent test"
    parent "flaky-test"
    signals {
        phrase "passes in isolation" weight=0.9
    }
    examples {
        matches "UserTest passes in isolation"
    }
}

failure-mode "timeout" {
    title "Timeout"
    threshold 0.8
    signals {
        phrase "timed out" weight=0.6
        phrase "deadline" weight=0.4
    }
}
"#;

const RECORDS: &str = r#"{"id":"ESC-1","title":"checkout test is flaky","labels":["flaky"]}
{"id":"ESC-2","title":"UserTest passes in isolation","body":"It fails in the full suite.\nIntermittent since the cache change on Monday."}
{"id":"ESC-3","title":"request timed out","body":"the deadline was 5s"}
{"id":"ESC-4","title":"typo on the pricing page"}
"#;

/// Records with a malformed line and a duplicate id among good ones.
const BAD_RECORDS: &str = r#"{"id":"ESC-1","title":"checkout test is flaky"}
{"id":"ESC-2","title":"unclosed
{"id":"ESC-1","title":"the same id again"}
{"id":"ESC-3","title":"typo on the pricing page"}
"#;

fn catalogue(env: &TestEnv) {
    env.write("cat/gapmine.kdl", MANIFEST);
    env.write("cat/modes.kdl", MODES);
}

fn starter() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalogues/starter")
}

#[test]
fn match_jsonl() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("records.jsonl", RECORDS);
    assert_cmd!(
        env,
        env.gapmine(&["match", "--catalogue", "cat", "records.jsonl"])
    );
}

#[test]
fn match_json() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("records.jsonl", RECORDS);
    assert_cmd!(
        env,
        env.gapmine(&[
            "match",
            "--catalogue",
            "cat",
            "records.jsonl",
            "--format",
            "json"
        ])
    );
}

#[test]
fn match_table() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("records.jsonl", RECORDS);
    assert_cmd!(
        env,
        env.gapmine(&[
            "match",
            "--catalogue",
            "cat",
            "records.jsonl",
            "--format",
            "table"
        ])
    );
}

#[test]
fn match_finds_the_catalogue_upward() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("cat/records/records.jsonl", RECORDS);
    let output = env
        .gapmine(&["match", "records.jsonl", "--format", "table"])
        .current_dir(env.root().join("cat/records"))
        .output()
        .expect("run gapmine");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("ESC-1  flaky-test 0.94"), "{stdout}");
}

#[test]
fn rejected_lines_are_reported_and_counted() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("bad.jsonl", BAD_RECORDS);
    assert_cmd!(
        env,
        env.gapmine(&[
            "match",
            "--catalogue",
            "cat",
            "bad.jsonl",
            "--format",
            "table"
        ])
    );
}

#[test]
fn strict_fails_on_a_rejected_line() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("bad.jsonl", BAD_RECORDS);
    assert_cmd!(
        env,
        env.gapmine(&[
            "match",
            "--catalogue",
            "cat",
            "bad.jsonl",
            "--format",
            "table",
            "--strict"
        ])
    );
}

#[test]
fn records_from_stdin() {
    let env = TestEnv::new();
    catalogue(&env);
    assert_cmd!(
        env,
        env.gapmine(&["match", "--catalogue", "cat", "-", "--format", "table"])
            .pass_stdin(RECORDS)
    );
}

#[test]
fn fail_on_unclassified() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("records.jsonl", RECORDS);
    let output = env
        .gapmine(&[
            "match",
            "--catalogue",
            "cat",
            "records.jsonl",
            "--fail-on-unclassified",
        ])
        .output()
        .expect("run gapmine");
    assert_eq!(output.status.code(), Some(1));
    // Without the flag the same records pass.
    let output = env
        .gapmine(&["match", "--catalogue", "cat", "records.jsonl"])
        .output()
        .expect("run gapmine");
    assert_eq!(output.status.code(), Some(0));
}

/// A record whose id an earlier file of the run used is rejected (naming both places) and
/// counted, within one file as before, and across files.
#[test]
fn duplicate_ids_across_files_are_rejected_with_both_places() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("records.jsonl", RECORDS);
    env.write(
        "more.jsonl",
        "{\"id\":\"ESC-5\",\"title\":\"flaky again\"}\n{\"id\":\"ESC-3\",\"title\":\"request timed out again\"}\n",
    );
    assert_cmd!(
        env,
        env.gapmine(&[
            "match",
            "--catalogue",
            "cat",
            "--format",
            "table",
            "--strict",
            "records.jsonl",
            "more.jsonl"
        ])
    );
}

/// Runs a command with `input` on its standard input (a pipe), to the end.
trait WithStdin {
    fn with_stdin(&mut self, input: &str) -> std::process::Output;
}

impl WithStdin for std::process::Command {
    fn with_stdin(&mut self, input: &str) -> std::process::Output {
        use std::io::Write as _;
        let mut child = self
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run gapmine");
        let mut stdin = child.stdin.take().expect("a pipe");
        let input = input.to_owned();
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let output = child.wait_with_output().expect("run gapmine");
        writer
            .join()
            .expect("the writer ends")
            .expect("write stdin");
        output
    }
}

/// A first use in a file, repeats in the same file, in a later file and on standard input: each
/// repeat is rejected naming where the id was first used, whether the run checks ids with a first
/// pass (files only) or in memory (standard input among the inputs); a line rejected for another
/// reason does not claim its id.
#[test]
fn duplicate_ids_are_found_with_files_only_and_with_standard_input() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("records.jsonl", RECORDS);
    env.write(
        "more.jsonl",
        "{\"id\":\"ESC-9\",\"title\":\"flaky\",\"labels\":1}\n{\"id\":\"ESC-3\",\"title\":\"timed out again\"}\n{\"id\":\"ESC-9\",\"title\":\"flaky\"}\n{\"id\":\"ESC-9\",\"title\":\"flaky\"}\n",
    );
    let repeats = [
        "more.jsonl:1: `labels` is a number, expected an array of strings",
        "more.jsonl:2: duplicate id \"ESC-3\", first used at records.jsonl:3;",
        "more.jsonl:4: duplicate id \"ESC-9\", first used on line 3;",
    ];
    let rejected = |stderr: &str| -> Vec<String> {
        stderr
            .lines()
            .filter(|l| l.contains(".jsonl:") || l.contains("<stdin>:"))
            .map(str::to_owned)
            .collect()
    };
    let output = env
        .gapmine(&["match", "--catalogue", "cat", "records.jsonl", "more.jsonl"])
        .output()
        .expect("run gapmine");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines = rejected(&stderr);
    assert_eq!(lines.len(), 3, "{stderr}");
    for (line, start) in lines.iter().zip(repeats) {
        assert!(line.starts_with(start), "{line}");
    }
    assert_eq!(counts(&stderr), [8, 3, 2, 3], "{stderr}");

    // The same records with the second file on standard input, then the first file again, which
    // is another input of the run: all four of its records are repeats now.
    let output = env
        .gapmine(&[
            "match",
            "--catalogue",
            "cat",
            "records.jsonl",
            "-",
            "records.jsonl",
        ])
        .with_stdin(&env.read("more.jsonl"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines = rejected(&stderr);
    assert_eq!(lines.len(), 7, "{stderr}");
    for (line, start) in lines.iter().zip(repeats) {
        assert!(
            line.starts_with(&start.replace("more.jsonl", "<stdin>")),
            "{line}"
        );
    }
    assert!(
        lines[6]
            .starts_with("records.jsonl:4: duplicate id \"ESC-4\", first used at records.jsonl:4;"),
        "{stderr}"
    );
    assert_eq!(counts(&stderr), [12, 3, 2, 7], "{stderr}");
}

/// A path that is a pipe (here `/dev/stdin`, as `<(zcat records.jsonl.gz)` would be) can be read
/// once only, so its ids are checked as it streams by: no record is lost to a first pass.
#[cfg(target_os = "linux")]
#[test]
fn a_pipe_given_as_a_path_is_read_once() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write(
        "more.jsonl",
        "{\"id\":\"ESC-3\",\"title\":\"timed out again\"}\n",
    );
    let output = env
        .gapmine(&["match", "--catalogue", "cat", "/dev/stdin", "more.jsonl"])
        .with_stdin(RECORDS);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("more.jsonl:1: duplicate id \"ESC-3\", first used at /dev/stdin:3;"),
        "{stderr}"
    );
    assert_eq!(counts(&stderr), [5, 2, 2, 1], "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 4);
}

/// More ids than the first pass's 4 MiB buffer holds (262,144): its sorted runs go to temporary
/// files in `TMPDIR`, which are gone when the command ends; the repeats are still found, naming
/// both places. A `TMPDIR` that cannot be written is a usage error that says what to do.
#[test]
fn the_first_pass_spills_to_temporary_files_and_leaves_none() {
    use std::fmt::Write as _;
    let env = TestEnv::new();
    catalogue(&env);
    let mut many = String::new();
    for i in 0..300_000 {
        writeln!(many, "{{\"id\":\"E-{i}\",\"title\":\"t\"}}").unwrap();
    }
    env.write("many.jsonl", many);
    env.write(
        "more.jsonl",
        "{\"id\":\"E-123456\",\"title\":\"again\"}\n{\"id\":\"E-299999\",\"title\":\"again\"}\n",
    );
    env.write("tmp/.keep", "");
    let tmp = env.root().join("tmp");
    let output = env
        .gapmine(&["match", "--catalogue", "cat", "many.jsonl", "more.jsonl"])
        .env("TMPDIR", &tmp)
        .output()
        .expect("run gapmine");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with(
        "more.jsonl:1: duplicate id \"E-123456\", first used at many.jsonl:123457; give each record its own id, or remove the repeat\n\
         more.jsonl:2: duplicate id \"E-299999\", first used at many.jsonl:300000;"
    ), "{stderr}");
    assert_eq!(counts(&stderr), [300_002, 0, 300_000, 2]);
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [".keep"]);

    let output = env
        .gapmine(&["match", "--catalogue", "cat", "many.jsonl", "more.jsonl"])
        .env("TMPDIR", env.root().join("missing"))
        .output()
        .expect("run gapmine");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot write a temporary file in `")
            && stderr.contains("missing` for the duplicate-id check: ")
            && stderr.contains("; set TMPDIR to a folder you may write to"),
        "{stderr}"
    );
}

/// `N records read: C classified, U unclassified, R rejected` as numbers.
fn counts(stderr: &str) -> [u64; 4] {
    let line = stderr
        .lines()
        .find(|l| l.contains(" read: "))
        .unwrap_or_else(|| panic!("no summary in {stderr}"));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("a number"))
        .collect();
    numbers.try_into().expect("four counts")
}

#[test]
fn read_is_classified_plus_unclassified_plus_rejected() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("records.jsonl", RECORDS);
    env.write("bad.jsonl", BAD_RECORDS);
    // Blank lines are not counted; a second file's duplicate of the first's id is rejected.
    env.write(
        "blank.jsonl",
        "\n\n{\"id\":\"ESC-9\",\"title\":\"flaky\"}\n\n",
    );
    for files in [
        &["records.jsonl"][..],
        &["bad.jsonl"],
        &["blank.jsonl"],
        &["records.jsonl", "bad.jsonl", "blank.jsonl"],
    ] {
        for threshold in ["0", "0.5", "1"] {
            let mut args = vec!["match", "--catalogue", "cat", "--threshold", threshold];
            args.extend(files);
            let output = env.gapmine(&args).output().expect("run gapmine");
            let stderr = String::from_utf8_lossy(&output.stderr);
            let [read, classified, unclassified, rejected] = counts(&stderr);
            assert_eq!(read, classified + unclassified + rejected, "{stderr}");
            let lines = String::from_utf8_lossy(&output.stdout).lines().count() as u64;
            assert_eq!(lines, classified + unclassified, "{files:?}");
        }
    }
}

/// At 0.3, ESC-2 is `flaky-test` by its own score (0.30), no longer only implied; ESC-3's
/// `timeout` (0.76) stays below its own threshold, 0.8.
#[test]
fn threshold_overrides_the_default_but_not_an_entrys_own() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("records.jsonl", RECORDS);
    assert_cmd!(
        env,
        env.gapmine(&[
            "match",
            "--catalogue",
            "cat",
            "records.jsonl",
            "--format",
            "table",
            "--threshold",
            "0.3"
        ])
    );
}

#[test]
fn a_catalogue_with_errors_is_refused() {
    let env = TestEnv::new();
    env.write("cat/gapmine.kdl", MANIFEST);
    env.write(
        "cat/modes.kdl",
        "failure-mode \"flaky-test\" {\n    title \"Flaky\"\n    parent \"nowhere\"\n}\n",
    );
    env.write("records.jsonl", RECORDS);
    assert_cmd!(
        env,
        env.gapmine(&["match", "--catalogue", "cat", "records.jsonl"])
    );
}

#[test]
fn explain_a_classified_record() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("records.jsonl", RECORDS);
    assert_cmd!(
        env,
        env.gapmine(&[
            "explain",
            "ESC-2",
            "--records",
            "records.jsonl",
            "--catalogue",
            "cat"
        ])
    );
}

#[test]
fn explain_a_near_miss() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("records.jsonl", RECORDS);
    assert_cmd!(
        env,
        env.gapmine(&[
            "explain",
            "ESC-3",
            "--records",
            "records.jsonl",
            "--catalogue",
            "cat"
        ])
    );
}

#[test]
fn explain_a_missing_id() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("records.jsonl", RECORDS);
    assert_cmd!(
        env,
        env.gapmine(&[
            "explain",
            "esc-5",
            "--records",
            "records.jsonl",
            "--catalogue",
            "cat"
        ])
    );
}

#[test]
fn test_passes_on_the_starter_catalogue() {
    let env = TestEnv::new();
    let starter = starter();
    let output = env
        .gapmine(&["test", "--catalogue", &starter.display().to_string()])
        .output()
        .expect("run gapmine");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let last = stdout.lines().last().expect("a summary line");
    assert!(
        last.ends_with(" passed, 0 failed") && !last.starts_with("0 "),
        "{last}"
    );
}

#[test]
fn test_reports_failing_examples() {
    let env = TestEnv::new();
    env.write("cat/gapmine.kdl", MANIFEST);
    env.write(
        "cat/modes.kdl",
        MODES.replace(
            "        rejects \"build always fails\"\n",
            "        rejects \"build always fails\"\n        matches \"the checkout test fails one run in ten\"\n        rejects \"OrderTest passes in isolation\"\n        rejects \"flaky and intermittent\"\n",
        ),
    );
    assert_cmd!(env, env.gapmine(&["test", "--catalogue", "cat"]));
}

/// Records with person-confirmed classes, one of them in a corpus class mapped to catalogue ids.
const JUDGED: &str = r#"{"id":"J-1","title":"checkout test is flaky","failure_modes":["flaky-test"]}
{"id":"J-2","title":"UserTest passes in isolation","failure_modes":["order-dependent-test"]}
{"id":"J-3","title":"request timed out twice","failure_modes":["timeout"]}
{"id":"J-4","title":"typo on the pricing page"}
"#;

#[test]
fn eval_scores_confirmed_classes() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("judged.jsonl", JUDGED);
    assert_cmd!(
        env,
        env.gapmine(&["eval", "--catalogue", "cat", "judged.jsonl"])
    );
}

#[test]
fn eval_with_a_truth_file_and_a_mapping() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("records.jsonl", RECORDS);
    env.write(
        "truth.jsonl",
        "{\"id\":\"ESC-1\",\"classes\":[\"Flaky\"]}\n{\"id\":\"ESC-2\",\"classes\":[\"Order\"]}\n{\"id\":\"ESC-3\",\"classes\":[\"Slow\"]}\n{\"id\":\"ESC-4\",\"classes\":[\"Other\"]}\n",
    );
    env.write(
        "map.json",
        r#"{"Flaky": ["flaky-test"], "Order": ["order-dependent-test"], "Slow": ["timeout"], "Other": []}"#,
    );
    assert_cmd!(
        env,
        env.gapmine(&[
            "eval",
            "--catalogue",
            "cat",
            "records.jsonl",
            "--truth",
            "truth.jsonl",
            "--map",
            "map.json",
            "--format",
            "json"
        ])
    );
}
