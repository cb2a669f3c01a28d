//! One shape for every error that points into a file: the file's text, the spot,
//! what is wrong there and what to do about it.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};

/// An error located in a file, rendered by miette with an excerpt of the file.
///
/// Boxed inside the error enums (it carries the whole file text), so that the
/// common `Result` types stay small.
#[derive(Debug)]
pub struct Located {
    /// Stable diagnostic code, e.g. `apimguard::snapshot::syntax`.
    pub code: &'static str,
    /// The one-line message, already prefixed with `file:line` where useful.
    pub message: String,
    /// What the user should do.
    pub help: &'static str,
    /// The file's text.
    pub src: NamedSource<String>,
    /// The spot.
    pub span: SourceSpan,
}

impl Located {
    /// A located error at a 1-based line and column of `text`.
    pub fn new(
        code: &'static str,
        help: &'static str,
        file: &str,
        text: &str,
        line: usize,
        column: usize,
        message: String,
    ) -> Box<Self> {
        Box::new(Located {
            code,
            message,
            help,
            src: NamedSource::new(file, text.to_string()),
            span: span_at(text, line, column),
        })
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Located {}

impl Diagnostic for Located {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".into()),
            self.span,
        ))))
    }
}

/// Byte span of a 1-based line and column, clamped to the text.
pub fn span_at(text: &str, line: usize, column: usize) -> SourceSpan {
    let mut offset = 0usize;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col = column.saturating_sub(1).min(l.len());
            let offset = (offset + col).min(text.len().saturating_sub(1));
            return SourceSpan::new(offset.into(), 1);
        }
        offset += l.len();
    }
    SourceSpan::new(text.len().saturating_sub(1).into(), 0)
}
