//! `gapmine lsp`: the language server (`gapmine-lsp`) on stdin and stdout.

use crate::ExitStatus;

/// Run the language server on stdin and stdout, for an editor to start.
///
/// The server finds the catalogue of each file the editor opens (the nearest `gapmine.kdl`
/// above it) and checks it as you type; see docs/lsp.md. It writes nothing but the protocol to
/// stdout.
#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Talk over stdin and stdout (the only transport, and the default; accepted because some
    /// editors pass it).
    #[arg(long)]
    stdio: bool,
}

pub fn run(args: &LspArgs) -> anyhow::Result<ExitStatus> {
    let _ = args.stdio;
    gapmine_lsp::run_stdio()?;
    Ok(ExitStatus::Success)
}
