//! `apimguard rules test`: runs the `test_*` rules of `*_test.rego` modules, like `opa test`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use regex::Regex;

use super::errors::{engine_message, parse_location};
use super::evaluate::guard;
use super::memory::MEMORY_LIMIT_FLOOR;
use super::watchdog::{Label, Watch};
use super::{EvalOptions, PolicyError, PolicySet};

/// One test rule.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// The test module's file.
    pub file: String,
    /// Full rule path, for example `data.apimguard.rules.api.https_only_test.test_http_fails`.
    pub rule: String,
}

/// The result of one test.
#[derive(Debug, Clone)]
pub struct TestOutcome {
    /// Which test.
    pub case: TestCase,
    /// True when the test rule evaluated to `true`.
    pub passed: bool,
    /// Why it failed: `false`/undefined, or an evaluation error.
    pub error: Option<String>,
    /// How long it took.
    pub elapsed: Duration,
}

impl PolicySet {
    /// Every `test_*` rule in the loaded test modules (only user ones when `user_only`), in file order.
    pub fn test_cases(&self, user_only: bool) -> Vec<TestCase> {
        let test_re = Regex::new(r"(?m)^(test_[A-Za-z0-9_]+)").expect("valid regex");
        let mut cases = Vec::new();
        for source in self
            .sources
            .iter()
            .filter(|s| s.is_test() && !(user_only && s.builtin))
        {
            let Some(package) = source.package() else {
                continue;
            };
            let mut seen = std::collections::BTreeSet::new();
            for name in test_re
                .captures_iter(&source.text)
                .map(|c| c[1].to_string())
            {
                if seen.insert(name.clone()) {
                    cases.push(TestCase {
                        file: source.path.clone(),
                        rule: format!("data.{package}.{name}"),
                    });
                }
            }
        }
        cases
    }

    /// Runs the tests (only those of user directories when `user_only`) with an empty
    /// input and the rules' parameter defaults as `data.apimguard.config`; tests supply
    /// their input with `with input as` (and other settings with `with data.apimguard.config…`).
    /// Each test is held to `limits`' rule timeout and memory ceiling (by default
    /// [`MEMORY_LIMIT_FLOOR`]), as a rule is.
    pub fn run_tests(
        &self,
        user_only: bool,
        limits: &EvalOptions,
    ) -> Result<Vec<TestOutcome>, PolicyError> {
        let mut engine = self.engine_with_config(&serde_json::Value::Null)?;
        guard(
            &mut engine,
            limits.rule_timeout,
            limits.memory_limit.unwrap_or(MEMORY_LIMIT_FLOOR),
        )?;
        engine.set_input(regorus::Value::new_object());
        let cases = self.test_cases(user_only);
        let labels: Arc<[Label]> = cases
            .iter()
            .map(|case| Label {
                name: format!("test {}", case.rule),
                file: case.file.clone(),
            })
            .collect();
        let watch = Watch::new(labels, limits.rule_timeout);
        Ok(cases
            .into_iter()
            .enumerate()
            .map(|(i, case)| {
                let start = Instant::now();
                let (passed, error) =
                    match watch.run(Some(i), || engine.eval_rule(case.rule.clone())) {
                        Ok(regorus::Value::Bool(true)) => (true, None),
                        Ok(regorus::Value::Undefined) => (
                            false,
                            Some("undefined (a condition did not hold)".to_string()),
                        ),
                        Ok(other) => (false, Some(format!("evaluated to {other}, not true"))),
                        Err(e) => {
                            let text = format!("{e:#}");
                            let at = parse_location(&text)
                                .map(|(f, l, c)| format!("{f}:{l}:{c}: "))
                                .unwrap_or_default();
                            (false, Some(format!("error: {at}{}", engine_message(&text))))
                        }
                    };
                TestOutcome {
                    case,
                    passed,
                    error,
                    elapsed: start.elapsed(),
                }
            })
            .collect())
    }
}
