//! Removing secret literals from policy documents, and recording where they were.
//!
//! Policies sometimes carry credentials inline. The snapshot keeps every element and
//! attribute so rules can see *that* a credential is set, but literal secret values
//! are replaced by [`REDACTED`], and each one is listed in the document's
//! `literalCredentials` (statement, name, whether in an expression) for rules to report:
//!
//! - any attribute named like a credential (`password`, `client-secret`, `api-key`, … see
//!   the name rules of [`crate::redact`]), and `authentication-certificate` `body`;
//! - the `<value>` texts of an element whose `name` attribute names a credential as a
//!   header or query parameter (`set-header`, `check-header`, `set-query-parameter`:
//!   `Authorization`, `x-api-key`, `code`, `sig`, …);
//! - the `value` attribute of an element whose `name` names a credential
//!   (`set-variable name="pwd"`, `name="apiKey"`);
//! - symmetric keys in `validate-jwt`/`validate-azure-ad-token` (`issuer-signing-keys`,
//!   `decryption-keys`);
//! - the text of an element named like a credential (`<wsse:Password>` in a SOAP body);
//! - in any other literal attribute value or text: URL userinfo passwords, credentials in
//!   query strings, form bodies and connection strings, and in embedded JSON or XML;
//! - in policy expressions, the string literals that are credentials (see
//!   [`super::literals`]); an expression that is one literal (`@("Basic …")`) in a
//!   credential's place counts as a literal.
//!
//! `{{named-value}}` references (and values built from them) are kept: they name where
//! a secret comes from, not the secret itself. The functions work on the JSON form of
//! a document, so that the same rules apply to what the policy reader produces and to a
//! policy read back from a snapshot file.

use serde_json::Value;

use super::literals::{redact_expression, single_literal};
use crate::redact::{
    field_str, is_secret, redact_field, redact_json, redact_literal, value_kind, Context, Found,
    ValueKind, REDACTED,
};
use crate::snapshot::{JsonObject, LiteralCredential, Policy, PolicyElement};

/// The sections of a policy document, as the snapshot names them.
const SECTIONS: [&str; 4] = ["inbound", "backend", "outbound", "onError"];

/// The field of a document that lists its literal credentials.
const CREDENTIALS: &str = "literalCredentials";

/// Children that belong to a statement: their credentials are reported under it.
const PARTS: [&str; 4] = ["value", "key", "issuer-signing-keys", "decryption-keys"];

/// Redacts a policy document (its JSON form) and lists its literal credentials in
/// `literalCredentials` (recomputed: a list the document carried is replaced).
pub(crate) fn redact_document(policy: &mut JsonObject) {
    let mut found = Credentials::default();
    policy.remove(CREDENTIALS);
    for (key, value) in policy.iter_mut() {
        match value {
            Value::Array(elements) if SECTIONS.contains(&key.as_str()) => {
                for e in elements {
                    element(e, None, None, &mut found);
                }
            }
            other => redact_field(key, other),
        }
    }
    if !found.0.is_empty() {
        let list = serde_json::to_value(found.0).expect("credentials serialize");
        policy.insert(CREDENTIALS.into(), list);
    }
}

/// Redacts a parsed policy document and fills its `literal_credentials`.
pub(super) fn redact_policy(policy: &mut Policy) {
    let Ok(Value::Object(mut json)) = serde_json::to_value(&*policy) else {
        unreachable!("a policy serializes to an object");
    };
    redact_document(&mut json);
    *policy = serde_json::from_value(Value::Object(json))
        .expect("redaction only replaces strings, so the policy keeps its shape");
}

/// Redacts the elements of a policy fragment.
pub(super) fn redact_elements(elements: Vec<PolicyElement>) -> Vec<PolicyElement> {
    let mut policy = Policy {
        inbound: Some(elements),
        ..Policy::default()
    };
    redact_policy(&mut policy);
    policy.inbound.unwrap_or_default()
}

/// The credentials of a document, in order, without repeats.
#[derive(Default)]
struct Credentials(Vec<LiteralCredential>);

