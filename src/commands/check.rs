//! `apimguard check`: snapshot → rules → report → outputs → exit code.

use std::time::Duration;

use miette::{Diagnostic, IntoDiagnostic};
use thiserror::Error;

use std::path::Path;
use std::time::Instant;

use std::sync::Mutex;

use super::output;
use crate::cli::{CheckArgs, PolicyArgs, ReportFormat, Timings};
use crate::collect::redact;
use crate::config::Config;
use crate::engine::{
    parse_input, Estate, EvalOptions, EvalStats, FailOn, PolicySet, Rule, RuleOutcome,
};
use crate::evidence;
use crate::report::{self, BuildOptions, Report};
use crate::snapshot::{self, Gap, LoadedSnapshot, ServiceDigest};

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

/// Refusal to pass a snapshot that holds no service: nothing would have been checked.
#[derive(Debug, Error, Diagnostic)]
#[error("{path} holds no API Management service: there is nothing to check, so nothing can pass")]
#[diagnostic(
    code(apimguard::snapshot::empty),
    help("collect with an identity that can read the services (Reader on their subscriptions) and check the --subscription/--resource-group/--service filters; for IaC, point --from-arm/--from-bicep/--from-apiops at the files that declare the service")
)]
pub struct EmptyEstate {
    path: String,
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
    let mut clock = Stopwatch::new(args.timings);
    let config = load_config(args.config.as_deref(), args.waivers.as_deref())?;
    let checker = Checker::new(
        &args.policy,
        config.as_ref(),
        args.fail_on,
        EvalOptions {
            rule_timeout: Duration::from_secs(args.rule_timeout),
            threads: args.threads.unwrap_or(EvalOptions::default().threads),
            isolate_rules: args.timings == Some(Timings::Rules),
            ..EvalOptions::default()
        },
    )?;
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
            let loaded = super::collect::collect_live(&args.arm)?;
            clock.lap("collect");
            (loaded.path, loaded.text)
        }
    };
    let mut report =
        checker.check_text(&path, &text, args.allow_incomplete, passing, &mut clock)?;
    report.frameworks = report::framework_views(&report.results, &args.framework);
    if let Some(dir) = &args.evidence {
        write_evidence(dir, args, &text, &report)?;
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
                    eprintln!("warning: {notice}");
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
            eprintln!(
                "error: rule {} could not be evaluated: {error}",
                rule.rule_id
            );
        }
    }
    Ok(gate(report.exit_code(), args.exit_zero))
}

/// `--evidence DIR`: the snapshot, the reports, the configuration, the waivers and the
/// rule pack, with a manifest of their SHA-256; its digest is printed for a signer.
fn write_evidence(dir: &Path, args: &CheckArgs, text: &str, report: &Report) -> miette::Result<()> {
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
                fail_on: report.fail_on.clone(),
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
            },
        },
    )?;
    let digest = evidence::sha256(&std::fs::read(dir.join(evidence::MANIFEST)).into_diagnostic()?);
    eprintln!(
        "evidence: {} file(s) in {}; manifest.json SHA-256 {digest} (sign manifest.json to seal them, docs/audits.md)",
        manifest.files.len() + 1,
        dir.display()
    );
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
    /// The day waivers are judged against; today when `None`.
    today: Option<chrono::NaiveDate>,
}

impl<'a> Checker<'a> {
    /// Judges waivers as of `day` instead of today (`verify` re-checks as of the
    /// recorded check time).
    pub fn as_of(mut self, day: chrono::NaiveDate) -> Self {
        self.today = Some(day);
        self
    }

