//! Checking a snapshot: rules loaded once ([`Checker`]), the snapshot read piece by
//! piece, evaluated and turned into a report; shared by `check`, `diff` and `remediate`.

use miette::Diagnostic;
use thiserror::Error;

use std::path::Path;
use std::time::Instant;

use std::sync::Mutex;

use super::shard::Share;
use crate::config::Config;
use crate::console;
use crate::engine::{
    parse_input, Estate, EvalOptions, EvalStats, FailOn, LoadOptions, PolicySet, Rule, RuleOutcome,
};
use crate::redact;
use crate::report::{self, BuildOptions, Report};
use crate::snapshot::{self, Gap, LoadedSnapshot, ServiceDigest, Shard};

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

/// Refusal to check one shard of a collection as if it were the estate.
#[derive(Debug, Error, Diagnostic)]
#[error("{path} is shard {shard} of a collection (`collect --shard`): it holds part of the estate, so rules that look at a whole subscription or the whole estate would judge part of it")]
#[diagnostic(
    code(apimguard::shard::partial_snapshot),
    help("join the shards first (`apimguard merge shard-*.json -o estate.json`), then check the whole snapshot, or shard the check of it (`check --shard K/N`); --allow-incomplete checks this part alone")
)]
pub struct PartialSnapshot {
    path: String,
    shard: String,
}

/// No rules were left to evaluate.
#[derive(Debug, Error, Diagnostic)]
#[error("no rules to evaluate")]
#[diagnostic(
    code(apimguard::policy::empty),
    help("drop --no-builtin, point --policies at a directory that holds rules with METADATA, or enable rules in the configuration's `rules` section")
)]
pub struct NoRules;

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
    warnings: Vec<String>,
    /// `--shard`: evaluate only this shard's share of a snapshot.
    shard: Option<Shard>,
    /// `--honor-azure-exemptions` (or the configuration's `honorAzureExemptions`).
    honor_azure_exemptions: bool,
}

impl<'a> Checker<'a> {
    /// Judges waivers as of `day` instead of today (`verify` re-checks as of the
    /// recorded check time).
    pub fn judged_on(mut self, day: chrono::NaiveDate) -> Self {
        self.today = Some(day);
        self
    }

    /// Lets Azure exemptions in force and scoped waive the findings they cover when
    /// `honour` (`--honor-azure-exemptions`), as the configuration may also ask.
    pub fn honouring_azure_exemptions(mut self, honour: bool) -> Self {
        self.honor_azure_exemptions = honour;
        self
    }

    /// Whether this check lets Azure exemptions waive findings: asked for, or by the
    /// configuration.
    pub fn honours_azure_exemptions(&self) -> bool {
        self.honor_azure_exemptions || self.config.is_some_and(|c| c.honor_azure_exemptions)
    }

    /// Evaluates only `shard`'s share of each snapshot (`check --shard`, see
    /// [`super::shard`]); the report says which shard it covers.
    pub fn sharded(mut self, shard: Option<Shard>) -> Self {
        self.shard = shard;
        self
    }

