//! Command-line definitions (clap). No logic lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::engine::FailOn;

/// Check Azure API Management and Defender for APIs posture against Rego rules.
#[derive(Debug, Parser)]
#[command(name = "apimguard", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate the rules over a snapshot and report pass/fail per rule and resource.
    Check(CheckArgs),
    /// List, test and inspect rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print the JSON Schema of the snapshot document.
    Schema,
}

/// Where rules come from (shared by `check` and `rules`).
#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// A directory of .rego rules (or one file) to add to the built-in pack; repeatable.
    #[arg(long = "policies", short = 'p', value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// Do not load the built-in rules.
    #[arg(long)]
    pub no_builtin: bool,
}

/// `apimguard check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The snapshot to check (`-` reads standard input).
    #[arg(value_name = "SNAPSHOT")]
    pub snapshot: PathBuf,
    /// Where rules come from.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    /// Lowest severity whose findings fail the run (exit 1): info, low, medium, high, critical, or never.
    #[arg(long, default_value = "low", value_parser = parse_fail_on)]
    pub fail_on: FailOn,
    /// Check a snapshot that records gaps instead of refusing it (exit 2).
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Seconds one rule may run before it is stopped with an error.
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub rule_timeout: u64,
    /// Threads evaluating rules (default: the machine's cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Print where the time went (load, compile, evaluate, report, and the slowest rules)
    /// to stderr; rules are then evaluated one by one so each rule's cost is measured.
    #[arg(long)]
    pub timings: bool,
}

/// Report formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people: grouped by severity, with a summary line.
    Human,
    /// The report model as JSON (docs/report.md).
    Json,
}

/// `apimguard rules …`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule: id, severity, title.
    List {
        /// Where rules come from.
        #[command(flatten)]
        policy: PolicyArgs,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Run the rules' `*_test.rego` unit tests, like `opa test`.
    Test {
        /// Directories (or files) whose tests to run; without one, the built-in pack's.
        #[arg(value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Do not load the built-in rules (their libraries stay unavailable to your tests).
        #[arg(long)]
        no_builtin: bool,
        /// Print every test, not only failures.
        #[arg(long, short = 'v')]
        verbose: bool,
    },
}

/// Output formats of `rules list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns.
    Table,
    /// JSON array of rule metadata.
    Json,
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    s.parse()
}
