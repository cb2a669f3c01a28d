//! Reading a rule's `# METADATA` block (OPA annotations; regorus ignores them).
//!
//! The block is the run of comment lines that starts with `# METADATA` and stands
//! before the `package` line. Its YAML carries the rule's identity: `title`,
//! `description`, `related_resources`, and under `custom` the apimguard keys:
//!
//! | key | type | meaning |
//! |---|---|---|
//! | `id` | string, required | stable rule id, e.g. `APIM-API-001` |
//! | `severity` | string, required | `info`, `low`, `medium`, `high` or `critical` |
//! | `recommendation` | string | how to fix a failure, in words |
//! | `remediation` | string | an [`Action`] of the remediation catalogue that fixes a failure |
//! | `frameworks` | map of name → control or list of controls | control mappings |
//! | `unmapped` | map of framework name → reason | frameworks the rule deliberately maps to no control of, and why (a framework cannot be in both) |
//! | `parameters` | map of name → `{default, description}` | keys read from `data.apimguard.config` |
//! | `strict` | bool | the rule runs only in the `strict` profile |
//! | `input` | string | `estate` (default), `subscription` or `service`: the smallest part of the snapshot the rule's verdicts depend on (see [`InputScope`]) |
//! | `needs` | list of data kinds | data the rule cannot judge without (see [`DataKind`]); on a snapshot whose source lacks one, the rule is not applicable |
//!
//! Other keys under `custom` are the author's own and are ignored. A known key with
//! the wrong type is an error located at its line.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value as Json;
use serde_yaml::{Mapping, Value as Yaml};

use super::action::Action;
use super::severity::Severity;
use crate::snapshot::DataKind;

/// The family of rules outside the `apimguard.rules.<family>.…` packages.
pub const CUSTOM_FAMILY: &str = "custom";

/// Top-level keys of an OPA METADATA block.
const ANNOTATION_KEYS: [&str; 9] = [
    "scope",
    "title",
    "description",
    "related_resources",
    "authors",
    "organizations",
    "schemas",
    "entrypoint",
    "custom",
];

/// Keys of one entry of `custom.parameters`.
const PARAMETER_KEYS: [&str; 2] = ["default", "description"];

/// What a rule says about itself.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleMeta {
    /// Stable id, for example `APIM-DEF-001`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Why it matters.
    pub description: String,
    /// Severity of a failure.
    pub severity: Severity,
    /// The package segment after `apimguard.rules.` (e.g. `api`), or `custom`.
    pub family: String,
    /// How to fix a failure, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<String>,
    /// Remediation catalogue action that fixes a failure, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Action>,
    /// Control mappings, e.g. `owasp-api-2023: [API2]`.
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// Frameworks the rule deliberately maps to no control of, with the reason
    /// (`custom.unmapped`, e.g. `mcsb: "MCSB v1 has no availability control"`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unmapped: BTreeMap<String, String>,
    /// Keys the rule reads from `data.apimguard.config`, with their defaults.
    pub parameters: BTreeMap<String, Parameter>,
    /// Whether the rule runs only in the `strict` profile.
    pub strict: bool,
    /// How much of the snapshot the rule needs to see at once (`custom.input`).
    pub input: InputScope,
    /// Data the rule cannot judge without (`custom.needs`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<DataKind>,
    /// Links to further reading.
    pub references: Vec<String>,
}

/// How much of the snapshot a rule needs to see at once (`custom.input` in METADATA).
///
/// The engine may evaluate a rule on a part of the snapshot and union the parts'
/// `checked` and `deny` sets. A part is the whole document with `subscriptions` cut down:
/// for [`InputScope::Subscription`] to one subscription (with all its services), for
/// [`InputScope::Service`] to one subscription holding one of its services (every other
/// field of the subscription and of the document is kept; a subscription without
/// services is one part with none). A rule may declare a scope only when its sets over
/// the whole snapshot are the union of its sets over the parts: it never compares or
/// counts across services (or subscriptions), nor depends on their positions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputScope {
    /// One service at a time (with its subscription's other fields).
    Service,
    /// One subscription at a time, with all its services.
    Subscription,
    /// The whole snapshot (the default).
    #[default]
    Estate,
}

