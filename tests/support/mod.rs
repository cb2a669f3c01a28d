//! Test support: a fake ARM server on loopback and the estates it serves.
//!
//! Shared by the integration tests and the collector benchmark; each uses part of
//! it, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod estate;
pub mod fake_arm;

use std::process::{Command, Output};

use fake_arm::FakeArm;

/// Variables of the credential chain that must not leak in from the developer's shell.
const CREDENTIAL_VARIABLES: &[&str] = &[
    "APIMGUARD_ACCESS_TOKEN",
    "APIMGUARD_AUTH",
    "AZURE_CLOUD",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_FEDERATED_TOKEN_FILE",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "SYSTEM_OIDCREQUESTURI",
    "IDENTITY_ENDPOINT",
];

/// The `apimguard` binary with a clean credential environment and no colours.
pub fn apimguard() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_apimguard"));
    for name in CREDENTIAL_VARIABLES {
        command.env_remove(name);
    }
    command.env("NO_COLOR", "1");
    command
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
