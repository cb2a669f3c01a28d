//! Masking of C# policy expressions, so that the rest of a policy document can be
//! read as XML.
//!
//! APIM accepts `@(...)` and `@{...}` expressions whose C# text is not XML: double
//! quotes inside double-quoted attributes, `<` in comparisons and generics, `&&`.
//! ARM's `format=xml` escapes them, but `rawxml`, APIOps `policy.xml` files and ARM
//! templates carry them raw. Before parsing, every expression span is replaced by a
//! placeholder made of private-use characters (valid XML in attributes and text);
//! after parsing, [`unmask`] puts the original text back, so expressions reach the
//! snapshot as opaque strings.
//!
//! The scanner knows just enough C# to find where an expression ends: nesting of the
//! opening bracket, string literals (regular, verbatim `@"…"`, interpolated `$"…"`),
//! character literals and comments, and XML-escaped quotes (`&quot;`, `&apos;`) for
//! documents that were exported escaped. XML comments and CDATA sections are copied
//! untouched.

use quick_xml::escape::unescape;

/// Opens a placeholder; followed by the decimal index of the expression.
const OPEN: char = '\u{E000}';
/// Closes a placeholder.
const CLOSE: char = '\u{E001}';

/// A document with its expressions replaced by placeholders.
#[derive(Debug)]
pub(super) struct Masked {
    /// The masked text.
    pub text: String,
    /// The original text of each expression, by placeholder index.
    pub expressions: Vec<String>,
    /// (offset in masked text, offset in original text, masked length, original length) per placeholder.
    shifts: Vec<(usize, usize, usize, usize)>,
}

/// A span the scanner could not close: the document is broken for APIM too.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct MaskError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the original text where the unclosed construct starts.
    pub offset: usize,
}

impl Masked {
    /// Maps a byte offset in the masked text back to the original text.
    pub fn original_offset(&self, masked: usize) -> usize {
        let mut delta: isize = 0;
        for &(m_start, o_start, m_len, o_len) in &self.shifts {
            if masked < m_start {
                break;
            }
            if masked < m_start + m_len {
                return o_start;
            }
            delta = (o_start + o_len) as isize - (m_start + m_len) as isize;
        }
        (masked as isize + delta).max(0) as usize
    }

    /// Replaces placeholders in a parsed value with the expressions' original text.
    pub fn unmask(&self, value: &str) -> String {
        unmask(value, &self.expressions)
    }
}

/// Replaces every expression span of `text` with a placeholder.
pub(super) fn mask(text: &str) -> Result<Masked, MaskError> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut expressions = Vec::new();
    let mut shifts = Vec::new();
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"<!--") {
            i = find(bytes, i + 4, b"-->").ok_or_else(|| unclosed("comment `<!--`", i))? + 3;
        } else if bytes[i..].starts_with(b"<![CDATA[") {
            i = find(bytes, i + 9, b"]]>").ok_or_else(|| unclosed("CDATA section", i))? + 3;
        } else if bytes[i] == b'<' {
            // Inside markup: only quoted attribute values can hold expressions.
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'>' {
                if bytes[i] == b'"' || bytes[i] == b'\'' {
                    let quote = bytes[i];
                    let value_start = i;
                    i += 1;
                    while i < bytes.len() && bytes[i] != quote {
                        if is_expression_start(bytes, i) {
                            let end = expression_end(text, i)?;
                            out.push_str(&text[copied..i]);
                            push_placeholder(
                                &mut out,
                                &mut expressions,
                                &mut shifts,
                                &text[i..end],
                                i,
                            );
                            copied = end;
                            i = end;
                        } else {
                            i += 1;
                        }
                    }
                    if i >= bytes.len() {
                        return Err(unclosed("attribute value", value_start));
                    }
                }
                i += 1;
            }
            if i >= bytes.len() {
                return Err(unclosed("tag", start));
            }
            i += 1;
        } else if is_expression_start(bytes, i) {
            let end = expression_end(text, i)?;
            out.push_str(&text[copied..i]);
            push_placeholder(&mut out, &mut expressions, &mut shifts, &text[i..end], i);
            copied = end;
            i = end;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    Ok(Masked {
        text: out,
        expressions,
        shifts,
    })
}

