//! Command-line definitions (clap). No logic lives here.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

use crate::azure::credential::CredentialKind;
use crate::azure::Cloud;
use crate::engine::{FailOn, FrameworkFilter, Profile, Severity, PROFILES};
use crate::input::Size;
use crate::snapshot::Shard;

/// Check Azure API Management and Defender for APIs posture against Rego rules.
#[derive(Debug, Parser)]
#[command(name = "apimguard", version = crate::version::describe(), about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// How large an input file may be.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Size caps on input files (docs/limits.md); every command takes them.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Input limits")]
pub struct LimitArgs {
    /// Largest snapshot, JSON report (`diff`) or journal (`--resume`) read, e.g. 8GiB.
    #[arg(
        long,
        global = true,
        value_name = "SIZE",
        default_value = "4GiB",
        env = "APIMGUARD_MAX_SNAPSHOT_SIZE"
    )]
    pub max_snapshot_size: Size,
    /// Largest configuration, policy (.rego) or IaC file read, e.g. 128MiB.
    #[arg(
        long,
        global = true,
        value_name = "SIZE",
        default_value = "64MiB",
        env = "APIMGUARD_MAX_FILE_SIZE"
    )]
    pub max_file_size: Size,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a live Azure estate through Azure Resource Manager (or IaC files) into a snapshot.
    Collect(CollectArgs),
    /// Evaluate the rules over a snapshot and report pass/fail per rule and resource.
    Check(Box<CheckArgs>),
    /// Compare two runs (reports or snapshots): new failures, resolved, still failing.
    Diff(DiffArgs),
    /// Join the shards of a run: shard snapshots (`collect --shard`) into the estate's
    /// snapshot, or shard JSON reports (`check --shard`) into the whole check's report.
    Merge(MergeArgs),
    /// List, test and inspect rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print the JSON Schema of the snapshot document.
    Schema,
    /// Plan (and with --apply make) the catalogue's fixes for a snapshot's findings:
    /// enable the Defender for APIs plan, onboard and offboard APIs, gradually and journalled.
    Remediate(RemediateArgs),
    /// Offboard one API from Defender for APIs (delete its API collection).
    Offboard(OffboardArgs),
    /// Verify audit evidence (`check --evidence DIR`): re-check every file's SHA-256 and
    /// re-run the check offline as of the recorded check time; exit 0 when the verdicts match.
    Verify(VerifyArgs),
    /// Print the completion script of a shell (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command with --dir.
    Man(ManArgs),
    /// Check the IaC entries changed files belong to (what the pre-commit hooks run).
    Hook(HookArgs),
}

/// `apimguard hook`.
#[derive(Debug, Args)]
pub struct HookArgs {
    /// What the changed files are.
    #[arg(value_enum)]
    pub kind: HookKind,
    /// The changed files; each is mapped to the template, Bicep entry or APIOps folder
    /// it belongs to (docs/ci.md), and each entry is checked once.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Configuration file, as for `check`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Lowest severity whose findings fail the hook, as for `check`.
    #[arg(long, default_value = "low", value_parser = parse_fail_on)]
    pub fail_on: FailOn,
    /// A directory of your own rules, as for `check`; repeatable.
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// Which rules, as for `check`.
    #[arg(long, value_name = "NAME", value_parser = profile_parser())]
    pub profile: Option<&'static Profile>,
    /// The APIOps environment whose `configuration.NAME.yaml` applies (apiops only).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Check entries whose reading records gaps instead of failing.
    #[arg(long)]
    pub allow_incomplete: bool,
}

/// The kinds of IaC files the hooks check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HookKind {
    /// ARM templates (`--from-arm`).
    Arm,
    /// Bicep files (`--from-bicep`).
    Bicep,
    /// APIOps artifacts folders (`--from-apiops`).
    Apiops,
}

impl HookKind {
    /// The kind's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            HookKind::Arm => "ARM template",
            HookKind::Bicep => "Bicep",
            HookKind::Apiops => "APIOps",
        }
    }
}

