//! JSON files of IaC inputs: ARM templates (which may carry `//` and `/* */` comments),
//! parameters files and APIOps information files. Parsing keeps the line of every
//! member and array element, by JSON pointer, so that resources and settings can be
//! located; a malformed file is a located error.

use std::collections::HashMap;

use serde_json::Value;

use super::error::IacError;
use super::expr;
use crate::diagnostic::Located;

/// Deepest nesting of an IaC JSON file: well above generated templates with nested
/// deployments (about 40), and low enough that a resource's values stay within the
/// snapshot's own limit once placed in it.
pub(super) const MAX_DEPTH: usize = 100;

/// A parsed JSON document with the 1-based line of each value, by JSON pointer.
#[derive(Debug)]
pub(super) struct JsonDoc {
    /// The document.
    pub value: Value,
    /// Pointer (`/resources/0/properties`) → line of the member's key or the element's start.
    lines: HashMap<String, u32>,
}

impl JsonDoc {
    /// Parses `text` (the content of `file`, for messages).
    pub fn parse(file: &str, text: &str) -> Result<JsonDoc, IacError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let clean = strip_comments(text);
        let value: Value = serde_json::from_str(&clean).map_err(|e| {
            IacError::Located(Located::new(
                "apimguard::iac::json",
                "fix the JSON syntax at the marked spot (ARM templates may also hold // and /* */ comments)",
                file,
                text,
                e.line(),
                e.column(),
                format!("{file} is not valid JSON (line {}, column {}): {}", e.line(), e.column(), without_position(&e.to_string())),
            ))
        })?;
        let mut lines = HashMap::new();
        let mut scanner = Scanner {
            bytes: clean.as_bytes(),
            at: 0,
            line: 1,
        };
        scanner.value(String::new(), &mut lines);
        let doc = JsonDoc { value, lines };
        doc.check_depth(file, text)?;
        Ok(doc)
    }

    /// Refuses the first ARM expression (a string `[…]`) that nests deeper than the
    /// expression reader goes, at its line, before anything is evaluated.
    pub fn check_expressions(&self, file: &str, text: &str) -> Result<(), IacError> {
        self.refuse_first(file, text, "apimguard::iac::nesting", "no real template nests expressions this deep: split it into variables (docs/limits.md)", |value, _| match value {
            Value::String(s) => expr::arm_expression(s)
                .filter(|source| expr::arm_nesting(source) > expr::MAX_NESTING)
                .map(|_| expr::arm_too_deep()),
            _ => None,
        })
    }

    /// Refuses the first value nested deeper than [`MAX_DEPTH`], at its line: the
    /// values of IaC files land in the snapshot, whose readers stop at
    /// [`crate::snapshot::MAX_DEPTH`].
    fn check_depth(&self, file: &str, text: &str) -> Result<(), IacError> {
        self.refuse_first(file, text, "apimguard::iac::depth", "no real template nests this deep; a value this deep would make a snapshot apimguard cannot read (docs/limits.md)", |_, depth| {
            (depth > MAX_DEPTH).then(|| format!("objects and arrays nest more than {MAX_DEPTH} levels deep"))
        })
    }

    /// Walks the document (without recursion) and refuses the first value for which
    /// `fault` (given the value and its depth, the root being 1) has a message.
    fn refuse_first(
        &self,
        file: &str,
        text: &str,
        code: &'static str,
        help: &'static str,
        fault: impl Fn(&Value, usize) -> Option<String>,
    ) -> Result<(), IacError> {
        let mut stack = vec![(String::new(), &self.value, 1)];
        while let Some((pointer, value, depth)) = stack.pop() {
            if let Some(message) = fault(value, depth) {
                let line = self.line_or_parent(&pointer) as usize;
                let message = format!("{file}:{line}: {message}");
                return Err(IacError::Located(Located::new(
                    code, help, file, text, line, 1, message,
                )));
            }
            match value {
                Value::Array(items) => stack.extend(
                    items
                        .iter()
                        .enumerate()
                        .rev()
                        .map(|(i, v)| (format!("{pointer}/{i}"), v, depth + 1)),
                ),
                Value::Object(map) => stack.extend(
                    map.iter()
                        .rev()
                        .map(|(k, v)| (format!("{pointer}/{}", pointer_segment(k)), v, depth + 1)),
                ),
                _ => {}
            }
        }
        Ok(())
    }

    /// The line of the value at `pointer` (the root is line 1).
    pub fn line(&self, pointer: &str) -> Option<u32> {
        if pointer.is_empty() {
            return Some(1);
        }
        self.lines.get(pointer).copied()
    }

    /// The lines of the members below the object at `pointer`, `depth` levels down,
    /// as paths relative to it (`tls`, `tls/validateCertificateChain`).
    pub fn lines_below(&self, pointer: &str, depth: usize) -> Vec<(String, u32)> {
        let mut found = Vec::new();
        if depth == 0 {
            return found;
        }
        if let Some(Value::Object(map)) = self.value.pointer(pointer) {
            for key in map.keys() {
                let at = format!("{pointer}/{}", pointer_segment(key));
                if let Some(line) = self.line(&at) {
                    found.push((key.clone(), line));
                }
                for (sub, line) in self.lines_below(&at, depth - 1) {
                    found.push((format!("{key}/{sub}"), line));
                }
            }
        }
        found
    }

    /// The line of the value at `pointer`, else of its closest ancestor that has one.
    pub fn line_or_parent(&self, pointer: &str) -> u32 {
        let mut pointer = pointer;
        loop {
            if let Some(line) = self.line(pointer) {
                return line;
            }
            match pointer.rfind('/') {
                Some(i) => pointer = &pointer[..i],
                None => return 1,
            }
        }
    }
}

