//! Comparing the verdicts a report recorded with those of a re-check.

use std::collections::{BTreeMap, BTreeSet};

use crate::report::{identity, Report, RuleResult};

fn by_id(report: &Report) -> BTreeMap<&str, &RuleResult> {
    report
        .results
        .iter()
        .map(|rule| (rule.rule_id.as_str(), rule))
        .collect()
}

/// One way a re-check differs from the recorded report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference(pub String);

/// What differs between the recorded report and the re-check: the exit code, the
/// rules, each rule's verdict, and each finding (resource and whether it is waived).
pub fn differences(recorded: &Report, rechecked: &Report) -> Vec<Difference> {
    let mut out = Vec::new();
    if recorded.exit_code() != rechecked.exit_code() {
        out.push(Difference(format!(
            "exit code: recorded {}, re-check {}",
            recorded.exit_code(),
            rechecked.exit_code()
        )));
    }
    let (old, new) = (by_id(recorded), by_id(rechecked));
    for id in old.keys().filter(|id| !new.contains_key(*id)) {
        out.push(Difference(format!(
            "rule {id}: recorded, not evaluated by the re-check"
        )));
    }
    for id in new.keys().filter(|id| !old.contains_key(*id)) {
        out.push(Difference(format!(
            "rule {id}: evaluated by the re-check, not recorded"
        )));
    }
    for (id, was) in &old {
        let Some(now) = new.get(id) else { continue };
        if was.status != now.status {
            out.push(Difference(format!(
                "rule {id}: recorded {:?}, re-check {:?}",
                was.status, now.status
            )));
        }
        let findings = |r: &RuleResult| -> BTreeSet<(String, bool)> {
            r.findings
                .iter()
                .map(|f| (identity(id, &f.resource), f.waived))
                .collect()
        };
        let (a, b) = (findings(was), findings(now));
        for (key, waived) in a.difference(&b) {
            out.push(Difference(format!(
                "rule {id}: recorded finding on {} ({}) not found by the re-check",
                key.split_once('|').map_or(key.as_str(), |k| k.1),
                if *waived { "waived" } else { "unwaived" }
            )));
        }
        for (key, waived) in b.difference(&a) {
            out.push(Difference(format!(
                "rule {id}: the re-check finds {} ({}), not recorded",
                key.split_once('|').map_or(key.as_str(), |k| k.1),
                if *waived { "waived" } else { "unwaived" }
            )));
        }
    }
    out
}
