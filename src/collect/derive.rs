//! The collector's verdicts per API: `auth`, `exposure.external` and `defender`.
//!
//! - **auth**: every path a call can take is composed (global → workspace → product →
//!   API → operation) and read by [`policy_xml`]. Product policies only run for calls
//!   made with that product's key, so they count only when the API requires a key;
//!   keyless calls take the chain without a product. A scope whose policy (or whose
//!   operation list) could not be read makes its chains uncertain, hence `unknown`.
//! - **exposure.external**: false only when the managed gateway is internal
//!   (`virtualNetworkType: Internal`) or public network access is disabled, and the API is
//!   served by nothing else. Self-hosted gateways and workspace gateways can sit
//!   anywhere, so their APIs count as external (fail closed).
//! - **defender**: Defender for APIs covers REST APIs on the managed gateway of
//!   non-Consumption tiers; the first reason that applies is recorded
//!   (`workspace`, `self-hosted-gateway`, `non-rest`, `consumption-sku`).

use serde_json::Value;

use super::defender::Collections;
use super::gaps::Gaps;
use crate::policy_xml::{
    api_auth, effective_section, Fragments, InboundAuth, ScopePolicy, Section,
};
use crate::snapshot::{Api, ApiDefender, Auth, JsonObject, Policy, Service};

/// Fills `auth`, `exposure.external` and `defender` of every API of `service`.
pub(crate) fn derive_service(
    service: &mut Service,
    fragments: &Fragments,
    collections: &Collections,
    gaps: &Gaps,
) {
    let internal = managed_gateway_is_internal(&service.properties);
    let consumption = service.sku.name.eq_ignore_ascii_case("Consumption");
    let mut apis = std::mem::take(&mut service.apis);
    for api in apis.iter_mut() {
        api.auth = derive_auth(service, api, fragments, gaps);
        let self_hosted = api.exposure.gateways.iter().any(|g| g != "managed");
        api.exposure.external = api.exposure.workspace.is_some() || self_hosted || !internal;
        // Collections are keyed by service and API name; workspace APIs cannot have one
        // (a service-level API of the same name may).
        let collection = match api.exposure.workspace {
            Some(_) => None,
            None => collections.get(&service.id, &api.name),
        };
        api.defender = derive_defender(api, self_hosted, consumption, collection);
    }
    service.apis = apis;
}

/// Whether the managed gateway is unreachable from the internet.
pub fn managed_gateway_is_internal(properties: &JsonObject) -> bool {
    let is = |key: &str, value: &str| {
        properties
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|v| v.eq_ignore_ascii_case(value))
    };
    is("virtualNetworkType", "Internal") || is("publicNetworkAccess", "Disabled")
}

fn derive_auth(service: &Service, api: &Api, fragments: &Fragments, gaps: &Gaps) -> Auth {
    let workspace = api
        .exposure
        .workspace
        .as_ref()
        .and_then(|name| service.workspaces.iter().find(|w| &w.name == name));
    let products: Vec<(String, String, Option<&Policy>)> = if api.subscription_required {
        service
            .products
            .iter()
            .filter(|p| api.products.contains(&p.name))
            .map(|p| {
                (
                    format!("product {}", p.name),
                    p.id.clone(),
                    p.policy.as_ref(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let operations: Vec<(String, String, Option<&Policy>)> = api
        .operations
        .iter()
        .map(|o| {
            (
                format!("operation {}", o.name),
                format!("{}/operations/{}", api.id, o.name),
                o.policy.as_ref(),
            )
        })
        .collect();

    let api_label = format!("API {}", api.name);
    let mut chains = Vec::new();
    for product in option_each(&products) {
        for operation in option_each(&operations) {
            let mut links: Vec<(&str, &str, Option<&Policy>)> =
                vec![("global", &service.id, service.policy.as_ref())];
            if let Some(w) = workspace {
                links.push(("workspace", &w.id, w.policy.as_ref()));
            }
            if let Some((label, id, policy)) = product {
                links.push((label, id, *policy));
            }
            links.push((&api_label, &api.id, api.policy.as_ref()));
            if let Some((label, id, policy)) = operation {
                links.push((label, id, *policy));
            }
            let chain: Vec<ScopePolicy<'_>> = links
                .iter()
                .map(|(scope, _, policy)| ScopePolicy {
                    scope,
                    policy: *policy,
                })
                .collect();
            let mut section = effective_section(&chain, Section::Inbound, fragments);
            for (scope, id, _) in &links {
                if gaps.has(id, "policy") {
                    section
                        .uncertain
                        .push(format!("the {scope} policy could not be read"));
                }
            }
            if gaps.has(&api.id, "operations") {
                section
                    .uncertain
                    .push("the operations could not be read".to_string());
            }
            chains.push(InboundAuth::inspect(&section));
        }
    }
    api_auth(api.subscription_required, &chains)
}

/// Each item as `Some`, or a single `None` when there are none (a chain without that scope).
fn option_each<T>(items: &[T]) -> Vec<Option<&T>> {
    if items.is_empty() {
        vec![None]
    } else {
        items.iter().map(Some).collect()
    }
}

fn derive_defender(
    api: &Api,
    self_hosted: bool,
    consumption: bool,
    collection: Option<&JsonObject>,
) -> ApiDefender {
    let ineligible_reason = if api.exposure.workspace.is_some() {
        Some("workspace")
    } else if self_hosted {
        Some("self-hosted-gateway")
    } else if !api.api_type.eq_ignore_ascii_case("http") {
        Some("non-rest")
    } else if consumption {
        Some("consumption-sku")
    } else {
        None
    };
    let count = |key: &str| collection.and_then(|c| c.get(key)).and_then(Value::as_u64);
    // A collection still being created, or whose onboarding failed, does not protect yet.
    let onboarded = collection.is_some_and(|c| {
        c.get("provisioningState")
            .and_then(Value::as_str)
            .is_none_or(|state| state.eq_ignore_ascii_case("Succeeded"))
    });
    ApiDefender {
        eligible: ineligible_reason.is_none(),
        ineligible_reason: ineligible_reason.map(str::to_string),
        onboarded,
        collection: collection.cloned(),
        unauthenticated_endpoints: count("numberOfUnauthenticatedApiEndpoints"),
        external_endpoints: count("numberOfExternalApiEndpoints"),
        inactive_endpoints: count("numberOfInactiveApiEndpoints"),
        sensitive_endpoints: count("numberOfApiEndpointsWithSensitiveDataExposed"),
        sensitivity_label: collection
            .and_then(|c| c.get("sensitivityLabel"))
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn internal_vnet_or_disabled_public_access_hides_the_managed_gateway() {
        let props = |v: Value| v.as_object().cloned().unwrap();
        assert!(managed_gateway_is_internal(&props(
            json!({"virtualNetworkType": "Internal"})
        )));
        assert!(managed_gateway_is_internal(&props(
            json!({"virtualNetworkType": "External", "publicNetworkAccess": "disabled"})
        )));
        assert!(!managed_gateway_is_internal(&props(
            json!({"virtualNetworkType": "External", "publicNetworkAccess": "Enabled"})
        )));
        assert!(!managed_gateway_is_internal(&props(json!({}))));
    }
}
