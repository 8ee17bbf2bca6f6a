//! Incrementality you can see: a database that logs every query salsa executes, and tests that
//! prove which work an edit re-runs and which it reuses (STYLE habit 6).
//!
//! Each test checks a small catalogue cold, edits one file, checks again, and asserts on the
//! queries of the second check: `lowered(b)` absent from the log proves entry `b` was not
//! lowered again. After every edit the diagnostics must equal those of a fresh database.

mod logged;

use gapmine_check::Code;
use logged::{Logged, assert_not_ran, assert_ran};

const MANIFEST: &str = r#"catalogue "incremental" version="1.0.0" {
    include "*.kdl"
}
"#;

const FAILURE_MODES: &str = r#"// Failure modes of the product's code.

failure-mode "race-condition" {
    title "Race condition"
    summary "Two threads touch shared state without ordering, and the result depends on timing."
    layer "system"
    caught-by "code-review"
    tags "concurrency"
}

failure-mode "flaky-test" {
    title "Flaky test"
    summary "A test passes or fails on the same code, depending on timing or order."
    parent "race-condition"
    layer "control"
    caught-by "code-review"
    tags "testing" "flaky"
}

failure-mode "stale-cache" {
    title "Stale cache entry"
    summary "A cache serves a value after the source of truth changed."
    layer "system"
    caught-by "code-review"
    tags "cache"
}
"#;

const INTERVENTIONS: &str = r#"// Interventions.

intervention "deterministic-scheduler" {
    title "Run concurrent code under a deterministic scheduler"
    kind "test"
    resolves "race-condition"
    hardens "code-review"
}

intervention "quarantine-flaky" {
    title "Quarantine flaky tests and fix them within a week"
    kind "process"
    resolves "flaky-test"
    hardens "code-review"
}

intervention "cache-ttl" {
    title "Give every cache entry a time to live"
    kind "code"
    resolves "stale-cache"
}
"#;

const PRIORITIES: &str = r#"// Objectives and the pipeline.

objective "checkout-revenue" {
    title "Checkout conversion"
    severity "critical"
    threatened-by "race-condition" "stale-cache"
}

control "code-review" stage=2 {
    title "Code review"
}
"#;

/// The catalogue of these tests: seven entries in three files, with references across files.
fn catalogue() -> Logged {
    Logged::new(&[
        ("gapmine.kdl", MANIFEST),
        ("failure-modes.kdl", FAILURE_MODES),
        ("interventions.kdl", INTERVENTIONS),
        ("priorities.kdl", PRIORITIES),
    ])
}

const ENTRIES: &[&str] = &[
    "race-condition",
    "flaky-test",
    "stale-cache",
    "deterministic-scheduler",
    "quarantine-flaky",
    "cache-ttl",
    "checkout-revenue",
    "code-review",
];

