//! Deterministic synthetic estates, for benchmarks and scale tests.
//!
//! `estate(n, seed)` builds a schema-v1 snapshot of `n` APIs spread over services
//! and subscriptions the way large enterprises lay them out (about 4 services per
//! subscription, 100–500 APIs per service), with every field the built-in rules
//! read and a realistic mix of policies, products, backends, secrets and Defender
//! states. The same `n` and `seed` always give the same snapshot.

use serde_json::{json, Map, Value};

use crate::snapshot::{
    Alert, Api, ApiDefender, Auth, AuthVerdict, DefenderCspm, DefenderPlan, Exposure, Gateway,
    Logging, Operation, Policy, PolicyElement, Product, Recommendation, Resource, Service, Sku,
    Snapshot, Source, SourceKind, Subscription, TenantAccess, Workspace, SCHEMA_MINOR,
    SCHEMA_VERSION,
};

/// A tiny deterministic generator (SplitMix64); no need for cryptographic quality.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// APIs per service for an estate of `apis` APIs (100 at 1k, 250 at 10k, 500 at 100k).
fn apis_per_service(apis: usize) -> usize {
    match apis {
        0..=2_000 => 100,
        2_001..=20_000 => 250,
        _ => 500,
    }
}

/// Builds a synthetic estate of `apis` APIs.
pub fn estate(apis: usize, seed: u64) -> Snapshot {
    let mut rng = Rng(seed);
    let per_service = apis_per_service(apis);
    let services = apis.div_ceil(per_service).max(1);
    let mut subscriptions: Vec<Subscription> = Vec::new();
    let mut remaining = apis;
    for s in 0..services {
        if s % 4 == 0 {
            subscriptions.push(subscription(subscriptions.len(), &mut rng));
        }
        let count = remaining.min(per_service);
        remaining -= count;
        let sub = subscriptions.last_mut().expect("pushed above");
        let svc = service(&sub.subscription_id, s, count, &mut rng);
        sub.alerts.extend(alerts_for(&svc, &mut rng));
        sub.recommendations
            .extend(recommendations_for(&svc, &mut rng));
        sub.services.push(svc);
    }
    let mut snapshot = Snapshot {
        schema_version: SCHEMA_VERSION,
        schema_minor: SCHEMA_MINOR,
        schema_features: crate::snapshot::written_features(),
        collected_at: "2026-11-26T02:00:00Z".into(),
        source: Source {
            kind: SourceKind::Fixture,
            cloud: Some("AzureCloud".into()),
            tenant_id: Some("00000000-0000-0000-0000-0000000000aa".into()),
            unavailable: Vec::new(),
            extra: Map::new(),
        },
        complete: true,
        gaps: Vec::new(),
        subscriptions,
        unknowns: Vec::new(),
        incremental: None,
        shard: None,
    };
    for svc in snapshot
        .subscriptions
        .iter_mut()
        .flat_map(|s| &mut s.services)
    {
        crate::collect::call_paths::fill(svc);
    }
    // As the collector writes it: secrets redacted, credentials listed where they were.
    crate::redact::snapshot(&mut snapshot);
    snapshot
}

fn subscription(index: usize, rng: &mut Rng) -> Subscription {
    let enabled = rng.chance(75);
    Subscription {
        subscription_id: format!("00000000-0000-0000-0000-{:012}", index + 1),
        display_name: format!("sub-{index:03}"),
        defender_for_apis: Some(DefenderPlan {
            enabled,
            pricing_tier: Some(if enabled { "Standard" } else { "Free" }.into()),
            sub_plan: enabled.then(|| "P1".into()),
            origin: None,
        }),
        defender_cspm: Some(DefenderCspm {
            enabled: true,
            pricing_tier: Some("Standard".into()),
            api_posture: index % 4 != 1,
            origin: None,
        }),
        services: Vec::new(),
        recommendations: Vec::new(),
        alerts: Vec::new(),
        azure_exemptions: Some(Vec::new()),
    }
}

