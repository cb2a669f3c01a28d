//! Rule authoring through the real binary: `rules list` filters, `rules explain`,
//! `rules new` → `rules test`, `rules doc [--check]`, profiles, METADATA validation.

mod support;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

/// Three user rules: FIX-API-001 (api, high, OWASP API8), FIX-DEF-001 (defender,
/// critical, OWASP API9, remediation) and FIX-CUS-001 (custom, low, strict, with a
/// parameter).
const CATALOGUE: &str = "fixtures/authoring/catalogue";
const SNAPSHOT: &str = "fixtures/check/small.json";

use support::cmd as apimguard;

fn stdout_json(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "exit {:?}; stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Ids printed by `rules list --format json` over the fixture catalogue (no built-ins).
fn listed(filters: &[&str]) -> Vec<String> {
    let rules = stdout_json(
        apimguard()
            .args([
                "rules",
                "list",
                "--no-builtin",
                "-p",
                CATALOGUE,
                "-f",
                "json",
            ])
            .args(filters),
    );
    ids(&rules, "id")
}

fn ids(items: &Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .expect("an array")
        .iter()
        .map(|r| r[key].as_str().expect("an id").to_string())
        .collect()
}

/// Rule ids evaluated by `check` with these arguments.
fn evaluated(args: &[&str]) -> Vec<String> {
    let out = apimguard()
        .args(["check", SNAPSHOT, "-f", "json"])
        .args(args)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut ids = ids(&report["results"], "ruleId");
    ids.sort();
    ids
}

#[test]
fn list_filters_by_severity_family_framework_and_profile() {
    assert_eq!(listed(&[]), ["FIX-API-001", "FIX-CUS-001", "FIX-DEF-001"]);
    assert_eq!(
        listed(&["--severity", "high"]),
        ["FIX-API-001", "FIX-DEF-001"]
    );
    assert_eq!(listed(&["--severity", "critical"]), ["FIX-DEF-001"]);
    assert_eq!(listed(&["--family", "defender"]), ["FIX-DEF-001"]);
    assert_eq!(
        listed(&["--family", "api", "--family", "custom"]),
        ["FIX-API-001", "FIX-CUS-001"]
    );
    assert_eq!(
        listed(&["--framework", "owasp-api-2023"]),
        ["FIX-API-001", "FIX-DEF-001"]
    );
    assert_eq!(
        listed(&["--framework", "owasp-api-2023:API9"]),
        ["FIX-DEF-001"]
    );
    assert_eq!(
        listed(&["--framework", "psrule:Azure.APIM.HTTPEndpoint"]),
        ["FIX-API-001"]
    );
    assert_eq!(
        listed(&["--profile", "baseline"]),
        ["FIX-API-001", "FIX-DEF-001"]
    );
    assert_eq!(
        listed(&["--profile", "strict"]),
        ["FIX-API-001", "FIX-CUS-001", "FIX-DEF-001"]
    );
    assert!(listed(&["--severity", "high", "--family", "custom"]).is_empty());
}

#[test]
fn list_json_carries_the_full_metadata() {
    let rules = stdout_json(apimguard().args([
        "rules",
        "list",
        "--no-builtin",
        "-p",
        CATALOGUE,
        "--format",
        "json",
    ]));
    let custom = &rules[1];
    assert_eq!(custom["id"], "FIX-CUS-001");
    assert_eq!(custom["family"], "custom");
    assert_eq!(custom["strict"], true);
    assert_eq!(custom["builtin"], false);
    assert_eq!(custom["profiles"], serde_json::json!(["strict"]));
    assert_eq!(custom["parameters"]["max_apis_per_service"]["default"], 0);
    assert!(custom["source"]
        .as_str()
        .unwrap()
        .ends_with("catalogue/custom/service_size.rego"));
    let defender = &rules[2];
    assert_eq!(defender["remediation"], "defender.enable_plan");
    assert_eq!(
        defender["frameworks"]["defender"],
        serde_json::json!(["Enable Defender for APIs"])
    );
    assert_eq!(
        rules[0]["references"][0],
        "https://learn.microsoft.com/azure/api-management/api-management-howto-manage-protocols-ciphers"
    );
    assert_eq!(
        rules[0]["recommendation"],
        "Remove `http` from the API's protocols."
    );
}

#[test]
fn the_table_shows_family_and_marks_strict_rules() {
    apimguard()
        .args(["rules", "list", "--no-builtin", "-p", CATALOGUE])
        .assert()
        .success()
        .stdout(predicate::str::contains("FAMILY"))
        .stdout(predicate::str::is_match(r"FIX-CUS-001 +low +custom +.*\[strict\]").unwrap());
}

#[test]
fn explain_prints_the_rule_page() {
    apimguard()
        .args(["rules", "explain", "fix-def-001", "-p", CATALOGUE])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Defender for APIs is enabled on every subscription (fixture)",
        ))
        .stdout(predicate::str::is_match(r"Id +FIX-DEF-001").unwrap())
        .stdout(predicate::str::is_match(r"Severity +critical").unwrap())
        .stdout(predicate::str::is_match(r"Family +defender").unwrap())
        .stdout(predicate::str::is_match(r"Remediation +defender.enable_plan").unwrap())
        .stdout(predicate::str::contains(
            "catalogue/defender/fixture_plan.rego (user)",
        ))
        .stdout(predicate::str::contains("owasp-api-2023  API9"));
    apimguard()
        .args(["rules", "explain", "FIX-CUS-001", "-p", CATALOGUE])
        .assert()
        .success()
        .stdout(predicate::str::contains("PARAMETERS"))
        .stdout(predicate::str::is_match(r"max_apis_per_service +0 +The most APIs").unwrap())
        .stdout(predicate::str::is_match(r"Profiles +strict\n").unwrap());
    apimguard()
        .args(["rules", "explain", "APIM-DEF-001"])
        .assert()
        .success()
        .stdout(predicate::str::contains("RATIONALE"));
}

