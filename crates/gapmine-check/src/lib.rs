//! gapmine's checker: a salsa database that parses, lowers, resolves and checks catalogues.
//!
//! Inputs are the texts of the catalogue's files (set by the CLI or the language server, which
//! do all IO); everything else is a tracked query. Diagnostics are data, positioned by path
//! while checking and by range at the end ([`catalogue_diagnostics`], [`file_diagnostics`]).
//!
//! Looking ids up: [`db::definitions`] (every entry with an id, in catalogue order),
//! [`db::resolve`] (the first, what references resolve to) and [`db::is_resolved`] (whether an
//! intervention resolves it) read one bucket of ids each ([`db::buckets`]), so a query that
//! calls them depends on that bucket only and is not re-run by a rename elsewhere.
//! [`db::index`] is every id at once, for callers that need them all; the checks never read it.
//! What each entry refers to is in [`db::file_facts`] (its `references`, with their paths).

#![warn(clippy::disallowed_methods)]

pub mod checks;
pub mod codes;
pub mod db;
mod diagnostic;
pub mod lower;
pub mod manifest;
pub mod schema;
pub mod source_map;

pub use codes::{Code, Severity};
pub use db::{Catalogue, Db, EntryNode, SourceFile};
pub use diagnostic::{Diagnostic, Label, LocalDiagnostic, SyntaxPath, Target, did_you_mean};

use checks::{Anchor, Anchored};

/// A database to run the queries on: the storage, and an optional hook that sees every
/// salsa event (tests use it to prove what was re-executed).
#[salsa::db]
#[derive(Clone, Default)]
pub struct CheckDatabase {
    storage: salsa::Storage<Self>,
}

impl std::fmt::Debug for CheckDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckDatabase")
    }
}

#[salsa::db]
impl salsa::Database for CheckDatabase {}

impl CheckDatabase {
    /// A database whose every salsa event goes to `hook`.
    pub fn with_event_hook(hook: impl Fn(salsa::Event) + Send + Sync + 'static) -> CheckDatabase {
        CheckDatabase {
            storage: salsa::Storage::new(Some(Box::new(hook))),
        }
    }
}

/// The problems found anywhere in the catalogue that are about the catalogue as a whole: the
/// manifest, the include globs, `parent` cycles, and the checks of ids (duplicate ids, failure
/// modes no intervention resolves, dangling references, references to the wrong kind or to a
/// deprecated entry), which run a bucket of ids at a time ([`checks::bucket_checks`]). Each file
/// reads only its share ([`global_shares`]): one edge to prove after an edit elsewhere, where
/// reading the buckets of its ids and references was about a hundred.
#[salsa::tracked(returns(ref))]
pub fn global_diagnostics(db: &dyn Db, catalogue: Catalogue) -> Vec<Anchored<'_>> {
    let mut out: Vec<Anchored<'_>> = Vec::new();
    let manifest = db::manifest(db, catalogue);
    for (node, local) in manifest
        .diagnostics
        .iter()
        .chain(&db::included_files(db, catalogue).diagnostics)
    {
        out.push(Anchored::from_local(Anchor::Manifest(*node), local));
    }
    out.extend(checks::cycles::parent_cycles(db, catalogue).iter().cloned());
    out.extend(checks::id_checks(db, catalogue).iter().cloned());
    out
}

/// One file's share of the catalogue-wide problems, as a tracked field: compared on every
/// new global check, so a file renders its diagnostics again only when its share changed.
#[salsa::tracked(debug)]
pub struct GlobalShare<'db> {
    /// The file.
    #[returns(copy)]
    pub file: SourceFile,
    /// Its problems.
    #[tracked]
    #[returns(ref)]
    pub diagnostics: Vec<Anchored<'db>>,
}

