//! Applying a plan, gradually and journalled.
//!
//! The plan's stages run in order: subscription-wide actions one by one, then each
//! service's API actions in batches. Before every action the live state is read again
//! (a change already made is `already-done`, never made twice), and gates may skip it:
//!
//! - **capacity**: before each batch that onboards, the service's gateway load is read,
//!   per region where the metric has regions (the busiest region counts); above
//!   `--max-capacity`, or unreadable (a region without data included), the rest of the
//!   service is skipped;
//! - **plan-off**: an onboarding whose subscription's plan is off (as read now) is
//!   skipped, unless an earlier action of the run enabled the plan;
//! - **cost**: enabling the plan is billed, so it needs `--allow-cost`;
//! - **blast-radius**: once `--max-changes` writes are sent (resumed runs included),
//!   every further change is skipped.
//!
//! `--pause` separates two batches of a service when the first one wrote anything.
//! Every action gets an `intent` line before its calls and a `result` line after them;
//! a journal line that cannot be written stops the run before the call it announces.
//!
//! Right before an action's first call, its target and the fields that must agree with
//! it are checked again and its URLs built and checked ([`target`]); an action that
//! fails is `failed` without any call (the plan and journal readers refuse such plans
//! earlier, so this is the last line of defence).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::actions::{self, Live};
use super::catalogue::{Action, DEFAULT_SUB_PLAN};
use super::journal::{CapacityReading, Entry, Intent, Journal, JournalError};
use super::plan::{Plan, PlannedAction, ServiceRef, Stage};
use super::render;
use super::target::{self, ServiceId};
use crate::azure::{ArmClient, Reporter};
use crate::collect::gateway_load;

/// The gates and pacing of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Whether the plan may be enabled (it is billed).
    pub allow_cost: bool,
    /// The sub-plan to enable: P1 … P5.
    pub sub_plan: String,
    /// Gateway load (percent) above which a service's remaining batches are skipped.
    pub max_capacity: f64,
    /// API actions per batch of one service.
    pub batch_size: u32,
    /// Seconds between two batches of one service.
    pub pause_seconds: u64,
    /// Most writes of the whole run, resumptions included.
    pub max_changes: u32,
    /// Seconds one long-running operation may take.
    pub operation_timeout_seconds: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            allow_cost: false,
            sub_plan: DEFAULT_SUB_PLAN.to_string(),
            max_capacity: 60.0,
            batch_size: 5,
            pause_seconds: 300,
            max_changes: 50,
            operation_timeout_seconds: 600,
        }
    }
}

/// What became of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The change was made.
    Done,
    /// The live state (or the journal of an earlier run) shows it made already.
    AlreadyDone,
    /// A gate held it back.
    Skipped,
    /// ARM refused it or it did not finish.
    Failed,
}

/// The gate that held an action back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gate {
    /// The service's gateway load is too high, or unknown.
    Capacity,
    /// Enabling the plan is billed and `--allow-cost` was not given.
    Cost,
    /// `--max-changes` writes were sent.
    BlastRadius,
    /// The subscription's Defender for APIs plan is off.
    PlanOff,
}

impl Gate {
    /// Its name in the journal and the summary.
    pub fn as_str(self) -> &'static str {
        match self {
            Gate::Capacity => "capacity",
            Gate::Cost => "cost",
            Gate::BlastRadius => "blast-radius",
            Gate::PlanOff => "plan-off",
        }
    }
}

/// The outcome of one action (also the journal's `result` line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// The action's key in the plan.
    pub key: String,
    /// The catalogue action.
    pub action: Action,
    /// The ARM id it writes.
    pub target: String,
    /// What it does, in words.
    pub label: String,
    /// What became of it.
    pub status: Status,
    /// The gate that skipped it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<Gate>,
    /// The HTTP status of its write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<u16>,
    /// Milliseconds its calls took.
    pub duration_ms: u64,
    /// Whether a write was sent (what `--max-changes` counts).
    pub wrote: bool,
    /// How it ended, in words: the reason of a skip, the error of a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Outcome {
    /// An outcome of `action` with nothing but its status.
    pub fn of(action: &PlannedAction, status: Status) -> Outcome {
        Outcome {
            key: action.key.clone(),
            action: action.action,
            target: action.target.clone(),
            label: action.label(),
            status,
            gate: None,
            http: None,
            duration_ms: 0,
            wrote: false,
            detail: None,
        }
    }

    /// A skip of `action` by `gate`, for `reason`.
    pub fn skipped(action: &PlannedAction, gate: Gate, reason: impl Into<String>) -> Outcome {
        Outcome {
            gate: Some(gate),
            detail: Some(reason.into()),
            ..Outcome::of(action, Status::Skipped)
        }
    }
}

