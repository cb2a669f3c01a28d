//! `apimguard check`: snapshot → rules → report → exit code.

use std::time::Duration;

use miette::Diagnostic;
use thiserror::Error;

use crate::cli::{CheckArgs, ReportFormat};
use crate::engine::{EvalOptions, PolicySet};
use crate::report;
use crate::snapshot::{self, Gap};

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
    help("drop --no-builtin or point --policies at a directory that holds rules with METADATA")
)]
pub struct NoRules;

/// Runs `check` and returns the exit code.
pub fn run(args: &CheckArgs) -> miette::Result<u8> {
    let loaded = match &args.snapshot {
        Some(path) => {
            super::collect::no_live_flags(&args.arm)?;
            snapshot::load(path)?
        }
        None => super::collect::collect_live(&args.arm)?,
    };
    if !loaded.snapshot.complete && !args.allow_incomplete {
        return Err(incomplete(&loaded.path.display().to_string(), &loaded.snapshot.gaps).into());
    }
    let policies = PolicySet::load(&args.policy.load_options())?;
    if policies.rules().is_empty() {
        return Err(NoRules.into());
    }
    let options = EvalOptions {
        rule_timeout: Duration::from_secs(args.rule_timeout),
        threads: args.threads.unwrap_or(EvalOptions::default().threads),
        ..EvalOptions::default()
    };
    let outcomes = policies.evaluate(&loaded.text, &options)?;
    let report = report::build(
        &loaded.path.display().to_string(),
        &loaded.snapshot,
        policies.rules(),
        outcomes,
        args.fail_on,
    );
    let text = match args.format {
        ReportFormat::Human => report::render_human(&report, super::color_stdout()),
        ReportFormat::Json => report::render_json(&report),
    };
    print!("{text}");
    Ok(report.exit_code())
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
