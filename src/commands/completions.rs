//! `apimguard completions SHELL`: the shell's completion script on standard output.

use clap::CommandFactory;

use super::output;
use crate::cli::{Cli, CompletionsArgs};

/// Prints the completion script for `args.shell`; a failing standard output is an error
/// (a reader that went away is not).
pub fn run(args: &CompletionsArgs) -> miette::Result<u8> {
    // Into memory first: `generate` panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "apimguard", &mut script);
    output::print_with(|out| out.write_all(&script))?;
    Ok(0)
}
