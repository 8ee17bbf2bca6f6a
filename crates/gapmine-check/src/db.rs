//! The salsa database: inputs (file texts, the catalogue's file list) and the tracked queries
//! parse → entries → lower → index → check.
//!
//! Granularity follows what changes together: a file's parse and its split into entries are
//! per file; lowering and reference checks are per entry (a tracked struct keyed by the entry's
//! kind and id, whose content is the position-free plain node); the index and the global
//! checks are per catalogue but depend only on small per-entry facts, so they are re-verified,
//! not re-run, when an entry's text changes without changing those facts.

use rustc_hash::FxHashMap;

use gapmine_model::EntryKind;
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
/// manifest decide which of them are part of it). One database holds one catalogue, so
/// per-file queries find it with `Catalogue::get(db)` and are keyed by the file alone.
#[salsa::input(singleton, debug)]
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

/// One entry lowered to the model, with the problems found inside it. Shared (`Arc`), so that
/// [`file_lowered`] gathers a file's entries without copying them.
#[salsa::tracked(returns(ref))]
pub fn lowered<'db>(db: &'db dyn Db, entry: EntryNode<'db>) -> std::sync::Arc<Lowered> {
    std::sync::Arc::new(lower::lower_entry(entry.node(db)))
}

/// One entry of a file with its lowering.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct LoweredEntry<'db> {
    /// The entry.
    pub entry: EntryNode<'db>,
    /// What [`lowered`] made of it.
    pub lowered: std::sync::Arc<Lowered>,
}

/// The entries of a file with their lowering, in order: the one place that reads every
/// entry's [`lowered`] memo. The per-file projections ([`file_signals`], the examples, the
/// file's diagnostics) read this instead, so proving after an edit elsewhere that a file is
/// unchanged checks each entry once, not once per projection. An edit to one entry still
/// lowers that entry alone.
#[salsa::tracked(returns(ref))]
pub fn file_lowered(db: &dyn Db, file: SourceFile) -> Vec<LoweredEntry<'_>> {
    file_entries(db, file)
        .iter()
        .map(|&entry| LoweredEntry {
            entry,
            lowered: lowered(db, entry).clone(),
        })
        .collect()
}

/// An id, interned: comparing and hashing one is comparing a number.
///
/// Never collected (`revisions = usize::MAX`): a collectable interned value adds a dependency
/// edge to every query that interns it, and verifying those edges after each edit cost more
/// than the few bytes of the ids a long session renames away.
#[salsa::interned(debug, revisions = usize::MAX)]
pub struct Name<'db> {
    /// The id's text.
    #[returns(ref)]
    pub text: String,
}

/// A reference from an entry to an id, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct RefSite<'db> {
    /// The id referred to.
    pub target: Name<'db>,
    /// The kind the position expects.
    pub expected: EntryKind,
    /// The child node that holds the reference (`resolves`, `parent`, …).
    pub via: &'static str,
    /// Which child of the entry holds it (references are always arguments of a child of the
    /// entry, so two numbers say where, and copying a site allocates nothing).
    pub child: u32,
    /// Which argument of that child it is.
    pub arg: u32,
}

impl RefSite<'_> {
    /// Where it is written in the entry.
    pub fn path(&self) -> SyntaxPath {
        SyntaxPath::new(&[self.child], Target::Arg(self.arg))
    }
}

/// What the rest of the catalogue needs to know of one entry: its kind and id, whether it is
/// deprecated, and what it refers to. Small and position-free, so an edit rarely changes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Facts<'db> {
    /// The entry.
    pub entry: EntryNode<'db>,
    /// Its kind.
    pub kind: EntryKind,
    /// Its id.
    pub id: Name<'db>,
    /// Whether it is deprecated.
    pub deprecated: bool,
    /// Its replacement, if deprecated.
    pub replaced_by: Option<Name<'db>>,
    /// The failure modes it resolves (interventions).
    pub resolves: Vec<Name<'db>>,
    /// The id its `parent` names (failure modes), read as the matcher reads it: the first
    /// argument of the first `parent`, if a string.
    pub parent: Option<Name<'db>>,
    /// Every reference it makes, `parent` included.
    pub references: Vec<RefSite<'db>>,
}

