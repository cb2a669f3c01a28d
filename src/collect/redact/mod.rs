//! Keeping secrets out of snapshots.
//!
//! GET responses should not carry secrets, but some do (backend credentials are
//! returned in clear; old API versions returned subscription keys), and IaC files and
//! policies carry whatever their authors wrote. The snapshot keeps the shape — which
//! header a backend sends, that a proxy has a password, that a URL carries a key — and
//! drops or masks the values, replacing them with [`REDACTED`].
//!
//! Two layers:
//!
//! - per kind of resource, as it is read: named values lose `value` (for secret and
//!   plain values alike); APIM subscriptions lose `primaryKey` and `secondaryKey`;
//!   backends' `credentials.header` and `credentials.query` values,
//!   `credentials.authorization.parameter` and `proxy.password` are masked; services'
//!   certificate passwords and encoded certificates are masked;
//! - one pass over the whole document ([`snapshot`], [`document_json`], [`service_json`])
//!   before a snapshot is written and whenever one is read for checking, so that a kind
//!   of object nobody thought of, a hand-made or older snapshot, or a hostile one cannot
//!   carry a secret into a report. It masks, anywhere in the document:
//!   - string values of keys that name a credential (`password`, `clientSecret`,
//!     `instrumentationKey`, `connectionString`, … see [`names`]) and `value`s of
//!     `{name, value}` pairs whose name does (`tokenBodyParameters`);
//!   - in every string: URL userinfo passwords, credentials in query strings, form
//!     bodies and connection strings, in embedded JSON and XML (see [`text`]), and string
//!     literals of policy expressions that are credentials;
//!   - policy documents with the policy reader's own rules (`policy_xml::redact`), which
//!     also lists their literal credentials (`literalCredentials`).
//!
//!   For each service it also records where a URL of its resources carries a credential
//!   (`credentialsInUrls`), from the text as redacted, so that reading a redacted
//!   snapshot again gives the same facts.
//!
//! Keys are matched whatever their case: ARM reads property names case-insensitively,
//! so a template (or an API) may well say `Value` or `primarykey`. References to where
//! a secret is kept (`{{named-value}}`, Key Vault ids, IaC values left open) are kept.

mod names;
mod text;
mod walk;

use serde_json::Value;

pub(crate) use names::{is_secret, Context};
pub(crate) use text::{redact_literal, value_kind, Found, ValueKind};
pub(crate) use walk::redact_json;

use crate::snapshot::{JsonObject, Snapshot};

/// What a redacted value is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Redacts a whole snapshot (the pass every collected or IaC snapshot takes before it
/// is written or checked), recording each service's `credentialsInUrls` and each
/// policy's `literalCredentials`.
pub fn snapshot(snapshot: &mut Snapshot) {
    let mut json = serde_json::to_value(&*snapshot).expect("a snapshot serializes");
    document_json(&mut json);
    *snapshot = serde_json::from_value(json)
        .expect("redaction only replaces strings and recomputes facts of the snapshot's own types");
}

/// Redacts a snapshot document (or its skeleton) in its JSON form: every field, and
/// every service with [`service_json`].
pub fn document_json(document: &mut Value) {
    let mut services = Vec::new();
    for sub in subscriptions(document) {
        services.push(match sub.get_mut("services") {
            Some(Value::Array(list)) => std::mem::take(list),
            _ => Vec::new(),
        });
    }
    for service in services.iter_mut().flatten() {
        service_json(service);
    }
    redact_json(document);
    for (sub, list) in subscriptions(document).zip(services) {
        if let Some(Value::Array(slot)) = sub.get_mut("services") {
            *slot = list;
        }
    }
}

/// Redacts one service of a snapshot in its JSON form, and records where URLs of its
/// resources carry credentials (`credentialsInUrls`, recomputed).
pub fn service_json(service: &mut Value) {
    if let Value::Object(map) = service {
        resources(map);
    }
    walk::service(service);
}

/// The JSON text of a snapshot document (or its skeleton), redacted.
pub fn document_text(text: &str) -> serde_json::Result<String> {
    let mut document: Value = serde_json::from_str(text)?;
    document_json(&mut document);
    serde_json::to_string(&document)
}

/// One service's JSON text, parsed and redacted (see [`service_json`]).
pub fn service_value(text: &str) -> serde_json::Result<Value> {
    let mut service: Value = serde_json::from_str(text)?;
    service_json(&mut service);
    Ok(service)
}

