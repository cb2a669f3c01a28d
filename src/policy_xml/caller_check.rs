//! Hand-written caller checks: a `<choose>` that answers 401 or 403 unless the caller's
//! credential matches, as MCP and API-key samples write them:
//!
//! ```xml
//! <choose>
//!   <when condition="@(context.Request.Headers.GetValueOrDefault("X-Api-Key", "") != "{{api-key}}")">
//!     <return-response><set-status code="401" /></return-response>
//!   </when>
//! </choose>
//! ```
//!
//! Such a `<choose>` authenticates only when every call it lets through has shown a
//! credential that matches a value (a named value or a literal), never when only its
//! presence is tested (`!ContainsKey("X-Api-Key")`, `!= null`, `!= ""`: any value would
//! do). Two shapes are read, both in one `@(…)` expression per condition:
//!
//! - *reject unless*: every `<when>` rejects (401/403), and one of them rejects whenever
//!   a credential differs from its value: its condition is `a || b || …` with one part
//!   `CREDENTIAL != VALUE` or `!CREDENTIAL.Equals(VALUE)`;
//! - *allow if*: `<otherwise>` rejects, and every `<when>` lets the call through only
//!   when a credential equals its value: its condition is `a && b && …` with one part
//!   `CREDENTIAL == VALUE` or `CREDENTIAL.Equals(VALUE)`.
//!
//! A credential is a request header or query parameter whose name says it holds one
//! (`Authorization`, `…key…`, `…token…`, `…secret…`, `…signature…`, `code`), or the
//! client certificate's `Thumbprint`. A token read with `AsJwt()` is parsed, not
//! validated (anyone can mint one), so a condition on it is not a credential check.
//! Anything else, including `@{…}` statement blocks, is left to the caller to read as
//! "decided by an expression" (`unknown`).

use serde_json::Value;

use crate::snapshot::PolicyElement;

/// Whether the `<choose>` whose branches are `branches` lets a call through only with a
/// matching caller credential (see the module docs).
pub(super) fn requires_credential(branches: &[PolicyElement]) -> bool {
    let whens: Vec<&PolicyElement> = branches.iter().filter(|b| b.name == "when").collect();
    let parts_of = |when: &PolicyElement, op: &str, negated: bool| {
        condition(when).is_some_and(|c| split_top(c, op).iter().any(|p| compares(p, negated)))
    };
    match branches.iter().find(|b| b.name == "otherwise").map(ending) {
        // "Allow if": every call no <when> lets through is rejected.
        Some(Ending::Rejects) => {
            !whens.is_empty()
                && whens
                    .iter()
                    .all(|w| matches!(ending(w), Ending::Passes) && parts_of(w, "&&", false))
        }
        Some(Ending::Answers) => false,
        // "Reject unless": calls no <when> rejects go on.
        Some(Ending::Passes) | None => {
            !whens.is_empty()
                && whens.iter().all(|w| matches!(ending(w), Ending::Rejects))
                && whens.iter().any(|w| parts_of(w, "||", true))
        }
    }
}

/// Why a `<choose>` that answers 401 or 403 is not read as a caller check, for the
/// `unknown` verdict's reason. The condition is quoted with its string literals blanked
/// (`"…"`): a literal may be the credential itself.
pub(super) fn undecided(branches: &[PolicyElement]) -> String {
    let whens: Vec<&PolicyElement> = branches.iter().filter(|b| b.name == "when").collect();
    let otherwise = branches.iter().find(|b| b.name == "otherwise").map(ending);
    let deciding = whens.iter().find(|w| match otherwise {
        Some(Ending::Rejects) => !matches!(ending(w), Ending::Passes),
        _ => matches!(ending(w), Ending::Rejects),
    });
    let Some(when) = deciding.or(whens.first()) else {
        return "a <choose> answers 401/403 in its <otherwise> only".to_string();
    };
    let written = when
        .attributes
        .get("condition")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let shown = blank_literals(written);
    let why = match condition(when) {
        None => "is not one @(…) expression",
        Some(c) if c.contains("AsJwt") => {
            "reads a token with AsJwt() without validating it (anyone can mint one)"
        }
        Some(_) if whens.iter().any(|w| matches!(ending(w), Ending::Answers)) => {
            "is in a <choose> that also answers other calls itself"
        }
        Some(_) if !whens.iter().all(|w| matches!(ending(w), Ending::Rejects))
            && !matches!(otherwise, Some(Ending::Rejects)) =>
        {
            "lets some calls through before a credential is compared"
        }
        Some(_) => "does not compare a caller credential (a key, token or signature header or query parameter, or the client certificate's thumbprint) with a value: a presence test or another request property lets any caller through",
    };
    format!("a <choose> answers 401/403 on the condition `{shown}`, which {why}")
}