/// `apimguard completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell whose completion script to print.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `apimguard man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `apimguard.1` and one `apimguard-COMMAND.1` per command into this folder
    /// instead of printing `apimguard.1`.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `apimguard verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The evidence directory written by `check --evidence`.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Check the signature of manifest.json with this key: an OpenSSH Ed25519 public key
    /// (`ssh-ed25519 AAAA…`), an allowed_signers file, or a minisign public key; a
    /// missing or invalid signature exits 2.
    #[arg(long, value_name = "PUB")]
    pub key: Option<PathBuf>,
    /// The signature to check (default: DIR/manifest.json.sig for SSH keys,
    /// DIR/manifest.json.minisig for minisign keys).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub signature: Option<PathBuf>,
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
    /// Which rules (docs/profiles.md): `check`, `remediate` and `diff` run baseline unless
    /// told otherwise; `rules list` and `rules explain` show every rule unless told.
    #[arg(long, value_name = "NAME", value_parser = profile_parser())]
    pub profile: Option<&'static Profile>,
}

/// How long and how much memory a rule may take (shared by `check`, `diff`,
/// `remediate` and `rules test`).
#[derive(Debug, Clone, Args)]
pub struct RuleLimitArgs {
    /// Seconds one rule may run on one piece of the snapshot (one service or
    /// subscription for rules that declare `custom.input`, else the whole snapshot)
    /// before it is stopped with an error; a rule stuck inside one builtin call past
    /// it (plus 3 s and a tenth of it) ends the run (exit 2).
    #[arg(long, default_value_t = 120, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub rule_timeout: u64,
    /// Most memory apimguard may hold while a rule runs, e.g. 512MiB or 16GiB; a rule
    /// that takes it over ends the run (exit 2). Default: 12 times the snapshot's size,
    /// at least 2 GiB.
    #[arg(long, value_name = "SIZE")]
    pub memory_limit: Option<Size>,
}

/// `apimguard check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The snapshot to check (`-` reads standard input).
    #[arg(
        value_name = "SNAPSHOT",
        required_unless_present_any = ["live", "from_arm", "from_bicep", "from_apiops"],
        conflicts_with = "iac"
    )]
    pub snapshot: Option<PathBuf>,
    /// Where rules come from.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output: human, json, sarif, junit, markdown, html, csv or ocsf, each to standard
    /// output or, as FORMAT:PATH, to a file; repeatable (only one may use standard output).
    #[arg(long, short = 'f', value_name = "FORMAT[:PATH]", default_value = "human", value_parser = parse_output)]
    pub format: Vec<OutputSpec>,
    /// Configuration file: rules on/off, severity overrides, parameters, waivers (docs/configuration.md).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Waivers file (the configuration's `waivers:` key alone, same checks); added to the configuration's waivers.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Let the Azure Policy exemptions recorded in the snapshot waive the findings they
    /// cover, like waivers; expired or unscoped ones never do (docs/audits.md).
    #[arg(long)]
    pub honor_azure_exemptions: bool,
    /// Add a per-control view of a framework to every report: mcsb, nist-800-53,
    /// pci-dss-4, iso-27001, cis-azure, owasp-api-2023, or NAME:CONTROL; repeatable.
    #[arg(long, value_name = "FRAMEWORK[:CONTROL]", value_parser = parse_framework)]
    pub framework: Vec<FrameworkFilter>,
    /// Write audit evidence to this new or empty directory: the snapshot, the reports,
    /// configuration and waivers, the rule pack and a SHA-256 manifest (docs/audits.md).
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
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
    /// How long and how much memory rules may take.
    #[command(flatten)]
    pub limits: RuleLimitArgs,
    /// Threads evaluating rules (default: the machine's cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Print where the time went to stderr: `phases` (compile, read, load, evaluate,
    /// report) of a normal run, or `rules` (the default) the phases and the slowest
    /// rules, which are then evaluated one by one so each rule's cost is measured.
    #[arg(long, value_name = "WHAT", num_args = 0..=1, default_missing_value = "rules", require_equals = true)]
    pub timings: Option<Timings>,
    /// Collect the estate from Azure now, in memory, and check that instead of a file.
    #[arg(long, conflicts_with_all = ["snapshot", "iac"])]
    pub live: bool,
    /// What `--live` reads and how.
    #[command(flatten, next_help_heading = "Live collection (with --live)")]
    pub arm: ArmArgs,
    /// IaC files to read and check in one step, instead of a snapshot.
    #[command(flatten, next_help_heading = "IaC files (pull-request gates)")]
    pub iac: IacArgs,
    /// Evaluate only shard K of N (0-based) of the snapshot: its share of the services,
    /// the subscriptions it owns, the estate in shard 0; join the JSON reports with
    /// `apimguard merge` (docs/scale.md).
    #[arg(long, value_name = "K/N", conflicts_with = "live")]
    pub shard: Option<Shard>,
}

