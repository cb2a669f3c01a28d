//! `collect`: read a live Azure estate through Azure Resource Manager into a schema-v1
//! snapshot that rules can trust.
//!
//! The pieces, in the order data flows (the ARM client, credentials and progress
//! reporting are [`crate::azure`]'s):
//!
//! - `discovery`: the subscriptions under management groups, and the services and
//!   Defender plans of many subscriptions through Resource Graph (or ARM listing);
//! - `apim` and `defender`: what is read, per service and per subscription;
//! - `load`: a service's gateway load from Azure Monitor, split by region;
//! - [`crate::policy_xml`]: policy documents → parsed scopes, effective chains, auth verdicts;
//! - `derive`: per-API `auth`, `exposure` and `defender` verdicts, with `call_paths`
//!   (every call path of an API and its effective policy);
//! - [`crate::iac`] reads the same snapshot from ARM templates, Bicep files and APIOps
//!   folders (pull-request gates), with the same record functions and derivations.
//!
//! Fail closed: whatever cannot be read becomes a [`Gap`](crate::snapshot::Gap) and
//! the snapshot says `complete: false`; nothing unread is ever reported as compliant.

mod activity_log;
pub(crate) mod apim;
pub(crate) mod call_paths;
pub(crate) mod defender;
pub(crate) mod derive;
mod discovery;
mod exemptions;
pub(crate) mod gaps;
pub(crate) mod ids;
mod incremental;
mod load;
pub(crate) mod logging;

use std::collections::HashMap;
use std::time::Instant;

use futures::future::join_all;
use miette::Diagnostic;
use serde_json::{json, Value};
use thiserror::Error;

pub use defender::{COLLECTIONS_API_VERSION, PRICING_API_VERSION};
pub use derive::managed_gateway_is_internal;
pub use discovery::Discovery;
pub use incremental::{load_previous, Since};
pub use load::{gateway_load, GatewayLoad, Peak, SeriesLoad};

use gaps::Gaps;
use ids::text;

use crate::azure::{ArmClient, ArmError, Cloud, Reporter, Summary};
use crate::redact;
use crate::snapshot::{
    Shard, Snapshot, Source, SourceKind, Subscription, SCHEMA_MINOR, SCHEMA_VERSION,
};

/// The subscriptions api-version.
const SUBSCRIPTIONS_API_VERSION: &str = "2022-12-01";

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// Subscriptions to read; empty reads every subscription the identity can list.
    pub subscriptions: Vec<String>,
    /// Only this resource group (in each subscription).
    pub resource_group: Option<String>,
    /// Only the service with this name.
    pub service: Option<String>,
    /// Every subscription under these management groups (instead of `subscriptions`).
    pub management_groups: Vec<String>,
    /// How services and Defender plans are found.
    pub discovery: Discovery,
    /// Only this shard's services and the subscriptions they are in (`--shard`).
    pub shard: Option<Shard>,
}

/// A finished collection.
#[derive(Debug)]
pub struct Collected {
    /// The snapshot (possibly incomplete: see `complete` and `gaps`).
    pub snapshot: Snapshot,
    /// The numbers of the summary line.
    pub summary: Summary,
}

/// A failure that stops the whole collection (anything narrower becomes a gap).
#[derive(Debug, Error, Diagnostic)]
pub enum CollectError {
    /// ARM refused the token outright.
    #[error("ARM rejected the credentials: {0}")]
    #[diagnostic(
        code(apimguard::collect::unauthorized),
        help("sign in again (`az login`), check that the token is for this cloud (--cloud), or run with -v to see which credential was used")
    )]
    Unauthorized(ArmError),
}

/// What the readers share.
pub(crate) struct Ctx<'a> {
    client: &'a ArmClient,
    gaps: &'a Gaps,
    reporter: &'a Reporter,
    severities: tokio::sync::OnceCell<Result<HashMap<String, String>, String>>,
    /// With `collect --since`: what may be carried over from the previous snapshot.
    plan: Option<&'a incremental::Plan>,
}

