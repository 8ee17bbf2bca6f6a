//! The salsa database: inputs (file texts, the catalogue's file list) and the tracked queries
//! parse → entries → lower → index → check.
//!
//! Granularity follows what changes together: a file's parse and its split into entries are
//! per file; lowering and reference checks are per entry (a tracked struct keyed by the entry's
//! kind and id, whose content is the position-free plain node); the index and the global
//! checks are per catalogue but depend only on small per-entry facts, so they are re-verified,
//! not re-run, when an entry's text changes without changing those facts.

use std::collections::HashMap;

use gapmine_model::{EntryKind, Id};
use gapmine_syntax::{Parse, plain};

use crate::lower::{self, Lowered};
use crate::schema::{self, NodeSpec, Reference};
use crate::{LocalDiagnostic, SyntaxPath, Target};

/// The database trait the queries run on.
#[salsa::db]
pub trait Db: salsa::Database {}

#[salsa::db]
impl<T: salsa::Database> Db for T {}

/// One catalogue file: its path relative to the catalogue's root (`/`-separated) and its text.
#[salsa::input(debug)]
pub struct SourceFile {
    /// The path relative to the catalogue's root.
    #[returns(ref)]
    pub path: String,
    /// The file's text.
    #[returns(ref)]
    pub text: String,
}

/// The catalogue: its manifest and every `.kdl` file under its root (the include globs of the
/// manifest decide which of them are part of it).
#[salsa::input(debug)]
pub struct Catalogue {
    /// `gapmine.kdl`.
    #[returns(copy)]
    pub manifest: SourceFile,
    /// Every other `.kdl` file under the root, in path order.
    #[returns(ref)]
    pub files: Vec<SourceFile>,
}

/// A file parsed.
#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: SourceFile) -> Parse {
    gapmine_syntax::parse(file.text(db))
}

/// One top-level node of a catalogue file, identified by its file, name and first argument.
/// Its content is the plain node: equal across edits that only move text around.
#[salsa::tracked(debug)]
pub struct EntryNode<'db> {
    /// The file it is in.
    #[returns(copy)]
    pub file: SourceFile,
    /// The node's name: `failure-mode`, `intervention`, … (or a misspelling).
    #[returns(ref)]
    pub name: String,
    /// Its first argument, if it is a string: the entry's id.
    #[returns(ref)]
    pub id: Option<String>,
    /// The node's content, without positions.
    #[tracked]
    #[returns(ref)]
    pub node: plain::Node,
}

impl<'db> EntryNode<'db> {
    /// The entry's kind, if its name is one.
    pub fn kind(self, db: &'db dyn Db) -> Option<EntryKind> {
        EntryKind::from_keyword(self.name(db))
    }
}

/// The top-level nodes of a file that have a name, in order, as entries.
#[salsa::tracked(returns(ref))]
pub fn file_entries(db: &dyn Db, file: SourceFile) -> Vec<EntryNode<'_>> {
    parse(db, file)
        .document()
        .active_nodes()
        .filter_map(|n| n.to_plain())
        .map(|node| {
            let id = lower::args(&node)
                .next()
                .and_then(|v| v.as_str())
                .map(str::to_string);
            EntryNode::new(db, file, node.name.clone(), id, node)
        })
        .collect()
}

/// One entry lowered to the model, with the problems found inside it.
#[salsa::tracked(returns(ref))]
pub fn lowered<'db>(db: &'db dyn Db, entry: EntryNode<'db>) -> Lowered {
    lower::lower_entry(entry.node(db))
}

/// What other entries need to know of an entry: small, so it rarely changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    /// The entry's title.
    pub title: String,
    /// Whether it is deprecated.
    pub deprecated: bool,
    /// Its replacement, if deprecated.
    pub replaced_by: Option<Id>,
}

/// The facts about an entry that references to it depend on.
#[salsa::tracked(returns(ref))]
pub fn header<'db>(db: &'db dyn Db, entry: EntryNode<'db>) -> Option<Header> {
    let model = lowered(db, entry).entry.as_ref()?;
    let common = model.common();
    Some(Header {
        title: common.title.clone(),
        deprecated: common.deprecated.is_some(),
        replaced_by: common.replaced_by.clone(),
    })
}

/// A reference from an entry to an id, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RefSite {
    /// The id referred to.
    pub target: String,
    /// The kind the position expects.
    pub expected: EntryKind,
    /// The child node that holds the reference (`resolves`, `parent`, …).
    pub via: &'static str,
    /// Where it is written in the entry.
    pub path: SyntaxPath,
}

