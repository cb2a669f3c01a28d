//! The report model shared by every output format.

use std::collections::BTreeMap;

use chrono::{NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::exemptions::{self, ExemptionNote, ExemptionState};
use super::frameworks::FrameworkView;
use super::locate::Locator;
use crate::config::Config;
use crate::engine::{Action, FailOn, Rule, RuleOutcome, Severity};
use crate::snapshot::{Digest, Origin, SourceKind};

/// The outcome of one `check` run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// What wrote it: `apimguard <version> (commit …, built-in rules sha256:…)`, from [`crate::version::tool`].
    pub tool: String,
    /// When the report was made (RFC 3339, UTC); waivers are judged against this day.
    #[serde(default)]
    pub generated_at: String,
    /// What was checked.
    pub snapshot: SnapshotInfo,
    /// The gate threshold of the run.
    pub fail_on: FailOn,
    /// The configuration file of the run, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// Rules the configuration turned off (not evaluated).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabled_rules: Vec<String>,
    /// Counts.
    pub summary: Summary,
    /// One entry per rule, most severe first.
    pub results: Vec<RuleResult>,
    /// Every waiver of the configuration, with its state on the day of the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverStatus>,
    /// Whether Azure exemptions waived the findings they cover (`--honor-azure-exemptions`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub honor_azure_exemptions: bool,
    /// The framework views asked for (`check --framework`), one per framework.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frameworks: Vec<FrameworkView>,
    /// Set when the report covers only part of the estate: one shard's report
    /// (`check --shard K/N`), or a merge that lacks a shard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<ReportShards>,
}

/// Which shards of a sharded check a report covers (docs/scale.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportShards {
    /// How many shards the check was cut into.
    pub count: u32,
    /// The shards (0-based) whose results the report holds.
    pub covered: Vec<u32>,
    /// The shards it lacks (a merge without them is incomplete, exit 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<u32>,
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
    pub source: SourceKind,
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
    /// Rules that need data the snapshot's source cannot have (neither pass nor fail).
    #[serde(default)]
    pub not_applicable: usize,
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
    /// The rule needs data the snapshot's source cannot have (for example Defender
    /// observations in a snapshot read from IaC files): it neither passes nor fails.
    #[serde(rename = "not-applicable")]
    NotApplicable,
}

impl RuleStatus {
    /// The verdict of a rule's result: not applicable before an evaluation error, an
    /// error before findings, and a failure only for a finding no waiver in force covers.
    /// The one status logic of reports built from outcomes and of merged reports.
    pub fn of(not_applicable: bool, error: bool, findings: &[Finding]) -> Self {
        if not_applicable {
            RuleStatus::NotApplicable
        } else if error {
            RuleStatus::Error
        } else if findings.iter().any(|f| !f.waived) {
            RuleStatus::Fail
        } else {
            RuleStatus::Pass
        }
    }
}

/// One rule's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleResult {
    /// Stable rule id.
    pub rule_id: String,
    /// Title.
    pub title: String,
    /// Severity (after the configuration's overrides).
    pub severity: Severity,
    /// The rule's own severity, when the configuration overrode it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_severity: Option<Severity>,
    /// Verdict.
    pub status: RuleStatus,
    /// How many resources the rule looked at.
    pub checked: usize,
    /// Failing resources.
    pub findings: Vec<Finding>,
    /// Resources the rule looked at that have no finding. Always filled by a run;
    /// left out of the JSON report unless asked for (`--include-passing`), to keep
    /// it small for large estates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passing: Vec<String>,
    /// Why the rule matters.
    pub description: String,
    /// How to fix a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<String>,
    /// Remediation action that fixes a failure, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Action>,
    /// Control mappings.
    #[serde(default)]
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// Policy file of the rule.
    pub source: String,
    /// Why the rule could not be evaluated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why the rule does not apply to this snapshot (status `not-applicable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
    /// A shard's report only: the resources among `checked` that are not its own (not
    /// in its services or the subscriptions it evaluates, e.g. a subscription several
    /// shards' services are in), by id, so that `merge` counts each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_checked: Vec<String>,
}

