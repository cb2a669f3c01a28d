//! Composing the effective policy of a section along an inheritance chain.
//!
//! APIM runs the policy of the narrowest scope; each `<base />` in it stands for the
//! same section of the next broader scope, recursively (global → workspace → product →
//! API → operation). So:
//!
//! - a scope *without a policy document* inherits its parent's section unchanged;
//! - a section *without `<base />`* drops whatever the broader scopes had;
//! - `<base />` anywhere (even inside `<choose>`) is replaced, in place, by the parent's
//!   effective elements, and `<include-fragment>` by the fragment's elements.
//!
//! A document that *omits* a section while a broader scope has elements there is
//! recorded as uncertain (APIM's behaviour is not documented; the collector never
//! guesses in the compliant direction).

use std::collections::HashMap;

use serde_json::Value;

use crate::snapshot::{Policy, PolicyElement};

/// How deep fragments may include fragments before the chain is called uncertain.
const MAX_FRAGMENT_DEPTH: usize = 8;

/// The four sections of a policy document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `<inbound>`: runs on the request before it is forwarded.
    Inbound,
    /// `<backend>`: runs around the call to the backend.
    Backend,
    /// `<outbound>`: runs on the response.
    Outbound,
    /// `<on-error>`: runs when an error is raised.
    OnError,
}

impl Section {
    /// The element name of the section.
    pub fn name(self) -> &'static str {
        match self {
            Section::Inbound => "inbound",
            Section::Backend => "backend",
            Section::Outbound => "outbound",
            Section::OnError => "on-error",
        }
    }

    fn of(self, policy: &Policy) -> Option<&Vec<PolicyElement>> {
        match self {
            Section::Inbound => policy.inbound.as_ref(),
            Section::Backend => policy.backend.as_ref(),
            Section::Outbound => policy.outbound.as_ref(),
            Section::OnError => policy.on_error.as_ref(),
        }
    }
}

/// One link of an inheritance chain: a scope and its policy document, if it has one.
#[derive(Debug, Clone, Copy)]
pub struct ScopePolicy<'a> {
    /// A label for messages, for example `global`, `product starter`, `API echo-api`.
    pub scope: &'a str,
    /// The scope's parsed policy; `None` when the scope has no policy document.
    pub policy: Option<&'a Policy>,
}

/// The policy fragments of a service, by fragment id.
#[derive(Debug, Clone, Default)]
pub struct Fragments {
    by_id: HashMap<String, Vec<PolicyElement>>,
    unreadable: Option<String>,
}

impl Fragments {
    /// An empty set that knows every fragment of the service (so a missing id is a real miss).
    pub fn new() -> Self {
        Self::default()
    }

    /// A set whose fragments could not be read; every inclusion is then uncertain.
    pub fn unreadable(reason: impl Into<String>) -> Self {
        Self {
            by_id: HashMap::new(),
            unreadable: Some(reason.into()),
        }
    }

    /// Adds a fragment's elements (see [`super::parse_fragment`]).
    pub fn insert(&mut self, id: impl Into<String>, elements: Vec<PolicyElement>) {
        self.by_id.insert(id.into(), elements);
    }

    /// Marks one fragment as unreadable (its document failed to load or parse).
    pub fn mark_unreadable(&mut self, id: &str, reason: &str) {
        self.by_id.remove(id);
        let note = format!("fragment `{id}`: {reason}");
        self.unreadable = Some(match self.unreadable.take() {
            Some(previous) => format!("{previous}; {note}"),
            None => note,
        });
    }

    fn get(&self, id: &str) -> Result<&[PolicyElement], String> {
        if let Some(elements) = self.by_id.get(id) {
            return Ok(elements);
        }
        Err(match &self.unreadable {
            Some(reason) => format!("fragment `{id}` could not be resolved ({reason})"),
            None => format!("fragment `{id}` does not exist"),
        })
    }
}

/// A section as it runs for one chain of scopes.
#[derive(Debug, Clone, Default)]
pub struct EffectiveSection {
    /// The elements in execution order, `<base />` and fragments resolved.
    pub elements: Vec<PolicyElement>,
    /// Why the result may be wrong (unresolved fragments, omitted sections, unreadable scopes).
    pub uncertain: Vec<String>,
}

/// Composes `section` along `chain` (broadest scope first).
pub fn effective_section(
    chain: &[ScopePolicy<'_>],
    section: Section,
    fragments: &Fragments,
) -> EffectiveSection {
    let mut effective = EffectiveSection::default();
    for link in chain {
        let Some(policy) = link.policy else {
            continue;
        };
        match section.of(policy) {
            Some(elements) => {
                effective.elements = expand(
                    elements,
                    &effective.elements,
                    fragments,
                    0,
                    &mut effective.uncertain,
                );
            }
            None => {
                if !effective.elements.is_empty() {
                    effective.uncertain.push(format!(
                        "the {} policy has no <{}> section, so whether it keeps the {} inherited element(s) is not known",
                        link.scope,
                        section.name(),
                        effective.elements.len()
                    ));
                }
                effective.elements.clear();
            }
        }
    }
    effective
}

fn expand(
    elements: &[PolicyElement],
    parent: &[PolicyElement],
    fragments: &Fragments,
    depth: usize,
    uncertain: &mut Vec<String>,
) -> Vec<PolicyElement> {
    let mut out = Vec::with_capacity(elements.len() + parent.len());
    for element in elements {
        match element.name.as_str() {
            "base" => out.extend(parent.iter().cloned()),
            "include-fragment" => {
                let id = element
                    .attributes
                    .get("fragment-id")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                match fragments.get(id) {
                    Ok(_) if depth >= MAX_FRAGMENT_DEPTH => {
                        uncertain.push(format!("fragment `{id}` is included more than {MAX_FRAGMENT_DEPTH} levels deep"));
                        out.push(element.clone());
                    }
                    Ok(inner) => out.extend(expand(inner, parent, fragments, depth + 1, uncertain)),
                    Err(reason) => {
                        uncertain.push(reason);
                        out.push(element.clone());
                    }
                }
            }
            _ => {
                let mut copy = element.clone();
                copy.children = expand(&element.children, parent, fragments, depth, uncertain);
                out.push(copy);
            }
        }
    }
    out
}
