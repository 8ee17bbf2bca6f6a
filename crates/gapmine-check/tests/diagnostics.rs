//! One test per diagnostic code, each a fixture annotated with the diagnostics it must produce
//! (and near misses that must produce none); the fixture syntax is described in `fixture/mod.rs`.

mod fixture;

use fixture::{check, check_ignoring};
use gapmine_check::Code;

const UNCOVERED: &[Code] = &[Code::UncoveredFailureMode];

#[test]
fn syntax_error() {
    check_ignoring(
        UNCOVERED,
        r#"
        //- /catalogue.kdl
        failure-mode "flaky-test" {
            title "Flaky test
        //        ^^^^^^^^^^^ error[syntax-error]: unterminated string
        //        = help: close it with `"` before the end of the line; for text over several lines use `"""`
        }
        "#,
    );
}

#[test]
fn unknown_node() {
    check_ignoring(
        UNCOVERED,
        r#"
        //- /catalogue.kdl
          failur-mode "flaky-test" {
        //^^^^^^^^^^^ error[unknown-node]: `failur-mode` is not an entry kind
        //= help: did you mean `failure-mode`?
            title "Flaky test"
          }
        failure-mode "order-dependent-test" {
            title "Order-dependent test"
            summery "Passes alone, fails after another test."
        //  ^^^^^^^ error[unknown-node]: `summery` is not a child of a failure mode
        //  = help: did you mean `summary`?
            signals {
                phrase "passes in isolation"
                keyword "order"
        //      ^^^^^^^ error[unknown-node]: `keyword` is not a child of `signals`
        //      = help: `signals` accepts `field`, `label`, `pattern`, `phrase`
            }
            resolves "flaky-test"
        //  ^^^^^^^^ error[unknown-node]: `resolves` is not a child of a failure mode
        //  = help: `resolves` belongs in an intervention
            see "https://example.org/flaky-tests" {
        //  ^^^ error[unknown-node]: `see` takes no children
        //  = help: write it as `see "https://example.org/flaky-tests" "CWE-476"`
                note "a child where none belongs"
            }
        }
        "#,
    );
}

#[test]
fn unknown_property() {
    check_ignoring(
        UNCOVERED,
        r#"
        //- /catalogue.kdl
        failure-mode "flaky-test" {
            title "Flaky test" lang="en"
        //                     ^^^^ error[unknown-property]: `title` has no property `lang`
        //                     = help: `title` takes no properties
            signals {
                phrase "flaky" wieght=0.9
        //                     ^^^^^^ error[unknown-property]: `phrase` has no property `wieght`
        //                     = help: did you mean `weight`?
                label "flaky" in="title"
        //                    ^^ error[unknown-property]: `label` has no property `in`
        //                    = help: `label` accepts `weight`
                phrase "intermittent" weight=0.4 in="body"
            }
        }
        control "ci" stage=4 order=4 {
        //                   ^^^^^ error[unknown-property]: a control has no property `order`
        //                   = help: a control accepts `stage`
            title "CI"
        }
        "#,
    );
}

#[test]
fn wrong_type() {
    check_ignoring(
        UNCOVERED,
        r#"
        //- /catalogue.kdl
        control "ci" stage="five" {
        //                 ^^^^^^ error[wrong-type]: `stage` expects an integer, found a string
        //                 = help: write a number without quotes: `3`
            title "CI"
        }
        control "canary" stage=5.5 {
        //                     ^^^ error[wrong-type]: `stage` expects an integer, found 5.5
        //                     = help: write a whole number: `3`
            title 7
        //        ^ error[wrong-type]: `title` expects a string, found a number
        //        = help: quote it: strings are written in quotes
        }
        failure-mode "flaky-test" "extra" {
        //                        ^^^^^^^ error[wrong-type]: a failure mode takes one argument, its id; found 2
        //                        = help: put other information in child nodes, such as `title`
            title "Flaky test"
            summary
        //  ^^^^^^^ error[wrong-type]: `summary` takes one argument, found 0
        //  = help: write it as `summary "A test passes or fails depending on which tests ran before it."`
            parent "a" "b"
        //         ^^^ error[dangling-reference]: no failure mode has the id `a`
        //         = help: add a `failure-mode "a"` entry, or reference an existing failure mode
        //             ^^^ error[dangling-reference]: no failure mode has the id `b`
        //             = help: add a `failure-mode "b"` entry, or reference an existing failure mode
        //             ^^^ error[wrong-type]: `parent` takes one argument, found 2
        //             = help: write it as `parent "flaky-test"`
            signals {
                phrase "flaky" weight="high"
        //                            ^^^^^^ error[wrong-type]: `weight` expects a number in [-1, 1], found a string
        //                            = help: write a number without quotes: `0.7`
                field "detected_by"
        //      ^^^^^ error[wrong-type]: `field` takes two or more arguments, found 1
        //      = help: write it as `field "detected_by" "customer" weight=0.9`
            }
        }
        failure-mode 42 {
        //           ^^ error[wrong-type]: an id must be a string, found a number
        //           = help: quote it: `"my-id"`
            title "Numbered"
        }
        "#,
    );
}

