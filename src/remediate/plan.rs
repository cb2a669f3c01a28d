//! The plan: which catalogue actions fix a report's findings, why, and in what order.
//!
//! A plan is made from a snapshot and the report `check` makes of it, without any
//! Azure call. Each unwaived finding of a rule that names a catalogue action becomes
//! an action on an ARM resource (findings that ask for the same change are merged);
//! every other unwaived finding is listed as manual, with the rule's recommendation.
//!
//! Order: the Defender for APIs plan first (onboarding needs it), then one service
//! after another, most severe first, each service's API actions most severe first.
//! A plan is complete on its own: the journal records it, so `--resume` can replay it
//! without the snapshot.

use std::collections::{BTreeMap, HashMap};

use miette::Diagnostic;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::catalogue::{collection_id, plan_id, Action};
use super::target;
use crate::engine::Severity;
use crate::report::{Report, RuleStatus, SnapshotInfo};
use crate::snapshot::{Api, LoadedSnapshot, Service, Snapshot};

/// Why a plan cannot be made.
#[derive(Debug, Error, Diagnostic)]
pub enum PlanError {
    /// `--rule` names a rule that did not run.
    #[error("--rule {0}: no such rule ran over this snapshot")]
    #[diagnostic(
        code(apimguard::remediate::unknown_rule),
        help("list the rules with `apimguard rules list` (mind --profile and the configuration's disabled rules)")
    )]
    UnknownRule(String),
    /// Rules could not be evaluated, so their findings are unknown.
    #[error("rules could not be evaluated, so what they would fix is unknown:\n{0}")]
    #[diagnostic(
        code(apimguard::remediate::rule_error),
        help("run `apimguard check` on the snapshot to see the errors, fix them, then plan again")
    )]
    RuleErrors(String),
    /// A fix would write a resource the catalogue does not allow: the snapshot's names
    /// or ids do not make a valid target.
    #[error(
        "{location}: refusing {action} for {resource}: {reason}{more}; nothing was planned or sent"
    )]
    #[diagnostic(
        code(apimguard::remediate::target),
        help("a snapshot `apimguard collect` wrote from ARM holds only valid ARM names and ids, so this one was edited or did not come from ARM: collect it again; to plan without this fix, waive its finding in the configuration (--config)")
    )]
    BadTarget {
        /// The snapshot file, the line and the place of the resource in it.
        location: String,
        /// The action, e.g. `defender.onboard_api`.
        action: Action,
        /// The finding's resource (escaped and clipped).
        resource: String,
        /// What is wrong.
        reason: String,
        /// How many more fixes are refused, in words (empty when none).
        more: String,
    },
}

/// Why most manual findings are manual: their rule names no catalogue action.
pub const NO_ACTION: &str = "its rule names no remediation action";

/// The API Management service an action is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRef {
    /// Its ARM id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its pricing tier (decides which load metric the capacity gate reads).
    pub sku: String,
    /// Its gateway load when the snapshot was collected, if read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_percent: Option<f64>,
}

/// The API an action is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiRef {
    /// Its ARM id.
    pub id: String,
    /// Its name (the last segment of its id, and of its collection's id).
    pub name: String,
    /// Its display name.
    pub display_name: String,
}

/// One change of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedAction {
    /// Stable key of the change: the action id and the target, lower-cased.
    pub key: String,
    /// The catalogue action.
    pub action: Action,
    /// The ARM id it writes.
    pub target: String,
    /// The subscription id it is in.
    pub subscription: String,
    /// The service, for API actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceRef>,
    /// The API, for API actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<ApiRef>,
    /// The highest severity of the findings it fixes.
    pub severity: Severity,
    /// The rules whose findings it fixes.
    pub rules: Vec<String>,
    /// Why: one finding message per rule, prefixed with the rule id.
    pub reasons: Vec<String>,
    /// What the change costs or risks.
    pub cost: String,
}

