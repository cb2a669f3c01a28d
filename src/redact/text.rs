//! Credentials written inside a literal text: URLs, query strings, form bodies,
//! connection strings, and JSON or XML documents embedded in a string.
//!
//! Five forms are found, wherever they stand in the text:
//!
//! - the password of a URL's `user:password@` userinfo (the user name is kept);
//! - `name=value` pairs whose name names a credential ([`Context::Parameter`]) at the
//!   start of the text or after `?`, `&`, `;` or `#`: a `code`, `sig` or `key` in a query
//!   string or fragment, `client_secret=` in a form body, `SharedAccessKey=` or
//!   `InstrumentationKey=` in a connection string (names with spaces are prose);
//! - `"name": "value"` pairs of embedded JSON (quotes escaped with `\` too, as inside a
//!   C# string) whose key names a credential ([`Context::Key`]);
//! - `<name>value</name>` elements (a CDATA value too) and `name="value"` attributes of
//!   embedded XML (SOAP bodies) whose local name does.
//!
//! Values that only say where a credential comes from are kept: whole `{{named-value}}`
//! references, `{template}` parameters, IaC values left open (`<unknown: …>`), and
//! values with a `{{…}}` reference in them. Every credential found is reported, also
//! when its value was redacted before ([`REDACTED`]), so that finding them again in a
//! redacted document gives the same answer.

use std::borrow::Cow;

use super::names::{is_secret, Context};
use super::REDACTED;

/// A credential found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// What names it: the parameter, key or element name, or `userinfo`.
    pub name: String,
    /// It is part of a URL: a query or fragment parameter, or a userinfo password.
    pub in_url: bool,
}

/// Redacts the credentials of a literal text, adding each one to `found`; `None` when
/// nothing changed.
pub(crate) fn redact_literal(text: &str, found: &mut Vec<Found>) -> Option<String> {
    match redacted(text, found, Mask::Marker) {
        Cow::Owned(changed) => Some(changed),
        Cow::Borrowed(_) => None,
    }
}

/// A text (an excerpt of a file, a parser's message) with every credential value the
/// forms above find overwritten by as many `*` as it has bytes, so that offsets into
/// the text (a diagnostic's spot) stay where they were.
pub(crate) fn mask_text(text: &str) -> Cow<'_, str> {
    redacted(text, &mut Vec::new(), Mask::SameLength)
}

/// How a credential value is replaced.
#[derive(Debug, Clone, Copy)]
enum Mask {
    /// By [`REDACTED`].
    Marker,
    /// By as many `*` as the value has bytes.
    SameLength,
}

impl Mask {
    fn push(self, out: &mut String, value: &str) {
        match self {
            Mask::Marker => out.push_str(REDACTED),
            Mask::SameLength => out.extend(std::iter::repeat_n('*', value.len())),
        }
    }
}

/// One form: the text with its credentials replaced, `None` when it has none.
type Step = fn(&str, &mut Vec<Found>, Mask) -> Option<String>;

fn redacted<'t>(text: &'t str, found: &mut Vec<Found>, mask: Mask) -> Cow<'t, str> {
    let known = found.len();
    match steps(text, found, mask) {
        Cow::Owned(changed) => {
            // Forms may overlap (a userinfo inside a pair's value): what is found is read
            // off the redacted text, so that reading it again finds the same.
            found.truncate(known);
            match steps(&changed, found, mask) {
                Cow::Owned(more) => Cow::Owned(more),
                Cow::Borrowed(_) => Cow::Owned(changed),
            }
        }
        unchanged => unchanged,
    }
}

fn steps<'t>(text: &'t str, found: &mut Vec<Found>, mask: Mask) -> Cow<'t, str> {
    // Every form needs one of these (most strings of a snapshot have none).
    if !text.bytes().any(|b| matches!(b, b'=' | b'@' | b':' | b'<')) {
        return Cow::Borrowed(text);
    }
    let mut current = Cow::Borrowed(text);
    let steps: [Step; 5] = [userinfo, pairs, quoted_pairs, xml_pairs, attribute_pairs];
    for step in steps {
        if let Some(changed) = step(&current, found, mask) {
            current = Cow::Owned(changed);
        }
    }
    current
}