#[test]
fn invalid_value() {
    check_ignoring(
        UNCOVERED,
        r#"
        //- /catalogue.kdl
        objective "checkout" {
            title "Checkout"
            severity "urgent"
        //           ^^^^^^^^ error[invalid-value]: `urgent` is not a valid `severity`
        //           = help: expected one of "critical", "high", "medium", "low"
        }
        failure-mode "flaky-test" {
            title "Flaky test"
            layer "systems"
        //        ^^^^^^^^^ error[invalid-value]: `systems` is not a valid `layer`
        //        = help: did you mean `system`? (expected one of "control", "system")
            threshold 1.5
        //            ^^^ error[invalid-value]: `threshold` must be between 0 and 1, found 1.5
        //            = help: use a number in [0, 1]
            signals {
                phrase "flaky" weight=1.2 in="subject"
        //                            ^^^ error[invalid-value]: `weight` must be between -1 and 1, found 1.2
        //                            = help: use a number in [-1, 1]
        //                                   ^^^^^^^^^ error[invalid-value]: `subject` is not a valid `in`
        //                                   = help: expected one of "title", "body", "any"
                phrase "intermittent" weight=-1
            }
        }
        intervention "quarantine" {
            title "Quarantine"
            resolves "flaky-test"
            evidence "ESC-1" outcome="held" at="2026-13-02"
        //                                     ^^^^^^^^^^^^ error[invalid-value]: `2026-13-02` is not a date
        //                                     = help: write dates as YYYY-MM-DD, such as `2026-03-02`
            evidence "ESC-2" outcome="maybe" at="2026-03-02"
        //                           ^^^^^^^ error[invalid-value]: `maybe` is not a valid `outcome`
        //                           = help: expected one of "held", "failed", "pending"
        }
        "#,
    );
}

#[test]
fn invalid_id() {
    check_ignoring(
        UNCOVERED,
        r#"
        //- /catalogue.kdl
        failure-mode "Flaky_Test" {
        //           ^^^^^^^^^^^^ error[invalid-id]: `Flaky_Test` is not a valid id
        //           = help: ids are kebab-case (lower-case words joined by hyphens): try `flaky-test`
            title "Flaky test"
        }
        failure-mode "flaky--test" {
        //           ^^^^^^^^^^^^^ error[invalid-id]: `flaky--test` is not a valid id
        //           = help: ids are kebab-case (lower-case words joined by hyphens): try `flaky-test`
            title "Flaky test"
        }
        failure-mode "1-flaky" {
        //           ^^^^^^^^^ error[invalid-id]: `1-flaky` is not a valid id
        //           = help: ids are kebab-case: lower-case letters and digits in words joined by single hyphens, starting with a letter
            title "Flaky test"
        }
        failure-mode "flaky-test-2" {
            title "A valid id with a digit"
        }
        "#,
    );
}