    /// Loads the rules, drops those the configuration disables, and notes the
    /// configuration entries that match no rule (see [`Checker::warnings`]).
    pub fn new(
        load: &LoadOptions,
        config: Option<&'a Config>,
        fail_on: FailOn,
        mut options: EvalOptions,
    ) -> miette::Result<Self> {
        let mut policies = PolicySet::load(load)?;
        let mut disabled = Vec::new();
        let mut warnings = Vec::new();
        if let Some(config) = config {
            let ids: Vec<&str> = policies
                .rules()
                .iter()
                .map(|r| r.meta.id.as_str())
                .collect();
            warnings = config.unmatched(&ids);
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
            warnings,
            today: None,
            shard: None,
            honor_azure_exemptions: false,
        })
    }

    /// What the caller should warn about: configuration entries that match no rule.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Evaluates the rules over a snapshot and builds the report.
    pub fn check(&self, loaded: &LoadedSnapshot, allow_incomplete: bool) -> miette::Result<Report> {
        self.check_text(
            &loaded.path,
            &loaded.text,
            allow_incomplete,
            false,
            &mut Stopwatch::new(Timing::Off),
        )
    }

    /// Validates snapshot text, evaluates the rules over it and builds the report
    /// (listing passing resources when `passing`).
    ///
    /// The text is read service by service ([`snapshot::split`]): each service is
    /// validated and parsed by the worker that evaluates it, and dropped after use. A
    /// document that is refused anywhere is read whole once more, only to report the
    /// problem with its location.
    pub(crate) fn check_text(
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
        if let Some(notice) = snapshot::newer_minor_notice(&skeleton, &name) {
            console::warning(notice);
        }
        let estate = SplitEstate {
            skeleton: parse_input(&pieces.skeleton)?,
            services: &pieces.services,
            text_bytes: text.len(),
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
        if let (Some(part), false) = (&skeleton.shard, allow_incomplete) {
            return Err(PartialSnapshot {
                path: name,
                shard: format!("{}/{}", part.index, part.count),
            }
            .into());
        }
        if pieces.services.iter().all(Vec::is_empty) {
            return Err(EmptyEstate { path: name }.into());
        }
        let share = match self.shard {
            Some(shard) => {
                Some(Share::new(shard, &skeleton, &pieces.services).ok_or_else(refused)?)
            }
            None => None,
        };
        clock.lap("split snapshot");
        let evaluated = match &share {
            Some(share) => share
                .evaluate(&self.policies, &estate, &self.options)
                .map(|e| (e.outcomes, e.stats, e.shared)),
            None => self
                .policies
                .evaluate_estate(&estate, &self.options)
                .map(|(outcomes, stats)| (outcomes, stats, Vec::new())),
        };
        let (outcomes, stats, shared) = match evaluated {
            Ok(done) => done,
            Err(_) if estate.refused() => return Err(refused()),
            Err(e) => return Err(e.into()),
        };
        clock.lap("load + evaluate");
        clock.detail(&stats);
        clock.slowest_rules(self.policies.rules(), &outcomes);
        // Services no rule looked at piece by piece are validated now (a shard's own).
        let ours = |s: usize, k: usize| share.as_ref().is_none_or(|share| share.holds(s, k));
        (0..estate.services.len())
            .flat_map(|s| (0..estate.services[s].len()).map(move |k| (s, k)))
            .filter(|&(s, k)| ours(s, k))
            .all(|(s, k)| estate.validate(s, k))
            .then_some(())
            .ok_or_else(refused)?;
        let mut digest = snapshot::Digest::of_skeleton(&skeleton);
        for (s, services) in estate.digests.into_iter().enumerate() {
            for (k, service) in services.into_iter().enumerate() {
                let service = service.into_inner().expect("workers finished");
                match service {
                    Some(service) if ours(s, k) => digest.add_service(service),
                    // Another shard's service, read for a subscription's rules: only
                    // where its resources are declared, to locate findings.
                    Some(service) => {
                        for (id, origin) in service.origins {
                            digest.origins.entry(id).or_insert(origin);
                        }
                    }
                    None => {}
                }
            }
        }
        if let Some(share) = &share {
            digest.subscriptions = share.owned_subscriptions();
        }
        let today = self
            .today
            .unwrap_or_else(|| chrono::Utc::now().date_naive());
        if let Some(config) = self.config {
            for (rule, outcome) in self.policies.rules().iter().zip(&outcomes) {
                let checked = outcome.checked.iter().map(|id| &**id);
                for warning in config.blanket_waivers(&rule.meta.id, checked, today) {
                    console::warning(warning);
                }
            }
        }
        let mut report = report::build(
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
                today,
                passing,
                honor_azure_exemptions: self.honours_azure_exemptions(),
            },
        );
        if let Some(share) = &share {
            share.annotate(&mut report, self.policies.rules(), shared);
        }
        clock.lap("build report");
        Ok(report)
    }
}

/// A snapshot's text cut into pieces, as the engine's [`Estate`]: a service is
/// validated and parsed when a worker asks for it.
struct SplitEstate<'t> {
    skeleton: regorus::Value,
    services: &'t [Vec<&'t str>],
    /// The size of the snapshot's text.
    text_bytes: usize,
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

    fn json_bytes(&self) -> usize {
        self.text_bytes
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

/// What `--timings` reports on standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timing {
    /// Nothing.
    Off,
    /// Phase durations.
    Phases,
    /// Phase durations and the slowest rules.
    Rules,
}

/// `--timings`: phase durations and the slowest rules, on stderr.
pub(crate) struct Stopwatch {
    what: Timing,
    start: Instant,
    last: Instant,
}

impl Stopwatch {
    pub(crate) fn new(what: Timing) -> Self {
        let now = Instant::now();
        Stopwatch {
            what,
            start: now,
            last: now,
        }
    }

    pub(crate) fn lap(&mut self, phase: &str) {
        if self.what != Timing::Off {
            let now = Instant::now();
            console::line(format_args!(
                "timing: {phase:<18} {:>9.3} s  (total {:.3} s)",
                (now - self.last).as_secs_f64(),
                (now - self.start).as_secs_f64()
            ));
            self.last = now;
        }
    }

    /// What the workers of the last lap spent their time on (summed over workers).
    fn detail(&self, stats: &EvalStats) {
        if self.what != Timing::Off {
            console::line(format_args!(
                "timing:   {} worker(s): load (validate + parse) {:.3} s, evaluate {:.3} s",
                stats.workers,
                stats.load.as_secs_f64(),
                stats.evaluate.as_secs_f64()
            ));
        }
    }

    fn slowest_rules(&self, rules: &[Rule], outcomes: &[RuleOutcome]) {
        if self.what != Timing::Rules {
            return;
        }
        let mut by_time: Vec<_> = rules.iter().zip(outcomes).collect();
        by_time.sort_by_key(|(_, o)| std::cmp::Reverse(o.elapsed));
        for (rule, outcome) in by_time.into_iter().take(10) {
            console::line(format_args!(
                "timing:   {:<16} {:>9.3} s  {}",
                rule.meta.id,
                outcome.elapsed.as_secs_f64(),
                rule.path
            ));
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
