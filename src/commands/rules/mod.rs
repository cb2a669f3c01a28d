//! `apimguard rules list | explain | new | doc | test | lint`, one file per subcommand.

mod doc;
mod explain;
mod lint;
mod list;
mod new;
mod test;

use crate::cli::RulesCommand;

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
