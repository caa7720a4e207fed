//! Writing results and errors.
//!
//! A command produces its whole output before anything is written, so stdout gets exactly one
//! document (JSON with `--json`, else short text) on success and nothing at all on failure.
//! Errors go to stderr as one line, `error: <message>`, or as one JSON object with `--json`.

use std::io::{self, Write};

use serde::Serialize;

use crate::error::CliError;

/// How results are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Human,
    Json,
}

/// `value` as one line of JSON, or the text made by `text`.
pub fn render<T: Serialize + ?Sized>(
    mode: Mode,
    value: &T,
    text: impl FnOnce() -> String,
) -> Result<String, CliError> {
    match mode {
        Mode::Json => serde_json::to_string(value)
            .map_err(|e| CliError::Internal(format!("cannot write JSON: {e}"))),
        Mode::Human => Ok(text()),
    }
}

/// Writes the result. A reader that went away (`| head`) is not an error.
pub fn write_result(document: &str) -> Result<(), CliError> {
    let mut stdout = io::stdout().lock();
    let written = if document.is_empty() || document.ends_with('\n') {
        stdout.write_all(document.as_bytes())
    } else {
        writeln!(stdout, "{document}")
    };
    match written.and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Internal(format!("cannot write output: {e}"))),
    }
}

/// Writes the error to stderr (ignoring a closed stderr: there is nowhere left to tell).
pub fn write_error(err: &CliError, mode: Mode) {
    let line = match mode {
        Mode::Json => err.to_json().to_string(),
        Mode::Human => format!("error: {}", err.message()),
    };
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Lines of human output; empty values are left out.
#[derive(Debug, Default)]
pub struct Text {
    lines: Vec<String>,
}

impl Text {
    pub fn new() -> Self {
        Text::default()
    }

    pub fn line(&mut self, line: impl Into<String>) -> &mut Self {
        self.lines.push(line.into());
        self
    }

    /// `  label: value`, unless the value is missing or empty.
    pub fn field(&mut self, label: &str, value: Option<impl AsRef<str>>) -> &mut Self {
        if let Some(value) = value {
            let value = value.as_ref();
            if !value.trim().is_empty() {
                self.lines.push(format!("  {label}: {value}"));
            }
        }
        self
    }

    /// `  label: a, b, c`, unless there are none.
    pub fn list(&mut self, label: &str, values: &[String]) -> &mut Self {
        if !values.is_empty() {
            self.lines.push(format!("  {label}: {}", values.join(", ")));
        }
        self
    }

    pub fn finish(&self) -> String {
        self.lines.join("\n")
    }
}

/// `text`, or `placeholder` when the text is empty (a lead has no name yet).
pub fn or<'a>(text: &'a str, placeholder: &'a str) -> &'a str {
    if text.trim().is_empty() {
        placeholder
    } else {
        text
    }
}

/// A size as people read it: `812 B`, `272 KB`, `3.4 MB` (powers of 1,000).
pub fn size(bytes: u64) -> String {
    match bytes {
        0..=999 => format!("{bytes} B"),
        1_000..=999_499 => format!("{} KB", (bytes + 500) / 1_000),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_rounded_to_the_unit_people_read() {
        assert_eq!(size(812), "812 B");
        assert_eq!(size(271_600), "272 KB");
        assert_eq!(size(999_600), "1.0 MB");
        assert_eq!(size(3_420_000), "3.4 MB");
    }
}
