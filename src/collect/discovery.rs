//! Discovery: which subscriptions a collection reads when the scope is management
//! groups, and how the services and Defender plans of many subscriptions are found —
//! through Azure Resource Graph (a few queries for the whole scope) or through ARM
//! listing (two requests per subscription).
//!
//! Resource Graph rows are untrusted like ARM answers: a row whose id is not that of
//! a subscription asked about is a gap, and the service rows go through the same
//! checks as ARM's list ([`super::read_services`]). When Resource Graph cannot be
//! queried (no access, provider not registered, any failure), the collection falls
//! back to ARM listing, says so on standard error and records it in the snapshot's
//! `source.discovery`.

use std::collections::{BTreeMap, HashMap};

use futures::future::join_all;
use serde_json::{json, Value};

use super::ids::text;
use super::{CollectError, Ctx, SubscriptionInfo, Target};
use crate::azure::arm::names::{shown, Name};
use crate::azure::resource_graph;
use crate::azure::ArmError;

/// The management groups api-version.
const MANAGEMENT_GROUPS_API_VERSION: &str = "2020-05-01";

/// The Resource Graph query of API Management services (the fields of ARM's list).
const SERVICES_QUERY: &str = "resources | where type =~ 'microsoft.apimanagement/service' | project id, name, type, location, sku, properties, tags, identity, zones | order by id asc";

/// The Resource Graph query of the Defender for APIs plan of each subscription.
const PLANS_QUERY: &str = "securityresources | where type =~ 'microsoft.security/pricings' and name =~ 'Api' | project id, name, type, properties | order by id asc";

/// Where Resource Graph answers are recorded as coming from (gaps).
const GRAPH_SCOPE: &str = "/providers/Microsoft.ResourceGraph/resources";

/// How services and Defender plans are found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Discovery {
    /// Resource Graph for `--management-group` scopes, ARM listing otherwise.
    #[default]
    Auto,
    /// ARM listing, subscription by subscription.
    Arm,
    /// Resource Graph, whatever the scope.
    ResourceGraph,
}

/// What discovery found of one subscription before it is read.
#[derive(Debug, Clone, Default)]
pub(super) struct Known {
    /// Its API Management services, as rows of the service list.
    pub services: Vec<Value>,
    /// Its Defender for APIs plan resource (`None`: there is none).
    pub plan: Option<Value>,
}

/// The outcome of discovery: what is known per subscription (lower-cased id) when
/// Resource Graph answered, and the record for `source.discovery`.
pub(super) struct Discovered {
    pub known: Option<HashMap<String, Known>>,
    pub record: Value,
}

/// Finds the services and plans of `subscriptions` the way `target` asks.
pub(super) async fn discover(
    ctx: &Ctx<'_>,
    subscriptions: &[SubscriptionInfo],
    target: &Target,
) -> Result<Discovered, CollectError> {
    let graph = match target.discovery {
        Discovery::Arm => false,
        Discovery::ResourceGraph => true,
        Discovery::Auto => !target.management_groups.is_empty(),
    };
    if !graph || subscriptions.is_empty() {
        return Ok(Discovered {
            known: None,
            record: json!({"method": "arm"}),
        });
    }
    match through_resource_graph(ctx, subscriptions).await {
        Ok(known) => Ok(Discovered {
            known: Some(known),
            record: json!({"method": "resourceGraph"}),
        }),
        Err(e) if e.status() == Some(401) => Err(CollectError::Unauthorized(e)),
        Err(e) => {
            ctx.reporter.warn(format_args!(
                "Resource Graph could not be queried ({}); services and Defender plans are listed through ARM instead",
                e.brief()
            ));
            Ok(Discovered {
                known: None,
                record: json!({"method": "arm", "fallback": format!("Resource Graph could not be queried: {}", e.brief())}),
            })
        }
    }
}

/// The services and plans of `subscriptions`, from two Resource Graph queries.
async fn through_resource_graph(
    ctx: &Ctx<'_>,
    subscriptions: &[SubscriptionInfo],
) -> Result<HashMap<String, Known>, ArmError> {
    let ids: Vec<String> = subscriptions.iter().map(|s| s.id.clone()).collect();
    let (services, plans) = tokio::join!(
        resource_graph::query(ctx.client, &ids, SERVICES_QUERY, ctx.reporter),
        resource_graph::query(ctx.client, &ids, PLANS_QUERY, ctx.reporter),
    );
    let (services, plans) = (services?, plans?);
    let mut known: HashMap<String, Known> = ids
        .iter()
        .map(|id| (id.to_ascii_lowercase(), Known::default()))
        .collect();
    for row in services {
        match known.get_mut(&subscription_of(text(&row, "/id"))) {
            Some(entry) => entry.services.push(row),
            None => stray(ctx, "services", &row),
        }
    }
    for row in plans {
        let id = text(&row, "/id");
        let subscription = subscription_of(id);
        let expected =
            format!("/subscriptions/{subscription}/providers/Microsoft.Security/pricings/Api");
        match known.get_mut(&subscription) {
            Some(entry) if id.eq_ignore_ascii_case(&expected) => entry.plan = Some(row),
            _ => stray(ctx, "defenderForApis", &row),
        }
    }
    Ok(known)
}

