//! Compliance audits over the real binary: framework views in every format, CSV and
//! OCSF, `--waivers`.

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use support::reports::{apimguard, stderr};

const DEMO: &str = "fixtures/demo/snapshot.json";
const WAIVERS: &str = "fixtures/audit/waivers.yaml";

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// Checks the demo with `extra` arguments, writing `name` in `format` to a temporary
/// directory; returns the exit code and the file's text.
fn demo(extra: &[&str], format: &str) -> (i32, String, Value) {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out");
    let json_path = dir.path().join("report.json");
    let out_spec = format!("{format}:{}", out_path.display());
    let json_spec = format!("json:{}", json_path.display());
    let mut args = vec!["check", DEMO, "-f", &out_spec, "-f", &json_spec];
    args.extend(extra);
    let out = apimguard(&args);
    let report = serde_json::from_str(&read(&json_path)).unwrap_or(Value::Null);
    (out.status.code().unwrap(), read(&out_path), report)
}

fn control<'a>(report: &'a Value, framework: &str, id: &str) -> &'a Value {
    report["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["framework"] == framework)
        .and_then(|v| {
            v["controls"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == id)
        })
        .unwrap_or_else(|| panic!("{framework}:{id} not in {}", report["frameworks"]))
}

#[test]
fn framework_view_tells_fail_pass_not_assessed_and_names_rules_and_resources() {
    let (code, _, report) = demo(
        &["--framework", "mcsb", "--framework", "nist-800-53"],
        "human",
    );
    assert_eq!(code, 1);
    let dp3 = control(&report, "mcsb", "DP-3");
    assert_eq!(dp3["status"], "fail");
    let rules: Vec<&str> = dp3["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"APIM-API-001") && rules.contains(&"APIM-SVC-001"),
        "{rules:?}"
    );
    assert!(dp3["failing"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str().unwrap().ends_with("/apis/inventory-api")));
    // PL-4's only rule is a strict one: not assessed rather than passed.
    assert_eq!(
        control(&report, "nist-800-53", "PL-4")["status"],
        "not-assessed"
    );
    let summary = &report["frameworks"][0]["summary"];
    let total: u64 = ["pass", "fail", "error", "notApplicable", "notAssessed"]
        .iter()
        .map(|k| summary[k].as_u64().unwrap())
        .sum();
    assert_eq!(
        total as usize,
        report["frameworks"][0]["controls"]
            .as_array()
            .unwrap()
            .len()
    );
    // Every MCSB control has a baseline rule; a run of the Defender family alone leaves
    // denial-of-service protection (the rate-limit rule's NS-5) not assessed, never passed.
    let (_, _, defender) = demo(&["--profile", "defender", "--framework", "mcsb"], "human");
    assert_eq!(control(&defender, "mcsb", "NS-5")["status"], "not-assessed");
}

#[test]
fn a_waived_finding_shows_under_its_control() {
    // Two APIs fail APIM-API-001 in the demo; the waiver covers one, so SC-8(1) still
    // fails, lists the waiver, and no longer lists the waived resource as failing.
    let (code, _, report) = demo(
        &["--waivers", WAIVERS, "--framework", "nist-800-53:SC-8(1)"],
        "human",
    );
    assert_eq!(code, 1);
    let view = &report["frameworks"][0];
    assert_eq!(view["control"], "SC-8(1)");
    assert_eq!(view["controls"].as_array().unwrap().len(), 1);
    let c = control(&report, "nist-800-53", "SC-8(1)");
    let waived = c["waived"].as_array().unwrap();
    assert!(
        waived.iter().any(|w| w["ruleId"] == "APIM-API-001"
            && w["owner"] == "network-team@contoso.com"
            && w["resource"]
                .as_str()
                .unwrap()
                .ends_with("/apis/inventory-api")),
        "{c}"
    );
    assert!(!c["failing"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str().unwrap().ends_with("/apis/inventory-api")));
    assert_eq!(report["summary"]["waived"], 1);
}