/// One failing resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The resource's ARM id.
    pub resource: String,
    /// What is wrong.
    pub message: String,
    /// Whether a waiver in force covers it (then it does not count toward the gate).
    pub waived: bool,
    /// The waiver that covers it, or the expired one that no longer does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
    /// Where the resource is declared: its IaC origin, else its line in the snapshot file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Origin>,
    /// The Azure Policy exemptions that cover it, and what each does to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub azure_exemptions: Vec<ExemptionNote>,
}

/// The waiver that matched a finding.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedWaiver {
    /// Why the finding is accepted.
    pub reason: String,
    /// Who accepted it.
    pub owner: String,
    /// Last day the waiver applies (`YYYY-MM-DD`).
    pub expires: String,
    /// True when the waiver has expired: the finding then counts again.
    pub expired: bool,
}

/// A configured waiver and its state on the day of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaiverStatus {
    /// The rule id.
    pub rule: String,
    /// The resource id or glob.
    pub resource: String,
    /// Why the finding is accepted.
    pub reason: String,
    /// Who accepted it.
    pub owner: String,
    /// Last day the waiver applies (`YYYY-MM-DD`).
    pub expires: String,
    /// Days from the run to `expires` (0: expires today; negative: expired).
    pub days_left: i64,
    /// Whether it has expired.
    pub expired: bool,
    /// How many findings it matched.
    pub matched: usize,
}

/// The findings of one rule about one resource.
#[derive(Debug, Clone)]
pub struct ResourceFindings<'a> {
    /// The resource's ARM id.
    pub resource: &'a str,
    /// Its findings (at least one).
    pub findings: Vec<&'a Finding>,
}

impl ResourceFindings<'_> {
    /// Whether every finding about the resource is waived.
    pub fn waived(&self) -> bool {
        self.findings.iter().all(|f| f.waived)
    }
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

    /// The same report without the passing resource ids (the compact JSON form).
    pub fn without_passing(&self) -> Report {
        let mut compact = self.clone();
        for r in &mut compact.results {
            r.passing = Vec::new();
        }
        compact
    }
}

impl Finding {
    /// One line per Azure exemption that covers the finding without waiving it (not
    /// honoured, expired or unscoped); an honoured one is the finding's `waiver`.
    pub fn exemption_notes(&self) -> Vec<String> {
        self.azure_exemptions
            .iter()
            .filter(|n| n.state != ExemptionState::Honoured)
            .map(ExemptionNote::describe)
            .collect()
    }
}

impl RuleResult {
    /// ` (rule default: critical)` when the configuration changed the rule's severity,
    /// else nothing: for the reports that show the severity in force.
    pub fn severity_note(&self) -> String {
        self.default_severity
            .map(|d| format!(" (rule default: {d})"))
            .unwrap_or_default()
    }

    /// The findings grouped by resource, in resource order.
    pub fn by_resource(&self) -> Vec<ResourceFindings<'_>> {
        let mut groups: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &self.findings {
            groups.entry(&f.resource).or_default().push(f);
        }
        groups
            .into_iter()
            .map(|(resource, findings)| ResourceFindings { resource, findings })
            .collect()
    }
}

/// The identity of a finding across runs: rule id and lower-cased resource id
/// (ARM ids are case-insensitive). SARIF fingerprints and `diff` use it.
pub fn identity(rule_id: &str, resource: &str) -> String {
    format!("{rule_id}|{}", resource.to_lowercase())
}

/// The APIM service a resource id belongs to (the id up to the service name), if any.
pub fn service_of(resource: &str) -> Option<&str> {
    const MARKER: &str = "/providers/microsoft.apimanagement/service/";
    let start = resource.to_ascii_lowercase().find(MARKER)? + MARKER.len();
    let end = resource[start..]
        .find('/')
        .map_or(resource.len(), |i| start + i);
    Some(&resource[..end])
}

/// The snapshot a report is about: where it was read from, its text (to locate
/// resources by line) and its digest.
#[derive(Debug, Clone, Copy)]
pub struct Checked<'a> {
    /// Where it was read from (`-` for standard input).
    pub path: &'a std::path::Path,
    /// The document as read.
    pub text: &'a str,
    /// What the report needs to know about it.
    pub digest: &'a Digest,
}