/// The facts of every entry of a file (of a known kind, with a string id), in order.
///
/// Per file rather than per entry: the catalogue-wide index reads one of these per file, so
/// proving that nothing changed costs one check per file, not one per entry.
#[salsa::tracked(returns(ref))]
pub fn file_facts(db: &dyn Db, file: SourceFile) -> Vec<Facts<'_>> {
    file_entries(db, file)
        .iter()
        .filter_map(|&entry| {
            let kind = entry.kind(db)?;
            let id = Name::new(db, entry.id(db).clone()?);
            let node = entry.node(db);
            Some(Facts {
                entry,
                kind,
                id,
                deprecated: lower::child(node, "deprecated").is_some(),
                replaced_by: lower::child_str(node, "replaced-by").map(|r| Name::new(db, r)),
                resolves: if kind == EntryKind::Intervention {
                    lower::child_strs(node, "resolves")
                        .into_iter()
                        .map(|r| Name::new(db, r))
                        .collect()
                } else {
                    Vec::new()
                },
                parent: if kind == EntryKind::FailureMode {
                    lower::child(node, "parent")
                        .and_then(|p| lower::args(p).next())
                        .and_then(|v| v.as_str())
                        .map(|p| Name::new(db, p.to_string()))
                } else {
                    None
                },
                references: references(db, kind, node),
            })
        })
        .collect()
}

/// Every reference an entry makes, found through the schema.
fn references<'db>(db: &'db dyn Db, kind: EntryKind, node: &plain::Node) -> Vec<RefSite<'db>> {
    let spec = schema::entry(kind);
    let specs: Vec<&NodeSpec> = schema::COMMON.iter().chain(spec.children).collect();
    let mut out = Vec::new();
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
                    target: Name::new(db, target.to_string()),
                    expected,
                    via: spec.name,
                    child: i as u32,
                    arg: j as u32,
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

/// What the index keeps of an entry: what other entries' checks read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct IndexEntry<'db> {
    /// The entry.
    pub entry: EntryNode<'db>,
    /// Its kind.
    pub kind: EntryKind,
    /// Its id.
    pub id: Name<'db>,
    /// Whether it is deprecated.
    pub deprecated: bool,
    /// Its replacement, if deprecated.
    pub replaced_by: Option<Name<'db>>,
}

