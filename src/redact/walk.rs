//! The walk over a JSON document that masks what names a credential and redacts the
//! credentials inside strings, recording, within a service, where its resources' URLs
//! carry one.

use std::fmt::{Display, Write};

use serde_json::Value;

use super::names::{is_secret, Context};
use super::text::{redact_literal, value_kind, Found, ValueKind};
use super::REDACTED;
use crate::policy_xml::{redact_document as redact_policy, redact_effective, redact_expression};
use crate::snapshot::{JsonObject, UrlCredential};

/// The field of a service that lists the credentials in its URLs.
const URL_CREDENTIALS: &str = "credentialsInUrls";

/// The field of a service that holds the effective policies of its call paths.
const EFFECTIVE_POLICIES: &str = "effectivePolicies";

/// Redacts every credential in a JSON value (nothing is recorded).
pub(crate) fn redact_json(value: &mut Value) {
    walk(value, None);
}

/// Redacts the value of an object's field `key` (nothing is recorded): masked when
/// `key` names a credential, redacted inside otherwise.
pub(crate) fn redact_field(key: &str, value: &mut Value) {
    field(key, value, None);
}

/// Redacts a service (JSON form) and sets its `credentialsInUrls`.
pub(super) fn service(service: &mut Value) {
    let Value::Object(map) = service else {
        redact_json(service);
        return;
    };
    map.remove(URL_CREDENTIALS);
    let id = resource_id(map.get("id").and_then(Value::as_str).unwrap_or_default());
    let mut recorder = Recorder {
        service: id.clone(),
        resource: id,
        path: String::new(),
        urls: Vec::new(),
    };
    object(map, Some(&mut recorder));
    if !recorder.urls.is_empty() {
        let urls = serde_json::to_value(recorder.urls).expect("URL credentials serialize");
        map.insert(URL_CREDENTIALS.into(), urls);
    }
}

/// A resource's id as the redacted document will hold it (an id is no place for a
/// credential, but a hand-made one may hold one).
fn resource_id(id: &str) -> String {
    let mut id = id.to_string();
    string(&mut id, None);
    id
}

/// Where the walk is in a service: the resource (an ARM id) and the path in it.
struct Recorder {
    /// The service's id.
    service: String,
    /// The resource being walked: the service, or an item of one of its lists.
    resource: String,
    /// The keys (and list positions) from the resource to the value being walked,
    /// each followed by `/`.
    path: String,
    /// What was found so far, without repeats.
    urls: Vec<UrlCredential>,
}

impl Recorder {
    /// Whether the walk is in a list directly under the service (`apis`, `backends`,
    /// or any list a later collector adds), whose items with an id are resources.
    fn in_service_list(&self) -> bool {
        self.resource == self.service && self.path.matches('/').count() == 1
    }

    fn record(&mut self, found: &[Found]) {
        for f in found.iter().filter(|f| f.in_url) {
            let credential = UrlCredential {
                resource: self.resource.clone(),
                path: self.path.trim_end_matches('/').to_string(),
                parameter: f.name.clone(),
            };
            if !self.urls.contains(&credential) {
                self.urls.push(credential);
            }
        }
    }
}

fn walk(value: &mut Value, mut recorder: Option<&mut Recorder>) {
    match value {
        Value::String(s) => string(s, recorder),
        Value::Object(map) => object(map, recorder),
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let resource = recorder
                    .as_deref()
                    .filter(|r| r.in_service_list())
                    .and(item.get("id").and_then(Value::as_str))
                    .map(resource_id);
                match (recorder.as_deref_mut(), resource) {
                    (Some(r), Some(id)) => {
                        let resource = std::mem::replace(&mut r.resource, id);
                        let path = std::mem::take(&mut r.path);
                        walk(item, Some(&mut *r));
                        r.resource = resource;
                        r.path = path;
                    }
                    (r, _) => within(r, i, |r| walk(item, r)),
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Walks `f` with `step` added to the recorder's path.
fn within(
    recorder: Option<&mut Recorder>,
    step: impl Display,
    f: impl FnOnce(Option<&mut Recorder>),
) {
    match recorder {
        Some(r) => {
            let len = r.path.len();
            let _ = write!(r.path, "{step}/");
            f(Some(&mut *r));
            r.path.truncate(len);
        }
        None => f(None),
    }
}

fn object(map: &mut JsonObject, mut recorder: Option<&mut Recorder>) {
    // `{name, value}` pairs (an authorization server's `tokenBodyParameters`).
    let pair = field_str(map, "name").is_some_and(|n| is_secret(n, Context::Key));
    if pair {
        if let Some((_, Value::String(value))) = map.iter_mut().find(|(k, _)| *k == "value") {
            mask(value);
        }
    }
    for (key, value) in map.iter_mut() {
        within(recorder.as_deref_mut(), key, |r| field(key, value, r));
    }
}

/// The string field `key` of an object. Objects of a snapshot are small: looking along
/// them is cheaper than hashing the key.
pub(crate) fn field_str<'m>(map: &'m JsonObject, key: &str) -> Option<&'m str> {
    map.iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.as_str())
}

/// A field of an object: a policy document, a credential, or anything else.
fn field(key: &str, value: &mut Value, recorder: Option<&mut Recorder>) {
    match (key, &mut *value) {
        ("policy", Value::Object(policy)) => {
            redact_policy(policy);
            return;
        }
        (EFFECTIVE_POLICIES, Value::Object(policies)) => {
            for (id, policy) in policies.iter_mut() {
                match policy {
                    Value::Object(policy) => redact_effective(policy),
                    other => redact_field(id, other),
                }
            }
            return;
        }
        _ => {}
    }
    if !is_secret(key, Context::Key) {
        walk(value, recorder);
        return;
    }
    match value {
        Value::String(s) => mask(s),
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::String(s) => mask(s),
                    other => walk(other, None),
                }
            }
        }
        other => walk(other, recorder),
    }
}

