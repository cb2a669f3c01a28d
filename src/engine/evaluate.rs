//! Evaluating every rule's `checked` and `deny` sets over a snapshot.
//!
//! The engine is compiled once; worker threads evaluate on their own clones (clones
//! share the parsed modules). The snapshot comes in pieces ([`Estate`]): rules that
//! declare `custom.input: service` are evaluated service by service, `subscription`
//! rules subscription by subscription, and the others on the whole document; each
//! rule's sets are the union of its sets over the pieces (see [`InputScope`]). Workers
//! load the pieces as they go and drop them as soon as no rule needs them, so a large
//! estate is never held whole unless some rule needs all of it at once.
//!
//! Within a piece, the rules of one scope are evaluated in one pass through a generated
//! aggregate rule, so the library rules they share (indexes, policy chains) are
//! computed once per piece. A rule that fails to evaluate gets an error outcome; it
//! never passes silently.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use regorus::Value;

use super::errors::{engine_message, parse_location};
use super::memory::{default_memory_limit, set_memory_limit};
use super::metadata::InputScope;
use super::watchdog::{self, Label, Watch};
use super::{PolicyError, PolicySet, Rule};

/// How to evaluate.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// The user's `data.apimguard.config`, overlaid on the rules' parameter defaults.
    pub config: serde_json::Value,
    /// Longest time one rule may run on one piece of the snapshot (one service,
    /// subscription or the whole document, after its `custom.input`) before it is
    /// stopped with an error; a rule stuck inside one builtin call past this (plus
    /// [`watchdog::grace`]) ends the run (see [`super::watchdog`]).
    pub rule_timeout: Duration,
    /// Most bytes apimguard may hold while a rule is evaluated; a rule that takes it
    /// over ends the run (see [`super::memory`]). `None`: [`default_memory_limit`] of
    /// the snapshot's size ([`Estate::json_bytes`]).
    pub memory_limit: Option<u64>,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Evaluate each rule on its own to measure it (`--timings`), instead of in groups.
    pub isolate_rules: bool,
    /// Evaluate every rule on the whole snapshot, ignoring `custom.input`: the reference
    /// that evaluation piece by piece is tested against.
    pub whole_input: bool,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            config: serde_json::Value::Object(Default::default()),
            rule_timeout: Duration::from_secs(120),
            memory_limit: None,
            threads: std::thread::available_parallelism().map_or(1, usize::from),
            isolate_rules: false,
            whole_input: false,
        }
    }
}

/// A set of resource ids (each id is one shared string, whichever rules keep it).
pub type ResourceSet = HashSet<Arc<str>, rustc_hash::FxBuildHasher>;

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
    pub checked: ResourceSet,
    /// Failing resources, sorted.
    pub findings: Vec<RawFinding>,
    /// Set when the rule could not be evaluated.
    pub error: Option<String>,
    /// How long the rule took, summed over the pieces of the snapshot (when evaluated
    /// in a group: the whole group's time).
    pub elapsed: Duration,
}

/// A snapshot handed to the engine in pieces.
///
/// The *skeleton* is the document with every subscription's `services` emptied;
/// the services are loaded one at a time, by index, when a worker gets to them.
pub trait Estate: Sync {
    /// The document with every subscription's `services` an empty array.
    fn skeleton(&self) -> &Value;
    /// How many services the subscription at `subscription` (its index) holds.
    fn service_count(&self, subscription: usize) -> usize;
    /// The service at `index` of the subscription at `subscription`.
    fn service(&self, subscription: usize, index: usize) -> Result<Value, String>;
    /// The size of the snapshot's JSON text (0 when unknown), which sizes the default
    /// memory ceiling.
    fn json_bytes(&self) -> usize;
}

/// Where the time of an evaluation went, summed over the workers.
#[derive(Debug, Clone, Default)]
pub struct EvalStats {
    /// Workers that ran.
    pub workers: usize,
    /// Time spent loading pieces ([`Estate::service`]).
    pub load: Duration,
    /// Time spent evaluating rules and collecting their results.
    pub evaluate: Duration,
}

impl PolicySet {
    /// Evaluates every rule over the input document (see [`parse_input`]), one
    /// outcome per rule in the order of [`PolicySet::rules`].
    pub fn evaluate(
        &self,
        input: &Value,
        options: &EvalOptions,
    ) -> Result<Vec<RuleOutcome>, PolicyError> {
        match WholeValue::split(input) {
            Some(estate) => self.evaluate_estate(&estate, options),
            // Not snapshot-shaped: every rule sees the document as it is.
            None => self.evaluate_estate(
                &WholeValue::unsplit(input),
                &EvalOptions {
                    whole_input: true,
                    ..options.clone()
                },
            ),
        }
        .map(|(outcomes, _)| outcomes)
    }