fn service(subscription_id: &str, index: usize, api_count: usize, rng: &mut Rng) -> Service {
    let name = format!("apim-{index:04}");
    let id = format!("/subscriptions/{subscription_id}/resourceGroups/rg-apim-{index:04}/providers/Microsoft.ApiManagement/service/{name}");
    let sku = [
        "Premium",
        "Standard",
        "Developer",
        "Basic",
        "StandardV2",
        "Consumption",
    ][rng.below(6) as usize];
    let vnet = ["None", "External", "Internal"][rng.below(3) as usize];
    let tls_legacy = rng.chance(20);
    let expiry_days = rng.below(400) as i64 - 30;
    let expiry = chrono::DateTime::parse_from_rfc3339("2026-11-26T02:00:00Z").expect("valid")
        + chrono::Duration::days(expiry_days);
    let properties = json!({
        "publisherEmail": "apis@contoso.com",
        "publisherName": "Contoso",
        "provisioningState": "Succeeded",
        "gatewayUrl": format!("https://{name}.azure-api.net"),
        "platformVersion": if rng.chance(10) { "stv1" } else { "stv2" },
        "virtualNetworkType": vnet,
        "publicNetworkAccess": if rng.chance(70) { "Enabled" } else { "Disabled" },
        "disableGateway": false,
        "apiVersionConstraint": if rng.chance(50) { json!({"minApiVersion": "2021-08-01"}) } else { json!({}) },
        "hostnameConfigurations": [
            {"type": "Proxy", "hostName": format!("{name}.azure-api.net"), "certificateSource": "BuiltIn", "defaultSslBinding": false, "negotiateClientCertificate": false},
            {"type": "Proxy", "hostName": format!("api{index}.contoso.com"), "certificateSource": "KeyVault",
             "keyVaultId": format!("https://kv-{index}.vault.azure.net/secrets/tls"), "defaultSslBinding": true, "negotiateClientCertificate": false,
             "certificate": {"expiry": expiry.to_rfc3339(), "thumbprint": format!("{:040X}", rng.next()), "subject": format!("CN=api{index}.contoso.com")}}
        ],
        "customProperties": {
            "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": tls_legacy.to_string(),
            "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11": tls_legacy.to_string(),
            "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls10": "false",
            "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls11": tls_legacy.to_string(),
            "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Ssl30": "false",
            "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TripleDes168": rng.chance(10).to_string(),
            "Microsoft.WindowsAzure.ApiManagement.Gateway.Protocols.Server.Http2": "true"
        },
        "zones": if rng.chance(30) { json!(["1", "2"]) } else { json!([]) },
        "additionalLocations": []
    });
    let gateway_name = rng.chance(20).then(|| format!("shgw-{index}"));
    let workspace_name = rng.chance(20).then(|| format!("team-{index}"));
    let products = products_for(&id, api_count, rng);
    let mut apis: Vec<Api> = (0..api_count)
        .map(|a| {
            api(
                &id,
                sku,
                vnet,
                a,
                &products,
                gateway_name.as_deref(),
                workspace_name.as_deref(),
                rng,
            )
        })
        .collect();
    apis.sort_by(|x, y| x.name.cmp(&y.name));
    let gateways = gateway_name
        .map(|g| Gateway {
            id: format!("{id}/gateways/{g}"),
            name: g.clone(),
            properties: obj(
                json!({"locationData": {"name": "on-prem"}, "description": "self-hosted"}),
            ),
            apis: apis
                .iter()
                .filter(|a| a.exposure.gateways.contains(&g))
                .map(|a| a.name.clone())
                .collect(),
            origin: None,
        })
        .into_iter()
        .collect();
    let workspaces = workspace_name
        .map(|w| Workspace {
            id: format!("{id}/workspaces/{w}"),
            name: w.clone(),
            properties: obj(json!({"displayName": w, "description": "team workspace"})),
            policy: None,
            apis: apis
                .iter()
                .filter(|a| a.exposure.workspace.as_deref() == Some(w.as_str()))
                .map(|a| a.name.clone())
                .collect(),
            origin: None,
        })
        .into_iter()
        .collect();
    Service {
        id: id.clone(),
        name,
        resource_group: format!("rg-apim-{index:04}"),
        location: "westeurope".into(),
        sku: Sku {
            name: sku.into(),
            capacity: Some(1 + rng.below(3) as u32),
        },
        properties: obj(properties),
        identity: rng.chance(60).then(|| json!({"type": "SystemAssigned", "principalId": "11111111-1111-1111-1111-111111111111"})),
        zones: Vec::new(),
        policy: Some(global_policy(rng)),
        capacity_percent: Some(rng.below(100) as f64),
        tenant_access: Some(TenantAccess { enabled: rng.chance(15) }),
        git_access: Some(TenantAccess {
            enabled: index % 10 == 3,
        }),
        logging: Some(logging(&id, index)),
        products,
        apim_subscriptions: subscriptions_for(&id, api_count, rng),
        backends: backends_for(&id, api_count, rng),
        named_values: named_values_for(&id, rng),
        gateways,
        workspaces,
        apis,
        effective_policies: Default::default(),
        credentials_in_urls: Vec::new(),
        credential_named_values: Vec::new(),
        origin: None,
    }
}

