//! Secrets stay out of snapshots and reports: what `collect` writes from ARM answers that
//! carry credentials in every kind of place, what `check` shows for a hand-made
//! snapshot that carries them in clear, and what IaC files turn into. Where a credential
//! was is reported (APIM-SEC-004 for URLs, APIM-POL-006 for policies), never its value.

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::estate::{self, ECHO_API, RG, SERVICE};
use support::fake_arm::{Behaviour, FakeArm};
use support::{apimguard, run_against, text};

const TOKEN: &str = "test-token";

/// Every planted secret starts with this, so one search finds them all.
const PLANTED: &str = "PLANTED";

fn contoso_path(below: &str) -> String {
    format!("{}{below}", estate::service_id(RG, SERVICE))
}

/// The items of a list route of `estate`.
fn list<'a>(estate: &'a mut estate::Estate, path: &str) -> &'a mut Vec<Value> {
    estate
        .routes
        .get_mut(&path.to_ascii_lowercase())
        .and_then(|body| body["value"].as_array_mut())
        .unwrap_or_else(|| panic!("no list at {path}"))
}

fn policy_contract(scope: &str, xml: &str) -> Value {
    json!({"id": format!("{scope}/policies/policy"), "type": "Microsoft.ApiManagement/service/apis/policies",
           "name": "policy", "properties": {"format": "rawxml", "value": xml}})
}

/// The findings of rule `id` in a JSON report: (resource, message).
fn findings(report: &Value, id: &str) -> Vec<(String, String)> {
    support::findings_of(support::rule_result(report, id))
}

fn assert_no_secret(what: &str, content: &str) {
    if let Some(at) = content.find(PLANTED) {
        let start = content[..at]
            .char_indices()
            .rev()
            .nth(120)
            .map_or(0, |(i, _)| i);
        panic!(
            "a planted secret is in {what}: …{}…",
            &content[start..(at + 40).min(content.len())]
        );
    }
}

/// The Contoso estate with credentials where ARM answers and policies may carry them:
/// an API's serviceUrl, a backend's URL and proxy, a kind of setting nobody reads
/// (a logger's connection string under the service's properties), and an API policy
/// with a form body, a JSON body, a C# expression and variables.
fn estate_with_credentials() -> estate::Estate {
    let mut e = estate::contoso();
    let apis = list(&mut e, &contoso_path("/apis"));
    let echo = apis.iter_mut().find(|a| a["name"] == ECHO_API).unwrap();
    echo["properties"]["serviceUrl"] = json!(format!(
        "https://echo-fn.azurewebsites.net/api/echo?code={PLANTED}-FUNCTION-KEY&api-version=2024-05-01&clientId=default"
    ));
    let backends = list(&mut e, &contoso_path("/backends"));
    backends[0]["properties"]["url"] = json!(format!(
        "https://svc:{PLANTED}-BACKEND-PASSWORD@backend.contoso.com/api?sv=2022-11-02&sp=r&sig={PLANTED}-SAS"
    ));
    backends[0]["properties"]["proxy"]["url"] =
        json!(format!("http://admin:{PLANTED}-PROXY@192.168.1.1:8080"));
    let service = e
        .routes
        .get_mut(&contoso_path("").to_ascii_lowercase())
        .unwrap();
    service["properties"]["diagnosticsSink"] = json!({
        "loggerType": "applicationInsights",
        "credentials": {"instrumentationKey": format!("{PLANTED}-IKEY"),
                        "connectionString": format!("InstrumentationKey={PLANTED}-IKEY2;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/")}
    });
    let echo_id = contoso_path(&format!("/apis/{ECHO_API}"));
    let xml = format!(
        r#"<policies>
  <inbound>
    <base />
    <set-variable name="pwd" value="{PLANTED}-VARIABLE" />
    <set-variable name="password-policy" value="strict" />
    <send-request mode="new" response-variable-name="token" timeout="20">
      <set-url>https://login.microsoftonline.com/contoso/oauth2/v2.0/token</set-url>
      <set-method>POST</set-method>
      <set-body>client_id=app&amp;client_secret={PLANTED}-FORM&amp;grant_type=client_credentials</set-body>
    </send-request>
    <send-request mode="new" response-variable-name="token2">
      <set-url>https://idp.example/token</set-url>
      <set-body>{{"client_id": "app", "client_secret": "{PLANTED}-JSON"}}</set-body>
    </send-request>
    <send-request mode="new" response-variable-name="token3">
      <set-url>https://idp.example/token</set-url>
      <set-body>@{{ return new JObject(new JProperty("client_secret", "{PLANTED}-EXPRESSION"), new JProperty("grant_type", "client_credentials")).ToString(); }}</set-body>
    </send-request>
    <set-header name="X-Api-Key" exists-action="override"><value>@("{PLANTED}-HEADER")</value></set-header>
  </inbound>
</policies>"#
    );
    e.put(
        &format!("{echo_id}/policies/policy"),
        policy_contract(&echo_id, &xml),
    );
    e
}

