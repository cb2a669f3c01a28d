//! The policy engine: loads Rego rules (built-in and user), validates them against
//! the rule contract, and evaluates them over a snapshot with `regorus`.
//!
//! Rules come from pull requests, so the engine is a sandbox: regorus is built
//! without its `http`, `uuid` and `opa-runtime` builtins (a rule calling `http.send`
//! fails with an error rather than silently getting "undefined"), and the clock and
//! random builtins are replaced by ones that refuse, because a rule may only use
//! `input.collectedAt` as "now".
//!
//! Rule parameters (`custom.parameters` in METADATA) are gathered into one object,
//! [`PolicySet::default_config`], which is the base of `data.apimguard.config` for
//! evaluation, unit tests and documentation examples; the user's configuration
//! overrides it key by key.

mod action;
mod ast_walk;
mod errors;
mod evaluate;
mod examples;
mod filter;
mod lint;
mod memory;
mod metadata;
mod profiles;
mod recursion;
mod severity;
pub(crate) mod sources;
mod testing;
mod watchdog;

use std::path::PathBuf;

use serde_json::{Map, Value as Json};

pub use action::Action;
pub use errors::PolicyError;
use errors::{engine_message, parse_location};
pub use evaluate::{
    parse_input, Estate, EvalOptions, EvalStats, RawFinding, ResourceSet, RuleOutcome,
};
pub use examples::{Example, Examples};
pub use filter::{FrameworkFilter, RuleFilter};
pub use lint::{LintFinding, LintRule};
pub use memory::MemoryGate;
pub use metadata::{valid_id, InputScope, Parameter, RuleMeta, CUSTOM_FAMILY};
pub use profiles::{Profile, PROFILES};
pub use severity::{FailOn, Severity};
pub use sources::{builtin as builtin_sources, from_path as policy_sources, PolicySource};
pub use testing::{TestCase, TestOutcome};

/// Which policies to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Skip the built-in pack (`--no-builtin`).
    pub no_builtin: bool,
    /// User policy directories or files (`--policies`).
    pub paths: Vec<PathBuf>,
    /// Also load `*_test.rego` modules (for `rules test`).
    pub include_tests: bool,
    /// Keep only the rules of this profile; `None` keeps every rule.
    pub profile: Option<&'static Profile>,
}

/// One loaded rule: its METADATA and where it lives.
#[derive(Debug, Clone)]
pub struct Rule {
    /// What the rule says about itself.
    pub meta: RuleMeta,
    /// Its package path, for example `data.apimguard.rules.defender.onboarded`.
    pub package: String,
    /// The file it came from.
    pub path: String,
    /// Whether it is part of the built-in pack.
    pub builtin: bool,
}

/// A validated set of rules, compiled once and ready to evaluate.
#[derive(Clone)]
pub struct PolicySet {
    engine: regorus::Engine,
    rules: Vec<Rule>,
    sources: Vec<PolicySource>,
    config: Map<String, Json>,
}

impl PolicySet {
    /// Loads, parses and validates policies.
    pub fn load(options: &LoadOptions) -> Result<Self, PolicyError> {
        let mut sources = if options.no_builtin {
            Vec::new()
        } else {
            sources::builtin()
        };
        for path in &options.paths {
            sources.extend(sources::from_path(path)?);
        }
        if !options.include_tests {
            sources.retain(|s| !s.is_test());
        }
        refuse_builtin_copies(&sources)?;
        let mut engine = sandboxed_engine()?;
        let mut rules: Vec<Rule> = Vec::new();
        for source in &sources {
            refuse_forbidden_builtins(source)?;
            let package = engine
                .add_policy(source.path.clone(), source.text.clone())
                .map_err(|e| PolicyError::from_engine(&e, &sources))?;
            if source.is_test() {
                continue;
            }
            if let Some(rule) = classify(&engine, source, package)? {
                // Ids match whatever their case (configurations, waivers, `--rule`), so
                // two rules whose ids differ only in case would share every entry.
                if let Some(first) = rules
                    .iter()
                    .find(|r| r.meta.id.eq_ignore_ascii_case(&rule.meta.id))
                {
                    return Err(if first.meta.id == rule.meta.id {
                        PolicyError::DuplicateId {
                            id: rule.meta.id,
                            first: first.path.clone(),
                            second: rule.path,
                        }
                    } else {
                        PolicyError::IdCase {
                            id: rule.meta.id,
                            path: rule.path,
                            first_id: first.meta.id.clone(),
                            first: first.path.clone(),
                        }
                    });
                }
                // Two files of one package make one set of rules in Rego: each rule
                // would report the other's findings (a copied file whose package was
                // left as it was, or a built-in package reused).
                if let Some(first) = rules.iter().find(|r| r.package == rule.package) {
                    return Err(PolicyError::contract_with_help(
                        source,
                        package_line(&source.text),
                        format!(
                            "package `{}` is already the package of rule {} ({}); every rule needs a package of its own, or its `checked` and `deny` merge with that rule's",
                            rule.package.trim_start_matches("data."),
                            first.meta.id,
                            first.path
                        ),
                        if first.builtin {
                            COPY_OF_BUILTIN_HELP
                        } else {
                            "give each rule file a package of its own (docs/writing-rules.md, Files and packages), e.g. `package <org>.rules.<family>.<name>`"
                        },
                    ));
                }
                rules.push(rule);
            }
        }
        // regorus would evaluate a recursive function until the stack overflows.
        recursion::refuse(engine.get_modules(), &sources)?;
        // Analysis is lazy in regorus; run it now so compile errors surface at load time.
        engine
            .eval_query("true".to_string(), false)
            .map_err(|e| PolicyError::from_engine(&e, &sources))?;
        let config = parameter_defaults(&rules, &sources)?;
        if let Some(profile) = options.profile {
            rules.retain(|rule| profile.includes(rule));
        }
        Ok(PolicySet {
            engine,
            rules,
            sources,
            config,
        })
    }