    /// Evaluates the rules over snapshot text and builds the report, listing passing
    /// resources when `passing`.
    pub fn check_str(
        &self,
        path: &Path,
        text: &str,
        allow_incomplete: bool,
        passing: bool,
    ) -> miette::Result<Report> {
        self.check_text(
            path,
            text,
            allow_incomplete,
            passing,
            &mut Stopwatch::new(None),
        )
    }

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
            today: None,
        })
    }

    /// Evaluates the rules over a snapshot and builds the report.
    pub fn check(&self, loaded: &LoadedSnapshot, allow_incomplete: bool) -> miette::Result<Report> {
        self.check_text(
            &loaded.path,
            &loaded.text,
            allow_incomplete,
            false,
            &mut Stopwatch::new(None),
        )
    }

    /// Validates snapshot text, evaluates the rules over it and builds the report
    /// (listing passing resources when `passing`).
    ///
    /// The text is read service by service ([`snapshot::split`]): each service is
    /// validated and parsed by the worker that evaluates it, and dropped after use. A
    /// document that is refused anywhere is read whole once more, only to report the
    /// problem with its location.
    fn check_text(
        &self,
        path: &Path,
        text: &str,
        allow_incomplete: bool,
        passing: bool,
        clock: &mut Stopwatch,
    ) -> miette::Result<Report> {
        let name = path.display().to_string();
        let refused = || -> miette::Report {
            match snapshot::load_str(&name, text) {
                Err(e) => e.into(),
                Ok(_) => miette::miette!("{name}: the snapshot could not be read piece by piece"),
            }
        };
        let mut pieces = snapshot::split(text).ok_or_else(refused)?;
        // A snapshot may come from anywhere: redacted again before anything reads it.
        pieces.skeleton = redact::document_text(&pieces.skeleton).map_err(|_| refused())?;
        let skeleton = snapshot::read_skeleton(&name, &pieces).ok_or_else(refused)?;
        let estate = SplitEstate {
            skeleton: parse_input(&pieces.skeleton)?,
            services: &pieces.services,
            digests: pieces
                .services
                .iter()
                .map(|s| s.iter().map(|_| Mutex::new(None)).collect())
                .collect(),
        };
        if !skeleton.complete && !allow_incomplete {
            // Every service must be valid before the gaps are what is reported.
            estate.validate_all().ok_or_else(refused)?;
            return Err(incomplete(&name, &skeleton.gaps).into());
        }
        if pieces.services.iter().all(Vec::is_empty) {
            return Err(EmptyEstate { path: name }.into());
        }
        clock.lap("split snapshot");
        let (outcomes, stats) = match self.policies.evaluate_estate(&estate, &self.options) {
            Ok(done) => done,
            Err(_) if estate.refused() => return Err(refused()),
            Err(e) => return Err(e.into()),
        };
        clock.lap("load + evaluate");
        clock.detail(&stats);
        clock.slowest_rules(self.policies.rules(), &outcomes);
        // Services no rule looked at piece by piece are validated now.
        estate.validate_all().ok_or_else(refused)?;
        let mut digest = snapshot::Digest::of_skeleton(&skeleton);
        for service in estate.digests.into_iter().flatten() {
            digest.add_service(
                service
                    .into_inner()
                    .expect("workers finished")
                    .expect("every service was validated"),
            );
        }
        let report = report::build(
            report::Checked {
                path,
                text,
                digest: &digest,
            },
            self.policies.rules(),
            outcomes,
            &BuildOptions {
                fail_on: self.fail_on,
                config: self.config,
                disabled_rules: self.disabled.clone(),
                today: self
                    .today
                    .unwrap_or_else(|| chrono::Utc::now().date_naive()),
                passing,
            },
        );
        clock.lap("build report");
        Ok(report)
    }
}

/// A snapshot's text cut into pieces, as the engine's [`Estate`]: a service is
/// validated and parsed when a worker asks for it.
struct SplitEstate<'t> {
    skeleton: regorus::Value,
    services: &'t [Vec<&'t str>],
    /// Each service's digest once it is validated.
    digests: Vec<Vec<Mutex<Option<ServiceDigest>>>>,
}

impl SplitEstate<'_> {
    /// Validates (once) the service at `index` of the subscription at `sub`.
    fn validate(&self, sub: usize, index: usize) -> bool {
        let mut slot = self.digests[sub][index].lock().expect("no panics");
        if slot.is_none() {
            *slot = snapshot::read_service(self.services[sub][index]);
        }
        slot.is_some()
    }

    /// Validates every service not validated yet; `None` when one is refused.
    fn validate_all(&self) -> Option<()> {
        (0..self.services.len())
            .flat_map(|s| (0..self.services[s].len()).map(move |k| (s, k)))
            .all(|(s, k)| self.validate(s, k))
            .then_some(())
    }

    /// Whether a service was refused by validation.
    fn refused(&self) -> bool {
        self.validate_all().is_none()
    }
}

impl Estate for SplitEstate<'_> {
    fn skeleton(&self) -> &regorus::Value {
        &self.skeleton
    }

    fn service_count(&self, subscription: usize) -> usize {
        self.services[subscription].len()
    }

    fn service(&self, subscription: usize, index: usize) -> Result<regorus::Value, String> {
        if !self.validate(subscription, index) {
            return Err(format!(
                "service {index} of subscription {subscription} is not valid"
            ));
        }
        redact::service_value(self.services[subscription][index])
            .and_then(serde_json::from_value)
            .map_err(|e| e.to_string())
    }
}

/// `--timings`: phase durations and the slowest rules, on stderr.
struct Stopwatch {
    what: Option<Timings>,
    start: Instant,
    last: Instant,
}

impl Stopwatch {
    fn new(what: Option<Timings>) -> Self {
        let now = Instant::now();
        Stopwatch {
            what,
            start: now,
            last: now,
        }
    }

    fn lap(&mut self, phase: &str) {
        if self.what.is_some() {
            let now = Instant::now();
            eprintln!(
                "timing: {phase:<18} {:>9.3} s  (total {:.3} s)",
                (now - self.last).as_secs_f64(),
                (now - self.start).as_secs_f64()
            );
            self.last = now;
        }
    }

    /// What the workers of the last lap spent their time on (summed over workers).
    fn detail(&self, stats: &EvalStats) {
        if self.what.is_some() {
            eprintln!(
                "timing:   {} worker(s): load (validate + parse) {:.3} s, evaluate {:.3} s",
                stats.workers,
                stats.load.as_secs_f64(),
                stats.evaluate.as_secs_f64()
            );
        }
    }

    fn slowest_rules(&self, rules: &[Rule], outcomes: &[RuleOutcome]) {
        if self.what != Some(Timings::Rules) {
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
