//! The audit controls of issue 16 (schema 1.2): the Git configuration endpoint, where the
//! logs go (diagnostic settings, diagnostics, loggers), the groups that see each product
//! and Defender CSPM's API posture extension. Collected from the fake ARM (Microsoft's
//! examples), judged by the rules; what cannot be read is a gap and the rule's verdict
//! "not known", never a pass; a snapshot of an older minor lacks them and is judged the
//! same way.

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::estate::{self, OPEN_API, RG, SERVICE, SUBSCRIPTION};
use support::fake_arm::{Behaviour, FakeArm, Fault, FaultKind};
use support::{apimguard, run_against, text};

const TOKEN: &str = "controls-token";

fn collect(fake: &FakeArm, dir: &Path, expected_exit: i32) -> (std::path::PathBuf, Value) {
    let out = dir.join("snapshot.json");
    let run = run_against(fake, TOKEN, &["collect", "-q", "-o", out.to_str().unwrap()]);
    assert_eq!(
        run.status.code(),
        Some(expected_exit),
        "{}",
        text(&run.stderr)
    );
    let snapshot = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    (out, snapshot)
}

/// `check SNAPSHOT -f json --allow-incomplete --profile strict`: the findings of `rule`
/// as (resource, message) pairs.
fn findings(snapshot: &Path, rule: &str) -> Vec<(String, String)> {
    let out = apimguard()
        .arg("check")
        .arg(snapshot)
        .args([
            "-f",
            "json",
            "--allow-incomplete",
            "--profile",
            "strict",
            "--fail-on",
            "never",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = support::rule_result(&report, rule);
    assert_ne!(result["status"], "error", "{result:#}");
    support::findings_of(result)
}

fn service<'a>(snapshot: &'a Value, name: &str) -> &'a Value {
    snapshot["subscriptions"][0]["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("service {name}"))
}

fn gap_whats(snapshot: &Value) -> Vec<String> {
    snapshot["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["what"].as_str().unwrap().to_string())
        .collect()
}

/// Collected from Microsoft's examples, the controls land in the snapshot and each rule
/// fails exactly where the estate is wrong.
#[test]
fn collected_controls_are_judged_where_the_estate_is_wrong() {
    let fake = FakeArm::start(estate::contoso(), Behaviour::accepting(TOKEN));
    let dir = tempfile::tempdir().unwrap();
    let (path, snapshot) = collect(&fake, dir.path(), 0);
    assert!(snapshot["schemaMinor"].as_u64().unwrap() >= 2);
    let features = snapshot["schemaFeatures"].to_string();
    for feature in ["gitAccess", "logging", "productGroups", "defenderCspm"] {
        assert!(features.contains(feature), "{features}");
    }

    let contoso = service(&snapshot, SERVICE);
    assert_eq!(contoso["gitAccess"]["enabled"], true);
    assert_eq!(
        service(&snapshot, "internal")["gitAccess"]["enabled"],
        false
    );
    assert!(service(&snapshot, "consumption").get("gitAccess").is_none());
    let logging = &contoso["logging"];
    assert_eq!(logging["diagnosticSettings"].as_array().unwrap().len(), 1);
    assert_eq!(logging["loggers"].as_array().unwrap().len(), 3);
    // The loggers' credentials (named-value references in the example) are masked.
    assert!(!logging["loggers"]
        .to_string()
        .contains("Logger-Credentials"));
    let starter = contoso["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "starter")
        .unwrap();
    assert_eq!(starter["groups"].as_array().unwrap().len(), 3);
    let cspm = &snapshot["subscriptions"][0]["defenderCspm"];
    assert_eq!(
        (&cspm["enabled"], &cspm["apiPosture"]),
        (&json!(true), &json!(false))
    );

    let contoso_id = estate::service_id(RG, SERVICE);
    let internal_id = estate::service_id("rg-internal", "internal");
    let consumption_id = estate::service_id(RG, "consumption");
    let resources = |rule: &str| -> Vec<String> {
        let mut r: Vec<String> = findings(&path, rule).into_iter().map(|f| f.0).collect();
        r.sort();
        r
    };
    assert_eq!(resources("APIM-SVC-016"), vec![contoso_id.clone()]);
    assert_eq!(
        resources("APIM-PRD-005"),
        vec![format!("{contoso_id}/products/starter")]
    );
    let mut no_gateway_logs = vec![internal_id.clone(), consumption_id.clone()];
    no_gateway_logs.sort();
    assert_eq!(resources("APIM-LOG-001"), no_gateway_logs);
    assert_eq!(resources("APIM-LOG-002"), no_gateway_logs);
    let credentials = findings(&path, "APIM-LOG-003");
    assert_eq!(credentials.len(), 1, "{credentials:?}");
    assert_eq!(
        credentials[0].0,
        format!("{contoso_id}/apis/{OPEN_API}/diagnostics/applicationinsights")
    );
    assert!(
        credentials[0]
            .1
            .contains("the first 100 bytes of the body of frontend requests"),
        "{}",
        credentials[0].1
    );
    assert_eq!(
        resources("APIM-DEF-014"),
        vec![format!("/subscriptions/{SUBSCRIPTION}")]
    );
}

/// A control that cannot be read is a gap (exit 2), and with --allow-incomplete its rule
/// says "not known" about it: never a pass.
#[test]
fn unreadable_controls_are_gaps_and_not_known() {
    let fake = FakeArm::start(
        estate::contoso(),
        Behaviour {
            token: TOKEN.into(),
            faults: vec![
                Fault::forbidden("/service/contoso/tenant/gitaccess", "contoso"),
                Fault::unavailable(
                    "/service/contoso/providers/microsoft.insights/diagnosticsettings",
                    usize::MAX,
                ),
                Fault::malformed("/service/contoso/products/starter/groups"),
                Fault::forbidden("/pricings/cloudposture", "subscription"),
                Fault::unavailable(&format!("/apis/{OPEN_API}/diagnostics"), usize::MAX),
            ],
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let run = run_against(
        &fake,
        TOKEN,
        &[
            "collect",
            "-q",
            "-o",
            out.to_str().unwrap(),
            "--retries",
            "0",
        ],
    );
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let gaps = gap_whats(&snapshot);
    for what in [
        "gitAccess",
        "diagnosticSettings",
        "productGroups",
        "defenderCspm",
        "diagnostics",
    ] {
        assert!(gaps.iter().any(|g| g == what), "a gap for {what}: {gaps:?}");
    }
    let contoso = service(&snapshot, SERVICE);
    assert!(contoso.get("gitAccess").is_none());
    assert!(contoso["logging"]["diagnosticSettings"].is_null());
    assert!(
        contoso["logging"]["diagnostics"].is_null(),
        "an API's list is missing"
    );

    let contoso_id = estate::service_id(RG, SERVICE);
    let not_known = |rule: &str, resource: &str| {
        let found = findings(&out, rule);
        assert!(
            found
                .iter()
                .any(|(r, m)| r == resource && m.contains("not known")),
            "{rule} says {resource} is not known: {found:?}"
        );
    };
    not_known("APIM-SVC-016", &contoso_id);
    not_known("APIM-LOG-001", &contoso_id);
    not_known("APIM-LOG-002", &contoso_id);
    not_known("APIM-LOG-003", &contoso_id);
    not_known("APIM-PRD-005", &format!("{contoso_id}/products/starter"));
    not_known("APIM-DEF-014", &format!("/subscriptions/{SUBSCRIPTION}"));
}

/// A Git switch answer without a boolean `enabled` says nothing: a gap, not "disabled".
#[test]
fn a_git_switch_without_its_value_is_a_gap() {
    let fake = FakeArm::start(
        estate::contoso(),
        Behaviour {
            token: TOKEN.into(),
            faults: vec![Fault::always(
                "/service/contoso/tenant/gitaccess",
                FaultKind::Canned {
                    status: 200,
                    headers: vec![("content-type", "application/json".into())],
                    body: r#"{"id": "x", "name": "gitAccess", "properties": {"enabled": "yes"}}"#
                        .into(),
                },
            )],
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let (_, snapshot) = collect(&fake, dir.path(), 2);
    let gap = snapshot["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["what"] == "gitAccess")
        .unwrap_or_else(|| panic!("{:#}", snapshot["gaps"]));
    assert!(gap["error"]
        .as_str()
        .unwrap()
        .contains("properties.enabled"));
    assert!(service(&snapshot, SERVICE).get("gitAccess").is_none());
}

/// A logger whose answer carries a connection string (as a PUT body or an old
/// api-version does) never brings it into the snapshot.
#[test]
fn logger_credentials_never_reach_the_snapshot() {
    let mut estate = estate::contoso();
    let contoso = estate::service_id(RG, SERVICE);
    let secret = "InstrumentationKey=9f3a1c55-0000-4000-8000-1234567890ab;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/";
    let key = format!("{contoso}/loggers").to_ascii_lowercase();
    let mut loggers = estate.routes[&key].clone();
    loggers["value"][1]["properties"]["credentials"] = json!({"connectionString": secret});
    estate.put(&format!("{contoso}/loggers"), loggers);
    let fake = FakeArm::start(estate, Behaviour::accepting(TOKEN));
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = collect(&fake, dir.path(), 0);
    let written = std::fs::read_to_string(path).unwrap();
    assert!(!written.contains("9f3a1c55-0000-4000-8000-1234567890ab"));
    assert!(!written.contains("InstrumentationKey="));
}

/// A snapshot of schema 1.1 (written before these controls were read) is judged "not
/// known" on each of them, never passed.
#[test]
fn an_older_snapshot_without_the_controls_is_not_known() {
    let fake = FakeArm::start(estate::contoso(), Behaviour::accepting(TOKEN));
    let dir = tempfile::tempdir().unwrap();
    let (path, mut snapshot) = collect(&fake, dir.path(), 0);
    snapshot["schemaMinor"] = json!(1);
    snapshot["schemaFeatures"] = json!(["callPaths"]);
    let sub = &mut snapshot["subscriptions"][0];
    sub.as_object_mut().unwrap().remove("defenderCspm");
    for svc in sub["services"].as_array_mut().unwrap() {
        let svc = svc.as_object_mut().unwrap();
        svc.remove("gitAccess");
        svc.remove("logging");
        for product in svc["products"].as_array_mut().unwrap() {
            product.as_object_mut().unwrap().remove("groups");
        }
    }
    std::fs::write(&path, serde_json::to_string(&snapshot).unwrap()).unwrap();

    let contoso_id = estate::service_id(RG, SERVICE);
    for rule in [
        "APIM-SVC-016",
        "APIM-LOG-001",
        "APIM-LOG-002",
        "APIM-LOG-003",
    ] {
        let found = findings(&path, rule);
        assert!(
            found
                .iter()
                .any(|(r, m)| *r == contoso_id && m.contains("not known")),
            "{rule}: {found:?}"
        );
    }
    let products = findings(&path, "APIM-PRD-005");
    assert!(
        products.len() >= 3 && products.iter().all(|(_, m)| m.contains("not known")),
        "{products:?}"
    );
    let cspm = findings(&path, "APIM-DEF-014");
    assert!(
        cspm.len() == 1 && cspm[0].1.contains("not known"),
        "{cspm:?}"
    );
}

/// A finding: its resource, line (0 when it has none) and message.
type Finding = (String, u64, String);

/// `check --from-… -f json --profile strict`: rule id → (status, findings).
fn iac_verdicts(args: &[&str]) -> std::collections::BTreeMap<String, (String, Vec<Finding>)> {
    let out = apimguard()
        .args([
            "check",
            "-f",
            "json",
            "--profile",
            "strict",
            "--fail-on",
            "never",
        ])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let findings = r["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| {
                    (
                        f["resource"].as_str().unwrap().to_string(),
                        f["location"]["line"].as_u64().unwrap_or(0),
                        f["message"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (
                r["ruleId"].as_str().unwrap().to_string(),
                (r["status"].as_str().unwrap().to_string(), findings),
            )
        })
        .collect()
}

/// Bicep declares every control: what the files say is judged, at its lines, and a
/// logger's literal instrumentation key never reaches the snapshot.
#[test]
fn bicep_declarations_of_the_controls_are_judged() {
    let file = "fixtures/iac/controls/main.bicep";
    let out = apimguard()
        .args(["collect", "--from-bicep", file])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let snapshot = text(&out.stdout);
    assert!(!snapshot.contains("6b2a9c3e-1111-4222-8333-444455556666"));

    let verdicts = iac_verdicts(&["--from-bicep", file]);
    let status = |id: &str| verdicts[id].0.as_str();
    assert_eq!(status("APIM-SVC-016"), "pass", "gitAccess declared off");
    assert_eq!(
        status("APIM-LOG-001"),
        "pass",
        "allLogs to a workspace, scope: apim"
    );
    assert_eq!(status("APIM-LOG-002"), "pass");
    assert_eq!(status("APIM-DEF-014"), "pass");
    let guests = &verdicts["APIM-PRD-005"].1;
    assert_eq!(guests.len(), 1, "{guests:?}");
    assert!(guests[0].0.ends_with("/products/partners"), "{guests:?}");
    let mut logged: Vec<&str> = verdicts["APIM-LOG-003"]
        .1
        .iter()
        .map(|(_, _, m)| m.as_str())
        .collect();
    logged.sort();
    assert_eq!(
        logged,
        vec![
            "diagnostic \"applicationinsights\" of service \"contoso\" logs the credential header \"Authorization\" of frontend requests",
            "diagnostic \"applicationinsights\" of service \"contoso\" logs the first 1024 bytes of the body of backend responses",
        ]
    );
}

/// An ARM template: the Git endpoint on, a diagnostic setting (nested form) without the
/// gateway's logs, one (scope form) whose destination is left open, and guests on a
/// product. The open destination is never read as a destination.
#[test]
fn arm_template_declarations_of_the_controls_fail_closed() {
    let verdicts = iac_verdicts(&["--from-arm", "fixtures/iac/controls/azuredeploy.json"]);
    let findings = |id: &str| &verdicts[id].1;
    assert!(findings("APIM-SVC-016")[0].2.contains("enabled"));
    let logs = findings("APIM-LOG-001");
    assert_eq!(logs.len(), 1);
    assert!(
        logs[0]
            .2
            .starts_with("the files declare no diagnostic setting")
            && logs[0].2.contains("(2 declared)"),
        "{logs:?}"
    );
    assert!(findings("APIM-LOG-002")[0]
        .2
        .contains("not known to have one"));
    let guests = findings("APIM-PRD-005");
    assert_eq!((guests.len(), guests[0].1), (1, 58), "{guests:?}");
    // No Defender plan in the files: the CSPM rule is not applicable, not passed.
    assert_eq!(verdicts["APIM-DEF-014"].0, "not-applicable");
}