impl Credentials {
    fn add(&mut self, element: &str, name: &str, expression: bool) {
        let credential = LiteralCredential {
            element: element.to_string(),
            name: name.to_string(),
            expression,
        };
        if !self.0.contains(&credential) {
            self.0.push(credential);
        }
    }

    fn add_found(&mut self, element: &str, found: Vec<Found>, expression: bool) {
        for f in found {
            self.add(element, &f.name, expression);
        }
    }
}

/// Redacts one element and its subtree. `statement`: the statement a part (`<value>`,
/// `<key>`) belongs to; `credential`: the name its text is the value of, when its
/// parent says so (a `<value>` of `set-header name="Authorization"`).
fn element(
    value: &mut Value,
    statement: Option<&str>,
    credential: Option<&str>,
    found: &mut Credentials,
) {
    let Value::Object(e) = value else {
        redact_json(value);
        return;
    };
    let (name, named) = names(e);
    let here = statement_of(&name, statement);
    for (key, v) in e.iter_mut() {
        match key.as_str() {
            "attributes" => match v {
                Value::Object(attributes) => {
                    for (attribute, v) in attributes.iter_mut() {
                        let secret = if is_secret(attribute, Context::Key)
                            || (attribute == "body" && name == "authentication-certificate")
                        {
                            Some(attribute.as_str())
                        } else if attribute == "value" {
                            named.as_deref().filter(|n| is_secret(n, Context::Key))
                        } else {
                            None
                        };
                        match secret {
                            Some(c) => mask(v, &here, c, found),
                            None => redact_value(v, &here, found),
                        }
                    }
                }
                other => redact_json(other),
            },
            "text" => {
                let local = name.rsplit(':').next().unwrap_or_default();
                let secret = credential.or_else(|| {
                    (!PARTS.contains(&local) && is_secret(local, Context::Key)).then_some(local)
                });
                match secret {
                    Some(c) => mask(v, &here, c, found),
                    None => redact_value(v, &here, found),
                }
            }
            "children" => match v {
                Value::Array(children) => {
                    for child in children {
                        let part = child
                            .as_object()
                            .and_then(|c| field_str(c, "name"))
                            .unwrap_or_default();
                        let secret = part_credential(&name, named.as_deref(), part);
                        element(child, Some(&here), secret, found);
                    }
                }
                other => redact_json(other),
            },
            _ => redact_field(key, v),
        }
    }
}

/// An element's name and its `name` attribute (a header's, a variable's).
fn names(element: &JsonObject) -> (String, Option<String>) {
    let name = field_str(element, "name").unwrap_or_default().to_string();
    let named = element
        .iter()
        .find(|(k, _)| *k == "attributes")
        .and_then(|(_, a)| a.as_object())
        .and_then(|a| field_str(a, "name"))
        .map(str::to_string);
    (name, named)
}

/// The statement an element named `name` is reported under: the statement of its holder
/// when it is a part of it (`<value>`, `<key>`), else itself.
fn statement_of(name: &str, statement: Option<&str>) -> String {
    match statement {
        Some(s) if PARTS.contains(&name) => s.to_string(),
        _ => name.to_string(),
    }
}

/// The credential whose value the text of a part (`<value>`, `<key>`) is, from its
/// holder: the header or parameter its holder names (`set-header name="Authorization"`),
/// or the symmetric keys of a `validate-jwt`.
fn part_credential<'h>(holder: &'h str, named: Option<&'h str>, part: &str) -> Option<&'h str> {
    match part {
        "value" => named.filter(|n| is_secret(n, Context::Parameter)),
        "key" if holder == "issuer-signing-keys" || holder == "decryption-keys" => Some(holder),
        _ => None,
    }
}

