//! The Azure connection of `collect`, `check --live`, `remediate` and `offboard`:
//! flags → cloud, endpoint and credentials → an authenticated [`ArmClient`]; and the
//! live collection built on it (credentials → ARM → snapshot).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use miette::{Diagnostic, IntoDiagnostic};
use reqwest::Url;
use thiserror::Error;

use crate::azure::arm::names::Name;
use crate::azure::arm::{Deadline, Limits, MIN_POLL_WAIT};
use crate::azure::credential::{ChainOptions, CredentialKind};
use crate::azure::{ArmClient, ArmOptions, Cloud, CredentialChain, Reporter, TokenSource};
use crate::collect::{self, Collected, Target};
use crate::snapshot::{self, LoadedSnapshot};

/// First backoff step of ARM retries.
const BACKOFF: Duration = Duration::from_millis(500);

/// Command-line settings that cannot work.
#[derive(Debug, Error, Diagnostic)]
pub enum CollectUsageError {
    /// The endpoint does not parse.
    #[error("--management-endpoint `{url}` is not a URL: {reason}")]
    #[diagnostic(
        code(apimguard::collect::endpoint),
        help("give the endpoint's base URL, for example https://management.azure.com")
    )]
    BadEndpoint {
        /// What was given.
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    /// Plain HTTP to a host that is not this machine.
    #[error("--management-endpoint `{0}` uses plain http on a host other than this machine, so the bearer token would travel unencrypted")]
    #[diagnostic(
        code(apimguard::collect::insecure_endpoint),
        help("use https://, or http:// only with 127.0.0.1, [::1] or localhost (a local test server)")
    )]
    InsecureEndpoint(String),
    /// A flag value that is not one of the accepted ones.
    #[error("{flag}: {message}")]
    #[diagnostic(
        code(apimguard::collect::value),
        help("see `apimguard collect --help`")
    )]
    BadValue {
        /// The flag (and its environment variable).
        flag: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Live-collection flags given to `check` without `--live`.
    #[error("--subscription, --management-group, --resource-group, --service and --management-endpoint only apply with --live")]
    #[diagnostic(
        code(apimguard::check::live_flags),
        help(
            "add --live to collect from Azure now, or drop these flags to check the snapshot file"
        )
    )]
    NeedsLive,
}

/// How to reach ARM: what the connection flags (`--cloud`, `--auth`, …) ask for.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// The cloud (`--cloud`, `AZURE_CLOUD`).
    pub cloud: Cloud,
    /// Another ARM endpoint than the cloud's (`--management-endpoint`).
    pub management_endpoint: Option<String>,
    /// The token audience, when not the cloud's (`--audience`).
    pub audience: Option<String>,
    /// The one credential to use instead of the chain (`--auth`, `APIMGUARD_AUTH`).
    pub auth: Option<CredentialKind>,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// The timeout of one request.
    pub timeout: Duration,
    /// Retries of a failed request.
    pub retries: u32,
    /// The largest response body read.
    pub max_response_bytes: u64,
    /// The hidden `--min-poll-interval-ms`: the shortest wait between two polls.
    pub min_poll_interval: Option<Duration>,
    /// `-v` count: how much to note on standard error.
    pub verbose: u8,
    /// `--quiet`: no progress nor summary.
    pub quiet: bool,
}

/// What to collect, and how to reach ARM.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// The subscriptions to read (every one the credential sees when empty).
    pub subscriptions: Vec<String>,
    /// Only this resource group.
    pub resource_group: Option<String>,
    /// Only this service.
    pub service: Option<String>,
    /// The management groups whose subscriptions to read (`--management-group`).
    pub management_groups: Vec<String>,
    /// How services are found (`--discovery`).
    pub discovery: collect::Discovery,
    /// Only this shard of the services (`collect --shard`).
    pub shard: Option<crate::snapshot::Shard>,
    /// Pages read at most per list.
    pub max_pages: usize,
    /// The time the whole collection may take.
    pub deadline: Duration,
    /// How to reach ARM.
    pub connection: ConnectOptions,
}

/// Collects in memory for `check --live`.
pub fn collect_live(args: &CollectOptions) -> miette::Result<LoadedSnapshot> {
    let collected = collect_blocking(args, None)?;
    let text = snapshot::to_text(&collected.snapshot, false)?;
    Ok(LoadedSnapshot {
        path: PathBuf::from("(live collection)"),
        text,
        snapshot: collected.snapshot,
    })
}

