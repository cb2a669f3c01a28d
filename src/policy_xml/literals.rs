//! Literal credentials written inside C# policy expressions.
//!
//! A policy expression (`@(…)`, `@{…}`) is kept in the snapshot as it is written, but a
//! string literal in it may be a credential. These are found:
//!
//! - a string literal that follows a credential's name (a string literal or an
//!   identifier whose name names a credential) and `,`, `=`, `==`, `!=`, `:` or
//!   `] =`: `new JProperty("client_secret", "abc")`, `{ "x-api-key", "abc" }`,
//!   `body["password"] = "abc"`, `var pwd = "abc"`, `apiKey == "abc"`, `token: "abc"`.
//!   Arguments of a `Get…` call are not (`GetValueOrDefault("Authorization", "none")`
//!   names a default, not a credential), but what such a call reads is compared with:
//!   `GetValueOrDefault("x-api-key", "") == "abc"`, `….Equals("abc")`;
//! - key material, whatever it is called: the literal argument of `GetBytes`,
//!   `FromBase64String` and the `HMAC…` constructors (`GetBytes("user:password")` for
//!   Basic authentication, an HMAC key);
//! - inside any string literal or comment, what a literal text may hold (see the `text`
//!   module of redaction): `"grant_type=client_credentials&client_secret=abc"`, a URL's
//!   `?code=` or userinfo, JSON such as `"{\"password\": \"abc\"}"`.
//!
//! Only the literal's text is replaced by [`REDACTED`]; the expression keeps its shape.
//! The scanner knows the C# that `super::mask` knows: regular, verbatim and
//! interpolated strings, character literals and comments.

use std::ops::Range;

use super::mask::{char_literal_end, find, quote_len, string_end};
use crate::redact::REDACTED;
use crate::redact::{is_secret, redact_literal, value_kind, Context, Found, ValueKind};

/// Calls whose literal argument is key material, whatever it is called.
const KEY_MATERIAL: &[&str] = &[
    "GetBytes",
    "FromBase64String",
    "HMACSHA1",
    "HMACSHA256",
    "HMACSHA384",
    "HMACSHA512",
    "HMACMD5",
];

/// A token of an expression, as far as finding credentials goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A string literal's text (between its quotes).
    Str(Range<usize>),
    /// An identifier.
    Ident(Range<usize>),
    /// An operator or punctuation mark.
    Punct(&'static str),
}

/// Redacts the literal credentials of a policy expression, adding each one to `found`;
/// `None` when nothing changed.
pub(crate) fn redact_expression(expression: &str, found: &mut Vec<Found>) -> Option<String> {
    let known = found.len();
    let changed = edit(expression, found)?;
    // What is found is read off the redacted expression, so that reading it again finds
    // the same.
    found.truncate(known);
    Some(edit(&changed, found).unwrap_or(changed))
}

/// One pass of [`redact_expression`].
fn edit(expression: &str, found: &mut Vec<Found>) -> Option<String> {
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    scan(expression, |before, literal| {
        let text = &expression[literal.clone()];
        if let Some(name) = before.and_then(|b| named_by(expression, b)) {
            let kind = value_kind(text);
            if matches!(kind, ValueKind::Literal) {
                found.push(Found {
                    name: name.to_string(),
                    in_url: false,
                });
                if text != REDACTED {
                    edits.push((literal, REDACTED.to_string()));
                }
                return;
            }
        }
        if let Some(changed) = redact_literal(text, found) {
            edits.push((literal, changed));
        }
    });
    if edits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(expression.len());
    let mut copied = 0;
    for (range, text) in edits {
        out.push_str(&expression[copied..range.start]);
        out.push_str(&text);
        copied = range.end;
    }
    out.push_str(&expression[copied..]);
    Some(out)
}

