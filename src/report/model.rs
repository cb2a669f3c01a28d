//! The report model shared by every output format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::{FailOn, Rule, RuleOutcome, Severity};
use crate::snapshot::Snapshot;

/// The outcome of one `check` run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// `apimguard <version>`.
    pub tool: String,
    /// What was checked.
    pub snapshot: SnapshotInfo,
    /// The gate threshold of the run.
    pub fail_on: String,
    /// Counts.
    pub summary: Summary,
    /// One entry per rule, most severe first.
    pub results: Vec<RuleResult>,
}

/// Which snapshot a report is about.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotInfo {
    /// The file that was read.
    pub path: String,
    /// When the data was collected.
    pub collected_at: String,
    /// `arm`, `iac` or `fixture`.
    pub source: String,
    /// Whether the collector read everything.
    pub complete: bool,
    /// How many gaps the snapshot records.
    pub gaps: usize,
    /// Subscriptions, services and APIs in the snapshot.
    pub subscriptions: usize,
    /// APIM services.
    pub services: usize,
    /// APIs.
    pub apis: usize,
}

/// Counts over the whole run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Rules evaluated.
    pub rules: usize,
    /// Rules with no unwaived finding.
    pub passed: usize,
    /// Rules with at least one unwaived finding.
    pub failed: usize,
    /// Rules that could not be evaluated.
    pub errors: usize,
    /// Findings, waived or not.
    pub findings: usize,
    /// Findings covered by a waiver.
    pub waived: usize,
    /// Unwaived findings at or above the gate threshold.
    pub gating: usize,
}

/// A rule's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    /// No unwaived finding.
    Pass,
    /// At least one unwaived finding.
    Fail,
    /// The rule could not be evaluated.
    Error,
}

/// One rule's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleResult {
    /// Stable rule id.
    pub rule_id: String,
    /// Title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// Verdict.
    pub status: RuleStatus,
    /// How many resources the rule looked at.
    pub checked: usize,
    /// Failing resources.
    pub findings: Vec<Finding>,
    /// Why the rule matters.
    pub description: String,
    /// How to fix a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<String>,
    /// Remediation action that fixes a failure, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Control mappings.
    #[serde(default)]
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// Policy file of the rule.
    pub source: String,
    /// Why the rule could not be evaluated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One failing resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The resource's ARM id.
    pub resource: String,
    /// What is wrong.
    pub message: String,
    /// Whether a waiver covers it.
    pub waived: bool,
}

impl Report {
    /// The process exit code for this report: 2 when a rule errored, 1 when an
    /// unwaived finding is at or above the threshold, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.summary.errors > 0 {
            2
        } else if self.summary.gating > 0 {
            1
        } else {
            0
        }
    }
}

/// Builds the report from the rules and their outcomes (same order).
pub fn build(
    path: &str,
    snapshot: &Snapshot,
    rules: &[Rule],
    outcomes: Vec<RuleOutcome>,
    fail_on: FailOn,
) -> Report {
    let mut results: Vec<RuleResult> = rules
        .iter()
        .zip(outcomes)
        .map(|(rule, outcome)| {
            let findings: Vec<Finding> = outcome
                .findings
                .into_iter()
                .map(|f| Finding {
                    resource: f.resource,
                    message: f.message,
                    waived: false,
                })
                .collect();
            let status = if outcome.error.is_some() {
                RuleStatus::Error
            } else if findings.iter().any(|f| !f.waived) {
                RuleStatus::Fail
            } else {
                RuleStatus::Pass
            };
            RuleResult {
                rule_id: rule.meta.id.clone(),
                title: rule.meta.title.clone(),
                severity: rule.meta.severity,
                status,
                checked: outcome.checked.len(),
                findings,
                description: rule.meta.description.clone(),
                recommendation: rule.meta.recommendation.clone(),
                remediation: rule.meta.remediation.clone(),
                frameworks: rule.meta.frameworks.clone(),
                source: rule.path.clone(),
                error: outcome.error,
            }
        })
        .collect();
    results.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule_id.cmp(&b.rule_id))
    });
    let summary = summarize(&results, fail_on);
    let services = snapshot.subscriptions.iter().flat_map(|s| &s.services);
    Report {
        tool: format!("apimguard {}", env!("CARGO_PKG_VERSION")),
        snapshot: SnapshotInfo {
            path: path.to_string(),
            collected_at: snapshot.collected_at.clone(),
            source: serde_json::to_value(snapshot.source.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            complete: snapshot.complete,
            gaps: snapshot.gaps.len(),
            subscriptions: snapshot.subscriptions.len(),
            services: services.clone().count(),
            apis: services.map(|s| s.apis.len()).sum(),
        },
        fail_on: fail_on.to_string(),
        summary,
        results,
    }
}

/// Recomputes the counts of a list of results under a threshold.
pub fn summarize(results: &[RuleResult], fail_on: FailOn) -> Summary {
    let mut summary = Summary {
        rules: results.len(),
        ..Summary::default()
    };
    for r in results {
        match r.status {
            RuleStatus::Pass => summary.passed += 1,
            RuleStatus::Fail => summary.failed += 1,
            RuleStatus::Error => summary.errors += 1,
        }
        summary.findings += r.findings.len();
        summary.waived += r.findings.iter().filter(|f| f.waived).count();
        if fail_on.fails(r.severity) {
            summary.gating += r.findings.iter().filter(|f| !f.waived).count();
        }
    }
    summary
}