    /// Evaluates every rule over a snapshot given in pieces, one outcome per rule in
    /// the order of [`PolicySet::rules`], with where the time went. A piece that cannot
    /// be loaded stops the evaluation with an engine error.
    pub fn evaluate_estate(
        &self,
        estate: &dyn Estate,
        options: &EvalOptions,
    ) -> Result<(Vec<RuleOutcome>, EvalStats), PolicyError> {
        let mut engine = self.engine_with_config(&options.config)?;
        let memory_limit = options
            .memory_limit
            .unwrap_or_else(|| default_memory_limit(estate.json_bytes()));
        guard(&mut engine, options.rule_timeout, memory_limit)?;
        let skeleton = estate.skeleton();
        let subscriptions = subscription_count(skeleton);
        let scope_of = |rule: &Rule| {
            if options.whole_input || subscriptions == 0 {
                InputScope::Estate
            } else {
                rule.meta.input
            }
        };
        let members = |scope: InputScope| -> Vec<usize> {
            (0..self.rules.len())
                .filter(|&i| scope_of(&self.rules[i]) == scope)
                .collect()
        };
        let per_service = Group::new("service", members(InputScope::Service));
        let per_subscription = Group::new("subscription", members(InputScope::Subscription));
        let whole = members(InputScope::Estate);
        let workers = options.threads.max(1);
        let whole_groups: Vec<Group> = (0..workers.min(whole.len()))
            .map(|w| {
                Group::new(
                    &format!("estate{w}"),
                    whole.iter().copied().skip(w).step_by(workers).collect(),
                )
            })
            .collect();
        for group in [&per_service, &per_subscription]
            .into_iter()
            .chain(&whole_groups)
        {
            group.install(&mut engine, &self.rules)?;
        }
        // Prepare once here rather than in every worker's clone.
        engine
            .eval_query("true".to_string(), false)
            .map_err(|e| PolicyError::Engine {
                message: e.to_string(),
            })?;

        let run = Run {
            rules: &self.rules,
            labels: rule_labels(&self.rules),
            timeout: options.rule_timeout,
            estate,
            accumulators: (0..self.rules.len()).map(|_| Mutex::default()).collect(),
            strings: Mutex::default(),
            isolate: options.isolate_rules,
            stats: Mutex::new(EvalStats::default()),
        };
        let held = if per_service.is_empty() && per_subscription.is_empty() {
            None
        } else {
            run.pieces(
                &engine,
                &per_service,
                &per_subscription,
                !whole.is_empty(),
                workers,
            )?
        };
        if !whole.is_empty() {
            let input = if subscriptions == 0 {
                skeleton.clone()
            } else {
                let services = match held {
                    Some(services) => services,
                    None => run.load_all(subscriptions)?,
                };
                let subs = services
                    .into_iter()
                    .enumerate()
                    .map(|(s, services)| piece(skeleton, s, services)["subscriptions"][0].clone())
                    .collect::<Vec<_>>();
                let mut doc = skeleton.clone();
                if let Ok(fields) = doc.as_object_mut() {
                    fields.insert(Value::from("subscriptions"), Value::from(subs));
                }
                doc
            };
            run.whole(&engine, &whole_groups, &input, workers);
        }
        let stats = run.stats.into_inner().expect("workers finished");
        let outcomes = run
            .accumulators
            .into_iter()
            .map(|acc| acc.into_inner().expect("workers finished").finish())
            .collect();
        Ok((outcomes, stats))
    }
}

/// The rules of one scope, evaluated together through a generated aggregate rule.
struct Group {
    package: String,
    members: Vec<usize>,
}

impl Group {
    fn new(name: &str, members: Vec<usize>) -> Self {
        Group {
            package: format!("apimguard.__aggregate.{name}"),
            members,
        }
    }

    fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    fn install(&self, engine: &mut regorus::Engine, rules: &[Rule]) -> Result<(), PolicyError> {
        if self.is_empty() {
            return Ok(());
        }
        // Each member's entry first tells the watchdog that this member starts (the
        // fields of an object are evaluated in order, and so are the members), so that a
        // runaway group names its rule.
        let entries: Vec<String> = self
            .members
            .iter()
            .map(|&i| {
                format!(
                    "\"r{i}\": {{\"starts\": {1}({i}), \"checked\": {0}.checked, \"deny\": {0}.deny}}",
                    rules[i].package,
                    watchdog::RULE_STARTS
                )
            })
            .collect();
        let module = format!(
            "package {}\n\nresults := {{\n\t{}\n}}\n",
            self.package,
            entries.join(",\n\t")
        );
        engine
            .add_policy(format!("<{}>", self.package), module)
            .map(|_| ())
            .map_err(|e| PolicyError::Engine {
                message: e.to_string(),
            })
    }
}

/// One evaluation in progress: the rules' results as the pieces come in.
struct Run<'a> {
    rules: &'a [Rule],
    /// The rules as the watchdog names them.
    labels: Arc<[Label]>,
    /// `--rule-timeout`, for the watchdog.
    timeout: Duration,
    estate: &'a dyn Estate,
    accumulators: Vec<Mutex<Accumulator>>,
    /// Every resource id kept so far, once: results keep copies made here rather than
    /// the engine's strings, which would pin the memory of the services they came from.
    strings: Mutex<ResourceSet>,
    isolate: bool,
    stats: Mutex<EvalStats>,
}

/// One unit of work: a service, or a subscription that has none.
#[derive(Clone, Copy)]
struct Item {
    subscription: usize,
    service: Option<usize>,
}

/// A subscription's services, kept until its `subscription` rules (or the whole
/// document's rules) have seen them.
#[derive(Default)]
struct Held {
    remaining: usize,
    services: Vec<Option<Value>>,
}

