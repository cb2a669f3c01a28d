//! The located error of the policy reader.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use crate::diagnostic::{clip_message, Excerpt};

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
    /// The lines around the bad spot.
    #[source_code]
    excerpt: Excerpt,
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
        let excerpt = Excerpt::at_offset("policy.xml", text, offset);
        Self {
            message: clip_message(message.into()),
            line,
            column,
            span: excerpt.span(),
            excerpt,
        }
    }

    /// Names the document in the excerpt (a file path or an ARM id).
    pub fn with_name(mut self, name: &str) -> Self {
        self.excerpt = self.excerpt.renamed(name);
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
