//! The demo snapshot, `fixtures/demo/snapshot.json`, is what `apimguard collect` records
//! from the demo estate (`fixtures/arm/demo/`, ARM's answers as files) served by the fake
//! ARM, and it keeps its purpose: every built-in rule fails on at least one resource and
//! passes on another.
//!
//! After a deliberate change to the estate or the collector, regenerate the demo with
//! `APIMGUARD_UPDATE_DEMO=1 cargo test --test demo`, then run the tests again (the
//! coverage test reads the file the first one writes).

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::estate;
use support::fake_arm::{Behaviour, FakeArm};
use support::{apimguard, run_against, text};

const TOKEN: &str = "demo-token";
/// The tool version the committed demo records.
const COLLECTOR: &str = "apimguard 0.1.0";

/// When the demo was "collected": what `collectedAt` is set to (rules use it as now).
const COLLECTED_AT: &str = "2026-11-26T02:00:00Z";
/// The endpoint recorded in place of the fake's loopback address.
const MANAGEMENT_ENDPOINT: &str = "https://management.azure.com";
/// Set to `1` to write the collected snapshot to the demo instead of comparing.
const UPDATE: &str = "APIMGUARD_UPDATE_DEMO";

fn demo_snapshot() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/snapshot.json")
}

/// Sets what differs from run to run (the clock, the fake's port, the tool version) to the
/// demo's values.
fn normalise(snapshot: &mut Value, fake_url: &str) {
    let collected_at = snapshot["collectedAt"].as_str().unwrap_or_default();
    assert!(
        chrono::DateTime::parse_from_rfc3339(collected_at).is_ok(),
        "collectedAt is a timestamp: {collected_at:?}"
    );
    snapshot["collectedAt"] = Value::from(COLLECTED_AT);
    // The tool's version is recorded too; a version bump is no change to the estate.
    let collector = &mut snapshot["source"]["collector"];
    assert!(
        collector
            .as_str()
            .is_some_and(|c| c.starts_with("apimguard ")),
        "{collector}"
    );
    *collector = Value::from(COLLECTOR);
    let endpoint = &mut snapshot["source"]["managementEndpoint"];
    assert_eq!(endpoint.as_str(), Some(fake_url));
    *endpoint = Value::from(MANAGEMENT_ENDPOINT);
}

/// Where `expected` and `actual` differ, as JSON pointers with both values (at most `limit`).
fn differences(expected: &Value, actual: &Value, at: &str, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit {
        return;
    }
    let short = |v: Option<&Value>| match v {
        None => "(absent)".to_string(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 160 {
                format!("{}…", s.chars().take(160).collect::<String>())
            } else {
                s
            }
        }
    };
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let keys: BTreeSet<&String> = e.keys().chain(a.keys()).collect();
            for key in keys {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (e.get(key), a.get(key)) {
                    (Some(ev), Some(av)) => differences(ev, av, &here, out, limit),
                    (ev, av) => out.push(format!(
                        "{here}: demo {} / collected {}",
                        short(ev),
                        short(av)
                    )),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                differences(ev, av, &format!("{at}/{i}"), out, limit);
            }
        }
        _ if expected != actual => out.push(format!(
            "{at}: demo {} / collected {}",
            short(Some(expected)),
            short(Some(actual))
        )),
        _ => {}
    }
}

/// `collect` against the demo estate records exactly `fixtures/demo/snapshot.json`
/// (with `APIMGUARD_UPDATE_DEMO=1`, writes it).
#[test]
fn demo_snapshot_is_what_collect_records() {
    let fake = FakeArm::start(estate::demo(), Behaviour::accepting(TOKEN));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let run = run_against(&fake, TOKEN, &["collect", "-o", out.to_str().unwrap()]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("collected 2 subscriptions, 6 services, 21 APIs")
            && stderr.contains("; complete"),
        "{stderr}"
    );
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.status == 200 || r.path.ends_with("/policies/policy")),
        "only scopes without a policy document answer 404: {:?}",
        fake.requests()
            .iter()
            .filter(|r| r.status != 200)
            .collect::<Vec<_>>()
    );

    let mut collected: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).expect("JSON");
    normalise(&mut collected, &fake.url);

    let demo = demo_snapshot();
    if std::env::var(UPDATE).is_ok_and(|v| v == "1") {
        let mut text = serde_json::to_string_pretty(&collected).unwrap();
        text.push('\n');
        let tmp = demo.with_extension("json.tmp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &demo).unwrap();
        eprintln!("wrote {}", demo.display());
        return;
    }
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(&demo).unwrap()).expect("the demo is JSON");
    let mut found = Vec::new();
    differences(&committed, &collected, "", &mut found, 40);
    assert!(
        found.is_empty(),
        "fixtures/demo/snapshot.json is not what `apimguard collect` records from fixtures/arm/demo.\n\
         If the change is intended, regenerate it: {UPDATE}=1 cargo test --test demo\n{}",
        found.join("\n")
    );
}

/// The demo fails every built-in rule (56 in the strict profile) on some resource and
/// passes it on another, without a rule error; the default run exits 1.
#[test]
fn demo_fails_and_passes_every_rule() {
    let listed = apimguard()
        .args(["rules", "list", "--profile", "strict", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(listed.status.code(), Some(0), "{}", text(&listed.stderr));
    let rules: Vec<Value> = serde_json::from_slice(&listed.stdout).unwrap();
    let ids: BTreeSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.len() >= 56, "every built-in rule: {}", ids.len());

    let demo = demo_snapshot();
    let check = apimguard()
        .arg("check")
        .arg(&demo)
        .args(["-f", "json", "--profile", "strict", "--fail-on", "never"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    let report: Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(report["summary"]["errors"], 0, "{:#}", report["summary"]);

    let mut wrong = Vec::new();
    let mut seen = BTreeSet::new();
    for result in report["results"].as_array().unwrap() {
        let id = result["ruleId"].as_str().unwrap();
        seen.insert(id);
        let status = result["status"].as_str().unwrap_or_default();
        let checked = result["checked"].as_u64().unwrap_or(0);
        let findings = result["findings"].as_array().map_or(0, Vec::len) as u64;
        if status != "fail" || checked <= findings {
            wrong.push(format!(
                "{id}: status {status}, {checked} checked, {findings} finding(s)"
            ));
        }
    }
    let missing: Vec<&&str> = ids.iter().filter(|id| !seen.contains(**id)).collect();
    assert!(
        missing.is_empty(),
        "rules that did not run on the demo: {missing:?}"
    );
    assert!(
        wrong.is_empty(),
        "every rule must fail on a resource of the demo and pass on another:\n{}",
        wrong.join("\n")
    );

    let default = apimguard().arg("check").arg(&demo).output().unwrap();
    assert_eq!(default.status.code(), Some(1), "{}", text(&default.stderr));
}
