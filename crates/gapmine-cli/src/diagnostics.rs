//! Rendering diagnostics for people: codespan-reporting, coloured only on a terminal.
//!
//! The core crates hand over errors as data (a range, a message, a help); this is the one
//! place that turns them into text for people, so every command reports alike. (The
//! machine-readable formats are in `output`.)
//!
//! Where they go: a command's findings (`gapmine check`'s diagnostics) go to stdout, like
//! `gapmine fmt --check`'s list of files; errors that keep a command from doing its job (a
//! file fmt cannot parse, a path that does not exist) and summaries go to stderr.

use std::collections::HashMap;
use std::io::{self, IsTerminal};

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::{SimpleFile, SimpleFiles};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream, WriteColor};
use codespan_reporting::term::{self, Config};
use gapmine_ide::Severity;
use gapmine_syntax::SyntaxError;

use crate::check::Checked;

/// Writes diagnostics to stderr or stdout.
pub struct Reporter {
    stream: StandardStream,
    config: Config,
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reporter").finish_non_exhaustive()
    }
}

impl Reporter {
    /// A reporter on stderr, in colour only when stderr is a terminal and `NO_COLOR` is unset.
    pub fn stderr() -> Reporter {
        Reporter {
            stream: StandardStream::stderr(color_choice(io::stderr().is_terminal())),
            config: Config::default(),
        }
    }

    /// A reporter on stdout, in colour only when stdout is a terminal and `NO_COLOR` is unset.
    pub fn stdout() -> Reporter {
        Reporter {
            stream: StandardStream::stdout(color_choice(io::stdout().is_terminal())),
            config: Config::default(),
        }
    }

    /// Reports the diagnostics of a checked catalogue.
    pub fn check_diagnostics(&mut self, checked: &Checked) -> io::Result<()> {
        emit_check_diagnostics(&mut self.stream, &self.config, checked)
    }

    /// Reports the syntax errors of the file `name` whose text is `text`.
    pub fn syntax_errors(
        &mut self,
        name: &str,
        text: &str,
        errors: &[SyntaxError],
    ) -> io::Result<()> {
        emit_syntax_errors(&mut self.stream, &self.config, name, text, errors)
    }

    /// Reports an error that is about no place in a file.
    pub fn error(&mut self, message: &str, help: Option<&str>) -> io::Result<()> {
        let mut diagnostic = Diagnostic::error().with_message(message);
        if let Some(help) = help {
            diagnostic = diagnostic.with_notes(vec![format!("help: {help}")]);
        }
        let files = SimpleFile::new("", "");
        term::emit(&mut self.stream, &self.config, &files, &diagnostic).map_err(into_io)
    }

    /// Writes a line of plain text (a summary) to stderr.
    pub fn note(&mut self, line: &str) -> io::Result<()> {
        use io::Write;
        writeln!(self.stream, "{line}")
    }
}

fn color_choice(is_terminal: bool) -> ColorChoice {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if !no_color && is_terminal {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    }
}

/// Renders syntax errors as `error: message` with the file, line and column, the source line
/// with the range underlined, and `= help: …`.
pub fn emit_syntax_errors(
    writer: &mut dyn WriteColor,
    config: &Config,
    name: &str,
    text: &str,
    errors: &[SyntaxError],
) -> io::Result<()> {
    let file = SimpleFile::new(name, text);
    for error in errors {
        term::emit(writer, config, &file, &syntax_diagnostic(text, error)).map_err(into_io)?;
    }
    Ok(())
}

/// One syntax error as a codespan diagnostic about the file `()`.
pub fn syntax_diagnostic(text: &str, error: &SyntaxError) -> Diagnostic<()> {
    let range = clamp(text, error.range.to_usize());
    let mut diagnostic = Diagnostic::error()
        .with_message(&error.message)
        .with_labels(vec![Label::primary((), range)]);
    if let Some(help) = &error.help {
        diagnostic = diagnostic.with_notes(vec![format!("help: {help}")]);
    }
    diagnostic
}

/// Renders a checked catalogue's diagnostics: `error[code]: message`, the primary range
/// underlined, secondary labels (possibly in other files) with their notes, `= help: …`.
pub fn emit_check_diagnostics(
    writer: &mut dyn WriteColor,
    config: &Config,
    checked: &Checked,
) -> io::Result<()> {
    let mut files = SimpleFiles::new();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for d in &checked.diagnostics {
        for file in std::iter::once(&d.file).chain(d.labels.iter().map(|l| &l.file)) {
            if !ids.contains_key(file.as_str()) {
                let id = files.add(checked.shown_path(file), checked.text(file));
                ids.insert(file, id);
            }
        }
    }
    let id = |file: &str| ids[file];
    let diagnostics: Vec<Diagnostic<usize>> = checked
        .diagnostics
        .iter()
        .map(|d| {
            let file = id(&d.file);
            let mut labels = vec![Label::primary(
                file,
                clamp(checked.text(&d.file), d.range.to_usize()),
            )];
            for label in &d.labels {
                let range = clamp(checked.text(&label.file), label.range.to_usize());
                labels.push(Label::secondary(id(&label.file), range).with_message(&label.message));
            }
            let diagnostic = match d.severity {
                Severity::Error => Diagnostic::error(),
                Severity::Warning => Diagnostic::warning(),
            };
            diagnostic
                .with_code(d.code.name())
                .with_message(&d.message)
                .with_labels(labels)
                .with_notes(d.help.iter().map(|h| format!("help: {h}")).collect())
        })
        .collect();
    for diagnostic in &diagnostics {
        term::emit(writer, config, &files, diagnostic).map_err(into_io)?;
    }
    Ok(())
}

/// The range inside `text` and on character boundaries, whatever it was.
fn clamp(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let mut start = range.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = range.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

fn into_io(error: codespan_reporting::files::Error) -> io::Error {
    match error {
        codespan_reporting::files::Error::Io(error) => error,
        other => io::Error::other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use codespan_reporting::term::Config;
    use codespan_reporting::term::termcolor::NoColor;

    fn render(text: &str) -> String {
        let parse = gapmine_syntax::parse(text);
        let mut out = NoColor::new(Vec::new());
        super::emit_syntax_errors(&mut out, &Config::default(), "x.kdl", text, parse.errors())
            .unwrap();
        String::from_utf8(out.into_inner()).unwrap()
    }

    #[test]
    fn renders_file_line_column_label_and_help() {
        insta::assert_snapshot!(render("a {\n    b \"open\n}\n"), @r#"
        error: unterminated string
          ┌─ x.kdl:2:7
          │
        2 │     b "open
          │       ^^^^^
          │
          = help: close it with `"` before the end of the line; for text over several lines use `"""`
        "#);
    }

    #[test]
    fn clamps_ranges_outside_the_text() {
        assert_eq!(super::clamp("aé", 2..9), 1..3);
        assert_eq!(super::clamp("", 0..0), 0..0);
    }
}
