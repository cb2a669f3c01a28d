//! The framework view of a report (`check --framework NAME`): one verdict per control
//! of a framework, from the verdicts of the rules mapped to it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{RuleResult, RuleStatus};
use crate::engine::FrameworkFilter;
use crate::frameworks;

/// One framework's controls and their verdicts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FrameworkView {
    /// The framework key, e.g. `nist-800-53`.
    pub framework: String,
    /// Its full name.
    pub title: String,
    /// The version its control ids come from.
    pub version: String,
    /// The one control asked for (`--framework NAME:CONTROL`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// A remark about the framework (for example that it has no control in scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Controls per verdict.
    pub summary: ControlSummary,
    /// The controls, in the framework's order; mapped controls outside the catalogue last.
    pub controls: Vec<ControlView>,
}

/// How many controls have each verdict.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlSummary {
    /// Controls whose rules all passed on at least one resource.
    pub pass: usize,
    /// Controls with at least one unwaived finding.
    pub fail: usize,
    /// Controls one of whose rules could not be evaluated.
    pub error: usize,
    /// Controls whose rules found nothing to judge in this estate.
    pub not_applicable: usize,
    /// Controls no rule of the run covers.
    pub not_assessed: usize,
}

/// A control's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlStatus {
    /// Every rule mapped to it passed (waived findings included), on at least one resource.
    Pass,
    /// A rule mapped to it has an unwaived finding.
    Fail,
    /// A rule mapped to it could not be evaluated: the control is undecided.
    Error,
    /// Its rules had nothing to look at, or need data this snapshot's source lacks.
    NotApplicable,
    /// No rule of this run maps to it.
    NotAssessed,
}

impl ControlStatus {
    /// The verdict as shown in reports.
    pub fn label(self) -> &'static str {
        match self {
            ControlStatus::Pass => "pass",
            ControlStatus::Fail => "fail",
            ControlStatus::Error => "error",
            ControlStatus::NotApplicable => "not applicable",
            ControlStatus::NotAssessed => "not assessed",
        }
    }
}

/// One control and what stands behind its verdict.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlView {
    /// The control id.
    pub id: String,
    /// apimguard's summary of it (empty for a control outside the catalogue).
    pub title: String,
    /// False for a control a rule maps to that apimguard's catalogue does not list.
    pub catalogued: bool,
    /// The verdict.
    pub status: ControlStatus,
    /// The rules mapped to it, with their verdicts.
    pub rules: Vec<ControlRule>,
    /// Resources with an unwaived finding of one of its rules.
    pub failing: Vec<String>,
    /// Findings of its rules that a waiver in force covers.
    pub waived: Vec<WaivedFinding>,
}

/// A rule behind a control.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlRule {
    /// The rule id.
    pub rule_id: String,
    /// Its verdict.
    pub status: RuleStatus,
    /// Resources it looked at.
    pub checked: usize,
    /// Its findings, waived or not.
    pub findings: usize,
}

/// A waived finding behind a control.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaivedFinding {
    /// The rule id.
    pub rule_id: String,
    /// The resource.
    pub resource: String,
    /// Who accepted it.
    pub owner: String,
    /// Last day the waiver applies.
    pub expires: String,
    /// Why.
    pub reason: String,
}

/// The framework views asked for, from a run's rule results. The filters must have
/// been validated ([`frameworks::validate`]).
pub fn framework_views(results: &[RuleResult], filters: &[FrameworkFilter]) -> Vec<FrameworkView> {
    let mut views: Vec<FrameworkView> = Vec::new();
    for filter in filters {
        let Some(framework) = frameworks::find(&filter.framework) else {
            continue;
        };
        let mut view = view(framework, results);
        if let Some(control) = &filter.control {
            view.controls.retain(|c| c.id.eq_ignore_ascii_case(control));
            view.control = Some(control.clone());
            view.summary = summarize(&view.controls);
        }
        // `--framework nist-800-53 --framework nist-800-53:SC-8` shows the whole view once.
        match views.iter_mut().find(|v| v.framework == view.framework) {
            Some(existing) if existing.control.is_some() && view.control.is_none() => {
                *existing = view
            }
            Some(existing) if existing.control.is_some() => {
                for c in view.controls {
                    if !existing.controls.iter().any(|e| e.id == c.id) {
                        existing.controls.push(c);
                    }
                }
                existing.control = None;
                existing.summary = summarize(&existing.controls);
            }
            Some(_) => {}
            None => views.push(view),
        }
    }
    views
}

