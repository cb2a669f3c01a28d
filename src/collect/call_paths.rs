//! The call paths of an API and the effective policy on each (`api.callPaths`), and
//! the authentication verdict over them (`api.auth`).
//!
//! A call reaches an API along one of these paths (Microsoft, "Subscriptions in Azure
//! API Management"):
//!
//! - **through a product** that holds the API: with that product's subscription key, or
//!   without any key when the product does not require a subscription (an *open*
//!   product: its APIs can be called without a key even when the API itself requires
//!   one). The product's policy runs.
//! - **on the API's own scope**: no product policy runs. Calls take it without a key
//!   when the API requires none, or with a key scoped to the API or to all APIs (an
//!   active subscription of that scope exists, or the API is in no product).
//!
//! Each path's policy is composed global → workspace → product → API → operation
//! ([`effective_section`]); a scope whose policy (or whose operation list) could not be
//! read makes the path uncertain. The API is authenticated only when every path is.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::gaps::Gaps;
use crate::policy_xml::{
    api_auth, effective_section, Fragments, InboundAuth, PathAuth, Placed, ScopePolicy, Section,
};
use crate::snapshot::{
    Api, Auth, CallPath, EffectiveElement, EffectivePolicy, OperationPath, Policy, PolicyElement,
    PolicyScope, Service,
};

/// One scope of a chain: its kind, label, ARM id and policy.
#[derive(Clone, Copy)]
struct Link<'a> {
    kind: PolicyScope,
    label: &'a str,
    id: &'a str,
    policy: Option<&'a Policy>,
}

/// One path before composition: the product (if any) and whether a key is required.
struct Route<'a> {
    product: Option<(&'a str, Link<'a>)>,
    subscription_required: Option<bool>,
}

