//! CSV, for spreadsheets and audit working papers: one row per rule and checked
//! resource (one per finding when a rule found several things wrong with one
//! resource), passing and waived rows included, so that the rows reconcile with the
//! report's summary: `fail` + `waived` rows = findings, `waived` rows = waived.

use super::checks::{checks, mappings, Verdict};
use super::Report;

/// The header row.
const HEADER: [&str; 15] = [
    "rule_id",
    "title",
    "severity",
    "status",
    "resource",
    "message",
    "waiver_owner",
    "waiver_expires",
    "waiver_reason",
    "waiver_expired",
    "frameworks",
    "location",
    "snapshot_collected_at",
    "checked_at",
    "azure_exemptions",
];

/// Renders the report as CSV (RFC 4180, comma-separated, a header row).
pub fn render_csv(report: &Report) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(HEADER).expect("writing to memory");
    for check in checks(report) {
        let waiver = check.finding.and_then(|f| f.waiver.as_ref());
        let location = check
            .finding
            .and_then(|f| f.location.as_ref())
            .map(|o| format!("{}:{}", o.file, o.line))
            .unwrap_or_default();
        let message = match (check.verdict, check.finding) {
            (_, Some(f)) => f.message.as_str(),
            (Verdict::Error, _) => check.rule.error.as_deref().unwrap_or_default(),
            _ => "",
        };
        let record = [
            cell(&check.rule.rule_id),
            cell(&check.rule.title),
            check.rule.severity.as_str().to_string(),
            check.verdict.as_str().to_string(),
            cell(check.resource),
            cell(message),
            cell(waiver.map_or("", |w| &w.owner)),
            waiver.map_or(String::new(), |w| w.expires.clone()),
            cell(waiver.map_or("", |w| &w.reason)),
            waiver.map_or(String::new(), |w| w.expired.to_string()),
            mappings(check.rule).join("; "),
            cell(&location),
            report.snapshot.collected_at.clone(),
            report.generated_at.clone(),
            cell(
                &check
                    .finding
                    .map(|f| f.exemption_notes().join("; "))
                    .unwrap_or_default(),
            ),
        ];
        out.write_record(&record).expect("writing to memory");
    }
    String::from_utf8(out.into_inner().expect("writing to memory"))
        .expect("every cell is a Rust string")
}

/// A cell as a spreadsheet may read it: text starting with `=`, `+`, `-`, `@` (or a
/// tab or carriage return) would be taken for a formula, so it is prefixed with `'`
/// (OWASP's advice against CSV injection). Resource ids and messages come from the
/// estate, which anyone who can name an API controls.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("/subscriptions/x"), "/subscriptions/x");
    }
}
