//! `apimguard completions SHELL`: the shell's completion script on standard output.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

/// Prints the completion script for `args.shell`; always succeeds (a closed pipe is not
/// an error worth reporting).
pub fn run(args: &CompletionsArgs) -> miette::Result<u8> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "apimguard", &mut script);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&script).and_then(|()| out.flush());
    Ok(0)
}
