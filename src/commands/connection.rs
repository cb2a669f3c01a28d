//! The connection flags bound to the app's options: `--cloud` and `--auth` fall back to
//! `AZURE_CLOUD` and `APIMGUARD_AUTH`, read only when a command connects (a stray
//! variable never breaks `check` on a file), with the same error on a bad value.

use std::time::Duration;

use crate::app::connect::{CollectOptions, CollectUsageError, ConnectOptions};
use crate::cli::{ArmArgs, ConnectionArgs, DiscoveryMethod};
use crate::collect::Discovery;

/// The variable `--cloud` falls back to.
const CLOUD_VARIABLE: &str = "AZURE_CLOUD";

/// The variable `--auth` falls back to.
const AUTH_VARIABLE: &str = "APIMGUARD_AUTH";

impl ConnectionArgs {
    /// The connection these flags (and the variables, for flags not given) ask for.
    pub fn options(&self) -> Result<ConnectOptions, CollectUsageError> {
        let cloud = match self.cloud {
            Some(cloud) => cloud,
            None => from_variable(CLOUD_VARIABLE, "--cloud (AZURE_CLOUD)")?.unwrap_or_default(),
        };
        let auth = match self.auth {
            Some(kind) => Some(kind),
            None => from_variable(AUTH_VARIABLE, "--auth (APIMGUARD_AUTH)")?,
        };
        Ok(ConnectOptions {
            cloud,
            management_endpoint: self.management_endpoint.clone(),
            audience: self.audience.clone(),
            auth,
            concurrency: usize::from(self.concurrency),
            timeout: Duration::from_secs(self.timeout),
            retries: self.retries,
            max_response_bytes: self.max_response_size.0,
            min_poll_interval: self.min_poll_interval_ms.map(Duration::from_millis),
            verbose: self.verbose,
            quiet: self.quiet,
        })
    }
}

impl ArmArgs {
    /// What these flags ask to collect, and how to reach ARM.
    pub fn options(&self) -> Result<CollectOptions, CollectUsageError> {
        Ok(CollectOptions {
            subscriptions: self.subscriptions.clone(),
            resource_group: self.resource_group.clone(),
            service: self.service.clone(),
            management_groups: self.management_groups.clone(),
            discovery: match self.discovery {
                DiscoveryMethod::Auto => Discovery::Auto,
                DiscoveryMethod::Arm => Discovery::Arm,
                DiscoveryMethod::ResourceGraph => Discovery::ResourceGraph,
            },
            shard: None,
            max_pages: usize::try_from(self.max_pages).unwrap_or(usize::MAX),
            deadline: self.deadline,
            connection: self.connection.options()?,
        })
    }
}

/// The value of `variable` parsed, `None` when it is unset or empty; a bad value is
/// the error of `flag`.
fn from_variable<T: std::str::FromStr<Err = String>>(
    variable: &str,
    flag: &'static str,
) -> Result<Option<T>, CollectUsageError> {
    match std::env::var_os(variable) {
        Some(value) if !value.is_empty() => value
            .to_string_lossy()
            .parse()
            .map(Some)
            .map_err(|message| CollectUsageError::BadValue { flag, message }),
        _ => Ok(None),
    }
}
