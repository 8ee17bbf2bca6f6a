//! The features' queries are reused across edits that do not concern them: a database that
//! logs what salsa executes (and which memos it finds still valid), and assertions on the log
//! (STYLE habit 6).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use gapmine_check::{Catalogue, CheckDatabase};
use gapmine_ide::{AnalysisHost, Change, FilePosition};
use salsa::plumbing::AsId;
use salsa::{Database, DatabaseKeyIndex, EventKind};

use crate::fixture::{DEFAULT_MANIFEST, fixture};

/// A host whose database logs the queries it executes and the memos it validates.
struct Logged {
    host: AnalysisHost,
    executed: Arc<Mutex<Vec<DatabaseKeyIndex>>>,
    validated: Arc<Mutex<Vec<DatabaseKeyIndex>>>,
}

impl Logged {
    fn new(files: &[(String, String)]) -> Logged {
        Logged::load(files, false)
    }

    /// A host over `files` and the default manifest, set `durable` (as the language server sets
    /// the files it reads from disk) or not.
    fn load(files: &[(String, String)], durable: bool) -> Logged {
        let executed = Arc::new(Mutex::new(Vec::new()));
        let validated = Arc::new(Mutex::new(Vec::new()));
        let db = CheckDatabase::with_event_hook({
            let executed = Arc::clone(&executed);
            let validated = Arc::clone(&validated);
            move |event| match event.kind {
                EventKind::WillExecute { database_key } => {
                    executed.lock().unwrap().push(database_key);
                }
                EventKind::DidValidateMemoizedValue { database_key } => {
                    validated.lock().unwrap().push(database_key);
                }
                _ => {}
            }
        });
        let mut host = AnalysisHost::new(db);
        let mut change = Change::set("gapmine.kdl", DEFAULT_MANIFEST);
        change.set.extend(files.iter().cloned());
        change.durable = durable;
        host.apply_change(change);
        Logged {
            host,
            executed,
            validated,
        }
    }

    /// The queries executed and the memos validated since the last call, each as
    /// `query(key)`, where the key is a file's path, `catalogue`, or salsa's id of it.
    fn take_keyed(&self) -> (Vec<String>, Vec<String>) {
        let db = self.host.db();
        let catalogue = Catalogue::get(db);
        let mut names: HashMap<salsa::Id, String> = HashMap::new();
        names.insert(catalogue.as_id(), "catalogue".to_owned());
        let manifest = catalogue.manifest(db);
        names.insert(manifest.as_id(), manifest.path(db).clone());
        for file in catalogue.files(db) {
            names.insert(file.as_id(), file.path(db).clone());
        }
        let render = |keys: Vec<DatabaseKeyIndex>| -> Vec<String> {
            keys.into_iter()
                .map(|key| {
                    let query = db.ingredient_debug_name(key.ingredient_index());
                    let id = key.key_index();
                    let name = names.get(&id).cloned().unwrap_or_else(|| format!("{id:?}"));
                    format!("{query}({name})")
                })
                .collect()
        };
        let executed = std::mem::take(&mut *self.executed.lock().unwrap());
        let validated = std::mem::take(&mut *self.validated.lock().unwrap());
        (render(executed), render(validated))
    }