impl PlannedAction {
    /// An action with its key derived from `action` and `target`.
    pub fn new(action: Action, target: String, subscription: String, severity: Severity) -> Self {
        PlannedAction {
            key: PlannedAction::key_of(action, &target),
            action,
            target,
            subscription,
            service: None,
            api: None,
            severity,
            rules: Vec::new(),
            reasons: Vec::new(),
            cost: action.cost().to_string(),
        }
    }

    /// The key of `action` on `target`: the action id and the target, lower-cased.
    pub fn key_of(action: Action, target: &str) -> String {
        format!("{}:{}", action.id(), target.to_ascii_lowercase())
    }

    /// What it does, in a few words, e.g. `onboard API "Echo API" (echo-api) of contoso`.
    pub fn label(&self) -> String {
        match (&self.api, &self.service) {
            (Some(api), Some(service)) => {
                let verb = match self.action {
                    Action::OffboardApi => "offboard",
                    _ => "onboard",
                };
                if api.display_name.is_empty() || api.display_name == api.name {
                    format!("{verb} API {} of {}", api.name, service.name)
                } else {
                    format!(
                        "{verb} API \"{}\" ({}) of {}",
                        api.display_name, api.name, service.name
                    )
                }
            }
            _ => format!(
                "enable the Defender for APIs plan on subscription {}",
                self.subscription
            ),
        }
    }
}

/// A finding no catalogue action fixes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManualFinding {
    /// The rule id.
    pub rule: String,
    /// Its severity.
    pub severity: Severity,
    /// The failing resource.
    pub resource: String,
    /// What is wrong.
    pub message: String,
    /// Why `remediate` leaves it to a person.
    pub why: String,
    /// The rule's advice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<String>,
}

/// What `remediate` would do about a snapshot's findings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// The snapshot it was made from (none for `offboard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotInfo>,
    /// The rules it was limited to (`--rule`); empty: every rule.
    #[serde(default)]
    pub rules: Vec<String>,
    /// The changes, in the order they run.
    pub actions: Vec<PlannedAction>,
    /// Findings left to a person.
    #[serde(default)]
    pub manual: Vec<ManualFinding>,
    /// Findings a waiver covers, left alone.
    #[serde(default)]
    pub waived: usize,
}

/// A step of a run: one subscription-wide action, or one service's API actions in batches.
#[derive(Debug)]
pub enum Stage<'a> {
    /// An action on a whole subscription (the plan).
    Subscription(&'a PlannedAction),
    /// The API actions of one service, in batches.
    Service {
        /// The service.
        service: &'a ServiceRef,
        /// Its actions, `batch_size` at a time.
        batches: Vec<Vec<&'a PlannedAction>>,
    },
}

