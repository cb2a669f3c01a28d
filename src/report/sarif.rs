//! SARIF 2.1.0, as GitHub code scanning reads it: problems only (every result is
//! a finding; passing checks are not results), every result located, stable
//! `partialFingerprints`, rules with `security-severity`. Waived findings stay
//! in the log with a SARIF `suppressions` entry. A run holds at most 25,000
//! results (GitHub's limit); above that, whole rules are folded into one result
//! each, most severe rules kept in full first.

use std::collections::BTreeMap;

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, ReportingDescriptorReference, Result as SarifResult, ResultLevel, Run,
    Sarif, Suppression, Tool, ToolComponent,
};

use super::{identity, Finding, Report, RuleResult};
use crate::engine::Severity;

/// GitHub code scanning's limit of results per run.
const MAX_RESULTS: usize = 25_000;

/// Where the SARIF 2.1.0 JSON Schema is published.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Renders the report as a SARIF 2.1.0 log with one run. The second value is a
/// notice for the user when findings had to be aggregated to stay within the
/// results limit.
pub fn render_sarif(report: &Report) -> (String, Option<String>) {
    render_limited(report, MAX_RESULTS)
}

fn render_limited(report: &Report, limit: usize) -> (String, Option<String>) {
    let artifact = match report.snapshot.path.as_str() {
        "-" => "snapshot.json".to_string(),
        path => path.to_string(),
    };
    let aggregated = plan(&report.results, limit);
    let mut results = Vec::new();
    for (index, rule) in report.results.iter().enumerate() {
        if aggregated.contains(&index) {
            results.push(aggregate(rule, index, &artifact));
        } else {
            results.extend(
                rule.findings
                    .iter()
                    .map(|f| finding(rule, index, f, &artifact)),
            );
        }
    }
    let mut notifications: Vec<Notification> = report
        .results
        .iter()
        .enumerate()
        .filter_map(|(index, r)| {
            let error = r.error.as_ref()?;
            Some(
                Notification::builder()
                    .level(json!("error"))
                    .message(text(format!(
                        "rule {} could not be evaluated: {error}",
                        r.rule_id
                    )))
                    .associated_rule(rule_ref(r, index))
                    .build(),
            )
        })
        .collect();
    let notice = (!aggregated.is_empty()).then(|| {
        let ids: Vec<&str> = aggregated.iter().map(|&i| report.results[i].rule_id.as_str()).collect();
        format!(
            "SARIF: {} findings exceed the limit of {limit} results per run; the findings of {} rule(s) ({}) are folded into one result per rule (the JSON report lists every finding)",
            report.summary.findings,
            ids.len(),
            ids.join(", ")
        )
    });
    if let Some(notice) = &notice {
        notifications.push(
            Notification::builder()
                .level(json!("warning"))
                .message(text(notice))
                .build(),
        );
    }
    let mut invocation = Invocation::builder()
        .execution_successful(report.summary.errors == 0)
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let run_properties = PropertyBag::builder()
        .additional_properties(BTreeMap::from([(
            "apimguard".to_string(),
            json!({
                "snapshot": report.snapshot.path,
                "collectedAt": report.snapshot.collected_at,
                "generatedAt": report.generated_at,
                "failOn": report.fail_on,
                "config": report.config,
                "summary": report.summary,
                "frameworks": report.frameworks,
            }),
        )]))
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver(report)).build())
        .invocations(vec![invocation])
        .results(results)
        .properties(run_properties)
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut text = serde_json::to_string_pretty(&log).expect("a SARIF log always serializes");
    text.push('\n');
    (text, notice)
}

/// The indexes of the rules whose findings are folded into one result, so that
/// the run holds at most `limit` results. The most severe rules come first in
/// the report and are kept in full while they fit, leaving one result for each
/// rule after them.
fn plan(results: &[RuleResult], limit: usize) -> Vec<usize> {
    let total: usize = results.iter().map(|r| r.findings.len()).sum();
    if total <= limit {
        return Vec::new();
    }
    let mut with_findings: Vec<usize> = (0..results.len())
        .filter(|&i| !results[i].findings.is_empty())
        .collect();
    let mut remaining = limit;
    let mut aggregated = Vec::new();
    while let Some(i) = (!with_findings.is_empty()).then(|| with_findings.remove(0)) {
        let n = results[i].findings.len();
        if n + with_findings.len() <= remaining {
            remaining -= n;
        } else {
            aggregated.push(i);
            remaining = remaining.saturating_sub(1);
        }
    }
    aggregated
}

fn driver(report: &Report) -> ToolComponent {
    ToolComponent::builder()
        .name("apimguard")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .version(crate::version::describe())
        .rules(report.results.iter().map(descriptor).collect::<Vec<_>>())
        .build()
}