#[test]
fn explain_unknown_id_exits_2_suggesting_the_closest() {
    apimguard()
        .args(["rules", "explain", "FIX-DEF-01", "-p", CATALOGUE])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule has the id `FIX-DEF-01`"))
        .stderr(predicate::str::contains("did you mean FIX-DEF-001?"));
    // A rule outside the chosen profile is unknown there.
    apimguard()
        .args([
            "rules",
            "explain",
            "FIX-CUS-001",
            "-p",
            CATALOGUE,
            "--profile",
            "baseline",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("in profile baseline"))
        .stderr(predicate::str::contains(
            "FIX-CUS-001 is not in profile baseline: drop --profile",
        ));
    // No rule near the id: no misleading suggestion.
    apimguard()
        .args(["rules", "explain", "NOPE-1", "-p", CATALOGUE])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean").not());
}

#[test]
fn new_scaffolds_a_rule_whose_tests_pass() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    let rules_arg = rules.to_str().unwrap();
    apimguard()
        .args([
            "rules",
            "new",
            "require_tls",
            "--family",
            "api",
            "--dir",
            rules_arg,
        ])
        .args(["--id", "ACME-API-001", "--severity", "high"])
        .assert()
        .success()
        .stdout(predicate::str::contains("require_tls_test.rego"));
    assert!(rules.join("api/require_tls.rego").is_file());
    assert!(rules.join("api/require_tls_test.rego").is_file());
    apimguard()
        .args(["rules", "test", rules_arg, "-v"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2 passed, 0 failed"));
    let listed = stdout_json(apimguard().args(["rules", "list", "-p", rules_arg, "-f", "json"]));
    let new = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "ACME-API-001")
        .expect("the new rule loads");
    assert_eq!(new["severity"], "high");
    assert_eq!(new["family"], "api");

    // Never overwrites; the existing file is untouched.
    let before = std::fs::read_to_string(rules.join("api/require_tls.rego")).unwrap();
    apimguard()
        .args([
            "rules",
            "new",
            "require_tls",
            "--family",
            "api",
            "--dir",
            rules_arg,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(rules.join("api/require_tls.rego")).unwrap(),
        before
    );
}

#[test]
fn new_defaults_to_the_custom_family_and_refuses_bad_names() {
    let dir = tempfile::tempdir().unwrap();
    let rules_arg = dir.path().to_str().unwrap();
    apimguard()
        .args(["rules", "new", "keyed_apis", "--dir", rules_arg])
        .assert()
        .success();
    assert!(dir.path().join("custom/keyed_apis.rego").is_file());
    apimguard()
        .args(["rules", "test", rules_arg])
        .assert()
        .success();
    for bad in ["RequireTls", "require-tls", "require_tls_test"] {
        apimguard()
            .args(["rules", "new", bad, "--dir", rules_arg])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("snake_case").or(predicate::str::contains("_test")));
    }
    apimguard()
        .args([
            "rules",
            "new",
            "copy",
            "--dir",
            rules_arg,
            "--id",
            "APIM-DEF-001",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "already used by the built-in rule",
        ));
}

#[test]
fn repository_rule_docs_are_up_to_date() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    apimguard()
        .args(["rules", "doc", "--check", "--out"])
        .arg(&out)
        .assert()
        .code(0);
}

