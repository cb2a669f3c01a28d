//! OCSF, for security data lakes: a JSON array of OCSF 1.1.0 Compliance Finding events
//! (class 2003), one per check as in the CSV report (rule × checked resource, passing
//! and waived ones included), and one `Warning` event per rule that could not be
//! evaluated. The compliance control is the rule id; its framework mappings are the
//! requirements.

use chrono::DateTime;
use serde_json::{json, Value};

use super::checks::{checks, mappings, Check, Verdict};
use super::{identity, Report};
use crate::engine::Severity;

/// The OCSF schema version the events follow.
pub const OCSF_VERSION: &str = "1.1.0";

/// Renders the report as a JSON array of OCSF Compliance Finding events.
pub fn render_ocsf(report: &Report) -> String {
    let time =
        DateTime::parse_from_rfc3339(&report.generated_at).map_or(0, |t| t.timestamp_millis());
    let version = report
        .tool
        .strip_prefix("apimguard ")
        .unwrap_or(&report.tool);
    let events: Vec<Value> = checks(report)
        .map(|check| event(report, &check, time, version))
        .collect();
    let mut text = serde_json::to_string_pretty(&events).expect("events always serialize");
    text.push('\n');
    text
}

fn event(report: &Report, check: &Check, time: i64, version: &str) -> Value {
    let rule = check.rule;
    let (status_id, status) = match check.verdict {
        Verdict::Pass => (1, "Pass"),
        Verdict::Error => (2, "Warning"),
        Verdict::Fail | Verdict::Waived => (3, "Fail"),
    };
    // The finding's own workflow state: a waived one is suppressed, a passing one resolved.
    let (finding_status_id, finding_status) = match check.verdict {
        Verdict::Waived => (3, "Suppressed"),
        Verdict::Pass => (4, "Resolved"),
        Verdict::Fail | Verdict::Error => (1, "New"),
    };
    let (severity_id, severity) = severity(rule.severity);
    let message = match (check.finding, &rule.error) {
        (Some(f), _) => f.message.clone(),
        (None, Some(error)) if check.verdict == Verdict::Error => {
            format!("rule {} could not be evaluated: {error}", rule.rule_id)
        }
        _ => format!("{} passes {}", check.resource, rule.rule_id),
    };
    let mut standards: Vec<&str> = vec!["apimguard"];
    standards.extend(rule.frameworks.keys().map(String::as_str));
    let mut event = json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "type_uid": 200301,
        "type_name": "Compliance Finding: Create",
        "time": time,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": finding_status_id,
        "status": finding_status,
        "message": message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "apimguard",
                "vendor_name": "apimguard",
                "version": version,
            },
        },
        "finding_info": {
            "uid": identity(&rule.rule_id, check.resource),
            "title": rule.title,
            "desc": rule.description,
            "types": ["Compliance"],
        },
        "compliance": {
            "standards": standards,
            "control": rule.rule_id,
            "requirements": mappings(rule),
            "status_id": status_id,
            "status": status,
        },
        "unmapped": {
            "snapshot": report.snapshot.path,
            "collected_at": report.snapshot.collected_at,
        },
    });
    if !check.resource.is_empty() {
        event["resources"] = json!([{
            "uid": check.resource,
            "type": resource_type(check.resource),
            "cloud_partition": "azure",
        }]);
    }
    if let Some(how) = &rule.recommendation {
        event["remediation"] = json!({ "desc": how });
    }
    if let Some(w) = check.finding.and_then(|f| f.waiver.as_ref()) {
        event["compliance"]["status_detail"] = json!(if w.expired {
            format!(
                "waiver by {} expired on {}: {}",
                w.owner, w.expires, w.reason
            )
        } else {
            format!("waived by {} until {}: {}", w.owner, w.expires, w.reason)
        });
    }
    let notes = check
        .finding
        .map(|f| f.exemption_notes())
        .unwrap_or_default();
    if !notes.is_empty() {
        let detail = event["compliance"]["status_detail"]
            .as_str()
            .map(|d| format!("{d}; "))
            .unwrap_or_default();
        event["compliance"]["status_detail"] = json!(format!("{detail}{}", notes.join("; ")));
    }
    event
}

fn severity(severity: Severity) -> (u8, &'static str) {
    match severity {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

/// The ARM resource type of an id: `Microsoft.ApiManagement/service/apis` for an API.
fn resource_type(id: &str) -> String {
    let Some(at) = id.to_ascii_lowercase().rfind("/providers/") else {
        return "Microsoft.Resources/subscriptions".into();
    };
    let parts: Vec<&str> = id[at + "/providers/".len()..].split('/').collect();
    let mut kind = vec![parts[0]];
    kind.extend(parts.iter().skip(1).step_by(2));
    kind.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_types_follow_the_id() {
        assert_eq!(
            resource_type("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/a/apis/b"),
            "Microsoft.ApiManagement/service/apis"
        );
        assert_eq!(
            resource_type("/subscriptions/s"),
            "Microsoft.Resources/subscriptions"
        );
    }
}
