//! temp
fn main() {
    let mut text = String::new();
    for i in 0..20000 {
        text.push_str(&format!("// comment {i}\nfailure-mode \"order-dependent-test-{i}\" {{\n    title \"Order-dependent test {i}\"\n    summary \"A test passes or fails depending on which tests ran before it, through shared setup or state.\"\n    parent \"flaky-test\"\n    layer \"control\"\n    tags \"testing\" \"flaky\"\n    signals {{\n        phrase \"passes in isolation\" \"fails when run after\" weight=0.9\n        pattern #\"(?i)test (pollution|interdependen\\w+)\"# weight=0.7 in=\"body\"\n        label \"order-dependent\" weight=0.6\n    }}\n    evidence \"ESC-1042\" outcome=\"held\" at=\"2026-03-02\" note=\"caught two more\"\n}}\n\n"));
    }
    let mb = text.len() as f64 / 1e6;
    let mut times = vec![];
    for _ in 0..7 {
        let t = std::time::Instant::now();
        let p = gapmine_syntax::parse(&text);
        times.push(t.elapsed().as_secs_f64());
        assert!(p.is_ok());
        if times.len() == 1 {
            println!(
                "heap {:.2}x tokens {}",
                p.tree().heap_size() as f64 / text.len() as f64,
                p.tree().token_count()
            );
        }
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{mb:.1} MB, median {:.4}s, {:.1} MB/s",
        times[3],
        mb / times[3]
    );
    let t = std::time::Instant::now();
    let d: kdl::KdlDocument = text.parse().unwrap();
    let kt = t.elapsed().as_secs_f64();
    println!(
        "kdl {:.3}s {:.1} MB/s ratio {:.1}",
        kt,
        mb / kt,
        kt / times[3]
    );
    drop(d);
}
