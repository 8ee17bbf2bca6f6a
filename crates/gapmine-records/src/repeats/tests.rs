//! Tests of the bounded duplicate check: it rejects exactly the lines, with exactly the messages,
//! that the in-memory `SeenIds` does, whatever spills and merges a tiny budget forces; nothing is
//! written when the ids fit; memory holds the repeated ids only.

use std::fmt::Write as _;
use std::io;

use insta::assert_snapshot;
use proptest::prelude::*;

use crate::tests::any_line;
use crate::{IdCheck, IdScan, Item, MemoryRuns, Reader, Repeats, RunStore, SeenIds};

/// Reads `files` in order through one duplicate check; each item as one line.
fn read_all<C: IdCheck>(files: &[(&str, Vec<u8>)], mut ids: C) -> String {
    let mut out = String::new();
    for (name, text) in files {
        let mut reader = Reader::continuing(text.as_slice(), *name, ids);
        for item in reader.by_ref() {
            match item.expect("reading from a slice does no IO") {
                Item::Record { line, record } => {
                    writeln!(out, "{name}:{line}: ok {}", record.id).unwrap();
                }
                Item::Rejected { reason, .. } => writeln!(out, "{reason}").unwrap(),
            }
        }
        ids = reader.into_seen();
    }
    out
}

/// The first pass over `files` with `budget` bytes, in memory.
fn scan(files: &[(&str, Vec<u8>)], budget: usize) -> Repeats {
    let mut scan = IdScan::new(MemoryRuns, budget);
    for (_, text) in files {
        let bytes = scan.scan(text.as_slice()).unwrap();
        assert_eq!(bytes, text.len() as u64);
    }
    scan.finish().unwrap()
}

/// A store that counts the runs it was asked for.
#[derive(Default)]
struct Counting(usize);

impl RunStore for Counting {
    type Run = io::Cursor<Vec<u8>>;

    fn create(&mut self) -> io::Result<Self::Run> {
        self.0 += 1;
        Ok(io::Cursor::new(Vec::new()))
    }
}