/// How many actions ended how.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Changes made.
    pub done: usize,
    /// Changes found made already.
    pub already_done: usize,
    /// Changes a gate held back.
    pub skipped: usize,
    /// Changes that failed.
    pub failed: usize,
    /// Findings left to a person.
    pub manual: usize,
}

impl Counts {
    /// Counts `outcomes`, with `manual` findings beside them.
    pub fn of(outcomes: &[Outcome], manual: usize) -> Counts {
        let count = |status| outcomes.iter().filter(|o| o.status == status).count();
        Counts {
            done: count(Status::Done),
            already_done: count(Status::AlreadyDone),
            skipped: count(Status::Skipped),
            failed: count(Status::Failed),
            manual,
        }
    }

    /// 2 when a change failed; 1 when one was skipped or findings are left to a person; else 0.
    pub fn exit_code(&self) -> u8 {
        if self.failed > 0 {
            2
        } else if self.skipped > 0 || self.manual > 0 {
            1
        } else {
            0
        }
    }
}

/// Runs a plan's actions against ARM.
pub struct Executor<'a> {
    client: &'a ArmClient,
    journal: &'a mut Journal,
    settings: &'a Settings,
    done_before: &'a HashSet<String>,
    reporter: &'a Reporter,
    writes: usize,
    plans: HashMap<String, Result<(bool, String), String>>,
    outcomes: Vec<Outcome>,
}

impl<'a> Executor<'a> {
    /// An executor writing through `client` and recording in `journal`; `done_before`
    /// and `writes_before` are what earlier runs of the journal did.
    pub fn new(
        client: &'a ArmClient,
        journal: &'a mut Journal,
        settings: &'a Settings,
        done_before: &'a HashSet<String>,
        writes_before: usize,
        reporter: &'a Reporter,
    ) -> Self {
        Executor {
            client,
            journal,
            settings,
            done_before,
            reporter,
            writes: writes_before,
            plans: HashMap::new(),
            outcomes: Vec::new(),
        }
    }

    /// Runs every stage of `plan`; stops early only when the journal cannot be written.
    pub async fn run(mut self, plan: &Plan) -> Result<Vec<Outcome>, JournalError> {
        for stage in plan.stages(self.settings.batch_size as usize) {
            match stage {
                Stage::Subscription(action) => self.act(action).await?,
                Stage::Service { service, batches } => self.service(service, &batches).await?,
            }
        }
        Ok(self.outcomes)
    }

    /// One service's batches, each behind the capacity gate when it onboards.
    async fn service(
        &mut self,
        service: &ServiceRef,
        batches: &[Vec<&PlannedAction>],
    ) -> Result<(), JournalError> {
        let service_id = match ServiceId::parse(&service.id) {
            Ok(id) => id,
            Err(reason) => {
                for action in batches.iter().flatten() {
                    let outcome = if self.done_before.contains(&action.key) {
                        done_earlier(action)
                    } else {
                        refused(action, &reason)
                    };
                    self.settle(outcome)?;
                }
                return Ok(());
            }
        };
        let pause = Duration::from_secs(self.settings.pause_seconds);
        let mut wrote = false;
        for (index, batch) in batches.iter().enumerate() {
            if wrote && !pause.is_zero() {
                self.reporter.note(
                    0,
                    format_args!(
                        "pausing {} s before batch {} of {}",
                        pause.as_secs(),
                        index + 1,
                        service.name
                    ),
                );
                tokio::time::sleep(pause).await;
            }
            let onboards = batch
                .iter()
                .any(|a| a.action == Action::OnboardApi && !self.done_before.contains(&a.key));
            if onboards {
                if let Some(reason) = self.capacity_gate(service, &service_id, index + 1).await? {
                    for action in batches[index..].iter().flatten() {
                        let outcome = if self.done_before.contains(&action.key) {
                            done_earlier(action)
                        } else {
                            Outcome::skipped(action, Gate::Capacity, reason.clone())
                        };
                        self.settle(outcome)?;
                    }
                    return Ok(());
                }
            }
            let before = self.writes;
            for action in batch {
                self.act(action).await?;
            }
            wrote = self.writes > before;
        }
        Ok(())
    }