/// The catalogue-wide problems split by file: one share for the manifest and each included file.
#[salsa::tracked(returns(ref))]
pub fn global_shares(
    db: &dyn Db,
    catalogue: Catalogue,
) -> rustc_hash::FxHashMap<SourceFile, GlobalShare<'_>> {
    let manifest = catalogue.manifest(db);
    let files: Vec<SourceFile> = std::iter::once(manifest)
        .chain(db::included_files(db, catalogue).files.iter().copied())
        .collect();
    let mut shares: Vec<Vec<Anchored<'_>>> = vec![Vec::new(); files.len()];
    let position: rustc_hash::FxHashMap<SourceFile, usize> =
        files.iter().enumerate().map(|(i, f)| (*f, i)).collect();
    for diagnostic in global_diagnostics(db, catalogue) {
        let file = match diagnostic.at.0 {
            Anchor::Entry(entry) => entry.file(db),
            Anchor::Manifest(_) => manifest,
        };
        if let Some(&i) = position.get(&file) {
            shares[i].push(diagnostic.clone());
        }
    }
    files
        .into_iter()
        .zip(shares)
        .map(|(file, diagnostics)| (file, GlobalShare::new(db, file, diagnostics)))
        .collect()
}

/// A file's share of the catalogue-wide problems.
fn global_share<'db>(
    db: &'db dyn Db,
    catalogue: Catalogue,
    file: SourceFile,
) -> &'db [Anchored<'db>] {
    global_shares(db, catalogue)
        .get(&file)
        .map_or(&[], |s| s.diagnostics(db).as_slice())
}

/// The diagnostics of one file of the catalogue (the manifest or an included file), with
/// ranges, in order of position.
#[salsa::tracked(returns(ref))]
pub fn file_diagnostics(db: &dyn Db, file: SourceFile) -> Vec<Diagnostic> {
    let catalogue = Catalogue::get(db);
    let mut anchored: Vec<Anchored<'_>> = Vec::new();
    if file != catalogue.manifest(db) {
        for e in db::file_lowered(db, file) {
            anchored.extend(
                e.lowered
                    .diagnostics
                    .iter()
                    .map(|d| Anchored::from_local(Anchor::Entry(e.entry), d)),
            );
        }

        anchored.extend(checks::examples::failing_examples(db, file).iter().cloned());
    }
    anchored.extend(global_share(db, catalogue, file).iter().cloned());
    let mut out: Vec<Diagnostic> = db::parse(db, file)
        .errors()
        .iter()
        .map(|e| Diagnostic {
            code: Code::SyntaxError,
            severity: Code::SyntaxError.severity(),
            file: file.path(db).clone(),
            range: e.range,
            message: e.message.clone(),
            labels: Vec::new(),
            help: e.help.clone(),
        })
        .collect();
    out.extend(anchored.iter().map(|a| resolve(db, catalogue, a)));
    out.sort_by_key(|d| (d.range.start, d.range.end));
    out
}

fn resolve(db: &dyn Db, catalogue: Catalogue, anchored: &Anchored<'_>) -> Diagnostic {
    let (file, range) = source_map::resolve(db, catalogue, anchored.at.0, &anchored.at.1);
    Diagnostic {
        code: anchored.code,
        severity: anchored.code.severity(),
        file: file.path(db).clone(),
        range,
        message: anchored.message.clone(),
        labels: anchored
            .labels
            .iter()
            .map(|(anchor, path, message)| {
                let (file, range) = source_map::resolve(db, catalogue, *anchor, path);
                Label {
                    file: file.path(db).clone(),
                    range,
                    message: message.clone(),
                }
            })
            .collect(),
        help: anchored.help.clone(),
    }
}

/// Parses and lowers every file of the catalogue on every core, so that a following
/// [`catalogue_diagnostics`] finds the entries ready. Nothing changes but the memos: a call
/// before a cold check makes it faster and changes none of its results. After a small edit it
/// would only verify again what the next query verifies anyway, so the language server does not
/// call it then. (Checking the files in parallel as well was measured slower: the threads meet on
/// the catalogue-wide queries.) Cancellation unwinds out of it as out of any query.
pub fn prime(db: &CheckDatabase, catalogue: Catalogue) {
    use rayon::prelude::*;
    let mut files = db::included_files(db, catalogue).files.clone();
    files.push(catalogue.manifest(db));
    files.par_iter().for_each_with(db.clone(), |db, &file| {
        db::file_lowered(db, file);
    });
}

/// Every diagnostic of the catalogue: the manifest's, then each included file's, in path order.
pub fn catalogue_diagnostics(db: &dyn Db, catalogue: Catalogue) -> Vec<Diagnostic> {
    let mut out = file_diagnostics(db, catalogue.manifest(db)).clone();
    for file in &db::included_files(db, catalogue).files {
        out.extend(file_diagnostics(db, *file).iter().cloned());
    }
    out
}
