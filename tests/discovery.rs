//! Discovery of whole tenants: `collect --management-group` (subscriptions from the
//! management groups API) and `--discovery` (services and Defender plans through
//! Resource Graph, or ARM listing), against the fake ARM serving a tenant of several
//! subscriptions.

mod support;

use serde_json::Value;
use support::fake_arm::{Behaviour, FakeArm, Fault, FaultKind, Logged};
use support::tenant::{self, CHILD_GROUP, GROUP};
use support::{run_against, text};

const TOKEN: &str = "test-token";

fn fake(estate: support::estate::Estate, faults: Vec<Fault>) -> FakeArm {
    FakeArm::start(
        estate,
        Behaviour {
            token: TOKEN.into(),
            page_size: Some(2),
            faults,
            ..Behaviour::default()
        },
    )
}

/// Runs `collect ARGS -o FILE` and returns the exit code, the snapshot and stderr.
fn collect(fake: &FakeArm, args: &[&str]) -> (i32, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let mut all = vec!["collect", "-o", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let output = run_against(fake, TOKEN, &all);
    let snapshot = std::fs::read_to_string(&out)
        .map(|t| serde_json::from_str(&t).expect("JSON"))
        .unwrap_or(Value::Null);
    (
        output.status.code().unwrap_or(-1),
        snapshot,
        text(&output.stderr),
    )
}

/// The snapshot without what differs between two runs by design: the time, and how
/// discovery went.
fn comparable(mut snapshot: Value) -> Value {
    snapshot["collectedAt"] = Value::Null;
    snapshot["source"]["discovery"] = Value::Null;
    snapshot
}

fn services(snapshot: &Value) -> usize {
    snapshot["subscriptions"]
        .as_array()
        .expect("subscriptions")
        .iter()
        .map(|s| s["services"].as_array().expect("services").len())
        .sum()
}

fn reads(log: &[Logged], fragment: &str) -> usize {
    log.iter()
        .filter(|r| {
            r.path
                .to_ascii_lowercase()
                .contains(&fragment.to_ascii_lowercase())
        })
        .count()
}

#[test]
fn a_management_group_finds_every_service_through_resource_graph() {
    let fake = fake(tenant::tenant(3, 2, 3), Vec::new());
    let (code, snapshot, stderr) = collect(&fake, &["--management-group", GROUP]);
    assert_eq!(code, 0, "{stderr}\n{}", snapshot["gaps"]);
    assert_eq!(snapshot["subscriptions"].as_array().unwrap().len(), 3);
    assert_eq!(services(&snapshot), 6);
    assert_eq!(snapshot["source"]["discovery"]["method"], "resourceGraph");
    assert_eq!(snapshot["source"]["scope"]["managementGroups"][0], GROUP);
    let log = fake.requests();
    assert!(reads(&log, "/providers/Microsoft.ResourceGraph/resources") >= 2);
    assert_eq!(
        reads(&log, "/providers/Microsoft.ApiManagement/service?"),
        0,
        "no ARM listing of services"
    );
    assert!(
        !log.iter().any(|r| r
            .path
            .ends_with("/providers/Microsoft.ApiManagement/service")
            || r.path.ends_with("/pricings/Api")),
        "services and plans came from Resource Graph"
    );
}

#[test]
fn resource_graph_and_arm_listing_give_the_same_snapshot() {
    let fake = fake(tenant::tenant(3, 2, 3), Vec::new());
    let (graph_code, graph, stderr) = collect(&fake, &["--management-group", GROUP]);
    assert_eq!(graph_code, 0, "{stderr}");
    let (arm_code, arm, stderr) =
        collect(&fake, &["--management-group", GROUP, "--discovery", "arm"]);
    assert_eq!(arm_code, 0, "{stderr}");
    assert_eq!(arm["source"]["discovery"]["method"], "arm");
    assert_eq!(comparable(graph), comparable(arm.clone()));
    // The whole tenant through Resource Graph, when asked, finds the same.
    let (code, tenant_wide, stderr) = collect(&fake, &["--discovery", "resource-graph"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        tenant_wide["source"]["discovery"]["method"],
        "resourceGraph"
    );
    assert_eq!(
        tenant_wide["subscriptions"], arm["subscriptions"],
        "the same estate"
    );
}

#[test]
fn nested_groups_read_each_subscription_once() {
    let fake = fake(tenant::tenant(2, 1, 1), Vec::new());
    let (code, snapshot, stderr) = collect(
        &fake,
        &[
            "--management-group",
            GROUP,
            "--management-group",
            CHILD_GROUP,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(snapshot["subscriptions"].as_array().unwrap().len(), 2);
}

#[test]
fn without_resource_graph_access_services_are_listed_through_arm_and_it_says_so() {
    let denied = Fault::forbidden("/providers/Microsoft.ResourceGraph", "/");
    let fake = fake(tenant::tenant(2, 1, 2), vec![denied]);
    let (code, snapshot, stderr) = collect(&fake, &["--management-group", GROUP]);
    assert_eq!(code, 0, "a fallback is no gap: {stderr}");
    assert!(
        stderr.contains("Resource Graph could not be queried"),
        "{stderr}"
    );
    let discovery = &snapshot["source"]["discovery"];
    assert_eq!(discovery["method"], "arm");
    assert!(
        discovery["fallback"]
            .as_str()
            .unwrap()
            .contains("Resource Graph"),
        "{discovery}"
    );
    assert_eq!(services(&snapshot), 2);
}

#[test]
fn a_management_group_id_that_could_leave_its_path_is_refused_before_any_request() {
    let fake = fake(tenant::tenant(1, 1, 1), Vec::new());
    for bad in ["../x", "a/b", "g?x=1", "trailing.", ""] {
        let (code, _, stderr) = collect(&fake, &["--management-group", bad]);
        assert_eq!(code, 2, "{bad}: {stderr}");
        assert!(
            stderr.contains("apimguard::collect::value"),
            "{bad}: {stderr}"
        );
    }
    assert!(fake.requests().is_empty());
}

#[test]
fn a_resource_graph_row_outside_the_scope_is_a_gap() {
    let stray = r#"{"totalRecords":1,"count":1,"resultTruncated":"false","data":[{"id":"/subscriptions/99999999-9999-4999-8999-999999999999/resourceGroups/rg/providers/Microsoft.ApiManagement/service/evil","name":"evil","location":"westeurope","sku":{"name":"Developer","capacity":1},"properties":{}}]}"#;
    let canned = Fault::always(
        "/providers/Microsoft.ResourceGraph",
        FaultKind::Canned {
            status: 200,
            headers: Vec::new(),
            body: stray.to_string(),
        },
    );
    let fake = fake(tenant::tenant(1, 1, 1), vec![canned]);
    let (code, snapshot, stderr) = collect(&fake, &["--management-group", GROUP]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(services(&snapshot), 0);
    let gaps = snapshot["gaps"].to_string();
    assert!(
        gaps.contains("not that of a resource of the subscriptions asked about"),
        "{gaps}"
    );
    assert!(!reads(&fake.requests(), "/service/evil") > 0, "never read");
}

#[test]
fn what_cannot_be_read_under_a_group_is_a_gap() {
    // A subscription under the group that the identity cannot list.
    let mut estate = tenant::tenant(2, 1, 1);
    let listed = estate.routes["/subscriptions"]["value"][0].clone();
    estate.list("/subscriptions", vec![listed]);
    let fake1 = fake(estate, Vec::new());
    let (code, snapshot, _) = collect(&fake1, &["--management-group", GROUP]);
    assert_eq!(code, 2);
    let gaps = snapshot["gaps"].to_string();
    assert!(gaps.contains(&tenant::subscription_id(1)), "{gaps}");
    assert!(gaps.contains("cannot list it"), "{gaps}");

    // A group the identity may not read.
    let denied = Fault::forbidden(
        "/managementGroups/",
        "/providers/Microsoft.Management/managementGroups/contoso-platform",
    );
    let fake2 = fake(tenant::tenant(1, 1, 1), vec![denied]);
    let (code, snapshot, _) = collect(&fake2, &["--management-group", GROUP]);
    assert_eq!(code, 2);
    assert!(snapshot["complete"] == false);
    assert_eq!(snapshot["subscriptions"].as_array().unwrap().len(), 0);
}
