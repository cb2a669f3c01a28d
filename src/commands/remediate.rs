//! `apimguard remediate`: binds the flags to [`crate::app::remediate`], prints the plan,
//! asks for confirmation, and prints what became of it. Also prints and runs the plan
//! `offboard` builds.

use std::io::{BufRead, IsTerminal};

use miette::IntoDiagnostic;
use serde::Serialize;

use super::output;
use crate::app::remediate::{self, Applied, ApplyOptions, RemediateError, Run};
use crate::cli::{ApplyArgs, GateArgs, PlanFormat, RemediateArgs};
use crate::config::Config;
use crate::engine::FailOn;
use crate::remediate::{render, Action, Counts, Outcome, Plan, PlannedAction, Settings};

/// Runs `remediate` and returns its exit code.
pub fn run(args: &RemediateArgs) -> miette::Result<u8> {
    let (plan, base, resume) = match (&args.resume, &args.snapshot) {
        (Some(path), _) => {
            let (plan, settings, replay) = remediate::resume(path)?;
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
            let plan =
                remediate::plan_snapshot(&checker, path, args.allow_incomplete, &args.rules)?;
            (plan, Settings::default(), None)
        }
        (None, None) => unreachable!("clap requires SNAPSHOT unless --resume is given"),
    };
    execute(
        Run {
            plan,
            settings: settings(base, Some(&args.gates), &args.apply),
            command: "remediate",
            resume,
            apply: apply_options(&args.apply),
            connection: args.connection.options(),
        },
        args.format,
    )
}

/// `--apply`, `--yes`, `--journal` and `--plan-digest`.
pub fn apply_options(apply: &ApplyArgs) -> ApplyOptions {
    ApplyOptions {
        apply: apply.apply,
        yes: apply.yes,
        journal: apply.journal.clone(),
        plan_digest: apply.plan_digest.clone(),
    }
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

/// Prints the plan, and with `--apply` (once confirmed) applies it and prints what
/// became of it; returns the exit code.
pub fn execute(run: Run, format: PlanFormat) -> miette::Result<u8> {
    let done = run.done();
    let pending = run.pending(&done);
    let digest = run.digest();
    if format == PlanFormat::Human {
        output::print(&format!(
            "{}\nPlan digest: {digest} (--plan-digest applies or resumes exactly this plan)\n",
            render::plan_text(&run.plan, &run.settings, &done)
        ))?;
    }
    let manual = run.plan.manual.len();
    if !run.apply.apply || pending.is_empty() {
        if format == PlanFormat::Json {
            print_json(&Document::plan(&run.plan, &run.settings, &digest))?;
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
    run.approve(&digest)?;
    if !confirmed(&run, &pending)? {
        crate::console::line("Nothing was changed.");
        return Ok(1);
    }
    drop(pending);
    let (plan, settings) = (run.plan.clone(), run.settings.clone());
    let applied = run.apply(done)?;
    print_applied(&applied, &plan, &settings, &digest, format)?;
    Ok(applied.exit_code)
}

/// What became of the plan, in `format`.
fn print_applied(
    applied: &Applied,
    plan: &Plan,
    settings: &Settings,
    digest: &str,
    format: PlanFormat,
) -> miette::Result<()> {
    match format {
        PlanFormat::Human => {
            output::print(&render::summary_text(
                &applied.outcomes,
                &applied.counts,
                Some(&applied.journal),
            ))?;
            Ok(())
        }
        PlanFormat::Json => print_json(&Document {
            outcomes: Some(&applied.outcomes),
            summary: Some(&applied.counts),
            exit_code: Some(applied.exit_code),
            journal: Some(applied.journal.clone()),
            ..Document::plan(plan, settings, digest)
        }),
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
    fn plan(plan: &'a Plan, settings: &'a Settings, digest: &'a str) -> Self {
        Document {
            plan,
            settings,
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