/// A row that names no subscription asked about: a gap, and the row is not used.
fn stray(ctx: &Ctx<'_>, what: &str, row: &Value) {
    ctx.gaps.add(
        GRAPH_SCOPE,
        what,
        format!(
            "a row of the answer: its id `{}` is not that of a resource of the subscriptions asked about, so it was not read",
            shown(text(row, "/id"))
        ),
    );
}

/// The subscription id (lower-cased) of an id `/subscriptions/{id}/…`, or empty.
fn subscription_of(id: &str) -> String {
    let mut parts = id.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(""), Some(head), Some(sub)) if head.eq_ignore_ascii_case("subscriptions") => {
            sub.to_ascii_lowercase()
        }
        _ => String::new(),
    }
}

/// The subscriptions under `groups` (every level below them) that the identity can
/// read, in id order; a subscription under a group that it cannot list is a gap.
pub(super) async fn under_management_groups(
    ctx: &Ctx<'_>,
    groups: &[String],
    listed: Result<Vec<Value>, ArmError>,
) -> Result<Vec<SubscriptionInfo>, CollectError> {
    let descendants = join_all(groups.iter().map(|group| descendants(ctx, group))).await;
    // Groups may nest: a subscription under two of them is read once.
    let mut members: BTreeMap<String, (String, &str)> = BTreeMap::new();
    for (found, group) in descendants.into_iter().zip(groups) {
        for id in found? {
            members
                .entry(id.to_ascii_lowercase())
                .or_insert((id, group.as_str()));
        }
    }
    let listed = match listed {
        Ok(listed) => listed,
        Err(e) if e.status() == Some(401) => return Err(CollectError::Unauthorized(e)),
        Err(e) => {
            ctx.gaps.add("/subscriptions", "subscriptions", e);
            return Ok(Vec::new());
        }
    };
    let by_id: HashMap<String, &Value> = listed
        .iter()
        .map(|item| (text(item, "/subscriptionId").to_ascii_lowercase(), item))
        .collect();
    let mut readable = Vec::new();
    for (key, (id, group)) in &members {
        match by_id.get(key) {
            Some(record) => {
                let state = text(record, "/state");
                if state.eq_ignore_ascii_case("Disabled") || state.eq_ignore_ascii_case("Deleted") {
                    ctx.reporter
                        .note(1, format_args!("skipping subscription {id} ({state})"));
                } else {
                    readable.push(super::info(record, text(record, "/subscriptionId")));
                }
            }
            None => ctx.gaps.add(
                &format!("/subscriptions/{id}"),
                "subscription",
                format!("it is under management group {group}, but the identity cannot list it; grant it Reader there (see docs/collect.md)"),
            ),
        }
    }
    if members.is_empty() {
        ctx.gaps.add(
            "/providers/Microsoft.Management/managementGroups",
            "subscriptions",
            format!(
                "no subscription was found under management group {}, so nothing was read; check the id, or grant the identity Management Group Reader there",
                groups.join(", ")
            ),
        );
    }
    Ok(readable)
}

/// The id of every subscription below `group` (a group that cannot be read, or an
/// item that is not a subscription id, is a gap).
async fn descendants(ctx: &Ctx<'_>, group: &str) -> Result<Vec<String>, CollectError> {
    let scope = format!("/providers/Microsoft.Management/managementGroups/{group}");
    let url = ctx.client.url(
        &format!("{scope}/descendants"),
        MANAGEMENT_GROUPS_API_VERSION,
        &[],
    );
    let items = match async { ctx.client.list(&url?).await }.await {
        Ok(items) => items,
        Err(e) if e.status() == Some(401) => return Err(CollectError::Unauthorized(e)),
        Err(e) => {
            ctx.gaps.add(&scope, "subscriptions", e);
            return Ok(Vec::new());
        }
    };
    let mut found = Vec::new();
    for item in &items {
        if !text(item, "/type")
            .eq_ignore_ascii_case("Microsoft.Management/managementGroups/subscriptions")
        {
            continue;
        }
        let name = text(item, "/name");
        let id = text(item, "/id");
        let valid = Name::Subscription.check(name).is_ok()
            && id.eq_ignore_ascii_case(&format!("/subscriptions/{name}"));
        if valid {
            found.push(name.to_string());
        } else {
            ctx.gaps.add(
                &scope,
                "subscriptions",
                format!(
                    "an item of the list: `{}` (id `{}`) is not a subscription id, so it was not read",
                    shown(name),
                    shown(id)
                ),
            );
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_assigned_to_the_subscription_in_their_id() {
        assert_eq!(
            subscription_of("/subscriptions/AB/resourceGroups/rg/providers/x/y/z"),
            "ab"
        );
        assert_eq!(subscription_of("/SUBSCRIPTIONS/ab"), "ab");
        assert_eq!(subscription_of("subscriptions/ab"), "");
        assert_eq!(subscription_of("/providers/x"), "");
        assert_eq!(subscription_of(""), "");
    }
}
