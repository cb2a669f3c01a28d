//! Reading one API Management service and everything under it (api-version 2024-05-01).
//!
//! Each read that fails becomes a gap and leaves its part of the snapshot empty or
//! null; the derivations later treat a scope with a gap as unknown, never as safe.

use futures::future::join_all;
use serde_json::Value;

use super::gaps::Gaps;
use super::ids::{last_segment, properties, resource_group, text};
use super::load::{gateway_load, GatewayLoad};
use super::Ctx;
use crate::policy_xml::{self, Fragments};
use crate::redact;
use crate::snapshot::{
    Api, ApiDefender, Auth, AuthVerdict, Exposure, Gateway, JsonObject, Operation, Policy, Product,
    Resource, Service, Sku, TenantAccess, Workspace,
};

/// The APIM api-version (newest stable).
pub(crate) const API_VERSION: &str = "2024-05-01";

/// A service as read, plus what deriving its APIs' verdicts needs.
pub(crate) struct ServiceRead {
    /// The snapshot service (auth, exposure.external and defender still to derive).
    pub service: Service,
    /// The service's policy fragments.
    pub fragments: Fragments,
    /// Whether it was carried over from the previous snapshot ([`refresh_service`]).
    pub carried: bool,
}

/// Reads the service described by `resource` (an item of the service list).
pub(crate) async fn read_service(ctx: &Ctx<'_>, resource: &Value) -> ServiceRead {
    let mut service = service_record(resource);
    let id = service.id.clone();
    let tier = Tier::of(&service.sku.name);
    let (
        policy,
        fragments,
        tenant_access,
        git_access,
        logging,
        developer_portal,
        certificates,
        capacity_percent,
        apis,
        products,
        apim_subscriptions,
        backends,
        named_values,
        gateways,
        (workspaces, workspace_apis),
    ) = tokio::join!(
        read_policy(ctx, &id),
        read_fragments(ctx, &id),
        read_tenant_access(ctx, &id, tier, TenantEndpoint::Management),
        read_tenant_access(ctx, &id, tier, TenantEndpoint::Git),
        super::logging::read_service(ctx, &id),
        super::portal::read_portal(ctx, &id, &service.sku.name),
        super::portal::read_certificates(ctx, &id),
        read_capacity(ctx, &id, &service.sku.name),
        read_apis(ctx, &id, None),
        read_products(ctx, &id),
        read_resources(
            ctx,
            &id,
            "subscriptions",
            "apimSubscriptions",
            redact::apim_subscription
        ),
        read_resources(ctx, &id, "backends", "backends", redact::backend),
        read_resources(ctx, &id, "namedValues", "namedValues", redact::named_value),
        read_gateways(ctx, &id, tier),
        read_workspaces(ctx, &id, tier),
    );

    service.policy = policy;
    service.tenant_access = tenant_access;
    service.git_access = git_access;
    service.developer_portal = developer_portal;
    service.certificates = certificates;
    service.capacity_percent = capacity_percent;
    // API-level diagnostics, once the APIs are known (one request per API).
    let mut logging = logging;
    let every_api: Vec<&Api> = apis.iter().chain(&workspace_apis).collect();
    super::logging::read_api_diagnostics(ctx, &every_api, &mut logging).await;
    service.logging = Some(logging);
    service.apis = apis;
    service.apis.extend(workspace_apis);
    service.products = products;
    service.apim_subscriptions = apim_subscriptions;
    service.backends = backends;
    service.named_values = named_values;
    service.gateways = gateways;
    service.workspaces = workspaces;
    link_apis(&mut service);
    ServiceRead {
        service,
        fragments,
        carried: false,
    }
}

