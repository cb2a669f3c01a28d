//! `apimguard remediate` and `offboard` end to end: the real binary against the fake ARM,
//! on snapshots the real `collect` wrote from it, with the fake's request log as the
//! witness of every call.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::estate::{self, Estate, OPEN_API, RG, SERVICE};
use support::fake_arm::{Behaviour, FakeArm, Fault, FaultKind, Logged};
use support::{apimguard, run_against, text};

const TOKEN: &str = "test-token";
/// The rules whose findings the catalogue fixes on the test estates.
const DEFENDER_RULES: [&str; 6] = [
    "--rule",
    "APIM-DEF-001",
    "--rule",
    "APIM-DEF-003",
    "--rule",
    "APIM-DEF-002",
];

/// Polls of long-running operations at most 1 ms apart (the fake answers
/// `Retry-After: 0`; the binary waits at least a second but against a local server).
const FAST_POLLS: [&str; 2] = ["--min-poll-interval-ms", "1"];

/// A fake ARM, a temporary directory, and the snapshot `collect` wrote there from it.
struct Scene {
    fake: FakeArm,
    dir: tempfile::TempDir,
    snapshot: PathBuf,
}

/// One run of the binary: its output and the requests the fake received meanwhile.
struct Run {
    output: Output,
    log: Vec<Logged>,
}

impl Scene {
    /// Serves `estate` with `faults` (and Capacity rising by `load_per_onboarding`
    /// points per onboarding), and collects it.
    fn new(estate: Estate, faults: Vec<Fault>, load_per_onboarding: f64) -> Self {
        Self::with(FakeArm::start(
            estate,
            Behaviour {
                token: TOKEN.into(),
                faults,
                load_per_onboarding,
                ..Behaviour::default()
            },
        ))
    }

    /// Collects what `fake` serves.
    fn with(fake: FakeArm) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let snapshot = dir.path().join("snapshot.json");
        let token = fake.token().to_string();
        let run = run_against(&fake, &token, &["collect", "-q", "-o", path(&snapshot)]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        Scene {
            fake,
            dir,
            snapshot,
        }
    }

    /// A file in the scene's directory.
    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `apimguard ARGS --management-endpoint FAKE` with fast polls, and the requests it
    /// made.
    fn run(&self, args: &[&str]) -> Run {
        let mark = self.fake.requests().len();
        let args = [args, &FAST_POLLS[..]].concat();
        let output = run_against(&self.fake, self.fake.token(), &args);
        Run {
            output,
            log: self.fake.requests().split_off(mark),
        }
    }

