//! `apimguard rules list | test`.

use std::io::Write;

use crate::cli::{ListFormat, PolicyArgs, RulesCommand};
use crate::engine::{LoadOptions, PolicySet};

/// Runs a `rules` subcommand and returns the exit code.
pub fn run(cmd: RulesCommand) -> miette::Result<u8> {
    match cmd {
        RulesCommand::List { policy, format } => list(&policy, format),
        RulesCommand::Test { dirs, no_builtin, verbose } => test(dirs, no_builtin, verbose),
    }
}

fn list(policy: &PolicyArgs, format: ListFormat) -> miette::Result<u8> {
    let set = PolicySet::load(&policy.load_options())?;
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => {
            let rules: Vec<_> = set
                .rules()
                .iter()
                .map(|r| {
                    let mut v = serde_json::to_value(&r.meta).expect("metadata serializes");
                    v["source"] = r.path.clone().into();
                    v["builtin"] = r.builtin.into();
                    v
                })
                .collect();
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&rules).expect("serializes"));
        }
        ListFormat::Table => {
            let width = set.rules().iter().map(|r| r.meta.id.len()).max().unwrap_or(2).max(2);
            let _ = writeln!(out, "{:<width$}  {:<8}  TITLE", "ID", "SEVERITY");
            let mut rules: Vec<_> = set.rules().iter().collect();
            rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
            for r in rules {
                let _ = writeln!(out, "{:<width$}  {:<8}  {}", r.meta.id, r.meta.severity.as_str(), r.meta.title);
            }
        }
    }
    Ok(0)
}

fn test(dirs: Vec<std::path::PathBuf>, no_builtin: bool, verbose: bool) -> miette::Result<u8> {
    let user_only = !dirs.is_empty();
    let set = PolicySet::load(&LoadOptions {
        no_builtin,
        paths: dirs,
        include_tests: true,
    })?;
    let outcomes = set.run_tests(user_only);
    let mut out = std::io::stdout().lock();
    let failed: Vec<_> = outcomes.iter().filter(|o| !o.passed).collect();
    for o in &outcomes {
        if verbose || !o.passed {
            let verdict = if o.passed { "PASS" } else { "FAIL" };
            let _ = writeln!(out, "{verdict} {} {} ({:.1?})", o.case.file, o.case.rule, o.elapsed);
            if let Some(e) = &o.error {
                let _ = writeln!(out, "     {e}");
            }
        }
    }
    if outcomes.is_empty() {
        let _ = writeln!(out, "no tests found (test rules are `test_*` in `*_test.rego` files)");
        return Ok(2);
    }
    let _ = writeln!(out, "{} passed, {} failed", outcomes.len() - failed.len(), failed.len());
    Ok(if failed.is_empty() { 0 } else { 1 })
}
