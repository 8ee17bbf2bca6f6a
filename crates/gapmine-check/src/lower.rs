//! Lowering: one entry's plain KDL node to the model, validated against the schema.
//!
//! Works on `plain::Node` (no positions), so an edit that changes only whitespace or comments
//! gives an equal input and the lowering is reused. Problems are reported with paths.

use gapmine_model as model;
use gapmine_model::{EntryKind, Id, Weight};
use gapmine_syntax::plain::{self, Value};

use crate::codes::Code;
use crate::diagnostic::{LocalDiagnostic, SyntaxPath, Target, did_you_mean};
use crate::schema::{self, Arity, NodeSpec, PropSpec, Ty};

/// An entry lowered: the model (`None` when the node is not an entry or has no id) and the
/// problems found, located inside the entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lowered {
    /// The entry, as far as it could be read.
    pub entry: Option<model::Entry>,
    /// What is wrong with it.
    pub diagnostics: Vec<LocalDiagnostic>,
}

/// The active arguments of a node, in order.
pub(crate) fn args(node: &plain::Node) -> impl Iterator<Item = &Value> {
    node.entries
        .iter()
        .filter(|e| e.name.is_none())
        .map(|e| &e.value)
}

/// The value of the rightmost property `key`.
pub(crate) fn prop<'n>(node: &'n plain::Node, key: &str) -> Option<&'n Value> {
    node.entries
        .iter()
        .rev()
        .find(|e| e.name.as_deref() == Some(key))
        .map(|e| &e.value)
}

fn children(node: &plain::Node) -> &[plain::Node] {
    node.children.as_deref().unwrap_or(&[])
}

fn str_args(node: &plain::Node) -> Vec<String> {
    args(node)
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn first_str(node: &plain::Node) -> Option<String> {
    args(node)
        .next()
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

pub(crate) fn child<'n>(node: &'n plain::Node, name: &str) -> Option<&'n plain::Node> {
    children(node).iter().find(|c| c.name == name)
}

pub(crate) fn child_str(node: &plain::Node, name: &str) -> Option<String> {
    child(node, name).and_then(first_str)
}

pub(crate) fn child_strs(node: &plain::Node, name: &str) -> Vec<String> {
    children(node)
        .iter()
        .filter(|c| c.name == name)
        .flat_map(str_args)
        .collect()
}

fn child_ids(node: &plain::Node, name: &str) -> Vec<Id> {
    child_strs(node, name).into_iter().map(Id).collect()
}

fn number(value: Option<&Value>) -> Option<f64> {
    value.and_then(Value::as_number).map(|n| n.as_f64())
}

/// Lowers one top-level node of a catalogue file.
pub fn lower_entry(node: &plain::Node) -> Lowered {
    let mut lower = Lower::default();
    let entry = lower.entry(node);
    Lowered {
        entry,
        diagnostics: lower.diagnostics,
    }
}

/// Checks values and structure against the schema, collecting diagnostics.
#[derive(Default)]
pub(crate) struct Lower {
    pub(crate) diagnostics: Vec<LocalDiagnostic>,
}

