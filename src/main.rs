//! The `apimguard` binary: parse the command line, run, map the result to an exit code.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

/// The rules engine allocates and frees many small values per rule and resource; mimalloc
/// keeps that a third cheaper than the system allocator on large estates. The gate
/// around it counts what apimguard holds and keeps rules under `--memory-limit`.
#[global_allocator]
static ALLOCATOR: apimguard::engine::MemoryGate<mimalloc::MiMalloc> =
    apimguard::engine::MemoryGate::new(mimalloc::MiMalloc);

fn main() -> ExitCode {
    quiet_library_backtraces();
    install_error_renderer();
    let cli = apimguard::cli::Cli::parse();
    match apimguard::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            // A closed standard error cannot be told anything; the exit code still can.
            let _ = writeln!(std::io::stderr(), "{report:?}");
            ExitCode::from(2)
        }
    }
}

/// The rules engine signals "no such value" with `anyhow` errors, which capture a backtrace
/// whenever `RUST_BACKTRACE` is set: a fifth of the evaluation time, for backtraces nobody
/// sees. Library backtraces stay off unless `RUST_LIB_BACKTRACE` asks for them; panics keep
/// theirs. Runs first, before any thread starts.
fn quiet_library_backtraces() {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
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
