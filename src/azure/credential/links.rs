//! The links of the credential chain, each decided from the environment.

use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions, Transport};
use azure_core::time::OffsetDateTime;
use azure_identity::{
    AzureCliCredential, AzureDeveloperCliCredential, AzurePipelinesCredential,
    AzurePipelinesCredentialOptions, ClientAssertionCredential, ClientAssertionCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};

use super::capped::CappedTransport;
use super::github::GitHubOidc;
use super::{AccessToken, CredentialKind};
use crate::azure::Cloud;

/// Where IMDS listens; probed before the managed identity credential is tried.
const IMDS: &str = "169.254.169.254:80";

/// How the chain is built.
#[derive(Clone)]
pub struct ChainOptions {
    /// The cloud (decides the Entra authority).
    pub cloud: Cloud,
    /// The OAuth scope to ask for, e.g. `https://management.azure.com/.default`.
    pub scope: String,
    /// Use only this credential (`--auth`).
    pub only: Option<CredentialKind>,
    /// The HTTP client the identity library shares with the collector.
    pub http: reqwest::Client,
}

/// What one link answered.
pub(super) enum Outcome {
    /// A token.
    Token(AccessToken),
    /// The credential is not set up here; skip it quietly.
    NotConfigured(String),
    /// The credential is set up but could not get a token.
    Failed(String),
}

/// One credential of the chain.
pub(super) struct Link {
    kind: CredentialKind,
    detail: String,
    source: Source,
}

enum Source {
    Static(AccessToken),
    Sdk(Arc<dyn TokenCredential>),
    ManagedIdentity {
        options: Box<ManagedIdentityCredentialOptions>,
        probe: bool,
    },
    NotConfigured(String),
    Misconfigured(String),
}

impl Link {
    pub fn label(&self) -> &'static str {
        match self.kind {
            CredentialKind::AccessToken => "APIMGUARD_ACCESS_TOKEN",
            CredentialKind::ServicePrincipal => "service principal",
            CredentialKind::WorkloadIdentity => "workload identity",
            CredentialKind::ManagedIdentity => "managed identity",
            CredentialKind::AzureCli => "Azure CLI",
            CredentialKind::AzureDeveloperCli => "Azure Developer CLI",
        }
    }

    /// What `-v` prints once this link produced a token.
    pub fn describe(&self) -> String {
        if self.detail.is_empty() {
            self.label().to_string()
        } else {
            format!("{} ({})", self.label(), self.detail)
        }
    }

    /// Explicit service credentials: when configured, their failure ends the chain.
    pub fn decisive(&self) -> bool {
        matches!(
            self.kind,
            CredentialKind::AccessToken
                | CredentialKind::ServicePrincipal
                | CredentialKind::WorkloadIdentity
        )
    }

    pub async fn get_token(&self, scope: &str) -> Outcome {
        match &self.source {
            Source::Static(token) => Outcome::Token(token.clone()),
            Source::NotConfigured(reason) => Outcome::NotConfigured(reason.clone()),
            Source::Misconfigured(reason) => Outcome::Failed(reason.clone()),
            Source::Sdk(credential) => self.ask(credential.as_ref(), scope).await,
            Source::ManagedIdentity { options, probe } => {
                if *probe && !imds_answers().await {
                    return Outcome::NotConfigured(
                        "IDENTITY_ENDPOINT is not set and the instance metadata service does not answer".to_string(),
                    );
                }
                match ManagedIdentityCredential::new(Some(options.as_ref().clone())) {
                    Ok(credential) => self.ask(credential.as_ref(), scope).await,
                    Err(e) => Outcome::Failed(error_chain(&e)),
                }
            }
        }
    }

    async fn ask(&self, credential: &dyn TokenCredential, scope: &str) -> Outcome {
        match credential.get_token(&[scope], None).await {
            Ok(token) => {
                if let Err(reason) = super::check_token(token.token.secret()) {
                    return Outcome::Failed(format!(
                        "it answered with a token apimguard cannot send: {reason}"
                    ));
                }
                let lifetime = (token.expires_on - OffsetDateTime::now_utc())
                    .whole_seconds()
                    .max(0);
                Outcome::Token(AccessToken::new(
                    token.token.secret(),
                    Some(Duration::from_secs(lifetime.unsigned_abs())),
                ))
            }
            Err(e) => {
                let reason = error_chain(&e);
                // The developer tools are "not configured" when they are not installed.
                if reason.contains("not found on PATH") {
                    Outcome::NotConfigured(format!("{} is not installed", self.label()))
                } else if reason.contains("has not been assigned to this resource")
                    || reason.contains("Identity not found")
                {
                    // IMDS answers on every Azure VM (CI runners too), identity or not.
                    Outcome::NotConfigured("no managed identity is assigned here".to_string())
                } else {
                    Outcome::Failed(reason)
                }
            }
        }
    }
}

