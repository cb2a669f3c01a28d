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
//!   `decryption-keys`).
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
        }
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
    fn sensitive_names() {
        assert!(sensitive_name("Authorization", false));
        assert!(sensitive_name("Ocp-Apim-Subscription-Key", false));
        assert!(sensitive_name("sig", true));
        assert!(!sensitive_name("sig", false));
        assert!(!sensitive_name("correlationid", false));
    }
}