impl Run<'_> {
    /// Evaluates the `service` and `subscription` rules piece by piece on `workers`
    /// threads. With `keep_all`, returns every subscription's services for the
    /// whole-document rules.
    fn pieces(
        &self,
        engine: &regorus::Engine,
        per_service: &Group,
        per_subscription: &Group,
        keep_all: bool,
        workers: usize,
    ) -> Result<Option<Vec<Vec<Value>>>, PolicyError> {
        let skeleton = self.estate.skeleton();
        let counts: Vec<usize> = (0..subscription_count(skeleton))
            .map(|s| self.estate.service_count(s))
            .collect();
        let items: Vec<Item> = counts
            .iter()
            .enumerate()
            .flat_map(|(s, &n)| {
                let services: Vec<Option<usize>> = if n == 0 {
                    vec![None]
                } else {
                    (0..n).map(Some).collect()
                };
                services.into_iter().map(move |service| Item {
                    subscription: s,
                    service,
                })
            })
            .collect();
        let keep = keep_all || !per_subscription.is_empty();
        let held: Vec<Mutex<Held>> = counts
            .iter()
            .map(|&n| {
                Mutex::new(Held {
                    remaining: n,
                    services: vec![None; if keep { n } else { 0 }],
                })
            })
            .collect();
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let failure: Mutex<Option<(usize, String)>> = Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..workers.min(items.len()) {
                let mut engine = engine.clone();
                let (items, held, next, failed, failure) =
                    (&items, &held, &next, &failed, &failure);
                scope.spawn(move || {
                    let watch = Watch::new(self.labels.clone(), self.timeout);
                    let mut load = Duration::ZERO;
                    let mut evaluate = Duration::ZERO;
                    while !failed.load(Ordering::Relaxed) {
                        let order = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&item) = items.get(order) else { break };
                        let start = Instant::now();
                        let service = match item.service {
                            None => None,
                            Some(k) => match self.estate.service(item.subscription, k) {
                                Ok(v) => Some(v),
                                Err(message) => {
                                    failed.store(true, Ordering::Relaxed);
                                    let mut slot = failure.lock().expect("no panics");
                                    if slot.as_ref().is_none_or(|(o, _)| order < *o) {
                                        *slot = Some((order, message));
                                    }
                                    break;
                                }
                            },
                        };
                        let loaded = Instant::now();
                        load += loaded - start;
                        if !per_service.is_empty() {
                            let input = piece(
                                skeleton,
                                item.subscription,
                                service.iter().cloned().collect(),
                            );
                            self.evaluate(&mut engine, &watch, per_service, input, order);
                        }
                        if keep {
                            let complete = {
                                let mut h = held[item.subscription].lock().expect("no panics");
                                if let (Some(k), Some(v)) = (item.service, service) {
                                    h.services[k] = Some(v);
                                    h.remaining -= 1;
                                }
                                if h.remaining == 0 && !per_subscription.is_empty() {
                                    let services = h.services.iter().flatten().cloned().collect();
                                    if !keep_all {
                                        h.services = Vec::new();
                                    }
                                    Some(services)
                                } else {
                                    None
                                }
                            };
                            if let Some(services) = complete {
                                let input = piece(skeleton, item.subscription, services);
                                self.evaluate(&mut engine, &watch, per_subscription, input, order);
                            }
                        }
                        evaluate += loaded.elapsed();
                    }
                    let mut stats = self.stats.lock().expect("no panics");
                    stats.workers += 1;
                    stats.load += load;
                    stats.evaluate += evaluate;
                });
            }
        });
        if let Some((_, message)) = failure.into_inner().expect("workers finished") {
            return Err(PolicyError::Engine {
                message: format!("cannot read the input document: {message}"),
            });
        }
        Ok(keep_all.then(|| {
            held.into_iter()
                .map(|h| {
                    h.into_inner()
                        .expect("workers finished")
                        .services
                        .into_iter()
                        .flatten()
                        .collect()
                })
                .collect()
        }))
    }

    /// Loads every service, in order (for whole-document rules when no rule reads the
    /// snapshot piece by piece).
    fn load_all(&self, subscriptions: usize) -> Result<Vec<Vec<Value>>, PolicyError> {
        let start = Instant::now();
        let services = (0..subscriptions)
            .map(|s| {
                (0..self.estate.service_count(s))
                    .map(|k| self.estate.service(s, k))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|message| PolicyError::Engine {
                message: format!("cannot read the input document: {message}"),
            });
        self.stats.lock().expect("no panics").load += start.elapsed();
        services
    }

    /// Evaluates the whole-document rules: their groups (or, isolated, the rules one
    /// by one) shared out over `workers` threads.
    fn whole(&self, engine: &regorus::Engine, groups: &[Group], input: &Value, workers: usize) {
        let singles: Vec<Group>;
        let tasks: Vec<&Group> = if self.isolate {
            singles = groups
                .iter()
                .flat_map(|g| &g.members)
                .map(|&i| Group {
                    package: String::new(),
                    members: vec![i],
                })
                .collect();
            singles.iter().collect()
        } else {
            groups.iter().collect()
        };
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..workers.min(tasks.len()) {
                let mut engine = engine.clone();
                let (tasks, next) = (&tasks, &next);
                scope.spawn(move || {
                    let watch = Watch::new(self.labels.clone(), self.timeout);
                    let start = Instant::now();
                    while let Some(group) = tasks.get(next.fetch_add(1, Ordering::Relaxed)) {
                        self.evaluate(&mut engine, &watch, group, input.clone(), 0);
                    }
                    let mut stats = self.stats.lock().expect("no panics");
                    stats.workers = stats.workers.max(1);
                    stats.evaluate += start.elapsed();
                });
            }
        });
    }

    /// Evaluates a group's rules on one piece (`order`: its place in the document,
    /// which decides whose error is kept) and adds their sets to the accumulators.
    fn evaluate(
        &self,
        engine: &mut regorus::Engine,
        watch: &Watch,
        group: &Group,
        input: Value,
        order: usize,
    ) {
        engine.set_input(input);
        if !self.isolate && group.members.len() > 1 {
            let start = Instant::now();
            let results = watch.run(None, || {
                engine.eval_rule(format!("data.{}.results", group.package))
            });
            let elapsed = start.elapsed();
            if let Ok(results) = results {
                let entries: Option<Vec<(usize, &Value, &Value)>> = group
                    .members
                    .iter()
                    .map(|&i| {
                        let entry = &results[format!("r{i}").as_str()];
                        match (&entry["checked"], &entry["deny"]) {
                            (Value::Undefined, _) | (_, Value::Undefined) => None,
                            (checked, deny) => Some((i, checked, deny)),
                        }
                    })
                    .collect();
                if let Some(entries) = entries {
                    let mut strings = self.strings.lock().expect("no panics");
                    for (i, checked, deny) in entries {
                        self.accumulators[i].lock().expect("no panics").add(
                            checked,
                            deny,
                            &mut strings,
                            order,
                            elapsed,
                        );
                    }
                    return;
                }
            }
        }
        // One by one: measures each rule, and attributes an error to the rule at fault.
        for &i in &group.members {
            let start = Instant::now();
            let package = &self.rules[i].package;
            let sets = watch.run(Some(i), || {
                engine
                    .eval_rule(format!("{package}.checked"))
                    .and_then(|checked| Ok((checked, engine.eval_rule(format!("{package}.deny"))?)))
            });
            let elapsed = start.elapsed();
            let mut acc = self.accumulators[i].lock().expect("no panics");
            match sets {
                Ok((checked, deny)) => {
                    let mut strings = self.strings.lock().expect("no panics");
                    acc.add(&checked, &deny, &mut strings, order, elapsed)
                }
                Err(e) => acc.fail(runtime_message(&e), order, elapsed),
            }
        }
    }
}

