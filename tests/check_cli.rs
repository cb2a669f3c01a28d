//! The `check`, `rules` and `schema` commands, driven through the real binary.

mod support;

use predicates::prelude::*;
use serde_json::Value;

use support::cmd as apimguard;

/// Runs apimguard and asserts the exit code and that standard error names every part.
fn refuses(args: &[&str], parts: &[&str]) {
    let out = apimguard().args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    for part in parts {
        assert!(stderr.contains(part), "stderr lacks {part:?}: {stderr}");
    }
}

fn json_report(args: &[&str]) -> (Value, i32) {
    let out = apimguard()
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out.status.code().expect("exit code"))
}

/// Checks the small snapshot with copies of the custom rule `keyed_only.rego`, one per
/// `(file name, text, replacement)`, in a folder of their own.
fn check_with_copies(copies: &[(&str, &str, &str)]) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().unwrap();
    let original =
        std::fs::read_to_string("fixtures/check/policies/custom/keyed_only.rego").unwrap();
    for (name, from, to) in copies {
        let rule = original.replace(from, to);
        std::fs::write(dir.path().join(format!("{name}.rego")), rule).unwrap();
    }
    apimguard()
        .args(["check", "fixtures/check/small.json", "-p"])
        .arg(dir.path())
        .assert()
}

fn result<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == id)
        .unwrap_or_else(|| panic!("no result for {id}"))
}

#[test]
fn failing_api_is_reported_and_exits_1() {
    let (report, code) = json_report(&["check", "fixtures/check/small.json"]);
    assert_eq!(code, 1);
    let def001 = result(&report, "APIM-DEF-001");
    assert_eq!(def001["status"], "fail");
    assert_eq!(def001["checked"], 2);
    let findings = def001["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert!(findings[0]["resource"]
        .as_str()
        .unwrap()
        .ends_with("/apis/open-api"));
    assert_eq!(findings[0]["waived"], false);
}

