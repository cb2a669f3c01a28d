//! The read budget: against a fake ARM that throttles like ARM (a token bucket per
//! subscription, 429 with `Retry-After` when it is empty, the reads left on every
//! answer), the collector paces its requests and ends with a complete snapshot.

mod support;

use serde_json::Value;
use support::fake_arm::{Behaviour, FakeArm};
use support::tenant;
use support::throttle::Throttle;
use support::{run_against, text};

#[test]
fn a_throttled_tenant_is_collected_whole() {
    let fake = FakeArm::start(
        tenant::tenant(2, 1, 8),
        Behaviour {
            token: "test-token".into(),
            throttle: Some(Throttle {
                burst: 10,
                refill_per_second: 20.0,
            }),
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let output = run_against(
        &fake,
        "test-token",
        &[
            "collect",
            "--retries",
            "2",
            "--concurrency",
            "16",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    let snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{}",
        text(&output.stderr),
        snapshot["gaps"]
    );
    assert_eq!(snapshot["complete"], true);
    let log = fake.requests();
    let refused = log.iter().filter(|r| r.status == 429).count();
    assert!(
        refused * 10 <= log.len(),
        "paced before ARM refuses: {refused} of {} requests answered 429",
        log.len()
    );
}
