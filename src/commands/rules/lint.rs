//! `apimguard rules lint`: the strict lint of rule files.

use crate::cli::LintArgs;
use crate::commands::output;

/// Lints the files of `args.dirs` (or the built-in pack), tests included; prints one line
/// per finding and returns 1 when there is any.
pub fn run(args: LintArgs) -> miette::Result<u8> {
    let user_only = !args.dirs.is_empty();
    let set = super::load_with_tests(args.dirs, args.no_builtin)?;
    let findings = set.lint(user_only);
    let files = set
        .sources()
        .iter()
        .filter(|s| !(user_only && s.builtin))
        .count();
    output::print_with(|out| {
        for finding in &findings {
            writeln!(out, "{finding}")?;
        }
        writeln!(
            out,
            "{files} files linted, {} finding{}",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        )
    })?;
    Ok(u8::from(!findings.is_empty()))
}