impl<'db> IndexEntry<'db> {
    /// What the index keeps of an entry's facts.
    pub fn of(facts: &Facts<'db>) -> IndexEntry<'db> {
        IndexEntry {
            entry: facts.entry,
            kind: facts.kind,
            id: facts.id,
            deprecated: facts.deprecated,
            replaced_by: facts.replaced_by,
        }
    }
}

/// The catalogue's ids: every entry of a known kind with a string id, in catalogue order.
#[derive(Debug, Clone, PartialEq, Eq, Default, salsa::SalsaValue)]
pub struct Index<'db> {
    /// Every entry, in catalogue order.
    pub entries: Vec<IndexEntry<'db>>,
    /// Id to positions in `entries` (more than one: a duplicate).
    pub by_id: FxHashMap<Name<'db>, Vec<u32>>,
    /// The ids of each kind, in catalogue order, for "did you mean".
    pub ids_by_kind: [Vec<Name<'db>>; 4],
}

impl<'db> Index<'db> {
    /// The first entry with this id.
    pub fn get(&self, id: Name<'db>) -> Option<&IndexEntry<'db>> {
        let &first = self.by_id.get(&id)?.first()?;
        self.entries.get(first as usize)
    }

    /// The ids of entries of `kind`, in catalogue order.
    pub fn ids_of(&self, kind: EntryKind) -> &[Name<'db>] {
        &self.ids_by_kind[kind_slot(kind)]
    }
}

fn kind_slot(kind: EntryKind) -> usize {
    EntryKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// The catalogue's index: every id at once. Reads one `file_facts` per file, and re-runs when
/// one of them changes. The checks do not read it (they look ids up through [`buckets`], so a
/// rename does not rebuild it); it is here for callers that want every id.
#[salsa::tracked(returns(ref))]
pub fn index(db: &dyn Db, catalogue: Catalogue) -> Index<'_> {
    let mut index = Index::default();
    for file in &included_files(db, catalogue).files {
        for facts in file_facts(db, *file) {
            let at = index.entries.len() as u32;
            let positions = index.by_id.entry(facts.id).or_default();
            if positions.is_empty() {
                index.ids_by_kind[kind_slot(facts.kind)].push(facts.id);
            }
            positions.push(at);
            index.entries.push(IndexEntry::of(facts));
        }
    }
    index
}

/// How many buckets the ids are split into: enough that a rename touches the buckets of few
/// files' references, few enough that splitting stays cheap. Every change to ids re-creates
/// each bucket and every edit verifies each bucket's checks: 256 buckets (about 40 ids and 200
/// references each in a 10,000-entry catalogue) cost a rename 14% fewer instructions than
/// 1,024 did, and a bucket's check stays small.
pub const BUCKETS: usize = 256;

/// The bucket an id falls in (below [`BUCKETS`]): by its interned number, so the same for the
/// life of the database. Other crates bucket their own per-id maps the same way.
pub fn bucket_of(name: Name<'_>) -> usize {
    use salsa::plumbing::AsId;
    name.as_id().index() as usize % BUCKETS
}

/// How many consecutive files of the catalogue share one [`FileGroup`]: enough that proving
/// after an edit that the other groups' shares of a bucket are unchanged costs few edges (8
/// groups in a 500-file catalogue), few enough that a change to one file's ids refills one
/// group's shares, not the catalogue's.
pub const GROUP_FILES: usize = 64;

/// A run of [`GROUP_FILES`] consecutive included files (the last may hold fewer): the unit the
/// buckets of ids are filled from.
#[salsa::tracked(debug)]
pub struct FileGroup<'db> {
    /// The group's number, in catalogue order.
    #[returns(copy)]
    pub number: u32,
    /// Its files, in catalogue order.
    #[tracked]
    #[returns(ref)]
    pub files: Vec<SourceFile>,
}

/// The included files, in groups.
#[salsa::tracked(returns(ref))]
pub fn file_groups(db: &dyn Db, catalogue: Catalogue) -> Vec<FileGroup<'_>> {
    included_files(db, catalogue)
        .files
        .chunks(GROUP_FILES)
        .enumerate()
        .map(|(number, files)| FileGroup::new(db, number as u32, files.to_vec()))
        .collect()
}

/// One bucket of ids: the key of its checks ([`crate::checks::bucket_checks`]). What the
/// catalogue knows of its ids is in each file group's [`Share`] of it.
#[salsa::tracked(debug)]
pub struct Bucket<'db> {
    /// The bucket's number.
    #[returns(copy)]
    pub slot: u32,
}

/// Every bucket, in order. Reads nothing: made once for the life of the database.
#[salsa::tracked(returns(ref))]
pub fn buckets(db: &dyn Db, catalogue: Catalogue) -> Vec<Bucket<'_>> {
    let _ = catalogue;
    (0..BUCKETS as u32)
        .map(|slot| Bucket::new(db, slot))
        .collect()
}