    /// Reads the service's gateway load (its busiest region's); `Some(reason)` when the
    /// batch must not run.
    async fn capacity_gate(
        &mut self,
        service: &ServiceRef,
        service_id: &ServiceId,
        batch: usize,
    ) -> Result<Option<String>, JournalError> {
        let limit = self.settings.max_capacity;
        let mut reading = CapacityReading {
            service: service.id.clone(),
            batch,
            percent: None,
            region: None,
            regions: BTreeMap::new(),
            unsplit: None,
            threshold: limit,
            error: None,
        };
        match &gateway_load(self.client, &service_id.path(), &service.sku).await {
            Ok(Some(load)) => {
                if load.by_region {
                    reading.regions = load
                        .series
                        .iter()
                        .map(|s| (s.region.clone().unwrap_or_default(), s.percent))
                        .collect();
                }
                reading.unsplit = load.split_refused.clone();
                match load.gate() {
                    Ok(peak) => {
                        reading.percent = Some(peak.percent);
                        reading.region = peak.region.map(str::to_string);
                    }
                    Err(why) => reading.error = Some(why),
                }
            }
            Ok(None) => {} // a tier without a load metric (Consumption)
            Err(e) => reading.error = Some(e.to_string()),
        }
        if let Some(refusal) = &reading.unsplit {
            self.reporter.note(
                1,
                format_args!(
                    "{}: Azure Monitor refused the region filter ({refusal}); its load is read whole",
                    service.name
                ),
            );
        }
        self.journal.write(Entry::Capacity(reading.clone()))?;
        let region = |region: &Option<String>| match region {
            Some(region) => format!(" in {region}"),
            None => String::new(),
        };
        let reason = match (reading.percent, reading.error) {
            (Some(p), _) if p > limit => Some(format!(
                "gateway load of {} is {p:.1}%{}, above --max-capacity {limit}%",
                service.name,
                region(&reading.region)
            )),
            (Some(p), _) => {
                self.reporter.note(
                    1,
                    format_args!(
                        "{}: gateway load {p:.1}%{} (limit {limit}%) before batch {batch}",
                        service.name,
                        region(&reading.region)
                    ),
                );
                None
            }
            (None, Some(e)) => Some(format!(
                "the gateway load of {} could not be read ({e}); APIs are not onboarded blind",
                service.name
            )),
            (None, None) => Some(format!(
                "{} reports no gateway load ({} tier); onboard its APIs by hand while watching it",
                service.name, service.sku
            )),
        };
        Ok(reason)
    }

    /// One action: journal check, gates, intent, live read, write, result.
    async fn act(&mut self, action: &PlannedAction) -> Result<(), JournalError> {
        if self.done_before.contains(&action.key) {
            return self.settle(done_earlier(action));
        }
        let urls = match self.urls(action) {
            Ok(urls) => urls,
            Err(reason) => return self.settle(refused(action, &reason)),
        };
        if action.action == Action::OnboardApi {
            match self.plan_on(&action.subscription, &urls.plan).await {
                Ok((true, _)) => {}
                Ok((false, words)) => {
                    return self.settle(Outcome::skipped(
                        action,
                        Gate::PlanOff,
                        format!("the subscription's Defender for APIs plan is off ({words}); enable it first (remediate --allow-cost)"),
                    ))
                }
                Err(error) => {
                    return self.settle(Outcome {
                        detail: Some(format!("the subscription's plan could not be read: {error}")),
                        ..Outcome::of(action, Status::Failed)
                    })
                }
            }
        }
        self.journal.write(Entry::Intent(Intent {
            key: action.key.clone(),
            action: action.action,
            method: action.action.method().to_string(),
            target: action.target.clone(),
        }))?;
        let started = Instant::now();
        let mut outcome = self.attempt(action, &urls.target).await;
        outcome.duration_ms = started.elapsed().as_millis() as u64;
        if outcome.status == Status::Done && action.action == Action::EnablePlan {
            self.plans.insert(
                action.subscription.clone(),
                Ok((true, "enabled by this run".to_string())),
            );
        }
        self.settle(outcome)
    }

    /// The checked URLs of `action`: its target's, and its subscription's plan's.
    fn urls(&self, action: &PlannedAction) -> Result<Urls, target::Refused> {
        let target = target::check(action)?;
        Ok(Urls {
            target: target::url(self.client, &target, action.action.api_version())?,
            plan: target::url(
                self.client,
                &target.subscription_plan(),
                Action::EnablePlan.api_version(),
            )?,
        })
    }

