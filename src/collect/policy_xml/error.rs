//! The located error of the policy reader.

use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// A policy document that APIM could not accept either, with the spot that is wrong.
#[derive(Debug, Error, Diagnostic)]
#[error("{message} (line {line}, column {column})")]
#[diagnostic(
    code(apimguard::policy::xml),
    help("fix the policy document: it is not one APIM can load (policy expressions `@(…)`/`@{{…}}` are fine as they are)")
)]
pub struct PolicyXmlError {
    /// What is wrong.
    pub message: String,
    /// 1-based line of the bad spot.
    pub line: usize,
    /// 1-based column (in characters) of the bad spot.
    pub column: usize,
    /// The document, for the excerpt.
    #[source_code]
    source_code: Arc<NamedSource<String>>,
    /// The bad spot.
    #[label("here")]
    span: SourceSpan,
}

impl PolicyXmlError {
    /// An error at a byte offset of `text`.
    pub(super) fn at(text: &str, offset: usize, message: impl Into<String>) -> Self {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        let column = text[line_start..offset].chars().count() + 1;
        Self {
            message: message.into(),
            line,
            column,
            source_code: Arc::new(NamedSource::new("policy.xml", text.to_string())),
            span: SourceSpan::new(offset.into(), 1.min(text.len() - offset)),
        }
    }

    /// Names the document in the excerpt (a file path or an ARM id).
    pub fn with_name(mut self, name: &str) -> Self {
        let text = self.source_code.inner().clone();
        self.source_code = Arc::new(NamedSource::new(name, text));
        self
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let err = PolicyXmlError::at("ab\ncdé\nx", 7, "bad");
        assert_eq!((err.line, err.column), (2, 4));
        assert_eq!(err.to_string(), "bad (line 2, column 4)");
    }
}