/// What a run adds to the rules' outcomes: the gate, the configuration, the day.
#[derive(Debug, Clone)]
pub struct BuildOptions<'a> {
    /// The gate threshold.
    pub fail_on: FailOn,
    /// Severity overrides and waivers come from here.
    pub config: Option<&'a Config>,
    /// Rules the configuration turned off.
    pub disabled_rules: Vec<String>,
    /// The day against which waivers expire.
    pub today: NaiveDate,
    /// Whether to list each rule's passing resources ([`RuleResult::passing`]); only
    /// some formats show them, and for large estates they are millions of ids.
    pub passing: bool,
    /// Whether Azure exemptions in force and scoped waive the findings they cover.
    pub honor_azure_exemptions: bool,
}

/// Builds the report from the rules and their outcomes (same order).
pub fn build(
    checked: Checked,
    rules: &[Rule],
    outcomes: Vec<RuleOutcome>,
    options: &BuildOptions,
) -> Report {
    let digest = checked.digest;
    let path = checked.path.display().to_string();
    let waivers = options.config.map_or(&[][..], |c| &c.waivers[..]);
    let mut matched = vec![0usize; waivers.len()];
    let locator = Locator::new(
        checked,
        outcomes
            .iter()
            .flat_map(|o| &o.findings)
            .map(|f| f.resource.as_str()),
    );
    let mut results: Vec<RuleResult> = rules
        .iter()
        .zip(outcomes)
        .map(|(rule, outcome)| {
            let id = &rule.meta.id;
            let not_applicable = not_applicable(rule, digest);
            // A rule without the data it needs says nothing about the estate.
            let outcome = match not_applicable {
                Some(_) => RuleOutcome::default(),
                None => outcome,
            };
            // Only this rule's waivers are tried against its findings.
            let candidates: Vec<usize> = (0..waivers.len())
                .filter(|&i| waivers[i].rule.eq_ignore_ascii_case(id))
                .collect();
            let definitions = rule
                .meta
                .frameworks
                .get("azure-policy")
                .map_or(&[][..], |d| &d[..]);
            let findings: Vec<Finding> = outcome
                .findings
                .into_iter()
                .map(|f| {
                    let covering: Vec<usize> = candidates
                        .iter()
                        .copied()
                        .filter(|&i| waivers[i].covers(id, &f.resource))
                        .collect();
                    for &i in &covering {
                        matched[i] += 1;
                    }
                    // A waiver in force wins over an expired one.
                    let waiver = covering.iter().map(|&i| &waivers[i]).min_by_key(|w| {
                        (w.is_expired(options.today), std::cmp::Reverse(w.expires))
                    });
                    let azure_exemptions = exemptions::notes(
                        &digest.azure_exemptions,
                        definitions,
                        &f.resource,
                        options.honor_azure_exemptions,
                        options.today,
                    );
                    let in_force = waiver.filter(|w| !w.is_expired(options.today));
                    let honoured = azure_exemptions
                        .iter()
                        .find(|n| n.state == ExemptionState::Honoured);
                    // A waiver in force wins, then an honoured exemption, then an
                    // expired waiver (shown, waiving nothing).
                    let applied = match (in_force, honoured) {
                        (None, Some(exemption)) => Some(exemption.as_waiver()),
                        _ => waiver.map(|w| AppliedWaiver {
                            reason: w.reason.clone(),
                            owner: w.owner.clone(),
                            expires: w.expires.to_string(),
                            expired: w.is_expired(options.today),
                        }),
                    };
                    Finding {
                        location: locator.locate(&f.resource, f.setting.as_deref()),
                        waived: in_force.is_some() || honoured.is_some(),
                        waiver: applied,
                        resource: f.resource,
                        message: f.message,
                        azure_exemptions,
                    }
                })
                .collect();
            let status =
                RuleStatus::of(not_applicable.is_some(), outcome.error.is_some(), &findings);
            let passing = if options.passing {
                let failing: std::collections::HashSet<&str> =
                    findings.iter().map(|f| f.resource.as_str()).collect();
                let mut passing: Vec<String> = outcome
                    .checked
                    .iter()
                    .filter(|r| !failing.contains(r.as_ref()))
                    .map(|r| r.to_string())
                    .collect();
                passing.sort_unstable();
                passing
            } else {
                Vec::new()
            };
            let severity = options
                .config
                .and_then(|c| c.severity_of(id))
                .unwrap_or(rule.meta.severity);
            RuleResult {
                rule_id: id.clone(),
                title: rule.meta.title.clone(),
                severity,
                default_severity: (severity != rule.meta.severity).then_some(rule.meta.severity),
                status,
                checked: outcome.checked.len(),
                findings,
                passing,
                description: rule.meta.description.clone(),
                recommendation: rule.meta.recommendation.clone(),
                remediation: rule.meta.remediation,
                frameworks: rule.meta.frameworks.clone(),
                source: rule.path.clone(),
                error: outcome.error,
                not_applicable,
                shared_checked: Vec::new(),
            }
        })
        .collect();
    results.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule_id.cmp(&b.rule_id))
    });
    let summary = summarize(&results, options.fail_on);
    Report {
        tool: crate::version::tool().to_string(),
        generated_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        snapshot: SnapshotInfo {
            path,
            collected_at: digest.collected_at.clone(),
            source: digest.source,
            complete: digest.complete,
            gaps: digest.gaps.len(),
            subscriptions: digest.subscriptions,
            services: digest.services,
            apis: digest.apis,
        },
        fail_on: options.fail_on,
        config: options.config.map(|c| c.path.clone()),
        disabled_rules: options.disabled_rules.clone(),
        summary,
        results,
        waivers: waivers
            .iter()
            .zip(matched)
            .map(|(w, matched)| WaiverStatus {
                rule: w.rule.clone(),
                resource: w.resource.clone(),
                reason: w.reason.clone(),
                owner: w.owner.clone(),
                expires: w.expires.to_string(),
                days_left: (w.expires - options.today).num_days(),
                expired: w.is_expired(options.today),
                matched,
            })
            .collect(),
        honor_azure_exemptions: options.honor_azure_exemptions,
        frameworks: Vec::new(),
        shards: None,
    }
}

