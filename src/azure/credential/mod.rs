//! Credentials: where ARM bearer tokens come from.
//!
//! The collector only sees [`TokenSource`], so tests (and air-gapped runs) can hand it
//! a token without any Azure library involved. [`CredentialChain`] is the real one: it
//! tries, in order,
//!
//! 1. `APIMGUARD_ACCESS_TOKEN` — a bearer token taken as is;
//! 2. a service principal: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`;
//! 3. workload identity: `AZURE_FEDERATED_TOKEN_FILE` (AKS, or any CI that writes its
//!    OIDC token to a file), the GitHub Actions OIDC endpoint
//!    (`ACTIONS_ID_TOKEN_REQUEST_URL`), or an Azure Pipelines service connection
//!    (`SYSTEM_OIDCREQUESTURI` + `AZURESUBSCRIPTION_*`);
//! 4. managed identity (App Service/Functions/Container Apps endpoint, or IMDS when it answers);
//! 5. the Azure CLI (`az login`), then 6. the Azure Developer CLI (`azd auth login`).
//!
//! A credential that is not configured is skipped quietly. One that is configured
//! but fails is reported with its reason: explicit service credentials (2, 3) stop the
//! chain, because falling through to another identity would read a different estate;
//! ambient ones (4–6) are remembered and the chain moves on. The token is cached and
//! refreshed five minutes before it expires. Tokens never appear in `Debug` output.

mod capped;
mod github;
mod links;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use miette::Diagnostic;
use thiserror::Error;

pub use links::ChainOptions;
use links::{Link, Outcome};

/// Refresh tokens that expire within this margin.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// A bearer token for ARM. `Debug` never shows it.
#[derive(Clone)]
pub struct AccessToken {
    secret: String,
    expires_at: Option<Instant>,
}

impl AccessToken {
    /// A token that expires after `lifetime` (`None`: never, as far as we know).
    pub fn new(secret: impl Into<String>, lifetime: Option<Duration>) -> Self {
        Self {
            secret: secret.into(),
            expires_at: lifetime.map(|l| Instant::now() + l),
        }
    }

    /// The token itself, for the `Authorization` header only.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    fn fresh(&self) -> bool {
        self.expires_at
            .is_none_or(|at| at > Instant::now() + REFRESH_MARGIN)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(***)")
    }
}

/// Checks that `secret` is a bearer token as RFC 6750 writes one (`b64token`: letters,
/// digits and `-._~+/`, then `=` padding only), so that it can travel in an HTTP
/// header. The reason names the offending character's position and kind, never the
/// token or the character itself.
pub fn check_token(secret: &str) -> Result<(), String> {
    if secret.is_empty() {
        return Err("the token is empty".to_string());
    }
    let body = secret.trim_end_matches('=');
    let bad = body
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || "-._~+/".contains(*c)))
        .or_else(|| body.is_empty().then_some((0, '=')));
    match bad {
        None => Ok(()),
        Some((at, c)) => {
            let kind = match c {
                c if c.is_control() => "a control character or line break",
                ' ' => "a space",
                c if !c.is_ascii() => "a non-ASCII character",
                _ => "a character bearer tokens do not use",
            };
            Err(format!(
                "the token is not a bearer token: character {} is {kind} (RFC 6750 allows letters, digits and - . _ ~ + /, then = at the end)",
                secret[..at].chars().count() + 1
            ))
        }
    }
}

/// The future a [`TokenSource`] returns.
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<AccessToken, CredentialError>> + Send + 'a>>;

/// Where ARM bearer tokens come from.
pub trait TokenSource: Send + Sync {
    /// A valid token (cached or fresh).
    fn token(&self) -> TokenFuture<'_>;
    /// Which credential produced the tokens, once one has.
    fn describe(&self) -> Option<String>;
    /// Configured credentials that failed before the one in use, with their reasons.
    fn failures(&self) -> Vec<String> {
        Vec::new()
    }
}

/// No credential could produce a token.
#[derive(Debug, Error, Diagnostic)]
pub enum CredentialError {
    /// Every credential was either not configured or failed.
    #[error("no Azure credential could get a token:\n{tried}")]
    #[diagnostic(
        code(apimguard::auth::unavailable),
        help("sign in with `az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or set APIMGUARD_ACCESS_TOKEN to a bearer token; docs/authentication.md lists every option")
    )]
    Unavailable {
        /// One line per credential: why it was skipped or how it failed.
        tried: String,
    },
    /// A configured credential failed.
    #[error("{credential} failed: {reason}")]
    #[diagnostic(
        code(apimguard::auth::failed),
        help("fix the credential's settings (docs/authentication.md), or unset its variables to let the next credential in the chain answer")
    )]
    Failed {
        /// Which credential.
        credential: &'static str,
        /// Why, as the identity library reported it.
        reason: String,
    },
}

