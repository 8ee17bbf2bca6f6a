//! `gapmine lsp` as an editor starts it: over stdin and stdout, with nothing on stdout but the
//! protocol's frames.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;

use crate::TestEnv;

fn frame(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

/// Splits stdout into the bodies of its frames; fails on anything that is not a frame.
fn frames(mut stdout: &str) -> Vec<serde_json::Value> {
    let mut bodies = Vec::new();
    while !stdout.is_empty() {
        let (header, rest) = stdout
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("not a frame: {stdout:?}"));
        let length: usize = header
            .strip_prefix("Content-Length: ")
            .unwrap_or_else(|| panic!("not a frame header: {header:?}"))
            .parse()
            .expect("a length");
        bodies.push(serde_json::from_str(&rest[..length]).expect("a JSON body"));
        stdout = &rest[length..];
    }
    bodies
}

#[test]
fn lsp_speaks_the_protocol_on_stdout_and_nothing_else() {
    let env = TestEnv::new();
    env.write(
        "gapmine.kdl",
        "catalogue \"demo\" version=\"0.1.0\" {\n    include \"*.kdl\"\n}\n",
    );
    env.write("a.kdl", "control \"ci\" stage=1 {\n    title \"CI\"\n}\n");
    let uri = format!(
        "file://{}",
        env.root().canonicalize().unwrap().join("a.kdl").display()
    );
    let mut child = env
        .gapmine(&["lsp", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gapmine lsp starts");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // An editor waits for the answer to `initialize` before it sends anything else.
    stdin
        .write_all(
            frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#)
                .as_bytes(),
        )
        .unwrap();
    let mut first = String::new();
    loop {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        first.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let length: usize = first
        .trim()
        .strip_prefix("Content-Length: ")
        .expect("a frame header")
        .parse()
        .unwrap();
    let mut body = vec![0; length];
    stdout.read_exact(&mut body).unwrap();
    first.push_str(std::str::from_utf8(&body).unwrap());
    let rest = [
        frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
        frame(&format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{uri}","languageId":"kdl","version":1,"text":"control \"ci\" {{\n"}}}}}}"#
        )),
        frame(&format!(
            r#"{{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{{"textDocument":{{"uri":"{uri}"}},"position":{{"line":0,"character":10}}}}}}"#
        )),
        frame(r#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#),
        frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
    ]
    .concat();
    stdin.write_all(rest.as_bytes()).unwrap();
    drop(stdin);
    let mut tail = String::new();
    stdout.read_to_string(&mut tail).unwrap();
    let status = child.wait().expect("gapmine lsp exits");
    assert!(status.success(), "{status}");
    let stdout = first + &tail;
    let messages = frames(&stdout);
    let ids: Vec<&serde_json::Value> = messages.iter().filter_map(|m| m.get("id")).collect();
    assert_eq!(ids, [1, 2, 3], "{messages:#?}");
    let initialized = messages.iter().find(|m| m["id"] == 1).unwrap();
    assert_eq!(initialized["result"]["serverInfo"]["name"], "gapmine");
    assert!(
        messages.iter().all(|m| m["jsonrpc"] == "2.0"),
        "{messages:#?}"
    );
}