#[test]
fn duplicates_across_files_name_both_places_as_with_every_id_kept() {
    let a = "{\"id\": \"A\", \"title\": \"t\"}\n{\"id\": \"B\", \"title\": \"t\"}\n{\"id\": \"C\", \"title\": \"t\", \"labels\": 1}\n";
    let b = "{\"id\": \"C\", \"title\": \"t\"}\n\n{\"id\": \"B\", \"title\": \"again\"}\n{\"id\": 7, \"title\": \"t\"}\n{\"id\": \"7\", \"title\": \"t\"}\n{\"id\": \"\\u0041\", \"title\": \"t\"}\n";
    let files = [("a.jsonl", a.into()), ("b.jsonl", b.into())];
    let repeats = scan(&files, 32);
    // B, C (its first line is rejected, yet counted by the first pass), 7 and A.
    assert_eq!(repeats.len(), 4);
    assert!(repeats.summary().runs_written > 0);
    let out = read_all(&files, repeats);
    assert_eq!(out, read_all(&files, SeenIds::default()));
    assert_snapshot!(out, @r#"
    a.jsonl:1: ok A
    a.jsonl:2: ok B
    a.jsonl:3: `labels` is a number, expected an array of strings; fix the value, or rename the field if it means something else
    b.jsonl:1: ok C
    b.jsonl:3: duplicate id "B", first used at a.jsonl:2; give each record its own id, or remove the repeat
    b.jsonl:4: ok 7
    b.jsonl:5: duplicate id "7", first used on line 4; give each record its own id, or remove the repeat
    b.jsonl:6: duplicate id "A", first used at a.jsonl:1; give each record its own id, or remove the repeat
    "#);
}

#[test]
fn nothing_is_written_when_the_ids_fit_the_budget() {
    let mut text = String::new();
    for i in 0..1_000 {
        writeln!(text, "{{\"id\": \"ESC-{i}\", \"title\": \"t\"}}").unwrap();
    }
    writeln!(text, "{{\"id\": \"ESC-5\", \"title\": \"again\"}}").unwrap();
    let mut store = Counting::default();
    let mut scan = IdScan::new(&mut store, 1_001 * 16);
    scan.scan(text.as_bytes()).unwrap();
    let repeats = scan.finish().unwrap();
    assert_eq!(store.0, 0);
    assert_eq!(repeats.len(), 1);
    // One byte less, and the buffer spills before the last id, and again at the end.
    let mut store = Counting::default();
    let mut scan = IdScan::new(&mut store, 1_001 * 16 - 1);
    scan.scan(text.as_bytes()).unwrap();
    assert_eq!(scan.finish().unwrap().len(), 1);
    assert_eq!(store.0, 2);
}

#[test]
fn memory_holds_the_repeated_ids_not_the_records() {
    let mut text = String::new();
    for i in 0..100_000 {
        writeln!(text, "{{\"id\": \"ESC-{i}\", \"title\": \"t\"}}").unwrap();
    }
    for i in 0..10 {
        writeln!(
            text,
            "{{\"id\": \"ESC-{}\", \"title\": \"again\"}}",
            i * 999
        )
        .unwrap();
    }
    let mut store = Counting::default();
    let mut scan = IdScan::new(&mut store, 256 << 10);
    scan.scan(text.as_bytes()).unwrap();
    let repeats = scan.finish().unwrap();
    assert_eq!(repeats.len(), 10);
    assert!(
        repeats.heap_bytes() < 2_000,
        "{} bytes",
        repeats.heap_bytes()
    );
    // 100,010 ids of 16 bytes in runs of 16,384: 7 runs, merged 4 at a time (256 KiB shared by
    // the read buffers of at least 64 KiB): 2 runs, then the last merge.
    assert_eq!(store.0, 7 + 2);
    let summary = repeats.summary();
    assert_eq!((summary.ids, summary.repeated), (100_010, 10));
    let rejected: Vec<String> = read_all(&[("big.jsonl", text.into_bytes())], repeats)
        .lines()
        .filter(|l| l.contains("duplicate"))
        .map(|l| l.split(';').next().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (0..10)
        .map(|i| {
            format!(
                "big.jsonl:{}: duplicate id \"ESC-{}\", first used on line {}",
                100_001 + i,
                i * 999,
                i * 999 + 1
            )
        })
        .collect();
    assert_eq!(rejected, expected);
}

/// A line of a test input: records with ids from a small set, so repeats are common, written in
/// the ways that name the same id, with lines the reader rejects among them.
fn id_line() -> impl Strategy<Value = Vec<u8>> {
    let id = prop::sample::select(vec!["A", "B", "C", "7", " "]);
    prop_oneof![
        4 => id.clone().prop_map(|id| format!(r#"{{"id": "{id}", "title": "t"}}"#)),
        1 => Just(r#"{"id": 7, "title": "t"}"#.to_owned()),
        1 => Just(r#"{"title": "t", "id": "\u0041"}"#.to_owned()),
        1 => id.clone().prop_map(|id| format!(r#"{{"id": "{id}", "title": "t", "labels": 3}}"#)),
        1 => id.clone().prop_map(|id| format!(r#"{{"id": "B", "id": "{id}", "title": "t"}}"#)),
        1 => id.clone().prop_map(|id| format!(r#"{{"id": "{id}", "title": "t""#)),
        1 => id.clone().prop_map(|id| format!(r#"{{"id": "{id}"}}"#)),
        1 => Just(r#"{"id": 7.0, "title": "t"}"#.to_owned()),
        1 => Just(r#"["A", "t"]"#.to_owned()),
        1 => Just(String::new()),
    ]
    .prop_map(String::into_bytes)
}

proptest! {
    #[test]
    fn the_bounded_check_rejects_what_keeping_every_id_rejects(
        files in proptest::collection::vec(
            proptest::collection::vec(prop_oneof![6 => id_line(), 1 => any_line()], 0..14),
            1..5,
        ),
        budget in 0usize..120,
    ) {
        let names = ["a.jsonl", "b.jsonl", "c.jsonl", "d.jsonl"];
        let files: Vec<(&str, Vec<u8>)> = files
            .iter()
            .zip(names)
            .map(|(lines, name)| (name, lines.join(&b'\n')))
            .collect();
        let repeats = scan(&files, budget);
        let ids = repeats.summary().ids;
        // Two ids fit the smallest budget, so more than that many spill.
        if budget < 48 && ids > 2 {
            prop_assert!(repeats.summary().runs_written > 0);
        }
        prop_assert_eq!(read_all(&files, repeats), read_all(&files, SeenIds::default()));
    }
}