fn products_for(service_id: &str, api_count: usize, rng: &mut Rng) -> Vec<Product> {
    let count = (api_count / 10).max(2);
    (0..count)
        .map(|p| {
            let name = match p {
                0 => "starter".to_string(),
                1 => "unlimited".to_string(),
                _ => format!("product-{p:03}"),
            };
            let first = rng.below(api_count as u64) as usize;
            let size = 8 + rng.below(17) as usize;
            Product {
                id: format!("{service_id}/products/{name}"),
                name: name.clone(),
                properties: obj(json!({
                    "displayName": name,
                    "description": "Synthetic product",
                    "subscriptionRequired": !rng.chance(10),
                    "approvalRequired": rng.chance(50),
                    "state": "published",
                    "terms": ""
                })),
                policy: rng.chance(30).then(|| product_policy(rng)),
                apis: (first..first + size)
                    .map(|i| api_name(i % api_count.max(1)))
                    .collect(),
                groups: Some(groups_for(&format!("{service_id}/products/{name}"), p)),
                origin: None,
            }
        })
        .collect()
}

/// The groups of a product (the built-in developers group; guests on every seventh
/// product), without drawing from the generator, so the rest of the estate stays as it was.
fn groups_for(product_id: &str, index: usize) -> Vec<Resource> {
    let group = |name: &str, display: &str| Resource {
        id: format!("{product_id}/groups/{name}"),
        name: name.to_string(),
        properties: obj(json!({"displayName": display, "builtIn": true, "type": "system"})),
        origin: None,
    };
    let mut groups = vec![group("developers", "Developers")];
    if index % 7 == 5 {
        groups.push(group("guests", "Guests"));
    }
    groups
}

/// The logging of a service: gateway logs to a workspace and an Application Insights
/// diagnostic (on every ninth service without its setting; with request headers logged
/// on every eleventh), without drawing from the generator.
fn logging(service_id: &str, index: usize) -> Logging {
    let workspace = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/logs";
    let settings = if index % 9 == 4 {
        Vec::new()
    } else {
        vec![Resource {
            id: format!("{service_id}/providers/Microsoft.Insights/diagnosticSettings/to-logs"),
            name: "to-logs".into(),
            properties: obj(json!({
                "workspaceId": workspace,
                "logs": [{"categoryGroup": "allLogs", "enabled": true}]
            })),
            origin: None,
        }]
    };
    let headers: Vec<&str> = if index % 11 == 6 {
        vec!["Authorization"]
    } else {
        Vec::new()
    };
    let logger = format!("{service_id}/loggers/appinsights");
    Logging {
        diagnostic_settings: Some(settings),
        diagnostics: Some(vec![Resource {
            id: format!("{service_id}/diagnostics/applicationinsights"),
            name: "applicationinsights".into(),
            properties: obj(json!({
                "loggerId": logger,
                "verbosity": "information",
                "frontend": {"request": {"headers": headers, "body": {"bytes": 0}}}
            })),
            origin: None,
        }]),
        loggers: Some(vec![Resource {
            id: logger,
            name: "appinsights".into(),
            properties: obj(json!({"loggerType": "applicationInsights", "isBuffered": true})),
            origin: None,
        }]),
    }
}

fn api_name(index: usize) -> String {
    format!("api-{index:05}")
}

