//! `apimguard remediate`: snapshot → check → plan → (confirmation → journalled,
//! gradual apply) → summary and exit code. Also runs the plan `offboard` builds.

use std::collections::HashSet;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::Arc;

use miette::{Diagnostic, IntoDiagnostic};
use serde::Serialize;
use thiserror::Error;

use super::output;
use crate::app::connect::{block_on, connect, Connection};
use crate::azure::arm::Limits;
use crate::azure::Reporter;
use crate::cli::{ApplyArgs, ConnectionArgs, GateArgs, PlanFormat, RemediateArgs};
use crate::config::Config;
use crate::engine::FailOn;
use crate::remediate::digest;
use crate::remediate::journal::{self, Entry, RunEnd, RunHeader};
use crate::remediate::{
    render, Action, Counts, Executor, Journal, JournalError, Outcome, Plan, PlannedAction, Replay,
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

/// A plan ready to print or apply, and how.
pub struct Run<'a> {
    /// What to do.
    pub plan: Plan,
    /// The gates.
    pub settings: Settings,
    /// `remediate` or `offboard` (recorded in the journal).
    pub command: &'static str,
    /// The journal being resumed, and what it shows.
    pub resume: Option<(PathBuf, Replay)>,
    /// `--apply`, `--yes`, `--journal`.
    pub apply: &'a ApplyArgs,
    /// Output format.
    pub format: PlanFormat,
    /// How to reach ARM.
    pub connection: &'a ConnectionArgs,
}

/// Runs `remediate` and returns its exit code.
pub fn run(args: &RemediateArgs) -> miette::Result<u8> {
    let (plan, base, resume) = match (&args.resume, &args.snapshot) {
        (Some(path), _) => {
            let replay = journal::replay(path)?;
            let plan = replay.header.plan.clone();
            // Permission to spend is asked again, never taken from a file.
            let settings = Settings {
                allow_cost: false,
                ..replay.header.settings.clone()
            };
            (plan, settings, Some((path.clone(), replay)))
        }
        (None, Some(path)) => {
            let config = args.config.as_deref().map(Config::load).transpose()?;
            let checker = super::checker(
                &args.policy,
                config.as_ref(),
                FailOn::Never,
                args.limits.eval_options(),
            )?;
            let loaded = snapshot::load(path)?;
            if loaded.snapshot.source.kind == SourceKind::Iac {
                return Err(RemediateError::IacSnapshot {
                    path: path.display().to_string(),
                }
                .into());
            }
            let report = checker.check(&loaded, args.allow_incomplete)?;
            let plan = Plan::build(&report, &loaded, &args.rules)?;
            (plan, Settings::default(), None)
        }
        (None, None) => unreachable!("clap requires SNAPSHOT unless --resume is given"),
    };
    execute(Run {
        plan,
        settings: settings(base, Some(&args.gates), &args.apply),
        command: "remediate",
        resume,
        apply: &args.apply,
        format: args.format,
        connection: &args.connection,
    })
}

/// `base` with the flags that were given on the command line.
pub fn settings(base: Settings, gates: Option<&GateArgs>, apply: &ApplyArgs) -> Settings {
    let timeout = apply
        .operation_timeout
        .unwrap_or(base.operation_timeout_seconds);
    let Some(gates) = gates else {
        return Settings {
            operation_timeout_seconds: timeout,
            ..base
        };
    };
    Settings {
        allow_cost: base.allow_cost || gates.allow_cost,
        sub_plan: gates.sub_plan.clone().unwrap_or(base.sub_plan),
        max_capacity: gates.max_capacity.unwrap_or(base.max_capacity),
        batch_size: gates.batch_size.unwrap_or(base.batch_size),
        pause_seconds: gates.pause.map_or(base.pause_seconds, |p| p.as_secs()),
        max_changes: gates.max_changes.unwrap_or(base.max_changes),
        operation_timeout_seconds: timeout,
    }
}

/// Prints the plan, and with `--apply` (once confirmed) applies it; returns the exit code.
pub fn execute(run: Run) -> miette::Result<u8> {
    let done: HashSet<String> = run
        .resume
        .as_ref()
        .map(|(_, replay)| replay.done.clone())
        .unwrap_or_default();
    let pending: Vec<&PlannedAction> = run
        .plan
        .actions
        .iter()
        .filter(|a| !done.contains(&a.key))
        .collect();
    let digest = approved_digest(&run);
    if run.format == PlanFormat::Human {
        output::print(&format!(
            "{}\nPlan digest: {digest} (--plan-digest applies or resumes exactly this plan)\n",
            render::plan_text(&run.plan, &run.settings, &done)
        ))?;
    }
    let manual = run.plan.manual.len();
    if !run.apply.apply || pending.is_empty() {
        if run.format == PlanFormat::Json {
            print_json(&Document::plan(&run, &digest))?;
        }
        if pending.is_empty() {
            crate::console::line("\nNothing to change.");
            return Ok(Counts::of(&[], manual).exit_code());
        }
        crate::console::line(
            "\nNothing was changed: run again with --apply to make these changes.",
        );
        return Ok(1);
    }
    if let (None, Some(path)) = (&run.resume, &run.apply.journal) {
        if path.exists() {
            return Err(JournalError::Exists(path.display().to_string()).into());
        }
    }
    match &run.apply.plan_digest {
        Some(approved) if !approved.eq_ignore_ascii_case(&digest) => {
            return Err(RemediateError::OtherPlan {
                approved: approved.clone(),
                actual: digest,
            }
            .into())
        }
        None if run.resume.is_some() && run.apply.yes => {
            return Err(RemediateError::ResumeUnconfirmed.into())
        }
        _ => {}
    }
    if !confirmed(&run, &pending)? {
        crate::console::line("Nothing was changed.");
        return Ok(1);
    }
    block_on(apply(run, done, digest))
}

