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
    /// Compare two runs (reports or snapshots): new failures, resolved, still failing.
    Diff(DiffArgs),
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
    /// Output: human, json, sarif, junit, markdown or html, each to standard output
    /// or, as FORMAT:PATH, to a file; repeatable (only one may use standard output).
    #[arg(long, short = 'f', value_name = "FORMAT[:PATH]", default_value = "human", value_parser = parse_output)]
    pub format: Vec<OutputSpec>,
    /// Configuration file: rules on/off, severity overrides, parameters, waivers (docs/configuration.md).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Lowest severity whose findings fail the run (exit 1): info, low, medium, high, critical, or never.
    #[arg(long, default_value = "low", value_parser = parse_fail_on)]
    pub fail_on: FailOn,
    /// Exit 0 even when findings fail the gate (2 still means apimguard could not decide).
    #[arg(long)]
    pub exit_zero: bool,
    /// List each rule's passing resource ids in the JSON report too (large for big estates).
    #[arg(long)]
    pub include_passing: bool,
    /// Check a snapshot that records gaps instead of refusing it (exit 2).
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Seconds one rule may run before it is stopped with an error.
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub rule_timeout: u64,
    /// Threads evaluating rules (default: the machine's cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

/// `apimguard diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier run: a JSON report (`check -f json`) or a snapshot.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The later run: a JSON report or a snapshot.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Where rules come from (to check snapshots).
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Configuration file used to check snapshots (docs/configuration.md).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output: human, json or markdown, to standard output or, as FORMAT:PATH, to a file; repeatable.
    #[arg(long, short = 'f', value_name = "FORMAT[:PATH]", default_value = "human", value_parser = parse_output)]
    pub format: Vec<OutputSpec>,
    /// Lowest severity whose new findings fail the run (exit 1): info, low, medium, high, critical, or never.
    #[arg(long, default_value = "low", value_parser = parse_fail_on)]
    pub fail_on: FailOn,
    /// Exit 0 even when new findings fail the gate (2 still means apimguard could not decide).
    #[arg(long)]
    pub exit_zero: bool,
    /// Check snapshots that record gaps instead of refusing them (exit 2).
    #[arg(long)]
    pub allow_incomplete: bool,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people: grouped by severity, with a summary line.
    Human,
    /// The report model as JSON (docs/report.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML, for Azure DevOps test results and other CI test views.
    Junit,
    /// Markdown, for pull-request comments and job summaries.
    #[value(alias = "md")]
    Markdown,
    /// One self-contained HTML page.
    Html,
}

/// One `--format FORMAT[:PATH]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    /// The format.
    pub format: ReportFormat,
    /// The file to write; standard output when absent.
    pub path: Option<PathBuf>,
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

fn parse_output(s: &str) -> Result<OutputSpec, String> {
    let (name, path) = match s.split_once(':') {
        Some((name, "")) => return Err(format!("`{name}:` names no file")),
        Some((name, path)) => (name, Some(PathBuf::from(path))),
        None => (s, None),
    };
    let format = ReportFormat::from_str(name, true).map_err(|_| {
        format!("unknown format `{name}` (expected human, json, sarif, junit, markdown or html)")
    })?;
    Ok(OutputSpec { format, path })
}
