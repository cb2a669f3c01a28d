//! Shards (docs/scale.md): `collect --shard K/N` as N processes against the fake ARM
//! and `check --shard K/N` as N processes, merged with `apimguard merge`, equal one
//! unsharded run; and every way a merge is refused or marked incomplete.
//!
//! Normalised before comparing: a report's `generatedAt` (the time of the run), a
//! snapshot's `collectedAt` (each process reads at its own time) and the order of a
//! snapshot's subscriptions and services (merge orders them by id; the collector keeps
//! ARM's listing order).

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::fake_arm::{Behaviour, FakeArm};
use support::{estate, run, run_against, text};

const DEMO: &str = "fixtures/demo/snapshot.json";

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

/// `check` with the JSON report (passing resources listed) written to `out`.
fn check(snapshot: &str, out: &Path, shard: Option<String>) -> std::process::Output {
    let target = format!("json:{}", out.display());
    let mut args = vec![
        "check",
        snapshot,
        "--fail-on",
        "never",
        "--include-passing",
        "-f",
        &target,
    ];
    let shard_arg;
    if let Some(s) = shard {
        shard_arg = s;
        args.extend(["--shard", &shard_arg]);
    }
    run(&args)
}

fn without(mut value: Value, field: &str) -> Value {
    value.as_object_mut().unwrap().remove(field);
    value
}

fn merge(inputs: &[PathBuf], out: &Path) -> std::process::Output {
    let mut args: Vec<String> = vec!["merge".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["-o".into(), out.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args)
}

/// The shard reports of `snapshot` cut into `count`, in `dir`.
fn shard_reports(snapshot: &str, count: u32, dir: &Path) -> Vec<PathBuf> {
    (0..count)
        .map(|k| {
            let out = dir.join(format!("report-{k}.json"));
            let done = check(snapshot, &out, Some(format!("{k}/{count}")));
            assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
            out
        })
        .collect()
}

#[test]
fn merged_shard_reports_equal_the_unsharded_report() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.json");
    assert_eq!(check(DEMO, &whole, None).status.code(), Some(0));
    // Three shards of the demo: one of them holds no service but owns a subscription.
    let parts = shard_reports(DEMO, 3, dir.path());
    let shard: Value = read(&parts[1]);
    assert_eq!(shard["shards"]["covered"], serde_json::json!([1]));
    let merged = dir.path().join("merged.json");
    let done = merge(&parts, &merged);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
    assert_eq!(
        without(read(&merged), "generatedAt"),
        without(read(&whole), "generatedAt")
    );
    // One shard alone is as good as the whole: 1 of 1.
    let single = dir.path().join("single.json");
    assert_eq!(
        check(DEMO, &single, Some("0/1".into())).status.code(),
        Some(0)
    );
    let merged_one = dir.path().join("merged-one.json");
    assert_eq!(merge(&[single], &merged_one).status.code(), Some(0));
    assert_eq!(
        without(read(&merged_one), "generatedAt"),
        without(read(&whole), "generatedAt")
    );
}

#[test]
fn a_merge_without_a_shard_is_incomplete_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let parts = shard_reports(DEMO, 3, dir.path());
    let merged = dir.path().join("merged.json");
    let done = merge(&[parts[0].clone(), parts[2].clone()], &merged);
    assert_eq!(done.status.code(), Some(2));
    assert!(
        text(&done.stderr).contains("shard(s) 1 of 3 missing"),
        "{}",
        text(&done.stderr)
    );
    let report = read(&merged);
    assert_eq!(report["snapshot"]["complete"], false);
    assert_eq!(report["shards"]["missing"], serde_json::json!([1]));
}

#[test]
fn duplicate_mixed_and_foreign_inputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let parts = shard_reports(DEMO, 2, dir.path());
    let out = dir.path().join("out.json");
    let refused = |inputs: &[PathBuf], code: &str| {
        let done = merge(inputs, &out);
        assert_eq!(done.status.code(), Some(2), "{}", text(&done.stderr));
        assert!(
            text(&done.stderr).contains(code),
            "{code}: {}",
            text(&done.stderr)
        );
        assert!(
            !out.exists(),
            "nothing is written when the merge is refused"
        );
    };
    // The same shard twice, under two names.
    let copy = dir.path().join("copy.json");
    std::fs::copy(&parts[0], &copy).unwrap();
    refused(
        &[parts[0].clone(), copy],
        "apimguard::merge::duplicate_shard",
    );
    // A snapshot among reports.
    refused(
        &[parts[0].clone(), PathBuf::from(DEMO)],
        "apimguard::merge::mixed_kinds",
    );
    // A report of the whole check.
    let whole = dir.path().join("whole.json");
    check(DEMO, &whole, None);
    refused(&[parts[0].clone(), whole], "apimguard::merge::not_a_shard");
    // A shard of another cut (3 shards against 2).
    let other = tempfile::tempdir().unwrap();
    let thirds = shard_reports(DEMO, 3, other.path());
    refused(
        &[parts[0].clone(), thirds[1].clone()],
        "apimguard::merge::mixed_runs",
    );
    // A shard of another gate.
    let mut gate = read(&parts[1]);
    gate["failOn"] = Value::from("high");
    let edited = dir.path().join("gate.json");
    write(&edited, &gate);
    refused(&[parts[0].clone(), edited], "apimguard::merge::mixed_runs");
    // The output may not overwrite an input.
    let done = merge(&[parts[0].clone(), parts[1].clone()], &parts[0]);
    assert_eq!(done.status.code(), Some(2));
}