    /// The live read, the gates that depend on it, and the write (at `url`).
    async fn attempt(&mut self, action: &PlannedAction, url: &Url) -> Outcome {
        let timeout = Duration::from_secs(self.settings.operation_timeout_seconds);
        let failed = |http, error: String| Outcome {
            http,
            detail: Some(error),
            ..Outcome::of(action, Status::Failed)
        };
        let already = |detail: String| Outcome {
            detail: Some(detail),
            ..Outcome::of(action, Status::AlreadyDone)
        };
        match actions::live_state(self.client, action, url).await {
            Err(e) => failed(e.status(), format!("could not read its state: {e}")),
            Ok(Live::Done(detail)) => already(detail),
            Ok(Live::Running(collection)) => {
                match actions::finish_earlier(self.client, url, collection, timeout).await {
                    Ok(detail) => already(detail),
                    Err(f) => failed(f.http, f.error),
                }
            }
            Ok(Live::Needed)
                if action.action == Action::EnablePlan && !self.settings.allow_cost =>
            {
                Outcome::skipped(
                    action,
                    Gate::Cost,
                    "enabling the plan is billed per subscription: pass --allow-cost to allow it",
                )
            }
            Ok(Live::Needed) if self.writes >= self.settings.max_changes as usize => {
                Outcome::skipped(
                    action,
                    Gate::BlastRadius,
                    format!(
                        "--max-changes {} reached (resumed runs included)",
                        self.settings.max_changes
                    ),
                )
            }
            Ok(Live::Needed) => {
                self.writes += 1;
                let made = actions::make(
                    self.client,
                    action.action,
                    url,
                    &self.settings.sub_plan,
                    timeout,
                )
                .await;
                match made {
                    Ok(made) => Outcome {
                        http: Some(made.http),
                        wrote: true,
                        detail: Some(made.detail),
                        ..Outcome::of(action, Status::Done)
                    },
                    Err(f) => Outcome {
                        wrote: true,
                        ..failed(f.http, f.error)
                    },
                }
            }
        }
    }

    /// Whether the subscription's plan (at `url`) is on, read once per run (and set by
    /// enabling it).
    async fn plan_on(&mut self, subscription: &str, url: &Url) -> Result<(bool, String), String> {
        if let Some(known) = self.plans.get(subscription) {
            return known.clone();
        }
        let read = actions::plan_state(self.client, url)
            .await
            .map_err(|e| e.to_string());
        self.plans.insert(subscription.to_string(), read.clone());
        read
    }

    /// Records an outcome: the journal (unless an earlier run recorded it), stderr, the list.
    fn settle(&mut self, outcome: Outcome) -> Result<(), JournalError> {
        if !self.done_before.contains(&outcome.key) {
            self.journal.write(Entry::Result(outcome.clone()))?;
        }
        self.reporter.note(0, render::outcome_line(&outcome));
        self.outcomes.push(outcome);
        Ok(())
    }
}

/// The URLs an action sends to, checked.
struct Urls {
    /// Its target's.
    target: Url,
    /// Its subscription's Defender for APIs plan's.
    plan: Url,
}

/// An action refused before any call, for `reason`.
fn refused(action: &PlannedAction, reason: &target::Refused) -> Outcome {
    Outcome {
        detail: Some(format!("refused before any call: {reason}")),
        ..Outcome::of(action, Status::Failed)
    }
}

/// An action an earlier run of the journal finished.
fn done_earlier(action: &PlannedAction) -> Outcome {
    Outcome {
        detail: Some("done by an earlier run (journal)".to_string()),
        ..Outcome::of(action, Status::AlreadyDone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Severity;
    use crate::remediate::catalogue::plan_id;

    #[test]
    fn exit_codes() {
        let action =
            PlannedAction::new(Action::EnablePlan, plan_id("s"), "s".into(), Severity::High);
        let done = Outcome::of(&action, Status::Done);
        let skipped = Outcome::skipped(&action, Gate::Cost, "billed");
        let failed = Outcome::of(&action, Status::Failed);
        assert_eq!(Counts::of(std::slice::from_ref(&done), 0).exit_code(), 0);
        assert_eq!(Counts::of(std::slice::from_ref(&done), 3).exit_code(), 1);
        assert_eq!(
            Counts::of(&[done.clone(), skipped.clone()], 0).exit_code(),
            1
        );
        assert_eq!(Counts::of(&[skipped, failed], 0).exit_code(), 2);
        assert_eq!(
            Counts::of(&[done], 2),
            Counts {
                done: 1,
                manual: 2,
                ..Counts::default()
            }
        );
    }
}
