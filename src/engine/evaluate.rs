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
    /// `data.apimguard.config`: rule parameters.
    pub config: Json,
    /// Longest time one rule may run before it is stopped with an error.
    pub rule_timeout: Duration,
    /// Worker threads (at least 1).
    pub threads: usize,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            config: Json::Object(Default::default()),
            rule_timeout: Duration::from_secs(120),
            threads: std::thread::available_parallelism().map_or(1, usize::from),
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
}

/// What one rule evaluated to.
#[derive(Debug, Clone)]
pub struct RuleOutcome {
    /// Resources the rule looked at (including every failing one).
    pub checked: BTreeSet<String>,
    /// Failing resources, sorted.
    pub findings: Vec<RawFinding>,
    /// Set when the rule could not be evaluated.
    pub error: Option<String>,
    /// How long the rule took.
    pub elapsed: Duration,
}

impl PolicySet {
    /// Evaluates every rule over the input document (JSON text), one outcome per rule
    /// in the order of [`PolicySet::rules`].
    pub fn evaluate(&self, input_json: &str, options: &EvalOptions) -> Result<Vec<RuleOutcome>, PolicyError> {
        let input = regorus::Value::from_json_str(input_json).map_err(|e| PolicyError::Engine {
            message: format!("cannot read the input: {e}"),
        })?;
        let mut engine = self.engine.clone();
        let data = serde_json::json!({ "apimguard": { "config": options.config } });
        engine
            .add_data_json(&data.to_string())
            .map_err(|e| PolicyError::Engine { message: format!("cannot load the configuration: {e}") })?;
        engine.set_input(input);
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: options.rule_timeout,
            check_interval: std::num::NonZeroU32::new(1000).expect("non-zero"),
        });

        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<RuleOutcome>>> = Mutex::new(vec![None; self.rules.len()]);
        let workers = options.threads.clamp(1, self.rules.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let mut engine = engine.clone();
                let (next, results, rules) = (&next, &results, &self.rules);
                scope.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(rule) = rules.get(i) else { break };
                    let outcome = evaluate_rule(&mut engine, rule);
                    results.lock().expect("no worker panics while holding the lock")[i] = Some(outcome);
                });
            }
        });
        Ok(results
            .into_inner()
            .expect("workers finished")
            .into_iter()
            .map(|o| o.expect("every rule was evaluated"))
            .collect())
    }
}

fn evaluate_rule(engine: &mut regorus::Engine, rule: &Rule) -> RuleOutcome {
    let start = Instant::now();
    let result = eval_set(engine, rule, "checked").and_then(|checked| {
        let deny = eval_set(engine, rule, "deny")?;
        Ok((checked, deny))
    });
    let (checked, findings, error) = match result.and_then(|(checked, deny)| {
        let findings = deny.iter().map(to_finding).collect::<Result<Vec<_>, _>>()?;
        let checked = checked.iter().map(to_resource).collect::<Result<BTreeSet<_>, _>>()?;
        Ok((checked, findings))
    }) {
        Ok((mut checked, mut findings)) => {
            findings.sort();
            findings.dedup();
            checked.extend(findings.iter().map(|f| f.resource.clone()));
            (checked, findings, None)
        }
        Err(e) => (BTreeSet::new(), Vec::new(), Some(e)),
    };
    RuleOutcome {
        checked,
        findings,
        error,
        elapsed: start.elapsed(),
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
        other => Err(format!("`{name}` must be a set, but it is {}", kind(&other))),
    }
}

fn to_finding(item: &Json) -> Result<super::RawFinding, String> {
    let field = |key: &str| item.get(key).and_then(Json::as_str).map(str::to_string);
    match (field("resource"), field("message")) {
        (Some(resource), Some(message)) => Ok(RawFinding { resource, message }),
        _ => Err(format!(
            "every `deny` entry must be an object with `resource` and `message` strings, got {}",
            truncate(&item.to_string())
        )),
    }
}

fn to_resource(item: &Json) -> Result<String, String> {
    item.as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("`checked` must hold resource ids (strings), got {}", truncate(&item.to_string())))
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
        format!("{}…", &s[..s.char_indices().nth(117).map_or(s.len(), |(i, _)| i)])
    } else {
        s.to_string()
    }
}