#[test]
fn a_bad_shard_is_refused_before_anything_runs() {
    for bad in ["3/3", "1/0", "-1/3", "1", "0/1001", "a/b"] {
        let done = run(&["check", DEMO, &format!("--shard={bad}")]);
        assert_eq!(done.status.code(), Some(2), "{bad}");
        assert!(
            text(&done.stderr).contains("--shard"),
            "{bad}: {}",
            text(&done.stderr)
        );
    }
}

/// The snapshot with its time dropped and its subscriptions and services by id.
fn normalised(mut snapshot: Value) -> Value {
    snapshot.as_object_mut().unwrap().remove("collectedAt");
    let key = |v: &Value, field: &str| v[field].as_str().unwrap().to_lowercase();
    let subs = snapshot["subscriptions"].as_array_mut().unwrap();
    subs.sort_by_key(|s| key(s, "subscriptionId"));
    for sub in subs {
        sub["services"]
            .as_array_mut()
            .unwrap()
            .sort_by_key(|s| key(s, "id"));
    }
    snapshot
}

#[test]
fn shard_collections_merge_into_the_unsharded_collection() {
    let fake = FakeArm::start(estate::generated(8, 2), Behaviour::accepting("token"));
    let dir = tempfile::tempdir().unwrap();
    let collect = |out: &Path, shard: Option<&str>| {
        let out = out.display().to_string();
        let mut args = vec!["collect", "-q", "-o", &out];
        if let Some(shard) = shard {
            args.extend(["--shard", shard]);
        }
        let done = run_against(&fake, "token", &args);
        assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
    };
    let whole = dir.path().join("whole.json");
    collect(&whole, None);
    let parts: Vec<PathBuf> = (0..4)
        .map(|k| {
            let out = dir.path().join(format!("shard-{k}.json"));
            collect(&out, Some(&format!("{k}/4")));
            out
        })
        .collect();
    let services = |path: &Path| -> usize {
        read(path)["subscriptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["services"].as_array().unwrap().len())
            .sum()
    };
    assert_eq!(parts.iter().map(|p| services(p)).sum::<usize>(), 8);
    assert!(
        parts.iter().all(|p| services(p) < 8),
        "the services are spread"
    );
    let shard = read(&parts[2]);
    assert_eq!(shard["shard"]["index"], 2);
    assert_eq!(shard["shard"]["count"], 4);
    // A shard alone is not the estate.
    let done = run(&["check", &parts[2].display().to_string()]);
    assert_eq!(done.status.code(), Some(2));
    assert!(text(&done.stderr).contains("apimguard::shard::partial_snapshot"));

    let merged = dir.path().join("merged.json");
    let done = merge(&parts, &merged);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
    assert_eq!(normalised(read(&merged)), normalised(read(&whole)));
    // And the merged snapshot checks as the unsharded one.
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    check(&whole.display().to_string(), &a, None);
    check(&merged.display().to_string(), &b, None);
    // Findings point at lines of the file checked: the files differ in order.
    let report = |p: &Path| {
        let mut r = without(read(p), "generatedAt");
        r["snapshot"]["path"] = Value::Null;
        r["snapshot"]["collectedAt"] = Value::Null;
        for result in r["results"].as_array_mut().unwrap() {
            for finding in result["findings"].as_array_mut().unwrap() {
                finding.as_object_mut().unwrap().remove("location");
            }
        }
        r
    };
    assert_eq!(report(&a), report(&b));

    // Shards that disagree about a subscription's data are refused.
    let mut edited = read(&parts[1]);
    edited["subscriptions"][0]["displayName"] = Value::from("renamed in between");
    let conflicting = dir.path().join("conflicting.json");
    write(&conflicting, &edited);
    let mut inputs = parts.clone();
    inputs[1] = conflicting;
    let done = merge(&inputs, &dir.path().join("never.json"));
    assert_eq!(done.status.code(), Some(2));
    assert!(
        text(&done.stderr).contains("apimguard::merge::conflict"),
        "{}",
        text(&done.stderr)
    );

    // A missing shard: written, incomplete, with a gap naming it.
    let partial = dir.path().join("partial.json");
    let done = merge(&parts[..3], &partial);
    assert_eq!(done.status.code(), Some(2));
    let snapshot = read(&partial);
    assert_eq!(snapshot["complete"], false);
    let gaps = snapshot["gaps"].to_string();
    assert!(gaps.contains("shards 3 of 4"), "{gaps}");
}