/// The call paths of `api` with their effective policies, and the API's `auth`.
pub(super) fn derive(
    service: &Service,
    api: &Api,
    fragments: &Fragments,
    gaps: &Gaps,
    table: &mut PolicyTable,
) -> (Auth, Vec<CallPath>) {
    let labels = Labels::of(service, api);
    let mut head = vec![Link {
        kind: PolicyScope::Global,
        label: "global",
        id: &service.id,
        policy: service.policy.as_ref(),
    }];
    if let Some(w) = api
        .exposure
        .workspace
        .as_ref()
        .and_then(|name| service.workspaces.iter().find(|w| &w.name == name))
    {
        head.push(Link {
            kind: PolicyScope::Workspace,
            label: "workspace",
            id: &w.id,
            policy: w.policy.as_ref(),
        });
    }
    let api_link = Link {
        kind: PolicyScope::Api,
        label: &labels.api,
        id: &api.id,
        policy: api.policy.as_ref(),
    };
    let operations: Vec<(&str, Link<'_>)> = api
        .operations
        .iter()
        .zip(&labels.operations)
        .filter_map(|(o, (label, id))| {
            o.policy.as_ref().map(|policy| {
                let link = Link {
                    kind: PolicyScope::Operation,
                    label,
                    id,
                    policy: Some(policy),
                };
                (o.name.as_str(), link)
            })
        })
        .collect();
    // Operations without a policy of their own run the API's chain (so does an API
    // without operations).
    let api_chain_runs = operations.len() < api.operations.len() || api.operations.is_empty();

    let unreadable = Unreadable {
        gaps,
        operations: gaps.has(&api.id, "operations"),
    };
    let mut auths = Vec::new();
    let mut paths = Vec::new();
    for route in routes(service, api, &labels) {
        let mut chain = head.clone();
        chain.extend(route.product.map(|(_, link)| link));
        chain.push(api_link);
        let mut uncertain = BTreeSet::new();
        let mut chains = Vec::new();
        let composed = compose(&chain, fragments, &unreadable, &mut uncertain);
        let policy = table.id(composed.policy);
        if api_chain_runs {
            chains.push(composed.auth);
        }
        let mut operation_paths = Vec::new();
        for (name, link) in &operations {
            let mut with_operation = chain.clone();
            with_operation.push(*link);
            let mut operation = compose(&with_operation, fragments, &unreadable, &mut uncertain);
            operation.auth.at = Some(format!("operation \"{name}\""));
            chains.push(operation.auth);
            operation_paths.push(OperationPath {
                operation: (*name).to_string(),
                policy: table.id(operation.policy),
            });
        }
        let path = PathAuth {
            label: String::new(),
            subscription_required: route.subscription_required,
            chains,
        };
        let mut call_path = CallPath {
            product: route.product.map(|(name, _)| name.to_string()),
            subscription_required: route.subscription_required,
            auth: path.verdict(),
            policy,
            operations: operation_paths,
            uncertain: uncertain.into_iter().collect(),
        };
        auths.push(PathAuth {
            label: call_path.label(),
            ..path
        });
        call_path.uncertain.shrink_to_fit();
        paths.push(call_path);
    }
    (api_auth(&auths), paths)
}

/// The distinct effective policies of a service, each with its id (`e1`, `e2`, … in
/// order of first use).
#[derive(Default)]
pub(super) struct PolicyTable {
    ids: HashMap<String, String>,
    policies: BTreeMap<String, EffectivePolicy>,
}

impl PolicyTable {
    /// The id of `policy`, added if it is new.
    fn id(&mut self, policy: EffectivePolicy) -> String {
        let key = serde_json::to_string(&policy).expect("an effective policy serializes");
        if let Some(id) = self.ids.get(&key) {
            return id.clone();
        }
        let id = format!("e{}", self.ids.len() + 1);
        self.ids.insert(key, id.clone());
        self.policies.insert(id.clone(), policy);
        id
    }

    /// The service's `effectivePolicies`.
    pub(super) fn into_policies(self) -> BTreeMap<String, EffectivePolicy> {
        self.policies
    }
}

/// Labels and ids of the API's scopes, made once per API.
struct Labels {
    api: String,
    /// Per operation: its label and ARM id.
    operations: Vec<(String, String)>,
    /// Per product of the service: its label.
    products: Vec<String>,
}

impl Labels {
    fn of(service: &Service, api: &Api) -> Self {
        Labels {
            api: format!("API {}", api.name),
            operations: api
                .operations
                .iter()
                .map(|o| {
                    (
                        format!("operation {}", o.name),
                        format!("{}/operations/{}", api.id, o.name),
                    )
                })
                .collect(),
            products: service
                .products
                .iter()
                .map(|p| format!("product {}", p.name))
                .collect(),
        }
    }
}

/// The paths a call to `api` can take: its products in the API's order (a product the
/// service does not list is left out), then its own scope.
fn routes<'a>(service: &'a Service, api: &Api, labels: &'a Labels) -> Vec<Route<'a>> {
    let mut routes: Vec<Route<'a>> = api
        .products
        .iter()
        .filter_map(|name| service.products.iter().position(|p| &p.name == name))
        .map(|at| {
            let p = &service.products[at];
            Route {
                product: Some((
                    p.name.as_str(),
                    Link {
                        kind: PolicyScope::Product,
                        label: &labels.products[at],
                        id: &p.id,
                        policy: p.policy.as_ref(),
                    },
                )),
                subscription_required: product_requires_key(&p.properties),
            }
        })
        .collect();
    if !api.subscription_required || routes.is_empty() || direct_key_reaches(service, &api.name) {
        routes.push(Route {
            product: None,
            subscription_required: api_requires_key(api),
        });
    }
    routes
}

/// An API's `subscriptionRequired`; not known when its setting is a value left open (IaC).
fn api_requires_key(api: &Api) -> Option<bool> {
    match api.properties.get("subscriptionRequired") {
        Some(Value::Bool(_)) | Some(Value::Null) | None => Some(api.subscription_required),
        Some(_) => None,
    }
}

/// A product's `subscriptionRequired`: ARM takes an omitted one as true; a value that
/// is not a boolean (an IaC value left open) is not known.
fn product_requires_key(properties: &crate::snapshot::JsonObject) -> Option<bool> {
    match properties.get("subscriptionRequired") {
        None => Some(true),
        Some(value) => value.as_bool(),
    }
}

/// Whether an active subscription scoped to all APIs, or to this API, exists: its key
/// calls the API without any product policy.
fn direct_key_reaches(service: &Service, api: &str) -> bool {
    service.apim_subscriptions.iter().any(|s| {
        let text = |key: &str| s.properties.get(key).and_then(Value::as_str);
        let scope = text("scope").unwrap_or_default();
        text("state").is_some_and(|state| state.eq_ignore_ascii_case("active"))
            && (scope.ends_with("/apis")
                || scope
                    .rsplit_once("/apis/")
                    .is_some_and(|(_, name)| name == api))
    })
}

/// What could not be read about an API's scopes.
struct Unreadable<'a> {
    gaps: &'a Gaps,
    /// The API's operation list.
    operations: bool,
}