/// `apimguard collect`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Where to write the snapshot (written atomically); `-` or none: standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// What to read and how.
    #[command(flatten)]
    pub arm: ArmArgs,
    /// IaC files to read instead of Azure.
    #[command(
        flatten,
        next_help_heading = "IaC files instead of Azure (docs/iac.md)"
    )]
    pub iac: IacArgs,
    /// A previous snapshot of the same scope: read again only the services the activity
    /// log says changed since, carry the rest over (-o may name this same file).
    #[arg(long, value_name = "FILE", conflicts_with = "iac")]
    pub since: Option<PathBuf>,
    /// With --since: read a service in full once its carried-over data is older than this
    /// (seconds, or with s, m, h or d).
    #[arg(long, value_name = "DURATION", default_value = "7d", requires = "since", value_parser = parse_positive_duration)]
    pub max_age: Duration,
    /// Read only shard K of N (0-based): the services whose id hashes to K and the
    /// subscriptions they are in; join the shards with `apimguard merge` (docs/scale.md).
    #[arg(long, value_name = "K/N", conflicts_with = "iac")]
    pub shard: Option<Shard>,
}

/// IaC files to read instead of Azure (shared by `collect` and `check`).
#[derive(Debug, Clone, Args)]
#[command(group(ArgGroup::new("iac").args(["from_arm", "from_bicep", "from_apiops"])))]
pub struct IacArgs {
    /// An ARM template (JSON, or `bicep build` output) to read.
    #[arg(long, value_name = "FILE")]
    pub from_arm: Option<PathBuf>,
    /// A Bicep file to read (its declarative subset, without a Bicep CLI).
    #[arg(long, value_name = "FILE")]
    pub from_bicep: Option<PathBuf>,
    /// An APIOps extractor folder (the artifacts folder) to read.
    #[arg(long, value_name = "DIR")]
    pub from_apiops: Option<PathBuf>,
    /// Parameter values for --from-arm or --from-bicep (an ARM parameters JSON file).
    #[arg(long, value_name = "FILE")]
    pub parameters: Option<PathBuf>,
    /// APIOps publisher configuration (`configuration.<env>.yaml`) to apply to --from-apiops.
    #[arg(long, value_name = "FILE", conflicts_with = "env")]
    pub configuration: Option<PathBuf>,
    /// Apply `configuration.NAME.yaml` (in the APIOps folder or beside it) to --from-apiops.
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// The folder every file the IaC input references must stay in (default: the git work tree holding the input, else its folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// Which Azure estate to read, and how (shared by `collect` and `check --live`).
#[derive(Debug, Clone, Args)]
pub struct ArmArgs {
    /// A subscription to read (repeatable); without it, every subscription the identity can list.
    #[arg(long = "subscription", short = 's', value_name = "ID")]
    pub subscriptions: Vec<String>,
    /// Read only this resource group (in each subscription).
    #[arg(long, short = 'g', value_name = "NAME")]
    pub resource_group: Option<String>,
    /// Read only the API Management service with this name.
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// Read every subscription under this management group, at any depth (repeatable).
    #[arg(
        long = "management-group",
        value_name = "ID",
        conflicts_with = "subscriptions"
    )]
    pub management_groups: Vec<String>,
    /// How services and Defender plans are found: auto (Resource Graph with
    /// --management-group, else ARM listing), arm, or resource-graph (any scope; falls
    /// back to ARM listing, with a warning, when Resource Graph cannot be queried).
    #[arg(long, value_enum, value_name = "METHOD", default_value_t = DiscoveryMethod::Auto)]
    pub discovery: DiscoveryMethod,
    /// Most pages of one ARM list; a longer list is taken as a paging loop (a gap).
    #[arg(long, value_name = "N", default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub max_pages: u64,
    /// Time the whole collection may take (seconds, or with s, m, h or d); what is not read
    /// by then becomes a gap, so the snapshot is never complete.
    #[arg(long, value_name = "DURATION", default_value = "12h", value_parser = parse_positive_duration)]
    pub deadline: Duration,
    /// How to reach ARM and authenticate.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// How to reach Azure Resource Manager and authenticate (shared by `collect`,
