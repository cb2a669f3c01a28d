//! Test support: the one way tests launch the binary ([`apimguard`], with a clean
//! environment), a fake ARM server on loopback and the estates it serves, and the
//! report fixtures.
//!
//! Shared by the integration tests and the collector benchmark; each uses part of
//! it, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod activity_log;
pub mod estate;
pub mod exemptions;
pub mod fake_arm;
pub mod reports;
pub mod resource_graph;
pub mod tenant;
pub mod throttle;

use std::process::{Command, Output};

use fake_arm::FakeArm;

/// Prefixes of the variables that must not leak in from the developer's shell or the
/// CI runner: every credential of the chain (service principal, workload identity,
/// GitHub and Azure Pipelines OIDC, managed identity, App Service), the cloud, and
/// apimguard's own settings. A test sets what it needs after [`apimguard`].
const AMBIENT_PREFIXES: &[&str] = &[
    "APIMGUARD_",
    "AZURE_",
    "ARM_",
    "AZURESUBSCRIPTION_",
    "ACTIONS_ID_TOKEN_",
    "SYSTEM_OIDC",
    "IDENTITY_",
    "MSI_",
    "IMDS_",
];

/// Whether the variable `name` is one the binary must not inherit.
fn is_ambient(name: &str) -> bool {
    AMBIENT_PREFIXES
        .iter()
        .any(|prefix| name.to_ascii_uppercase().starts_with(prefix))
}

/// The `apimguard` binary with no credential, Azure or apimguard variable of the
/// environment, and no colours. Every test launches the binary through this.
pub fn apimguard() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_apimguard"));
    for (name, _) in std::env::vars_os() {
        if is_ambient(&name.to_string_lossy()) {
            command.env_remove(name);
        }
    }
    command.env("NO_COLOR", "1");
    command
}

/// [`apimguard`] as an `assert_cmd` command (for `.assert()` and `.timeout()`).
pub fn cmd() -> assert_cmd::Command {
    assert_cmd::Command::from_std(apimguard())
}

/// Runs `apimguard ARGS` and returns what it did.
pub fn run(args: &[&str]) -> Output {
    apimguard().args(args).output().expect("apimguard runs")
}

/// A captured stream as text (lossy UTF-8).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `apimguard <args> --management-endpoint <fake>` with `token` as the access token.
pub fn run_against(fake: &FakeArm, token: &str, args: &[&str]) -> Output {
    apimguard()
        .args(args)
        .args(["--management-endpoint", &fake.url])
        .env("APIMGUARD_ACCESS_TOKEN", token)
        .output()
        .expect("apimguard runs")
}

/// Every `.rs` file under `dir`, recursively.
pub fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The result of rule `id` in a JSON report; panics naming the rule when it did not run.
pub fn rule_result<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["results"]
        .as_array()
        .expect("a JSON report's results")
        .iter()
        .find(|r| r["ruleId"] == id)
        .unwrap_or_else(|| panic!("{id} ran"))
}

/// The findings of a rule's result as (resource, message) pairs, in report order.
pub fn findings_of(result: &serde_json::Value) -> Vec<(String, String)> {
    result["findings"]
        .as_array()
        .expect("a rule result's findings")
        .iter()
        .map(|f| {
            (
                f["resource"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
