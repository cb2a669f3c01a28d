//! Reading Microsoft Defender for Cloud data for one subscription: the Defender for
//! APIs plan, API collections (onboarding and counters), API-related assessments and
//! `API_*` alerts.

use std::collections::HashMap;

use serde_json::Value;

use super::ids::{is_within, text};
use super::Ctx;
use crate::snapshot::{Alert, DefenderCspm, DefenderPlan, JsonObject, Recommendation};

/// Pricings: 2024-01-01 is deployed everywhere and has every field read here.
pub const PRICING_API_VERSION: &str = "2024-01-01";
/// API collections.
pub const COLLECTIONS_API_VERSION: &str = "2023-11-15";
/// Assessments and their metadata.
const ASSESSMENTS_API_VERSION: &str = "2025-05-04";
/// Alerts.
const ALERTS_API_VERSION: &str = "2022-01-01";

/// Reads the `Api` pricing. `None` without a gap when the plan does not exist in this
/// cloud (404); `None` with a gap when it cannot be read.
pub(crate) async fn read_plan(ctx: &Ctx<'_>, subscription: &str) -> Option<DefenderPlan> {
    match read_pricing(ctx, subscription, "Api", "defenderForApis").await? {
        Some(pricing) => Some(plan_of(&pricing)),
        None => {
            no_plan(ctx, subscription);
            None
        }
    }
}

/// Reads the pricing `name` of `subscription`: `Some(None)` when it does not exist in
/// this cloud (404); `None` and a gap (`what`) when it cannot be read.
async fn read_pricing(
    ctx: &Ctx<'_>,
    subscription: &str,
    name: &str,
    what: &str,
) -> Option<Option<Value>> {
    let scope = format!("/subscriptions/{subscription}");
    let url = ctx.client.url(
        &format!("{scope}/providers/Microsoft.Security/pricings/{name}"),
        PRICING_API_VERSION,
        &[],
    );
    match async { ctx.client.get_optional(&url?).await }.await {
        Ok(pricing) => Some(pricing),
        Err(e) => {
            ctx.gaps.add(&scope, what, e);
            None
        }
    }
}

/// The plan of `subscription` as discovery found it (`None`: there is none).
pub(crate) fn known_plan(
    ctx: &Ctx<'_>,
    subscription: &str,
    pricing: Option<Value>,
) -> Option<DefenderPlan> {
    match pricing {
        Some(pricing) => Some(plan_of(&pricing)),
        None => {
            no_plan(ctx, subscription);
            None
        }
    }
}

fn no_plan(ctx: &Ctx<'_>, subscription: &str) {
    ctx.reporter.note(
        1,
        format_args!(
            "/subscriptions/{subscription}: the Defender for APIs plan does not exist here"
        ),
    );
}

/// The plan a `Microsoft.Security/pricings/Api` resource describes.
pub(crate) fn plan_of(pricing: &Value) -> DefenderPlan {
    let tier = pricing
        .pointer("/properties/pricingTier")
        .and_then(Value::as_str);
    DefenderPlan {
        enabled: tier.is_some_and(|t| t.eq_ignore_ascii_case("Standard")),
        pricing_tier: tier.map(str::to_string),
        sub_plan: pricing
            .pointer("/properties/subPlan")
            .and_then(Value::as_str)
            .map(str::to_string),
        origin: None,
    }
}

/// Reads the `CloudPosture` pricing (Defender CSPM). `None` without a gap when the plan
/// does not exist in this cloud (404); `None` with a gap when it cannot be read.
pub(crate) async fn read_cspm(ctx: &Ctx<'_>, subscription: &str) -> Option<DefenderCspm> {
    match read_pricing(ctx, subscription, "CloudPosture", "defenderCspm").await? {
        Some(pricing) => Some(cspm_of(&pricing)),
        None => {
            ctx.reporter.note(
                1,
                format_args!(
                    "/subscriptions/{subscription}: the Defender CSPM plan does not exist here"
                ),
            );
            None
        }
    }
}