impl Plan {
    /// Plans the fixes of `report`'s findings about `loaded` (`rules`: only these
    /// rules' findings; empty: all). Every action's target is checked
    /// ([`target::check`]): one that fails refuses the whole plan.
    pub fn build(
        report: &Report,
        loaded: &LoadedSnapshot,
        rules: &[String],
    ) -> Result<Plan, PlanError> {
        let snapshot = &loaded.snapshot;
        let wanted =
            |id: &str| rules.is_empty() || rules.iter().any(|r| r.eq_ignore_ascii_case(id));
        if let Some(unknown) = rules.iter().find(|r| {
            !report
                .results
                .iter()
                .any(|result| result.rule_id.eq_ignore_ascii_case(r))
        }) {
            return Err(PlanError::UnknownRule(unknown.clone()));
        }
        let errors: Vec<String> = report
            .results
            .iter()
            .filter(|r| r.status == RuleStatus::Error && wanted(&r.rule_id))
            .map(|r| {
                format!(
                    "  - {}: {}",
                    r.rule_id,
                    r.error.as_deref().unwrap_or("error")
                )
            })
            .collect();
        if !errors.is_empty() {
            return Err(PlanError::RuleErrors(errors.join("\n")));
        }

        let estate = Estate::index(snapshot);
        let mut actions: BTreeMap<String, PlannedAction> = BTreeMap::new();
        let mut manual = Vec::new();
        let mut waived = 0;
        let mut refused = Vec::new();
        for result in report.results.iter().filter(|r| wanted(&r.rule_id)) {
            let action = result.remediation;
            for finding in &result.findings {
                if finding.waived {
                    waived += 1;
                    continue;
                }
                let resolved = match action {
                    Some(action) => estate.resolve(action, &finding.resource, result.severity),
                    None => Err(NO_ACTION.to_string()),
                };
                match resolved {
                    Ok((planned, place)) => {
                        if let Err(reason) = target::check(&planned) {
                            refused.push((planned.action, place, finding.resource.clone(), reason));
                            continue;
                        }
                        let entry = actions.entry(planned.key.clone()).or_insert(planned);
                        entry.severity = entry.severity.max(result.severity);
                        entry.rules.push(result.rule_id.clone());
                        entry
                            .reasons
                            .push(format!("{}: {}", result.rule_id, finding.message));
                    }
                    Err(why) => manual.push(ManualFinding {
                        rule: result.rule_id.clone(),
                        severity: result.severity,
                        resource: finding.resource.clone(),
                        message: finding.message.clone(),
                        why,
                        recommendation: result.recommendation.clone(),
                    }),
                }
            }
        }
        if let Some((action, place, resource, reason)) = refused.first() {
            return Err(PlanError::BadTarget {
                location: place.locate(loaded),
                action: *action,
                resource: crate::azure::arm::names::shown(resource),
                reason: reason.to_string(),
                more: match refused.len() - 1 {
                    0 => String::new(),
                    n => format!(" (and {n} more fix(es) like it)"),
                },
            });
        }
        let mut actions: Vec<PlannedAction> = actions.into_values().collect();
        drop_conflicts(&mut actions, &mut manual);
        order(&mut actions);
        Ok(Plan {
            snapshot: Some(report.snapshot.clone()),
            rules: rules.to_vec(),
            actions,
            manual,
            waived,
        })
    }

    /// The actions as they run: subscription-wide ones alone, then each service's
    /// actions in batches of `batch_size`.
    pub fn stages(&self, batch_size: usize) -> Vec<Stage<'_>> {
        let mut stages = Vec::new();
        let mut rest = self.actions.as_slice();
        while let Some(first) = rest.first() {
            let Some(service) = &first.service else {
                stages.push(Stage::Subscription(first));
                rest = &rest[1..];
                continue;
            };
            let run = rest
                .iter()
                .take_while(|a| a.service.as_ref().is_some_and(|s| s.id == service.id))
                .count();
            let (mine, others) = rest.split_at(run);
            stages.push(Stage::Service {
                service,
                batches: mine
                    .chunks(batch_size.max(1))
                    .map(|chunk| chunk.iter().collect())
                    .collect(),
            });
            rest = others;
        }
        stages
    }
}

/// Where in the snapshot an action's resource is: a subscription, or an API (indices).
#[derive(Debug, Clone, Copy)]
enum Place {
    Subscription(usize),
    Api(usize, usize, usize),
}

impl Place {
    /// `FILE:LINE (subscriptions[i]…)`: the line is the first one holding the
    /// resource's id (omitted when the id is not found verbatim).
    fn locate(self, loaded: &LoadedSnapshot) -> String {
        let snapshot = &loaded.snapshot;
        let (pointer, id) = match self {
            Place::Subscription(s) => (
                format!("subscriptions[{s}].subscriptionId"),
                &snapshot.subscriptions[s].subscription_id,
            ),
            Place::Api(s, v, a) => (
                format!("subscriptions[{s}].services[{v}].apis[{a}]"),
                &snapshot.subscriptions[s].services[v].apis[a].id,
            ),
        };
        let line = serde_json::to_string(id)
            .ok()
            .and_then(|needle| loaded.text.find(&needle))
            .map(|at| loaded.text[..at].matches('\n').count() + 1);
        let file = loaded.path.display();
        match line {
            Some(line) => format!("{file}:{line} ({pointer})"),
            None => format!("{file} ({pointer})"),
        }
    }
}

