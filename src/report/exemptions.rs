//! Azure Policy exemptions beside the findings they cover (docs/audits.md#azure-exemptions).
//!
//! An exemption covers a finding when its scope holds the finding's resource and it
//! exempts from one of the Azure Policy definitions the rule maps to (METADATA
//! `frameworks.azure-policy`): one of its `policyDefinitionReferenceIds` is that
//! definition's name or id. One without reference ids exempts from a whole assignment
//! and is shown beside every finding of a mapped rule it holds. It waives only when the
//! run honours Azure exemptions, and never when expired or unscoped.

use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};

use super::model::{service_of, AppliedWaiver};
use crate::snapshot::AzureExemption;

/// The scope of an exemption made on a management group (above every subscription).
const MANAGEMENT_GROUP: &str = "/providers/microsoft.management/managementgroups/";

/// An Azure exemption shown beside a finding, and whether it waives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExemptionNote {
    /// The exemption's ARM id.
    pub id: String,
    /// Its display name.
    pub display_name: String,
    /// `Waiver` or `Mitigated`.
    pub category: String,
    /// Why it was granted.
    pub description: String,
    /// Who created it.
    pub created_by: String,
    /// When it expires (RFC 3339), if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
    /// What it does to the finding.
    pub state: ExemptionState,
}

/// What an Azure exemption does to a finding it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExemptionState {
    /// The run honours Azure exemptions and this one is in force: the finding is waived.
    Honoured,
    /// Recorded in Azure, not honoured (the run was not asked to): the finding stands.
    NotHonoured,
    /// Past its expiry (or with one that is not a date): it never waives.
    Expired,
    /// Broader than the resource (made on a resource group, subscription or management
    /// group, or exempting from a whole assignment): it never waives.
    Unscoped,
}

impl ExemptionNote {
    /// One line for the text formats: what, who, why, until when, and its effect.
    pub fn describe(&self) -> String {
        let name = if self.display_name.is_empty() {
            self.id.rsplit('/').next().unwrap_or_default()
        } else {
            &self.display_name
        };
        let by = if self.created_by.is_empty() {
            "unknown"
        } else {
            &self.created_by
        };
        let expiry = self.expires_on.as_deref().unwrap_or("never");
        let effect = match self.state {
            ExemptionState::Honoured => "honoured: the finding is waived",
            ExemptionState::NotHonoured => {
                "recorded in Azure, not honoured (--honor-azure-exemptions)"
            }
            ExemptionState::Expired => "expired: it waives nothing",
            ExemptionState::Unscoped => {
                "unscoped (broader than the resource, or the whole assignment): it waives nothing"
            }
        };
        format!(
            "Azure exemption \"{name}\" ({}, by {by}, expires {expiry}): {}; {effect}",
            if self.category.is_empty() {
                "no category"
            } else {
                &self.category
            },
            if self.description.is_empty() {
                "no description"
            } else {
                &self.description
            }
        )
    }

    /// The waiver an honoured exemption is, as every format shows waivers.
    pub fn as_waiver(&self) -> AppliedWaiver {
        AppliedWaiver {
            reason: format!(
                "Azure exemption \"{}\" ({}): {}",
                self.display_name, self.category, self.description
            ),
            owner: self.created_by.clone(),
            expires: self
                .expires_on
                .as_deref()
                .and_then(|e| DateTime::parse_from_rfc3339(e).ok())
                .map_or_else(|| "never".to_string(), |e| e.date_naive().to_string()),
            expired: false,
        }
    }
}

/// The exemptions beside the finding of a rule mapped to `definitions` (Azure Policy
/// definition names) about `resource`, judged on `today`.
pub fn notes(
    exemptions: &[AzureExemption],
    definitions: &[String],
    resource: &str,
    honour: bool,
    today: NaiveDate,
) -> Vec<ExemptionNote> {
    if definitions.is_empty() {
        return Vec::new();
    }
    exemptions
        .iter()
        .filter(|e| holds(&e.scope, resource))
        .filter(|e| {
            e.policy_definition_reference_ids.is_empty()
                || e.policy_definition_reference_ids
                    .iter()
                    .any(|r| definitions.iter().any(|d| names(r, d)))
        })
        .map(|e| ExemptionNote {
            id: e.id.clone(),
            display_name: e.display_name.clone(),
            category: e.category.clone(),
            description: e.description.clone(),
            created_by: e.created_by.clone(),
            expires_on: e.expires_on.clone(),
            state: state(e, resource, honour, today),
        })
        .collect()
}

/// Whether an exemption made at `scope` covers `resource` (ARM ids compare without case).
fn holds(scope: &str, resource: &str) -> bool {
    let (scope, resource) = (
        scope.trim_end_matches('/').to_ascii_lowercase(),
        resource.to_ascii_lowercase(),
    );
    scope.starts_with(MANAGEMENT_GROUP)
        || resource == scope
        || resource.starts_with(&format!("{scope}/"))
}

