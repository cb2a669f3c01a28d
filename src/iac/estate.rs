//! Declared resources → schema-v1 snapshot.
//!
//! Each reader (ARM template, Bicep, APIOps) turns its files into [`Declared`]
//! resources: ARM types, names and evaluated bodies, with the lines they are written
//! on. This module maps them onto the snapshot with the live collector's record
//! functions (an ARM template carries the same `properties` objects ARM returns), then
//! derives `auth`, `exposure` and `defender` with the collector's own code.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::error::IacError;
use super::scope;
use super::spec;
use super::unknown::{self, contains_unknown, is_unknown};
use crate::collect::apim;
use crate::collect::defender::{self, Collections};
use crate::collect::derive;
use crate::collect::gaps::Gaps;
use crate::collect::ids::last_segment;
use crate::collect::portal;
use crate::policy_xml::{self, Fragments};
use crate::redact;
use crate::snapshot::{
    Api, AuthVerdict, DataKind, DefenderCspm, DefenderPlan, DeveloperPortal, JsonObject, Logging,
    Origin, Policy, Service, Snapshot, Source, SourceKind, Subscription, TenantAccess,
    UnknownValue, SCHEMA_MINOR, SCHEMA_VERSION,
};

/// The APIM service type, lower-cased.
const SERVICE: &str = "microsoft.apimanagement/service";

/// The Azure Monitor diagnostic settings type, lower-cased (an extension resource).
const DIAGNOSTIC_SETTINGS: &str = "microsoft.insights/diagnosticsettings";

/// Where a service's diagnostic settings are filed among its items (below the service).
const DIAGNOSTIC_SETTINGS_BELOW: &str = "/providers/diagnosticsettings";

/// One resource as the files declare it, its values evaluated.
#[derive(Debug, Clone)]
pub(super) struct Declared {
    /// The ARM type, e.g. `Microsoft.ApiManagement/service/apis`.
    pub kind: String,
    /// The name, one segment per type segment after the namespace (`["contoso", "echo"]`).
    pub names: Vec<String>,
    /// The evaluated resource: `properties`, `sku`, `identity`, `location`, `zones`.
    pub body: JsonObject,
    /// Where it is declared, with the lines of its settings.
    pub origin: Origin,
    /// Extension resources: the id (or `Namespace/type/name` path) of what they extend.
    pub scope: Option<String>,
    /// A reference to a resource that exists already (Bicep and ARM `existing`).
    pub existing: bool,
    /// Where the API's operations come from, for APIs whose files hold a specification.
    pub spec: Option<Spec>,
}

impl Estate {
    /// Each resource's type and names, in file order (for tests of the readers).
    #[cfg(test)]
    pub fn kinds_and_names(&self) -> Vec<(String, Vec<String>)> {
        self.resources
            .iter()
            .map(|d| (d.kind.clone(), d.names.clone()))
            .collect()
    }
}

impl Declared {
    /// A resource of `kind` named `names`, with `body`, declared at `origin`.
    /// A resource's members as written; members given as `null` (a Bicep `param x T?`
    /// not given, an AVM module's optional setting) are dropped, at every level: ARM
    /// sends them, and the resource provider reads them as not set.
    pub fn new(kind: &str, names: Vec<String>, mut body: JsonObject, origin: Origin) -> Declared {
        drop_nulls(&mut body);
        Declared {
            kind: kind.to_string(),
            names,
            body,
            origin,
            scope: None,
            existing: false,
            spec: None,
        }
    }

    fn properties(&self) -> JsonObject {
        self.body
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }
}

/// Drops the members whose value is `null` from `body` and every object inside it.
fn drop_nulls(body: &mut JsonObject) {
    body.retain(|_, v| !v.is_null());
    let mut stack: Vec<&mut Value> = body.values_mut().collect();
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(members) => {
                members.retain(|_, v| !v.is_null());
                stack.extend(members.values_mut());
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// Refuses a resource whose evaluated values nest past [`super::json::MAX_DEPTH`] (a
/// value from `json()` or a loaded JSON file can), at its declaration: placed in the
/// snapshot, it would go past the snapshot's own limit.
fn refuse_deep_body(d: &Declared) -> Result<(), IacError> {
    let mut stack: Vec<(&Value, usize)> = d.body.values().map(|v| (v, 2)).collect();
    while let Some((value, depth)) = stack.pop() {
        if depth > super::json::MAX_DEPTH {
            return Err(IacError::TooDeep {
                at: format!("{}:{}", d.origin.file, d.origin.line),
                limit: super::json::MAX_DEPTH,
            });
        }
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    Ok(())
}

/// An API's specification, as a file beside its declaration (APIOps).
#[derive(Debug, Clone)]
pub(super) enum Spec {
    /// The specification's text and the file it is in.
    File {
        /// The document.
        text: String,
        /// Its path, for origins.
        file: String,
    },
    /// The API has a specification the readers do not read for operations.
    Unread(String),
    /// The API has no specification file.
    Missing,
}

/// The IaC reader that read an estate's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReaderKind {
    /// ARM templates (JSON).
    ArmTemplate,
    /// Bicep files.
    Bicep,
    /// An APIOps folder.
    Apiops,
}

impl ReaderKind {
    /// The name the snapshot's source details record (`reader`).
    fn name(self) -> &'static str {
        match self {
            ReaderKind::ArmTemplate => "arm-template",
            ReaderKind::Bicep => "bicep",
            ReaderKind::Apiops => "apiops",
        }
    }
}

/// What a reader produced.
pub(super) struct Estate {
    /// The reader that read the files.
    pub reader: ReaderKind,
    /// The files read, as given.
    pub files: Vec<String>,
    /// The resources declared, in file order.
    pub resources: Vec<Declared>,
    /// What could not be read (unsupported constructs), by file and line.
    pub gaps: Gaps,
    /// The service name to use when the files never name one (APIOps).
    pub default_service: Option<String>,
}

/// A declared APIM resource with its id and type below the service.
struct Item<'a> {
    d: &'a Declared,
    id: String,
    /// The lower-cased type after `…/service`, e.g. `/apis/operations` (`` for the service).
    below: String,
}

