//! Reading a subscription's activity log: the administrative events (writes, deletes and
//! actions) of `Microsoft.ApiManagement` in a time window, which `collect --since` takes
//! as the list of services that changed (see `incremental`).
//!
//! Microsoft: Activity Logs - List (`GET /subscriptions/{id}/providers/Microsoft.Insights/
//! eventtypes/management/values`, api-version 2015-04-01), whose `$filter` takes a time
//! window and one of a few patterns, here `resourceProvider eq 'Microsoft.ApiManagement'`;
//! paged with `nextLink`; events are kept 90 days.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use super::ids::text;
use super::Ctx;
use crate::azure::ArmError;

/// The activity log api-version (the only one).
pub(crate) const API_VERSION: &str = "2015-04-01";

/// The fields read of each event (the rest, such as the caller's claims, is not asked for).
const SELECT: &str = "eventTimestamp,operationName,resourceId,authorization";

/// One administrative event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    /// The resource it is about (ARM id as the log writes it; empty when it names none).
    pub resource: String,
    /// Its operation, e.g. `Microsoft.ApiManagement/service/apis/policies/write`.
    pub operation: String,
}

/// The `Microsoft.ApiManagement` events of `subscription` from `from` to `to`.
pub(crate) async fn events(
    ctx: &Ctx<'_>,
    subscription: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Event>, ArmError> {
    let url = ctx.client.url(
        &format!("/subscriptions/{subscription}/providers/Microsoft.Insights/eventtypes/management/values"),
        API_VERSION,
        &[
            ("$filter", &filter(from, to)),
            ("$select", SELECT),
        ],
    )?;
    Ok(ctx.client.list(&url).await?.iter().map(event).collect())
}

/// The `$filter` of a window: every event of the provider between the two times.
fn filter(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    format!(
        "eventTimestamp ge '{}' and eventTimestamp le '{}' and resourceProvider eq 'Microsoft.ApiManagement'",
        at(from),
        at(to)
    )
}

/// An event of the log: its resource is `resourceId`, else its authorization scope, else
/// what its own id is under (`{resource}/events/{id}/ticks/{n}`).
fn event(item: &Value) -> Event {
    let id = text(item, "/id");
    let resource = [
        text(item, "/resourceId"),
        text(item, "/authorization/scope"),
        id.find("/events/").map_or("", |at| &id[..at]),
    ]
    .into_iter()
    .find(|r| !r.is_empty())
    .unwrap_or_default();
    let operation = match item.get("operationName") {
        Some(Value::String(name)) => name.as_str(),
        _ => text(item, "/operationName/value"),
    };
    Event {
        resource: resource.to_string(),
        operation: operation.to_string(),
    }
}

/// The service (its ARM id, lower-cased) that `resource` is or lies under, when it names
/// one: `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.ApiManagement/service/{n}`.
pub(crate) fn service_of(resource: &str) -> Option<String> {
    const MARKER: &str = "/providers/microsoft.apimanagement/service/";
    let lower = resource.to_ascii_lowercase();
    let at = lower.find(MARKER)?;
    let head = &lower[..at];
    let parts: Vec<&str> = head.split('/').collect();
    let shaped = matches!(parts.as_slice(), ["", "subscriptions", s, "resourcegroups", g] if !s.is_empty() && !g.is_empty());
    let name_start = at + MARKER.len();
    let name = lower[name_start..].split('/').next().unwrap_or_default();
    (shaped && !name.is_empty()).then(|| lower[..name_start + name.len()].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_name_their_resource_however_the_log_writes_it() {
        let with_id = json!({"resourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/a/apis/x",
                             "operationName": {"value": "Microsoft.ApiManagement/service/apis/write"}});
        assert_eq!(
            event(&with_id),
            Event {
                resource: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/a/apis/x".into(),
                operation: "Microsoft.ApiManagement/service/apis/write".into(),
            }
        );
        let by_scope =
            json!({"authorization": {"scope": "/subscriptions/s/x"}, "operationName": "op"});
        assert_eq!(event(&by_scope).resource, "/subscriptions/s/x");
        let by_id = json!({"id": "/subscriptions/s/y/events/e/ticks/1"});
        assert_eq!(event(&by_id).resource, "/subscriptions/s/y");
        assert_eq!(event(&json!({})).resource, "");
    }

    #[test]
    fn services_are_found_under_any_case() {
        assert_eq!(
            service_of("/SUBSCRIPTIONS/S/resourcegroups/RG/providers/MICROSOFT.APIMANAGEMENT/service/Contoso/apis/echo/policies/policy").as_deref(),
            Some("/subscriptions/s/resourcegroups/rg/providers/microsoft.apimanagement/service/contoso")
        );
        assert_eq!(
            service_of(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/a"
            )
            .as_deref(),
            Some("/subscriptions/s/resourcegroups/rg/providers/microsoft.apimanagement/service/a")
        );
        assert_eq!(
            service_of("/subscriptions/s/providers/Microsoft.ApiManagement"),
            None
        );
        assert_eq!(
            service_of("/subscriptions/s/providers/Microsoft.ApiManagement/service/a"),
            None
        );
        assert_eq!(
            service_of(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/"
            ),
            None
        );
        assert_eq!(service_of(""), None);
    }
}
