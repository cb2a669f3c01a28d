//! Serde types of the schema-v1 snapshot (field names are camelCase, as in ARM).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An arbitrary JSON object kept verbatim (for example an ARM `properties` object).
pub type JsonObject = Map<String, Value>;

/// The whole snapshot of one estate at one point in time.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Major version of this contract; this build reads version 1 and refuses others.
    pub schema_version: u32,
    /// Minor version: what was added to version 1 without changing the meaning of any
    /// field (0 when absent: a snapshot written before minors existed). A newer minor
    /// is read, and what this build does not know of it is named on standard error.
    #[serde(default)]
    pub schema_minor: u32,
    /// The additive parts of the contract the writer filled, by name (for example
    /// `callPaths`), so that a reader can say which ones it does not know.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schema_features: Vec<String>,
    /// When the data was read (RFC 3339, UTC). Rules use it as "now".
    pub collected_at: String,
    /// Where the data came from.
    pub source: Source,
    /// False when anything could not be read; see `gaps`.
    pub complete: bool,
    /// What could not be read, one entry per failed scope.
    pub gaps: Vec<Gap>,
    /// Every Azure subscription that was read.
    pub subscriptions: Vec<Subscription>,
    /// IaC only: settings the files leave open until deployment (a parameter without a
    /// value, `reference()`, …). Each such value reads `<unknown: EXPRESSION>` where it
    /// stands in the snapshot; rules must not treat it as compliant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknowns: Vec<UnknownValue>,
    /// Live collections with `collect --since` only (schema 1.2): what was carried over
    /// from the previous snapshot, from when, and what was read in full and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incremental: Option<Incremental>,
    /// Set only in a shard of a collection (`collect --shard K/N`, schema 1.2, feature
    /// `shards`): the snapshot then holds that shard's services and the subscriptions
    /// they are in, part of the estate; `apimguard merge` joins the shards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<super::ShardRecord>,
}

/// How an incremental collection (`collect --since`) was made (schema 1.2, feature
/// `incremental`): the parts carried over from the previous snapshot unread, and the
/// parts read in full with the reason. Everything else was read as in a full collection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Incremental {
    /// The `collectedAt` of the previous snapshot.
    pub since: String,
    /// Start of the activity-log window read (`since` less the safety margin); null
    /// when nothing could be carried over (everything was read).
    pub activity_log_from: Option<String>,
    /// The services carried over: their resources under the service were not read again.
    pub carried_over: Vec<CarriedService>,
    /// The parts read in full, and why (`/` is the whole collection).
    pub read_in_full: Vec<FullRead>,
}

/// A service carried over from the previous snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CarriedService {
    /// The service's ARM id.
    pub service: String,
    /// When its carried data was last read from ARM (RFC 3339, UTC).
    pub read_at: String,
}

/// A part of the estate an incremental collection read in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FullRead {
    /// The ARM id of the part (a service or a subscription), or `/` for everything.
    pub scope: String,
    /// Why it was read in full.
    pub reason: String,
}

/// The origin of a snapshot.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// `arm` (live Azure), `iac` (templates or APIOps files) or `fixture` (hand-made).
    pub kind: SourceKind,
    /// Azure cloud name, for example `AzureCloud` or `AzureUSGovernment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<String>,
    /// Entra tenant the data was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Kinds of data this source cannot know (see [`DataKind`]): rules that need one of
    /// them are reported as not applicable instead of passing or failing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<DataKind>,
    /// Collector-specific details (scope, files read, tool version).
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// A kind of data that some sources cannot provide, and some rules need.
///
/// A rule names what it needs in its METADATA (`custom.needs`); a snapshot names what
/// its source lacks (`source.unavailable`). IaC files, for instance, say nothing about
/// what Defender for APIs observed at run time.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum DataKind {
    /// The service resource's own settings (SKU, `properties`, identity, zones,
    /// tenant access): absent when the files only add to an existing service.
    ServiceSettings,
    /// The Defender for APIs plan of the subscription (`Microsoft.Security/pricings/Api`).
    DefenderPlan,
    /// Which APIs are onboarded to Defender for APIs (`Microsoft.Security/apiCollections`).
    DefenderOnboarding,
    /// What Defender for APIs observed: endpoint counters, sensitivity, collection state.
    DefenderFindings,
    /// Defender for APIs alerts.
    Alerts,
    /// Defender for Cloud recommendations (assessments).
    Recommendations,
    /// The gateway-load metric (`capacityPercent`).
    Capacity,
    /// State Azure computes: platform version, certificate expiry, Key Vault refresh status.
    RuntimeState,
}

