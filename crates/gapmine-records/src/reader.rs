//! The streaming JSONL reader: one record or one rejection per non-blank line, with line numbers.
//!
//! The reader holds one line at a time and what its duplicate check needs ([`IdCheck`], handed
//! from reader to reader across the inputs of a run): either every id it has seen ([`SeenIds`],
//! about 24 bytes an id, 32 at most), or only the ids that a first pass over every input found
//! more than once ([`Repeats`](crate::Repeats), see `repeats.rs`), so memory never grows with the
//! text and, with the first pass, not with the records either. A bad line is reported and reading
//! goes on; only an IO error from the underlying reader stops it.

use std::fmt;
use std::hash::{DefaultHasher, Hasher};
use std::io::{self, BufRead};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use crate::record::{EscapeRecord, FieldError, describe};

/// A line buffer larger than this is released after use, so one huge line does not pin memory.
const KEEP_BUFFER: usize = 1 << 20;

/// What one non-blank line of a JSONL file turned out to be.
// Most lines are records: boxing the large variant would add an allocation per record to make
// the rare rejection smaller.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A valid record, and the line it is on (1-based).
    Record { line: u64, record: EscapeRecord },
    /// A line that is not a valid record, and why.
    Rejected { line: u64, reason: Rejection },
}

/// A rejected line: where it is and what is wrong with it. Its `Display` is the message for
/// people: `FILE:LINE: what is wrong; what to do`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub source: Arc<str>,
    pub line: u64,
    pub kind: RejectionKind,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.source, self.line, self.kind)
    }
}

impl std::error::Error for Rejection {}

/// Why a line is not a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectionKind {
    /// The line is not UTF-8; `column` is the 1-based byte where it stops being so.
    InvalidUtf8 { column: usize },
    /// The line is not JSON: serde_json's message and the 1-based column it points at.
    MalformedJson { message: String, column: usize },
    /// The line is JSON but not an object; `found` describes what it is ("an array").
    NotAnObject { found: &'static str },
    /// The object is not a valid record.
    Field(FieldError),
    /// An earlier record has the same id: on `first_line` of this input, or of the earlier input
    /// `first_source` of the same run.
    DuplicateId {
        id: String,
        first_source: Option<Arc<str>>,
        first_line: u64,
    },
}

impl fmt::Display for RejectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectionKind::InvalidUtf8 { column } => write!(
                f,
                "the line is not valid UTF-8 (from byte {column}); save the file as UTF-8"
            ),
            RejectionKind::MalformedJson { message, column } => write!(
                f,
                "not valid JSON at column {column}: {message}; write each record as one JSON object on one line"
            ),
            RejectionKind::NotAnObject { found } => write!(
                f,
                "expected a JSON object, found {found}; write each record as one object, like {{\"id\": \"ESC-1\", \"title\": \"…\"}}"
            ),
            RejectionKind::Field(error) => error.fmt(f),
            RejectionKind::DuplicateId {
                id,
                first_source,
                first_line,
            } => {
                write!(f, "duplicate id {}, first used ", Value::String(id.clone()))?;
                match first_source {
                    Some(source) => write!(f, "at {source}:{first_line}")?,
                    None => write!(f, "on line {first_line}")?,
                }
                write!(f, "; give each record its own id, or remove the repeat")
            }
        }
    }
}

/// How many lines a reader has read, accepted and rejected so far. Blank lines are not counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Non-blank lines read: always `accepted + rejected`.
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.accepted == 1 { "" } else { "s" };
        write!(
            f,
            "{} record{plural}, {} rejected",
            self.accepted, self.rejected
        )
    }
}

/// How a [`Reader`] tells that a record's id was used before, handed from reader to reader across
/// the inputs of a run: [`SeenIds`] keeps every id, [`Repeats`](crate::Repeats) only those a
/// first pass found more than once. Either way a rejected line does not claim its id: the first
/// *valid* record with an id is its first use.
pub trait IdCheck: private::Check {}

pub(crate) mod private {
    use std::sync::Arc;

    /// The methods of [`super::IdCheck`], out of reach outside the crate.
    pub trait Check {
        /// Starts an input; its index for [`Check::check`].
        fn begin(&mut self, source: Arc<str>) -> u64;
        /// Takes `id` as first used on `line` of input `source`, or says where it was first
        /// used: the earlier input (`None` for this one) and line.
        fn check(
            &mut self,
            id: &str,
            source: u64,
            line: u64,
        ) -> Result<(), (Option<Arc<str>>, u64)>;
    }
}

impl IdCheck for SeenIds {}

