//! `apimguard collect` (and `check --live`) end to end: the real binary against a fake
//! ARM on loopback serving estates built from Microsoft's example payloads.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use support::estate::{
    self, CHOOSE_API, ECHO_API, FRAGMENT_API, OPEN_API, RG, SERVICE, SOAP_API, SUBSCRIPTION,
};
use support::fake_arm::{Behaviour, FakeArm, Fault, FaultKind, Logged};
use support::{apimguard, run_against, service_named as service, text};

const TOKEN: &str = "test-token";

fn fake(faults: Vec<Fault>, page_size: Option<usize>) -> FakeArm {
    FakeArm::start(
        estate::contoso(),
        Behaviour {
            token: TOKEN.into(),
            page_size,
            faults,
            ..Behaviour::default()
        },
    )
}

/// The error of the snapshot's gap about `what` (panics when there is none).
fn gap_error(snapshot: &Value, what: &str) -> String {
    let gaps = snapshot["gaps"].as_array().expect("gaps");
    gaps.iter()
        .find(|g| g["what"] == what)
        .and_then(|g| g["error"].as_str())
        .unwrap_or_else(|| panic!("a gap for {what}: {gaps:?}"))
        .to_string()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("snapshot written"))
        .expect("snapshot is JSON")
}

fn api<'a>(service: &'a Value, id_suffix: &str) -> &'a Value {
    service["apis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"].as_str().unwrap().ends_with(id_suffix))
        .unwrap_or_else(|| panic!("API {id_suffix}"))
}

/// Runs `collect -q -o FILE FLAGS` against `fake`, expects exit 2 (a snapshot with
/// gaps), and returns the snapshot with its file (and the directory that holds it).
fn collect_with_gaps(fake: &FakeArm, flags: &[&str]) -> (tempfile::TempDir, PathBuf, Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let mut args = vec!["collect", "-q", "-o", out.to_str().unwrap()];
    args.extend_from_slice(flags);
    let run = run_against(fake, TOKEN, &args);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    let snapshot = read_json(&out);
    assert_eq!(snapshot["complete"], false);
    (dir, out, snapshot)
}

/// The exit code of `check SNAPSHOT`.
fn check_exit(snapshot: &Path) -> Option<i32> {
    apimguard()
        .args(["check", snapshot.to_str().unwrap()])
        .output()
        .unwrap()
        .status
        .code()
}

fn contoso_api_id(name: &str) -> String {
    format!("{}/apis/{name}", estate::service_id(RG, SERVICE))
}