impl DataKind {
    /// Every kind, in declaration order.
    pub const ALL: [DataKind; 8] = [
        DataKind::ServiceSettings,
        DataKind::DefenderPlan,
        DataKind::DefenderOnboarding,
        DataKind::DefenderFindings,
        DataKind::Alerts,
        DataKind::Recommendations,
        DataKind::Capacity,
        DataKind::RuntimeState,
    ];

    /// The name used in METADATA and in snapshots, e.g. `defender-findings`.
    pub fn as_str(self) -> &'static str {
        match self {
            DataKind::ServiceSettings => "service-settings",
            DataKind::DefenderPlan => "defender-plan",
            DataKind::DefenderOnboarding => "defender-onboarding",
            DataKind::DefenderFindings => "defender-findings",
            DataKind::Alerts => "alerts",
            DataKind::Recommendations => "recommendations",
            DataKind::Capacity => "capacity",
            DataKind::RuntimeState => "runtime-state",
        }
    }

    /// The kind named `name` (as in [`DataKind::as_str`]).
    pub fn named(name: &str) -> Option<DataKind> {
        DataKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// The kind of source a snapshot was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Read live from Azure Resource Manager.
    Arm,
    /// Read from infrastructure-as-code files.
    Iac,
    /// Written by hand (tests, demos).
    Fixture,
}

impl SourceKind {
    /// Its name in the snapshot (`arm`, `iac`, `fixture`).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Arm => "arm",
            SourceKind::Iac => "iac",
            SourceKind::Fixture => "fixture",
        }
    }
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something the collector could not read.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Gap {
    /// The ARM id (or file) whose data is missing.
    pub scope: String,
    /// What could not be read there, for example `apis` or `policy`.
    pub what: String,
    /// Why, as a person can act on it.
    pub error: String,
}

/// One Azure subscription and everything read under it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// The subscription GUID.
    pub subscription_id: String,
    /// Display name (informational: everything is keyed by id).
    #[serde(default)]
    pub display_name: String,
    /// The Defender for APIs plan (`Microsoft.Security/pricings/Api`); null when unknown.
    pub defender_for_apis: Option<DefenderPlan>,
    /// The Defender CSPM plan (`Microsoft.Security/pricings/CloudPosture`) and its API
    /// security posture extension (schema 1.2, feature `defenderCspm`); absent when not
    /// read (a gap, a cloud without the plan, an older snapshot, or IaC files that do not
    /// declare it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defender_cspm: Option<DefenderCspm>,
    /// API Management services in the subscription.
    pub services: Vec<Service>,
    /// Defender for Cloud assessments about these resources.
    pub recommendations: Vec<Recommendation>,
    /// Defender for APIs alerts (`API_*` alert types).
    pub alerts: Vec<Alert>,
    /// The Azure Policy exemptions that cover a service of the subscription or a resource
    /// in one (schema 1.3, feature `azureExemptions`); absent when not read (a gap, an
    /// older snapshot), which is not the same as none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_exemptions: Option<Vec<AzureExemption>>,
}