#[test]
fn missing_child() {
    check_ignoring(
        UNCOVERED,
        r#"
        //- /catalogue.kdl
            failure-mode "flaky-test" {
        //  ^^^^^^^^^^^^ error[missing-child]: this failure mode has no `title`
        //  = help: add it: `title "Order-dependent test"`
                summary "Passes and fails on the same code."
            }
            control "ci" {
        //  ^^^^^^^ error[missing-child]: a control needs the property `stage`
        //  = help: add `stage=…` (integer)
                title "CI"
            }
            failure-mode {
        //  ^^^^^^^^^^^^ error[missing-child]: this failure mode has no id
        //  = help: give it a kebab-case id as its first argument: `failure-mode "my-id" { … }`
                title "No id"
            }
        intervention "quarantine" {
            title "Quarantine"
            evidence "ESC-1" at="2026-03-02"
        //  ^^^^^^^^ error[missing-child]: `evidence` needs the property `outcome`
        //  = help: add `outcome=…` (one of "held", "failed", "pending")
            probes {
        //  ^^^^^^ error[unknown-node]: `probes` is not a child of an intervention
        //  = help: `probes` belongs in a failure mode
            }
        }
        failure-mode "leak" {
            title "Leak"
            probes {
                probe "global state" glob="**/*.java"
        //      ^^^^^ error[missing-child]: `probe` needs the property `pattern`
        //      = help: add `pattern=…` (regular expression string)
            }
        }
        "#,
    );
}

#[test]
fn duplicate_child() {
    check_ignoring(
        UNCOVERED,
        r#"
        //- /catalogue.kdl
        failure-mode "flaky-test" {
            title "Flaky test"
        //  ^^^^^ label[duplicate-child]: first given here
            title "Intermittent test"
        //  ^^^^^ error[duplicate-child]: `title` is given twice
        //  = help: keep one `title`
            tags "testing"
            tags "flaky"
            signals {
        //  ^^^^^^^ label[duplicate-child]: first given here
                phrase "flaky"
            }
            signals {
        //  ^^^^^^^ error[duplicate-child]: `signals` is given twice
        //  = help: keep one `signals`
                phrase "intermittent"
            }
        }
        "#,
    );
}

#[test]
fn duplicate_id() {
    check_ignoring(
        UNCOVERED,
        r#"
        //- /failure-modes/testing.kdl
        failure-mode "flaky-test" {
        //           ^^^^^^^^^^^^ error[duplicate-id]: the id `flaky-test` is already taken
        //           = help: ids are unique across the catalogue: rename one of them
            title "Flaky test"
        }
        failure-mode "flaky-test" {
        //           ^^^^^^^^^^^^ error[duplicate-id]: the id `flaky-test` is already taken
        //           = help: ids are unique across the catalogue: rename one of them
            title "Intermittent test"
        }
        //- /controls.kdl
        control "flaky-test" stage=1 {
        //      ^^^^^^^^^^^^ label[duplicate-id]: first defined here
        //      ^^^^^^^^^^^^ label[duplicate-id]: first defined here
            title "Same id, another kind"
        }
        control "unit-tests" stage=2 {
            title "Unit tests"
        }
        "#,
    );
}

#[test]
fn dangling_reference() {
    check_ignoring(
        UNCOVERED,
        r#"
        //- /catalogue.kdl
        failure-mode "order-dependent-test" {
            title "Order-dependent test"
            parent "flaky-tset"
        //         ^^^^^^^^^^^^ error[dangling-reference]: no failure mode has the id `flaky-tset`
        //         = help: did you mean `flaky-test`?
            caught-by "unit-tests"
        }
        failure-mode "flaky-test" {
            title "Flaky test"
        }
        intervention "random-test-order" {
            title "Random test order"
            resolves "order-dependant-test" "flaky-test" "something-else-entirely"
        //           ^^^^^^^^^^^^^^^^^^^^^^ error[dangling-reference]: no failure mode has the id `order-dependant-test`
        //           = help: did you mean `order-dependent-test`?
        //                                               ^^^^^^^^^^^^^^^^^^^^^^^^^ error[dangling-reference]: no failure mode has the id `something-else-entirely`
        //                                               = help: add a `failure-mode "something-else-entirely"` entry, or reference an existing failure mode
            hardens "unit-test"
        //          ^^^^^^^^^^^ error[dangling-reference]: no control has the id `unit-test`
        //          = help: did you mean `unit-tests`?
        }
        control "unit-tests" stage=2 {
            title "Unit tests"
        }
        "#,
    );
}

