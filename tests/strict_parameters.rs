//! The parameters that make two rules stricter than Azure Policy's built-ins
//! (docs/configuration.md): `key_vault_required_for` (APIM-SEC-001) and
//! `ip_filter_required` (APIM-POL-004), judged through the CLI on the demo estate.

mod support;

use serde_json::Value;

const DEMO: &str = "fixtures/demo/snapshot.json";

/// Runs `check DEMO -f json` with `parameters` as the configuration's parameters;
/// returns the findings' messages of `rule` and the exit code.
fn findings(parameters: &str, rule: &str) -> (Vec<String>, i32) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("apimguard.yaml");
    std::fs::write(&config, format!("parameters:\n{parameters}")).unwrap();
    let out = support::run(&[
        "check",
        DEMO,
        "--config",
        config.to_str().unwrap(),
        "-f",
        "json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let result = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == rule)
        .unwrap_or_else(|| panic!("{rule} in the report"));
    let messages = result["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|f| f["message"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    (messages, out.status.code().unwrap())
}

#[test]
fn every_named_value_must_be_in_key_vault_when_the_parameter_says_all() {
    let (default, _) = findings("  key_vault_required_for: secrets\n", "APIM-SEC-001");
    assert!(default.iter().all(|m| !m.contains("\"environment\"")));
    let (all, code) = findings("  key_vault_required_for: all\n", "APIM-SEC-001");
    assert_eq!(code, 1);
    assert!(
        all.iter()
            .any(|m| m.starts_with("plain named value \"environment\"")),
        "{all:?}"
    );
}

#[test]
fn an_ip_filter_allow_list_is_required_on_every_call_path_when_the_parameter_says_so() {
    let (off, _) = findings("  ip_filter_required: false\n", "APIM-POL-004");
    assert!(off.iter().all(|m| !m.contains("ip_filter_required")));
    let (on, code) = findings("  ip_filter_required: true\n", "APIM-POL-004");
    assert_eq!(code, 1);
    assert!(
        on.iter().any(|m| m.contains(
            "can be called without passing an ip-filter allow-list (ip_filter_required): without a product"
        )),
        "{on:?}"
    );
}

#[test]
fn a_parameter_value_the_rules_do_not_know_is_reported_not_passed() {
    let (kv, code) = findings("  key_vault_required_for: All\n", "APIM-SEC-001");
    assert_eq!(code, 1);
    assert!(kv
        .iter()
        .any(|m| m.contains("parameter key_vault_required_for is \"All\"")));
    let (ip, _) = findings("  ip_filter_required: \"yes\"\n", "APIM-POL-004");
    assert!(ip
        .iter()
        .any(|m| m.contains("parameter ip_filter_required is \"yes\"")));
}