/// An Azure Policy exemption (`Microsoft.Authorization/policyExemptions`), as read: it
/// waives a finding only with `check --honor-azure-exemptions`, and never when expired
/// or unscoped (docs/audits.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AzureExemption {
    /// The exemption's ARM id.
    pub id: String,
    /// Where it applies: its id before `/providers/Microsoft.Authorization/`, the
    /// resource, resource group, subscription or management group it covers with
    /// everything under it.
    pub scope: String,
    /// The policy (or initiative) assignment it exempts from.
    #[serde(default)]
    pub policy_assignment_id: String,
    /// Which policies of an initiative assignment it exempts from; empty: all of them.
    #[serde(default)]
    pub policy_definition_reference_ids: Vec<String>,
    /// `Waiver` (the risk is accepted) or `Mitigated` (handled another way).
    #[serde(default)]
    pub category: String,
    /// Its display name (at most 256 characters).
    #[serde(default)]
    pub display_name: String,
    /// Why it was granted (at most 1024 characters, credentials masked).
    #[serde(default)]
    pub description: String,
    /// When it expires (RFC 3339), if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
    /// Who created it (`systemData.createdBy`, at most 256 characters).
    #[serde(default)]
    pub created_by: String,
    /// When it was created (RFC 3339), if Azure said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// State of the Defender for APIs plan on a subscription.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DefenderPlan {
    /// True when `pricingTier` is `Standard`.
    pub enabled: bool,
    /// `Free` or `Standard`.
    pub pricing_tier: Option<String>,
    /// `P1` … `P5` when enabled.
    #[serde(default)]
    pub sub_plan: Option<String>,
    /// Where the pricing was declared (IaC snapshots only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// State of the Defender CSPM plan on a subscription.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DefenderCspm {
    /// True when `pricingTier` is `Standard`.
    pub enabled: bool,
    /// `Free` or `Standard`.
    pub pricing_tier: Option<String>,
    /// Whether the plan's `ApiPosture` extension (API security posture management) is
    /// enabled: false when the plan does not list it.
    pub api_posture: bool,
    /// Where the pricing was declared (IaC snapshots only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// One API Management service.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// Full ARM resource id.
    pub id: String,
    /// Service name.
    pub name: String,
    /// Resource group name.
    pub resource_group: String,
    /// Azure region.
    pub location: String,
    /// Pricing tier and units.
    pub sku: Sku,
    /// The ARM `properties` object, verbatim.
    pub properties: JsonObject,
    /// Managed identity block of the service, verbatim (null when none).
    #[serde(default)]
    pub identity: Option<Value>,
    /// Availability zones of the primary location (the ARM resource's top-level `zones`).
    #[serde(default)]
    pub zones: Vec<String>,
    /// Parsed service-level (global) policy; null when the service has none.
    pub policy: Option<Policy>,
    /// Latest `Capacity` metric in percent; null when not collected.
    pub capacity_percent: Option<f64>,
    /// Direct management API (`tenant/access`) setting; null when not read.
    #[serde(default)]
    pub tenant_access: Option<TenantAccess>,
    /// The Git configuration endpoint (`tenant/gitAccess`) setting (schema 1.2, feature
    /// `gitAccess`); absent when not read (a gap, a tier without it, an older snapshot,
    /// or IaC files that do not declare it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_access: Option<TenantAccess>,
    /// Where the service's logs go (schema 1.2, feature `logging`); absent when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    /// APIs (current revisions).
    pub apis: Vec<Api>,
    /// Products.
    pub products: Vec<Product>,
    /// APIM subscriptions (metadata only, never keys).
    pub apim_subscriptions: Vec<Resource>,
    /// Backends.
    pub backends: Vec<Resource>,
    /// Named values (metadata only, never values).
    pub named_values: Vec<Resource>,
    /// Self-hosted gateways and the APIs they serve.
    pub gateways: Vec<Gateway>,
    /// Workspaces and the APIs they hold.
    pub workspaces: Vec<Workspace>,
    /// The effective policies of the service's call paths (see [`CallPath`]), by id: each
    /// distinct one once, however many paths and operations run it (schema 1.1).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub effective_policies: BTreeMap<String, EffectivePolicy>,
    /// Credentials written into URLs of the service's resources (an API's `serviceUrl`, a
    /// backend's `url`, …): where they are, never their values, which are redacted.
    /// Computed by apimguard whenever it reads a snapshot, so a snapshot that lacks it
    /// (an older one) is judged the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credentials_in_urls: Vec<UrlCredential>,
    /// The named values whose name or display name names a credential (schema 1.2),
    /// judged by words (`db-password-prod` does, `bypass` does not). Computed by
    /// apimguard whenever it reads a snapshot, so a snapshot cannot set it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credential_named_values: Vec<CredentialNamedValue>,
    /// Where this resource was declared (IaC snapshots only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A named value called like a credential (`service.credentialNamedValues`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialNamedValue {
    /// The named value's ARM id.
    pub id: String,
    /// The word of its name that names a credential, in lower case (`password`, `key`).
    pub word: String,
}