#[test]
fn wrong_reference_kind() {
    check_ignoring(
        UNCOVERED,
        r#"
        //- /catalogue.kdl
        intervention "random-test-order" {
            title "Random test order"
            resolves "checkout-revenue"
        //           ^^^^^^^^^^^^^^^^^^ error[wrong-reference-kind]: `checkout-revenue` names an objective, but `resolves` expects a failure mode
        //           = help: `resolves` takes the id of a failure mode
            hardens "flaky-test"
        //          ^^^^^^^^^^^^ error[wrong-reference-kind]: `flaky-test` names a failure mode, but `hardens` expects a control
        //          = help: `hardens` takes the id of a control
        }
        objective "checkout-revenue" {
        //        ^^^^^^^^^^^^^^^^^^ label[wrong-reference-kind]: `checkout-revenue` is an objective
            title "Checkout"
            threatened-by "flaky-test"
        }
        failure-mode "flaky-test" {
        //           ^^^^^^^^^^^^ label[wrong-reference-kind]: `flaky-test` is a failure mode
            title "Flaky test"
            caught-by "unit-tests"
        }
        control "unit-tests" stage=2 {
            title "Unit tests"
        }
        "#,
    );
}

#[test]
fn parent_cycle() {
    check_ignoring(
        UNCOVERED,
        r#"
        //- /a.kdl
        failure-mode "a" {
            title "A"
            parent "b"
        //         ^^^ error[parent-cycle]: `parent` goes round in a cycle: `a` → `b` → `c` → `a`
        //         = help: a failure mode refines its parent; remove one `parent` to break the cycle
        }
        //- /b.kdl
        failure-mode "b" {
            title "B"
            parent "c"
        //         ^^^ label[parent-cycle]: part of the cycle
        }
        failure-mode "c" {
            title "C"
            parent "a"
        //         ^^^ label[parent-cycle]: part of the cycle
        }
        failure-mode "self" {
            title "Its own parent"
            parent "self"
        //         ^^^^^^ error[parent-cycle]: `parent` goes round in a cycle: `self` → `self`
        //         = help: a failure mode refines its parent; remove one `parent` to break the cycle
        }
        failure-mode "leaf" {
            title "Refines a cycle, but is not in one"
            parent "a"
        }
        "#,
    );
}

#[test]
fn invalid_regex() {
    check_ignoring(
        UNCOVERED,
        r##"
        //- /catalogue.kdl
        failure-mode "flaky-test" {
            title "Flaky test"
            signals {
                pattern #"(?i)flak(y|e"# "fine" #"a{2,1}"#
        //                        ^ error[invalid-regex]: invalid regular expression: unclosed group
        //                        = help: patterns use Rust `regex` syntax (no look-around or backreferences); write them as raw strings, #"…"#, so backslashes need no escaping
        //                                         ^^^^^ error[invalid-regex]: invalid regular expression: invalid repetition count range, the start must be <= the end
        //                                         = help: patterns use Rust `regex` syntax (no look-around or backreferences); write them as raw strings, #"…"#, so backslashes need no escaping
                pattern "look(?=ahead)"
        //                   ^^^ error[invalid-regex]: invalid regular expression: look-around, including look-ahead and look-behind, is not supported
        //                   = help: patterns use Rust `regex` syntax (no look-around or backreferences); write them as raw strings, #"…"#, so backslashes need no escaping
                pattern #"\d+ tests? failed"# weight=0.4
            }
            probes {
                probe "static state" pattern=#"static\s+[\w"#
        //                                              ^ error[invalid-regex]: invalid regular expression: unclosed character class
        //                                              = help: patterns use Rust `regex` syntax (no look-around or backreferences); write them as raw strings, #"…"#, so backslashes need no escaping
            }
        }
        "##,
    );
}

#[test]
fn invalid_version() {
    check_ignoring(
        UNCOVERED,
        r#"
        //- /gapmine.kdl
        catalogue "acme" version="2.3" {
        //                       ^^^^^ error[invalid-version]: `2.3` is not a semantic version: it needs three numbers
        //                       = help: write MAJOR.MINOR.PATCH: `2.3.0`
            include "*.kdl"
        }
        //- /entries.kdl
        failure-mode "flaky-test" {
            title "Flaky test"
            since "1.2"
        //        ^^^^^ error[invalid-version]: `1.2` is not a semantic version: it needs three numbers
        //        = help: write MAJOR.MINOR.PATCH: `1.2.0`
        }
        failure-mode "order-dependent-test" {
            title "Order-dependent test"
            since "1.2.0-beta.1"
        }
        failure-mode "shared-state" {
            title "Shared state"
            since "v1.2.0"
        //        ^^^^^^^^ error[invalid-version]: `v1.2.0` is not a semantic version: unexpected character 'v' while parsing major version number
        //        = help: write MAJOR.MINOR.PATCH, such as `1.2.0`
        }
        "#,
    );
}