/// A service carried over by `collect --since`: `carried` as the previous snapshot
/// holds it, with what changes without an ARM write read again: the service resource
/// itself (`resource`, an item of the service list), its gateway load, its APIM
/// subscriptions (developer-portal sign-ups do not go through ARM) and its certificates
/// (Key Vault renews them without an ARM write).
pub(crate) async fn refresh_service(
    ctx: &Ctx<'_>,
    resource: &Value,
    carried: Service,
) -> ServiceRead {
    let fresh = service_record(resource);
    let (capacity_percent, apim_subscriptions, certificates) = tokio::join!(
        read_capacity(ctx, &fresh.id, &fresh.sku.name),
        read_resources(
            ctx,
            &fresh.id,
            "subscriptions",
            "apimSubscriptions",
            redact::apim_subscription
        ),
        super::portal::read_certificates(ctx, &fresh.id),
    );
    // What was read again replaces the carried values; everything else (every child
    // resource and fact, including those added to the snapshot later) is carried.
    let service = Service {
        id: fresh.id,
        name: fresh.name,
        resource_group: fresh.resource_group,
        location: fresh.location,
        sku: fresh.sku,
        properties: fresh.properties,
        identity: fresh.identity,
        zones: fresh.zones,
        capacity_percent,
        apim_subscriptions,
        certificates,
        ..carried
    };
    ServiceRead {
        service,
        fragments: Fragments::new(),
        carried: true,
    }
}

/// The snapshot service of an ARM service resource (`id`, `sku`, `properties`, …),
/// secrets masked; its policy and children are left empty for the caller to fill.
pub(crate) fn service_record(resource: &Value) -> Service {
    let id = text(resource, "/id").to_string();
    let mut props = properties(resource);
    redact::service(&mut props);
    Service {
        name: last_segment(&id).to_string(),
        resource_group: resource_group(&id),
        location: text(resource, "/location").to_string(),
        sku: Sku {
            name: text(resource, "/sku/name").to_string(),
            capacity: resource
                .pointer("/sku/capacity")
                .and_then(Value::as_u64)
                .and_then(|c| u32::try_from(c).ok()),
        },
        properties: props,
        identity: resource.get("identity").filter(|v| !v.is_null()).cloned(),
        zones: resource
            .get("zones")
            .and_then(Value::as_array)
            .map(|zones| {
                zones
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        policy: None,
        capacity_percent: None,
        tenant_access: None,
        git_access: None,
        logging: None,
        certificates: None,
        developer_portal: None,
        apis: Vec::new(),
        products: Vec::new(),
        apim_subscriptions: Vec::new(),
        backends: Vec::new(),
        named_values: Vec::new(),
        gateways: Vec::new(),
        workspaces: Vec::new(),
        effective_policies: Default::default(),
        credentials_in_urls: Vec::new(),
        credential_named_values: Vec::new(),
        origin: None,
        id,
    }
}

/// Links each service-level API to the products that contain it and the gateways
/// that serve it (workspace APIs belong to neither).
pub(crate) fn link_apis(service: &mut Service) {
    for api in service.apis.iter_mut() {
        if api.exposure.workspace.is_some() {
            continue;
        }
        api.products = service
            .products
            .iter()
            .filter(|p| p.apis.contains(&api.name))
            .map(|p| p.name.clone())
            .collect();
        api.exposure.gateways = std::iter::once("managed".to_string())
            .chain(
                service
                    .gateways
                    .iter()
                    .filter(|g| g.apis.contains(&api.name))
                    .map(|g| g.name.clone()),
            )
            .collect();
    }
}

/// What a pricing tier offers, so that reads it cannot answer are not made (they would
/// be gaps that say nothing about the estate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tier {
    /// The gateway-load metric: `Capacity` on classic tiers, `CpuPercent_Gateway` on v2.
    load_metric: Option<&'static str>,
    /// The direct management API (classic tiers but Consumption).
    tenant_access: bool,
    /// Self-hosted gateways (Developer, Premium, Isolated).
    self_hosted_gateways: bool,
    /// Workspaces (Premium, Premium v2).
    workspaces: bool,
}

/// The gateway-load metric of a pricing tier, if it has one.
pub(crate) fn load_metric(sku: &str) -> Option<&'static str> {
    Tier::of(sku).load_metric
}

/// Whether a pricing tier has the direct management API (`tenant/access`).
pub(crate) fn offers_tenant_access(sku: &str) -> bool {
    Tier::of(sku).tenant_access
}

