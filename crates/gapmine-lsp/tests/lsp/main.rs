//! The language server's tests, in one binary: the protocol in process over an in-memory
//! duplex (`protocol`), and thousands of random edits against from-scratch checks
//! (`robustness`).

mod protocol;
mod robustness;
mod support;
