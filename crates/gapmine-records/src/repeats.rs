//! The duplicate-id check in bounded memory: a first pass over every input reads only the ids
//! ([`IdScan`]), sorts their hashes in a buffer of fixed size and, when it is full, spills it as a
//! sorted run to storage the caller supplies ([`RunStore`]); merging the runs finds the ids used
//! more than once ([`Repeats`]). The second pass is the ordinary [`Reader`](crate::Reader), which
//! then looks up only those ids, so the memory of a run grows with its repeated ids, not with its
//! records.
//!
//! The first pass must find every id that the second pass can accept, or a duplicate would go
//! unseen. So it reads the lines exactly as the reader does (`Lines`), takes the id as
//! `EscapeRecord::from_object` does (a string, or a whole number as its text), and whenever the
//! quick look fails (the line is not JSON, not an object, or the id is of another type) it falls
//! back to the reader's full check of the line: a line that the reader would reject has no id to
//! count. A line the quick look counts but the reader then rejects (a bad date, say) is harmless:
//! a rejected line never claims its id, so the first *valid* record with a repeated id is its
//! first use, as with [`SeenIds`](crate::SeenIds).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};

use crate::reader::{IdCheck, Lines, Places, check_line, id_hash, private, table_slots};

/// Where [`IdScan`] keeps its sorted runs when the ids outgrow its buffer: a new, empty run each
/// time it asks. A run is written once from its start, then read once from its start; it is
/// dropped when merged, so the store should free it then (a temporary file deleted on close, a
/// buffer in memory).
pub trait RunStore {
    type Run: Read + Write + Seek;

    /// A new, empty run.
    fn create(&mut self) -> io::Result<Self::Run>;
}

/// Runs kept in memory: for tests, and for callers with nowhere to write. It bounds nothing (the
/// runs are on the heap), but finds the same repeats.
#[derive(Debug, Default, Clone, Copy)]
pub struct MemoryRuns;

impl RunStore for MemoryRuns {
    type Run = io::Cursor<Vec<u8>>;

    fn create(&mut self) -> io::Result<Self::Run> {
        Ok(io::Cursor::new(Vec::new()))
    }
}

impl<S: RunStore> RunStore for &mut S {
    type Run = S::Run;

    fn create(&mut self) -> io::Result<Self::Run> {
        (**self).create()
    }
}

/// A run: its storage and how many hashes it holds.
struct Run<T> {
    store: T,
    len: u64,
}

/// Bytes of one id in the buffer and in a run: its 128-bit hash.
const ENTRY: usize = size_of::<u128>();
/// A run being merged is read through a buffer of at least this size, so at most the budget over
/// this many runs are merged at once (a merge of more goes in rounds).
const MIN_READ_BUFFER: usize = 64 << 10;
/// Runs merged at once, at most.
const MAX_FAN_IN: usize = 64;
/// The buffer's first allocation, in ids: a small input allocates little.
const FIRST_BUFFER: usize = 4_096;

/// What a scan did: shown by benchmarks, and a test that a tiny budget spills.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanSummary {
    /// Ids counted (lines with an id the reader may accept).
    pub ids: u64,
    /// Sorted runs written to the store: the spills of the buffer and the rounds of merging.
    pub runs_written: u64,
    /// Ids used more than once.
    pub repeated: u64,
}

impl fmt::Display for ScanSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ids, {} repeated, {} runs written",
            self.ids, self.repeated, self.runs_written
        )
    }
}

/// The first pass of the bounded duplicate check: feed it every input of a run in the order the
/// readers will read them ([`IdScan::scan`]), then [`IdScan::finish`] gives the [`Repeats`] for
/// [`Reader::continuing`](crate::Reader::continuing).
///
/// Memory: a buffer of at most `budget` bytes (16 bytes an id) while scanning; while merging, a
/// read buffer per run merged at once, the budget shared among them; and the repeated ids found.
/// If every id fits in the buffer, nothing is written to the store.
pub struct IdScan<S: RunStore> {
    store: S,
    /// The buffer's capacity, in ids.
    capacity: usize,
    budget: usize,
    buffer: Vec<u128>,
    runs: Vec<Run<S::Run>>,
    summary: ScanSummary,
}

impl<S: RunStore> fmt::Debug for IdScan<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdScan")
            .field("budget", &self.budget)
            .field("runs", &self.runs.len())
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

impl<S: RunStore> IdScan<S> {
    /// The budget the `gapmine` commands give a scan: 4 MiB, room for 262,144 ids before the
    /// first run is written.
    pub const DEFAULT_BUDGET: usize = 4 << 20;