/// The plan a `Microsoft.Security/pricings/CloudPosture` resource describes: its
/// `ApiPosture` extension is on only when listed with `isEnabled` true (`"True"`).
pub(crate) fn cspm_of(pricing: &Value) -> DefenderCspm {
    let plan = plan_of(pricing);
    let api_posture = pricing
        .pointer("/properties/extensions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|x| {
            x.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case("ApiPosture"))
        })
        .any(|x| match x.get("isEnabled") {
            Some(Value::Bool(on)) => *on,
            Some(Value::String(on)) => on.eq_ignore_ascii_case("true"),
            _ => false,
        });
    DefenderCspm {
        enabled: plan.enabled,
        pricing_tier: plan.pricing_tier,
        api_posture,
        origin: None,
    }
}

/// Onboarded APIs, by service id and API name (both lower-cased).
#[derive(Debug, Default)]
pub(crate) struct Collections {
    by_api: HashMap<(String, String), JsonObject>,
}

impl Collections {
    /// The collection properties of an API, if it is onboarded.
    pub fn get(&self, service_id: &str, api_name: &str) -> Option<&JsonObject> {
        self.by_api.get(&(
            service_id.to_ascii_lowercase(),
            api_name.to_ascii_lowercase(),
        ))
    }

    /// Records the collection of API `api_name` of the service `service_id`.
    pub fn insert(&mut self, service_id: &str, api_name: &str, properties: JsonObject) {
        self.by_api.insert(
            (
                service_id.to_ascii_lowercase(),
                api_name.to_ascii_lowercase(),
            ),
            properties,
        );
    }
}

/// Reads the API collections of a subscription (or of one resource group).
pub(crate) async fn read_collections(
    ctx: &Ctx<'_>,
    subscription: &str,
    resource_group: Option<&str>,
) -> Collections {
    let scope = match resource_group {
        Some(rg) => format!("/subscriptions/{subscription}/resourceGroups/{rg}"),
        None => format!("/subscriptions/{subscription}"),
    };
    match ctx
        .list_or_gap(
            &scope,
            "providers/Microsoft.Security/apiCollections",
            COLLECTIONS_API_VERSION,
            "apiCollections",
        )
        .await
    {
        Some(items) => collections_of(&items),
        None => Collections::default(),
    }
}

/// The API collections among `items` (resources `…/service/{s}/providers/
/// Microsoft.Security/apiCollections/{api}`, listed by ARM or found by Resource Graph).
pub(crate) fn collections_of(items: &[Value]) -> Collections {
    let mut collections = Collections::default();
    for item in items {
        let id = text(item, "/id");
        let marker = "/providers/microsoft.security/apicollections/";
        let lower = id.to_ascii_lowercase();
        let Some(at) = lower.find(marker) else {
            continue;
        };
        let props = item
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        collections.insert(&lower[..at], &lower[at + marker.len()..], props);
    }
    collections
}

/// Reads the subscription's assessments about resources within `services`.
pub(crate) async fn read_recommendations(
    ctx: &Ctx<'_>,
    subscription: &str,
    services: &[String],
) -> Vec<Recommendation> {
    let scope = format!("/subscriptions/{subscription}");
    match ctx
        .list_or_gap(
            &scope,
            "providers/Microsoft.Security/assessments",
            ASSESSMENTS_API_VERSION,
            "assessments",
        )
        .await
    {
        Some(items) => recommendations_of(ctx, &items, services).await,
        None => Vec::new(),
    }
}