/// The subscription objects of a snapshot document.
fn subscriptions(document: &mut Value) -> impl Iterator<Item = &mut JsonObject> {
    document
        .get_mut("subscriptions")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

/// The per-kind rules, applied to a service's own `properties` and to those of its
/// named values, APIM subscriptions and backends.
fn resources(service: &mut JsonObject) {
    let kinds: [(&str, fn(&mut JsonObject)); 3] = [
        ("namedValues", named_value),
        ("apimSubscriptions", apim_subscription),
        ("backends", backend),
    ];
    for (list, redact) in kinds {
        for item in values(service, list)
            .filter_map(Value::as_array_mut)
            .flatten()
            .filter_map(Value::as_object_mut)
        {
            for properties in objects(item, "properties") {
                redact(properties);
            }
        }
    }
    for properties in objects(service, "properties") {
        self::service(properties);
    }
}

/// Named value: metadata only, never the value.
pub(crate) fn named_value(properties: &mut JsonObject) {
    remove(properties, "value");
}

/// APIM subscription: never the keys.
pub(crate) fn apim_subscription(properties: &mut JsonObject) {
    remove(properties, "primaryKey");
    remove(properties, "secondaryKey");
}

/// Backend: credential values and the proxy password are masked.
pub(crate) fn backend(properties: &mut JsonObject) {
    for credentials in objects(properties, "credentials") {
        for map in ["header", "query"] {
            for entries in objects(credentials, map) {
                for value in entries.values_mut() {
                    *value = Value::Array(vec![Value::String(REDACTED.into())]);
                }
            }
        }
        for authorization in objects(credentials, "authorization") {
            mask(authorization, "parameter");
        }
    }
    for proxy in objects(properties, "proxy") {
        mask(proxy, "password");
    }
}

/// Service: certificate secrets are masked.
pub(crate) fn service(properties: &mut JsonObject) {
    for list in ["hostnameConfigurations", "certificates"] {
        for items in values(properties, list) {
            for item in items.as_array_mut().into_iter().flatten() {
                if let Some(item) = item.as_object_mut() {
                    mask(item, "certificatePassword");
                    mask(item, "encodedCertificate");
                }
            }
        }
    }
}

/// The values of `object` under `key`, whatever the case of the key.
fn values<'o>(object: &'o mut JsonObject, key: &'o str) -> impl Iterator<Item = &'o mut Value> {
    object
        .iter_mut()
        .filter(move |(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The objects of `object` under `key`, whatever the case of the key.
fn objects<'o>(
    object: &'o mut JsonObject,
    key: &'o str,
) -> impl Iterator<Item = &'o mut JsonObject> {
    values(object, key).filter_map(Value::as_object_mut)
}

/// Removes `key` from `object`, whatever its case.
fn remove(object: &mut JsonObject, key: &str) {
    object.retain(|k, _| !k.eq_ignore_ascii_case(key));
}

/// Masks the non-null values of `object` under `key`, whatever the case of the key.
fn mask(object: &mut JsonObject, key: &str) {
    for value in values(object, key).filter(|v| !v.is_null()) {
        *value = Value::String(REDACTED.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> JsonObject {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn backend_credentials_are_masked_but_keep_their_shape() {
        // From ApiManagementListBackends.json.
        let mut p = object(json!({
            "url": "https://backendname2644/",
            "credentials": {"query": {"sv": ["xx", "bb"]}, "header": {"x-my-1": ["val1"]},
                            "authorization": {"scheme": "Basic", "parameter": "opensesma"}},
            "proxy": {"url": "http://192.168.1.1:8080", "username": "Contoso\\admin", "password": "<password>"},
            "tls": {"validateCertificateChain": false}
        }));
        backend(&mut p);
        let text = serde_json::to_string(&p).unwrap();
        for secret in ["opensesma", "<password>", "val1", "\"xx\""] {
            assert!(!text.contains(secret), "{secret}: {text}");
        }
        assert_eq!(p["credentials"]["authorization"]["scheme"], "Basic");
        assert_eq!(p["credentials"]["header"]["x-my-1"], json!([REDACTED]));
        assert_eq!(p["proxy"]["username"], "Contoso\\admin");
        assert_eq!(p["tls"]["validateCertificateChain"], false);
    }

    #[test]
    fn named_values_and_subscriptions_lose_their_secrets() {
        let mut nv = object(json!({"displayName": "x", "value": "propValue", "secret": false}));
        named_value(&mut nv);
        assert_eq!(nv, object(json!({"displayName": "x", "secret": false})));
        let mut sub = object(
            json!({"scope": "/apis", "primaryKey": "k1", "secondaryKey": "k2", "state": "active"}),
        );
        apim_subscription(&mut sub);
        assert_eq!(sub, object(json!({"scope": "/apis", "state": "active"})));
    }

    #[test]
    fn service_certificate_secrets_are_masked() {
        let mut p = object(
            json!({"hostnameConfigurations": [{"hostName": "a", "certificatePassword": "pw", "encodedCertificate": null}]}),
        );
        service(&mut p);
        assert_eq!(
            p["hostnameConfigurations"][0]["certificatePassword"],
            REDACTED
        );
        assert!(p["hostnameConfigurations"][0]["encodedCertificate"].is_null());
    }

    #[test]
    fn secrets_are_found_whatever_the_case_of_their_keys() {
        // ARM reads property names case-insensitively: a template may say `Value`.
        let mut nv = object(json!({"displayName": "x", "Value": "s3cret", "VALUE": "s3cret"}));
        named_value(&mut nv);
        assert_eq!(nv, object(json!({"displayName": "x"})));
        let mut sub = object(json!({"PrimaryKey": "k1", "secondarykey": "k2"}));
        apim_subscription(&mut sub);
        assert!(sub.is_empty(), "{sub:?}");
        let mut p = object(json!({
            "Credentials": {"Header": {"x-key": ["val1"]}, "Authorization": {"Parameter": "opensesame"}},
            "Proxy": {"Password": "pw"}
        }));
        backend(&mut p);
        let text = serde_json::to_string(&p).unwrap();
        for secret in ["val1", "opensesame", "\"pw\""] {
            assert!(!text.contains(secret), "{secret}: {text}");
        }
        let mut s = object(json!({"Certificates": [{"CertificatePassword": "pw"}]}));
        service(&mut s);
        assert_eq!(s["Certificates"][0]["CertificatePassword"], REDACTED);
    }
}