/// The inputs of a run, to name an earlier one, and places (an input and a line) packed in 64
/// bits: the line in the low [`LINE_BITS`], the input's index above.
#[derive(Debug, Default)]
pub(crate) struct Places {
    sources: Vec<Arc<str>>,
}

impl Places {
    pub(crate) fn begin(&mut self, source: Arc<str>) -> u64 {
        self.sources.push(source);
        (self.sources.len() - 1) as u64
    }

    pub(crate) fn pack(source: u64, line: u64) -> u64 {
        source << LINE_BITS | line.min((1 << LINE_BITS) - 1)
    }

    /// Where `place` is, as a duplicate names it from input `current`: the input's name if it is
    /// another one, and the line.
    pub(crate) fn unpack(&self, place: u64, current: u64) -> (Option<Arc<str>>, u64) {
        let (first_source, first_line) = (place >> LINE_BITS, place & ((1 << LINE_BITS) - 1));
        let other = (first_source != current)
            .then(|| self.sources.get(first_source as usize).cloned())
            .flatten();
        (other, first_line)
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.sources.capacity() * size_of::<Arc<str>>()
            + self.sources.iter().map(|s| s.len()).sum::<usize>()
    }
}

/// The ids accepted so far by the readers of one run, each with the input and line it was first
/// on, so that a repeat is rejected naming both places, within one input or across inputs.
///
/// An id is kept as a 128-bit hash (two SipHash-1-3 hashes of its bytes under different keys), not
/// as text, with its place packed in 64 bits: 24 bytes a distinct id, whatever the id's length.
/// Two different ids would be taken for one only if their 128-bit hashes collided: for ten
/// million ids, about one chance in 10^24.
///
/// The entries live in one array sorted by hash, with no slack, beside a small hash table of the
/// latest ones, which holds up to about a sixteenth as many ids as the array (at least 57,344);
/// when it is full (at a hash table's full load, so it never grows past it), it is sorted and merged into the array in place (the array grows by exactly
/// the merged ids). A lookup is one probe of the table and a binary search within one of the
/// array's buckets (an index by the hashes' top bits, about 64 entries a bucket). So the check
/// costs 24 bytes an id, plus at most about 8 while the latest ids wait in the table and are
/// merged: never the doubling of a growing hash table, which holds its old and new arrays at
/// once. This is the only state of a reader that grows with its input.
#[derive(Debug, Default)]
pub struct SeenIds {
    /// `[high hash, low hash, place]`, sorted.
    sorted: Vec<[u64; 3]>,
    /// Where each bucket of `sorted` begins (a bucket is the entries whose high hash has the same
    /// top `bucket_bits` bits), with the array's length last.
    buckets: Vec<u32>,
    bucket_bits: u32,
    /// The latest ids, not yet merged: hash → place.
    latest: FxHashMap<u128, u64>,
    places: Places,
}

/// Bits of a packed place that hold the line; the input's index takes the rest.
const LINE_BITS: u32 = 40;
/// The table of the latest ids has room for at least this many…
const MIN_LATEST: usize = 1 << 16;
/// …or, if more, this fraction of the sorted array.
const LATEST_SHARE: usize = 16;

impl SeenIds {
    /// How many distinct ids have been accepted.
    pub fn len(&self) -> usize {
        self.sorted.len() + self.latest.len()
    }

    /// Whether no id has been accepted.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes it holds on the heap (capacities, not only the ids in them): what the duplicate
    /// check costs a run.
    pub fn heap_bytes(&self) -> usize {
        // A table slot is the key and the place (aligned as the key is) and one control byte.
        self.sorted.capacity() * size_of::<[u64; 3]>()
            + self.buckets.capacity() * size_of::<u32>()
            + table_slots(self.latest.capacity()) * (size_of::<(u128, u64)>() + 1)
            + self.places.heap_bytes()
    }

    /// How many latest ids are merged at once: a hash table's full load (7/8) for about
    /// [`LATEST_SHARE`] of the array, so the table never grows between merges.
    fn latest_limit(&self) -> usize {
        let want = (MIN_LATEST.max(self.sorted.len() / LATEST_SHARE) * 7 / 8).max(8);
        (want * 8 / 7).next_power_of_two() / 8 * 7
    }

    /// The place of the id hashed to `high`, `low` in the sorted array.
    fn find(&self, high: u64, low: u64) -> Option<u64> {
        if self.sorted.is_empty() {
            return None;
        }
        let bucket = bucket_of(high, self.bucket_bits);
        let range = self.buckets[bucket] as usize..self.buckets[bucket + 1] as usize;
        let entries = &self.sorted[range];
        entries
            .binary_search_by(|e| (e[0], e[1]).cmp(&(high, low)))
            .ok()
            .map(|i| entries[i][2])
    }