impl Ctx<'_> {
    /// Lists `{parent}/{collection}` (every page); when that fails, records a gap
    /// (`what` could not be read at `parent`) and returns `None`.
    async fn list_or_gap(
        &self,
        parent: &str,
        collection: &str,
        api_version: &str,
        what: &str,
    ) -> Option<Vec<serde_json::Value>> {
        let url = self
            .client
            .url(&format!("{parent}/{collection}"), api_version, &[]);
        match async { self.client.list(&url?).await }.await {
            Ok(items) => Some(items),
            Err(e) => {
                self.gaps.add(parent, what, e);
                None
            }
        }
    }

    /// The items of `items` (listed from `{parent}/{collection}`) that are its direct
    /// children, each other one a gap (`what` at `parent`): the reads that follow use
    /// their ids as paths ([`crate::azure::arm::names::check_child`]).
    fn children<'v>(
        &self,
        parent: &str,
        collection: &str,
        what: &str,
        items: impl IntoIterator<Item = &'v serde_json::Value>,
    ) -> Vec<&'v serde_json::Value> {
        items
            .into_iter()
            .filter(|item| {
                let id = item
                    .get("id")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default();
                match crate::azure::arm::names::check_child(parent, collection, id) {
                    Ok(()) => true,
                    Err(problem) => {
                        self.gaps
                            .add(parent, what, format!("an item of the list: {problem}"));
                        false
                    }
                }
            })
            .collect()
    }

    /// Assessment severities by key, read once per run.
    async fn assessment_severities(&self) -> &Result<HashMap<String, String>, String> {
        self.severities
            .get_or_init(|| defender::read_assessment_severities(self))
            .await
    }
}

/// A subscription as listed.
struct SubscriptionInfo {
    id: String,
    display_name: String,
    tenant_id: Option<String>,
}

/// Reads `target` through `client` into a snapshot.
pub async fn collect(
    client: &ArmClient,
    cloud: Cloud,
    target: &Target,
    reporter: &Reporter,
) -> Result<Collected, CollectError> {
    collect_with(client, cloud, target, reporter, None).await
}

/// Reads `target` through `client` into a snapshot, reading again only what changed
/// since the previous snapshot of `since` (see [`Since`]; docs/scale.md).
pub async fn collect_since(
    client: &ArmClient,
    cloud: Cloud,
    target: &Target,
    reporter: &Reporter,
    since: Since,
) -> Result<Collected, CollectError> {
    collect_with(client, cloud, target, reporter, Some(since)).await
}

async fn collect_with(
    client: &ArmClient,
    cloud: Cloud,
    target: &Target,
    reporter: &Reporter,
    since: Option<Since>,
) -> Result<Collected, CollectError> {
    let started = Instant::now();
    let now = chrono::Utc::now();
    let collected_at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let plan = since.map(|since| {
        let scope = source_details(client, target, Value::Null);
        incremental::Plan::new(since, now, &scope, cloud, reporter)
    });
    let gaps = Gaps::default();
    let ctx = Ctx {
        client,
        gaps: &gaps,
        reporter,
        severities: tokio::sync::OnceCell::new(),
        plan: plan.as_ref(),
    };

    let subscriptions = if target.management_groups.is_empty() {
        discover_subscriptions(&ctx, target).await?
    } else {
        let url = client.url("/subscriptions", SUBSCRIPTIONS_API_VERSION, &[]);
        let listed = async { client.list(&url?).await }.await;
        discovery::under_management_groups(&ctx, &target.management_groups, listed).await?
    };
    let tenant_id = subscriptions.iter().find_map(|s| s.tenant_id.clone());
    let discovered = discovery::discover(&ctx, &subscriptions, target).await?;
    let mut read = join_all(subscriptions.iter().map(|s| {
        let known = discovered.known.as_ref().map(|k| {
            k.get(&s.id.to_ascii_lowercase())
                .cloned()
                .unwrap_or_default()
        });
        read_subscription(&ctx, s, target, known)
    }))
    .await;

    if let Some(name) = &target.service {
        if !read
            .iter()
            .any(|s| !s.services.is_empty() || s.services_elsewhere)
        {
            let scope = match subscriptions.as_slice() {
                [only] => format!("/subscriptions/{}", only.id),
                _ => "/subscriptions".to_string(),
            };
            gaps.add(
                &scope,
                "services",
                format!("no API Management service named `{name}` was found"),
            );
        }
    }

    if let Some(shard) = target.shard {
        // A shard keeps the subscriptions its services are in, and the empty ones it owns.
        read.retain(|s| {
            !s.services.is_empty()
                || (shard.owns_subscription(&s.subscription_id) && !s.services_elsewhere)
        });
    }
    let read: Vec<Subscription> = read.into_iter().map(|s| s.subscription).collect();
    let gaps = gaps.into_sorted();
    let summary = Summary {
        subscriptions: read.len(),
        services: read.iter().map(|s| s.services.len()).sum(),
        apis: read
            .iter()
            .flat_map(|s| &s.services)
            .map(|s| s.apis.len())
            .sum(),
        requests: client.counters().requests(),
        retries: client.counters().retries(),
        gaps: gaps.len(),
        elapsed: started.elapsed(),
    };
    let mut snapshot = Snapshot {
        schema_version: SCHEMA_VERSION,
        schema_minor: SCHEMA_MINOR,
        schema_features: crate::snapshot::written_features(),
        collected_at,
        source: Source {
            kind: SourceKind::Arm,
            cloud: Some(cloud.name().to_string()),
            tenant_id,
            unavailable: Vec::new(),
            extra: source_details(client, target, discovered.record),
        },
        complete: gaps.is_empty(),
        gaps,
        subscriptions: read,
        unknowns: Vec::new(),
        incremental: plan.map(|plan| plan.into_record(reporter)),
        shard: target.shard.map(|shard| shard.record()),
    };
    // Whatever was read, of whatever kind: nothing secret leaves the collector.
    redact::snapshot(&mut snapshot);
    Ok(Collected { snapshot, summary })
}

