//! `apimguard rules doc`: generate (or `--check`) the rule pages and catalogue.

use crate::cli::DocArgs;
use crate::engine::{LoadOptions, PolicySet};
use crate::ruledoc::{self, Drift};

/// Generates the pages of the built-in rules into `args.out`; with `--check`, writes
/// nothing and exits 1 when any file is out of date.
pub fn run(args: &DocArgs) -> miette::Result<u8> {
    let set = PolicySet::load(&LoadOptions {
        include_tests: true,
        ..LoadOptions::default()
    })?;
    let files = ruledoc::generate(&set)?;
    let changes = if args.check {
        ruledoc::stale(&args.out, &files)?
    } else {
        ruledoc::write(&args.out, &files)?
    };
    let mut out = String::new();
    for change in &changes {
        let what = match (change.drift, args.check) {
            (Drift::Missing, true) => "missing",
            (Drift::Changed, true) => "out of date",
            (Drift::Obsolete, true) => "no longer generated",
            (Drift::Missing, false) => "created",
            (Drift::Changed, false) => "updated",
            (Drift::Obsolete, false) => "removed",
        };
        out.push_str(&format!("{}: {what}\n", change.path.display()));
    }
    if !args.check {
        out.push_str(&format!(
            "{} rule page(s) and the catalogue in {}: {} change(s)\n",
            files.len() - 1,
            args.out.display(),
            changes.len()
        ));
    }
    crate::commands::output::print(&out)?;
    if args.check && !changes.is_empty() {
        crate::console::line(format_args!(
            "{} file(s) in {} differ from the rules; run `apimguard rules doc --out {}` and commit the result",
            changes.len(),
            args.out.display(),
            args.out.display()
        ));
        return Ok(1);
    }
    Ok(0)
}
