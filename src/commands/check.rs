//! `apimguard check`: snapshot → rules → report → outputs → exit code.

use std::path::Path;

use miette::IntoDiagnostic;

use super::output;
use crate::app::check::{gate, Stopwatch, Timing};
use crate::cli::{CheckArgs, ReportFormat, Timings};
use crate::config::Config;
use crate::engine::EvalOptions;
use crate::evidence;
use crate::report::{self, Report};
use crate::snapshot;

/// Every format `check` writes.
const FORMATS: [ReportFormat; 8] = [
    ReportFormat::Human,
    ReportFormat::Json,
    ReportFormat::Sarif,
    ReportFormat::Junit,
    ReportFormat::Markdown,
    ReportFormat::Html,
    ReportFormat::Csv,
    ReportFormat::Ocsf,
];

/// Runs `check` and returns the exit code.
pub fn run(args: &CheckArgs) -> miette::Result<u8> {
    output::validate(&args.format, "check", &FORMATS)?;
    crate::frameworks::validate(&args.framework)?;
    if let Some(dir) = &args.evidence {
        evidence::refuse_outputs_inside(
            dir,
            output::files(&args.format).into_iter().map(|(p, _)| p),
        )?;
    }
    let mut clock = Stopwatch::new(match args.timings {
        None => Timing::Off,
        Some(Timings::Phases) => Timing::Phases,
        Some(Timings::Rules) => Timing::Rules,
    });
    let config = load_config(args.config.as_deref(), args.waivers.as_deref())?;
    let checker = super::checker(
        &args.policy,
        config.as_ref(),
        args.fail_on,
        EvalOptions {
            threads: args.threads.unwrap_or(EvalOptions::default().threads),
            isolate_rules: args.timings == Some(Timings::Rules),
            ..args.limits.eval_options()
        },
    )?
    .sharded(args.shard)
    .honouring_azure_exemptions(args.honor_azure_exemptions);
    clock.lap("compile policies");
    // Passing resources are listed only by the formats that show them.
    let passing = args.evidence.is_some()
        || args.format.iter().any(|spec| match spec.format {
            ReportFormat::Json => args.include_passing,
            ReportFormat::Html | ReportFormat::Junit | ReportFormat::Csv | ReportFormat::Ocsf => {
                true
            }
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
            let loaded = crate::app::connect::collect_live(&args.arm.options()?)?;
            clock.lap("collect");
            (loaded.path, loaded.text)
        }
    };
    // Every input has been read: no output may overwrite one (nor another output).
    output::refuse_overwrites(&output::files(&args.format))?;
    let mut report =
        checker.check_text(&path, &text, args.allow_incomplete, passing, &mut clock)?;
    report.frameworks = report::framework_views(&report.results, &args.framework);
    if let Some(dir) = &args.evidence {
        write_evidence(
            dir,
            args,
            &text,
            &report,
            checker.honours_azure_exemptions(),
        )?;
        clock.lap("write evidence");
    }
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
                    crate::console::warning(notice);
                }
                text
            }
            ReportFormat::Junit => report::render_junit(&report),
            ReportFormat::Markdown => report::render_markdown(&report),
            ReportFormat::Html => report::render_html(&report).into_diagnostic()?,
            ReportFormat::Csv => report::render_csv(&report),
            ReportFormat::Ocsf => report::render_ocsf(&report),
        };
        output::write(spec, &text)?;
    }
    clock.lap("report");
    // Exit code 2 must explain itself where CI logs look first, whatever the formats.
    for rule in report.results.iter() {
        if let Some(error) = &rule.error {
            crate::console::line(format_args!(
                "error: rule {} could not be evaluated: {error}",
                rule.rule_id
            ));
        }
    }
    Ok(gate(report.exit_code(), args.exit_zero))
}

/// `--evidence DIR`: the snapshot, the reports, the configuration, the waivers and the
/// rule pack, with a manifest of their SHA-256; its digest is printed for a signer.
fn write_evidence(
    dir: &Path,
    args: &CheckArgs,
    text: &str,
    report: &Report,
    honor_azure_exemptions: bool,
) -> miette::Result<()> {
    let config = args
        .config
        .as_deref()
        .map(evidence::read_text)
        .transpose()?;
    let waivers = args
        .waivers
        .as_deref()
        .map(evidence::read_text)
        .transpose()?;
    let mut rules = if args.policy.no_builtin {
        Vec::new()
    } else {
        crate::engine::builtin_sources()
    };
    for path in &args.policy.policies {
        rules.extend(crate::engine::policy_sources(path)?);
    }
    let profile = args
        .policy
        .profile
        .unwrap_or_else(crate::engine::Profile::default_profile);
    let manifest = evidence::write(
        dir,
        &evidence::Evidence {
            snapshot: text,
            report,
            config: config.as_deref(),
            waivers: waivers.as_deref(),
            rules: &rules,
            run: evidence::RunSettings {
                fail_on: report.fail_on.to_string(),
                profile: profile.name.to_string(),
                builtin: !args.policy.no_builtin,
                allow_incomplete: args.allow_incomplete,
                frameworks: args
                    .framework
                    .iter()
                    .map(|f| match &f.control {
                        Some(c) => format!("{}:{c}", f.framework),
                        None => f.framework.clone(),
                    })
                    .collect(),
                config: args.config.as_ref().map(|p| p.display().to_string()),
                waivers: args.waivers.as_ref().map(|p| p.display().to_string()),
                honor_azure_exemptions,
            },
        },
    )?;
    let digest = evidence::sha256(&std::fs::read(dir.join(evidence::MANIFEST)).into_diagnostic()?);
    crate::console::line(format_args!(
        "evidence: {} file(s) in {}; manifest.json SHA-256 {digest} (sign manifest.json to seal them, docs/audits.md)",
        manifest.files.len() + 1,
        dir.display()
    ));
    Ok(())
}

/// The configuration of `--config` with the waivers of `--waivers` added (a
/// configuration of waivers alone when only `--waivers` is given).
pub fn load_config(
    config: Option<&Path>,
    waivers: Option<&Path>,
) -> miette::Result<Option<Config>> {
    let mut config = config.map(Config::load).transpose()?;
    if let Some(path) = waivers {
        let waivers = Config::load_waivers(path)?;
        config
            .get_or_insert_with(|| Config::empty(&path.display().to_string()))
            .waivers
            .extend(waivers);
    }
    Ok(config)
}