fn source_details(
    client: &ArmClient,
    target: &Target,
    discovery: Value,
) -> serde_json::Map<String, Value> {
    let mut details = json!({
        "collector": crate::version::tool(),
        "managementEndpoint": client.endpoint().as_str().trim_end_matches('/'),
        "scope": {
            "subscriptions": target.subscriptions,
            "resourceGroup": target.resource_group,
            "service": target.service,
        },
        "discovery": discovery,
    });
    if !target.management_groups.is_empty() {
        details["scope"]["managementGroups"] = json!(target.management_groups);
    }
    details.as_object().cloned().unwrap_or_default()
}

/// The subscriptions to read: the ones named, or every one the identity can list.
async fn discover_subscriptions(
    ctx: &Ctx<'_>,
    target: &Target,
) -> Result<Vec<SubscriptionInfo>, CollectError> {
    if !target.subscriptions.is_empty() {
        let named = join_all(target.subscriptions.iter().map(|id| async move {
            let url = ctx.client.url(
                &format!("/subscriptions/{id}"),
                SUBSCRIPTIONS_API_VERSION,
                &[],
            );
            match async { ctx.client.get(&url?).await }.await {
                Ok(record) => Ok(info(&record, id)),
                Err(e) if e.status() == Some(401) => Err(CollectError::Unauthorized(e)),
                // An identity with access to one resource group may not read the
                // subscription itself; its resources are still read (and gaps recorded there).
                Err(e) => {
                    ctx.reporter
                        .note(1, format_args!("/subscriptions/{id}: {e}"));
                    Ok(SubscriptionInfo {
                        id: id.clone(),
                        display_name: String::new(),
                        tenant_id: None,
                    })
                }
            }
        }))
        .await;
        return named.into_iter().collect();
    }
    let url = ctx
        .client
        .url("/subscriptions", SUBSCRIPTIONS_API_VERSION, &[]);
    match async { ctx.client.list(&url?).await }.await {
        Ok(items) => {
            let readable: Vec<SubscriptionInfo> = items
                .iter()
                .filter(|item| {
                    let state = text(item, "/state");
                    let readable = !(state.eq_ignore_ascii_case("Disabled")
                        || state.eq_ignore_ascii_case("Deleted"));
                    if !readable {
                        ctx.reporter.note(
                            1,
                            format_args!(
                                "skipping subscription {} ({state})",
                                text(item, "/subscriptionId")
                            ),
                        );
                    }
                    readable
                })
                .map(|item| info(item, text(item, "/subscriptionId")))
                .collect();
            // Fail closed: an identity that can list nothing (no role anywhere, or a role
            // assignment removed) would otherwise give a complete, empty estate that
            // every rule passes.
            if readable.is_empty() {
                let why = match items.len() {
                    0 => "the identity can list no subscription".to_string(),
                    n => format!(
                        "every subscription the identity can list ({n}) is disabled or deleted"
                    ),
                };
                ctx.gaps.add(
                    "/subscriptions",
                    "subscriptions",
                    format!("{why}, so nothing was read; grant it Reader (see docs/collect.md), or name a subscription with --subscription"),
                );
            }
            Ok(readable)
        }
        Err(e) if e.status() == Some(401) => Err(CollectError::Unauthorized(e)),
        Err(e) => {
            ctx.gaps.add("/subscriptions", "subscriptions", e);
            Ok(Vec::new())
        }
    }
}

