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

/// The most elements (nested ones included) an effective section may hold. `<base />`
/// copies the broader scopes' elements wherever it stands, so a document with many of
/// them (or fragments that include each other many times) would multiply a section
/// without bound; real sections hold tens of elements.
pub const MAX_EFFECTIVE_ELEMENTS: usize = 10_000;

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
    /// Where each element of `elements` comes from: a tree of the same shape.
    pub sources: Vec<Placed>,
    /// Why the result may be wrong (unresolved fragments, omitted sections, unreadable scopes).
    pub uncertain: Vec<String>,
}

/// Where one element of an [`EffectiveSection`] comes from; `children` follow the
/// element's own children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// The index in the chain of the scope whose document holds (or includes) it.
    pub link: usize,
    /// The fragment it was included from, if any (the innermost one).
    pub fragment: Option<String>,
    /// Where the element's children come from.
    pub children: Vec<Placed>,
}

/// An element's expansion: the elements and, in the same shape, where they come from.
type Expanded = (Vec<PolicyElement>, Vec<Placed>);

/// The scope an expansion takes place in: its link, the fragment it is in, and how
/// deep fragments are nested there.
#[derive(Clone, Copy)]
struct At<'a> {
    link: usize,
    fragment: Option<&'a str>,
    depth: usize,
}

/// How many more elements an effective section may take (see [`MAX_EFFECTIVE_ELEMENTS`]).
struct Budget {
    left: usize,
    /// The number of elements (nested ones included) of the broader scopes' section.
    parent: usize,
    exhausted: bool,
}

impl Budget {
    /// Takes `n` elements; false (and exhausted) when they do not fit.
    fn take(&mut self, n: usize) -> bool {
        if n > self.left {
            self.exhausted = true;
            return false;
        }
        self.left -= n;
        true
    }
}

/// The number of elements of a list, nested ones included.
fn count(elements: &[PolicyElement]) -> usize {
    elements.iter().map(|e| 1 + count(&e.children)).sum()
}

/// Composes `section` along `chain` (broadest scope first).
pub fn effective_section(
    chain: &[ScopePolicy<'_>],
    section: Section,
    fragments: &Fragments,
) -> EffectiveSection {
    let mut effective = EffectiveSection::default();
    let mut exhausted = false;
    for (index, link) in chain.iter().enumerate() {
        let Some(policy) = link.policy else {
            continue;
        };
        match section.of(policy) {
            Some(elements) => {
                let at = At {
                    link: index,
                    fragment: None,
                    depth: 0,
                };
                let parent = (
                    std::mem::take(&mut effective.elements),
                    std::mem::take(&mut effective.sources),
                );
                let mut budget = Budget {
                    left: MAX_EFFECTIVE_ELEMENTS,
                    parent: count(&parent.0),
                    exhausted: false,
                };
                (effective.elements, effective.sources) = expand(
                    elements,
                    &parent,
                    fragments,
                    at,
                    &mut budget,
                    &mut effective.uncertain,
                );
                exhausted |= budget.exhausted;
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
                effective.sources.clear();
            }
        }
    }
    if exhausted {
        effective.uncertain.push(format!(
            "the effective <{}> section would hold more than {MAX_EFFECTIVE_ELEMENTS} elements (<base /> or fragments repeated); the elements past that are left out",
            section.name()
        ));
    }
    effective
}

fn expand(
    elements: &[PolicyElement],
    parent: &Expanded,
    fragments: &Fragments,
    at: At<'_>,
    budget: &mut Budget,
    uncertain: &mut Vec<String>,
) -> Expanded {
    let capacity = elements.len() + parent.0.len();
    let mut out = (Vec::with_capacity(capacity), Vec::with_capacity(capacity));
    let placed = |children| Placed {
        link: at.link,
        fragment: at.fragment.map(str::to_string),
        children,
    };
    for element in elements {
        match element.name.as_str() {
            "base" => {
                if budget.take(budget.parent) {
                    out.0.extend(parent.0.iter().cloned());
                    out.1.extend(parent.1.iter().cloned());
                }
            }
            "include-fragment" => {
                let id = element
                    .attributes
                    .get("fragment-id")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                match fragments.get(id) {
                    Ok(_) if at.depth >= MAX_FRAGMENT_DEPTH => {
                        uncertain.push(format!("fragment `{id}` is included more than {MAX_FRAGMENT_DEPTH} levels deep"));
                        out.0.push(element.clone());
                        out.1.push(placed(Vec::new()));
                    }
                    Ok(inner) => {
                        let inside = At {
                            fragment: Some(id),
                            depth: at.depth + 1,
                            ..at
                        };
                        let (elements, sources) =
                            expand(inner, parent, fragments, inside, budget, uncertain);
                        out.0.extend(elements);
                        out.1.extend(sources);
                    }
                    Err(reason) => {
                        uncertain.push(reason);
                        out.0.push(element.clone());
                        out.1.push(placed(Vec::new()));
                    }
                }
            }
            _ if !budget.take(1) => {}
            _ => {
                let (children, sources) =
                    expand(&element.children, parent, fragments, at, budget, uncertain);
                out.0.push(PolicyElement {
                    name: element.name.clone(),
                    attributes: element.attributes.clone(),
                    children,
                    text: element.text.clone(),
                });
                out.1.push(placed(sources));
            }
        }
    }
    out
}