/// The collection of the main estate, through paging, throttling, a server error and
/// a timeout, gives a complete snapshot with the right verdicts, and `check` fails
/// APIM-DEF-001 for exactly the external, unauthenticated, not onboarded API.
#[test]
fn full_estate_through_paging_and_throttling() {
    let fake = fake(
        vec![
            Fault::throttle("/service/contoso/apis", 2),
            Fault::unavailable("/service/contoso/products", 1),
            Fault::slow("/service/contoso/backends", Duration::from_millis(2500), 1),
        ],
        Some(2),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let run = run_against(
        &fake,
        TOKEN,
        &[
            "collect",
            "-o",
            out.to_str().unwrap(),
            "-v",
            "--timeout",
            "1",
        ],
    );
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("credential: APIMGUARD_ACCESS_TOKEN"),
        "{stderr}"
    );
    assert!(
        stderr.contains("retrying") && stderr.contains("429"),
        "{stderr}"
    );
    assert!(
        stderr.contains("collected 1 subscription, 3 services, 11 APIs"),
        "{stderr}"
    );
    assert!(stderr.contains("; complete"), "{stderr}");

    let log = fake.requests();
    assert!(
        log.iter().any(|r| r.query.contains("$skipToken")),
        "lists were paged"
    );
    for status in [429, 503] {
        assert!(
            log.iter().any(|r| r.status == status),
            "a {status} was served"
        );
    }
    assert!(
        log.iter().all(|r| r.method == "GET" && r.authorized),
        "read-only, always authorized"
    );
    let backend_reads = log
        .iter()
        .filter(|r| r.path.ends_with("/service/contoso/backends"))
        .count();
    assert_eq!(
        backend_reads, 2,
        "the slow answer timed out and was retried"
    );

    let snapshot = read_json(&out);
    assert_eq!(snapshot["complete"], true, "{:#}", snapshot["gaps"]);
    assert_eq!(snapshot["gaps"], serde_json::json!([]));
    assert_eq!(snapshot["source"]["kind"], "arm");
    assert_eq!(snapshot["schemaMinor"], apimguard::snapshot::SCHEMA_MINOR);
    assert_eq!(
        snapshot["schemaFeatures"],
        serde_json::json!(apimguard::snapshot::written_features())
    );
    assert_eq!(snapshot["source"]["cloud"], "AzureCloud");
    assert_eq!(snapshot["source"]["tenantId"], estate::TENANT);
    let sub = &snapshot["subscriptions"][0];
    assert_eq!(sub["displayName"], "prod");
    assert_eq!(
        sub["defenderForApis"],
        serde_json::json!({"enabled": true, "pricingTier": "Standard", "subPlan": "P1"})
    );

    let contoso = service(&snapshot, SERVICE);
    assert_eq!(contoso["sku"]["name"], "Premium");
    assert_eq!(contoso["zones"], serde_json::json!(["1", "2"]));
    assert_eq!(contoso["capacityPercent"], 37.5);
    assert_eq!(contoso["tenantAccess"]["enabled"], true);
    assert_eq!(contoso["policy"]["inbound"][0]["name"], "set-header");
    assert!(contoso["policy"]["inbound"][0]["children"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("@{"));
    assert_eq!(
        contoso["apis"].as_array().unwrap().len(),
        5 + 4,
        "5 current service APIs + 4 workspace APIs, no old revision"
    );

    let echo = api(contoso, &format!("/apis/{ECHO_API}"));
    assert_eq!(echo["auth"]["effective"], "authenticated");
    assert_eq!(echo["auth"]["subscriptionKey"], true);
    assert_eq!(
        echo["products"],
        serde_json::json!(["starter", "unlimited"])
    );
    assert_eq!(echo["defender"]["onboarded"], true);
    assert_eq!(echo["defender"]["unauthenticatedEndpoints"], 1);
    assert_eq!(echo["defender"]["sensitivityLabel"], "Highly Confidential");

    let products: Vec<&Value> = echo["callPaths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["product"])
        .collect();
    assert_eq!(products, ["starter", "unlimited"]);

    let fragment = api(contoso, &format!("/apis/{FRAGMENT_API}"));
    // The live collector has the fragments: their elements are in the effective policy.
    let effective =
        &contoso["effectivePolicies"][fragment["callPaths"][0]["policy"].as_str().unwrap()];
    assert!(
        effective["inbound"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["fragment"].is_string() && e["name"] != "include-fragment"),
        "{effective}"
    );
    assert_eq!(
        fragment["auth"]["jwtValidation"], true,
        "validate-jwt comes from the fragment"
    );
    assert_eq!(fragment["auth"]["effective"], "authenticated");
    assert_eq!(
        fragment["exposure"]["gateways"],
        serde_json::json!(["managed", "gw1"])
    );
    assert_eq!(
        fragment["defender"]["ineligibleReason"],
        "self-hosted-gateway"
    );

    let choose = api(contoso, &format!("/apis/{CHOOSE_API}"));
    assert_eq!(choose["auth"]["effective"], "unknown");
    assert_eq!(choose["defender"]["onboarded"], true);

    let open = api(contoso, &format!("/apis/{OPEN_API}"));
    assert_eq!(open["auth"]["effective"], "unauthenticated");
    assert_eq!(open["exposure"]["external"], true);
    assert_eq!(
        (
            &open["defender"]["eligible"],
            &open["defender"]["onboarded"]
        ),
        (&Value::Bool(true), &Value::Bool(false))
    );
    assert_eq!(open["policy"]["inbound"][0]["name"], "quota-by-key");
    assert_eq!(open["operations"].as_array().unwrap().len(), 5);

    let soap = api(contoso, &format!("/apis/{SOAP_API}"));
    assert_eq!(
        (&soap["type"], &soap["defender"]["ineligibleReason"]),
        (&Value::from("soap"), &Value::from("non-rest"))
    );

    let workspace_api = api(contoso, "/workspaces/wks1/apis/echo-api");
    assert_eq!(workspace_api["exposure"]["workspace"], "wks1");
    assert_eq!(workspace_api["defender"]["ineligibleReason"], "workspace");
    assert_eq!(
        workspace_api["defender"]["onboarded"], false,
        "the service-level echo-api's collection is not the workspace API's"
    );
    assert_eq!(
        contoso["workspaces"][0]["apis"].as_array().unwrap().len(),
        4
    );
    assert_eq!(
        contoso["gateways"][0]["apis"],
        serde_json::json!([FRAGMENT_API])
    );

    let internal = service(&snapshot, "internal");
    let internal_api = api(internal, "/apis/internal-api");
    assert_eq!(
        (
            &internal_api["exposure"]["external"],
            &internal_api["auth"]["effective"]
        ),
        (&Value::Bool(false), &Value::from("unauthenticated"))
    );
    assert_eq!(internal["capacityPercent"], 81.0);
    let consumption = service(&snapshot, "consumption");
    assert_eq!(
        api(consumption, "/apis/cons-api")["defender"]["ineligibleReason"],
        "consumption-sku"
    );
    assert!(consumption["capacityPercent"].is_null() && consumption["tenantAccess"].is_null());

    assert_eq!(
        sub["recommendations"].as_array().unwrap().len(),
        1,
        "only assessments about APIM resources"
    );
    assert_eq!(sub["recommendations"][0]["severity"], "High");
    assert_eq!(sub["recommendations"][0]["status"], "Unhealthy");
    assert_eq!(
        sub["alerts"].as_array().unwrap().len(),
        1,
        "only API_ alerts"
    );
    assert_eq!(sub["alerts"][0]["alertType"], "API_AccessFromSuspiciousIP");

    // Secrets never reach the snapshot.
    let raw = std::fs::read_to_string(&out).unwrap();
    for secret in [
        estate::POLICY_SECRET,
        "propValue",
        "opensesma",
        "<password>",
        "primary-key-must-not-leak",
    ] {
        assert!(!raw.contains(secret), "{secret} is in the snapshot");
    }
    assert!(contoso["namedValues"]
        .as_array()
        .unwrap()
        .iter()
        .all(|nv| nv["properties"].get("value").is_none()));

    // The rules' verdict on it.
    let check = apimguard()
        .args(["check", out.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let report: Value = serde_json::from_slice(&check.stdout).unwrap();
    let rule = support::rule_result(&report, "APIM-DEF-001");
    assert_eq!(rule["status"], "fail");
    let failing: Vec<&str> = rule["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["resource"].as_str().unwrap())
        .collect();
    assert_eq!(failing, [contoso_api_id(OPEN_API)]);
}

/// A service the identity may not read becomes gaps with an actionable message; the
/// snapshot is still written and the exit code is 2.
#[test]
fn forbidden_service_becomes_a_gap_and_exit_2() {
    let internal = estate::service_id("rg-internal", "internal");
    let fake = fake(
        vec![Fault::forbidden("/service/internal/", &internal)],
        None,
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let run = run_against(&fake, TOKEN, &["collect", "-o", out.to_str().unwrap()]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("(incomplete)"), "{stderr}");

    let snapshot = read_json(&out);
    assert_eq!(snapshot["complete"], false);
    let gap = snapshot["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["scope"] == internal && g["what"] == "apis")
        .expect("a gap for the service's APIs");
    let message = gap["error"].as_str().unwrap();
    assert!(
        message.contains("may not `Microsoft.ApiManagement/service/apis/read`")
            && message.contains("assign it Reader"),
        "{message}"
    );
    assert!(
        stderr.contains(message),
        "gaps are listed on stderr: {stderr}"
    );
    assert!(snapshot["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["scope"].as_str().unwrap().starts_with(&internal)));
    assert_eq!(
        service(&snapshot, SERVICE)["apis"]
            .as_array()
            .unwrap()
            .len(),
        9,
        "other services are read in full"
    );

    // `check` refuses the incomplete snapshot unless told otherwise.
    let refused = apimguard()
        .args(["check", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("is incomplete"));
    let allowed = apimguard()
        .args(["check", out.to_str().unwrap(), "--allow-incomplete"])
        .output()
        .unwrap();
    assert_eq!(allowed.status.code(), Some(1));
}

/// The access token never appears in the snapshot, on stdout or stderr (even at -vv),
/// nor in the request log (which records only whether it matched).
#[test]
fn token_canary_never_leaks() {
    let canary = format!(
        "canary-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    );
    let fake = FakeArm::start(
        estate::contoso(),
        Behaviour {
            token: canary.clone(),
            page_size: Some(3),
            faults: vec![
                Fault::throttle("/service/contoso/apis", 1),
                Fault::malformed("/service/contoso/backends"),
            ],
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let collect = run_against(
        &fake,
        &canary,
        &["collect", "-vv", "-o", out.to_str().unwrap()],
    );
    let live = run_against(
        &fake,
        &canary,
        &[
            "check",
            "--live",
            "-vv",
            "--allow-incomplete",
            "--format",
            "json",
        ],
    );
    let to_stdout = run_against(&fake, &canary, &["collect", "-q"]);
    assert!(
        fake.requests().iter().all(|r| r.authorized),
        "the token was sent"
    );
    assert!(
        text(&collect.stderr).contains("GET /subscriptions"),
        "-vv logs requests"
    );

    let snapshot = std::fs::read_to_string(&out).unwrap();
    let outputs = [
        ("snapshot", snapshot),
        ("collect stdout", text(&collect.stdout)),
        ("collect stderr", text(&collect.stderr)),
        ("check --live stdout", text(&live.stdout)),
        ("check --live stderr", text(&live.stderr)),
        ("collect to stdout", text(&to_stdout.stdout)),
        ("collect -q stderr", text(&to_stdout.stderr)),
        ("request log", format!("{:?}", fake.requests())),
    ];
    for (name, output) in &outputs {
        assert!(!output.contains(&canary), "the token leaked into {name}");
        assert!(
            !output.contains("canary-"),
            "part of the token leaked into {name}"
        );
    }
    assert!(
        outputs[5].1.contains("\"schemaVersion\": 1"),
        "without -o the snapshot goes to stdout"
    );
}

/// A token ARM refuses stops the run before anything is written, with advice.
#[test]
fn rejected_token_fails_fast_without_a_snapshot() {
    let fake = fake(Vec::new(), None);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let run = run_against(
        &fake,
        "not-the-token",
        &["collect", "-o", out.to_str().unwrap()],
    );
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr.contains("ARM rejected the credentials") && stderr.contains("401"),
        "{stderr}"
    );
    assert!(!stderr.contains("not-the-token"));
    assert!(!out.exists());
}

/// Malformed JSON and exhausted retries become gaps, never silent passes.
#[test]
fn malformed_answers_and_exhausted_retries_are_gaps() {
    let fake = fake(
        vec![
            Fault::malformed("/service/contoso/backends"),
            Fault::unavailable("/service/contoso/namedvalues", usize::MAX),
        ],
        None,
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let run = run_against(
        &fake,
        TOKEN,
        &["collect", "-o", out.to_str().unwrap(), "--retries", "1"],
    );
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    let snapshot = read_json(&out);
    let error_of = |what: &str| gap_error(&snapshot, what);
    assert!(error_of("backends").contains("unreadable answer: not JSON"));
    assert!(error_of("namedValues").contains("ARM failed (503 ServiceUnavailable"));
    assert!(error_of("namedValues").contains("after 1 retries"));
    let named_value_requests = fake
        .requests()
        .iter()
        .filter(|r| {
            r.path
                .to_ascii_lowercase()
                .ends_with("/service/contoso/namedvalues")
        })
        .count();
    assert_eq!(named_value_requests, 2, "one try and one retry");
}

/// ARM's own example nextLink points at management.azure.com: it is not followed (the
/// token stays on the endpoint), and the list becomes a gap.
#[test]
fn foreign_next_link_is_not_followed() {
    let mut estate = estate::contoso();
    let verbatim = estate::example(
        "Microsoft.Security__2023-11-15__APICollections_ListByAzureApiManagementService_example",
    );
    estate.put(
        &format!("/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Security/apiCollections"),
        verbatim,
    );
    let fake = FakeArm::start(estate, Behaviour::accepting(TOKEN));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let run = run_against(&fake, TOKEN, &["collect", "-o", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    let error = gap_error(&read_json(&out), "apiCollections");
    assert!(
        error.contains("points to another host (management.azure.com)"),
        "{error}"
    );
}

/// A list whose pages link in a circle (A → B → A) is a paging loop: it becomes a
/// gap after the circle closes, not after thousands of requests.
#[test]
fn next_links_in_a_circle_are_a_gap_at_once() {
    let fake = FakeArm::start(estate::contoso(), Behaviour::accepting(TOKEN));
    let first =
        format!("/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Security/apiCollections");
    let second = format!("{first}-next");
    let link = |path: &str| format!("{}{path}?api-version=2023-11-15", fake.url);
    fake.serve(
        &first,
        serde_json::json!({"value": [], "nextLink": link(&second)}),
    );
    fake.serve(
        &second,
        serde_json::json!({"value": [], "nextLink": link(&first)}),
    );
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = support::collect_into(&fake, TOKEN, dir.path(), &[], 2);
    let page_reads = fake
        .requests()
        .iter()
        .filter(|r| {
            r.path
                .to_ascii_lowercase()
                .contains("/microsoft.security/apicollections")
        })
        .count();
    assert!(
        page_reads <= 3,
        "{page_reads} pages read for a two-page circle"
    );
    let error = gap_error(&read_json(&out), "apiCollections");
    assert!(error.contains("paging loop"), "{error}");
}

/// An identity that can list no subscription (no role anywhere, or a role assignment
/// removed) reads nothing: that is a gap (exit 2), never a complete, empty estate that
/// every rule passes.
#[test]
fn no_listable_subscription_is_a_gap() {
    let mut estate = estate::contoso();
    estate.list("/subscriptions", Vec::new());
    let fake = FakeArm::start(estate, Behaviour::accepting(TOKEN));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let run = run_against(&fake, TOKEN, &["collect", "-o", out.to_str().unwrap()]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    let snapshot = read_json(&out);
    assert_eq!(snapshot["complete"], false);
    let gap = &snapshot["gaps"][0];
    assert_eq!(
        (gap["scope"].as_str(), gap["what"].as_str()),
        (Some("/subscriptions"), Some("subscriptions")),
        "{snapshot}"
    );
    assert!(
        gap["error"].as_str().unwrap().contains("no subscription"),
        "{gap}"
    );
    assert_eq!(check_exit(&out), Some(2), "an empty estate is not a pass");
}

/// --subscription, --resource-group and --service narrow what is read, and nothing
/// outside the scope is requested.
#[test]
fn scope_flags_narrow_the_reads() {
    let fake = fake(Vec::new(), None);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let run = run_against(
        &fake,
        TOKEN,
        &[
            "collect",
            "-s",
            SUBSCRIPTION,
            "-g",
            RG,
            "--service",
            SERVICE,
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let snapshot = read_json(&out);
    let services = snapshot["subscriptions"][0]["services"].as_array().unwrap();
    assert_eq!(services.len(), 1);
    assert_eq!(services[0]["name"], SERVICE);
    assert_eq!(snapshot["source"]["scope"]["resourceGroup"], RG);
    let log: Vec<Logged> = fake.requests();
    assert!(!log
        .iter()
        .any(|r| r.path.contains("/service/internal") || r.path.contains("/service/consumption")));
    assert!(
        !log.iter().any(|r| r.path == "/subscriptions"),
        "the named subscription is not listed"
    );
    assert!(log.iter().any(|r| r.path.contains(&format!(
        "/resourceGroups/{RG}/providers/Microsoft.Security/apiCollections"
    ))));
    assert_eq!(
        snapshot["subscriptions"][0]["alerts"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "the alert is about this service"
    );

    let missing = run_against(
        &fake,
        TOKEN,
        &["collect", "-s", SUBSCRIPTION, "--service", "nope", "-q"],
    );
    assert_eq!(missing.status.code(), Some(2));
    let snapshot: Value = serde_json::from_slice(&missing.stdout).unwrap();
    assert!(snapshot["gaps"][0]["error"]
        .as_str()
        .unwrap()
        .contains("no API Management service named `nope`"));
}

/// `check --live` collects in memory and reports like `check` on a file.
#[test]
fn check_live_collects_then_checks() {
    let fake = fake(Vec::new(), Some(50));
    let run = run_against(
        &fake,
        TOKEN,
        &[
            "check",
            "--live",
            "--subscription",
            SUBSCRIPTION,
            "--format",
            "json",
            "-q",
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    let report: Value = serde_json::from_slice(&run.stdout).expect("a JSON report on stdout");
    assert_eq!(report["snapshot"]["path"], "(live collection)");
    assert_eq!(report["snapshot"]["complete"], true);
    let rule = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "APIM-DEF-001")
        .unwrap();
    assert_eq!(rule["findings"][0]["resource"], contoso_api_id(OPEN_API));
    assert_eq!(text(&run.stderr), "", "-q keeps stderr quiet");
}

/// A sovereign cloud (named in any case) is recorded in the snapshot by its name; its
/// ARM endpoint can be overridden.
#[test]
fn sovereign_cloud_is_recorded() {
    let fake = fake(Vec::new(), None);
    let run = run_against(
        &fake,
        TOKEN,
        &[
            "collect",
            "--cloud",
            "azureusgovernment",
            "-q",
            "--service",
            "internal",
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let snapshot: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(snapshot["source"]["cloud"], "AzureUSGovernment");
    assert_eq!(snapshot["source"]["managementEndpoint"], fake.url.as_str());
}

/// Without any credential, the error names what was tried and what to do.
#[test]
fn no_credential_is_a_clear_error() {
    let empty = tempfile::tempdir().unwrap();
    let run = apimguard()
        .args([
            "collect",
            "--auth",
            "azure-cli",
            "--management-endpoint",
            "http://127.0.0.1:9",
        ])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr.contains("Azure CLI failed"), "{stderr}");
    assert!(stderr.contains("docs/authentication.md"), "{stderr}");
}

/// The credential chain end to end: a logged-out Azure CLI is reported with its reason,
/// and the next credential (here the Azure Developer CLI) is used and named at -v.
#[test]
fn failing_credential_is_reported_and_the_chain_moves_on() {
    use std::os::unix::fs::PermissionsExt;
    let tools = tempfile::tempdir().unwrap();
    let script = |name: &str, body: &str| {
        let path = tools.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    script(
        "az",
        "echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1",
    );
    script(
        "azd",
        &format!("echo '{{\"token\": \"{TOKEN}\", \"expiresOn\": \"2099-01-01T00:00:00Z\"}}'"),
    );
    let fake = fake(Vec::new(), None);
    let run = apimguard()
        .args(["collect", "-v", "--service", "internal", "-o", "-"])
        .args(["--management-endpoint", &fake.url])
        .env("PATH", format!("{}:/usr/bin:/bin", tools.path().display()))
        .output()
        .unwrap();
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: Azure CLI failed:") && stderr.contains("Please run 'az login'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("credential: Azure Developer CLI (azd auth login)"),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN) && !text(&run.stdout).contains(TOKEN));
}

/// An identity that can list no subscription (no role assignment, another tenant) has
/// read nothing: a gap, so `check --live` cannot pass an empty estate.
#[test]
fn no_subscription_in_sight_is_a_gap_not_a_pass() {
    let mut nothing = estate::Estate::default();
    nothing.list("/subscriptions", Vec::new());
    let fake = FakeArm::start(
        nothing,
        Behaviour {
            token: TOKEN.into(),
            ..Behaviour::default()
        },
    );
    let run = run_against(&fake, TOKEN, &["check", "--live", "-q"]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the identity can list no subscription"),
        "{stderr}"
    );
}

/// A list ARM answers with a redirect to another server (here a second loopback server
/// serving a doctored list, without asking for a token) is not followed: the list is a
/// gap, the other server receives nothing, no `Referer` is sent, and `check` refuses
/// the incomplete snapshot.
#[test]
fn redirected_list_is_a_gap_not_foreign_data() {
    let apis = format!("{}/apis", estate::service_id(RG, SERVICE));
    let mut doctored = estate::contoso();
    let mut list = doctored.routes[&apis.to_ascii_lowercase()].clone();
    for api in list["value"].as_array_mut().unwrap() {
        api["properties"]["displayName"] = Value::from("Injected");
    }
    doctored.put(&apis, list);
    let foreign = FakeArm::foreign(doctored);
    for status in [301, 302, 303, 307, 308] {
        let fake = fake(
            vec![Fault::redirect(
                &format!("/service/{SERVICE}/apis"),
                status,
                format!("{}{apis}?api-version=2024-05-01", foreign.url),
            )],
            None,
        );
        let (_dir, out, snapshot) = collect_with_gaps(&fake, &[]);
        let error = gap_error(&snapshot, "apis");
        assert!(
            error.contains(&format!("ARM answered {status}, a redirect to 127.0.0.1"))
                && error.contains("never followed"),
            "{error}"
        );
        assert!(!snapshot.to_string().contains("Injected"));
        assert!(foreign.requests().is_empty(), "{:#?}", foreign.requests());
        assert!(fake.requests().iter().all(|r| r.referer.is_none()));
        assert_eq!(
            check_exit(&out),
            Some(2),
            "an incomplete snapshot is refused"
        );
    }
}

/// `collect` with the Azure Pipelines workload identity, its OIDC endpoint at `/oidc`
/// of `fake`.
fn pipelines_oidc(fake: &FakeArm) -> std::process::Command {
    let mut command = apimguard();
    command
        .args(["collect", "-q", "--auth", "workload-identity"])
        .args(["--management-endpoint", &fake.url])
        .env("SYSTEM_OIDCREQUESTURI", format!("{}/oidc", fake.url))
        .env("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "connection-1")
        .env(
            "AZURESUBSCRIPTION_CLIENT_ID",
            "11111111-2222-4333-8444-555555555555",
        )
        .env("AZURESUBSCRIPTION_TENANT_ID", estate::TENANT)
        .env("SYSTEM_ACCESSTOKEN", TOKEN);
    command
}

/// An identity endpoint that answers with a redirect (here Azure Pipelines' OIDC
/// endpoint, reached through the identity library's transport) is a credential error:
/// the redirect is not followed, so the pipeline's access token goes nowhere else.
#[test]
fn redirected_identity_endpoint_is_a_credential_error() {
    let foreign = FakeArm::foreign(estate::contoso());
    let fake = fake(
        vec![Fault::redirect(
            "/oidc",
            302,
            format!("{}/oidc-elsewhere", foreign.url),
        )],
        None,
    );
    let run = pipelines_oidc(&fake).output().unwrap();
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("workload identity failed") && stderr.contains("302"),
        "{stderr}"
    );
    assert!(text(&run.stdout).is_empty(), "no snapshot");
    let oidc: Vec<u16> = fake
        .requests()
        .iter()
        .filter(|r| r.path == "/oidc")
        .map(|r| r.status)
        .collect();
    assert_eq!(oidc, [302], "the OIDC endpoint was asked once");
    assert!(foreign.requests().is_empty(), "{:#?}", foreign.requests());
}

/// Ids in ARM's answers become the paths of the reads that follow (an API's policy and
/// operations): an id that climbs out of its list (`..`, encoded or not), names another
/// service's API, or holds a separator is a gap naming it, and no request goes to a path
/// the answer steered. The snapshot is incomplete, so `check` exits 2.
#[test]
fn ids_in_answers_cannot_steer_requests() {
    let service = estate::service_id(RG, SERVICE);
    let other = estate::service_id(RG, "other-service");
    let hostile = [
        format!("{service}/apis/../../../../../../../../rg-x"),
        format!("{service}/apis/..%2F..%2F..%2Frg-x"),
        format!("{other}/apis/stolen"),
        format!("{service}/apis/echo/../../../../rg-x"),
        format!("{service}/apis/{}", "\u{ff0e}\u{ff0e}"),
    ];
    let value: Vec<Value> = hostile
        .iter()
        .map(|id| serde_json::json!({"id": id, "name": "x", "properties": {"path": "x", "isCurrent": true}}))
        .collect();
    let fake = fake(
        vec![Fault::always(
            &format!("/service/{SERVICE}/apis"),
            FaultKind::Canned {
                status: 200,
                headers: vec![("Content-Type", "application/json".to_string())],
                body: serde_json::json!({ "value": value }).to_string(),
            },
        )],
        None,
    );
    let (_dir, out, snapshot) = collect_with_gaps(&fake, &[]);
    let gaps = snapshot["gaps"].to_string();
    for id in ["rg-x", "other-service/apis/stolen", "..%2F"] {
        assert!(gaps.contains(id), "no gap names {id}: {gaps}");
    }
    for request in fake.requests() {
        let path = request.path.to_ascii_lowercase();
        assert!(
            !path.contains("rg-x") && !path.contains("other-service") && !path.contains("%2f"),
            "a request went to {}",
            request.path
        );
    }
    assert_eq!(check_exit(&out), Some(2));
}

/// An identity endpoint whose answer has no end, or announces a huge one (the Azure
/// Pipelines OIDC exchange, read by the identity library, and GitHub's, read by
/// apimguard), is a credential error naming the 1 MiB cap: the answer is not read to
/// its end, and no snapshot is written.
#[test]
fn endless_identity_answers_stop_at_their_cap() {
    for kind in [FaultKind::EndlessBody, FaultKind::HugeLength(1 << 40)] {
        let fake = fake(vec![Fault::always("/oidc", kind.clone())], None);
        let pipelines = pipelines_oidc(&fake);
        let mut github = apimguard();
        github
            .args(["collect", "-q", "--auth", "workload-identity"])
            .args(["--management-endpoint", &fake.url])
            .env("ACTIONS_ID_TOKEN_REQUEST_URL", format!("{}/oidc", fake.url))
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", TOKEN)
            .env("AZURE_CLIENT_ID", "11111111-2222-4333-8444-555555555555")
            .env("AZURE_TENANT_ID", estate::TENANT);
        for mut command in [pipelines, github] {
            let run = command.output().unwrap();
            let stderr = text(&run.stderr);
            assert_eq!(run.status.code(), Some(2), "{kind:?}: {stderr}");
            assert!(
                stderr.contains("workload identity failed")
                    && stderr.contains("larger than 1024 KiB"),
                "{kind:?}: {stderr}"
            );
            assert!(text(&run.stdout).is_empty(), "no snapshot");
        }
    }
}

/// A list whose same-host `nextLink` chain never ends (the subscription's API
/// collections, empty pages without end) stops at `--max-pages` with a gap naming the
/// bound; with the page cap out of reach, `--deadline` ends it: what is not read by then
/// is a gap, and the snapshot is never complete.
#[test]
fn endless_next_link_chain_ends_at_the_page_cap_or_the_deadline() {
    let collections =
        format!("/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Security/apiCollections");
    let endless = || {
        fake(
            vec![Fault::always(&collections, FaultKind::EndlessPages)],
            None,
        )
    };
    let capped = endless();
    let (_dir, _, snapshot) = collect_with_gaps(&capped, &["--max-pages", "25"]);
    let error = gap_error(&snapshot, "apiCollections");
    assert!(
        error.contains("did not end after 25 pages (--max-pages)"),
        "{error}"
    );
    let pages = capped
        .requests()
        .iter()
        .filter(|r| r.path.eq_ignore_ascii_case(&collections))
        .count();
    assert_eq!(pages, 25);

    let (_dir, _, snapshot) = collect_with_gaps(&endless(), &["--deadline", "3s"]);
    let error = gap_error(&snapshot, "apiCollections");
    assert!(
        error.contains("--deadline (3 s) passed before this was read"),
        "{error}"
    );
}

/// An answer body without end, or announcing a terabyte, stops at
/// `--max-response-size`: a gap naming the path (never the query) and the bound.
#[test]
fn endless_and_huge_bodies_stop_at_the_size_cap() {
    let service = estate::service_id(RG, SERVICE);
    let fake = fake(
        vec![
            Fault::always(&format!("{service}/backends"), FaultKind::EndlessBody),
            Fault::always(
                &format!("{service}/namedValues"),
                FaultKind::HugeLength(1 << 40),
            ),
        ],
        None,
    );
    let (_dir, _, snapshot) = collect_with_gaps(&fake, &["--max-response-size", "1MiB"]);
    for (what, path) in [("backends", "backends"), ("namedValues", "namedValues")] {
        let error = gap_error(&snapshot, what);
        assert!(
            error.contains(&format!(
                "the answer to {service}/{path} is larger than --max-response-size (1 MiB)"
            )),
            "{error}"
        );
        assert!(!error.contains("api-version"), "{error}");
    }
    let tries = fake
        .requests()
        .iter()
        .filter(|r| r.path == format!("{service}/backends"))
        .count();
    assert_eq!(tries, 1, "a body over the bound is not retried");
}

/// An access token that cannot travel in an HTTP header (a control character, a line
/// break, a space, a non-ASCII character) is a credential error at once: exit 2, the
/// token never printed, no request sent, no snapshot written.
#[test]
fn a_token_that_is_not_a_bearer_token_fails_at_once() {
    let fake = fake(Vec::new(), None);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    for token in [
        "canary\u{1}secret",
        "canary\nsecret",
        "canary\r\nX-Injected: 1",
        "canary secret",
        "canary\u{7f}secret",
        "canarŷsecret",
        "canary\"secret",
    ] {
        let run = run_against(&fake, token, &["collect", "-o", out.to_str().unwrap()]);
        let stderr = text(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{token:?}: {stderr}");
        assert!(
            stderr.contains("APIMGUARD_ACCESS_TOKEN failed: the token is not a bearer token"),
            "{token:?}: {stderr}"
        );
        assert!(
            !stderr.contains("canary"),
            "{token:?}: the token leaked: {stderr}"
        );
        assert!(!out.exists());
    }
    assert!(fake.requests().is_empty(), "{:#?}", fake.requests());
}

/// `--cloud` and `--auth` take only the names they know (any case); `AZURE_CLOUD` and
/// `APIMGUARD_AUTH` stand in for them when they are not given, are read only by a run
/// that connects, and a bad value there is the same located error.
#[test]
fn cloud_and_auth_names_from_flags_and_variables() {
    for (flag, value) in [("--cloud", "mars"), ("--auth", "no-such-credential")] {
        let run = apimguard()
            .args([
                "collect",
                flag,
                value,
                "--management-endpoint",
                "http://127.0.0.1:9",
            ])
            .output()
            .unwrap();
        let stderr = text(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("invalid value '{value}' for '{flag}")),
            "{stderr}"
        );
        assert!(stderr.contains("possible values"), "{stderr}");
    }
    for (variable, value, message) in [
        (
            "AZURE_CLOUD",
            "mars",
            "--cloud (AZURE_CLOUD): unknown cloud `mars`",
        ),
        (
            "APIMGUARD_AUTH",
            "nope",
            "--auth (APIMGUARD_AUTH): unknown credential `nope`",
        ),
    ] {
        let run = apimguard()
            .env(variable, value)
            .args(["collect", "--management-endpoint", "http://127.0.0.1:9"])
            .output()
            .unwrap();
        let stderr = text(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("apimguard::collect::value"), "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
        // A run that does not connect does not read them.
        let run = apimguard()
            .env(variable, value)
            .args(["check", "fixtures/check/small.json", "--fail-on", "never"])
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    }
}
