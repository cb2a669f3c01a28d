//! The JSON report: a document serialized as documented in docs/report.md
//! (the `check` report, or the `diff` comparison).

use serde::Serialize;

/// Renders a report or a comparison as pretty-printed JSON.
pub fn render_json(document: &impl Serialize) -> String {
    let mut text =
        serde_json::to_string_pretty(document).expect("report documents always serialize");
    text.push('\n');
    text
}