/// One file group's share of one bucket of ids: what the group's files know of the ids of
/// the bucket, and their references to them, as tracked fields. [`group_shares`] makes a
/// group's shares again when some file of the group changes its facts (a rename, a new
/// reference), and salsa compares each field with the last: only the shares whose content
/// changed count as changed, so a check that reads one bucket re-runs only if some group's
/// share of it did. The fields are the firewall between the files and the checks of ids:
/// proving after an edit that a bucket is unchanged costs an edge per group, not one per file
/// with an id or a reference in it.
#[salsa::tracked(debug)]
pub struct Share<'db> {
    /// The bucket's number.
    #[returns(copy)]
    pub slot: u32,
    /// The entries and resolved ids of the bucket, in the group's files.
    #[tracked]
    #[returns(ref)]
    pub entries: BucketEntries<'db>,
    /// Every reference to an id of the bucket made in the group's files, in catalogue order.
    #[tracked]
    #[returns(ref)]
    pub referrers: Vec<Referrer<'db>>,
}

/// A file group's share of every bucket, filled from the facts of its files.
///
/// Re-runs whenever a file of the group changes its facts (a rename, a new reference, not a
/// summary or a title), and only then.
#[salsa::tracked(returns(ref))]
pub fn group_shares<'db>(db: &'db dyn Db, group: FileGroup<'db>) -> Vec<Share<'db>> {
    let files = group.files(db);
    // Count first, so that each share's lists are allocated once, at their size.
    let mut sizes = vec![(0u32, 0u32, 0u32); BUCKETS];
    for &file in files {
        for facts in file_facts(db, file) {
            sizes[bucket_of(facts.id)].0 += 1;
            for &resolved in &facts.resolves {
                sizes[bucket_of(resolved)].1 += 1;
            }
            for site in &facts.references {
                sizes[bucket_of(site.target)].2 += 1;
            }
        }
    }
    let mut entries: Vec<BucketEntries<'_>> = sizes
        .iter()
        .map(|&(definitions, resolved, _)| BucketEntries {
            definitions: Vec::with_capacity(definitions as usize),
            resolved: Vec::with_capacity(resolved as usize),
        })
        .collect();
    let mut referrers: Vec<Vec<Referrer<'_>>> = sizes
        .iter()
        .map(|&(_, _, referrers)| Vec::with_capacity(referrers as usize))
        .collect();
    for &file in files {
        for facts in file_facts(db, file) {
            entries[bucket_of(facts.id)]
                .definitions
                .push(IndexEntry::of(facts));
            for &resolved in &facts.resolves {
                entries[bucket_of(resolved)].resolved.push(resolved);
            }
            for site in &facts.references {
                referrers[bucket_of(site.target)].push(Referrer {
                    entry: facts.entry,
                    site: site.clone(),
                });
            }
        }
    }
    entries
        .into_iter()
        .zip(referrers)
        .enumerate()
        .map(|(slot, (mut entries, referrers))| {
            sort_ids(&mut entries.resolved);
            Share::new(db, slot as u32, entries, referrers)
        })
        .collect()
}

/// Sorts ids by their interned number and drops repeats.
fn sort_ids(ids: &mut Vec<Name<'_>>) {
    use salsa::plumbing::AsId;
    ids.sort_unstable_by_key(|name| name.as_id());
    ids.dedup();
}

/// What the catalogue (or one file group) knows of the ids of one bucket.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash, salsa::SalsaValue)]
pub struct BucketEntries<'db> {
    /// Every entry whose id falls in the bucket, duplicates included, in catalogue order.
    pub definitions: Vec<IndexEntry<'db>>,
    /// The ids in the bucket that some intervention resolves, sorted by their interned number.
    pub resolved: Vec<Name<'db>>,
}

/// A reference of an entry, as a [`Share`] lists it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Referrer<'db> {
    /// The entry that makes it.
    pub entry: EntryNode<'db>,
    /// The reference.
    pub site: RefSite<'db>,
}

