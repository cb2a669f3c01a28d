//! Gates over the real binary: `--fail-on`, `--exit-zero`, the configuration
//! file (rules on/off, severity overrides, parameters, waivers), and `diff`.

mod support;

use std::collections::BTreeSet;

use serde_json::Value;

use support::reports::*;

/// `check` of the fixture as JSON on standard output, with extra arguments.
fn check_json(extra: &[&str]) -> (i32, Value) {
    let out = with_fixture_rules(&["check", SNAPSHOT], &[&["-f", "json"], extra].concat());
    let report =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    (code(&out), report)
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == rule)
        .unwrap_or_else(|| panic!("no rule {rule}"))["findings"]
        .as_array()
        .unwrap()
        .iter()
        .collect()
}

fn api_name(finding: &Value) -> &str {
    finding["resource"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
}

#[test]
fn a_waiver_keeps_a_finding_out_of_the_gate_but_in_the_report() {
    let (exit, report) = check_json(&["--fail-on", "critical"]);
    assert_eq!(exit, 1, "three critical findings fail the gate");
    assert_eq!(report["summary"]["gating"], 3);

    let (exit, report) = check_json(&["--fail-on", "critical", "--config", WAIVERS]);
    assert_eq!(exit, 0, "every critical finding is waived");
    assert_eq!(report["summary"]["gating"], 0);
    assert_eq!(report["summary"]["waived"], 3);
    let waived = findings(&report, "APIM-DEF-001");
    assert_eq!(waived.len(), 3, "waived findings stay in the report");
    for f in waived {
        assert_eq!(f["waived"], true);
        assert_eq!(f["waiver"]["expired"], false);
        for key in ["reason", "owner", "expires"] {
            assert!(
                f["waiver"][key].as_str().is_some_and(|s| !s.is_empty()),
                "{key} missing: {f}"
            );
        }
    }
    let legacy = findings(&report, "APIM-DEF-001")
        .into_iter()
        .find(|f| api_name(f) == "legacy-api")
        .unwrap();
    assert_eq!(
        legacy["waiver"]["owner"], "alice@contoso.com",
        "matched without regard to case"
    );
    // The medium finding still fails a lower gate.
    let (exit, _) = check_json(&["--fail-on", "medium", "--config", WAIVERS]);
    assert_eq!(exit, 1);
}

#[test]
fn an_expired_waiver_does_not_waive() {
    let (exit, report) = check_json(&["--fail-on", "critical", "--config", EXPIRED]);
    assert_eq!(exit, 1);
    assert_eq!(report["summary"]["gating"], 1);
    let legacy = findings(&report, "APIM-DEF-001")
        .into_iter()
        .find(|f| api_name(f) == "legacy-api")
        .unwrap();
    assert_eq!(legacy["waived"], false);
    assert_eq!(legacy["waiver"]["expired"], true);
    assert_eq!(legacy["waiver"]["expires"], "2020-01-01");
    let statuses: Vec<(bool, u64)> = report["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["expired"].as_bool().unwrap(),
                w["matched"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(statuses, [(false, 1), (true, 1), (false, 1)]);

    let out = with_fixture_rules(
        &["check", SNAPSHOT],
        &["--fail-on", "critical", "--config", EXPIRED],
    );
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains("legacy-api [waiver expired 2020-01-01]"),
        "{human}"
    );
    assert!(
        human.contains("expired on 2020-01-01; its findings count again"),
        "{human}"
    );
}

#[test]
fn a_config_with_an_unknown_key_exits_2_naming_its_line() {
    let out = with_fixture_rules(&["check", SNAPSHOT], &["--config", UNKNOWN_KEY]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains(&format!("{UNKNOWN_KEY}:11:5")), "{err}");
    assert!(
        err.contains("unknown field") && err.contains("`approved`"),
        "{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "no report when the configuration is bad"
    );
}

#[test]
fn exit_zero_never_fails_the_build_but_keeps_2() {
    let out = with_fixture_rules(&["check", SNAPSHOT], &["--exit-zero"]);
    assert_eq!(code(&out), 0);
    let out = with_fixture_rules(
        &["check", SNAPSHOT],
        &["--exit-zero", "--config", UNKNOWN_KEY],
    );
    assert_eq!(code(&out), 2);
    let out = with_fixture_rules(&["check", SNAPSHOT], &["--fail-on", "never"]);
    assert_eq!(code(&out), 0);
}

#[test]
fn config_turns_rules_off_overrides_severity_and_passes_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("apimguard.yaml");
    std::fs::write(
        &config,
        "rules:\n  disable: ['TEST-RPT-*', APIM-DEF-001]\n  enable: [test-rpt-001]\nseverity:\n  TEST-RPT-001: critical\nparameters:\n  allowedProtocols: [https, http]\n",
    )
    .unwrap();
    let (exit, report) = check_json(&["--config", config.to_str().unwrap()]);
    let ids: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["TEST-RPT-001"]);
    assert_eq!(
        report["disabledRules"],
        serde_json::json!(["APIM-DEF-001", "TEST-RPT-002"])
    );
    let rule = &report["results"][0];
    assert_eq!(
        (rule["severity"].as_str(), rule["defaultSeverity"].as_str()),
        (Some("critical"), Some("medium"))
    );
    assert_eq!(rule["status"], "pass", "http is allowed by the parameter");
    assert_eq!(exit, 0);
    // The human report shows the severity in force and the rule's own.
    let out = with_fixture_rules(
        &["check", SNAPSHOT],
        &["--config", config.to_str().unwrap()],
    );
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("(rule default: medium)"), "{human}");

    std::fs::write(&config, "rules:\n  disable: ['*']\n").unwrap();
    let out = with_fixture_rules(
        &["check", SNAPSHOT],
        &["--config", config.to_str().unwrap()],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no rules to evaluate"));
}

