//! One shape for every error that points into a file: the file's name, the spot, an
//! excerpt around it, what is wrong there and what to do about it.
//!
//! Every located diagnostic shows its source through [`Excerpt`], which keeps only
//! a few lines around the spot, each clipped to [`REACH`] bytes on either side of
//! it. The renderer then never sees a minified snapshot's 200 KB line (it panics past
//! column 65,535) nor copies a 20 MB line to standard error, and an error does not
//! hold a copy of a 2 GB file. Credentials in the excerpt and in messages (a parser
//! may quote a value) are overwritten by `*` (see `collect::redact`).

use std::borrow::Cow;
use std::fmt;

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use crate::redact::mask_text;

/// Bytes of a line shown on either side of the spot.
pub const REACH: usize = 120;

/// Longest message kept whole; longer ones keep their start and end (a parser's
/// message may quote a whole value of the file).
const MESSAGE_LIMIT: usize = 600;

/// An error located in a file, rendered by miette with an excerpt of the file.
///
/// Boxed inside the error enums, so that the common `Result` types stay small.
#[derive(Debug)]
pub struct Located {
    /// Stable diagnostic code, e.g. `apimguard::snapshot::syntax`.
    pub code: &'static str,
    /// The one-line message, already prefixed with `file:line` where useful.
    pub message: String,
    /// What the user should do.
    pub help: &'static str,
    /// The lines around the spot.
    pub excerpt: Excerpt,
}

impl Located {
    /// A located error at a 1-based line and column (in bytes) of `text`.
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
            message: clip_message(message),
            help,
            excerpt: Excerpt::at(file, text, line, column),
        })
    }
}

impl Located {
    /// A located error at a byte offset of `text`; `message` is given the 1-based
    /// line and column (in bytes) of the offset.
    pub fn at_offset(
        code: &'static str,
        help: &'static str,
        file: &str,
        text: &str,
        offset: usize,
        message: impl FnOnce(usize, usize) -> String,
    ) -> Box<Self> {
        let offset = floor_char_boundary(text, offset);
        let before = &text[..offset];
        let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
        let column = offset - before.rfind('\n').map_or(0, |p| p + 1) + 1;
        Located::new(code, help, file, text, line, column, message(line, column))
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
        Some(&self.excerpt)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.excerpt.label())))
    }
}

/// The lines of a file around one spot (the line before, the line, the line after),
/// each clipped around the spot's column, with the file's own line numbers. Boxed, so
/// that the errors holding one stay small.
#[derive(Debug, Clone)]
pub struct Excerpt(Box<Shown>);

/// What an [`Excerpt`] holds.
#[derive(Debug, Clone)]
struct Shown {
    /// The file's name, as shown.
    name: String,
    /// The clipped lines, joined by `\n`.
    text: String,
    /// 0-based line of the file that the excerpt's first line is.
    first_line: usize,
    /// The spot, in the excerpt's text.
    span: SourceSpan,
    /// 0-based column of the spot in the file's line (shown in the header).
    column: usize,
}

