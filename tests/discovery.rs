//! Discovery of whole tenants: `collect --management-group` (subscriptions from the
//! management groups API) and `--discovery` (services and Defender plans through
//! Resource Graph, or ARM listing), against the fake ARM serving a tenant of several
//! subscriptions.

mod support;

use serde_json::Value;
use support::fake_arm::{Behaviour, FakeArm, Fault, FaultKind, Logged};
use support::tenant::{self, CHILD_GROUP, GROUP};
use support::throttle::Throttle;
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
    // Throttled like ARM, a token bucket per subscription (and the tenant's).
    let fake = FakeArm::start(
        tenant::tenant(3, 2, 3),
        Behaviour {
            token: TOKEN.into(),
            page_size: Some(2),
            throttle: Some(Throttle {
                burst: 20,
                refill_per_second: 50.0,
            }),
            ..Behaviour::default()
        },
    );
    let (code, snapshot, stderr) = collect(&fake, &["--management-group", GROUP]);
    assert_eq!(code, 0, "{stderr}\n{}", snapshot["gaps"]);
    assert_eq!(snapshot["subscriptions"].as_array().unwrap().len(), 3);
    assert_eq!(services(&snapshot), 6);
    assert_eq!(snapshot["source"]["discovery"]["method"], "resourceGraph");
    assert_eq!(snapshot["source"]["scope"]["managementGroups"][0], GROUP);
    let log = fake.requests();
    assert!(reads(&log, "/providers/Microsoft.ResourceGraph/resources") >= 4);
    // Of ARM's service list, only the first page of each subscription, to confirm that
    // the identity can read it as a whole (Resource Graph would hide what it cannot).
    let probes: Vec<&Logged> = log
        .iter()
        .filter(|r| {
            r.path
                .ends_with("/providers/Microsoft.ApiManagement/service")
        })
        .collect();
    assert_eq!(probes.len(), 3, "{probes:?}");
    assert!(
        probes.iter().all(|r| !r.query.contains("skip")),
        "{probes:?}"
    );
    assert!(
        !log.iter().any(|r| r.path.ends_with("/pricings/Api")
            || r.path.ends_with("/apiCollections")
            || r.path.ends_with("/assessments")),
        "plans, collections and assessments came from Resource Graph"
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
    assert!(
        !snapshot["subscriptions"]
            .to_string()
            .contains("/service/evil"),
        "the stray row is not taken"
    );
    let gaps = snapshot["gaps"].to_string();
    assert!(
        gaps.contains("not that of a resource of the subscriptions asked about"),
        "{gaps}"
    );
    assert_eq!(reads(&fake.requests(), "/service/evil"), 0, "never read");
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

#[test]
fn api_collections_and_assessments_come_from_resource_graph_as_arm_lists_them() {
    // The demo estate: onboarded APIs, assessments of APIs (severities from the metadata)
    // and of other resources, in two subscriptions.
    let fake = fake(support::estate::demo(), Vec::new());
    let (code, graph, stderr) = collect(&fake, &["--discovery", "resource-graph"]);
    assert!(code == 0 || code == 2, "{stderr}");
    assert_eq!(graph["source"]["discovery"]["method"], "resourceGraph");
    assert!(
        graph["source"]["discovery"]
            .get("defenderFallback")
            .is_none(),
        "{stderr}"
    );
    let log = fake.requests();
    assert_eq!(
        reads(&log, "/providers/Microsoft.Security/apiCollections"),
        0
    );
    assert_eq!(reads(&log, "/providers/Microsoft.Security/assessments"), 0);
    let recommendations: usize = graph["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["recommendations"].as_array().unwrap().len())
        .sum();
    assert!(recommendations > 0, "the demo's assessments were found");

    let (arm_code, arm, stderr) = collect(&fake, &["--discovery", "arm"]);
    assert_eq!(arm_code, code, "{stderr}");
    assert_eq!(comparable(graph), comparable(arm));
}

#[test]
fn defender_rows_not_in_arms_shape_are_listed_through_arm_instead() {
    // A collection whose provisioning state is spelled otherwise: misread, a failed
    // onboarding would count as done.
    let mut estate = tenant::tenant(1, 1, 1);
    let list = format!(
        "/subscriptions/{}/providers/microsoft.security/apicollections",
        tenant::subscription_id(0)
    );
    let properties = estate.routes.get_mut(&list).unwrap()["value"][0]["properties"]
        .as_object_mut()
        .unwrap();
    let state = properties.remove("provisioningState").unwrap();
    properties.insert("ProvisioningState".into(), state);
    let fake = fake(estate, Vec::new());
    let (code, snapshot, stderr) = collect(&fake, &["--management-group", GROUP]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("listed through ARM instead"), "{stderr}");
    let discovery = &snapshot["source"]["discovery"];
    assert_eq!(discovery["method"], "resourceGraph");
    assert!(
        discovery["defenderFallback"]
            .as_str()
            .unwrap()
            .contains("apiCollections/api-000"),
        "{discovery}"
    );
    let log = fake.requests();
    assert_eq!(
        reads(&log, "/providers/Microsoft.Security/apiCollections"),
        1
    );
    assert_eq!(reads(&log, "/providers/Microsoft.Security/assessments"), 1);
}

#[test]
fn a_subscription_arm_refuses_to_list_is_a_gap_whatever_resource_graph_shows() {
    // Resource Graph answers with what the identity can read: here nothing at all.
    let empty = r#"{"totalRecords":0,"count":0,"resultTruncated":"false","data":[]}"#;
    let graph = Fault::always(
        "/providers/Microsoft.ResourceGraph",
        FaultKind::Canned {
            status: 200,
            headers: Vec::new(),
            body: empty.to_string(),
        },
    );
    // ARM refuses to list the services of the second subscription (Reader on one of
    // its resource groups only).
    let hidden = tenant::subscription_id(1);
    let refused = Fault::forbidden(
        &format!("/subscriptions/{hidden}/providers/Microsoft.ApiManagement/service"),
        &format!("/subscriptions/{hidden}"),
    );
    let fake = fake(tenant::tenant(2, 1, 1), vec![graph, refused]);
    let (code, snapshot, stderr) = collect(&fake, &["--management-group", GROUP]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(snapshot["complete"], false);
    let gaps = snapshot["gaps"].as_array().unwrap();
    let gap = gaps
        .iter()
        .find(|g| g["scope"] == format!("/subscriptions/{hidden}"))
        .unwrap_or_else(|| panic!("{gaps:?}"));
    assert_eq!(gap["what"], "services");
    assert!(
        gap["error"]
            .as_str()
            .unwrap()
            .contains("Resource Graph shows only the services the identity can read"),
        "{gap}"
    );
    // The first subscription's service, which Resource Graph did not show (it lags
    // behind writes) but ARM lists, is read all the same.
    assert_eq!(services(&snapshot), 1, "{gaps:?}");
}

/// Runs a management-group collection of one subscription while Resource Graph answers
/// `kind`, and checks that the answer was refused with `expected` on standard error,
/// that the estate was then read whole through ARM, and how many queries were sent.
fn refused_graph_answer(kind: FaultKind, extra: &[&str], expected: &str) -> usize {
    let graph = Fault::always("/providers/Microsoft.ResourceGraph", kind);
    let fake = fake(tenant::tenant(1, 1, 1), vec![graph]);
    let mut args = vec!["--management-group", GROUP];
    args.extend_from_slice(extra);
    let (code, snapshot, stderr) = collect(&fake, &args);
    assert_eq!(code, 0, "{expected}: {stderr}");
    assert!(
        stderr.contains("Resource Graph could not be queried") && stderr.contains(expected),
        "{expected}: {stderr}"
    );
    assert_eq!(snapshot["source"]["discovery"]["method"], "arm");
    assert_eq!(services(&snapshot), 1, "nothing lost: {expected}");
    assert!(
        !snapshot.to_string().contains("99999999-9999"),
        "{expected}"
    );
    reads(
        &fake.requests(),
        "/providers/Microsoft.ResourceGraph/resources",
    )
}

fn canned(body: String) -> FaultKind {
    FaultKind::Canned {
        status: 200,
        headers: Vec::new(),
        body,
    }
}

#[test]
fn hostile_resource_graph_answers_are_refused_and_arm_reads_the_estate() {
    let row = r#"{"id":"/subscriptions/99999999-9999-4999-8999-999999999999/resourceGroups/rg/providers/Microsoft.ApiManagement/service/s"}"#;
    let deep = format!(
        r#"{{"totalRecords":1,"count":1,"resultTruncated":"false","data":[{{"id":"x","properties":{}{}}}]}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let cases = [
        (deep, "nested more than 100 levels"),
        (
            format!(r#"{{"totalRecords":5,"count":5,"resultTruncated":"false","data":[{row}]}}"#),
            "is not its number of rows",
        ),
        (
            format!(r#"{{"totalRecords":10,"count":1,"resultTruncated":"false","data":[{row}]}}"#),
            "answered 1 rows of the 10",
        ),
        (
            format!(r#"{{"count":1,"resultTruncated":"false","data":[{row}]}}"#),
            "no `totalRecords`",
        ),
        (
            r#"{"totalRecords":7,"count":0,"resultTruncated":"true","$skipToken":"t","data":[]}"#
                .to_string(),
            "a $skipToken with no rows",
        ),
        (
            format!(
                r#"{{"totalRecords":7,"count":1,"resultTruncated":"true","$skipToken":"same","data":[{row}]}}"#
            ),
            "repeats an earlier one",
        ),
        (
            format!(r#"{{"totalRecords":7,"count":1,"resultTruncated":"true","data":[{row}]}}"#),
            "truncated and gives no $skipToken",
        ),
    ];
    for (body, expected) in cases {
        let queries = refused_graph_answer(canned(body), &[], expected);
        assert!(queries <= 8, "{expected}: {queries} queries");
    }
    // Rows beyond --max-response-size: refused unread.
    let huge = format!(
        r#"{{"totalRecords":1,"count":1,"resultTruncated":"false","data":[{{"id":"x","properties":{{"blob":"{}"}}}}]}}"#,
        "a".repeat(200_000)
    );
    refused_graph_answer(
        canned(huge),
        &["--max-response-size", "100KiB"],
        "larger than",
    );
}

#[test]
fn an_endless_resource_graph_paging_is_bounded() {
    // A new $skipToken on every page, and a total that is never reached.
    let queries = refused_graph_answer(
        FaultKind::EndlessGraphPages(1_000_000_000),
        &["--max-pages", "25"],
        "after 25 pages",
    );
    assert!(queries <= 4 * 25, "{queries} queries");
    // A new $skipToken on every page, past the total the answer announces.
    let queries = refused_graph_answer(
        FaultKind::EndlessGraphPages(3),
        &[],
        "more rows (4) than its `totalRecords` (3)",
    );
    assert!(queries <= 4 * 4, "{queries} queries");
}