/// Every group's share of every bucket, bucket by bucket: for bucket `slot`, one [`Share`] per
/// group in catalogue order, at `slot * groups..(slot + 1) * groups`. The handles stay the same
/// while the groups do (a share's content is in its fields), so this is made again only when
/// a group's shares are, and found equal: a query that reads a bucket's shares through it
/// depends on one memo and the shares' fields, not on each group's [`group_shares`] as well.
#[salsa::tracked(returns(ref))]
pub fn share_table(db: &dyn Db, catalogue: Catalogue) -> Vec<Share<'_>> {
    let groups: Vec<&[Share<'_>]> = file_groups(db, catalogue)
        .iter()
        .map(|&group| group_shares(db, group).as_slice())
        .collect();
    (0..BUCKETS)
        .flat_map(|slot| groups.iter().map(move |shares| shares[slot]))
        .collect()
}

/// Each file group's share of bucket `slot`, in catalogue order.
pub fn shares<'db>(
    db: &'db dyn Db,
    catalogue: Catalogue,
    slot: usize,
) -> impl Iterator<Item = Share<'db>> {
    let table = share_table(db, catalogue);
    let groups = table.len() / BUCKETS;
    table[slot * groups..(slot + 1) * groups].iter().copied()
}

/// The entries and resolved ids of one bucket, every group's share put together.
pub fn bucket_entries<'db>(db: &'db dyn Db, bucket: Bucket<'db>) -> BucketEntries<'db> {
    let mut all = BucketEntries::default();
    for share in shares(db, Catalogue::get(db), bucket.slot(db) as usize) {
        let entries = share.entries(db);
        all.definitions.extend_from_slice(&entries.definitions);
        all.resolved.extend_from_slice(&entries.resolved);
    }
    sort_ids(&mut all.resolved);
    all
}

/// Every reference to an id of one bucket, in catalogue order.
pub fn bucket_referrers<'db>(
    db: &'db dyn Db,
    catalogue: Catalogue,
    slot: usize,
) -> impl Iterator<Item = &'db Referrer<'db>> {
    shares(db, catalogue, slot).flat_map(move |share| share.referrers(db).iter())
}

/// Every entry with this id, in catalogue order (more than one: a duplicate, reported at all
/// but the first). Reads one bucket, so a query that calls it depends on the ids of that
/// bucket only, not on the whole catalogue (and on the groups' shares up to the last it needs).
pub fn definitions<'db>(
    db: &'db dyn Db,
    catalogue: Catalogue,
    name: Name<'db>,
) -> impl Iterator<Item = &'db IndexEntry<'db>> {
    shares(db, catalogue, bucket_of(name))
        .flat_map(move |share| share.entries(db).definitions.iter())
        .filter(move |e| e.id == name)
}

/// The first entry with this id: the one references resolve to. Reads one bucket.
pub fn resolve<'db>(
    db: &'db dyn Db,
    catalogue: Catalogue,
    name: Name<'db>,
) -> Option<&'db IndexEntry<'db>> {
    definitions(db, catalogue, name).next()
}

/// Whether an intervention resolves this id (whatever the id names, or if nothing has it).
/// Reads one bucket.
pub fn is_resolved<'db>(db: &'db dyn Db, catalogue: Catalogue, name: Name<'db>) -> bool {
    use salsa::plumbing::AsId;
    shares(db, catalogue, bucket_of(name)).any(|share| {
        share
            .entries(db)
            .resolved
            .binary_search_by_key(&name.as_id(), |n| n.as_id())
            .is_ok()
    })
}

/// Every id defined by an entry of `kind`, in catalogue order, duplicates included: the
/// candidates of "did you mean" (a superset: [`suggestion`] keeps only ids whose first
/// definition is of that kind). Numbers, not texts, so rebuilding it after a rename is cheap.
#[salsa::tracked(returns(ref))]
pub fn ids_of_kind(db: &dyn Db, catalogue: Catalogue, kind: EntryKind) -> Vec<Name<'_>> {
    included_files(db, catalogue)
        .files
        .iter()
        .flat_map(|&file| file_facts(db, file))
        .filter(|facts| facts.kind == kind)
        .map(|facts| facts.id)
        .collect()
}

