//! How an API authenticates its callers, read from its effective inbound policies.
//!
//! Authentication counts when it runs on *every* call: a subscription key the API
//! requires, or one of `validate-jwt`, `validate-azure-ad-token`,
//! `validate-client-certificate`, `check-header name="Authorization"` with at least one
//! `<value>` at the top level of the effective inbound section, or in every branch of a
//! `<choose>` that has an `<otherwise>`; or a `<choose>` that answers 401/403 unless the
//! caller's credential matches a value ([`caller_check`]). The same policies in only some
//! branches — or another `<choose>` that answers 401/403 itself, or a header check whose
//! name is an expression — mean a policy expression decides, and the verdict is `unknown`.
//! A `check-header` without `<value>` only asks that the header be present (any value
//! passes), so it is not authentication; nor is a `validate-jwt` with
//! `require-signed-tokens="false"` (anyone can mint such a token). A `validate-jwt` whose
//! `require-signed-tokens`, or whose `token-value` (unless read from the request), is an
//! expression leaves the verdict `unknown`, as does a `cache-lookup` that runs before
//! every caller authentication (cached responses skip the checks after it). `ip-filter` is
//! recorded but is not authentication.

use serde_json::Value;

use super::caller_check;
use super::effective::EffectiveSection;
use crate::snapshot::{Auth, AuthVerdict, PolicyElement};

/// Whether a policy runs on every call, only on some, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Presence {
    /// Not in the chain.
    #[default]
    Absent,
    /// Only inside a `<choose>`: an expression decides.
    Conditional,
    /// At the top level: runs on every call.
    Always,
}

/// What one effective inbound section does about authentication.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboundAuth {
    /// `validate-jwt` or `validate-azure-ad-token`.
    pub jwt_validation: Presence,
    /// `validate-client-certificate`.
    pub client_certificate: Presence,
    /// `check-header` on `Authorization` that compares the value (has `<value>`s).
    pub authorization_header_check: Presence,
    /// `ip-filter`.
    pub ip_filter: Presence,
    /// A `<choose>` that answers 401/403 unless the caller's credential matches a value
    /// (see [`caller_check`]).
    pub caller_check: Presence,
    /// A policy expression decides who gets in (a `<choose>` answering 401/403, a
    /// header check on a computed name).
    pub decided_by_expression: bool,
    /// The chain itself is uncertain (see [`EffectiveSection::uncertain`]).
    pub uncertain: bool,
    /// A `cache-lookup` runs on every call before any caller authentication: a cached
    /// response reaches callers the later checks would have turned away.
    pub cache_before_auth: bool,
    /// What the policy expressions that decide are (see `decided_by_expression`), and
    /// why the chain is uncertain: the reasons of an `unknown` verdict.
    pub undecided: Vec<String>,
    /// Where this chain runs within its call path (`operation "get"`), for reasons; `None`
    /// for the API's own chain.
    pub at: Option<String>,
}

impl InboundAuth {
    /// Reads one effective inbound section.
    pub fn inspect(section: &EffectiveSection) -> Self {
        let mut found = InboundAuth {
            uncertain: !section.uncertain.is_empty(),
            ..InboundAuth::default()
        };
        walk(&section.elements, false, &mut found);
        found.undecided.extend(section.uncertain.iter().cloned());
        found
    }

    /// Why the verdict is `unknown` (empty when it is not): which check runs only in
    /// some branches, which expression decides, what makes the chain uncertain.
    pub fn unknown_reasons(&self) -> Vec<String> {
        if self.verdict() != AuthVerdict::Unknown {
            return Vec::new();
        }
        let mut reasons = Vec::new();
        if self.authenticates_always() && self.cache_before_auth {
            reasons.push("a cache-lookup runs before the caller is authenticated: cached responses skip the check".to_string());
        }
        for (presence, what) in [
            (
                self.jwt_validation,
                "validate-jwt (or validate-azure-ad-token)",
            ),
            (self.client_certificate, "validate-client-certificate"),
            (
                self.authorization_header_check,
                "check-header on Authorization",
            ),
            (self.caller_check, "a caller-credential check"),
        ] {
            if presence == Presence::Conditional && !self.authenticates_always() {
                reasons.push(format!("{what} runs only in some branches of a <choose>"));
            }
        }
        reasons.extend(self.undecided.iter().cloned());
        reasons
    }

    /// Whether a caller authentication already runs on every call.
    fn authenticates_always(&self) -> bool {
        [
            self.jwt_validation,
            self.client_certificate,
            self.authorization_header_check,
            self.caller_check,
        ]
        .contains(&Presence::Always)
    }

    /// The verdict for calls that take this chain without a subscription key.
    pub fn verdict(&self) -> AuthVerdict {
        let always = [
            self.jwt_validation,
            self.client_certificate,
            self.authorization_header_check,
            self.caller_check,
        ];
        if self.authenticates_always() && !self.cache_before_auth {
            AuthVerdict::Authenticated
        } else if self.authenticates_always()
            || always.contains(&Presence::Conditional)
            || self.decided_by_expression
            || self.uncertain
        {
            AuthVerdict::Unknown
        } else {
            AuthVerdict::Unauthenticated
        }
    }
}

