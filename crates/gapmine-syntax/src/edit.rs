//! Format-preserving edits: text edits computed on the tree's ranges.

#[cfg(test)]
mod scratch {
    #[test]
    fn dump() {
        let text =
            "// head\nfm \"a\" k=1 { // c\n    title \"T\"\n    /-x 1\n}\n\nb;c\n/- d { e }\nf\r\n";
        let p = crate::parse(text);
        eprintln!("{}", p.tree().root().debug_dump());
        let p = crate::parse("a {\n  b\n");
        eprintln!("{}", p.tree().root().debug_dump());
        let p = crate::parse("a /-{ b } \\\n  { c }");
        eprintln!("{}", p.tree().root().debug_dump());
    }
}