    /// The rules, in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Every loaded source file (rules, libraries and tests).
    pub fn sources(&self) -> &[PolicySource] {
        &self.sources
    }

    /// The strict lint's findings (docs/writing-rules.md, The lint) in the loaded files:
    /// only the user's when `user_only`, every file otherwise.
    pub fn lint(&self, user_only: bool) -> Vec<LintFinding> {
        let files: Vec<&PolicySource> = self
            .sources
            .iter()
            .filter(|s| !(user_only && s.builtin))
            .collect();
        // regorus hands out its modules from a `&mut` engine only; a clone shares them.
        let mut engine = self.engine.clone();
        lint::lint(engine.get_modules(), &files)
    }

    /// Keeps only the rules for which `keep` is true.
    pub fn retain_rules(&mut self, keep: impl FnMut(&Rule) -> bool) {
        self.rules.retain(keep);
    }

    /// Every loaded rule's parameter defaults, as one object keyed by parameter name:
    /// the base of `data.apimguard.config`.
    pub fn default_config(&self) -> Json {
        Json::Object(self.config.clone())
    }

    /// A clone of the compiled engine whose `data.apimguard.config` is the parameter
    /// defaults overlaid with `overrides` (an object; `null` for none).
    fn engine_with_config(&self, overrides: &Json) -> Result<regorus::Engine, PolicyError> {
        let mut config = self.default_config();
        overlay(&mut config, overrides);
        let data = serde_json::json!({ "apimguard": { "config": config } });
        let mut engine = self.engine.clone();
        engine
            .add_data_json(&data.to_string())
            .map_err(|e| PolicyError::Engine {
                message: format!("cannot load the configuration: {e}"),
            })?;
        Ok(engine)
    }
}

/// Deep-merges `top` into `base`: objects merge key by key, anything else replaces.
fn overlay(base: &mut Json, top: &Json) {
    match (base, top) {
        (Json::Object(base), Json::Object(top)) => {
            for (key, value) in top {
                overlay(base.entry(key.clone()).or_insert(Json::Null), value);
            }
        }
        (_, Json::Null) => {}
        (base, top) => *base = top.clone(),
    }
}

/// Collects the rules' parameter defaults into one object; two rules that declare
/// the same parameter with different defaults are a located error at the second.
fn parameter_defaults(
    rules: &[Rule],
    sources: &[PolicySource],
) -> Result<Map<String, Json>, PolicyError> {
    let mut config = Map::new();
    let mut declared_by: std::collections::BTreeMap<&str, &Rule> = Default::default();
    for rule in rules {
        for (name, parameter) in &rule.meta.parameters {
            match declared_by.get(name.as_str()) {
                Some(first) if first.meta.parameters[name].default != parameter.default => {
                    let source = sources
                        .iter()
                        .find(|s| s.path == rule.path)
                        .expect("every rule comes from a loaded source");
                    return Err(PolicyError::contract_with_help(
                        source,
                        parameter.line,
                        format!(
                            "parameter `{name}` has default {} here but {} in {} ({}); rules that share a parameter must agree on its default",
                            parameter.default,
                            first.meta.parameters[name].default,
                            first.path,
                            first.meta.id
                        ),
                        "give the parameter the same `default` under custom.parameters in every rule that reads it (docs/writing-rules.md, Parameters)",
                    ));
                }
                Some(_) => {}
                None => {
                    declared_by.insert(name, rule);
                    config.insert(name.clone(), parameter.default.clone());
                }
            }
        }
    }
    Ok(config)
}

/// Builtins a rule may never call: they reach outside the snapshot (network, host
/// environment) or make results irreproducible. regorus is built without most of
/// them, but refusing them by name gives the author a located error at load time.
const FORBIDDEN_BUILTINS: [&str; 7] = [
    "http.send",
    "net.lookup_ip_addr",
    "opa.runtime",
    "time.now_ns",
    "rand.intn",
    "uuid.rfc4122",
    // The engine's own bookkeeping (see `watchdog`), not a builtin for rules.
    watchdog::RULE_STARTS,
];