#[test]
fn doc_check_detects_stale_missing_and_obsolete_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rules");
    apimguard()
        .args(["rules", "doc", "--out"])
        .arg(&out)
        .assert()
        .success();
    let page = out.join("APIM-DEF-001.md");
    let text = std::fs::read_to_string(&page).unwrap();
    assert!(text.contains("| APIM-DEF-001 | critical | defender |"));
    assert!(
        text.contains("## Examples"),
        "examples come from the rule's tests"
    );
    assert!(std::fs::read_to_string(out.join("README.md"))
        .unwrap()
        .contains("[APIM-DEF-001](APIM-DEF-001.md)"));
    apimguard()
        .args(["rules", "doc", "--check", "--out"])
        .arg(&out)
        .assert()
        .code(0);

    std::fs::write(&page, text.replace("critical", "low")).unwrap();
    std::fs::remove_file(out.join("README.md")).unwrap();
    std::fs::write(
        out.join("APIM-GONE-001.md"),
        "<!-- Generated by `apimguard rules doc` from the rule's METADATA -->\n",
    )
    .unwrap();
    std::fs::write(out.join("notes.md"), "hand-written, not ours\n").unwrap();
    apimguard()
        .args(["rules", "doc", "--check", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("APIM-DEF-001.md: out of date"))
        .stdout(predicate::str::contains("README.md: missing"))
        .stdout(predicate::str::contains(
            "APIM-GONE-001.md: no longer generated",
        ))
        .stdout(predicate::str::contains("notes.md").not())
        .stderr(predicate::str::contains("3 file(s)"));

    // Generating again repairs everything and leaves hand-written files alone.
    apimguard()
        .args(["rules", "doc", "--out"])
        .arg(&out)
        .assert()
        .success();
    apimguard()
        .args(["rules", "doc", "--check", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    assert!(out.join("notes.md").is_file());
    assert!(!out.join("APIM-GONE-001.md").exists());
}

#[test]
fn doc_output_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        apimguard()
            .args(["rules", "doc", "--out"])
            .arg(out)
            .assert()
            .success();
    }
    for entry in std::fs::read_dir(&a).unwrap() {
        let name = entry.unwrap().file_name();
        assert_eq!(
            std::fs::read(a.join(&name)).unwrap(),
            std::fs::read(b.join(&name)).unwrap(),
            "{name:?} differs between runs"
        );
    }
}

#[test]
fn profiles_change_the_rules_check_evaluates() {
    let user = ["-p", CATALOGUE];
    let baseline = evaluated(&user);
    assert_eq!(
        evaluated(&[&user[..], &["--profile", "baseline"]].concat()),
        baseline
    );
    assert!(!baseline.contains(&"FIX-CUS-001".to_string()));
    let strict = evaluated(&[&user[..], &["--profile", "strict"]].concat());
    assert!(strict.contains(&"FIX-CUS-001".to_string()));
    assert!(baseline.iter().all(|id| strict.contains(id)));

    // defender: the built-in defender family, plus every non-strict user rule.
    let defender = evaluated(&[&user[..], &["--profile", "defender"]].concat());
    let builtin_defender = stdout_json(apimguard().args([
        "rules",
        "list",
        "--family",
        "defender",
        "--profile",
        "defender",
        "-f",
        "json",
    ]));
    let mut expected = ids(&builtin_defender, "id");
    expected.extend(["FIX-API-001".to_string(), "FIX-DEF-001".to_string()]);
    expected.sort();
    assert_eq!(defender, expected);
}

#[test]
fn parameter_defaults_reach_the_rules() {
    // FIX-CUS-001 denies services with more APIs than `max_apis_per_service` (default 0).
    let out = apimguard()
        .args([
            "check",
            SNAPSHOT,
            "-f",
            "json",
            "--no-builtin",
            "-p",
            CATALOGUE,
        ])
        .args(["--profile", "strict"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rule = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "FIX-CUS-001")
        .expect("evaluated in the strict profile");
    assert_eq!(rule["status"], "fail");
    assert!(rule["findings"][0]["message"]
        .as_str()
        .unwrap()
        .ends_with("more than 0"));
}

#[test]
fn unknown_profile_exits_2_listing_the_profiles() {
    for cmd in [&["check", SNAPSHOT][..], &["rules", "list"][..]] {
        apimguard()
            .args(cmd)
            .args(["--profile", "paranoid"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("paranoid"))
            .stderr(predicate::str::contains("baseline, strict, defender"));
    }
}

#[test]
fn metadata_errors_exit_2_naming_file_and_line() {
    let cases = [
        (
            "bad_remediation",
            "bad_remediation/rule.rego:6: custom.remediation `defender.delete_api` is not an action",
        ),
        (
            "wrong_type",
            "wrong_type/rule.rego:8: custom.strict must be true or false",
        ),
        (
            "parameter_conflict",
            "parameter_conflict/b.rego:7: parameter `expiry_days` has default 60 here but 30",
        ),
        (
            "composite_key_head",
            "composite_key_head/rule.rego:10: the engine cannot read this rule head",
        ),
    ];
    for (dir, message) in cases {
        let path = format!("fixtures/authoring/invalid/{dir}");
        for cmd in [&["check", SNAPSHOT][..], &["rules", "list"][..]] {
            apimguard()
                .args(cmd)
                .args(["-p", &path])
                .assert()
                .code(2)
                .stderr(predicate::str::contains(message));
        }
    }
}

/// The repository's own rule folder holds the built-in files: testing it beside the
/// built-in pack says to add --no-builtin, and with it every test runs.
#[test]
fn testing_the_builtin_folder_asks_for_no_builtin() {
    apimguard()
        .args(["rules", "test", "policies"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "has the path of a built-in rule file",
        ))
        .stderr(predicate::str::contains("add --no-builtin"));
    apimguard()
        .args(["rules", "test", "policies", "--no-builtin"])
        .assert()
        .success()
        .stdout(predicate::str::contains(" 0 failed"));
}
