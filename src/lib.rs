//! apimguard: policy-as-code compliance for Azure API Management and Defender for APIs.
//!
//! The pipeline is collect → snapshot → engine → report (→ remediate); each stage
//! reads a document and writes one. This crate is the library behind the
//! `apimguard` binary; `main.rs` only maps [`run`]'s result to an exit code.
//!
//! # Library API
//!
//! What benchmarks, integration tests, examples and embedders may use is the public
//! modules, and nothing else is public:
//!
//! - [`run`] with [`cli::Cli`]: one invocation, exactly as the binary makes it;
//! - [`snapshot`]: the snapshot document (serde types, [`snapshot::load`],
//!   [`snapshot::save`], the JSON Schema);
//! - [`engine`]: load rules ([`engine::PolicySet`], [`engine::LoadOptions`]) and evaluate
//!   them over a snapshot ([`engine::EvalOptions`], [`engine::parse_input`]);
//! - [`report`]: the report model and its formats; [`config`]: the `--config` file;
//! - [`collect`] with [`azure`]: read a live estate through an [`azure::ArmClient`];
//! - [`iac`]: read ARM templates, Bicep files and APIOps folders into a snapshot;
//! - [`policy_xml`]: the lenient APIM policy reader;
//! - [`synthetic`]: generated estates of any size (benchmarks, examples).
//!
//! The orchestration of the commands (`app`, `commands`), remediation, rule
//! scaffolding and documentation, redaction and input limits are crate-private;
//! docs/architecture.md maps every module and who may import whom.

// Lines for people go through `console` (a closed standard error must not panic), and
// results through `commands::output`.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub(crate) mod app;
pub mod azure;
pub mod cli;
pub mod collect;
pub(crate) mod commands;
pub mod config;
pub(crate) mod console;
pub(crate) mod diagnostic;
pub mod engine;
pub mod evidence;
pub mod frameworks;
pub mod iac;
pub(crate) mod input;
pub(crate) mod merge;
pub(crate) mod nesting;
pub(crate) mod output_file;
pub mod policy_xml;
pub(crate) mod redact;
pub(crate) mod remediate;
pub mod report;
pub(crate) mod ruledoc;
pub(crate) mod scaffold;
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
        Command::Merge(args) => commands::merge::run(&args),
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