impl InputScope {
    const NAMES: [(&'static str, InputScope); 3] = [
        ("service", InputScope::Service),
        ("subscription", InputScope::Subscription),
        ("estate", InputScope::Estate),
    ];
}

/// A rule parameter: a key of `data.apimguard.config` with its default.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    /// The value used when the user's configuration does not set it.
    pub default: Json,
    /// What it controls.
    pub description: String,
    /// 1-based line of its declaration in the policy file.
    #[serde(skip)]
    pub line: usize,
}

/// A METADATA problem, with the 1-based line it was found on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaError {
    /// 1-based line in the policy file.
    pub line: usize,
    /// What is wrong.
    pub message: String,
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
                let Some(rest) = t.strip_prefix('#') else {
                    break;
                };
                yaml.push_str(rest.strip_prefix(' ').unwrap_or(rest));
                yaml.push('\n');
            }
            return Some(MetaBlock { line: i + 1, yaml });
        }
    }
    None
}

/// The family of a rule in `package` (`data.` prefix optional): the segment after
/// `apimguard.rules.` when a rule name follows it, otherwise [`CUSTOM_FAMILY`].
pub fn family_of(package: &str) -> String {
    let package = package.strip_prefix("data.").unwrap_or(package);
    package
        .strip_prefix("apimguard.rules.")
        .and_then(|rest| rest.split_once('.'))
        .map_or(CUSTOM_FAMILY, |(family, _)| family)
        .to_string()
}

/// Whether `id` is a well-formed rule id (letters, digits, `-`, `_`, `.`; at most 64).
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// Parses and validates the METADATA block of the rule in `package`.
pub fn parse(block: &MetaBlock, package: &str) -> Result<RuleMeta, MetaError> {
    if let Some(at) = crate::nesting::yaml_flow_too_deep(&block.yaml) {
        return Err(MetaError {
            line: block.line + block.yaml[..at].matches('\n').count() + 1,
            message: format!(
                "METADATA nests `[`/`{{` more than {} levels deep",
                crate::nesting::MAX_YAML_FLOW
            ),
        });
    }
    let root = match serde_yaml::from_str::<Yaml>(&block.yaml) {
        Ok(Yaml::Mapping(map)) => map,
        Ok(Yaml::Null) => Mapping::new(),
        Ok(_) => {
            return Err(MetaError {
                line: block.line,
                message: "METADATA must be a YAML mapping (`title: …`, `custom: …`)".into(),
            })
        }
        Err(e) => {
            return Err(MetaError {
                line: block.line + e.location().map_or(0, |l| l.line()),
                message: format!("METADATA is not valid YAML: {e}"),
            })
        }
    };
    let doc = Located { block, root };
    doc.known_keys(&[], &ANNOTATION_KEYS, "put your own keys under `custom`")?;
    doc.mapping(&["custom"])?;
    let missing = |what: &str| MetaError {
        line: block.line,
        message: format!(
            "METADATA has no `{what}`; every rule needs title, custom.id and custom.severity"
        ),
    };

    let title = doc
        .string(&["title"])?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| missing("title"))?;
    let id = doc
        .string(&["custom", "id"])?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("custom.id"))?;
    if !valid_id(&id) {
        return Err(doc.error(
            &["custom", "id"],
            format!("custom.id `{id}` is not a valid rule id (letters, digits and dashes, e.g. APIM-API-001)"),
        ));
    }
    let severity = doc
        .string(&["custom", "severity"])?
        .ok_or_else(|| missing("custom.severity"))?
        .parse::<Severity>()
        .map_err(|message| {
            doc.error(
                &["custom", "severity"],
                format!("custom.severity: {message}"),
            )
        })?;
    let remediation = match doc.string(&["custom", "remediation"])? {
        None => None,
        Some(name) => Some(Action::from_id(&name).ok_or_else(|| {
            doc.error(
                &["custom", "remediation"],
                format!(
                    "custom.remediation `{name}` is not an action of the remediation catalogue ({})",
                    Action::ALL.map(Action::id).join(", ")
                ),
            )
        })?),
    };
    let input = match doc.string(&["custom", "input"])? {
        None => InputScope::Estate,
        Some(name) => InputScope::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, scope)| *scope)
            .ok_or_else(|| {
                doc.error(
                    &["custom", "input"],
                    format!("custom.input `{name}` must be estate, subscription or service"),
                )
            })?,
    };
    Ok(RuleMeta {
        id,
        title,
        description: doc.string(&["description"])?.unwrap_or_default(),
        severity,
        family: family_of(package),
        recommendation: doc.string(&["custom", "recommendation"])?,
        remediation,
        frameworks: doc.frameworks()?,
        unmapped: doc.unmapped()?,
        parameters: doc.parameters()?,
        strict: doc.boolean(&["custom", "strict"])?.unwrap_or(false),
        input,
        needs: doc.needs()?,
        references: doc.references()?,
    })
}

