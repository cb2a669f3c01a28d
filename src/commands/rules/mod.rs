//! `apimguard rules list | explain | new | doc | test | lint`, one file per subcommand.

mod doc;
mod explain;
mod lint;
mod list;
mod new;
mod test;

use std::path::PathBuf;

use crate::cli::RulesCommand;
use crate::engine::{LoadOptions, PolicyError, PolicySet};

/// Runs a `rules` subcommand and returns the exit code.
pub fn run(cmd: RulesCommand) -> miette::Result<u8> {
    match cmd {
        RulesCommand::List(args) => list::run(&args),
        RulesCommand::Explain(args) => explain::run(&args),
        RulesCommand::New(args) => new::run(&args),
        RulesCommand::Doc(args) => doc::run(&args),
        RulesCommand::Test(args) => test::run(args),
        RulesCommand::Lint(args) => lint::run(args),
    }
}

/// Loads the rule files of `dirs` with their tests, beside the built-in pack unless
/// `no_builtin`, for `rules test` and `rules lint`.
fn load_with_tests(dirs: Vec<PathBuf>, no_builtin: bool) -> Result<PolicySet, PolicyError> {
    PolicySet::load(&LoadOptions {
        no_builtin,
        paths: dirs,
        include_tests: true,
        profile: None,
    })
}