/// `check --live`, `remediate` and `offboard`).
#[derive(Debug, Clone, Args)]
pub struct ConnectionArgs {
    /// Azure cloud (default: AZURE_CLOUD when set, else AzureCloud).
    #[arg(long, value_name = "NAME", value_enum, ignore_case = true)]
    pub cloud: Option<Cloud>,
    /// Another ARM-compatible endpoint (Azure Stack Hub, a proxy, a test server); https, or http on loopback only.
    #[arg(long, value_name = "URL")]
    pub management_endpoint: Option<String>,
    /// Token audience for --management-endpoint (default: the cloud's ARM audience).
    #[arg(long, value_name = "URL")]
    pub audience: Option<String>,
    /// Use only this credential (default: APIMGUARD_AUTH when set, else the chain).
    #[arg(long, value_name = "KIND", value_enum, ignore_case = true)]
    pub auth: Option<CredentialKind>,
    /// ARM requests in flight at most, across the whole run.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Seconds one ARM request may take before it is retried.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// Retries of a throttled (429), failed (5xx) or timed-out request.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub retries: u32,
    /// Largest ARM answer read (bytes, or with KiB, MiB or GiB); a larger one is refused
    /// unread (a gap in collect, an error in remediate).
    #[arg(long, value_name = "SIZE", default_value = "64MiB")]
    pub max_response_size: Size,
    /// Test-only: milliseconds at least between two polls of a long-running operation
    /// (default 1000); less only with a loopback --management-endpoint (a test server).
    #[arg(long, value_name = "MS", hide = true)]
    pub min_poll_interval_ms: Option<u64>,
    /// Say more on standard error: -v the credential used, retries and gaps; -vv every request.
    #[arg(long, short = 'v', action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// No progress bars, notes or summary on standard error (errors still show).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `apimguard remediate`.
#[derive(Debug, Args)]
pub struct RemediateArgs {
    /// The snapshot whose findings to fix (written by `collect`).
    #[arg(
        value_name = "SNAPSHOT",
        required_unless_present = "resume",
        conflicts_with = "resume"
    )]
    pub snapshot: Option<PathBuf>,
    /// Only actions for the findings of this rule, e.g. APIM-DEF-001; repeatable.
    #[arg(long = "rule", value_name = "ID", conflicts_with = "resume")]
    pub rules: Vec<String>,
    /// Finish the run this journal records: replay its plan, skipping what it shows done.
    #[arg(long, value_name = "JOURNAL", conflicts_with = "journal")]
    pub resume: Option<PathBuf>,
    /// Where rules come from.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Configuration file (docs/configuration.md); waived findings are left alone.
    #[arg(long, value_name = "FILE", conflicts_with = "resume")]
    pub config: Option<PathBuf>,
    /// Plan from a snapshot that records gaps instead of refusing it (exit 2).
    #[arg(long)]
    pub allow_incomplete: bool,
    /// How long and how much memory rules may take.
    #[command(flatten)]
    pub limits: RuleLimitArgs,
    /// Output of the plan and of the closing summary.
    #[arg(long, short = 'f', value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// Whether and how to make the changes.
    #[command(flatten, next_help_heading = "Applying")]
    pub apply: ApplyArgs,
    /// The gates of a gradual apply (a resumed run keeps its journal's unless given).
    #[command(flatten, next_help_heading = "Gates")]
    pub gates: GateArgs,
    /// How to reach ARM (with --apply).
    #[command(flatten, next_help_heading = "Connection (with --apply)")]
    pub connection: ConnectionArgs,
}