#[test]
fn the_test_catalogue_is_clean() {
    let mut db = catalogue();
    let diagnostics = db.check();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

#[test]
fn a_cold_check_lowers_and_checks_every_entry_once() {
    let mut db = catalogue();
    db.check();
    let log = db.take_log();
    for id in ENTRIES {
        assert_ran(&log, &format!("lowered({id})"));
    }
    for file in ["failure-modes.kdl", "interventions.kdl", "priorities.kdl"] {
        assert_ran(&log, &format!("parse({file})"));
        assert_ran(&log, &format!("file_facts({file})"));
    }
    // The checks of ids run a bucket at a time, once each.
    assert_ran(&log, "id_checks(catalogue)");
    let checked = log
        .iter()
        .filter(|q| q.starts_with("bucket_checks("))
        .count();
    assert!(checked > 0, "{log:#?}");
    let lowerings = log.iter().filter(|q| q.starts_with("lowered(")).count();
    assert_eq!(lowerings, ENTRIES.len(), "{log:#?}");
}

#[test]
fn editing_a_summary_relowers_that_entry_only() {
    let mut db = catalogue();
    db.check();
    db.edit(
        "failure-modes.kdl",
        "depending on timing or order.",
        "depending on timing, order or the machine.",
    );
    db.check_matches_fresh();
    let log = db.take_log();

    assert_ran(&log, "parse(failure-modes.kdl)");
    assert_ran(&log, "lowered(flaky-test)");
    // Its references did not change, so the file's facts are recomputed but equal, and no
    // check of ids runs again.
    assert_ran(&log, "file_facts(failure-modes.kdl)");
    assert_no_bucket_rechecked(&log);
    // The same file, and the entry it refines.
    assert_not_ran(&log, "lowered(race-condition)");
    assert_not_ran(&log, "lowered(stale-cache)");
    // Other files, including an entry that references the edited one.
    assert_not_ran(&log, "parse(interventions.kdl)");
    assert_not_ran(&log, "file_facts(interventions.kdl)");
    assert_not_ran(&log, "lowered(quarantine-flaky)");
    assert_not_ran(&log, "lowered(checkout-revenue)");
    assert_not_ran(&log, "file_diagnostics(interventions.kdl)");
    assert_not_ran(&log, "file_diagnostics(priorities.kdl)");
    // The ids did not change, so neither did the buckets of ids nor the checks over them.
    assert_not_ran(&log, "group_shares(group 0)");
    assert_not_ran(&log, "parent_cycles(catalogue)");
    assert_not_ran(&log, "id_checks(catalogue)");
    // Nothing on the way builds the whole index.
    assert_not_ran(&log, "index(catalogue)");
    // The signals did not change either: the matcher is not compiled again.
    assert_not_ran(&log, "matcher(catalogue)");
    // Its examples did not change either: its file's examples are not classified again.
    assert_ran(&log, "file_examples(failure-modes.kdl)");
    assert_not_ran(&log, "failing_examples(failure-modes.kdl)");
}

#[test]
fn a_whitespace_only_edit_relowers_nothing() {
    let mut db = catalogue();
    db.check();
    db.edit(
        "failure-modes.kdl",
        "    title \"Flaky test\"\n",
        "\n\n        title    \"Flaky test\"   \n\n",
    );
    db.edit(
        "interventions.kdl",
        "// Interventions.\n",
        "// Interventions.\n\n\n",
    );
    db.check_matches_fresh();
    let log = db.take_log();

    // The files are parsed again: their texts changed.
    assert_ran(&log, "parse(failure-modes.kdl)");
    assert_ran(&log, "parse(interventions.kdl)");
    assert_nothing_relowered_or_rechecked(&log);
}

#[test]
fn a_comment_only_edit_relowers_nothing() {
    let mut db = catalogue();
    db.check();
    db.edit(
        "failure-modes.kdl",
        "    parent \"race-condition\"\n",
        "    parent \"race-condition\" // refines it\n    /* more\n       to say */\n    /-summary \"a slashdashed child\"\n",
    );
    db.edit(
        "priorities.kdl",
        "control \"code-review\"",
        "/* The second station. */ control \"code-review\"",
    );
    db.edit(
        "interventions.kdl",
        "intervention \"cache-ttl\"",
        "/-intervention \"retired\" { title \"gone\" }\n\nintervention \"cache-ttl\"",
    );
    db.check_matches_fresh();
    let log = db.take_log();

    assert_ran(&log, "parse(failure-modes.kdl)");
    assert_nothing_relowered_or_rechecked(&log);
}

#[track_caller]
fn assert_no_bucket_rechecked(log: &[String]) {
    let rechecked: Vec<&String> = log
        .iter()
        .filter(|q| q.starts_with("bucket_checks("))
        .collect();
    assert!(
        rechecked.is_empty(),
        "buckets checked again: {rechecked:#?}"
    );
}

fn assert_nothing_relowered_or_rechecked(log: &[String]) {
    for query in log {
        for reused in [
            "lowered(",
            "file_facts(",
            "index(",
            "group_shares(",
            "bucket_checks(",
            "id_checks(",
            "parent_cycles(",
            "global_diagnostics(",
        ] {
            assert!(
                !query.starts_with(reused),
                "`{query}` ran again after an edit of whitespace or comments:\n{log:#?}"
            );
        }
    }
}

#[test]
fn renaming_an_id_rechecks_its_referrers_but_relowers_no_other_entry() {
    let mut db = catalogue();
    db.check();
    db.edit(
        "failure-modes.kdl",
        "failure-mode \"race-condition\"",
        "failure-mode \"data-race\"",
    );
    let diagnostics = db.check_matches_fresh();
    let log = db.take_log();

    assert_ids_changed(&log);
    // The renamed failure mode is now resolved by nothing.
    assert!(
        diagnostics
            .iter()
            .any(|d| d.code == Code::UncoveredFailureMode && d.message.contains("`data-race`")),
        "{diagnostics:#?}"
    );
    // The three entries that named `race-condition` now dangle: their files' diagnostics are
    // rendered again.
    for referrers in ["failure-modes.kdl", "interventions.kdl", "priorities.kdl"] {
        assert_ran(&log, &format!("file_diagnostics({referrers})"));
    }
    let dangling: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.code == Code::DanglingReference)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        dangling,
        [
            "no failure mode has the id `race-condition`",
            "no failure mode has the id `race-condition`",
            "no failure mode has the id `race-condition`",
        ],
        "{diagnostics:#?}"
    );
    // The renamed entry is a new entry, lowered for the first time; no other entry is.
    assert_ran(&log, "lowered(data-race)");
    for unrelated in ENTRIES.iter().filter(|id| **id != "race-condition") {
        assert_not_ran(&log, &format!("lowered({unrelated})"));
    }
    assert_not_ran(&log, "parse(interventions.kdl)");
    assert_not_ran(&log, "parse(priorities.kdl)");

    // Renaming it back resolves the references again.
    db.edit(
        "failure-modes.kdl",
        "failure-mode \"data-race\"",
        "failure-mode \"race-condition\"",
    );
    let diagnostics = db.check_matches_fresh();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let log = db.take_log();
    assert_ids_changed(&log);
    assert_not_ran(&log, "lowered(stale-cache)");
    assert_not_ran(&log, "lowered(quarantine-flaky)");
}

