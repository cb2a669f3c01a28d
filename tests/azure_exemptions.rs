//! Azure exemptions (issue 16 point 4): an exemption recorded in Azure never waives a
//! finding on its own. A Defender for Cloud assessment exempted on a resource comes
//! back `NotApplicable` with cause `Exempt`, which hides its real status: APIM-DEF-013
//! reports it as not known instead of reading it as "does not apply".

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::estate;
use support::exemptions::{self, API_ASSESSMENT};
use support::fake_arm::{Behaviour, FakeArm, Fault};
use support::{apimguard, run_against, text};

const TOKEN: &str = "exemptions-token";

/// Collects `estate` into `dir/snapshot.json` (exit 0 expected).
fn collect(estate: estate::Estate, dir: &Path) -> PathBuf {
    collect_with(estate, Vec::new(), dir, 0).0
}

/// Collects `estate` with `faults` into `dir/snapshot.json`, expecting `exit`.
fn collect_with(
    estate: estate::Estate,
    faults: Vec<Fault>,
    dir: &Path,
    exit: i32,
) -> (PathBuf, Value) {
    let fake = FakeArm::start(
        estate,
        Behaviour {
            token: TOKEN.into(),
            faults,
            ..Behaviour::default()
        },
    );
    let out = dir.join("snapshot.json");
    let run = run_against(
        &fake,
        TOKEN,
        &["collect", "-q", "-o", out.to_str().unwrap()],
    );
    assert_eq!(run.status.code(), Some(exit), "{}", text(&run.stderr));
    let snapshot = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    (out, snapshot)
}

fn contoso() -> String {
    estate::service_id(estate::RG, estate::SERVICE)
}

/// APIM-API-001's Azure Policy definition.
const HTTPS_ONLY: &str = "ee7495e7-3ba7-40b6-bfee-c29e22cc75d4";

/// The exemptions the tests serve: at the service (scoped, in force), at its resource
/// group (no definition reference: unscoped), expired at the service, and one about
/// another resource group that the collector leaves out.
fn served_exemptions() -> Vec<Value> {
    let contoso = contoso();
    let group = format!(
        "/subscriptions/{}/resourceGroups/{}",
        estate::SUBSCRIPTION,
        estate::RG
    );
    let other = format!(
        "/subscriptions/{}/resourceGroups/rg-other",
        estate::SUBSCRIPTION
    );
    vec![
        exemptions::exemption(
            &contoso,
            "in-force",
            &[HTTPS_ONLY],
            Some("2099-01-01T00:00:00Z"),
        ),
        exemptions::exemption(&group, "whole-group", &[], None),
        exemptions::exemption(
            &contoso,
            "expired",
            &[HTTPS_ONLY],
            Some("2020-01-01T00:00:00Z"),
        ),
        exemptions::exemption(&other, "elsewhere", &[HTTPS_ONLY], None),
    ]
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

/// The exemptions covering the services are collected with who, what, why and expiry;
/// the others are left out.
#[test]
fn exemptions_covering_the_services_are_collected() {
    let mut e = estate::contoso();
    exemptions::serve(&mut e, served_exemptions());
    let dir = tempfile::tempdir().unwrap();
    let (_, snapshot) = collect_with(e, Vec::new(), dir.path(), 0);
    assert!(snapshot["schemaFeatures"]
        .as_array()
        .unwrap()
        .contains(&"azureExemptions".into()));
    let collected = snapshot["subscriptions"][0]["azureExemptions"]
        .as_array()
        .unwrap();
    let names: Vec<&str> = collected
        .iter()
        .map(|x| x["id"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(names, ["expired", "in-force", "whole-group"]);
    let in_force = &collected[1];
    assert_eq!(in_force["scope"], contoso().as_str());
    assert_eq!(in_force["category"], "Waiver");
    assert_eq!(
        in_force["policyDefinitionReferenceIds"],
        serde_json::json!([HTTPS_ONLY])
    );
    assert_eq!(in_force["expiresOn"], "2099-01-01T00:00:00Z");
    assert_eq!(
        in_force["description"],
        "Exempt demo cluster from limit sku"
    );
    assert_eq!(in_force["createdBy"], "string");
}

/// Exemptions that cannot be read, or one that cannot be placed, are a gap: the
/// subscription's exemptions are then not known (absent), never "none".
#[test]
fn unreadable_exemptions_are_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    let (_, snapshot) = collect_with(
        estate::contoso(),
        vec![Fault::forbidden(
            "/providers/microsoft.authorization/policyexemptions",
            "subscription",
        )],
        dir.path(),
        2,
    );
    assert!(snapshot["subscriptions"][0]
        .get("azureExemptions")
        .is_none());
    assert!(snapshot["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["what"] == "azureExemptions"));

    let mut e = estate::contoso();
    let mut bad = exemptions::exemption(&contoso(), "x", &[HTTPS_ONLY], None);
    bad["id"] = format!(
        "{}/providers/Microsoft.Authorization/policyAssignments/x",
        contoso()
    )
    .into();
    exemptions::serve(&mut e, vec![bad]);
    let dir = tempfile::tempdir().unwrap();
    let (_, snapshot) = collect_with(e, Vec::new(), dir.path(), 2);
    assert!(snapshot["subscriptions"][0]
        .get("azureExemptions")
        .is_none());
    let gap = snapshot["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["what"] == "azureExemptions")
        .unwrap();
    assert!(
        gap["error"]
            .as_str()
            .unwrap()
            .contains("not that of a policy exemption"),
        "{gap}"
    );
}
