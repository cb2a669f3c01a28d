//! Who makes the changes, as the journal records it: the credential used and the
//! identity claims of its token (decoded here, never verified and never stored), plus
//! the local user. The token itself is never kept.

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The identity behind a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Who {
    /// The credential of the chain that gave the token, e.g. `Azure CLI (az login)`.
    pub credential: String,
    /// The Entra object id (`oid` claim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    /// The user or service principal name (`upn`, `unique_name` or `preferred_username`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_name: Option<String>,
    /// The application (client) id (`appid` or `azp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The Entra tenant (`tid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The operating-system user running apimguard (`USER` or `USERNAME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_user: Option<String>,
}

impl Who {
    /// Who `token` (from `credential`) belongs to. A token that is not a JWT gives the
    /// credential and the local user only.
    pub fn of(credential: String, token: &str) -> Who {
        let claims = claims(token).unwrap_or(Value::Null);
        let claim = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| claims.get(n).and_then(Value::as_str))
                .map(str::to_string)
        };
        Who {
            credential,
            object_id: claim(&["oid"]),
            principal_name: claim(&["upn", "unique_name", "preferred_username"]),
            app_id: claim(&["appid", "azp"]),
            tenant_id: claim(&["tid"]),
            os_user: ["USER", "USERNAME"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty())),
        }
    }
}

/// The payload of a JWT (`header.payload.signature`, base64url), unverified.
fn claims(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.c2lnbmF0dXJl",
            b64(r#"{"alg":"RS256"}"#),
            b64(payload)
        )
    }

    #[test]
    fn claims_of_a_user_token_and_nothing_of_the_token() {
        let token = jwt(
            r#"{"oid":"5a2b","upn":"ops@contoso.com","appid":"04b07795","tid":"72f9","secret-ish":"x"}"#,
        );
        let who = Who::of("Azure CLI (az login)".into(), &token);
        assert_eq!(who.object_id.as_deref(), Some("5a2b"));
        assert_eq!(who.principal_name.as_deref(), Some("ops@contoso.com"));
        assert_eq!(who.app_id.as_deref(), Some("04b07795"));
        assert_eq!(who.tenant_id.as_deref(), Some("72f9"));
        let recorded = serde_json::to_string(&who).unwrap();
        for part in token.split('.') {
            assert!(!recorded.contains(part), "{recorded}");
        }
    }

    #[test]
    fn an_opaque_token_gives_the_credential_only() {
        let who = Who::of("APIMGUARD_ACCESS_TOKEN".into(), "not-a-jwt");
        assert_eq!(who.credential, "APIMGUARD_ACCESS_TOKEN");
        assert_eq!((who.object_id, who.principal_name), (None, None));
    }
}