/// Collects `args`' scope; with `since` (a previous snapshot and `--max-age`), reads
/// again only what changed since that snapshot (`collect --since`). The previous
/// snapshot is read first, so that a bad one fails the run before any request.
pub(crate) fn collect_blocking(
    args: &CollectOptions,
    since: Option<(&Path, Duration)>,
) -> miette::Result<Collected> {
    let since = match since {
        Some((path, max_age)) => Some(collect::Since::new(collect::load_previous(path)?, max_age)),
        None => None,
    };
    block_on(collect_async(args, since))
}

/// Runs `future` to its end on a new multi-threaded runtime.
pub fn block_on<T>(future: impl Future<Output = miette::Result<T>>) -> miette::Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .into_diagnostic()?
        .block_on(future)
}

async fn collect_async(
    args: &CollectOptions,
    since: Option<collect::Since>,
) -> miette::Result<Collected> {
    let connection = &args.connection;
    scope_names(args)?;
    let limits = Limits {
        max_response_bytes: connection.max_response_bytes,
        max_pages: args.max_pages,
        deadline: Some(Deadline::after(args.deadline)),
    };
    let reporter = Arc::new(Reporter::new(connection.verbose, connection.quiet));
    let Connection { client, cloud, .. } = connect(connection, limits, reporter.clone()).await?;
    let target = Target {
        subscriptions: args.subscriptions.clone(),
        resource_group: args.resource_group.clone(),
        service: args.service.clone(),
        management_groups: args.management_groups.clone(),
        discovery: args.discovery,
        shard: args.shard,
    };
    let collected = match since {
        Some(since) => collect::collect_since(&client, cloud, &target, &reporter, since).await?,
        None => collect::collect(&client, cloud, &target, &reporter).await?,
    };
    reporter.finish(&collected.summary);
    for gap in &collected.snapshot.gaps {
        reporter.warn(format_args!(
            "could not read {} of {}: {}",
            gap.what, gap.scope, gap.error
        ));
    }
    Ok(collected)
}

/// An authenticated ARM client for the connection flags, and what it was made from.
pub struct Connection {
    /// The client.
    pub client: ArmClient,
    /// Where its tokens come from (a first token has been had).
    pub tokens: Arc<dyn TokenSource>,
    /// The cloud of `--cloud`.
    pub cloud: Cloud,
}

/// Checks `--subscription`, `--resource-group`, `--service` and `--management-group`
/// against ARM's naming rules: they become segments of request paths.
fn scope_names(args: &CollectOptions) -> Result<(), CollectUsageError> {
    let named = args
        .subscriptions
        .iter()
        .map(|s| ("--subscription", Name::Subscription, s))
        .chain(
            args.resource_group
                .iter()
                .map(|g| ("--resource-group", Name::ResourceGroup, g)),
        )
        .chain(args.service.iter().map(|s| ("--service", Name::Service, s)))
        .chain(
            args.management_groups
                .iter()
                .map(|g| ("--management-group", Name::ManagementGroup, g)),
        );
    for (flag, name, value) in named {
        name.check(value)
            .map_err(|bad| CollectUsageError::BadValue {
                flag,
                message: bad.to_string(),
            })?;
    }
    Ok(())
}

/// Resolves `--cloud`, `--management-endpoint`, `--audience` and `--auth`, and gets a
/// first token, so that a run fails before any ARM call when no credential works.
/// `limits` bound what the client reads.
pub async fn connect(
    args: &ConnectOptions,
    limits: Limits,
    reporter: Arc<Reporter>,
) -> miette::Result<Connection> {
    let cloud = args.cloud;
    let only = args.auth;
    let endpoint = endpoint(args, cloud)?;
    let min_poll_wait = min_poll_wait(args, &endpoint)?;
    let scope = match &args.audience {
        Some(audience) if audience.ends_with("/.default") => audience.clone(),
        Some(audience) => format!("{}/.default", audience.trim_end_matches('/')),
        None => cloud.token_scope().to_string(),
    };
    let http = crate::azure::http::client().into_diagnostic()?;
    let tokens: Arc<dyn TokenSource> = Arc::new(CredentialChain::from_env(ChainOptions {
        cloud,
        scope,
        only,
        http: http.clone(),
    }));

    // Fail fast (before any ARM call) when no credential works, and say which one did.
    tokens.token().await?;
    for failure in tokens.failures() {
        reporter.warn(format_args!(
            "{failure}; the next credential in the chain was used"
        ));
    }
    reporter.note(
        1,
        format_args!(
            "credential: {}; ARM endpoint: {endpoint}",
            tokens.describe().unwrap_or_else(|| "unknown".into())
        ),
    );

    let client = ArmClient::new(
        http,
        tokens.clone(),
        ArmOptions {
            endpoint,
            concurrency: args.concurrency,
            timeout: args.timeout,
            max_retries: args.retries,
            backoff: BACKOFF,
            min_poll_wait,
            limits,
        },
        reporter,
    );
    Ok(Connection {
        client,
        tokens,
        cloud,
    })
}

