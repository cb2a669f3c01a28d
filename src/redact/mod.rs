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
//!   certificate passwords and encoded certificates, and certificates' `data` and
//!   `password`, are masked; the developer portal's delegation `validationKey` and
//!   identity providers' `clientSecret` are masked;
//! - one pass over the whole document ([`snapshot`], [`document_json`], [`service_json`])
//!   before a snapshot is written and whenever one is read for checking, so that a kind
//!   of object nobody thought of, a hand-made or older snapshot, or a hostile one cannot
//!   carry a secret into a report. It masks, anywhere in the document:
//!   - string values of keys that name a credential (`password`, `clientSecret`,
//!     `instrumentationKey`, `connectionString`, … see the `names` module) and `value`s of
//!     `{name, value}` pairs whose name does (`tokenBodyParameters`);
//!   - in every string: URL userinfo passwords, credentials in query strings, form
//!     bodies and connection strings, in embedded JSON and XML (see the `text` module), and string
//!     literals of policy expressions that are credentials;
//!   - policy documents with the policy reader's own rules (`policy_xml::redact`), which
//!     also lists their literal credentials (`literalCredentials`).
//!
//!   For each service it also records where a URL of its resources carries a credential
//!   (`credentialsInUrls`) and which named values are called like credentials
//!   (`credentialNamedValues`), from the text as redacted, so that reading a redacted
//!   snapshot again gives the same facts, and a snapshot cannot set them itself.
//!
//! Keys are matched whatever their case: ARM reads property names case-insensitively,
//! so a template (or an API) may well say `Value` or `primarykey`. References to where
//! a secret is kept (`{{named-value}}`, Key Vault ids, IaC values left open) are kept.

mod names;
mod text;
mod walk;

use serde_json::Value;

use names::credential_word;
pub(crate) use names::{is_secret, Context};
pub(crate) use text::{mask_text, redact_literal, value_kind, Found, ValueKind};
pub(crate) use walk::{field_str, redact_field, redact_json};

use crate::snapshot::{CredentialNamedValue, JsonObject, Snapshot};

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
    if let Value::Object(map) = service {
        credential_named_values(map);
    }
}

/// The field of a service that lists its named values called like credentials.
const CREDENTIAL_NAMED_VALUES: &str = "credentialNamedValues";

