//! temp
fn main() {
    let dir = std::path::Path::new("/work/shared/kdl-spec-tests/test_cases");
    let mut entries: Vec<_> = std::fs::read_dir(dir.join("input"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let (mut pass, mut fail) = (0, 0);
    let verbose = std::env::args().nth(1);
    for path in entries {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let Ok(text) = String::from_utf8(bytes) else {
            if name.contains("_fail") {
                pass += 1
            } else {
                fail += 1;
                println!("FAIL {name}: not utf8")
            };
            continue;
        };
        let parse = gapmine_syntax::parse(&text);
        assert_eq!(parse.tree().root().text(), text);
        if name.trim_end_matches(".kdl").ends_with("_fail") {
            if parse.errors().is_empty() {
                fail += 1;
                println!(
                    "FAIL {name}: expected error; got {:?}",
                    parse.plain().to_canonical_kdl()
                );
            } else {
                pass += 1
            }
        } else {
            let expected = std::fs::read_to_string(dir.join("expected_kdl").join(&name)).unwrap();
            let got = parse.plain().to_canonical_kdl();
            if parse.errors().is_empty() && got == expected {
                pass += 1
            } else {
                fail += 1;
                println!(
                    "FAIL {name}: errors {:?}\n  expected {:?}\n  got      {:?}",
                    parse
                        .errors()
                        .iter()
                        .map(|e| &e.message)
                        .collect::<Vec<_>>(),
                    expected,
                    got
                );
                if verbose.as_deref() == Some(&name) {
                    println!("{}", parse.tree().root().debug_dump());
                }
            }
        }
    }
    println!("{pass} passed, {fail} failed");
}
