//! Values the files leave open until deployment.
//!
//! A value the readers cannot work out (a parameter without a value, `reference()`, a
//! function they do not evaluate) is written `<unknown: EXPRESSION>` where it stands:
//! as the whole value, or inside a string when only part of it is open
//! (`https://<unknown: parameters('host')>/api` is still known to be HTTPS). Every
//! such value is also listed in the snapshot's `unknowns` with its resource, path and
//! line. Rules must read a marker as "not known", never as compliant.

use serde_json::{Map, Value};

/// How a marker starts.
pub(super) const PREFIX: &str = crate::snapshot::UNKNOWN_PREFIX;

/// The marker text of an expression that could not be evaluated (on one line).
pub(super) fn marker(expression: &str) -> String {
    let expression = expression
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!("{PREFIX}{expression}>")
}

/// The marker of an expression, as a JSON string.
pub(super) fn unknown(expression: &str) -> Value {
    Value::String(marker(expression))
}

/// Whether the whole value is one marker.
pub(super) fn is_unknown(value: &Value) -> bool {
    value.as_str().is_some_and(|s| {
        s.starts_with(PREFIX)
            && s.ends_with('>')
            && s[PREFIX.len()..].find('>') == Some(s.len() - PREFIX.len() - 1)
    })
}

/// Whether a string holds a marker anywhere.
pub(super) fn contains_unknown(text: &str) -> bool {
    text.contains(PREFIX)
}

/// Whether any string in `value` holds a marker.
pub(super) fn any_unknown(value: &Value) -> bool {
    match value {
        Value::String(s) => contains_unknown(s),
        Value::Array(items) => items.iter().any(any_unknown),
        Value::Object(map) => map.values().any(any_unknown),
        _ => false,
    }
}

/// The expressions of the markers in `text`, in order.
pub(super) fn expressions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(PREFIX) {
        let after = &rest[start + PREFIX.len()..];
        let end = after.find('>').unwrap_or(after.len());
        found.push(
            after[..end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace(super::scope::SLASH_IN_VALUE, "/"),
        );
        rest = after.get(end + 1..).unwrap_or_default();
    }
    found
}

/// `text` with `f` applied to the parts outside markers (markers are kept verbatim).
pub(super) fn map_known(text: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(PREFIX) {
        out.push_str(&f(&rest[..start]));
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        out.push_str(&rest[start..end]);
        rest = &rest[end..];
    }
    out.push_str(&f(rest));
    out
}

/// Every marker in `value` as `(path, expression)`, paths below `path` joined with `/`.
pub(super) fn find(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(s) => {
            for expression in expressions(s) {
                out.push((path.to_string(), expression));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find(item, &format!("{path}/{i}"), out);
            }
        }
        Value::Object(map) => find_in(map, path, out),
        _ => {}
    }
}

/// [`find`] over the members of an object (`path` may be empty).
pub(super) fn find_in(map: &Map<String, Value>, path: &str, out: &mut Vec<(String, String)>) {
    for (key, item) in map {
        let below = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}/{key}")
        };
        find(item, &below, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn markers_round_trip() {
        assert_eq!(
            marker("[for x in xs: {\n  a: x\n}]"),
            "<unknown: [for x in xs: { a: x }]>"
        );
        let m = unknown("parameters('a') > 1");
        assert!(is_unknown(&m));
        assert!(!is_unknown(&json!("https://<unknown: x>/y")));
        assert_eq!(
            expressions("a<unknown: x>b<unknown: y &gt; 1>"),
            vec!["x".to_string(), "y > 1".to_string()]
        );
        assert_eq!(
            map_known("AB<unknown: Cd>EF", |s| s.to_lowercase()),
            "ab<unknown: Cd>ef"
        );
        let mut found = Vec::new();
        find(&json!({"a": ["ok", m]}), "properties", &mut found);
        assert_eq!(
            found,
            vec![(
                "properties/a/1".to_string(),
                "parameters('a') > 1".to_string()
            )]
        );
    }
}