impl Excerpt {
    /// The excerpt around a 1-based line and column (in bytes) of `text`; both are
    /// clamped to the text.
    pub fn at(name: &str, text: &str, line: usize, column: usize) -> Excerpt {
        let lines = Lines::around(text, line.max(1));
        let mut excerpt = Shown {
            name: name.to_string(),
            text: String::new(),
            first_line: lines.first,
            span: SourceSpan::new(0.into(), 0),
            column: 0,
        };
        let at = floor_char_boundary(lines.spot, column.saturating_sub(1));
        excerpt.column = at;
        for (i, whole) in lines.shown.iter().enumerate() {
            if i > 0 {
                excerpt.text.push('\n');
            }
            let (clipped, spot) = clip_line(whole, at);
            if i == lines.spot_index {
                let width = whole[at.min(whole.len())..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
                excerpt.span = SourceSpan::new((excerpt.text.len() + spot).into(), width);
            }
            excerpt.text.push_str(&clipped);
        }
        // A credential near the spot is shown as `***` (same length: the spot stays put).
        if let Cow::Owned(masked) = mask_text(&excerpt.text) {
            excerpt.text = masked;
        }
        Excerpt(Box::new(excerpt))
    }

    /// The excerpt around a byte offset of `text`.
    pub fn at_offset(name: &str, text: &str, offset: usize) -> Excerpt {
        let offset = floor_char_boundary(text, offset);
        let before = &text[..offset];
        let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        Excerpt::at(name, text, line, offset - line_start + 1)
    }

    /// The same lines, shown under another name.
    pub fn renamed(mut self, name: &str) -> Excerpt {
        self.0.name = name.to_string();
        self
    }

    /// The spot, in the excerpt.
    pub fn span(&self) -> SourceSpan {
        self.0.span
    }

    /// The "here" label at the spot.
    pub fn label(&self) -> LabeledSpan {
        LabeledSpan::new_with_span(Some("here".into()), self.0.span)
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let shown = &self.0;
        let inner =
            shown
                .text
                .as_str()
                .read_span(span, context_lines_before, context_lines_after)?;
        // The header names the spot's column in the file, not in the clipped line.
        let column = if span.offset() == shown.span.offset() && context_lines_before == 0 {
            shown.column
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            shown.name.clone(),
            inner.data(),
            *inner.span(),
            shown.first_line + inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

/// The lines of a text shown around a 1-based line.
struct Lines<'t> {
    /// 0-based number of the first shown line.
    first: usize,
    /// The shown lines, without their line ends.
    shown: Vec<&'t str>,
    /// Which of them holds the spot.
    spot_index: usize,
    /// The line holding the spot.
    spot: &'t str,
}

impl<'t> Lines<'t> {
    /// The line `line` (the last one when the text is shorter) and its neighbours.
    fn around(text: &'t str, line: usize) -> Lines<'t> {
        let mut lines = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .enumerate();
        let (mut before, mut before_that) = (None, None);
        let mut count = 0;
        while let Some((i, l)) = lines.next() {
            if i + 1 == line {
                return Lines::of(i, before, l, lines.next().map(|(_, next)| next));
            }
            (before_that, before, count) = (before, Some(l), i + 1);
        }
        // Past the end: the last line (`split` yields at least one).
        Lines::of(count - 1, before_that, before.unwrap_or_default(), None)
    }

    fn of(index: usize, previous: Option<&'t str>, spot: &'t str, next: Option<&'t str>) -> Self {
        let mut shown: Vec<&str> = previous.into_iter().collect();
        let spot_index = shown.len();
        shown.push(spot);
        shown.extend(next);
        Lines {
            first: index - spot_index,
            shown,
            spot_index,
            spot,
        }
    }
}

/// A line cut to [`REACH`] bytes on either side of byte `at` (on char boundaries),
/// `…` marking each cut; and where `at` lands in the result.
fn clip_line(line: &str, at: usize) -> (String, usize) {
    let at = floor_char_boundary(line, at);
    let start = floor_char_boundary(line, at.saturating_sub(REACH));
    let end = ceil_char_boundary(line, at.saturating_add(REACH));
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let spot = out.len() + (at - start);
    out.push_str(&line[start..end]);
    if end < line.len() {
        out.push('…');
    }
    (out, spot)
}

/// A message longer than [`MESSAGE_LIMIT`] keeps its start and its end; credentials in
/// it are overwritten by `*`.
pub fn clip_message(message: String) -> String {
    // A parser's message may quote a credential of the file.
    let message = match mask_text(&message) {
        Cow::Owned(masked) => masked,
        Cow::Borrowed(_) => message,
    };
    if message.len() <= MESSAGE_LIMIT {
        return message;
    }
    let half = MESSAGE_LIMIT / 2;
    let head = floor_char_boundary(&message, half);
    let tail = ceil_char_boundary(&message, message.len() - half);
    format!(
        "{} … ({} bytes left out) … {}",
        &message[..head],
        tail - head,
        &message[tail..]
    )
}

/// The largest char boundary of `text` at or before `at` (clamped to the text).
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest char boundary of `text` at or after `at` (clamped to the text).
fn ceil_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The diagnostic as a user sees it (no colours, wide lines).
    fn rendered(located: &Located) -> String {
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(400)
            .render_report(&mut out, located)
            .unwrap();
        out
    }

    fn located(text: &str, line: usize, column: usize) -> Box<Located> {
        Located::new(
            "apimguard::test",
            "help",
            "f.json",
            text,
            line,
            column,
            "bad".into(),
        )
    }

    #[test]
    fn a_spot_past_column_65535_renders_clipped() {
        let text = format!("{{\"a\":\"{}\",\"b\":x}}", "y".repeat(200_000));
        let column = text.find('x').unwrap() + 1;
        let out = rendered(&located(&text, 1, column));
        assert!(out.contains(&format!("[f.json:1:{column}]")), "{out}");
        assert!(out.contains("…yyyy"), "{out}");
        assert!(out.contains("\"b\":x}"), "{out}");
        assert!(out.len() < 2_000, "{} bytes", out.len());
    }

    #[test]
    fn an_early_spot_on_a_long_line_shows_little_of_it() {
        let text = format!("{{\"a\":x{}}}", " ".repeat(20_000_000));
        let out = rendered(&located(&text, 1, 6));
        assert!(out.contains("[f.json:1:6]"), "{out}");
        assert!(out.len() < 2_000, "{} bytes", out.len());
    }

    #[test]
    fn lines_keep_their_numbers_and_neighbours() {
        let text = "one\ntwo\nthree is here\nfour\nfive\n";
        let out = rendered(&located(text, 3, 10));
        assert!(out.contains("[f.json:3:10]"), "{out}");
        for shown in ["2 │ two", "3 │ three is here", "4 │ four"] {
            assert!(out.contains(shown), "{shown}: {out}");
        }
        assert!(!out.contains("one") && !out.contains("five"), "{out}");
    }

    #[test]
    fn spots_out_of_range_and_inside_characters_are_clamped() {
        let text = "é\nàà\r\n";
        for (line, column) in [(0, 0), (2, 2), (2, 99), (99, 1), (1, 1)] {
            rendered(&located(text, line, column));
        }
        rendered(&located("", 1, 1));
        let excerpt = Excerpt::at_offset("f", "ab\ncdé\nx", 7);
        assert_eq!((excerpt.0.first_line, excerpt.0.column), (0, 4));
    }

    #[test]
    fn long_messages_keep_their_start_and_end() {
        let message = format!(
            "invalid type: string \"{}\", expected u32",
            "é".repeat(10_000)
        );
        let clipped = clip_message(message);
        assert!(clipped.len() < 700, "{}", clipped.len());
        assert!(clipped.starts_with("invalid type: string"), "{clipped}");
        assert!(clipped.ends_with("expected u32"), "{clipped}");
    }
}