/// After a change to the ids of `failure-modes.kdl`: the group's shares of the buckets are
/// made again (the catalogue's files are one group), but only the buckets
/// whose content changed (the old id's, the new id's, and those of the references of the
/// renamed entry, which is a new entry) are checked again, and the whole index is never built.
#[track_caller]
fn assert_ids_changed(log: &[String]) {
    assert_ran(log, "group_shares(group 0)");
    let rechecked = log
        .iter()
        .filter(|q| q.starts_with("bucket_checks("))
        .count();
    assert!(
        (1..=3).contains(&rechecked),
        "{rechecked} buckets checked again:\n{log:#?}"
    );
    assert_not_ran(log, "index(catalogue)");
}

#[test]
fn diagnostics_follow_a_sequence_of_edits() {
    let mut db = catalogue();
    db.check();
    let edits: &[(&str, &str, &str)] = &[
        // A duplicate id in another file.
        (
            "priorities.kdl",
            "objective \"checkout-revenue\"",
            "objective \"stale-cache\"",
        ),
        // A syntax error: an unclosed string.
        ("interventions.kdl", "kind \"code\"", "kind \"code"),
        // A parent cycle.
        (
            "failure-modes.kdl",
            "    layer \"system\"\n    caught-by \"code-review\"\n    tags \"concurrency\"",
            "    parent \"flaky-test\"\n    layer \"system\"\n    caught-by \"code-review\"\n    tags \"concurrency\"",
        ),
        // The string closed again.
        ("interventions.kdl", "kind \"code", "kind \"code\""),
        // A deprecated entry that others reference.
        (
            "failure-modes.kdl",
            "    tags \"cache\"",
            "    tags \"cache\"\n    deprecated\n    replaced-by \"race-condition\"",
        ),
        // An unknown child and a wrong kind of reference.
        (
            "interventions.kdl",
            "resolves \"flaky-test\"",
            "resolves \"code-review\"\n    resolvez \"flaky-test\"",
        ),
    ];
    let mut seen = Vec::new();
    for (path, from, to) in edits {
        db.edit(path, from, to);
        let diagnostics = db.check_matches_fresh();
        seen.extend(diagnostics.iter().map(|d| d.code));
    }
    for code in [
        Code::DuplicateId,
        Code::SyntaxError,
        Code::ParentCycle,
        Code::WrongReferenceKind,
    ] {
        assert!(seen.contains(&code), "no {code:?} in {seen:?}");
    }
}

