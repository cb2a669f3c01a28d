//! Where a finding's resource is declared: its IaC origin when the snapshot
//! records one, else the line of its `"id"` in the snapshot file.

use std::collections::{HashMap, HashSet};

use super::model::Checked;
use crate::snapshot::{Origin, SourceKind};

/// Looks up the resources of a report's findings in one snapshot.
pub(super) struct Locator<'a> {
    checked: Checked<'a>,
    /// Lower-cased id → 1-based line of its first `"id": "…"` in the snapshot text,
    /// for the ids that were asked for.
    lines: HashMap<String, u32>,
}

impl<'a> Locator<'a> {
    /// A locator for `resources` (the findings' resource ids) in a checked snapshot.
    /// The text is scanned once, for those ids only.
    pub(super) fn new<'r>(checked: Checked<'a>, resources: impl Iterator<Item = &'r str>) -> Self {
        let wanted: HashSet<String> = resources
            .map(str::to_lowercase)
            .filter(|id| !checked.digest.origins.contains_key(id))
            .collect();
        // IaC snapshots locate by origin only: their text is not the files they were read from.
        let lines = if wanted.is_empty()
            || checked.path.display().to_string() == "-"
            || checked.digest.source == SourceKind::Iac
        {
            HashMap::new()
        } else {
            id_lines(checked.text, &wanted)
        };
        Locator { checked, lines }
    }

    /// The location of a resource, or of one of its settings (`properties/protocols`)
    /// when the snapshot records where that is written, if the snapshot knows it.
    pub(super) fn locate(&self, resource: &str, setting: Option<&str>) -> Option<Origin> {
        let key = resource.to_lowercase();
        if let Some(origin) = self.checked.digest.origins.get(&key) {
            return Some(match setting {
                Some(path) => origin.of_setting(path),
                None => Origin::at(origin.file.clone(), origin.line),
            });
        }
        self.lines
            .get(&key)
            .map(|&line| Origin::at(self.checked.path.display().to_string(), line))
    }
}

/// The line each of the `wanted` ids (lower-cased) first appears on as an
/// `"id": "…"` of a JSON text.
///
/// One pass with a substring search for `"id"`; the value after it is read by hand (a
/// regex with captures took most of the report's time on a 200 MB snapshot).
fn id_lines(text: &str, wanted: &HashSet<String>) -> HashMap<String, u32> {
    let bytes = text.as_bytes();
    let mut lines = HashMap::new();
    let (mut line, mut last) = (1u32, 0usize);
    let mut id = String::new();
    for start in memchr::memmem::find_iter(bytes, b"\"id\"") {
        let Some(raw) = string_value_after(text, start + 4) else {
            continue;
        };
        id.clear();
        if raw.contains('\\') {
            match serde_json::from_str::<String>(&format!("\"{raw}\"")) {
                Ok(unescaped) => id.push_str(&unescaped),
                Err(_) => id.push_str(raw),
            }
        } else {
            id.push_str(raw);
        }
        id.make_ascii_lowercase();
        if !id.is_ascii() {
            id = id.to_lowercase();
        }
        if !wanted.contains(&id) || lines.contains_key(&id) {
            continue;
        }
        line += bytecount(&bytes[last..start]);
        last = start;
        lines.insert(id.clone(), line);
        if lines.len() == wanted.len() {
            break;
        }
    }
    lines
}

/// The raw text of the JSON string that follows `: ` at `at` (escapes left in), if
/// the text there is `\s*:\s*"…"`.
fn string_value_after(text: &str, at: usize) -> Option<&str> {
    let rest = text[at..].trim_start().strip_prefix(':')?.trim_start();
    let body = rest.strip_prefix('"')?;
    let mut escaped = false;
    for (i, b) in body.bytes().enumerate() {
        match b {
            b'\\' if !escaped => escaped = true,
            b'"' if !escaped => return Some(&body[..i]),
            _ => escaped = false,
        }
    }
    None
}

/// Newlines in `bytes`.
fn bytecount(bytes: &[u8]) -> u32 {
    memchr::memchr_iter(b'\n', bytes).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_ids() {
        let text = "{\n  \"id\": \"/A\",\n  \"x\": {\"id\" : \"/b\\/c\"},\n  \"id\": \"/a\"\n}";
        let wanted: HashSet<String> = ["/a", "/b/c", "/z"].map(String::from).into();
        let lines = id_lines(text, &wanted);
        assert_eq!(lines["/a"], 2);
        assert_eq!(lines["/b/c"], 3);
        assert!(!lines.contains_key("/z"));
    }

    #[test]
    fn ids_with_escapes_and_non_ascii_letters() {
        let text = "{\"name\": \"paid\",\n\"id\":\"/Ä\\\"q\\\\\"}\n{\"id\": 7}";
        let wanted: HashSet<String> = ["/ä\"q\\"].map(String::from).into();
        assert_eq!(id_lines(text, &wanted)["/ä\"q\\"], 2);
    }
}