/// Every reference an entry makes, found through the schema.
#[salsa::tracked(returns(ref))]
pub fn references<'db>(db: &'db dyn Db, entry: EntryNode<'db>) -> Vec<RefSite> {
    let Some(kind) = entry.kind(db) else {
        return Vec::new();
    };
    let spec = schema::entry(kind);
    let specs: Vec<&NodeSpec> = schema::COMMON.iter().chain(spec.children).collect();
    let mut out = Vec::new();
    let node = entry.node(db);
    for (i, child) in node.children.as_deref().unwrap_or(&[]).iter().enumerate() {
        let Some(spec) = specs.iter().find(|s| s.name == child.name) else {
            continue;
        };
        let Some(reference) = spec.reference else {
            continue;
        };
        let expected = match reference {
            Reference::Kind(k) => k,
            Reference::SameKind => kind,
        };
        for (j, value) in lower::args(child).enumerate() {
            if let Some(target) = value.as_str() {
                out.push(RefSite {
                    target: target.to_string(),
                    expected,
                    via: spec.name,
                    path: SyntaxPath::new(&[i as u32], Target::Arg(j as u32)),
                });
            }
        }
    }
    out
}

/// The manifest, read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ManifestInfo {
    /// The manifest, if it has a `catalogue` node with a name.
    pub manifest: Option<gapmine_model::Manifest>,
    /// Problems, located by top-level node index and path.
    pub diagnostics: Vec<(u32, LocalDiagnostic)>,
    /// Each include glob and where it is written: (glob, top-level node, child, argument).
    pub include_sites: Vec<(String, u32, u32, u32)>,
}

/// The manifest lowered.
#[salsa::tracked(returns(ref))]
pub fn manifest(db: &dyn Db, catalogue: Catalogue) -> ManifestInfo {
    let file = catalogue.manifest(db);
    let doc = parse(db, file).plain();
    crate::manifest::lower_manifest(&doc)
}

/// The files the include globs select, and the problems with the globs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Included {
    /// The selected files, in path order.
    pub files: Vec<SourceFile>,
    /// Problems, located in the manifest by top-level node index and path.
    pub diagnostics: Vec<(u32, LocalDiagnostic)>,
}

/// The catalogue's files, selected by the manifest's include globs.
#[salsa::tracked(returns(ref))]
pub fn included_files(db: &dyn Db, catalogue: Catalogue) -> Included {
    let info = manifest(db, catalogue);
    let paths: Vec<(&str, SourceFile)> = catalogue
        .files(db)
        .iter()
        .map(|f| (f.path(db).as_str(), *f))
        .collect();
    crate::manifest::select(info, &paths)
}

/// Every entry of the catalogue, file by file.
#[salsa::tracked(returns(ref))]
pub fn entries(db: &dyn Db, catalogue: Catalogue) -> Vec<EntryNode<'_>> {
    included_files(db, catalogue)
        .files
        .iter()
        .flat_map(|f| file_entries(db, *f).iter().copied())
        .collect()
}

/// The entries by id: every entry of a known kind with a string id.
#[derive(Debug, Clone, PartialEq, Eq, Default, salsa::SalsaValue)]
pub struct Index<'db> {
    /// Id to entries, in catalogue order (more than one: a duplicate).
    pub by_id: HashMap<String, Vec<EntryNode<'db>>>,
}

impl<'db> Index<'db> {
    /// The first entry with this id.
    pub fn get(&self, id: &str) -> Option<EntryNode<'db>> {
        self.by_id.get(id).and_then(|v| v.first().copied())
    }
}

/// The catalogue's index of ids. Depends only on entries' names and ids, not their content.
#[salsa::tracked(returns(ref))]
pub fn index(db: &dyn Db, catalogue: Catalogue) -> Index<'_> {
    let mut by_id: HashMap<String, Vec<EntryNode<'_>>> = HashMap::new();
    for entry in entries(db, catalogue) {
        if entry.kind(db).is_none() {
            continue;
        }
        if let Some(id) = entry.id(db) {
            by_id.entry(id.clone()).or_default().push(*entry);
        }
    }
    Index { by_id }
}

/// The parent an entry names, if it is a failure mode.
#[salsa::tracked(returns(ref))]
pub fn parent_of<'db>(db: &'db dyn Db, entry: EntryNode<'db>) -> Option<Id> {
    match lowered(db, entry).entry.as_ref()? {
        gapmine_model::Entry::FailureMode(fm) => fm.parent.clone(),
        _ => None,
    }
}

/// The failure modes an entry resolves, if it is an intervention.
#[salsa::tracked(returns(ref))]
pub fn resolves_of<'db>(db: &'db dyn Db, entry: EntryNode<'db>) -> Vec<Id> {
    match lowered(db, entry).entry.as_ref() {
        Some(gapmine_model::Entry::Intervention(i)) => i.resolves.clone(),
        _ => Vec::new(),
    }
}

/// The whole model: every lowered entry, in catalogue order.
#[salsa::tracked(returns(ref))]
pub fn model(db: &dyn Db, catalogue: Catalogue) -> Vec<gapmine_model::Entry> {
    entries(db, catalogue)
        .iter()
        .filter_map(|e| lowered(db, *e).entry.clone())
        .collect()
}