/// The text of the one string literal an expression consists of (`@("…")`), if it does.
pub(crate) fn single_literal(expression: &str) -> Option<Range<usize>> {
    let bytes = expression.as_bytes();
    let open = expression.find(|c: char| !c.is_whitespace())?;
    expression[open..].strip_prefix("@(")?;
    let close = expression.trim_end().strip_suffix(')')?.len();
    let mut i = open + 2;
    while i < close && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    let prefix = i;
    while i < close && i < prefix + 2 && matches!(bytes[i], b'@' | b'$') {
        i += 1;
    }
    let verbatim = bytes[prefix..i].contains(&b'@');
    let len = quote_len(&bytes[i..], b'"')?;
    let end = string_end(bytes, i + len, &bytes[i..i + len], verbatim)?;
    (end <= close && expression[end..close].trim().is_empty()).then_some(i + len..end - len)
}

/// What stands before a string literal.
struct Before<'a, 'e> {
    /// The last tokens (at most three).
    recent: &'a [Token],
    /// The calls the literal is an argument of, innermost last.
    calls: &'a [Call<'e>],
    /// The call that closed last.
    closed: Option<&'a Call<'e>>,
}

/// A call (or any bracket) the scanner is in.
#[derive(Debug, Clone, Default)]
struct Call<'e> {
    /// The identifier before the bracket.
    name: Option<&'e str>,
    /// The string literal that is its first argument.
    first: Option<Range<usize>>,
}

impl Call<'_> {
    /// A `Get…` call: its arguments name what to read and a default, not credentials.
    fn is_getter(&self) -> bool {
        self.name.is_some_and(|n| n.starts_with("Get"))
    }
}

/// The credential name a literal is the value of, given what stands before it.
fn named_by<'e>(expression: &'e str, before: &Before<'_, 'e>) -> Option<&'e str> {
    let text = |token: &Token| match token {
        Token::Str(r) | Token::Ident(r) => Some(&expression[r.clone()]),
        Token::Punct(_) => None,
    };
    let name = match before.recent {
        // Key material handed to an encoding or a MAC: `GetBytes("user:password")`,
        // `FromBase64String("…")`, `new HMACSHA256(…)`.
        [.., Token::Ident(_), Token::Punct("(")]
            if before
                .calls
                .last()
                .and_then(|c| c.name)
                .is_some_and(|n| KEY_MATERIAL.contains(&n)) =>
        {
            return before.calls.last().and_then(|c| c.name);
        }
        // `GetValueOrDefault("x-api-key", "").Equals("literal")`.
        [.., Token::Ident(m), Token::Punct("(")] if &expression[m.clone()] == "Equals" => {
            let call = before.closed.filter(|c| c.is_getter())?;
            &expression[call.first.clone()?]
        }
        [.., key @ Token::Str(_), Token::Punct("]"), Token::Punct("=")] => text(key)?,
        // `GetValueOrDefault("x-api-key", "") == "literal"`: the value read is compared
        // with a literal.
        [.., Token::Punct(")"), Token::Punct("==" | "!=")] => {
            let call = before.closed.filter(|c| c.is_getter())?;
            &expression[call.first.clone()?]
        }
        [.., key, Token::Punct(separator)]
            if matches!(*separator, "," | "=" | "==" | "!=" | ":") =>
        {
            if *separator == "," && before.calls.last().is_some_and(Call::is_getter) {
                return None;
            }
            text(key)?
        }
        _ => return None,
    };
    is_secret(name, Context::Key).then_some(name)
}

