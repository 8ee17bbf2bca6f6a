//! The features' queries are reused across edits that do not concern them: a database that
//! logs what salsa executes, and assertions on the log (STYLE habit 6).

use std::sync::{Arc, Mutex};

use gapmine_check::CheckDatabase;
use gapmine_ide::{AnalysisHost, Change, FilePosition};
use salsa::{Database, DatabaseKeyIndex, EventKind};

use crate::fixture::{DEFAULT_MANIFEST, fixture};

/// A host whose database logs the queries it executes.
struct Logged {
    host: AnalysisHost,
    executed: Arc<Mutex<Vec<DatabaseKeyIndex>>>,
}

impl Logged {
    fn new(files: &[(String, String)]) -> Logged {
        let executed = Arc::new(Mutex::new(Vec::new()));
        let db = CheckDatabase::with_event_hook({
            let executed = Arc::clone(&executed);
            move |event| {
                if let EventKind::WillExecute { database_key } = event.kind {
                    executed.lock().unwrap().push(database_key);
                }
            }
        });
        let mut host = AnalysisHost::new(db);
        let mut change = Change::set("gapmine.kdl", DEFAULT_MANIFEST);
        change.set.extend(files.iter().cloned());
        host.apply_change(change);
        Logged { host, executed }
    }

    /// The names of the queries executed since the last call, in order.
    fn take_log(&self) -> Vec<String> {
        let db = self.host.db();
        self.executed
            .lock()
            .unwrap()
            .drain(..)
            .map(|key| db.ingredient_debug_name(key.ingredient_index()).to_string())
            .collect()
    }

    fn count(log: &[String], query: &str) -> usize {
        log.iter().filter(|q| *q == query).count()
    }
}

const CATALOGUE: &str = r#"
    //- /failure-modes.kdl
    failure-mode "flaky-test" {
        title "Flaky test"
        summary "Passes and fails on the same code."
        signals {
            phrase "flaky"
        }
    }
    //- /more-failure-modes.kdl
    failure-mode "slow-test" {
        title "Slow test"
        signals {
            phrase "slow"
        }
    }
    //- /interventions.kdl
    intervention "retry" {
        title "Retry"
        resolves "flaky-test" "slow-test"
    }
"#;

#[test]
fn a_title_edit_reuses_the_reference_map_and_the_other_files_summaries() {
    let f = fixture(CATALOGUE);
    let mut logged = Logged::new(&f.files);
    let text = f.text("interventions.kdl");
    let position = FilePosition {
        path: "interventions.kdl".into(),
        offset: text.find("flaky-test").unwrap() as u32,
    };
    let before = logged.host.analysis().hover(&position).unwrap().unwrap();
    let cold = logged.take_log();
    assert_eq!(Logged::count(&cold, "uses"), 1, "{cold:?}");
    // The target's file, and the file of the intervention whose evidence the hover counts.
    assert_eq!(Logged::count(&cold, "file_summaries"), 2, "{cold:?}");

    // Another failure mode's title changes: hover reads the same map and one new summary.
    let edited = f
        .text("more-failure-modes.kdl")
        .replace("Slow test", "Very slow test");
    logged
        .host
        .apply_change(Change::set("more-failure-modes.kdl", edited));
    let after = logged.host.analysis().hover(&position).unwrap().unwrap();
    assert_eq!(before, after);
    let log = logged.take_log();
    assert_eq!(Logged::count(&log, "uses"), 0, "{log:?}");
    assert_eq!(Logged::count(&log, "file_summaries"), 0, "{log:?}");

    // Its own title changes: one file is summarised again, the map is still reused.
    let edited = f
        .text("failure-modes.kdl")
        .replace("Flaky test", "Flaky tests");
    logged
        .host
        .apply_change(Change::set("failure-modes.kdl", edited));
    let after = logged.host.analysis().hover(&position).unwrap().unwrap();
    assert!(
        after.markdown.starts_with("**Flaky tests**"),
        "{}",
        after.markdown
    );
    let log = logged.take_log();
    assert_eq!(Logged::count(&log, "uses"), 0, "{log:?}");
    assert_eq!(Logged::count(&log, "file_summaries"), 1, "{log:?}");
}

#[test]
fn the_history_is_classified_again_only_when_signals_change() {
    let f = fixture(CATALOGUE);
    let mut logged = Logged::new(&f.files);
    let records: Vec<gapmine_records::EscapeRecord> = ["flaky login test", "slow export"]
        .iter()
        .enumerate()
        .map(|(i, title)| {
            serde_json::from_value(serde_json::json!({"id": format!("ESC-{i}"), "title": title}))
                .unwrap()
        })
        .collect();
    logged.host.set_history(Some(records));
    let lenses = logged
        .host
        .analysis()
        .code_lenses("failure-modes.kdl")
        .unwrap();
    assert_eq!(lenses[1].title, "matches 1 of 2 records in the history");
    let log = logged.take_log();
    assert_eq!(Logged::count(&log, "history_counts"), 1, "{log:?}");

    let edited = f
        .text("failure-modes.kdl")
        .replace("Passes and fails", "Passes, then fails");
    logged
        .host
        .apply_change(Change::set("failure-modes.kdl", edited.clone()));
    logged
        .host
        .analysis()
        .code_lenses("failure-modes.kdl")
        .unwrap();
    let log = logged.take_log();
    assert_eq!(Logged::count(&log, "history_counts"), 0, "{log:?}");

    let edited = edited.replace(r#"phrase "flaky""#, r#"phrase "flaky" "slow""#);
    logged
        .host
        .apply_change(Change::set("failure-modes.kdl", edited));
    let lenses = logged
        .host
        .analysis()
        .code_lenses("failure-modes.kdl")
        .unwrap();
    assert_eq!(lenses[1].title, "matches 2 of 2 records in the history");
    let log = logged.take_log();
    assert_eq!(Logged::count(&log, "history_counts"), 1, "{log:?}");
}