/// The ids of the entries of a kind, as text, in catalogue order (each once, where its first
/// definition is of that kind).
#[salsa::tracked(returns(ref))]
pub fn id_texts(db: &dyn Db, catalogue: Catalogue, kind: EntryKind) -> Vec<String> {
    let mut seen = rustc_hash::FxHashSet::default();
    ids_of_kind(db, catalogue, kind)
        .iter()
        .filter(|&&id| seen.insert(id))
        .filter(|&&id| resolve(db, catalogue, id).is_some_and(|e| e.kind == kind))
        .map(|id| id.text(db).clone())
        .collect()
}

/// The id to suggest for a reference to `name`, which no entry has, where an entry of `kind`
/// is expected: the nearest id of that kind (see [`crate::did_you_mean`]). A query of its own,
/// so the referrers of one missing id share one search, and asked only when a reference dangles.
#[salsa::tracked]
pub fn suggestion<'db>(db: &'db dyn Db, name: Name<'db>, kind: EntryKind) -> Option<Name<'db>> {
    let catalogue = Catalogue::get(db);
    let candidates = ids_of_kind(db, catalogue, kind)
        .iter()
        .map(|&id| (id.text(db).as_str(), id));
    crate::diagnostic::nearest(name.text(db), candidates, |id| {
        resolve(db, catalogue, id).is_some_and(|e| e.kind == kind)
    })
    .map(|(_, id)| id)
}

/// What the matcher needs of a file's failure modes: their ids, parents, thresholds and signals,
/// and nothing else, so an edit to a title, a summary or an example leaves it equal and the
/// matcher is not compiled again.
#[salsa::tracked(returns(ref))]
pub fn file_signals(db: &dyn Db, file: SourceFile) -> Vec<gapmine_model::FailureMode> {
    file_lowered(db, file)
        .iter()
        .filter_map(|e| match e.lowered.entry.as_ref()? {
            gapmine_model::Entry::FailureMode(fm) => Some(gapmine_model::FailureMode {
                common: gapmine_model::Common {
                    id: fm.common.id.clone(),
                    title: String::new(),
                    summary: None,
                    tags: Vec::new(),
                    see: Vec::new(),
                    since: None,
                    deprecated: None,
                    replaced_by: None,
                },
                probes: Vec::new(),
                examples: Vec::new(),
                // Read by checks, not by the matcher: a `caught-by` edit must not recompile it.
                caught_by: None,
                layer: None,
                ..fm.clone()
            }),
            _ => None,
        })
        .collect()
}

/// The catalogue compiled for matching, once per change to its signals; `Err` with the reason
/// where a pattern the checker let through still does not compile.
#[salsa::tracked(returns(ref), no_eq)]
pub fn matcher(
    db: &dyn Db,
    catalogue: Catalogue,
) -> Result<std::sync::Arc<gapmine_match::Matcher>, String> {
    compile_matcher(db, catalogue, default_threshold(db, catalogue))
}

/// The manifest's `threshold` (0.5 when it has none or does not parse).
pub fn default_threshold(db: &dyn Db, catalogue: Catalogue) -> f64 {
    manifest(db, catalogue)
        .manifest
        .as_ref()
        .map_or(0.5, |m| m.threshold.0)
}

/// Compiles the catalogue's signals with `default_threshold` (entries with a threshold of their
/// own keep it). The `matcher` query caches this with the manifest's threshold; a caller that
/// overrides the default (`gapmine match --threshold`) gets a fresh, uncached compile.
pub fn compile_matcher(
    db: &dyn Db,
    catalogue: Catalogue,
    default_threshold: f64,
) -> Result<std::sync::Arc<gapmine_match::Matcher>, String> {
    let mut failure_modes = Vec::new();
    for file in &included_files(db, catalogue).files {
        failure_modes.extend(file_signals(db, *file).iter().cloned());
    }
    gapmine_match::Matcher::compile(&failure_modes, default_threshold)
        .map(std::sync::Arc::new)
        .map_err(|e| e.to_string())
}

