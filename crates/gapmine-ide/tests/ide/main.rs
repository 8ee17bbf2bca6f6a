//! The editor features of `gapmine-ide`, one module per feature, each tested on text fixtures
//! with `$0` for the cursor (see `fixture.rs`).

mod assists;
mod code_lens;
mod completion;
mod diagnostics;
#[allow(
    dead_code,
    reason = "the harness serves every feature; not each uses all of it"
)]
mod fixture;
mod format;
mod hover;
mod incremental;
mod inlay_hints;
mod navigation;
mod rename;
mod semantic_tokens;
mod symbols;
