//! Evaluating every rule's `checked` and `deny` sets over one input.
//!
//! The engine is compiled once; each worker thread evaluates rules on its own
//! clone (clones share the parsed modules and the input). A rule that fails to
//! evaluate gets an error outcome; it never passes silently.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::errors::{engine_message, parse_location};
use super::{PolicyError, PolicySet, Rule};

/// How to evaluate.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// The user's `data.apimguard.config`, overlaid on the rules' parameter defaults.
    pub config: Json,
    /// Longest time one rule may run before it is stopped with an error.
    pub rule_timeout: Duration,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Evaluate each rule on its own to measure it (`--timings`), instead of in groups.
    pub isolate_rules: bool,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            config: Json::Object(Default::default()),
            rule_timeout: Duration::from_secs(120),
            threads: std::thread::available_parallelism().map_or(1, usize::from),
            isolate_rules: false,
        }
    }
}

/// One `deny` entry of a rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RawFinding {
    /// The failing resource (an ARM id).
    pub resource: String,
    /// What is wrong with it.
    pub message: String,
    /// Optional: the setting at fault, as a path in the resource (`properties/protocols`),
    /// so that reports can point at the line that declares it (IaC snapshots).
    pub setting: Option<String>,
}

/// What one rule evaluated to.
#[derive(Debug, Clone, Default)]
pub struct RuleOutcome {
    /// Resources the rule looked at (including every failing one).
    pub checked: BTreeSet<String>,
    /// Failing resources, sorted.
    pub findings: Vec<RawFinding>,
    /// Set when the rule could not be evaluated.
    pub error: Option<String>,
    /// How long the rule took (when evaluated in a group: the whole group's time).
    pub elapsed: Duration,
}

impl PolicySet {
    /// Evaluates every rule over the input document (see [`parse_input`]), one
    /// outcome per rule in the order of [`PolicySet::rules`].
    pub fn evaluate(
        &self,
        input: &regorus::Value,
        options: &EvalOptions,
    ) -> Result<Vec<RuleOutcome>, PolicyError> {
        let mut engine = self.engine_with_config(&options.config)?;
        engine.set_input(input.clone());
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: options.rule_timeout,
            check_interval: std::num::NonZeroU32::new(1000).expect("non-zero"),
        });

        let workers = options.threads.clamp(1, self.rules.len().max(1));
        if options.isolate_rules {
            return Ok(self.evaluate_one_by_one(&engine, workers));
        }
        // Round-robin groups, one per worker: each group is evaluated in one pass, so
        // the library rules its members share (indexes, policy chains) are computed
        // once per group rather than once per rule.
        let groups: Vec<Vec<usize>> = (0..workers)
            .map(|w| (w..self.rules.len()).step_by(workers).collect())
            .collect();
        let mut outcomes: Vec<Option<RuleOutcome>> = vec![None; self.rules.len()];
        std::thread::scope(|scope| {
            let handles: Vec<_> = groups
                .iter()
                .enumerate()
                .map(|(g, members)| {
                    let engine = engine.clone();
                    let rules = &self.rules;
                    scope.spawn(move || evaluate_group(engine, rules, g, members))
                })
                .collect();
            for handle in handles {
                for (i, outcome) in handle.join().expect("rule evaluation does not panic") {
                    outcomes[i] = Some(outcome);
                }
            }
        });
        Ok(outcomes
            .into_iter()
            .map(|o| o.expect("every rule was evaluated"))
            .collect())
    }

    /// Evaluates each rule on its own (`--timings`): slower, since shared library
    /// rules are recomputed per rule, but every rule's own cost is measured.
    fn evaluate_one_by_one(&self, engine: &regorus::Engine, workers: usize) -> Vec<RuleOutcome> {
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<RuleOutcome>>> = Mutex::new(vec![None; self.rules.len()]);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let mut engine = engine.clone();
                let (next, results, rules) = (&next, &results, &self.rules);
                scope.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(rule) = rules.get(i) else { break };
                    let outcome = evaluate_rule(&mut engine, rule);
                    results
                        .lock()
                        .expect("no worker panics while holding the lock")[i] = Some(outcome);
                });
            }
        });
        results
            .into_inner()
            .expect("workers finished")
            .into_iter()
            .map(|o| o.expect("every rule was evaluated"))
            .collect()
    }
}