#[test]
fn invalid_manifest() {
    check(
        r#"
        //- /gapmine.kdl
          catalog "acme" version="1.0.0" {
        //^^^^^^^ error[invalid-manifest]: `catalog` does not belong in the manifest
        //= help: did you mean `catalogue`?
            include "*.kdl"
          }
        "#,
    );
    check(
        r#"
        //- /gapmine.kdl
        // an empty manifest
        // ^file error[invalid-manifest]: the manifest has no `catalogue` node
        // = help: start it with `catalogue "name" version="1.0.0" { include "**/*.kdl" }`
        "#,
    );
    check(
        r#"
        //- /gapmine.kdl
          catalogue version="1.0.0" {
        //^^^^^^^^^ error[invalid-manifest]: the catalogue has no name
        //= help: name it: `catalogue "acme-quality" version="1.0.0" { … }`
            include "*.kdl"
          }
        //- /entries.kdl
        control "ci" stage=1 {
            title "CI"
        }
        "#,
    );
    check(
        r#"
        //- /gapmine.kdl
          catalogue "acme" version="1.0.0" {
            include "*.kdl"
            priority recency=-1 urgency=2 half-life=0
        //                   ^^ error[invalid-value]: `recency` must be between 0 and 100, found -1
        //                   = help: use a number in [0, 100]
        //                      ^^^^^^^ error[unknown-property]: `priority` has no property `urgency`
        //                      = help: `priority` accepts `frequency`, `recency`, `spread`, `lateness`, `severity`, `half-life`
        //                                          ^ error[invalid-value]: `half-life` must be between 1 and 36500, found 0
        //                                          = help: use a number in [1, 36500]
            priority
        //  ^^^^^^^^ error[duplicate-child]: `priority` is given twice
        //  = help: keep one `priority` node, with every weight on it
            exclude "drafts/*.kdl"
        //  ^^^^^^^ error[invalid-manifest]: `exclude` is not a child of `catalogue`
        //  = help: did you mean `include`?
          }
          failure-mode "flaky-test" {
        //^^^^^^^^^^^^ error[invalid-manifest]: `failure-mode` does not belong in the manifest
        //= help: entries belong in the files the manifest includes, not in gapmine.kdl itself
            title "Flaky test"
          }
          catalogue "other" version="1.0.0" {
        //^^^^^^^^^ error[invalid-manifest]: the manifest has a second `catalogue` node
        //= help: a manifest describes one catalogue: keep the first `catalogue` node and remove this one
            include "*.kdl"
          }
        //- /entries.kdl
        control "ci" stage=1 {
            title "CI"
        }
        "#,
    );
    // Near misses: a manifest with a comment, a threshold, priority weights and several
    // includes is fine.
    check(
        r#"
        //- /gapmine.kdl
        // The acme catalogue.
        catalogue "acme" version="1.0.0" {
            include "controls.kdl" "entries/**/*.kdl"
            threshold 0.6
            priority recency=3 severity=0 half-life=90
        }
        //- /controls.kdl
        control "ci" stage=1 {
            title "CI"
        }
        //- /entries/more/cd.kdl
        control "cd" stage=2 {
            title "CD"
        }
        "#,
    );
}

#[test]
fn invalid_glob() {
    check(
        r#"
        //- /gapmine.kdl
        catalogue "acme" version="1.0.0" {
            include "failure-modes/[*.kdl" "{a,b}.kdl"
        //          ^^^^^^^^^^^^^^^^^^^^^^ error[invalid-glob]: `failure-modes/[*.kdl` is not a valid glob: unclosed character class; missing ']'
        //          = help: globs use `*` within a folder, `**` across folders, `?`, `[abc]` and `{a,b}`
        }
        //- /a.kdl
        control "ci" stage=1 {
            title "CI"
        }
        "#,
    );
}

