//! The collector's verdicts per API: `auth`, `exposure.external` and `defender`.
//!
//! - **auth** and **callPaths**: every path a call can take, with its effective policy
//!   (see [`call_paths`]).
//! - **exposure.external**: false only when the managed gateway is internal
//!   (`virtualNetworkType: Internal`) or public network access is disabled, and the API is
//!   served by nothing else. Self-hosted gateways and workspace gateways can sit
//!   anywhere, so their APIs count as external (fail closed).
//! - **defender**: Defender for APIs covers REST APIs on the managed gateway of
//!   non-Consumption tiers; the first reason that applies is recorded
//!   (`workspace`, `self-hosted-gateway`, `non-rest`, `consumption-sku`).

use serde_json::Value;

use super::call_paths;
use super::defender::Collections;
use super::gaps::Gaps;
use crate::policy_xml::Fragments;
use crate::snapshot::{Api, ApiDefender, JsonObject, Service};

/// Fills `auth`, `exposure.external` and `defender` of every API of `service`.
pub(crate) fn derive_service(
    service: &mut Service,
    fragments: &Fragments,
    collections: &Collections,
    gaps: &Gaps,
) {
    let mut apis = std::mem::take(&mut service.apis);
    let mut table = call_paths::PolicyTable::default();
    for api in apis.iter_mut() {
        (api.auth, api.call_paths) = call_paths::derive(service, api, fragments, gaps, &mut table);
    }
    service.apis = apis;
    service.effective_policies = table.into_policies();
    derive_posture(service, collections);
}

/// Fills `exposure.external` and `defender` of every API of `service`: what depends on
/// the service's settings and Defender's collections, not on its policies (all that a
/// service carried over by `collect --since` needs worked out again).
pub(crate) fn derive_posture(service: &mut Service, collections: &Collections) {
    let internal = managed_gateway_is_internal(&service.properties);
    let consumption = service.sku.name.eq_ignore_ascii_case("Consumption");
    for api in service.apis.iter_mut() {
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
    } else if !api.api_type.eq_ignore_ascii_case("http")
        // A type the files leave open is not known to be non-REST.
        && !api.api_type.contains(crate::snapshot::UNKNOWN_PREFIX)
    {
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
