//! Hostile answers to the logging reads (a service's diagnostic settings, its
//! diagnostics and loggers, an API's diagnostics): too large, nested too deep, or
//! nested just within what the reader takes. Each is bounded and ends as a gap naming
//! the list (exit 2), or is collected into a snapshot that `check` reads: never a crash,
//! and nothing else of the service is lost.

mod support;

use serde_json::Value;
use support::estate::{self, ECHO_API, RG, SERVICE};
use support::fake_arm::{Behaviour, FakeArm, Fault, FaultKind};
use support::{run, run_against, text};

const TOKEN: &str = "test-token";

/// The logging lists: what a gap calls each, the parent it is listed under (an id's
/// tail) and the collection.
fn lists() -> Vec<(&'static str, String, &'static str)> {
    let service =
        format!("/resourceGroups/{RG}/providers/Microsoft.ApiManagement/service/{SERVICE}");
    vec![
        (
            "diagnosticSettings",
            service.clone(),
            "/providers/Microsoft.Insights/diagnosticSettings",
        ),
        ("diagnostics", service.clone(), "/diagnostics"),
        ("loggers", service.clone(), "/loggers"),
        (
            "diagnostics",
            format!("{service}/apis/{ECHO_API}"),
            "/diagnostics",
        ),
    ]
}

/// Collects the contoso estate with `pattern` answered `body`; returns the exit code,
/// the snapshot (as text, and its path's directory) and stderr.
fn collect(pattern: &str, body: String, extra: &[&str]) -> (i32, Value, String, tempfile::TempDir) {
    let fault = Fault::always(
        pattern,
        FaultKind::Canned {
            status: 200,
            headers: Vec::new(),
            body,
        },
    )
    .on("GET");
    let fake = FakeArm::start(
        estate::contoso(),
        Behaviour {
            token: TOKEN.into(),
            faults: vec![fault],
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let mut args = vec!["collect", "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = run_against(&fake, TOKEN, &args);
    let snapshot = std::fs::read_to_string(&out)
        .map(|t| serde_json::from_str(&t).expect("the snapshot is JSON"))
        .unwrap_or(Value::Null);
    (
        output.status.code().unwrap_or(-1),
        snapshot,
        text(&output.stderr),
        dir,
    )
}

/// The gap about `what` listed under `parent`.
fn gap_about<'a>(snapshot: &'a Value, what: &str, parent: &str) -> Option<&'a Value> {
    snapshot["gaps"].as_array()?.iter().find(|g| {
        g["what"] == what
            && g["scope"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase()
                .ends_with(&parent.to_ascii_lowercase())
    })
}

/// The service and its APIs were read whatever became of the logging list.
fn rest_of_the_service_is_there(snapshot: &Value) {
    let service = snapshot["subscriptions"][0]["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == SERVICE)
        .expect("the service");
    assert!(!service["apis"].as_array().unwrap().is_empty());
    assert!(service["policy"].is_object());
}

#[test]
fn a_logging_answer_nested_too_deep_is_a_gap_naming_the_list() {
    let deep = format!(
        r#"{{"value":[{{"id":"x","name":"x","properties":{}{}}}]}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    for (what, parent, collection) in lists() {
        let path = format!("{parent}{collection}");
        let (code, snapshot, stderr, _dir) = collect(&path, deep.clone(), &[]);
        assert_eq!(code, 2, "{path}: {stderr}");
        let gap = gap_about(&snapshot, what, &parent)
            .unwrap_or_else(|| panic!("{path}: {}", snapshot["gaps"]));
        let error = gap["error"].as_str().unwrap();
        assert!(
            error.contains("nested more than 100 levels"),
            "{path}: {error}"
        );
        rest_of_the_service_is_there(&snapshot);
    }
}

#[test]
fn a_logging_answer_larger_than_the_bound_is_a_gap_naming_the_list() {
    let huge = format!(
        r#"{{"value":[{{"id":"x","name":"x","properties":{{"blob":"{}"}}}}]}}"#,
        "a".repeat(300_000)
    );
    for (what, parent, collection) in lists() {
        let path = format!("{parent}{collection}");
        let (code, snapshot, stderr, _dir) =
            collect(&path, huge.clone(), &["--max-response-size", "256KiB"]);
        assert_eq!(code, 2, "{path}: {stderr}");
        let gap = gap_about(&snapshot, what, &parent)
            .unwrap_or_else(|| panic!("{path}: {}", snapshot["gaps"]));
        assert!(
            gap["error"].as_str().unwrap().contains("larger than"),
            "{gap}"
        );
        rest_of_the_service_is_there(&snapshot);
    }
}

#[test]
fn a_logging_answer_nested_near_the_bound_never_costs_the_snapshot() {
    // A logger whose properties nest `depth` levels below it (its properties object is
    // level 4 of the answer): up to 100 levels of answer it is collected, and `check`
    // reads the snapshot; deeper, the list is a gap. Either way the snapshot is written.
    for depth in [80usize, 96, 97, 110, 124] {
        let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let body = format!(
            r#"{{"value":[{{"id":"/subscriptions/{}/resourceGroups/{RG}/providers/Microsoft.ApiManagement/service/{SERVICE}/loggers/deep","name":"deep","properties":{{"loggerType":"applicationInsights","extra":{nested}}}}}]}}"#,
            estate::SUBSCRIPTION
        );
        let (_, parent, collection) = &lists()[2];
        let (code, snapshot, stderr, dir) = collect(&format!("{parent}{collection}"), body, &[]);
        assert!(!snapshot.is_null(), "depth {depth}: no snapshot: {stderr}");
        rest_of_the_service_is_there(&snapshot);
        if 4 + depth > 100 {
            assert_eq!(code, 2, "depth {depth}: {stderr}");
            let gap = gap_about(&snapshot, "loggers", parent).expect("a gap");
            assert!(
                gap["error"]
                    .as_str()
                    .unwrap()
                    .contains("nested more than 100 levels"),
                "{gap}"
            );
        } else {
            assert_eq!(code, 0, "depth {depth}: {stderr}");
        }
        let file = dir.path().join("snapshot.json");
        let output = run(&[
            "check",
            file.to_str().unwrap(),
            "--allow-incomplete",
            "--fail-on",
            "never",
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "depth {depth}: check refused the collected snapshot: {}",
            text(&output.stderr)
        );
    }
}