/// The assessments among `items` (listed by ARM or found by Resource Graph) about
/// resources within `services`, each with its severity (from the assessment metadata,
/// read once per run, when the assessment lacks it).
pub(crate) async fn recommendations_of(
    ctx: &Ctx<'_>,
    items: &[Value],
    services: &[String],
) -> Vec<Recommendation> {
    let mut recommendations: Vec<Recommendation> = items
        .iter()
        .filter_map(|item| {
            let id = text(item, "/id");
            let resource_id = match assessed_resource(item) {
                "" => id
                    .split("/providers/Microsoft.Security/assessments/")
                    .next()
                    .unwrap_or_default(),
                resource => resource,
            };
            services
                .iter()
                .any(|s| is_within(resource_id, s))
                .then(|| Recommendation {
                    id: id.to_string(),
                    name: text(item, "/name").to_string(),
                    display_name: text(item, "/properties/displayName").to_string(),
                    status: text(item, "/properties/status/code").to_string(),
                    status_cause: Some(text(item, "/properties/status/cause").to_string()),
                    severity: text(item, "/properties/metadata/severity").to_string(),
                    resource_id: resource_id.to_string(),
                })
        })
        .collect();
    if recommendations.iter().any(|r| r.severity.is_empty()) {
        let severities = ctx.assessment_severities().await;
        for recommendation in recommendations.iter_mut().filter(|r| r.severity.is_empty()) {
            recommendation.severity = match &severities {
                Ok(by_key) => by_key
                    .get(&recommendation.name.to_ascii_lowercase())
                    .cloned(),
                Err(_) => None,
            }
            .unwrap_or_else(|| "Unknown".to_string());
        }
    }
    recommendations
}

/// The id of the resource an assessment is about, `properties.resourceDetails.id`,
/// matched without case (Resource Graph's `securityresources` rows are reported to
/// write `Id`); "" when there is none.
fn assessed_resource(item: &Value) -> &str {
    item.pointer("/properties/resourceDetails")
        .and_then(Value::as_object)
        .and_then(|details| {
            details
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case("id"))
        })
        .and_then(|(_, id)| id.as_str())
        .unwrap_or_default()
}

/// Reads the severity of every assessment type (one tenant-level list per run).
pub(crate) async fn read_assessment_severities(
    ctx: &Ctx<'_>,
) -> Result<HashMap<String, String>, String> {
    let scope = "/providers/Microsoft.Security/assessmentMetadata";
    let url = ctx.client.url(scope, ASSESSMENTS_API_VERSION, &[]);
    match async { ctx.client.list(&url?).await }.await {
        Ok(items) => Ok(items
            .iter()
            .map(|item| {
                (
                    text(item, "/name").to_ascii_lowercase(),
                    text(item, "/properties/severity").to_string(),
                )
            })
            .collect()),
        Err(e) => {
            ctx.gaps.add(scope, "assessmentMetadata", &e);
            Err(e.to_string())
        }
    }
}

/// Reads the subscription's Defender for APIs alerts (`alertType` starting `API_`),
/// keeping those about `services` (or all of them when `whole_subscription`).
pub(crate) async fn read_alerts(
    ctx: &Ctx<'_>,
    subscription: &str,
    services: &[String],
    whole_subscription: bool,
) -> Vec<Alert> {
    let scope = format!("/subscriptions/{subscription}");
    let Some(items) = ctx
        .list_or_gap(
            &scope,
            "providers/Microsoft.Security/alerts",
            ALERTS_API_VERSION,
            "alerts",
        )
        .await
    else {
        return Vec::new();
    };
    items
        .iter()
        .filter(|item| text(item, "/properties/alertType").starts_with("API_"))
        .map(|item| {
            let resource_id = item
                .pointer("/properties/resourceIdentifiers")
                .and_then(Value::as_array)
                .and_then(|ids| {
                    ids.iter()
                        .find(|r| text(r, "/type") == "AzureResource")
                        .map(|r| text(r, "/azureResourceId").to_string())
                })
                .unwrap_or_else(|| text(item, "/properties/compromisedEntity").to_string());
            Alert {
                id: text(item, "/id").to_string(),
                alert_type: text(item, "/properties/alertType").to_string(),
                display_name: text(item, "/properties/alertDisplayName").to_string(),
                severity: text(item, "/properties/severity").to_string(),
                status: text(item, "/properties/status").to_string(),
                start_time_utc: item
                    .pointer("/properties/startTimeUtc")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                resource_id,
            }
        })
        .filter(|alert| {
            whole_subscription || services.iter().any(|s| is_within(&alert.resource_id, s))
        })
        .collect()
}