/// The snapshot's subscriptions and APIs, by lower-cased id.
struct Estate<'a> {
    subscriptions: Vec<&'a str>,
    apis: HashMap<String, (&'a str, &'a Service, &'a Api, Place)>,
}

impl<'a> Estate<'a> {
    fn index(snapshot: &'a Snapshot) -> Self {
        let mut apis = HashMap::new();
        for (s, sub) in snapshot.subscriptions.iter().enumerate() {
            for (v, service) in sub.services.iter().enumerate() {
                for (a, api) in service.apis.iter().enumerate() {
                    apis.insert(
                        api.id.to_ascii_lowercase(),
                        (
                            sub.subscription_id.as_str(),
                            service,
                            api,
                            Place::Api(s, v, a),
                        ),
                    );
                }
            }
        }
        Estate {
            subscriptions: snapshot
                .subscriptions
                .iter()
                .map(|s| s.subscription_id.as_str())
                .collect(),
            apis,
        }
    }

    /// The change `action` makes for a finding about `resource` and where the resource
    /// is, or why there is no change to make.
    fn resolve(
        &self,
        action: Action,
        resource: &str,
        severity: Severity,
    ) -> Result<(PlannedAction, Place), String> {
        if action == Action::EnablePlan {
            let (index, subscription) = resource
                .strip_prefix("/subscriptions/")
                .and_then(|id| {
                    self.subscriptions
                        .iter()
                        .enumerate()
                        .find(|(_, s)| s.eq_ignore_ascii_case(id))
                })
                .ok_or("its resource is not a subscription of the snapshot")?;
            let planned = PlannedAction::new(
                action,
                plan_id(subscription),
                subscription.to_string(),
                severity,
            );
            return Ok((planned, Place::Subscription(index)));
        }
        let (subscription, service, api, place) = self
            .apis
            .get(&resource.to_ascii_lowercase())
            .ok_or("its resource is not an API of the snapshot")?;
        if let Some(workspace) = &api.exposure.workspace {
            return Err(format!(
                "it is an API of workspace {workspace}, which Defender for APIs does not onboard"
            ));
        }
        if action == Action::OnboardApi && !api.defender.eligible {
            return Err(format!(
                "Defender for APIs cannot protect this API ({})",
                api.defender
                    .ineligible_reason
                    .as_deref()
                    .unwrap_or("not eligible")
            ));
        }
        let mut planned = PlannedAction::new(
            action,
            collection_id(&service.id, &api.name),
            subscription.to_string(),
            severity,
        );
        planned.service = Some(ServiceRef {
            id: service.id.clone(),
            name: service.name.clone(),
            sku: service.sku.name.clone(),
            capacity_percent: service.capacity_percent,
        });
        planned.api = Some(ApiRef {
            id: api.id.clone(),
            name: api.name.clone(),
            display_name: api.display_name.clone(),
        });
        Ok((planned, *place))
    }
}

/// Moves pairs of onboard and offboard of the same collection to the manual list.
fn drop_conflicts(actions: &mut Vec<PlannedAction>, manual: &mut Vec<ManualFinding>) {
    let targets = |action: Action| -> Vec<String> {
        actions
            .iter()
            .filter(|a| a.action == action)
            .map(|a| a.target.to_ascii_lowercase())
            .collect()
    };
    let onboard = targets(Action::OnboardApi);
    let offboard = targets(Action::OffboardApi);
    actions.retain(|a| {
        let target = a.target.to_ascii_lowercase();
        let conflict = onboard.contains(&target) && offboard.contains(&target);
        if conflict {
            for (rule, reason) in a.rules.iter().zip(&a.reasons) {
                manual.push(ManualFinding {
                    rule: rule.clone(),
                    severity: a.severity,
                    resource: a
                        .api
                        .as_ref()
                        .map_or(a.target.clone(), |api| api.id.clone()),
                    message: reason.clone(),
                    why: "rules ask both to onboard and to offboard this API".to_string(),
                    recommendation: None,
                });
            }
        }
        !conflict
    });
}

