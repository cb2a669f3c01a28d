//! The test harness's launcher keeps the environment of the shell or CI runner that
//! runs the tests away from the binary (credentials, cloud, apimguard's settings).

mod support;

const TEMPLATE: &str =
    "fixtures/iac/samples/quickstarts/api-management-create-with-msi/azuredeploy.json";

#[test]
fn the_binary_inherits_no_apimguard_azure_or_credential_variable() {
    // This test binary runs alone in its process, so its environment is its own.
    for (name, value) in [
        ("APIMGUARD_COLLECTED_AT", "not a time"),
        ("APIMGUARD_AUTH", "no-such-credential"),
        ("AZURE_CLOUD", "mars"),
        ("AZURE_CLIENT_SECRET", "leaked-secret"),
        ("ARM_CLIENT_SECRET", "leaked-secret"),
        ("IDENTITY_ENDPOINT", "http://127.0.0.1:9/leak"),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "leaked-secret"),
    ] {
        std::env::set_var(name, value);
    }
    // An IaC snapshot is stamped with APIMGUARD_COLLECTED_AT when it is set, and refused
    // when that is not a time: the run succeeds only if the variable did not reach it.
    let out = support::run(&["collect", "--from-arm", TEMPLATE]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("leaked-secret"), "{stderr}");
    // What a test sets itself still reaches the binary.
    let out = support::apimguard()
        .env("APIMGUARD_COLLECTED_AT", "yesterday")
        .args(["collect", "--from-arm", TEMPLATE])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

/// Every test launches the binary through `support::apimguard()`, and a test that runs a
/// shell (which may run the binary, as the GitHub Action's steps do) clears the same
/// variables with `support::without_ambient`.
#[test]
fn every_launch_goes_through_the_harness() {
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut wrong = Vec::new();
    for file in support::rust_files(&tests) {
        let relative = file.strip_prefix(&tests).unwrap().display().to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        if relative == "support/mod.rs" || relative == "harness.rs" {
            continue;
        }
        if text.contains("CARGO_BIN_EXE_") || text.contains("cargo_bin(") {
            wrong.push(format!(
                "{relative} launches the binary itself: use support::apimguard()"
            ));
        }
        let shells = ["Command::new(\"bash\")", "Command::new(\"sh\")"];
        if shells.iter().any(|shell| text.contains(shell))
            && !text.contains("support::without_ambient")
        {
            wrong.push(format!(
                "{relative} runs a shell without support::without_ambient"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
