//! The remediation catalogue: every change `remediate` can make, defined in Rust.
//!
//! A rule names one of these actions in `custom.remediation` (the engine reads it as
//! an [`Action`]); it can never describe a request of its own. Each action here fixes
//! its ARM request (method, resource, api-version, body), the permission it needs and
//! what it costs.

use serde_json::{json, Value};

use crate::collect::{COLLECTIONS_API_VERSION, PRICING_API_VERSION};
pub use crate::engine::Action;

/// The sub-plan used when none is named: Plan 1 (1 million API calls a month).
pub const DEFAULT_SUB_PLAN: &str = "P1";

/// The sub-plans of Defender for APIs (`--sub-plan`).
pub const SUB_PLANS: [&str; 5] = ["P1", "P2", "P3", "P4", "P5"];

/// What each action sends, needs and costs.
impl Action {
    /// The HTTP method of its write.
    pub fn method(self) -> &'static str {
        match self {
            Action::EnablePlan | Action::OnboardApi => "PUT",
            Action::OffboardApi => "DELETE",
        }
    }

    /// The api-version of its requests.
    pub fn api_version(self) -> &'static str {
        match self {
            Action::EnablePlan => PRICING_API_VERSION,
            Action::OnboardApi | Action::OffboardApi => COLLECTIONS_API_VERSION,
        }
    }

    /// The body of its write (`None`: no body).
    pub fn body(self, sub_plan: &str) -> Option<Value> {
        match self {
            Action::EnablePlan => Some(json!({
                "properties": {"pricingTier": "Standard", "subPlan": sub_plan}
            })),
            // The spec defines no body; ARM and third-party tools send an empty object.
            Action::OnboardApi => Some(json!({})),
            Action::OffboardApi => None,
        }
    }

    /// The Azure RBAC action its write needs on the target's scope.
    pub fn permission(self) -> &'static str {
        match self {
            Action::EnablePlan => "Microsoft.Security/pricings/write",
            Action::OnboardApi => "Microsoft.Security/apiCollections/write",
            Action::OffboardApi => "Microsoft.Security/apiCollections/delete",
        }
    }

    /// What the change costs or risks, as the plan states it.
    pub fn cost(self) -> &'static str {
        match self {
            Action::EnablePlan => "billed per subscription: the sub-plan's monthly API calls, and calls beyond them billed subscription-wide",
            Action::OnboardApi => "raises the gateway's load (Microsoft: in extreme cases an outage), so batched behind a Capacity check; its calls count toward the plan",
            Action::OffboardApi => "none billed; Defender for APIs stops watching the API (no alerts, inventory or data classification)",
        }
    }
}

/// The ARM id of a subscription's Defender for APIs plan.
pub fn plan_id(subscription: &str) -> String {
    format!("/subscriptions/{subscription}/providers/Microsoft.Security/pricings/Api")
}

/// The ARM id of the Defender for APIs collection of the API `api` of `service`.
pub fn collection_id(service: &str, api: &str) -> String {
    format!("{service}/providers/Microsoft.Security/apiCollections/{api}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_are_their_serialized_form() {
        for id in Action::ALL.map(Action::id) {
            assert_eq!(Action::from_id(id).map(Action::id), Some(id));
            let json = serde_json::to_string(&Action::from_id(id)).unwrap();
            assert_eq!(json, format!("\"{id}\""));
        }
        assert_eq!(Action::from_id("defender.delete_api"), None);
    }

    #[test]
    fn requests() {
        assert_eq!(
            Action::EnablePlan.body("P2"),
            Some(json!({"properties": {"pricingTier": "Standard", "subPlan": "P2"}}))
        );
        assert_eq!(Action::OffboardApi.body("P1"), None);
        assert_eq!(
            collection_id("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/x", "echo"),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/x/providers/Microsoft.Security/apiCollections/echo"
        );
        assert_eq!(
            plan_id("s"),
            "/subscriptions/s/providers/Microsoft.Security/pricings/Api"
        );
    }
}
