//! Discovery: which subscriptions a collection reads when the scope is management
//! groups, and how the services, Defender plans, API collections and assessments of
//! many subscriptions are found — through Azure Resource Graph (a few queries for the
//! whole scope) or through ARM listing (four lists per subscription).
//!
//! Resource Graph rows are untrusted like ARM answers: a row whose id is not that of
//! a subscription asked about is a gap, and the service rows go through the same
//! checks as ARM's list ([`super::read_services`]). When Resource Graph cannot be
//! queried (no access, provider not registered, any failure), the collection falls
//! back to ARM listing, says so on standard error and records it in the snapshot's
//! `source.discovery`.

use std::collections::{BTreeMap, HashMap, HashSet};

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

/// The Resource Graph query of Defender for APIs' API collections (onboarded APIs).
const COLLECTIONS_QUERY: &str = "securityresources | where type =~ 'microsoft.security/apicollections' | project id, name, type, properties | order by id asc";

/// The Resource Graph query of Defender for Cloud's assessments of API Management
/// resources (the assessment id is the assessed resource's id with a suffix).
const ASSESSMENTS_QUERY: &str = "securityresources | where type =~ 'microsoft.security/assessments' and id contains '/providers/microsoft.apimanagement/service/' | project id, name, type, properties | order by id asc";

/// The `properties` fields the collector reads from API collections and from
/// assessments: a Resource Graph row that spells one of them in another case is not in
/// ARM's shape (Resource Graph's casing of these tables is not documented), and
/// Defender data is then listed through ARM rather than misread.
const COLLECTION_FIELDS: &[&str] = &[
    "provisioningState",
    "numberOfUnauthenticatedApiEndpoints",
    "numberOfExternalApiEndpoints",
    "numberOfInactiveApiEndpoints",
    "numberOfApiEndpointsWithSensitiveDataExposed",
    "sensitivityLabel",
];
const ASSESSMENT_FIELDS: &[&str] = &["resourceDetails", "displayName", "status", "metadata"];
/// (The assessed resource's `resourceDetails.id` is read in any case.)
const ASSESSMENT_INNER_FIELDS: &[&str] = &["code", "severity"];

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
    /// Its API collections and its assessments of API Management resources, as rows
    /// of ARM's lists (`None`: Resource Graph's rows were not in ARM's shape, so they
    /// are listed through ARM).
    pub security: Option<Security>,
}

/// The Defender for Cloud resources of one subscription that Resource Graph found.
#[derive(Debug, Clone, Default)]
pub(super) struct Security {
    /// API collections (`Microsoft.Security/apiCollections`).
    pub collections: Vec<Value>,
    /// Assessments (`Microsoft.Security/assessments`) of API Management resources.
    pub assessments: Vec<Value>,
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
        Ok((known, None)) => Ok(Discovered {
            known: Some(known),
            record: json!({"method": "resourceGraph"}),
        }),
        Ok((known, Some(why))) => {
            ctx.reporter.warn(format_args!(
                "{why}; API collections and assessments are listed through ARM instead"
            ));
            Ok(Discovered {
                known: Some(known),
                record: json!({"method": "resourceGraph", "defenderFallback": why}),
            })
        }
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

/// The services, plans, API collections and assessments of `subscriptions`, from four
/// Resource Graph queries; with why the Defender rows were set aside, when they were
/// not in ARM's shape.
async fn through_resource_graph(
    ctx: &Ctx<'_>,
    subscriptions: &[SubscriptionInfo],
) -> Result<(HashMap<String, Known>, Option<String>), ArmError> {
    let ids: Vec<String> = subscriptions.iter().map(|s| s.id.clone()).collect();
    let query = |kql| resource_graph::query(ctx.client, &ids, kql, ctx.reporter);
    let (services, plans, collections, assessments) = tokio::join!(
        query(SERVICES_QUERY),
        query(PLANS_QUERY),
        query(COLLECTIONS_QUERY),
        query(ASSESSMENTS_QUERY),
    );
    let (services, plans, collections, assessments) =
        (services?, plans?, collections?, assessments?);
    let mut known: HashMap<String, Known> = ids
        .iter()
        .map(|id| (id.to_ascii_lowercase(), Known::default()))
        .collect();
    for row in once_each(services) {
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
            Some(entry) if id.eq_ignore_ascii_case(&expected) => {
                entry.plan.get_or_insert(row);
            }
            _ => stray(ctx, "defenderForApis", &row),
        }
    }
    let misshapen = collections
        .iter()
        .find(|row| !arm_shaped(row, COLLECTION_FIELDS, &[]))
        .or_else(|| {
            assessments
                .iter()
                .find(|row| !arm_shaped(row, ASSESSMENT_FIELDS, ASSESSMENT_INNER_FIELDS))
        });
    if let Some(row) = misshapen {
        let why = format!(
            "a Resource Graph row (`{}`) does not have the fields of ARM's answer",
            shown(text(row, "/id"))
        );
        return Ok((known, Some(why)));
    }
    for entry in known.values_mut() {
        entry.security = Some(Security::default());
    }
    for (rows, what) in [
        (collections, "apiCollections"),
        (assessments, "assessments"),
    ] {
        for row in once_each(rows) {
            let security = known
                .get_mut(&subscription_of(text(&row, "/id")))
                .and_then(|entry| entry.security.as_mut());
            match (security, what) {
                (Some(security), "apiCollections") => security.collections.push(row),
                (Some(security), _) => security.assessments.push(row),
                (None, _) => stray(ctx, what, &row),
            }
        }
    }
    Ok((known, None))
}