#[test]
fn config_entries_that_match_no_rule_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("apimguard.yaml");
    std::fs::write(&config, "severity:\n  APIM-NOPE-999: low\n").unwrap();
    let out = with_fixture_rules(
        &["check", SNAPSHOT],
        &["--config", config.to_str().unwrap()],
    );
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("warning:") && stderr(&out).contains("APIM-NOPE-999"),
        "{}",
        stderr(&out)
    );
}

/// (rule, api) pairs of a list of drift entries.
fn pairs(list: &Value) -> BTreeSet<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["ruleId"].as_str().unwrap().to_string(),
                api_name(e).to_string(),
            )
        })
        .collect()
}

fn pair(rule: &str, api: &str) -> (String, String) {
    (rule.to_string(), api.to_string())
}

fn assert_drift(drift: &Value) {
    assert_eq!(
        pairs(&drift["newFindings"]),
        BTreeSet::from([pair("APIM-DEF-001", "legacy-api")])
    );
    assert_eq!(
        pairs(&drift["resolved"]),
        BTreeSet::from([pair("APIM-DEF-001", "retired-api")])
    );
    // echo-api's id differs in case between the runs: still the same finding.
    assert_eq!(
        pairs(&drift["stillFailing"]),
        BTreeSet::from([
            pair("APIM-DEF-001", "echo-api"),
            pair("APIM-DEF-001", "pets-api"),
            pair("TEST-RPT-001", "echo-api"),
            pair("TEST-RPT-001", "shgw-api"),
            pair("TEST-RPT-002", "echo-api"),
        ])
    );
    assert_eq!(drift["summary"]["new"], 1);
    assert_eq!(drift["summary"]["resolved"], 1);
    assert_eq!(drift["summary"]["stillFailing"], 5);
}

#[test]
fn diff_of_two_snapshots_finds_exactly_the_new_and_resolved_findings() {
    let out = with_fixture_rules(&["diff", OLD_SNAPSHOT, SNAPSHOT], &["-f", "json"]);
    assert_eq!(code(&out), 1, "a new critical finding: {}", stderr(&out));
    assert_drift(&serde_json::from_slice(&out.stdout).unwrap());

    let out = with_fixture_rules(&["diff", OLD_SNAPSHOT, SNAPSHOT], &["--exit-zero"]);
    assert_eq!(code(&out), 0);
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains("NEW (1)") && human.contains("RESOLVED (1)"),
        "{human}"
    );
    // Waived in the new run: the new finding no longer gates.
    let out = with_fixture_rules(
        &["diff", OLD_SNAPSHOT, SNAPSHOT],
        &["--config", WAIVERS, "--fail-on", "critical"],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn diff_of_two_reports_gives_the_same_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, snapshot) in [("old.json", OLD_SNAPSHOT), ("new.json", SNAPSHOT)] {
        let path = dir.path().join(name);
        let spec = format!("json:{}", path.display());
        let out = with_fixture_rules(&["check", snapshot], &["-f", &spec]);
        assert_eq!(code(&out), 1);
        paths.push(path.display().to_string());
    }
    let md_path = dir.path().join("drift.md");
    let md_spec = format!("markdown:{}", md_path.display());
    let out = apimguard(&[
        "diff",
        &paths[0],
        &paths[1],
        "-f",
        "json",
        "-f",
        &md_spec,
        "--fail-on",
        "high",
    ]);
    assert_eq!(code(&out), 1);
    assert_drift(&serde_json::from_slice(&out.stdout).unwrap());
    let md = std::fs::read_to_string(md_path).unwrap();
    assert!(
        md.starts_with("## apimguard drift: ❌ 1 new, 1 resolved, 5 still failing"),
        "{md}"
    );
    assert!(
        md.contains("### 🆕 New findings") && md.contains("`contoso/apis/legacy-api`"),
        "{md}"
    );

    // The other way round, new and resolved swap.
    let out = apimguard(&["diff", &paths[1], &paths[0], "-f", "json"]);
    assert_eq!(code(&out), 1);
    let drift: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        pairs(&drift["newFindings"]),
        BTreeSet::from([pair("APIM-DEF-001", "retired-api")])
    );
    assert_eq!(
        pairs(&drift["resolved"]),
        BTreeSet::from([pair("APIM-DEF-001", "legacy-api")])
    );
    let out = apimguard(&["diff", &paths[0], &paths[1], "-f", "sarif"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("`diff` cannot write sarif"));
}

/// A waiver whose pattern matches every resource its rule checked waives the whole rule
/// (and whatever is added later): it is applied, and said on standard error.
#[test]
fn a_waiver_matching_every_resource_of_its_rule_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("blanket.yaml");
    std::fs::write(
        &config,
        "waivers:\n  - rule: apim-def-001\n    resource: \"/subscriptions/*\"\n    reason: everything, for now\n    owner: someone@contoso.com\n    expires: 2099-12-31\n",
    )
    .unwrap();
    let out = with_fixture_rules(
        &["check", SNAPSHOT],
        &[
            "--fail-on",
            "critical",
            "--config",
            config.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let warning = stderr(&out);
    assert!(
        warning.contains("waiver `/subscriptions/*` matches all")
            && warning.contains("resource(s) of APIM-DEF-001")
            && warning.contains("rules: {disable: [APIM-DEF-001]}"),
        "{warning}"
    );
    // Narrow waivers are not blankets.
    let out = with_fixture_rules(&["check", SNAPSHOT], &["--config", WAIVERS]);
    assert!(!stderr(&out).contains("matches all"), "{}", stderr(&out));
}