/// A credential written into a URL of a resource's settings (its value is never kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UrlCredential {
    /// The resource whose setting holds the URL (ARM id).
    pub resource: String,
    /// The setting's path in the resource, for example `properties/serviceUrl`.
    pub path: String,
    /// What carries it: the query (or fragment) parameter, such as `code`, `sig` or
    /// `key`, or `userinfo` for the password of `user:password@`.
    pub parameter: String,
}

/// Service pricing tier.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sku {
    /// `Consumption`, `Developer`, `Basic`, `Standard`, `Premium`, `BasicV2`, `StandardV2`, …
    pub name: String,
    /// Scale units.
    #[serde(default)]
    pub capacity: Option<u32>,
}

/// A tenant access setting of a service: the direct management API (`tenant/access`)
/// or the Git configuration endpoint (`tenant/gitAccess`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantAccess {
    /// Whether the endpoint is enabled.
    pub enabled: bool,
}

/// Where a service's logs go (schema 1.2, feature `logging`): each list is null when it
/// could not be read (a gap) or, in IaC snapshots, when the files declare none.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Logging {
    /// Azure Monitor diagnostic settings of the service
    /// (`Microsoft.Insights/diagnosticSettings`): `properties` verbatim (`logs`,
    /// `workspaceId`, `storageAccountId`, `eventHubAuthorizationRuleId`, …).
    pub diagnostic_settings: Option<Vec<Resource>>,
    /// API Management diagnostics (`applicationinsights`, `azuremonitor`, …) of the
    /// service and of its APIs (`…/apis/{api}/diagnostics/{name}`): what each logs.
    pub diagnostics: Option<Vec<Resource>>,
    /// API Management loggers (`loggerType` and the like; credentials never kept).
    pub loggers: Option<Vec<Resource>>,
}