/// A file's failure modes as the examples check compiles them: [`file_signals`] without their
/// ids and parents. A rename, of an id alone or with its references, leaves it equal, and so
/// does any change to `parent`: the [`example_matcher`] is not compiled again, and no example
/// is classified again but those whose verdict the change can alter (see [`ancestries`]).
#[salsa::tracked(returns(ref))]
pub fn file_example_signals(db: &dyn Db, file: SourceFile) -> Vec<gapmine_model::FailureMode> {
    file_signals(db, file)
        .iter()
        .map(|fm| gapmine_model::FailureMode {
            common: gapmine_model::Common {
                id: gapmine_model::Id(String::new()),
                ..fm.common.clone()
            },
            parent: None,
            ..fm.clone()
        })
        .collect()
}

/// The catalogue's failure modes compiled for the examples check, each known by its position
/// in catalogue order (its id, as text, is that number) and none with a parent: the check rolls
/// a verdict up the hierarchy itself, with [`ancestries`], so a change to ids or parents
/// needs no new compile. Compiled with the manifest's threshold.
#[salsa::tracked(returns(ref), no_eq)]
pub fn example_matcher(
    db: &dyn Db,
    catalogue: Catalogue,
) -> Result<std::sync::Arc<gapmine_match::Matcher>, String> {
    let threshold = default_threshold(db, catalogue);
    let mut all: Vec<gapmine_model::FailureMode> = Vec::new();
    for &file in &included_files(db, catalogue).files {
        for fm in file_example_signals(db, file) {
            let mut fm = fm.clone();
            fm.common.id = gapmine_model::Id(all.len().to_string());
            all.push(fm);
        }
    }
    gapmine_match::Matcher::compile(&all, threshold)
        .map(std::sync::Arc::new)
        .map_err(|e| e.to_string())
}

/// The parents of one file's failure modes, by position in catalogue order (as the
/// [`example_matcher`] knows them), as a tracked field: [`ancestries`] makes them all again
/// when any `parent` or id changes, and salsa compares each file's with the last, so an
/// example check that followed the parents through some files re-runs only when theirs
/// changed.
#[salsa::tracked(debug)]
pub struct Ancestry<'db> {
    /// The file.
    #[returns(copy)]
    pub file: SourceFile,
    /// For each failure mode of the file, in order, the position of its parent
    /// ([`Hierarchy::NONE`]: none): the first failure mode with the id its `parent` names.
    #[tracked]
    #[returns(ref)]
    pub parents: Vec<u32>,
}

/// Whether `target` is an ancestor of `of`, following `parent_of` as
/// [`gapmine_match::ancestors`] does (a cycle is cut where it comes back).
pub fn descends(of: u32, target: u32, parent_of: impl Fn(u32) -> Option<u32>) -> bool {
    let mut seen: Vec<u32> = Vec::new();
    let mut current = parent_of(of);
    while let Some(a) = current {
        if a == of || seen.contains(&a) {
            return false;
        }
        if a == target {
            return true;
        }
        seen.push(a);
        current = parent_of(a);
    }
    false
}

/// The catalogue's failure modes in catalogue order (the order of [`file_signals`], which the
/// [`example_matcher`] numbers them by), each with its parent's position: the first failure mode
/// with the id its `parent` names, as the matcher resolves it. Positions and interned ids, so
/// building it after a rename or a new `parent` hashes numbers, not texts; the [`ancestries`]
/// and the cycle check read it.
#[derive(Debug, Clone, PartialEq, Eq, Default, salsa::SalsaValue)]
pub struct Hierarchy<'db> {
    /// Each failure mode.
    pub entries: Vec<EntryNode<'db>>,
    /// Its id.
    pub ids: Vec<Name<'db>>,
    /// The position of its parent ([`Hierarchy::NONE`]: none, or no failure mode has the id).
    pub parents: Vec<u32>,
    /// The files with failure modes, in catalogue order, and where their failure modes start.
    pub files: Vec<(SourceFile, u32)>,
}