impl Item<'_> {
    fn name(&self) -> &str {
        self.d.names.last().map_or("", String::as_str)
    }
}

/// Builds the snapshot of everything `estate` declares.
pub(super) fn build(estate: Estate, collected_at: String) -> Result<Snapshot, IacError> {
    for d in &estate.resources {
        refuse_deep_body(d)?;
    }
    let rg = scope::resource_group_id();
    let mut items: BTreeMap<String, Vec<Item<'_>>> = BTreeMap::new();
    let mut collections = Collections::default();
    let mut onboarding_declared = false;
    let mut plan: Option<DefenderPlan> = None;
    let mut cspm: Option<DefenderCspm> = None;
    for d in &estate.resources {
        let kind = d.kind.to_ascii_lowercase();
        if let Some(below) = kind.strip_prefix(SERVICE) {
            if let Some((service, api)) = collection_target(d, &kind) {
                let service_id =
                    scope::resource_id(&rg, "Microsoft.ApiManagement/service", &[service]);
                collections.insert(&service_id, &api, d.properties());
                onboarding_declared = true;
                continue;
            }
            let Some(service) = d.names.first() else {
                continue;
            };
            items.entry(service.to_lowercase()).or_default().push(Item {
                d,
                id: scope::resource_id(&rg, &canonical(&d.kind), &d.names),
                below: below.to_string(),
            });
        } else if kind == DIAGNOSTIC_SETTINGS {
            // `scope: apim` (Bicep) or `"scope": "Microsoft.ApiManagement/service/x"` (ARM):
            // filed under the service, as `…/service/x/providers/diagnosticSettings`.
            if let Some(service) = d.scope.as_deref().and_then(scoped_service) {
                let service_id = scope::resource_id(
                    &rg,
                    "Microsoft.ApiManagement/service",
                    std::slice::from_ref(&service),
                );
                items.entry(service.to_lowercase()).or_default().push(Item {
                    d,
                    id: format!(
                        "{service_id}/providers/Microsoft.Insights/diagnosticSettings/{}",
                        d.names.last().map_or("", String::as_str)
                    ),
                    below: DIAGNOSTIC_SETTINGS_BELOW.to_string(),
                });
            }
        } else if kind == "microsoft.security/apicollections" {
            if let Some((service, api)) = collection_target(d, &kind) {
                let service_id =
                    scope::resource_id(&rg, "Microsoft.ApiManagement/service", &[service]);
                collections.insert(&service_id, &api, d.properties());
            }
            onboarding_declared = true;
        } else if kind == "microsoft.security/pricings"
            && d.names
                .first()
                .is_some_and(|n| n.eq_ignore_ascii_case("Api"))
        {
            plan = Some(defender_plan(d));
        } else if kind == "microsoft.security/pricings"
            && d.names
                .first()
                .is_some_and(|n| n.eq_ignore_ascii_case("CloudPosture"))
        {
            cspm = Some(DefenderCspm {
                origin: Some(d.origin.clone()),
                ..defender::cspm_of(&json!({"properties": d.properties()}))
            });
        }
    }
    if items.is_empty() {
        if let Some(name) = &estate.default_service {
            items.insert(name.to_lowercase(), Vec::new());
        }
    }

    for d in &estate.resources {
        opaque_properties(d, &estate.gaps);
    }
    let gaps = estate.gaps;
    let mut services = Vec::new();
    let mut unknowns = name_unknowns(&estate.resources, &rg);
    let mut stubs = false;
    for (key, service_items) in &items {
        let name = service_items
            .iter()
            .find_map(|i| i.d.names.first().cloned())
            .unwrap_or_else(|| key.clone());
        let builder = ServiceBuilder {
            id: scope::resource_id(&rg, "Microsoft.ApiManagement/service", &[name]),
            items: service_items,
            gaps: &gaps,
            unknowns: RefCell::new(Vec::new()),
            // APIOps folders hold no diagnostic settings, and their diagnostics and product
            // groups are not read: those stay not known rather than "none declared".
            declares_controls: estate.reader != ReaderKind::Apiops,
        };
        let (service, stub) = builder.build(&collections, &mut unknowns)?;
        stubs |= stub;
        services.push(service);
    }
    if let Some(p) = &plan {
        if let Some(origin) = &p.origin {
            for (path, expression) in plan_unknowns(&estate.resources) {
                unknowns.push(UnknownValue {
                    resource: scope::subscription_id(),
                    origin: origin.of_setting(&path),
                    path,
                    expression,
                });
            }
        }
    }
    unknowns.sort_by(|a, b| (&a.resource, &a.path).cmp(&(&b.resource, &b.path)));

    let mut unavailable = vec![
        DataKind::DefenderFindings,
        DataKind::Alerts,
        DataKind::Recommendations,
        DataKind::Capacity,
        DataKind::RuntimeState,
    ];
    if stubs {
        unavailable.push(DataKind::ServiceSettings);
    }
    if plan.is_none() {
        unavailable.push(DataKind::DefenderPlan);
    }
    if !onboarding_declared {
        unavailable.push(DataKind::DefenderOnboarding);
    }
    unavailable.sort();

    let gaps = gaps.into_sorted();
    let details = json!({
        "collector": crate::version::tool(),
        "reader": estate.reader.name(),
        "files": estate.files,
    });
    Ok(Snapshot {
        schema_version: SCHEMA_VERSION,
        schema_minor: SCHEMA_MINOR,
        schema_features: crate::snapshot::written_features(),
        collected_at,
        source: Source {
            kind: SourceKind::Iac,
            cloud: None,
            tenant_id: None,
            unavailable,
            extra: details.as_object().cloned().unwrap_or_default(),
        },
        complete: gaps.is_empty(),
        gaps,
        subscriptions: vec![Subscription {
            subscription_id: scope::SUBSCRIPTION.to_string(),
            display_name: String::new(),
            defender_for_apis: plan,
            defender_cspm: cspm,
            services,
            recommendations: Vec::new(),
            alerts: Vec::new(),
            azure_exemptions: None,
        }],
        unknowns,
        incremental: None,
        shard: None,
    })
}

