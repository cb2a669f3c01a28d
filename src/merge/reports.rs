//! Joining shard reports (`check --shard K/N -f json`) into the report of the whole check.

use std::collections::BTreeSet;

use super::{distinct, missing, same, MergeError, Merged};
use crate::config::Pattern;
use crate::engine::FrameworkFilter;
use crate::report::{self, Finding, Report, ReportShards, RuleResult, RuleStatus};

/// Joins the shard reports `inputs` (file name, report), in any order.
///
/// Every input must be one shard's report of one check: the same snapshot, tool,
/// rules, configuration, gate and waivers. Per rule, the findings are the union of the
/// shards' (a finding two shards both report is kept once), `checked` counts each
/// resource once (each shard's own, plus its shared ones once: see
/// [`RuleResult::shared_checked`]), and the verdict is worked out again, as are the
/// summary, the waivers' matches and the framework views. A merge that lacks shards
/// keeps `shards` with them listed as missing and says the snapshot is incomplete.
pub fn reports(inputs: Vec<(String, Report)>) -> Result<Merged<Report>, MergeError> {
    let mut indexed: Vec<(&str, u32, u32)> = Vec::new();
    for (path, report) in &inputs {
        let shards = report
            .shards
            .as_ref()
            .ok_or_else(|| MergeError::NotAShard {
                path: path.clone(),
                why: "it records no `shards` (a report of a whole check, not `check --shard K/N`)"
                    .to_string(),
            })?;
        match (shards.covered.as_slice(), shards.missing.is_empty()) {
            ([index], true) if *index < shards.count && shards.count <= u32::from(crate::snapshot::MAX_SHARDS) => {
                indexed.push((path, *index, shards.count))
            }
            _ => {
                return Err(MergeError::NotAShard {
                    path: path.clone(),
                    why: format!(
                        "it covers shards [{}] of {}, missing [{}]: merge joins the reports of single shards",
                        super::list_shards(&shards.covered),
                        shards.count,
                        super::list_shards(&shards.missing)
                    ),
                })
            }
        }
    }
    let (first_path, first) = (&inputs[0].0, &inputs[0].1);
    let count = indexed[0].2;
    for ((path, report), &(_, _, n)) in inputs.iter().zip(&indexed).skip(1) {
        let (a, b) = (first_path.as_str(), path.as_str());
        same((a, &count), (b, &n), "the shard count")?;
        same((a, &first.tool), (b, &report.tool), "the tool")?;
        same((a, &first.fail_on), (b, &report.fail_on), "--fail-on")?;
        same((a, &first.config), (b, &report.config), "the configuration")?;
        same(
            (a, &first.disabled_rules),
            (b, &report.disabled_rules),
            "the rules the configuration turns off",
        )?;
        same(
            (a, &snapshot_identity(first)),
            (b, &snapshot_identity(report)),
            "the snapshot checked",
        )?;
        same(
            (a, &rule_identities(first)),
            (b, &rule_identities(report)),
            "the rules",
        )?;
        same(
            (a, &waiver_identities(first)),
            (b, &waiver_identities(report)),
            "the waivers (or whether they had expired on the day of the check)",
        )?;
        let keys = |r: &Report| -> Vec<(String, Option<String>)> {
            framework_filters(r)
                .into_iter()
                .map(|f| (f.framework, f.control))
                .collect()
        };
        same(
            (a, &keys(first)),
            (b, &keys(report)),
            "the framework views (--framework)",
        )?;
    }
    let present = distinct(
        &indexed.iter().map(|&(p, i, _)| (p, i)).collect::<Vec<_>>(),
        count,
    )?;
    let missing = missing(count, &present);

    let filters = framework_filters(first);
    let mut merged = first.clone();
    merged.generated_at = inputs
        .iter()
        .map(|(_, r)| r.generated_at.clone())
        .max()
        .unwrap_or_default();
    merged.snapshot.subscriptions = inputs.iter().map(|(_, r)| r.snapshot.subscriptions).sum();
    merged.snapshot.services = inputs.iter().map(|(_, r)| r.snapshot.services).sum();
    merged.snapshot.apis = inputs.iter().map(|(_, r)| r.snapshot.apis).sum();
    for result in &mut merged.results {
        let parts: Vec<&RuleResult> = inputs
            .iter()
            .filter_map(|(_, r)| r.results.iter().find(|x| x.rule_id == result.rule_id))
            .collect();
        *result = merge_rule(&parts);
    }
    merged.summary = report::summarize(&merged.results, merged.fail_on);
    for waiver in &mut merged.waivers {
        let pattern = Pattern::new(&waiver.resource).ok();
        waiver.matched = merged
            .results
            .iter()
            .filter(|r| r.rule_id.eq_ignore_ascii_case(&waiver.rule))
            .flat_map(|r| &r.findings)
            .filter(|f| pattern.as_ref().is_some_and(|p| p.matches(&f.resource)))
            .count();
    }
    merged.frameworks = report::framework_views(&merged.results, &filters);
    merged.shards = if missing.is_empty() {
        None
    } else {
        merged.snapshot.complete = false;
        Some(ReportShards {
            count,
            covered: present,
            missing: missing.clone(),
        })
    };
    Ok(Merged {
        merged,
        count,
        missing,
    })
}