fn walk(elements: &[PolicyElement], conditional: bool, found: &mut InboundAuth) {
    let presence = if conditional {
        Presence::Conditional
    } else {
        Presence::Always
    };
    for element in elements {
        if element.name == "cache-lookup" && !conditional && !found.authenticates_always() {
            found.cache_before_auth = true;
        }
        let slot = match element.name.as_str() {
            "validate-jwt" | "validate-azure-ad-token" => match token_check(element) {
                TokenCheck::Caller => Some(&mut found.jwt_validation),
                TokenCheck::Unsigned => None,
                TokenCheck::Expression => {
                    found.decided_by_expression = true;
                    found.undecided.push(format!("{} decides by an expression whether tokens must be signed, or which token it checks", element.name));
                    None
                }
            },
            "validate-client-certificate" => Some(&mut found.client_certificate),
            "ip-filter" => Some(&mut found.ip_filter),
            "check-header" => match element.attributes.get("name").and_then(Value::as_str) {
                Some(name) if name.trim_start().starts_with('@') => {
                    found.decided_by_expression = true;
                    found
                        .undecided
                        .push("check-header names its header with an expression".to_string());
                    None
                }
                // Without <value>s only presence is checked: any caller can send one.
                Some(name)
                    if name.eq_ignore_ascii_case("authorization")
                        && element.children.iter().any(|c| c.name == "value") =>
                {
                    Some(&mut found.authorization_header_check)
                }
                _ => None,
            },
            "choose" => {
                if caller_check::requires_credential(&element.children) {
                    found.caller_check = found.caller_check.max(presence);
                } else if answers_unauthorized(&element.children) {
                    found.decided_by_expression = true;
                    found
                        .undecided
                        .push(caller_check::undecided(&element.children));
                }
                walk_choose(&element.children, conditional, found);
                continue;
            }
            _ => None,
        };
        if let Some(slot) = slot {
            *slot = (*slot).max(presence);
        }
        walk(&element.children, conditional, found);
    }
}

/// What a token validation proves about the caller.
enum TokenCheck {
    /// The caller's token is validated.
    Caller,
    /// `require-signed-tokens="false"`: anyone can mint a token that passes.
    Unsigned,
    /// An expression decides whether tokens must be signed, or which token is checked
    /// (`token-value` computed from something other than the request).
    Expression,
}

/// Reads `require-signed-tokens` and `token-value` of a `validate-jwt` (or
/// `validate-azure-ad-token`).
fn token_check(element: &PolicyElement) -> TokenCheck {
    let attribute = |name: &str| element.attributes.get(name).and_then(Value::as_str);
    match attribute("require-signed-tokens").map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("false") => return TokenCheck::Unsigned,
        Some(v) if v.starts_with('@') => return TokenCheck::Expression,
        _ => {}
    }
    match attribute("token-value").map(str::trim) {
        // Taken from the request (a header or query parameter of the caller's): still
        // the caller's token. Anything else may be a token the gateway fetched itself.
        Some(v) if v.starts_with('@') && !v.contains("context.Request") => TokenCheck::Expression,
        _ => TokenCheck::Caller,
    }
}

/// A `<choose>`: a policy runs on every call that reaches the `<choose>` only when every
/// branch runs it and an `<otherwise>` catches the calls no `<when>` matches.
fn walk_choose(branches: &[PolicyElement], conditional: bool, found: &mut InboundAuth) {
    let mut per_branch = Vec::new();
    for branch in branches {
        let mut inner = InboundAuth::default();
        walk(&branch.children, false, &mut inner);
        found.decided_by_expression |= inner.decided_by_expression;
        found.undecided.append(&mut inner.undecided);
        per_branch.push(inner);
    }
    let exhaustive = branches.iter().any(|b| b.name == "otherwise");
    let slots: [fn(&mut InboundAuth) -> &mut Presence; 5] = [
        |a| &mut a.jwt_validation,
        |a| &mut a.client_certificate,
        |a| &mut a.authorization_header_check,
        |a| &mut a.ip_filter,
        |a| &mut a.caller_check,
    ];
    for slot in slots {
        let presences: Vec<Presence> = per_branch.iter_mut().map(|b| *slot(b)).collect();
        let presence = if exhaustive && presences.iter().all(|p| *p == Presence::Always) {
            if conditional {
                Presence::Conditional
            } else {
                Presence::Always
            }
        } else if presences.iter().any(|p| *p != Presence::Absent) {
            Presence::Conditional
        } else {
            Presence::Absent
        };
        let target = slot(found);
        *target = (*target).max(presence);
    }
}

/// Whether a subtree ends calls with 401 or 403 (a hand-written authentication check).
fn answers_unauthorized(elements: &[PolicyElement]) -> bool {
    elements.iter().any(|e| {
        let status = e.name == "set-status"
            && matches!(
                e.attributes
                    .get("code")
                    .and_then(Value::as_str)
                    .map(str::trim),
                Some("401") | Some("403")
            );
        status || answers_unauthorized(&e.children)
    })
}

