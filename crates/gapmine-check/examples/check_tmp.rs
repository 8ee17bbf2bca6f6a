//! temp
use gapmine_check::*;
fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let db = CheckDatabase::default();
    let mut files = vec![];
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p)
            } else if p.extension().is_some_and(|e| e == "kdl")
                && p.file_name().unwrap() != "gapmine.kdl"
            {
                let rel = p
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    files.sort();
    let files: Vec<_> = files
        .into_iter()
        .map(|(p, t)| SourceFile::new(&db, p, t))
        .collect();
    let manifest = SourceFile::new(
        &db,
        "gapmine.kdl".into(),
        std::fs::read_to_string(root.join("gapmine.kdl")).unwrap(),
    );
    let cat = Catalogue::new(&db, manifest, files);
    let t = std::time::Instant::now();
    let diags = catalogue_diagnostics(&db, cat);
    eprintln!("{:?}", t.elapsed());
    for d in &diags {
        println!(
            "{}:{:?} {}[{}] {} {:?} {:?}",
            d.file,
            d.range,
            d.severity.as_str(),
            d.code.name(),
            d.message,
            d.help,
            d.labels
        );
    }
    println!(
        "{} entries, {} diagnostics",
        gapmine_check::db::entries(&db, cat).len(),
        diags.len()
    );
}
