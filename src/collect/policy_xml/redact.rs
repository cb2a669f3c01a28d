//! Removing secret literals from parsed policy elements.
//!
//! Policies sometimes carry credentials inline. The snapshot keeps every element and
//! attribute so rules can see *that* a credential is set, but literal secret values
//! are replaced by [`REDACTED`]:
//!
//! - `authentication-basic` `password`; `authentication-certificate` `password` and `body`;
//! - any attribute named like a secret (`password`, `secret`, `client-secret`, `api-key`, …);
//! - the `<value>` texts of `set-header`, `check-header` and `set-query-parameter` when the
//!   header or parameter name looks sensitive (`Authorization`, `*key*`, `*token*`, `sig`, …);
//! - `set-variable` `value` when the variable name looks sensitive;
//! - symmetric keys in `validate-jwt`/`validate-azure-ad-token` (`issuer-signing-keys`,
//!   `decryption-keys`);
//! - in any literal attribute value or text, the values of `name=value` pairs with such
//!   names that start the value or follow `?`, `&` or `;`: query strings of URLs
//!   (`rewrite-uri template="…&sig=…"`, `set-backend-service base-url`, `set-url`),
//!   form bodies (`client_secret=…`) and connection strings (`SharedAccessKey=…`).
//!
//! Policy expressions and whole `{{named-value}}` references are kept: they name where a
//! secret comes from, not the secret itself.

use serde_json::Value;

use crate::snapshot::PolicyElement;

/// What a redacted literal is replaced with.
pub const REDACTED: &str = "[redacted]";

const SECRET_ATTRIBUTES: &[&str] = &[
    "password",
    "secret",
    "client-secret",
    "clientsecret",
    "api-key",
    "apikey",
    "subscription-key",
    "access-key",
    "shared-access-key",
    "sas-token",
];

/// Redacts secret literals in `elements` and their subtrees.
pub(super) fn redact(elements: &mut [PolicyElement]) {
    for element in elements {
        redact_element(element);
    }
}

fn redact_element(element: &mut PolicyElement) {
    for (key, value) in element.attributes.iter_mut() {
        if SECRET_ATTRIBUTES.contains(&key.to_ascii_lowercase().as_str()) {
            redact_value(value);
        } else if let Value::String(s) = value {
            redact_pairs(s);
        }
    }
    if let Some(text) = &mut element.text {
        redact_pairs(text);
    }
    match element.name.as_str() {
        "authentication-certificate" => {
            if let Some(body) = element.attributes.get_mut("body") {
                redact_value(body);
            }
        }
        "set-header" | "check-header" | "set-query-parameter" => {
            let query = element.name == "set-query-parameter";
            if attribute(element, "name").is_some_and(|n| sensitive_name(n, query)) {
                for child in element.children.iter_mut().filter(|c| c.name == "value") {
                    redact_text(child);
                }
            }
        }
        "set-variable" if attribute(element, "name").is_some_and(|n| sensitive_name(n, false)) => {
            if let Some(value) = element.attributes.get_mut("value") {
                redact_value(value);
            }
        }
        "issuer-signing-keys" | "decryption-keys" => {
            for key in element.children.iter_mut().filter(|c| c.name == "key") {
                redact_text(key);
            }
        }
        _ => {}
    }
    redact(&mut element.children);
}

fn attribute<'a>(element: &'a PolicyElement, name: &str) -> Option<&'a str> {
    element.attributes.get(name).and_then(Value::as_str)
}

/// Header, query parameter or variable names whose values are credentials.
fn sensitive_name(name: &str, query: bool) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "authorization",
        "key",
        "secret",
        "token",
        "password",
        "cookie",
        "signature",
        "credential",
    ]
    .iter()
    .any(|word| name.contains(word))
        || (query && matches!(name.as_str(), "sig" | "code"))
}

fn redact_value(value: &mut Value) {
    if let Value::String(s) = value {
        if is_literal(s) {
            *s = REDACTED.to_string();
        }
    }
}

fn redact_text(element: &mut PolicyElement) {
    if let Some(text) = &element.text {
        if is_literal(text) {
            element.text = Some(REDACTED.to_string());
        }
    }
}

