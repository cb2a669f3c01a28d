//! `apimguard collect --since`: incremental collection against the fake ARM serving an
//! activity log. After changes, the incremental snapshot equals a full re-collection
//! (but for `collectedAt` and the `incremental` record) with at most a tenth of the
//! requests; every reason to read a part in full reads it; a hostile previous snapshot
//! is read in full or refused, never trusted blindly.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::activity_log::{self, event, service};
use support::estate::SUBSCRIPTION;
use support::fake_arm::{Behaviour, FakeArm, Fault};
use support::{run_against, text};

const TOKEN: &str = "test-token";

fn fake(services: usize, apis: usize, faults: Vec<Fault>) -> FakeArm {
    FakeArm::start(
        activity_log::estate(services, apis),
        Behaviour {
            token: TOKEN.into(),
            faults,
            ..Behaviour::default()
        },
    )
}

/// One `collect` run: its exit code, stderr, the snapshot written to `out` and the
/// number of requests it made.
struct Run {
    code: Option<i32>,
    stderr: String,
    snapshot: Value,
    requests: usize,
}

fn collect(fake: &FakeArm, out: &Path, flags: &[&str]) -> Run {
    let before = fake.requests().len();
    let mut args = vec!["collect", "-o", out.to_str().unwrap()];
    args.extend_from_slice(flags);
    let output = run_against(fake, TOKEN, &args);
    let snapshot = std::fs::read_to_string(out)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    Run {
        code: output.status.code(),
        stderr: text(&output.stderr),
        snapshot,
        requests: fake.requests().len() - before,
    }
}

/// A full collection into `dir/previous.json` (complete), and its path.
fn previous(fake: &FakeArm, dir: &Path) -> PathBuf {
    let path = dir.join("previous.json");
    let run = collect(fake, &path, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    path
}

fn since<'a>(previous: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut flags = vec!["--since", previous.to_str().unwrap()];
    flags.extend_from_slice(extra);
    flags
}

