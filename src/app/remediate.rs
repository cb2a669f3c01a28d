//! Remediation below the command line: the plan of a snapshot's findings
//! ([`plan_snapshot`]) or of a journal being resumed ([`resume`]), the one-action plan of
//! `offboard` ([`offboard_plan`]), the approval checks before anything is sent
//! ([`Run::approve`]), and the journalled, gradual apply ([`Run::apply`]).
//! `commands/remediate.rs` and `commands/offboard.rs` bind flags to these, ask the person
//! at the terminal, and print.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::Diagnostic;
use thiserror::Error;

use super::check::Checker;
use super::connect::{block_on, connect, CollectUsageError, ConnectOptions, Connection};
use crate::azure::arm::names::Name;
use crate::azure::arm::Limits;
use crate::azure::Reporter;
use crate::engine::Severity;
use crate::remediate::catalogue::collection_id;
use crate::remediate::digest;
use crate::remediate::journal::{self, Entry, RunEnd, RunHeader};
use crate::remediate::plan::{ApiRef, ServiceRef};
use crate::remediate::target::{self, ServiceId};
use crate::remediate::{
    Action, Counts, Executor, Journal, JournalError, Outcome, Plan, PlannedAction, Replay,
    Settings, Who,
};
use crate::snapshot::{self, SourceKind};

/// Refusals before any change.
#[derive(Debug, Error, Diagnostic)]
pub enum RemediateError {
    /// `--apply` without `--yes` where nobody can answer.
    #[error("refusing to apply without confirmation: standard input is not a terminal")]
    #[diagnostic(
        code(apimguard::remediate::unconfirmed),
        help("review the plan (run without --apply), then add --yes to apply it unattended")
    )]
    Unconfirmed,
    /// `--resume` aimed at another ARM endpoint than the journal's run.
    #[error("the journal's run wrote to {journal}, but this run would write to {now}")]
    #[diagnostic(
        code(apimguard::remediate::endpoint),
        help("resume with the --cloud (or --management-endpoint) of the first run")
    )]
    OtherEndpoint {
        /// The endpoint the journal records.
        journal: String,
        /// The endpoint of this run.
        now: String,
    },
    /// A snapshot read from templates or APIOps files: nothing is deployed yet.
    #[error("{path} was read from infrastructure-as-code files, not from Azure: there is nothing deployed to remediate")]
    #[diagnostic(
        code(apimguard::remediate::iac),
        help("fix the templates in the pull request; remediate a snapshot written by `apimguard collect` (live)")
    )]
    IacSnapshot {
        /// The snapshot file.
        path: String,
    },
    /// `--plan-digest` names another plan than the one about to run.
    #[error("the plan about to run is {actual}, not the approved {approved} (--plan-digest): nothing was sent")]
    #[diagnostic(
        code(apimguard::remediate::plan_digest),
        help("the snapshot, the gates or the journal are not the ones approved: print the plan again (without --apply), review it, and pass its digest")
    )]
    OtherPlan {
        /// The digest given.
        approved: String,
        /// The digest of the plan that would run.
        actual: String,
    },
    /// `--resume --yes` without the approved plan's digest.
    #[error("refusing to resume unattended without --plan-digest: the journal alone cannot prove its plan is the one approved")]
    #[diagnostic(
        code(apimguard::remediate::resume_unconfirmed),
        help("pass the `Plan digest` the first run printed (--plan-digest sha256:…), or resume at a terminal without --yes to review the plan and confirm it")
    )]
    ResumeUnconfirmed,
}

/// Arguments that cannot name a collection to offboard.
#[derive(Debug, Error, Diagnostic)]
pub enum OffboardError {
    /// `--service` is not the ARM id of an API Management service.
    #[error("--service is not the ARM id of an API Management service: {0}; nothing was sent")]
    #[diagnostic(
        code(apimguard::offboard::service),
        help("give the service's full id: /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ApiManagement/service/NAME (the `id` of a service in the snapshot)")
    )]
    Service(String),
    /// `--api` is not an API name.
    #[error("--api: {0}; nothing was sent")]
    #[diagnostic(
        code(apimguard::offboard::api),
        help("give the API's name, the last segment of its id (e.g. echo-api, or echo-api;rev=2 for a revision)")
    )]
    Api(String),
}

