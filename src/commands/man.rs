//! `apimguard man`: the manual page (roff) on standard output, or with `--dir` one page
//! per command written to a folder.

use clap::CommandFactory;

use super::output::{self, OutputError};
use crate::cli::{Cli, ManArgs};

/// Prints `apimguard(1)`, or writes `apimguard.1` and `apimguard-COMMAND.1` for every
/// subcommand into `args.dir`.
pub fn run(args: &ManArgs) -> miette::Result<u8> {
    let command = Cli::command();
    match &args.dir {
        Some(dir) => {
            let failed = |source| OutputError::Write {
                path: dir.display().to_string(),
                source,
            };
            std::fs::create_dir_all(dir).map_err(failed)?;
            clap_mangen::generate_to(command, dir).map_err(failed)?;
        }
        None => output::print_with(|out| clap_mangen::Man::new(command).render(out))?,
    }
    Ok(0)
}