#[allow(clippy::too_many_arguments)]
fn api(
    service_id: &str,
    sku: &str,
    vnet: &str,
    index: usize,
    products: &[Product],
    gateway: Option<&str>,
    workspace: Option<&str>,
    rng: &mut Rng,
) -> Api {
    let name = api_name(index);
    let api_type = if rng.chance(92) {
        "http"
    } else {
        ["soap", "graphql", "websocket"][rng.below(3) as usize]
    };
    let protocols: Vec<String> = if rng.chance(12) {
        vec!["http".into(), "https".into()]
    } else {
        vec!["https".into()]
    };
    let subscription_required = rng.chance(70);
    let jwt = rng.chance(30);
    let choose = rng.chance(5);
    let effective = if choose {
        AuthVerdict::Unknown
    } else if subscription_required || jwt {
        AuthVerdict::Authenticated
    } else {
        AuthVerdict::Unauthenticated
    };
    let on_gateway = gateway.filter(|_| rng.chance(30));
    let in_workspace = workspace.filter(|_| on_gateway.is_none() && rng.chance(30));
    let ineligible = if api_type != "http" {
        Some("non-rest")
    } else if sku == "Consumption" {
        Some("consumption-sku")
    } else if on_gateway.is_some() {
        Some("self-hosted-gateway")
    } else if in_workspace.is_some() {
        Some("workspace")
    } else {
        None
    };
    let onboarded = ineligible.is_none() && rng.chance(60);
    let service_url = if rng.chance(10) {
        format!("http://backend-{index}.contoso.internal/api")
    } else {
        format!("https://backend-{index}.contoso.com/api")
    };
    let mut gateways = vec!["managed".to_string()];
    if let Some(g) = on_gateway {
        gateways.push(g.to_string());
    }
    let member_of: Vec<String> = products
        .iter()
        .filter(|p| p.apis.contains(&name))
        .map(|p| p.name.clone())
        .collect();
    let operations = (0..3 + rng.below(4) as usize)
        .map(|o| Operation {
            name: format!("op-{o}"),
            method: if rng.chance(3) {
                "*".into()
            } else {
                ["GET", "POST", "PUT", "DELETE"][o % 4].into()
            },
            url_template: if rng.chance(3) {
                "/*".into()
            } else {
                format!("/items/{{id}}/part{o}")
            },
            policy: rng.chance(10).then(|| operation_policy(rng)),
            origin: None,
        })
        .collect();
    let policy = api_policy(rng);
    let counters = onboarded.then(|| (rng.below(3), rng.below(4), rng.below(3), rng.below(2)));
    // About a fifth of the APIs are versions in a version set of five consecutive APIs.
    let version_set = (index % 25 < 5).then(|| {
        (
            format!("{service_id}/apiVersionSets/set-{:05}", index / 25),
            format!("v{}", index % 25 + 1),
        )
    });
    let is_current = !rng.chance(1);
    let discovered_via = if rng.chance(2) {
        format!("{service_id}-old")
    } else {
        service_id.to_string()
    };
    let mut properties = obj(json!({
        "displayName": format!("API {index}"),
        "description": if rng.chance(80) { "Synthetic API" } else { "" },
        "serviceUrl": service_url,
        "path": format!("svc/{name}"),
        "protocols": protocols,
        "subscriptionRequired": subscription_required,
        "apiRevision": "1",
        "isCurrent": is_current,
        "type": api_type,
        "isOnline": !rng.chance(10)
    }));
    if let Some((set, version)) = version_set {
        properties.insert("apiVersionSetId".into(), json!(set));
        properties.insert("apiVersion".into(), json!(version));
    }
    Api {
        id: format!("{service_id}/apis/{name}"),
        name: name.clone(),
        display_name: format!("API {index}"),
        path: format!("svc/{name}"),
        protocols: protocols.clone(),
        api_type: api_type.into(),
        is_current,
        subscription_required,
        properties,
        policy,
        operations,
        products: member_of,
        auth: Auth {
            subscription_key: subscription_required,
            jwt_validation: jwt,
            client_certificate: false,
            authorization_header_check: false,
            ip_filter: rng.chance(5),
            effective,
            open_paths: Vec::new(),
        },
        exposure: Exposure {
            external: vnet != "Internal" && in_workspace.is_none(),
            gateways,
            workspace: in_workspace.map(str::to_string),
        },
        defender: ApiDefender {
            eligible: ineligible.is_none(),
            ineligible_reason: ineligible.map(str::to_string),
            onboarded,
            collection: onboarded.then(|| {
                obj(json!({
                    "provisioningState": "Succeeded",
                    "displayName": format!("API {index}"),
                    "discoveredVia": discovered_via,
                    "numberOfApiEndpoints": 3 + rng.below(10)
                }))
            }),
            unauthenticated_endpoints: counters.map(|c| c.0),
            external_endpoints: counters.map(|c| c.1),
            inactive_endpoints: counters.map(|c| c.2),
            sensitive_endpoints: counters.map(|c| c.3),
            sensitivity_label: counters.and_then(|c| (c.3 > 0).then(|| "Confidential".to_string())),
        },
        call_paths: Vec::new(),
        origin: None,
    }
}