/// The plan of the fixes of `path`'s findings, checked by `checker` (`rules`: only these
/// rules' findings; empty: all). A snapshot read from IaC files is refused.
pub fn plan_snapshot(
    checker: &Checker,
    path: &Path,
    allow_incomplete: bool,
    rules: &[String],
) -> miette::Result<Plan> {
    let loaded = snapshot::load(path)?;
    if loaded.snapshot.source.kind == SourceKind::Iac {
        return Err(RemediateError::IacSnapshot {
            path: path.display().to_string(),
        }
        .into());
    }
    let report = checker.check(&loaded, allow_incomplete)?;
    Ok(Plan::build(&report, &loaded, rules)?)
}

/// The plan and gates of the journal at `path`, and what it shows done. Permission to
/// spend is asked again, never taken from a file.
pub fn resume(path: &Path) -> miette::Result<(Plan, Settings, Replay)> {
    let replay = journal::replay(path)?;
    let plan = replay.header.plan.clone();
    let settings = Settings {
        allow_cost: false,
        ..replay.header.settings.clone()
    };
    Ok((plan, settings, replay))
}

/// `offboard`'s plan: delete the Defender for APIs collection of `api` on `service`
/// (the service's ARM id). Both are checked as every planned action is.
pub fn offboard_plan(service: &str, api: &str) -> Result<Plan, OffboardError> {
    let service = ServiceId::parse(service.trim_end_matches('/'))
        .map_err(|e| OffboardError::Service(e.to_string()))?;
    Name::Api
        .check(api)
        .map_err(|e| OffboardError::Api(e.to_string()))?;
    let service_path = service.path();
    let mut action = PlannedAction::new(
        Action::OffboardApi,
        collection_id(&service_path, api),
        service.subscription.clone(),
        Severity::Info,
    );
    action.service = Some(ServiceRef {
        id: service_path.clone(),
        name: service.name.clone(),
        sku: String::new(),
        capacity_percent: None,
    });
    action.api = Some(ApiRef {
        id: format!("{service_path}/apis/{api}"),
        name: api.to_string(),
        display_name: String::new(),
    });
    // The same check every plan's actions pass (a flag cannot make another request).
    target::check(&action).map_err(|e| OffboardError::Api(e.to_string()))?;
    action
        .reasons
        .push("requested with `apimguard offboard`".to_string());
    Ok(Plan {
        snapshot: None,
        rules: Vec::new(),
        actions: vec![action],
        manual: Vec::new(),
        waived: 0,
    })
}

/// How a plan is to be applied: `--apply`, `--yes`, `--journal`, `--plan-digest`.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// Make the changes (otherwise only print the plan).
    pub apply: bool,
    /// Confirmed beforehand: do not ask.
    pub yes: bool,
    /// The journal to create (a new file).
    pub journal: Option<PathBuf>,
    /// The digest of the approved plan.
    pub plan_digest: Option<String>,
}

/// A plan ready to print or apply, and how.
pub struct Run {
    /// What to do.
    pub plan: Plan,
    /// The gates.
    pub settings: Settings,
    /// `remediate` or `offboard` (recorded in the journal).
    pub command: &'static str,
    /// The journal being resumed, and what it shows.
    pub resume: Option<(PathBuf, Replay)>,
    /// How to apply it.
    pub apply: ApplyOptions,
    /// How to reach ARM, or why the flags cannot say: bound before the run, reported
    /// only when it connects.
    pub connection: Result<ConnectOptions, CollectUsageError>,
}

/// What became of an applied plan.
pub struct Applied {
    /// One outcome per action tried.
    pub outcomes: Vec<Outcome>,
    /// Their counts.
    pub counts: Counts,
    /// The run's exit code.
    pub exit_code: u8,
    /// The journal written.
    pub journal: String,
}

impl Run {
    /// The keys of the actions the resumed journal shows done (none for a new run).
    pub fn done(&self) -> HashSet<String> {
        self.resume
            .as_ref()
            .map(|(_, replay)| replay.done.clone())
            .unwrap_or_default()
    }