/// A chain composed: its effective policy and what its inbound section does about
/// authentication.
struct Composed {
    policy: EffectivePolicy,
    auth: InboundAuth,
}

/// Composes the four sections of `chain`; what makes them uncertain goes to `uncertain`.
fn compose(
    chain: &[Link<'_>],
    fragments: &Fragments,
    missing: &Unreadable<'_>,
    uncertain: &mut BTreeSet<String>,
) -> Composed {
    let scopes: Vec<ScopePolicy<'_>> = chain
        .iter()
        .map(|link| ScopePolicy {
            scope: link.label,
            policy: link.policy,
        })
        .collect();
    let mut unreadable: Vec<String> = chain
        .iter()
        .filter(|link| missing.gaps.has(link.id, "policy"))
        .map(|link| format!("the {} policy could not be read", link.label))
        .collect();
    if missing.operations {
        unreadable.push("the operations could not be read".to_string());
    }
    let mut section = |which| {
        let mut composed = effective_section(&scopes, which, fragments);
        composed.uncertain.extend(unreadable.iter().cloned());
        uncertain.extend(composed.uncertain.iter().cloned());
        composed
    };
    let inbound = section(Section::Inbound);
    let auth = InboundAuth::inspect(&inbound);
    let flat = |composed: &crate::policy_xml::EffectiveSection| {
        let mut out = Vec::new();
        flatten(
            &composed.elements,
            &composed.sources,
            chain,
            0,
            None,
            false,
            &mut out,
        );
        out
    };
    let policy = EffectivePolicy {
        inbound: flat(&inbound),
        backend: flat(&section(Section::Backend)),
        outbound: flat(&section(Section::Outbound)),
        on_error: flat(&section(Section::OnError)),
        literal_credentials: Vec::new(),
    };
    Composed { policy, auth }
}

/// Lists `elements` (with where they come from, `sources`) in document order, each
/// nested element right after the one that holds it.
fn flatten(
    elements: &[PolicyElement],
    sources: &[Placed],
    chain: &[Link<'_>],
    depth: u32,
    parent: Option<&str>,
    conditional: bool,
    out: &mut Vec<EffectiveElement>,
) {
    for (element, source) in elements.iter().zip(sources) {
        out.push(EffectiveElement {
            name: element.name.clone(),
            scope: chain[source.link].kind,
            fragment: source.fragment.clone(),
            depth,
            parent: parent.map(str::to_string),
            conditional,
            attributes: element.attributes.clone(),
            text: element.text.clone(),
        });
        flatten(
            &element.children,
            &source.children,
            chain,
            depth + 1,
            Some(&element.name),
            conditional || element.name == "choose",
            out,
        );
    }
}

/// Fills the `callPaths` of every API of `service` from what it holds (no fragments, no
/// gaps), leaving `auth` as it is: for generated estates.
pub(crate) fn fill(service: &mut Service) {
    let gaps = Gaps::default();
    let fragments = Fragments::new();
    let mut table = PolicyTable::default();
    let mut apis = std::mem::take(&mut service.apis);
    for api in &mut apis {
        api.call_paths = derive(service, api, &fragments, &gaps, &mut table).1;
    }
    service.apis = apis;
    service.effective_policies = table.into_policies();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A service with one API (`subscriptionRequired`: `required`) in the products
    /// `products` (`[name, subscriptionRequired]`) and these APIM subscriptions' scopes.
    fn service(required: Value, products: &[(&str, Value)], scopes: &[&str]) -> Service {
        let id =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim";
        let auth = json!({"subscriptionKey": false, "jwtValidation": false, "clientCertificate": false, "ipFilter": false, "effective": "unknown"});
        serde_json::from_value(json!({
            "id": id, "name": "apim", "resourceGroup": "rg", "location": "westeurope",
            "sku": {"name": "Premium"}, "properties": {}, "policy": null, "capacityPercent": null,
            "apis": [{
                "id": format!("{id}/apis/echo"), "name": "echo", "displayName": "Echo", "path": "echo",
                "protocols": ["https"], "type": "http", "isCurrent": true,
                "subscriptionRequired": required.as_bool().unwrap_or(false),
                "properties": {"subscriptionRequired": required},
                "policy": null, "operations": [],
                "products": products.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
                "auth": auth,
                "exposure": {"external": true, "gateways": ["managed"], "workspace": null},
                "defender": {"eligible": true, "ineligibleReason": null, "onboarded": false, "collection": null}
            }],
            "products": products.iter().map(|(n, required)| {
                let mut properties = json!({});
                if !required.is_null() {
                    properties["subscriptionRequired"] = required.clone();
                }
                json!({"id": format!("{id}/products/{n}"), "name": n, "properties": properties, "policy": null, "apis": ["echo"]})
            }).collect::<Vec<_>>(),
            "apimSubscriptions": scopes.iter().enumerate().map(|(i, scope)| json!({
                "id": format!("{id}/subscriptions/{i}"), "name": i.to_string(),
                "properties": {"scope": format!("{id}{scope}"), "state": "active"}
            })).collect::<Vec<_>>(),
            "backends": [], "namedValues": [], "gateways": [], "workspaces": []
        }))
        .unwrap()
    }

    /// A path as (product, subscriptionRequired).
    type Found = (Option<String>, Option<bool>);

    fn paths(service: &Service) -> (Auth, Vec<Found>) {
        let mut table = PolicyTable::default();
        let (auth, paths) = derive(
            service,
            &service.apis[0],
            &Fragments::new(),
            &Gaps::default(),
            &mut table,
        );
        let paths = paths
            .into_iter()
            .map(|p| (p.product, p.subscription_required))
            .collect();
        (auth, paths)
    }

    #[test]
    fn a_key_scoped_to_the_api_or_to_all_apis_adds_the_path_without_a_product() {
        let gold = [("gold", Value::Bool(true))];
        let via_gold: Found = (Some("gold".to_string()), Some(true));
        assert_eq!(
            paths(&service(true.into(), &gold, &[])).1,
            vec![via_gold.clone()]
        );
        for scope in ["/apis", "/apis/echo"] {
            let (auth, found) = paths(&service(true.into(), &gold, &[scope]));
            assert_eq!(found, [via_gold.clone(), (None, Some(true))], "{scope}");
            assert_eq!(auth.effective, crate::snapshot::AuthVerdict::Authenticated);
        }
        // A key scoped to another API does not reach this one.
        assert_eq!(
            paths(&service(true.into(), &gold, &["/apis/echo2"])).1,
            [via_gold]
        );
    }

    #[test]
    fn a_product_setting_that_is_omitted_requires_a_key_and_one_left_open_is_not_known() {
        let (auth, found) = paths(&service(
            true.into(),
            &[
                ("a", Value::Null),
                ("b", json!("<unknown: parameters('open')>")),
            ],
            &[],
        ));
        assert_eq!(
            found,
            [(Some("a".into()), Some(true)), (Some("b".into()), None)]
        );
        assert_eq!(auth.effective, crate::snapshot::AuthVerdict::Unknown);
        assert_eq!(auth.open_paths, ["product \"b\""]);
    }

    #[test]
    fn an_api_whose_key_setting_is_left_open_is_not_known_to_be_unauthenticated() {
        let (auth, found) = paths(&service(json!("<unknown: parameters('keys')>"), &[], &[]));
        assert_eq!(found, [(None, None)]);
        assert_eq!(auth.effective, crate::snapshot::AuthVerdict::Unknown);
    }
}