/// Evaluates a group of rules in one pass through a generated aggregate rule; when
/// that fails (one member errors), falls back to evaluating the members one by one so
/// the error is attributed to the rule that caused it and the others still count.
fn evaluate_group(
    mut engine: regorus::Engine,
    rules: &[Rule],
    group: usize,
    members: &[usize],
) -> Vec<(usize, RuleOutcome)> {
    let package = format!("apimguard.__aggregate.g{group}");
    let entries: Vec<String> = members
        .iter()
        .map(|&i| {
            format!(
                "\"r{i}\": {{\"checked\": {0}.checked, \"deny\": {0}.deny}}",
                rules[i].package
            )
        })
        .collect();
    let module = format!(
        "package {package}\n\nresults := {{\n\t{}\n}}\n",
        entries.join(",\n\t")
    );
    let start = Instant::now();
    let aggregate = engine
        .add_policy(format!("<aggregate {group}>"), module)
        .and_then(|_| engine.eval_rule(format!("data.{package}.results")))
        .ok()
        .and_then(|v| serde_json::to_value(&v).ok());
    if let Some(Json::Object(mut results)) = aggregate {
        let elapsed = start.elapsed();
        let parsed: Option<Vec<(usize, RuleOutcome)>> = members
            .iter()
            .map(|&i| {
                let entry = results.remove(&format!("r{i}"))?;
                let set = |name: &str| match entry.get(name) {
                    Some(Json::Array(items)) => Some(items.clone()),
                    _ => None,
                };
                Some((i, outcome_of(set("checked")?, set("deny")?, elapsed)))
            })
            .collect();
        if let Some(parsed) = parsed {
            return parsed;
        }
    }
    members
        .iter()
        .map(|&i| (i, evaluate_rule(&mut engine, &rules[i])))
        .collect()
}

/// Parses a JSON document into the engine's value type (the rules' `input`).
pub fn parse_input(json: &str) -> Result<regorus::Value, PolicyError> {
    regorus::Value::from_json_str(json).map_err(|e| PolicyError::Engine {
        message: format!("cannot read the input document: {e}"),
    })
}

fn evaluate_rule(engine: &mut regorus::Engine, rule: &Rule) -> RuleOutcome {
    let start = Instant::now();
    let sets = eval_set(engine, rule, "checked")
        .and_then(|checked| Ok((checked, eval_set(engine, rule, "deny")?)));
    match sets {
        Ok((checked, deny)) => outcome_of(checked, deny, start.elapsed()),
        Err(error) => RuleOutcome {
            checked: BTreeSet::new(),
            findings: Vec::new(),
            error: Some(error),
            elapsed: start.elapsed(),
        },
    }
}

/// Turns a rule's `checked` and `deny` members into its outcome, checking their shape.
fn outcome_of(checked: Vec<Json>, deny: Vec<Json>, elapsed: Duration) -> RuleOutcome {
    let shaped = deny
        .iter()
        .map(to_finding)
        .collect::<Result<Vec<_>, _>>()
        .and_then(|findings| {
            let checked = checked
                .iter()
                .map(to_resource)
                .collect::<Result<BTreeSet<_>, _>>()?;
            Ok((checked, findings))
        });
    match shaped {
        Ok((mut checked, mut findings)) => {
            findings.sort();
            findings.dedup();
            checked.extend(findings.iter().map(|f| f.resource.clone()));
            RuleOutcome {
                checked,
                findings,
                error: None,
                elapsed,
            }
        }
        Err(error) => RuleOutcome {
            checked: BTreeSet::new(),
            findings: Vec::new(),
            error: Some(error),
            elapsed,
        },
    }
}

/// Evaluates `<package>.<name>` and returns its members (undefined is empty).
fn eval_set(engine: &mut regorus::Engine, rule: &Rule, name: &str) -> Result<Vec<Json>, String> {
    let value = engine
        .eval_rule(format!("{}.{name}", rule.package))
        .map_err(|e| runtime_message(&e))?;
    if value == regorus::Value::Undefined {
        return Ok(Vec::new());
    }
    match serde_json::to_value(&value).map_err(|e| e.to_string())? {
        Json::Array(items) => Ok(items),
        other => Err(format!(
            "`{name}` must be a set, but it is {}",
            kind(&other)
        )),
    }
}

fn to_finding(item: &Json) -> Result<super::RawFinding, String> {
    let field = |key: &str| item.get(key).and_then(Json::as_str).map(str::to_string);
    match (field("resource"), field("message")) {
        (Some(resource), Some(message)) => Ok(RawFinding {
            resource,
            message,
            setting: field("setting"),
        }),
        _ => Err(format!(
            "every `deny` entry must be an object with `resource` and `message` strings, got {}",
            truncate(&item.to_string())
        )),
    }
}

fn to_resource(item: &Json) -> Result<String, String> {
    item.as_str().map(str::to_string).ok_or_else(|| {
        format!(
            "`checked` must hold resource ids (strings), got {}",
            truncate(&item.to_string())
        )
    })
}

fn runtime_message(err: &anyhow::Error) -> String {
    let text = format!("{err:#}");
    let message = engine_message(&text);
    match parse_location(&text) {
        Some((file, line, column)) => format!("{file}:{line}:{column}: {message}"),
        None => message,
    }
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn truncate(s: &str) -> String {
    if s.len() > 120 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(117).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s.to_string()
    }
}
