//! `apimguard check`: snapshot → rules → report → exit code.

use std::time::Duration;

use miette::Diagnostic;
use thiserror::Error;

use crate::cli::{CheckArgs, ReportFormat};
use std::path::Path;
use std::time::Instant;

use crate::engine::{parse_input, EvalOptions, PolicySet, Rule, RuleOutcome};
use crate::report;
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
    help("drop --no-builtin or point --policies at a directory that holds rules with METADATA")
)]
pub struct NoRules;

/// Runs `check` and returns the exit code.
pub fn run(args: &CheckArgs) -> miette::Result<u8> {
    let mut clock = Stopwatch::new(args.timings);
    let (loaded, input) = match &args.snapshot {
        Some(path) => {
            super::collect::no_live_flags(&args.arm)?;
            load_snapshot(path)?
        }
        None => {
            let loaded = super::collect::collect_live(&args.arm)?;
            let input = parse_input(&loaded.text)?;
            (loaded, input)
        }
    };
    clock.lap("load snapshot");
    if !loaded.snapshot.complete && !args.allow_incomplete {
        return Err(incomplete(&loaded.path.display().to_string(), &loaded.snapshot.gaps).into());
    }
    let policies = PolicySet::load(&args.policy.load_options())?;
    if policies.rules().is_empty() {
        return Err(NoRules.into());
    }
    clock.lap("compile policies");
    let options = EvalOptions {
        rule_timeout: Duration::from_secs(args.rule_timeout),
        threads: args.threads.unwrap_or(EvalOptions::default().threads),
        isolate_rules: args.timings,
        ..EvalOptions::default()
    };
    let outcomes = policies.evaluate(&input, &options)?;
    clock.lap("evaluate");
    clock.slowest_rules(policies.rules(), &outcomes);
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
    clock.lap("report");
    Ok(report.exit_code())
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
