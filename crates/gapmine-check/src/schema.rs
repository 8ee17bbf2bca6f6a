//! The catalogue language's schema: which nodes go where, with which arguments and properties.
//!
//! One table drives validation (unknown nodes and properties, types, arity, required and
//! duplicate children) and the reference in `docs/language.md`, so the two cannot disagree.

use gapmine_model::EntryKind;

/// The type of an argument or property value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ty {
    /// Any string.
    Str,
    /// An entry id (kebab-case); where `NodeSpec::reference` is set, a reference to one.
    Id,
    /// A number, within a range where given.
    Number {
        /// The smallest allowed value.
        min: f64,
        /// The largest allowed value.
        max: f64,
    },
    /// An integer.
    Integer,
    /// A semantic version string: `1.2.0`.
    Semver,
    /// A regular expression in Rust `regex` syntax.
    Regex,
    /// A date string: `2026-03-02`.
    Date,
    /// A string from a fixed set.
    Enum(&'static [&'static str]),
}

impl Ty {
    /// How the docs and messages name the type.
    pub fn describe(self) -> String {
        match self {
            Ty::Str => "string".into(),
            Ty::Id => "id".into(),
            Ty::Number { min, max } => format!("number in [{min}, {max}]"),
            Ty::Integer => "integer".into(),
            Ty::Semver => "semantic version string".into(),
            Ty::Regex => "regular expression string".into(),
            Ty::Date => "date string (YYYY-MM-DD)".into(),
            Ty::Enum(values) => {
                let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
                format!("one of {}", quoted.join(", "))
            }
        }
    }
}

/// How many arguments a node takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// None.
    None,
    /// Exactly one.
    One,
    /// Zero or one.
    Optional,
    /// One or more.
    OneOrMore,
    /// Two or more (`field NAME VALUE…`).
    TwoOrMore,
}

impl Arity {
    /// Whether `n` arguments are allowed.
    pub fn allows(self, n: usize) -> bool {
        match self {
            Arity::None => n == 0,
            Arity::One => n == 1,
            Arity::Optional => n <= 1,
            Arity::OneOrMore => n >= 1,
            Arity::TwoOrMore => n >= 2,
        }
    }

    /// How the docs and messages say it.
    pub fn describe(self) -> &'static str {
        match self {
            Arity::None => "no arguments",
            Arity::One => "one argument",
            Arity::Optional => "at most one argument",
            Arity::OneOrMore => "one or more arguments",
            Arity::TwoOrMore => "two or more arguments",
        }
    }
}

/// A property a node accepts.
#[derive(Debug, Clone, Copy)]
pub struct PropSpec {
    /// The key.
    pub name: &'static str,
    /// The value's type.
    pub ty: Ty,
    /// Whether the node needs it.
    pub required: bool,
    /// The default, for the docs.
    pub default: Option<&'static str>,
    /// One sentence for the docs.
    pub doc: &'static str,
}

/// A node: its name, arguments, properties and children.
#[derive(Debug, Clone, Copy)]
pub struct NodeSpec {
    /// The node's name.
    pub name: &'static str,
    /// How many arguments.
    pub arity: Arity,
    /// Their type.
    pub arg_ty: Ty,
    /// Where the arguments are ids, the kind of entry they reference.
    pub reference: Option<Reference>,
    /// The properties it accepts.
    pub props: &'static [PropSpec],
    /// The children it accepts (for blocks such as `signals`).
    pub children: &'static [NodeSpec],
    /// Whether the parent needs it.
    pub required: bool,
    /// Whether it may appear more than once.
    pub repeat: bool,
    /// One sentence for the docs.
    pub doc: &'static str,
    /// An example line for the docs.
    pub example: &'static str,
}

/// The kind of entry a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// An entry of this kind.
    Kind(EntryKind),
    /// An entry of the same kind as the one the reference is in (`replaced-by`).
    SameKind,
}

const fn node(name: &'static str, doc: &'static str, example: &'static str) -> NodeSpec {
    NodeSpec {
        name,
        arity: Arity::One,
        arg_ty: Ty::Str,
        reference: None,
        props: &[],
        children: &[],
        required: false,
        repeat: false,
        doc,
        example,
    }
}

const WEIGHT: PropSpec = PropSpec {
    name: "weight",
    ty: Ty::Number {
        min: -1.0,
        max: 1.0,
    },
    required: false,
    default: Some("0.5"),
    doc: "How much the signal counts; a negative weight lowers the score.",
};