#[test]
fn include_escapes_root() {
    check(
        r#"
        //- /gapmine.kdl
        catalogue "acme" version="1.0.0" {
            include "../shared/*.kdl" "/etc/*.kdl" "controls/../*.kdl" "*.kdl"
        //          ^^^^^^^^^^^^^^^^^ error[include-escapes-root]: `../shared/*.kdl` reaches outside the catalogue's folder
        //          = help: include globs are relative to gapmine.kdl and stay inside its folder; move the files into the catalogue
        //                            ^^^^^^^^^^^^ error[include-escapes-root]: `/etc/*.kdl` reaches outside the catalogue's folder
        //                            = help: include globs are relative to gapmine.kdl and stay inside its folder; move the files into the catalogue
        //                                         ^^^^^^^^^^^^^^^^^^^ error[include-escapes-root]: `controls/../*.kdl` reaches outside the catalogue's folder
        //                                         = help: include globs are relative to gapmine.kdl and stay inside its folder; move the files into the catalogue
        }
        //- /controls.kdl
        control "ci" stage=1 {
            title "CI"
        }
        "#,
    );
}

#[test]
fn include_matches_nothing() {
    check(
        r#"
        //- /gapmine.kdl
        catalogue "acme" version="1.0.0" {
            include "failure-mode/*.kdl" "*.kdl" "controls/*.kdl"
        //          ^^^^^^^^^^^^^^^^^^^^ warning[include-matches-nothing]: `failure-mode/*.kdl` matches no `.kdl` file
        //          = help: check the folder and file names; globs are relative to gapmine.kdl, and `*` does not cross `/` (use `**`)
        //                               ^^^^^^^ warning[include-matches-nothing]: `*.kdl` matches no `.kdl` file
        //                               = help: check the folder and file names; globs are relative to gapmine.kdl, and `*` does not cross `/` (use `**`)
        }
        //- /failure-modes/testing.kdl
        control "ci" stage=1 {
            title "CI"
        }
        //- /controls/pipeline.kdl
        control "cd" stage=2 {
            title "CD"
        }
        "#,
    );
}

#[test]
fn uncovered_failure_mode() {
    check(
        r#"
        //- /catalogue.kdl
        failure-mode "flaky-test" {
        //           ^^^^^^^^^^^^ warning[uncovered-failure-mode]: no intervention resolves `flaky-test`
        //           = help: add `resolves "flaky-test"` to an intervention that fixes it, or write one: the class is a known gap with no known fix
            title "Flaky test"
        }
        failure-mode "order-dependent-test" {
            title "Order-dependent test"
            parent "flaky-test"
        }
        intervention "random-test-order" {
            title "Random test order"
            resolves "order-dependent-test"
        }
        "#,
    );
}

#[test]
fn deprecated_reference() {
    check(
        r#"
        //- /catalogue.kdl
        failure-mode "flaky" {
        //           ^^^^^^^ label[deprecated-reference]: `flaky` is defined here, deprecated
            title "Flaky"
            deprecated "split into finer classes"
            replaced-by "flaky-test"
        }
        failure-mode "old" {
        //           ^^^^^ label[deprecated-reference]: `old` is defined here, deprecated
        //           ^^^^^ label[deprecated-reference]: `old` is defined here, deprecated
            title "Old"
            deprecated
        }
        failure-mode "flaky-test" {
            title "Flaky test"
            parent "old"
        //         ^^^^^ warning[deprecated-reference]: `old` is deprecated
        //         = help: reference an entry that is not deprecated
        }
        intervention "quarantine" {
            title "Quarantine"
            resolves "flaky" "flaky-test" "old"
        //           ^^^^^^^ warning[deprecated-reference]: `flaky` is deprecated
        //           = help: reference its replacement, `flaky-test`
        //                                ^^^^^ warning[deprecated-reference]: `old` is deprecated
        //                                = help: reference an entry that is not deprecated
        }
        "#,
    );
}

