//! `apimguard rules test`: run the `*_test.rego` unit tests.

use std::io::Write;

use crate::cli::TestArgs;
use crate::engine::{LoadOptions, PolicySet};

/// Runs the tests of `args.dirs` (or of the built-in pack) and returns the exit code.
pub fn run(args: TestArgs) -> miette::Result<u8> {
    let user_only = !args.dirs.is_empty();
    let set = PolicySet::load(&LoadOptions {
        no_builtin: args.no_builtin,
        paths: args.dirs,
        include_tests: true,
        profile: None,
    })?;
    // Your rules' lint findings, as warnings: `rules lint` gives them as a verdict.
    for finding in set.lint(true) {
        eprintln!("warning: {finding}");
    }
    let outcomes = set.run_tests(user_only)?;
    let mut out = std::io::stdout().lock();
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    for o in &outcomes {
        if args.verbose || !o.passed {
            let verdict = if o.passed { "PASS" } else { "FAIL" };
            let _ = writeln!(
                out,
                "{verdict} {} {} ({:.1?})",
                o.case.file, o.case.rule, o.elapsed
            );
            if let Some(e) = &o.error {
                let _ = writeln!(out, "     {e}");
            }
        }
    }
    if outcomes.is_empty() {
        let _ = writeln!(
            out,
            "no tests found (test rules are `test_*` in `*_test.rego` files)"
        );
        return Ok(2);
    }
    let _ = writeln!(out, "{} passed, {failed} failed", outcomes.len() - failed);
    Ok(if failed == 0 { 0 } else { 1 })
}
