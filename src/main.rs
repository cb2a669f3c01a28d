//! The `apimguard` binary: parse the command line, run, map the result to an exit code.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    install_error_renderer();
    let cli = apimguard::cli::Cli::parse();
    match apimguard::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}

/// Diagnostics wrap to the terminal's width on a terminal; in CI logs and pipes they
/// keep whole lines (so messages stay greppable) and carry no colour.
fn install_error_renderer() {
    let terminal = std::io::stderr().is_terminal();
    let _ = miette::set_hook(Box::new(move |_| {
        let opts = miette::MietteHandlerOpts::new();
        let opts = if terminal {
            opts
        } else {
            opts.width(400).color(false)
        };
        Box::new(opts.build())
    }));
}
