//! The report formats of `check`, over the real binary: SARIF, JUnit, JSON,
//! Markdown and HTML, several in one run.
//!
//! Fixtures: `fixtures/reports/` holds a six-API snapshot, two test rules and
//! configurations with waivers (see the comments in each file).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use serde_json::Value;

use support::reports::*;

/// Runs `check` on the fixture with the fixture rules, the expired-waiver config
/// and the given outputs; returns the exit code.
fn check(outputs: &[String]) -> i32 {
    let mut rest = vec!["--config", EXPIRED];
    for o in outputs {
        rest.extend(["-f", o.as_str()]);
    }
    let out = with_fixture_rules(&["check", SNAPSHOT], &rest);
    out.status
        .code()
        .unwrap_or_else(|| panic!("killed: {}", stderr(&out)))
}

fn file(dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let spec = path.display().to_string();
    (path, spec)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn sarif_validates_against_the_schema_and_holds_problems_only() {
    let dir = tempfile::tempdir().unwrap();
    let (sarif_path, sarif) = file(dir.path(), "out.sarif");
    let (json_path, json) = file(dir.path(), "report.json");
    assert_eq!(
        check(&[
            format!("sarif:{sarif}"),
            format!("json:{json}"),
            "human".into()
        ]),
        1
    );
    let log = read_json(&sarif_path);
    let report = read_json(&json_path);

    let schema: Value =
        serde_json::from_str(include_str!("../fixtures/reports/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF does not validate: {errors:#?}");
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(
        !validator.is_valid(&broken),
        "the validator checks what it is given"
    );

    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    // Problems only: one result per finding (6), none for the 11 passing checks.
    assert_eq!(
        results.len() as u64,
        report["summary"]["findings"].as_u64().unwrap()
    );
    for r in results {
        assert_ne!(r["kind"], "pass");
        assert!(
            !r["locations"].as_array().unwrap().is_empty(),
            "result without a location: {r}"
        );
        assert!(r["partialFingerprints"]["primaryLocationLineHash"].is_string());
    }
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        for key in ["id", "name"] {
            assert!(rule[key].is_string(), "rule without {key}: {rule}");
        }
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(rule[key]["text"].is_string(), "rule without {key}: {rule}");
        }
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score));
    }
    let https = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "TEST-RPT-001")
        .unwrap();
    assert_eq!(
        https["help"]["text"],
        "Set the API's protocols to https only."
    );

    let by_api = |rule: &str, api: &str| -> &Value {
        results
            .iter()
            .find(|r| {
                r["ruleId"] == rule && r["locations"][0]["logicalLocations"][0]["name"] == api
            })
            .unwrap_or_else(|| panic!("no result for {rule} {api}"))
    };
    // An IaC origin in the snapshot wins: file and line.
    let legacy = &by_api("APIM-DEF-001", "legacy-api")["locations"][0]["physicalLocation"];
    assert_eq!(
        legacy["artifactLocation"]["uri"],
        "apis/legacy-api/apiInformation.json"
    );
    assert_eq!(legacy["region"]["startLine"], 4);
    // Otherwise: the snapshot file, at the line of the resource's id.
    let pets = by_api("APIM-DEF-001", "pets-api");
    let physical = &pets["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], SNAPSHOT);
    let id = pets["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        .as_str()
        .unwrap();
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT)).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains(&format!("\"id\": \"{id}\"")))
        .unwrap()
        + 1;
    assert_eq!(physical["region"]["startLine"], line as u64);
    // Waived findings stay, marked as accepted suppressions; the expired waiver does not suppress.
    assert_eq!(pets["suppressions"][0]["status"], "accepted");
    let legacy = by_api("APIM-DEF-001", "legacy-api");
    assert!(legacy.get("suppressions").is_none());
    assert!(legacy["message"]["text"]
        .as_str()
        .unwrap()
        .contains("expired on 2020-01-01"));

    // Fingerprints are the same in a second run.
    let (again_path, again) = file(dir.path(), "again.sarif");
    check(&[format!("sarif:{again}")]);
    let fingerprints = |log: &Value| -> Vec<Value> {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    assert_eq!(fingerprints(&log), fingerprints(&read_json(&again_path)));
}

