//! Shared by the report and gate tests: the `fixtures/reports/` estate, its rules and
//! configurations, and running the real binary over them.

use std::process::Output;

/// A six-API snapshot (the "new" run).
pub const SNAPSHOT: &str = "fixtures/reports/snapshot.json";
/// The same estate a day earlier (the "old" run of `diff`).
pub const OLD_SNAPSHOT: &str = "fixtures/reports/snapshot-old.json";
/// Two test rules (TEST-RPT-001 medium, TEST-RPT-002 low).
pub const POLICIES: &str = "fixtures/reports/policies";
/// The one built-in rule these fixtures were written for (the rest of the pack is left out).
pub const DEF001: &str = "policies/defender/external_unauthenticated_onboarded.rego";
/// Waivers in force.
pub const WAIVERS: &str = "fixtures/reports/config-waivers.yaml";
/// One waiver expired.
pub const EXPIRED: &str = "fixtures/reports/config-expired.yaml";
/// A configuration with a misspelt key.
pub const UNKNOWN_KEY: &str = "fixtures/reports/config-unknown-key.yaml";

/// Runs `apimguard <leading…> --no-builtin -p DEF001 -p POLICIES <rest…>`: a command
/// over the fixtures with the fixture rules and only the built-in rule they were written for.
pub fn with_fixture_rules(leading: &[&str], rest: &[&str]) -> Output {
    let rules = ["--no-builtin", "-p", DEF001, "-p", POLICIES];
    apimguard(&[leading, &rules, rest].concat())
}

/// Runs the binary from the crate root.
pub fn apimguard(args: &[&str]) -> Output {
    super::apimguard()
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

/// The exit code.
pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited")
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