/// Why `rule` cannot judge `snapshot`: the data it needs that the snapshot's source lacks.
fn not_applicable(rule: &Rule, digest: &Digest) -> Option<String> {
    let missing: Vec<&str> = rule
        .meta
        .needs
        .iter()
        .filter(|k| digest.unavailable.contains(k))
        .map(|k| k.as_str())
        .collect();
    if missing.is_empty() {
        return None;
    }
    let kind = serde_json::to_value(digest.source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    Some(format!(
        "needs {}, which a snapshot from this source ({kind}) does not have",
        missing.join(" and ")
    ))
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
            RuleStatus::NotApplicable => summary.not_applicable += 1,
        }
        summary.findings += r.findings.len();
        summary.waived += r.findings.iter().filter(|f| f.waived).count();
        if fail_on.fails(r.severity) {
            summary.gating += r.findings.iter().filter(|f| !f.waived).count();
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_orders_not_applicable_error_then_unwaived_findings() {
        let finding = |waived| Finding {
            resource: "/subscriptions/s".into(),
            message: "m".into(),
            waived,
            waiver: None,
            location: None,
            azure_exemptions: Vec::new(),
        };
        let (waived, open) = (vec![finding(true)], vec![finding(true), finding(false)]);
        assert_eq!(RuleStatus::of(true, true, &open), RuleStatus::NotApplicable);
        assert_eq!(RuleStatus::of(false, true, &open), RuleStatus::Error);
        assert_eq!(RuleStatus::of(false, false, &open), RuleStatus::Fail);
        assert_eq!(RuleStatus::of(false, false, &waived), RuleStatus::Pass);
        assert_eq!(RuleStatus::of(false, false, &[]), RuleStatus::Pass);
    }

    #[test]
    fn service_of_cuts_after_the_service_name() {
        let api = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso/apis/echo";
        assert_eq!(
            service_of(api),
            Some("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso")
        );
        assert_eq!(service_of("/subscriptions/s"), None);
    }

    #[test]
    fn identity_ignores_resource_case() {
        assert_eq!(
            identity("R-1", "/Subscriptions/A"),
            identity("R-1", "/subscriptions/a")
        );
    }
}
