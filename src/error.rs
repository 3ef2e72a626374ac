//! Errors raised while loading and compiling a rule pack.
//!
//! A pack is edited by people, so every problem is reported with the file,
//! line and column where it was found, and all problems found in one load are
//! reported together rather than only the first.

use std::fmt;

/// A coarse category of a rule-pack error.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A file could not be read.
    Io,
    /// A file is not valid TOML, or a condition does not parse.
    Syntax,
    /// A field, phrase set, typology, question or rule name that does not exist.
    Unknown,
    /// A value of the wrong type or out of its range.
    Value,
    /// Two definitions of the same name.
    Duplicate,
    /// A size limit of the engine was exceeded.
    Limit,
    /// A test case carried by the pack did not hold.
    Test,
}

/// Where in a rule file a problem was found (lines and columns count from 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file name inside the pack, such as `safe_account.toml`.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One problem found in a rule pack.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    kind: ErrorKind,
    location: Option<Location>,
    message: String,
    source_line: Option<String>,
}

impl Diagnostic {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Diagnostic {
        Diagnostic { kind, location: None, message: message.into(), source_line: None }
    }

    /// Attach a position given as a byte offset into a file's text.
    pub(crate) fn at(mut self, file: &str, text: &str, offset: usize) -> Diagnostic {
        let (line, column, source_line) = line_col(text, offset);
        self.location = Some(Location { file: file.to_string(), line, column });
        self.source_line = Some(source_line.to_string());
        self
    }

    /// Attach a position already resolved to a line, a column and its source line.
    pub(crate) fn at_line(mut self, file: &str, line: usize, column: usize, source_line: &str) -> Diagnostic {
        self.location = Some(Location { file: file.to_string(), line, column });
        self.source_line = Some(source_line.to_string());
        self
    }

    /// Attach a file without a position.
    pub(crate) fn in_file(mut self, file: &str) -> Diagnostic {
        self.location = Some(Location { file: file.to_string(), line: 1, column: 1 });
        self
    }

    /// The category of this problem.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The file, line and column, when the problem has a position.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// The message without the position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: {}", self.message)?,
            None => write!(f, "{}", self.message)?,
        }
        if let (Some(loc), Some(src)) = (&self.location, &self.source_line) {
            let gutter = loc.line.to_string().len();
            write!(f, "\n{:gutter$} |\n{} | {}\n{:gutter$} | {:>col$}", "", loc.line, src, "", "^", col = loc.column)?;
        }
        Ok(())
    }
}

/// The error returned when a rule pack fails to load or compile.
///
/// It carries every problem found (see [`Error::diagnostics`]); `Display`
/// prints them all, each as `file:line:column: message` followed by the
/// offending source line and a caret.
#[derive(Clone, Debug)]
pub struct Error {
    diagnostics: Box<[Diagnostic]>,
}

impl Error {
    pub(crate) fn from_diagnostics(diagnostics: Vec<Diagnostic>) -> Error {
        Error { diagnostics: diagnostics.into_boxed_slice() }
    }

    pub(crate) fn single(diagnostic: Diagnostic) -> Error {
        Error::from_diagnostics(vec![diagnostic])
    }

    /// The category of the first problem.
    pub fn kind(&self) -> ErrorKind {
        self.diagnostics.first().map_or(ErrorKind::Syntax, Diagnostic::kind)
    }

    /// The position of the first problem, if it has one.
    pub fn location(&self) -> Option<&Location> {
        self.diagnostics.first().and_then(Diagnostic::location)
    }

    /// Every problem found, in file order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        if self.diagnostics.len() > 1 {
            write!(f, "\n{} problems found", self.diagnostics.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Convert a byte offset into a 1-based line, a 1-based character column and
/// the text of that line. Offsets past the end point at the end.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize, &str) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text.get(line_start..offset).map_or(0, |s| s.chars().count()) + 1;
    let line_end = text.get(offset..).and_then(|s| s.find('\n')).map_or(text.len(), |i| offset + i);
    let source = text.get(line_start..line_end).unwrap_or("").trim_end_matches('\r');
    (line, column, source)
}

/// The byte offset at which each line of a text starts, so that many
/// positions in one file resolve in logarithmic time each instead of
/// rescanning the file from its start.
#[derive(Clone, Debug)]
pub(crate) struct LineStarts(Vec<usize>);

impl LineStarts {
    pub(crate) fn new(text: &str) -> LineStarts {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineStarts(starts)
    }

    /// Each line of `text` (the text this table was built from) with the
    /// byte offset where it starts; a line keeps its `\n`.
    pub(crate) fn lines<'t>(&'t self, text: &'t str) -> impl Iterator<Item = (usize, &'t str)> + 't {
        let ends = self.0.iter().skip(1).copied().chain(std::iter::once(text.len()));
        self.0.iter().zip(ends).filter_map(|(&start, end)| Some((start, text.get(start..end)?)))
    }

    /// As [`line_col`], for the text this table was built from.
    pub(crate) fn line_col<'t>(&self, text: &'t str, offset: usize) -> (usize, usize, &'t str) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        // Lines starting at or before `offset`: at least the first.
        let line = self.0.partition_point(|&start| start <= offset).max(1);
        let line_start = self.0.get(line - 1).copied().unwrap_or(0).min(offset);
        let column = text.get(line_start..offset).map_or(0, |s| s.chars().count()) + 1;
        let line_end = text.get(offset..).and_then(|s| s.find('\n')).map_or(text.len(), |i| offset + i);
        let source = text.get(line_start..line_end).unwrap_or("").trim_end_matches('\r');
        (line, column, source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        let (line, col, src) = line_col(text, text.find('"').unwrap());
        assert_eq!((line, col, src), (2, 6, "bé = \"x\""));
    }

    #[test]
    fn line_table_agrees_with_scanning() {
        let text = "a = 1\r\nbé = \"x\"\n\nlast 字 line";
        let table = LineStarts::new(text);
        for offset in 0..text.len() + 3 {
            assert_eq!(table.line_col(text, offset), line_col(text, offset), "{offset}");
        }
        let empty = LineStarts::new("");
        assert_eq!(empty.line_col("", 5), line_col("", 5));
    }

    #[test]
    fn display_shows_position_and_caret() {
        let text = "x = 1\nwhen = \"amount >> 3\"\n";
        let d = Diagnostic::new(ErrorKind::Syntax, "unexpected `>`").at("f.toml", text, 21);
        let shown = d.to_string();
        assert!(shown.starts_with("f.toml:2:16: unexpected `>`"), "{shown}");
        assert!(shown.contains("when = \"amount >> 3\""));
    }
}