fn descriptor(rule: &RuleResult) -> ReportingDescriptor {
    let how = rule
        .recommendation
        .clone()
        .unwrap_or_else(|| rule.description.clone());
    let mut help = how.clone();
    let mut markdown = format!("**{}** ({})\n\n{}", rule.title, rule.severity, how);
    if rule.recommendation.is_some() && !rule.description.is_empty() {
        markdown.push_str(&format!("\n\n**Why it matters:** {}", rule.description));
    }
    if let Some(action) = &rule.remediation {
        help.push_str(&format!(
            "\nRemediation action: {action} (apimguard remediate)."
        ));
        markdown.push_str(&format!(
            "\n\nRemediation action: `{action}` (`apimguard remediate`)."
        ));
    }
    let mut tags = vec!["security".to_string(), "azure-api-management".to_string()];
    for (framework, controls) in &rule.frameworks {
        tags.extend(controls.iter().map(|c| format!("{framework}/{c}")));
    }
    tags.truncate(20);
    ReportingDescriptor::builder()
        .id(rule.rule_id.clone())
        .name(rule_name(rule))
        .short_description(message_string(&rule.title))
        .full_description(message_string(if rule.description.is_empty() {
            &rule.title
        } else {
            &rule.description
        }))
        .help(
            MultiformatMessageString::builder()
                .text(help)
                .markdown(markdown)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(rule.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(BTreeMap::from([
                    (
                        "security-severity".to_string(),
                        json!(security_severity(rule.severity)),
                    ),
                    (
                        "problem.severity".to_string(),
                        json!(problem_severity(rule.severity)),
                    ),
                    ("precision".to_string(), json!("high")),
                    // Every mapping, where the 20 tags above may have cut some off.
                    ("frameworks".to_string(), json!(rule.frameworks)),
                ]))
                .build(),
        )
        .build()
}

fn finding(rule: &RuleResult, index: usize, f: &Finding, artifact: &str) -> SarifResult {
    let mut message = f.message.clone();
    if let Some(w) = f.waiver.as_ref().filter(|w| w.expired) {
        message.push_str(&format!(
            " (a waiver by {} expired on {}: {})",
            w.owner, w.expires, w.reason
        ));
    }
    // An exemption that does not waive is told in the message, never as a suppression:
    // a viewer may hide a result with any suppression, whatever its status.
    for note in f.exemption_notes() {
        message.push_str(&format!(" ({note})"));
    }
    let (uri, line) = match &f.location {
        Some(origin) => (origin.file.clone(), origin.line),
        None => (artifact.to_string(), 1),
    };
    let location = Location::builder()
        .physical_location(physical(&uri, line))
        .logical_locations(vec![LogicalLocation::builder()
            .fully_qualified_name(f.resource.clone())
            .name(
                f.resource
                    .rsplit('/')
                    .next()
                    .unwrap_or(&f.resource)
                    .to_string(),
            )
            .kind("resource")
            .build()])
        .build();
    let mut result = SarifResult::builder()
        .rule_id(rule.rule_id.clone())
        .rule_index(index as i64)
        .level(result_level(rule.severity))
        .message(text(message))
        .locations(vec![location])
        .partial_fingerprints(fingerprints(&identity(&rule.rule_id, &f.resource)))
        .build();
    if let Some(w) = f.waiver.as_ref().filter(|_| f.waived) {
        result.suppressions = Some(vec![Suppression::builder()
            .kind(json!("external"))
            .status(json!("accepted"))
            .justification(format!(
                "{} (accepted by {} until {})",
                w.reason, w.owner, w.expires
            ))
            .build()]);
    }
    result
}

fn aggregate(rule: &RuleResult, index: usize, artifact: &str) -> SarifResult {
    let unwaived = rule.findings.iter().filter(|f| !f.waived).count();
    let examples: Vec<&str> = rule
        .findings
        .iter()
        .take(5)
        .map(|f| f.resource.as_str())
        .collect();
    let message = format!(
        "{} finding(s) of rule {} ({} waived), folded into one result to stay within the SARIF results limit; for example: {}. The JSON report lists every finding.",
        rule.findings.len(),
        rule.rule_id,
        rule.findings.len() - unwaived,
        examples.join(", ")
    );
    let mut result = SarifResult::builder()
        .rule_id(rule.rule_id.clone())
        .rule_index(index as i64)
        .level(result_level(rule.severity))
        .message(text(message))
        .locations(vec![Location::builder()
            .physical_location(physical(artifact, 1))
            .build()])
        .partial_fingerprints(fingerprints(&identity(&rule.rule_id, "*aggregated*")))
        .occurrence_count(rule.findings.len() as i64)
        .build();
    if unwaived == 0 {
        result.suppressions = Some(vec![Suppression::builder()
            .kind(json!("external"))
            .status(json!("accepted"))
            .justification("every finding of this rule is waived")
            .build()]);
    }
    result
}

fn physical(uri: &str, line: u32) -> PhysicalLocation {
    PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(to_uri(uri)).build())
        .region(Region::builder().start_line(i64::from(line.max(1))).build())
        .build()
}

fn rule_ref(rule: &RuleResult, index: usize) -> ReportingDescriptorReference {
    ReportingDescriptorReference::builder()
        .id(rule.rule_id.clone())
        .index(index as i64)
        .build()
}

