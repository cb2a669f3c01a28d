//! Examples for rule pages, taken from the rule's own unit tests.
//!
//! A rule's `<name>_test.rego` hands snapshot fragments to the rule with
//! `with input as EXPR`. Each such `EXPR` is evaluated in the test module's package
//! (with its imports), then the rule itself is run on the result with the default
//! configuration: a fragment the rule denies is a failing example, one it checks
//! without denying is a passing example. Nothing is invented — a rule whose tests
//! yield neither kind has no example of that kind. An `EXPR` that cannot be evaluated
//! on its own (say, a variable local to the test body) is skipped.

use std::sync::Arc;

use regex::Regex;
use serde_json::Value as Json;

use super::evaluate::guard;
use super::memory::MEMORY_LIMIT_FLOOR;
use super::watchdog::{Label, Watch};
use super::{EvalOptions, PolicyError, PolicySet, Rule};

/// Prefix of the rules added to a test package to evaluate its `with input as` expressions.
const PROBE_RULE: &str = "__apimguard_example";

/// A snapshot fragment from a rule's unit tests, with what the rule made of it.
#[derive(Debug, Clone)]
pub struct Example {
    /// The test file it comes from.
    pub file: String,
    /// The test rule it comes from, e.g. `test_onboarded_passes`.
    pub test: String,
    /// The input document.
    pub input: Json,
    /// The messages of the rule's findings on it (empty for a passing example).
    pub messages: Vec<String>,
}

/// The first failing and the first passing example found in a rule's tests.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    /// A fragment the rule denies.
    pub failing: Option<Example>,
    /// A fragment the rule checks and does not deny.
    pub passing: Option<Example>,
}

/// One `with input as EXPR` inside a test rule.
#[derive(Debug, Clone, PartialEq, Eq)]
struct InputExpression {
    test: String,
    expr: String,
}

/// The `with input as` expressions of one test module, to evaluate as rules of a
/// module added to the test's package (with the test's imports).
#[derive(Debug, Clone)]
struct Probe {
    /// The test file.
    file: String,
    /// The test package, without `data.`.
    package: String,
    /// The test module's `import` lines.
    imports: String,
    /// The expressions, in file order.
    candidates: Vec<InputExpression>,
}