fn refuse_forbidden_builtins(source: &PolicySource) -> Result<(), PolicyError> {
    for (i, line) in source.text.lines().enumerate() {
        let code = line.split('#').next().unwrap_or_default();
        if let Some(name) = FORBIDDEN_BUILTINS
            .iter()
            .find(|b| code.contains(&format!("{b}(")))
        {
            return Err(PolicyError::contract_with_help(
                source,
                i + 1,
                format!("`{name}` is not available to rules: rules are pure functions of the snapshot (no network, clock or randomness; use input.collectedAt as \"now\")"),
                "docs/writing-rules.md, Purity: a rule reads only the snapshot (input) and the configuration's parameters; `time.parse_rfc3339_ns(input.collectedAt)` is the rule's \"now\"",
            ));
        }
    }
    Ok(())
}

/// A regorus engine with the non-deterministic builtins replaced by refusals.
fn sandboxed_engine() -> Result<regorus::Engine, PolicyError> {
    let mut engine = regorus::Engine::new();
    let refusals: [(&str, u8, &str); 2] = [
        (
            "time.now_ns",
            0,
            "rules must not read the clock: use input.collectedAt as \"now\"",
        ),
        (
            "rand.intn",
            2,
            "rules must be deterministic: rand.intn is not available",
        ),
    ];
    let engine_error = |e: anyhow::Error| PolicyError::Engine {
        message: e.to_string(),
    };
    for (name, nargs, message) in refusals {
        engine
            .add_extension(
                name.to_string(),
                nargs,
                Box::new(move |_| Err(anyhow::anyhow!(message))),
            )
            .map_err(engine_error)?;
    }
    // The generated aggregate rules tell the watchdog which rule starts.
    engine
        .add_extension(
            watchdog::RULE_STARTS.to_string(),
            1,
            Box::new(|args: Vec<regorus::Value>| {
                if let Some(index) = args.first().and_then(|a| a.as_u64().ok()) {
                    watchdog::rule_starts(index as usize);
                }
                Ok(regorus::Value::from(true))
            }),
        )
        .map_err(engine_error)?;
    Ok(engine)
}

/// What to do when `--policies` holds (a copy of) the built-in pack.
const COPY_OF_BUILTIN_HELP: &str =
    "to load (or test) this folder instead of the built-in pack, add --no-builtin";

/// Refuses a file of `--policies` that has the path of a built-in one (the repository's
/// own `policies/` folder, say): the engine cannot hold two modules of one path, and the
/// built-in pack already has it.
fn refuse_builtin_copies(sources: &[PolicySource]) -> Result<(), PolicyError> {
    let builtin: std::collections::HashSet<&str> = sources
        .iter()
        .filter(|s| s.builtin)
        .map(|s| s.path.as_str())
        .collect();
    match sources
        .iter()
        .find(|s| !s.builtin && builtin.contains(s.path.as_str()))
    {
        Some(copy) => Err(PolicyError::contract_with_help(
            copy,
            package_line(&copy.text),
            "this file has the path of a built-in rule file, which is already loaded",
            COPY_OF_BUILTIN_HELP,
        )),
        None => Ok(()),
    }
}

/// The 1-based line of a module's `package` declaration (1 when there is none).
fn package_line(text: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().starts_with("package "))
        .map_or(1, |i| i + 1)
}

/// Decides whether a module is a rule (has METADATA) or a library, and checks the contract.
fn classify(
    engine: &regorus::Engine,
    source: &PolicySource,
    package: String,
) -> Result<Option<Rule>, PolicyError> {
    let package_line = package_line(&source.text);
    // Whether the module declares a rule `name`; an error (a rule head the engine's
    // lookup cannot read) is the module's problem, told at its line.
    let declares = |name: &str| {
        engine
            .has_declared_rule_rooted_at(&source.path, name)
            .map_err(|e| {
                let text = format!("{e:#}");
                let (line, column) =
                    parse_location(&text).map_or((package_line, 1), |(_, line, col)| (line, col));
                PolicyError::unreadable_head(source, line, column, &engine_message(&text))
            })
    };
    let Some(block) = metadata::find_block(&source.text) else {
        if declares("deny")? {
            return Err(PolicyError::contract(
                source,
                package_line,
                "this module defines `deny` but has no `# METADATA` block before `package`; a rule needs title, custom.id and custom.severity",
            ));
        }
        return Ok(None);
    };
    let meta = metadata::parse(&block, &package)
        .map_err(|e| PolicyError::contract(source, e.line, e.message))?;
    for required in ["deny", "checked"] {
        if !declares(required)? {
            return Err(PolicyError::contract(
                source,
                package_line,
                format!(
                    "rule {} defines no `{required}` set (every rule defines `checked` and `deny`)",
                    meta.id
                ),
            ));
        }
    }
    Ok(Some(Rule {
        meta,
        package,
        path: source.path.clone(),
        builtin: source.builtin,
    }))
}