/// Holds `engine` to the run's limits: regorus's timer at the timeout, the watchdog
/// beyond it, and the memory ceiling.
pub(super) fn guard(
    engine: &mut regorus::Engine,
    rule_timeout: Duration,
    memory_limit: u64,
) -> Result<(), PolicyError> {
    watchdog::ensure_running().map_err(|message| PolicyError::Engine { message })?;
    set_memory_limit(memory_limit);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: rule_timeout,
        check_interval: std::num::NonZeroU32::new(1000).expect("non-zero"),
    });
    Ok(())
}

/// The rules as the watchdog names them.
fn rule_labels(rules: &[Rule]) -> Arc<[Label]> {
    rules
        .iter()
        .map(|rule| Label {
            name: format!("rule {}", rule.meta.id),
            file: rule.path.clone(),
        })
        .collect()
}

/// A `deny` entry as kept: resource (one shared copy per id), message and setting.
type Kept = (Arc<str>, Box<str>, Option<Box<str>>);

/// One rule's results so far.
#[derive(Default)]
struct Accumulator {
    checked: ResourceSet,
    findings: Vec<Kept>,
    /// The error of the earliest piece that failed, with that piece's place.
    error: Option<(usize, String)>,
    elapsed: Duration,
}

impl Accumulator {
    /// Adds one piece's sets; `strings` gives the copy of each resource id to keep.
    fn add(
        &mut self,
        checked: &Value,
        deny: &Value,
        strings: &mut ResourceSet,
        order: usize,
        elapsed: Duration,
    ) {
        self.elapsed += elapsed;
        let shaped = members(checked, "checked").and_then(|checked| {
            let checked = checked.map(to_resource).collect::<Result<Vec<_>, _>>()?;
            let findings = members(deny, "deny")?
                .map(to_finding)
                .collect::<Result<Vec<_>, _>>()?;
            Ok((checked, findings))
        });
        let mut keep = |id: &Arc<str>| -> Arc<str> {
            match strings.get(id) {
                Some(kept) => kept.clone(),
                None => {
                    let kept: Arc<str> = Arc::from(&**id);
                    strings.insert(kept.clone());
                    kept
                }
            }
        };
        match shaped {
            Ok((checked, findings)) => {
                for id in &checked {
                    if !self.checked.contains(id) {
                        self.checked.insert(keep(id));
                    }
                }
                self.findings
                    .extend(findings.iter().map(|(resource, message, setting)| {
                        (
                            keep(resource),
                            Box::from(&**message),
                            setting.as_deref().map(Box::from),
                        )
                    }));
            }
            Err(message) => self.fail(message, order, Duration::ZERO),
        }
    }

    fn fail(&mut self, message: String, order: usize, elapsed: Duration) {
        self.elapsed += elapsed;
        if self.error.as_ref().is_none_or(|(o, _)| order < *o) {
            self.error = Some((order, message));
        }
    }

    fn finish(self) -> RuleOutcome {
        if let Some((_, error)) = self.error {
            return RuleOutcome {
                checked: ResourceSet::default(),
                findings: Vec::new(),
                error: Some(error),
                elapsed: self.elapsed,
            };
        }
        let mut checked = self.checked;
        let mut findings: Vec<RawFinding> = self
            .findings
            .into_iter()
            .map(|(resource, message, setting)| {
                checked.insert(resource.clone());
                RawFinding {
                    resource: resource.to_string(),
                    message: message.to_string(),
                    setting: setting.map(|s| s.to_string()),
                }
            })
            .collect();
        findings.sort_unstable();
        findings.dedup();
        RuleOutcome {
            checked,
            findings,
            error: None,
            elapsed: self.elapsed,
        }
    }
}

/// The members of a rule's `checked` or `deny` (undefined is empty).
fn members<'v>(
    value: &'v Value,
    name: &str,
) -> Result<Box<dyn Iterator<Item = &'v Value> + 'v>, String> {
    match value {
        Value::Undefined => Ok(Box::new(std::iter::empty())),
        Value::Set(items) => Ok(Box::new(items.iter())),
        Value::Array(items) => Ok(Box::new(items.iter())),
        other => Err(format!("`{name}` must be a set, but it is {}", kind(other))),
    }
}

