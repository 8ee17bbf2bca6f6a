//! The gapmine language server: `gapmine lsp` speaks the Language Server Protocol over stdio.
//!
//! Every handler converts the protocol's terms (`convert.rs`, positions in UTF-16 or UTF-8),
//! asks `gapmine-ide` on a snapshot, and converts the answer back (`server.rs`); the state it
//! keeps between messages, and all its file IO, is in `workspace.rs`. Nothing but the protocol
//! is written to stdout: messages go to the client's log.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod convert;
mod handlers;
mod line_index;
mod server;
mod settings;
mod workspace;

use std::sync::Arc;

use gapmine_ide::AnalysisHost;
use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{ClientSocket, LspService};

pub use convert::{FileText, from_proto, to_proto};
pub use line_index::{LineCol, LineIndex, PositionEncoding};
pub use server::{Server, capabilities};
pub use settings::Settings;
pub use workspace::HostFactory;

/// How many messages are handled at once. Requests wait on the blocking pool, not here, so
/// this is high: a notification that changes a text must never queue behind requests.
const CONCURRENCY: usize = 64;

/// The service, for a transport to drive (`serve`, or a test's).
pub fn service() -> (LspService<Server>, ClientSocket) {
    service_with(Arc::new(AnalysisHost::default))
}

/// The service with the catalogues' hosts made by `new_host` (a test passes one whose
/// database reports its events).
pub fn service_with(new_host: HostFactory) -> (LspService<Server>, ClientSocket) {
    LspService::new(move |client| Server::new(client, new_host))
}

/// Serves the protocol on `input` and `output` until the client says `exit` or goes away.
pub async fn serve(
    input: impl AsyncRead + Unpin,
    output: impl AsyncWrite,
    (service, socket): (LspService<Server>, ClientSocket),
) {
    tower_lsp_server::Server::new(input, output, socket)
        .concurrency_level(CONCURRENCY)
        .serve(service)
        .await;
}

/// Runs the server on stdin and stdout until the client says `exit`.
pub fn run_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout(), service()));
    Ok(())
}
