//! JUnit XML, for Azure DevOps test results (PublishTestResults@2) and any CI
//! that shows JUnit: one test suite per rule, one test case per checked
//! resource. A failing resource is a `failure` carrying the rule's message(s);
//! a waived one is `skipped` with the waiver's reason, owner and expiry; a rule
//! that could not be evaluated is one `error` case; a rule that does not apply to
//! the snapshot is one `skipped` case saying why.

use quick_junit::{NonSuccessKind, Report as JUnitReport, TestCase, TestCaseStatus, TestSuite};

use super::{ControlStatus, FrameworkView, Report, ResourceFindings, RuleResult};

/// Renders the report as JUnit XML.
pub fn render_junit(report: &Report) -> String {
    let mut junit = JUnitReport::new("apimguard");
    for rule in &report.results {
        junit.add_test_suite(suite(rule));
    }
    for view in &report.frameworks {
        junit.add_test_suite(framework_suite(view));
    }
    let xml = junit
        .to_string()
        .expect("a JUnit report of strings always serializes");
    xml_chars(xml)
}

/// The XML with the two noncharacters XML 1.0 forbids (U+FFFE, U+FFFF) replaced by
/// U+FFFD: an API name may hold them, and a CI that cannot parse the file shows no
/// results at all. (Control characters are already left out by the writer.)
fn xml_chars(xml: String) -> String {
    if xml.contains(['\u{fffe}', '\u{ffff}']) {
        xml.replace(['\u{fffe}', '\u{ffff}'], "\u{fffd}")
    } else {
        xml
    }
}

fn suite(rule: &RuleResult) -> TestSuite {
    let mut suite = TestSuite::new(format!("{}: {}", rule.rule_id, rule.title));
    suite.add_property(("severity", rule.severity.as_str()));
    suite.add_property(("source", rule.source.as_str()));
    if let Some(error) = &rule.error {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(error.as_str()).set_type("rule-error");
        let mut case = TestCase::new(format!("{} (evaluation)", rule.rule_id), status);
        case.set_classname(rule.rule_id.as_str());
        suite.add_test_case(case);
    }
    if let Some(reason) = &rule.not_applicable {
        let mut status = TestCaseStatus::skipped();
        status.set_message(format!("not applicable: {reason}"));
        let mut case = TestCase::new(format!("{} (not applicable)", rule.rule_id), status);
        case.set_classname(rule.rule_id.as_str());
        suite.add_test_case(case);
    }
    let mut cases: Vec<(&str, TestCaseStatus)> = rule
        .by_resource()
        .into_iter()
        .map(|group| (group.resource, failing_status(rule, &group)))
        .chain(
            rule.passing
                .iter()
                .map(|r| (r.as_str(), TestCaseStatus::success())),
        )
        .collect();
    cases.sort_by(|a, b| a.0.cmp(b.0));
    for (resource, status) in cases {
        let mut case = TestCase::new(resource, status);
        case.set_classname(rule.rule_id.as_str());
        suite.add_test_case(case);
    }
    suite
}

/// A framework view as a suite: one case per control (`fail` a failure, `error` an
/// error, `not applicable` and `not assessed` skipped with why).
fn framework_suite(view: &FrameworkView) -> TestSuite {
    let mut suite = TestSuite::new(format!(
        "{} {} ({})",
        view.title, view.version, view.framework
    ));
    suite.add_property(("framework", view.framework.as_str()));
    for c in &view.controls {
        let rules: Vec<&str> = c.rules.iter().map(|r| r.rule_id.as_str()).collect();
        let mut status = match c.status {
            ControlStatus::Pass => TestCaseStatus::success(),
            ControlStatus::Fail => TestCaseStatus::non_success(NonSuccessKind::Failure),
            ControlStatus::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
            ControlStatus::NotApplicable | ControlStatus::NotAssessed => TestCaseStatus::skipped(),
        };
        match c.status {
            ControlStatus::Pass => {}
            ControlStatus::Fail => {
                status
                    .set_message(format!(
                        "{} resource(s) fail rules {}",
                        c.failing.len(),
                        rules.join(", ")
                    ))
                    .set_description(c.failing.join("\n"));
            }
            ControlStatus::Error => {
                status.set_message(format!(
                    "a rule could not be evaluated: {}",
                    rules.join(", ")
                ));
            }
            ControlStatus::NotApplicable => {
                status.set_message(format!(
                    "not applicable: rules {} had nothing to judge in this estate",
                    rules.join(", ")
                ));
            }
            ControlStatus::NotAssessed => {
                status.set_message("not assessed: no rule of this run covers the control");
            }
        }
        let mut case = TestCase::new(
            format!("{} {}", c.id, c.title).trim_end().to_string(),
            status,
        );
        case.set_classname(format!("{}:{}", view.framework, c.id));
        suite.add_test_case(case);
    }
    suite
}

fn failing_status(rule: &RuleResult, group: &ResourceFindings<'_>) -> TestCaseStatus {
    if group.waived() {
        let mut status = TestCaseStatus::skipped();
        let reasons: Vec<String> = group
            .findings
            .iter()
            .filter_map(|f| f.waiver.as_ref())
            .map(|w| {
                format!(
                    "waived: {} (accepted by {} until {})",
                    w.reason, w.owner, w.expires
                )
            })
            .collect();
        status.set_message(reasons.first().cloned().unwrap_or_else(|| "waived".into()));
        status.set_description(messages(group));
        return status;
    }
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    let first = group
        .findings
        .iter()
        .find(|f| !f.waived)
        .unwrap_or(&group.findings[0]);
    status
        .set_message(first.message.as_str())
        .set_type(rule.severity.as_str())
        .set_description(messages(group));
    status
}

/// Every message about the resource, one a line, with waiver notes.
fn messages(group: &ResourceFindings<'_>) -> String {
    group
        .findings
        .iter()
        .map(|f| {
            let line = match &f.waiver {
                Some(w) if w.expired => format!(
                    "{} [waiver by {} expired on {}: {}]",
                    f.message, w.owner, w.expires, w.reason
                ),
                Some(w) => format!(
                    "{} [waived by {} until {}: {}]",
                    f.message, w.owner, w.expires, w.reason
                ),
                None => f.message.clone(),
            };
            std::iter::once(line)
                .chain(f.exemption_notes().into_iter().map(|n| format!("[{n}]")))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noncharacters_become_replacement_characters() {
        assert_eq!(
            xml_chars("<a n=\"x\u{fffe}y\u{ffff}\"/>".into()),
            "<a n=\"x\u{fffd}y\u{fffd}\"/>"
        );
        assert_eq!(xml_chars("plain".into()), "plain");
    }
}