impl Tier {
    fn of(sku: &str) -> Tier {
        let sku = sku.to_ascii_lowercase();
        match sku.as_str() {
            "consumption" => Tier {
                load_metric: None,
                tenant_access: false,
                self_hosted_gateways: false,
                workspaces: false,
            },
            s if s.ends_with("v2") => Tier {
                load_metric: Some("CpuPercent_Gateway"),
                tenant_access: false,
                self_hosted_gateways: false,
                workspaces: s == "premiumv2",
            },
            s => Tier {
                load_metric: Some("Capacity"),
                tenant_access: true,
                self_hosted_gateways: matches!(s, "developer" | "premium" | "isolated"),
                workspaces: s == "premium",
            },
        }
    }
}

/// Reads the policy of a scope (service, workspace, product, API, operation): `None`
/// when the scope has none; a gap (`what: policy`) when it cannot be read or parsed.
async fn read_policy(ctx: &Ctx<'_>, scope: &str) -> Option<Policy> {
    let url = ctx.client.url(
        &format!("{scope}/policies/policy"),
        API_VERSION,
        &[("format", "rawxml")],
    );
    match async { ctx.client.get_optional(&url?).await }.await {
        Ok(document) => policy_of(ctx.gaps, scope, &document?),
        Err(e) => {
            ctx.gaps.add(scope, "policy", e);
            None
        }
    }
}

/// The parsed policy of an ARM policy resource (`properties.format` and `.value`) of
/// `scope`: `None` when it is empty; `None` and a gap when it is only a link or not valid.
pub(crate) fn policy_of(gaps: &Gaps, scope: &str, document: &Value) -> Option<Policy> {
    let value = match policy_text(document) {
        Ok(value) => value?,
        Err(reason) => {
            gaps.add(scope, "policy", reason);
            return None;
        }
    };
    match policy_xml::parse_policy(value) {
        Ok(policy) => Some(policy),
        Err(e) => {
            gaps.add(
                scope,
                "policy",
                format!("the policy document is not valid: {e}"),
            );
            None
        }
    }
}

/// The document of an ARM policy resource: `None` when it is empty; why not, when it
/// is given only as a link (`format` `xml-link` or `rawxml-link`). The 2018-01-01 API
/// names them `policyContent` and `contentFormat`.
pub(crate) fn policy_text(document: &Value) -> Result<Option<&str>, String> {
    let either = |now: &str, then: &str| {
        let value = text(document, now);
        if value.is_empty() {
            text(document, then)
        } else {
            value
        }
    };
    let format = either("/properties/format", "/properties/contentFormat");
    if format.to_ascii_lowercase().ends_with("-link") {
        return Err(format!(
            "the policy is given as a link (format {format}), which is not read"
        ));
    }
    let value = either("/properties/value", "/properties/policyContent");
    Ok((!value.trim().is_empty()).then_some(value))
}

/// Reads the service's policy fragments (needed to resolve `<include-fragment>`).
async fn read_fragments(ctx: &Ctx<'_>, service: &str) -> Fragments {
    let url = ctx
        .client
        .url(&format!("{service}/policyFragments"), API_VERSION, &[]);
    let items = match async { ctx.client.list(&url?).await }.await {
        Ok(items) => items,
        Err(e) => {
            let reason = e.to_string();
            ctx.gaps.add(service, "policyFragments", &reason);
            return Fragments::unreadable(reason);
        }
    };
    let items = ctx.children(service, "policyFragments", "policyFragments", &items);
    let documents = join_all(items.into_iter().map(|item| async move {
        let id = text(item, "/id").to_string();
        let inline = text(item, "/properties/value");
        if !inline.trim().is_empty() {
            return (id, Ok(inline.to_string()));
        }
        // Lists may leave the document out; fetch it on its own.
        let url = ctx.client.url(&id, API_VERSION, &[("format", "rawxml")]);
        let fetched = async { ctx.client.get(&url?).await }
            .await
            .map(|doc| text(&doc, "/properties/value").to_string());
        (id, fetched.map_err(|e| e.to_string()))
    }))
    .await;
    let mut fragments = Fragments::new();
    for (id, document) in documents {
        add_fragment(&mut fragments, ctx.gaps, &id, document);
    }
    fragments
}

