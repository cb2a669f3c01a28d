//! Reading the Azure Policy exemptions (`Microsoft.Authorization/policyExemptions`) that
//! cover the services of a subscription: one list per subscription, which holds those
//! made at or above it (management groups) and those made on anything inside it.
//! Whether one waives a finding is the report's decision (`--honor-azure-exemptions`).

use serde_json::Value;

use super::ids::{is_within, text};
use super::Ctx;
use crate::azure::arm::names::{check_path, shown};
use crate::snapshot::AzureExemption;

/// Policy exemptions have no stable api-version; this preview has every field read here.
const EXEMPTIONS_API_VERSION: &str = "2022-07-01-preview";
/// What separates an exemption's scope from its name in its id.
const MARKER: &str = "/providers/microsoft.authorization/policyexemptions/";
/// The scope of an exemption made on a management group.
const MANAGEMENT_GROUP: &str = "/providers/microsoft.management/managementgroups/";
/// Longest display name or creator kept.
const MAX_NAME: usize = 256;
/// Longest description kept.
const MAX_DESCRIPTION: usize = 1024;
/// Most policy definition reference ids kept per exemption (an initiative has hundreds
/// at most; beyond this the exemption is recorded as not readable).
const MAX_REFERENCES: usize = 1000;

/// Reads the exemptions of `subscription` that cover one of `services` or a resource
/// inside one. `None` and a gap when they cannot be read, or when one of them cannot be
/// placed (an id that is not an exemption's): an exemption left out could be one that
/// covers a finding, so the subscription's exemptions are then not known.
pub(crate) async fn read_exemptions(
    ctx: &Ctx<'_>,
    subscription: &str,
    services: &[String],
) -> Option<Vec<AzureExemption>> {
    let scope = format!("/subscriptions/{subscription}");
    let items = ctx
        .list_or_gap(
            &scope,
            "providers/Microsoft.Authorization/policyExemptions",
            EXEMPTIONS_API_VERSION,
            "azureExemptions",
        )
        .await?;
    let mut exemptions = Vec::new();
    for item in &items {
        match exemption(item) {
            Ok(exemption) => {
                if covers_any(&exemption.scope, services) {
                    exemptions.push(exemption);
                }
            }
            Err(problem) => {
                ctx.gaps.add(
                    &scope,
                    "azureExemptions",
                    format!("an item of the policy exemptions list {problem}, so the subscription's exemptions are not known"),
                );
                return None;
            }
        }
    }
    exemptions.sort_by(|a, b| a.id.cmp(&b.id));
    Some(exemptions)
}

/// Whether an exemption made at `scope` (listed for the subscription, so at, above or
/// inside it) covers one of `services` or lies inside one.
fn covers_any(scope: &str, services: &[String]) -> bool {
    scope.to_ascii_lowercase().starts_with(MANAGEMENT_GROUP)
        || services
            .iter()
            .any(|s| is_within(s, scope) || is_within(scope, s))
}

/// One exemption from its ARM JSON, or why it cannot be placed.
fn exemption(item: &Value) -> Result<AzureExemption, String> {
    let id = text(item, "/id");
    let at = id.to_ascii_lowercase().rfind(MARKER).filter(|&at| at > 0);
    let (scope, name) = match at {
        Some(at) => (&id[..at], &id[at + MARKER.len()..]),
        None => ("", ""),
    };
    if name.is_empty() || name.contains('/') || check_path(id).is_err() {
        return Err(format!(
            "has the id `{}`, which is not that of a policy exemption",
            shown(id)
        ));
    }
    let references = match item.pointer("/properties/policyDefinitionReferenceIds") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids)) if ids.len() <= MAX_REFERENCES => ids
            .iter()
            .map(|r| r.as_str().map(|r| bounded(r, MAX_NAME)))
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| format!("`{}` has policyDefinitionReferenceIds that are not all strings", shown(id)))?,
        Some(_) => {
            return Err(format!(
                "`{}` has policyDefinitionReferenceIds that are not a list of at most {MAX_REFERENCES} strings",
                shown(id)
            ))
        }
    };
    let optional =
        |pointer: &str| Some(bounded(text(item, pointer), MAX_NAME)).filter(|t| !t.is_empty());
    Ok(AzureExemption {
        id: id.to_string(),
        scope: scope.to_string(),
        policy_assignment_id: bounded(
            text(item, "/properties/policyAssignmentId"),
            MAX_DESCRIPTION,
        ),
        policy_definition_reference_ids: references,
        category: bounded(text(item, "/properties/exemptionCategory"), MAX_NAME),
        display_name: bounded(text(item, "/properties/displayName"), MAX_NAME),
        description: bounded(text(item, "/properties/description"), MAX_DESCRIPTION),
        expires_on: optional("/properties/expiresOn"),
        created_by: bounded(text(item, "/systemData/createdBy"), MAX_NAME),
        created_at: optional("/systemData/createdAt"),
    })
}

/// `value` cut to `max` characters (an ellipsis marks the cut) without control characters.
fn bounded(value: &str, max: usize) -> String {
    let mut out: String = value
        .chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect();
    if value.chars().filter(|c| !c.is_control()).nth(max).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SERVICE: &str =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim";

    fn item(id: &str) -> Value {
        json!({"id": id, "properties": {"policyAssignmentId": "/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/a",
            "exemptionCategory": "Waiver", "description": "d".repeat(5000), "expiresOn": "2027-01-01T00:00:00Z"},
            "systemData": {"createdBy": "someone@contoso.com"}})
    }

    #[test]
    fn scope_is_the_id_before_the_exemption() {
        let e = exemption(&item(&format!(
            "{SERVICE}/apis/a/providers/Microsoft.Authorization/policyExemptions/x"
        )))
        .unwrap();
        assert_eq!(e.scope, format!("{SERVICE}/apis/a"));
        assert_eq!(e.description.chars().count(), MAX_DESCRIPTION + 1);
        assert_eq!(e.expires_on.as_deref(), Some("2027-01-01T00:00:00Z"));
    }

    #[test]
    fn an_id_that_is_no_exemption_is_refused() {
        for id in [
            "/providers/Microsoft.Authorization/policyExemptions/x",
            "/subscriptions/s/providers/Microsoft.Authorization/policyExemptions/",
            "/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/x",
            "/subscriptions/s/../providers/Microsoft.Authorization/policyExemptions/x",
            "",
        ] {
            assert!(exemption(&item(id)).is_err(), "{id}");
        }
        let mut bad = item("/subscriptions/s/providers/Microsoft.Authorization/policyExemptions/x");
        bad["properties"]["policyDefinitionReferenceIds"] = json!([1]);
        assert!(exemption(&bad).is_err());
    }

    #[test]
    fn only_exemptions_about_the_services_are_kept() {
        let services = [SERVICE.to_string()];
        assert!(covers_any("/subscriptions/s", &services));
        assert!(covers_any("/subscriptions/S/resourceGroups/RG", &services));
        assert!(covers_any(&format!("{SERVICE}/apis/a"), &services));
        assert!(covers_any(
            "/providers/Microsoft.Management/managementGroups/mg",
            &services
        ));
        assert!(!covers_any(
            "/subscriptions/s/resourceGroups/other",
            &services
        ));
        assert!(!covers_any(&format!("{SERVICE}2"), &services));
    }
}