impl Lower {
    fn push(&mut self, diagnostic: LocalDiagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn entry(&mut self, node: &plain::Node) -> Option<model::Entry> {
        let Some(kind) = EntryKind::from_keyword(&node.name) else {
            let kinds = EntryKind::ALL.map(EntryKind::keyword);
            let mut diagnostic = LocalDiagnostic::new(
                Code::UnknownNode,
                SyntaxPath::default(),
                format!("`{}` is not an entry kind", node.name),
            );
            diagnostic = match (node.name.as_str(), did_you_mean(&node.name, kinds)) {
                ("catalogue", _) => diagnostic.help(
                    "the `catalogue` node belongs in the manifest, gapmine.kdl, at the catalogue's root",
                ),
                (_, Some(near)) => diagnostic.help(format!("did you mean `{near}`?")),
                _ => diagnostic.help(
                    "a catalogue file holds `failure-mode`, `intervention`, `objective` and `control` entries",
                ),
            };
            self.push(diagnostic);
            return None;
        };
        let spec = schema::entry(kind);
        let id = self.entry_id(node, kind);
        self.props(
            node,
            &[],
            spec.props,
            &format_args!("{} {}", article(kind), kind.noun()),
        );
        let all: Vec<&NodeSpec> = schema::COMMON.iter().chain(spec.children).collect();
        self.children(node, &[], &all, kind);
        let id = id?;
        Some(build(kind, id, node))
    }

    fn entry_id(&mut self, node: &plain::Node, kind: EntryKind) -> Option<Id> {
        let mut args = args(node);
        let id = match args.next() {
            None => {
                self.push(
                    LocalDiagnostic::new(
                        Code::MissingChild,
                        SyntaxPath::default(),
                        format!("this {} has no id", kind.noun()),
                    )
                    .help(format!(
                        "give it a kebab-case id as its first argument: `{} \"my-id\" {{ … }}`",
                        kind.keyword()
                    )),
                );
                None
            }
            Some(Value::String(id)) => {
                if !Id::is_valid(id) {
                    let suggestion = kebab(id);
                    let mut diagnostic = LocalDiagnostic::new(
                        Code::InvalidId,
                        SyntaxPath::new(&[], Target::Arg(0)),
                        format!("`{id}` is not a valid id"),
                    );
                    diagnostic = if Id::is_valid(&suggestion) {
                        diagnostic.help(format!(
                            "ids are kebab-case (lower-case words joined by hyphens): try `{suggestion}`"
                        ))
                    } else {
                        diagnostic.help("ids are kebab-case: lower-case letters and digits in words joined by single hyphens, starting with a letter")
                    };
                    self.push(diagnostic);
                }
                Some(Id(id.clone()))
            }
            Some(other) => {
                self.push(
                    LocalDiagnostic::new(
                        Code::WrongType,
                        SyntaxPath::new(&[], Target::Arg(0)),
                        format!("an id must be a string, found a {}", other.type_name()),
                    )
                    .help("quote it: `\"my-id\"`"),
                );
                None
            }
        };
        let extra = args.count();
        if extra > 0 {
            self.push(
                LocalDiagnostic::new(
                    Code::WrongType,
                    SyntaxPath::new(&[], Target::Arg(1)),
                    format!(
                        "a {} takes one argument, its id; found {}",
                        kind.noun(),
                        extra + 1
                    ),
                )
                .help("put other information in child nodes, such as `title`"),
            );
        }
        id
    }

    /// Validates the children of `node` against `specs`.
    pub(crate) fn children(
        &mut self,
        node: &plain::Node,
        path: &[u32],
        specs: &[&NodeSpec],
        kind: EntryKind,
    ) {
        let mut seen: Vec<(&str, u32)> = Vec::new();
        for (i, child) in children(node).iter().enumerate() {
            let mut child_path = path.to_vec();
            child_path.push(i as u32);
            let Some(spec) = specs.iter().find(|s| s.name == child.name) else {
                self.unknown_child(child, &child_path, node, specs, kind);
                continue;
            };
            if !spec.repeat {
                if let Some(&(_, first)) = seen.iter().find(|(n, _)| *n == spec.name) {
                    let mut first_path = path.to_vec();
                    first_path.push(first);
                    let mut diagnostic = LocalDiagnostic::new(
                        Code::DuplicateChild,
                        SyntaxPath::new(&child_path, Target::Name),
                        format!("`{}` is given twice", spec.name),
                    )
                    .help(format!("keep one `{}`", spec.name));
                    diagnostic.labels.push((
                        SyntaxPath::new(&first_path, Target::Name),
                        "first given here".into(),
                    ));
                    self.push(diagnostic);
                    continue;
                }
                seen.push((spec.name, i as u32));
            }
            self.node(child, spec, &child_path, kind);
        }
        for spec in specs.iter().filter(|s| s.required) {
            if !children(node).iter().any(|c| c.name == spec.name) {
                let context = if path.is_empty() {
                    format!("this {}", kind.noun())
                } else {
                    format!("`{}`", node.name)
                };
                self.push(
                    LocalDiagnostic::new(
                        Code::MissingChild,
                        SyntaxPath::new(path, Target::Name),
                        format!("{context} has no `{}`", spec.name),
                    )
                    .help(format!("add it: `{}`", spec.example)),
                );
            }
        }
    }

    fn unknown_child(
        &mut self,
        child: &plain::Node,
        path: &[u32],
        parent: &plain::Node,
        specs: &[&NodeSpec],
        kind: EntryKind,
    ) {
        let context = if path.len() == 1 {
            format!("{} {}", article(kind), kind.noun())
        } else {
            format!("`{}`", parent.name)
        };
        let mut diagnostic = LocalDiagnostic::new(
            Code::UnknownNode,
            SyntaxPath::new(path, Target::Name),
            format!("`{}` is not a child of {context}", child.name),
        );
        let names = specs.iter().map(|s| s.name);
        if let Some(near) = did_you_mean(&child.name, names) {
            diagnostic = diagnostic.help(format!("did you mean `{near}`?"));
        } else if let Some(owner) = owner_of(&child.name).filter(|_| path.len() == 1) {
            diagnostic = diagnostic.help(format!(
                "`{}` belongs in {} {}",
                child.name,
                article(owner),
                owner.noun()
            ));
        } else {
            let mut accepted: Vec<String> = specs.iter().map(|s| format!("`{}`", s.name)).collect();
            accepted.sort();
            diagnostic = diagnostic.help(format!("{context} accepts {}", accepted.join(", ")));
        }
        self.push(diagnostic);
    }

    /// Validates one node against its spec: arguments, properties, children.
    fn node(&mut self, node: &plain::Node, spec: &NodeSpec, path: &[u32], kind: EntryKind) {
        let count = args(node).count();
        if !spec.arity.allows(count) {
            let target =
                if count > 0 && matches!(spec.arity, Arity::None | Arity::One | Arity::Optional) {
                    let allowed = if spec.arity == Arity::None { 0 } else { 1 };
                    Target::Arg(allowed.min(count as u32 - 1))
                } else {
                    Target::Name
                };
            self.push(
                LocalDiagnostic::new(
                    Code::WrongType,
                    SyntaxPath::new(path, target),
                    format!(
                        "`{}` takes {}, found {count}",
                        spec.name,
                        spec.arity.describe()
                    ),
                )
                .help(format!("write it as `{}`", spec.example)),
            );
        }
        for (i, value) in args(node).enumerate() {
            let ty = if spec.name == "field" && i == 0 {
                Ty::Str
            } else {
                spec.arg_ty
            };
            self.value(
                value,
                ty,
                SyntaxPath::new(path, Target::Arg(i as u32)),
                spec.name,
            );
        }
        self.props(node, path, spec.props, &format_args!("`{}`", spec.name));
        if spec.children.is_empty() {
            if node.children.as_ref().is_some_and(|c| !c.is_empty()) {
                self.push(
                    LocalDiagnostic::new(
                        Code::UnknownNode,
                        SyntaxPath::new(path, Target::Name),
                        format!("`{}` takes no children", spec.name),
                    )
                    .help(format!("write it as `{}`", spec.example)),
                );
            }
        } else {
            let specs: Vec<&NodeSpec> = spec.children.iter().collect();
            self.children(node, path, &specs, kind);
        }
    }

    /// Validates the properties of a node.
    pub(crate) fn props(
        &mut self,
        node: &plain::Node,
        path: &[u32],
        specs: &[PropSpec],
        what: &dyn std::fmt::Display,
    ) {
        for entry in &node.entries {
            let Some(key) = &entry.name else { continue };
            match specs.iter().find(|p| p.name == key) {
                Some(spec) => self.value(
                    &entry.value,
                    spec.ty,
                    SyntaxPath::new(path, Target::Prop(key.clone())),
                    key,
                ),
                None => {
                    let mut diagnostic = LocalDiagnostic::new(
                        Code::UnknownProperty,
                        SyntaxPath::new(path, Target::PropKey(key.clone())),
                        format!("{what} has no property `{key}`"),
                    );
                    diagnostic = match did_you_mean(key, specs.iter().map(|p| p.name)) {
                        Some(near) => diagnostic.help(format!("did you mean `{near}`?")),
                        None if specs.is_empty() => {
                            diagnostic.help(format!("{what} takes no properties"))
                        }
                        None => {
                            let names: Vec<String> =
                                specs.iter().map(|p| format!("`{}`", p.name)).collect();
                            diagnostic.help(format!("{what} accepts {}", names.join(", ")))
                        }
                    };
                    self.push(diagnostic);
                }
            }
        }
        for spec in specs.iter().filter(|p| p.required) {
            if prop(node, spec.name).is_none() {
                self.push(
                    LocalDiagnostic::new(
                        Code::MissingChild,
                        SyntaxPath::new(path, Target::Name),
                        format!("{what} needs the property `{}`", spec.name),
                    )
                    .help(format!(
                        "add `{}=…` ({})",
                        spec.name,
                        spec.ty.describe()
                    )),
                );
            }
        }
    }

    /// Checks one value against a type.
    pub(crate) fn value(&mut self, value: &Value, ty: Ty, path: SyntaxPath, what: &str) {
        let wrong = |found: &Value| {
            let expected = match ty {
                Ty::Enum(_) => ty.describe(),
                _ => with_article(&ty.describe()),
            };
            LocalDiagnostic::new(
                Code::WrongType,
                path.clone(),
                format!(
                    "`{what}` expects {expected}, found {}",
                    with_article(found.type_name())
                ),
            )
        };
        match ty {
            Ty::Number { min, max } => match value.as_number() {
                Some(n) => {
                    let v = n.as_f64();
                    if !(min..=max).contains(&v) {
                        self.push(
                            LocalDiagnostic::new(
                                Code::InvalidValue,
                                path,
                                format!("`{what}` must be between {min} and {max}, found {n}"),
                            )
                            .help(format!("use a number in [{min}, {max}]")),
                        );
                    }
                }
                None => self.push(wrong(value).help("write a number without quotes: `0.7`")),
            },
            Ty::Integer => match value.as_number() {
                Some(n) if n.as_i64().is_some() => {}
                Some(n) => self.push(
                    LocalDiagnostic::new(
                        Code::WrongType,
                        path,
                        format!("`{what}` expects an integer, found {n}"),
                    )
                    .help("write a whole number: `3`"),
                ),
                None => self.push(wrong(value).help("write a number without quotes: `3`")),
            },
            _ => {
                let Some(text) = value.as_str() else {
                    self.push(wrong(value).help("quote it: strings are written in quotes"));
                    return;
                };
                self.string(text, ty, path, what);
            }
        }
    }

    fn string(&mut self, text: &str, ty: Ty, path: SyntaxPath, what: &str) {
        match ty {
            Ty::Semver => {
                if let Err(error) = semver::Version::parse(text) {
                    // `1.2` is the usual mistake, and semver's message for it ("unexpected end
                    // of input while parsing minor version number") misleads: suggest `1.2.0`.
                    let parts: Vec<&str> = text.split('.').collect();
                    let short = parts.len() < 3
                        && parts
                            .iter()
                            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
                    let diagnostic = if short {
                        let mut full = parts.clone();
                        full.resize(3, "0");
                        LocalDiagnostic::new(
                            Code::InvalidVersion,
                            path,
                            format!("`{text}` is not a semantic version: it needs three numbers"),
                        )
                        .help(format!("write MAJOR.MINOR.PATCH: `{}`", full.join(".")))
                    } else {
                        LocalDiagnostic::new(
                            Code::InvalidVersion,
                            path,
                            format!("`{text}` is not a semantic version: {error}"),
                        )
                        .help("write MAJOR.MINOR.PATCH, such as `1.2.0`")
                    };
                    self.push(diagnostic);
                }
            }
            Ty::Regex => {
                if let Some((message, start, end)) = regex_error(text) {
                    let path = match path.target {
                        Target::Arg(arg) => {
                            SyntaxPath::new(&path.children, Target::ArgSpan { arg, start, end })
                        }
                        Target::Prop(key) => {
                            SyntaxPath::new(&path.children, Target::PropSpan { key, start, end })
                        }
                        _ => path,
                    };
                    self.push(
                        LocalDiagnostic::new(Code::InvalidRegex, path, format!("invalid regular expression: {message}"))
                            .help("patterns use Rust `regex` syntax (no look-around or backreferences); write them as raw strings, #\"…\"#, so backslashes need no escaping"),
                    );
                }
            }
            Ty::Date => {
                if !is_date(text) {
                    self.push(
                        LocalDiagnostic::new(
                            Code::InvalidValue,
                            path,
                            format!("`{text}` is not a date"),
                        )
                        .help("write dates as YYYY-MM-DD, such as `2026-03-02`"),
                    );
                }
            }
            Ty::Enum(values) => {
                if !values.contains(&text) {
                    let mut diagnostic = LocalDiagnostic::new(
                        Code::InvalidValue,
                        path,
                        format!("`{text}` is not a valid `{what}`"),
                    );
                    diagnostic = match did_you_mean(text, values.iter().copied()) {
                        Some(near) => diagnostic.help(format!(
                            "did you mean `{near}`? (expected {})",
                            ty.describe()
                        )),
                        None => diagnostic.help(format!("expected {}", ty.describe())),
                    };
                    self.push(diagnostic);
                }
            }
            Ty::Str | Ty::Id | Ty::Number { .. } | Ty::Integer => {}
        }
    }
}

/// `a` or `an`, for messages that name a kind of entry.
pub(crate) fn article(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Intervention | EntryKind::Objective => "an",
        EntryKind::FailureMode | EntryKind::Control => "a",
    }
}

