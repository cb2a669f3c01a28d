//! Call paths: each product an API is in and its own scope, the effective policy on
//! each, and the authentication verdict over all of them (an open product opens a
//! keyed API), read from an ARM template through the real binary.

mod support;

use serde_json::Value;
use support::{apimguard, text};

const OPEN_PRODUCT: &str = "fixtures/iac/arm/open-product.json";

fn run(args: &[&str]) -> (Value, i32, String) {
    let out = apimguard()
        .env("APIMGUARD_COLLECTED_AT", "2026-01-31T00:00:00Z")
        .args(args)
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stderr}"));
    (json, out.status.code().unwrap(), stderr)
}

fn api<'a>(snapshot: &'a Value, name: &str) -> &'a Value {
    snapshot["subscriptions"][0]["services"][0]["apis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no API {name}"))
}

/// (product, subscriptionRequired, auth) of each call path of an API.
fn paths(api: &Value) -> Vec<(Value, Value, String)> {
    api["callPaths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["product"].clone(),
                p["subscriptionRequired"].clone(),
                p["auth"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn an_open_product_lets_keyless_calls_reach_an_api_that_requires_a_key() {
    let (snapshot, code, stderr) = run(&["collect", "--from-arm", OPEN_PRODUCT]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(snapshot["schemaMinor"], apimguard::snapshot::SCHEMA_MINOR);
    assert!(
        snapshot["schemaFeatures"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("callPaths")),
        "{}",
        snapshot["schemaFeatures"]
    );

    let orders = api(&snapshot, "orders");
    assert_eq!(orders["subscriptionRequired"], true);
    assert_eq!(
        paths(orders),
        [
            ("free".into(), false.into(), "unauthenticated".into()),
            ("gold".into(), true.into(), "authenticated".into()),
        ]
    );
    assert_eq!(orders["auth"]["effective"], "unauthenticated");
    assert_eq!(orders["auth"]["subscriptionKey"], false);
    assert_eq!(
        orders["auth"]["openPaths"],
        serde_json::json!(["product \"free\""])
    );

    let billing = api(&snapshot, "billing");
    assert_eq!(
        paths(billing),
        [("gold".into(), true.into(), "authenticated".into())]
    );
    assert_eq!(billing["auth"]["effective"], "authenticated");
    assert!(billing["auth"].get("openPaths").is_none());

    // Open, but the product's policy validates the caller's token.
    let partners = api(&snapshot, "partners-api");
    assert_eq!(
        paths(partners),
        [("partners".into(), false.into(), "authenticated".into())]
    );
    assert_eq!(partners["auth"]["effective"], "authenticated");
}

#[test]
fn check_reports_the_api_reachable_through_the_open_product() {
    let (report, code, stderr) = run(&["check", "--from-arm", OPEN_PRODUCT, "-f", "json"]);
    assert_eq!(code, 1, "{stderr}");
    let result = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "APIM-API-003")
        .unwrap();
    let failing: Vec<&str> = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["resource"].as_str().unwrap())
        .collect();
    assert_eq!(failing.len(), 1, "{result}");
    assert!(failing[0].ends_with("/apis/orders"), "{failing:?}");
}

#[test]
fn the_effective_policy_of_a_path_resolves_base_and_names_each_scope() {
    let (snapshot, _, _) = run(&["collect", "--from-arm", OPEN_PRODUCT]);
    let orders = api(&snapshot, "orders");
    let table = &snapshot["subscriptions"][0]["services"][0]["effectivePolicies"];
    let effective = |path: &Value| table[path["policy"].as_str().unwrap()].clone();
    let free = effective(&orders["callPaths"][0]);
    let listed = |elements: &Value| -> Vec<(String, String, u64, bool)> {
        elements
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["name"].as_str().unwrap().to_string(),
                    e["scope"].as_str().unwrap().to_string(),
                    e["depth"].as_u64().unwrap(),
                    e["conditional"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let s = |n: &str, scope: &str, depth: u64, conditional: bool| {
        (n.to_string(), scope.to_string(), depth, conditional)
    };
    // The API's check runs before <base />, which brings in the global elements.
    let api_level = [
        s("check-header", "api", 0, false),
        s("cors", "global", 0, false),
        s("allowed-origins", "global", 1, false),
        s("origin", "global", 2, false),
        s("choose", "global", 0, false),
        s("when", "global", 1, true),
        s("rate-limit", "global", 2, true),
    ];
    assert_eq!(listed(&free["inbound"]), api_level);
    assert_eq!(free["inbound"][3]["text"], "https://app.contoso.com");
    assert_eq!(free["inbound"][6]["attributes"]["calls"], "100");
    assert_eq!(
        listed(&free["backend"]),
        [s("forward-request", "global", 0, false)]
    );
    // The operation with a policy of its own adds to the path's chain after <base />.
    let list = &orders["callPaths"][0]["operations"][0];
    assert_eq!(list["operation"], "list");
    let mut expected = api_level.to_vec();
    expected.push(s("set-header", "operation", 0, false));
    expected.push(s("value", "operation", 1, false));
    assert_eq!(listed(&effective(list)["inbound"]), expected);
    // The path through the protected product runs the same policies: each stored once.
    let gold = &orders["callPaths"][1];
    assert_eq!(gold["policy"], orders["callPaths"][0]["policy"]);
    assert_eq!(gold["operations"][0]["policy"], list["policy"]);
    // Raw policies stay.
    assert!(orders["policy"]["inbound"].is_array());
}