impl Hierarchy<'_> {
    /// The parent position of a failure mode without one.
    pub const NONE: u32 = u32::MAX;

    /// The position of the parent of the failure mode at `at`, if it has one.
    pub fn parent_of(&self, at: u32) -> Option<u32> {
        self.parents
            .get(at as usize)
            .copied()
            .filter(|&p| p != Self::NONE)
    }
}

/// The catalogue's failure modes and their parents.
#[salsa::tracked(returns(ref))]
pub fn hierarchy(db: &dyn Db, catalogue: Catalogue) -> Hierarchy<'_> {
    let mut h = Hierarchy::default();
    let mut parent_ids: Vec<Option<Name<'_>>> = Vec::new();
    for &file in &included_files(db, catalogue).files {
        let start = h.entries.len() as u32;
        for facts in file_facts(db, file) {
            if facts.kind == EntryKind::FailureMode {
                h.entries.push(facts.entry);
                h.ids.push(facts.id);
                parent_ids.push(facts.parent);
            }
        }
        if h.entries.len() as u32 > start {
            h.files.push((file, start));
        }
    }
    let mut position: FxHashMap<Name<'_>, u32> = FxHashMap::default();
    position.reserve(h.ids.len());
    for (at, &id) in h.ids.iter().enumerate() {
        position.entry(id).or_insert(at as u32);
    }
    h.parents = parent_ids
        .iter()
        .map(|p| {
            p.and_then(|p| position.get(&p).copied())
                .unwrap_or(Hierarchy::NONE)
        })
        .collect();
    h
}

/// Where each file's failure modes start in catalogue order, and their [`Ancestry`], for the
/// files that have failure modes, in catalogue order.
#[salsa::tracked(returns(ref))]
pub fn ancestries(db: &dyn Db, catalogue: Catalogue) -> Vec<(u32, Ancestry<'_>)> {
    let h = hierarchy(db, catalogue);
    let ends = h
        .files
        .iter()
        .skip(1)
        .map(|&(_, start)| start)
        .chain([h.entries.len() as u32]);
    h.files
        .iter()
        .zip(ends)
        .map(|(&(file, start), end)| {
            let parents = h.parents[start as usize..end as usize].to_vec();
            (start, Ancestry::new(db, file, parents))
        })
        .collect()
}

/// The whole model: every lowered entry, in catalogue order.
#[salsa::tracked(returns(ref))]
pub fn model(db: &dyn Db, catalogue: Catalogue) -> Vec<gapmine_model::Entry> {
    entries(db, catalogue)
        .iter()
        .filter_map(|e| lowered(db, *e).entry.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::descends;

    /// `descends` answers what the matcher's ancestor chains say: through a cycle, up to where
    /// it comes back.
    #[test]
    fn descends_follows_parents_as_the_matchers_chains_do() {
        // 0 → 1 → 2 → 0 is a cycle; 3 refines 0; 4 has no parent.
        let parents = [Some(1), Some(2), Some(0), Some(0), None];
        let parent_of = |at: u32| parents[at as usize];
        for of in 0..5u32 {
            for target in 0..5u32 {
                if of == target {
                    continue;
                }
                let chain = gapmine_match::ancestors(of, parent_of);
                assert_eq!(
                    descends(of, target, parent_of),
                    chain.contains(&target),
                    "{of} under {target}"
                );
            }
        }
        assert!(descends(3, 2, parent_of));
        assert!(!descends(4, 0, parent_of));
    }
}