fn info(record: &Value, id: &str) -> SubscriptionInfo {
    let tenant = text(record, "/tenantId");
    SubscriptionInfo {
        id: id.to_string(),
        display_name: text(record, "/displayName").to_string(),
        tenant_id: (!tenant.is_empty()).then(|| tenant.to_string()),
    }
}

/// A subscription as read, with whether services of it were left to other shards.
struct SubscriptionRead {
    subscription: Subscription,
    /// Whether it has services that other shards read (`--shard`).
    services_elsewhere: bool,
}

impl std::ops::Deref for SubscriptionRead {
    type Target = Subscription;

    fn deref(&self) -> &Subscription {
        &self.subscription
    }
}

/// Reads one subscription: its services (each in full), then its Defender data; what
/// discovery already `known` (services, plan) is not read again.
async fn read_subscription(
    ctx: &Ctx<'_>,
    info: &SubscriptionInfo,
    target: &Target,
    known: Option<discovery::Known>,
) -> SubscriptionRead {
    let rg = target.resource_group.as_deref();
    let changes = match ctx.plan {
        Some(plan) => Some(plan.changes(ctx, &info.id).await),
        None => None,
    };
    let (listed, plan, security) = match known {
        Some(known) => (Some(known.services), Some(known.plan), known.security),
        None => (None, None, None),
    };
    let (collections, assessments) = match security {
        Some(found) => (Some(found.collections), Some(found.assessments)),
        None => (None, None),
    };
    let ((services, ids), defender_for_apis, defender_cspm, collections) = tokio::join!(
        read_services(ctx, &info.id, target, listed, changes.as_ref()),
        async {
            match plan {
                Some(plan) => defender::known_plan(ctx, &info.id, plan),
                None => defender::read_plan(ctx, &info.id).await,
            }
        },
        defender::read_cspm(ctx, &info.id),
        async {
            match collections {
                Some(found) => defender::collections_of(&found),
                None => defender::read_collections(ctx, &info.id, rg).await,
            }
        },
    );
    // Every shard reads the same subscription-level data: that of all the services
    // in scope, whichever shard reads them.
    let services_elsewhere = ids.len() > services.len();
    let whole_subscription = rg.is_none() && target.service.is_none();
    let (recommendations, alerts, azure_exemptions) = tokio::join!(
        async {
            match assessments {
                Some(found) => defender::recommendations_of(ctx, &found, &ids).await,
                None => defender::read_recommendations(ctx, &info.id, &ids).await,
            }
        },
        defender::read_alerts(ctx, &info.id, &ids, whole_subscription),
        exemptions::read_exemptions(ctx, &info.id, &ids),
    );
    let services = services
        .into_iter()
        .map(|mut read| {
            if read.carried {
                derive::derive_posture(&mut read.service, &collections);
            } else {
                derive::derive_service(&mut read.service, &read.fragments, &collections, ctx.gaps);
            }
            read.service
        })
        .collect();
    SubscriptionRead {
        subscription: Subscription {
            subscription_id: info.id.clone(),
            display_name: info.display_name.clone(),
            defender_for_apis,
            defender_cspm,
            services,
            recommendations,
            alerts,
            azure_exemptions,
        },
        services_elsewhere,
    }
}

