//! `apimguard check`: snapshot → rules → report → outputs → exit code.

use miette::IntoDiagnostic;

use super::output;
use crate::app::check::{gate, Checker, Stopwatch};
use crate::cli::{CheckArgs, ReportFormat, Timings};
use crate::config::Config;
use crate::engine::EvalOptions;
use crate::report;
use crate::snapshot;

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
    let mut clock = Stopwatch::new(args.timings);
    let config = args.config.as_deref().map(Config::load).transpose()?;
    let checker = Checker::new(
        &args.policy,
        config.as_ref(),
        args.fail_on,
        EvalOptions {
            threads: args.threads.unwrap_or(EvalOptions::default().threads),
            isolate_rules: args.timings == Some(Timings::Rules),
            ..args.limits.eval_options()
        },
    )?;
    clock.lap("compile policies");
    // Passing resources are listed only by the formats that show them.
    let passing = args.format.iter().any(|spec| match spec.format {
        ReportFormat::Json => args.include_passing,
        ReportFormat::Html | ReportFormat::Junit => true,
        _ => false,
    });
    // IaC files and live collection give a snapshot in memory, serialized: it goes
    // through the same piece-by-piece path as a snapshot file.
    let (path, text) = match (&args.snapshot, super::iac::read(&args.iac, &args.arm)?) {
        (_, Some(loaded)) => {
            clock.lap("read IaC files");
            (loaded.path, loaded.text)
        }
        (Some(path), None) => {
            super::collect::no_live_flags(&args.arm)?;
            let text = snapshot::read_text(path)?;
            clock.lap("read snapshot");
            (path.clone(), text)
        }
        (None, None) => {
            let loaded = crate::app::connect::collect_live(&args.arm)?;
            clock.lap("collect");
            (loaded.path, loaded.text)
        }
    };
    // Every input has been read: no output may overwrite one (nor another output).
    output::refuse_overwrites(&output::files(&args.format))?;
    let report = checker.check_text(&path, &text, args.allow_incomplete, passing, &mut clock)?;
    drop(text);
    for spec in &args.format {
        let text = match spec.format {
            ReportFormat::Human => {
                report::render_human(&report, spec.path.is_none() && super::color_stdout())
            }
            ReportFormat::Json => {
                // Streamed: at 100k APIs the JSON report is hundreds of megabytes.
                output::write_with(spec, |out| {
                    if args.include_passing || !passing {
                        report::write_json(&report, out)
                    } else {
                        report::write_json(&report.without_passing(), out)
                    }
                })?;
                continue;
            }
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
    clock.lap("report");
    // Exit code 2 must explain itself where CI logs look first, whatever the formats.
    for rule in report.results.iter() {
        if let Some(error) = &rule.error {
            eprintln!(
                "error: rule {} could not be evaluated: {error}",
                rule.rule_id
            );
        }
    }
    Ok(gate(report.exit_code(), args.exit_zero))
}
