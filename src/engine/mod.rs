//! The policy engine: loads Rego rules (built-in and user), validates them against
//! the rule contract, and evaluates them over a snapshot with `regorus`.
//!
//! Rules come from pull requests, so the engine is a sandbox: regorus is built
//! without its `http`, `uuid` and `opa-runtime` builtins (a rule calling `http.send`
//! fails with an error rather than silently getting "undefined"), and the clock and
//! random builtins are replaced by ones that refuse, because a rule may only use
//! `input.collectedAt` as "now".

mod errors;
mod evaluate;
mod metadata;
mod severity;
mod sources;
mod testing;

use std::path::PathBuf;

pub use errors::PolicyError;
pub use evaluate::{EvalOptions, RawFinding, RuleOutcome};
pub use metadata::RuleMeta;
pub use severity::{FailOn, Severity};
pub use sources::PolicySource;
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
}

impl PolicySet {
    /// Loads, parses and validates policies.
    pub fn load(options: &LoadOptions) -> Result<Self, PolicyError> {
        let mut sources = if options.no_builtin { Vec::new() } else { sources::builtin() };
        for path in &options.paths {
            sources.extend(sources::from_path(path)?);
        }
        if !options.include_tests {
            sources.retain(|s| !s.is_test());
        }
        let mut engine = sandboxed_engine()?;
        let mut rules: Vec<Rule> = Vec::new();
        for source in &sources {
            let package = engine
                .add_policy(source.path.clone(), source.text.clone())
                .map_err(|e| PolicyError::from_engine(&e, &sources))?;
            if source.is_test() {
                continue;
            }
            if let Some(rule) = classify(&engine, source, package)? {
                if let Some(first) = rules.iter().find(|r| r.meta.id == rule.meta.id) {
                    return Err(PolicyError::DuplicateId {
                        id: rule.meta.id,
                        first: first.path.clone(),
                        second: rule.path,
                    });
                }
                rules.push(rule);
            }
        }
        // Analysis is lazy in regorus; run it now so compile errors surface at load time.
        engine
            .eval_query("true".to_string(), false)
            .map_err(|e| PolicyError::from_engine(&e, &sources))?;
        Ok(PolicySet { engine, rules, sources })
    }

    /// The rules, in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Every loaded source file (rules, libraries and tests).
    pub fn sources(&self) -> &[PolicySource] {
        &self.sources
    }

    /// Keeps only the rules for which `keep` is true.
    pub fn retain_rules(&mut self, keep: impl FnMut(&Rule) -> bool) {
        self.rules.retain(keep);
    }
}

/// A regorus engine with the non-deterministic builtins replaced by refusals.
fn sandboxed_engine() -> Result<regorus::Engine, PolicyError> {
    let mut engine = regorus::Engine::new();
    let refusals: [(&str, u8, &str); 2] = [
        ("time.now_ns", 0, "rules must not read the clock: use input.collectedAt as \"now\""),
        ("rand.intn", 2, "rules must be deterministic: rand.intn is not available"),
    ];
    for (name, nargs, message) in refusals {
        engine
            .add_extension(name.to_string(), nargs, Box::new(move |_| Err(anyhow::anyhow!(message))))
            .map_err(|e| PolicyError::Engine { message: e.to_string() })?;
    }
    Ok(engine)
}

/// Decides whether a module is a rule (has METADATA) or a library, and checks the contract.
fn classify(engine: &regorus::Engine, source: &PolicySource, package: String) -> Result<Option<Rule>, PolicyError> {
    let declares = |name: &str| engine.has_declared_rule_rooted_at(&source.path, name).unwrap_or(false);
    let package_line = source
        .text
        .lines()
        .position(|l| l.trim_start().starts_with("package "))
        .map_or(1, |i| i + 1);
    let Some(block) = metadata::find_block(&source.text) else {
        if declares("deny") {
            return Err(PolicyError::contract(
                source,
                package_line,
                "this module defines `deny` but has no `# METADATA` block before `package`; a rule needs title, custom.id and custom.severity",
            ));
        }
        return Ok(None);
    };
    let meta = metadata::parse(&block).map_err(|e| PolicyError::contract(source, e.line, e.message))?;
    for required in ["deny", "checked"] {
        if !declares(required) {
            return Err(PolicyError::contract(
                source,
                package_line,
                format!("rule {} defines no `{required}` set (every rule defines `checked` and `deny`)", meta.id),
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