/// Adds the fragment `id` (an ARM id) from its document, or records why it is unreadable.
pub(crate) fn add_fragment(
    fragments: &mut Fragments,
    gaps: &Gaps,
    id: &str,
    document: Result<String, String>,
) {
    let name = last_segment(id);
    let parsed = document.and_then(|text| {
        policy_xml::parse_fragment(&text)
            .map_err(|e| format!("the fragment document is not valid: {e}"))
    });
    match parsed {
        Ok(elements) => fragments.insert(name, elements),
        Err(reason) => {
            gaps.add(id, "policyFragment", &reason);
            fragments.mark_unreadable(name, &reason);
        }
    }
}

/// The endpoints of a service's `tenant` collection that apimguard reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TenantEndpoint {
    /// `tenant/access`: the direct management REST API.
    Management,
    /// `tenant/gitAccess`: the Git configuration repository.
    Git,
}

/// Reads a tenant access switch (classic tiers but Consumption only). The direct
/// management API's is optional (a service that never set it answers 404); the Git
/// endpoint's must be there: a 404, or an answer without the switch, is a gap, never
/// "disabled".
async fn read_tenant_access(
    ctx: &Ctx<'_>,
    service: &str,
    tier: Tier,
    endpoint: TenantEndpoint,
) -> Option<TenantAccess> {
    if !tier.tenant_access {
        return None;
    }
    let (path, what) = match endpoint {
        TenantEndpoint::Management => ("tenant/access", "tenantAccess"),
        TenantEndpoint::Git => ("tenant/gitAccess", "gitAccess"),
    };
    let url = ctx
        .client
        .url(&format!("{service}/{path}"), API_VERSION, &[]);
    let read = match endpoint {
        TenantEndpoint::Management => async { ctx.client.get_optional(&url?).await }.await,
        TenantEndpoint::Git => async { ctx.client.get(&url?).await.map(Some) }.await,
    };
    let document = match read {
        Ok(document) => document?,
        Err(e) => {
            ctx.gaps.add(service, what, e);
            return None;
        }
    };
    match (
        endpoint,
        document
            .pointer("/properties/enabled")
            .and_then(Value::as_bool),
    ) {
        (_, Some(enabled)) => Some(TenantAccess { enabled }),
        (TenantEndpoint::Management, None) => Some(TenantAccess { enabled: false }),
        (TenantEndpoint::Git, None) => {
            ctx.gaps.add(
                service,
                what,
                "the answer has no boolean properties.enabled",
            );
            None
        }
    }
}

/// Reads the gateway load of a service (its busiest region's), as a gap when it cannot
/// be read.
async fn read_capacity(ctx: &Ctx<'_>, service: &str, sku: &str) -> Option<f64> {
    match gateway_load(ctx.client, service, sku).await {
        Ok(load) => load.as_ref().and_then(GatewayLoad::peak).map(|p| p.percent),
        Err(e) => {
            ctx.gaps.add(service, "capacity", e);
            None
        }
    }
}

/// Reads the current revision of every API under `root` (a service, or a workspace
/// when `workspace` names it), with operations and policies.
async fn read_apis(ctx: &Ctx<'_>, root: &str, workspace: Option<&str>) -> Vec<Api> {
    let Some(items) = ctx.list_or_gap(root, "apis", API_VERSION, "apis").await else {
        return Vec::new();
    };
    let listed: Vec<&Value> = items
        .iter()
        .filter(|item| {
            let id = text(item, "/id");
            let is_current = item
                .pointer("/properties/isCurrent")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            // Workspace APIs are read through their workspace, whether or not the
            // service-level list also returns them.
            is_current
                && !id.contains(";rev=")
                && (workspace.is_some() || !id.to_ascii_lowercase().contains("/workspaces/"))
        })
        .collect();
    let current = ctx.children(root, "apis", "apis", listed);
    ctx.reporter.apis_found(current.len());
    join_all(
        current
            .into_iter()
            .map(|item| read_api(ctx, item, workspace)),
    )
    .await
}

async fn read_api(ctx: &Ctx<'_>, item: &Value, workspace: Option<&str>) -> Api {
    let mut api = api_record(item, workspace);
    (api.policy, api.operations) =
        tokio::join!(read_policy(ctx, &api.id), read_operations(ctx, &api.id));
    ctx.reporter.api_done();
    api
}

