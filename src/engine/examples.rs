//! Examples for rule pages, taken from the rule's own unit tests.
//!
//! A rule's `<name>_test.rego` hands snapshot fragments to the rule with
//! `with input as EXPR`. Each such `EXPR` is evaluated in the test module's package
//! (with its imports), then the rule itself is run on the result with the default
//! configuration: a fragment the rule denies is a failing example, one it checks
//! without denying is a passing example. Nothing is invented — a rule whose tests
//! yield neither kind has no example of that kind. An `EXPR` that cannot be evaluated
//! on its own (say, a variable local to the test body) is skipped.

use regex::Regex;
use serde_json::Value as Json;

use super::{PolicyError, PolicySet, Rule};

/// Name of the rule added to a test package to evaluate one `with input as` expression.
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
#[derive(Debug, PartialEq, Eq)]
struct InputExpression {
    test: String,
    expr: String,
}

impl PolicySet {
    /// Examples for `rule` from the `_test.rego` beside it (the set must have been
    /// loaded with tests); empty when there is no such file.
    pub fn examples(&self, rule: &Rule) -> Result<Examples, PolicyError> {
        let mut examples = Examples::default();
        let test_path = rule
            .path
            .strip_suffix(".rego")
            .map(|stem| format!("{stem}_test.rego"));
        let Some(test) = self
            .sources
            .iter()
            .find(|s| Some(&s.path) == test_path.as_ref())
        else {
            return Ok(examples);
        };
        let Some(package) = test.package() else {
            return Ok(examples);
        };
        let imports: String = test
            .text
            .lines()
            .filter(|l| l.starts_with("import "))
            .map(|l| format!("{l}\n"))
            .collect();
        let base = self.engine_with_config(&Json::Null)?;
        for candidate in input_expressions(&test.text) {
            if examples.failing.is_some() && examples.passing.is_some() {
                break;
            }
            let module = format!(
                "package {package}\n{imports}\n{PROBE_RULE} := {}\n",
                candidate.expr
            );
            let mut engine = base.clone();
            let input = engine
                .add_policy(format!("{}#example", test.path), module)
                .and_then(|_| engine.eval_rule(format!("data.{package}.{PROBE_RULE}")));
            let Ok(input @ regorus::Value::Object(_)) = input else {
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
                    file: test.path.clone(),
                    test: candidate.test,
                    input: serde_json::to_value(&input).unwrap_or_default(),
                    messages: deny
                        .iter()
                        .filter_map(|d| d["message"].as_str().map(str::to_string))
                        .collect(),
                });
            }
        }
        Ok(examples)
    }
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
