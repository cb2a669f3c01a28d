//! The fast evaluation path (rules grouped, the snapshot read service by service for
//! rules that declare `custom.input`) must give exactly the verdicts of evaluating
//! every rule on its own over the whole snapshot, on a synthetic estate with every kind
//! of resource.

use apimguard::engine::{parse_input, EvalOptions, InputScope, LoadOptions, PolicySet};

#[test]
fn grouped_evaluation_matches_rule_by_rule_evaluation() {
    let snapshot = apimguard::synthetic::estate(300, 11);
    let input = parse_input(&serde_json::to_string(&snapshot).unwrap()).unwrap();
    let policies = PolicySet::load(&LoadOptions::default()).unwrap();
    let run = |isolate_rules: bool, whole_input: bool, threads: usize| {
        let options = EvalOptions {
            isolate_rules,
            whole_input,
            threads,
            ..EvalOptions::default()
        };
        policies.evaluate(&input, &options).unwrap()
    };
    let reference = run(true, true, 1);
    assert!(
        reference.iter().all(|o| o.error.is_none()),
        "no rule errors on the synthetic estate"
    );
    assert!(
        reference.iter().any(|o| !o.findings.is_empty()),
        "the estate makes some rule fail"
    );
    assert!(
        policies
            .rules()
            .iter()
            .any(|r| r.meta.input != InputScope::Estate),
        "built-in rules are evaluated piece by piece"
    );
    for (isolate, whole, threads) in [
        (false, false, 1),
        (false, false, 2),
        (false, false, 3),
        (true, false, 2),
        (false, true, 2),
    ] {
        let fast = run(isolate, whole, threads);
        assert_eq!(fast.len(), reference.len());
        let how = format!("isolated {isolate}, whole input {whole}, {threads} thread(s)");
        for ((rule, a), b) in policies.rules().iter().zip(&reference).zip(&fast) {
            assert_eq!(
                a.findings, b.findings,
                "{} findings differ ({how})",
                rule.meta.id
            );
            assert_eq!(
                a.checked, b.checked,
                "{} checked differs ({how})",
                rule.meta.id
            );
        }
    }
}

#[test]
fn a_failing_rule_in_a_group_does_not_hide_the_others() {
    let snapshot = apimguard::synthetic::estate(50, 3);
    let input = parse_input(&serde_json::to_string(&snapshot).unwrap()).unwrap();
    let policies = PolicySet::load(&LoadOptions {
        paths: vec!["fixtures/check/policies/runtime_error".into()],
        ..LoadOptions::default()
    })
    .unwrap();
    let outcomes = policies
        .evaluate(
            &input,
            &EvalOptions {
                threads: 1,
                ..EvalOptions::default()
            },
        )
        .unwrap();
    for (rule, outcome) in policies.rules().iter().zip(&outcomes) {
        if rule.meta.id == "TEST-RUNTIME-001" {
            assert!(outcome.error.as_deref().unwrap().contains("divide.rego"));
        } else {
            assert!(
                outcome.error.is_none(),
                "{} was caught up in another rule's error",
                rule.meta.id
            );
        }
    }
}
