//! The README's first command checks `demo/snapshot.json`: an estate a reader recognises,
//! mostly compliant, with a few real problems and the headline one first. (The estate
//! that fails every rule once, for the tests, is `fixtures/demo/`.) A new rule that the
//! demo fails, or a change that turns its passes into failures, fails this test: decide
//! whether the demo should show it (scripts/make_demo.py) and update README.md.

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::{apimguard, text};

const DEMO: &str = "demo/snapshot.json";

#[test]
fn the_demo_is_mostly_compliant_with_the_headline_problem_first() {
    let out = apimguard()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", DEMO, "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let failing: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] != "pass")
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(
        failing.first(),
        Some(&"APIM-DEF-001"),
        "the headline rule comes first"
    );
    let expected: BTreeSet<&str> = [
        "APIM-DEF-001",
        "APIM-API-003",
        "APIM-DEF-003",
        "APIM-SVC-010",
        "APIM-SVC-005",
    ]
    .into();
    assert_eq!(failing.iter().copied().collect::<BTreeSet<_>>(), expected);
    let summary = &report["summary"];
    assert_eq!(summary["errors"], 0);
    assert!(summary["passed"].as_u64().unwrap() >= 40, "{summary}");
}

#[test]
fn the_human_report_ends_as_the_readme_shows() {
    let out = apimguard()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", DEMO])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    // The counts of passing rules move as rules are added; the failures are the demo's.
    let tail = "5 failed, 0 error(s) · 8 finding(s), 0 waived · gate: fail on low and above";
    assert!(last.ends_with(tail), "{last}");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(tail),
        "README.md does not show the demo's last line: {last}"
    );
}
