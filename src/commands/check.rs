//! `apimguard check`: snapshot → rules → report → outputs → exit code.

use std::time::Duration;

use miette::{Diagnostic, IntoDiagnostic};
use thiserror::Error;

use std::path::Path;
use std::time::Instant;

use super::output;
use crate::cli::{CheckArgs, PolicyArgs, ReportFormat};
use crate::config::Config;
use crate::engine::{parse_input, EvalOptions, FailOn, PolicySet, Rule, RuleOutcome};
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
    let mut clock = Stopwatch::new(args.timings);
    let config = args.config.as_deref().map(Config::load).transpose()?;
    let checker = Checker::new(
        &args.policy,
        config.as_ref(),
        args.fail_on,
        EvalOptions {
            rule_timeout: Duration::from_secs(args.rule_timeout),
            threads: args.threads.unwrap_or(EvalOptions::default().threads),
            isolate_rules: args.timings,
            ..EvalOptions::default()
        },
    )?;
    clock.lap("compile policies");
    let (loaded, input) = match (&args.snapshot, super::iac::read(&args.iac, &args.arm)?) {
        (_, Some(loaded)) => {
            let input = parse_input(&loaded.text)?;
            (loaded, input)
        }
        (Some(path), None) => {
            super::collect::no_live_flags(&args.arm)?;
            load_snapshot(path)?
        }
        (None, None) => {
            let loaded = super::collect::collect_live(&args.arm)?;
            let input = parse_input(&loaded.text)?;
            (loaded, input)
        }
    };
    clock.lap("load snapshot");
    let report = checker.check_parsed(&loaded, &input, args.allow_incomplete, &mut clock)?;
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
    clock.lap("report");
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
        let input = parse_input(&loaded.text)?;
        self.check_parsed(loaded, &input, allow_incomplete, &mut Stopwatch::new(false))
    }

    /// [`Checker::check`] for a snapshot already parsed into the engine's input.
    fn check_parsed(
        &self,
        loaded: &LoadedSnapshot,
        input: &regorus::Value,
        allow_incomplete: bool,
        clock: &mut Stopwatch,
    ) -> miette::Result<Report> {
        if !loaded.snapshot.complete && !allow_incomplete {
            return Err(
                incomplete(&loaded.path.display().to_string(), &loaded.snapshot.gaps).into(),
            );
        }
        let outcomes = self.policies.evaluate(input, &self.options)?;
        clock.lap("evaluate");
        clock.slowest_rules(self.policies.rules(), &outcomes);
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

/// Reads a snapshot and, at the same time on another core, parses it into the
/// engine's input value: validation and engine parsing are the two largest costs of
/// loading a big estate, and neither needs the other.
fn load_snapshot(path: &Path) -> miette::Result<(LoadedSnapshot, regorus::Value)> {
    let text = snapshot::read_text(path)?;
    let name = path.display().to_string();
    let (typed, input) = std::thread::scope(|scope| {
        let input = scope.spawn(|| parse_input(&text));
        let typed = snapshot::load_str(&name, &text);
        (
            typed,
            input.join().expect("the parser thread does not panic"),
        )
    });
    let snapshot = typed?;
    let input = input?;
    Ok((
        LoadedSnapshot {
            path: path.to_path_buf(),
            text,
            snapshot,
        },
        input,
    ))
}

/// `--timings`: phase durations and the slowest rules, on stderr.
struct Stopwatch {
    enabled: bool,
    start: Instant,
    last: Instant,
}

impl Stopwatch {
    fn new(enabled: bool) -> Self {
        let now = Instant::now();
        Stopwatch {
            enabled,
            start: now,
            last: now,
        }
    }

    fn lap(&mut self, phase: &str) {
        if self.enabled {
            let now = Instant::now();
            eprintln!(
                "timing: {phase:<18} {:>9.3} s  (total {:.3} s)",
                (now - self.last).as_secs_f64(),
                (now - self.start).as_secs_f64()
            );
            self.last = now;
        }
    }

    fn slowest_rules(&self, rules: &[Rule], outcomes: &[RuleOutcome]) {
        if !self.enabled {
            return;
        }
        let mut by_time: Vec<_> = rules.iter().zip(outcomes).collect();
        by_time.sort_by_key(|(_, o)| std::cmp::Reverse(o.elapsed));
        for (rule, outcome) in by_time.into_iter().take(10) {
            eprintln!(
                "timing:   {:<16} {:>9.3} s  {}",
                rule.meta.id,
                outcome.elapsed.as_secs_f64(),
                rule.path
            );
        }
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
