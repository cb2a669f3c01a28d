//! The grouped (fast) evaluation path must give exactly the verdicts of evaluating
//! every rule on its own, on a synthetic estate with every kind of resource.

use apimguard::engine::{parse_input, EvalOptions, LoadOptions, PolicySet};

#[test]
fn grouped_evaluation_matches_rule_by_rule_evaluation() {
    let snapshot = apimguard::synthetic::estate(300, 11);
    let input = parse_input(&serde_json::to_string(&snapshot).unwrap()).unwrap();
    let policies = PolicySet::load(&LoadOptions::default()).unwrap();
    let run = |isolate_rules: bool, threads: usize| {
        let options = EvalOptions {
            isolate_rules,
            threads,
            ..EvalOptions::default()
        };
        policies.evaluate(&input, &options).unwrap()
    };
    let reference = run(true, 1);
    assert!(
        reference.iter().all(|o| o.error.is_none()),
        "no rule errors on the synthetic estate"
    );
    assert!(
        reference.iter().any(|o| !o.findings.is_empty()),
        "the estate makes some rule fail"
    );
    for threads in [1, 2, 3] {
        let grouped = run(false, threads);
        assert_eq!(grouped.len(), reference.len());
        for ((rule, a), b) in policies.rules().iter().zip(&reference).zip(&grouped) {
            assert_eq!(
                a.findings, b.findings,
                "{} findings differ with {threads} thread(s)",
                rule.meta.id
            );
            assert_eq!(
                a.checked, b.checked,
                "{} checked differs with {threads} thread(s)",
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