/// A policy document open only in attributes of elements that never decide who may call
/// (a backend id, a header to set, a rate limit), or in the text of a CORS `<origin>`
/// (`replace(xml, '{origin}', webFrontendUrl)`, as azd templates write it): the document
/// with those markers escaped, so that it parses and every verdict that does not need
/// them is decided (the attribute or origin reads as the marker: unknown). `None` when a
/// marker stands anywhere else (other text, where it may be whole elements; an
/// authentication or `choose` element).
fn open_in_settings(text: &str) -> Option<String> {
    const SETTINGS: [&str; 18] = [
        "set-backend-service",
        "rewrite-uri",
        "set-header",
        "set-query-parameter",
        "rate-limit",
        "rate-limit-by-key",
        "quota",
        "quota-by-key",
        "llm-token-limit",
        "azure-openai-token-limit",
        "llm-emit-token-metric",
        "azure-openai-emit-token-metric",
        "emit-metric",
        "trace",
        "forward-request",
        "cache-lookup",
        "cache-store",
        "log-to-eventhub",
    ];
    if !contains_unknown(text) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(unknown::PREFIX) {
        let (before, marker) = rest.split_at(start);
        out.push_str(before);
        let tag = out.rfind('<')?;
        if out[tag..].contains('>') {
            // In text: only that of an `<origin>` start tag, with no other tag since.
            let start = &out[tag..];
            let open = start.split_inclusive('>').next().unwrap_or_default();
            let origin = open == "<origin>" || open.starts_with("<origin ");
            if !origin || open.ends_with("/>") {
                return None;
            }
        } else {
            // Inside a tag: a `<` since the last `>`, and the marker within quotes.
            let element: String = out[tag + 1..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            let quotes = out[tag..].matches(['"', '\'']).count();
            if !SETTINGS.contains(&element.as_str()) || quotes.is_multiple_of(2) {
                return None;
            }
        }
        let end = marker.find('>').map_or(marker.len(), |e| e + 1);
        out.push_str(
            &marker[..end]
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&apos;"),
        );
        rest = &marker[end..];
    }
    out.push_str(rest);
    Some(out)
}

/// Whether the snapshot reads resources of type `kind` (so that an open condition, loop
/// or `properties` on one can change a verdict): API Management resources, but for the
/// kinds no rule reads (version sets, portal revisions, authorization servers, caches,
/// users and groups, notifications, templates, tags), and Defender (`Microsoft.Security/…`). A type left open is
/// read. Nested deployments are not resources: what they declare is judged on its own.
pub(super) fn judged(kind: &str) -> bool {
    const UNREAD: [&str; 9] = [
        "apiversionsets",
        "portalrevisions",
        "authorizationservers",
        "caches",
        "users",
        "groups",
        "notifications",
        "templates",
        "tags",
    ];
    let kind = kind.to_ascii_lowercase();
    if contains_unknown(&kind) {
        return true;
    }
    if kind.starts_with("microsoft.security/") || kind == DIAGNOSTIC_SETTINGS {
        return true;
    }
    let Some(below) = kind.strip_prefix(SERVICE) else {
        return false;
    };
    // Product group links are read (the guests group on products); groups themselves not.
    if below == "/products/groups" {
        return true;
    }
    !below
        .rsplit('/')
        .next()
        .is_some_and(|last| UNREAD.contains(&last))
}

/// A resource whose whole `properties` is left open (`"[parameters('props')]"`,
/// `shallowMerge(…)`) has no setting the rules could judge: read as `{}`, its settings would
/// all read as APIM's defaults. It is a gap, located at the resource.
fn opaque_properties(d: &Declared, gaps: &Gaps) {
    match d.body.get("properties") {
        Some(Value::Object(_)) | Some(Value::Null) | None => {}
        Some(_) if d.existing || !judged(&d.kind) => {}
        Some(value) => {
            let shown = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            gaps.add(
                &format!("{}:{}", d.origin.file, d.origin.line),
                "properties",
                format!(
                    "the properties of {} `{}` are not known before deployment ({shown}); none of its settings are read",
                    d.kind,
                    d.names.join("/"),
                ),
            );
        }
    }
}

/// The service and API a Defender API collection is about.
fn collection_target(d: &Declared, kind: &str) -> Option<(String, String)> {
    if kind.ends_with("/providers/apicollections") {
        // `Microsoft.ApiManagement/service/providers/apiCollections`, `svc/Microsoft.Security/api`.
        return match d.names.as_slice() {
            [service, _, api] => Some((service.clone(), api.clone())),
            _ => None,
        };
    }
    if kind.starts_with(SERVICE) {
        return None;
    }
    let target = d.scope.as_deref()?;
    let marker = "microsoft.apimanagement/service/";
    let at = target.to_ascii_lowercase().find(marker)? + marker.len();
    let service = target[at..].split('/').next()?.to_string();
    Some((service, d.names.first()?.clone()))
}

/// The name of the service an extension resource's `scope` is, when it is a service itself
/// (not one of its children): `Microsoft.ApiManagement/service/x`, or a full id.
fn scoped_service(target: &str) -> Option<String> {
    let marker = "microsoft.apimanagement/service/";
    let at = target.to_ascii_lowercase().find(marker)? + marker.len();
    let rest = target[at..].trim_end_matches('/');
    (!rest.is_empty() && !rest.contains('/')).then(|| rest.to_string())
}

/// The Defender for APIs plan a pricing declares (a tier left open is not `Standard`).
fn defender_plan(d: &Declared) -> DefenderPlan {
    DefenderPlan {
        origin: Some(d.origin.clone()),
        ..defender::plan_of(&json!({"properties": d.properties()}))
    }
}

/// Resource names the files leave open (their ids then hold the marker too).
fn name_unknowns(resources: &[Declared], rg: &str) -> Vec<UnknownValue> {
    let mut found = Vec::new();
    for d in resources {
        let id = scope::resource_id(rg, &canonical(&d.kind), &d.names);
        for expression in d.names.iter().flat_map(|n| unknown::expressions(n)) {
            found.push(UnknownValue {
                resource: id.clone(),
                path: "name".to_string(),
                expression,
                origin: d.origin.of_setting("name"),
            });
        }
    }
    found
}

fn plan_unknowns(resources: &[Declared]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for d in resources
        .iter()
        .filter(|d| d.kind.eq_ignore_ascii_case("Microsoft.Security/pricings"))
    {
        unknown::find(&Value::Object(d.properties()), "properties", &mut found);
    }
    found
}

/// An APIM type with APIM's usual casing, so ids look the same whatever the files
/// wrote (other types are left as written).
fn canonical(kind: &str) -> String {
    const SEGMENTS: [&str; 20] = [
        "service",
        "apis",
        "operations",
        "policies",
        "products",
        "backends",
        "namedValues",
        "subscriptions",
        "gateways",
        "workspaces",
        "policyFragments",
        "tenant",
        "apiLinks",
        "loggers",
        "diagnostics",
        "apiVersionSets",
        "certificates",
        "portalconfigs",
        "portalsettings",
        "identityProviders",
    ];
    let mut segments = kind.split('/');
    if !segments
        .next()
        .is_some_and(|ns| ns.eq_ignore_ascii_case("Microsoft.ApiManagement"))
    {
        return kind.to_string();
    }
    std::iter::once("Microsoft.ApiManagement".to_string())
        .chain(segments.map(|s| {
            SEGMENTS
                .iter()
                .find(|c| c.eq_ignore_ascii_case(s))
                .map_or_else(|| s.to_string(), |c| c.to_string())
        }))
        .collect::<Vec<_>>()
        .join("/")
}

/// Builds one service from its declared items.
struct ServiceBuilder<'a, 'b> {
    id: String,
    items: &'a [Item<'b>],
    gaps: &'a Gaps,
    unknowns: RefCell<Vec<UnknownValue>>,
    /// Whether the reader reads the audit controls' facts: logging, product group links,
    /// certificates and the developer portal (not APIOps).
    declares_controls: bool,
}

