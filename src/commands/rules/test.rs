//! `apimguard rules test`: run the `*_test.rego` unit tests.

use crate::cli::TestArgs;
use crate::commands::output;

/// Runs the tests of `args.dirs` (or of the built-in pack) and returns the exit code.
pub fn run(args: TestArgs) -> miette::Result<u8> {
    let user_only = !args.dirs.is_empty();
    let set = super::load_with_tests(args.dirs, args.no_builtin)?;
    // Your rules' lint findings, as warnings: `rules lint` gives them as a verdict.
    for finding in set.lint(true) {
        crate::console::warning(finding);
    }
    let outcomes = set.run_tests(user_only, &args.limits.eval_options())?;
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    output::print_with(|out| {
        for o in &outcomes {
            if args.verbose || !o.passed {
                let verdict = if o.passed { "PASS" } else { "FAIL" };
                writeln!(
                    out,
                    "{verdict} {} {} ({:.1?})",
                    o.case.file, o.case.rule, o.elapsed
                )?;
                if let Some(e) = &o.error {
                    writeln!(out, "     {e}")?;
                }
            }
        }
        if outcomes.is_empty() {
            writeln!(
                out,
                "no tests found (test rules are `test_*` in `*_test.rego` files)"
            )
        } else {
            writeln!(out, "{} passed, {failed} failed", outcomes.len() - failed)
        }
    })?;
    if outcomes.is_empty() {
        return Ok(2);
    }
    Ok(if failed == 0 { 0 } else { 1 })
}