    /// A scan that keeps at most `budget` bytes of ids in memory (at least two ids' worth) and
    /// spills sorted runs to `store` beyond that.
    pub fn new(store: S, budget: usize) -> Self {
        let budget = budget.max(2 * ENTRY);
        IdScan {
            store,
            capacity: budget / ENTRY,
            budget,
            buffer: Vec::new(),
            runs: Vec::new(),
            summary: ScanSummary::default(),
        }
    }

    /// Reads the ids of one input; returns how many bytes it read, so a caller can tell whether
    /// a file changed before the second pass.
    pub fn scan(&mut self, input: impl BufRead) -> io::Result<u64> {
        let mut lines = Lines::new(input);
        while let Some((_, bytes)) = lines.next_line()? {
            if let Some(hash) = line_id(bytes) {
                self.push(hash)?;
            }
        }
        Ok(lines.bytes())
    }

    fn push(&mut self, hash: u128) -> io::Result<()> {
        if self.buffer.len() == self.buffer.capacity() {
            if self.buffer.len() >= self.capacity {
                self.spill()?;
            } else {
                // Grown by hand, to the budget and never past it.
                let want = (self.buffer.capacity() * 2)
                    .max(FIRST_BUFFER)
                    .min(self.capacity);
                self.buffer.reserve_exact(want - self.buffer.len());
            }
        }
        self.buffer.push(hash);
        self.summary.ids += 1;
        Ok(())
    }

    /// Sorts the buffer and writes it as a run.
    fn spill(&mut self) -> io::Result<()> {
        self.buffer.sort_unstable();
        let store = self.store.create()?;
        let mut out = BufWriter::with_capacity(MIN_READ_BUFFER, store);
        for hash in &self.buffer {
            out.write_all(&hash.to_le_bytes())?;
        }
        let store = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        self.runs.push(Run {
            store,
            len: self.buffer.len() as u64,
        });
        self.summary.runs_written += 1;
        self.buffer.clear();
        Ok(())
    }

    /// Merges what was scanned into the ids used more than once.
    pub fn finish(mut self) -> io::Result<Repeats> {
        let mut ids = FxHashMap::default();
        if self.runs.is_empty() {
            self.buffer.sort_unstable();
            counted(self.buffer.iter().map(|&h| Ok(h)), |hash, n| {
                if n > 1 {
                    ids.insert(hash, UNCLAIMED);
                }
                Ok(())
            })?;
        } else {
            if !self.buffer.is_empty() {
                self.spill()?;
            }
            self.buffer = Vec::new();
            let fan_in = (self.budget / MIN_READ_BUFFER).clamp(2, MAX_FAN_IN);
            let read_buffer = (self.budget / (fan_in + 1)).max(ENTRY);
            let mut runs = std::mem::take(&mut self.runs);
            // Rounds of merging until one merge can take every run; each merged run keeps an id
            // at most twice, which is all the last merge needs to know.
            while runs.len() > fan_in {
                let mut merged = Vec::with_capacity(runs.len().div_ceil(fan_in));
                let mut rest = runs.into_iter();
                loop {
                    let group: Vec<_> = rest.by_ref().take(fan_in).collect();
                    if group.is_empty() {
                        break;
                    }
                    let store = self.store.create()?;
                    let mut out = BufWriter::with_capacity(read_buffer, store);
                    let mut len = 0;
                    merge(group, read_buffer, |hash, n| {
                        for _ in 0..n.min(2) {
                            out.write_all(&hash.to_le_bytes())?;
                            len += 1;
                        }
                        Ok(())
                    })?;
                    let store = out.into_inner().map_err(io::IntoInnerError::into_error)?;
                    merged.push(Run { store, len });
                    self.summary.runs_written += 1;
                }
                runs = merged;
            }
            merge(runs, read_buffer, |hash, n| {
                if n > 1 {
                    ids.insert(hash, UNCLAIMED);
                }
                Ok(())
            })?;
        }
        self.summary.repeated = ids.len() as u64;
        ids.shrink_to_fit();
        Ok(Repeats {
            ids,
            places: Places::default(),
            summary: self.summary,
        })
    }
}

/// Merges sorted runs, calling `each` once for every distinct hash, in order, with how many times
/// it occurs in them.
fn merge<T: Read + Seek>(
    runs: Vec<Run<T>>,
    read_buffer: usize,
    each: impl FnMut(u128, u64) -> io::Result<()>,
) -> io::Result<()> {
    let mut readers = Vec::with_capacity(runs.len());
    for mut run in runs {
        run.store.seek(SeekFrom::Start(0))?;
        readers.push((BufReader::with_capacity(read_buffer, run.store), run.len));
    }
    let mut heap = BinaryHeap::with_capacity(readers.len());
    for (i, reader) in readers.iter_mut().enumerate() {
        if let Some(hash) = next_hash(reader)? {
            heap.push(Reverse((hash, i)));
        }
    }
    let sorted = std::iter::from_fn(|| {
        let Reverse((hash, i)) = heap.pop()?;
        Some(next_hash(&mut readers[i]).map(|next| {
            if let Some(next) = next {
                heap.push(Reverse((next, i)));
            }
            hash
        }))
    });
    counted(sorted, each)
}

