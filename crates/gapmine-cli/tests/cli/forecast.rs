//! `gapmine forecast` (issue 6, item 2): the forecast table and JSON, per service, records with
//! bad dates counted and left out, the backtest against the two baselines with a truth file and a
//! mapping, and usage errors.

use crate::{TestEnv, assert_cmd};

const MANIFEST: &str = "catalogue \"tiny\" version=\"1.0.0\" {\n    include \"*.kdl\"\n}\n";

const MODES: &str = r#"failure-mode "flaky-test" {
    title "Flaky test"
    caught-by "ci"
    signals {
        phrase "flaky" weight=0.7
    }
}

failure-mode "order-dependent-test" {
    title "Order-dependent test"
    parent "flaky-test"
    signals {
        phrase "passes in isolation" weight=0.9
    }
}

failure-mode "timeout" {
    title "Timeout"
    signals {
        phrase "timed out" weight=0.6
    }
}

control "ci" stage=1 {
    title "CI"
}
"#;

fn catalogue(env: &TestEnv) {
    env.write("cat/gapmine.kdl", MANIFEST);
    env.write("cat/modes.kdl", MODES);
}

/// A year of records: timeouts every month in `payments` and, from July, every week in `search`;
/// flaky tests in a burst in March; order-dependent tests confirmed by a person, monthly from
/// July. Then the bad
/// dates: none, before 1970, after the as-of date.
fn history() -> String {
    let mut lines = Vec::new();
    for month in 1..=12 {
        lines.push(format!(
            r#"{{"id":"T-{month}","title":"checkout request timed out","occurred_at":"2025-{month:02}-10","service":"payments"}}"#
        ));
    }
    for week in 0..26 {
        let day = 182 + week * 7;
        let date = jiff_like_date(day);
        lines.push(format!(
            r#"{{"id":"S-{week}","title":"search request timed out","occurred_at":"{date}","service":"search"}}"#
        ));
    }
    for n in 0..8 {
        lines.push(format!(
            r#"{{"id":"F-{n}","title":"UserTest is flaky","occurred_at":"2025-03-{:02}","service":"search"}}"#,
            n + 1
        ));
    }
    for month in 7..=12 {
        lines.push(format!(
            r#"{{"id":"O-{month}","title":"a test that fails in the suite","occurred_at":"2025-{month:02}-05","service":"payments","failure_modes":["order-dependent-test"]}}"#
        ));
    }
    lines.push(r#"{"id":"U-1","title":"login request timed out","service":"payments"}"#.to_owned());
    lines.push(r#"{"id":"B-1","title":"epoch request timed out","occurred_at":"1969-12-31","service":"payments"}"#.to_owned());
    lines.push(r#"{"id":"Z-1","title":"tomorrow's request timed out","occurred_at":"2027-01-01","service":"payments"}"#.to_owned());
    lines.push(
        r#"{"id":"N-1","title":"typo on the pricing page","occurred_at":"2025-05-05"}"#.to_owned(),
    );
    lines.join("\n") + "\n"
}

/// `YYYY-MM-DD` of day `n` (0-based) of 2025.
fn jiff_like_date(n: u32) -> String {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut n = n;
    for (m, &d) in DAYS.iter().enumerate() {
        if n < d {
            return format!("2025-{:02}-{:02}", m + 1, n + 1);
        }
        n -= d;
    }
    panic!("day {n} is not in 2025");
}

#[test]
fn forecast_table_per_service() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("history.jsonl", history());
    assert_cmd!(
        env,
        env.gapmine(&[
            "forecast",
            "--catalogue",
            "cat",
            "--as-of",
            "2026-01-01",
            "--per-service",
            "history.jsonl",
        ])
    );
}

/// `gapmine forecast --format json` as of 2026-01-01 with a 4-week horizon: the document and
/// stderr.
fn forecast_json_of(env: &TestEnv, files: &[&str]) -> (serde_json::Value, String) {
    let mut args = vec![
        "forecast",
        "--catalogue",
        "cat",
        "--as-of",
        "2026-01-01",
        "--horizon",
        "4w",
        "--format",
        "json",
    ];
    args.extend_from_slice(files);
    let output = env.gapmine(&args).output().expect("runs");
    assert!(output.status.success());
    let json = serde_json::from_slice(&output.stdout).expect("JSON");
    (json, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn forecast_json() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("history.jsonl", history());
    let (json, _) = forecast_json_of(&env, &["history.jsonl"]);
    assert_eq!(json["horizon_days"], 28);
    let records = &json["records"];
    assert_eq!(records["read"], 56);
    assert_eq!(records["undated"], 1);
    assert_eq!(records["before_1970"], 1);
    assert_eq!(records["future"], 1);
    assert_eq!(records["unclassified"], 1);
    let modes = json["failure_modes"].as_array().expect("an array");
    let ids: Vec<&str> = modes
        .iter()
        .map(|m| m["failure_mode"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["timeout", "order-dependent-test", "flaky-test"],
        "by expected count"
    );
    for m in modes {
        let f = &m["forecast"];
        let expected = f["expected"].as_f64().unwrap();
        assert!(f["low"].as_f64().unwrap() <= expected && expected <= f["high"].as_f64().unwrap());
    }
    // Timeouts: 12 + 26 dated in 2025, plus the three with bad dates, counted but not dated.
    assert_eq!(modes[0]["occurrences"], 41);
    assert_eq!(modes[0]["dated"], 38);
}

#[test]
fn backtest_with_truth_and_mapping() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("history.jsonl", history());
    // The truth names its own classes; `Unknown` maps to nothing.
    let mut truth = String::new();
    for month in 1..=12 {
        truth.push_str(&format!(
            "{{\"id\":\"T-{month}\",\"classes\":[\"Slow\"]}}\n"
        ));
    }
    for n in 0..8 {
        truth.push_str(&format!("{{\"id\":\"F-{n}\",\"classes\":[\"Flaky\"]}}\n"));
    }
    truth.push_str("{\"id\":\"N-1\",\"classes\":[\"Unknown\"]}\n");
    env.write("truth.jsonl", truth);
    env.write(
        "map.json",
        r#"{"Slow": ["timeout"], "Flaky": ["flaky-test"], "Unknown": []}"#,
    );
    assert_cmd!(
        env,
        env.gapmine(&[
            "forecast",
            "--catalogue",
            "cat",
            "--backtest",
            "--cutoff",
            "2025-07-01,2025-10-01",
            "--horizon",
            "90d",
            "--truth",
            "truth.jsonl",
            "--map",
            "map.json",
            "history.jsonl",
        ])
    );
}

#[test]
fn usage_errors() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("history.jsonl", history());
    assert_cmd!(env, env.gapmine(&["forecast", "--catalogue", "cat", "--horizon", "3m", "history.jsonl"]), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid value '3m' for '--horizon <SPAN>': `3m` is not a horizon: write a number of days or weeks from 1 day to 10 years, like 90d or 13w

    For more information, try '--help'.
    ");
    assert_cmd!(env, env.gapmine(&["forecast", "--catalogue", "cat", "--backtest", "--cutoff", "2025-13-01", "history.jsonl"]), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid value '2025-13-01' for '--cutoff <DATE,…>': `2025-13-01` is not a date: write it as YYYY-MM-DD, like 2026-01-01

    For more information, try '--help'.
    ");
    assert_cmd!(env, env.gapmine(&["forecast", "--catalogue", "cat", "--backtest", "history.jsonl"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: the following required arguments were not provided:
      --cutoff <DATE,…>

    Usage: gapmine forecast --backtest --cutoff <DATE,…> --catalogue <PATH> <RECORDS>...

    For more information, try '--help'.
    ");
    assert_cmd!(env, env.gapmine(&["forecast", "--catalogue", "cat", "missing.jsonl"]), @"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot read `missing.jsonl`: No such file or directory (os error 2)
     = help: check the path; records are JSONL files (docs/records.md), or `-` for standard input
    ");
}

/// A record whose id an earlier file of the run used is rejected, naming both places, and counted
/// once, in the forecast and in the backtest, as `gapmine match` does.
#[test]
fn a_duplicate_id_in_a_later_file_is_rejected_and_counted_once() {
    let env = TestEnv::new();
    catalogue(&env);
    env.write("history.jsonl", history());
    env.write(
        "more.jsonl",
        "{\"id\":\"T-1\",\"title\":\"checkout request timed out\",\"occurred_at\":\"2025-01-10\",\"service\":\"payments\"}\n",
    );
    let (json, stderr) = forecast_json_of(&env, &["history.jsonl", "more.jsonl"]);
    assert!(
        stderr.contains("more.jsonl:1: duplicate id \"T-1\", first used at history.jsonl:1"),
        "{stderr}"
    );
    assert_eq!(json["records"]["read"], 57);
    assert_eq!(json["records"]["rejected"], 1);
    let timeout = json["failure_modes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["failure_mode"] == "timeout")
        .unwrap();
    assert_eq!(timeout["occurrences"], 41, "as without the repeat");

    let output = env
        .gapmine(&[
            "forecast",
            "--catalogue",
            "cat",
            "--backtest",
            "--cutoff",
            "2025-07-01",
            "--horizon",
            "90d",
            "history.jsonl",
            "more.jsonl",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("duplicate id \"T-1\""), "{stderr}");
    assert!(stderr.contains("57 lines read: 1 rejected"), "{stderr}");
}