/// What a value is, as far as redaction goes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// Nothing (empty or blank).
    Empty,
    /// Where a credential comes from, not the credential: a `{{named-value}}`
    /// reference (whole or inside), a `{template}` parameter.
    Reference,
    /// `true` or `false`: a setting's flag (`allow-credentials="true"`), never a credential.
    Flag,
    /// An IaC value left open until deployment (`<unknown: …>`): a credential will be
    /// there, but it is not in the text.
    Open,
    /// The credential itself (or [`REDACTED`] where it was).
    Literal,
}

/// Classifies a value (a literal, never a policy expression).
pub(crate) fn value_kind(value: &str) -> ValueKind {
    let v = value.trim();
    if v.is_empty() {
        ValueKind::Empty
    } else if v.contains("{{") || (v.starts_with('{') && v.ends_with('}')) {
        ValueKind::Reference
    } else if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false") {
        ValueKind::Flag
    } else if v.starts_with("<unknown: ") {
        ValueKind::Open
    } else {
        ValueKind::Literal
    }
}

/// Records a credential named `name` whose value is `value`; whether to redact it.
fn judge(name: &str, value: &str, in_url: bool, found: &mut Vec<Found>) -> bool {
    let kind = value_kind(value);
    if matches!(kind, ValueKind::Literal | ValueKind::Open) {
        found.push(Found {
            name: name.to_string(),
            in_url,
        });
    }
    kind == ValueKind::Literal && value != REDACTED
}