impl ServiceBuilder<'_, '_> {
    fn of<'s>(&'s self, below: &'s str) -> impl Iterator<Item = &'s Item<'s>> + 's {
        self.items
            .iter()
            .filter(move |i| i.below == below && !i.d.existing)
    }

    /// The service and whether it is only a stub (its settings are not in the files).
    fn build(
        self,
        collections: &Collections,
        unknowns: &mut Vec<UnknownValue>,
    ) -> Result<(Service, bool), IacError> {
        // A real declaration wins over an `existing` reference to the same service.
        let declared = self
            .items
            .iter()
            .filter(|i| i.below.is_empty())
            .min_by_key(|i| i.d.existing);
        let stub = declared.is_none_or(|i| i.d.existing);
        let mut resource = Map::new();
        resource.insert("id".into(), Value::String(self.id.clone()));
        if let Some(item) = declared.filter(|_| !stub) {
            for (key, value) in &item.d.body {
                resource.insert(key.clone(), value.clone());
            }
        }
        let mut service = apim::service_record(&Value::Object(resource));
        service.origin = declared.map(|i| i.d.origin.clone());
        if let Some(item) = declared.filter(|_| !stub) {
            let mut seen = item.d.body.clone();
            seen.insert(
                "properties".into(),
                Value::Object(service.properties.clone()),
            );
            self.note(&self.id, "", &seen, &service.origin);
        }
        service.policy = self.policy(&self.id, &mut service.origin)?;

        let fragments = self.fragments()?;
        service.tenant_access = self.tenant_access("access");
        service.git_access = self.tenant_access("gitAccess");
        service.logging = self.declares_controls.then(|| self.logging());
        service.certificates = self
            .declares_controls
            .then(|| self.resources("/certificates", redact::certificate));
        service.developer_portal = (self.declares_controls
            && portal::has_portal(&service.sku.name))
        .then(|| self.developer_portal());
        service.apis = self.apis()?;
        service.products = self.products()?;
        service.backends = self.resources("/backends", redact::backend);
        service.named_values = self.resources("/namedvalues", redact::named_value);
        service.apim_subscriptions = self.resources("/subscriptions", redact::apim_subscription);
        service.gateways = self
            .of("/gateways")
            .map(|i| {
                let mut gateway = apim::gateway_record(&record(i));
                gateway.apis = self.links("/gateways/apis", &i.id);
                gateway.origin = Some(i.d.origin.clone());
                gateway
            })
            .collect();
        service.workspaces = Vec::new();
        let workspaces: Vec<&Item<'_>> = self.of("/workspaces").collect();
        for i in workspaces {
            let mut workspace = apim::workspace_record(&record(i));
            workspace.origin = Some(i.d.origin.clone());
            workspace.policy = self.policy(&i.id, &mut workspace.origin)?;
            workspace.apis = service
                .apis
                .iter()
                .filter(|a| a.exposure.workspace.as_deref() == Some(workspace.name.as_str()))
                .map(|a| a.name.clone())
                .collect();
            service.workspaces.push(workspace);
        }
        apim::link_apis(&mut service);
        derive::derive_service(&mut service, &fragments, collections, self.gaps);
        for api in service.apis.iter_mut() {
            // A key requirement left open must not read as "no key, so unauthenticated".
            if is_unknown(
                api.properties
                    .get("subscriptionRequired")
                    .unwrap_or(&Value::Null),
            ) && api.auth.effective == AuthVerdict::Unauthenticated
            {
                api.auth.effective = AuthVerdict::Unknown;
            }
        }
        unknowns.extend(self.unknowns.into_inner());
        Ok((service, stub))
    }