/// One call path of an API (see [`crate::snapshot::CallPath`]) as authentication sees it.
#[derive(Debug, Clone)]
pub struct PathAuth {
    /// The path for messages (`product "starter"`, `without a product`).
    pub label: String,
    /// Whether a call on this path must carry a subscription key; `None` when not known.
    pub subscription_required: Option<bool>,
    /// One [`InboundAuth`] per chain a call on this path can take (one per operation).
    pub chains: Vec<InboundAuth>,
}

/// How many reasons an `unknown` verdict keeps (the rest are counted).
const MAX_REASONS: usize = 5;

impl PathAuth {
    /// Why calls on this path are `unknown` (empty when they are not), each prefixed by
    /// the path (and `where`, the chain's scope such as an operation, when given).
    fn unknown_reasons(&self) -> Vec<String> {
        if self.verdict() != AuthVerdict::Unknown {
            return Vec::new();
        }
        let at = &self.label;
        match (self.subscription_required, self.chains.is_empty()) {
            (None, _) => vec![format!(
                "{at}: whether a subscription key is required is not known"
            )],
            (_, true) => vec![format!("{at}: no policy chain is known")],
            _ => self
                .chains
                .iter()
                .flat_map(|c| {
                    c.unknown_reasons().into_iter().map(move |r| match &c.at {
                        Some(scope) => format!("{at}, {scope}: {r}"),
                        None => format!("{at}: {r}"),
                    })
                })
                .collect(),
        }
    }

    /// The verdict for calls on this path: a required key authenticates them; else the
    /// worst of its chains (none known: `unknown`). When whether a key is required is
    /// not known, only chains that authenticate by themselves decide.
    pub fn verdict(&self) -> AuthVerdict {
        let chains = worst(self.chains.iter().map(InboundAuth::verdict));
        match (self.subscription_required, chains) {
            (Some(true), _) | (_, Some(AuthVerdict::Authenticated)) => AuthVerdict::Authenticated,
            (Some(false), Some(verdict)) => verdict,
            (None, _) | (Some(false), None) => AuthVerdict::Unknown,
        }
    }
}

/// The worst of some verdicts (unauthenticated, then unknown); `None` when there are none.
fn worst(verdicts: impl Iterator<Item = AuthVerdict>) -> Option<AuthVerdict> {
    let rank = |v: &AuthVerdict| match v {
        AuthVerdict::Authenticated => 0,
        AuthVerdict::Unknown => 1,
        AuthVerdict::Unauthenticated => 2,
    };
    verdicts.max_by_key(rank)
}

/// Combines the call paths of an API into its [`Auth`].
///
/// The API is authenticated only when every path is (a key required on a path
/// authenticates it, see [`PathAuth::verdict`]); `openPaths` names the others. Flags
/// are true only when they hold on every chain of every path, and `subscriptionKey`
/// only when every path requires a key.
pub fn api_auth(paths: &[PathAuth]) -> Auth {
    let chains = || paths.iter().flat_map(|p| &p.chains);
    let on_every_path = |pick: fn(&InboundAuth) -> Presence| {
        chains().next().is_some() && chains().all(|c| pick(c) == Presence::Always)
    };
    let verdicts: Vec<AuthVerdict> = paths.iter().map(PathAuth::verdict).collect();
    Auth {
        subscription_key: !paths.is_empty()
            && paths.iter().all(|p| p.subscription_required == Some(true)),
        jwt_validation: on_every_path(|c| c.jwt_validation),
        client_certificate: on_every_path(|c| c.client_certificate),
        authorization_header_check: on_every_path(|c| c.authorization_header_check),
        ip_filter: on_every_path(|c| c.ip_filter),
        effective: worst(verdicts.iter().copied()).unwrap_or(AuthVerdict::Unknown),
        unknown_reasons: unknown_reasons(paths, &verdicts),
        open_paths: paths
            .iter()
            .zip(&verdicts)
            .filter(|(_, v)| **v != AuthVerdict::Authenticated)
            .map(|(p, _)| p.label.clone())
            .collect(),
    }
}

/// The reasons of an API's `unknown` verdict (empty unless its verdict is `unknown`):
/// each distinct one, [`MAX_REASONS`] at most and how many more.
fn unknown_reasons(paths: &[PathAuth], verdicts: &[AuthVerdict]) -> Vec<String> {
    if worst(verdicts.iter().copied()).unwrap_or(AuthVerdict::Unknown) != AuthVerdict::Unknown {
        return Vec::new();
    }
    if paths.is_empty() {
        return vec!["no call path is known".to_string()];
    }
    let mut reasons: Vec<String> = Vec::new();
    let mut more = 0;
    for reason in paths.iter().flat_map(PathAuth::unknown_reasons) {
        if reasons.contains(&reason) {
            continue;
        }
        if reasons.len() < MAX_REASONS {
            reasons.push(reason);
        } else {
            more += 1;
        }
    }
    if more > 0 {
        reasons.push(format!("and {more} more"));
    }
    reasons
}