/// Redacts, in a literal, the values of `name=value` pairs whose name looks sensitive
/// (as a query parameter name) and that start the literal or follow `?`, `&` or `;`.
/// Names with spaces are prose, not parameters; values that are URLs, whole
/// `{{named-value}}` references or `{template}` parameters stay.
fn redact_pairs(literal: &mut String) {
    if !is_literal(literal) || !literal.contains('=') {
        return;
    }
    let mut out = String::with_capacity(literal.len());
    let mut changed = false;
    let mut rest = literal.as_str();
    loop {
        let end = rest.find(['?', '&', ';']).unwrap_or(rest.len());
        let segment = &rest[..end];
        match segment.split_once('=') {
            Some((name, value)) if secret_pair(name.trim(), value) => {
                out.push_str(name);
                out.push('=');
                out.push_str(REDACTED);
                changed = true;
            }
            _ => out.push_str(segment),
        }
        match rest[end..].chars().next() {
            Some(delimiter) => {
                out.push(delimiter);
                rest = &rest[end + delimiter.len_utf8()..];
            }
            None => break,
        }
    }
    if changed {
        *literal = out;
    }
}

fn secret_pair(name: &str, value: &str) -> bool {
    let reference = value.starts_with('{') && value.ends_with('}');
    let prose = name.contains(char::is_whitespace);
    !(value.is_empty() || prose || reference || value.contains("://")) && sensitive_name(name, true)
}

/// A literal, as opposed to an expression or a whole named-value reference.
fn is_literal(value: &str) -> bool {
    let v = value.trim();
    let named_value = v.starts_with("{{") && v.ends_with("}}") && !v[2..v.len() - 2].contains("}}");
    !(v.is_empty() || v.starts_with("@(") || v.starts_with("@{") || named_value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_redacted_references_are_kept() {
        assert!(is_literal("Bearer abc"));
        assert!(!is_literal("{{backend-password}}"));
        assert!(!is_literal("@(context.Variables[\"x\"])"));
        assert!(is_literal("{{a}}-{{b}}x"));
    }

    #[test]
    fn secret_pairs_in_urls_bodies_and_connection_strings() {
        let cases = [
            (
                "https://x.logic.azure.com/invoke?api-version=2016-10-01&sp=%2Frun&sv=1.0&sig=AbC123",
                "https://x.logic.azure.com/invoke?api-version=2016-10-01&sp=%2Frun&sv=1.0&sig=[redacted]",
            ),
            ("/api/f?code=xyz==&name=a", "/api/f?code=[redacted]&name=a"),
            (
                "client_id=app&client_secret=s3cr3t&grant_type=client_credentials",
                "client_id=app&client_secret=[redacted]&grant_type=client_credentials",
            ),
            (
                "Endpoint=sb://n.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=k=",
                "Endpoint=sb://n.servicebus.windows.net/;SharedAccessKeyName=[redacted];SharedAccessKey=[redacted]",
            ),
            ("/f?code={{func-key}}&sig={sig}", "/f?code={{func-key}}&sig={sig}"),
            ("https://x/a?page=2&sig=", "https://x/a?page=2&sig="),
            ("text/html; charset=utf-8", "text/html; charset=utf-8"),
            (
                // A WWW-Authenticate challenge: prose and a URL, not a credential.
                "Bearer authorization_uri=https://login.example/authorize?response_type=code",
                "Bearer authorization_uri=https://login.example/authorize?response_type=code",
            ),
            ("@(\"a?sig=\" + x)", "@(\"a?sig=\" + x)"),
        ];
        for (input, expected) in cases {
            let mut s = input.to_string();
            redact_pairs(&mut s);
            assert_eq!(s, expected, "{input}");
        }
    }

    #[test]
    fn sensitive_names() {
        assert!(sensitive_name("Authorization", false));
        assert!(sensitive_name("Ocp-Apim-Subscription-Key", false));
        assert!(sensitive_name("sig", true));
        assert!(!sensitive_name("sig", false));
        assert!(!sensitive_name("correlationid", false));
    }
}