/// The kinds of credential the chain knows (`--auth` picks one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// `APIMGUARD_ACCESS_TOKEN`.
    AccessToken,
    /// Service principal with a client secret.
    ServicePrincipal,
    /// Federated token: token file, GitHub Actions OIDC or Azure Pipelines.
    WorkloadIdentity,
    /// Managed identity.
    ManagedIdentity,
    /// Azure CLI.
    AzureCli,
    /// Azure Developer CLI.
    AzureDeveloperCli,
}

impl CredentialKind {
    /// Every kind, in chain order.
    pub const ALL: [CredentialKind; 6] = [
        CredentialKind::AccessToken,
        CredentialKind::ServicePrincipal,
        CredentialKind::WorkloadIdentity,
        CredentialKind::ManagedIdentity,
        CredentialKind::AzureCli,
        CredentialKind::AzureDeveloperCli,
    ];

    /// The `--auth` value.
    pub fn name(self) -> &'static str {
        match self {
            CredentialKind::AccessToken => "access-token",
            CredentialKind::ServicePrincipal => "service-principal",
            CredentialKind::WorkloadIdentity => "workload-identity",
            CredentialKind::ManagedIdentity => "managed-identity",
            CredentialKind::AzureCli => "azure-cli",
            CredentialKind::AzureDeveloperCli => "azure-developer-cli",
        }
    }
}

/// `--auth`: the kinds by their names.
impl clap::ValueEnum for CredentialKind {
    fn value_variants<'a>() -> &'a [Self] {
        &CredentialKind::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

impl FromStr for CredentialKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CredentialKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = CredentialKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown credential `{s}`; use one of {}", names.join(", "))
            })
    }
}

/// The credential chain described in the module documentation.
pub struct CredentialChain {
    scope: String,
    links: Vec<Link>,
    state: tokio::sync::Mutex<ChainState>,
    chosen: OnceLock<String>,
    failed_before: OnceLock<Vec<String>>,
}

#[derive(Default)]
struct ChainState {
    chosen: Option<usize>,
    cached: Option<AccessToken>,
}

impl CredentialChain {
    /// The chain configured from the process environment.
    pub fn from_env(options: ChainOptions) -> Self {
        Self::with_env(options, &|name| {
            std::env::var(name).ok().filter(|v| !v.is_empty())
        })
    }

    /// The chain configured from `env` (tests pass a map).
    pub fn with_env(options: ChainOptions, env: &dyn Fn(&str) -> Option<String>) -> Self {
        let scope = options.scope.clone();
        Self {
            scope,
            links: links::build(&options, env),
            state: tokio::sync::Mutex::new(ChainState::default()),
            chosen: OnceLock::new(),
            failed_before: OnceLock::new(),
        }
    }

    async fn first_token(&self, state: &mut ChainState) -> Result<AccessToken, CredentialError> {
        let mut tried = Vec::new();
        let mut failed = Vec::new();
        let forced = self.links.len() == 1;
        for (index, link) in self.links.iter().enumerate() {
            match link.get_token(&self.scope).await {
                Outcome::Token(token) => {
                    state.chosen = Some(index);
                    let _ = self.chosen.set(link.describe());
                    let _ = self.failed_before.set(failed);
                    return Ok(token);
                }
                Outcome::NotConfigured(reason) if forced => {
                    return Err(CredentialError::Failed {
                        credential: link.label(),
                        reason: format!("not configured: {reason}"),
                    })
                }
                Outcome::NotConfigured(reason) => {
                    tried.push(format!("  - {}: skipped, {reason}", link.label()))
                }
                Outcome::Failed(reason) if link.decisive() || forced => {
                    return Err(CredentialError::Failed {
                        credential: link.label(),
                        reason,
                    })
                }
                Outcome::Failed(reason) => {
                    tried.push(format!("  - {}: failed, {reason}", link.label()));
                    failed.push(format!("{} failed: {reason}", link.label()));
                }
            }
        }
        Err(CredentialError::Unavailable {
            tried: tried.join("\n"),
        })
    }
}

impl TokenSource for CredentialChain {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let mut state = self.state.lock().await;
            if let Some(token) = state.cached.as_ref().filter(|t| t.fresh()) {
                return Ok(token.clone());
            }
            let token = match state.chosen {
                Some(index) => {
                    let link = &self.links[index];
                    match link.get_token(&self.scope).await {
                        Outcome::Token(token) => token,
                        Outcome::NotConfigured(reason) | Outcome::Failed(reason) => {
                            return Err(CredentialError::Failed {
                                credential: link.label(),
                                reason,
                            })
                        }
                    }
                }
                None => self.first_token(&mut state).await?,
            };
            state.cached = Some(token.clone());
            Ok(token)
        })
    }

    fn describe(&self) -> Option<String> {
        self.chosen.get().cloned()
    }

    fn failures(&self) -> Vec<String> {
        self.failed_before.get().cloned().unwrap_or_default()
    }
}

/// A fixed token (tests, benchmarks, or a token minted elsewhere).
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// A source that always answers with `secret`.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(AccessToken::new(secret, None))
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move { Ok(self.0.clone()) })
    }

    fn describe(&self) -> Option<String> {
        Some("a fixed access token".to_string())
    }
}

#[cfg(test)]
mod tests;