    /// The actions still to make.
    pub fn pending<'a>(&'a self, done: &HashSet<String>) -> Vec<&'a PlannedAction> {
        self.plan
            .actions
            .iter()
            .filter(|a| !done.contains(&a.key))
            .collect()
    }

    /// The digest of the plan this run carries out: for a resumed run the one its
    /// journal's first run recorded (checked by `journal::replay`), else that of the
    /// plan and gates.
    pub fn digest(&self) -> String {
        match &self.resume {
            Some((_, replay)) => replay.header.plan_digest.clone().unwrap_or_default(),
            None => digest::of_plan(&self.plan, &self.settings),
        }
    }

    /// The refusals before asking anyone: a journal that would be overwritten, another
    /// plan than the approved one, an unattended resume without the approved digest.
    pub fn approve(&self, digest: &str) -> miette::Result<()> {
        if let (None, Some(path)) = (&self.resume, &self.apply.journal) {
            if path.exists() {
                return Err(JournalError::Exists(path.display().to_string()).into());
            }
        }
        match &self.apply.plan_digest {
            Some(approved) if !approved.eq_ignore_ascii_case(digest) => {
                Err(RemediateError::OtherPlan {
                    approved: approved.clone(),
                    actual: digest.to_string(),
                }
                .into())
            }
            None if self.resume.is_some() && self.apply.yes => {
                Err(RemediateError::ResumeUnconfirmed.into())
            }
            _ => Ok(()),
        }
    }

    /// Connects, opens the journal, makes the changes not in `done` and records what
    /// became of them (progress on standard error).
    pub fn apply(self, done: HashSet<String>) -> miette::Result<Applied> {
        block_on(self.apply_async(done))
    }

    async fn apply_async(self, done: HashSet<String>) -> miette::Result<Applied> {
        let options = self.connection?;
        let reporter = Arc::new(Reporter::without_bars(options.verbose, options.quiet));
        let limits = Limits {
            max_response_bytes: options.max_response_bytes,
            ..Limits::default()
        };
        let Connection { client, tokens, .. } = connect(&options, limits, reporter.clone()).await?;
        let endpoint = client.endpoint().as_str().trim_end_matches('/').to_string();
        if let Some((_, replay)) = &self.resume {
            if !replay.header.endpoint.eq_ignore_ascii_case(&endpoint) {
                return Err(RemediateError::OtherEndpoint {
                    journal: replay.header.endpoint.clone(),
                    now: endpoint,
                }
                .into());
            }
        }
        let token = tokens.token().await?;
        let who = Who::of(tokens.describe().unwrap_or_default(), token.secret());
        let id = run_id();
        let (mut journal, resumes, writes_before) = match &self.resume {
            Some((path, replay)) => (
                Journal::append(path, &id, replay)?,
                Some(replay.first_run.clone()),
                replay.writes,
            ),
            None => {
                let path = self.apply.journal.clone().unwrap_or_else(default_journal);
                (Journal::create(&path, &id)?, None, 0)
            }
        };
        reporter.note(0, format_args!("journal: {}", journal.path().display()));
        journal.write(Entry::Run(Box::new(RunHeader {
            tool: crate::version::tool().to_string(),
            command: self.command.to_string(),
            who,
            endpoint,
            resumes,
            settings: self.settings.clone(),
            plan: self.plan.clone(),
            plan_digest: Some(digest::of_plan(&self.plan, &self.settings)),
        })))?;
        let outcomes = Executor::new(
            &client,
            &mut journal,
            &self.settings,
            &done,
            writes_before,
            &reporter,
        )
        .run(&self.plan)
        .await?;
        let counts = Counts::of(&outcomes, self.plan.manual.len());
        let exit_code = counts.exit_code();
        journal.write(Entry::End(RunEnd {
            summary: counts.clone(),
            exit_code,
        }))?;
        Ok(Applied {
            outcomes,
            counts,
            exit_code,
            journal: journal.path().display().to_string(),
        })
    }
}

/// A run id: the start time and the process id.
fn run_id() -> String {
    format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        std::process::id()
    )
}

/// `apimguard-journal-<time>.jsonl` in the current directory.
fn default_journal() -> PathBuf {
    PathBuf::from(format!(
        "apimguard-journal-{}.jsonl",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offboard_refuses_what_is_not_a_service_id() {
        let plan = offboard_plan(
            "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/microsoft.apimanagement/SERVICE/contoso/",
            "echo-api",
        )
        .unwrap();
        assert_eq!(
            plan.actions[0].service.as_ref().unwrap().id,
            "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso"
        );
        for bad in [
            "contoso",
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso",
            "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso/apis/x",
            "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/../providers/Microsoft.ApiManagement/service/contoso",
            "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg%2F..%2Fx/providers/Microsoft.ApiManagement/service/contoso",
        ] {
            assert!(
                matches!(offboard_plan(bad, "echo-api"), Err(OffboardError::Service(_))),
                "{bad}"
            );
        }
    }
}