    /// Moves the latest ids into the sorted array (merging from the back, in place) and rebuilds
    /// the bucket index.
    fn merge(&mut self) {
        let mut run: Vec<[u64; 3]> = self
            .latest
            .drain()
            .map(|(key, place)| [(key >> 64) as u64, key as u64, place])
            .collect();
        // Freed before the array grows; refilled, at its next size, by the next `check`.
        self.latest = FxHashMap::default();
        run.sort_unstable();
        let old = self.sorted.len();
        self.sorted.reserve_exact(run.len());
        self.sorted.resize(old + run.len(), [0; 3]);
        // Merge from the back: the largest of the two tails goes last.
        let (mut i, mut j, mut k) = (old, run.len(), old + run.len());
        while j > 0 {
            k -= 1;
            if i > 0 && self.sorted[i - 1] > run[j - 1] {
                self.sorted[k] = self.sorted[i - 1];
                i -= 1;
            } else {
                self.sorted[k] = run[j - 1];
                j -= 1;
            }
        }
        drop(run);
        // About 64 entries a bucket.
        let len = self.sorted.len();
        self.bucket_bits = (usize::BITS - (len / 64).leading_zeros()).min(24);
        self.buckets.clear();
        self.buckets.reserve_exact((1 << self.bucket_bits) + 1);
        let mut at = 0;
        for bucket in 0..=(1usize << self.bucket_bits) {
            while at < len && bucket_of(self.sorted[at][0], self.bucket_bits) < bucket {
                at += 1;
            }
            self.buckets.push(at as u32);
        }
    }
}

impl private::Check for SeenIds {
    fn begin(&mut self, source: Arc<str>) -> u64 {
        self.places.begin(source)
    }

    fn check(&mut self, id: &str, source: u64, line: u64) -> Result<(), (Option<Arc<str>>, u64)> {
        let key = id_hash(id);
        let (high, low) = ((key >> 64) as u64, key as u64);
        let first = match self.latest.get(&key) {
            Some(&place) => Some(place),
            None => self.find(high, low),
        };
        let Some(first) = first else {
            self.latest.insert(key, Places::pack(source, line));
            if self.latest.len() >= self.latest_limit() {
                self.merge();
            }
            return Ok(());
        };
        Err(self.places.unpack(first, source))
    }
}

/// The slots of a hash table that holds `capacity` entries (at most 7/8 of a power of two).
pub(crate) fn table_slots(capacity: usize) -> usize {
    if capacity == 0 {
        0
    } else {
        (capacity * 8 / 7).next_power_of_two()
    }
}

/// The bucket of a high hash: its top `bits` bits.
fn bucket_of(high: u64, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        (high >> (64 - bits)) as usize
    }
}

/// An id's 128-bit hash: two SipHash-1-3 hashes of its bytes under different keys, the first in
/// the high half.
pub(crate) fn id_hash(id: &str) -> u128 {
    u128::from(hash(id, 0x85eb_ca6b)) << 64 | u128::from(hash(id, 0x9e37_79b9))
}

fn hash(id: &str, key: u64) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write_u64(key);
    hasher.write(id.as_bytes());
    hasher.finish()
}

