//! apimguard: policy-as-code compliance for Azure API Management and Defender for APIs.
//!
//! The pipeline is collect → snapshot → engine → report (→ remediate); each stage
//! reads a document and writes one. This crate is the library behind the
//! `apimguard` binary; `main.rs` only maps [`run`]'s result to an exit code.

pub mod app;
pub mod azure;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod engine;
pub mod evidence;
pub mod frameworks;
pub mod iac;
pub mod input;
pub mod nesting;
pub mod output_file;
pub mod policy_xml;
pub mod redact;
pub mod remediate;
pub mod report;
pub mod ruledoc;
pub mod scaffold;
pub mod snapshot;
pub mod synthetic;
pub mod version;

use cli::{Cli, Command};

/// Runs one invocation and returns its exit code (0 pass, 1 findings, 2 could not decide).
pub fn run(cli: Cli) -> miette::Result<u8> {
    input::set_limits(input::Limits {
        snapshot: cli.limits.max_snapshot_size,
        file: cli.limits.max_file_size,
    });
    match cli.command {
        Command::Collect(args) => commands::collect::run(&args),
        Command::Check(args) => commands::check::run(&args),
        Command::Diff(args) => commands::diff::run(&args),
        Command::Rules(cmd) => commands::rules::run(cmd),
        Command::Schema => commands::schema::run(),
        Command::Remediate(args) => commands::remediate::run(&args),
        Command::Offboard(args) => commands::offboard::run(&args),
        Command::Verify(args) => commands::verify::run(&args),
        Command::Completions(args) => commands::completions::run(&args),
        Command::Man(args) => commands::man::run(&args),
        Command::Hook(args) => commands::hook::run(&args),
    }
}