fn text(s: impl Into<String>) -> Message {
    Message::builder().text(s.into()).build()
}

fn message_string(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder()
        .text(s.to_string())
        .build()
}

/// `primaryLocationLineHash` is the fingerprint GitHub reads; when present, the
/// upload action does not compute its own from the file's lines. Keyed on the
/// rule and the lower-cased resource id, it stays the same across runs.
fn fingerprints(identity: &str) -> BTreeMap<String, String> {
    let hash = fnv1a(identity);
    BTreeMap::from([
        (
            "primaryLocationLineHash".to_string(),
            format!("{hash:016x}:1"),
        ),
        ("apimguardFinding/v1".to_string(), format!("{hash:016x}")),
    ])
}

/// 64-bit FNV-1a: small, and stable across Rust releases (unlike `DefaultHasher`).
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn result_level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's scale: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.5",
    }
}

fn problem_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "recommendation",
    }
}

/// `ExternalUnauthenticatedOnboarded` from `…/external_unauthenticated_onboarded.rego`.
fn rule_name(rule: &RuleResult) -> String {
    let stem = rule
        .source
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&rule.source)
        .trim_end_matches(".rego");
    let name: String = stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or(String::new(), |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    if name.is_empty() {
        rule.rule_id.clone()
    } else {
        name
    }
}

/// A relative path as a URI reference (`/` separators, reserved characters
/// escaped); an absolute path as a `file://` URI.
fn to_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    if out.starts_with('/') {
        format!("file://{out}")
    } else if out.as_bytes().get(1) == Some(&b':') {
        format!("file:///{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::FailOn;
    use crate::report::{RuleStatus, SnapshotInfo, Summary};

    fn rule(id: &str, severity: Severity, findings: usize) -> RuleResult {
        RuleResult {
            rule_id: id.into(),
            title: format!("title of {id}"),
            severity,
            default_severity: None,
            status: if findings > 0 {
                RuleStatus::Fail
            } else {
                RuleStatus::Pass
            },
            checked: findings + 1,
            findings: (0..findings)
                .map(|i| Finding {
                    resource: format!("/subscriptions/s/{id}/r{i}"),
                    message: "bad".into(),
                    waived: false,
                    waiver: None,
                    location: None,
                    azure_exemptions: Vec::new(),
                })
                .collect(),
            passing: vec!["/subscriptions/s/ok".into()],
            description: "why".into(),
            recommendation: None,
            remediation: None,
            frameworks: BTreeMap::new(),
            source: "policies/x/some_rule.rego".into(),
            error: None,
            not_applicable: None,
            shared_checked: Vec::new(),
        }
    }

    fn report(results: Vec<RuleResult>) -> Report {
        let findings = results.iter().map(|r| r.findings.len()).sum();
        Report {
            tool: "apimguard test".into(),
            generated_at: String::new(),
            snapshot: SnapshotInfo {
                path: "snap.json".into(),
                collected_at: String::new(),
                source: crate::snapshot::SourceKind::Fixture,
                complete: true,
                gaps: 0,
                subscriptions: 1,
                services: 1,
                apis: 1,
            },
            honor_azure_exemptions: false,
            fail_on: FailOn::AtLeast(Severity::Low),
            config: None,
            disabled_rules: Vec::new(),
            summary: Summary {
                findings,
                ..Summary::default()
            },
            results,
            waivers: Vec::new(),
            frameworks: Vec::new(),
            shards: None,
        }
    }

    #[test]
    fn above_the_limit_rules_are_folded_most_severe_kept_first() {
        let r = report(vec![
            rule("A", Severity::Critical, 4),
            rule("B", Severity::High, 5),
            rule("C", Severity::Low, 3),
        ]);
        assert!(plan(&r.results, 12).is_empty());
        // A fits with a slot left for each later rule; B does not; C fits after B is folded.
        assert_eq!(plan(&r.results, 8), vec![1]);
        assert_eq!(plan(&r.results, 6), vec![1, 2]);
        let (text, notice) = render_limited(&r, 6);
        let log: serde_json::Value = serde_json::from_str(&text).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 6);
        assert!(notice.unwrap().contains("(B, C)"));
        assert_eq!(results[4]["ruleId"], "B");
        assert_eq!(results[4]["occurrenceCount"], 5);
        let notes = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"];
        assert_eq!(notes[0]["level"], "warning");
    }

    #[test]
    fn names_uris_and_fingerprints() {
        assert_eq!(rule_name(&rule("A", Severity::Low, 0)), "SomeRule");
        assert_eq!(to_uri("out dir/snap.json"), "out%20dir/snap.json");
        assert_eq!(to_uri("/tmp/snap.json"), "file:///tmp/snap.json");
        assert_eq!(fingerprints("A|/x"), fingerprints("A|/x"));
        assert_ne!(fingerprints("A|/x"), fingerprints("A|/y"));
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
    }
}
