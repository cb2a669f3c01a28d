//! GitHub Actions OIDC as a client assertion: the job's ID token is exchanged for an
//! Entra token through a federated identity credential, without `azure/login`.
//!
//! A fresh ID token is fetched for every exchange, so long runs outlive the ID
//! token's ten-minute lifetime (which an `az` session started by `azure/login` cannot).

use std::fmt;

use azure_core::error::ErrorKind;
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use serde_json::Value;

use super::capped::read_capped;

/// The audience Entra expects in federated tokens (`azure/login`'s default).
const AUDIENCE: &str = "api://AzureADTokenExchange";

/// Fetches the job's OIDC token from `ACTIONS_ID_TOKEN_REQUEST_URL`.
pub(super) struct GitHubOidc {
    http: reqwest::Client,
    request_url: String,
    request_token: String,
}

impl GitHubOidc {
    /// `request_url` and `request_token` are the runner's `ACTIONS_ID_TOKEN_REQUEST_*` values.
    pub fn new(http: reqwest::Client, request_url: String, request_token: String) -> Self {
        Self {
            http,
            request_url,
            request_token,
        }
    }

    async fn fetch(&self) -> Result<String, String> {
        let mut url = reqwest::Url::parse(&self.request_url)
            .map_err(|e| format!("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL: {e}"))?;
        url.query_pairs_mut().append_pair("audience", AUDIENCE);
        let response = self
            .http
            .get(url)
            .bearer_auth(&self.request_token)
            .send()
            .await
            .map_err(|e| format!("cannot reach the GitHub OIDC endpoint: {e}"))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(format!(
                "the GitHub OIDC endpoint answered {status}, a redirect; redirects are never followed, so no ID token was read"
            ));
        }
        if !status.is_success() {
            return Err(format!(
                "the GitHub OIDC endpoint answered {status}; does the job have `permissions: id-token: write`?"
            ));
        }
        let body = read_capped(response, "the GitHub OIDC endpoint").await?;
        let body: Value = serde_json::from_slice(&body)
            .map_err(|e| format!("the GitHub OIDC endpoint sent an unreadable answer: {e}"))?;
        body.get("value")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| "the GitHub OIDC endpoint's answer has no `value`".to_string())
    }
}

impl fmt::Debug for GitHubOidc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitHubOidc")
            .field("request_url", &self.request_url)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl ClientAssertion for GitHubOidc {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        self.fetch()
            .await
            .map_err(|message| azure_core::Error::with_message(ErrorKind::Credential, message))
    }
}