/// The digest of the plan this run carries out: for a resumed run the one its journal's
/// first run recorded (checked by `journal::replay`), else that of the plan and gates.
fn approved_digest(run: &Run) -> String {
    match &run.resume {
        Some((_, replay)) => replay.header.plan_digest.clone().unwrap_or_default(),
        None => digest::of_plan(&run.plan, &run.settings),
    }
}

/// Asks the person at the terminal, unless `--yes`.
fn confirmed(run: &Run, pending: &[&PlannedAction]) -> miette::Result<bool> {
    if run.apply.yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(RemediateError::Unconfirmed.into());
    }
    let billed = pending
        .iter()
        .filter(|a| a.action == Action::EnablePlan)
        .count();
    let cost = match (billed, run.settings.allow_cost) {
        (0, _) | (_, false) => String::new(),
        (n, true) => {
            format!(", including the billed Defender for APIs plan on {n} subscription(s)")
        }
    };
    crate::console::prompt(format_args!(
        "\nApply up to {} change(s) to Azure{cost}? Type yes to go on: ",
        pending.len()
    ));
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .into_diagnostic()?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Connects, opens the journal, runs the executor and reports.
async fn apply(run: Run<'_>, done: HashSet<String>, digest: String) -> miette::Result<u8> {
    let reporter = Arc::new(Reporter::without_bars(
        run.connection.verbose,
        run.connection.quiet,
    ));
    let limits = Limits {
        max_response_bytes: run.connection.max_response_size.0,
        ..Limits::default()
    };
    let Connection { client, tokens, .. } =
        connect(&run.connection.options()?, limits, reporter.clone()).await?;
    let endpoint = client.endpoint().as_str().trim_end_matches('/').to_string();
    if let Some((_, replay)) = &run.resume {
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
    let (mut journal, resumes, writes_before) = match &run.resume {
        Some((path, replay)) => (
            Journal::append(path, &id, replay)?,
            Some(replay.first_run.clone()),
            replay.writes,
        ),
        None => {
            let path = run.apply.journal.clone().unwrap_or_else(default_journal);
            (Journal::create(&path, &id)?, None, 0)
        }
    };
    reporter.note(0, format_args!("journal: {}", journal.path().display()));
    journal.write(Entry::Run(Box::new(RunHeader {
        tool: crate::version::tool().to_string(),
        command: run.command.to_string(),
        who,
        endpoint,
        resumes,
        settings: run.settings.clone(),
        plan: run.plan.clone(),
        plan_digest: Some(digest::of_plan(&run.plan, &run.settings)),
    })))?;
    let outcomes = Executor::new(
        &client,
        &mut journal,
        &run.settings,
        &done,
        writes_before,
        &reporter,
    )
    .run(&run.plan)
    .await?;
    let counts = Counts::of(&outcomes, run.plan.manual.len());
    let exit_code = counts.exit_code();
    journal.write(Entry::End(RunEnd {
        summary: counts.clone(),
        exit_code,
    }))?;
    let path = journal.path().display().to_string();
    match run.format {
        PlanFormat::Human => output::print(&render::summary_text(&outcomes, &counts, Some(&path)))?,
        PlanFormat::Json => print_json(&Document {
            outcomes: Some(&outcomes),
            summary: Some(&counts),
            exit_code: Some(exit_code),
            journal: Some(path),
            ..Document::plan(&run, &digest)
        })?,
    }
    Ok(exit_code)
}

/// The JSON output: the plan and settings, and after `--apply` what became of it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    plan: &'a Plan,
    settings: &'a Settings,
    plan_digest: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcomes: Option<&'a [Outcome]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a Counts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_code: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    journal: Option<String>,
}

impl<'a> Document<'a> {
    fn plan(run: &'a Run, digest: &'a str) -> Self {
        Document {
            plan: &run.plan,
            settings: &run.settings,
            plan_digest: digest,
            outcomes: None,
            summary: None,
            exit_code: None,
            journal: None,
        }
    }
}

fn print_json(document: &Document) -> miette::Result<()> {
    let text = serde_json::to_string_pretty(document).into_diagnostic()?;
    output::print(&(text + "\n"))?;
    Ok(())
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