/// An ARM child resource kept verbatim (`properties` as ARM returned them, secrets removed).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// Full ARM resource id.
    pub id: String,
    /// Resource name.
    pub name: String,
    /// The ARM `properties` object.
    pub properties: JsonObject,
    /// Where this resource was declared (IaC snapshots only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A product, with its policy and the APIs it contains.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Full ARM resource id.
    pub id: String,
    /// Product name (its id segment, e.g. `starter`).
    pub name: String,
    /// The ARM `properties` object.
    pub properties: JsonObject,
    /// Parsed product policy; null when none.
    pub policy: Option<Policy>,
    /// Names of the APIs in the product.
    pub apis: Vec<String>,
    /// The groups that see the product in the developer portal (schema 1.2, feature
    /// `productGroups`): `{id, name, properties}` (`displayName`, `builtIn`, `type`);
    /// absent when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<Resource>>,
    /// Where this resource was declared (IaC snapshots only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A self-hosted gateway.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Gateway {
    /// Full ARM resource id.
    pub id: String,
    /// Gateway name.
    pub name: String,
    /// The ARM `properties` object.
    pub properties: JsonObject,
    /// Names of the APIs the gateway serves.
    pub apis: Vec<String>,
    /// Where this resource was declared (IaC snapshots only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A workspace.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    /// Full ARM resource id.
    pub id: String,
    /// Workspace name.
    pub name: String,
    /// The ARM `properties` object.
    pub properties: JsonObject,
    /// Parsed workspace-level policy; null when none (or not read).
    #[serde(default)]
    pub policy: Option<Policy>,
    /// Names of the APIs managed in the workspace.
    pub apis: Vec<String>,
    /// Where this resource was declared (IaC snapshots only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// One API (its current revision).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Api {
    /// Full ARM resource id.
    pub id: String,
    /// API name (its id segment).
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// URL suffix under the gateway.
    pub path: String,
    /// `http`, `https`, `ws`, `wss`.
    pub protocols: Vec<String>,
    /// `http` (REST), `soap`, `graphql`, `websocket`, `grpc`, `odata`.
    #[serde(rename = "type")]
    pub api_type: String,
    /// Whether this is the current revision.
    pub is_current: bool,
    /// Whether callers must present a subscription key.
    pub subscription_required: bool,
    /// The ARM `properties` object, verbatim.
    pub properties: JsonObject,
    /// Parsed API-level policy; null when the API has none.
    pub policy: Option<Policy>,
    /// Operations with their parsed policies.
    pub operations: Vec<Operation>,
    /// Names of the products that contain the API.
    pub products: Vec<String>,
    /// How callers are authenticated, derived from every policy scope.
    pub auth: Auth,
    /// Who can reach the API.
    pub exposure: Exposure,
    /// Defender for APIs state of the API.
    pub defender: ApiDefender,
    /// Every way a call can reach the API, with the policy that runs on it (schema 1.1,
    /// feature `callPaths`; empty in older snapshots).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub call_paths: Vec<CallPath>,
    /// Where this resource was declared (IaC snapshots only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// One API operation.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// Operation name (its id segment).
    pub name: String,
    /// HTTP method (`*` for any).
    pub method: String,
    /// URL template, for example `/users/{id}`.
    pub url_template: String,
    /// Parsed operation policy; null when none.
    pub policy: Option<Policy>,
    /// Where this operation was declared (IaC snapshots only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// The collector's verdict on how an API authenticates its callers.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Auth {
    /// A subscription key is required.
    pub subscription_key: bool,
    /// `validate-jwt` or `validate-azure-ad-token` runs on every call.
    pub jwt_validation: bool,
    /// `validate-client-certificate` (or an equivalent check) runs on every call.
    pub client_certificate: bool,
    /// `check-header` on `Authorization` that compares the value (has `<value>`s) runs on
    /// every call.
    #[serde(default)]
    pub authorization_header_check: bool,
    /// An `ip-filter` policy restricts callers.
    pub ip_filter: bool,
    /// The verdict over all of the above.
    pub effective: AuthVerdict,
    /// The call paths (see [`CallPath::label`]) on which calls are not authenticated, or
    /// not known to be; empty when every path authenticates (schema 1.1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_paths: Vec<String>,
}

/// One way a call can reach an API: with the key of a product that holds it, or on the
/// API's own scope (no product policy runs: no key, or a key scoped to the API or to
/// all APIs), and the effective policy that runs there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallPath {
    /// The product the call goes through (its name), or null for the API's own scope.
    pub product: Option<String>,
    /// Whether a call on this path must carry a subscription key; null when the
    /// setting is not known (an IaC value left open).
    pub subscription_required: Option<bool>,
    /// Whether calls on this path are authenticated.
    pub auth: AuthVerdict,
    /// The id (in the service's `effectivePolicies`) of the effective policy of the
    /// operations without a policy of their own (of the whole API when none has one).
    pub policy: String,
    /// The operations with a policy of their own, and their effective policy on this path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<OperationPath>,
    /// Why the effective policy may be incomplete or wrong (a fragment not in the
    /// snapshot, a scope that could not be read, an omitted section).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncertain: Vec<String>,
}

impl CallPath {
    /// The path for messages: `product "starter"` or `without a product`.
    pub fn label(&self) -> String {
        match &self.product {
            Some(name) => format!("product {name:?}"),
            None => "without a product".to_string(),
        }
    }
}

/// An operation's effective policy on one call path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperationPath {
    /// The operation's name.
    pub operation: String,
    /// The id (in the service's `effectivePolicies`) of its effective policy on the path.
    pub policy: String,
}

