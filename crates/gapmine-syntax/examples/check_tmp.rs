//! temp
fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap();
        let p = gapmine_syntax::parse(&text);
        for e in p.errors() {
            println!(
                "{path}: {:?} {} ({:?})",
                e.range,
                e.message,
                &text[e.range.to_usize()]
            );
        }
        println!("{path}: {} nodes", p.plain().nodes.len());
    }
}
