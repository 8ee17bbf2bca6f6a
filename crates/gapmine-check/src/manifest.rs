//! The manifest, `gapmine.kdl`: its `catalogue` node lowered, and its include globs matched
//! against the files under the catalogue's root.

use gapmine_model::{Manifest, Priority, Weight};
use gapmine_syntax::plain::{self, Value};

use crate::codes::Code;
use crate::db::{Included, ManifestInfo, SourceFile};
use crate::diagnostic::{LocalDiagnostic, SyntaxPath, Target, did_you_mean};
use crate::lower::{Lower, args};
use crate::schema::{self, Ty};

/// The index used for manifest problems that belong to no node (an empty manifest).
pub const NO_NODE: u32 = u32::MAX;

/// Lowers the manifest's document.
pub fn lower_manifest(doc: &plain::Document) -> ManifestInfo {
    let mut diagnostics = Vec::new();
    let mut found: Option<(u32, &plain::Node)> = None;
    for (i, node) in doc.nodes.iter().enumerate() {
        let i = i as u32;
        if node.name == "catalogue" {
            if found.is_some() {
                // A label cannot point at the first `catalogue`: a manifest diagnostic's labels
                // are anchored at its own top-level node.
                let d = LocalDiagnostic::new(
                    Code::InvalidManifest,
                    SyntaxPath::default(),
                    "the manifest has a second `catalogue` node",
                )
                .help("a manifest describes one catalogue: keep the first `catalogue` node and remove this one");
                diagnostics.push((i, d));
            } else {
                found = Some((i, node));
            }
            continue;
        }
        let mut d = LocalDiagnostic::new(
            Code::InvalidManifest,
            SyntaxPath::default(),
            format!("`{}` does not belong in the manifest", node.name),
        );
        d = if gapmine_model::EntryKind::from_keyword(&node.name).is_some() {
            d.help("entries belong in the files the manifest includes, not in gapmine.kdl itself")
        } else if let Some(near) = did_you_mean(&node.name, ["catalogue"]) {
            d.help(format!("did you mean `{near}`?"))
        } else {
            d.help("the manifest holds one `catalogue` node: `catalogue \"name\" version=\"1.0.0\" { include \"*.kdl\" }`")
        };
        diagnostics.push((i, d));
    }
    let Some((index, node)) = found else {
        if !doc
            .nodes
            .iter()
            .any(|n| did_you_mean(&n.name, ["catalogue"]).is_some())
        {
            diagnostics.push((
                NO_NODE,
                LocalDiagnostic::new(
                    Code::InvalidManifest,
                    SyntaxPath::default(),
                    "the manifest has no `catalogue` node",
                )
                .help(
                    "start it with `catalogue \"name\" version=\"1.0.0\" { include \"**/*.kdl\" }`",
                ),
            ));
        }
        return ManifestInfo {
            manifest: None,
            diagnostics,
            include_sites: Vec::new(),
        };
    };
    let mut lower = Lower::default();
    let name = match args(node).next() {
        Some(Value::String(name)) => name.clone(),
        Some(other) => {
            lower.value(
                other,
                Ty::Str,
                SyntaxPath::new(&[], Target::Arg(0)),
                "catalogue",
            );
            String::new()
        }
        None => {
            lower.diagnostics.push(
                LocalDiagnostic::new(
                    Code::InvalidManifest,
                    SyntaxPath::default(),
                    "the catalogue has no name",
                )
                .help("name it: `catalogue \"acme-quality\" version=\"1.0.0\" { … }`"),
            );
            String::new()
        }
    };
    lower.props(node, &[], schema::MANIFEST_PROPS, &"`catalogue`");
    let mut include = Vec::new();
    let mut threshold = Weight(0.5);
    let mut seen_threshold = false;
    let mut priority = Priority::default();
    let mut seen_priority = false;
    for (k, child) in node.children.as_deref().unwrap_or(&[]).iter().enumerate() {
        let path = [k as u32];
        let Some(spec) = schema::MANIFEST.iter().find(|s| s.name == child.name) else {
            let mut d = LocalDiagnostic::new(
                Code::InvalidManifest,
                SyntaxPath::new(&path, Target::Name),
                format!("`{}` is not a child of `catalogue`", child.name),
            );
            d = match did_you_mean(&child.name, schema::MANIFEST.iter().map(|s| s.name)) {
                Some(near) => d.help(format!("did you mean `{near}`?")),
                None => d.help("`catalogue` accepts `include`, `threshold` and `priority`"),
            };
            lower.diagnostics.push(d);
            continue;
        };
        if !spec.arity.allows(args(child).count()) {
            lower.diagnostics.push(
                LocalDiagnostic::new(
                    Code::WrongType,
                    SyntaxPath::new(&path, Target::Name),
                    format!("`{}` takes {}", spec.name, spec.arity.describe()),
                )
                .help(format!("write it as `{}`", spec.example)),
            );
        }
        for (j, value) in args(child).enumerate() {
            lower.value(
                value,
                spec.arg_ty,
                SyntaxPath::new(&path, Target::Arg(j as u32)),
                spec.name,
            );
        }
        lower.props(child, &path, spec.props, &format_args!("`{}`", spec.name));
        match spec.name {
            "include" => {
                for (j, value) in args(child).enumerate() {
                    if let Some(glob) = value.as_str() {
                        include.push((glob.to_string(), k as u32, j as u32));
                    }
                }
            }
            "priority" => {
                if seen_priority {
                    lower.diagnostics.push(
                        LocalDiagnostic::new(
                            Code::DuplicateChild,
                            SyntaxPath::new(&path, Target::Name),
                            "`priority` is given twice",
                        )
                        .help("keep one `priority` node, with every weight on it"),
                    );
                }
                seen_priority = true;
                priority = lower_priority(child, priority);
            }
            _ => {
                if seen_threshold {
                    lower.diagnostics.push(
                        LocalDiagnostic::new(
                            Code::DuplicateChild,
                            SyntaxPath::new(&path, Target::Name),
                            "`threshold` is given twice",
                        )
                        .help("keep one `threshold`"),
                    );
                }
                seen_threshold = true;
                if let Some(n) = args(child).next().and_then(Value::as_number) {
                    threshold = Weight(n.as_f64());
                }
            }
        }
    }
    if include.is_empty()
        && !node
            .children
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .any(|c| c.name == "include")
    {
        lower.diagnostics.push(
            LocalDiagnostic::new(
                Code::InvalidManifest,
                SyntaxPath::default(),
                "the catalogue includes no files",
            )
            .help(
                "add `include \"**/*.kdl\"` (globs relative to this file) inside `catalogue { … }`",
            ),
        );
    }
    let version = node
        .entries
        .iter()
        .rev()
        .find(|e| e.name.as_deref() == Some("version"))
        .and_then(|e| e.value.as_str())
        .unwrap_or_default()
        .to_string();
    diagnostics.extend(lower.diagnostics.into_iter().map(|d| (index, d)));
    ManifestInfo {
        manifest: Some(Manifest {
            name,
            version,
            include: include.iter().map(|(g, _, _)| g.clone()).collect(),
            threshold,
            priority,
        }),
        diagnostics,
        include_sites: include
            .into_iter()
            .map(|(glob, child, arg)| (glob, index, child, arg))
            .collect(),
    }
}

