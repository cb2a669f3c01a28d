//! `apimguard diff OLD NEW`: what changed between two runs. Each side is a JSON
//! report (`check -f json`) or a snapshot, which is checked first with the same
//! rules and configuration.

use super::output;
use crate::app::check::gate;
use crate::app::document::{read, Input};
use crate::cli::{DiffArgs, ReportFormat};
use crate::config::Config;
use crate::report::{self, Report};

/// The formats `diff` writes.
const FORMATS: [ReportFormat; 3] = [
    ReportFormat::Human,
    ReportFormat::Json,
    ReportFormat::Markdown,
];

/// Runs `diff` and returns the exit code.
pub fn run(args: &DiffArgs) -> miette::Result<u8> {
    output::validate(&args.format, "diff", &FORMATS)?;
    let config = args.config.as_deref().map(Config::load).transpose()?;
    let old_path = args.old.display().to_string();
    let new_path = args.new.display().to_string();
    let old = read(&old_path)?;
    let new = read(&new_path)?;
    let needs_rules = matches!(old, Input::Snapshot(_)) || matches!(new, Input::Snapshot(_));
    let checker = if needs_rules {
        Some(super::checker(
            &args.policy,
            config.as_ref(),
            args.fail_on,
            args.limits.eval_options(),
        )?)
    } else {
        if config.is_some() || !args.policy.policies.is_empty() {
            crate::console::warning("both sides are reports; --config and --policies apply only to snapshots and are ignored");
        }
        None
    };
    let to_report = |input: Input| -> miette::Result<Report> {
        match input {
            Input::Report(report) => Ok(*report),
            Input::Snapshot(loaded) => checker
                .as_ref()
                .expect("rules are loaded when a side is a snapshot")
                .check(&loaded, args.allow_incomplete),
        }
    };
    // Both sides have been read: no output may overwrite one (nor another output).
    output::refuse_overwrites(&output::files(&args.format))?;
    let old = to_report(old)?;
    let new = to_report(new)?;
    let drift = report::compare(&old, &new, &old_path, &new_path, args.fail_on);
    for spec in &args.format {
        let text = match spec.format {
            ReportFormat::Json => report::render_json(&drift),
            ReportFormat::Markdown => report::render_drift_markdown(&drift),
            _ => report::render_drift_human(&drift, spec.path.is_none() && super::color_stdout()),
        };
        output::write(spec, &text)?;
    }
    Ok(gate(drift.exit_code(), args.exit_zero))
}
