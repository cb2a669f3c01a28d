//! The catalogue's actions against live ARM: read the target's state first (so that a
//! change already made is never made twice), then write and wait for the outcome.
//!
//! Every function here takes the URLs it sends to already checked
//! ([`super::target::url`]); none builds one from text.

use std::time::Duration;

use reqwest::Url;
use serde_json::Value;

use super::catalogue::Action;
use super::plan::PlannedAction;
use crate::azure::arm::{provisioning_state, Finished, Written};
use crate::azure::{ArmClient, ArmError};

/// What the live state says before an action.
#[derive(Debug)]
pub enum Live {
    /// The change is needed.
    Needed,
    /// Nothing to do, and why.
    Done(String),
    /// A write an earlier run sent is still running; its resource as read.
    Running(Value),
}

/// A write that went through.
#[derive(Debug)]
pub struct Made {
    /// The HTTP status of the write.
    pub http: u16,
    /// How it ended, in words.
    pub detail: String,
}

/// A write that did not go through.
#[derive(Debug)]
pub struct Failure {
    /// The HTTP status of the write, when ARM answered it.
    pub http: Option<u16>,
    /// What went wrong.
    pub error: String,
}

/// The Defender for APIs plan of a subscription (at `url`) as read now: whether it is
/// on, and its tier and sub-plan in words.
pub async fn plan_state(client: &ArmClient, url: &Url) -> Result<(bool, String), ArmError> {
    let Some(pricing) = client.get_optional(url).await? else {
        return Ok((false, "the plan does not exist here".to_string()));
    };
    let field = |name: &str| {
        pricing
            .pointer(&format!("/properties/{name}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let tier = field("pricingTier");
    let on = tier.eq_ignore_ascii_case("Standard");
    let sub_plan = field("subPlan");
    let words = match (tier.as_str(), sub_plan.as_str()) {
        ("", _) => "no pricing tier".to_string(),
        (tier, "") => format!("pricing tier {tier}"),
        (tier, sub_plan) => format!("pricing tier {tier}, sub-plan {sub_plan}"),
    };
    Ok((on, words))
}

/// Reads the target of `action` (at `url`) and says whether the change is still needed.
pub async fn live_state(
    client: &ArmClient,
    action: &PlannedAction,
    url: &Url,
) -> Result<Live, ArmError> {
    if action.action == Action::EnablePlan {
        let (on, words) = plan_state(client, url).await?;
        return Ok(if on {
            Live::Done(format!("the plan is already on ({words}); left as it is"))
        } else {
            Live::Needed
        });
    }
    let found = client.get_optional(url).await?;
    Ok(match (action.action, found) {
        (Action::OffboardApi, None) => Live::Done("no collection: already offboarded".to_string()),
        (Action::OffboardApi, Some(_)) | (_, None) => Live::Needed,
        (_, Some(collection)) => match provisioning_state(Some(&collection)) {
            None | Some("Succeeded") => Live::Done("already onboarded".to_string()),
            Some("Failed" | "Canceled" | "Cancelled") => Live::Needed,
            Some(_) => Live::Running(collection),
        },
    })
}

/// Waits for an operation an earlier run started on the resource at `url`
/// (`collection` as read now).
pub async fn finish_earlier(
    client: &ArmClient,
    url: &Url,
    collection: Value,
    timeout: Duration,
) -> Result<String, Failure> {
    let finished = client
        .finish(&Written::read_back(collection), url, timeout)
        .await
        .map_err(|e| failure(None, e))?;
    settled(None, &finished).map(|done| format!("an earlier run's operation {done}"))
}

/// Makes the change (`kind` at `url`): the write, then the wait for its long-running
/// operation.
pub async fn make(
    client: &ArmClient,
    kind: Action,
    url: &Url,
    sub_plan: &str,
    timeout: Duration,
) -> Result<Made, Failure> {
    let written = match kind.body(sub_plan) {
        Some(body) => client.put(url, &body).await,
        None => client.delete(url).await,
    }
    .map_err(|e| failure(e.status(), e))?;
    let http = Some(written.status);
    if kind == Action::EnablePlan {
        let tier = written
            .body
            .as_ref()
            .and_then(|b| b.pointer("/properties/pricingTier"))
            .and_then(Value::as_str);
        if !tier.is_some_and(|t| t.eq_ignore_ascii_case("Standard")) {
            return Err(Failure {
                http,
                error: format!(
                    "ARM accepted the write but answered pricing tier {}",
                    tier.unwrap_or("(none)")
                ),
            });
        }
    }
    let finished = client
        .finish(&written, url, timeout)
        .await
        .map_err(|e| failure(http, e))?;
    let detail = settled(http, &finished)?;
    Ok(Made {
        http: written.status,
        detail,
    })
}

/// The words for a finished operation, or the failure it is.
fn settled(http: Option<u16>, finished: &Finished) -> Result<String, Failure> {
    let polls = match finished.polls {
        0 => String::new(),
        1 => " after 1 poll".to_string(),
        n => format!(" after {n} polls"),
    };
    if finished.succeeded() {
        Ok(format!("{}{polls}", finished.state))
    } else {
        Err(Failure {
            http,
            error: format!(
                "the operation ended {}{polls}{}",
                finished.state,
                finished
                    .error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ),
        })
    }
}

fn failure(http: Option<u16>, error: ArmError) -> Failure {
    Failure {
        http,
        error: error.to_string(),
    }
}