fn element(name: &str, attributes: &[(&str, &str)]) -> PolicyElement {
    PolicyElement {
        name: name.into(),
        attributes: attributes
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect(),
        children: Vec::new(),
        text: None,
    }
}

/// An element with children.
fn parent(name: &str, attributes: &[(&str, &str)], children: Vec<PolicyElement>) -> PolicyElement {
    PolicyElement {
        children,
        ..element(name, attributes)
    }
}

/// An element with text content.
fn text(name: &str, value: &str) -> PolicyElement {
    PolicyElement {
        text: Some(value.into()),
        ..element(name, &[])
    }
}

/// A policy document: `inbound` holds `<base />` (unless `with_base` is false) and then
/// `elements`; the other sections hold `<base />`.
fn document(elements: Vec<PolicyElement>, with_base: bool) -> Policy {
    let base = || vec![element("base", &[])];
    let mut inbound = if with_base { base() } else { Vec::new() };
    inbound.extend(elements);
    Policy {
        inbound: Some(inbound),
        backend: Some(base()),
        outbound: Some(base()),
        on_error: Some(base()),
        fragments: Vec::new(),
        literal_credentials: Vec::new(),
    }
}

/// The API-level policy mix: most APIs have none or one common control, some carry the
/// patterns the policy rules look for (wildcard CORS, deny-list IP filters, detect-mode
/// validation, literal secrets, request-controlled routing, weak certificate checks).
fn api_policy(rng: &mut Rng) -> Option<Policy> {
    let roll = rng.below(100);
    let elements = match roll {
        0..=39 => return None,
        40..=49 => {
            let origin = if rng.chance(15) { "*" } else { "https://app.contoso.com" };
            vec![parent(
                "cors",
                &[("allow-credentials", "false")],
                vec![
                    parent("allowed-origins", &[], vec![text("origin", origin)]),
                    parent("allowed-methods", &[], vec![text("method", "GET"), text("method", "POST")]),
                ],
            )]
        }
        50..=64 => vec![parent(
            "validate-jwt",
            &[("header-name", "Authorization"), ("failed-validation-httpcode", "401")],
            vec![
                element("openid-config", &[("url", "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration")]),
                parent("required-claims", &[], vec![parent("claim", &[("name", "roles"), ("match", "any")], vec![text("value", "Orders.Read")])]),
            ],
        )],
        65..=74 => vec![element(
            "rate-limit-by-key",
            &[("calls", "10"), ("renewal-period", "60"), ("counter-key", "@(context.Request.IpAddress)")],
        )],
        75..=82 => {
            let url = if rng.chance(20) {
                "@(context.Request.Headers.GetValueOrDefault(\"X-Backend\", \"https://backend.contoso.com\"))"
            } else {
                "https://backend.contoso.com"
            };
            vec![element("set-backend-service", &[("base-url", url)])]
        }
        83..=87 => {
            let action = if rng.chance(30) { "forbid" } else { "allow" };
            vec![parent(
                "ip-filter",
                &[("action", action)],
                vec![element("address-range", &[("from", "10.0.0.0"), ("to", "10.255.255.255")])],
            )]
        }
        88..=92 => {
            let mode = if rng.chance(40) { "detect" } else { "prevent" };
            vec![parent(
                "validate-content",
                &[("unspecified-content-type-action", mode), ("max-size", "102400"), ("max-size-exceeded-action", "prevent")],
                vec![element("content", &[("type", "application/json"), ("validate-as", "json"), ("action", mode)])],
            )]
        }
        93..=95 => {
            let value = if rng.chance(30) { "Basic PLACEHOLDER-NOT-A-REAL-SECRET" } else { "{{backend-credential}}" };
            vec![parent(
                "set-header",
                &[("name", "Authorization"), ("exists-action", "override")],
                vec![text("value", value)],
            )]
        }
        96..=97 => {
            let url = if rng.chance(50) { "@(context.Request.Url.Query.GetValueOrDefault(\"target\", \"\"))" } else { "https://audit.contoso.com/log" };
            vec![parent(
                "choose",
                &[],
                vec![parent(
                    "when",
                    &[("condition", "@(context.Request.Method == \"POST\")")],
                    vec![parent(
                        "send-one-way-request",
                        &[("mode", "new")],
                        vec![text("set-url", url), text("set-method", "POST")],
                    )],
                )],
            )]
        }
        _ => {
            let revocation = if rng.chance(50) { "false" } else { "true" };
            vec![parent(
                "validate-client-certificate",
                &[("validate-revocation", revocation), ("validate-trust", "true")],
                vec![parent("identities", &[], vec![element("identity", &[("issuer-thumbprint", "4E8234312EC69245D1AE296C4882D46FB84076A3")])])],
            )]
        }
    };
    let mut policy = document(elements, !rng.chance(3));
    if rng.chance(3) {
        policy.outbound = None;
    }
    if rng.chance(2) {
        policy.fragments.push("common-logging".into());
    }
    Some(policy)
}

