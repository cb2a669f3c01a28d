//! The developer portal and certificate controls of issue 16 (schema 1.3): how the portal
//! lets people in (configurations, settings, identity providers) and the expiry of the
//! certificates uploaded to a service. Collected from the fake ARM (Microsoft's
//! examples), judged by the rules; what cannot be read is a gap and the rule's verdict
//! "not known", never a pass; no delegation key, client secret or certificate data
//! reaches a snapshot; IaC files are judged by what they declare.

mod support;

use std::path::Path;

use serde_json::Value;
use support::estate::{self, RG, SERVICE};
use support::fake_arm::{Behaviour, FakeArm, Fault};
use support::{apimguard, service_named as service, text};

const TOKEN: &str = "portal-token";

/// The rules of this control family.
const RULES: [&str; 6] = [
    "APIM-PRT-001",
    "APIM-PRT-002",
    "APIM-PRT-003",
    "APIM-PRT-004",
    "APIM-PRT-005",
    "APIM-CRT-001",
];

/// The rules that read the collected lists (APIM-PRT-005 reads the service's own
/// properties).
const NEED_LISTS: [&str; 5] = [
    "APIM-PRT-001",
    "APIM-PRT-002",
    "APIM-PRT-003",
    "APIM-PRT-004",
    "APIM-CRT-001",
];

fn collect(fake: &FakeArm, dir: &Path, expected_exit: i32) -> (std::path::PathBuf, Value) {
    support::collect_into(fake, TOKEN, dir, &["--retries", "0"], expected_exit)
}

/// `check -f json --allow-incomplete --fail-on never ARGS`: rule id → (status, findings
/// as (resource, message)).
type Verdicts = std::collections::BTreeMap<String, (String, Vec<(String, String)>)>;

fn verdicts(args: &[&str]) -> Verdicts {
    let out = apimguard()
        .args([
            "check",
            "-f",
            "json",
            "--allow-incomplete",
            "--fail-on",
            "never",
        ])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    RULES
        .iter()
        .map(|id| {
            let result = support::rule_result(&report, id);
            assert_ne!(result["status"], "error", "{result:#}");
            (
                id.to_string(),
                (
                    result["status"].as_str().unwrap().to_string(),
                    support::findings_of(result),
                ),
            )
        })
        .collect()
}

/// Asserts that each of `rules` reports `resource` as not known.
fn assert_not_known(verdicts: &Verdicts, rules: &[&str], resource: &str) {
    for id in rules {
        assert!(
            verdicts[*id]
                .1
                .iter()
                .any(|(r, m)| r == resource && m.contains("not known")),
            "{id} says {resource} is not known: {:?}",
            verdicts[*id]
        );
    }
}