    /// The parsed policy of `scope` (an ARM id), its origin added to `origin`'s settings.
    fn policy(&self, scope: &str, origin: &mut Option<Origin>) -> Result<Option<Policy>, IacError> {
        let wanted = format!("{}/policies/", scope.to_lowercase());
        let Some(item) = self.items.iter().find(|i| {
            let id = i.id.to_lowercase();
            id.starts_with(&wanted) && !id[wanted.len()..].contains('/')
        }) else {
            return Ok(None);
        };
        let at = Origin::at(item.d.origin.file.clone(), item.d.origin.line);
        match origin {
            Some(o) => {
                o.settings.insert("policy".into(), at.clone());
            }
            None => *origin = Some(at.clone()),
        }
        let document = json!({"properties": item.d.properties()});
        let text = match apim::policy_text(&document) {
            Ok(None) => return Ok(None),
            Ok(Some(text)) => text,
            Err(reason) => {
                self.gaps.add(scope, "policy", reason);
                return Ok(None);
            }
        };
        let settled;
        let text = match open_in_settings(text) {
            Some(escaped) => {
                settled = escaped;
                settled.as_str()
            }
            None => text,
        };
        if contains_unknown(text) {
            self.gaps.add(
                scope,
                "policy",
                format!(
                    "the policy document is not known before deployment: it depends on {}",
                    unknown::expressions(text).join(", ")
                ),
            );
            return Ok(None);
        }
        policy_xml::parse_policy(text)
            .map(Some)
            .map_err(|e| IacError::Policy(Box::new(e.with_name(&policy_name(&at, &item.d.origin)))))
    }

    fn fragments(&self) -> Result<Fragments, IacError> {
        let mut fragments = Fragments::new();
        for i in self.items.iter().filter(|i| {
            matches!(
                i.below.as_str(),
                "/policyfragments" | "/workspaces/policyfragments"
            )
        }) {
            let props = i.d.properties();
            let text = props
                .get("value")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if contains_unknown(text) {
                let reason = "its document is not known before deployment";
                self.gaps.add(&i.id, "policyFragment", reason);
                fragments.mark_unreadable(i.name(), reason);
                continue;
            }
            let elements = policy_xml::parse_fragment(text).map_err(|e| {
                IacError::Policy(Box::new(
                    e.with_name(&policy_name(&i.d.origin, &i.d.origin)),
                ))
            })?;
            fragments.insert(i.name(), elements);
        }
        Ok(fragments)
    }

    /// The `tenant/{name}` switch the files declare (`access`, `gitAccess`).
    fn tenant_access(&self, name: &str) -> Option<TenantAccess> {
        let item = self
            .of("/tenant")
            .find(|i| i.name().eq_ignore_ascii_case(name))?;
        let enabled = item.d.properties().get("enabled").cloned();
        Some(TenantAccess {
            // Fail closed: an open value counts as enabled.
            enabled: enabled.is_none_or(|v| v.as_bool() != Some(false)),
        })
    }

    /// What the files declare of the service's logging: its diagnostic settings, the
    /// diagnostics of the service and its APIs, and loggers (each list: what is declared).
    fn logging(&self) -> Logging {
        let mut diagnostics = self.resources("/diagnostics", |_| {});
        for below in ["/apis/diagnostics", "/workspaces/apis/diagnostics"] {
            diagnostics.extend(self.resources(below, |_| {}));
        }
        Logging {
            diagnostic_settings: Some(self.resources(DIAGNOSTIC_SETTINGS_BELOW, |_| {})),
            diagnostics: Some(diagnostics),
            loggers: Some(self.resources("/loggers", redact::logger)),
        }
    }