#[test]
fn collect_keeps_where_credentials_are_never_what_they_are() {
    let fake = FakeArm::start(estate_with_credentials(), Behaviour::accepting(TOKEN));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let run = run_against(&fake, TOKEN, &["collect", "-o", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_no_secret("collect's standard error", &text(&run.stderr));
    let raw = std::fs::read_to_string(&out).unwrap();
    assert_no_secret("the snapshot", &raw);

    // Ordinary parameters and settings are kept as they were.
    for kept in [
        "api-version=2024-05-01&clientId=default",
        "?sv=2022-11-02&sp=r&sig=[redacted]",
        "https://svc:[redacted]@backend.contoso.com/api",
        "IngestionEndpoint=https://westeurope-5",
        "\"value\": \"strict\"",
        "client_id=app&client_secret=[redacted]&grant_type=client_credentials",
    ] {
        assert!(
            raw.contains(kept) || kept.contains("IngestionEndpoint"),
            "{kept} is kept"
        );
    }

    let snapshot: Value = serde_json::from_str(&raw).unwrap();
    let contoso = snapshot["subscriptions"][0]["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == SERVICE)
        .unwrap();
    let urls: Vec<(String, String)> = contoso["credentialsInUrls"]
        .as_array()
        .expect("credentialsInUrls")
        .iter()
        .map(|c| {
            let resource = c["resource"].as_str().unwrap();
            let last = resource.rsplit('/').next().unwrap();
            (
                format!("{last} {}", c["path"].as_str().unwrap()),
                c["parameter"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let backend = contoso["backends"][0]["name"].as_str().unwrap();
    for expected in [
        (format!("{ECHO_API} properties/serviceUrl"), "code"),
        (format!("{backend} properties/url"), "userinfo"),
        (format!("{backend} properties/url"), "sig"),
        (format!("{backend} properties/proxy/url"), "userinfo"),
    ] {
        assert!(
            urls.contains(&(expected.0.clone(), expected.1.to_string())),
            "{expected:?} in {urls:?}"
        );
    }
    let echo = contoso["apis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == ECHO_API)
        .unwrap();
    assert_eq!(
        echo["policy"]["literalCredentials"],
        json!([
            {"element": "set-variable", "name": "pwd", "expression": false},
            {"element": "set-body", "name": "client_secret", "expression": false},
            {"element": "set-body", "name": "client_secret", "expression": true},
            {"element": "set-header", "name": "X-Api-Key", "expression": true},
        ])
    );

    // The rules report them; no report shows a value.
    let check = apimguard()
        .args(["check", out.to_str().unwrap(), "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let stdout = text(&check.stdout);
    assert_no_secret("the report", &stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let in_urls = findings(&report, "APIM-SEC-004");
    assert!(
        in_urls
            .iter()
            .any(|(r, m)| r.ends_with(&format!("/apis/{ECHO_API}"))
                && m.contains(r#"query parameter "code""#)),
        "{in_urls:?}"
    );
    assert!(
        in_urls
            .iter()
            .any(|(r, m)| r.ends_with(&format!("/backends/{backend}"))
                && m.contains("user:password@")
                && m.contains(r#"query parameter "sig""#)),
        "{in_urls:?}"
    );
    let literal = findings(&report, "APIM-POL-006");
    assert!(
        literal
            .iter()
            .any(|(r, m)| r.ends_with(&format!("/apis/{ECHO_API}"))
                && m.contains(r#"set-body has a literal "client_secret" in a policy expression"#)
                && m.contains(r#"set-variable has a literal "pwd""#)),
        "{literal:?}"
    );
}

/// A snapshot written by hand (or by an older version, or by someone hostile): secrets
/// in clear, no facts about them.
fn hand_made_snapshot(dir: &Path) -> std::path::PathBuf {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/snapshot.json");
    let mut snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(demo).unwrap()).unwrap();
    let services = snapshot["subscriptions"][0]["services"]
        .as_array_mut()
        .unwrap();
    for service in services.iter_mut() {
        if let Some(map) = service.as_object_mut() {
            map.remove("credentialsInUrls");
        }
    }
    let func = services
        .iter_mut()
        .find(|s| s["name"] == "apim-contoso-func")
        .unwrap();
    func["apis"][0]["properties"]["serviceUrl"] = json!(format!(
        "https://func-contoso-hooks.azurewebsites.net/api?code={PLANTED}-1&clientId=default"
    ));
    // A kind of object this version does not know, and a named value with its value.
    func["loggers"] = json!([{"id": "/subscriptions/x/loggers/ai", "name": "ai", "properties": {
        "credentials": {"instrumentationKey": format!("{PLANTED}-2"),
                        "connectionString": format!("InstrumentationKey={PLANTED}-3;IngestionEndpoint=https://ingest.example/")}}}]);
    func["namedValues"] = json!([{"id": "/subscriptions/x/namedValues/k", "name": "k",
        "properties": {"displayName": "k", "secret": true, "value": format!("{PLANTED}-4")}}]);
    // A plain-HTTP backend URL (APIM-API-002 prints it) with a password and a key.
    let prod = services
        .iter_mut()
        .find(|s| s["name"] == "apim-contoso-prod")
        .unwrap();
    prod["apis"][0]["properties"]["serviceUrl"] = json!(format!(
        "http://svc:{PLANTED}-5@legacy.contoso.com/api?key={PLANTED}-6&page=1"
    ));
    // A policy literal, and a list of credentials that says there is none.
    let api = &mut prod["apis"][1];
    api["policy"] = json!({"inbound": [{"name": "set-header", "attributes": {"name": "Authorization", "exists-action": "override"},
        "children": [{"name": "value", "attributes": {}, "children": [], "text": format!("Basic {PLANTED}-7")}]}],
        "backend": null, "outbound": null, "onError": null, "fragments": [], "literalCredentials": []});
    let path = dir.join("hand-made.json");
    std::fs::write(&path, serde_json::to_string(&snapshot).unwrap()).unwrap();
    path
}

#[test]
fn check_shows_no_secret_a_hand_made_snapshot_carries_and_still_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = hand_made_snapshot(dir.path());
    let out = |name: &str| dir.path().join(name);
    let run = apimguard()
        .arg("check")
        .arg(&snapshot)
        .args(["--profile", "strict", "-f", "human"])
        .arg("-f")
        .arg(format!("json:{}", out("r.json").display()))
        .arg("-f")
        .arg(format!("sarif:{}", out("r.sarif").display()))
        .arg("-f")
        .arg(format!("html:{}", out("r.html").display()))
        .arg("-f")
        .arg(format!("markdown:{}", out("r.md").display()))
        .arg("-f")
        .arg(format!("junit:{}", out("r.xml").display()))
        .args(["--include-passing"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    assert_no_secret("the human report", &text(&run.stdout));
    assert_no_secret("standard error", &text(&run.stderr));
    for name in ["r.json", "r.sarif", "r.html", "r.md", "r.xml"] {
        assert_no_secret(name, &std::fs::read_to_string(out(name)).unwrap());
    }

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out("r.json")).unwrap()).unwrap();
    let in_urls = findings(&report, "APIM-SEC-004");
    assert!(
        in_urls
            .iter()
            .any(|(r, _)| r.ends_with("/apim-contoso-func/apis/func-webhooks")),
        "the fact is worked out again: {in_urls:?}"
    );
    assert!(
        in_urls
            .iter()
            .any(|(r, m)| r == "/subscriptions/x/loggers/ai" || m.contains("userinfo"))
            || in_urls.len() >= 2,
        "{in_urls:?}"
    );
    let plain = findings(&report, "APIM-API-002");
    assert!(
        plain.iter().any(|(_, m)| m
            .ends_with("http://svc:[redacted]@legacy.contoso.com/api?key=[redacted]&page=1")),
        "the rule still shows the URL, without its secrets: {plain:?}"
    );
    let literal = findings(&report, "APIM-POL-006");
    assert!(
        literal.iter().any(
            |(_, m)| m.contains(r#"set-header has a literal "Authorization""#)
                && m.contains("apim-contoso-prod")
        ),
        "an empty list in the file does not hide the literal: {literal:?}"
    );

    // `diff` reads snapshots through the same door.
    let diffed = apimguard()
        .arg("diff")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/snapshot.json"))
        .arg(&snapshot)
        .output()
        .unwrap();
    assert!(diffed.status.code().is_some(), "{}", text(&diffed.stderr));
    assert_no_secret("diff's output", &text(&diffed.stdout));
    assert!(
        text(&diffed.stdout).contains("APIM-SEC-004"),
        "{}",
        text(&diffed.stdout)
    );
}

#[test]
fn an_incomplete_snapshot_lists_its_gaps_without_their_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let path = hand_made_snapshot(dir.path());
    let mut snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    snapshot["complete"] = json!(false);
    snapshot["gaps"] = json!([{"scope": "/subscriptions/x", "what": "apis",
        "error": format!("GET https://management.example/x?api-version=1&sig={PLANTED}-8 failed: 500")}]);
    std::fs::write(&path, snapshot.to_string()).unwrap();
    let run = apimguard().arg("check").arg(&path).output().unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    let stderr = text(&run.stderr);
    assert!(stderr.contains("sig=[redacted] failed: 500"), "{stderr}");
    assert_no_secret("the incomplete-snapshot error", &stderr);
    let allowed = apimguard()
        .arg("check")
        .arg(&path)
        .args(["--allow-incomplete", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(allowed.status.code(), Some(1), "{}", text(&allowed.stderr));
    assert_no_secret(
        "the report of an incomplete snapshot",
        &text(&allowed.stdout),
    );
}

#[test]
fn iac_files_keep_where_credentials_are_and_point_at_their_line() {
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/iac/arm/credentials.json");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let collected = apimguard()
        .args(["collect", "--from-arm"])
        .arg(&template)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        collected.status.code(),
        Some(0),
        "{}",
        text(&collected.stderr)
    );
    assert_no_secret("the IaC snapshot", &std::fs::read_to_string(&out).unwrap());

    let check = apimguard()
        .args(["check", "--from-arm"])
        .arg(&template)
        .args(["-f", "json", "-f"])
        .arg(format!("sarif:{}", dir.path().join("r.sarif").display()))
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let stdout = text(&check.stdout);
    assert_no_secret("the IaC report", &stdout);
    assert_no_secret(
        "the IaC SARIF",
        &std::fs::read_to_string(dir.path().join("r.sarif")).unwrap(),
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let rule = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "APIM-SEC-004")
        .unwrap();
    let finding = &rule["findings"][0];
    assert!(
        finding["resource"]
            .as_str()
            .unwrap()
            .ends_with("/apis/orders"),
        "{finding}"
    );
    let text_of_template = std::fs::read_to_string(&template).unwrap();
    let line = text_of_template
        .lines()
        .position(|l| l.contains("\"serviceUrl\""))
        .unwrap()
        + 1;
    assert_eq!(finding["location"]["line"], line, "{finding}");
    let literal = findings(&report, "APIM-POL-006");
    assert!(
        literal
            .iter()
            .any(|(_, m)| m
                .contains(r#"set-body has a literal "client_secret" in a policy expression"#)),
        "{literal:?}"
    );
}

#[test]
fn diff_shows_no_secret_an_older_report_carries() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/snapshot.json");
    let checked = apimguard()
        .arg("check")
        .arg(&demo)
        .args(["-f", "json", "--fail-on", "never"])
        .output()
        .unwrap();
    let mut report: Value = serde_json::from_slice(&checked.stdout).unwrap();
    // An older apimguard printed backend URLs as they were.
    let finding = report["results"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find_map(|r| r["findings"].as_array_mut().filter(|f| !f.is_empty()))
        .unwrap();
    // A resource the new run no longer has: its finding is listed as resolved, message
    // and all.
    finding[0]["resource"] = json!(
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/gone/apis/orders"
    );
    finding[0]["message"] = json!(format!(
        "calls https://orders-fn.azurewebsites.net/api?code={PLANTED}-10&clientId=default"
    ));
    let old = dir.path().join("old.json");
    std::fs::write(&old, report.to_string()).unwrap();
    for format in ["human", "json", "markdown"] {
        let run = apimguard()
            .arg("diff")
            .arg(&old)
            .arg(&demo)
            .args(["-f", format])
            .output()
            .unwrap();
        assert!(
            run.status.code().is_some_and(|c| c < 2),
            "{}",
            text(&run.stderr)
        );
        let stdout = text(&run.stdout);
        assert!(
            stdout.contains("clientId=default"),
            "the resolved finding is shown: {stdout}"
        );
        assert_no_secret(&format!("diff's {format} output"), &stdout);
    }
}

#[test]
fn an_error_in_a_snapshot_shows_no_secret_near_its_spot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    // One minified line: the excerpt and the parser's message both come from it.
    let snapshot = format!(
        r#"{{"schemaVersion":1,"collectedAt":"2026-01-01T00:00:00Z","source":{{"kind":"fixture"}},"complete":true,"gaps":[],"subscriptions":[{{"subscriptionId":"s","defenderForApis":null,"recommendations":[],"alerts":[],"services":[{{"id":"/s/svc","name":"svc","properties":{{"password":"{PLANTED}-11","url":"https://u:{PLANTED}-12@h/?sig={PLANTED}-13"}},"sku":"https://x/?code={PLANTED}-14"}}]}}]}}"#
    );
    std::fs::write(&path, snapshot).unwrap();
    let run = apimguard().arg("check").arg(&path).output().unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    let stderr = text(&run.stderr);
    assert!(stderr.contains("sku"), "the error is about sku: {stderr}");
    assert_no_secret("the error", &stderr);
}

/// The demo snapshot as JSON, to edit into a hand-made one.
fn demo_json() -> Value {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/snapshot.json");
    serde_json::from_str(&std::fs::read_to_string(demo).unwrap()).unwrap()
}

/// A user rule that shows in its messages whatever its query reads from each service.
fn showing_rule(dir: &Path, id: &str, query: &str) -> std::path::PathBuf {
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    let package = id.to_lowercase().replace('-', "_");
    std::fs::write(
        rules.join(format!("{package}.rego")),
        format!(
            r#"# METADATA
# title: Shows what it reads
# custom:
#   id: {id}
#   severity: low
package custom.{package}

import rego.v1

checked contains svc.id if {{
	some sub in input.subscriptions
	some svc in sub.services
}}

deny contains {{"resource": svc.id, "message": sprintf("%v", [shown])}} if {{
	some sub in input.subscriptions
	some svc in sub.services
	shown := {query}
}}
"#
        ),
    )
    .unwrap();
    rules
}

/// Runs `check` on `snapshot` with the rules of `rules` only, as JSON; returns the exit
/// code, the report and standard error.
fn check_with_rules(snapshot: &Path, rules: &Path) -> (Option<i32>, Value, String) {
    let run = apimguard()
        .arg("check")
        .arg(snapshot)
        .arg("--no-builtin")
        .arg("-p")
        .arg(rules)
        .args(["-f", "json"])
        .output()
        .unwrap();
    let stderr = text(&run.stderr);
    let report = serde_json::from_slice(&run.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (run.status.code(), report, stderr)
}

#[test]
fn effective_policies_of_a_hand_made_snapshot_show_no_secret_and_list_their_literals() {
    let dir = tempfile::tempdir().unwrap();
    let mut snapshot = demo_json();
    let service = &mut snapshot["subscriptions"][0]["services"][0];
    let element = |name: &str,
                   depth: u32,
                   parent: Option<&str>,
                   attributes: Value,
                   text: Option<String>| {
        let mut e = json!({"name": name, "scope": "api", "depth": depth, "conditional": false, "attributes": attributes});
        if let Some(parent) = parent {
            e["parent"] = json!(parent);
        }
        if let Some(text) = text {
            e["text"] = json!(text);
        }
        e
    };
    // Flat sections, as effective policies hold them: a `<value>` follows its
    // `set-header`, one level deeper; a forged list says there is no literal.
    service["effectivePolicies"]["hostile"] = json!({
        "inbound": [
            element("set-header", 0, None, json!({"name": "Authorization", "exists-action": "override"}), None),
            element("value", 1, Some("set-header"), json!({}), Some(format!("Basic {PLANTED}-20"))),
            element("set-variable", 0, None, json!({"name": "pwd", "value": format!("{PLANTED}-21")}), None),
            element("authentication-basic", 0, None, json!({"username": "u", "password": format!("{PLANTED}-22")}), None),
            element("choose", 0, None, json!({}), None),
            element("when", 3, Some("choose"), json!({"condition": "@(true)"}), None),
            element("set-header", 7, Some("when"), json!({"name": "x-api-key"}), None),
            element("value", 8, Some("set-header"), json!({}), Some(format!("{PLANTED}-23"))),
            element("send-request", 0, None, json!({"mode": "new"}), None),
            element("set-body", 1, Some("send-request"), json!({}),
                Some(format!("@{{ return new JObject(new JProperty(\"client_secret\", \"{PLANTED}-24\")).ToString(); }}"))),
        ],
        "backend": [], "outbound": [], "onError": [],
        "literalCredentials": [],
    });
    let path = dir.path().join("hand-made.json");
    std::fs::write(&path, snapshot.to_string()).unwrap();

    let rules = showing_rule(
        dir.path(),
        "USR-EFF-001",
        r#"[p | some p in object.get(svc, "effectivePolicies", {})]"#,
    );
    let (code, report, stderr) = check_with_rules(&path, &rules);
    assert_eq!(code, Some(1), "{stderr}");
    assert_no_secret("the report", &report.to_string());
    assert_no_secret("standard error", &stderr);

    let rules = showing_rule(
        dir.path(),
        "USR-EFF-002",
        r#"[sprintf("%s %s %v", [c.element, c.name, c.expression]) | some c in svc.effectivePolicies.hostile.literalCredentials]"#,
    );
    let (_, report, stderr) = check_with_rules(&path, &rules);
    let listed = findings(&report, "USR-EFF-002");
    let shown: Vec<&String> = listed
        .iter()
        .map(|(_, m)| m)
        .filter(|m| *m != "[]")
        .collect();
    let [message] = &shown[..] else {
        panic!("one service has the policy: {listed:?} {stderr}");
    };
    for literal in [
        "set-header Authorization false",
        "set-variable pwd false",
        "authentication-basic password false",
        "set-header x-api-key false",
        "set-body client_secret true",
    ] {
        assert!(message.contains(literal), "{literal}: {message}");
    }
}

#[test]
fn named_values_are_judged_like_credentials_by_their_words_never_by_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let mut snapshot = demo_json();
    let service = &mut snapshot["subscriptions"][0]["services"][0];
    let id = |name: &str| format!("/subscriptions/x/namedValues/{name}");
    let names = [
        "bypass",
        "passport",
        "compass",
        "kansas-region",
        "password",
        "api-key",
        "ClientSecret2",
        "db-pwd-prod",
    ];
    service["namedValues"] = Value::Array(
        names
            .iter()
            .map(|n| json!({"id": id(n), "name": n, "properties": {"displayName": n, "secret": false}}))
            .collect(),
    );
    // A forged fact: the harmless names listed, the credentials left out.
    service["credentialNamedValues"] = json!([{"id": id("bypass"), "word": "bypass"}]);
    let path = dir.path().join("hand-made.json");
    std::fs::write(&path, snapshot.to_string()).unwrap();

    let run = apimguard()
        .arg("check")
        .arg(&path)
        .args(["-f", "json", "--fail-on", "never"])
        .output()
        .unwrap();
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    let mut flagged: Vec<String> = findings(&report, "APIM-SEC-002")
        .into_iter()
        .filter_map(|(r, _)| {
            r.strip_prefix("/subscriptions/x/namedValues/")
                .map(str::to_string)
        })
        .collect();
    flagged.sort();
    assert_eq!(
        flagged,
        ["ClientSecret2", "api-key", "db-pwd-prod", "password"],
        "{stderr}"
    );
}