/// `rows` without repeats (a row repeated across pages, say, is read once).
fn once_each(rows: Vec<Value>) -> impl Iterator<Item = Value> {
    let mut seen = HashSet::new();
    rows.into_iter()
        .filter(move |row| seen.insert(text(row, "/id").to_ascii_lowercase()))
}

/// Whether `row` has a `properties` object that spells each of `fields` (and, in the
/// objects under them, each of `inner`) as ARM does, when it has them at all.
fn arm_shaped(row: &Value, fields: &[&str], inner: &[&str]) -> bool {
    let Some(properties) = row.get("properties").and_then(Value::as_object) else {
        return false;
    };
    let same_case = |object: &serde_json::Map<String, Value>, names: &[&str]| {
        object.keys().all(|key| {
            names
                .iter()
                .all(|name| !key.eq_ignore_ascii_case(name) || key == name)
        })
    };
    same_case(properties, fields)
        && fields
            .iter()
            .filter_map(|field| properties.get(*field).and_then(Value::as_object))
            .all(|object| same_case(object, inner))
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
    fn rows_spelled_otherwise_than_arm_are_not_taken() {
        let collection = |properties: Value| json!({"id": "x", "properties": properties});
        assert!(arm_shaped(
            &collection(json!({"provisioningState": "Failed", "other": 1})),
            COLLECTION_FIELDS,
            &[]
        ));
        assert!(!arm_shaped(
            &collection(json!({"ProvisioningState": "Failed"})),
            COLLECTION_FIELDS,
            &[]
        ));
        assert!(!arm_shaped(&json!({"id": "x"}), COLLECTION_FIELDS, &[]));
        let assessment = |details: Value| json!({"id": "x", "properties": {"resourceDetails": details, "status": {"code": "Unhealthy"}}});
        assert!(arm_shaped(
            &assessment(json!({"source": "Azure", "id": "/subscriptions/a"})),
            ASSESSMENT_FIELDS,
            ASSESSMENT_INNER_FIELDS
        ));
        assert!(arm_shaped(
            &assessment(json!({"Source": "Azure", "Id": "/subscriptions/a"})),
            ASSESSMENT_FIELDS,
            ASSESSMENT_INNER_FIELDS
        ));
        let shouting = json!({"id": "x", "properties": {"Status": {"code": "Unhealthy"}}});
        assert!(!arm_shaped(
            &shouting,
            ASSESSMENT_FIELDS,
            ASSESSMENT_INNER_FIELDS
        ));
        let inner = json!({"id": "x", "properties": {"status": {"Code": "Unhealthy"}}});
        assert!(!arm_shaped(
            &inner,
            ASSESSMENT_FIELDS,
            ASSESSMENT_INNER_FIELDS
        ));
    }

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