const IN: PropSpec = PropSpec {
    name: "in",
    ty: Ty::Enum(&["title", "body", "any"]),
    required: false,
    default: Some("\"any\""),
    doc: "Which text of the record the signal reads.",
};

/// The children every entry accepts.
pub const COMMON: &[NodeSpec] = &[
    NodeSpec {
        required: true,
        ..node(
            "title",
            "A short name for people.",
            "title \"Order-dependent test\"",
        )
    },
    node(
        "summary",
        "A sentence or two on what the entry is.",
        "summary \"A test passes or fails depending on which tests ran before it.\"",
    ),
    NodeSpec {
        arity: Arity::OneOrMore,
        repeat: true,
        ..node("tags", "Free-form tags.", "tags \"testing\" \"flaky\"")
    },
    NodeSpec {
        arity: Arity::OneOrMore,
        repeat: true,
        ..node(
            "see",
            "References: URLs, CWE ids.",
            "see \"https://example.org/flaky-tests\" \"CWE-476\"",
        )
    },
    NodeSpec {
        arg_ty: Ty::Semver,
        ..node(
            "since",
            "The catalogue version that introduced the entry.",
            "since \"1.2.0\"",
        )
    },
    NodeSpec {
        arity: Arity::Optional,
        ..node(
            "deprecated",
            "Marks the entry as on its way out, with an optional reason; references to it are warned about.",
            "deprecated \"split into finer failure modes\"",
        )
    },
    NodeSpec {
        arg_ty: Ty::Id,
        reference: Some(Reference::SameKind),
        ..node(
            "replaced-by",
            "The entry that replaces a deprecated one (of the same kind).",
            "replaced-by \"order-dependent-test\"",
        )
    },
];

const SIGNALS: &[NodeSpec] = &[
    NodeSpec {
        arity: Arity::OneOrMore,
        props: &[WEIGHT, IN],
        repeat: true,
        ..node(
            "phrase",
            "Phrases matched case-insensitively in the record's text; any one fires the signal.",
            "phrase \"passes in isolation\" \"fails when run after\" weight=0.9",
        )
    },
    NodeSpec {
        arity: Arity::OneOrMore,
        arg_ty: Ty::Regex,
        props: &[WEIGHT, IN],
        repeat: true,
        ..node(
            "pattern",
            "Regular expressions (Rust `regex` syntax) matched in the record's text; any one fires the signal.",
            "pattern #\"(?i)test (pollution|interdependen\\w+)\"# weight=0.7 in=\"body\"",
        )
    },
    NodeSpec {
        arity: Arity::OneOrMore,
        props: &[WEIGHT],
        repeat: true,
        ..node(
            "label",
            "Record labels, compared case-insensitively; any one fires the signal.",
            "label \"order-dependent\" weight=0.6",
        )
    },
    NodeSpec {
        arity: Arity::TwoOrMore,
        props: &[WEIGHT],
        repeat: true,
        ..node(
            "field",
            "A record field (first argument) equal to one of the values (the rest).",
            "field \"detected_by\" \"customer\" weight=0.9",
        )
    },
];

const PROBES: &[NodeSpec] = &[NodeSpec {
    props: &[
        PropSpec {
            name: "pattern",
            ty: Ty::Regex,
            required: true,
            default: None,
            doc: "The regular expression to look for in code.",
        },
        PropSpec {
            name: "glob",
            ty: Ty::Str,
            required: false,
            default: Some("every file"),
            doc: "Which files to read.",
        },
    ],
    repeat: true,
    ..node(
        "probe",
        "A place in code where the failure mode may live: a description, a glob and a pattern.",
        "probe \"static mutable state shared by tests\" glob=\"**/*Test.java\" pattern=#\"static\\s+\\w+\"#",
    )
}];

const EXAMPLES: &[NodeSpec] = &[
    NodeSpec {
        repeat: true,
        ..node(
            "matches",
            "An escape title that must classify to this failure mode.",
            "matches \"testLogin fails only when run after testSignup\"",
        )
    },
    NodeSpec {
        repeat: true,
        ..node(
            "rejects",
            "An escape title that must not classify to this failure mode.",
            "rejects \"connection refused to payments db\"",
        )
    },
];

