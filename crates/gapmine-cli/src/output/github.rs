//! `--format github`: GitHub Actions workflow commands, which the Actions log shows as
//! annotations on the pull request's files.
//!
//! `::error file=PATH,line=L,col=C,endLine=L,endColumn=C,title=CODE::MESSAGE`, one a line;
//! paths are relative to the current folder (the repository's root in a workflow) when the
//! catalogue is inside it. Columns count characters; `endColumn` is one past the last one.
//! The help and the secondary labels follow the message on lines of their own.

use std::io::{self, Write};

use gapmine_ide::Severity;

use super::Locator;
use crate::check::Checked;

pub fn write(out: &mut dyn Write, checked: &Checked) -> io::Result<()> {
    let mut locator = Locator::new(checked);
    for d in &checked.diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let (start, end) = locator.locate(&d.file, d.range);
        let mut message = d.message.clone();
        for label in &d.labels {
            let (at, _) = locator.locate(&label.file, label.range);
            message.push_str(&format!(
                "\n{}:{}:{}: {}",
                checked.shown_path(&label.file),
                at.line,
                at.column,
                label.message
            ));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&checked.shown_path(&d.file)),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(d.code.name()),
            escape_data(&message),
        )?;
    }
    Ok(())
}

/// Escapes a command's message, as GitHub's toolkit does (`escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value, as GitHub's toolkit does (`escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_as_the_toolkit_does() {
        assert_eq!(
            super::escape_data("100% a\r\nb: c,d"),
            "100%25 a%0D%0Ab: c,d"
        );
        assert_eq!(super::escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