/// Builds the links, in chain order (or only the forced one).
pub(super) fn build(options: &ChainOptions, env: &dyn Fn(&str) -> Option<String>) -> Vec<Link> {
    CredentialKind::ALL
        .into_iter()
        .filter(|kind| options.only.is_none_or(|only| only == *kind))
        .map(|kind| {
            let (source, detail) = match kind {
                CredentialKind::AccessToken => access_token(env),
                CredentialKind::ServicePrincipal => service_principal(options, env),
                CredentialKind::WorkloadIdentity => workload_identity(options, env),
                CredentialKind::ManagedIdentity => managed_identity(options, env),
                CredentialKind::AzureCli => sdk(
                    AzureCliCredential::new(None).map(|c| c as Arc<dyn TokenCredential>),
                    "az login",
                ),
                CredentialKind::AzureDeveloperCli => sdk(
                    AzureDeveloperCliCredential::new(None).map(|c| c as Arc<dyn TokenCredential>),
                    "azd auth login",
                ),
            };
            Link {
                kind,
                detail,
                source,
            }
        })
        .collect()
}

/// Client options for the identity library: our HTTP client, our cloud, and a short
/// retry budget (the library's default spends a minute on a dead endpoint).
fn client_options(options: &ChainOptions) -> ClientOptions {
    ClientOptions {
        transport: Some(Transport::new(Arc::new(CappedTransport(
            options.http.clone(),
        )))),
        retry: RetryOptions::exponential(ExponentialRetryOptions {
            max_retries: 2,
            max_total_elapsed: azure_core::time::Duration::seconds(15),
            ..ExponentialRetryOptions::default()
        }),
        cloud: options.cloud.configuration().map(Arc::new),
        ..ClientOptions::default()
    }
}

fn access_token(env: &dyn Fn(&str) -> Option<String>) -> (Source, String) {
    match env("APIMGUARD_ACCESS_TOKEN") {
        Some(token) => {
            // Accept a pasted `Authorization` value too.
            let token = token.trim();
            let token = match token.get(..7) {
                Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => token[7..].trim_start(),
                _ => token,
            };
            match super::check_token(token) {
                Ok(()) => (Source::Static(AccessToken::new(token, None)), String::new()),
                Err(reason) => (Source::Misconfigured(reason), String::new()),
            }
        }
        None => (
            Source::NotConfigured("APIMGUARD_ACCESS_TOKEN is not set".into()),
            String::new(),
        ),
    }
}

fn service_principal(
    options: &ChainOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Source, String) {
    let Some(secret) = env("AZURE_CLIENT_SECRET") else {
        return (
            Source::NotConfigured("AZURE_CLIENT_SECRET is not set".into()),
            String::new(),
        );
    };
    let (Some(tenant), Some(client)) = (env("AZURE_TENANT_ID"), env("AZURE_CLIENT_ID")) else {
        return (
            Source::Misconfigured("AZURE_CLIENT_SECRET is set, but AZURE_TENANT_ID and AZURE_CLIENT_ID must be set too".into()),
            String::new(),
        );
    };
    let detail = format!("client {client}, AZURE_CLIENT_SECRET");
    let credential = ClientSecretCredential::new(
        &tenant,
        client,
        Secret::new(secret),
        Some(ClientSecretCredentialOptions {
            client_options: client_options(options),
        }),
    );
    (
        sdk(credential.map(|c| c as Arc<dyn TokenCredential>), "").0,
        detail,
    )
}