impl PolicySet {
    /// Examples for each of `rules` (in order) from the `_test.rego` beside it; the set
    /// must have been loaded with tests. A rule without such a file gets none.
    /// The rules and tests run under the default limits: [`EvalOptions::default`]'s
    /// timeout and [`MEMORY_LIMIT_FLOOR`].
    pub fn examples(&self, rules: &[&Rule]) -> Result<Vec<Examples>, PolicyError> {
        let mut base = self.engine_with_config(&Json::Null)?;
        let limits = EvalOptions::default();
        guard(&mut base, limits.rule_timeout, MEMORY_LIMIT_FLOOR)?;
        let probes: Vec<Option<Probe>> = rules.iter().map(|rule| self.probe(rule)).collect();
        // One label per rule, and one for the `with input as` expressions of all tests.
        let labels: Arc<[Label]> = rules
            .iter()
            .map(|rule| Label {
                name: format!("rule {} (evaluated on its tests' inputs)", rule.meta.id),
                file: rule.path.clone(),
            })
            .chain(std::iter::once(Label {
                name: "a `with input as` expression of a test".to_string(),
                file: probes
                    .iter()
                    .flatten()
                    .map(|p| p.file.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }))
            .collect();
        let watch = Watch::new(labels, limits.rule_timeout);
        // Analyse once here, so that the clones below start ready to evaluate.
        base.eval_query("true".to_string(), false)
            .map_err(|e| PolicyError::Engine {
                message: e.to_string(),
            })?;
        let present: Vec<&Probe> = probes.iter().flatten().collect();
        let mut inputs = watch
            .run(Some(rules.len()), || probe_inputs(&base, &present))
            .into_iter();
        Ok(rules
            .iter()
            .zip(&probes)
            .enumerate()
            .map(|(i, (rule, probe))| match probe {
                Some(probe) => watch.run(Some(i), || {
                    pick(&base, rule, probe, inputs.next().unwrap_or_default())
                }),
                None => Examples::default(),
            })
            .collect())
    }

    /// The probe of the test module beside `rule`, if there is one.
    fn probe(&self, rule: &Rule) -> Option<Probe> {
        let test_path = format!("{}_test.rego", rule.path.strip_suffix(".rego")?);
        let test = self.sources.iter().find(|s| s.path == test_path)?;
        Some(Probe {
            file: test.path.clone(),
            package: test.package()?.to_string(),
            imports: test
                .text
                .lines()
                .filter(|l| l.starts_with("import "))
                .map(|l| format!("{l}\n"))
                .collect(),
            candidates: input_expressions(&test.text),
        })
    }
}

/// The first failing and the first passing input, judged by running `rule` on each.
fn pick(
    base: &regorus::Engine,
    rule: &Rule,
    probe: &Probe,
    inputs: Vec<Option<regorus::Value>>,
) -> Examples {
    let mut examples = Examples::default();
    for (candidate, input) in probe.candidates.iter().zip(inputs) {
        if examples.failing.is_some() && examples.passing.is_some() {
            break;
        }
        let Some(input @ regorus::Value::Object(_)) = input else {
            continue;
        };
        let mut engine = base.clone();
        engine.set_input(input.clone());
        let (Some(deny), Some(checked)) = (
            eval_set(&mut engine, rule, "deny"),
            eval_set(&mut engine, rule, "checked"),
        ) else {
            continue;
        };
        let slot = if !deny.is_empty() {
            &mut examples.failing
        } else if !checked.is_empty() {
            &mut examples.passing
        } else {
            continue;
        };
        if slot.is_none() {
            *slot = Some(Example {
                file: probe.file.clone(),
                test: candidate.test.clone(),
                input: serde_json::to_value(&input).unwrap_or_default(),
                messages: deny
                    .iter()
                    .filter_map(|d| d["message"].as_str().map(str::to_string))
                    .collect(),
            });
        }
    }
    examples
}

/// The value of every probe's expressions, `None` where one cannot be evaluated.
///
/// All probes are compiled together, so the policies are analysed once. When that
/// fails (an expression that does not stand alone), each probe is tried alone, then
/// each of its expressions, so that a bad expression costs only itself.
fn probe_inputs(base: &regorus::Engine, probes: &[&Probe]) -> Vec<Vec<Option<regorus::Value>>> {
    eval_probes(base, probes).unwrap_or_else(|| {
        probes
            .iter()
            .map(|probe| {
                eval_probes(base, &[probe])
                    .and_then(|mut all| all.pop())
                    .unwrap_or_else(|| {
                        (0..probe.candidates.len())
                            .map(|i| {
                                let single = Probe {
                                    candidates: vec![probe.candidates[i].clone()],
                                    ..(*probe).clone()
                                };
                                eval_probes(base, &[&single])
                                    .and_then(|mut all| all.pop()?.pop())
                                    .flatten()
                            })
                            .collect()
                    })
            })
            .collect()
    })
}

/// Adds one module per probe (a rule per expression) and evaluates them all; `None`
/// when the modules do not compile.
fn eval_probes(
    base: &regorus::Engine,
    probes: &[&Probe],
) -> Option<Vec<Vec<Option<regorus::Value>>>> {
    let mut engine = base.clone();
    for probe in probes {
        let rules: String = probe
            .candidates
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{PROBE_RULE}_{i} := {}\n", c.expr))
            .collect();
        let text = format!("package {}\n{}\n{rules}", probe.package, probe.imports);
        engine
            .add_policy(format!("{}#examples", probe.file), text)
            .ok()?;
    }
    // Analysis is lazy: run it now, so that a compile error rejects the modules.
    engine.eval_query("true".to_string(), false).ok()?;
    Some(
        probes
            .iter()
            .map(|probe| {
                (0..probe.candidates.len())
                    .map(|i| {
                        let path = format!("data.{}.{PROBE_RULE}_{i}", probe.package);
                        engine.eval_rule(path).ok()
                    })
                    .collect()
            })
            .collect(),
    )
}

/// The members of `<package>.<name>`, or `None` when it cannot be evaluated.
fn eval_set(engine: &mut regorus::Engine, rule: &Rule, name: &str) -> Option<Vec<Json>> {
    let value = engine.eval_rule(format!("{}.{name}", rule.package)).ok()?;
    if value == regorus::Value::Undefined {
        return Some(Vec::new());
    }
    serde_json::to_value(&value).ok()?.as_array().cloned()
}

/// Every `with input as EXPR` inside a `test_*` rule, in file order. Expressions
/// next to other `with` modifiers (say, `with data.apimguard.config as …`) are left
/// out: what the rule makes of them depends on more than the input.
fn input_expressions(text: &str) -> Vec<InputExpression> {
    let code = mask(text);
    let with_input = Regex::new(r"\bwith\s+input\s+as\s+").expect("valid regex");
    let with_other = Regex::new(r"\bwith\s").expect("valid regex");
    with_input
        .find_iter(&code)
        .filter_map(|m| {
            let test = enclosing_test(&text[..m.start()])?;
            let line_start = code[..m.start()].rfind('\n').map_or(0, |i| i + 1);
            let end = expression_end(code.as_bytes(), m.end());
            let expr = text[m.end()..end].trim();
            let alone = !with_other.is_match(&code[line_start..m.start()])
                && !code[end..].starts_with("with");
            (alone && !expr.is_empty()).then(|| InputExpression {
                test,
                expr: expr.to_string(),
            })
        })
        .collect()
}

/// `text` with comments blanked and string contents replaced by `_`, byte for byte,
/// so that offsets match and nothing inside a string or comment looks like code.
fn mask(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        let close = match bytes[i] {
            b'#' => b'\n',
            b'"' => b'"',
            b'`' => b'`',
            _ => {
                i += 1;
                continue;
            }
        };
        let fill = if close == b'\n' { b' ' } else { b'_' };
        i += 1;
        while i < bytes.len() && bytes[i] != close && !(close == b'"' && bytes[i] == b'\n') {
            let escaped = close == b'"' && bytes[i] == b'\\';
            out[i] = fill;
            i += 1;
            if escaped && i < bytes.len() {
                out[i] = fill;
                i += 1;
            }
        }
        i += 1;
    }
    String::from_utf8(out).expect("masking replaces whole characters with ASCII")
}