/// The snapshot API of an ARM API resource; its policy, operations and verdicts
/// (`auth`, `exposure`, `defender`) are left for the caller to fill and derive.
pub(crate) fn api_record(item: &Value, workspace: Option<&str>) -> Api {
    let id = text(item, "/id").to_string();
    let props = properties(item);
    let string = |key: &str| {
        props
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Api {
        name: last_segment(&id).to_string(),
        display_name: string("displayName"),
        path: string("path"),
        protocols: match props.get("protocols") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            // A list left open in IaC files reads as one unknown entry.
            Some(Value::String(open)) => vec![open.clone()],
            _ => Vec::new(),
        },
        api_type: props
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("http")
            .to_string(),
        is_current: props
            .get("isCurrent")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        // Fail closed: a missing flag is not read as "a key is required".
        subscription_required: props
            .get("subscriptionRequired")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        properties: props,
        policy: None,
        operations: Vec::new(),
        products: Vec::new(),
        auth: Auth {
            subscription_key: false,
            jwt_validation: false,
            client_certificate: false,
            authorization_header_check: false,
            ip_filter: false,
            effective: AuthVerdict::Unknown,
            open_paths: Vec::new(),
            unknown_reasons: Vec::new(),
        },
        exposure: Exposure {
            external: true,
            gateways: Vec::new(),
            workspace: workspace.map(str::to_string),
        },
        defender: ApiDefender {
            eligible: false,
            ineligible_reason: None,
            onboarded: false,
            collection: None,
            unauthenticated_endpoints: None,
            external_endpoints: None,
            inactive_endpoints: None,
            sensitive_endpoints: None,
            sensitivity_label: None,
        },
        call_paths: Vec::new(),
        origin: None,
        id,
    }
}

async fn read_operations(ctx: &Ctx<'_>, api: &str) -> Vec<Operation> {
    let Some(items) = ctx
        .list_or_gap(api, "operations", API_VERSION, "operations")
        .await
    else {
        return Vec::new();
    };
    let items = ctx.children(api, "operations", "operations", &items);
    join_all(items.into_iter().map(|item| async move {
        let mut operation = operation_record(item);
        operation.policy = read_policy(ctx, text(item, "/id")).await;
        operation
    }))
    .await
}

/// The snapshot operation of an ARM operation resource (its policy left empty).
pub(crate) fn operation_record(item: &Value) -> Operation {
    Operation {
        name: last_segment(text(item, "/id")).to_string(),
        method: text(item, "/properties/method").to_string(),
        url_template: text(item, "/properties/urlTemplate").to_string(),
        policy: None,
        origin: None,
    }
}

async fn read_products(ctx: &Ctx<'_>, service: &str) -> Vec<Product> {
    let Some(items) = ctx
        .list_or_gap(service, "products", API_VERSION, "products")
        .await
    else {
        return Vec::new();
    };
    let items = ctx.children(service, "products", "products", &items);
    join_all(items.into_iter().map(|item| async move {
        let mut product = product_record(item);
        let groups;
        (product.policy, product.apis, groups) = tokio::join!(
            read_policy(ctx, &product.id),
            read_names(ctx, &product.id, "apis", "productApis"),
            ctx.list_or_gap(&product.id, "groups", API_VERSION, "productGroups"),
        );
        product.groups = groups.map(|items| {
            ctx.children(&product.id, "groups", "productGroups", &items)
                .into_iter()
                .map(|item| resource_record(item, |_| {}))
                .collect()
        });
        product
    }))
    .await
}

/// The id, name and `properties` of an ARM resource.
fn identity(item: &Value) -> (String, String, JsonObject) {
    let id = text(item, "/id");
    (
        id.to_string(),
        last_segment(id).to_string(),
        properties(item),
    )
}

/// The snapshot product of an ARM product resource (policy and APIs left empty).
pub(crate) fn product_record(item: &Value) -> Product {
    let (id, name, properties) = identity(item);
    Product {
        id,
        name,
        properties,
        policy: None,
        apis: Vec::new(),
        groups: None,
        origin: None,
    }
}

/// Reads a child collection kept verbatim (after `redact`).
async fn read_resources(
    ctx: &Ctx<'_>,
    service: &str,
    collection: &str,
    what: &str,
    redact: fn(&mut JsonObject),
) -> Vec<Resource> {
    ctx.list_or_gap(service, collection, API_VERSION, what)
        .await
        .unwrap_or_default()
        .iter()
        .map(|item| resource_record(item, redact))
        .collect()
}

