//! Opening a records input: a file, or standard input for `-`.

use std::fs::File;
use std::io::{self, BufRead, BufReader};

use crate::diagnostics::Reporter;

/// A records file that could not be opened.
#[derive(Debug)]
pub(crate) struct CannotOpen {
    name: String,
    error: io::Error,
}

impl CannotOpen {
    /// Says so on stderr, with what to do.
    pub(crate) fn report(&self, reporter: &mut Reporter) -> io::Result<()> {
        reporter.error(
            &format!("cannot read `{}`: {}", self.name, self.error),
            Some("check that the file exists and that you may read it"),
        )
    }
}

/// Opens `name` (`-`: standard input) for reading, with the name to show in messages.
pub(crate) fn open_records(name: &str) -> Result<(Box<dyn BufRead>, String), CannotOpen> {
    if name == "-" {
        return Ok((Box::new(io::stdin().lock()), "<stdin>".to_owned()));
    }
    match File::open(name) {
        Ok(file) => Ok((Box::new(BufReader::new(file)), name.to_owned())),
        Err(error) => Err(CannotOpen {
            name: name.to_owned(),
            error,
        }),
    }
}