/// The ARM endpoint: the cloud's, or `--management-endpoint` (https, or http on loopback).
fn endpoint(args: &ConnectOptions, cloud: Cloud) -> Result<Url, CollectUsageError> {
    let given = args
        .management_endpoint
        .as_deref()
        .unwrap_or(cloud.management_endpoint());
    let url = Url::parse(given).map_err(|e| CollectUsageError::BadEndpoint {
        url: given.to_string(),
        reason: e.to_string(),
    })?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(CollectUsageError::BadEndpoint {
            url: given.to_string(),
            reason: "it needs an https:// (or loopback http://) scheme and a host".to_string(),
        });
    }
    if url.scheme() == "http" && !is_loopback(&url) {
        return Err(CollectUsageError::InsecureEndpoint(given.to_string()));
    }
    Ok(url)
}

/// The shortest wait between two polls of a long-running operation: one second, or
/// the hidden `--min-poll-interval-ms`, which may go below it only against a test
/// server on this machine (a real ARM is never polled back to back).
fn min_poll_wait(args: &ConnectOptions, endpoint: &Url) -> Result<Duration, CollectUsageError> {
    let Some(wait) = args.min_poll_interval else {
        return Ok(MIN_POLL_WAIT);
    };
    if wait < MIN_POLL_WAIT && !is_loopback(endpoint) {
        return Err(CollectUsageError::BadValue {
            flag: "--min-poll-interval-ms",
            message: format!(
                "below {} ms only with a loopback --management-endpoint (a test server)",
                MIN_POLL_WAIT.as_millis()
            ),
        });
    }
    Ok(wait)
}

/// Whether `url` is on this machine.
fn is_loopback(url: &Url) -> bool {
    matches!(url.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The options of `collect` with `extra` flags, as the command line binds them.
    fn arm(extra: &[&str]) -> Result<ConnectOptions, CollectUsageError> {
        use clap::Parser;
        let mut argv = vec!["apimguard", "collect"];
        argv.extend_from_slice(extra);
        match crate::cli::Cli::try_parse_from(argv) {
            Ok(cli) => match cli.command {
                crate::cli::Command::Collect(args) => Ok(args.arm.connection.options()?),
                _ => unreachable!(),
            },
            Err(e) => Err(CollectUsageError::BadValue {
                flag: "--cloud",
                message: e.to_string(),
            }),
        }
    }

    fn endpoint_of(extra: &[&str]) -> Result<Url, CollectUsageError> {
        let args = arm(extra)?;
        endpoint(&args, args.cloud)
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            endpoint_of(&[]).unwrap().as_str(),
            "https://management.azure.com/"
        );
        assert_eq!(
            endpoint_of(&["--cloud", "AzureUSGovernment"])
                .unwrap()
                .as_str(),
            "https://management.usgovcloudapi.net/"
        );
        assert!(matches!(
            endpoint_of(&["--cloud", "mars"]),
            Err(CollectUsageError::BadValue { .. })
        ));
        assert!(endpoint_of(&["--management-endpoint", "http://127.0.0.1:8080"]).is_ok());
        assert!(matches!(
            endpoint_of(&["--management-endpoint", "http://arm.example.com"]),
            Err(CollectUsageError::InsecureEndpoint(_))
        ));
        assert!(matches!(
            endpoint_of(&["--management-endpoint", "not a url"]),
            Err(CollectUsageError::BadEndpoint { .. })
        ));
    }

    #[test]
    fn polls_wait_a_second_but_on_a_test_server() {
        let wait = |extra: &[&str]| {
            let args = arm(extra)?;
            min_poll_wait(&args, &endpoint(&args, args.cloud)?)
        };
        assert_eq!(wait(&[]).unwrap(), MIN_POLL_WAIT);
        let local = ["--management-endpoint", "http://127.0.0.1:8080"];
        assert_eq!(
            wait(&[&local[..], &["--min-poll-interval-ms", "0"]].concat()).unwrap(),
            Duration::ZERO
        );
        assert!(matches!(
            wait(&["--min-poll-interval-ms", "0"]),
            Err(CollectUsageError::BadValue { .. })
        ));
        assert_eq!(
            wait(&["--min-poll-interval-ms", "5000"]).unwrap(),
            Duration::from_secs(5)
        );
    }
}