/// A rename as the editor's rename makes it (the id and every reference to it): the failure
/// modes' signals are the same in all but names, and so is the hierarchy, so the matcher of the
/// examples is not compiled again, no example is classified again, and only the renamed entry's
/// examples are checked again.
#[test]
fn renaming_with_its_references_classifies_no_example_again() {
    const A: &str = r#"failure-mode "slow-query" {
    title "Slow query"
    signals {
        phrase "slow query" weight=0.9
    }
    examples {
        matches "slow query on the orders table"
        rejects "the orders page is fast"
    }
}
"#;
    const B: &str = r#"failure-mode "missing-index" {
    title "Missing index"
    parent "slow-query"
    signals {
        phrase "missing index" weight=0.9
    }
    examples {
        matches "missing index on orders.customer_id"
    }
}

intervention "add-index" {
    title "Review query plans before merging"
    kind "process"
    resolves "missing-index"
}

intervention "query-budget" {
    title "Give every endpoint a query time budget"
    kind "code"
    resolves "slow-query"
}
"#;
    let mut db = Logged::new(&[("gapmine.kdl", MANIFEST), ("a.kdl", A), ("b.kdl", B)]);
    let diagnostics = db.check();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    db.take_log();

    db.edit("a.kdl", "\"slow-query\"", "\"slow-sql\"");
    db.edit("b.kdl", "parent \"slow-query\"", "parent \"slow-sql\"");
    db.edit("b.kdl", "resolves \"slow-query\"", "resolves \"slow-sql\"");
    let diagnostics = db.check_matches_fresh();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let log = db.take_log();

    assert_ran(&log, "ancestries(catalogue)");
    assert_not_ran(&log, "example_matcher(catalogue)");
    assert_ran(&log, "failing_examples(a.kdl)");
    assert_not_ran(&log, "failing_examples(b.kdl)");
    // The renamed entry's examples are checked again, but not classified again: their texts
    // and the signals are what they were.
    assert_not_ran(&log, "example_standings(a.kdl)");
    // Its parent reference was renamed: the child is lowered again, the intervention beside it
    // is not.
    assert_ran(&log, "lowered(missing-index)");
    assert_not_ran(&log, "lowered(add-index)");
}

/// A change to the hierarchy alone (a `parent` pointed elsewhere; a rename of the parent alone
/// also does it) compiles no matcher: the examples check rolls verdicts up itself, and re-runs
/// only in the files with an example that another failure mode's signals classify. Here the
/// old parent's example, which only the child recognised, fails now, and so does the new
/// parent's `rejects` case that the child recognises; the other files are not classified again.
#[test]
fn a_parent_change_classifies_again_only_the_examples_it_can_change() {
    const A: &str = r#"failure-mode "slow-query" {
    title "Slow query"
    signals {
        phrase "slow query" weight=0.9
    }
    examples {
        matches "slow query on the orders table"
        matches "missing index on orders.customer_id"
    }
}
"#;
    const B: &str = r#"failure-mode "missing-index" {
    title "Missing index"
    parent "slow-query"
    signals {
        phrase "missing index" weight=0.9
    }
    examples {
        matches "missing index on orders.customer_id"
    }
}