/// The next hash of a run being read, `None` at its end.
fn next_hash<T: Read>((reader, left): &mut (BufReader<T>, u64)) -> io::Result<Option<u128>> {
    if *left == 0 {
        return Ok(None);
    }
    let mut bytes = [0; ENTRY];
    reader.read_exact(&mut bytes)?;
    *left -= 1;
    Ok(Some(u128::from_le_bytes(bytes)))
}

/// Calls `each` once for every distinct hash of a sorted sequence, with how many times it occurs.
fn counted(
    sorted: impl Iterator<Item = io::Result<u128>>,
    mut each: impl FnMut(u128, u64) -> io::Result<()>,
) -> io::Result<()> {
    let mut last: Option<(u128, u64)> = None;
    for hash in sorted {
        let hash = hash?;
        match &mut last {
            Some((h, n)) if *h == hash => *n += 1,
            _ => {
                if let Some((h, n)) = last.replace((hash, 1)) {
                    each(h, n)?;
                }
            }
        }
    }
    match last {
        Some((h, n)) => each(h, n),
        None => Ok(()),
    }
}

/// A repeated id not yet used by a valid record.
const UNCLAIMED: u64 = u64::MAX;

/// The ids that the inputs of a run use more than once, found by [`IdScan`]: the
/// [`IdCheck`] of a reader in the second pass. The first valid record with one of them claims it
/// (its place is kept); a later valid one is rejected, naming that place. An id not among them
/// occurs once at most, so it needs no look-up. Memory: about 24 bytes a repeated id (a hash
/// table of hash → place), none for the others.
#[derive(Debug, Default)]
pub struct Repeats {
    /// Hash → the place of its first valid record, or [`UNCLAIMED`].
    ids: FxHashMap<u128, u64>,
    places: Places,
    summary: ScanSummary,
}

impl Repeats {
    /// How many ids are used more than once.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether every id is used once at most.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// What the scan that found them did.
    pub fn summary(&self) -> ScanSummary {
        self.summary
    }

    /// The bytes it holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        table_slots(self.ids.capacity()) * (size_of::<(u128, u64)>() + 1) + self.places.heap_bytes()
    }
}

impl IdCheck for Repeats {}

impl private::Check for Repeats {
    fn begin(&mut self, source: Arc<str>) -> u64 {
        self.places.begin(source)
    }

    fn check(&mut self, id: &str, source: u64, line: u64) -> Result<(), (Option<Arc<str>>, u64)> {
        if self.ids.is_empty() {
            return Ok(());
        }
        match self.ids.get_mut(&id_hash(id)) {
            None => Ok(()),
            Some(place) if *place == UNCLAIMED => {
                *place = Places::pack(source, line);
                Ok(())
            }
            Some(place) => Err(self.places.unpack(*place, source)),
        }
    }
}

/// The hash of a line's id, if the reader may accept the line: a quick look at the `id` field
/// only, and the reader's full check when the quick look cannot tell.
fn line_id(bytes: &[u8]) -> Option<u128> {
    match serde_json::from_slice::<IdOnly>(bytes) {
        Ok(IdOnly(id)) => id,
        Err(_) => check_line(bytes).ok().map(|record| id_hash(&record.id)),
    }
}

/// A JSON object seen for its `id` alone: the hash of its (last) `id` if it is a non-blank
/// string or a whole number, `None` if it has none. Any other type of `id` is an error, which
/// sends the line to the full check.
struct IdOnly(Option<u128>);

impl<'de> Deserialize<'de> for IdOnly {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Object;
        impl<'de> Visitor<'de> for Object {
            type Value = IdOnly;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IdOnly, A::Error> {
                let mut id = None;
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Id => id = map.next_value::<IdValue>()?.0,
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(IdOnly(id))
            }
        }
        deserializer.deserialize_map(Object)
    }
}

/// A key of the object: `id` or another.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Key {
    Id,
    #[serde(other)]
    Other,
}

/// The `id` field's value, hashed: `None` if blank.
struct IdValue(Option<u128>);

impl<'de> Deserialize<'de> for IdValue {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl Visitor<'_> for ValueVisitor {
            type Value = IdValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a whole number")
            }
            fn visit_str<E: de::Error>(self, id: &str) -> Result<IdValue, E> {
                Ok(IdValue((!id.trim().is_empty()).then(|| id_hash(id))))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<IdValue, E> {
                Ok(IdValue(Some(id_hash(&n.to_string()))))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<IdValue, E> {
                Ok(IdValue(Some(id_hash(&n.to_string()))))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

#[cfg(test)]
mod tests;