#[test]
fn every_format_carries_the_framework_view() {
    let fw = ["--framework", "pci-dss-4"];
    let (_, md, _) = demo(&fw, "markdown");
    assert!(
        md.contains("### PCI DSS v4.0 (`pci-dss-4`)") && md.contains("| 4.2.1 | ❌ fail |"),
        "{md}"
    );
    let (_, html, _) = demo(&fw, "html");
    assert!(html.contains(r#"id="sec-framework-pci-dss-4""#) && html.contains("not assessed"));
    let (_, junit, _) = demo(&fw, "junit");
    assert!(junit.contains(r#"classname="pci-dss-4:4.2.1""#), "{junit}");
    let (_, sarif, _) = demo(&fw, "sarif");
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let views = &sarif["runs"][0]["properties"]["apimguard"]["frameworks"];
    assert_eq!(views[0]["framework"], "pci-dss-4");
    let (_, human, _) = demo(&fw, "human");
    assert!(human.contains("PCI DSS v4.0 (pci-dss-4) ·"), "{human}");
}

#[test]
fn unknown_frameworks_and_controls_are_refused() {
    for (name, code) in [
        ("nist", "apimguard::framework::unknown"),
        ("mcsb:ZZ-1", "apimguard::framework::unknown_control"),
    ] {
        let out = apimguard(&["check", DEMO, "--framework", name]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(stderr(&out).contains(code), "{name}: {}", stderr(&out));
    }
}

#[test]
fn csv_rows_reconcile_with_the_summary() {
    let (code, text, report) = demo(&["--waivers", WAIVERS], "csv");
    assert_eq!(code, 1);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let status = header.iter().position(|h| h == "status").unwrap();
    let rule = header.iter().position(|h| h == "rule_id").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let count = |s: &str| rows.iter().filter(|r| &r[status] == s).count() as u64;
    let summary = &report["summary"];
    assert_eq!(
        count("fail") + count("waived"),
        summary["findings"].as_u64().unwrap()
    );
    assert_eq!(count("waived"), summary["waived"].as_u64().unwrap());
    assert_eq!(count("waived"), 1);
    // Each rule: its rows cover every resource it checked.
    for r in report["results"].as_array().unwrap() {
        let id = r["ruleId"].as_str().unwrap();
        let mut resources: Vec<&str> = rows
            .iter()
            .filter(|row| &row[rule] == id)
            .map(|row| &row[4])
            .collect();
        resources.sort_unstable();
        resources.dedup();
        assert_eq!(
            resources.len() as u64,
            r["checked"].as_u64().unwrap(),
            "{id}"
        );
    }
}

#[test]
fn csv_cells_cannot_become_formulas() {
    let dir = tempfile::tempdir().unwrap();
    // An id is whatever the estate (or a hand-written snapshot) says it is.
    let snapshot = read(Path::new(DEMO)).replace(
        "\"/subscriptions/3fa85f64-5717-4562-b3fc-2c963f66afa6/resourceGroups/rg-apim-prod/providers/Microsoft.ApiManagement/service/apim-contoso-int/apis/inventory-api\"",
        "\"=HYPERLINK(\\\"http://x\\\")\"",
    );
    let path = dir.path().join("s.json");
    std::fs::write(&path, snapshot).unwrap();
    let out = apimguard(&["check", path.to_str().unwrap(), "-f", "csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let cells: Vec<String> = reader
        .records()
        .flat_map(|row| row.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    assert!(cells.iter().all(|c| !c.starts_with('=')));
    assert!(
        cells.iter().any(|c| c.starts_with("'=HYPERLINK")),
        "the planted id is in the CSV"
    );
}

#[test]
fn ocsf_events_follow_the_compliance_finding_schema() {
    let (code, text, report) = demo(&["--waivers", WAIVERS], "ocsf");
    assert_eq!(code, 1);
    let events: Value = serde_json::from_str(&text).unwrap();
    let schema: Value = serde_json::from_str(&read(Path::new(
        "fixtures/audit/ocsf-compliance-finding-1.1.0.schema.json",
    )))
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&events)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let events = events.as_array().unwrap();
    let fails = events
        .iter()
        .filter(|e| e["compliance"]["status_id"] == 3)
        .count() as u64;
    assert_eq!(fails, report["summary"]["findings"].as_u64().unwrap());
    let suppressed: Vec<&Value> = events.iter().filter(|e| e["status_id"] == 3).collect();
    assert_eq!(suppressed.len(), 1);
    assert!(suppressed[0]["compliance"]["status_detail"]
        .as_str()
        .unwrap()
        .contains("network-team@contoso.com"));
    let api001 = events
        .iter()
        .find(|e| e["compliance"]["control"] == "APIM-API-001")
        .unwrap();
    let requirements: Vec<&str> = api001["compliance"]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        requirements.contains(&"nist-800-53:SC-8") && requirements.contains(&"mcsb:DP-3"),
        "{requirements:?}"
    );
}

#[test]
fn waivers_file_waives_like_the_configuration() {
    let (_, _, without) = demo(&[], "human");
    let (_, _, with) = demo(&["--waivers", WAIVERS], "human");
    assert_eq!(without["summary"]["waived"], 0);
    assert_eq!(with["summary"]["waived"], 1);
    assert_eq!(with["waivers"][0]["owner"], "network-team@contoso.com");
    assert_eq!(with["waivers"][0]["matched"], 1);
}

#[test]
fn waivers_file_is_checked_like_the_configuration() {
    let out = apimguard(&[
        "check",
        DEMO,
        "--waivers",
        "fixtures/audit/waivers-with-rules.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("apimguard::config::waivers_only")
            && err.contains("waivers-with-rules.yaml:8:1"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("w.yaml");
    std::fs::write(&bad, "waivers:\n  - rule: APIM-API-001\n    resource: x\n    reason: r\n    owner: o\n    expires: 2099-6-1\n").unwrap();
    let out = apimguard(&["check", DEMO, "--waivers", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a date written YYYY-MM-DD"),
        "{}",
        stderr(&out)
    );

    let out = apimguard(&["check", DEMO, "--waivers", "fixtures/audit/missing.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("apimguard::config::io"),
        "{}",
        stderr(&out)
    );
}

/// Writes evidence of a demo check with the waivers file into a new temporary directory.
fn evidence() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("ev");
    let out = apimguard(&[
        "check",
        DEMO,
        "--waivers",
        WAIVERS,
        "--framework",
        "mcsb",
        "--evidence",
        ev.to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("manifest.json SHA-256"),
        "{}",
        stderr(&out)
    );
    dir
}

fn verify(dir: &Path) -> Output {
    apimguard(&["verify", dir.join("ev").to_str().unwrap()])
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&read(&dir.join("ev/manifest.json"))).unwrap()
}

fn write_manifest(dir: &Path, manifest: &Value) {
    std::fs::write(
        dir.join("ev/manifest.json"),
        serde_json::to_string_pretty(manifest).unwrap(),
    )
    .unwrap();
}

fn sha256(bytes: &[u8]) -> String {
    apimguard::evidence::sha256(bytes)
}

#[test]
fn evidence_holds_what_an_auditor_needs_and_verifies() {
    let dir = evidence();
    let m = manifest(dir.path());
    let version = apimguard(&["--version"]);
    assert_eq!(
        format!("{}\n", m["tool"].as_str().unwrap()),
        String::from_utf8_lossy(&version.stdout)
    );
    let report: Value = serde_json::from_str(&read(&dir.path().join("ev/report.json"))).unwrap();
    assert_eq!(m["tool"], report["tool"]);
    assert_eq!(m["checkedAt"], report["generatedAt"]);
    assert_eq!(m["collectedAt"], "2026-11-26T02:00:00Z");
    assert_eq!(m["exitCode"], 1);
    assert!(!m["scope"]["subscriptions"].as_array().unwrap().is_empty());
    let files: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for needed in [
        "snapshot.json",
        "report.json",
        "report.html",
        "report.csv",
        "waivers.yaml",
        "rules/builtin/api/https_only.rego",
    ] {
        assert!(files.contains(&needed), "{needed} in {files:?}");
    }
    for f in m["files"].as_array().unwrap() {
        let bytes = std::fs::read(dir.path().join("ev").join(f["path"].as_str().unwrap())).unwrap();
        assert_eq!(f["sha256"].as_str().unwrap(), sha256(&bytes));
    }
    let out = verify(dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("the same verdicts"));
}

#[test]
fn verify_finds_a_changed_file() {
    let dir = evidence();
    let path = dir.path().join("ev/waivers.yaml");
    std::fs::write(&path, read(&path).replace("2099-06-30", "2099-07-30")).unwrap();
    let out = verify(dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("apimguard::evidence::mismatch")
            && err.contains("waivers.yaml: SHA-256 differs"),
        "{err}"
    );
}

#[test]
fn verify_reruns_the_check_so_rehashed_edits_are_found() {
    // Someone who can edit both the files and the manifest: the hashes agree, the
    // verdicts do not. (Signing the manifest is what stops this; see docs/audits.md.)
    let dir = evidence();
    let path = dir.path().join("ev/waivers.yaml");
    let text = read(&path).replace(
        "apim-contoso-int/apis/inventory-api",
        "apim-contoso-int/apis/other-api",
    );
    std::fs::write(&path, &text).unwrap();
    let mut m = manifest(dir.path());
    for f in m["files"].as_array_mut().unwrap() {
        if f["path"] == "waivers.yaml" {
            f["sha256"] = sha256(text.as_bytes()).into();
            f["bytes"] = text.len().into();
        }
    }
    write_manifest(dir.path(), &m);
    let out = verify(dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("rule APIM-API-001: recorded finding on")
            && err.contains("(waived) not found by the re-check"),
        "{err}"
    );
}

#[test]
fn verify_judges_waivers_as_of_the_recorded_check_time() {
    let dir = evidence();
    // The same evidence read as if checked after the waiver's expiry (2099-06-30):
    // the finding it waived counts again. Re-checking as of the recorded day is what
    // keeps a waiver expiring after the audit from changing the verdict.
    let mut m = manifest(dir.path());
    m["checkedAt"] = "2099-07-01T00:00:00Z".into();
    write_manifest(dir.path(), &m);
    let out = verify(dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the re-check finds"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn verify_refuses_paths_outside_the_directory_links_and_unlisted_files() {
    let dir = evidence();
    let mut m = manifest(dir.path());
    m["files"][0]["path"] = "../outside.json".into();
    write_manifest(dir.path(), &m);
    let out = verify(dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("apimguard::evidence::manifest")
            && stderr(&out).contains("not a plain relative path"),
        "{}",
        stderr(&out)
    );

    let dir = evidence();
    std::fs::write(dir.path().join("ev/extra.txt"), "x").unwrap();
    let out = verify(dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("extra.txt: not in the manifest"),
        "{}",
        stderr(&out)
    );

    #[cfg(unix)]
    {
        let dir = evidence();
        let csv = dir.path().join("ev/report.csv");
        let moved = dir.path().join("report.csv");
        std::fs::rename(&csv, &moved).unwrap();
        std::os::unix::fs::symlink(&moved, &csv).unwrap();
        let out = verify(dir.path());
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("report.csv: reached through a symbolic link"),
            "{}",
            stderr(&out)
        );
    }

    let empty = tempfile::tempdir().unwrap();
    let out = apimguard(&["verify", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("apimguard::evidence::io"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn evidence_is_never_written_over_other_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    let out = apimguard(&["check", DEMO, "--evidence", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("apimguard::evidence::not_empty"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&dir.path().join("keep.txt")), "mine");
    assert!(!dir.path().join("manifest.json").exists());
}

/// The issue's "done means": `rules list -f json` shows, for every built-in rule, a
/// mapping to MCSB and to NIST SP 800-53, or the documented reason no control of that
/// framework applies (`unmapped`); never neither, never a blank reason.
#[test]
fn every_rule_lists_mcsb_and_nist_or_says_why_not() {
    let out = apimguard(&["rules", "list", "--profile", "strict", "-f", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rules: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rules.len() > 50, "{} rules", rules.len());
    for rule in &rules {
        for framework in ["mcsb", "nist-800-53"] {
            let mapped = rule["frameworks"][framework]
                .as_array()
                .is_some_and(|c| !c.is_empty());
            let has_reason = !rule["unmapped"][framework]
                .as_str()
                .unwrap_or("")
                .trim()
                .is_empty();
            assert!(
                mapped ^ has_reason,
                "{}: {framework} needs controls or a reason in custom.unmapped, not both ({rule:#})",
                rule["id"]
            );
        }
    }
}
