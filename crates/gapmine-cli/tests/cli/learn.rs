//! `gapmine learn` (issue 6, item 5): the diff, `--write` keeping every byte outside the edit,
//! a second run adding nothing, decisions by flags, and bad decisions writing nothing.

use crate::{TestEnv, assert_cmd};

const MANIFEST: &str =
    "catalogue \"tiny\" version=\"1.0.0\" {\n    include \"*.kdl\"\n    threshold 0.5\n}\n";

const MODES: &str = r#"// Failure modes, kept by the platform team.

failure-mode "flaky-test" {
    title "Flaky test"
    signals {
        phrase "flaky" weight=0.7   // the word people use
    }
    examples {
        matches "checkout test is flaky"
        rejects "build always fails"
    }
}

failure-mode "order-dependent-test" {
    title "Order-dependent test"
    parent "flaky-test"
    signals { phrase "passes in isolation" weight=0.9; }
}
"#;

const FIXES: &str = r#"/* Interventions. */
intervention "random-test-order" {
    title "Run tests in random order"
    resolves "order-dependent-test"   // and nothing else
    effort "low"
    since "0.1.0"
}

intervention "quarantine" {
    title "Quarantine flaky tests"
    resolves "flaky-test"
}
"#;

const RECORDS: &str = r#"{"id":"ESC-1","title":"UserTest passes in isolation, fails in the suite"}
{"id":"ESC-2","title":"checkout test is flaky again"}
"#;

const DECISIONS: &str = r#"{"record": "ESC-1", "failure_modes": ["order-dependent-test"], "intervention": "random-test-order", "outcome": "held", "at": "2026-03-02", "note": "two more pairs found"}

{"record": "ESC-2", "failure_modes": ["flaky-test"], "intervention": "quarantine", "outcome": "pending"}
"#;

fn catalogue(env: &TestEnv) {
    env.write("cat/gapmine.kdl", MANIFEST);
    env.write("cat/modes.kdl", MODES);
    env.write("cat/fixes.kdl", FIXES);
    env.write("records.jsonl", RECORDS);
}

fn assert_untouched(env: &TestEnv) {
    assert_eq!(env.read("cat/modes.kdl"), MODES);
    assert_eq!(env.read("cat/fixes.kdl"), FIXES);
}

#[test]
fn shows_a_diff_and_writes_nothing() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("decisions.jsonl", DECISIONS);
    assert_cmd!(
        env,
        env.gapmine(&[
            "learn",
            "decisions.jsonl",
            "--catalogue",
            "cat",
            "--records",
            "records.jsonl",
            "--examples"
        ])
    );
    assert_untouched(&env);
}

#[test]
fn writes_keeping_every_other_byte_and_a_second_run_adds_nothing() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("decisions.jsonl", DECISIONS);
    let args = [
        "learn",
        "decisions.jsonl",
        "--catalogue",
        "cat",
        "--records",
        "records.jsonl",
        "--examples",
        "--write",
    ];
    assert_cmd!(env, env.gapmine(&args), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    --- cat/fixes.kdl
    +++ cat/fixes.kdl
    @@ -3,10 +3,12 @@
         title "Run tests in random order"
         resolves "order-dependent-test"   // and nothing else
         effort "low"
    +    evidence "ESC-1" outcome="held" at="2026-03-02" note="two more pairs found"
         since "0.1.0"
     }
     
     intervention "quarantine" {
         title "Quarantine flaky tests"
         resolves "flaky-test"
    +    evidence "ESC-2" outcome="pending"
     }
    --- cat/modes.kdl
    +++ cat/modes.kdl
    @@ -7,6 +7,7 @@
         }
         examples {
             matches "checkout test is flaky"
    +        matches "checkout test is flaky again"
             rejects "build always fails"
         }
     }
    @@ -15,4 +16,7 @@
         title "Order-dependent test"
         parent "flaky-test"
         signals { phrase "passes in isolation" weight=0.9; }
    +    examples {
    +        matches "UserTest passes in isolation, fails in the suite"
    +    }
     }

    ----- stderr -----
    learned 2 decisions: 2 evidence nodes added, 2 examples added; 2 files written
    "#);

    // Every byte outside the inserted lines is the original's.
    let fixes = env.read("cat/fixes.kdl");
    let line =
        "    evidence \"ESC-1\" outcome=\"held\" at=\"2026-03-02\" note=\"two more pairs found\"\n";
    let at = FIXES.find("    since").unwrap();
    let expected_start = format!("{}{line}", &FIXES[..at]);
    assert!(fixes.starts_with(&expected_start));
    assert_eq!(
        fixes.len(),
        FIXES.len() + line.len() + "    evidence \"ESC-2\" outcome=\"pending\"\n".len()
    );
    assert!(
        fixes.ends_with(
            "    resolves \"flaky-test\"\n    evidence \"ESC-2\" outcome=\"pending\"\n}\n"
        )
    );
    let modes = env.read("cat/modes.kdl");
    assert!(modes.starts_with(&MODES[..MODES.find("        rejects").unwrap()].replace(
        "        matches \"checkout test is flaky\"\n",
        "        matches \"checkout test is flaky\"\n        matches \"checkout test is flaky again\"\n"
    )));
    // No temporary file is left beside them.
    let mut names: Vec<String> = std::fs::read_dir(env.root().join("cat"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["fixes.kdl", "gapmine.kdl", "modes.kdl"]);

    // The second run finds everything in place.
    let written_fixes = env.read("cat/fixes.kdl");
    let written_modes = env.read("cat/modes.kdl");
    assert_cmd!(env, env.gapmine(&args), @r#"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    learned 2 decisions: 2 evidence nodes already there, 2 examples already there; the catalogue already says all of it
    "#);
    assert_eq!(env.read("cat/fixes.kdl"), written_fixes);
    assert_eq!(env.read("cat/modes.kdl"), written_modes);
}

#[test]
fn a_changed_outcome_updates_the_evidence() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("decisions.jsonl", DECISIONS);
    let run = |decisions: &str| {
        env.write("decisions.jsonl", decisions);
        let status = env
            .gapmine(&["learn", "decisions.jsonl", "--catalogue", "cat", "--write"])
            .output()
            .unwrap()
            .status;
        assert!(status.success());
    };
    run(DECISIONS);
    run(
        r#"{"record": "ESC-2", "intervention": "quarantine", "outcome": "held", "at": "2026-04-01"}"#,
    );
    assert!(
        env.read("cat/fixes.kdl")
            .ends_with("    evidence \"ESC-2\" outcome=\"held\" at=\"2026-04-01\"\n}\n")
    );
}

