//! Drift between two runs: which findings are new, which were resolved, which
//! are still there. A finding is the same across runs when its rule id and its
//! lower-cased resource id are (see [`identity`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{identity, Report, RuleStatus};
use crate::engine::{FailOn, Severity};

/// The comparison of two reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Drift {
    /// What wrote it: `apimguard <version> (commit …, built-in rules sha256:…)`, from [`crate::version::tool`].
    pub tool: String,
    /// The earlier run.
    pub old: RunInfo,
    /// The later run.
    pub new: RunInfo,
    /// The gate threshold for new findings.
    pub fail_on: FailOn,
    /// Counts.
    pub summary: DriftSummary,
    /// Findings of the new run that the old run did not have.
    pub new_findings: Vec<DriftEntry>,
    /// Findings of the old run that the new run no longer has (their rule ran).
    pub resolved: Vec<DriftEntry>,
    /// Findings in both runs (as the new run reports them).
    pub still_failing: Vec<DriftEntry>,
    /// Findings of the old run whose rule did not run, or errored, in the new one:
    /// neither resolved nor still failing as far as anyone can tell.
    pub not_evaluated: Vec<DriftEntry>,
    /// Rules that could not be evaluated in the new run.
    pub errors: Vec<String>,
}

/// One side of the comparison.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunInfo {
    /// The file given on the command line (a report or a snapshot).
    pub path: String,
    /// The snapshot the run checked.
    pub snapshot: String,
    /// When that snapshot was collected.
    pub collected_at: String,
}

/// Counts of a comparison.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftSummary {
    /// New findings.
    pub new: usize,
    /// Resolved findings.
    pub resolved: usize,
    /// Findings in both runs.
    pub still_failing: usize,
    /// Old findings whose rule did not run in the new run.
    pub not_evaluated: usize,
    /// New, unwaived findings at or above the gate threshold.
    pub gating: usize,
}

/// One finding in a comparison.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftEntry {
    /// The rule id.
    pub rule_id: String,
    /// The rule's title.
    pub title: String,
    /// The rule's severity.
    pub severity: Severity,
    /// The resource's ARM id.
    pub resource: String,
    /// What is wrong (several messages about one resource are joined with "; ").
    pub message: String,
    /// Whether every finding about the resource is waived.
    pub waived: bool,
}

impl Drift {
    /// 2 when a rule could not be evaluated in the new run, 1 when a new unwaived
    /// finding is at or above the threshold, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.errors.is_empty() {
            2
        } else if self.summary.gating > 0 {
            1
        } else {
            0
        }
    }
}

/// Compares two reports; `old_path` and `new_path` are the files they came from.
pub fn compare(
    old: &Report,
    new: &Report,
    old_path: &str,
    new_path: &str,
    fail_on: FailOn,
) -> Drift {
    let before = entries(old);
    let after = entries(new);
    // A rule that errored or did not apply in the new run resolved nothing.
    // Rule ids match whatever their case.
    let evaluated: BTreeSet<String> = new
        .results
        .iter()
        .filter(|r| !matches!(r.status, RuleStatus::Error | RuleStatus::NotApplicable))
        .map(|r| r.rule_id.to_ascii_uppercase())
        .collect();
    let mut drift = Drift {
        tool: crate::version::tool().to_string(),
        old: run_info(old, old_path),
        new: run_info(new, new_path),
        fail_on,
        summary: DriftSummary::default(),
        new_findings: Vec::new(),
        resolved: Vec::new(),
        still_failing: Vec::new(),
        not_evaluated: Vec::new(),
        errors: new
            .results
            .iter()
            .filter(|r| r.status == RuleStatus::Error)
            .map(|r| r.rule_id.clone())
            .collect(),
    };
    for (key, entry) in &after {
        if before.contains_key(key) {
            drift.still_failing.push(entry.clone());
        } else {
            drift.new_findings.push(entry.clone());
        }
    }
    for (key, entry) in before {
        if after.contains_key(&key) {
            continue;
        }
        if evaluated.contains(&entry.rule_id.to_ascii_uppercase()) {
            drift.resolved.push(entry);
        } else {
            drift.not_evaluated.push(entry);
        }
    }
    for list in [
        &mut drift.new_findings,
        &mut drift.resolved,
        &mut drift.still_failing,
        &mut drift.not_evaluated,
    ] {
        list.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.rule_id.cmp(&b.rule_id))
                .then_with(|| a.resource.cmp(&b.resource))
        });
    }
    drift.summary = DriftSummary {
        new: drift.new_findings.len(),
        resolved: drift.resolved.len(),
        still_failing: drift.still_failing.len(),
        not_evaluated: drift.not_evaluated.len(),
        gating: drift
            .new_findings
            .iter()
            .filter(|e| !e.waived && fail_on.fails(e.severity))
            .count(),
    };
    drift
}

fn run_info(report: &Report, path: &str) -> RunInfo {
    RunInfo {
        path: path.to_string(),
        snapshot: report.snapshot.path.clone(),
        collected_at: report.snapshot.collected_at.clone(),
    }
}

/// Every finding of a report by identity; several findings about one resource merge.
fn entries(report: &Report) -> BTreeMap<String, DriftEntry> {
    let mut out: BTreeMap<String, DriftEntry> = BTreeMap::new();
    for rule in &report.results {
        for f in &rule.findings {
            out.entry(identity(&rule.rule_id.to_ascii_uppercase(), &f.resource))
                .and_modify(|e| {
                    e.message.push_str("; ");
                    e.message.push_str(&f.message);
                    e.waived &= f.waived;
                })
                .or_insert_with(|| DriftEntry {
                    rule_id: rule.rule_id.clone(),
                    title: rule.title.clone(),
                    severity: rule.severity,
                    resource: f.resource.clone(),
                    message: f.message.clone(),
                    waived: f.waived,
                });
        }
    }
    out
}