/// `apimguard offboard`.
#[derive(Debug, Args)]
pub struct OffboardArgs {
    /// The API Management service's ARM id (/subscriptions/…/providers/Microsoft.ApiManagement/service/NAME).
    #[arg(long, value_name = "ID")]
    pub service: String,
    /// The API's name (the last segment of its id, e.g. echo-api).
    #[arg(long, value_name = "NAME")]
    pub api: String,
    /// Output of the plan and of the closing summary.
    #[arg(long, short = 'f', value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// Whether and how to make the change.
    #[command(flatten, next_help_heading = "Applying")]
    pub apply: ApplyArgs,
    /// How to reach ARM (with --apply).
    #[command(flatten, next_help_heading = "Connection (with --apply)")]
    pub connection: ConnectionArgs,
}

/// Whether and how to make planned changes (shared by `remediate` and `offboard`).
#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    /// Make the changes; without it nothing is written and no Azure call is made.
    #[arg(long)]
    pub apply: bool,
    /// Do not ask for confirmation (required when standard input is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// The journal (JSON Lines) of the run; default: apimguard-journal-TIME.jsonl here.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Seconds one long-running operation (an onboarding) may take (default 600).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub operation_timeout: Option<u64>,
    /// Apply (or resume) only the plan with this digest (`sha256:…`, printed with every
    /// plan); required by `--resume --yes`.
    #[arg(long, value_name = "DIGEST", value_parser = parse_digest)]
    pub plan_digest: Option<String>,
}

/// The gates of a gradual apply; unset ones take the journal's value on `--resume`,
/// else the documented default.
#[derive(Debug, Clone, Args)]
pub struct GateArgs {
    /// May also enable the Defender for APIs plan, which is billed per subscription.
    #[arg(long)]
    pub allow_cost: bool,
    /// Sub-plan when enabling the plan: P1 … P5 (default P1).
    #[arg(long, value_name = "PLAN", value_parser = crate::remediate::catalogue::SUB_PLANS)]
    pub sub_plan: Option<String>,
    /// Skip the rest of a service whose gateway load (Capacity) is above this percent (default 60).
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    pub max_capacity: Option<f64>,
    /// APIs per batch of one service (default 5).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: Option<u32>,
    /// Wait between two batches of one service: seconds, or with s, m or h (default 5m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub pause: Option<Duration>,
    /// Most writes of the whole run, resumed runs included (default 50).
    #[arg(long, value_name = "N")]
    pub max_changes: Option<u32>,
}

/// Output formats of `remediate` and `offboard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// For people.
    Human,
    /// The plan (and after --apply the outcome) as JSON (docs/remediation.md).
    Json,
}

/// How `collect` finds services and Defender plans (`--discovery`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiscoveryMethod {
    /// Resource Graph for management-group scopes, ARM listing otherwise.
    Auto,
    /// ARM listing, subscription by subscription.
    Arm,
    /// Resource Graph queries over the whole scope.
    ResourceGraph,
}

/// What `check --timings` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Timings {
    /// Phase times of a normal run.
    Phases,
    /// Phase times and each rule's own time (rules evaluated one by one).
    Rules,
}

/// `apimguard merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards: every one of a run, all snapshots or all JSON reports.
    #[arg(value_name = "FILE", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the merged snapshot or report (written atomically); `-`: standard output.
    #[arg(long, short = 'o', value_name = "OUT")]
    pub output: PathBuf,
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
    /// How long and how much memory rules may take (to check snapshots).
    #[command(flatten)]
    pub limits: RuleLimitArgs,
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
    /// CSV: one row per rule and checked resource, passing and waived rows included.
    Csv,
    /// A JSON array of OCSF 1.1 Compliance Finding events (class 2003), for security data lakes.
    Ocsf,
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
    /// List rules: id, severity, family, title; filter by severity, family, framework, profile.
    List(ListArgs),
    /// Show one rule's page: what it checks, why, how to fix it, its parameters and mappings.
    Explain(ExplainArgs),
    /// Scaffold a new rule and its unit tests: DIR/FAMILY/NAME.rego and NAME_test.rego.
    New(NewArgs),
    /// Generate the rule pages and catalogue (docs/rules) from the built-in rules.
    Doc(DocArgs),
    /// Run the rules' `*_test.rego` unit tests, like `opa test`.
    Test(TestArgs),
    /// Lint rules strictly, like `opa check --strict` and `opa fmt`: unused imports and
    /// variables, shadowed names, layout. Exit 1 on any finding.
    Lint(LintArgs),
}