#[test]
fn one_decision_by_flags() {
    let env = TestEnv::new();
    catalogue(&env);
    assert_cmd!(env, env.gapmine(&[
        "learn",
        "--catalogue",
        "cat",
        "--record",
        "ESC-9",
        "--failure-mode",
        "flaky-test",
        "--intervention",
        "random-test-order",
        "--outcome",
        "failed",
    ]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    --- cat/fixes.kdl
    +++ cat/fixes.kdl
    @@ -3,6 +3,7 @@
         title "Run tests in random order"
         resolves "order-dependent-test"   // and nothing else
         effort "low"
    +    evidence "ESC-9" outcome="failed"
         since "0.1.0"
     }
     

    ----- stderr -----
    warning: --record: `random-test-order` does not resolve `flaky-test` (nor a parent of it); if it is a fix for that class, add `resolves "flaky-test"` to it in cat/fixes.kdl
    learned 1 decision: 1 evidence node added; 1 file would change; run again with --write to write it
    "#);
    assert_untouched(&env);
}

#[test]
fn an_unknown_id_writes_nothing() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write(
        "decisions.jsonl",
        format!(
            "{DECISIONS}{}\n",
            r#"{"record": "ESC-3", "failure_modes": ["flaky-tset"], "intervention": "quarantine", "outcome": "held"}"#
        ),
    );
    assert_cmd!(env, env.gapmine(&["learn", "decisions.jsonl", "--catalogue", "cat", "--write"]), @r#"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: decisions.jsonl:4: no failure-mode has the id `flaky-tset`; did you mean `flaky-test`?
     = help: the ids are those of the catalogue's entries; `gapmine check` lists problems with them

    nothing learned: 1 problem in the decisions; fix it and run again
    "#);
    assert_untouched(&env);
}

#[test]
fn an_unknown_record_writes_nothing() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write(
        "decisions.jsonl",
        r#"{"record": "ESC-404", "failure_modes": ["flaky-test"]}"#,
    );
    assert_cmd!(env, env.gapmine(&["learn", "decisions.jsonl", "--catalogue", "cat", "--records", "records.jsonl", "--examples", "--write"]), @r#"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: decisions.jsonl:1: no record has the id `ESC-404` in `records.jsonl`
     = help: check the id, or pass the records file that holds it

    nothing learned: 1 decision about unknown records
    "#);
    assert_untouched(&env);
}

#[test]
fn malformed_lines_write_nothing() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write(
        "decisions.jsonl",
        format!(
            "{DECISIONS}{}\n{}\n{}\n{}\n",
            r#"{"record": "ESC-3", "intervention": "quarantine"}"#,
            r#"{"record": "ESC-4", "intervention": "quarantine", "outcome": "won"}"#,
            r#"{"record": "ESC-5", "failure_mode": "flaky-test"}"#,
            r#"{"record": "ESC-6", "#
        ),
    );
    assert_cmd!(env, env.gapmine(&["learn", "decisions.jsonl", "--catalogue", "cat", "--write"]), @r#"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: decisions.jsonl:4: `intervention` without `outcome`: say whether it "held", "failed" or is "pending"

    error: decisions.jsonl:5: `outcome` is "won"; write one of "held", "failed", "pending"

    error: decisions.jsonl:6: unknown field `failure_mode`; a decision has the fields `record`, `failure_modes`, `intervention`, `outcome`, `at`, `note`, `title`

    error: decisions.jsonl:7: not valid JSON at column 20: EOF while parsing a value; write each decision as one JSON object on one line

    nothing learned: 4 malformed lines in `decisions.jsonl`
    "#);
    assert_untouched(&env);
}
