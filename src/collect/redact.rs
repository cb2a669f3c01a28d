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
//!
//! Keys are matched whatever their case: ARM reads property names case-insensitively,
//! so a template (or an API) may well say `Value` or `primarykey`.

use serde_json::Value;

use super::policy_xml::REDACTED;
use crate::snapshot::JsonObject;

/// Named value: metadata only, never the value.
pub(super) fn named_value(properties: &mut JsonObject) {
    remove(properties, "value");
}

/// APIM subscription: never the keys.
pub(super) fn apim_subscription(properties: &mut JsonObject) {
    remove(properties, "primaryKey");
    remove(properties, "secondaryKey");
}

/// Backend: credential values and the proxy password are masked.
pub(super) fn backend(properties: &mut JsonObject) {
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
pub(super) fn service(properties: &mut JsonObject) {
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
