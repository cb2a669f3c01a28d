//! Reading a rule's `# METADATA` block (OPA annotations; regorus ignores them).
//!
//! The block is the run of comment lines that starts with `# METADATA` and stands
//! before the `package` line. Its YAML carries the rule's identity: `title`,
//! `description`, and under `custom` the `id`, `severity`, optional `remediation`
//! (an action of the remediation catalogue), `recommendation` (how to fix, in
//! words) and `frameworks` (control mappings).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::severity::Severity;

/// What a rule says about itself.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleMeta {
    /// Stable id, for example `APIM-DEF-001`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Why it matters (and, briefly, how to fix it).
    pub description: String,
    /// Severity of a failure.
    pub severity: Severity,
    /// How to fix a failure, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<String>,
    /// Remediation catalogue action that fixes a failure, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Control mappings, e.g. `owasp-api-2023: [API2]`.
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// Links to further reading.
    pub references: Vec<String>,
}

/// A METADATA problem, with the 1-based line it was found on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaError {
    /// 1-based line in the policy file.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    #[serde(default)]
    #[allow(dead_code)]
    scope: Option<String>,
    title: Option<String>,
    description: Option<String>,
    #[serde(default)]
    related_resources: Vec<RelatedResource>,
    #[serde(default)]
    #[allow(dead_code)]
    authors: Option<serde_yaml::Value>,
    #[serde(default)]
    #[allow(dead_code)]
    organizations: Option<serde_yaml::Value>,
    #[serde(default)]
    #[allow(dead_code)]
    schemas: Option<serde_yaml::Value>,
    #[serde(default)]
    #[allow(dead_code)]
    entrypoint: Option<bool>,
    #[serde(default)]
    custom: BTreeMap<String, serde_yaml::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RelatedResource {
    Plain(String),
    Object { r#ref: String },
}

/// The METADATA block of a module: its YAML text and the line it starts on.
#[derive(Debug, Clone)]
pub struct MetaBlock {
    /// 1-based line of the `# METADATA` comment.
    pub line: usize,
    /// The YAML with comment markers removed, one line per source line.
    pub yaml: String,
}

/// Finds the `# METADATA` block that stands before the `package` line, if any.
pub fn find_block(rego: &str) -> Option<MetaBlock> {
    let mut lines = rego.lines().enumerate();
    for (i, line) in lines.by_ref() {
        let t = line.trim();
        if t.starts_with("package ") || t == "package" {
            return None;
        }
        if t.trim_start_matches('#').trim() == "METADATA" && t.starts_with('#') {
            let mut yaml = String::new();
            for (_, l) in lines.by_ref() {
                let t = l.trim_start();
                let Some(rest) = t.strip_prefix('#') else { break };
                yaml.push_str(rest.strip_prefix(' ').unwrap_or(rest));
                yaml.push('\n');
            }
            return Some(MetaBlock { line: i + 1, yaml });
        }
    }
    None
}

/// Parses and validates a METADATA block into a rule's identity.
pub fn parse(block: &MetaBlock) -> Result<RuleMeta, MetaError> {
    let at = |key: &str| key_line(block, key);
    let raw: RawMeta = serde_yaml::from_str(&block.yaml).map_err(|e| MetaError {
        line: block.line + e.location().map(|l| l.line()).unwrap_or(0),
        message: format!("METADATA is not valid: {e}"),
    })?;
    let missing = |what: &str| MetaError {
        line: block.line,
        message: format!("METADATA has no `{what}`; every rule needs title, custom.id and custom.severity"),
    };
    let title = raw.title.filter(|t| !t.trim().is_empty()).ok_or_else(|| missing("title"))?;
    let custom_str = |key: &str| -> Result<Option<String>, MetaError> {
        match raw.custom.get(key) {
            None | Some(serde_yaml::Value::Null) => Ok(None),
            Some(serde_yaml::Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(_) => Err(MetaError {
                line: at(key),
                message: format!("custom.{key} must be a string"),
            }),
        }
    };
    let id = custom_str("id")?.filter(|s| !s.is_empty()).ok_or_else(|| missing("custom.id"))?;
    if !valid_id(&id) {
        return Err(MetaError {
            line: at("id"),
            message: format!("custom.id `{id}` is not a valid rule id (letters, digits and dashes, e.g. APIM-API-001)"),
        });
    }
    let severity = custom_str("severity")?
        .ok_or_else(|| missing("custom.severity"))?
        .parse::<Severity>()
        .map_err(|message| MetaError { line: at("severity"), message: format!("custom.severity: {message}") })?;
    let frameworks = match raw.custom.get("frameworks") {
        None | Some(serde_yaml::Value::Null) => BTreeMap::new(),
        Some(v) => parse_frameworks(v).ok_or_else(|| MetaError {
            line: at("frameworks"),
            message: "custom.frameworks must map a framework name to a control or a list of controls".into(),
        })?,
    };
    Ok(RuleMeta {
        id,
        title: title.trim().to_string(),
        description: raw.description.unwrap_or_default().trim().to_string(),
        severity,
        recommendation: custom_str("recommendation")?,
        remediation: custom_str("remediation")?,
        frameworks,
        references: raw
            .related_resources
            .into_iter()
            .map(|r| match r {
                RelatedResource::Plain(s) | RelatedResource::Object { r#ref: s } => s,
            })
            .collect(),
    })
}

fn parse_frameworks(v: &serde_yaml::Value) -> Option<BTreeMap<String, Vec<String>>> {
    let map = v.as_mapping()?;
    let mut out = BTreeMap::new();
    for (k, v) in map {
        let controls = match v {
            serde_yaml::Value::Sequence(items) => items.iter().map(scalar).collect::<Option<Vec<_>>>()?,
            other => vec![scalar(other)?],
        };
        out.insert(scalar(k)?, controls);
    }
    Some(out)
}

fn scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// Line of the first `key:` in the block, or the block's own line.
fn key_line(block: &MetaBlock, key: &str) -> usize {
    block
        .yaml
        .lines()
        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
        .map(|i| block.line + 1 + i)
        .unwrap_or(block.line)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: APIM-X-001\n#   severity: high\n#   frameworks: { owasp-api-2023: [API2, API9], azure-policy: ee7495e7 }\npackage x\n";

    #[test]
    fn reads_a_complete_block() {
        let meta = parse(&find_block(RULE).unwrap()).unwrap();
        assert_eq!(meta.id, "APIM-X-001");
        assert_eq!(meta.severity, Severity::High);
        assert_eq!(meta.frameworks["owasp-api-2023"], vec!["API2", "API9"]);
        assert_eq!(meta.frameworks["azure-policy"], vec!["ee7495e7"]);
    }

    #[test]
    fn bad_severity_points_at_its_line() {
        let text = RULE.replace("severity: high", "severity: severe");
        let err = parse(&find_block(&text).unwrap()).unwrap_err();
        assert_eq!(err.line, 6);
        assert!(err.message.contains("severe"));
    }

    #[test]
    fn missing_id_is_an_error() {
        let text = RULE.replace("#   id: APIM-X-001\n", "");
        let err = parse(&find_block(&text).unwrap()).unwrap_err();
        assert!(err.message.contains("custom.id"), "{}", err.message);
    }

    #[test]
    fn no_block_after_package() {
        assert!(find_block("package x\n# METADATA\n# title: T\n").is_none());
    }
}
