//! The remediation actions a rule may name in `custom.remediation`: the names of the
//! remediation catalogue (whose requests, permissions and costs `remediate` defines).
//! A rule can name one of these and nothing else.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An action of the remediation catalogue, by the name rules use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Action {
    /// PUT `/subscriptions/{id}/providers/Microsoft.Security/pricings/Api` with
    /// `pricingTier: Standard` and a sub-plan. Billed per subscription.
    #[serde(rename = "defender.enable_plan")]
    EnablePlan,
    /// PUT `{service}/providers/Microsoft.Security/apiCollections/{api}`, a long-running
    /// operation. Raises the gateway's load.
    #[serde(rename = "defender.onboard_api")]
    OnboardApi,
    /// DELETE `{service}/providers/Microsoft.Security/apiCollections/{api}`.
    #[serde(rename = "defender.offboard_api")]
    OffboardApi,
}

impl Action {
    /// Every action, in the order a plan runs them (the plan before the APIs).
    pub const ALL: [Action; 3] = [Action::EnablePlan, Action::OnboardApi, Action::OffboardApi];

    /// The id rules use in `custom.remediation`.
    pub fn id(self) -> &'static str {
        match self {
            Action::EnablePlan => "defender.enable_plan",
            Action::OnboardApi => "defender.onboard_api",
            Action::OffboardApi => "defender.offboard_api",
        }
    }

    /// The action a rule's `custom.remediation` names, if it is one of the catalogue's.
    pub fn from_id(id: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.id() == id)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