/// Records (recomputed: a list the service carried is replaced) the service's named
/// values whose name or display name names a credential (`names::credential_word`),
/// with the word that does, so that rules need not guess from parts of names.
fn credential_named_values(service: &mut JsonObject) {
    service.remove(CREDENTIAL_NAMED_VALUES);
    let mut found = Vec::new();
    for item in values(service, "namedValues")
        .filter_map(Value::as_array_mut)
        .flatten()
        .filter_map(Value::as_object_mut)
    {
        let Some(id) = field_str(item, "id").map(str::to_string) else {
            continue;
        };
        let name = field_str(item, "name").map(str::to_string);
        let display = objects(item, "properties")
            .find_map(|p| field_str(p, "displayName").map(str::to_string));
        if let Some(word) = display.iter().chain(&name).find_map(|n| credential_word(n)) {
            found.push(CredentialNamedValue { id, word });
        }
    }
    if !found.is_empty() {
        let list = serde_json::to_value(found).expect("named values serialize");
        service.insert(CREDENTIAL_NAMED_VALUES.into(), list);
    }
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

/// A per-kind rule over a resource's `properties`.
type Redactor = fn(&mut JsonObject);

/// The per-kind rules, applied to a service's own `properties` and to those of its
/// named values, APIM subscriptions and backends.
fn resources(service: &mut JsonObject) {
    let kinds: [(&str, Redactor); 4] = [
        ("namedValues", named_value),
        ("apimSubscriptions", apim_subscription),
        ("backends", backend),
        ("certificates", certificate),
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

/// Logger (`Microsoft.ApiManagement/service/loggers`): every credential value masked
/// (instrumentation key, connection string, event hub name and the like).
pub(crate) fn logger(properties: &mut JsonObject) {
    for credentials in objects(properties, "credentials") {
        for value in credentials.values_mut() {
            *value = Value::String(REDACTED.into());
        }
    }
}

/// Developer portal configuration, setting or identity provider: the delegation
/// validation key and the provider's client secret are masked.
pub(crate) fn portal(properties: &mut JsonObject) {
    mask(properties, "validationKey");
    mask(properties, "clientSecret");
    for delegation in objects(properties, "delegation") {
        mask(delegation, "validationKey");
    }
}

/// Certificate (`Microsoft.ApiManagement/service/certificates`): the encoded certificate
/// and its password are masked (a GET answer has neither; a template may).
pub(crate) fn certificate(properties: &mut JsonObject) {
    mask(properties, "data");
    mask(properties, "password");
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

    fn example(name: &str) -> Value {
        let path = format!(
            "{}/fixtures/arm/examples/Microsoft.ApiManagement__2024-05-01__{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str::<Value>(&text).unwrap()["responses"]["200"]["body"].clone()
    }

    /// The paths where `after` differs from `before`.
    fn changes(before: &Value, after: &Value, path: &str, out: &mut Vec<String>) {
        match (before, after) {
            (Value::Object(a), Value::Object(b)) if a.len() == b.len() => {
                for (k, v) in a {
                    match b.get(k) {
                        Some(w) => changes(v, w, &format!("{path}/{k}"), out),
                        None => out.push(format!("{path}/{k}")),
                    }
                }
            }
            (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
                for (i, (v, w)) in a.iter().zip(b).enumerate() {
                    changes(v, w, &format!("{path}/{i}"), out);
                }
            }
            _ if before != after => out.push(path.to_string()),
            _ => {}
        }
    }

    #[test]
    fn microsofts_examples_change_only_where_a_secret_is() {
        let dir = format!("{}/fixtures/arm/examples", env!("CARGO_MANIFEST_DIR"));
        let mut changed = Vec::new();
        let mut files = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let before: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let mut after = before.clone();
            redact_json(&mut after);
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            changes(&before, &after, &name, &mut changed);
            files += 1;
        }
        assert!(files >= 30, "{files}");
        assert_eq!(
            changed,
            ["Microsoft.ApiManagement__2024-05-01__ApiManagementListBackends/responses/200/body/value/0/properties/proxy/password"]
        );
    }

    #[test]
    fn objects_nobody_reads_yet_lose_their_secrets() {
        // Loggers, identity providers and certificates from Microsoft's examples (their
        // GET answers hold references only), with the secrets a PUT or a template holds.
        let mut loggers = example("ApiManagementListLoggers")["value"].clone();
        loggers[0]["properties"]["credentials"] =
            json!({"instrumentationKey": "11111111-2222-3333-4444-555555555555"});
        loggers[2]["properties"]["credentials"] = json!({"connectionString": "InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/"});
        let mut providers = example("ApiManagementListIdentityProviders")["value"].clone();
        providers[0]["properties"]["clientSecret"] = json!("google-client-secret");
        let mut certificates = example("ApiManagementListCertificates")["value"].clone();
        certificates[0]["properties"]["data"] = json!("MIIPFXBASE64");
        certificates[0]["properties"]["password"] = json!("pfx-password");
        let servers = json!([{"id": "/s/svc/authorizationServers/a", "properties": {
            "clientId": "app", "clientSecret": "as-secret", "resourceOwnerPassword": "ro-password",
            "tokenBodyParameters": [{"name": "client_secret", "value": "tb-secret"}, {"name": "resource", "value": "api://x"}]}}]);
        let mut service = json!({"id": "/s/svc", "name": "svc", "loggers": loggers, "identityProviders": providers,
            "certificates": certificates, "authorizationServers": servers});
        service_json(&mut service);
        let text = service.to_string();
        for secret in [
            "11111111-2222",
            "google-client-secret",
            "MIIPFXBASE64",
            "pfx-password",
            "as-secret",
            "ro-password",
            "tb-secret",
        ] {
            assert!(!text.contains(secret), "{secret}: {text}");
        }
        for kept in [
            "{{Logger-Credentials-5b1a17ef2b3f91153004b10d}}",
            "googleId",
            "CN=mutual-authcert",
            "api://x",
        ] {
            assert!(text.contains(kept), "{kept}: {text}");
        }
    }

    /// The demo snapshot, as `collect` writes it.
    fn demo() -> Value {
        let path = format!("{}/fixtures/demo/snapshot.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn a_redacted_snapshot_is_left_as_it_is() {
        let demo = demo();
        let mut again = demo.clone();
        document_json(&mut again);
        let mut changed = Vec::new();
        changes(&demo, &again, "", &mut changed);
        assert!(changed.is_empty(), "{changed:?}");
    }

    #[test]
    fn a_secret_planted_in_every_object_of_a_snapshot_is_redacted() {
        fn plant(value: &mut Value, count: &mut usize) {
            match value {
                Value::Object(map) => {
                    for v in map.values_mut() {
                        plant(v, count);
                    }
                    *count += 1;
                    map.insert("clientSecret".into(), json!(format!("PLANTED-{count}")));
                    map.insert("apiKeys".into(), json!([format!("PLANTED-{count}")]));
                    map.insert(
                        "note".into(),
                        json!(format!(
                            "https://u:PLANTED-{count}@h/x?api-version=1&sig=PLANTED-{count}"
                        )),
                    );
                    map.insert(
                        "body".into(),
                        json!(format!("{{\"password\": \"PLANTED-{count}\"}}")),
                    );
                }
                Value::Array(items) => items.iter_mut().for_each(|v| plant(v, count)),
                _ => {}
            }
        }
        let mut document = demo();
        let mut planted = 0;
        plant(&mut document, &mut planted);
        document_json(&mut document);
        let text = document.to_string();
        assert!(planted > 500, "{planted}");
        assert!(
            !text.contains("PLANTED"),
            "{}",
            &text[text.find("PLANTED").unwrap_or(0).saturating_sub(300)..][..400.min(text.len())]
        );
        assert!(text.contains("api-version=1&sig=[redacted]"));
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

/// Properties over generated texts and documents (`PROPTEST_CASES` runs more of them).
#[cfg(test)]
mod properties {
    use super::*;
    use crate::policy_xml::redact_expression;
    use proptest::prelude::*;
    use serde_json::json;

    /// Pieces that make credentials, and the characters around them.
    const PIECES: &[&str] = &[
        "=",
        "&",
        "?",
        ";",
        "#",
        "@",
        ":",
        "//",
        "://",
        "\"",
        "'",
        "\\",
        "<",
        ">",
        "</",
        "/",
        "{",
        "}",
        "{{",
        "}}",
        " ",
        "\n",
        "(",
        ")",
        ",",
        "[",
        "]",
        "*",
        "$",
        "@(",
        "@{",
        "<![CDATA[",
        "]]>",
        "https",
        "u",
        "x",
        "abc",
        "é",
        "…",
        "🟦",
        "password",
        "pwd",
        "code",
        "sig",
        "key",
        "api-key",
        "apiKey",
        "client_secret",
        "token",
        "Authorization",
        "secret",
        "JProperty",
        "GetBytes",
        "GetValueOrDefault",
        "Equals",
        "==",
        "new",
        "var",
        "//",
        "/*",
        "*/",
        REDACTED,
        "<unknown: ",
        "true",
    ];

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|p| p.concat())
    }

    fn document() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            text().prop_map(Value::String),
            Just(Value::Null),
            Just(Value::Bool(true)),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            let keys = prop::sample::select(
                &[
                    "name",
                    "value",
                    "password",
                    "url",
                    "policy",
                    "inbound",
                    "attributes",
                    "children",
                    "text",
                    "id",
                    "properties",
                    "apis",
                    "credentials",
                    "secret",
                ][..],
            );
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((keys, inner), 0..6).prop_map(|fields| {
                    Value::Object(
                        fields
                            .into_iter()
                            .map(|(k, v)| (k.to_string(), v))
                            .collect(),
                    )
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn texts_are_redacted_once_for_all(text in text()) {
            let mut found = Vec::new();
            let once = redact_literal(&text, &mut found).unwrap_or_else(|| text.clone());
            let mut again = Vec::new();
            prop_assert_eq!(redact_literal(&once, &mut again), None);
            prop_assert_eq!(again, found);
            prop_assert_eq!(mask_text(&text).len(), text.len());
        }

        #[test]
        fn expressions_are_redacted_once_for_all(text in text()) {
            let expression = format!("@{{{text}}}");
            let mut found = Vec::new();
            let once = redact_expression(&expression, &mut found).unwrap_or(expression);
            let mut again = Vec::new();
            prop_assert_eq!(redact_expression(&once, &mut again), None);
            prop_assert_eq!(again, found);
        }

        #[test]
        fn documents_are_redacted_once_for_all(document in document()) {
            let mut once = json!({"subscriptions": [{"services": [document.clone()]}], "x": document});
            document_json(&mut once);
            let mut again = once.clone();
            document_json(&mut again);
            prop_assert_eq!(again, once);
        }
    }
}