/// One rule's results of every shard as one.
fn merge_rule(parts: &[&RuleResult]) -> RuleResult {
    let mut merged = parts[0].clone();
    let mut findings: Vec<Finding> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for part in parts {
        for finding in &part.findings {
            let key = serde_json::to_string(finding).unwrap_or_default();
            if seen.insert(key) {
                findings.push(finding.clone());
            }
        }
    }
    findings.sort_by(|a, b| (&a.resource, &a.message).cmp(&(&b.resource, &b.message)));
    let shared: BTreeSet<&str> = parts
        .iter()
        .flat_map(|p| p.shared_checked.iter().map(String::as_str))
        .collect();
    merged.checked = parts
        .iter()
        .map(|p| p.checked.saturating_sub(p.shared_checked.len()))
        .sum::<usize>()
        + shared.len();
    let failing: BTreeSet<&str> = findings.iter().map(|f| f.resource.as_str()).collect();
    let passing: BTreeSet<&str> = parts
        .iter()
        .flat_map(|p| p.passing.iter().map(String::as_str))
        .filter(|r| !failing.contains(r))
        .collect();
    merged.passing = passing.into_iter().map(str::to_string).collect();
    merged.error = parts.iter().find_map(|p| p.error.clone());
    merged.status = RuleStatus::of(
        merged.not_applicable.is_some(),
        merged.error.is_some(),
        &findings,
    );
    merged.findings = findings;
    merged.shared_checked = Vec::new();
    merged
}

/// What must be the same snapshot in every shard's report.
fn snapshot_identity(report: &Report) -> serde_json::Value {
    let s = &report.snapshot;
    serde_json::json!({
        "path": s.path, "collectedAt": s.collected_at, "source": s.source,
        "complete": s.complete, "gaps": s.gaps,
    })
}

/// Each rule as the report describes it, without its results.
fn rule_identities(report: &Report) -> Vec<serde_json::Value> {
    report
        .results
        .iter()
        .map(|r| {
            serde_json::json!({
                "ruleId": r.rule_id, "title": r.title, "severity": r.severity,
                "defaultSeverity": r.default_severity, "source": r.source,
                "frameworks": r.frameworks, "remediation": r.remediation,
                "notApplicable": r.not_applicable,
            })
        })
        .collect()
}

/// The waivers as configured and judged, without their matches.
fn waiver_identities(report: &Report) -> Vec<serde_json::Value> {
    report
        .waivers
        .iter()
        .map(|w| {
            serde_json::json!({
                "rule": w.rule, "resource": w.resource, "reason": w.reason,
                "owner": w.owner, "expires": w.expires, "expired": w.expired,
            })
        })
        .collect()
}

/// The `--framework` filters that made a report's framework views.
fn framework_filters(report: &Report) -> Vec<FrameworkFilter> {
    let mut filters = Vec::new();
    for view in &report.frameworks {
        match &view.control {
            None => filters.push(FrameworkFilter {
                framework: view.framework.clone(),
                control: None,
            }),
            Some(_) => filters.extend(view.controls.iter().map(|c| FrameworkFilter {
                framework: view.framework.clone(),
                control: Some(c.id.clone()),
            })),
        }
    }
    filters
}