intervention "add-index" {
    title "Review query plans before merging"
    kind "process"
    resolves "missing-index" "slow-query" "flaky-test" "stale-cache"
}
"#;
    const C: &str = r#"failure-mode "flaky-test" {
    title "Flaky test"
    signals {
        phrase "flaky" weight=0.9
    }
    examples {
        matches "flaky test in the orders suite"
        rejects "missing index on orders.customer_id"
    }
}
"#;
    const D: &str = r#"failure-mode "stale-cache" {
    title "Stale cache"
    signals {
        phrase "stale cache" weight=0.9
    }
    examples {
        matches "stale cache after the price change"
    }
}
"#;
    let mut db = Logged::new(&[
        ("gapmine.kdl", MANIFEST),
        ("a.kdl", A),
        ("b.kdl", B),
        ("c.kdl", C),
        ("d.kdl", D),
    ]);
    let diagnostics = db.check();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    db.take_log();

    db.edit("b.kdl", "parent \"slow-query\"", "parent \"flaky-test\"");
    let diagnostics = db.check_matches_fresh();
    let log = db.take_log();
    let failing: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.code == Code::FailingExample)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        failing,
        [
            "this example is not classified as `slow-query`: it scores 0.00, below the threshold 0.50",
            "this example is classified as `flaky-test`, which it should not be: a child failure mode (`missing-index`) implies it",
        ],
        "{diagnostics:#?}"
    );

    assert_ran(&log, "ancestries(catalogue)");
    assert_not_ran(&log, "example_matcher(catalogue)");
    assert_ran(&log, "failing_examples(a.kdl)");
    assert_ran(&log, "failing_examples(c.kdl)");
    assert_not_ran(&log, "failing_examples(b.kdl)");
    assert_not_ran(&log, "failing_examples(d.kdl)");
    // Nothing is classified again: the verdicts are rolled up anew.
    for file in ["a.kdl", "b.kdl", "c.kdl", "d.kdl"] {
        assert_not_ran(&log, &format!("example_standings({file})"));
    }

    // And back: the child implies its old parent again.
    db.edit("b.kdl", "parent \"flaky-test\"", "parent \"slow-query\"");
    let diagnostics = db.check_matches_fresh();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

/// A catalogue of more files than one group holds ([`gapmine_check::db::GROUP_FILES`]): ids
/// resolve, and duplicates are found, across groups; a rename in one group fills that group's
/// shares of the buckets again and no other's.
#[test]
fn ids_resolve_across_file_groups_and_a_rename_refills_one_group() {
    let count = gapmine_check::db::GROUP_FILES + 6;
    let mut files: Vec<(String, String)> = vec![("gapmine.kdl".into(), MANIFEST.into())];
    for i in 0..count {
        let mut text = format!(
            "failure-mode \"mode-{i}\" {{\n    title \"Mode {i}\"\n}}\n\n\
             intervention \"fix-{i}\" {{\n    title \"Fix {i}\"\n    kind \"process\"\n    resolves \"mode-{i}\"\n}}\n"
        );
        if i == count - 1 {
            // The last group refines a failure mode of the first, and takes an id it has.
            text = text.replace(
                "    title \"Mode",
                "    parent \"mode-0\"\n    title \"Mode",
            );
            text.push_str("\nobjective \"fix-1\" {\n    title \"Taken\"\n}\n");
        }
        files.push((format!("f{i:03}.kdl"), text));
    }
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let mut db = Logged::new(&borrowed);
    let diagnostics = db.check_matches_fresh();
    let last = format!("f{:03}.kdl", count - 1);
    let duplicates: Vec<(&str, &str, &str)> = diagnostics
        .iter()
        .filter(|d| d.code == Code::DuplicateId)
        .map(|d| {
            (
                d.file.as_str(),
                d.message.as_str(),
                d.labels[0].file.as_str(),
            )
        })
        .collect();
    assert_eq!(
        duplicates,
        [(last.as_str(), "the id `fix-1` is already taken", "f001.kdl")],
        "{diagnostics:#?}"
    );
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    db.take_log();

    db.edit(
        "f000.kdl",
        "failure-mode \"mode-0\"",
        "failure-mode \"mode-zero\"",
    );
    let diagnostics = db.check_matches_fresh();
    let log = db.take_log();
    let dangling: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.code == Code::DanglingReference)
        .map(|d| d.file.as_str())
        .collect();
    // The intervention beside it and the child in the last group now name nothing.
    assert_eq!(dangling, ["f000.kdl", last.as_str()], "{diagnostics:#?}");
    assert_ran(&log, "group_shares(group 0)");
    assert_not_ran(&log, "group_shares(group 1)");
}