/// Redacts an effective policy (its JSON form, `service.effectivePolicies`) with the
/// rules of [`redact_document`], and lists its literal credentials in
/// `literalCredentials` (recomputed: a list the policy carried is replaced).
///
/// Its sections are flat: each nested element follows the element that holds it, one
/// `depth` deeper. The holder of an element is the nearest one before it with a smaller
/// depth (whatever the depths a hand-made snapshot gives), so a `<value>` is judged by
/// the `set-header` that holds it, as in a document; nothing recurses on the depths.
pub(crate) fn redact_effective(policy: &mut JsonObject) {
    let mut found = Credentials::default();
    policy.remove(CREDENTIALS);
    for (key, value) in policy.iter_mut() {
        match value {
            Value::Array(elements) if SECTIONS.contains(&key.as_str()) => {
                flat_section(elements, &mut found)
            }
            other => redact_field(key, other),
        }
    }
    if !found.0.is_empty() {
        let list = serde_json::to_value(found.0).expect("credentials serialize");
        policy.insert(CREDENTIALS.into(), list);
    }
}

/// An element of a flat section that holds the ones after it with greater depths.
struct Holder {
    depth: u64,
    /// The statement its parts are reported under.
    statement: String,
    name: String,
    named: Option<String>,
}

/// Redacts the elements of one flat section of an effective policy.
fn flat_section(elements: &mut [Value], found: &mut Credentials) {
    let mut holders: Vec<Holder> = Vec::new();
    for value in elements {
        let depth = value.get("depth").and_then(Value::as_u64).unwrap_or(0);
        while holders.last().is_some_and(|h| h.depth >= depth) {
            holders.pop();
        }
        let (name, named) = value.as_object().map(names).unwrap_or_default();
        let holder = holders.last();
        let statement = holder.map(|h| h.statement.clone());
        let credential = holder
            .and_then(|h| part_credential(&h.name, h.named.as_deref(), &name))
            .map(str::to_string);
        element(value, statement.as_deref(), credential.as_deref(), found);
        holders.push(Holder {
            depth,
            statement: statement_of(&name, statement.as_deref()),
            name,
            named,
        });
    }
}

/// Redacts a value that is a credential named `credential` (when it is a literal, or an
/// expression that is one literal); any other expression is redacted as any other.
fn mask(value: &mut Value, element: &str, credential: &str, found: &mut Credentials) {
    let s = match value {
        Value::String(s) => s,
        Value::Array(items) => {
            for item in items {
                mask(item, element, credential, found);
            }
            return;
        }
        other => {
            redact_json(other);
            return;
        }
    };
    if is_expression(s) {
        match single_literal(s) {
            Some(literal) if value_kind(&s[literal.clone()]) == ValueKind::Literal => {
                found.add(element, credential, true);
                if &s[literal.clone()] != REDACTED {
                    s.replace_range(literal, REDACTED);
                }
            }
            _ => redact_value(value, element, found),
        }
        return;
    }
    if matches!(value_kind(s), ValueKind::Literal | ValueKind::Open) {
        found.add(element, credential, false);
        if value_kind(s) == ValueKind::Literal && s != REDACTED {
            *s = REDACTED.to_string();
        }
    }
}

/// Redacts the credentials inside a value that is not one itself: an expression's
/// literals, or a literal's URLs, pairs and embedded documents.
fn redact_value(value: &mut Value, element: &str, found: &mut Credentials) {
    let Value::String(s) = value else {
        redact_json(value);
        return;
    };
    let mut inside = Vec::new();
    let expression = is_expression(s);
    let changed = if expression {
        redact_expression(s, &mut inside)
    } else {
        redact_literal(s, &mut inside)
    };
    found.add_found(element, inside, expression);
    if let Some(changed) = changed {
        *s = changed;
    }
}