/// The services Resource Graph `listed` at `scope`, checked against the first page of
/// ARM's list there (one request): Resource Graph answers with only the resources the
/// identity can read, where ARM refuses to list a scope it cannot read as a whole, so
/// a refusal is a gap (some services may be hidden), not an estate that looks smaller;
/// and a service ARM lists that Resource Graph does not have yet (it lags behind
/// writes) is read too.
async fn confirmed_by_arm(ctx: &Ctx<'_>, scope: &str, mut listed: Vec<Value>) -> Vec<Value> {
    let url = ctx.client.url(
        &format!("{scope}/providers/Microsoft.ApiManagement/service"),
        apim::API_VERSION,
        &[],
    );
    let page = match async { ctx.client.get(&url?).await }.await {
        Ok(page) => page,
        Err(e) => {
            ctx.gaps.add(
                scope,
                "services",
                format!("Resource Graph shows only the services the identity can read, and ARM refused to list the services here, so some may be missing (grant the identity Reader on the whole scope, see docs/collect.md): {e}"),
            );
            return listed;
        }
    };
    let Some(items) = page.get("value").and_then(Value::as_array) else {
        ctx.gaps.add(
            scope,
            "services",
            "ARM's list of the services here has no `value` array, so what Resource Graph found could not be confirmed",
        );
        return listed;
    };
    let known: std::collections::HashSet<String> = listed
        .iter()
        .map(|row| text(row, "/id").to_ascii_lowercase())
        .collect();
    for item in items {
        if !known.contains(&text(item, "/id").to_ascii_lowercase()) {
            listed.push(item.clone());
        }
    }
    listed
}

/// Lists the services in scope (or takes those discovery `listed` in the subscription)
/// and reads each of them.
async fn read_services(
    ctx: &Ctx<'_>,
    subscription: &str,
    target: &Target,
    listed: Option<Vec<Value>>,
    changes: Option<&incremental::Changes>,
) -> (Vec<apim::ServiceRead>, Vec<String>) {
    let scope = match &target.resource_group {
        Some(rg) => format!("/subscriptions/{subscription}/resourceGroups/{rg}"),
        None => format!("/subscriptions/{subscription}"),
    };
    let listed = match (listed, &target.resource_group, &target.service) {
        (Some(listed), rg, _) => {
            let mut listed = confirmed_by_arm(ctx, &scope, listed).await;
            if let Some(rg) = rg {
                listed.retain(|r| {
                    text(r, "/id")
                        .split('/')
                        .nth(4)
                        .is_some_and(|g| g.eq_ignore_ascii_case(rg))
                });
            }
            Ok(listed)
        }
        (None, Some(_), Some(name)) => {
            let url = ctx.client.url(
                &format!("{scope}/providers/Microsoft.ApiManagement/service/{name}"),
                apim::API_VERSION,
                &[],
            );
            async { ctx.client.get_optional(&url?).await }
                .await
                .map(|found| found.into_iter().collect())
        }
        (None, _, _) => {
            let url = ctx.client.url(
                &format!("{scope}/providers/Microsoft.ApiManagement/service"),
                apim::API_VERSION,
                &[],
            );
            async { ctx.client.list(&url?).await }.await
        }
    };
    let mut resources = match listed {
        Ok(resources) => resources,
        Err(e) => {
            ctx.gaps.add(&scope, "services", e);
            return (Vec::new(), Vec::new());
        }
    };
    resources.retain(|r| {
        match crate::azure::arm::names::check_service_id(subscription, text(r, "/id")) {
            Ok(()) => true,
            Err(problem) => {
                ctx.gaps.add(
                    &scope,
                    "services",
                    format!("an item of the list: {problem}"),
                );
                false
            }
        }
    });
    if let Some(name) = &target.service {
        resources.retain(|r| ids::last_segment(text(r, "/id")).eq_ignore_ascii_case(name));
    }
    let in_scope: Vec<String> = resources
        .iter()
        .map(|r| text(r, "/id").to_string())
        .collect();
    if let Some(shard) = target.shard {
        resources.retain(|r| shard.holds_service(text(r, "/id")));
    }
    ctx.reporter.services_found(resources.len());
    let read = join_all(resources.iter().map(|resource| async move {
        let carried = match (ctx.plan, changes) {
            (Some(plan), Some(changes)) => plan.carry(changes, text(resource, "/id")),
            _ => None,
        };
        let read = match carried {
            Some(service) => apim::refresh_service(ctx, resource, service).await,
            None => apim::read_service(ctx, resource).await,
        };
        ctx.reporter.service_done();
        read
    }))
    .await;
    (read, in_scope)
}