/// Calls `literal` for every string literal of `expression`, with what stands before it,
/// and for every comment's text (without).
fn scan<'e>(expression: &'e str, mut literal: impl FnMut(Option<&Before<'_, 'e>>, Range<usize>)) {
    let bytes = expression.as_bytes();
    let mut recent: Vec<Token> = Vec::new();
    let mut calls: Vec<Call<'e>> = Vec::new();
    let mut closed: Option<Call<'e>> = None;
    let push = |recent: &mut Vec<Token>, token: Token| {
        if recent.len() == 3 {
            recent.remove(0);
        }
        recent.push(token);
    };
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if let Some(len) = quote_len(rest, b'"') {
            let verbatim = bytes[..i].ends_with(b"@") || bytes[..i].ends_with(b"@$");
            let Some(end) = string_end(bytes, i + len, &rest[..len], verbatim) else {
                return;
            };
            let range = i + len..end - len;
            let before = Before {
                recent: &recent,
                calls: &calls,
                closed: closed.as_ref(),
            };
            literal(Some(&before), range.clone());
            if let (Some(Token::Punct("(")), Some(call)) = (recent.last(), calls.last_mut()) {
                call.first.get_or_insert(range.clone());
            }
            push(&mut recent, Token::Str(range));
            i = end;
            continue;
        }
        if let Some(len) = quote_len(rest, b'\'') {
            i = char_literal_end(bytes, i, len);
            continue;
        }
        if rest.starts_with(b"//") {
            let end = find(bytes, i, b"\n").unwrap_or(bytes.len());
            literal(None, i + 2..end);
            i = end;
            continue;
        }
        if rest.starts_with(b"/*") {
            let end = find(bytes, i + 2, b"*/").unwrap_or(bytes.len());
            literal(None, i + 2..end);
            i = (end + 2).min(bytes.len());
            continue;
        }
        let b = bytes[i];
        if is_identifier(b) {
            let start = i;
            while i < bytes.len() && is_identifier(bytes[i]) {
                i += 1;
            }
            push(&mut recent, Token::Ident(start..i));
            continue;
        }
        let punct = match (b, rest.get(..2).unwrap_or_default()) {
            (_, b"==") => "==",
            (_, b"!=") => "!=",
            (_, b"=>") => "=>",
            (b'=', _) => "=",
            (b',', _) => ",",
            (b':', _) => ":",
            (b']', _) => "]",
            (b'(', _) => "(",
            (b')', _) => ")",
            // `@` and `$` prefix strings; whitespace only separates.
            (b'@' | b'$', _) => "",
            (b, _) if b.is_ascii_whitespace() => "",
            _ => "?",
        };
        if punct == "(" {
            let name = match recent.last() {
                Some(Token::Ident(r)) => Some(&expression[r.clone()]),
                _ => None,
            };
            calls.push(Call { name, first: None });
        } else if punct == ")" {
            closed = calls.pop();
        }
        if !punct.is_empty() {
            push(&mut recent, Token::Punct(punct));
        }
        i += punct.len().max(1);
    }
}