#[test]
fn human_report_lists_failing_resources_and_summary() {
    apimguard()
        .args(["check", "fixtures/check/small.json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("APIM-DEF-001"))
        .stdout(predicate::str::contains("contoso/apis/open-api"))
        .stdout(predicate::str::contains("failed"))
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn fail_on_threshold_gates_by_severity() {
    let user = "fixtures/check/policies/custom";
    // CONTOSO-001 (medium) fails, APIM-DEF-001 (critical) fails: critical gate still fails.
    apimguard()
        .args([
            "check",
            "fixtures/check/small.json",
            "-p",
            user,
            "--fail-on",
            "critical",
        ])
        .assert()
        .code(1);
    // Only the medium user rule counts at `medium` when the built-in pack is off.
    apimguard()
        .args([
            "check",
            "fixtures/check/small.json",
            "--no-builtin",
            "-p",
            user,
            "--fail-on",
            "high",
        ])
        .assert()
        .code(0);
    apimguard()
        .args([
            "check",
            "fixtures/check/small.json",
            "--no-builtin",
            "-p",
            user,
            "--fail-on",
            "medium",
        ])
        .assert()
        .code(1);
    apimguard()
        .args(["check", "fixtures/check/small.json", "--fail-on", "never"])
        .assert()
        .code(0);
}

#[test]
fn user_rules_run_beside_builtin_ones() {
    let (report, _) = json_report(&[
        "check",
        "fixtures/check/small.json",
        "-p",
        "fixtures/check/policies/custom",
    ]);
    let own = result(&report, "CONTOSO-001");
    assert_eq!(own["severity"], "medium");
    assert_eq!(own["findings"].as_array().unwrap().len(), 1);
    assert!(report["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["ruleId"] == "APIM-DEF-001"));
}

/// `--policies` naming a folder without a single rule (a typo'd subfolder, rules not
/// checked out) is refused: the user's rules would not run, and the gate would pass.
#[test]
fn policies_folder_without_rules_is_refused() {
    let empty = tempfile::tempdir().unwrap();
    let dir = empty.path().to_str().unwrap();
    refuses(
        &["check", "fixtures/check/small.json", "-p", dir],
        &[dir, "no .rego file in this directory or below it"],
    );
}

#[test]
fn malformed_snapshot_names_line_and_exits_2() {
    refuses(
        &["check", "fixtures/check/malformed.json"],
        &["malformed.json is not valid JSON (line 11, column 7)"],
    );
}

#[test]
fn missing_field_names_json_path_and_exits_2() {
    refuses(
        &["check", "fixtures/check/missing-auth.json"],
        &[
            "subscriptions[0].services[0].apis[1]",
            "missing field `auth`",
        ],
    );
}

/// A snapshot of subscriptions without a single service was not looked at: refused, never
/// a pass of every rule.
#[test]
fn snapshot_without_services_is_refused_not_passed() {
    refuses(
        &["check", "fixtures/check/no-services.json"],
        &[
            "no-services.json holds no API Management service",
            "nothing can pass",
        ],
    );
}

#[test]
fn incomplete_snapshot_exits_2_listing_gaps_unless_allowed() {
    apimguard()
        .args(["check", "fixtures/check/incomplete.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("incomplete"))
        .stderr(predicate::str::contains("AuthorizationFailed"))
        .stdout(predicate::str::is_empty());
    apimguard()
        .args([
            "check",
            "fixtures/check/incomplete.json",
            "--allow-incomplete",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("incomplete"));
}

#[test]
fn rule_syntax_error_names_file_and_line() {
    refuses(
        &[
            "check",
            "fixtures/check/small.json",
            "-p",
            "fixtures/check/policies/syntax_error",
        ],
        &["broken.rego:14:1"],
    );
}

#[test]
fn rule_runtime_error_is_status_error_and_exits_2() {
    let (report, code) = json_report(&[
        "check",
        "fixtures/check/small.json",
        "-p",
        "fixtures/check/policies/runtime_error",
    ]);
    assert_eq!(code, 2);
    let broken = result(&report, "TEST-RUNTIME-001");
    assert_eq!(broken["status"], "error");
    assert!(broken["error"].as_str().unwrap().contains("divide.rego:20"));
    assert_eq!(report["summary"]["errors"], 1);
    // The exit code explains itself on standard error too (what CI logs show first).
    apimguard()
        .args(["check", "fixtures/check/small.json", "-p"])
        .arg("fixtures/check/policies/runtime_error")
        .args(["-f", "json:/dev/null"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: rule TEST-RUNTIME-001 could not be evaluated:",
        ))
        .stderr(predicate::str::contains("divide.rego:20"));
}

#[test]
fn a_rule_timeout_of_zero_is_refused() {
    refuses(
        &["check", "fixtures/check/small.json", "--rule-timeout", "0"],
        &["--rule-timeout"],
    );
}

#[test]
fn network_builtins_are_refused() {
    refuses(
        &[
            "check",
            "fixtures/check/small.json",
            "-p",
            "fixtures/check/policies/network",
        ],
        &[
            "exfiltrate.rego:13",
            "`http.send` is not available",
            "docs/writing-rules.md, Purity",
        ],
    );
}

#[test]
fn rule_without_metadata_is_refused() {
    refuses(
        &[
            "check",
            "fixtures/check/small.json",
            "-p",
            "fixtures/check/policies/no_metadata",
        ],
        &["nometa.rego:1", "METADATA"],
    );
}

#[test]
fn duplicate_rule_id_is_refused() {
    check_with_copies(&[
        ("a", "package contoso.keyed_only", "package contoso.a"),
        ("b", "package contoso.keyed_only", "package contoso.b"),
    ])
    .code(2)
    .stderr(predicate::str::contains("CONTOSO-001 is defined twice"));
}

#[test]
fn no_rules_at_all_is_an_error_not_a_pass() {
    refuses(
        &["check", "fixtures/check/small.json", "--no-builtin"],
        &["no rules to evaluate"],
    );
}

#[test]
fn rules_test_runs_user_tests() {
    apimguard()
        .args(["rules", "test", "fixtures/check/policies/custom"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2 passed, 0 failed"));
}

#[test]
fn rules_test_reports_a_failing_test() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["keyed_only.rego", "keyed_only_test.rego"] {
        let text =
            std::fs::read_to_string(format!("fixtures/check/policies/custom/{file}")).unwrap();
        std::fs::write(
            dir.path().join(file),
            text.replace("count(keyed_only.deny) == 0", "count(keyed_only.deny) == 5"),
        )
        .unwrap();
    }
    apimguard()
        .args(["rules", "test"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL"))
        .stdout(predicate::str::contains("test_keyed_passes"))
        .stdout(predicate::str::contains("1 passed, 1 failed"));
}

#[test]
fn builtin_rule_tests_pass() {
    apimguard()
        .args(["rules", "test"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(" 0 failed"));
}

#[test]
fn schema_describes_the_snapshot() {
    let out = apimguard().arg("schema").output().unwrap();
    assert!(out.status.success());
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    let required = schema["required"].as_array().unwrap();
    for field in [
        "schemaVersion",
        "collectedAt",
        "source",
        "complete",
        "gaps",
        "subscriptions",
    ] {
        assert!(required.iter().any(|r| r == field), "{field} is required");
    }
    assert!(schema["$defs"]["Api"]["properties"]["auth"].is_object());
}

#[test]
fn rules_sharing_a_package_are_refused() {
    // A copied rule file with a new id but the old package: in Rego both files make one
    // set of rules, so each rule would report the other's findings.
    check_with_copies(&[
        ("a", "CONTOSO-001", "CONTOSO-001"),
        ("b", "CONTOSO-001", "CONTOSO-002"),
    ])
    .code(2)
    .stderr(predicate::str::contains("b.rego:7:"))
    .stderr(predicate::str::contains(
        "package `contoso.keyed_only` is already the package of rule CONTOSO-001",
    ));
}

#[cfg(unix)]
#[test]
fn rules_in_a_linked_folder_are_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let shared = std::fs::canonicalize("fixtures/check/policies/custom").unwrap();
    std::os::unix::fs::symlink(&shared, rules.join("shared")).unwrap();
    // A link back up the tree is walked once, not forever.
    std::os::unix::fs::symlink(&rules, rules.join("loop")).unwrap();
    let rules = rules.to_str().unwrap();
    let (report, code) = json_report(&["check", "fixtures/check/small.json", "-p", rules]);
    assert_eq!(code, 1);
    assert_eq!(result(&report, "CONTOSO-001")["status"], "fail");
}

#[test]
fn human_tally_counts_failing_resources_not_findings() {
    // Two findings for each of the two APIs: 2 of 2 resources failed (not "4 of 2").
    let dir = tempfile::tempdir().unwrap();
    let rule = std::fs::read_to_string("fixtures/check/policies/custom/keyed_only.rego")
        .unwrap()
        .replace(
            "\tnot api.subscriptionRequired\n",
            "\tsome why in [\"one\", \"two\"]\n",
        )
        .replace(
            "sprintf(\"API %q does not require a subscription key\", [api.displayName])",
            "why",
        );
    std::fs::write(dir.path().join("two.rego"), rule).unwrap();
    apimguard()
        .args(["check", "fixtures/check/small.json", "--no-builtin", "-p"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("(2 of 2 failed)"))
        .stdout(predicate::str::contains("4 finding(s)"));
}

#[test]
fn recursive_functions_are_refused_at_load() {
    let cycle = [
        "lib/tree.rego:6",
        "function `data.custom.lib.tree.depth` is recursive: data.custom.lib.tree.depth -> data.custom.lib.tree.deepest_child (line 10) -> data.custom.lib.tree.depth",
        "Rego has no recursion",
    ];
    let rules = "fixtures/check/policies/recursive_function";
    refuses(&["check", "fixtures/check/small.json", "-p", rules], &cycle);
    refuses(&["rules", "test", rules], &cycle);
}

/// A copy of the built-in pack passed beside it: the clash says how to use the copy alone.
#[test]
fn a_copy_of_the_builtin_pack_points_to_no_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let rule = dir.path().join("https_only.rego");
    std::fs::copy("policies/api/https_only.rego", &rule).unwrap();
    refuses(
        &[
            "check",
            "fixtures/check/small.json",
            "-p",
            rule.to_str().unwrap(),
        ],
        &["APIM-API-001 is defined twice", "add --no-builtin"],
    );
}

/// A `.rego` that is a FIFO (or a configuration that is one) is refused, not read: it
/// would block the run for ever.
#[cfg(unix)]
#[test]
fn pipes_and_devices_are_refused_as_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::copy(
        "fixtures/check/policies/custom/keyed_only.rego",
        rules.join("keyed_only.rego"),
    )
    .unwrap();
    for fifo in [rules.join("evil.rego"), dir.path().join("apimguard.yaml")] {
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    }
    let rules = rules.to_str().unwrap();
    refuses(
        &["check", "fixtures/check/small.json", "-p", rules],
        &["evil.rego", "a named pipe (FIFO), not a regular file"],
    );
    refuses(
        &["rules", "test", rules],
        &["evil.rego", "not a regular file"],
    );
    let config = dir.path().join("apimguard.yaml");
    refuses(
        &[
            "check",
            "fixtures/check/small.json",
            "--config",
            config.to_str().unwrap(),
        ],
        &["apimguard::config::io", "a named pipe (FIFO)"],
    );
    refuses(
        &["check", "/dev/zero"],
        &["cannot read snapshot /dev/zero: a device, not a regular file"],
    );
    refuses(
        &[
            "check",
            "fixtures/check/small.json",
            "--config",
            "/dev/urandom",
        ],
        &["/dev/urandom", "a device, not a regular file"],
    );
}

/// A snapshot that says it is complete but records gaps contradicts itself: refused,
/// even with --allow-incomplete.
#[test]
fn a_complete_snapshot_with_gaps_is_refused() {
    let mut snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/check/small.json").unwrap())
            .unwrap();
    assert_eq!(snapshot["complete"], true);
    snapshot["gaps"] = serde_json::json!([
        {"scope": "/subscriptions/0000", "what": "apis", "error": "403 Forbidden"}
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contradiction.json");
    std::fs::write(&path, snapshot.to_string()).unwrap();
    let path = path.to_str().unwrap();
    for args in [
        &["check", path, "--fail-on", "never"][..],
        &["check", path, "--fail-on", "never", "--allow-incomplete"],
        &["diff", path, path, "--fail-on", "never"],
        &["remediate", path],
    ] {
        refuses(
            args,
            &[
                "apimguard::snapshot::contradiction",
                "says `complete: true` but records 1 gap(s)",
            ],
        );
    }
}

#[test]
fn a_schema_version_too_large_for_a_number_is_reported_as_written() {
    let text = std::fs::read_to_string("fixtures/check/small.json").unwrap();
    let dir = tempfile::tempdir().unwrap();
    for version in ["99999999999999999999", &"7".repeat(300)] {
        let path = dir.path().join("future.json");
        let future = text.replacen(
            "\"schemaVersion\": 1",
            &format!("\"schemaVersion\": {version}"),
            1,
        );
        assert_ne!(future, text, "the fixture names its version");
        std::fs::write(&path, future).unwrap();
        let shown = &version[..version.len().min(40)];
        refuses(
            &["check", path.to_str().unwrap()],
            &[
                &format!("`schemaVersion` is {shown}"),
                "apimguard::snapshot::version",
            ],
        );
    }
}

/// Rule ids match whatever their case, so a user rule may not take a built-in id in
/// other letters (a configuration entry would hit both).
#[test]
fn a_builtin_rule_id_in_another_case_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rule = std::fs::read_to_string("fixtures/check/policies/custom/keyed_only.rego")
        .unwrap()
        .replace("CONTOSO-001", "apim-def-001");
    std::fs::write(dir.path().join("mine.rego"), rule).unwrap();
    let rules = dir.path().to_str().unwrap();
    refuses(
        &["check", "fixtures/check/small.json", "-p", rules],
        &[
            "apimguard::policy::id_case",
            "rule id apim-def-001",
            "is rule id APIM-DEF-001",
        ],
    );
    refuses(
        &["rules", "list", "-p", rules],
        &["apimguard::policy::id_case"],
    );
}

// Hostile inputs: size caps, nesting, and diagnostics that cannot crash.

/// The small snapshot on one line, with `extra` added as its last member.
fn one_line_snapshot(extra: &str) -> String {
    let text = std::fs::read_to_string("fixtures/check/small.json").unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    let compact = value.to_string();
    format!("{},{extra}}}", &compact[..compact.len() - 1])
}

/// Runs apimguard with `args`, then `file` written with `text`, and expects exit 2,
/// a short standard error, no panic, and every part in it.
fn refuses_file(args: &[&str], text: &str, parts: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.json");
    std::fs::write(&path, text).unwrap();
    let out = apimguard().args(args).arg(&path).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.len() < 4_000, "{} bytes of stderr", stderr.len());
    for part in parts {
        assert!(stderr.contains(part), "stderr lacks {part:?}: {stderr}");
    }
    stderr
}

#[test]
fn an_error_past_column_65535_of_a_minified_snapshot_is_shown_clipped() {
    let padded = one_line_snapshot(&format!(
        r#""pad":"{}","complete":"yes""#,
        "x".repeat(200_000)
    ));
    let stderr = refuses_file(&["check"], &padded, &["duplicate field `complete`", "…xxx"]);
    assert!(!stderr.contains(&"x".repeat(300)), "{stderr}");
    let column: usize = stderr
        .split("snap.json:1:")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no line and column: {stderr}"));
    assert!(column > 200_000, "{column}");
}

#[test]
fn an_error_early_on_a_20_mb_line_shows_a_few_hundred_bytes_of_it() {
    let text = format!(
        r#"{{"schemaVersion":"1","x":"{}"}}"#,
        "y".repeat(20_000_000)
    );
    refuses_file(
        &["check"],
        &text,
        &["`schemaVersion`: invalid type", "snap.json:1:20]"],
    );
}

#[test]
fn inputs_over_their_cap_name_the_file_the_cap_and_the_flag() {
    refuses(
        &[
            "check",
            "fixtures/check/small.json",
            "--max-snapshot-size",
            "1KiB",
        ],
        &[
            "apimguard::input::too_large",
            "fixtures/check/small.json is larger than 1 KiB",
            "--max-snapshot-size",
        ],
    );
    refuses(
        &[
            "check",
            "fixtures/check/small.json",
            "--config",
            "apimguard.example.yaml",
            "--max-file-size",
            "2000",
        ],
        &[
            "apimguard.example.yaml is larger than 2000 B",
            "--max-file-size",
        ],
    );
    refuses(
        &[
            "check",
            "fixtures/check/small.json",
            "-p",
            "fixtures/check/policies",
            "--max-file-size",
            "100B",
        ],
        &["is larger than 100 B", "--max-file-size"],
    );
    let text = std::fs::read("fixtures/check/small.json").unwrap();
    let out = apimguard()
        .args(["check", "-", "--max-snapshot-size", "2KiB"])
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard input is larger than 2 KiB"));
    // The cap raised, the same input is read (the environment sets it too).
    let out = apimguard()
        .args(["check", "-", "--fail-on", "never"])
        .env("APIMGUARD_MAX_SNAPSHOT_SIZE", "3KiB")
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_size_that_is_not_one_is_refused() {
    apimguard()
        .args([
            "check",
            "fixtures/check/small.json",
            "--max-file-size",
            "64MB",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`64MB` is not a size"));
}

#[test]
fn snapshots_no_reader_can_hold_are_refused_at_their_spot_by_every_command() {
    let cases = [
        (
            format!(r#""x":{}{}"#, "[".repeat(200), "]".repeat(200)),
            "nest more than 128 levels deep",
        ),
        (
            format!(r#""x":{}{}"#, "[".repeat(100_000), "]".repeat(100_000)),
            "nest more than 128 levels deep",
        ),
        (r#""x":[1e999]"#.to_string(), "a number too large"),
        (r#""x":"\ud800""#.to_string(), "half a surrogate pair"),
    ];
    for (extra, message) in &cases {
        let text = one_line_snapshot(extra);
        for args in [
            &["check"][..],
            &["remediate"],
            &["diff", "fixtures/check/small.json"],
        ] {
            refuses_file(
                args,
                &text,
                &[
                    "apimguard::snapshot::syntax",
                    "snap.json cannot be read (line 1, column",
                    message,
                ],
            );
        }
    }
}

#[test]
fn rules_whose_brackets_nest_too_deep_are_refused_at_the_bracket() {
    let dir = tempfile::tempdir().unwrap();
    for n in [17, 100_000] {
        let rule = format!(
            "package x\nimport rego.v1\n\np := {}{}\n",
            "[".repeat(n),
            "]".repeat(n)
        );
        std::fs::write(dir.path().join("deep.rego"), rule).unwrap();
        refuses(
            &[
                "check",
                "fixtures/check/small.json",
                "-p",
                dir.path().to_str().unwrap(),
            ],
            &["deep.rego:4:22: brackets nest more than 16 levels deep"],
        );
    }
}

#[test]
fn configurations_nested_too_deep_are_refused_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.yaml");
    for (value, message) in [
        (
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
            "c.yaml:3:137: `[`/`{` nest more than 128 levels deep",
        ),
        (
            format!("{}{}", "[".repeat(65), "]".repeat(65)),
            "c.yaml:3:1: parameter `deep` nests more than 64 levels deep",
        ),
    ] {
        std::fs::write(&config, format!("parameters:\n  ok: 1\n  deep: {value}\n")).unwrap();
        refuses(
            &[
                "check",
                "fixtures/check/small.json",
                "--config",
                config.to_str().unwrap(),
            ],
            &["apimguard::config::depth", message],
        );
    }
}

/// A configuration entry that names no loaded rule is warned about, once, on standard
/// error, by every command that loads rules (the warning comes back from the checker,
/// which prints nothing itself).
#[test]
fn configuration_entries_that_match_no_rule_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("apimguard.yaml");
    std::fs::write(&config, "rules:\n  disable: [NO-SUCH-RULE]\n").unwrap();
    let config = config.to_str().unwrap();
    for args in [
        &["check", "fixtures/check/small.json", "--config", config][..],
        &[
            "diff",
            "fixtures/check/small.json",
            "fixtures/check/small.json",
            "--config",
            config,
        ][..],
    ] {
        let out = apimguard().args(args).output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let warning = "warning: ";
        let line = stderr.lines().filter(|l| l.starts_with(warning));
        assert_eq!(
            line.filter(|l| l.ends_with("`NO-SUCH-RULE` matches no loaded rule"))
                .count(),
            1,
            "{args:?}: {stderr}"
        );
    }
}

/// An error reported to a standard error that is already closed (a CI step piping it
/// into `head`) still ends with exit 2, not a panic.
#[test]
fn an_error_with_standard_error_closed_still_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = support::apimguard()
        .args(["check", dir.path().join("missing.json").to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(2));
}

/// Runs apimguard with `args` twice: once as usual, once with standard output and
/// standard error both pipes nobody reads (their read ends closed before it starts, as
/// after `| head` in CI); returns both exit codes.
fn exit_codes_with_outputs_closed(args: &[&str]) -> (Option<i32>, Option<i32>) {
    let usual = support::apimguard().args(args).output().unwrap();
    let closed = || {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        writer
    };
    let status = support::apimguard()
        .args(args)
        .stdout(closed())
        .stderr(closed())
        .status()
        .unwrap();
    (usual.status.code(), status.code())
}

/// Warnings, notes and timings on a closed standard error (and a report to a closed
/// standard output) cost the lines, never the verdict: the exit code is the usual one,
/// never a panic (101).
#[test]
fn warnings_with_standard_error_closed_keep_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("apimguard.yaml");
    std::fs::write(&config, "rules:\n  disable: [NO-SUCH-RULE]\n").unwrap();
    let config = config.to_str().unwrap();
    let runs: [&[&str]; 4] = [
        &[
            "check",
            "fixtures/check/small.json",
            "--config",
            config,
            "-f",
            "json",
            "--timings",
        ],
        &[
            "diff",
            "fixtures/check/small.json",
            "fixtures/check/small.json",
            "--config",
            config,
        ],
        &[
            "collect",
            "--from-arm",
            "fixtures/iac/estate/azuredeploy.json",
        ],
        &[
            "check",
            "--from-arm",
            "fixtures/iac/estate/azuredeploy.json",
            "-f",
            "sarif",
        ],
    ];
    for args in runs {
        let (usual, closed) = exit_codes_with_outputs_closed(args);
        assert!(matches!(usual, Some(0..=2)), "{args:?}: {usual:?}");
        assert_eq!(closed, usual, "{args:?}");
    }
}
