//! Operations from an API's OpenAPI or Swagger document.
//!
//! APIM creates an API's operations when it imports its specification, so IaC files
//! often declare only the operations that carry a policy. The rest are read from the
//! specification (APIOps `specification.yaml|json`, or an inline `value` in a
//! template): APIM names each operation after its `operationId`.

use serde_json::Value;

/// An operation found in a specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SpecOperation {
    /// The operation name (its `operationId`, else `method-path`).
    pub name: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template.
    pub url_template: String,
    /// 1-based line of its `operationId` (or of its path) in the document.
    pub line: u32,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The operations of an OpenAPI 3 / Swagger 2 document (JSON or YAML); `None` when
/// the text is not such a document.
pub(super) fn operations(text: &str) -> Option<Vec<SpecOperation>> {
    // Flow brackets nested this deep make the YAML parser slow, and are no specification.
    if crate::nesting::yaml_flow_too_deep(text).is_some() {
        return None;
    }
    let doc: Value = serde_json::from_str(text)
        .ok()
        .or_else(|| serde_yaml::from_str(text).ok())?;
    let paths = doc.get("paths")?.as_object()?;
    let mut found = Vec::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let id = operation.get("operationId").and_then(Value::as_str);
            let name = match id {
                Some(id) if !id.trim().is_empty() => id.to_string(),
                _ => format!("{method}{}", path.replace(['/', '{', '}'], "-")),
            };
            let line = id
                .and_then(|id| line_of(text, &format!("operationId: {id}")))
                .or_else(|| id.and_then(|id| line_of(text, &format!("\"operationId\": \"{id}\""))))
                .or_else(|| line_of(text, &format!("{path}:")))
                .or_else(|| line_of(text, &format!("\"{path}\"")))
                .unwrap_or(1);
            found.push(SpecOperation {
                name,
                method: method.to_ascii_uppercase(),
                url_template: path.clone(),
                line,
            });
        }
    }
    Some(found)
}

/// 1-based line of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> Option<u32> {
    text.lines()
        .position(|l| l.contains(needle))
        .and_then(|i| u32::try_from(i + 1).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_json() {
        let yaml = "openapi: 3.0.1\npaths:\n  /items:\n    get:\n      operationId: get-items\n    post:\n      summary: x\n";
        let ops = operations(yaml).unwrap();
        assert_eq!(
            ops,
            vec![
                SpecOperation {
                    name: "get-items".into(),
                    method: "GET".into(),
                    url_template: "/items".into(),
                    line: 5
                },
                SpecOperation {
                    name: "post-items".into(),
                    method: "POST".into(),
                    url_template: "/items".into(),
                    line: 3
                }
            ]
        );
        let json =
            r#"{"swagger": "2.0", "paths": {"/a/{id}": {"delete": {"operationId": "del"}}}}"#;
        assert_eq!(operations(json).unwrap()[0].name, "del");
        assert!(operations("schema { query: Query }").is_none());
    }
}
