//! The snapshot contract evolves by minors: older snapshots load, newer minors load with
//! a warning naming what this build does not know, another major is refused (exit 2).

mod support;

use apimguard::snapshot::SCHEMA_MINOR;
use serde_json::Value;
use support::{apimguard, text};

/// `fixtures/check/small.json` with its top-level fields changed by `edit`, in a temporary file.
fn edited(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> tempfile::NamedTempFile {
    let original = std::fs::read_to_string("fixtures/check/small.json").unwrap();
    let mut document: Value = serde_json::from_str(&original).unwrap();
    edit(document.as_object_mut().unwrap());
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), document.to_string()).unwrap();
    file
}

fn check(file: &tempfile::NamedTempFile) -> (i32, String) {
    let out = apimguard()
        .args(["check", "-f", "json"])
        .arg(file.path())
        .output()
        .unwrap();
    (out.status.code().unwrap(), text(&out.stderr))
}

#[test]
fn a_snapshot_without_a_minor_loads_silently() {
    let file = edited(|d| {
        d.remove("schemaMinor");
        d.remove("schemaFeatures");
    });
    let (code, stderr) = check(&file);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("schema"), "{stderr}");
}

#[test]
fn a_newer_minor_loads_and_names_what_is_not_known() {
    let file = edited(|d| {
        d.insert("schemaMinor".into(), 7.into());
        d.insert(
            "schemaFeatures".into(),
            serde_json::json!(["callPaths", "gatewayTopology"]),
        );
        d.insert("gatewayTopology".into(), serde_json::json!({"regions": []}));
    });
    let (code, stderr) = check(&file);
    assert_eq!(code, 1, "the findings are still reported: {stderr}");
    assert!(stderr.contains("warning:"), "{stderr}");
    assert!(stderr.contains("schema 1.7"), "{stderr}");
    assert!(stderr.contains("gatewayTopology"), "{stderr}");
    assert!(
        !stderr.contains("callPaths"),
        "a known feature is not named: {stderr}"
    );
}

#[test]
fn a_newer_minor_without_a_feature_list_names_the_minors() {
    let file = edited(|d| {
        d.insert("schemaMinor".into(), 99.into());
        d.remove("schemaFeatures");
    });
    let (code, stderr) = check(&file);
    assert_eq!(code, 1, "{stderr}");
    let minors = format!("schema 1.{}–1.99", SCHEMA_MINOR + 1);
    assert!(stderr.contains(&minors), "{stderr}");
}

#[test]
fn another_major_is_refused_naming_both_versions() {
    for major in [0, 2] {
        let file = edited(|d| {
            d.insert("schemaVersion".into(), major.into());
        });
        let (code, stderr) = check(&file);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("apimguard::snapshot::version"), "{stderr}");
        assert!(
            stderr.contains(&format!("`schemaVersion` is {major}"))
                && stderr.contains(&format!("reads schema 1 (1.0 to 1.{SCHEMA_MINOR}")),
            "{stderr}"
        );
    }
}

#[test]
fn the_json_schema_names_the_minor_and_the_call_paths() {
    let out = apimguard().arg("schema").output().unwrap();
    assert!(out.status.success());
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(schema["properties"]["schemaMinor"].is_object(), "{schema}");
    assert!(schema["properties"]["schemaFeatures"].is_object());
    assert!(schema["$defs"]["Api"]["properties"]["callPaths"].is_object());
}

#[test]
fn feature_names_from_the_file_are_shown_only_as_short_identifiers() {
    let file = edited(|d| {
        d.insert("schemaMinor".into(), (SCHEMA_MINOR + 1).into());
        let long = "x".repeat(5000);
        d.insert(
            "schemaFeatures".into(),
            serde_json::json!(["rateFacts", long, "evil\u{1b}[31m"]),
        );
    });
    let (code, stderr) = check(&file);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("rateFacts and 2 more"), "{stderr}");
    assert!(
        !stderr.contains("xxxxxxxxxx") && !stderr.contains('\u{1b}'),
        "{stderr}"
    );
}