/// One JSON pointer segment (RFC 6901 escaping).
pub(super) fn pointer_segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// serde_json ends its messages with " at line L column C"; the excerpt shows that.
fn without_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

/// Replaces comments outside strings with spaces (newlines kept), so that offsets,
/// lines and columns stay those of the original text.
fn strip_comments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            out.push(b);
            if b == b'\\' && i + 1 < bytes.len() {
                out.push(bytes[i + 1]);
                i += 2;
                continue;
            }
            in_string = b != b'"';
            i += 1;
            continue;
        }
        match (b, bytes.get(i + 1)) {
            (b'"', _) => {
                in_string = true;
                out.push(b);
                i += 1;
            }
            (b'/', Some(b'/')) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
            }
            (b'/', Some(b'*')) => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
                while i < end {
                    out.push(if bytes[i] == b'\n' { b'\n' } else { b' ' });
                    i += 1;
                }
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    // Only ASCII bytes outside strings were replaced by ASCII, so this stays UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Walks JSON text already known to be valid, recording lines by pointer.
struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u32,
}

impl Scanner<'_> {
    fn skip_space(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return,
            }
            self.at += 1;
        }
    }

    fn value(&mut self, pointer: String, lines: &mut HashMap<String, u32>) {
        self.skip_space();
        match self.bytes.get(self.at) {
            Some(b'{') => {
                self.at += 1;
                loop {
                    self.skip_space();
                    if self.bytes.get(self.at) == Some(&b'}') {
                        self.at += 1;
                        return;
                    }
                    let line = self.line;
                    let key = self.string();
                    let child = format!("{pointer}/{}", pointer_segment(&key));
                    lines.entry(child.clone()).or_insert(line);
                    self.skip_space();
                    self.at += 1; // ':'
                    self.value(child, lines);
                    self.skip_space();
                    if self.bytes.get(self.at) == Some(&b',') {
                        self.at += 1;
                    }
                }
            }
            Some(b'[') => {
                self.at += 1;
                let mut index = 0;
                loop {
                    self.skip_space();
                    if self.bytes.get(self.at) == Some(&b']') {
                        self.at += 1;
                        return;
                    }
                    let child = format!("{pointer}/{index}");
                    lines.insert(child.clone(), self.line);
                    self.value(child, lines);
                    index += 1;
                    self.skip_space();
                    if self.bytes.get(self.at) == Some(&b',') {
                        self.at += 1;
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while let Some(&b) = self.bytes.get(self.at) {
                    if matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace() {
                        break;
                    }
                    self.at += 1;
                }
            }
            None => {}
        }
    }

    /// Reads a string token (the scanner stands on its opening quote) and returns it decoded.
    fn string(&mut self) -> String {
        let start = self.at;
        self.at += 1;
        while let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            match b {
                b'\\' => self.at += 1,
                b'"' => break,
                _ => {}
            }
        }
        let raw = &self.bytes[start..self.at.min(self.bytes.len())];
        serde_json::from_slice(raw).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_by_pointer_with_comments() {
        let text = "{\n  // a comment with \"quotes\"\n  \"a\": 1,\n  \"b/c\": [\n    {\"x\": \"//not a comment\"},\n    /* block\n */ 2\n  ]\n}";
        let doc = JsonDoc::parse("t.json", text).unwrap();
        assert_eq!(doc.line("/a"), Some(3));
        assert_eq!(doc.line("/b~1c"), Some(4));
        assert_eq!(doc.line("/b~1c/0/x"), Some(5));
        assert_eq!(doc.line("/b~1c/1"), Some(7));
        assert_eq!(doc.value["b/c"][0]["x"], "//not a comment");
        assert_eq!(doc.line_or_parent("/b~1c/0/missing"), 5);
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = JsonDoc::parse("t.json", "{\n  \"a\": 1,\n  oops\n}").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.json is not valid JSON (line 3, column 3): key must be a string"
        );
    }

    #[test]
    fn nesting_past_the_limit_is_located() {
        let nested =
            |n: usize| format!("{{\n  \"a\":\n{}{}}}", "[".repeat(n - 1), "]".repeat(n - 1));
        assert!(JsonDoc::parse("t.json", &nested(MAX_DEPTH)).is_ok());
        let err = JsonDoc::parse("t.json", &nested(MAX_DEPTH + 1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.json:3: objects and arrays nest more than 100 levels deep"
        );
        let err = JsonDoc::parse("t.json", &nested(100_000)).unwrap_err();
        assert!(
            err.to_string().contains("recursion limit exceeded"),
            "{err}"
        );
    }
}