    /// What the files declare of the developer portal: its configurations, settings and
    /// identity providers (each list: what is declared).
    fn developer_portal(&self) -> DeveloperPortal {
        DeveloperPortal {
            configs: Some(self.resources("/portalconfigs", redact::portal)),
            settings: Some(self.resources("/portalsettings", redact::portal)),
            identity_providers: Some(self.resources("/identityproviders", redact::portal)),
        }
    }

    fn apis(&self) -> Result<Vec<Api>, IacError> {
        let declared: Vec<&Item<'_>> = self
            .items
            .iter()
            .filter(|i| matches!(i.below.as_str(), "/apis" | "/workspaces/apis") && !i.d.existing)
            .collect();
        let mut apis = Vec::new();
        for item in &declared {
            let workspace = (item.below == "/workspaces/apis").then(|| item.d.names[1].clone());
            let name = item.name();
            let id = match name.split_once(";rev=") {
                Some((root, _)) => {
                    // A revision is read as its API only when the files hold no other revision.
                    let current_declared = declared
                        .iter()
                        .any(|o| o.name() == root && o.below == item.below);
                    if current_declared {
                        continue;
                    }
                    let parent = &item.id[..item.id.len() - name.len()];
                    format!("{parent}{root}")
                }
                None => item.id.clone(),
            };
            let mut props = item.d.properties();
            let spec_text = props.remove("value");
            match item.d.body.get("properties") {
                // Properties left open as a whole (a gap): the key requirement is open too.
                Some(open @ Value::String(_)) => {
                    props.insert("subscriptionRequired".into(), open.clone());
                }
                // What ARM reports for a setting the files leave out: APIM's default.
                _ => {
                    props
                        .entry("subscriptionRequired")
                        .or_insert(Value::Bool(true));
                }
            }
            let mut api = apim::api_record(
                &json!({"id": id, "properties": props}),
                workspace.as_deref(),
            );
            api.origin = Some(item.d.origin.clone());
            self.note(&api.id, "properties", &api.properties, &api.origin);
            api.policy = self.policy(&item.id, &mut api.origin)?;
            api.operations = self.operations(item, &api, spec_text.as_ref())?;
            apis.push(api);
        }
        Ok(apis)
    }

    /// The operations of an API: declared ones, and those of its specification.
    fn operations(
        &self,
        item: &Item<'_>,
        api: &Api,
        inline: Option<&Value>,
    ) -> Result<Vec<crate::snapshot::Operation>, IacError> {
        let below = format!("{}/operations", item.below);
        let prefix = format!("{}/operations/", item.id.to_lowercase());
        let declared: Vec<&Item<'_>> = self
            .items
            .iter()
            .filter(|i| {
                i.below == below && i.id.to_lowercase().starts_with(&prefix) && !i.d.existing
            })
            .collect();
        let mut operations = Vec::new();
        for i in &declared {
            let mut operation = apim::operation_record(&record(i));
            operation.origin = Some(i.d.origin.clone());
            let op_id = format!("{}/operations/{}", api.id, operation.name);
            self.note(&op_id, "properties", &i.d.properties(), &operation.origin);
            operation.policy = self.policy(&i.id, &mut operation.origin)?;
            operations.push(operation);
        }
        let format = api
            .properties
            .get("format")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let spec = match (&item.d.spec, inline.and_then(Value::as_str)) {
            (Some(Spec::File { text, file }), _) => Ok((text.as_str(), Some(file.as_str()))),
            (Some(Spec::Unread(reason)), _) => Err(reason.clone()),
            (Some(Spec::Missing), _) => Err("the API has no specification file".to_string()),
            (None, Some(text)) if !format.ends_with("-link") && !contains_unknown(text) => {
                Ok((text, None))
            }
            (None, _) if format.is_empty() => Ok(("", None)),
            (None, _) => Err(format!(
                "the API imports its operations (format {format}), which are not read"
            )),
        };
        match spec {
            Ok((text, file)) if !text.is_empty() => {
                let Some(found) = spec::operations(text) else {
                    return self.incomplete_operations(
                        api,
                        operations,
                        "its specification is not an OpenAPI document",
                    );
                };
                for op in found {
                    if let Some(known) = operations
                        .iter_mut()
                        .find(|o| o.name.eq_ignore_ascii_case(&op.name))
                    {
                        // A folder or resource that only carries the policy takes the
                        // method and template from the specification.
                        if known.method.is_empty() {
                            known.method = op.method;
                            known.url_template = op.url_template;
                        }
                        continue;
                    }
                    let origin = match file {
                        Some(file) => Origin::at(file, op.line),
                        None => api.origin.as_ref().map_or_else(
                            || Origin::at("", 1),
                            |o| o.of_setting("properties/value"),
                        ),
                    };
                    operations.push(crate::snapshot::Operation {
                        name: op.name,
                        method: op.method,
                        url_template: op.url_template,
                        policy: None,
                        origin: Some(origin),
                    });
                }
                Ok(operations)
            }
            Ok(_) => Ok(operations),
            Err(reason) => self.incomplete_operations(api, operations, &reason),
        }
    }