/// The snapshot form of an ARM child resource kept verbatim, after `redact`.
pub(crate) fn resource_record(item: &Value, redact: fn(&mut JsonObject)) -> Resource {
    let (id, name, mut properties) = identity(item);
    redact(&mut properties);
    Resource {
        id,
        name,
        properties,
        origin: None,
    }
}

/// Names (last id segments) of the items of `{parent}/{collection}`.
async fn read_names(ctx: &Ctx<'_>, parent: &str, collection: &str, what: &str) -> Vec<String> {
    ctx.list_or_gap(parent, collection, API_VERSION, what)
        .await
        .unwrap_or_default()
        .iter()
        .map(|item| last_segment(text(item, "/id")).to_string())
        .collect()
}

async fn read_gateways(ctx: &Ctx<'_>, service: &str, tier: Tier) -> Vec<Gateway> {
    if !tier.self_hosted_gateways {
        return Vec::new();
    }
    let Some(items) = ctx
        .list_or_gap(service, "gateways", API_VERSION, "gateways")
        .await
    else {
        return Vec::new();
    };
    let items = ctx.children(service, "gateways", "gateways", &items);
    join_all(items.into_iter().map(|item| async move {
        let mut gateway = gateway_record(item);
        gateway.apis = read_names(ctx, &gateway.id, "apis", "gatewayApis").await;
        gateway
    }))
    .await
}

/// The snapshot gateway of an ARM gateway resource (its APIs left empty).
pub(crate) fn gateway_record(item: &Value) -> Gateway {
    let (id, name, properties) = identity(item);
    Gateway {
        id,
        name,
        properties,
        apis: Vec::new(),
        origin: None,
    }
}

/// Reads workspaces (Premium tiers only) and the APIs they hold.
async fn read_workspaces(ctx: &Ctx<'_>, service: &str, tier: Tier) -> (Vec<Workspace>, Vec<Api>) {
    if !tier.workspaces {
        return (Vec::new(), Vec::new());
    }
    let Some(items) = ctx
        .list_or_gap(service, "workspaces", API_VERSION, "workspaces")
        .await
    else {
        return (Vec::new(), Vec::new());
    };
    let items = ctx.children(service, "workspaces", "workspaces", &items);
    let read = join_all(items.into_iter().map(|item| async move {
        let mut workspace = workspace_record(item);
        let (policy, apis) = tokio::join!(
            read_policy(ctx, &workspace.id),
            read_apis(ctx, &workspace.id, Some(&workspace.name))
        );
        workspace.policy = policy;
        workspace.apis = apis.iter().map(|a| a.name.clone()).collect();
        (workspace, apis)
    }))
    .await;
    let mut workspaces = Vec::with_capacity(read.len());
    let mut apis = Vec::new();
    for (workspace, workspace_apis) in read {
        workspaces.push(workspace);
        apis.extend(workspace_apis);
    }
    (workspaces, apis)
}

/// The snapshot workspace of an ARM workspace resource (policy and APIs left empty).
pub(crate) fn workspace_record(item: &Value) -> Workspace {
    let (id, name, properties) = identity(item);
    Workspace {
        id,
        name,
        properties,
        policy: None,
        apis: Vec::new(),
        origin: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers() {
        let consumption = Tier::of("Consumption");
        assert_eq!(
            (consumption.load_metric, consumption.tenant_access),
            (None, false)
        );
        let v2 = Tier::of("StandardV2");
        assert_eq!(
            (v2.load_metric, v2.workspaces, v2.self_hosted_gateways),
            (Some("CpuPercent_Gateway"), false, false)
        );
        assert!(Tier::of("PremiumV2").workspaces);
        let premium = Tier::of("Premium");
        assert!(premium.workspaces && premium.self_hosted_gateways && premium.tenant_access);
        let standard = Tier::of("Standard");
        assert_eq!(
            (standard.load_metric, standard.self_hosted_gateways),
            (Some("Capacity"), false)
        );
        assert!(Tier::of("Developer").self_hosted_gateways);
    }
}
