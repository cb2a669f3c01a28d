//! Chain order and failure handling, with a fake environment (no Azure, no network).

use std::collections::HashMap;

use super::*;
use crate::azure::Cloud;

fn chain(vars: &[(&str, &str)], only: Option<CredentialKind>) -> CredentialChain {
    let env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let options = ChainOptions {
        cloud: Cloud::Public,
        scope: Cloud::Public.token_scope().to_string(),
        only,
        http: crate::azure::http::client().expect("client"),
    };
    CredentialChain::with_env(options, &|name| env.get(name).cloned())
}

#[tokio::test]
async fn the_access_token_variable_comes_first() {
    let chain = chain(
        &[
            ("APIMGUARD_ACCESS_TOKEN", " Bearer canary-123 \n"),
            ("AZURE_CLIENT_SECRET", "s"),
        ],
        None,
    );
    let token = chain.token().await.expect("token");
    assert_eq!(token.secret(), "canary-123");
    assert_eq!(chain.describe().as_deref(), Some("APIMGUARD_ACCESS_TOKEN"));
    assert_eq!(format!("{token:?}"), "AccessToken(***)");
}

#[tokio::test]
async fn a_half_configured_service_principal_stops_the_chain_with_its_reason() {
    let chain = chain(
        &[("AZURE_CLIENT_SECRET", "s"), ("AZURE_CLIENT_ID", "c")],
        None,
    );
    let err = chain.token().await.expect_err("fails");
    let text = err.to_string();
    assert!(text.starts_with("service principal failed:"), "{text}");
    assert!(text.contains("AZURE_TENANT_ID"), "{text}");
}

#[tokio::test]
async fn an_invalid_tenant_is_reported_not_skipped() {
    let chain = chain(
        &[
            ("AZURE_CLIENT_SECRET", "s"),
            ("AZURE_CLIENT_ID", "c"),
            ("AZURE_TENANT_ID", "not a tenant!"),
        ],
        None,
    );
    let text = chain.token().await.expect_err("fails").to_string();
    assert!(
        text.contains("service principal failed") && text.contains("invalid tenant"),
        "{text}"
    );
}

#[tokio::test]
async fn a_forced_credential_that_is_not_configured_says_so() {
    let chain = chain(&[], Some(CredentialKind::WorkloadIdentity));
    let text = chain.token().await.expect_err("fails").to_string();
    assert!(
        text.starts_with("workload identity failed: not configured"),
        "{text}"
    );
}

#[tokio::test]
async fn a_missing_federated_token_file_is_a_failure() {
    let chain = chain(
        &[
            ("AZURE_FEDERATED_TOKEN_FILE", "/nonexistent/token"),
            ("AZURE_CLIENT_ID", "c"),
            ("AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47"),
        ],
        None,
    );
    let text = chain.token().await.expect_err("fails").to_string();
    assert!(
        text.contains("workload identity failed") && text.contains("/nonexistent/token"),
        "{text}"
    );
}

#[test]
fn kinds_parse_by_name() {
    assert_eq!(
        "azure-cli".parse::<CredentialKind>(),
        Ok(CredentialKind::AzureCli)
    );
    assert!("magic"
        .parse::<CredentialKind>()
        .unwrap_err()
        .contains("access-token"));
}

#[test]
fn only_bearer_tokens_pass() {
    for good in ["eyJ0eXAi.eyJhdWQi.c2ln", "a-b_c~d+e/f==", "test-token"] {
        assert_eq!(check_token(good), Ok(()), "{good}");
    }
    for bad in [
        "",
        "=",
        "abc\u{1}def",
        "abc\ndef",
        "abc\r\nX-Injected: 1",
        "abc def",
        "abc\u{7f}",
        "tök",
        "a\"b",
        "a,b",
        "a=b",
    ] {
        let reason = check_token(bad).expect_err(bad);
        assert!(
            !reason.contains("abc") && !reason.contains("tök"),
            "{reason}"
        );
    }
    assert!(check_token("abc\u{1}def")
        .unwrap_err()
        .contains("character 4 is a control character"));
}

#[tokio::test]
async fn an_access_token_that_is_not_a_bearer_token_stops_the_chain() {
    let chain = chain(
        &[
            ("APIMGUARD_ACCESS_TOKEN", "canary\u{1}secret"),
            ("AZURE_CLIENT_SECRET", "s"),
        ],
        None,
    );
    let text = chain.token().await.expect_err("refused").to_string();
    assert!(
        text.starts_with("APIMGUARD_ACCESS_TOKEN failed: the token is not a bearer token"),
        "{text}"
    );
    assert!(
        !text.contains("canary") && !text.contains("secret"),
        "{text}"
    );
}
