//! Where a finding's resource is declared: its IaC origin when the snapshot
//! records one, else the line of its `"id"` in the snapshot file.

use std::collections::{HashMap, HashSet};

use regex::Regex;

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
fn id_lines(text: &str, wanted: &HashSet<String>) -> HashMap<String, u32> {
    let re = Regex::new(r#""id"\s*:\s*"((?:[^"\\]|\\.)*)""#).expect("a valid regex");
    let mut lines = HashMap::new();
    let (mut line, mut last) = (1u32, 0usize);
    for caps in re.captures_iter(text) {
        let whole = caps.get(0).expect("group 0 always matches");
        let raw = &caps[1];
        let id = if raw.contains('\\') {
            serde_json::from_str::<String>(&format!("\"{raw}\""))
                .unwrap_or_else(|_| raw.to_string())
        } else {
            raw.to_string()
        }
        .to_lowercase();
        if !wanted.contains(&id) || lines.contains_key(&id) {
            continue;
        }
        line += bytecount(&text.as_bytes()[last..whole.start()]);
        last = whole.start();
        lines.insert(id, line);
        if lines.len() == wanted.len() {
            break;
        }
    }
    lines
}

/// Newlines in `bytes`.
fn bytecount(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u32
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
}