    /// The names of the queries executed since the last call, in order.
    fn take_log(&self) -> Vec<String> {
        self.validated.lock().unwrap().clear();
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
fn a_title_edit_reuses_the_references_and_the_other_files_summaries() {
    let f = fixture(CATALOGUE);
    let mut logged = Logged::new(&f.files);
    let text = f.text("interventions.kdl");
    let position = FilePosition {
        path: "interventions.kdl".into(),
        offset: text.find("flaky-test").unwrap() as u32,
    };
    let before = logged.host.analysis().hover(&position).unwrap().unwrap();
    let cold = logged.take_log();
    // The checker's buckets, with the references to each bucket's ids, are filled once (the
    // catalogue's files are one group).
    assert_eq!(Logged::count(&cold, "group_shares"), 1, "{cold:?}");
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
    assert_eq!(Logged::count(&log, "group_shares"), 0, "{log:?}");
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
    assert_eq!(Logged::count(&log, "group_shares"), 0, "{log:?}");
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

/// How many files of failure modes the catalogue of the tests below has.
const MODE_FILES: usize = 12;

/// A catalogue of `MODE_FILES` files, each with a failure mode and an intervention that resolves
/// it and the next file's, and a file of controls that every failure mode names.
fn many_files() -> Vec<(String, String)> {
    let mut files = vec![(
        "controls.kdl".to_owned(),
        "control \"review\" stage=1 {\n    title \"Review\"\n}\n\n\
         control \"canary\" stage=2 {\n    title \"Canary\"\n}\n"
            .to_owned(),
    )];
    for i in 0..MODE_FILES {
        let next = (i + 1) % MODE_FILES;
        files.push((
            format!("modes-{i:02}.kdl"),
            format!(
                "failure-mode \"mode-{i}\" {{\n    title \"Mode {i}\"\n    summary \"Way {i} things fail.\"\n    \
                 caught-by \"review\"\n    signals {{\n        phrase \"fault {i}\"\n    }}\n}}\n\n\
                 intervention \"fix-{i}\" {{\n    title \"Fix {i}\"\n    kind \"code\"\n    \
                 resolves \"mode-{i}\" \"mode-{next}\"\n}}\n"
            ),
        ));
    }
    files
}

/// What hover, go to definition, find references and completion answer in `path`: on the
/// reference to `mode-6`, and after the `caught-by "` of its failure mode.
fn answers(host: &AnalysisHost, path: &str, text: &str) -> String {
    let analysis = host.analysis();
    let at = |needle: &str, shift: usize| FilePosition {
        path: path.to_owned(),
        offset: (text.find(needle).unwrap() + shift) as u32,
    };
    let reference = at("\"mode-6\"", 2);
    let hover = analysis.hover(&reference).unwrap().unwrap().markdown;
    let definition = analysis.goto_definition(&reference).unwrap();
    let references = analysis.references(&reference, true).unwrap();
    let completions: Vec<String> = analysis
        .completions(&at("caught-by \"", "caught-by \"".len()))
        .unwrap()
        .items
        .into_iter()
        .map(|c| format!("{} {:?}", c.label, c.documentation))
        .collect();
    format!("{hover}\n{definition:?}\n{references:?}\n{completions:?}")
}

/// The files whose parse or entries the logs touched, executed or validated: where a feature
/// looked into a file itself, rather than checking that a result it had of the file holds.
fn files_looked_into(executed: &[String], validated: &[String]) -> Vec<String> {
    let files: BTreeSet<String> = executed
        .iter()
        .chain(validated)
        .filter_map(|q| {
            q.strip_prefix("parse(")
                .or_else(|| q.strip_prefix("file_entries("))
        })
        .map(|rest| rest.trim_end_matches(')').to_owned())
        .collect();
    files.into_iter().collect()
}

/// Types in `modes-05.kdl` as an editor does, in a catalogue whose other files were read from
/// disk (`durable`, as the server loads them), and asks the four features after each
/// keystroke; their answers must equal those of a host that never saw an edit. Returns the
/// queries executed and the memos validated for the last keystroke's features.
fn type_in_modes_05(edits: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
    let mut files = many_files();
    let mut logged = Logged::load(&files, true);
    let diagnostics = logged.host.analysis().diagnostics().unwrap();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let path = "modes-05.kdl";
    let mut text = files.iter().find(|(p, _)| p == path).unwrap().1.clone();
    answers(&logged.host, path, &text);
    let mut log = (Vec::new(), Vec::new());
    let mut answered = String::new();
    for (from, to) in edits {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
        logged.host.apply_change(Change::set(path, text.clone()));
        logged.take_keyed();
        answered = answers(&logged.host, path, &text);
        log = logged.take_keyed();
    }
    files.iter_mut().find(|(p, _)| p == path).unwrap().1 = text.clone();
    let fresh = Logged::load(&files, false);
    assert_eq!(answered, answers(&fresh.host, path, &text));
    log
}

#[test]
fn after_a_keystroke_the_features_look_into_the_edited_file_and_the_files_they_answer_from_only() {
    // The first keystroke in a file read from disk re-verifies everything once (the file was
    // durable); the second is what typing costs.
    let (executed, validated) = type_in_modes_05(&[
        ("Way 5 things fail.", "Way 5 things fail, often."),
        ("fail, often.", "fail, very often."),
    ]);

    // Re-run: the edited file's own queries, nothing of another file, nothing catalogue-wide.
    for query in &executed {
        assert!(
            query.contains("(modes-05.kdl)") || !query.contains(".kdl"),
            "{query} ran again after a keystroke in modes-05.kdl: {executed:#?}"
        );
    }
    for query in ["group_shares", "index"] {
        assert!(of(&executed, query).is_empty(), "{query}: {executed:#?}");
    }
    // Completion renders the edited file's candidates again, and only them.
    assert_eq!(
        of(&executed, "file_candidates"),
        ["file_candidates(modes-05.kdl)"],
        "{executed:#?}"
    );
    // Looked into: the edited file, and the file of `mode-6` that the answers point into. The
    // other eleven files' results are known to hold without opening them (they are durable).
    assert_eq!(
        files_looked_into(&executed, &validated),
        ["modes-05.kdl", "modes-06.kdl"]
    );
}

/// The entries of a log for one query.
fn of<'a>(log: &'a [String], query: &str) -> Vec<&'a str> {
    log.iter()
        .map(String::as_str)
        .filter(|q| {
            q.strip_prefix(query)
                .is_some_and(|rest| rest.starts_with('('))
        })
        .collect()
}

#[test]
fn after_a_reference_is_edited_the_features_still_look_into_two_files_only() {
    let (executed, validated) = type_in_modes_05(&[
        ("caught-by \"review\"", "caught-by \"canary\""),
        ("caught-by \"canary\"", "caught-by \"review\""),
    ]);
    // The checker's buckets are filled again from the files' facts (known to hold for the
    // other files without opening them); the catalogue-wide index is not built.
    assert!(of(&executed, "index").is_empty(), "{executed:#?}");
    assert_eq!(
        files_looked_into(&executed, &validated),
        ["modes-05.kdl", "modes-06.kdl"]
    );
}

#[test]
fn files_that_are_not_durable_are_looked_into_after_every_keystroke() {
    // The contrast that shows what durability buys: the same keystroke in a catalogue set LOW
    // makes salsa walk every file's queries down to their texts.
    let files = many_files();
    let mut logged = Logged::load(&files, false);
    let path = "modes-05.kdl";
    let text = files.iter().find(|(p, _)| p == path).unwrap().1.clone();
    answers(&logged.host, path, &text);
    let text = text.replacen("Way 5 things fail.", "Way 5 things fail, often.", 1);
    logged.host.apply_change(Change::set(path, text.clone()));
    logged.take_keyed();
    answers(&logged.host, path, &text);
    let (executed, validated) = logged.take_keyed();
    let looked = files_looked_into(&executed, &validated).len();
    // The twelve files of failure modes, the controls and the manifest.
    assert_eq!(looked, MODE_FILES + 2, "{validated:#?}");
}

#[test]
fn a_caught_by_edit_does_not_compile_the_matcher_again() {
    // Each failure mode gets an example its phrase matches, so that a file's diagnostics need
    // the compiled matcher.
    let files: Vec<(String, String)> = many_files()
        .into_iter()
        .map(|(path, text)| {
            let Some(at) = text.find("phrase \"") else {
                return (path, text);
            };
            let phrase = text[at + 8..].split('"').next().unwrap().to_owned();
            let examples = format!(
                "    examples {{\n        matches \"a {phrase} here\"\n    }}\n    signals {{"
            );
            (path, text.replacen("    signals {", &examples, 1))
        })
        .collect();
    let mut logged = Logged::load(&files, true);
    let diagnostics = logged.host.analysis().diagnostics().unwrap();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let path = "modes-01.kdl";
    let text = files.iter().find(|(p, _)| p == path).unwrap().1.clone();
    // The first keystroke in a file read from disk makes it volatile: what was computed from
    // it is computed again once (salsa does not backdate a result that became less durable).
    let text = text.replacen("Way 1 things", "Way 1 thing", 1);
    logged.host.apply_change(Change::set(path, text.clone()));
    logged.host.analysis().file_diagnostics(path).unwrap();
    let edited = text.replacen("caught-by \"review\"", "caught-by \"canary\"", 1);
    for text in [&edited, &text] {
        logged.host.apply_change(Change::set(path, text.clone()));
        logged.take_keyed();
        logged.host.analysis().file_diagnostics(path).unwrap();
        let (executed, _) = logged.take_keyed();
        assert!(of(&executed, "example_matcher").is_empty(), "{executed:#?}");
        assert!(of(&executed, "ancestries").is_empty(), "{executed:#?}");
    }
    // A signal edit does.
    let text = text.replacen("phrase \"fault 1\"", "phrase \"fault one\"", 1);
    logged.host.apply_change(Change::set(path, text));
    logged.take_keyed();
    logged.host.analysis().file_diagnostics(path).unwrap();
    let (executed, _) = logged.take_keyed();
    assert_eq!(
        of(&executed, "example_matcher"),
        ["example_matcher(catalogue)"]
    );
}

/// The editor opens a file read from disk: its text, unchanged, is set as a document's, so the
/// results that depend on it become volatile then. The first keystroke after that re-runs the
/// edited file's queries only, as every later one does, instead of every catalogue-wide result
/// once (salsa never reuses a result that became less durable).
#[test]
fn opening_a_file_makes_its_first_keystroke_as_cheap_as_the_next() {
    let files = many_files();
    let mut logged = Logged::load(&files, true);
    assert!(logged.host.analysis().diagnostics().unwrap().is_empty());
    let path = "modes-05.kdl";
    let text = files.iter().find(|(p, _)| p == path).unwrap().1.clone();
    logged.host.apply_change(Change::set(path, text.clone()));
    logged.host.analysis().diagnostics().unwrap();
    logged.take_log();

    let edited = text.replacen("Way 5 things fail.", "Way 5 things fail, often.", 1);
    logged.host.apply_change(Change::set(path, edited));
    assert!(logged.host.analysis().diagnostics().unwrap().is_empty());
    let log = logged.take_log();
    for catalogue_wide in [
        "example_matcher",
        "group_shares",
        "bucket_checks",
        "hierarchy",
    ] {
        assert_eq!(Logged::count(&log, catalogue_wide), 0, "{log:#?}");
    }
    assert_eq!(Logged::count(&log, "file_diagnostics"), 1, "{log:#?}");
}