/// A noun phrase with its indefinite article: `an integer`, `a string`.
fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

/// The kind of entry that accepts a child of this name, for "belongs in" hints.
fn owner_of(name: &str) -> Option<EntryKind> {
    schema::ENTRIES
        .iter()
        .find(|e| e.children.iter().any(|c| c.name == name))
        .map(|e| e.kind)
}

/// The regex engine's message and the span of the error in the pattern, if it is invalid.
fn regex_error(pattern: &str) -> Option<(String, u32, u32)> {
    let mut parser = regex_syntax::ast::parse::Parser::new();
    let ast = match parser.parse(pattern) {
        Ok(ast) => ast,
        Err(error) => {
            let span = error.span();
            return Some((
                error.kind().to_string(),
                span.start.offset as u32,
                span.end.offset as u32,
            ));
        }
    };
    let mut translator = regex_syntax::hir::translate::Translator::new();
    match translator.translate(pattern, &ast) {
        Ok(_) => None,
        Err(error) => {
            let span = error.span();
            Some((
                error.kind().to_string(),
                span.start.offset as u32,
                span.end.offset as u32,
            ))
        }
    }
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| {
        b[r.clone()]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| text[r].parse::<u32>().ok())
            .flatten()
    };
    match (digits(0..4), digits(5..7), digits(8..10)) {
        (Some(_), Some(m), Some(d)) => (1..=12).contains(&m) && (1..=31).contains(&d),
        _ => false,
    }
}