/// Where the expression starting at `start` ends: at a newline, `;` or `with` outside
/// brackets, or at a closing bracket it did not open.
fn expression_end(code: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < code.len() {
        match code[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => break,
            b')' | b']' | b'}' => depth -= 1,
            b'\n' | b';' if depth == 0 => break,
            b'w' if depth == 0
                && code[i..].starts_with(b"with")
                && code.get(i + 4).is_some_and(u8::is_ascii_whitespace)
                && code[i - 1].is_ascii_whitespace() =>
            {
                break
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// The `test_*` rule whose body `before` ends in, if any: the last rule head at
/// column 0, when it names a test.
fn enclosing_test(before: &str) -> Option<String> {
    let head = before
        .lines()
        .rev()
        .find(|l| l.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))?;
    let name: String = head
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    name.starts_with("test_").then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::LoadOptions;

    const RULE: &str = r#"# METADATA
# title: Keys required
# custom:
#   id: T-1
#   severity: low
package acme.keys

import rego.v1

checked contains api.id if some api in input.apis

deny contains {"resource": api.id, "message": "no key"} if {
	some api in input.apis
	not api.key
}
"#;

    const TESTS: &str = r#"package acme.keys_test

import rego.v1

import data.acme.keys as rule

one(key) := {"apis": [{"id": "a", "key": key}]}

test_local_variable_is_skipped if {
	inp := one(false)
	count(rule.deny) == 1 with input as inp
}

test_config_dependent_is_skipped if {
	count(rule.deny) == 1 with input as one(false) with data.apimguard.config as {}
}

test_empty_estate_is_neither if {
	count(rule.deny) == 0 with input as {"apis": []}
}

test_keyless_fails if {
	count(rule.deny) == 1 with input as one(false)
}

test_keyed_passes if {
	count(rule.deny) == 0 with input as one(true)
}
"#;

    #[test]
    fn examples_come_from_tests_the_rule_agrees_with() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keys.rego"), RULE).unwrap();
        std::fs::write(dir.path().join("keys_test.rego"), TESTS).unwrap();
        let set = PolicySet::load(&LoadOptions {
            no_builtin: true,
            paths: vec![dir.path().to_path_buf()],
            include_tests: true,
            profile: None,
        })
        .unwrap();
        let rule = &set.rules()[0];
        let probe = set.probe(rule).unwrap();
        assert_eq!(
            probe.candidates.len(),
            4,
            "the config-dependent one is left out"
        );
        let examples = set.examples(&[rule]).unwrap().remove(0);
        let failing = examples.failing.expect("a failing example");
        assert_eq!(failing.test, "test_keyless_fails");
        assert_eq!(
            failing.input,
            serde_json::json!({"apis": [{"id": "a", "key": false}]})
        );
        assert_eq!(failing.messages, vec!["no key"]);
        let passing = examples.passing.expect("a passing example");
        assert_eq!(passing.test, "test_keyed_passes");
        assert!(passing.messages.is_empty());

        // An expression that does not compile costs only itself.
        let mut broken = probe.clone();
        broken.candidates[0].expr = "one(".into();
        let base = set.engine_with_config(&Json::Null).unwrap();
        assert!(eval_probes(&base, &[&broken]).is_none());
        let inputs = probe_inputs(&base, &[&broken]).remove(0);
        assert!(inputs[0].is_none());
        assert!(inputs[2..].iter().all(Option::is_some));
    }

    #[test]
    fn finds_input_expressions_in_test_rules_only() {
        let text = r#"package p_test

helper := x if { x := 1 with input as {"ignored": true} }

test_a if {
	# count(rule.deny) == 1 with input as {"commented": 1}
	count(rule.deny) == 1 with input as estate(api("with input as", [1, 2]))
}

test_b if {
	rule.deny == set() with input as {
		"subscriptions": [],
	}
	x := `raw with input as`
}

test_c if {
	rule.deny == set() with input as {} with data.apimguard.config as {}
	rule.deny == set() with data.apimguard.config as {} with input as {}
}
"#;
        let found = input_expressions(text);
        assert_eq!(
            found,
            vec![
                InputExpression {
                    test: "test_a".into(),
                    expr: r#"estate(api("with input as", [1, 2]))"#.into(),
                },
                InputExpression {
                    test: "test_b".into(),
                    expr: "{\n\t\t\"subscriptions\": [],\n\t}".into(),
                },
            ]
        );
    }
}