    /// `remediate SNAPSHOT ARGS`.
    fn remediate(&self, args: &[&str]) -> Run {
        let mut all = vec!["remediate", path(&self.snapshot)];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// `remediate SNAPSHOT` for the Defender rules, with `--apply --yes --pause 0
    /// --journal JOURNAL` and `extra`.
    fn apply(&self, journal: &str, extra: &[&str]) -> Run {
        let journal = self.file(journal);
        let mut args = DEFENDER_RULES.to_vec();
        args.extend([
            "--apply",
            "--yes",
            "--pause",
            "0",
            "--journal",
            path(&journal),
        ]);
        args.extend_from_slice(extra);
        self.remediate(&args)
    }

    /// `remediate --resume JOURNAL --apply --yes --plan-digest D` and `extra`, where `D`
    /// is the digest the journal's first line records (when it can be read).
    fn resume(&self, journal: &str, extra: &[&str]) -> Run {
        let journal = self.file(journal);
        let digest = recorded_digest(&journal);
        let mut args = vec!["remediate", "--resume", path(&journal), "--apply", "--yes"];
        if let Some(digest) = &digest {
            args.extend(["--plan-digest", digest]);
        }
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// The lines of a journal.
    fn journal(&self, name: &str) -> Vec<Value> {
        std::fs::read_to_string(self.file(name))
            .expect("journal written")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a journal line is JSON"))
            .collect()
    }
}

impl Run {
    fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    fn stdout(&self) -> String {
        text(&self.output.stdout)
    }

    fn stderr(&self) -> String {
        text(&self.output.stderr)
    }

    /// The PUT and DELETE requests.
    fn writes(&self) -> Vec<&Logged> {
        self.log.iter().filter(|r| r.method != "GET").collect()
    }

    /// Asserts the exit code, showing the output when it differs.
    fn expect(&self, code: i32) -> &Self {
        assert_eq!(
            self.code(),
            Some(code),
            "{}\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// Asserts that standard output holds `needle`.
    fn says(&self, needle: &str) -> &Self {
        let stdout = self.stdout();
        assert!(stdout.contains(needle), "no {needle:?} in:\n{stdout}");
        self
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The plan digest the first line of `journal` records, if any.
fn recorded_digest(journal: &Path) -> Option<String> {
    let text = std::fs::read_to_string(journal).ok()?;
    let first: Value = serde_json::from_str(text.lines().next()?).ok()?;
    first["planDigest"].as_str().map(str::to_string)
}

/// The `Plan digest: sha256:…` a plan printed.
fn printed_digest(run: &Run) -> String {
    let stdout = run.stdout();
    let at = stdout
        .find("Plan digest: ")
        .expect("the plan prints its digest")
        + 13;
    stdout[at..at + 71].to_string()
}

fn of_type<'a>(lines: &'a [Value], kind: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["type"] == kind).collect()
}

/// The API name at the end of a collection path.
fn api_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap()
}

/// The APIs of the generated estate that are not onboarded (every API but each third).
fn not_onboarded(apis: usize) -> Vec<String> {
    (0..apis)
        .filter(|a| a % 3 != 0)
        .map(|a| format!("api-{a:03}"))
        .collect()
}

/// A dry run makes no Azure call at all and prints the plan in order; JSON carries
/// each action's target, rules, reasons and cost; `--apply` without `--yes` where
/// nobody can answer is refused before any call.
#[test]
fn dry_run_plans_and_makes_no_call() {
    let scene = Scene::new(estate::contoso(), Vec::new(), 0.0);

    let human = scene.remediate(&[]);
    human.expect(1).says("To fix by hand");
    let stdout = human.stdout();
    let open = stdout.find(OPEN_API);
    let internal = stdout.find("(internal-api) of internal");
    assert!(open.is_some() && internal.is_some(), "{stdout}");
    assert!(
        open < internal,
        "the critical onboarding comes first: {stdout}"
    );
    assert!(human.stderr().contains("Nothing was changed"));

    let json = scene.remediate(&["--format", "json"]);
    let document: Value = serde_json::from_slice(&json.output.stdout).expect("JSON plan");
    let actions = document["plan"]["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 2, "{actions:#?}");
    let first = &actions[0];
    assert_eq!(first["action"], "defender.onboard_api");
    assert_eq!(first["severity"], "critical");
    assert_eq!(
        first["target"],
        format!(
            "{}/providers/Microsoft.Security/apiCollections/{OPEN_API}",
            estate::service_id(RG, SERVICE)
        )
    );
    assert_eq!(
        first["rules"],
        serde_json::json!(["APIM-DEF-001", "APIM-DEF-003"]),
        "one action for both findings"
    );
    assert!(first["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("APIM-DEF-001: "));
    assert!(first["cost"].as_str().unwrap().contains("gateway"));
    let manual = document["plan"]["manual"].as_array().unwrap();
    assert!(!manual.is_empty() && manual.iter().all(|m| m["why"].is_string()));
    assert_eq!(document["settings"]["maxCapacity"], 60.0);

    let only_plan = scene.remediate(&["--rule", "apim-def-002", "--format", "json"]);
    let document: Value = serde_json::from_slice(&only_plan.output.stdout).unwrap();
    assert_eq!(
        document["plan"]["actions"],
        serde_json::json!([]),
        "the plan is on"
    );
    only_plan.expect(0);

    let unknown = scene.remediate(&["--rule", "APIM-NOPE-1"]);
    unknown.expect(2);
    assert!(unknown.stderr().contains("no such rule"));

    let unconfirmed = scene.remediate(&["--apply"]);
    unconfirmed.expect(2);
    assert!(
        unconfirmed
            .stderr()
            .contains("standard input is not a terminal"),
        "{}",
        unconfirmed.stderr()
    );
    for run in [human, json, only_plan, unknown, unconfirmed] {
        assert!(run.log.is_empty(), "no call at all: {:#?}", run.log);
    }
}

/// `--apply` onboards exactly the planned APIs, each through 201 + Location and polls
/// until `Succeeded`, batch after batch with a Capacity read before each; the journal
/// records it all. A second apply changes nothing, and a new snapshot plans nothing.
#[test]
fn apply_onboards_the_plan_then_changes_nothing() {
    let scene = Scene::new(estate::generated(1, 8), Vec::new(), 0.0);
    let plan = scene.remediate(&[&DEFENDER_RULES[..], &["-f", "json"]].concat());
    let plan: Value = serde_json::from_slice(&plan.output.stdout).unwrap();
    let planned: Vec<String> = plan["plan"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| api_of(a["target"].as_str().unwrap()).to_string())
        .collect();
    let mut sorted = planned.clone();
    sorted.sort();
    assert_eq!(sorted, not_onboarded(8));

    let run = scene.apply("fix.jsonl", &["--batch-size", "2"]);
    run.expect(0)
        .says("Summary: 5 done, 0 already done, 0 skipped, 0 failed");
    let puts = run.writes();
    assert!(
        puts.iter().all(|r| r.method == "PUT" && r.status == 201),
        "{puts:#?}"
    );
    let order: Vec<&str> = puts.iter().map(|r| api_of(&r.path)).collect();
    assert_eq!(order, planned, "exactly the planned APIs, in plan order");
    for api in &planned {
        let polls: Vec<u16> = run
            .log
            .iter()
            .filter(|r| {
                r.method == "GET"
                    && r.path.ends_with(&format!("/{api}"))
                    && r.query.contains("$asyncScope")
            })
            .map(|r| r.status)
            .collect();
        assert_eq!(
            polls,
            [202, 200],
            "{api}: polled through Location until done"
        );
    }
    let capacity_reads = run
        .log
        .iter()
        .filter(|r| r.path.ends_with("/metrics"))
        .count();
    assert_eq!(capacity_reads, 3, "one Capacity read per batch of 2");

    let lines = scene.journal("fix.jsonl");
    assert_eq!(lines[0]["type"], "run");
    assert_eq!(lines[0]["who"]["credential"], "APIMGUARD_ACCESS_TOKEN");
    assert_eq!(lines[0]["settings"]["batchSize"], 2);
    assert_eq!(lines[0]["plan"]["snapshot"]["path"], path(&scene.snapshot));
    assert!(lines[0]["plan"]["snapshot"]["collectedAt"].is_string());
    assert_eq!(of_type(&lines, "capacity").len(), 3);
    let results = of_type(&lines, "result");
    assert_eq!(results.len(), 5);
    for result in &results {
        assert_eq!(result["status"], "done");
        assert_eq!(result["http"], 201);
        assert_eq!(result["wrote"], true);
        assert_eq!(result["detail"], "Succeeded after 2 polls");
        assert!(result["durationMs"].is_u64());
        let intent = lines
            .iter()
            .position(|l| l["type"] == "intent" && l["key"] == result["key"])
            .expect("an intent line");
        let outcome = lines.iter().position(|l| l == *result).unwrap();
        assert!(intent < outcome, "the intent is written before the result");
    }
    assert_eq!(lines.last().unwrap()["type"], "end");
    assert_eq!(lines.last().unwrap()["exitCode"], 0);

    // Again: every action reads as already done; no write.
    let again = scene.apply("again.jsonl", &[]);
    again.expect(0).says("0 done, 5 already done");
    assert!(again.writes().is_empty(), "{:#?}", again.writes());

    // A new snapshot shows them onboarded: nothing left to plan.
    let fresh = Scene::with(scene.fake);
    let plan = fresh.remediate(&DEFENDER_RULES);
    plan.expect(0);
    assert!(plan.stderr().contains("Nothing to change"));
}

/// A service above `--max-capacity` is skipped and reported (exit 1); Capacity is read
/// again before each batch, so a service whose load rises with each onboarding stops
/// when it passes the threshold.
#[test]
fn capacity_gate_skips_busy_services() {
    let scene = Scene::new(estate::contoso(), Vec::new(), 0.0);
    let run = scene.apply("j.jsonl", &[]);
    run.expect(1)
        .says("1 done, 0 already done, 1 skipped")
        .says("skipped       onboard API \"API internal-api\" (internal-api) of internal (capacity, gateway load of internal is 81.0% in West US, above --max-capacity 60%)");
    let puts = run.writes();
    assert_eq!(puts.len(), 1);
    assert!(puts[0]
        .path
        .ends_with(&format!("/apiCollections/{OPEN_API}")));
    let lines = scene.journal("j.jsonl");
    assert!(of_type(&lines, "capacity")
        .iter()
        .any(|r| r["percent"] == 81.0 && r["region"] == "West US" && r["threshold"] == 60.0));

    // Load rising by 10 points per onboarding from 20%: batch 1 (3 APIs) reaches 50%,
    // batch 2 runs (not above 50) and reaches 80%, batch 3 is skipped.
    let rising = Scene::new(estate::generated(1, 12), Vec::new(), 10.0);
    let run = rising.apply("j.jsonl", &["--batch-size", "3", "--max-capacity", "50"]);
    run.expect(1)
        .says("6 done, 0 already done, 2 skipped")
        .says("gateway load of svc-000 is 80.0%");
    assert_eq!(run.writes().len(), 6);
}

/// The capacity gate reads the load per region (`$filter=Location eq '*'`) and gates on
/// the busiest one: a two-region service whose regions average below `--max-capacity`
/// but one of which is above it is not onboarded, and the output and the journal name
/// that region's load; a service whose regions are all below is onboarded. A region
/// without data is not 0 %: its service is skipped. A Capacity that refuses the region
/// filter (400) is read whole.
#[test]
fn capacity_gate_reads_every_region() {
    let mut e = estate::generated(4, 3);
    let id = |n: usize| estate::service_id("rg-bench", &format!("svc-{n:03}"));
    let (busy, calm, silent, whole) = (id(0), id(1), id(2), id(3));
    // Averaged over its regions, as a read without the filter gets it: 55% (below 60).
    e.put(
        &estate::metrics(&busy),
        estate::capacity(&busy, &[("East US", Some(20.0)), ("East US 2", Some(90.0))]),
    );
    e.put(
        &estate::metrics(&calm),
        estate::capacity(&calm, &[("East US", Some(30.0)), ("East US 2", Some(50.0))]),
    );
    e.put(
        &estate::metrics(&silent),
        estate::capacity(&silent, &[("East US", Some(10.0)), ("East US 2", None)]),
    );
    e.put(
        &estate::metrics(&whole),
        estate::capacity_whole(&whole, 40.0),
    );
    let scene = Scene::new(e, Vec::new(), 0.0);
    // The snapshot records each service's busiest region too.
    let snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(&scene.snapshot).unwrap()).unwrap();
    let recorded: BTreeMap<String, Value> = snapshot["subscriptions"][0]["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["capacityPercent"].clone(),
            )
        })
        .collect();
    assert_eq!(recorded[&busy], 90.0, "{recorded:#?}");
    assert_eq!(recorded[&silent], 10.0);
    assert_eq!(recorded[&whole], 40.0);

    let run = scene.apply("j.jsonl", &[]);
    run.expect(1)
        .says("4 done, 0 already done, 4 skipped, 0 failed")
        .says("(capacity, gateway load of svc-000 is 90.0% in East US 2, above --max-capacity 60%)")
        .says("(capacity, the gateway load of svc-002 could not be read (Azure Monitor has no Capacity data point in the last hour for region East US 2); APIs are not onboarded blind)");
    let mut onboarded: Vec<String> = run
        .writes()
        .iter()
        .map(|r| {
            r.path
                .split("/providers/Microsoft.Security")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    onboarded.dedup();
    assert_eq!(
        onboarded,
        [calm.clone(), whole.clone()],
        "{:#?}",
        run.writes()
    );

    // Every Capacity read asks for the regions; the whole one is read again without.
    let reads: Vec<(String, bool, u16)> = run
        .log
        .iter()
        .filter(|r| r.path.ends_with("/metrics"))
        .map(|r| {
            let service = r
                .path
                .trim_end_matches("/providers/Microsoft.Insights/metrics");
            (
                service.to_string(),
                r.query.contains("%24filter=Location+eq+%27*%27"),
                r.status,
            )
        })
        .collect();
    for service in [&busy, &calm, &silent] {
        let of: Vec<_> = reads.iter().filter(|r| &r.0 == service).collect();
        assert_eq!(of.len(), 1, "{reads:#?}");
        assert!(of[0].1 && of[0].2 == 200, "{reads:#?}");
    }
    let of_whole: Vec<(bool, u16)> = reads
        .iter()
        .filter(|r| r.0 == whole)
        .map(|r| (r.1, r.2))
        .collect();
    assert_eq!(of_whole, [(true, 400), (false, 200)]);

    let lines = scene.journal("j.jsonl");
    let reading = |service: &str| {
        of_type(&lines, "capacity")
            .into_iter()
            .find(|r| r["service"] == service)
            .unwrap_or_else(|| panic!("no capacity line for {service}"))
            .clone()
    };
    let busy = reading(&busy);
    assert_eq!(busy["percent"], 90.0);
    assert_eq!(busy["region"], "East US 2");
    assert_eq!(
        busy["regions"],
        serde_json::json!({"East US": 20.0, "East US 2": 90.0})
    );
    assert_eq!(reading(&calm)["percent"], 50.0);
    let silent = reading(&silent);
    assert!(silent["percent"].is_null());
    assert_eq!(
        silent["regions"],
        serde_json::json!({"East US": 10.0, "East US 2": null})
    );
    assert!(silent["error"]
        .as_str()
        .unwrap()
        .contains("region East US 2"));
    let whole = reading(&whole);
    assert_eq!(whole["percent"], 40.0);
    assert!(whole["region"].is_null() && whole["regions"].is_null());
    assert!(
        whole["unsplit"]
            .as_str()
            .unwrap()
            .contains("does not support requested dimension combination"),
        "{whole}"
    );
}

/// A 429 on a write is retried after `Retry-After`, and the action is done.
#[test]
fn throttled_write_is_retried() {
    let scene = Scene::new(
        estate::generated(1, 3),
        vec![Fault::throttle("/apiCollections/api-001", 1).on("PUT")],
        0.0,
    );
    let run = scene.apply("j.jsonl", &["-v"]);
    run.expect(0).says("2 done");
    assert!(run.stderr().contains("retrying PUT"), "{}", run.stderr());
    let statuses: Vec<u16> = run
        .writes()
        .iter()
        .filter(|r| r.path.ends_with("/api-001"))
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [429, 201]);
}

/// A write ARM refuses fails its action with what to grant; the other actions go on,
/// the run exits 2, and `--format json` carries every outcome.
#[test]
fn refused_write_fails_with_what_to_grant() {
    let scope = format!(
        "{}/providers/Microsoft.Security/apiCollections/api-001",
        estate::service_id("rg-bench", "svc-000")
    );
    let forbidden = Fault {
        pattern: "/apiCollections/api-001".into(),
        kind: FaultKind::Status {
            status: 403,
            code: "AuthorizationFailed",
            message: format!("The client 'ops@contoso.com' with object id '5a2b' does not have authorization to perform action 'Microsoft.Security/apiCollections/write' over scope '{scope}' or the scope is invalid."),
            retry_after: None,
        },
        times: None,
        method: Some("PUT"),
    };
    let scene = Scene::new(estate::generated(1, 3), vec![forbidden], 0.0);
    let run = scene.apply("j.jsonl", &["-f", "json"]);
    run.expect(2);
    let document: Value = serde_json::from_slice(&run.output.stdout).expect("one JSON document");
    assert_eq!(document["exitCode"], 2);
    assert_eq!(
        (&document["summary"]["done"], &document["summary"]["failed"]),
        (&Value::from(1), &Value::from(1))
    );
    let failed = document["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["status"] == "failed")
        .unwrap();
    assert_eq!(failed["http"], 403);
    let detail = failed["detail"].as_str().unwrap();
    assert!(
        detail.contains("may not `Microsoft.Security/apiCollections/write`")
            && detail.contains("assign it Security Admin")
            && detail.contains("docs/remediation.md"),
        "{detail}"
    );
}

/// A run killed while a write is in flight, resumed from its journal, finishes the
/// plan without repeating any finished action (nor the one in flight, which the live
/// read shows made).
/// Eight APIs to onboard, whose third write in the plan's order (api-007) hangs for a
/// minute.
fn hanging_at_api_007() -> Scene {
    Scene::new(
        estate::generated(1, 8),
        vec![Fault::slow("/apiCollections/api-007", Duration::from_secs(60), 1).on("PUT")],
        0.0,
    )
}

/// Runs `remediate --apply` (with `flags`) journalling to `journal`, and kills it while
/// it waits for the write of api-007.
fn kill_during_api_007(scene: &Scene, journal: &Path, flags: &[&str]) {
    let mut child = apimguard()
        .args(["remediate", path(&scene.snapshot)])
        .args(DEFENDER_RULES)
        .args(["--apply", "--yes", "--pause", "0"])
        .args(flags)
        .args(["--journal", path(journal)])
        .args(["--management-endpoint", &scene.fake.url])
        .args(FAST_POLLS)
        .env("APIMGUARD_ACCESS_TOKEN", TOKEN)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("apimguard starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !scene
        .fake
        .requests()
        .iter()
        .any(|r| r.method == "PUT" && r.path.ends_with("/api-007"))
    {
        assert!(Instant::now() < deadline, "the slow PUT never came");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("killed");
    child.wait().unwrap();
}

#[test]
fn killed_run_resumes_from_its_journal() {
    // The plan's order: the unauthenticated APIs (critical) 001, 005, 007, then 002, 004.
    let scene = hanging_at_api_007();
    let journal = scene.file("fix.jsonl");
    let mark = scene.fake.requests().len();
    kill_during_api_007(&scene, &journal, &["--batch-size", "2"]);

    let first_run = scene.fake.requests().split_off(mark);
    let first_puts: Vec<&str> = first_run
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| api_of(&r.path))
        .collect();
    assert_eq!(first_puts, ["api-001", "api-005", "api-007"]);
    let lines = scene.journal("fix.jsonl");
    assert_eq!(of_type(&lines, "result").len(), 2, "two actions finished");
    assert_eq!(
        lines.last().unwrap()["type"],
        "intent",
        "killed between intent and result"
    );

    let resumed = scene.resume("fix.jsonl", &[]);
    resumed
        .expect(0)
        .says("2 done, 3 already done, 0 skipped, 0 failed")
        .says("done by an earlier run");
    assert!(
        resumed
            .log
            .iter()
            .all(|r| !r.path.ends_with("/api-001") && !r.path.ends_with("/api-005")),
        "finished actions are not even read again"
    );
    let mut puts: BTreeMap<String, usize> = BTreeMap::new();
    for r in first_run.iter().chain(&resumed.log) {
        if r.method == "PUT" {
            *puts.entry(api_of(&r.path).to_string()).or_default() += 1;
        }
    }
    let once: BTreeMap<String, usize> = not_onboarded(8).into_iter().map(|a| (a, 1)).collect();
    assert_eq!(puts, once, "each API was PUT exactly once across both runs");

    let lines = scene.journal("fix.jsonl");
    let headers = of_type(&lines, "run");
    assert_eq!(headers.len(), 2);
    assert_eq!(headers[1]["resumes"], lines[0]["run"]);
    assert_eq!(
        headers[1]["settings"]["batchSize"], 2,
        "the journal's settings are kept"
    );
    assert_eq!(lines.last().unwrap()["exitCode"], 0);

    // Resuming a finished run does nothing.
    let done = scene.resume("fix.jsonl", &[]);
    done.expect(0);
    assert!(done.stderr().contains("Nothing to change"));
    assert!(done.log.is_empty());
}

/// Enabling the plan needs `--allow-cost`; without it the onboardings of a subscription
/// whose plan is off are skipped too. With it, the plan is enabled first (with the
/// sub-plan asked for), then the APIs are onboarded.
#[test]
fn the_billed_plan_needs_allow_cost() {
    let mut estate = estate::contoso();
    estate::plan_off(&mut estate);
    let scene = Scene::new(estate, Vec::new(), 0.0);

    let without = scene.apply("a.jsonl", &[]);
    without
        .expect(1)
        .says("(cost, enabling the plan is billed per subscription: pass --allow-cost")
        .says("(plan-off, the subscription's Defender for APIs plan is off (pricing tier Free)");
    assert!(without.writes().is_empty(), "{:#?}", without.writes());

    let with = scene.apply("b.jsonl", &["--allow-cost", "--sub-plan", "P2"]);
    with.expect(1)
        .says("2 done, 0 already done, 1 skipped")
        .says("gateway load of internal is 81.0%");
    let writes: Vec<String> = with
        .writes()
        .iter()
        .map(|r| format!("{} {}", r.method, api_of(&r.path)))
        .collect();
    assert_eq!(writes, ["PUT Api", format!("PUT {OPEN_API}").as_str()]);
    let plan = scene
        .fake
        .resource(&format!(
            "/subscriptions/{}/providers/Microsoft.Security/pricings/Api",
            estate::SUBSCRIPTION
        ))
        .unwrap();
    assert_eq!(plan["properties"]["pricingTier"], "Standard");
    assert_eq!(plan["properties"]["subPlan"], "P2");
}

/// `--max-changes` bounds the writes of a run, resumed runs included; a resumption
/// aimed at another ARM endpoint than the journal's is refused.
#[test]
fn max_changes_bounds_the_run() {
    let scene = Scene::new(estate::generated(1, 8), Vec::new(), 0.0);
    let run = scene.apply("fix.jsonl", &["--max-changes", "2"]);
    run.expect(1)
        .says("2 done, 0 already done, 3 skipped")
        .says("blast-radius, --max-changes 2 reached");
    assert_eq!(run.writes().len(), 2);

    // Another cloud than the journal's is refused before any call.
    let journal = scene.file("fix.jsonl");
    let digest = recorded_digest(&journal).expect("a digest");
    let elsewhere = apimguard()
        .args([
            "remediate",
            "--resume",
            path(&journal),
            "--apply",
            "--yes",
            "--plan-digest",
            &digest,
        ])
        .args(["--management-endpoint", "http://127.0.0.1:9"])
        .env("APIMGUARD_ACCESS_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(elsewhere.status.code(), Some(2));
    assert!(text(&elsewhere.stderr).contains("but this run would write to http://127.0.0.1:9"));

    let resumed = scene.resume("fix.jsonl", &["--max-changes", "4"]);
    resumed.expect(1).says("2 done, 2 already done, 1 skipped");
    assert_eq!(resumed.writes().len(), 2, "4 writes in all");
}

/// A journal whose last line was cut short (the disk filled, the machine lost power)
/// can be resumed, and stays readable afterwards: the resumption does not glue its
/// lines onto the torn one.
#[test]
fn torn_journal_line_survives_resumption() {
    let scene = Scene::new(estate::generated(1, 8), Vec::new(), 0.0);
    scene.apply("fix.jsonl", &["--max-changes", "2"]).expect(1);
    let journal = scene.file("fix.jsonl");
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text.push_str(r#"{"run":"20261126T050340.599Z-13891","at":"2026-11-26T05:03:4"#);
    std::fs::write(&journal, text).unwrap();

    let resumed = scene.resume("fix.jsonl", &["--max-changes", "50"]);
    resumed.expect(0).says("3 done, 2 already done");
    assert_eq!(resumed.writes().len(), 3);

    // The journal is still readable: resuming again finds nothing left to do.
    let again = scene.resume("fix.jsonl", &[]);
    again.expect(0);
    assert!(
        again.stderr().contains("Nothing to change"),
        "{}",
        again.stderr()
    );
    assert!(again.log.is_empty());
}

/// A write sent by a run that was killed before recording its result still counts
/// toward `--max-changes` when the run is resumed.
#[test]
fn killed_write_counts_toward_max_changes() {
    // The plan's order: 001, 005, 007, then 002, 004; the third write hangs.
    let scene = hanging_at_api_007();
    let journal = scene.file("fix.jsonl");
    kill_during_api_007(&scene, &journal, &["--max-changes", "3"]);

    let resumed = scene.resume("fix.jsonl", &[]);
    resumed
        .expect(1)
        .says("blast-radius, --max-changes 3 reached");
    let puts = scene
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .count();
    assert_eq!(puts, 3, "3 writes in all, the killed one included");
}

/// The journal names who ran it from the token's claims, and never holds the token;
/// nor does any output.
#[test]
fn journal_names_who_and_holds_no_token() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let token = format!(
        "{}.{}.c2lnbmF0dXJlLWNhbmFyeQ",
        b64(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64(r#"{"oid":"5a2b-oid","upn":"ops@contoso.com","tid":"72f9","appid":"04b07795"}"#)
    );
    let scene = Scene::with(FakeArm::start(
        estate::contoso(),
        Behaviour::accepting(&token),
    ));
    let journal = scene.file("fix.jsonl");
    let run = scene.remediate(&[
        "--rule",
        "APIM-DEF-001",
        "--apply",
        "--yes",
        "-vv",
        "--journal",
        path(&journal),
    ]);
    run.expect(0);
    let lines = scene.journal("fix.jsonl");
    let who = &lines[0]["who"];
    assert_eq!(who["credential"], "APIMGUARD_ACCESS_TOKEN");
    assert_eq!(who["objectId"], "5a2b-oid");
    assert_eq!(who["principalName"], "ops@contoso.com");
    assert_eq!(who["tenantId"], "72f9");
    let everything = format!(
        "{}{}{}",
        std::fs::read_to_string(&journal).unwrap(),
        run.stdout(),
        run.stderr()
    );
    for part in token.split('.') {
        assert!(!everything.contains(part), "a piece of the token leaked");
    }
}

/// `offboard` deletes exactly one collection; a dry run calls nothing, a second run
/// finds it gone, and a malformed service id is refused.
#[test]
fn offboard_deletes_exactly_one_collection() {
    let scene = Scene::new(estate::contoso(), Vec::new(), 0.0);
    let service = estate::service_id(RG, SERVICE);
    let collection = format!("{service}/providers/Microsoft.Security/apiCollections/echo-api");
    let other = format!(
        "{service}/providers/Microsoft.Security/apiCollections/{}",
        estate::CHOOSE_API
    );
    assert!(scene.fake.resource(&collection).is_some());
    let offboard = |extra: &[&str]| {
        let mut args = vec!["offboard", "--service", &service, "--api", "echo-api"];
        args.extend_from_slice(extra);
        scene.run(&args)
    };

    let dry = offboard(&[]);
    dry.expect(1).says(&format!("DELETE {collection}"));
    assert!(dry.log.is_empty());

    let journal = scene.file("off.jsonl");
    let run = offboard(&["--apply", "--yes", "--journal", path(&journal)]);
    run.expect(0);
    let deletes = run.writes();
    assert_eq!(deletes.len(), 1);
    assert_eq!(
        (deletes[0].method.as_str(), deletes[0].status),
        ("DELETE", 200)
    );
    assert_eq!(deletes[0].path, collection);
    assert!(scene.fake.resource(&collection).is_none());
    assert!(
        scene.fake.resource(&other).is_some(),
        "the other collection stays"
    );
    assert_eq!(scene.journal("off.jsonl")[0]["command"], "offboard");

    let again_journal = scene.file("again.jsonl");
    let again = offboard(&["--apply", "--yes", "--journal", path(&again_journal)]);
    again.expect(0).says("already offboarded");
    assert!(again.writes().is_empty());

    let bad = scene.run(&["offboard", "--service", "contoso", "--api", "echo-api"]);
    bad.expect(2);
    assert!(bad
        .stderr()
        .contains("is not the ARM id of an API Management service"));
}

/// `--resume` of a journal that does not exist says so, and what --resume takes.
#[test]
fn resuming_a_missing_journal_says_what_resume_takes() {
    let scene = Scene::new(estate::contoso(), Vec::new(), 0.0);
    let run = scene.resume("never-written.jsonl", &[]);
    assert_eq!(run.code(), Some(2), "{}", run.stderr());
    assert!(run.stderr().contains("never-written.jsonl does not exist"));
    assert!(run
        .stderr()
        .contains("--resume takes the file a previous run wrote"));
    assert!(run.writes().is_empty(), "nothing is written to Azure");
}

/// A copy of the scene's snapshot, named `name`, changed by `edit`.
fn edited_snapshot(scene: &Scene, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(&scene.snapshot).unwrap()).unwrap();
    edit(&mut snapshot);
    let file = scene.file(name);
    std::fs::write(&file, serde_json::to_string_pretty(&snapshot).unwrap()).unwrap();
    file
}

/// The contoso API of a snapshot whose id ends with `/apis/{name}`.
fn api_mut<'a>(snapshot: &'a mut Value, name: &str) -> &'a mut Value {
    snapshot["subscriptions"][0]["services"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .flat_map(|s| s["apis"].as_array_mut().unwrap().iter_mut())
        .find(|a| {
            a["id"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/apis/{name}"))
        })
        .unwrap_or_else(|| panic!("API {name}"))
}

/// An API whose name (or id, or its service's id) in a snapshot would carry the write
/// out of its segment — `..`, percent-encoded separators, backslashes, look-alike
/// dots — is refused when the plan is made: a located error (file and line), exit 2,
/// and not a single request, with or without `--apply`.
#[test]
fn hostile_names_in_a_snapshot_are_refused_before_any_call() {
    let scene = Scene::new(estate::contoso(), Vec::new(), 0.0);
    let service = estate::service_id(RG, SERVICE);
    let names = [
        "../../../../../../../../rg-x",
        "../../../../../../rg-x",
        "..",
        "%2e%2e",
        "..%2F..%2F..%2F..%2F..%2F..%2Frg-x",
        "%252e%252e%252frg-x",
        "a\\..\\..\\..\\rg-x",
        "x;rev=1/../../../../../../rg-x",
        "..;rev=1",
        "\u{ff0e}\u{ff0e}",
        "echo\u{1b}[2Japi",
        "echo-api?api-version=1",
    ];
    let mut variants: Vec<(String, PathBuf)> = Vec::new();
    for (index, name) in names.iter().enumerate() {
        // The name alone, and the name with the id that carries it.
        let only_name = edited_snapshot(&scene, &format!("name-{index}.json"), |s| {
            api_mut(s, OPEN_API)["name"] = Value::from(*name);
        });
        variants.push((format!("name {name:?}"), only_name));
        if index % 3 != 0 {
            continue;
        }
        let with_id = edited_snapshot(&scene, &format!("id-{index}.json"), |s| {
            let api = api_mut(s, OPEN_API);
            api["name"] = Value::from(*name);
            api["id"] = Value::from(format!("{service}/apis/{name}"));
        });
        variants.push((format!("name and id {name:?}"), with_id));
    }
    let climbing = format!(
        "{service}/../../../../resourceGroups/rg-x/providers/Microsoft.ApiManagement/service/x"
    );
    let service_moved = edited_snapshot(&scene, "service.json", |s| {
        *s = estate::rebase(s, &service, &climbing);
    });
    variants.push(("service id".to_string(), service_moved));

    for (index, (what, snapshot)) in variants.iter().enumerate() {
        let journal = scene.file("never.jsonl");
        let apply = ["--apply", "--yes", "--journal", path(&journal)];
        // Every variant with --apply; the first also as a dry run (a plan alone).
        let runs = if index == 0 {
            &[&[][..], &apply[..]][..]
        } else {
            &[&apply[..]][..]
        };
        for extra in runs {
            let mut args = vec!["remediate", path(snapshot), "--rule", "APIM-DEF-001"];
            args.extend_from_slice(extra);
            let run = scene.run(&args);
            run.expect(2);
            let stderr = run.stderr();
            let file = snapshot.file_name().unwrap().to_str().unwrap();
            assert!(
                stderr.contains(&format!("{file}:"))
                    && stderr.contains("refusing defender.onboard_api for")
                    && stderr.contains("nothing was planned or sent"),
                "{what}: {stderr}"
            );
            assert!(
                !stderr.contains('\u{1b}'),
                "{what}: an escape reached the terminal"
            );
            assert!(run.log.is_empty(), "{what}: {:#?}", run.log);
            assert!(!journal.exists(), "{what}");
        }
    }
}

/// A journal whose plan was edited (a target of another resource type, a name that
/// climbs out of its segment, another API, another subscription or service, a sub-plan
/// that is not one) is refused on `--resume`: its line, exit 2, not a single request,
/// and the journal is left as it was.
#[test]
fn edited_journal_plan_is_refused_on_resume() {
    let scene = Scene::new(estate::generated(1, 3), Vec::new(), 0.0);
    scene.apply("fix.jsonl", &["--max-changes", "0"]).expect(1);
    let journal = scene.file("fix.jsonl");
    let original = std::fs::read_to_string(&journal).unwrap();
    let service = estate::service_id("rg-bench", "svc-000");
    let collections = format!("{service}/providers/Microsoft.Security/apiCollections");
    type Edit = Box<dyn Fn(&mut Value)>;
    let set = |pointer: &'static str, value: String| -> Edit {
        Box::new(move |header: &mut Value| {
            *header.pointer_mut(pointer).expect(pointer) = Value::from(value.clone());
        })
    };
    let edits: Vec<(&str, Edit)> = vec![
        (
            "a resource group",
            set(
                "/plan/actions/0/target",
                format!(
                    "/subscriptions/{}/resourceGroups/rg-x",
                    estate::SUBSCRIPTION
                ),
            ),
        ),
        (
            "a climbing name",
            set(
                "/plan/actions/0/target",
                format!("{collections}/../../../../../../../../rg-x"),
            ),
        ),
        (
            "an encoded climbing name",
            set(
                "/plan/actions/0/target",
                format!("{collections}/..%2F..%2F..%2Frg-x"),
            ),
        ),
        (
            "another API",
            set("/plan/actions/0/target", format!("{collections}/api-000")),
        ),
        (
            "another subscription",
            set(
                "/plan/actions/0/subscription",
                "22222222-2222-4222-8222-222222222222".to_string(),
            ),
        ),
        (
            "another service",
            set(
                "/plan/actions/0/service/id",
                estate::service_id("rg-bench", "svc-999"),
            ),
        ),
        (
            "another sub-plan",
            set("/settings/subPlan", "P9".to_string()),
        ),
    ];
    for (what, edit) in &edits {
        let mut lines: Vec<Value> = original
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        edit(&mut lines[0]);
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(&journal, &text).unwrap();

        let run = scene.resume("fix.jsonl", &["--max-changes", "10"]);
        run.expect(2);
        let stderr = run.stderr();
        assert!(
            stderr.contains("fix.jsonl, line 1:") && stderr.contains("nothing was sent"),
            "{what}: {stderr}"
        );
        assert!(run.log.is_empty(), "{what}: {:#?}", run.log);
        assert_eq!(std::fs::read_to_string(&journal).unwrap(), text, "{what}");
    }
}

/// A journal is tamper-evident. Each line chains the digest of the line before it and
/// the run header records the digest of its plan and gates, which every plan prints: a
/// journal edited into another *valid* plan (an API renamed consistently in every line),
/// or with a line removed, is refused on `--resume`, naming the line, before any request.
/// A whole other journal (consistent in itself) is refused against the approved digest,
/// and `--resume --yes` without the digest is refused: nobody approved what it holds.
#[test]
fn journals_are_tamper_evident() {
    let scene = Scene::new(estate::generated(1, 3), Vec::new(), 0.0);
    let first = scene.apply("fix.jsonl", &["--max-changes", "0"]);
    first.expect(1);
    let approved = printed_digest(&first);
    let journal = scene.file("fix.jsonl");
    let lines = scene.journal("fix.jsonl");
    assert_eq!(lines[0]["planDigest"], approved.as_str());
    assert!(lines[0].get("prev").is_none());
    assert!(lines[1..].iter().all(|l| l["prev"].is_string()));
    let original = std::fs::read_to_string(&journal).unwrap();
    let target = lines[0]["plan"]["actions"][0]["target"].as_str().unwrap();
    let api = api_of(target).to_string();

    let refused = |text: &str, args: &[&str], parts: &[&str]| {
        std::fs::write(&journal, text).unwrap();
        let mut all = vec!["remediate", "--resume", path(&journal), "--apply", "--yes"];
        all.extend_from_slice(args);
        let run = scene.run(&all);
        run.expect(2);
        for part in parts {
            assert!(run.stderr().contains(part), "{part}: {}", run.stderr());
        }
        assert!(run.log.is_empty(), "{:#?}", run.log);
        assert_eq!(std::fs::read_to_string(&journal).unwrap(), text);
    };
    let with_digest = ["--plan-digest", approved.as_str()];
    // Another valid plan: the API renamed in every line of the journal.
    refused(
        &original.replace(&api, "api-777"),
        &with_digest,
        &["fix.jsonl, line 1:", "`planDigest`", "nothing was sent"],
    );
    // A line removed.
    let mut kept: Vec<&str> = original.lines().collect();
    kept.remove(2);
    refused(
        &(kept.join("\n") + "\n"),
        &with_digest,
        &[
            "fix.jsonl, line 3:",
            "the chain of lines",
            "nothing was sent",
        ],
    );
    // Unattended without the digest: refused, whatever the journal holds.
    refused(
        &original,
        &[],
        &["apimguard::remediate::resume_unconfirmed"],
    );
    // A whole other journal, consistent in itself, is not the approved plan.
    let other = scene.apply("other.jsonl", &["--max-changes", "0", "--batch-size", "1"]);
    other.expect(1);
    assert_ne!(printed_digest(&other), approved);
    let other = std::fs::read_to_string(scene.file("other.jsonl")).unwrap();
    refused(
        &other,
        &with_digest,
        &["apimguard::remediate::plan_digest", &approved],
    );

    // The approved journal, untouched, resumes and stays chained.
    std::fs::write(&journal, &original).unwrap();
    let resumed = scene.resume("fix.jsonl", &["--max-changes", "10"]);
    assert_ne!(resumed.code(), Some(2), "{}", resumed.stderr());
    assert!(!resumed.writes().is_empty());
    let lines = scene.journal("fix.jsonl");
    let resumed_header = lines.iter().rposition(|l| l["type"] == "run").unwrap();
    assert!(resumed_header > 0);
    assert!(lines[resumed_header]["prev"].is_string());
    let again = scene.resume("fix.jsonl", &[]);
    assert_ne!(again.code(), Some(2), "{}", again.stderr());
    assert!(again.writes().is_empty(), "{:#?}", again.log);
}

/// `offboard` takes its --service and --api apart by ARM's naming rules: a name that
/// would carry the DELETE elsewhere is refused before any call.
#[test]
fn offboard_refuses_hostile_names_before_any_call() {
    let scene = Scene::new(estate::contoso(), Vec::new(), 0.0);
    let service = estate::service_id(RG, SERVICE);
    let rg = format!("/subscriptions/{}/resourceGroups", estate::SUBSCRIPTION);
    let cases = [
        (service.clone(), "../../../../../../../../rg-x"),
        (service.clone(), ".."),
        (service.clone(), "%2e%2e"),
        (service.clone(), "a%2F..%2F..%2F..%2Frg-x"),
        (service.clone(), "x;rev=1/../.."),
        (service.clone(), "a\\..\\..\\rg-x"),
        (service.clone(), "echo-api#"),
        (
            format!("{rg}/../providers/Microsoft.ApiManagement/service/contoso"),
            "echo-api",
        ),
        (
            format!("{rg}/rg%2F..%2Fx/providers/Microsoft.ApiManagement/service/contoso"),
            "echo-api",
        ),
        (format!("{service}/../../x"), "echo-api"),
        (
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso"
                .to_string(),
            "echo-api",
        ),
    ];
    for (service, api) in &cases {
        for apply in [false, true] {
            let journal = scene.file("off.jsonl");
            let mut args = vec!["offboard", "--service", service.as_str(), "--api", api];
            if apply {
                args.extend(["--apply", "--yes", "--journal", path(&journal)]);
            }
            let run = scene.run(&args);
            run.expect(2);
            assert!(
                run.stderr().contains("nothing was sent"),
                "{service} {api}: {}",
                run.stderr()
            );
            assert!(run.log.is_empty(), "{service} {api}: {:#?}", run.log);
            assert!(!journal.exists());
        }
    }
}

/// The ARM id of the collection of the API that APIM-DEF-001 fails for.
fn open_api_collection() -> String {
    format!(
        "{}/providers/Microsoft.Security/apiCollections/{OPEN_API}",
        estate::service_id(RG, SERVICE)
    )
}

/// A redirect (`status`) of requests for [`open_api_collection`] to the same path on
/// `foreign`.
fn redirect_open_api(status: u16, foreign: &FakeArm) -> Fault {
    Fault::redirect(
        &format!("/apiCollections/{OPEN_API}"),
        status,
        format!(
            "{}{}?api-version=2023-11-15",
            foreign.url,
            open_api_collection()
        ),
    )
}

/// A pre-read that ARM answers with a redirect (to a server that would say the API is
/// onboarded) is an error: the action fails, is not skipped as already done, nothing is
/// written, and the other server receives nothing. So is a redirected write.
#[test]
fn redirects_are_errors_in_remediation() {
    let collection = open_api_collection();
    let mut onboarded = estate::contoso();
    onboarded.put(
        &collection,
        estate::onboarded_collection(&estate::service_id(RG, SERVICE), OPEN_API, true),
    );
    let foreign = FakeArm::foreign(onboarded);
    let redirect = redirect_open_api(302, &foreign).on("GET");
    let scene = Scene::new(estate::contoso(), vec![redirect], 0.0);
    let run = scene.apply("j.jsonl", &["--rule", "APIM-DEF-001", "-f", "json"]);
    run.expect(2);
    let document: Value = serde_json::from_slice(&run.output.stdout).unwrap();
    let outcome = document["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["target"] == collection.as_str())
        .expect("the onboarding's outcome");
    assert_eq!(outcome["status"], "failed", "{outcome}");
    let detail = outcome["detail"].as_str().unwrap();
    assert!(
        detail.contains("a redirect") && detail.contains("never followed"),
        "{detail}"
    );
    assert!(run.writes().is_empty(), "{:#?}", run.writes());
    assert!(foreign.requests().is_empty(), "{:#?}", foreign.requests());
    assert!(run.log.iter().all(|r| r.referer.is_none()));

    // A write answered with a 307 (which would repeat the PUT, body and all, elsewhere)
    // fails the same way.
    let redirect = redirect_open_api(307, &foreign).on("PUT");
    let scene = Scene::new(estate::contoso(), vec![redirect], 0.0);
    let run = scene.apply("j.jsonl", &["--rule", "APIM-DEF-001"]);
    run.expect(2);
    assert!(
        run.stdout().contains("ARM answered 307, a redirect"),
        "{}",
        run.stdout()
    );
    assert_eq!(run.writes().len(), 1, "one PUT, to ARM");
    assert!(foreign.requests().is_empty(), "{:#?}", foreign.requests());
}

/// A long-running operation whose `Location` leaves the ARM endpoint (here: the same
/// host, another port) is not polled: the action fails, the token goes nowhere else.
#[test]
fn operation_link_to_another_port_is_not_polled() {
    let foreign = FakeArm::foreign(estate::contoso());
    let collection = open_api_collection();
    let started = Fault::always(
        &format!("/apiCollections/{OPEN_API}"),
        FaultKind::Canned {
            status: 201,
            headers: vec![(
                "Location",
                format!("{}{collection}?api-version=2023-11-15", foreign.url),
            )],
            body: estate::onboarded_collection(&estate::service_id(RG, SERVICE), OPEN_API, false)
                .to_string(),
        },
    )
    .on("PUT");
    let scene = Scene::new(estate::contoso(), vec![started], 0.0);
    let run = scene.apply("j.jsonl", &["--rule", "APIM-DEF-001"]);
    run.expect(2);
    assert!(
        run.stdout().contains("points to another host (127.0.0.1:")
            || run.stderr().contains("points to another host (127.0.0.1:"),
        "{}\n{}",
        run.stdout(),
        run.stderr()
    );
    assert_eq!(run.writes().len(), 1, "the PUT, and no poll elsewhere");
    assert!(foreign.requests().is_empty(), "{:#?}", foreign.requests());
}

/// A subscription id in a snapshot that is not one (here: one that climbs to a resource
/// group) is refused when the plan is made: the plan's PUT is never sent.
#[test]
fn hostile_subscription_in_a_snapshot_is_refused_before_any_call() {
    let mut estate = estate::contoso();
    estate::plan_off(&mut estate);
    let scene = Scene::new(estate, Vec::new(), 0.0);
    let snapshot = edited_snapshot(&scene, "subscription.json", |s| {
        let moved = format!("{}/../../../resourceGroups/rg-x", estate::SUBSCRIPTION);
        *s = estate::rebase(s, estate::SUBSCRIPTION, &moved);
    });
    let journal = scene.file("never.jsonl");
    let run = scene.run(&[
        "remediate",
        path(&snapshot),
        "--rule",
        "APIM-DEF-002",
        "--apply",
        "--yes",
        "--allow-cost",
        "--journal",
        path(&journal),
    ]);
    run.expect(2);
    let stderr = run.stderr();
    assert!(
        stderr.contains("subscription.json:")
            && stderr.contains("(subscriptions[0].subscriptionId)")
            && stderr.contains("refusing defender.enable_plan"),
        "{stderr}"
    );
    assert!(run.log.is_empty(), "{:#?}", run.log);
    assert!(!journal.exists());
}

/// `--resume` of a FIFO (or a device, or a directory) is refused at once, not read:
/// reading a pipe nobody writes to would hang the run.
#[cfg(unix)]
#[test]
fn resuming_a_pipe_is_refused_not_read() {
    let scene = Scene::new(estate::generated(1, 1), Vec::new(), 0.0);
    let fifo = scene.file("fix.jsonl");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    for journal in [fifo.as_path(), scene.dir.path(), Path::new("/dev/zero")] {
        let mut child = apimguard()
            .args(["remediate", "--resume", path(journal), "--apply", "--yes"])
            .args(["--management-endpoint", &scene.fake.url])
            .env("APIMGUARD_ACCESS_TOKEN", TOKEN)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("apimguard starts");
        // A watchdog only, so that a regression fails instead of hanging the suite.
        let watchdog = Instant::now() + Duration::from_secs(60);
        while child.try_wait().unwrap().is_none() && Instant::now() < watchdog {
            std::thread::sleep(Duration::from_millis(20));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            panic!("--resume {} hangs", journal.display());
        }
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(
            text(&output.stderr).contains(", not a regular file"),
            "{}",
            text(&output.stderr)
        );
    }
}