/// A byte of a C# identifier (any non-ASCII byte counts: identifiers may be Unicode).
fn is_identifier(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(expression: &str) -> (String, Vec<String>) {
        let mut found = Vec::new();
        let text =
            redact_expression(expression, &mut found).unwrap_or_else(|| expression.to_string());
        (text, found.into_iter().map(|f| f.name).collect())
    }

    #[test]
    fn named_literals_in_expressions() {
        let cases = [
            (
                r#"@{ return new JObject(new JProperty("client_secret", "abc"), new JProperty("client_id", "app")).ToString(); }"#,
                r#"@{ return new JObject(new JProperty("client_secret", "[redacted]"), new JProperty("client_id", "app")).ToString(); }"#,
                vec!["client_secret"],
            ),
            (
                r#"@{ var body = new Dictionary<string, string> { { "password", "p4ss" } }; body["apiKey"] = "k1"; return ""; }"#,
                r#"@{ var body = new Dictionary<string, string> { { "password", "[redacted]" } }; body["apiKey"] = "[redacted]"; return ""; }"#,
                vec!["password", "apiKey"],
            ),
            (
                r#"@{ string pwd = "hunter2"; var token = context.Variables["t"]; return pwd; }"#,
                r#"@{ string pwd = "[redacted]"; var token = context.Variables["t"]; return pwd; }"#,
                vec!["pwd"],
            ),
            (
                r#"@(context.Request.Headers.GetValueOrDefault("x-api-key", "") == "letmein")"#,
                r#"@(context.Request.Headers.GetValueOrDefault("x-api-key", "") == "[redacted]")"#,
                vec!["x-api-key"],
            ),
            (
                r#"@{ var creds = Convert.ToBase64String(Encoding.UTF8.GetBytes("svc:p4ss")); using (var h = new HMACSHA256(Convert.FromBase64String("a2V5"))) { return creds; } }"#,
                r#"@{ var creds = Convert.ToBase64String(Encoding.UTF8.GetBytes("[redacted]")); using (var h = new HMACSHA256(Convert.FromBase64String("[redacted]"))) { return creds; } }"#,
                vec!["GetBytes", "FromBase64String"],
            ),
            (
                r#"@(context.Request.Headers.GetValueOrDefault("Ocp-Apim-Subscription-Key","").Equals("k3y"))"#,
                r#"@(context.Request.Headers.GetValueOrDefault("Ocp-Apim-Subscription-Key","").Equals("[redacted]"))"#,
                vec!["Ocp-Apim-Subscription-Key"],
            ),
            (
                "@{ /* password=hunter2 */ // api_key=abc\n return 1; }",
                "@{ /* password=[redacted]*/ // api_key=[redacted]\n return 1; }",
                vec!["password", "api_key"],
            ),
            (
                r#"@{ var apiKey = context.Request.Headers.GetValueOrDefault("Authorization","none"); return apiKey == "s3cr3t-value"; }"#,
                r#"@{ var apiKey = context.Request.Headers.GetValueOrDefault("Authorization","none"); return apiKey == "[redacted]"; }"#,
                vec!["apiKey"],
            ),
        ];
        for (input, expected, names) in cases {
            let (text, found) = redacted(input);
            assert_eq!(text, expected, "{input}");
            assert_eq!(found, names, "{input}");
        }
    }

    #[test]
    fn credentials_inside_string_literals() {
        let cases = [
            (
                r#"@("grant_type=client_credentials&client_id=app&client_secret=abc123")"#,
                r#"@("grant_type=client_credentials&client_id=app&client_secret=[redacted]")"#,
            ),
            (
                r#"@($"client_secret=abc123&scope={scope}")"#,
                r#"@($"client_secret=[redacted]&scope={scope}")"#,
            ),
            (
                r#"@("{\"client_secret\": \"abc\", \"grant_type\": \"x\"}")"#,
                r#"@("{\"client_secret\": \"[redacted]\", \"grant_type\": \"x\"}")"#,
            ),
            (
                r#"@(@"https://u:pw@host/f?code=abc")"#,
                r#"@(@"https://u:[redacted]@host/f?code=[redacted]")"#,
            ),
            (
                r#"@("client_secret=" + (string)context.Variables["secret"])"#,
                r#"@("client_secret=" + (string)context.Variables["secret"])"#,
            ),
            (
                r#"@(context.Variables.GetValueOrDefault<string>("token"))"#,
                r#"@(context.Variables.GetValueOrDefault<string>("token"))"#,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(redacted(input).0, expected, "{input}");
        }
    }

    #[test]
    fn found_again_once_redacted() {
        let expression = r#"@{ return new JObject(new JProperty("client_secret", "abc")); }"#;
        let (once, found) = redacted(expression);
        assert_eq!(redacted(&once), (once.clone(), found));
    }

    #[test]
    fn single_literal_expressions() {
        let e = r#"@("Basic dXNlcjpwYXNz")"#;
        assert_eq!(&e[single_literal(e).unwrap()], "Basic dXNlcjpwYXNz");
        assert!(single_literal(r#"@("a" + "b")"#).is_none());
        assert!(single_literal(r#"@(context.Variables["x"])"#).is_none());
        let v = r#" @(@"verbatim "" quote") "#;
        assert_eq!(&v[single_literal(v).unwrap()], r#"verbatim "" quote"#);
    }

    #[test]
    fn hostile_expressions_end() {
        for e in [
            "@(\"",
            "@(\"a\\",
            "@('",
            "@(/*",
            "@(//",
            "@(((((",
            "@())))",
            "@(\"a\" \"b\" ] = \"c\")",
        ] {
            let mut found = Vec::new();
            let _ = redact_expression(e, &mut found);
            let _ = single_literal(e);
        }
    }
}