/// The lines of an input as every pass reads them: numbered from 1, without their line ending
/// (`\n` or `\r\n`) or a UTF-8 byte-order mark before the first, blank ones skipped.
#[derive(Debug)]
pub(crate) struct Lines<R> {
    input: R,
    line: u64,
    buffer: Vec<u8>,
    /// Bytes read so far.
    bytes: u64,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(input: R) -> Self {
        Lines {
            input,
            line: 0,
            buffer: Vec::new(),
            bytes: 0,
        }
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The next non-blank line and its number, `None` at the end of the input.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<(u64, &[u8])>> {
        loop {
            if self.buffer.capacity() > KEEP_BUFFER {
                self.buffer = Vec::new();
            }
            self.buffer.clear();
            let n = self.input.read_until(b'\n', &mut self.buffer)?;
            if n == 0 {
                return Ok(None);
            }
            self.bytes += n as u64;
            self.line += 1;
            let mut end = self.buffer.len();
            for ending in [b'\n', b'\r'] {
                if self.buffer[..end].last() == Some(&ending) {
                    end -= 1;
                }
            }
            let start = if self.line == 1 && self.buffer[..end].starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
            if !self.buffer[start..end].iter().all(u8::is_ascii_whitespace) {
                return Ok(Some((self.line, &self.buffer[start..end])));
            }
        }
    }
}

/// Reads escape records from JSONL, one [`Item`] per non-blank line.
///
/// It is an iterator of `io::Result<Item>`: an `Err` is an IO error of the underlying reader,
/// after which it yields nothing more. Invalid UTF-8 is not an IO error here but a rejected line.
/// `C` is how it tells repeated ids: [`SeenIds`] unless it is given [`Repeats`](crate::Repeats).
pub struct Reader<R, C = SeenIds> {
    lines: Lines<R>,
    source: Arc<str>,
    /// The duplicate check's state, shared with the readers before it in the run.
    ids: C,
    /// This input's index in `ids`.
    index: u64,
    /// Whether repeated ids are rejected (see [`Reader::trusting_ids`]).
    check_ids: bool,
    summary: Summary,
    done: bool,
}

impl<R, C> fmt::Debug for Reader<R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("source", &self.source)
            .field("line", &self.lines.line)
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

impl<R: BufRead> Reader<R> {
    /// A reader over `input`; `source` names it in rejections (a path, or `<stdin>`).
    pub fn new(input: R, source: impl Into<Arc<str>>) -> Self {
        Reader::continuing(input, source, SeenIds::default())
    }
}

impl<R: BufRead, C: IdCheck> Reader<R, C> {
    /// A reader over `input` that rejects the ids already used by the readers before it too:
    /// hand it their state ([`Reader::into_seen`]) to catch duplicates across the inputs of a
    /// run. `ids` is a [`SeenIds`] (start with `SeenIds::default()`), or the
    /// [`Repeats`](crate::Repeats) that [`IdScan`](crate::IdScan) found in the same inputs, read
    /// in the same order.
    pub fn continuing(input: R, source: impl Into<Arc<str>>, mut ids: C) -> Self {
        let source = source.into();
        let index = ids.begin(source.clone());
        Reader {
            lines: Lines::new(input),
            source,
            ids,
            index,
            check_ids: true,
            summary: Summary::default(),
            done: false,
        }
    }

    /// The same reader, but one that does not look for repeated ids, and so keeps nothing per
    /// record: for input whose ids are known to be distinct (written by the program itself, as
    /// the benchmarks' corpora are). A repeated id is then read as another record.
    pub fn trusting_ids(mut self) -> Self {
        self.check_ids = false;
        self
    }

    /// The duplicate check's state so far, for the next input's [`Reader::continuing`].
    pub fn into_seen(self) -> C {
        self.ids
    }

    /// The counts so far; after the iterator ends, for the whole input.
    pub fn summary(&self) -> Summary {
        self.summary
    }

    /// The name rejections give the input.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The bytes read from the input so far: after the end, its length.
    pub fn bytes_read(&self) -> u64 {
        self.lines.bytes()
    }

    /// The next item, `Ok(None)` at the end of the input.
    pub fn next_item(&mut self) -> io::Result<Option<Item>> {
        let Some((line, bytes)) = self.lines.next_line()? else {
            return Ok(None);
        };
        let item = match check_line(bytes) {
            Ok(record) if !self.check_ids => Ok(record),
            Ok(record) => match self.ids.check(&record.id, self.index, line) {
                Ok(()) => Ok(record),
                Err((first_source, first_line)) => Err(RejectionKind::DuplicateId {
                    id: record.id,
                    first_source,
                    first_line,
                }),
            },
            Err(kind) => Err(kind),
        };
        self.summary.read += 1;
        Ok(Some(match item {
            Ok(record) => {
                self.summary.accepted += 1;
                Item::Record { line, record }
            }
            Err(kind) => {
                self.summary.rejected += 1;
                Item::Rejected {
                    line,
                    reason: Rejection {
                        source: self.source.clone(),
                        line,
                        kind,
                    },
                }
            }
        }))
    }
}

impl<R: BufRead, C: IdCheck> Iterator for Reader<R, C> {
    type Item = io::Result<Item>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_item() {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }
}

/// One line's bytes (without its line ending) as a record, or why not.
pub(crate) fn check_line(bytes: &[u8]) -> Result<EscapeRecord, RejectionKind> {
    let text = std::str::from_utf8(bytes).map_err(|e| RejectionKind::InvalidUtf8 {
        column: e.valid_up_to() + 1,
    })?;
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
        RejectionKind::MalformedJson {
            message,
            column: e.column(),
        }
    })?;
    let map: Map<String, Value> = match value {
        Value::Object(map) => map,
        other => {
            return Err(RejectionKind::NotAnObject {
                found: describe(&other),
            });
        }
    };
    EscapeRecord::from_object(map).map_err(RejectionKind::Field)
}
