//! Tests of the reader: each rejection with its exact message, a round trip of a full record,
//! and a property test that every non-blank line of any input is accounted for exactly once.

use std::fmt::Write as _;

use insta::assert_snapshot;
use proptest::prelude::*;

use crate::{EscapeRecord, Item, OccurredAt, Outcome, Reader, SeenIds, Summary};

/// Reads `input` as `records.jsonl`; each item as one line: `N: id` or the rejection's message.
fn read(input: &[u8]) -> String {
    let mut reader = Reader::new(input, "records.jsonl");
    let mut out = String::new();
    for item in reader.by_ref() {
        match item.expect("reading from a slice does no IO") {
            Item::Record { line, record } => writeln!(out, "{line}: ok {}", record.id).unwrap(),
            Item::Rejected { reason, .. } => writeln!(out, "{reason}").unwrap(),
        }
    }
    write!(out, "{}", reader.summary()).unwrap();
    out
}

/// Reads one line that must be rejected; its message.
fn reject(line: &str) -> String {
    let mut reader = Reader::new(line.as_bytes(), "records.jsonl");
    match reader.next() {
        Some(Ok(Item::Rejected { reason, .. })) => reason.to_string(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn malformed_json() {
    assert_snapshot!(reject(r#"{"id": "A", "title": "t""#), @"records.jsonl:1: not valid JSON at column 24: EOF while parsing an object; write each record as one JSON object on one line");
    assert_snapshot!(reject(r#"{"id": "A" "title": "t"}"#), @"records.jsonl:1: not valid JSON at column 12: expected `,` or `}`; write each record as one JSON object on one line");
    assert_snapshot!(reject("id,title"), @"records.jsonl:1: not valid JSON at column 1: expected value; write each record as one JSON object on one line");
}

#[test]
fn invalid_utf8_rejects_only_its_line() {
    let input = b"{\"id\": \"A\", \"title\": \"caf\xe9\"}\n{\"id\": \"B\", \"title\": \"ok\"}\n";
    assert_snapshot!(read(input), @"
    records.jsonl:1: the line is not valid UTF-8 (from byte 26); save the file as UTF-8
    2: ok B
    1 record, 1 rejected
    ");
}

#[test]
fn not_an_object() {
    assert_snapshot!(reject(r#"[{"id": "A", "title": "t"}]"#), @r#"records.jsonl:1: expected a JSON object, found an array; write each record as one object, like {"id": "ESC-1", "title": "…"}"#);
    assert_snapshot!(reject(r#""ESC-1""#), @r#"records.jsonl:1: expected a JSON object, found a string; write each record as one object, like {"id": "ESC-1", "title": "…"}"#);
    assert_snapshot!(reject("null"), @r#"records.jsonl:1: expected a JSON object, found null; write each record as one object, like {"id": "ESC-1", "title": "…"}"#);
}

#[test]
fn missing_id_or_title() {
    assert_snapshot!(reject(r#"{"title": "t"}"#), @"records.jsonl:1: the record has no `id`; give every record a unique `id` string");
    assert_snapshot!(reject(r#"{"id": "A"}"#), @"records.jsonl:1: the record has no `title`; give every record a one-line `title`");
    assert_snapshot!(reject(r#"{"key": "A", "summary": "t"}"#), @"records.jsonl:1: the record has no `id` and no `title`; give every record a unique `id` and a one-line `title`");
}

#[test]
fn empty_id() {
    assert_snapshot!(reject(r#"{"id": "", "title": "t"}"#), @"records.jsonl:1: `id` is empty; give every record a unique, non-empty `id`");
    assert_snapshot!(reject(r#"{"id": "  ", "title": "t"}"#), @"records.jsonl:1: `id` is empty; give every record a unique, non-empty `id`");
}

#[test]
fn wrong_type_of_a_known_field() {
    assert_snapshot!(reject(r#"{"id": true, "title": "t"}"#), @"records.jsonl:1: `id` is a boolean, expected a string or a whole number; fix the value, or rename the field if it means something else");
    assert_snapshot!(reject(r#"{"id": 1.5, "title": "t"}"#), @"records.jsonl:1: `id` is a number with a fraction, expected a string or a whole number; fix the value, or rename the field if it means something else");
    assert_snapshot!(reject(r#"{"id": "A", "title": null}"#), @"records.jsonl:1: `title` is null, expected a string; fix the value, or rename the field if it means something else");
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "body": 3}"#), @"records.jsonl:1: `body` is a number, expected a string; fix the value, or rename the field if it means something else");
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "labels": "bug"}"#), @"records.jsonl:1: `labels` is a string, expected an array of strings; fix the value, or rename the field if it means something else");
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "labels": ["bug", 2]}"#), @"records.jsonl:1: `labels[1]` is a number, expected a string; fix the value, or rename the field if it means something else");
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "occurred_at": 20260914}"#), @r#"records.jsonl:1: `occurred_at` is a number, expected a date or time as a string (`"2026-09-14"`, `"2026-09-14T08:30:00Z"`); fix the value, or rename the field if it means something else"#);
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "interventions": "contract-test"}"#), @r#"records.jsonl:1: `interventions` is a string, expected an array of objects like {"id": "contract-test", "outcome": "held"}; fix the value, or rename the field if it means something else"#);
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "interventions": ["contract-test"]}"#), @r#"records.jsonl:1: `interventions[0]` is a string, expected an object like {"id": "contract-test", "outcome": "held"}; fix the value, or rename the field if it means something else"#);
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "interventions": [{"outcome": "held"}]}"#), @"records.jsonl:1: `interventions[0].id` is missing, expected an intervention's id (a non-empty string); fix the value, or rename the field if it means something else");
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "interventions": [{"id": "x", "outcome": "won"}]}"#), @r#"records.jsonl:1: `interventions[0].outcome` is "won", expected one of "held", "failed", "pending"; fix the value, or rename the field if it means something else"#);
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "interventions": [{"id": "x"}]}"#), @r#"records.jsonl:1: `interventions[0].outcome` is missing, expected one of "held", "failed", "pending"; fix the value, or rename the field if it means something else"#);
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "interventions": [{"id": "x", "outcome": "held", "by": "me"}]}"#), @"records.jsonl:1: `interventions[0].by` is an unknown field, expected only `id` and `outcome` in an intervention; fix the value, or rename the field if it means something else");
}

#[test]
fn unparsable_occurred_at() {
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "occurred_at": "14/09/2026"}"#), @r#"records.jsonl:1: `occurred_at` "14/09/2026" is not a date or time; write a date (`2026-09-14`) or an RFC 3339 time with an offset (`2026-09-14T08:30:00Z`, `2026-09-14T08:30:00+02:00`)"#);
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "occurred_at": "2026-02-30"}"#), @r#"records.jsonl:1: `occurred_at` "2026-02-30" is not a date or time; write a date (`2026-09-14`) or an RFC 3339 time with an offset (`2026-09-14T08:30:00Z`, `2026-09-14T08:30:00+02:00`)"#);
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "occurred_at": "2026-09-14T08:30:00"}"#), @r#"records.jsonl:1: `occurred_at` "2026-09-14T08:30:00" is not a date or time; write a date (`2026-09-14`) or an RFC 3339 time with an offset (`2026-09-14T08:30:00Z`, `2026-09-14T08:30:00+02:00`)"#);
    assert_snapshot!(reject(r#"{"id": "A", "title": "t", "occurred_at": "2026-09-14T08:30:00Z[Europe/Paris]"}"#), @r#"records.jsonl:1: `occurred_at` "2026-09-14T08:30:00Z[Europe/Paris]" is not a date or time; write a date (`2026-09-14`) or an RFC 3339 time with an offset (`2026-09-14T08:30:00Z`, `2026-09-14T08:30:00+02:00`)"#);
}

#[test]
fn duplicate_id_names_the_first_line() {
    let input = concat!(
        "{\"id\": \"A\", \"title\": \"first\"}\n",
        "\n",
        "{\"id\": \"B\", \"title\": \"other\"}\n",
        "{\"id\": \"A\", \"title\": \"again\"}\n",
        // A rejected line does not claim its id.
        "{\"id\": \"C\", \"title\": \"bad\", \"labels\": 1}\n",
        "{\"id\": \"C\", \"title\": \"good\"}\n",
        // A number id and the same id as a string are the same id.
        "{\"id\": 7, \"title\": \"seven\"}\n",
        "{\"id\": \"7\", \"title\": \"seven again\"}\n",
    );
    assert_snapshot!(read(input.as_bytes()), @r#"
    1: ok A
    3: ok B
    records.jsonl:4: duplicate id "A", first used on line 1; give each record its own id, or remove the repeat
    records.jsonl:5: `labels` is a number, expected an array of strings; fix the value, or rename the field if it means something else
    6: ok C
    7: ok 7
    records.jsonl:8: duplicate id "7", first used on line 7; give each record its own id, or remove the repeat
    4 records, 3 rejected
    "#);
}

#[test]
fn duplicate_ids_across_the_inputs_of_a_run_name_both_places() {
    let first = "{\"id\": \"A\", \"title\": \"t\"}\n{\"id\": \"B\", \"title\": \"t\"}\n";
    let second = "{\"id\": \"C\", \"title\": \"t\"}\n{\"id\": \"B\", \"title\": \"again\"}\n{\"id\": \"C\", \"title\": \"again\"}\n";
    let mut out = String::new();
    let mut seen = SeenIds::default();
    // The same file given twice is two inputs: every id of the second reading is a repeat.
    for (input, name) in [(first, "a.jsonl"), (second, "b.jsonl"), (first, "a.jsonl")] {
        let mut reader = Reader::continuing(input.as_bytes(), name, seen);
        for item in reader.by_ref() {
            match item.expect("reading from a slice does no IO") {
                Item::Record { line, record } => {
                    writeln!(out, "{name}:{line}: ok {}", record.id).unwrap();
                }
                Item::Rejected { reason, .. } => writeln!(out, "{reason}").unwrap(),
            }
        }
        seen = reader.into_seen();
    }
    assert_eq!(seen.len(), 3);
    assert_snapshot!(out, @r#"
    a.jsonl:1: ok A
    a.jsonl:2: ok B
    b.jsonl:1: ok C
    b.jsonl:2: duplicate id "B", first used at a.jsonl:2; give each record its own id, or remove the repeat
    b.jsonl:3: duplicate id "C", first used on line 1; give each record its own id, or remove the repeat
    a.jsonl:1: duplicate id "A", first used at a.jsonl:1; give each record its own id, or remove the repeat
    a.jsonl:2: duplicate id "B", first used at a.jsonl:2; give each record its own id, or remove the repeat
    "#);
}

#[test]
fn blank_lines_crlf_bom_and_last_line_without_newline() {
    let input = "\u{feff}{\"id\": \"A\", \"title\": \"t\"}\r\n\r\n   \n\t\n{\"id\": \"B\", \"title\": \"t\"}";
    assert_snapshot!(read(input.as_bytes()), @"
    1: ok A
    5: ok B
    2 records, 0 rejected
    ");
    assert_snapshot!(read(b""), @"0 records, 0 rejected");
}

#[test]
fn summary_says_how_many() {
    let summary = Summary {
        read: 3,
        accepted: 1,
        rejected: 2,
    };
    assert_snapshot!(summary, @"1 record, 2 rejected");
}

#[test]
fn very_long_line() {
    let body = "x".repeat(5 << 20);
    let input = format!(
        "{{\"id\": \"A\", \"title\": \"t\", \"body\": \"{body}\"}}\n{{\"id\": \"B\", \"title\": \"t\"}}\n"
    );
    let items: Vec<Item> = Reader::new(input.as_bytes(), "big.jsonl")
        .map(Result::unwrap)
        .collect();
    match &items[..] {
        [
            Item::Record { line: 1, record: a },
            Item::Record { line: 2, record: b },
        ] => {
            assert_eq!(a.body.as_deref().map(str::len), Some(5 << 20));
            assert_eq!(b.id, "B");
        }
        other => panic!("{other:?}"),
    }
}

const FULL: &str = r#"{"id":"ESC-1042","title":"Export silently dropped rows","body":"Rows with a null region were skipped.","occurred_at":"2026-09-14T23:30:00-05:00","service":"billing-export","team":"data","labels":["bug","sev2"],"detected_by":"customer","severity":"high","source":"jira","url":"https://jira.example.com/browse/ESC-1042","failure_modes":["missing-null-check"],"interventions":[{"id":"contract-test","outcome":"held"},{"id":"null-lint","outcome":"pending"}],"components":["export"],"votes":3}"#;

#[test]
fn a_full_record_round_trips() {
    let record: EscapeRecord = serde_json::from_str(FULL).unwrap();
    let at = record.occurred_at.as_ref().unwrap();
    // The date is the one written, in the offset it was written in.
    assert_eq!(at.date, jiff::civil::date(2026, 9, 14));
    assert_eq!(
        at.timestamp.unwrap().to_string(),
        "2026-09-15T04:30:00Z",
        "the instant is exact"
    );
    assert_eq!(record.interventions[0].outcome, Outcome::Held);
    assert_eq!(record.text("service"), Some("billing-export"));
    assert_eq!(record.text("title"), Some("Export silently dropped rows"));
    assert_eq!(record.text("components"), None, "not a string");
    assert_eq!(record.text("nope"), None);
    assert_eq!(record.labels(), ["bug", "sev2"]);
    assert_eq!(record.extra["votes"], 3);

    let written = serde_json::to_string(&record).unwrap();
    let again: EscapeRecord = serde_json::from_str(&written).unwrap();
    assert_eq!(again, record);
    // Nothing is lost: the JSON written equals the JSON read, field for field.
    let before: serde_json::Value = serde_json::from_str(FULL).unwrap();
    let after: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(before, after);
}

#[test]
fn optional_fields_may_be_null_and_ids_may_be_numbers() {
    let record: EscapeRecord = serde_json::from_str(
        r#"{"id": 1042, "title": "t", "body": null, "labels": null, "occurred_at": null}"#,
    )
    .unwrap();
    assert_eq!(record.id, "1042");
    assert_eq!(record.body, None);
    assert!(record.labels.is_empty());
    assert_eq!(
        serde_json::to_string(&record).unwrap(),
        r#"{"id":"1042","title":"t"}"#
    );
}

#[test]
fn occurred_at_forms() {
    let date = |text: &str| OccurredAt::parse(text).map(|at| at.date.to_string());
    assert_eq!(date("2026-09-14").as_deref(), Some("2026-09-14"));
    assert_eq!(date("2026-09-14T08:30:00Z").as_deref(), Some("2026-09-14"));
    assert_eq!(
        date("2026-09-14T08:30:00.123+02:00").as_deref(),
        Some("2026-09-14")
    );
    assert_eq!(date("2026-09-14T08:30:00"), None, "no offset");
    assert_eq!(date("2026-9-14"), None);
    assert_eq!(date("yesterday"), None);
}

#[test]
fn deserialize_reports_the_field() {
    let error = serde_json::from_str::<EscapeRecord>(r#"{"id": "A"}"#).unwrap_err();
    assert_snapshot!(error, @"the record has no `title`; give every record a one-line `title`");
}

/// A line of JSON that may or may not be a valid record: mutations of a valid one.
fn mutated_record() -> impl Strategy<Value = Vec<u8>> {
    let ids = prop_oneof![
        Just(r#""A""#.to_string()),
        Just(r#""B""#.to_string()),
        Just("7".to_string()),
        Just(r#""""#.to_string()),
        Just("null".to_string()),
        "\"[a-c]{1,2}\"",
    ];
    let dates = prop_oneof![
        Just(r#""2026-09-14""#.to_string()),
        Just(r#""2026-09-14T08:30:00Z""#.to_string()),
        Just(r#""14/09/2026""#.to_string()),
        Just("3".to_string()),
        Just("null".to_string()),
    ];
    let outcomes = prop_oneof![Just("held"), Just("failed"), Just("pending"), Just("won"),];
    (ids, any::<bool>(), dates, outcomes, any::<u8>(), any::<u8>())
        .prop_map(|(id, with_title, date, outcome, cut, byte)| {
            let title = if with_title { r#","title":"t""# } else { "" };
            let mut line = format!(
                r#"{{"id":{id}{title},"occurred_at":{date},"labels":["x"],"interventions":[{{"id":"i","outcome":"{outcome}"}}]}}"#
            )
            .into_bytes();
            // Sometimes damage it: cut it short or overwrite a byte.
            match cut % 4 {
                0 => line.truncate(usize::from(byte) % line.len()),
                1 => {
                    let at = usize::from(byte) % line.len();
                    line[at] = byte;
                }
                _ => {}
            }
            line
        })
}

pub(crate) fn any_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        mutated_record(),
        proptest::collection::vec(any::<u8>(), 0..40),
        Just(Vec::new()),
        Just(b"  \t".to_vec()),
    ]
}

proptest! {
    #[test]
    fn every_line_is_accounted_for_once(lines in proptest::collection::vec(any_line(), 0..30)) {
        // Lines are joined by newlines, so a line holding a newline byte is several lines.
        let input = lines.join(&b'\n');
        let expected: Vec<u64> = input
            .split(|&b| b == b'\n')
            .enumerate()
            .filter(|(i, line)| {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let line = if *i == 0 { line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line) } else { line };
                !line.iter().all(u8::is_ascii_whitespace)
            })
            .map(|(i, _)| i as u64 + 1)
            .collect();

        let mut reader = Reader::new(input.as_slice(), "p.jsonl");
        let mut seen = Vec::new();
        for item in reader.by_ref() {
            match item.unwrap() {
                Item::Record { line, .. } => seen.push(line),
                Item::Rejected { line, reason } => {
                    prop_assert_eq!(reason.line, line);
                    let prefix = format!("p.jsonl:{line}: ");
                    prop_assert!(reason.to_string().starts_with(&prefix));
                    seen.push(line);
                }
            }
        }
        prop_assert_eq!(&seen, &expected);
        let summary = reader.summary();
        prop_assert_eq!(summary.read, expected.len() as u64);
        prop_assert_eq!(summary.accepted + summary.rejected, summary.read);
    }
}

#[test]
fn duplicate_ids_are_caught_however_many_ids_came_before() {
    // Enough ids for several merges of the latest ids into the sorted array: every id is
    // accepted once, and every repeat names the line it was first on, wherever that id now is.
    let n = 300_000u64;
    let mut seen = SeenIds::default();
    let mut input = String::new();
    for i in 0..n {
        writeln!(input, "{{\"id\": \"ESC-{i}\", \"title\": \"t\"}}").unwrap();
    }
    // Repeats of early, middle and late ids (some merged long ago, some still in the table).
    let repeats = [0, 1, 57_343, 57_344, 123_456, n - 2, n - 1];
    for &i in &repeats {
        writeln!(input, "{{\"id\": \"ESC-{i}\", \"title\": \"again\"}}").unwrap();
    }
    let mut reader = Reader::continuing(input.as_bytes(), "big.jsonl", seen);
    let mut rejected = Vec::new();
    for item in reader.by_ref() {
        if let Item::Rejected { line, reason } = item.unwrap() {
            rejected.push((line, reason.to_string()));
        }
    }
    let expected: Vec<(u64, String)> = repeats
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            (
                n + 1 + k as u64,
                format!(
                    "big.jsonl:{}: duplicate id \"ESC-{i}\", first used on line {}; give each record its own id, or remove the repeat",
                    n + 1 + k as u64,
                    i + 1
                ),
            )
        })
        .collect();
    assert_eq!(rejected, expected);
    seen = reader.into_seen();
    assert_eq!(seen.len(), n as usize);
    // 24 bytes an id in the sorted array, and the rest within the documented bound.
    let per_id = seen.heap_bytes() as f64 / n as f64;
    assert!((24.0..=32.5).contains(&per_id), "{per_id} bytes an id");
}

#[test]
fn a_reader_trusting_ids_reads_repeats_as_records_and_keeps_no_ids() {
    let input = "{\"id\": \"A\", \"title\": \"t\"}\n{\"id\": \"A\", \"title\": \"again\"}\n";
    let mut reader = Reader::new(input.as_bytes(), "trusted.jsonl").trusting_ids();
    let lines: Vec<u64> = reader
        .by_ref()
        .map(|item| match item.unwrap() {
            Item::Record { line, .. } => line,
            Item::Rejected { reason, .. } => panic!("rejected: {reason}"),
        })
        .collect();
    assert_eq!(lines, [1, 2]);
    assert!(reader.into_seen().is_empty());
}