const FAILURE_MODE: &[NodeSpec] = &[
    NodeSpec {
        arg_ty: Ty::Id,
        reference: Some(Reference::Kind(EntryKind::FailureMode)),
        ..node(
            "parent",
            "The failure mode this one refines; a match of the child implies the parent.",
            "parent \"flaky-test\"",
        )
    },
    NodeSpec {
        arg_ty: Ty::Enum(&["control", "system"]),
        ..node(
            "layer",
            "Whether a control of the pipeline leaked (`control`) or the product itself was wrong (`system`).",
            "layer \"control\"",
        )
    },
    NodeSpec {
        arg_ty: Ty::Id,
        reference: Some(Reference::Kind(EntryKind::Control)),
        ..node(
            "caught-by",
            "The control that should have caught it.",
            "caught-by \"unit-tests\"",
        )
    },
    NodeSpec {
        arg_ty: Ty::Number { min: 0.0, max: 1.0 },
        ..node(
            "threshold",
            "The score at or above which a record is classified here, overriding the manifest's.",
            "threshold 0.6",
        )
    },
    NodeSpec {
        arity: Arity::None,
        children: SIGNALS,
        ..node(
            "signals",
            "What in an escape record points to this failure mode.",
            "signals { … }",
        )
    },
    NodeSpec {
        arity: Arity::None,
        children: PROBES,
        ..node(
            "probes",
            "Where else in code the failure mode may live.",
            "probes { … }",
        )
    },
    NodeSpec {
        arity: Arity::None,
        children: EXAMPLES,
        ..node(
            "examples",
            "The entry's own tests, run by `gapmine test`.",
            "examples { … }",
        )
    },
];

const INTERVENTION: &[NodeSpec] = &[
    NodeSpec {
        arg_ty: Ty::Enum(&["test", "control", "code", "process", "guideline", "slicing"]),
        ..node(
            "kind",
            "What kind of change the intervention is.",
            "kind \"control\"",
        )
    },
    NodeSpec {
        repeat: true,
        arity: Arity::OneOrMore,
        arg_ty: Ty::Id,
        reference: Some(Reference::Kind(EntryKind::FailureMode)),
        ..node(
            "resolves",
            "The failure modes it resolves.",
            "resolves \"order-dependent-test\" \"shared-mutable-state\"",
        )
    },
    NodeSpec {
        repeat: true,
        arity: Arity::OneOrMore,
        arg_ty: Ty::Id,
        reference: Some(Reference::Kind(EntryKind::Control)),
        ..node(
            "hardens",
            "The controls it hardens.",
            "hardens \"unit-tests\"",
        )
    },
    NodeSpec {
        arg_ty: Ty::Enum(&["low", "medium", "high"]),
        ..node("effort", "How much work it is.", "effort \"low\"")
    },
    node(
        "verify",
        "The sensor that shows the intervention works, at the control that should have caught the failure.",
        "verify \"A CI job shuffles test order with a logged seed.\"",
    ),
    NodeSpec {
        props: &[
            PropSpec {
                name: "outcome",
                ty: Ty::Enum(&["held", "failed", "pending"]),
                required: true,
                default: None,
                doc: "Whether the intervention held.",
            },
            PropSpec {
                name: "at",
                ty: Ty::Date,
                required: false,
                default: None,
                doc: "When it was applied or judged.",
            },
            PropSpec {
                name: "note",
                ty: Ty::Str,
                required: false,
                default: None,
                doc: "A note.",
            },
        ],
        repeat: true,
        ..node(
            "evidence",
            "One application of the intervention: the escape record's id and whether it held.",
            "evidence \"ESC-1042\" outcome=\"held\" at=\"2026-03-02\" note=\"caught two more pairs\"",
        )
    },
];

const OBJECTIVE: &[NodeSpec] = &[
    node(
        "kpi",
        "The KPI that measures the objective.",
        "kpi \"checkout_success_rate\"",
    ),
    NodeSpec {
        arg_ty: Ty::Enum(&["critical", "high", "medium", "low"]),
        ..node(
            "severity",
            "How bad a hit to the objective is.",
            "severity \"critical\"",
        )
    },
    NodeSpec {
        repeat: true,
        arity: Arity::OneOrMore,
        arg_ty: Ty::Id,
        reference: Some(Reference::Kind(EntryKind::FailureMode)),
        ..node(
            "threatened-by",
            "The failure modes that threaten it.",
            "threatened-by \"missing-null-check\"",
        )
    },
    NodeSpec {
        repeat: true,
        arity: Arity::OneOrMore,
        ..node(
            "services",
            "The services it lives in.",
            "services \"payments\" \"checkout\"",
        )
    },
];

