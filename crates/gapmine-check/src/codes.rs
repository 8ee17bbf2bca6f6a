//! The closed registry of diagnostic codes: each code's name, severity and documentation.
//!
//! `docs/diagnostics.md` is generated from this table (`cargo xtask codegen`, checked by a test),
//! so the documentation of a code lives next to its definition and cannot drift.

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The catalogue is wrong: `gapmine check` fails.
    Error,
    /// Worth a look: `gapmine check` fails only under `--deny warnings`.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $name:literal, $severity:ident, {
            what: $what:literal,
            why: $why:literal,
            example: $example:literal $(,)?
        };
    )*) => {
        /// A diagnostic code. The set is closed: every code is documented in
        /// `docs/diagnostics.md`, and names never change once released.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, salsa::SalsaValue)]
        pub enum Code {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Code {
            /// Every code, in the order of the documentation.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code's stable name, as shown to users: `duplicate-id`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The code's severity.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// What the code flags, why it matters, and an example that triggers it.
            pub fn docs(self) -> CodeDocs {
                match self {
                    $(Code::$variant => CodeDocs { what: $what, why: $why, example: $example },)*
                }
            }

            /// The code with this name.
            pub fn from_name(name: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.name() == name)
            }
        }
    };
}

/// The documentation of a code, in fixed sections.
#[derive(Debug, Clone, Copy)]
pub struct CodeDocs {
    /// What it flags.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A catalogue snippet that triggers it.
    pub example: &'static str,
}

