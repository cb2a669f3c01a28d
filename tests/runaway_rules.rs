//! Rules that run away end the run with exit 2 and a message naming the rule and its
//! file, in every command that evaluates rules: stuck inside one builtin call past
//! `--rule-timeout` (which the engine's own timer cannot interrupt), or taking
//! apimguard's memory over `--memory-limit`. No report is written then.

mod support;

use std::path::Path;
use std::process::Output;

const SNAPSHOT: &str = "fixtures/check/small.json";

use support::cmd as apimguard;

/// A folder holding one rule, RUNAWAY-001, whose `deny` holds `condition` for every
/// API; `input` is its `custom.input` (none: the whole snapshot).
fn rule_folder(condition: &str, input: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let input = input.map_or(String::new(), |i| format!("#   input: {i}\n"));
    let rule = format!(
        "# METADATA\n# title: Runs away\n# custom:\n#   id: RUNAWAY-001\n#   severity: low\n{input}\
         package runaway.rule\n\nimport rego.v1\n\n\
         checked contains api.id if {{\n\tsome sub in input.subscriptions\n\tsome svc in sub.services\n\tsome api in svc.apis\n}}\n\n\
         deny contains {{\"resource\": api.id, \"message\": \"x\"}} if {{\n\tsome sub in input.subscriptions\n\tsome svc in sub.services\n\tsome api in svc.apis\n\t{condition}\n}}\n"
    );
    std::fs::write(dir.path().join("runaway.rego"), rule).unwrap();
    dir
}

/// Stuck in one builtin: formatting a 100-million-bit number in decimal takes hours,
/// in a single call, and little memory.
const STUCK: &str = "count(format_int(bits.lsh(1, 100000000), 10)) > 0";

/// One builtin call that asks for 24 GB at once.
const RANGE: &str = "count(numbers.range(1, 1000000000)) == 0";

/// Memory that grows step by step: a hundred thousand distinct strings of 1 KB.
fn growing() -> String {
    let pad = "x".repeat(500);
    format!(
        "pad := \"{pad}\"\n\txs := [s | some i in numbers.range(1, 100000); s := concat(\"\", [pad, pad, format_int(i, 10)])]\n\tcount(xs) == 0"
    )
}

fn run(args: &[&str], rules: &Path) -> Output {
    apimguard()
        .args(args)
        .arg("-p")
        .arg(rules)
        .output()
        .expect("runs")
}

/// Exit 2, nothing on standard output, and standard error names the rule, its file and `parts`.
fn ended(out: &Output, rules: &Path, parts: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "a report was written: {stderr}");
    let file = rules.join("runaway.rego").display().to_string();
    for part in [&["RUNAWAY-001", file.as_str()], parts].concat() {
        assert!(stderr.contains(part), "stderr lacks {part:?}: {stderr}");
    }
}

#[test]
fn a_rule_stuck_in_one_builtin_past_the_timeout_ends_the_run() {
    let rules = rule_folder(STUCK, None);
    let out = run(
        &["check", SNAPSHOT, "--no-builtin", "--rule-timeout", "1"],
        rules.path(),
    );
    ended(
        &out,
        rules.path(),
        &["apimguard::policy::runaway_time", "--rule-timeout 1 s"],
    );
}

/// Evaluated together with the built-in rules of its scope, the runaway is still named.
#[test]
fn a_stuck_rule_evaluated_in_a_group_is_named() {
    let rules = rule_folder(STUCK, Some("service"));
    let out = run(&["check", SNAPSHOT, "--rule-timeout", "1"], rules.path());
    ended(&out, rules.path(), &["apimguard::policy::runaway_time"]);
}

#[test]
fn a_billion_element_range_ends_the_run() {
    let rules = rule_folder(RANGE, None);
    let out = run(&["check", SNAPSHOT, "--rule-timeout", "2"], rules.path());
    ended(&out, rules.path(), &["apimguard::policy::runaway"]);
}

#[test]
fn memory_growing_over_the_limit_ends_the_run() {
    let rules = rule_folder(&growing(), Some("service"));
    let out = run(
        &["check", SNAPSHOT, "--no-builtin", "--memory-limit", "64MiB"],
        rules.path(),
    );
    ended(
        &out,
        rules.path(),
        &["apimguard::policy::runaway_memory", "--memory-limit 64 MiB"],
    );
}

#[test]
fn diff_and_remediate_hold_rules_to_the_limits() {
    let rules = rule_folder(RANGE, None);
    let out = run(&["diff", SNAPSHOT, SNAPSHOT], rules.path());
    ended(&out, rules.path(), &["apimguard::policy::runaway_memory"]);
    let out = run(&["remediate", SNAPSHOT], rules.path());
    ended(&out, rules.path(), &["apimguard::policy::runaway_memory"]);
}

#[test]
fn a_runaway_unit_test_ends_rules_test_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("stuck_test.rego"),
        format!(
            "package runaway.stuck_test\n\nimport rego.v1\n\ntest_stuck if {{\n\t{STUCK}\n}}\n"
        ),
    )
    .unwrap();
    let out = apimguard()
        .args(["rules", "test", "--rule-timeout", "1"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains("test data.runaway.stuck_test.test_stuck")
            && stderr.contains("stuck_test.rego"),
        "{stderr}"
    );
}

#[test]
fn memory_limits_must_be_sizes() {
    for bad in ["0", "12XB", "1.5GiB", "99999999999TiB"] {
        let out = apimguard()
            .args(["check", SNAPSHOT, "--memory-limit", bad])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("--memory-limit"), "{bad}: {stderr}");
    }
    // Ordinary rules run well within a small ceiling.
    let out = apimguard()
        .args([
            "check",
            SNAPSHOT,
            "--memory-limit",
            "512MiB",
            "--fail-on",
            "never",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
