//! Azure exemptions (issue 16 point 4): an exemption recorded in Azure never waives a
//! finding on its own. A Defender for Cloud assessment exempted on a resource comes
//! back `NotApplicable` with cause `Exempt`, which hides its real status: APIM-DEF-013
//! reports it as not known instead of reading it as "does not apply".

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::estate;
use support::exemptions::{self, API_ASSESSMENT};
use support::fake_arm::{Behaviour, FakeArm};
use support::{apimguard, run_against, text};

const TOKEN: &str = "exemptions-token";

/// Collects `estate` into `dir/snapshot.json` (exit 0 expected).
fn collect(estate: estate::Estate, dir: &Path) -> PathBuf {
    let fake = FakeArm::start(estate, Behaviour::accepting(TOKEN));
    let out = dir.join("snapshot.json");
    let run = run_against(
        &fake,
        TOKEN,
        &["collect", "-q", "-o", out.to_str().unwrap()],
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    out
}

/// `check SNAPSHOT -f json --fail-on medium EXTRA…`: exit code and report.
fn check(snapshot: &Path, extra: &[&str]) -> (i32, Value) {
    let out = apimguard()
        .arg("check")
        .arg(snapshot)
        .args(["-f", "json", "--fail-on", "medium"])
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
    (out.status.code().unwrap(), report)
}

/// An exempted assessment is a finding (not known, never a pass) of APIM-DEF-013.
#[test]
fn an_exempted_assessment_is_not_known_never_a_pass() {
    let mut e = estate::contoso();
    let resource =
        exemptions::set_assessment_status(&mut e, API_ASSESSMENT, exemptions::exempt_status());
    let dir = tempfile::tempdir().unwrap();
    let snapshot = collect(e, dir.path());
    let (code, report) = check(&snapshot, &[]);
    let result = support::rule_result(&report, "APIM-DEF-013");
    assert_eq!(result["status"], "fail", "{result:#}");
    let findings = support::findings_of(result);
    assert!(
        findings
            .iter()
            .any(|(r, m)| r.eq_ignore_ascii_case(&resource) && m.contains("exempted in Azure")),
        "{findings:?}"
    );
    assert_eq!(code, 1);
}

/// A snapshot from before the status cause was collected cannot tell an exemption from
/// "does not apply": a `NotApplicable` assessment there is not known either.
#[test]
fn a_not_applicable_assessment_without_its_cause_is_not_known() {
    let mut e = estate::contoso();
    exemptions::set_assessment_status(&mut e, API_ASSESSMENT, exemptions::exempt_status());
    let dir = tempfile::tempdir().unwrap();
    let snapshot = collect(e, dir.path());
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    for rec in doc["subscriptions"][0]["recommendations"]
        .as_array_mut()
        .unwrap()
    {
        rec.as_object_mut().unwrap().remove("statusCause");
    }
    doc["schemaMinor"] = 2.into();
    let older = dir.path().join("older.json");
    std::fs::write(&older, doc.to_string()).unwrap();
    let (code, report) = check(&older, &[]);
    let findings = support::findings_of(support::rule_result(&report, "APIM-DEF-013"));
    assert!(
        findings.iter().any(|(_, m)| m.contains("does not say why")),
        "{findings:?}"
    );
    assert_eq!(code, 1);
}