/// A file with a syntax error is still checked: every entry that parsed is lowered and
/// checked, and references into it and out of it are resolved.
#[test]
fn errors_in_a_file_with_a_syntax_error_are_all_reported() {
    check(
        r#"
        //- /broken.kdl
        failure-mode "flaky-test" {
        //           ^^^^^^^^^^^^ label[duplicate-id]: first defined here
            title "Flaky test"
            layer "sometimes"
        //        ^^^^^^^^^^^ error[invalid-value]: `sometimes` is not a valid `layer`
        //        = help: expected one of "control", "system"
        }
        failure-mode "broken" {
        //           ^^^^^^^^ warning[uncovered-failure-mode]: no intervention resolves `broken`
        //           = help: add `resolves "broken"` to an intervention that fixes it, or write one: the class is a known gap with no known fix
            title "Unterminated
        //        ^^^^^^^^^^^^^ error[syntax-error]: unterminated string
        //        = help: close it with `"` before the end of the line; for text over several lines use `"""`
        }
        intervention "quarantine" {
            title "Quarantine"
            resolves "flaky-tset" "flaky-test"
        //           ^^^^^^^^^^^^ error[dangling-reference]: no failure mode has the id `flaky-tset`
        //           = help: did you mean `flaky-test`?
            effort "tiny"
        //         ^^^^^^ error[invalid-value]: `tiny` is not a valid `effort`
        //         = help: expected one of "low", "medium", "high"
        }
        //- /other.kdl
        failure-mode "flaky-test" {
        //           ^^^^^^^^^^^^ error[duplicate-id]: the id `flaky-test` is already taken
        //           = help: ids are unique across the catalogue: rename one of them
            title "Flaky test, again"
        }
        "#,
    );
}

/// Every code in the registry has a test in this file named after it.
#[test]
fn every_code_has_a_test() {
    let source = include_str!("diagnostics.rs");
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|code| code.name())
        .filter(|name| {
            let test = format!("#[test]\nfn {}() {{", name.replace('-', "_"));
            !source.contains(&test)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "these codes have no test of their own in tests/diagnostics.rs (a `#[test] fn` named \
         after the code, with `-` as `_`): {missing:?}"
    );
}

/// The example in each code's documentation (shown in docs/diagnostics.md) triggers that code.
#[test]
fn every_documented_example_triggers_its_code() {
    let mut problems = Vec::new();
    for &code in Code::ALL {
        let example = code.docs().example;
        let path = if example.starts_with("catalog") {
            "gapmine.kdl"
        } else {
            "catalogue.kdl"
        };
        let diagnostics = fixture::diagnostics(&[(path.to_string(), example.to_string())]);
        if !diagnostics.iter().any(|d| d.code == code) {
            let found: Vec<&str> = diagnostics.iter().map(|d| d.code.name()).collect();
            problems.push(format!("{}: its example gives {found:?}", code.name()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn failing_example() {
    check_ignoring(
        &[Code::UncoveredFailureMode],
        r#"
        //- /catalogue.kdl
        failure-mode "flaky-test" {
            title "Flaky test"
            signals {
                phrase "flaky" "intermittent" weight=0.6
                phrase "timeout" weight=-0.5
            }
            examples {
                matches "checkout test is flaky on main"
                matches "the checkout test fails one run in ten"
        //              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error[failing-example]: this example is not classified as `flaky-test`: it scores 0.00, below the threshold 0.50
        //              = help: add a signal that recognises it, raise a weight, or run `gapmine explain` on it to see what fired
                // A negative signal keeps this one out: 1 - 0.6 = 0.4, times 1 - 0.5.
                rejects "intermittent timeout talking to the payments db"
                // A child classifies this one, and a child implies its parent.
                rejects "Thread.sleep in the retry loop of the payments client"
        //              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error[failing-example]: this example is classified as `flaky-test`, which it should not be: a child failure mode (`timing-test`) implies it
        //              = help: add a negative signal for what sets it apart, or lower a weight
                rejects "flaky network in the office"
        //              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error[failing-example]: this example is classified as `flaky-test`, which it should not be: it scores 0.60, at or above the threshold 0.50
        //              = help: add a negative signal for what sets it apart, or lower a weight
            }
        }
        failure-mode "timing-test" {
            title "Timing-dependent test"
            parent "flaky-test"
            threshold 0.8
            signals {
                phrase "Thread.sleep" weight=0.9
            }
            examples {
                matches "Thread.sleep(100) races the cache eviction"
            }
        }
        "#,
    );
}
