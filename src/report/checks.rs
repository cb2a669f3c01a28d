//! A report as flat checks: one per rule and resource it looked at (one per finding
//! when a rule found several things wrong with one resource), for the tabular and
//! event formats (CSV, OCSF). Passing and waived checks are included, so that the
//! counts reconcile with the report's summary.

use super::{Finding, Report, RuleResult};

/// The verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// The resource passed the rule.
    Pass,
    /// An unwaived finding.
    Fail,
    /// A finding a waiver in force covers.
    Waived,
    /// The rule could not be evaluated (one check for the rule, no resource).
    Error,
}

impl Verdict {
    /// The verdict as written in CSV and OCSF.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Waived => "waived",
            Verdict::Error => "error",
        }
    }
}

/// One check: a rule on a resource.
pub(super) struct Check<'a> {
    /// The rule.
    pub rule: &'a RuleResult,
    /// The resource ("" for a rule error).
    pub resource: &'a str,
    /// The verdict.
    pub verdict: Verdict,
    /// The finding, for a failing or waived check.
    pub finding: Option<&'a Finding>,
}

/// Every check of the report, rule by rule (in report order), findings before passes.
/// Rules that are not applicable have none: they looked at nothing.
pub(super) fn checks(report: &Report) -> impl Iterator<Item = Check<'_>> {
    report.results.iter().flat_map(|rule| {
        let error = rule.error.as_ref().map(|_| Check {
            rule,
            resource: "",
            verdict: Verdict::Error,
            finding: None,
        });
        let findings = rule.findings.iter().map(move |f| Check {
            rule,
            resource: &f.resource,
            verdict: if f.waived {
                Verdict::Waived
            } else {
                Verdict::Fail
            },
            finding: Some(f),
        });
        let passing = rule.passing.iter().map(move |r| Check {
            rule,
            resource: r,
            verdict: Verdict::Pass,
            finding: None,
        });
        error.into_iter().chain(findings).chain(passing)
    })
}

/// A rule's mappings as `framework:control` items, e.g. `nist-800-53:SC-8`.
pub(super) fn mappings(rule: &RuleResult) -> Vec<String> {
    rule.frameworks
        .iter()
        .flat_map(|(framework, controls)| controls.iter().map(move |c| format!("{framework}:{c}")))
        .collect()
}