    /// The declared operations of an API whose full list is not in the files: a gap
    /// when one of them has a policy (the calls of the others take another chain).
    fn incomplete_operations(
        &self,
        api: &Api,
        operations: Vec<crate::snapshot::Operation>,
        reason: &str,
    ) -> Result<Vec<crate::snapshot::Operation>, IacError> {
        if operations.iter().any(|o| o.policy.is_some()) {
            self.gaps.add(
                &api.id,
                "operations",
                format!("operations have policies, but the full operation list is not in the files: {reason}"),
            );
        }
        Ok(operations)
    }

    fn products(&self) -> Result<Vec<crate::snapshot::Product>, IacError> {
        let declared: Vec<&Item<'_>> = self.of("/products").collect();
        let mut products = Vec::new();
        for i in declared {
            let mut product = apim::product_record(&record(i));
            product.origin = Some(i.d.origin.clone());
            self.note(
                &product.id,
                "properties",
                &product.properties,
                &product.origin,
            );
            product.policy = self.policy(&i.id, &mut product.origin)?;
            product.apis = self.links("/products/apis", &i.id);
            // The groups the files link the product to, each at its own line.
            let under = format!("{}/", i.id.to_lowercase());
            product.groups = self.declares_controls.then(|| {
                self.of("/products/groups")
                    .filter(|link| link.id.to_lowercase().starts_with(&under))
                    .map(|link| crate::snapshot::Resource {
                        id: link.id.clone(),
                        name: link.name().to_string(),
                        properties: JsonObject::new(),
                        origin: Some(link.d.origin.clone()),
                    })
                    .collect()
            });
            for link in self.of("/products/apilinks").filter(|l| {
                l.id.to_lowercase()
                    .starts_with(&format!("{}/", i.id.to_lowercase()))
            }) {
                if let Some(api) = link.d.properties().get("apiId").and_then(Value::as_str) {
                    product.apis.push(last_segment(api).to_string());
                }
            }
            products.push(product);
        }
        Ok(products)
    }