/// The weights a `priority` node sets (its properties were validated against the schema; a
/// value of the wrong type is reported there and left unset here).
fn lower_priority(node: &plain::Node, mut priority: Priority) -> Priority {
    for entry in &node.entries {
        let (Some(name), Some(n)) = (entry.name.as_deref(), entry.value.as_number()) else {
            continue;
        };
        let n = n.as_f64();
        let Some(spec) = schema::PRIORITY_PROPS.iter().find(|p| p.name == name) else {
            continue;
        };
        if let Ty::Number { min, max } = spec.ty
            && !(min..=max).contains(&n)
        {
            continue;
        }
        let slot = match name {
            "frequency" => &mut priority.frequency,
            "recency" => &mut priority.recency,
            "spread" => &mut priority.spread,
            "lateness" => &mut priority.lateness,
            "severity" => &mut priority.severity,
            "half-life" => &mut priority.half_life_days,
            _ => continue,
        };
        *slot = Some(Weight(n));
    }
    priority
}

/// Selects the files the include globs match, reporting globs that are invalid, escape the root,
/// or match nothing.
pub fn select(info: &ManifestInfo, files: &[(&str, SourceFile)]) -> Included {
    let mut diagnostics = Vec::new();
    let mut selected = vec![false; files.len()];
    for (glob, node, child, arg) in &info.include_sites {
        let path = SyntaxPath::new(&[*child], Target::Arg(*arg));
        let escapes = glob.starts_with('/')
            || glob.starts_with('\\')
            || glob.split(['/', '\\']).any(|part| part == "..")
            || glob.as_bytes().get(1) == Some(&b':');
        if escapes {
            diagnostics.push((
                *node,
                LocalDiagnostic::new(
                    Code::IncludeEscapesRoot,
                    path,
                    format!("`{glob}` reaches outside the catalogue's folder"),
                )
                .help("include globs are relative to gapmine.kdl and stay inside its folder; move the files into the catalogue"),
            ));
            continue;
        }
        let matcher = match globset::GlobBuilder::new(glob)
            .literal_separator(true)
            .build()
        {
            Ok(g) => g.compile_matcher(),
            Err(error) => {
                diagnostics.push((
                    *node,
                    LocalDiagnostic::new(Code::InvalidGlob, path, format!("`{glob}` is not a valid glob: {}", error.kind()))
                        .help("globs use `*` within a folder, `**` across folders, `?`, `[abc]` and `{a,b}`"),
                ));
                continue;
            }
        };
        let mut any = false;
        for (i, (file, _)) in files.iter().enumerate() {
            if matcher.is_match(file) {
                selected[i] = true;
                any = true;
            }
        }
        if !any {
            diagnostics.push((
                *node,
                LocalDiagnostic::new(Code::IncludeMatchesNothing, path, format!("`{glob}` matches no `.kdl` file"))
                    .help("check the folder and file names; globs are relative to gapmine.kdl, and `*` does not cross `/` (use `**`)"),
            ));
        }
    }
    Included {
        files: files
            .iter()
            .zip(selected)
            .filter(|(_, s)| *s)
            .map(|((_, f), _)| *f)
            .collect(),
        diagnostics,
    }
}
