//! Removing secrets from ARM resources before they enter the snapshot.
//!
//! GET responses should not carry secrets, but some do (backend credentials are
//! returned in clear; old API versions returned subscription keys). The snapshot keeps
//! the shape — which header a backend sends, that a proxy has a password — and drops
//! or masks the values:
//!
//! - named values: `value` is removed (metadata only, for secret and plain values alike);
//! - APIM subscriptions: `primaryKey` and `secondaryKey` are removed;
//! - backends: `credentials.header` and `credentials.query` values,
//!   `credentials.authorization.parameter` and `proxy.password` are masked;
//! - services: certificate passwords and encoded certificates are masked.

use serde_json::Value;

use super::policy_xml::REDACTED;
use crate::snapshot::JsonObject;

/// Named value: metadata only, never the value.
pub(super) fn named_value(properties: &mut JsonObject) {
    properties.remove("value");
}

/// APIM subscription: never the keys.
pub(super) fn apim_subscription(properties: &mut JsonObject) {
    properties.remove("primaryKey");
    properties.remove("secondaryKey");
}

/// Backend: credential values and the proxy password are masked.
pub(super) fn backend(properties: &mut JsonObject) {
    if let Some(Value::Object(credentials)) = properties.get_mut("credentials") {
        for map in ["header", "query"] {
            if let Some(Value::Object(entries)) = credentials.get_mut(map) {
                for value in entries.values_mut() {
                    *value = Value::Array(vec![Value::String(REDACTED.into())]);
                }
            }
        }
        if let Some(Value::Object(authorization)) = credentials.get_mut("authorization") {
            mask(authorization, "parameter");
        }
    }
    if let Some(Value::Object(proxy)) = properties.get_mut("proxy") {
        mask(proxy, "password");
    }
}

/// Service: certificate secrets are masked.
pub(super) fn service(properties: &mut JsonObject) {
    for list in ["hostnameConfigurations", "certificates"] {
        if let Some(Value::Array(items)) = properties.get_mut(list) {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                mask(item, "certificatePassword");
                mask(item, "encodedCertificate");
            }
        }
    }
}

fn mask(object: &mut JsonObject, key: &str) {
    if let Some(value) = object.get_mut(key) {
        if !value.is_null() {
            *value = Value::String(REDACTED.into());
        }
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
}