    /// Names of the link items of kind `below` under `parent` (product APIs, gateway APIs).
    fn links(&self, below: &str, parent: &str) -> Vec<String> {
        let prefix = format!("{}/", parent.to_lowercase());
        let names: BTreeSet<String> = self
            .items
            .iter()
            .filter(|i| i.below == below && i.id.to_lowercase().starts_with(&prefix))
            .map(|i| {
                i.name()
                    .split(";rev=")
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        names.into_iter().collect()
    }

    fn resources(
        &self,
        below: &str,
        redact: fn(&mut JsonObject),
    ) -> Vec<crate::snapshot::Resource> {
        let declared: Vec<&Item<'_>> = self.of(below).collect();
        declared
            .into_iter()
            .map(|i| {
                let mut resource = apim::resource_record(&record(i), redact);
                resource.origin = Some(i.d.origin.clone());
                self.note(
                    &resource.id,
                    "properties",
                    &resource.properties,
                    &resource.origin,
                );
                resource
            })
            .collect()
    }

    /// Lists the unknown values of a record's fields (`prefix` names where they sit:
    /// `properties`, or `` for a whole resource body).
    fn note(&self, resource: &str, prefix: &str, fields: &JsonObject, origin: &Option<Origin>) {
        let mut found = Vec::new();
        unknown::find_in(fields, prefix, &mut found);
        for (path, expression) in found {
            self.unknowns.borrow_mut().push(UnknownValue {
                resource: resource.to_string(),
                origin: origin
                    .as_ref()
                    .map_or_else(|| Origin::at("", 1), |o| o.of_setting(&path)),
                path,
                expression,
            });
        }
    }
}

/// The ARM-response shape of a declared item (`id` and `properties`).
fn record(item: &Item<'_>) -> Value {
    json!({"id": item.id, "properties": item.d.properties()})
}

/// How a policy document is named in errors: its file, or its line in a template.
fn policy_name(policy: &Origin, declared: &Origin) -> String {
    if policy.file.ends_with(".xml") {
        policy.file.clone()
    } else {
        format!("{}:{} (policy document)", declared.file, declared.line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_open_only_in_settings_are_read_with_the_setting_unknown() {
        let open = "<policies><inbound><validate-jwt header-name=\"Authorization\" /><set-backend-service backend-id=\"<unknown: x ? 'a' : \"b\" && c>\" /></inbound></policies>";
        let settled = open_in_settings(open).unwrap();
        let policy = policy_xml::parse_policy(&settled).unwrap();
        let backend = serde_json::to_string(&policy).unwrap();
        assert!(backend.contains("<unknown: x ? 'a' :"), "{backend}");
        // The text of a CORS origin (contoso-real-estate's `{origin}`).
        let cors = "<policies><inbound><cors><allowed-origins><origin>https://<unknown: parameters('web')></origin></allowed-origins></cors></inbound></policies>";
        let settled = open_in_settings(cors).unwrap();
        assert!(policy_xml::parse_policy(&settled).is_ok(), "{settled}");
        for closed in [
            "<policies><inbound><check-header name=\"x\"><value><unknown: v></value></check-header></inbound></policies>",
            "<policies><inbound><cors><allowed-origins><origin>a</origin><unknown: more></allowed-origins></cors></inbound></policies>",
            "<policies><inbound><cors><allowed-origins><origin /><unknown: more></allowed-origins></cors></inbound></policies>",
            "<policies><inbound><check-header name=\"<unknown: h>\" /></inbound></policies>",
            "<policies><inbound><set-header name=\"x\"><value><unknown: v></value></set-header></inbound></policies>",
            "<policies><inbound><unknown: fragment></inbound></policies>",
        ] {
            assert_eq!(open_in_settings(closed), None, "{closed}");
        }
    }

    #[test]
    fn only_resources_the_snapshot_reads_are_judged() {
        for kind in [
            "Microsoft.ApiManagement/service",
            "Microsoft.ApiManagement/service/apis/policies",
            "Microsoft.Security/apiCollections",
            "Microsoft.ApiManagement/service/<unknown: t>",
            "Microsoft.ApiManagement/service/loggers",
            "Microsoft.ApiManagement/service/apis/diagnostics",
            "Microsoft.ApiManagement/service/products/groups",
            "Microsoft.Insights/diagnosticSettings",
            "Microsoft.ApiManagement/service/portalconfigs",
            "Microsoft.ApiManagement/service/portalsettings",
            "Microsoft.ApiManagement/service/identityProviders",
            "Microsoft.ApiManagement/service/certificates",
        ] {
            assert!(judged(kind), "{kind}");
        }
        for kind in [
            "Microsoft.ApiManagement/service/groups",
            "Microsoft.ApiManagement/service/apiVersionSets",
            "Microsoft.Authorization/roleAssignments",
        ] {
            assert!(!judged(kind), "{kind}");
        }
    }

    fn declared(kind: &str, names: &[&str], properties: Value) -> Declared {
        let mut body = Map::new();
        body.insert("properties".into(), properties);
        Declared::new(
            &format!("Microsoft.ApiManagement/service{kind}"),
            names.iter().map(|n| n.to_string()).collect(),
            body,
            Origin::at("t.json", 1),
        )
    }

    fn snapshot(resources: Vec<Declared>) -> Snapshot {
        let estate = Estate {
            reader: ReaderKind::ArmTemplate,
            files: Vec::new(),
            resources,
            gaps: Gaps::default(),
            default_service: None,
        };
        build(estate, "2026-01-01T00:00:00Z".into()).unwrap()
    }

    #[test]
    fn revisions_stand_in_for_an_api_only_without_its_current_revision() {
        let alone = snapshot(vec![declared(
            "/apis",
            &["s", "a;rev=2"],
            json!({"apiRevision": "2"}),
        )]);
        let api = &alone.subscriptions[0].services[0].apis[0];
        assert_eq!(
            (api.name.as_str(), api.id.ends_with("/apis/a")),
            ("a", true)
        );
        let both = snapshot(vec![
            declared("/apis", &["s", "a"], json!({})),
            declared("/apis", &["s", "a;rev=2"], json!({})),
        ]);
        assert_eq!(both.subscriptions[0].services[0].apis.len(), 1);
    }

    #[test]
    fn open_values_are_listed_and_never_authenticate() {
        let snap = snapshot(vec![
            declared("", &["<unknown: parameters('name')>"], json!({})),
            declared(
                "/apis",
                &["<unknown: parameters('name')>", "a"],
                json!({"subscriptionRequired": "<unknown: parameters('keys')>"}),
            ),
        ]);
        let paths: Vec<(&str, &str)> = snap
            .unknowns
            .iter()
            .map(|u| (u.path.as_str(), u.expression.as_str()))
            .collect();
        assert!(paths.contains(&("name", "parameters('name')")), "{paths:?}");
        assert!(paths.contains(&("properties/subscriptionRequired", "parameters('keys')")));
        let api = &snap.subscriptions[0].services[0].apis[0];
        assert_eq!(api.auth.effective, AuthVerdict::Unknown);
        assert!(snap.complete);
    }

    #[test]
    fn a_declared_service_wins_over_an_existing_reference() {
        let mut existing = declared("", &["s"], json!({}));
        existing.existing = true;
        let real = declared("", &["s"], json!({"virtualNetworkType": "Internal"}));
        let snap = snapshot(vec![existing, real]);
        let svc = &snap.subscriptions[0].services[0];
        assert_eq!(svc.properties["virtualNetworkType"], "Internal");
        assert!(!snap.source.unavailable.contains(&DataKind::ServiceSettings));
    }

    #[test]
    fn what_cannot_be_read_is_a_gap() {
        let snap = snapshot(vec![
            declared(
                "/apis",
                &["s", "a"],
                json!({"format": "openapi-link", "value": "https://x/openapi.json"}),
            ),
            declared(
                "/apis/operations",
                &["s", "a", "op"],
                json!({"method": "GET"}),
            ),
            declared(
                "/apis/operations/policies",
                &["s", "a", "op", "policy"],
                json!({"value": "<policies><inbound /></policies>"}),
            ),
            declared(
                "/apis/policies",
                &["s", "a", "policy"],
                json!({"value": "<unknown: parameters('policy')>"}),
            ),
        ]);
        let gaps: Vec<(&str, &str)> = snap
            .gaps
            .iter()
            .map(|g| (g.what.as_str(), g.error.as_str()))
            .collect();
        assert_eq!(gaps.len(), 2, "{gaps:?}");
        assert!(
            gaps[0]
                .1
                .contains("full operation list is not in the files"),
            "{gaps:?}"
        );
        assert!(gaps[1]
            .1
            .contains("not known before deployment: it depends on parameters('policy')"));
        assert!(!snap.complete);
        let api = &snap.subscriptions[0].services[0].apis[0];
        assert!(
            api.properties.get("value").is_none(),
            "an imported specification is not copied"
        );
        assert_eq!(
            api.auth.effective,
            AuthVerdict::Authenticated,
            "a key is APIM's default"
        );
    }
}