/// A kebab-case rendering of a would-be id, for suggestions.
fn kebab(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn build(kind: EntryKind, id: Id, node: &plain::Node) -> model::Entry {
    let common = model::Common {
        id,
        title: child_str(node, "title").unwrap_or_default(),
        summary: child_str(node, "summary"),
        tags: child_strs(node, "tags"),
        see: child_strs(node, "see"),
        since: child_str(node, "since"),
        deprecated: child(node, "deprecated").map(|d| first_str(d).unwrap_or_default()),
        replaced_by: child_str(node, "replaced-by").map(Id),
    };
    match kind {
        EntryKind::FailureMode => model::Entry::FailureMode(model::FailureMode {
            common,
            parent: child_str(node, "parent").map(Id),
            layer: child_str(node, "layer").and_then(|l| match l.as_str() {
                "control" => Some(model::Layer::Control),
                "system" => Some(model::Layer::System),
                _ => None,
            }),
            caught_by: child_str(node, "caught-by").map(Id),
            threshold: child(node, "threshold")
                .and_then(|t| number(args(t).next()))
                .map(Weight),
            signals: child(node, "signals").map(signals).unwrap_or_default(),
            probes: child(node, "probes").map(probes).unwrap_or_default(),
            examples: child(node, "examples").map(examples).unwrap_or_default(),
        }),
        EntryKind::Intervention => model::Entry::Intervention(model::Intervention {
            common,
            kind: child_str(node, "kind").and_then(|k| match k.as_str() {
                "test" => Some(model::InterventionKind::Test),
                "control" => Some(model::InterventionKind::Control),
                "code" => Some(model::InterventionKind::Code),
                "process" => Some(model::InterventionKind::Process),
                "guideline" => Some(model::InterventionKind::Guideline),
                "slicing" => Some(model::InterventionKind::Slicing),
                _ => None,
            }),
            resolves: child_ids(node, "resolves"),
            hardens: child_ids(node, "hardens"),
            effort: child_str(node, "effort").and_then(|e| match e.as_str() {
                "low" => Some(model::Effort::Low),
                "medium" => Some(model::Effort::Medium),
                "high" => Some(model::Effort::High),
                _ => None,
            }),
            verify: child_str(node, "verify"),
            evidence: children(node)
                .iter()
                .filter(|c| c.name == "evidence")
                .filter_map(|e| {
                    Some(model::Evidence {
                        record: first_str(e)?,
                        outcome: match prop(e, "outcome")?.as_str()? {
                            "held" => model::Outcome::Held,
                            "failed" => model::Outcome::Failed,
                            "pending" => model::Outcome::Pending,
                            _ => return None,
                        },
                        at: prop(e, "at").and_then(Value::as_str).map(str::to_string),
                        note: prop(e, "note").and_then(Value::as_str).map(str::to_string),
                    })
                })
                .collect(),
        }),
        EntryKind::Objective => model::Entry::Objective(model::Objective {
            common,
            kpi: child_str(node, "kpi"),
            severity: child_str(node, "severity").and_then(|s| match s.as_str() {
                "critical" => Some(model::Severity::Critical),
                "high" => Some(model::Severity::High),
                "medium" => Some(model::Severity::Medium),
                "low" => Some(model::Severity::Low),
                _ => None,
            }),
            threatened_by: child_ids(node, "threatened-by"),
            services: child_strs(node, "services"),
        }),
        EntryKind::Control => model::Entry::Control(model::Control {
            common,
            stage: prop(node, "stage")
                .and_then(Value::as_number)
                .and_then(|n| n.as_i64())
                .unwrap_or(0),
        }),
    }
}

fn signals(block: &plain::Node) -> Vec<model::Signal> {
    children(block)
        .iter()
        .filter_map(|s| {
            let weight = Weight(number(prop(s, "weight")).unwrap_or(0.5));
            let field = match prop(s, "in").and_then(Value::as_str) {
                Some("title") => model::TextField::Title,
                Some("body") => model::TextField::Body,
                _ => model::TextField::Any,
            };
            let kind = match s.name.as_str() {
                "phrase" => model::SignalKind::Phrase(str_args(s)),
                "pattern" => model::SignalKind::Pattern(str_args(s)),
                "label" => model::SignalKind::Label(str_args(s)),
                "field" => {
                    let mut values = str_args(s);
                    if values.is_empty() {
                        return None;
                    }
                    let name = values.remove(0);
                    model::SignalKind::Field { name, values }
                }
                _ => return None,
            };
            Some(model::Signal {
                kind,
                weight,
                field,
            })
        })
        .collect()
}

fn probes(block: &plain::Node) -> Vec<model::Probe> {
    children(block)
        .iter()
        .filter(|p| p.name == "probe")
        .filter_map(|p| {
            Some(model::Probe {
                description: first_str(p).unwrap_or_default(),
                glob: prop(p, "glob").and_then(Value::as_str).map(str::to_string),
                pattern: prop(p, "pattern")?.as_str()?.to_string(),
            })
        })
        .collect()
}

fn examples(block: &plain::Node) -> Vec<model::Example> {
    children(block)
        .iter()
        .filter_map(|e| {
            let matches = match e.name.as_str() {
                "matches" => true,
                "rejects" => false,
                _ => return None,
            };
            Some(model::Example {
                matches,
                text: first_str(e)?,
            })
        })
        .collect()
}