/// Whether the reference id `reference` names the definition `definition` (its name, or
/// an id ending with it).
fn names(reference: &str, definition: &str) -> bool {
    let reference = reference.to_ascii_lowercase();
    let definition = definition.to_ascii_lowercase();
    reference == definition || reference.ends_with(&format!("/{definition}"))
}

fn state(e: &AzureExemption, resource: &str, honour: bool, today: NaiveDate) -> ExemptionState {
    let expired = e.expires_on.as_deref().is_some_and(|on| {
        DateTime::parse_from_rfc3339(on).map_or(true, |on| on.date_naive() <= today)
    });
    if expired {
        ExemptionState::Expired
    } else if !scoped(e, resource) {
        ExemptionState::Unscoped
    } else if honour {
        ExemptionState::Honoured
    } else {
        ExemptionState::NotHonoured
    }
}

/// Whether `e` is no broader than `resource`: made on its API Management service or
/// below (on the resource itself outside services), for named policy definitions.
fn scoped(e: &AzureExemption, resource: &str) -> bool {
    if e.policy_definition_reference_ids.is_empty() {
        return false;
    }
    let within = service_of(resource).unwrap_or(resource);
    holds(within, &e.scope) && !e.scope.to_ascii_lowercase().starts_with(MANAGEMENT_GROUP)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: &str =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim";
    const DEFINITION: &str = "ee7495e7-3ba7-40b6-bfee-c29e22cc75d4";

    fn exemption(scope: &str, references: &[&str], expires: Option<&str>) -> AzureExemption {
        AzureExemption {
            id: format!("{scope}/providers/Microsoft.Authorization/policyExemptions/x"),
            scope: scope.to_string(),
            policy_assignment_id: String::new(),
            policy_definition_reference_ids: references.iter().map(|r| r.to_string()).collect(),
            category: "Waiver".into(),
            display_name: "x".into(),
            description: "why".into(),
            expires_on: expires.map(str::to_string),
            created_by: "someone".into(),
            created_at: None,
        }
    }

    fn state_of(e: AzureExemption, resource: &str, honour: bool) -> Option<ExemptionState> {
        let today = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        notes(&[e], &[DEFINITION.to_string()], resource, honour, today)
            .first()
            .map(|n| n.state)
    }

    #[test]
    fn a_scoped_exemption_in_force_waives_only_when_honoured() {
        let api = format!("{SERVICE}/apis/a");
        let e = exemption(SERVICE, &[DEFINITION], Some("2027-01-01T00:00:00Z"));
        assert_eq!(
            state_of(e.clone(), &api, true),
            Some(ExemptionState::Honoured)
        );
        assert_eq!(state_of(e, &api, false), Some(ExemptionState::NotHonoured));
        let by_id = exemption(
            SERVICE,
            &[&format!(
                "/providers/Microsoft.Authorization/policyDefinitions/{}",
                DEFINITION.to_uppercase()
            )],
            None,
        );
        assert_eq!(state_of(by_id, &api, true), Some(ExemptionState::Honoured));
    }

    #[test]
    fn expired_and_unscoped_exemptions_never_waive() {
        let api = format!("{SERVICE}/apis/a");
        for (e, expected) in [
            (
                exemption(SERVICE, &[DEFINITION], Some("2026-12-08T23:00:00Z")),
                ExemptionState::Expired,
            ),
            (
                exemption(SERVICE, &[DEFINITION], Some("next year")),
                ExemptionState::Expired,
            ),
            (
                exemption("/subscriptions/s/resourceGroups/rg", &[DEFINITION], None),
                ExemptionState::Unscoped,
            ),
            (
                exemption("/subscriptions/s", &[DEFINITION], None),
                ExemptionState::Unscoped,
            ),
            (
                exemption(
                    "/providers/Microsoft.Management/managementGroups/mg",
                    &[DEFINITION],
                    None,
                ),
                ExemptionState::Unscoped,
            ),
            (exemption(SERVICE, &[], None), ExemptionState::Unscoped),
        ] {
            assert_eq!(state_of(e.clone(), &api, true), Some(expected), "{e:?}");
        }
    }

    #[test]
    fn unrelated_exemptions_are_not_shown() {
        let api = format!("{SERVICE}/apis/a");
        assert_eq!(
            state_of(exemption(SERVICE, &["other"], None), &api, true),
            None
        );
        assert_eq!(
            state_of(
                exemption(&format!("{SERVICE}/apis/b"), &[DEFINITION], None),
                &api,
                true
            ),
            None
        );
        assert_eq!(
            state_of(
                exemption(&format!("{SERVICE}2"), &[DEFINITION], None),
                &api,
                true
            ),
            None
        );
        let today = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        assert!(notes(&[exemption(SERVICE, &[], None)], &[], &api, true, today).is_empty());
    }
}