/// An operation-level policy: a header, a parameter validation, or a local rate limit.
fn operation_policy(rng: &mut Rng) -> Policy {
    let elements = match rng.below(3) {
        0 => vec![element(
            "set-header",
            &[("name", "X-Trace"), ("exists-action", "override")],
        )],
        1 => {
            let mode = if rng.chance(30) { "detect" } else { "prevent" };
            vec![element(
                "validate-parameters",
                &[
                    ("specified-parameter-action", mode),
                    ("unspecified-parameter-action", "prevent"),
                ],
            )]
        }
        _ => vec![element(
            "rate-limit",
            &[("calls", "5"), ("renewal-period", "60")],
        )],
    };
    document(elements, !rng.chance(5))
}

/// A product policy: a rate limit or a quota, sometimes without `<base />`.
fn product_policy(rng: &mut Rng) -> Policy {
    let limit = if rng.chance(50) {
        element("rate-limit", &[("calls", "100"), ("renewal-period", "60")])
    } else {
        element("quota", &[("calls", "10000"), ("renewal-period", "604800")])
    };
    document(vec![limit], !rng.chance(5))
}

fn global_policy(rng: &mut Rng) -> Policy {
    let mut cors = element("cors", &[("allow-credentials", "false")]);
    let origin = if rng.chance(20) {
        "*"
    } else {
        "https://portal.contoso.com"
    };
    let mut origins = element("allowed-origins", &[]);
    origins.children.push(PolicyElement {
        text: Some(origin.into()),
        ..element("origin", &[])
    });
    cors.children.push(origins);
    Policy {
        inbound: Some(vec![cors]),
        backend: Some(vec![element("forward-request", &[])]),
        outbound: Some(Vec::new()),
        on_error: Some(Vec::new()),
        fragments: Vec::new(),
        literal_credentials: Vec::new(),
    }
}

fn subscriptions_for(service_id: &str, api_count: usize, rng: &mut Rng) -> Vec<Resource> {
    (0..(api_count / 5).max(1))
        .map(|i| {
            let scope = match rng.below(20) {
                0 => format!("{service_id}/apis"),
                1 => format!("{service_id}/apis/{}", api_name(rng.below(api_count as u64) as usize)),
                _ => format!("{service_id}/products/product-{:03}", 2 + i % 8),
            };
            Resource {
                id: format!("{service_id}/subscriptions/sub-{i:04}"),
                name: format!("sub-{i:04}"),
                properties: obj(json!({"scope": scope, "displayName": format!("Subscription {i}"), "state": "active", "allowTracing": rng.chance(10)})),
                origin: None,
            }
        })
        .collect()
}