/// `apimguard rules list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Where rules come from; `--profile` keeps only that profile's rules.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Only rules at or above this severity: info, low, medium, high, critical.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub severity: Option<Severity>,
    /// Only rules of this family (api, defender, service, …, custom); repeatable.
    #[arg(long, value_name = "FAMILY")]
    pub family: Vec<String>,
    /// Only rules mapped to this framework, or to one control of it (e.g. owasp-api-2023:API2).
    #[arg(long, value_name = "FRAMEWORK[:CONTROL]", value_parser = parse_framework)]
    pub framework: Option<FrameworkFilter>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// `apimguard rules explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, e.g. APIM-DEF-001 (case does not matter).
    #[arg(value_name = "ID")]
    pub id: String,
    /// Where rules come from; with `--profile`, only that profile's rules are known.
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// `apimguard rules new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The rule's name in snake_case, e.g. `require_tls`; names the files and the package.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Family: the package segment after `apimguard.rules.` and the folder under DIR.
    #[arg(long, value_name = "FAMILY")]
    pub family: Option<String>,
    /// Directory of your rules.
    #[arg(long, value_name = "DIR", default_value = "policies")]
    pub dir: PathBuf,
    /// Rule id (default: CUSTOM- and NAME in upper case, e.g. CUSTOM-REQUIRE-TLS).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Severity of a failure.
    #[arg(long, value_name = "SEVERITY", default_value = "medium", value_parser = parse_severity)]
    pub severity: Severity,
}

/// `apimguard rules doc`.
#[derive(Debug, Args)]
pub struct DocArgs {
    /// Directory of the generated pages.
    #[arg(long, value_name = "DIR", default_value = "docs/rules")]
    pub out: PathBuf,
    /// Write nothing; exit 1 naming the files that are out of date.
    #[arg(long)]
    pub check: bool,
}

/// `apimguard rules test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Directories (or files) whose tests to run; without one, the built-in pack's.
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Do not load the built-in rules (their libraries stay unavailable to your tests).
    #[arg(long)]
    pub no_builtin: bool,
    /// Print every test, not only failures.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// How long and how much memory each test may take (default memory: 2 GiB).
    #[command(flatten)]
    pub limits: RuleLimitArgs,
}

/// `apimguard rules lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Directories (or files) to lint; without one, the built-in pack.
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Do not load the built-in rules (their libraries stay unavailable to your rules).
    #[arg(long)]
    pub no_builtin: bool,
}

/// Output formats of `rules list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns.
    Table,
    /// JSON array of rule metadata.
    Json,
}

/// Accepts the names in the profile table (and lists them in `--help` and errors).
fn profile_parser() -> impl TypedValueParser<Value = &'static Profile> {
    PossibleValuesParser::new(
        PROFILES
            .iter()
            .map(|p| PossibleValue::new(p.name).help(p.summary)),
    )
    .map(|name| Profile::named(&name).expect("clap accepts only the profiles' names"))
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

fn parse_framework(s: &str) -> Result<FrameworkFilter, String> {
    s.parse()
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    s.parse()
}

fn parse_percent(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{s}` is not a percentage from 0 to 100")),
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let (number, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => s.split_at(at),
        None => (s, "s"),
    };
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "`{s}` is not a duration (e.g. 90, 90s, 5m, 1h, 7d)"
            ))
        }
    };
    number
        .parse::<u64>()
        .map(|n| Duration::from_secs(n.saturating_mul(scale)))
        .map_err(|_| format!("`{s}` is not a duration (e.g. 90, 90s, 5m, 1h, 7d)"))
}

fn parse_digest(s: &str) -> Result<String, String> {
    match crate::remediate::digest::is_digest(s) {
        true => Ok(s.to_ascii_lowercase()),
        false => Err(format!(
            "`{s}` is not a plan digest (sha256: and 64 hex digits, as a plan prints it)"
        )),
    }
}

fn parse_positive_duration(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d.is_zero() => Err(format!("`{s}` is no time at all; give at least 1s")),
        d => Ok(d),
    }
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