/// The policy that runs on a call path: per section, the elements in execution order
/// (global → workspace → product → API → operation, `<base />` and fragments
/// resolved), each nested element right after the element that holds it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EffectivePolicy {
    /// `inbound`: runs on the request.
    pub inbound: Vec<EffectiveElement>,
    /// `backend`: runs around the call to the backend.
    pub backend: Vec<EffectiveElement>,
    /// `outbound`: runs on the response.
    pub outbound: Vec<EffectiveElement>,
    /// `on-error`: runs when an error is raised.
    pub on_error: Vec<EffectiveElement>,
    /// The credentials written as literals in its elements (their values are redacted),
    /// as a policy document's `literalCredentials` (schema 1.2). Computed by apimguard
    /// whenever it reads a snapshot: a list the file carries is replaced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub literal_credentials: Vec<LiteralCredential>,
}

/// One element of an effective policy section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveElement {
    /// Element name, for example `validate-jwt` or `rate-limit-by-key`.
    pub name: String,
    /// The scope whose policy document holds it (or includes the fragment that does).
    pub scope: PolicyScope,
    /// The fragment it comes from (`include-fragment`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fragment: Option<String>,
    /// Nesting level in the section: 0 for a top-level element; a nested one follows the
    /// element that holds it (its `parent`).
    pub depth: u32,
    /// The name of the element that holds it; null at the top level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Whether it runs only on some calls: it is inside a `<choose>` branch.
    pub conditional: bool,
    /// Its attributes, as in the scope's document.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub attributes: Map<String, Value>,
    /// Its text content, when it has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// The scope a policy document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PolicyScope {
    /// The service (global) policy.
    Global,
    /// The workspace policy.
    Workspace,
    /// The product policy.
    Product,
    /// The API policy.
    Api,
    /// The operation policy.
    Operation,
}

/// Whether an API authenticates its callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuthVerdict {
    /// Every call is authenticated.
    Authenticated,
    /// Some or all calls are not authenticated.
    Unauthenticated,
    /// The collector could not tell (for example a `<choose>` decides it).
    Unknown,
}

/// Who can reach an API.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Exposure {
    /// Reachable from the internet.
    pub external: bool,
    /// Gateways serving the API: `managed` and/or self-hosted gateway names.
    pub gateways: Vec<String>,
    /// Workspace holding the API, or null.
    pub workspace: Option<String>,
}

/// Defender for APIs state of one API.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiDefender {
    /// Whether Defender for APIs can protect the API.
    pub eligible: bool,
    /// Why not: `self-hosted-gateway`, `workspace`, `non-rest`, `consumption-sku`; null when eligible.
    pub ineligible_reason: Option<String>,
    /// Whether the API has a Defender apiCollection.
    pub onboarded: bool,
    /// The Defender apiCollection properties, verbatim, or null.
    pub collection: Option<JsonObject>,
    /// Endpoints Defender saw called without authentication (absent when unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unauthenticated_endpoints: Option<u64>,
    /// Endpoints Defender saw called from the internet (absent when unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_endpoints: Option<u64>,
    /// Endpoints with no traffic for 30 days (absent when unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactive_endpoints: Option<u64>,
    /// Endpoints exposing sensitive data (absent when unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive_endpoints: Option<u64>,
    /// Highest Purview sensitivity label seen (absent when unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity_label: Option<String>,
}

/// A parsed APIM policy document of one scope.
///
/// Each section holds its elements in document order, so rules can see where
/// `<base />` stands (what the parent scope contributes) and what comes before it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// `inbound` section, or null when the document has none.
    pub inbound: Option<Vec<PolicyElement>>,
    /// `backend` section, or null when the document has none.
    pub backend: Option<Vec<PolicyElement>>,
    /// `outbound` section, or null when the document has none.
    pub outbound: Option<Vec<PolicyElement>>,
    /// `on-error` section, or null when the document has none.
    pub on_error: Option<Vec<PolicyElement>>,
    /// Policy fragments the document includes (`include-fragment`).
    #[serde(default)]
    pub fragments: Vec<String>,
    /// The credentials written as literals in the document (their values are redacted),
    /// in document order without repeats. Computed by apimguard whenever it reads a
    /// snapshot, so a snapshot that lacks it (an older one) is judged the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub literal_credentials: Vec<LiteralCredential>,
}