/// The parsed METADATA and its block, for reading typed values by key path with
/// errors located at their line.
struct Located<'a> {
    block: &'a MetaBlock,
    root: Mapping,
}

impl Located<'_> {
    /// An error at the line of the key at `path` (or of its closest ancestor found).
    fn error(&self, path: &[&str], message: impl Into<String>) -> MetaError {
        MetaError {
            line: self.line_of(path),
            message: message.into(),
        }
    }

    /// The value at `path` (keys of nested mappings), null included.
    fn raw(&self, path: &[&str]) -> Option<&Yaml> {
        let (last, parents) = path.split_last()?;
        let mut map = &self.root;
        for key in parents {
            map = map.get(*key)?.as_mapping()?;
        }
        map.get(*last)
    }

    /// The value at `path`; null counts as absent.
    fn value(&self, path: &[&str]) -> Option<&Yaml> {
        self.raw(path).filter(|v| !v.is_null())
    }

    /// The string at `path`, trimmed.
    fn string(&self, path: &[&str]) -> Result<Option<String>, MetaError> {
        match self.value(path) {
            None => Ok(None),
            Some(Yaml::String(s)) => Ok(Some(s.trim().to_string())),
            Some(_) => Err(self.error(path, format!("{} must be a string", path.join(".")))),
        }
    }

    /// The boolean at `path`.
    fn boolean(&self, path: &[&str]) -> Result<Option<bool>, MetaError> {
        match self.value(path) {
            None => Ok(None),
            Some(Yaml::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.error(path, format!("{} must be true or false", path.join(".")))),
        }
    }

    /// The mapping at `path` (the root for an empty path).
    fn mapping(&self, path: &[&str]) -> Result<Option<&Mapping>, MetaError> {
        if path.is_empty() {
            return Ok(Some(&self.root));
        }
        match self.value(path) {
            None => Ok(None),
            Some(Yaml::Mapping(m)) => Ok(Some(m)),
            Some(_) => Err(self.error(
                path,
                format!("{} must be a mapping (`key: value` lines)", path.join(".")),
            )),
        }
    }

    /// The keys of the mapping at `path`, as text, in document order.
    fn keys(&self, path: &[&str]) -> Result<Vec<String>, MetaError> {
        Ok(self
            .mapping(path)?
            .map(|m| m.keys().map(key_name).collect())
            .unwrap_or_default())
    }

    /// Checks that every key of the mapping at `path` is one of `known`.
    fn known_keys(&self, path: &[&str], known: &[&str], hint: &str) -> Result<(), MetaError> {
        for name in self.keys(path)? {
            if !known.contains(&name.as_str()) {
                let at: Vec<&str> = path.iter().copied().chain([name.as_str()]).collect();
                return Err(self.error(
                    &at,
                    format!(
                        "unknown METADATA key `{}` (expected one of {}; {hint})",
                        at.join("."),
                        known.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `related_resources`: a list of URLs or of `{ref, description}` objects.
    fn references(&self) -> Result<Vec<String>, MetaError> {
        let path = ["related_resources"];
        let Some(value) = self.value(&path) else {
            return Ok(Vec::new());
        };
        let items = value
            .as_sequence()
            .ok_or_else(|| self.error(&path, "related_resources must be a list of URLs"))?;
        items
            .iter()
            .map(|item| match item {
                Yaml::String(s) => Ok(s.trim().to_string()),
                Yaml::Mapping(m) => match m.get("ref") {
                    Some(Yaml::String(s)) => Ok(s.trim().to_string()),
                    _ => Err(self.error(
                        &path,
                        "a related_resources entry that is a mapping needs a `ref` string",
                    )),
                },
                _ => Err(self.error(
                    &path,
                    "related_resources entries must be URLs or `{ref: URL}`",
                )),
            })
            .collect()
    }

    /// `custom.needs`: a list of data kinds.
    fn needs(&self) -> Result<Vec<DataKind>, MetaError> {
        let path = ["custom", "needs"];
        let Some(value) = self.value(&path) else {
            return Ok(Vec::new());
        };
        let known = || {
            DataKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let items = value.as_sequence().ok_or_else(|| {
            self.error(
                &path,
                format!("custom.needs must be a list of data kinds ({})", known()),
            )
        })?;
        items
            .iter()
            .map(|item| {
                item.as_str().and_then(DataKind::named).ok_or_else(|| {
                    self.error(
                        &path,
                        format!(
                            "custom.needs: `{}` is not a data kind ({})",
                            scalar(item).unwrap_or_default(),
                            known()
                        ),
                    )
                })
            })
            .collect()
    }

    /// `custom.frameworks`: framework name → one control or a list of controls.
    fn frameworks(&self) -> Result<BTreeMap<String, Vec<String>>, MetaError> {
        let mut out = BTreeMap::new();
        for name in self.keys(&["custom", "frameworks"])? {
            let path = ["custom", "frameworks", name.as_str()];
            let controls = match self.raw(&path) {
                Some(Yaml::Sequence(items)) => items.iter().map(scalar).collect::<Option<Vec<_>>>(),
                other => other.and_then(scalar).map(|c| vec![c]),
            }
            .ok_or_else(|| {
                self.error(
                    &path,
                    format!("custom.frameworks.{name} must be a control or a list of controls (strings)"),
                )
            })?;
            out.insert(name, controls);
        }
        Ok(out)
    }

    /// `custom.unmapped`: framework name → why no control of it applies. A framework
    /// that is also mapped, or a blank reason, is an error.
    fn unmapped(&self) -> Result<BTreeMap<String, String>, MetaError> {
        let mut out = BTreeMap::new();
        for name in self.keys(&["custom", "unmapped"])? {
            let path = ["custom", "unmapped", name.as_str()];
            let reason = self
                .string(&path)?
                .filter(|r| !r.is_empty())
                .ok_or_else(|| {
                    self.error(
                        &path,
                        format!("custom.unmapped.{name} must say why no control of {name} applies"),
                    )
                })?;
            if self
                .value(&["custom", "frameworks", name.as_str()])
                .is_some()
            {
                return Err(self.error(
                    &path,
                    format!(
                        "custom.unmapped.{name}: the rule also maps to {name} in custom.frameworks"
                    ),
                ));
            }
            out.insert(name, reason);
        }
        Ok(out)
    }

    /// `custom.parameters`: name → `{default, description}`.
    fn parameters(&self) -> Result<BTreeMap<String, Parameter>, MetaError> {
        let mut out = BTreeMap::new();
        for name in self.keys(&["custom", "parameters"])? {
            let path = ["custom", "parameters", name.as_str()];
            let at = |key| [path[0], path[1], path[2], key];
            if !is_identifier(&name) {
                return Err(self.error(
                    &path,
                    format!(
                        "parameter name `{name}` must be a Rego identifier (letters, digits, `_`)"
                    ),
                ));
            }
            if self.mapping(&path)?.is_none() {
                return Err(self.error(
                    &path,
                    format!("custom.parameters.{name} needs `default` and `description`"),
                ));
            }
            self.known_keys(
                &path,
                &PARAMETER_KEYS,
                "a parameter is `{default, description}`",
            )?;
            let default = self.raw(&at("default")).ok_or_else(|| {
                self.error(&path, format!("custom.parameters.{name} has no `default`"))
            })?;
            let default = serde_json::to_value(default).map_err(|e| {
                self.error(
                    &at("default"),
                    format!("custom.parameters.{name}.default is not a JSON value: {e}"),
                )
            })?;
            let description = self
                .string(&at("description"))?
                .filter(|d| !d.is_empty())
                .ok_or_else(|| {
                    self.error(
                        &path,
                        format!("custom.parameters.{name} has no `description`"),
                    )
                })?;
            let line = self.line_of(&path);
            out.insert(
                name,
                Parameter {
                    default,
                    description,
                    line,
                },
            );
        }
        Ok(out)
    }

    /// 1-based file line of the key at `path`, found by indentation; falls back to the
    /// closest ancestor found (a key inside a `{ … }` flow mapping shares its parent's line).
    fn line_of(&self, path: &[&str]) -> usize {
        let lines: Vec<&str> = self.block.yaml.lines().collect();
        let (mut found, mut start, mut parent_indent) = (None, 0, None);
        for key in path {
            let mut child_indent = None;
            let mut hit = None;
            for (i, line) in lines.iter().enumerate().skip(start) {
                let content = line.trim_start();
                if content.is_empty() || content.starts_with('#') {
                    continue;
                }
                let indent = line.len() - content.len();
                if parent_indent.is_some_and(|parent| indent <= parent)
                    || indent < *child_indent.get_or_insert(indent)
                {
                    break;
                }
                if Some(indent) == child_indent && starts_with_key(content, key) {
                    hit = Some((i, indent));
                    break;
                }
            }
            let Some((i, indent)) = hit else { break };
            (found, start, parent_indent) = (Some(i), i + 1, Some(indent));
        }
        found.map_or(self.block.line, |i| self.block.line + 1 + i)
    }
}

/// Whether a YAML line starts with `key:` (plain or quoted).
fn starts_with_key(content: &str, key: &str) -> bool {
    [String::new(), "\"".into(), "'".into()]
        .iter()
        .any(|quote| {
            content
                .strip_prefix(quote.as_str())
                .and_then(|c| c.strip_prefix(key))
                .and_then(|c| c.strip_prefix(quote.as_str()))
                .is_some_and(|c| c.starts_with(':'))
        })
}

/// A mapping key as text.
fn key_name(key: &Yaml) -> String {
    scalar(key).unwrap_or_else(|| format!("{key:?}"))
}

fn scalar(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "# METADATA
# title: T
# description: >-
#   D
# related_resources:
#   - https://example.com/a
#   - ref: https://example.com/b
#     description: B
# custom:
#   id: APIM-X-001
#   severity: high
#   remediation: defender.onboard_api
#   frameworks: { owasp-api-2023: [API2, API9], azure-policy: ee7495e7 }
#   parameters:
#     expiry_days: { default: 30, description: \"Days\" }
#     allowed:
#       default: [a, b]
#       description: Allowed values
#   owner: team-x
package apimguard.rules.api.x
";

    fn parse_text(text: &str) -> Result<RuleMeta, MetaError> {
        parse(&find_block(text).unwrap(), "data.apimguard.rules.api.x")
    }

    #[test]
    fn reads_a_complete_block() {
        let meta = parse_text(RULE).unwrap();
        assert_eq!(meta.id, "APIM-X-001");
        assert_eq!(meta.severity, Severity::High);
        assert_eq!(meta.family, "api");
        assert_eq!(meta.frameworks["owasp-api-2023"], vec!["API2", "API9"]);
        assert_eq!(meta.frameworks["azure-policy"], vec!["ee7495e7"]);
        assert_eq!(
            meta.references,
            vec!["https://example.com/a", "https://example.com/b"]
        );
        assert_eq!(
            meta.parameters["expiry_days"].default,
            serde_json::json!(30)
        );
        assert_eq!(meta.parameters["expiry_days"].line, 15);
        assert_eq!(
            meta.parameters["allowed"].default,
            serde_json::json!(["a", "b"])
        );
        assert_eq!(meta.parameters["allowed"].line, 16);
        assert!(!meta.strict);
        assert_eq!(meta.input, InputScope::Estate);
    }

    #[test]
    fn input_scope_is_read_and_checked() {
        let service = parse_text(&RULE.replace("#   owner: team-x", "#   input: service")).unwrap();
        assert_eq!(service.input, InputScope::Service);
        let bad = parse_text(&RULE.replace("#   owner: team-x", "#   input: api")).unwrap_err();
        assert_eq!(
            (bad.line, bad.message.as_str()),
            (
                19,
                "custom.input `api` must be estate, subscription or service"
            )
        );
    }

    #[test]
    fn bad_severity_points_at_its_line() {
        let err = parse_text(&RULE.replace("severity: high", "severity: severe")).unwrap_err();
        assert_eq!(err.line, 11);
        assert!(err.message.contains("severe"));
    }

    #[test]
    fn missing_id_is_an_error() {
        let err = parse_text(&RULE.replace("#   id: APIM-X-001\n", "")).unwrap_err();
        assert!(err.message.contains("custom.id"), "{}", err.message);
    }

    #[test]
    fn unknown_remediation_action_points_at_its_line() {
        let err = parse_text(&RULE.replace("defender.onboard_api", "defender.delete_everything"))
            .unwrap_err();
        assert_eq!(err.line, 12);
        assert!(
            err.message.contains("defender.enable_plan"),
            "{}",
            err.message
        );
    }

    #[test]
    fn wrong_types_point_at_their_lines() {
        let strict =
            parse_text(&RULE.replace("#   owner: team-x", "#   strict: yes please")).unwrap_err();
        assert_eq!(
            (strict.line, strict.message.as_str()),
            (19, "custom.strict must be true or false")
        );
        let params = parse_text(&RULE.replace("default: [a, b]", "defualt: [a, b]")).unwrap_err();
        assert_eq!(params.line, 17, "{}", params.message);
        let frameworks =
            parse_text(&RULE.replace("azure-policy: ee7495e7", "azure-policy: {x: 1}"))
                .unwrap_err();
        assert_eq!(frameworks.line, 13, "{}", frameworks.message);
    }

    #[test]
    fn unmapped_frameworks_need_a_reason_and_no_mapping() {
        let with = |line: &str| RULE.replace("#   owner: team-x", line);
        let meta = parse_text(&with("#   unmapped: { mcsb: \"no control applies\" }")).unwrap();
        assert_eq!(meta.unmapped["mcsb"], "no control applies");
        assert!(parse_text(RULE).unwrap().unmapped.is_empty());
        let blank = parse_text(&with("#   unmapped: { mcsb: \" \" }")).unwrap_err();
        assert_eq!(blank.line, 19);
        assert!(blank.message.contains("must say why"), "{}", blank.message);
        let both = parse_text(&with("#   unmapped: { owasp-api-2023: \"none\" }")).unwrap_err();
        assert!(both.message.contains("also maps to"), "{}", both.message);
    }

    #[test]
    fn needs_name_data_kinds() {
        let meta = parse_text(&RULE.replace(
            "#   owner: team-x",
            "#   needs: [defender-findings, alerts]",
        ))
        .unwrap();
        assert_eq!(
            meta.needs,
            vec![DataKind::DefenderFindings, DataKind::Alerts]
        );
        assert!(parse_text(RULE).unwrap().needs.is_empty());
        let err =
            parse_text(&RULE.replace("#   owner: team-x", "#   needs: [telemetry]")).unwrap_err();
        assert_eq!(err.line, 19);
        assert!(
            err.message.contains("`telemetry` is not a data kind"),
            "{}",
            err.message
        );
    }

    #[test]
    fn parameters_need_a_default_and_a_description() {
        let no_description = parse_text(&RULE.replace(", description: \"Days\"", "")).unwrap_err();
        assert_eq!(no_description.line, 15);
        assert!(no_description.message.contains("no `description`"));
        let null_default = parse_text(&RULE.replace("default: 30", "default: null")).unwrap();
        assert_eq!(
            null_default.parameters["expiry_days"].default,
            serde_json::Value::Null
        );
        let bad_name = parse_text(&RULE.replace("expiry_days:", "expiry-days:")).unwrap_err();
        assert!(
            bad_name.message.contains("Rego identifier"),
            "{}",
            bad_name.message
        );
        let start = RULE.find("#   parameters:").unwrap();
        let end = RULE.find("#   owner").unwrap();
        let text = format!("{}#   parameters: 3\n{}", &RULE[..start], &RULE[end..]);
        let not_a_map = parse_text(&text).unwrap_err();
        assert_eq!(not_a_map.line, 14);
        assert!(
            not_a_map.message.contains("must be a mapping"),
            "{}",
            not_a_map.message
        );
    }

    #[test]
    fn unknown_top_level_key_is_an_error() {
        let err =
            parse_text(&RULE.replace("# title: T", "# title: T\n# severity: high")).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("under `custom`"), "{}", err.message);
    }

    #[test]
    fn families_come_from_the_package() {
        assert_eq!(family_of("data.apimguard.rules.defender.x"), "defender");
        assert_eq!(family_of("apimguard.rules.api.sub.x"), "api");
        assert_eq!(family_of("data.acme.rules.x"), CUSTOM_FAMILY);
        assert_eq!(family_of("data.apimguard.rules.x"), CUSTOM_FAMILY);
    }

    #[test]
    fn no_block_after_package() {
        assert!(find_block("package x\n# METADATA\n# title: T\n").is_none());
    }
}