/// `text` with the contents of its `"…"` literals blanked, clipped to 160 characters.
fn blank_literals(text: &str) -> String {
    let mut out = String::new();
    let (mut quoted, mut escaped) = (false, false);
    for c in text.trim().chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => {
                if !quoted {
                    out.push_str("\"…");
                }
                quoted = !quoted;
                if !quoted {
                    out.push('"');
                }
            }
            _ if quoted => {}
            c => out.push(c),
        }
        if out.chars().count() >= 160 {
            out.push('…');
            break;
        }
    }
    out
}

/// How a branch ends a call.
enum Ending {
    /// It answers 401 or 403 itself.
    Rejects,
    /// It answers nothing itself: the call goes on.
    Passes,
    /// It answers something else (a mocked response, a redirect).
    Answers,
}

fn ending(branch: &PolicyElement) -> Ending {
    let Some(response) = branch.children.iter().find(|c| c.name == "return-response") else {
        return Ending::Passes;
    };
    let status = response
        .children
        .iter()
        .find(|c| c.name == "set-status")
        .and_then(|s| s.attributes.get("code"))
        .and_then(Value::as_str)
        .map(str::trim);
    match status {
        Some("401") | Some("403") => Ending::Rejects,
        _ => Ending::Answers,
    }
}

/// The C# expression of a `<when>`'s `condition` when it is one `@(…)` expression.
fn condition(when: &PolicyElement) -> Option<&str> {
    let text = when.attributes.get("condition")?.as_str()?.trim();
    let inner = text.strip_prefix("@(")?.strip_suffix(')')?;
    // `@(a) || (b)` is not one expression: its parentheses must pair up whole.
    balanced(inner).then_some(inner)
}