fn push_placeholder(
    out: &mut String,
    expressions: &mut Vec<String>,
    shifts: &mut Vec<(usize, usize, usize, usize)>,
    expression: &str,
    original_offset: usize,
) {
    let placeholder = format!("{OPEN}{}{CLOSE}", expressions.len());
    shifts.push((
        out.len(),
        original_offset,
        placeholder.len(),
        expression.len(),
    ));
    out.push_str(&placeholder);
    expressions.push(expression.to_string());
}

fn unmask(value: &str, expressions: &[String]) -> String {
    if !value.contains(OPEN) {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len_utf8()..];
        let Some(end) = after.find(CLOSE) else {
            out.push_str(&rest[start..]);
            return out;
        };
        match after[..end]
            .parse::<usize>()
            .ok()
            .and_then(|n| expressions.get(n))
        {
            Some(expression) => out.push_str(&readable(expression)),
            None => out.push_str(&rest[start..start + OPEN.len_utf8() + end + CLOSE.len_utf8()]),
        }
        rest = &after[end + CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// An expression as APIM sees it: XML-escaped exports are unescaped; raw C# (where
/// `&&` is not an entity) is kept as written.
fn readable(expression: &str) -> String {
    if expression.contains('&') {
        if let Ok(unescaped) = unescape(expression) {
            return unescaped.into_owned();
        }
    }
    expression.to_string()
}

fn is_expression_start(bytes: &[u8], i: usize) -> bool {
    bytes[i] == b'@' && matches!(bytes.get(i + 1), Some(b'(') | Some(b'{'))
}

/// Byte offset of `needle` at or after `from`. The scanner works on bytes: every
/// delimiter it looks for is ASCII, so offsets it slices `text` at are char boundaries.
pub(super) fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn unclosed(what: &str, offset: usize) -> MaskError {
    MaskError {
        message: format!("{what} is not closed"),
        offset,
    }
}

/// Returns the byte offset just past the expression that starts with `@` at `start`.
fn expression_end(text: &str, start: usize) -> Result<usize, MaskError> {
    let bytes = text.as_bytes();
    let (open, close) = if bytes[start + 1] == b'(' {
        (b'(', b')')
    } else {
        (b'{', b'}')
    };
    let mut depth = 0usize;
    let mut i = start + 1;
    let not_closed = || MaskError {
        message: format!(
            "policy expression `{}…` is not closed (no matching `{}`)",
            text[start..].chars().take(24).collect::<String>(),
            close as char
        ),
        offset: start,
    };
    while i < bytes.len() {
        let rest = &bytes[i..];
        if let Some(len) = quote_len(rest, b'"') {
            // `@"…"`, `$@"…"` and `@$"…"` are verbatim (the expression's own `@` is
            // followed by a bracket, so it never precedes a quote).
            let verbatim = bytes[..i].ends_with(b"@") || bytes[..i].ends_with(b"@$");
            i = string_end(bytes, i + len, &rest[..len], verbatim).ok_or_else(not_closed)?;
            continue;
        }
        if let Some(len) = quote_len(rest, b'\'') {
            i = char_literal_end(bytes, i, len);
            continue;
        }
        if rest.starts_with(b"//") {
            i = find(bytes, i, b"\n").unwrap_or(bytes.len());
            continue;
        }
        if rest.starts_with(b"/*") {
            i = find(bytes, i + 2, b"*/").ok_or_else(not_closed)? + 2;
            continue;
        }
        let b = bytes[i];
        if b == open {
            depth += 1;
        } else if b == close {
            depth -= 1;
            if depth == 0 {
                return Ok(i + 1);
            }
        }
        i += 1;
    }
    Err(not_closed())
}

/// Length of a quote at the start of `rest`: the character itself or its XML escape.
pub(super) fn quote_len(rest: &[u8], quote: u8) -> Option<usize> {
    let escaped: &[u8] = if quote == b'"' { b"&quot;" } else { b"&apos;" };
    if rest.first() == Some(&quote) {
        Some(1)
    } else if rest.starts_with(escaped) {
        Some(escaped.len())
    } else {
        None
    }
}

/// Offset just past a string literal whose body starts at `from`, closed by `quote`.
pub(super) fn string_end(bytes: &[u8], from: usize, quote: &[u8], verbatim: bool) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        if !verbatim && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i..].starts_with(quote) {
            // In a verbatim string a doubled quote is an escaped quote.
            if verbatim && bytes[i + quote.len()..].starts_with(quote) {
                i += 2 * quote.len();
                continue;
            }
            return Some(i + quote.len());
        }
        i += 1;
    }
    None
}