/// Edits the JSON file at `path` with `edit`.
fn edit(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut value);
    std::fs::write(path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

/// The snapshot without what differs between two collections of the same estate: the
/// collection time and the incremental record.
fn normalised(snapshot: &Value) -> Value {
    let mut snapshot = snapshot.clone();
    let map = snapshot.as_object_mut().unwrap();
    map.remove("collectedAt");
    map.remove("incremental");
    snapshot
}

/// The reason recorded for reading `scope` in full, if it was.
fn full_read(snapshot: &Value, scope: &str) -> Option<String> {
    snapshot["incremental"]["readInFull"]
        .as_array()?
        .iter()
        .find(|r| {
            r["scope"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(scope))
        })
        .map(|r| r["reason"].as_str().unwrap().to_string())
}

fn carried(snapshot: &Value) -> Vec<String> {
    snapshot["incremental"]["carriedOver"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|c| c["service"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the run at `from` (an index in the request log) read `service`'s APIs.
fn read_apis_of(fake: &FakeArm, from: usize, service: &str) -> bool {
    let apis = format!("{service}/apis").to_ascii_lowercase();
    fake.requests()[from..]
        .iter()
        .any(|r| r.path.to_ascii_lowercase() == apis)
}

fn subscription() -> String {
    format!("/subscriptions/{SUBSCRIPTION}")
}

/// Serves the list at `path` without its item `id`.
fn remove_item(fake: &FakeArm, path: &str, id: &str) {
    let mut list = fake.resource(&path.to_ascii_lowercase()).expect("a list");
    let items = list["value"].as_array_mut().unwrap();
    let before = items.len();
    items.retain(|item| !item["id"].as_str().unwrap().eq_ignore_ascii_case(id));
    assert_eq!(items.len(), before - 1, "{id} in {path}");
    fake.serve(path, list);
}

#[test]
fn after_changes_the_incremental_snapshot_equals_a_full_one_with_a_tenth_of_the_requests() {
    const SERVICES: usize = 40;
    let fake = fake(SERVICES, 16, Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let previous = previous(&fake, dir.path());

    // An API policy edited (svc-001), an API added (svc-002), a service deleted
    // (svc-003), and a Defender onboarding withdrawn (svc-004's api-000, no ARM write of
    // API Management: only a read of Defender's collections sees it).
    let policy = format!("{}/apis/api-001/policies/policy", service(1));
    let mut document = fake
        .resource(&policy.to_ascii_lowercase())
        .expect("a policy");
    document["properties"]["value"] = json!("<policies><inbound><base /><ip-filter action=\"allow\"><address>10.0.0.1</address></ip-filter></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>");
    fake.serve(&policy, document);
    let apis = format!("{}/apis", service(2));
    let mut list = fake
        .resource(&apis.to_ascii_lowercase())
        .expect("an API list");
    let template = list["value"][0].clone();
    let old_id = template["id"].as_str().unwrap().to_string();
    let new_id = format!("{apis}/added-api");
    let added: Value =
        serde_json::from_str(&template.to_string().replace(&old_id, &new_id)).unwrap();
    list["value"].as_array_mut().unwrap().push(added);
    // The new API has what the template API has: its operations and its diagnostics.
    for child in ["operations", "diagnostics"] {
        let listed = fake
            .resource(&format!("{old_id}/{child}").to_ascii_lowercase())
            .unwrap_or_else(|| panic!("the template API's {child}"));
        fake.serve(
            &format!("{new_id}/{child}"),
            serde_json::from_str(&listed.to_string().replace(&old_id, &new_id)).unwrap(),
        );
    }
    fake.serve(&apis, list);
    remove_item(
        &fake,
        &format!(
            "{}/providers/Microsoft.ApiManagement/service",
            subscription()
        ),
        &service(3),
    );
    remove_item(
        &fake,
        &format!(
            "{}/providers/Microsoft.Security/apiCollections",
            subscription()
        ),
        &format!(
            "{}/providers/Microsoft.Security/apiCollections/api-000",
            service(4)
        ),
    );
    activity_log::serve(
        &fake,
        vec![
            event(
                &policy,
                "Microsoft.ApiManagement/service/apis/policies/write",
            ),
            event(&new_id, "Microsoft.ApiManagement/service/apis/write"),
            event(&service(3), "Microsoft.ApiManagement/service/delete"),
        ],
    );

    // Refreshed in place: -o names the --since file.
    let incremental = collect(&fake, &previous, &since(&previous, &[]));
    assert_eq!(incremental.code, Some(0), "{}", incremental.stderr);
    let full = collect(&fake, &dir.path().join("full.json"), &[]);
    assert_eq!(full.code, Some(0), "{}", full.stderr);

    assert_eq!(
        normalised(&incremental.snapshot),
        normalised(&full.snapshot)
    );
    eprintln!(
        "requests: {} incrementally, {} in full",
        incremental.requests, full.requests
    );
    assert!(
        incremental.requests * 10 <= full.requests,
        "{} requests incrementally, {} in full",
        incremental.requests,
        full.requests
    );
    let record = &incremental.snapshot["incremental"];
    assert_eq!(
        carried(&incremental.snapshot).len(),
        SERVICES - 3,
        "{record}"
    );
    for changed in [service(1), service(2)] {
        let reason = full_read(&incremental.snapshot, &changed).expect("read in full");
        assert!(reason.contains("activity log"), "{reason}");
    }
    assert!(full_read(&incremental.snapshot, &service(3)).is_none());
    let offboarded = incremental.snapshot["subscriptions"][0]["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str().unwrap().eq_ignore_ascii_case(&service(4)))
        .unwrap()["apis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "api-000")
        .unwrap()["defender"]["onboarded"]
        .clone();
    assert_eq!(offboarded, json!(false));
    // The log was asked for API Management's events since the previous collection, less
    // the margin.
    let log = fake
        .requests()
        .into_iter()
        .find(|r| {
            r.path
                .to_ascii_lowercase()
                .ends_with("eventtypes/management/values")
        })
        .expect("the activity log was read");
    let query = log
        .query
        .replace('+', " ")
        .replace("%27", "'")
        .replace("%24", "$")
        .replace("%3A", ":");
    assert!(
        query.contains("eventTimestamp ge '")
            && query.contains("resourceProvider eq 'Microsoft.ApiManagement'"),
        "{query}"
    );
    assert_eq!(
        record["activityLogFrom"]
            .as_str()
            .map(|t| query.contains(t)),
        Some(true),
        "{query}"
    );
}

/// A small estate collected in full into `previous.json`, then edited by `prepare`, and
/// collected again with `--since` and `flags` into `next.json`.
struct Scene {
    fake: FakeArm,
    dir: tempfile::TempDir,
    previous: PathBuf,
}

impl Scene {
    fn new(faults: Vec<Fault>) -> Scene {
        let fake = fake(3, 2, faults);
        let dir = tempfile::tempdir().unwrap();
        let previous = previous(&fake, dir.path());
        Scene {
            fake,
            dir,
            previous,
        }
    }

    /// `collect --since previous.json FLAGS -o next.json`, expecting a complete snapshot;
    /// the run and where its requests start in the log.
    fn again(&self, flags: &[&str]) -> (Run, usize) {
        let from = self.fake.requests().len();
        let run = collect(
            &self.fake,
            &self.dir.path().join("next.json"),
            &since(&self.previous, flags),
        );
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        (run, from)
    }

    /// [`Scene::again`], asserting that `scope` was read in full for a reason that says
    /// `why` (and, for a service, that its APIs were read).
    fn read_in_full(&self, flags: &[&str], scope: &str, why: &str) -> Run {
        let (run, from) = self.again(flags);
        let reason = full_read(&run.snapshot, scope)
            .unwrap_or_else(|| panic!("{scope} not read in full: {}", run.snapshot["incremental"]));
        assert!(reason.contains(why), "{scope}: {reason}");
        if scope.contains("/service/") {
            assert!(read_apis_of(&self.fake, from, scope), "{scope}'s APIs");
        }
        run
    }

    fn edit(&self, change: impl FnOnce(&mut Value)) {
        edit(&self.previous, change);
    }
}

/// A change to make to the previous snapshot.
type Edit = Box<dyn Fn(&mut Value)>;

/// The previous snapshot's collection time moved `days` into the past.
fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::TimeDelta::days(days))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[test]
fn without_changes_every_service_is_carried_over() {
    let scene = Scene::new(Vec::new());
    let (run, from) = scene.again(&[]);
    assert_eq!(
        carried(&run.snapshot).len(),
        3,
        "{}",
        run.snapshot["incremental"]
    );
    assert!((0..3).all(|n| !read_apis_of(&scene.fake, from, &service(n))));
    assert_eq!(run.snapshot["incremental"]["readInFull"], json!([]));
}

#[test]
fn a_service_with_the_direct_management_api_enabled_is_read_in_full() {
    let fake = fake(3, 2, Vec::new());
    let access = format!("{}/tenant/access", service(1));
    let mut document = fake.resource(&access.to_ascii_lowercase()).unwrap();
    document["properties"]["enabled"] = json!(true);
    fake.serve(&access, document);
    let dir = tempfile::tempdir().unwrap();
    let previous = previous(&fake, dir.path());
    let from = fake.requests().len();
    let run = collect(&fake, &dir.path().join("next.json"), &since(&previous, &[]));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let reason = full_read(&run.snapshot, &service(1)).expect("svc-001 read in full");
    assert!(reason.contains("direct management API"), "{reason}");
    assert!(read_apis_of(&fake, from, &service(1)));
    assert!(!read_apis_of(&fake, from, &service(0)));
}

#[test]
fn data_older_than_max_age_is_read_in_full() {
    let scene = Scene::new(Vec::new());
    scene.edit(|s| s["collectedAt"] = json!(days_ago(8)));
    let (run, from) = scene.again(&[]);
    assert!(
        carried(&run.snapshot).is_empty(),
        "{}",
        run.snapshot["incremental"]
    );
    let reason = full_read(&run.snapshot, &service(0)).expect("read in full");
    assert!(reason.contains("--max-age (7d)"), "{reason}");
    assert!(read_apis_of(&scene.fake, from, &service(2)));

    // A longer --max-age carries the same data over.
    let (run, _) = scene.again(&["--max-age", "30d"]);
    assert_eq!(carried(&run.snapshot).len(), 3);

    // A carried-over record keeps the time the data was read, run after run.
    let (collected, long_ago) = (days_ago(1), days_ago(9));
    scene.edit(|s| {
        s["collectedAt"] = json!(collected);
        s["incremental"] = json!({"since": days_ago(2), "activityLogFrom": null,
            "carriedOver": [{"service": service(1), "readAt": long_ago}], "readInFull": []});
    });
    let (run, from) = scene.again(&[]);
    assert!(full_read(&run.snapshot, &service(1))
        .unwrap()
        .contains("--max-age"));
    assert!(read_apis_of(&scene.fake, from, &service(1)));
    assert!(!read_apis_of(&scene.fake, from, &service(0)));
    let record = &run.snapshot["incremental"]["carriedOver"];
    assert_eq!(
        record[0],
        json!({"service": service(0), "readAt": collected})
    );
}

#[test]
fn a_subscription_whose_activity_log_cannot_be_read_is_read_in_full() {
    let scene = Scene::new(vec![Fault::forbidden(
        "eventtypes/management",
        &subscription(),
    )]);
    let (run, from) = scene.again(&[]);
    let reason = full_read(&run.snapshot, &subscription()).expect("the subscription read in full");
    assert!(
        reason.contains("activity log could not be read"),
        "{reason}"
    );
    assert!(
        run.stderr.contains("could not read the activity log"),
        "{}",
        run.stderr
    );
    assert!(carried(&run.snapshot).is_empty());
    assert!((0..3).all(|n| read_apis_of(&scene.fake, from, &service(n))));
    assert_eq!(run.snapshot["complete"], json!(true));
}

#[test]
fn gaps_of_the_previous_snapshot_are_read_again() {
    let scene = Scene::new(Vec::new());
    let gap = |scope: String, what: &str| json!({"scope": scope, "what": what, "error": "ARM answered 503"});
    scene.edit(|s| {
        s["complete"] = json!(false);
        s["gaps"] = json!([
            gap(format!("{}/apis/api-000", service(1)), "policy"),
            gap(subscription(), "defenderForApis")
        ]);
    });
    let run = scene.read_in_full(&[], &service(1), "gap");
    // Defender posture is read every time: its gap does not force anything more.
    assert_eq!(carried(&run.snapshot).len(), 2);

    // A gap of the subscription's own: the whole subscription.
    scene.edit(|s| s["gaps"] = json!([gap(subscription(), "services")]));
    let (run, _) = scene.again(&[]);
    assert!(full_read(&run.snapshot, &subscription())
        .unwrap()
        .contains("gap"));
    assert!(carried(&run.snapshot).is_empty());

    // A gap outside every subscription: everything.
    scene.edit(|s| s["gaps"] = json!([gap("/subscriptions".into(), "subscriptions")]));
    let (run, _) = scene.again(&[]);
    assert!(full_read(&run.snapshot, "/").unwrap().contains("gap"));
    assert!(carried(&run.snapshot).is_empty());
}

#[test]
fn a_window_beyond_the_logs_retention_reads_everything() {
    let scene = Scene::new(Vec::new());
    scene.edit(|s| s["collectedAt"] = json!(days_ago(100)));
    let (run, from) = scene.again(&["--max-age", "365d"]);
    assert!(full_read(&run.snapshot, "/").unwrap().contains("90 days"));
    assert!(scene.fake.requests()[from..]
        .iter()
        .all(|r| !r.path.to_ascii_lowercase().contains("eventtypes")));
    assert!(carried(&run.snapshot).is_empty());
}

#[test]
fn another_version_schema_source_cloud_or_scope_reads_everything() {
    let scene = Scene::new(Vec::new());
    let original = std::fs::read_to_string(&scene.previous).unwrap();
    let edits: Vec<(&str, Edit)> = vec![
        (
            "another version",
            Box::new(|s| {
                s["source"]["collector"] = json!("apimguard 0.0.1 (built-in rules sha256:00)")
            }),
        ),
        ("schema 1.1", Box::new(|s| s["schemaMinor"] = json!(1))),
        (
            "not collected from Azure",
            Box::new(|s| s["source"]["kind"] = json!("fixture")),
        ),
        (
            "another cloud",
            Box::new(|s| s["source"]["cloud"] = json!("AzureChinaCloud")),
        ),
        (
            "another cloud or ARM endpoint",
            Box::new(|s| s["source"]["managementEndpoint"] = json!("https://management.azure.com")),
        ),
        (
            "another scope",
            Box::new(|s| s["source"]["scope"]["service"] = json!("svc-000")),
        ),
        (
            "in the future",
            Box::new(|s| s["collectedAt"] = json!(days_ago(-1))),
        ),
        (
            "not an RFC 3339 time",
            Box::new(|s| s["collectedAt"] = json!("last night")),
        ),
        ("names no gap", Box::new(|s| s["complete"] = json!(false))),
    ];
    for (why, change) in edits {
        std::fs::write(&scene.previous, &original).unwrap();
        scene.edit(change);
        let (run, _) = scene.again(&[]);
        let reason = full_read(&run.snapshot, "/").unwrap_or_default();
        assert!(reason.contains(why), "{why}: {reason}");
        assert!(carried(&run.snapshot).is_empty(), "{why}");
    }
    // Scope flags that differ from the previous snapshot's.
    std::fs::write(&scene.previous, &original).unwrap();
    let (run, _) = scene.again(&["--subscription", SUBSCRIPTION]);
    assert!(full_read(&run.snapshot, "/")
        .unwrap()
        .contains("another scope"));
}

#[test]
fn new_services_are_read_and_an_event_about_no_service_reads_the_subscription() {
    let scene = Scene::new(Vec::new());
    scene.edit(|s| {
        s["subscriptions"][0]["services"]
            .as_array_mut()
            .unwrap()
            .remove(2);
    });
    let run = scene.read_in_full(&[], &service(2), "new");
    assert_eq!(carried(&run.snapshot).len(), 2);

    std::fs::copy(scene.dir.path().join("next.json"), &scene.previous).unwrap();
    activity_log::serve(
        &scene.fake,
        vec![event(
            &format!("{}/providers/Microsoft.ApiManagement", subscription()),
            "Microsoft.ApiManagement/register/action",
        )],
    );
    let (run, _) = scene.again(&[]);
    assert!(full_read(&run.snapshot, &subscription())
        .unwrap()
        .contains("no single service"));
    assert!(carried(&run.snapshot).is_empty());
}

#[test]
fn forged_carried_records_and_secrets_in_the_previous_snapshot_are_not_trusted() {
    let scene = Scene::new(Vec::new());
    let canary = "Canary-Passw0rd-7f3e";
    scene.edit(|s| {
        s["incremental"] = json!({"since": days_ago(1), "activityLogFrom": null,
            "carriedOver": [{"service": service(1), "readAt": days_ago(-30)}], "readInFull": []});
        s["subscriptions"][0]["services"][0]["apis"][0]["properties"]["serviceUrl"] =
            json!(format!("https://svc:{canary}@backend.example.com/api"));
        // A record of another service's API inside svc-002's.
        s["subscriptions"][0]["services"][2]["apis"][0]["id"] =
            json!(format!("{}/apis/api-000", service(0)));
    });
    let (run, from) = scene.again(&[]);
    let reason = full_read(&run.snapshot, &service(1)).unwrap();
    assert!(reason.contains("not valid"), "{reason}");
    assert!(read_apis_of(&scene.fake, from, &service(1)));
    let reason = full_read(&run.snapshot, &service(2)).unwrap();
    assert!(reason.contains("not under the service"), "{reason}");
    let written = std::fs::read_to_string(scene.dir.path().join("next.json")).unwrap();
    assert!(!written.contains(canary));
    assert_eq!(carried(&run.snapshot), vec![service(0)]);

    // Text from the previous snapshot reaches stderr only escaped.
    scene.edit(|s| {
        s["complete"] = json!(false);
        s["gaps"] = json!([{"scope": "/\u{1b}[31mevil", "what": "subscriptions", "error": "x"}]);
    });
    let (run, _) = scene.again(&[]);
    assert!(run.stderr.contains("reading everything"), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
}

#[test]
fn a_previous_snapshot_that_cannot_be_read_fails_before_any_request() {
    let scene = Scene::new(Vec::new());
    let original = std::fs::read_to_string(&scene.previous).unwrap();
    let cases: Vec<(&str, Edit)> = vec![
        (
            "apimguard::snapshot::version",
            Box::new(|s| s["schemaVersion"] = json!(2)),
        ),
        (
            "apimguard::snapshot::contradiction",
            Box::new(|s| {
                s["gaps"] =
                    json!([{"scope": "/subscriptions", "what": "subscriptions", "error": "x"}]);
            }),
        ),
        (
            "apimguard::snapshot::shape",
            Box::new(|s| {
                s["subscriptions"][0]["services"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("apis");
            }),
        ),
    ];
    for (code, change) in cases {
        std::fs::write(&scene.previous, &original).unwrap();
        scene.edit(change);
        let before = scene.fake.requests().len();
        let out = scene.dir.path().join("refused.json");
        let run = collect(&scene.fake, &out, &since(&scene.previous, &[]));
        assert_eq!(run.code, Some(2), "{code}");
        assert!(run.stderr.contains(code), "{code}: {}", run.stderr);
        assert_eq!(scene.fake.requests().len(), before, "{code}: no request");
        assert!(!out.exists());
    }
}

#[test]
fn max_age_needs_since_and_since_is_not_for_iac() {
    let run = support::run(&["collect", "--max-age", "3d"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("--since"),
        "{}",
        text(&run.stderr)
    );
    let run = support::run(&["collect", "--since", "a.json", "--from-arm", "t.json"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("cannot be used with"),
        "{}",
        text(&run.stderr)
    );
}