fn backends_for(service_id: &str, api_count: usize, rng: &mut Rng) -> Vec<Resource> {
    (0..(api_count / 5).max(1))
        .map(|i| {
            let scheme = if rng.chance(10) { "http" } else { "https" };
            let validate = !rng.chance(10);
            let credentials = if rng.chance(60) { json!({"header": {"x-api-key": ["{{backend-key}}"]}}) } else { json!({}) };
            Resource {
                id: format!("{service_id}/backends/backend-{i:04}"),
                name: format!("backend-{i:04}"),
                properties: obj(json!({
                    "url": format!("{scheme}://backend-{i}.contoso.com/api"),
                    "protocol": "http",
                    "tls": {"validateCertificateChain": validate, "validateCertificateName": validate},
                    "credentials": credentials
                })),
                origin: None,
            }
        })
        .collect()
}

fn named_values_for(service_id: &str, rng: &mut Rng) -> Vec<Resource> {
    (0..10)
        .map(|i| {
            let secret = i % 2 == 0;
            let in_vault = secret && !rng.chance(20);
            let mut properties =
                json!({"displayName": format!("nv-{i}"), "secret": secret, "tags": []});
            if in_vault {
                let code = if rng.chance(10) { "Failure" } else { "Success" };
                properties["keyVault"] = json!({
                    "secretIdentifier": format!("https://kv.vault.azure.net/secrets/nv-{i}"),
                    "lastStatus": {"code": code, "timeStampUtc": "2026-11-25T02:00:00Z"}
                });
            } else if !secret {
                properties["value"] = json!("plain-setting");
            }
            Resource {
                id: format!("{service_id}/namedValues/nv-{i}"),
                name: format!("nv-{i}"),
                properties: obj(properties),
                origin: None,
            }
        })
        .collect()
}

fn alerts_for(service: &Service, rng: &mut Rng) -> Vec<Alert> {
    let types = [
        "API_AccessFromSuspiciousIP",
        "API_SpikeInAPITraffic",
        "API_AccessFromTorExitNode",
        "API_ParameterEnumeration",
    ];
    (0..rng.below(4))
        .map(|i| {
            let api = &service.apis[rng.below(service.apis.len() as u64) as usize];
            let alert_type = types[rng.below(types.len() as u64) as usize];
            Alert {
                id: format!(
                    "{}/providers/Microsoft.Security/alerts/{}-{i}",
                    service.id, service.name
                ),
                alert_type: alert_type.into(),
                display_name: alert_type.replace('_', " "),
                severity: if alert_type == "API_AccessFromSuspiciousIP" {
                    "High"
                } else {
                    "Medium"
                }
                .into(),
                status: if rng.chance(70) { "Active" } else { "Resolved" }.into(),
                resource_id: api.id.clone(),
                start_time_utc: Some(format!("2026-11-{:02}T10:00:00Z", 1 + rng.below(25))),
            }
        })
        .collect()
}

fn recommendations_for(service: &Service, rng: &mut Rng) -> Vec<Recommendation> {
    service
        .apis
        .iter()
        .filter(|a| a.defender.onboarded)
        .take(3)
        .map(|api| Recommendation {
            id: format!(
                "{}/providers/Microsoft.Security/assessments/91af2040-7874-4659-abf0-578e1f8d07dc",
                api.id
            ),
            name: "91af2040-7874-4659-abf0-578e1f8d07dc".into(),
            display_name: "API endpoints in Azure API Management should be authenticated".into(),
            status: if rng.chance(50) {
                "Unhealthy"
            } else {
                "Healthy"
            }
            .into(),
            status_cause: Some(String::new()),
            severity: "High".into(),
            resource_id: api.id.clone(),
        })
        .collect()
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_estate_and_valid_schema() {
        let a = serde_json::to_string(&estate(1_000, 7)).unwrap();
        let b = serde_json::to_string(&estate(1_000, 7)).unwrap();
        assert_eq!(a, b);
        let parsed = crate::snapshot::load_str("synthetic", &a).unwrap();
        let apis: usize = parsed
            .subscriptions
            .iter()
            .flat_map(|s| &s.services)
            .map(|s| s.apis.len())
            .sum();
        assert_eq!(apis, 1_000);
        assert_eq!(
            parsed
                .subscriptions
                .iter()
                .map(|s| s.services.len())
                .sum::<usize>(),
            10
        );
    }
}
