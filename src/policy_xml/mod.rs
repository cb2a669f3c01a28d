//! APIM policy XML: text → [`Policy`] (per-section element lists), effective chains
//! and the authentication verdict.
//!
//! This is the one place that reads policy documents; the live collector and the IaC
//! readers share it. Entry points:
//!
//! - [`parse_policy`] reads a `<policies>` document, [`parse_fragment`] a `<fragment>`.
//!   C# policy expressions (`@(…)`, `@{…}`) are opaque values even when they are not
//!   XML (raw quotes, `<string>`, `&&`): they are masked before XML parsing and put
//!   back verbatim. Only a document that APIM would refuse too is an error, located
//!   by line and column. Secret literals are redacted (see [`REDACTED`]) and listed in
//!   the document's `literal_credentials`; [`redact_document`] does the same to a
//!   document read back from a snapshot.
//! - [`effective_section`] composes a section along global → workspace → product →
//!   API → operation, honouring `<base />` and resolving `<include-fragment>`.
//! - [`InboundAuth::inspect`] and [`api_auth`] turn effective inbound sections into the
//!   snapshot's `auth` block.

mod auth;
mod effective;
mod error;
mod literals;
mod mask;
mod redact;
mod tree;

pub use crate::redact::REDACTED;
pub use auth::{api_auth, InboundAuth, PathAuth, Presence};
pub use effective::{effective_section, EffectiveSection, Fragments, Placed, ScopePolicy, Section};
pub use error::PolicyXmlError;
pub(crate) use literals::redact_expression;
pub(crate) use redact::{redact_document, redact_effective};

use serde_json::Value;

use crate::snapshot::{Policy, PolicyElement};

/// Reads a `<policies>` document of one scope.
pub fn parse_policy(text: &str) -> Result<Policy, PolicyXmlError> {
    let root = tree::parse(text)?;
    if root.name != "policies" {
        return Err(PolicyXmlError::at(
            text,
            root.offset,
            format!(
                "the root element is <{}>; a policy document starts with <policies>",
                root.name
            ),
        ));
    }
    if let Some(stray) = &root.text {
        return Err(PolicyXmlError::at(
            text,
            root.offset,
            format!("<policies> holds text ({stray:?}); only the four sections belong there"),
        ));
    }
    let mut policy = Policy::default();
    for section in root.children {
        let slot = match section.name.as_str() {
            "inbound" => &mut policy.inbound,
            "backend" => &mut policy.backend,
            "outbound" => &mut policy.outbound,
            "on-error" => &mut policy.on_error,
            other => {
                return Err(PolicyXmlError::at(
                    text,
                    section.offset,
                    format!("<{other}> cannot stand in <policies>; expected <inbound>, <backend>, <outbound> or <on-error>"),
                ))
            }
        };
        if slot.is_some() {
            return Err(PolicyXmlError::at(
                text,
                section.offset,
                format!("a second <{}> section", section.name),
            ));
        }
        *slot = Some(
            section
                .children
                .into_iter()
                .map(tree::Node::into_element)
                .collect(),
        );
    }
    policy.fragments = fragment_ids(&policy);
    redact::redact_policy(&mut policy);
    Ok(policy)
}

/// Reads a policy fragment document (`<fragment>…</fragment>`) into its elements.
pub fn parse_fragment(text: &str) -> Result<Vec<PolicyElement>, PolicyXmlError> {
    let root = tree::parse(text)?;
    if root.name != "fragment" {
        return Err(PolicyXmlError::at(
            text,
            root.offset,
            format!(
                "the root element is <{}>; a policy fragment starts with <fragment>",
                root.name
            ),
        ));
    }
    Ok(redact::redact_elements(
        root.children
            .into_iter()
            .map(tree::Node::into_element)
            .collect(),
    ))
}

/// The fragment ids a policy includes, in document order, without repeats.
fn fragment_ids(policy: &Policy) -> Vec<String> {
    fn visit(elements: &[PolicyElement], ids: &mut Vec<String>) {
        for element in elements {
            if element.name == "include-fragment" {
                if let Some(id) = element
                    .attributes
                    .get("fragment-id")
                    .and_then(Value::as_str)
                {
                    if !ids.iter().any(|known| known == id) {
                        ids.push(id.to_string());
                    }
                }
            }
            visit(&element.children, ids);
        }
    }
    let mut ids = Vec::new();
    for section in [
        &policy.inbound,
        &policy.backend,
        &policy.outbound,
        &policy.on_error,
    ]
    .into_iter()
    .flatten()
    {
        visit(section, &mut ids);
    }
    ids
}

#[cfg(test)]
mod tests;