/// A policy expression (`@(…)` or `@{…}`), as opposed to a literal.
fn is_expression(value: &str) -> bool {
    let v = value.trim_start();
    v.starts_with("@(") || v.starts_with("@{")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document(inbound: Value) -> (Value, Value) {
        let mut policy = json!({"inbound": inbound, "backend": null, "outbound": null, "onError": null, "fragments": []});
        redact_document(policy.as_object_mut().unwrap());
        let credentials = policy.get(CREDENTIALS).cloned().unwrap_or(json!([]));
        (policy["inbound"].clone(), credentials)
    }

    fn header(name: &str, value: &str) -> Value {
        json!({"name": "set-header", "attributes": {"name": name, "exists-action": "override"},
               "children": [{"name": "value", "attributes": {}, "children": [], "text": value}]})
    }

    #[test]
    fn header_values_by_name_references_kept() {
        let (inbound, credentials) = document(json!([
            header("Authorization", "Basic c2VjcmV0"),
            header("X-API-KEY", "@(\"k3y\")"),
            header("Authorization", "Bearer {{backend-token}}"),
            header("x-correlation", "abc"),
            header("Idempotency-Key", "abc"),
        ]));
        assert_eq!(inbound[0]["children"][0]["text"], REDACTED);
        assert_eq!(inbound[1]["children"][0]["text"], "@(\"[redacted]\")");
        assert_eq!(
            inbound[2]["children"][0]["text"],
            "Bearer {{backend-token}}"
        );
        assert_eq!(inbound[3]["children"][0]["text"], "abc");
        assert_eq!(inbound[4]["children"][0]["text"], "abc");
        assert_eq!(
            credentials,
            json!([
                {"element": "set-header", "name": "Authorization", "expression": false},
                {"element": "set-header", "name": "X-API-KEY", "expression": true},
            ])
        );
    }

    #[test]
    fn variables_bodies_and_expressions() {
        let (inbound, credentials) = document(json!([
            {"name": "set-variable", "attributes": {"name": "pwd", "value": "hunter2"}},
            {"name": "set-variable", "attributes": {"name": "bypass", "value": "true"}},
            {"name": "set-variable", "attributes": {"name": "password-policy", "value": "strict"}},
            {"name": "send-request", "attributes": {"mode": "new"}, "children": [
                {"name": "set-body", "attributes": {}, "children": [], "text": "{\"client_id\": \"app\", \"client_secret\": \"s3cr3t\"}"},
                {"name": "set-body", "attributes": {}, "children": [],
                 "text": "@{ return new JObject(new JProperty(\"client_secret\", \"abc123\")).ToString(); }"},
            ]},
        ]));
        assert_eq!(inbound[0]["attributes"]["value"], REDACTED);
        assert_eq!(inbound[1]["attributes"]["value"], "true");
        assert_eq!(inbound[2]["attributes"]["value"], "strict");
        let text = inbound.to_string();
        assert!(
            !text.contains("s3cr3t") && !text.contains("abc123"),
            "{text}"
        );
        assert_eq!(
            credentials,
            json!([
                {"element": "set-variable", "name": "pwd", "expression": false},
                {"element": "set-body", "name": "client_secret", "expression": false},
                {"element": "set-body", "name": "client_secret", "expression": true},
            ])
        );
    }

    #[test]
    fn redacting_twice_gives_the_same_document_and_credentials() {
        let input = json!([
            {"name": "authentication-basic", "attributes": {"username": "u", "password": "p"}},
            {"name": "validate-jwt", "attributes": {}, "children": [{"name": "issuer-signing-keys", "attributes": {}, "children": [
                {"name": "key", "attributes": {}, "children": [], "text": "c3ltbWV0cmlj"}]}]},
            {"name": "rewrite-uri", "attributes": {"template": "/run?api-version=1&sig=abc"}},
        ]);
        let once = document(input);
        let twice = document(once.0.clone());
        assert_eq!(once, twice);
        assert_eq!(
            once.1,
            json!([
                {"element": "authentication-basic", "name": "password", "expression": false},
                {"element": "validate-jwt", "name": "issuer-signing-keys", "expression": false},
                {"element": "rewrite-uri", "name": "sig", "expression": false},
            ])
        );
    }

    #[test]
    fn a_list_the_document_carried_is_recomputed() {
        let mut policy = json!({"inbound": [], CREDENTIALS: [{"element": "x", "name": "y", "expression": false}]});
        redact_document(policy.as_object_mut().unwrap());
        assert!(policy.get(CREDENTIALS).is_none());
    }

    #[test]
    fn hostile_shapes_are_redacted_too() {
        let (inbound, _) = document(json!([
            "password=abc",
            {"name": 7, "attributes": ["client_secret=abc"], "children": {"x": "pwd=abc"}, "extra": {"password": "abc"}},
        ]));
        assert!(!inbound.to_string().contains("abc"), "{inbound}");
    }
}
