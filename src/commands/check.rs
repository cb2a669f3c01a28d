//! `apimguard check`: snapshot → rules → report → outputs → exit code.

use std::time::Duration;

use miette::{Diagnostic, IntoDiagnostic};
use thiserror::Error;

use super::output;
use crate::cli::{CheckArgs, PolicyArgs, ReportFormat};
use crate::config::Config;
use crate::engine::{EvalOptions, FailOn, PolicySet};
use crate::report::{self, BuildOptions, Report};
use crate::snapshot::{self, Gap, LoadedSnapshot};

/// Refusal to check a snapshot that records gaps.
#[derive(Debug, Error, Diagnostic)]
#[error("{path} is incomplete: the collector could not read {count} scope(s):\n{list}")]
#[diagnostic(
    code(apimguard::snapshot::incomplete),
    help("fix the access or errors above and collect again, or pass --allow-incomplete to check what was read (results then cover only part of the estate)")
)]
pub struct IncompleteSnapshot {
    path: String,
    count: usize,
    list: String,
}

/// No rules were left to evaluate.
#[derive(Debug, Error, Diagnostic)]
#[error("no rules to evaluate")]
#[diagnostic(
    code(apimguard::policy::empty),
    help("drop --no-builtin, point --policies at a directory that holds rules with METADATA, or enable rules in the configuration's `rules` section")
)]
pub struct NoRules;

/// Every format `check` writes.
const FORMATS: [ReportFormat; 6] = [
    ReportFormat::Human,
    ReportFormat::Json,
    ReportFormat::Sarif,
    ReportFormat::Junit,
    ReportFormat::Markdown,
    ReportFormat::Html,
];

/// Runs `check` and returns the exit code.
pub fn run(args: &CheckArgs) -> miette::Result<u8> {
    output::validate(&args.format, "check", &FORMATS)?;
    let config = args.config.as_deref().map(Config::load).transpose()?;
    let checker = Checker::new(
        &args.policy,
        config.as_ref(),
        args.fail_on,
        EvalOptions {
            rule_timeout: Duration::from_secs(args.rule_timeout),
            threads: args.threads.unwrap_or(EvalOptions::default().threads),
            ..EvalOptions::default()
        },
    )?;
    let loaded = snapshot::load(&args.snapshot)?;
    let report = checker.check(&loaded, args.allow_incomplete)?;
    for spec in &args.format {
        let text = match spec.format {
            ReportFormat::Human => {
                report::render_human(&report, spec.path.is_none() && super::color_stdout())
            }
            ReportFormat::Json if args.include_passing => report::render_json(&report),
            ReportFormat::Json => report::render_json(&report.without_passing()),
            ReportFormat::Sarif => {
                let (text, notice) = report::render_sarif(&report);
                if let Some(notice) = notice {
                    eprintln!("warning: {notice}");
                }
                text
            }
            ReportFormat::Junit => report::render_junit(&report),
            ReportFormat::Markdown => report::render_markdown(&report),
            ReportFormat::Html => report::render_html(&report).into_diagnostic()?,
        };
        output::write(spec, &text)?;
    }
    Ok(gate(report.exit_code(), args.exit_zero))
}

/// Applies `--exit-zero`: findings never fail the run, but "could not decide" (2) stays.
pub fn gate(code: u8, exit_zero: bool) -> u8 {
    if exit_zero && code == 1 {
        0
    } else {
        code
    }
}

/// Rules loaded once, ready to check snapshots with one configuration and gate.
pub struct Checker<'a> {
    policies: PolicySet,
    disabled: Vec<String>,
    config: Option<&'a Config>,
    fail_on: FailOn,
    options: EvalOptions,
}

impl<'a> Checker<'a> {
    /// Loads the rules, drops those the configuration disables, and warns (on
    /// standard error) about configuration entries that match no rule.
    pub fn new(
        policy: &PolicyArgs,
        config: Option<&'a Config>,
        fail_on: FailOn,
        mut options: EvalOptions,
    ) -> miette::Result<Self> {
        let mut policies = PolicySet::load(&policy.load_options())?;
        let mut disabled = Vec::new();
        if let Some(config) = config {
            let ids: Vec<&str> = policies
                .rules()
                .iter()
                .map(|r| r.meta.id.as_str())
                .collect();
            for warning in config.unmatched(&ids) {
                eprintln!("warning: {warning}");
            }
            disabled = ids
                .into_iter()
                .filter(|id| !config.is_enabled(id))
                .map(str::to_string)
                .collect();
            policies.retain_rules(|r| config.is_enabled(&r.meta.id));
            options.config = config.parameters.clone();
        }
        if policies.rules().is_empty() {
            return Err(NoRules.into());
        }
        Ok(Checker {
            policies,
            disabled,
            config,
            fail_on,
            options,
        })
    }

    /// Evaluates the rules over a snapshot and builds the report.
    pub fn check(&self, loaded: &LoadedSnapshot, allow_incomplete: bool) -> miette::Result<Report> {
        if !loaded.snapshot.complete && !allow_incomplete {
            return Err(
                incomplete(&loaded.path.display().to_string(), &loaded.snapshot.gaps).into(),
            );
        }
        let outcomes = self.policies.evaluate(&loaded.text, &self.options)?;
        Ok(report::build(
            loaded,
            self.policies.rules(),
            outcomes,
            &BuildOptions {
                fail_on: self.fail_on,
                config: self.config,
                disabled_rules: self.disabled.clone(),
                today: chrono::Utc::now().date_naive(),
            },
        ))
    }
}

fn incomplete(path: &str, gaps: &[Gap]) -> IncompleteSnapshot {
    let list = if gaps.is_empty() {
        "  (complete is false, but no gaps are recorded)".to_string()
    } else {
        gaps.iter()
            .map(|g| format!("  - {} ({}): {}", g.scope, g.what, g.error))
            .collect::<Vec<_>>()
            .join("\n")
    };
    IncompleteSnapshot {
        path: path.to_string(),
        count: gaps.len(),
        list,
    }
}