/// A `deny` entry: resource, message and (optional) setting.
type Found = (Arc<str>, Arc<str>, Option<Arc<str>>);

fn to_finding(item: &Value) -> Result<Found, String> {
    let field = |key: &str| match &item[key] {
        Value::String(s) => Some(s.clone()),
        _ => None,
    };
    match (item.as_object().ok(), field("resource"), field("message")) {
        (Some(_), Some(resource), Some(message)) => Ok((resource, message, field("setting"))),
        _ => Err(format!(
            "every `deny` entry must be an object with `resource` and `message` strings, got {}",
            truncate(&json_text(item))
        )),
    }
}

fn to_resource(item: &Value) -> Result<Arc<str>, String> {
    match item {
        Value::String(s) => Ok(s.clone()),
        _ => Err(format!(
            "`checked` must hold resource ids (strings), got {}",
            truncate(&json_text(item))
        )),
    }
}

fn json_text(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "a value that is not JSON".into())
}

fn runtime_message(err: &anyhow::Error) -> String {
    let text = format!("{err:#}");
    let message = engine_message(&text);
    match parse_location(&text) {
        Some((file, line, column)) => format!("{file}:{line}:{column}: {message}"),
        None => message,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) | Value::Set(_) => "an array",
        Value::Object(_) => "an object",
        Value::Undefined => "undefined",
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

/// A whole input value seen as an [`Estate`]: its services are cut out of the
/// skeleton (sharing their values, nothing is copied).
struct WholeValue {
    skeleton: Value,
    services: Vec<Vec<Value>>,
}

impl WholeValue {
    /// Cuts the services out of a snapshot-shaped value; `None` when it is not one
    /// (not an object, or `subscriptions` / a `services` that is not an array of objects).
    fn split(input: &Value) -> Option<Self> {
        let subs = input.as_object().ok()?.get(&Value::from("subscriptions"))?;
        let mut skeleton_subs = Vec::new();
        let mut services = Vec::new();
        for sub in subs.as_array().ok()?.iter() {
            let list = sub.as_object().ok()?.get(&Value::from("services"))?;
            services.push(list.as_array().ok()?.iter().cloned().collect());
            let mut sub = sub.clone();
            sub.as_object_mut()
                .ok()?
                .insert(Value::from("services"), Value::new_array());
            skeleton_subs.push(sub);
        }
        let mut skeleton = input.clone();
        skeleton
            .as_object_mut()
            .ok()?
            .insert(Value::from("subscriptions"), Value::from(skeleton_subs));
        Some(WholeValue { skeleton, services })
    }

    /// An input that cannot be cut, as one piece: every rule sees all of it.
    fn unsplit(input: &Value) -> Self {
        WholeValue {
            skeleton: input.clone(),
            services: Vec::new(),
        }
    }
}

impl Estate for WholeValue {
    fn skeleton(&self) -> &Value {
        &self.skeleton
    }

    fn service_count(&self, subscription: usize) -> usize {
        self.services.get(subscription).map_or(0, Vec::len)
    }

    fn service(&self, subscription: usize, index: usize) -> Result<Value, String> {
        Ok(self.services[subscription][index].clone())
    }

    /// Unknown: the document was parsed before it came here.
    fn json_bytes(&self) -> usize {
        0
    }
}

/// The number of subscriptions of a skeleton.
fn subscription_count(skeleton: &Value) -> usize {
    skeleton["subscriptions"]
        .as_array()
        .map_or(0, |subs| subs.len())
}

/// The document holding only the subscription at `subscription`, with `services`.
fn piece(skeleton: &Value, subscription: usize, services: Vec<Value>) -> Value {
    let mut sub = skeleton["subscriptions"][subscription].clone();
    if let Ok(fields) = sub.as_object_mut() {
        fields.insert(Value::from("services"), Value::from(services));
    }
    let mut doc = skeleton.clone();
    if let Ok(fields) = doc.as_object_mut() {
        fields.insert(Value::from("subscriptions"), Value::from(vec![sub]));
    }
    doc
}

/// Parses a JSON document into the engine's value type (the rules' `input`).
pub fn parse_input(json: &str) -> Result<Value, PolicyError> {
    Value::from_json_str(json).map_err(|e| PolicyError::Engine {
        message: format!("cannot read the input document: {e}"),
    })
}