/// `text` split at each `op` outside parentheses, brackets, braces and string literals.
fn split_top<'t>(text: &'t str, op: &str) -> Vec<&'t str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'(' | b'[' | b'{' if !quoted => depth += 1,
            b')' | b']' | b'}' if !quoted => depth -= 1,
            _ if !quoted && depth <= 0 && text[i..].starts_with(op) => {
                parts.push(&text[start..i]);
                i += op.len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&text[start..]);
    parts
}

/// Whether `part` compares a caller credential with a value: `!=` (or a negated
/// `Equals`) when `negated`, else `==` (or `Equals`).
fn compares(part: &str, negated: bool) -> bool {
    let part = unwrap_parens(part.trim());
    if part.contains("AsJwt") {
        return false;
    }
    let (op, other) = if negated { ("!=", "==") } else { ("==", "!=") };
    if let [left, right] = split_top(part, op).as_slice() {
        return split_top(part, other).len() == 1
            && ((credential(left) && value(right)) || (credential(right) && value(left)));
    }
    let call = match (negated, part.strip_prefix('!')) {
        (true, Some(rest)) => unwrap_parens(rest.trim()),
        (false, None) => part,
        _ => return false,
    };
    // `CREDENTIAL.Equals(VALUE[, comparison])`.
    let Some(at) = call.rfind(".Equals(") else {
        return false;
    };
    let (target, args) = (&call[..at], &call[at + ".Equals(".len()..]);
    let Some(args) = args.strip_suffix(')') else {
        return false;
    };
    let args = split_top(args, ",");
    credential(target) && args.first().is_some_and(|v| value(v))
}

/// `(x)` → `x`, when the parentheses enclose the whole text.
fn unwrap_parens(mut text: &str) -> &str {
    while let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        if !balanced(inner) {
            break;
        }
        text = inner.trim();
    }
    text
}

/// Whether the brackets of `text` (outside string literals) pair up, none closing early.
fn balanced(text: &str) -> bool {
    let (mut depth, mut quoted, mut escaped) = (0i32, false, false);
    for c in text.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0 && !quoted
}

/// Whether an operand reads a caller credential from the request.
fn credential(operand: &str) -> bool {
    let operand = operand.trim();
    if operand.contains("context.Request.Certificate") {
        return operand.ends_with(".Thumbprint") || operand.ends_with(".Thumbprint?");
    }
    let from_request = ["context.Request.Headers", "context.Request.Url.Query"]
        .iter()
        .any(|source| operand.starts_with(source));
    let name = operand
        .split('"')
        .nth(1)
        .unwrap_or_default()
        .to_ascii_lowercase();
    from_request
        && (name == "authorization"
            || name == "code"
            || ["key", "token", "secret", "signature"]
                .iter()
                .any(|word| name.contains(word)))
}

/// Whether an operand is a value a credential can be compared with: a non-empty string
/// literal or a named value, not `null`, `""`, `string.Empty` or anything read from the
/// request.
fn value(operand: &str) -> bool {
    let operand = unwrap_parens(operand.trim());
    let literal = operand.len() > 2
        && operand.starts_with('"')
        && operand.ends_with('"')
        && !operand[1..operand.len() - 1].contains('"');
    let named = operand.starts_with("\"{{") || operand.starts_with("{{");
    (literal || named) && !operand.contains("context.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy_xml::parse_policy;

    fn choose(xml: &str) -> bool {
        let policy = parse_policy(&format!(
            "<policies><inbound>{xml}</inbound><backend><forward-request /></backend><outbound /><on-error /></policies>"
        ))
        .unwrap();
        requires_credential(&policy.inbound.expect("an inbound section")[0].children)
    }

    const REJECT: &str =
        r#"<return-response><set-status code="401" reason="Unauthorized" /></return-response>"#;

    #[test]
    fn matching_credentials_are_required() {
        for condition in [
            r#"@(context.Request.Headers.GetValueOrDefault("X-Api-Key", "") != "{{mcp-key}}")"#,
            r#"@(!context.Request.Headers.ContainsKey("api-key") || context.Request.Headers.GetValueOrDefault("api-key") != "{{key}}")"#,
            r#"@(!context.Request.Headers.GetValueOrDefault("Authorization", "").Equals("Bearer {{token}}"))"#,
            r#"@(context.Request.Certificate == null || context.Request.Certificate.Thumbprint != "DESIRE-THUMBPRINT")"#,
            r#"@(context.Request.Url.Query.GetValueOrDefault("code", "") != "{{function-key}}")"#,
        ] {
            assert!(
                choose(&format!(
                    r#"<choose><when condition='{condition}'>{REJECT}</when></choose>"#
                )),
                "{condition}"
            );
        }
        assert!(choose(&format!(
            r#"<choose><when condition='@(context.Request.Headers.GetValueOrDefault("X-Api-Key", "") == "{{{{key}}}}")'><set-header name="x" exists-action="delete" /></when><otherwise>{REJECT}</otherwise></choose>"#
        )));
    }

    #[test]
    fn presence_forged_tokens_and_other_headers_are_not_credential_checks() {
        for condition in [
            r#"@(!context.Request.Headers.ContainsKey("X-Api-Key"))"#,
            r#"@(context.Request.Headers.GetValueOrDefault("X-Api-Key", "") != "")"#,
            r#"@(context.Request.Headers.GetValueOrDefault("X-Api-Key") == null)"#,
            r#"@(context.Request.Headers.GetValueOrDefault("Accept", "") != "application/json")"#,
            r#"@(context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt()?.Issuer != "https://issuer")"#,
            r#"@(context.Request.Headers.GetValueOrDefault("X-Api-Key", "") != "{{k}}" && context.Request.Method != "GET")"#,
            r#"@(context.Request.Headers.GetValueOrDefault("X-Api-Key", "") != context.Request.Headers.GetValueOrDefault("X-Other-Key", ""))"#,
            r#"@{ return context.Request.Headers.GetValueOrDefault("X-Api-Key", "") != "{{k}}"; }"#,
        ] {
            assert!(
                !choose(&format!(
                    r#"<choose><when condition='{condition}'>{REJECT}</when></choose>"#
                )),
                "{condition}"
            );
        }
        // A branch that lets calls through before the check runs.
        assert!(!choose(&format!(
            r#"<choose><when condition='@(context.Request.Method == "OPTIONS")'><set-header name="x" exists-action="delete" /></when><when condition='@(context.Request.Headers.GetValueOrDefault("X-Api-Key", "") != "{{{{k}}}}")'>{REJECT}</when></choose>"#
        )));
        // "Allow if" without a rejecting <otherwise>, or with a presence test.
        assert!(!choose(
            r#"<choose><when condition='@(context.Request.Headers.GetValueOrDefault("X-Api-Key", "") == "{{k}}")'><set-header name="x" exists-action="delete" /></when></choose>"#
        ));
        assert!(!choose(&format!(
            r#"<choose><when condition='@(context.Request.Headers.ContainsKey("X-Api-Key"))'><set-header name="x" exists-action="delete" /></when><otherwise>{REJECT}</otherwise></choose>"#
        )));
    }
}