codes! {
    /// A KDL syntax error.
    SyntaxError = "syntax-error", Error, {
        what: "Text that is not valid KDL v2: an unterminated string, a missing `}`, a stray character.",
        why: "A file that does not parse cannot be read as a catalogue. The parser recovers locally, so the rest of the file is still checked and only the damaged entry is lost.",
        example: "failure-mode \"flaky-test\" {\n    title \"Flaky test\n}",
    };
    /// A node the catalogue language does not know at that place.
    UnknownNode = "unknown-node", Error, {
        what: "A node whose name is not an entry kind at the top level, or not a child that the enclosing entry or block accepts.",
        why: "A misspelt node is silently meaningless: `summery` would never show up as the entry's summary.",
        example: "failure-mode \"flaky-test\" {\n    title \"Flaky test\"\n    summery \"Passes and fails on the same code.\"\n}",
    };
    /// A property the node does not accept.
    UnknownProperty = "unknown-property", Error, {
        what: "A `key=value` property that the node does not accept.",
        why: "A misspelt property is silently ignored: `wieght=0.9` would leave the signal at its default weight.",
        example: "failure-mode \"flaky-test\" {\n    title \"Flaky test\"\n    signals {\n        phrase \"flaky\" wieght=0.9\n    }\n}",
    };
    /// A value of the wrong type, or the wrong number of values.
    WrongType = "wrong-type", Error, {
        what: "An argument or property whose value has the wrong type (a number where a string belongs), a missing argument, or one too many.",
        why: "The checker cannot guess what was meant; every node's arguments are described in docs/language.md.",
        example: "control \"ci\" stage=\"five\" {\n    title \"CI\"\n}",
    };
    /// A value outside the allowed set or range.
    InvalidValue = "invalid-value", Error, {
        what: "A value of the right type that is not allowed: an unknown enum value (`severity \"urgent\"`), a weight outside [-1, 1], a malformed date.",
        why: "Enumerations drive ranking and reports; a value outside the set would be ignored there.",
        example: "objective \"checkout\" {\n    title \"Checkout\"\n    severity \"urgent\"\n}",
    };
    /// An id that is not kebab-case.
    InvalidId = "invalid-id", Error, {
        what: "An entry id that is not kebab-case: lower-case letters and digits in words joined by single hyphens, starting with a letter.",
        why: "Ids are referenced from other entries, from escape records and from other tools; one spelling keeps them greppable and stable.",
        example: "failure-mode \"Flaky_Test\" {\n    title \"Flaky test\"\n}",
    };
    /// A required child or property is missing.
    MissingChild = "missing-child", Error, {
        what: "An entry without a child or property it needs: every entry needs a `title`, a control a `stage`, evidence an `outcome`.",
        why: "Reports and the editor show these fields; an entry without them cannot be presented.",
        example: "failure-mode \"flaky-test\" {\n    summary \"Passes and fails on the same code.\"\n}",
    };
    /// A child that may appear once appears again.
    DuplicateChild = "duplicate-child", Error, {
        what: "A child that an entry may have once, such as `title` or `parent`, given twice.",
        why: "Only one of them could count, and which one is a guess: say it once.",
        example: "failure-mode \"flaky-test\" {\n    title \"Flaky test\"\n    title \"Intermittent test\"\n}",
    };
    /// Two entries share an id.
    DuplicateId = "duplicate-id", Error, {
        what: "Two entries with the same id, in one file or in two. Both places are shown.",
        why: "Every reference to the id would be ambiguous, and so would every classification.",
        example: "failure-mode \"flaky-test\" {\n    title \"Flaky test\"\n}\nfailure-mode \"flaky-test\" {\n    title \"Intermittent test\"\n}",
    };
    /// A reference to an id that no entry has.
    DanglingReference = "dangling-reference", Error, {
        what: "A reference (`parent`, `caught-by`, `resolves`, `hardens`, `threatened-by`, `replaced-by`) to an id that no entry of the catalogue has. The nearest existing id is suggested.",
        why: "A dangling reference is a broken link: the intervention would resolve nothing, the objective be threatened by nothing.",
        example: "intervention \"random-test-order\" {\n    title \"Random test order\"\n    resolves \"order-dependant-test\"\n}",
    };
    /// A reference to an entry of the wrong kind.
    WrongReferenceKind = "wrong-reference-kind", Error, {
        what: "A reference to an entry that exists but is of the wrong kind, such as `resolves` naming an objective.",
        why: "Each reference position expects one kind: interventions resolve failure modes, failure modes are caught by controls.",
        example: "intervention \"random-test-order\" {\n    title \"Random test order\"\n    resolves \"checkout-revenue\"\n}\nobjective \"checkout-revenue\" {\n    title \"Checkout\"\n}",
    };
    /// Failure modes whose parents form a cycle.
    ParentCycle = "parent-cycle", Error, {
        what: "Failure modes whose `parent` references lead back to themselves. The whole cycle is shown.",
        why: "A child failure mode implies its parent; a cycle would make every member imply every other.",
        example: "failure-mode \"a\" {\n    title \"A\"\n    parent \"b\"\n}\nfailure-mode \"b\" {\n    title \"B\"\n    parent \"a\"\n}",
    };
    /// A regular expression that does not compile.
    InvalidRegex = "invalid-regex", Error, {
        what: "A `pattern` signal or probe whose regular expression is not valid Rust `regex` syntax. The span inside the string and the regex engine's message are shown.",
        why: "The matcher compiles every pattern; one invalid pattern would make the catalogue unusable.",
        example: "failure-mode \"flaky-test\" {\n    title \"Flaky test\"\n    signals {\n        pattern #\"(?i)flak(y|e\"#\n    }\n}",
    };
    /// A version that is not semantic versioning.
    InvalidVersion = "invalid-version", Error, {
        what: "A catalogue `version` or an entry's `since` that is not a semantic version (`MAJOR.MINOR.PATCH`).",
        why: "Versions decide which changes are breaking; they must compare reliably.",
        example: "catalogue \"acme\" version=\"2.3\" {\n    include \"*.kdl\"\n}",
    };
    /// A malformed or missing manifest.
    InvalidManifest = "invalid-manifest", Error, {
        what: "A `gapmine.kdl` without exactly one `catalogue` node, or with a child the manifest does not accept.",
        why: "The manifest names the catalogue and its files; without it nothing else can be found.",
        example: "catalog \"acme\" version=\"1.0.0\" {\n    include \"*.kdl\"\n}",
    };
    /// An include glob that is not a valid glob.
    InvalidGlob = "invalid-glob", Error, {
        what: "An `include` pattern that is not a valid glob.",
        why: "The files it meant to include would silently be left out.",
        example: "catalogue \"acme\" version=\"1.0.0\" {\n    include \"failure-modes/[*.kdl\"\n}",
    };
    /// An include glob that reaches outside the catalogue's folder.
    IncludeEscapesRoot = "include-escapes-root", Error, {
        what: "An `include` pattern that is absolute or climbs out of the manifest's folder with `..`.",
        why: "A catalogue is one folder, versioned as a whole: files outside it are not part of the catalogue's history.",
        example: "catalogue \"acme\" version=\"1.0.0\" {\n    include \"../shared/*.kdl\"\n}",
    };
    /// An include glob that matches no file.
    IncludeMatchesNothing = "include-matches-nothing", Warning, {
        what: "An `include` pattern that matches no `.kdl` file in the catalogue's folder.",
        why: "Usually a typo or a moved folder: the entries meant to be included are missing.",
        example: "catalogue \"acme\" version=\"1.0.0\" {\n    include \"failure-mode/*.kdl\"\n}",
    };
    /// An entry example that the failure mode's signals do not decide as it says.
    FailingExample = "failing-example", Error, {
        what: "An `examples` case of a failure mode that the catalogue's matcher decides otherwise: a `matches` text that is not classified as the failure mode, or a `rejects` text that is. The message gives the score and the threshold.",
        why: "Examples are the entry's own tests: a failing one means the signals do not recognise what the entry says they recognise, or recognise what they should not.",
        example: "failure-mode \"flaky-test\" {\n    title \"Flaky test\"\n    signals {\n        phrase \"flaky\" weight=0.9\n    }\n    examples {\n        matches \"the checkout test fails one run in ten\"\n    }\n}",
    };
    /// A failure mode that no intervention resolves.
    UncoveredFailureMode = "uncovered-failure-mode", Warning, {
        what: "A failure mode that no intervention `resolves` (directly; an intervention on a child failure mode does not cover its parent).",
        why: "An uncovered class is a known gap with no known fix: the report flags it, and so does the checker.",
        example: "failure-mode \"flaky-test\" {\n    title \"Flaky test\"\n}",
    };
    /// A reference to a deprecated entry.
    DeprecatedReference = "deprecated-reference", Warning, {
        what: "A reference to an entry marked `deprecated`. The replacement is named where the entry has a `replaced-by`.",
        why: "A deprecated entry is on its way out; references should move to its replacement before it is removed.",
        example: "failure-mode \"flaky\" {\n    title \"Flaky\"\n    deprecated \"split into finer classes\"\n    replaced-by \"flaky-test\"\n}\nintervention \"quarantine\" {\n    title \"Quarantine\"\n    resolves \"flaky\"\n}",
    };
}