/// Collected from Microsoft's examples (basic sign-in on, anonymous browsing, open
/// sign-up, a Google provider, an expired uploaded certificate), each rule fails on the
/// service that is wrong and passes the one that is right.
#[test]
fn collected_portal_and_certificates_are_judged() {
    let fake = FakeArm::start(estate::contoso(), Behaviour::accepting(TOKEN));
    let dir = tempfile::tempdir().unwrap();
    let (path, snapshot) = collect(&fake, dir.path(), 0);
    assert_eq!(snapshot["schemaMinor"], apimguard::snapshot::SCHEMA_MINOR);
    let features = snapshot["schemaFeatures"].to_string();
    for feature in ["certificates", "developerPortal"] {
        assert!(features.contains(feature), "{features}");
    }
    let contoso = service(&snapshot, SERVICE);
    assert_eq!(contoso["certificates"].as_array().unwrap().len(), 2);
    assert_eq!(
        contoso["developerPortal"]["identityProviders"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // The Consumption tier has no portal: nothing read, nothing judged.
    assert!(service(&snapshot, "consumption")
        .get("developerPortal")
        .is_none());
    assert!(!fake
        .requests()
        .iter()
        .any(|r| r.path.contains("/consumption/portal")));

    let contoso_id = estate::service_id(RG, SERVICE);
    let internal_id = estate::service_id("rg-internal", "internal");
    let v = verdicts(&[path.to_str().unwrap()]);
    let resources = |id: &str| -> Vec<&str> { v[id].1.iter().map(|f| f.0.as_str()).collect() };
    let messages = |id: &str| -> Vec<&str> { v[id].1.iter().map(|f| f.1.as_str()).collect() };
    for id in [
        "APIM-PRT-001",
        "APIM-PRT-002",
        "APIM-PRT-003",
        "APIM-PRT-004",
    ] {
        assert_eq!(resources(id), [contoso_id.as_str()], "{id}: {:?}", v[id]);
    }
    assert!(messages("APIM-PRT-001")[0].contains("enableBasicAuth is true"));
    assert!(messages("APIM-PRT-002")[0].contains("\"google\" identity provider"));
    assert!(messages("APIM-PRT-004")[0].contains("anyone can sign up"));
    // The certificates: the example's uploaded one expired in 2017; the Key Vault one
    // (valid until 2037) passes; the internal service has none.
    let certificates = messages("APIM-CRT-001");
    assert_eq!(certificates.len(), 1, "{certificates:?}");
    assert!(
        certificates[0].contains("certificate \"kjoshiarmtemplateCert1\" expired on 2017-04-23"),
        "{certificates:?}"
    );
    assert!(!resources("APIM-CRT-001").contains(&internal_id.as_str()));
    // The examples' services say nothing of the legacy portal: not known, never a pass.
    assert!(messages("APIM-PRT-005")
        .iter()
        .all(|m| m.contains("is not known")));
}

/// A list that cannot be read is a gap, and every rule that needs it says "not known".
#[test]
fn unreadable_portal_and_certificates_are_gaps_and_not_known() {
    let fake = FakeArm::start(
        estate::contoso(),
        Behaviour {
            token: TOKEN.into(),
            faults: vec![
                Fault::forbidden("/service/contoso/portalconfigs", "contoso"),
                Fault::unavailable("/service/contoso/portalsettings", usize::MAX),
                Fault::malformed("/service/contoso/identityproviders"),
                Fault::forbidden("/service/contoso/certificates", "contoso"),
            ],
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let (path, snapshot) = collect(&fake, dir.path(), 2);
    let gaps: Vec<&str> = snapshot["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["what"].as_str().unwrap())
        .collect();
    for what in [
        "portalConfigs",
        "portalSettings",
        "identityProviders",
        "certificates",
    ] {
        assert!(gaps.contains(&what), "a gap for {what}: {gaps:?}");
    }
    let contoso = service(&snapshot, SERVICE);
    assert!(contoso.get("certificates").is_none());
    assert!(contoso["developerPortal"]["configs"].is_null());

    let contoso_id = estate::service_id(RG, SERVICE);
    let v = verdicts(&[path.to_str().unwrap()]);
    assert_not_known(&v, &NEED_LISTS, &contoso_id);
}

/// A snapshot of an older minor has neither fact: every rule reports it as not known.
#[test]
fn an_older_snapshot_is_not_known() {
    let fake = FakeArm::start(estate::contoso(), Behaviour::accepting(TOKEN));
    let dir = tempfile::tempdir().unwrap();
    let (path, mut snapshot) = collect(&fake, dir.path(), 0);
    snapshot["schemaMinor"] = 2.into();
    for sub in snapshot["subscriptions"].as_array_mut().unwrap() {
        for svc in sub["services"].as_array_mut().unwrap() {
            let svc = svc.as_object_mut().unwrap();
            svc.remove("certificates");
            svc.remove("developerPortal");
        }
    }
    std::fs::write(&path, snapshot.to_string()).unwrap();
    let contoso_id = estate::service_id(RG, SERVICE);
    let v = verdicts(&[path.to_str().unwrap()]);
    assert_not_known(&v, &NEED_LISTS, &contoso_id);
}

/// Secrets a portal or certificate may carry never reach a snapshot: a PUT-shaped answer
/// with the delegation key, the provider's client secret and the certificate's data and
/// password is collected masked.
#[test]
fn portal_and_certificate_secrets_never_reach_the_snapshot() {
    let mut arm = estate::contoso();
    let contoso = estate::service_id(RG, SERVICE);
    let secrets = [
        "delegation-validation-key-value",
        "google-client-secret-value",
        "MIIKpfxdataofthecertificate",
        "pfx-password-value",
    ];
    let mut configs = arm.routes[&format!("{contoso}/portalconfigs").to_ascii_lowercase()].clone();
    configs["value"][0]["properties"]["delegation"]["validationKey"] = secrets[0].into();
    arm.put(&format!("{contoso}/portalconfigs"), configs);
    let mut settings =
        arm.routes[&format!("{contoso}/portalsettings").to_ascii_lowercase()].clone();
    settings["value"][0]["properties"]["validationKey"] = secrets[0].into();
    arm.put(&format!("{contoso}/portalsettings"), settings);
    let mut providers =
        arm.routes[&format!("{contoso}/identityproviders").to_ascii_lowercase()].clone();
    providers["value"][0]["properties"]["clientSecret"] = secrets[1].into();
    arm.put(&format!("{contoso}/identityProviders"), providers);
    let mut certificates =
        arm.routes[&format!("{contoso}/certificates").to_ascii_lowercase()].clone();
    certificates["value"][0]["properties"]["data"] = secrets[2].into();
    certificates["value"][0]["properties"]["password"] = secrets[3].into();
    arm.put(&format!("{contoso}/certificates"), certificates);

    let fake = FakeArm::start(arm, Behaviour::accepting(TOKEN));
    let dir = tempfile::tempdir().unwrap();
    let (path, snapshot) = collect(&fake, dir.path(), 0);
    let written = std::fs::read_to_string(&path).unwrap();
    for secret in secrets {
        assert!(!written.contains(secret), "{secret} in the snapshot");
    }
    let contoso = service(&snapshot, SERVICE);
    assert_eq!(
        contoso["developerPortal"]["configs"][0]["properties"]["delegation"]["validationKey"],
        "[redacted]"
    );
    assert_eq!(
        contoso["certificates"][0]["properties"]["subject"],
        "CN=mutual-authcert"
    );
}

/// Bicep that declares a locked-down portal passes every portal rule; its literal
/// delegation key, client secret and certificate data never reach the snapshot; the
/// certificate's expiry is state Azure computes, so its rule is not applicable.
#[test]
fn bicep_declarations_are_judged() {
    let file = "fixtures/iac/portal/main.bicep";
    let out = apimguard()
        .args(["collect", "--from-bicep", file])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let snapshot = text(&out.stdout);
    for secret in [
        "bm90LWEtcmVhbC1kZWxlZ2F0aW9uLWtleQ==",
        "portal-client-secret-value",
        "MIIKbase64pfxdatathatmustnotbekept",
        "pfx-password-value",
    ] {
        assert!(!snapshot.contains(secret), "{secret} in the snapshot");
    }
    let v = verdicts(&["--from-bicep", file]);
    for id in [
        "APIM-PRT-001",
        "APIM-PRT-002",
        "APIM-PRT-003",
        "APIM-PRT-004",
        "APIM-PRT-005",
    ] {
        assert_eq!(v[id].0, "pass", "{id}: {:?}", v[id]);
    }
    assert_eq!(v["APIM-CRT-001"].0, "not-applicable");
}

/// An ARM template that leaves the portal open: no portal configuration (basic sign-in
/// on by default), open sign-up, delegation to an address left open until deployment,
/// a Google provider, and no legacyPortalStatus (Azure's default, Enabled).
#[test]
fn arm_template_declarations_fail_closed() {
    let v = verdicts(&["--from-arm", "fixtures/iac/portal/azuredeploy.json"]);
    let messages = |id: &str| -> Vec<String> { v[id].1.iter().map(|f| f.1.clone()).collect() };
    assert!(messages("APIM-PRT-001")[0]
        .starts_with("the files declare no developer portal configuration"));
    assert!(messages("APIM-PRT-002")[0].contains("\"google\" identity provider"));
    assert!(messages("APIM-PRT-003")[0].starts_with("the files declare neither"));
    let signup = messages("APIM-PRT-004");
    assert_eq!(signup.len(), 2, "{signup:?}");
    assert!(signup.iter().any(|m| m.contains("anyone can sign up")));
    assert!(signup
        .iter()
        .any(|m| m.contains("<unknown: parameters('delegationUrl')>")));
    assert!(messages("APIM-PRT-005")[0].contains("Azure's default is Enabled"));
}