/// A credential written as a literal in a policy document (its value is never kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiteralCredential {
    /// The policy statement that holds it, for example `set-header`, `set-body` or
    /// `authentication-basic`.
    pub element: String,
    /// What names it: the header, query parameter, variable, attribute, JSON key or URL
    /// part (`userinfo`), for example `Authorization`, `client_secret` or `password`.
    pub name: String,
    /// Whether it is written inside a policy expression (`@(…)`, `@{…}`).
    #[serde(default)]
    pub expression: bool,
}

/// One element of a policy section.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyElement {
    /// Element name, for example `base`, `validate-jwt`, `rate-limit-by-key`.
    pub name: String,
    /// Attributes; policy expressions are kept as opaque strings.
    #[serde(default)]
    pub attributes: Map<String, Value>,
    /// Child elements in document order.
    #[serde(default)]
    pub children: Vec<PolicyElement>,
    /// Text content (trimmed), when the element has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A Defender for Cloud assessment (recommendation) about a resource.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    /// Assessment ARM id.
    pub id: String,
    /// Assessment key (GUID) or name.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// `Healthy`, `Unhealthy` or `NotApplicable`.
    pub status: String,
    /// Why the status is what it is (`status.cause`): `Exempt` when an Azure exemption
    /// hides the real status behind `NotApplicable`, `OffByPolicy`, …; empty when Azure
    /// gave none. Absent in snapshots older than the `assessmentStatusCause` feature,
    /// where a `NotApplicable` status cannot be told apart from an exemption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_cause: Option<String>,
    /// `High`, `Medium` or `Low`.
    pub severity: String,
    /// The assessed resource's ARM id.
    pub resource_id: String,
}

/// A Defender for APIs security alert.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// Alert ARM id.
    pub id: String,
    /// Alert type, for example `API_AccessFromSuspiciousIP`.
    pub alert_type: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// `High`, `Medium`, `Low` or `Informational`.
    pub severity: String,
    /// `Active`, `InProgress`, `Resolved` or `Dismissed`.
    pub status: String,
    /// The resource the alert is about.
    pub resource_id: String,
    /// When the activity started (RFC 3339).
    #[serde(default)]
    pub start_time_utc: Option<String>,
}

/// Where an IaC resource was declared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Origin {
    /// File path as the reader was given it (relative to the working directory when
    /// given relative, so that it is relative to the repository root in CI).
    pub file: String,
    /// 1-based line number.
    pub line: u32,
    /// Where individual settings of the resource are written, by their path in the
    /// resource (`properties/protocols`, `properties/customProperties/<key>`, `policy`),
    /// so that a finding about one setting can point at its line. IaC readers fill it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, Origin>,
}

impl Origin {
    /// An origin without settings.
    pub fn at(file: impl Into<String>, line: u32) -> Origin {
        Origin {
            file: file.into(),
            line,
            settings: BTreeMap::new(),
        }
    }

    /// Records that the settings at `prefix/<path>` are written on these lines of `file`.
    pub fn add_settings(&mut self, file: &str, prefix: &str, lines: Vec<(String, u32)>) {
        for (path, line) in lines {
            let key = if prefix.is_empty() {
                path
            } else {
                format!("{prefix}/{path}")
            };
            self.settings.insert(key, Origin::at(file, line));
        }
    }

    /// Where the setting at `path` is written: the longest recorded prefix of `path`
    /// (`properties/tls/validateCertificateChain` → `properties/tls`), else the
    /// resource's own line.
    pub fn of_setting(&self, path: &str) -> Origin {
        let mut path = path.trim_matches('/');
        loop {
            if let Some(found) = self.settings.get(path) {
                return Origin::at(found.file.clone(), found.line);
            }
            match path.rfind('/') {
                Some(i) => path = &path[..i],
                None => return Origin::at(self.file.clone(), self.line),
            }
        }
    }
}

/// A setting the IaC files leave open until deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnknownValue {
    /// The resource whose setting it is (ARM id).
    pub resource: String,
    /// Its path in the resource, e.g. `properties/serviceUrl`.
    pub path: String,
    /// The expression that could not be evaluated, e.g. `parameters('backendUrl')`.
    pub expression: String,
    /// Where it is written.
    pub origin: Origin,
}