/// Offset just past a character literal starting at `start`; a lone apostrophe is
/// taken as an ordinary character.
pub(super) fn char_literal_end(bytes: &[u8], start: usize, quote_len: usize) -> usize {
    let quote = &bytes[start..start + quote_len];
    let body = start + quote_len;
    let limit = (body + 12).min(bytes.len());
    let mut i = body;
    while i < limit {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i..].starts_with(quote) {
            return i + quote_len;
        }
        i += 1;
    }
    start + quote_len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> Masked {
        let masked = mask(text).expect("masks");
        assert!(!masked.text.contains("@("), "{}", masked.text);
        masked
    }

    #[test]
    fn masks_raw_expression_with_quotes_inside_double_quoted_attribute() {
        let text = r#"<when condition="@(context.Request.Headers.GetValueOrDefault("Authorization","") == "")">"#;
        let masked = round_trip(text);
        assert_eq!(masked.expressions.len(), 1);
        assert_eq!(
            masked.expressions[0],
            r#"@(context.Request.Headers.GetValueOrDefault("Authorization","") == "")"#
        );
        assert!(masked.text.ends_with("\">"));
    }

    #[test]
    fn masks_blocks_with_generics_and_comparisons_in_text() {
        let text = "<value>@{ var l = new List<string>(); if (l.Count < 2 && true) { return \"}\"; } return \"x\"; }</value>";
        let masked = round_trip(text);
        assert_eq!(masked.expressions.len(), 1);
        assert!(masked.text.starts_with("<value>\u{E000}0\u{E001}</value>"));
    }

    #[test]
    fn escaped_quotes_delimit_strings() {
        let text = "<set-variable value=\"@(context.Request.Url.ToString().Replace(&quot;http://)&quot;, &quot;&quot;))\" />";
        let masked = round_trip(text);
        assert_eq!(masked.text, "<set-variable value=\"\u{E000}0\u{E001}\" />");
        assert_eq!(
            masked.unmask("\u{E000}0\u{E001}"),
            "@(context.Request.Url.ToString().Replace(\"http://)\", \"\"))"
        );
    }

    #[test]
    fn verbatim_strings_and_char_literals() {
        let text = r#"<v>@(@"a "" ) b" + ')' + $"{x}")</v>"#;
        let masked = round_trip(text);
        assert_eq!(masked.expressions[0], r#"@(@"a "" ) b" + ')' + $"{x}")"#);
    }

    #[test]
    fn comments_and_cdata_are_left_alone() {
        let text = "<!-- @( not an expression --><![CDATA[ @{ neither ]]><v/>";
        let masked = mask(text).unwrap();
        assert!(masked.expressions.is_empty());
        assert_eq!(masked.text, text);
    }

    #[test]
    fn non_ascii_text_anywhere() {
        let text = "\u{feff}<!-- é --><a b=\"ü@(\"ß\" + 'é')\">ç @{ return \"→\"; } ø</a>";
        let masked = mask(text).expect("masks");
        assert_eq!(masked.expressions, ["@(\"ß\" + 'é')", "@{ return \"→\"; }"]);
        assert_eq!(masked.unmask(&masked.text), text);
    }

    #[test]
    fn unclosed_expression_is_located() {
        let text = "<policies>\n<v>@(context.Request</v>";
        let err = mask(text).unwrap_err();
        assert_eq!(err.offset, 14);
        assert!(err.message.contains("not closed"), "{}", err.message);
    }

    #[test]
    fn unclosed_comment_is_an_error() {
        assert!(mask("<a><!-- x").is_err());
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let text = "<a b=\"@(\"long expression\")\"/><c>";
        let masked = mask(text).unwrap();
        let masked_c = masked.text.find("<c>").unwrap();
        assert_eq!(masked.original_offset(masked_c), text.find("<c>").unwrap());
    }
}