/// Sorts actions into run order (see the module documentation).
fn order(actions: &mut [PlannedAction]) {
    let mut service_rank: HashMap<String, Severity> = HashMap::new();
    for a in actions.iter() {
        if let Some(service) = &a.service {
            let rank = service_rank.entry(service.id.clone()).or_insert(a.severity);
            *rank = (*rank).max(a.severity);
        }
    }
    actions.sort_by(|a, b| {
        let key = |x: &PlannedAction| {
            let (rank, group) = match &x.service {
                Some(s) => (service_rank[&s.id], s.id.to_ascii_lowercase()),
                None => (x.severity, x.subscription.clone()),
            };
            (
                x.service.is_some(),
                std::cmp::Reverse(rank),
                group,
                std::cmp::Reverse(x.severity),
                x.target.to_ascii_lowercase(),
            )
        };
        key(a).cmp(&key(b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_action(service: &str, api: &str, severity: Severity) -> PlannedAction {
        let mut a = PlannedAction::new(
            Action::OnboardApi,
            collection_id(service, api),
            "s".into(),
            severity,
        );
        a.service = Some(ServiceRef {
            id: service.into(),
            name: service.into(),
            sku: "Premium".into(),
            capacity_percent: None,
        });
        a.api = Some(ApiRef {
            id: format!("{service}/apis/{api}"),
            name: api.into(),
            display_name: api.into(),
        });
        a
    }

    #[test]
    fn plan_first_then_services_by_severity_then_batches() {
        let mut actions = vec![
            api_action("svc-b", "low", Severity::Low),
            api_action("svc-a", "medium", Severity::Medium),
            api_action("svc-b", "critical", Severity::Critical),
            PlannedAction::new(Action::EnablePlan, plan_id("s"), "s".into(), Severity::High),
            api_action("svc-b", "high", Severity::High),
        ];
        order(&mut actions);
        let labels: Vec<String> = actions.iter().map(PlannedAction::label).collect();
        assert_eq!(
            labels,
            [
                "enable the Defender for APIs plan on subscription s",
                "onboard API critical of svc-b",
                "onboard API high of svc-b",
                "onboard API low of svc-b",
                "onboard API medium of svc-a",
            ]
        );
        let plan = Plan {
            snapshot: None,
            rules: Vec::new(),
            actions,
            manual: Vec::new(),
            waived: 0,
        };
        let shape: Vec<Vec<usize>> = plan
            .stages(2)
            .iter()
            .map(|stage| match stage {
                Stage::Subscription(_) => vec![1],
                Stage::Service { batches, .. } => batches.iter().map(Vec::len).collect(),
            })
            .collect();
        assert_eq!(shape, [vec![1], vec![2, 1], vec![1]]);
    }

    #[test]
    fn onboard_and_offboard_of_one_api_are_left_to_a_person() {
        let mut off = api_action("svc", "x", Severity::Low);
        off = PlannedAction {
            key: "other".into(),
            action: Action::OffboardApi,
            cost: Action::OffboardApi.cost().into(),
            rules: vec!["R-2".into()],
            reasons: vec!["R-2: stale".into()],
            ..off
        };
        let mut on = api_action("svc", "x", Severity::High);
        on.rules.push("R-1".into());
        on.reasons.push("R-1: not onboarded".into());
        let keep = api_action("svc", "y", Severity::High);
        let mut actions = vec![on, off, keep];
        let mut manual = Vec::new();
        drop_conflicts(&mut actions, &mut manual);
        assert_eq!(actions.len(), 1);
        assert_eq!(
            manual.iter().map(|m| m.rule.as_str()).collect::<Vec<_>>(),
            ["R-1", "R-2"]
        );
    }
}