/// The password of `scheme://user:password@host` userinfo.
fn userinfo(text: &str, found: &mut Vec<Found>, mask: Mask) -> Option<String> {
    if !text.contains("://") || !text.contains('@') {
        return None;
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(at) = text[from..].find("://") {
        let start = from + at + 3;
        let end = text[start..]
            .find(|c: char| "/?#\"'<>\\`".contains(c) || c.is_whitespace())
            .map_or(text.len(), |e| start + e);
        from = end.max(start);
        let authority = &text[start..end];
        let Some(user_end) = authority.rfind('@') else {
            continue;
        };
        let Some(colon) = authority[..user_end].find(':') else {
            continue;
        };
        let password = &authority[colon + 1..user_end];
        if judge("userinfo", password, true, found) {
            out.push_str(&text[copied..start + colon + 1]);
            mask.push(&mut out, password);
            copied = start + user_end;
        }
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

/// `name=value` pairs at the start of the text or after `?`, `&`, `;` or `#`.
fn pairs(text: &str, found: &mut Vec<Found>, mask: Mask) -> Option<String> {
    if !text.contains('=') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    // (start of a name, the delimiter before it)
    let mut next = Some((0, None));
    while let Some((start, delimiter)) = next.take() {
        let name_end = text[start..]
            .find(['=', '?', '&', ';', '#'])
            .map_or(text.len(), |e| start + e);
        if bytes.get(name_end) != Some(&b'=') {
            next = following(text, name_end);
            continue;
        }
        let in_url = matches!(delimiter, Some(b'?' | b'&' | b'#'));
        let value_start = name_end + 1;
        let value_end = match text[value_start..].strip_prefix("<unknown: ") {
            // An IaC value left open is one value, whatever it holds.
            Some(open) => open
                .find('>')
                .map_or(text.len(), |e| text.len() - open.len() + e + 1),
            None => text[value_start..]
                .find(|c: char| ends_value(c, in_url))
                .map_or(text.len(), |e| value_start + e),
        };
        let raw_name = text[start..name_end].trim();
        let name = percent_decoded(raw_name);
        let plain = !name.is_empty()
            && name.len() <= 128
            && !raw_name.contains(|c: char| c.is_whitespace() || "\"'<>{}()[],".contains(c));
        let value = &text[value_start..value_end];
        if plain
            && !value.contains("://")
            && is_secret(&name, Context::Parameter)
            && judge(&name, value, in_url, found)
        {
            out.push_str(&text[copied..value_start]);
            mask.push(&mut out, value);
            copied = value_end;
            next = following(text, value_end);
        } else {
            // A value kept may hold more pairs (`?redirect=https://y/?code=…`).
            next = following(text, value_start);
        }
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

/// Where the next name starts: after the next `?`, `&`, `;` or `#` at or after `from`.
fn following(text: &str, from: usize) -> Option<(usize, Option<u8>)> {
    let at = from + text.get(from..)?.find(['?', '&', ';', '#'])?;
    Some((at + 1, Some(text.as_bytes()[at])))
}

/// Whether `c` ends a value: a URL's parameter ends where the URL does; a connection
/// string's or form body's part at its separator or line end.
fn ends_value(c: char, in_url: bool) -> bool {
    if in_url {
        "&;#\"'<>\\`".contains(c) || c.is_whitespace()
    } else {
        ";&\"<\r\n".contains(c)
    }
}

/// `%XX` escapes decoded (a name written `client%5Fsecret` is `client_secret`).
fn percent_decoded(name: &str) -> Cow<'_, str> {
    if !name.contains('%') {
        return Cow::Borrowed(name);
    }
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// `"name": "value"` pairs of embedded JSON, with plain or backslash-escaped quotes
/// (double or single).
fn quoted_pairs(text: &str, found: &mut Vec<Found>, mask: Mask) -> Option<String> {
    if !text.contains(':') || !text.contains(['"', '\'']) {
        return None;
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(at) = text[from..].find(['"', '\'']) {
        let open = from + at;
        let escaped = open > 0 && text.as_bytes()[open - 1] == b'\\';
        let quote = if escaped {
            &text[open - 1..open + 1]
        } else {
            &text[open..open + 1]
        };
        from = open + 1;
        let Some(pair) = quoted_pair(text, open + 1, quote) else {
            continue;
        };
        let name = &text[open + 1..pair.name_end];
        let value = &text[pair.value.clone()];
        if is_secret(name, Context::Key) && judge(name, value, false, found) {
            out.push_str(&text[copied..pair.value.start]);
            mask.push(&mut out, value);
            copied = pair.value.end;
        }
        from = pair.value.end;
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

/// Where a quoted pair's key ends and its value stands.
struct QuotedPair {
    name_end: usize,
    value: std::ops::Range<usize>,
}

/// Reads `name<q> : <q>value<q>` from `from` (just past an opening quote `q`).
fn quoted_pair(text: &str, from: usize, quote: &str) -> Option<QuotedPair> {
    let name_end = from + text[from..].find(quote)?;
    let name = &text[from..name_end];
    if name.is_empty() || name.len() > 128 || name.contains(['\n', '"', '\'', '\\']) {
        return None;
    }
    let rest = text[name_end + quote.len()..].trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix(quote)?;
    let value_start = text.len() - rest.len();
    let value_end = value_start + quoted_end(rest, quote)?;
    Some(QuotedPair {
        name_end,
        value: value_start..value_end,
    })
}

/// The length of a quoted value up to its closing quote (a plain quote may be escaped).
fn quoted_end(rest: &str, quote: &str) -> Option<usize> {
    if quote.len() > 1 {
        return rest.find(quote);
    }
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return None,
            b if b == quote.as_bytes()[0] => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// `<name …>value</name>` elements of embedded XML whose local name names a credential.
fn xml_pairs(text: &str, found: &mut Vec<Found>, mask: Mask) -> Option<String> {
    if !text.contains("</") {
        return None;
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(at) = text[from..].find('<') {
        let open = from + at;
        from = open + 1;
        let name_len = text[open + 1..]
            .find(|c: char| !(c.is_alphanumeric() || "_:.-".contains(c)))
            .unwrap_or(text.len() - open - 1);
        let name = &text[open + 1..open + 1 + name_len];
        let local = name.rsplit(':').next().unwrap_or(name);
        if local.is_empty() || !is_secret(local, Context::Key) {
            continue;
        }
        let Some(tag_end) = text[open..].find('>').map(|e| open + e) else {
            break;
        };
        if text[..tag_end].ends_with('/') {
            continue;
        }
        let mut value_start = tag_end + 1;
        // A value may be a CDATA section: `<Password><![CDATA[…]]></Password>`.
        let cdata = text[value_start..].starts_with("<![CDATA[");
        let found_end = if cdata {
            value_start += "<![CDATA[".len();
            text[value_start..].find("]]>")
        } else {
            text[value_start..].find('<')
        };
        let Some(value_end) = found_end.map(|e| value_start + e) else {
            break;
        };
        let close = format!("</{name}>");
        let after = if cdata {
            value_end + "]]>".len()
        } else {
            value_end
        };
        if !text[after..].starts_with(&close) {
            continue;
        }
        let value = &text[value_start..value_end];
        if judge(local, value, false, found) {
            out.push_str(&text[copied..value_start]);
            mask.push(&mut out, value);
            copied = value_end;
        }
        from = value_end;
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

/// `name="value"` attributes of embedded XML whose local name names a credential
/// (`<Credentials password="…"/>`, a policy excerpt's `password="…"`).
fn attribute_pairs(text: &str, found: &mut Vec<Found>, mask: Mask) -> Option<String> {
    if !text.contains("=\"") && !text.contains("='") {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(at) = text[from..].find('=') {
        let eq = from + at;
        from = eq + 1;
        let Some(&quote) = bytes.get(eq + 1).filter(|q| matches!(q, b'"' | b'\'')) else {
            continue;
        };
        let name_start = text[..eq]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_alphanumeric() || "_:.-".contains(c)))
            .map_or(0, |(p, c)| p + c.len_utf8());
        let before = text[..name_start].chars().next_back();
        if name_start == eq || before.is_some_and(|c| !c.is_whitespace()) {
            continue;
        }
        let value_start = eq + 2;
        let Some(value_end) = text[value_start..]
            .find(quote as char)
            .map(|e| value_start + e)
        else {
            break;
        };
        let name = &text[name_start..eq];
        let local = name.rsplit(':').next().unwrap_or(name);
        let value = &text[value_start..value_end];
        if is_secret(local, Context::Key) && judge(local, value, false, found) {
            out.push_str(&text[copied..value_start]);
            mask.push(&mut out, value);
            copied = value_end;
        }
        from = value_end;
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(text: &str) -> String {
        let mut found = Vec::new();
        redact_literal(text, &mut found).unwrap_or_else(|| text.to_string())
    }

    fn names(text: &str) -> Vec<(String, bool)> {
        let mut found = Vec::new();
        redact_literal(text, &mut found);
        found.into_iter().map(|f| (f.name, f.in_url)).collect()
    }

    #[test]
    fn attributes_after_characters_of_several_bytes_are_read() {
        for text in [
            "…x=\"1\"",
            "<a failed-validation-ht\u{feff}tpcode=\"401\" password=\"p\" />",
            "é password=\"p\"",
        ] {
            let out = redacted(text);
            assert!(!out.contains("\"p\""), "{out}");
        }
    }

    #[test]
    fn query_credentials_go_and_ordinary_parameters_stay() {
        let cases = [
            (
                "https://x.logic.azure.com/invoke?api-version=2016-10-01&sp=%2Frun&sv=1.0&sig=AbC123",
                "https://x.logic.azure.com/invoke?api-version=2016-10-01&sp=%2Frun&sv=1.0&sig=[redacted]",
            ),
            ("https://f.azurewebsites.net/api/f?code=xyz==&name=a", "https://f.azurewebsites.net/api/f?code=[redacted]&name=a"),
            ("https://maps.example/api?key=AIzaSy&q=paris", "https://maps.example/api?key=[redacted]&q=paris"),
            ("https://x/a?API-KEY=1&apikey=2&access_token=3&client%5Fsecret=4&password=5", "https://x/a?API-KEY=[redacted]&apikey=[redacted]&access_token=[redacted]&client%5Fsecret=[redacted]&password=[redacted]"),
            ("https://x/cb#access_token=eyJ&token_type=bearer&expires_in=3600", "https://x/cb#access_token=[redacted]&token_type=bearer&expires_in=3600"),
            ("https://x/a?subscription-key=k1&page=2&sort=name", "https://x/a?subscription-key=[redacted]&page=2&sort=name"),
            ("https://echo.example/api?api-version=2024-05-01&page=2", "https://echo.example/api?api-version=2024-05-01&page=2"),
            ("https://x/a?redirect=https://y/b?code=abc", "https://x/a?redirect=https://y/b?code=[redacted]"),
            ("https://x/f?code={{func-key}}&sig={sig}", "https://x/f?code={{func-key}}&sig={sig}"),
            ("https://x/a?page=2&sig=", "https://x/a?page=2&sig="),
            ("see https://x/f?code=abc for details", "see https://x/f?code=[redacted] for details"),
        ];
        for (input, expected) in cases {
            assert_eq!(redacted(input), expected, "{input}");
        }
    }

    #[test]
    fn form_bodies_and_connection_strings() {
        let cases = [
            (
                "client_id=app&client_secret=s3cr3t&grant_type=client_credentials",
                "client_id=app&client_secret=[redacted]&grant_type=client_credentials",
            ),
            (
                "Endpoint=sb://n.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=k=",
                "Endpoint=sb://n.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=[redacted]",
            ),
            (
                "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/",
                "InstrumentationKey=[redacted];IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/",
            ),
            (
                "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=abc+/==;EndpointSuffix=core.windows.net",
                "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=[redacted];EndpointSuffix=core.windows.net",
            ),
            ("Server=db;User ID=sa;Password=correct horse;", "Server=db;User ID=sa;Password=[redacted];"),
            ("pwd=hunter2", "pwd=[redacted]"),
            ("https://x/a?api%20key=k&x=1", "https://x/a?api%20key=[redacted]&x=1"),
            ("text/html; charset=utf-8", "text/html; charset=utf-8"),
            (
                // A WWW-Authenticate challenge: prose and a URL, not a credential.
                "Bearer authorization_uri=https://login.example/authorize?response_type=code",
                "Bearer authorization_uri=https://login.example/authorize?response_type=code",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(redacted(input), expected, "{input}");
        }
    }

    #[test]
    fn userinfo_passwords_in_any_url() {
        assert_eq!(
            redacted("http://admin:hunter2@10.0.0.4:8080/proxy"),
            "http://admin:[redacted]@10.0.0.4:8080/proxy"
        );
        assert_eq!(
            redacted("mongodb://u:p%40ss@db1,db2/x and ftp://a:b@c"),
            "mongodb://u:[redacted]@db1,db2/x and ftp://a:[redacted]@c"
        );
        // A user name alone, an address in a query, a port: no password.
        for kept in [
            "https://org@dev.azure.com/org/_git/repo",
            "https://x/a?mail=a@b.com",
            "https://x:443/a",
            "https://{{user}}:{{password}}@x/",
        ] {
            assert_eq!(redacted(kept), kept);
        }
    }

    #[test]
    fn embedded_json_and_xml() {
        let cases = [
            (
                r#"{"client_id": "app", "client_secret": "s3cr3t", "grant_type": "client_credentials"}"#,
                r#"{"client_id": "app", "client_secret": "[redacted]", "grant_type": "client_credentials"}"#,
            ),
            (
                r#"{"password":"p","apiKey":"k","refresh_token":"r","tokenType":"Bearer","secretRef":"kv"}"#,
                r#"{"password":"[redacted]","apiKey":"[redacted]","refresh_token":"[redacted]","tokenType":"Bearer","secretRef":"kv"}"#,
            ),
            (
                r#"{\"client_secret\": \"abc\", \"scope\": \"x\"}"#,
                r#"{\"client_secret\": \"[redacted]\", \"scope\": \"x\"}"#,
            ),
            ("{'pwd': 'x', 'user': 'y'}", "{'pwd': '[redacted]', 'user': 'y'}"),
            (
                r#"{"password": "{{db-password}}", "nested": {"secret": 1}}"#,
                r#"{"password": "{{db-password}}", "nested": {"secret": 1}}"#,
            ),
            (
                "<Password><![CDATA[p<4ss]]></Password><User>u</User>",
                "<Password><![CDATA[[redacted]]]></Password><User>u</User>",
            ),
            (
                "<wsse:UsernameToken><wsse:Username>u</wsse:Username><wsse:Password Type=\"t\">p4ss</wsse:Password></wsse:UsernameToken>",
                "<wsse:UsernameToken><wsse:Username>u</wsse:Username><wsse:Password Type=\"t\">[redacted]</wsse:Password></wsse:UsernameToken>",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(redacted(input), expected, "{input}");
        }
    }

    #[test]
    fn xml_attributes() {
        assert_eq!(
            redacted(r#"<Credentials user="u" password="p4ss" secretRef='kv'/>"#),
            r#"<Credentials user="u" password="[redacted]" secretRef='kv'/>"#
        );
        assert_eq!(
            redacted(r#"x=password="p""#),
            r#"x=password="p""#,
            "not an attribute"
        );
    }

    #[test]
    fn masking_keeps_offsets() {
        let excerpt = r#"  "serviceUrl": "https://u:pw@x/f?code=abc&api-version=1", "password": "hunter2", "auth": 5"#;
        let masked = mask_text(excerpt);
        assert_eq!(masked.len(), excerpt.len());
        assert_eq!(
            masked,
            r#"  "serviceUrl": "https://u:**@x/f?code=***&api-version=1", "password": "*******", "auth": 5"#
        );
        assert_eq!(mask_text("nothing here"), "nothing here");
    }

    #[test]
    fn what_is_found_is_named_and_found_again_once_redacted() {
        let text = "https://u:p@x/a?code=abc&api-version=1";
        assert_eq!(
            names(text),
            [("userinfo".to_string(), true), ("code".to_string(), true)]
        );
        assert_eq!(names(&redacted(text)), names(text));
        assert_eq!(
            names("client_secret=abc"),
            [("client_secret".to_string(), false)]
        );
        assert_eq!(
            names("https://x/a?code=<unknown: parameters('key')>"),
            [("code".to_string(), true)]
        );
        assert!(names("https://x/a?code={{key}}").is_empty());
    }

    #[test]
    fn hostile_texts_end() {
        for text in [
            "=",
            "&=",
            "?=&=;=#=",
            "\"\":\"",
            "<a>",
            "</",
            "://@",
            "a://b:@",
            "\\\":\\\"",
            // Found by tests/robustness: a name after a character of several bytes.
            "®=\"",
            "…ndition=\"@(true)\">",
            "é password=\"x\"",
            "<é:Password>x</é:Password>",
            "ü://é:ö@ä/?ß=ç&sig=€",
            "{\"pässword\": \"ü\"}",
        ] {
            let _ = redacted(text);
            assert_eq!(mask_text(text).len(), text.len(), "{text}");
        }
        let long = "a=1&".repeat(10_000) + "sig=x";
        assert!(redacted(&long).ends_with("sig=[redacted]"));
    }
}
