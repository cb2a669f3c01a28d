//! The JSON report: the model, serialized as documented in docs/report.md.

use super::Report;

/// Renders the report as pretty-printed JSON.
pub fn render_json(report: &Report) -> String {
    let mut text =
        serde_json::to_string_pretty(report).expect("the report model always serializes");
    text.push('\n');
    text
}
