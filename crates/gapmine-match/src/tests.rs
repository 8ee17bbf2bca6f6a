//! Tests of the matcher: one `check` per behaviour, a compact rendering snapshotted inline, and a
//! property test against a naive reference that searches every signal directly.

use gapmine_model::{Common, FailureMode, Id, Signal, SignalKind, TextField, Weight};

use crate::{Matcher, RecordText};

fn fm(id: &str, signals: Vec<Signal>) -> FailureMode {
    FailureMode {
        common: Common {
            id: Id(id.to_owned()),
            title: id.to_owned(),
            summary: None,
            tags: Vec::new(),
            see: Vec::new(),
            since: None,
            deprecated: None,
            replaced_by: None,
        },
        parent: None,
        layer: None,
        caught_by: None,
        threshold: None,
        signals,
        probes: Vec::new(),
        examples: Vec::new(),
    }
}

fn child(mut f: FailureMode, parent: &str) -> FailureMode {
    f.parent = Some(Id(parent.to_owned()));
    f
}

fn threshold(mut f: FailureMode, t: f64) -> FailureMode {
    f.threshold = Some(Weight(t));
    f
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn signal(kind: SignalKind, weight: f64) -> Signal {
    Signal {
        kind,
        weight: Weight(weight),
        field: TextField::Any,
    }
}

fn phrase(phrases: &[&str], weight: f64) -> Signal {
    signal(SignalKind::Phrase(strings(phrases)), weight)
}

fn pattern(patterns: &[&str], weight: f64) -> Signal {
    signal(SignalKind::Pattern(strings(patterns)), weight)
}

fn label(labels: &[&str], weight: f64) -> Signal {
    signal(SignalKind::Label(strings(labels)), weight)
}

fn field(name: &str, values: &[&str], weight: f64) -> Signal {
    signal(
        SignalKind::Field {
            name: name.to_owned(),
            values: strings(values),
        },
        weight,
    )
}

fn only(mut s: Signal, f: TextField) -> Signal {
    s.field = f;
    s
}

fn check(fms: &[FailureMode], record: RecordText<'_>) -> String {
    let matcher = Matcher::compile(fms, 0.5).unwrap();
    let c = matcher.classify(&record);
    // Evidence ranges point at the evidence text in the record.
    for e in c
        .matches
        .iter()
        .chain(&c.near_misses)
        .flat_map(|d| &d.evidence)
    {
        match e.field {
            crate::EvidenceField::Title => assert_eq!(&record.title[e.range.clone()], e.text),
            crate::EvidenceField::Body => assert_eq!(&record.body[e.range.clone()], e.text),
            _ => assert_eq!(e.range, 0..e.text.len()),
        }
    }
    c.to_string()
}

fn text<'a>(title: &'a str, body: &'a str) -> RecordText<'a> {
    RecordText {
        title,
        body,
        ..RecordText::default()
    }
}

#[test]
fn phrase_is_ascii_case_insensitive_and_overlaps_across_failure_modes() {
    let fms = [
        fm("flaky", vec![phrase(&["flaky test"], 0.6)]),
        fm(
            "test-pollution",
            vec![phrase(&["Test Pollution", "TEST"], 0.5)],
        ),
        fm("pollution", vec![phrase(&["pollution"], 0.9)]),
    ];
    insta::assert_snapshot!(check(&fms, text("A FLAKY TEST from test pollution", "")), @r#"
    match flaky 0.600 >= 0.500
      phrase#0 +0.6 title 2..12 "FLAKY TEST"
    match test-pollution 0.500 >= 0.500
      phrase#0 +0.5 title 8..12 "TEST"
    match pollution 0.900 >= 0.500
      phrase#0 +0.9 title 23..32 "pollution"
    "#);
}

#[test]
fn in_title_or_body() {
    let fms = [
        fm("t", vec![only(phrase(&["timeout"], 0.9), TextField::Title)]),
        fm("b", vec![only(phrase(&["timeout"], 0.9), TextField::Body)]),
        fm("any", vec![phrase(&["timeout"], 0.9)]),
    ];
    insta::assert_snapshot!(check(&fms, text("ok", "a timeout")), @r#"
    match b 0.900 >= 0.500
      phrase#0 +0.9 body 2..9 "timeout"
    match any 0.900 >= 0.500
      phrase#0 +0.9 body 2..9 "timeout"
    "#);
    // Title is the first occurrence when both have it.
    insta::assert_snapshot!(check(&fms, text("Timeout", "a timeout")), @r#"
    match t 0.900 >= 0.500
      phrase#0 +0.9 title 0..7 "Timeout"
    match b 0.900 >= 0.500
      phrase#0 +0.9 body 2..9 "timeout"
    match any 0.900 >= 0.500
      phrase#0 +0.9 title 0..7 "Timeout"
    "#);
}

#[test]
fn noisy_or_and_negative_weights() {
    let fms = [fm(
        "db",
        vec![
            phrase(&["deadlock"], 0.5),
            phrase(&["lock wait"], 0.5),
            phrase(&["test only"], -0.5),
        ],
    )];
    // 1 - (1 - 0.5)(1 - 0.5) = 0.75.
    insta::assert_snapshot!(check(&fms, text("deadlock and lock wait", "")), @r#"
    match db 0.750 >= 0.500
      phrase#0 +0.5 title 0..8 "deadlock"
      phrase#1 +0.5 title 13..22 "lock wait"
    "#);
    // 0.75 × (1 - 0.5) = 0.375: a near miss.
    insta::assert_snapshot!(check(&fms, text("deadlock and lock wait", "test only")), @r#"
    unclassified
    near miss db 0.375 < 0.500
      phrase#0 +0.5 title 0..8 "deadlock"
      phrase#1 +0.5 title 13..22 "lock wait"
      phrase#2 -0.5 body 0..9 "test only"
    "#);
}

#[test]
fn threshold_per_entry_overrides_default() {
    let fms = [
        fm("default", vec![phrase(&["disk"], 0.4)]),
        threshold(fm("low", vec![phrase(&["disk"], 0.4)]), 0.3),
        threshold(fm("high", vec![phrase(&["disk"], 0.9)]), 0.95),
    ];
    insta::assert_snapshot!(check(&fms, text("disk full", "")), @r#"
    match low 0.400 >= 0.300
      phrase#0 +0.4 title 0..4 "disk"
    near miss default 0.400 < 0.500
      phrase#0 +0.4 title 0..4 "disk"
    near miss high 0.900 < 0.950
      phrase#0 +0.9 title 0..4 "disk"
    "#);
}

#[test]
fn child_implies_parent_and_grandparent() {
    let fms = [
        fm("grand", vec![]),
        child(fm("parent", vec![phrase(&["order"], 0.2)]), "grand"),
        child(
            fm("leaf", vec![phrase(&["order-dependent"], 0.9)]),
            "parent",
        ),
        child(fm("sibling", vec![phrase(&["nothing"], 0.9)]), "parent"),
    ];
    insta::assert_snapshot!(check(&fms, text("order-dependent test", "")), @r#"
    match grand 0.000 < 0.500
      implied by child leaf
    match parent 0.200 < 0.500
      phrase#0 +0.2 title 0..5 "order"
      implied by child leaf
    match leaf 0.900 >= 0.500
      phrase#0 +0.9 title 0..15 "order-dependent"
    "#);
}

#[test]
fn parent_cycle_is_cut() {
    let fms = [
        child(fm("a", vec![phrase(&["x"], 0.9)]), "b"),
        child(fm("b", vec![]), "a"),
    ];
    insta::assert_snapshot!(check(&fms, text("x", "")), @r#"
    match a 0.900 >= 0.500
      phrase#0 +0.9 title 0..1 "x"
    match b 0.000 < 0.500
      implied by child a
    "#);
}

#[test]
fn label_and_field_signals() {
    let fms = [
        fm("flaky", vec![label(&["Flaky"], 0.8)]),
        fm("prod", vec![field("detected_by", &["Production"], 0.6)]),
    ];
    let labels = strings(&["bug", "FLAKY"]);
    let fields = [("detected_by", "production"), ("service", "api")];
    let record = RecordText {
        title: "something broke",
        body: "",
        labels: &labels,
        fields: &fields,
    };
    insta::assert_snapshot!(check(&fms, record), @r#"
    match flaky 0.800 >= 0.500
      label#0 +0.8 label 0..5 "FLAKY"
    match prod 0.600 >= 0.500
      field#0 +0.6 field detected_by 0..10 "production"
    "#);
}

#[test]
fn each_pattern_is_confirmed_where_its_literals_allow() {
    use crate::compile::Confirm;
    let matcher = Matcher::compile(
        &[fm(
            "p",
            vec![pattern(
                &[
                    r"connection (reset|refused)",
                    r"\d{1,3} ?ms timeout",
                    r"\w+ deadlock",
                    r"\d+",
                ],
                0.5,
            )],
        )],
        0.5,
    )
    .unwrap();
    let modes: Vec<Confirm> = matcher.regexes.iter().map(|r| r.confirm).collect();
    assert_eq!(
        modes,
        [
            Confirm::AnchoredAtLiteral,
            // Three Unicode digits of up to four bytes, a space, "ms timeout".
            Confirm::WindowBeforeLiteral(23),
            Confirm::Whole,
            Confirm::Whole,
        ]
    );
    // Found where the window allows, and the evidence is the whole-field search's match.
    let fms = [fm("p", vec![pattern(&[r"\d{1,3} ?ms timeout"], 0.5)])];
    insta::assert_snapshot!(
        check(&fms, RecordText::title("retried: 1120ms timeout then 7 ms timeout")),
        @r#"
    match p 0.500 >= 0.500
      pattern#0 +0.5 title 10..23 "120ms timeout"
    "#
    );
}

#[test]
fn patterns_with_and_without_literal_prefilter() {
    let fms = [
        fm("conn", vec![pattern(&["connection (reset|refused)"], 0.7)]),
        fm("ci", vec![pattern(&[r"(?i)dead\s*lock"], 0.7)]),
        fm(
            "num",
            vec![only(pattern(&[r"\d{3,}"], 0.7), TextField::Body)],
        ),
    ];
    let matcher = Matcher::compile(&fms, 0.5).unwrap();
    assert_eq!(matcher.unbounded_pattern_count(), 1);
    insta::assert_snapshot!(check(&fms, text("DEAD LOCK on connection refused", "error 5003")), @r#"
    match conn 0.700 >= 0.500
      pattern#0 +0.7 title 13..31 "connection refused"
    match ci 0.700 >= 0.500
      pattern#0 +0.7 title 0..9 "DEAD LOCK"
    match num 0.700 >= 0.500
      pattern#0 +0.7 body 6..10 "5003"
    "#);
    // The literal is present but the regex does not match: nothing fires. Patterns are
    // case-sensitive unless they say (?i).
    insta::assert_snapshot!(check(&fms, text("Connection Reset", "connection lost, 12")), @"unclassified");
}

#[test]
fn invalid_pattern_is_a_compile_error_naming_the_failure_mode() {
    let fms = [fm(
        "bad",
        vec![phrase(&["x"], 0.5), pattern(&["(unclosed"], 0.5)],
    )];
    let error = Matcher::compile(&fms, 0.5).unwrap_err();
    insta::assert_snapshot!(error.to_string(), @"failure mode `bad`, signal 1: pattern `(unclosed` does not compile: unclosed group; run `gapmine check` to see where");
}

#[test]
fn batch_keeps_input_order() {
    let fms = [
        fm("a", vec![phrase(&["alpha"], 0.9)]),
        fm("b", vec![phrase(&["beta"], 0.9)]),
    ];
    let matcher = Matcher::compile(&fms, 0.5).unwrap();
    let titles: Vec<String> = (0..500)
        .map(|i| {
            if i % 3 == 0 {
                format!("alpha {i}")
            } else {
                format!("beta {i}")
            }
        })
        .collect();
    let records: Vec<RecordText<'_>> = titles.iter().map(|t| RecordText::title(t)).collect();
    let batch = matcher.classify_batch(&records);
    for (i, c) in batch.iter().enumerate() {
        assert_eq!(c, &matcher.classify(&records[i]));
        let expected = if i % 3 == 0 { "a" } else { "b" };
        assert_eq!(c.matches[0].failure_mode.as_str(), expected);
    }
}

mod reference {
    //! A naive matcher: every signal searched directly, with the documented rules.

    use gapmine_model::{FailureMode, SignalKind, TextField};
    use regex_automata::meta;

    use crate::{RecordText, RecordView};

    type Hit = (u32, usize, usize, String);

    fn first(text: &str, order: u32, found: Option<(usize, usize)>, best: &mut Option<Hit>) {
        if let Some((s, e)) = found {
            let key = |h: &Hit| (h.0, h.1, usize::MAX - h.2);
            let new = (order, s, e, text[s..e].to_owned());
            if best.as_ref().is_none_or(|b| key(&new) < key(b)) {
                *best = Some(new);
            }
        }
    }

    fn places<'a>(field: TextField, r: &RecordText<'a>) -> Vec<(u32, &'a str)> {
        match field {
            TextField::Title => vec![(0, r.title)],
            TextField::Body => vec![(1, r.body)],
            TextField::Any => vec![(0, r.title), (1, r.body)],
        }
    }

    /// Renders the same way as `Classification`'s `Display`.
    pub(super) fn classify(fms: &[FailureMode], default: f64, r: &RecordText<'_>) -> String {
        let mut scores = Vec::new();
        let mut evidence = Vec::new();
        for fm in fms {
            let (mut keep, mut damp) = (1.0f64, 1.0f64);
            let mut lines = Vec::new();
            for (i, s) in fm.signals.iter().enumerate() {
                let mut best: Option<Hit> = None;
                let (kind, place) = match &s.kind {
                    SignalKind::Phrase(ps) => {
                        for (order, text) in places(s.field, r) {
                            for p in ps.iter().filter(|p| !p.is_empty()) {
                                let found = text
                                    .to_ascii_lowercase()
                                    .find(&p.to_ascii_lowercase())
                                    .map(|at| (at, at + p.len()));
                                first(text, order, found, &mut best);
                            }
                        }
                        ("phrase", None)
                    }
                    SignalKind::Pattern(ps) => {
                        for (order, text) in places(s.field, r) {
                            for p in ps {
                                let found = meta::Regex::new(p)
                                    .unwrap()
                                    .find(text)
                                    .map(|m| (m.start(), m.end()));
                                first(text, order, found, &mut best);
                            }
                        }
                        ("pattern", None)
                    }
                    SignalKind::Label(ls) => {
                        for (at, l) in r.labels.iter().enumerate() {
                            if ls.iter().any(|x| x.to_lowercase() == l.to_lowercase()) {
                                first(l, at as u32, Some((0, l.len())), &mut best);
                            }
                        }
                        ("label", Some("label".to_owned()))
                    }
                    SignalKind::Field { name, values } => {
                        if let Some(v) = r.field(name)
                            && values.iter().any(|x| x.to_lowercase() == v.to_lowercase())
                        {
                            first(v, 0, Some((0, v.len())), &mut best);
                        }
                        ("field", Some(format!("field {name}")))
                    }
                };
                if let Some((order, start, end, text)) = best {
                    let w = s.weight.0.clamp(-1.0, 1.0);
                    if w > 0.0 {
                        keep *= 1.0 - w;
                    } else if w < 0.0 {
                        damp *= 1.0 - w.abs();
                    }
                    let place = place
                        .unwrap_or_else(|| if order == 0 { "title" } else { "body" }.to_owned());
                    lines.push(format!(
                        "  {kind}#{i} {w:+} {place} {start}..{end} {text:?}\n"
                    ));
                }
            }
            scores.push((1.0 - keep) * damp);
            evidence.push(lines);
        }
        let id_index = |id: &gapmine_model::Id| fms.iter().position(|f| &f.common.id == id);
        let thresholds: Vec<f64> = fms
            .iter()
            .map(|f| f.threshold.map_or(default, |t| t.0))
            .collect();
        let reached: Vec<bool> = (0..fms.len())
            .map(|i| scores[i] > 0.0 && scores[i] >= thresholds[i])
            .collect();
        let mut implied_by: Vec<Vec<usize>> = vec![Vec::new(); fms.len()];
        for (i, f) in fms.iter().enumerate() {
            if !reached[i] {
                continue;
            }
            let mut seen = vec![i];
            let mut p = f.parent.as_ref().and_then(id_index);
            while let Some(a) = p {
                if seen.contains(&a) {
                    break;
                }
                seen.push(a);
                implied_by[a].push(i);
                p = fms[a].parent.as_ref().and_then(id_index);
            }
        }
        let mut matches = String::new();
        let mut near = String::new();
        for (i, f) in fms.iter().enumerate() {
            let classified = reached[i] || !implied_by[i].is_empty();
            if !classified && scores[i] <= 0.0 {
                continue;
            }
            let out = if classified { &mut matches } else { &mut near };
            let what = if classified { "match" } else { "near miss" };
            let cmp = if reached[i] { ">=" } else { "<" };
            out.push_str(&format!(
                "{what} {} {:.3} {cmp} {:.3}\n",
                f.common.id, scores[i], thresholds[i]
            ));
            for line in &evidence[i] {
                out.push_str(line);
            }
            for c in &implied_by[i] {
                out.push_str(&format!("  implied by child {}\n", fms[*c].common.id));
            }
        }
        if matches.is_empty() {
            matches.push_str("unclassified\n");
        }
        matches + &near
    }
}

mod prop {
    //! Generated catalogues and records: the compiled matcher agrees with the naive reference.

    use gapmine_model::{FailureMode, Id, Signal, SignalKind, TextField, Weight};
    use proptest::prelude::*;

    use super::{fm, reference, strings};
    use crate::{Matcher, RecordText, ancestors};

    const WORDS: &[&str] = &[
        "flaky", "test", "Test", "TIME", "timeout", "out", "dead", "lock", "deadlock", "db", "é",
        "Été", "42", "7", "ms", "42ms", "-lock", "ab-lock",
    ];
    const PATTERNS: &[&str] = &[
        r"(?i)dead\s*lock",
        r"time(out)?",
        r"\d+",
        r"flaky.{0,6}test",
        r"(?i)(db|lock)",
        r"\bout\b",
        r"x*",
        r"été",
        // Literal suffixes, of matches with a bounded length (tried in windows) and not.
        r"\d{1,3} ?ms timeout",
        r"[a-z]{0,3}-lock",
        r"\w+ deadlock",
        // Several literal groups, all of which a match needs ("all of" prefilter).
        r"(?i)flaky.{0,12}lock",
        r"(?i)\bdead\b.{0,10}\bout(s)?\b",
        r"(db|test) (TIME|lock)",
        r"\d+ms.{0,8}dead",
        r"\w*lock \d+ (out|été)",
        // A character class next to the anchoring literal (checked before any regex runs).
        r"(?i)lock\s+\d",
        r"[a-zé]+ ?ms",
        r"\bTest\d?\s\w+",
        // Literals that begin with a space (taken off the needle, checked in the text).
        r"\d+ (out|lock)",
        r"[0-9]{1,3} ms",
        r" (?i)test \d+",
        r"(?i) dead",
    ];

    fn word() -> impl Strategy<Value = String> {
        prop::sample::select(WORDS).prop_map(str::to_owned)
    }

    fn sentence(max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(word(), 0..max).prop_map(|w| w.join(" "))
    }

    fn text_field() -> impl Strategy<Value = TextField> {
        prop::sample::select(vec![TextField::Title, TextField::Body, TextField::Any])
    }

    fn signal() -> impl Strategy<Value = Signal> {
        let kind = prop_oneof![
            prop::collection::vec(sentence(3), 1..3).prop_map(SignalKind::Phrase),
            prop::collection::vec(prop::sample::select(PATTERNS), 1..3)
                .prop_map(|p| SignalKind::Pattern(strings(&p))),
            prop::collection::vec(word(), 1..3).prop_map(SignalKind::Label),
            (
                prop::sample::select(vec!["service", "team"]),
                prop::collection::vec(word(), 1..3)
            )
                .prop_map(|(n, values)| SignalKind::Field {
                    name: n.to_owned(),
                    values
                }),
        ];
        let weight = prop::sample::select(vec![-1.0, -0.5, -0.2, 0.0, 0.2, 0.5, 0.7, 1.0, 1.5]);
        (kind, weight, text_field()).prop_map(|(kind, w, field)| Signal {
            kind,
            weight: Weight(w),
            field,
        })
    }

    fn catalogue() -> impl Strategy<Value = Vec<FailureMode>> {
        prop::collection::vec(
            (
                prop::collection::vec(signal(), 0..4),
                prop::option::of(0usize..6),
                prop::option::of(prop::sample::select(vec![0.0, 0.3, 0.6, 0.9])),
            ),
            1..6,
        )
        .prop_map(|entries| {
            entries
                .into_iter()
                .enumerate()
                .map(|(i, (signals, parent, threshold))| {
                    let mut f = fm(&format!("fm-{i}"), signals);
                    // Any parent, cycles included: the matcher must cut them as the reference does.
                    f.parent = parent.map(|p| Id(format!("fm-{p}")));
                    f.threshold = threshold.map(Weight);
                    f
                })
                .collect()
        })
    }

    proptest! {
        /// The bulk DFA finds exactly the occurrences an overlapping ASCII case-insensitive
        /// search of each text finds: every needle, overlapping ones, needles that are suffixes
        /// or prefixes of others, upper case and non-ASCII bytes in the text, texts walked as
        /// lanes (begun early, ending anywhere) and none spanning two texts.
        #[test]
        fn bulk_scan_finds_what_a_case_insensitive_search_finds(
            needles in prop::collection::vec("[abAB é-]{1,4}", 1..40),
            texts in prop::collection::vec("[abAB é-]{0,120}", 1..3),
        ) {
            let needles: Vec<Vec<u8>> = needles.into_iter().map(String::into_bytes).collect();
            let automaton = aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&needles)
                .unwrap();
            let mut expected: Vec<(usize, u32, usize, usize)> = Vec::new();
            for (t, text) in texts.iter().enumerate() {
                expected.extend(
                    automaton
                        .find_overlapping_iter(text)
                        .map(|m| (t, m.pattern().as_u32(), m.start(), m.end())),
                );
            }
            let bulk = crate::bulk::Bulk::build(&needles).unwrap();
            let texts: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
            let mut got = Vec::new();
            let mut plan = crate::bulk::Plan::default();
            bulk.for_each_match(&texts, &mut plan, |t, n, start, end| got.push((t, n, start, end)));
            expected.sort_unstable();
            got.sort_unstable();
            prop_assert_eq!(got, expected);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn matcher_agrees_with_naive_reference(
            mut fms in catalogue(),
            filler in any::<bool>(),
            title in sentence(6),
            body in sentence(10),
            labels in prop::collection::vec(word(), 0..3),
            service in prop::option::of(word()),
        ) {
            let fields: Vec<(&str, &str)> = service.iter().map(|s| ("service", s.as_str())).collect();
            let record = RecordText { title: &title, body: &body, labels: &labels, fields: &fields };
            if filler {
                // Over a hundred needles: the automaton is a contiguous NFA until a scratch has
                // scanned enough text, then a DFA; both must find the same.
                let phrases: Vec<String> =
                    (0..120).map(|i| format!("{}{i}", WORDS[i % WORDS.len()])).collect();
                fms.push(fm("filler", vec![Signal {
                    kind: SignalKind::Phrase(phrases),
                    weight: Weight(0.3),
                    field: TextField::Any,
                }]));
            }
            let matcher = Matcher::compile(&fms, 0.5).unwrap();
            let classification = matcher.classify(&record);
            let got = classification.to_string();
            let expected = reference::classify(&fms, 0.5, &record);
            prop_assert_eq!(&got, &expected);
            use crate::compile::Scanner;
            if filler {
                use aho_corasick::AhoCorasickKind::ContiguousNFA;
                prop_assert!(matches!(
                    matcher.automaton_for(0),
                    Some(Scanner::Compact(a)) if a.kind() == ContiguousNFA
                ));
            }
            let mut bulk = matcher.scratch();
            bulk.scanned = crate::classify::BULK_BYTES;
            prop_assert_eq!(matcher.classify_with(&record, &mut bulk).to_string(), expected.as_str());
            if filler {
                // Once built, the DFA serves every scratch, however little it has scanned.
                prop_assert!(matches!(matcher.automaton_for(0), Some(Scanner::Bulk(_))));
                prop_assert_eq!(matcher.classify(&record).to_string(), expected.as_str());
            }
            // A verdict says of one failure mode what the whole classification says of it.
            let mut scratch = matcher.scratch();
            for f in &fms {
                let id = &f.common.id;
                let Some(verdict) = matcher.verdict_with(&record, &id.0, &mut scratch) else {
                    return Err(TestCaseError::fail(format!("no verdict for {id:?}")));
                };
                let decision = classification
                    .matches
                    .iter()
                    .chain(&classification.near_misses)
                    .find(|d| d.failure_mode == id);
                let classified = classification.matches.iter().any(|d| d.failure_mode == id);
                prop_assert_eq!(verdict.classified(), classified, "{}", id.0);
                match decision {
                    Some(d) => {
                        prop_assert_eq!(verdict.score, d.score);
                        prop_assert_eq!(verdict.threshold, d.threshold);
                        prop_assert_eq!(verdict.reached, d.reached);
                        prop_assert_eq!(&verdict.implied_by, &d.implied_by);
                    }
                    None => prop_assert!(!verdict.reached && verdict.implied_by.is_empty()),
                }
            }
            prop_assert!(matcher.verdict_with(&record, "no-such-id", &mut scratch).is_none());

            // A standing, from a matcher compiled without the hierarchy, rolled up with
            // `ancestors` over the parents, says what the verdict says.
            let flat: Vec<FailureMode> = fms
                .iter()
                .map(|f| FailureMode { parent: None, ..f.clone() })
                .collect();
            let flat = Matcher::compile(&flat, 0.5).unwrap();
            let index_of = |id: &Id| fms.iter().position(|f| f.common.id == *id).map(|i| i as u32);
            let parent_of = |i: u32| fms[i as usize].parent.as_ref().and_then(index_of);
            let mut flat_scratch = flat.scratch();
            for (i, f) in fms.iter().enumerate() {
                let id = &f.common.id;
                // Duplicate ids: the matcher knows the first.
                let Some(first) = index_of(id) else { continue };
                let verdict = matcher.verdict_with(&record, &id.0, &mut scratch).unwrap();
                let standing = flat.standing_with(&record, first as usize, &mut flat_scratch);
                let Some(standing) = standing else {
                    return Err(TestCaseError::fail(format!("no standing for {i}")));
                };
                prop_assert_eq!(standing.score, verdict.score);
                prop_assert_eq!(standing.threshold, verdict.threshold);
                prop_assert_eq!(standing.reached, verdict.reached);
                let implied_by: Vec<&Id> = standing
                    .others
                    .iter()
                    .filter(|&&o| ancestors(o, parent_of).contains(&first))
                    .map(|&o| &fms[o as usize].common.id)
                    .collect();
                if !verdict.reached {
                    prop_assert_eq!(implied_by, verdict.implied_by.clone(), "{}", id.0);
                }
            }
            prop_assert!(flat.standing_with(&record, fms.len(), &mut flat_scratch).is_none());
        }
    }
}

/// The worked example of `docs/matching.md`.
#[test]
fn worked_example_of_the_docs() {
    let fms = [
        fm("test-isolation", vec![]),
        child(
            fm(
                "order-dependent-test",
                vec![
                    phrase(&["order-dependent"], 0.7),
                    only(
                        pattern(&[r"(?i)test (pollution|interdependen\w+)"], 0.6),
                        TextField::Body,
                    ),
                    label(&["flaky"], 0.3),
                    phrase(&["intended behaviour"], -0.5),
                ],
            ),
            "test-isolation",
        ),
    ];
    let labels = strings(&["Flaky"]);
    let record = RecordText {
        title: "Order-dependent failure in CartTest",
        body: "Passes alone; fails after test pollution from OrderTest.",
        labels: &labels,
        fields: &[],
    };
    insta::assert_snapshot!(check(&fms, record), @r#"
    match test-isolation 0.000 < 0.500
      implied by child order-dependent-test
    match order-dependent-test 0.916 >= 0.500
      phrase#0 +0.7 title 0..15 "Order-dependent"
      pattern#1 +0.6 body 26..40 "test pollution"
      label#2 +0.3 label 0..5 "Flaky"
    "#);
    let body = "Passes alone; fails after test pollution from OrderTest, as is intended behaviour.";
    insta::assert_snapshot!(check(&fms, RecordText { body, ..record }), @r#"
    unclassified
    near miss order-dependent-test 0.458 < 0.500
      phrase#0 +0.7 title 0..15 "Order-dependent"
      pattern#1 +0.6 body 26..40 "test pollution"
      label#2 +0.3 label 0..5 "Flaky"
      phrase#3 -0.5 body 63..81 "intended behaviour"
    "#);
}
