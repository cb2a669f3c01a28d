//! The activity log the fake ARM serves for `collect --since`: events shaped like
//! Microsoft's `GetActivityLogsFiltered` example (`fixtures/arm/examples/`), and an
//! estate whose services can be carried over (the direct management API off).

use serde_json::{json, Value};

use super::estate::{self, Estate, SUBSCRIPTION};
use super::fake_arm::FakeArm;

/// The activity log's path for the estates' subscription.
pub fn path() -> String {
    format!(
        "/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Insights/eventtypes/management/values"
    )
}

/// An administrative event about `resource` (an ARM id) by `operation`, shaped like the
/// example's (its caller's claims and request left as they are).
pub fn event(resource: &str, operation: &str) -> Value {
    let mut event = estate::example("Microsoft.Insights__2015-04-01__GetActivityLogsFiltered")
        ["value"][0]
        .clone();
    event["resourceId"] = json!(resource);
    event["id"] = json!(format!(
        "{resource}/events/44ade6b4-3813-45e6-ae27-7420a95fa2f8/ticks/635574752669792776"
    ));
    event["authorization"]["scope"] = json!(resource);
    event["authorization"]["action"] = json!(operation);
    event["operationName"] = json!({"value": operation, "localizedValue": operation});
    event["resourceProviderName"] =
        json!({"value": "Microsoft.ApiManagement", "localizedValue": "Microsoft.ApiManagement"});
    event["subscriptionId"] = json!(SUBSCRIPTION);
    event["eventTimestamp"] =
        json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
    event
}

/// Serves `events` as the subscription's activity log from now on.
pub fn serve(fake: &FakeArm, events: Vec<Value>) {
    fake.serve(&path(), json!({"value": events, "nextLink": ""}));
}

/// The generated estate (`services` × `apis`) with every service's direct management API
/// off, so that `collect --since` may carry them over, and an empty activity log.
pub fn estate(services: usize, apis: usize) -> Estate {
    let mut e = estate::generated(services, apis);
    let keys: Vec<String> = e
        .routes
        .keys()
        .filter(|k| k.ends_with("/tenant/access"))
        .cloned()
        .collect();
    for key in keys {
        e.routes.get_mut(&key).expect("a route")["properties"]["enabled"] = json!(false);
    }
    e.list(&path(), Vec::new());
    e
}

/// The id of service `n` of the generated estate.
pub fn service(n: usize) -> String {
    estate::service_id("rg-bench", &format!("svc-{n:03}"))
}