fn view(framework: &frameworks::Framework, results: &[RuleResult]) -> FrameworkView {
    // Control id (as catalogued, else as mapped) → the rules mapped to it.
    let mut mapped: BTreeMap<String, Vec<&RuleResult>> = BTreeMap::new();
    for rule in results {
        for (name, controls) in &rule.frameworks {
            if !name.eq_ignore_ascii_case(&framework.name) {
                continue;
            }
            for control in controls {
                let id = framework
                    .controls
                    .iter()
                    .find(|c| c.id.eq_ignore_ascii_case(control))
                    .map_or(control.as_str(), |c| c.id.as_str());
                mapped.entry(id.to_string()).or_default().push(rule);
            }
        }
    }
    let mut controls: Vec<ControlView> = framework
        .controls
        .iter()
        .map(|c| {
            control(
                &c.id,
                &c.title,
                true,
                mapped.remove(&c.id).unwrap_or_default(),
            )
        })
        .collect();
    controls.extend(
        mapped
            .into_iter()
            .map(|(id, rules)| control(&id, "", false, rules)),
    );
    FrameworkView {
        framework: framework.name.clone(),
        title: framework.title.clone(),
        version: framework.version.clone(),
        control: None,
        note: framework.note.clone(),
        summary: summarize(&controls),
        controls,
    }
}

fn control(id: &str, title: &str, catalogued: bool, rules: Vec<&RuleResult>) -> ControlView {
    let status = if rules.is_empty() {
        ControlStatus::NotAssessed
    } else if rules.iter().any(|r| r.status == RuleStatus::Error) {
        ControlStatus::Error
    } else if rules.iter().any(|r| r.status == RuleStatus::Fail) {
        ControlStatus::Fail
    } else if rules
        .iter()
        .any(|r| r.status == RuleStatus::Pass && r.checked > 0)
    {
        ControlStatus::Pass
    } else {
        ControlStatus::NotApplicable
    };
    let mut failing: Vec<String> = rules
        .iter()
        .flat_map(|r| r.findings.iter().filter(|f| !f.waived))
        .map(|f| f.resource.clone())
        .collect();
    failing.sort_unstable();
    failing.dedup();
    let waived = rules
        .iter()
        .flat_map(|r| {
            r.findings.iter().filter(|f| f.waived).map(|f| {
                let w = f.waiver.as_ref();
                WaivedFinding {
                    rule_id: r.rule_id.clone(),
                    resource: f.resource.clone(),
                    owner: w.map(|w| w.owner.clone()).unwrap_or_default(),
                    expires: w.map(|w| w.expires.clone()).unwrap_or_default(),
                    reason: w.map(|w| w.reason.clone()).unwrap_or_default(),
                }
            })
        })
        .collect();
    ControlView {
        id: id.to_string(),
        title: title.to_string(),
        catalogued,
        status,
        rules: rules
            .iter()
            .map(|r| ControlRule {
                rule_id: r.rule_id.clone(),
                status: r.status,
                checked: r.checked,
                findings: r.findings.len(),
            })
            .collect(),
        failing,
        waived,
    }
}

fn summarize(controls: &[ControlView]) -> ControlSummary {
    let mut s = ControlSummary::default();
    for c in controls {
        match c.status {
            ControlStatus::Pass => s.pass += 1,
            ControlStatus::Fail => s.fail += 1,
            ControlStatus::Error => s.error += 1,
            ControlStatus::NotApplicable => s.not_applicable += 1,
            ControlStatus::NotAssessed => s.not_assessed += 1,
        }
    }
    s
}