const STAGE: PropSpec = PropSpec {
    name: "stage",
    ty: Ty::Integer,
    required: true,
    default: None,
    doc: "The control's position in the pipeline: lower stages come first.",
};

/// The schema of an entry kind: its own properties and its children (common ones included).
#[derive(Debug, Clone, Copy)]
pub struct EntrySpec {
    /// The kind.
    pub kind: EntryKind,
    /// One sentence for the docs.
    pub doc: &'static str,
    /// Properties on the entry's node.
    pub props: &'static [PropSpec],
    /// Children beyond the common ones.
    pub children: &'static [NodeSpec],
}

/// Every entry kind's schema.
pub const ENTRIES: &[EntrySpec] = &[
    EntrySpec {
        kind: EntryKind::FailureMode,
        doc: "A named class of escape, with the signals that recognise it in escape records.",
        props: &[],
        children: FAILURE_MODE,
    },
    EntrySpec {
        kind: EntryKind::Intervention,
        doc: "An endorsed fix: the failure modes it resolves, the controls it hardens, and the evidence that it held.",
        props: &[],
        children: INTERVENTION,
    },
    EntrySpec {
        kind: EntryKind::Objective,
        doc: "An objective the failure modes threaten: the priority catalogue.",
        props: &[],
        children: OBJECTIVE,
    },
    EntrySpec {
        kind: EntryKind::Control,
        doc: "A station of the delivery pipeline, in stage order.",
        props: &[STAGE],
        children: &[],
    },
];

/// The schema of an entry kind.
pub fn entry(kind: EntryKind) -> &'static EntrySpec {
    ENTRIES
        .iter()
        .find(|e| e.kind == kind)
        .expect("every kind has a schema")
}

/// The manifest's `catalogue` node's children.
pub const MANIFEST: &[NodeSpec] = &[
    NodeSpec {
        arity: Arity::OneOrMore,
        repeat: true,
        required: true,
        ..node(
            "include",
            "Globs, relative to the manifest's folder, of the files that hold the entries.",
            "include \"failure-modes/*.kdl\" \"interventions/*.kdl\"",
        )
    },
    NodeSpec {
        arg_ty: Ty::Number { min: 0.0, max: 1.0 },
        ..node(
            "threshold",
            "The score at or above which a record is classified (default 0.5).",
            "threshold 0.5",
        )
    },
    NodeSpec {
        arity: Arity::None,
        props: PRIORITY_PROPS,
        ..node(
            "priority",
            "How the ranking weighs its priority score's terms, and the half-life of recency (docs/ranking.md); only the weights' ratios matter.",
            "priority recency=2 severity=1.5 half-life=180",
        )
    },
];

/// A weight of the priority score.
const fn priority_weight(name: &'static str, default: &'static str, doc: &'static str) -> PropSpec {
    PropSpec {
        name,
        ty: Ty::Number {
            min: 0.0,
            max: 100.0,
        },
        required: false,
        default: Some(default),
        doc,
    }
}

/// The properties of the manifest's `priority` node (docs/ranking.md).
pub const PRIORITY_PROPS: &[PropSpec] = &[
    priority_weight(
        "frequency",
        "1",
        "The weight of how often the failure mode occurred over the whole history.",
    ),
    priority_weight(
        "recency",
        "2",
        "The weight of how often it occurred lately (its recency-weighted rate).",
    ),
    priority_weight(
        "spread",
        "1",
        "The weight of how many services and teams it occurred in.",
    ),
    priority_weight(
        "lateness",
        "1",
        "The weight of how many stages after its `caught-by` control it was detected.",
    ),
    priority_weight(
        "severity",
        "1.5",
        "The weight of the severity of the objectives it threatens.",
    ),
    PropSpec {
        name: "half-life",
        ty: Ty::Number {
            min: 1.0,
            max: 36500.0,
        },
        required: false,
        default: Some("180"),
        doc: "Days after which an occurrence counts half, in the recency term and the forecasts.",
    },
];

/// The manifest's `catalogue` node's properties.
pub const MANIFEST_PROPS: &[PropSpec] = &[PropSpec {
    name: "version",
    ty: Ty::Semver,
    required: true,
    default: None,
    doc: "The catalogue's semantic version.",
}];
