//! The `gapmine` binary.

fn main() {}