/// Per test suite: (tests, failures, skipped, errors), counted from the test cases.
fn junit_counts(xml: &str) -> BTreeMap<String, [usize; 4]> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut suites = BTreeMap::new();
    let mut suite = String::new();
    loop {
        match reader.read_event().expect("well-formed JUnit XML") {
            Event::Start(e) | Event::Empty(e) => {
                let tag = e.name().as_ref().to_vec();
                let index = match tag.as_slice() {
                    b"testsuite" => {
                        let name = e
                            .try_get_attribute("name")
                            .unwrap()
                            .unwrap()
                            .unescape_value()
                            .unwrap();
                        suite = name.split(':').next().unwrap().to_string();
                        suites.insert(suite.clone(), [0; 4]);
                        continue;
                    }
                    b"testcase" => 0,
                    b"failure" => 1,
                    b"skipped" => 2,
                    b"error" => 3,
                    _ => continue,
                };
                suites.get_mut(&suite).unwrap()[index] += 1;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    suites
}

#[test]
fn junit_parses_and_its_counts_match_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let (xml_path, xml) = file(dir.path(), "out.xml");
    let (json_path, json) = file(dir.path(), "report.json");
    check(&[
        format!("junit:{xml}"),
        format!("json:{json}"),
        "human".into(),
    ]);
    let suites = junit_counts(&std::fs::read_to_string(xml_path).unwrap());
    let report = read_json(&json_path);
    let results = report["results"].as_array().unwrap();
    assert_eq!(suites.len(), results.len(), "one test suite per rule");
    for r in results {
        let findings = r["findings"].as_array().unwrap();
        let waived = findings.iter().filter(|f| f["waived"] == true).count();
        let counts = suites[r["ruleId"].as_str().unwrap()];
        // Every finding of the fixture is about a different resource of its rule.
        assert_eq!(
            counts,
            [
                r["checked"].as_u64().unwrap() as usize,
                findings.len() - waived,
                waived,
                0
            ],
            "{}",
            r["ruleId"]
        );
    }
    let total: [usize; 4] = suites.values().fold([0; 4], |a, c| {
        [a[0] + c[0], a[1] + c[1], a[2] + c[2], a[3] + c[3]]
    });
    assert_eq!(total, [17, 4, 2, 0]);
}

#[test]
fn json_lists_passing_resources_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (path, spec) = file(dir.path(), "report.json");
    check(&[format!("json:{spec}")]);
    let compact = read_json(&path);
    assert!(compact["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r.get("passing").is_none()));
    assert_eq!(compact["waivers"].as_array().unwrap().len(), 3);
    assert_eq!(compact["config"], EXPIRED);

    let out = with_fixture_rules(&["check", SNAPSHOT], &["-f", "json", "--include-passing"]);
    let full: Value = serde_json::from_slice(&out.stdout).unwrap();
    let def = full["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "APIM-DEF-001")
        .unwrap();
    let passing: BTreeSet<&str> = def["passing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(passing, BTreeSet::from(["internal-api", "orders-api"]));
}

#[test]
fn markdown_summarises_by_severity_folds_long_lists_and_warns_of_expiring_waivers() {
    let dir = tempfile::tempdir().unwrap();
    // 30 more failing APIs in contoso, so that APIM-DEF-001 has 33 findings.
    let mut snapshot = read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT));
    let apis = snapshot["subscriptions"][0]["services"][0]["apis"]
        .as_array_mut()
        .unwrap();
    let template = apis[0].clone();
    for i in 0..30 {
        let mut api = template.clone();
        api["id"] = format!("{}-{i:02}", template["id"].as_str().unwrap()).into();
        api["products"] = serde_json::json!(["starter"]);
        api["protocols"] = serde_json::json!(["https"]);
        apis.push(api);
    }
    let snap_path = dir.path().join("big.json");
    std::fs::write(&snap_path, serde_json::to_string_pretty(&snapshot).unwrap()).unwrap();
    let soon = (chrono::Utc::now().date_naive() + chrono::Days::new(5)).to_string();
    let config = format!(
        "waivers:\n  - rule: APIM-DEF-001\n    resource: '*/apis/pets-api'\n    reason: migration window\n    owner: ops@contoso.com\n    expires: {soon}\n"
    );
    let config_path = dir.path().join("apimguard.yaml");
    std::fs::write(&config_path, config).unwrap();
    let out = apimguard(&[
        "check",
        snap_path.to_str().unwrap(),
        "--no-builtin",
        "-p",
        DEF001,
        "-p",
        POLICIES,
        "--config",
        config_path.to_str().unwrap(),
        "-f",
        "markdown",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("## apimguard: ❌ FAIL"), "{md}");
    assert!(md.contains("| Severity | Rules | Passed | Failed | Errors | Findings | Waived |"));
    assert!(
        md.contains("| 🟥 critical | 1 | 0 | 1 | 0 | 33 | 1 |"),
        "{md}"
    );
    assert!(md.contains("#### ❌ APIM-DEF-001"));
    assert!(md.contains("<details><summary>13 more</summary>"), "{md}");
    assert!(md.contains("### ⏳ Waivers expiring within 14 days"));
    assert!(md.contains(&format!("| APIM-DEF-001 | `*/apis/pets-api` | ops@contoso.com | {soon} | migration window | 1 |")), "{md}");
}

#[test]
fn html_is_one_self_contained_page() {
    let dir = tempfile::tempdir().unwrap();
    let (path, spec) = file(dir.path(), "report.html");
    check(&[format!("html:{spec}")]);
    let html = std::fs::read_to_string(path).unwrap();
    let lower = html.to_lowercase();
    for fetch in [
        "src=\"http",
        "src='http",
        "href=\"http",
        "href='http",
        "@import",
        "url(http",
        "<link",
    ] {
        assert!(
            !lower.contains(fetch),
            "the report fetches something: {fetch}"
        );
    }
    // Every finding is a row; the rules' texts are there, escaped (the rest of the page
    // is pinned by report_snapshots.rs).
    assert_eq!(html.matches("<tr data-rank=").count(), 6);
    assert!(
        html.contains("Set the API&#x27;s protocols to https only.")
            || html.contains("Set the API&#39;s protocols")
    );
}

#[test]
fn only_one_format_may_take_standard_output() {
    let out = with_fixture_rules(&["check", SNAPSHOT], &["-f", "human", "-f", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("both `human` and `json` would write to standard output"),
        "{}",
        stderr(&out)
    );
    let out = apimguard(&["check", SNAPSHOT, "-f", "pdf:x.pdf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown format `pdf`"),
        "{}",
        stderr(&out)
    );
}