fn workload_identity(
    options: &ChainOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Source, String) {
    let assertion_options = || ClientAssertionCredentialOptions {
        client_options: client_options(options),
    };
    if let Some(file) = env("AZURE_FEDERATED_TOKEN_FILE") {
        let credential = WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
            credential_options: assertion_options(),
            client_id: env("AZURE_CLIENT_ID"),
            tenant_id: env("AZURE_TENANT_ID"),
            token_file_path: Some(file.clone().into()),
        }));
        let detail = format!("AZURE_FEDERATED_TOKEN_FILE={file}");
        return (
            sdk(credential.map(|c| c as Arc<dyn TokenCredential>), "").0,
            detail,
        );
    }
    if let (Some(url), Some(request_token)) = (
        env("ACTIONS_ID_TOKEN_REQUEST_URL"),
        env("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
    ) {
        let (Some(tenant), Some(client)) = (env("AZURE_TENANT_ID"), env("AZURE_CLIENT_ID")) else {
            return (
                Source::NotConfigured(
                    "GitHub Actions OIDC is available, but AZURE_TENANT_ID and AZURE_CLIENT_ID are not set".into(),
                ),
                String::new(),
            );
        };
        let assertion = GitHubOidc::new(options.http.clone(), url, request_token);
        let credential = ClientAssertionCredential::new(
            tenant,
            client.clone(),
            assertion,
            Some(assertion_options()),
        );
        let detail = format!("GitHub Actions OIDC, client {client}");
        return (
            sdk(credential.map(|c| c as Arc<dyn TokenCredential>), "").0,
            detail,
        );
    }
    let pipelines = [
        "SYSTEM_OIDCREQUESTURI",
        "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
        "AZURESUBSCRIPTION_CLIENT_ID",
        "AZURESUBSCRIPTION_TENANT_ID",
        "SYSTEM_ACCESSTOKEN",
    ]
    .map(env);
    if let [Some(_), Some(connection), Some(client), Some(tenant), Some(access)] = pipelines {
        let credential = AzurePipelinesCredential::new(
            tenant,
            client.clone(),
            &connection,
            Secret::new(access),
            Some(AzurePipelinesCredentialOptions {
                credential_options: assertion_options(),
            }),
        );
        let detail = format!("Azure Pipelines service connection {connection}");
        return (
            sdk(credential.map(|c| c as Arc<dyn TokenCredential>), "").0,
            detail,
        );
    }
    (
        Source::NotConfigured(
            "no AZURE_FEDERATED_TOKEN_FILE, GitHub Actions OIDC or Azure Pipelines service connection".into(),
        ),
        String::new(),
    )
}

fn managed_identity(
    options: &ChainOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Source, String) {
    let app_service = env("IDENTITY_ENDPOINT").is_some();
    // Like other Azure SDKs: AZURE_CLIENT_ID picks a user-assigned identity, unless it
    // belongs to a service principal or workload identity configuration.
    let user_assigned = env("AZURE_CLIENT_ID").filter(|_| {
        env("AZURE_CLIENT_SECRET").is_none() && env("AZURE_FEDERATED_TOKEN_FILE").is_none()
    });
    let detail = match (&user_assigned, app_service) {
        (Some(id), _) => format!("user-assigned {id}"),
        (None, true) => "IDENTITY_ENDPOINT".to_string(),
        (None, false) => "instance metadata service".to_string(),
    };
    let source = Source::ManagedIdentity {
        options: Box::new(ManagedIdentityCredentialOptions {
            user_assigned_id: user_assigned.map(UserAssignedId::ClientId),
            client_options: client_options(options),
        }),
        probe: !app_service && options.only != Some(CredentialKind::ManagedIdentity),
    };
    (source, detail)
}

fn sdk(credential: azure_core::Result<Arc<dyn TokenCredential>>, detail: &str) -> (Source, String) {
    match credential {
        Ok(credential) => (Source::Sdk(credential), detail.to_string()),
        Err(e) => (Source::Misconfigured(error_chain(&e)), detail.to_string()),
    }
}

/// Whether IMDS accepts a connection within a short time (it is link-local: on a
/// laptop the connection fails or times out at once).
async fn imds_answers() -> bool {
    matches!(
        tokio::time::timeout(
            Duration::from_millis(400),
            tokio::net::TcpStream::connect(IMDS)
        )
        .await,
        Ok(Ok(_))
    )
}

/// An error and its sources on one line.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    crate::azure::http::with_causes(error.to_string(), error)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