/// A string in no credential's place: the credentials inside it are redacted.
fn string(s: &mut String, recorder: Option<&mut Recorder>) {
    let mut found = Vec::new();
    let changed = if is_expression(s) {
        redact_expression(s, &mut found)
    } else {
        redact_literal(s, &mut found)
    };
    if let Some(changed) = changed {
        *s = changed;
    }
    if let Some(r) = recorder {
        r.record(&found);
    }
}

/// A string in a credential's place: masked when it is a literal (not a flag, a
/// reference or a value left open), redacted inside when it is an expression.
fn mask(s: &mut String) {
    if is_expression(s) {
        if let Some(changed) = redact_expression(s, &mut Vec::new()) {
            *s = changed;
        }
        return;
    }
    if value_kind(s) == ValueKind::Literal && s != REDACTED {
        *s = REDACTED.to_string();
    }
}

/// A policy expression (`@(…)` or `@{…}`).
fn is_expression(value: &str) -> bool {
    let v = value.trim_start();
    v.starts_with("@(") || v.starts_with("@{")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_that_name_credentials_are_masked_anywhere() {
        let mut v = json!({
            "properties": {
                "loggerType": "applicationInsights",
                "credentials": {"instrumentationKey": "00000000-aaaa", "connectionString": "InstrumentationKey=x;IngestionEndpoint=https://i/"},
                "clientSecret": "cs", "resourceOwnerPassword": "rp", "clientId": "app",
                "tokenBodyParameters": [{"name": "client_secret", "value": "tb"}, {"name": "scope", "value": "api"}],
                "secret": true, "keyVault": {"secretIdentifier": "https://kv.vault.azure.net/secrets/x"},
                "subscriptionKeyParameterNames": {"header": "Ocp-Apim-Subscription-Key", "query": "subscription-key"},
                "password": "{{pw}}", "apiKeys": ["k1", "k2"], "tokenType": "Bearer"
            }
        });
        redact_json(&mut v);
        let p = &v["properties"];
        assert_eq!(p["credentials"]["instrumentationKey"], REDACTED);
        assert_eq!(p["credentials"]["connectionString"], REDACTED);
        assert_eq!(
            (
                p["clientSecret"].as_str(),
                p["resourceOwnerPassword"].as_str()
            ),
            (Some(REDACTED), Some(REDACTED))
        );
        assert_eq!(
            p["tokenBodyParameters"],
            json!([{"name": "client_secret", "value": REDACTED}, {"name": "scope", "value": "api"}])
        );
        assert_eq!(p["apiKeys"], json!([REDACTED, REDACTED]));
        for (key, kept) in [
            ("clientId", json!("app")),
            ("secret", json!(true)),
            ("password", json!("{{pw}}")),
            ("tokenType", json!("Bearer")),
        ] {
            assert_eq!(p[key], kept, "{key}");
        }
        assert_eq!(
            p["keyVault"]["secretIdentifier"],
            "https://kv.vault.azure.net/secrets/x"
        );
        assert_eq!(
            p["subscriptionKeyParameterNames"]["query"],
            "subscription-key"
        );
    }

    #[test]
    fn urls_of_a_service_s_resources_are_recorded_by_resource_and_path() {
        let mut v = json!({
            "id": "/s/svc", "properties": {"gatewayUrl": "https://svc.azure-api.net"},
            "apis": [{"id": "/s/svc/apis/f", "properties": {"serviceUrl": "https://f.azurewebsites.net/api?code=abc&api-version=1"},
                      "operations": [{"name": "get", "urlTemplate": "/a?sig=x"}]}],
            "backends": [{"id": "/s/svc/backends/b", "properties": {"url": "https://u:pw@b.example/", "proxy": {"url": "http://p:q@proxy:8080"}}}],
            "loggers": [{"id": "/s/svc/loggers/l", "properties": {"credentials": {"sasUrl": "https://st.blob.core.windows.net/c?sv=1&sig=s1"}}}],
            "credentialsInUrls": [{"resource": "forged", "path": "x", "parameter": "y"}]
        });
        service(&mut v);
        assert_eq!(
            v["apis"][0]["properties"]["serviceUrl"],
            "https://f.azurewebsites.net/api?code=[redacted]&api-version=1"
        );
        assert_eq!(
            v["backends"][0]["properties"]["url"],
            "https://u:[redacted]@b.example/"
        );
        let found: Vec<(String, String, String)> = v[URL_CREDENTIALS]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["resource"].as_str().unwrap().into(),
                    c["path"].as_str().unwrap().into(),
                    c["parameter"].as_str().unwrap().into(),
                )
            })
            .collect();
        let expected = [
            ("/s/svc/apis/f", "properties/serviceUrl", "code"),
            ("/s/svc/apis/f", "operations/0/urlTemplate", "sig"),
            ("/s/svc/backends/b", "properties/url", "userinfo"),
            ("/s/svc/backends/b", "properties/proxy/url", "userinfo"),
            ("/s/svc/loggers/l", "properties/credentials/sasUrl", "sig"),
        ];
        assert_eq!(
            found,
            expected.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        );
        let again = v.clone();
        service(&mut v);
        assert_eq!(
            v, again,
            "a redacted service is redacted already, and gives the same facts"
        );
    }
}
