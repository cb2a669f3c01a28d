//! The configuration file (`--config apimguard.yaml`): which rules run, severity
//! overrides, rule parameters and waivers. See `docs/configuration.md`.
//!
//! It is read in two steps, as cargo-deny reads `deny.toml`: `raw` holds the file
//! as written (strict about unknown keys, every error located at its line), and
//! [`Config`] is the validated form the rest of the tool uses (compiled globs,
//! parsed dates, lookups).

mod raw;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use globset::{GlobBuilder, GlobMatcher};
use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostic::Located;
use crate::input::{self, Kind, TooLarge};

const CONFIG_HELP: &str = "docs/configuration.md lists every key: rules (disable, enable), severity, parameters, waivers (rule, resource, reason, owner, expires)";
use crate::engine::Severity;

/// Why a configuration file could not be used.
#[derive(Debug, Error, Diagnostic)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration {path}: {source}")]
    #[diagnostic(
        code(apimguard::config::io),
        help("`--config` takes a YAML file; apimguard.example.yaml shows every key")
    )]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is over the file size cap.
    #[error(transparent)]
    #[diagnostic(transparent)]
    TooLarge(#[from] Box<TooLarge>),
    /// The file is not valid YAML, has an unknown key, or a value of the wrong form
    /// (located: `file:line:column: message`).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<Located>),
}

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: String,
    disable: Vec<Pattern>,
    enable: Vec<Pattern>,
    severity: BTreeMap<String, Severity>,
    /// Rule parameters: the object rules read as `data.apimguard.config`.
    pub parameters: serde_json::Value,
    /// Waivers, in file order.
    pub waivers: Vec<Waiver>,
    /// `honorAzureExemptions`: Azure exemptions in force and scoped waive the findings
    /// they cover, like waivers (docs/audits.md#azure-exemptions).
    pub honor_azure_exemptions: bool,
}

/// An accepted finding: one rule, one resource (or a glob of them), until a date.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// The rule id.
    pub rule: String,
    /// The resource id or glob, as written.
    pub resource: String,
    /// Why the finding is accepted.
    pub reason: String,
    /// Who accepted it.
    pub owner: String,
    /// The last day on which the waiver applies.
    pub expires: NaiveDate,
    matcher: Pattern,
}

/// A rule id or resource id, exact or glob; matched without regard to case
/// (ARM ids are case-insensitive). `*` also matches `/`.
#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    glob: Option<GlobMatcher>,
}

impl Pattern {
    /// Compiles a pattern; text without `*`, `?` or `[` is matched exactly.
    pub fn new(text: &str) -> Result<Pattern, globset::Error> {
        let glob = if text.contains(['*', '?', '[']) {
            Some(
                GlobBuilder::new(text)
                    .case_insensitive(true)
                    .literal_separator(false)
                    .build()?
                    .compile_matcher(),
            )
        } else {
            None
        };
        Ok(Pattern {
            text: text.to_string(),
            glob,
        })
    }

    /// Whether `value` matches.
    pub fn matches(&self, value: &str) -> bool {
        match &self.glob {
            Some(glob) => glob.is_match(value),
            None => self.text.eq_ignore_ascii_case(value),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Waiver {
    /// Whether this waiver is about this finding.
    pub fn covers(&self, rule_id: &str, resource: &str) -> bool {
        self.rule.eq_ignore_ascii_case(rule_id) && self.matcher.matches(resource)
    }

    /// Whether the waiver no longer applies on `today` (it applies through its `expires` day).
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        today > self.expires
    }

    /// Whether this waiver's pattern covers every one of `resources` (at least one) of
    /// its rule: a waiver of the whole rule in effect, which waives tomorrow's new
    /// resources too. An exact resource id is never such a blanket.
    pub fn covers_all<'r>(&self, resources: impl IntoIterator<Item = &'r str>) -> bool {
        let mut resources = resources.into_iter().peekable();
        self.matcher.glob.is_some()
            && resources.peek().is_some()
            && resources.all(|r| self.matcher.matches(r))
    }
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let (display, text) = read(path)?;
        Config::parse(&display, &text)
    }

    /// Validates configuration text; `name` is used in error messages.
    pub fn parse(name: &str, text: &str) -> Result<Config, ConfigError> {
        let invalid = |e: serde_yaml::Error| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let message = e.to_string();
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            ConfigError::Invalid(Located::new(
                "apimguard::config::invalid",
                CONFIG_HELP,
                name,
                text,
                line,
                column,
                format!("{name}:{line}:{column}: {message}"),
            ))
        };
        if let Some(at) = crate::nesting::yaml_flow_too_deep(text) {
            return Err(ConfigError::Invalid(Located::at_offset(
                "apimguard::config::depth",
                "no configuration nests brackets this deep (docs/limits.md)",
                name,
                text,
                at,
                |line, column| {
                    format!(
                        "{name}:{line}:{column}: `[`/`{{` nest more than {} levels deep",
                        crate::nesting::MAX_YAML_FLOW
                    )
                },
            )));
        }
        // A file of comments only is an empty configuration.
        let empty = matches!(
            serde_yaml::from_str::<serde_yaml::Value>(text).map_err(invalid)?,
            serde_yaml::Value::Null
        );
        let raw: raw::RawConfig = if empty {
            raw::RawConfig::default()
        } else {
            serde_yaml::from_str(text).map_err(invalid)?
        };
        refuse_case_variants(name, text, &raw)?;
        refuse_deep_parameters(name, text, &raw)?;
        Ok(Config::from_raw(name, raw))
    }

    /// Reads a waivers file (`--waivers`): the configuration's `waivers:` key alone,
    /// with the same checks; any other key is refused at its line.
    pub fn load_waivers(path: &Path) -> Result<Vec<Waiver>, ConfigError> {
        let (display, text) = read(path)?;
        Config::parse_waivers(&display, &text)
    }

    /// Validates the text of a waivers file; `name` is used in error messages.
    pub fn parse_waivers(name: &str, text: &str) -> Result<Vec<Waiver>, ConfigError> {
        let config = Config::parse(name, text)?;
        let other = [
            (
                "rules",
                !config.disable.is_empty() || !config.enable.is_empty(),
            ),
            ("severity", !config.severity.is_empty()),
            (
                "parameters",
                config.parameters.as_object().is_some_and(|p| !p.is_empty()),
            ),
            ("honorAzureExemptions", config.honor_azure_exemptions),
        ]
        .into_iter()
        .find(|(_, present)| *present);
        if let Some((key, _)) = other {
            let line = line_of_key(text, key);
            return Err(ConfigError::Invalid(Located::new(
                "apimguard::config::waivers_only",
                "a waivers file holds only `waivers:`; put rules, severity and parameters in the file given to --config",
                name,
                text,
                line,
                1,
                format!("{name}:{line}:1: `{key}` does not belong in a waivers file"),
            )));
        }
        Ok(config.waivers)
    }

    /// A configuration that changes nothing, named `path`: the base that `--waivers`
    /// adds to when there is no `--config`.
    pub fn empty(path: &str) -> Config {
        Config::from_raw(path, raw::RawConfig::default())
    }

    fn from_raw(name: &str, raw: raw::RawConfig) -> Config {
        // The globs were compiled once already while reading, so this cannot fail.
        let pattern = |g: &raw::Glob| Pattern::new(&g.0).expect("validated while reading");
        Config {
            path: name.to_string(),
            disable: raw.rules.disable.iter().map(pattern).collect(),
            enable: raw.rules.enable.iter().map(pattern).collect(),
            severity: raw.severity.into_iter().map(|(id, s)| (id.0, s)).collect(),
            parameters: serde_json::Value::Object(raw.parameters),
            honor_azure_exemptions: raw.honor_azure_exemptions,
            waivers: raw
                .waivers
                .into_iter()
                .map(|w| Waiver {
                    matcher: pattern(&w.resource),
                    rule: w.rule.0,
                    resource: w.resource.0,
                    reason: w.reason.0,
                    owner: w.owner.0,
                    expires: w.expires.0,
                })
                .collect(),
        }
    }

    /// Whether a rule is evaluated: not matched by `rules.disable`, or matched by `rules.enable`.
    pub fn is_enabled(&self, rule_id: &str) -> bool {
        !self.disable.iter().any(|p| p.matches(rule_id))
            || self.enable.iter().any(|p| p.matches(rule_id))
    }

    /// The severity the configuration gives a rule, if it overrides the rule's own.
    pub fn severity_of(&self, rule_id: &str) -> Option<Severity> {
        self.severity
            .iter()
            .find(|(id, _)| id.eq_ignore_ascii_case(rule_id))
            .map(|(_, s)| *s)
    }

    /// One warning for each waiver of `rule_id` in force on `today` whose resource pattern
    /// matches all of the rule's `checked` resources (see [`Waiver::covers_all`]).
    pub fn blanket_waivers<'r>(
        &self,
        rule_id: &str,
        checked: impl IntoIterator<Item = &'r str> + Clone,
        today: NaiveDate,
    ) -> Vec<String> {
        self.waivers
            .iter()
            .filter(|w| w.rule.eq_ignore_ascii_case(rule_id) && !w.is_expired(today))
            .filter(|w| w.covers_all(checked.clone()))
            .map(|w| {
                let count = checked.clone().into_iter().count();
                format!(
                    "{}: waiver `{}` matches all {count} resource(s) of {rule_id}, so it waives the whole rule (and every resource added later); disable the rule instead (`rules: {{disable: [{rule_id}]}}`) or narrow the pattern",
                    self.path, w.resource
                )
            })
            .collect()
    }

    /// One warning for each rule id or pattern in the file that matches none of
    /// `rule_ids` (usually a typo, or a rule that is not loaded).
    pub fn unmatched(&self, rule_ids: &[&str]) -> Vec<String> {
        let matches_any = |p: &Pattern| rule_ids.iter().any(|id| p.matches(id));
        let mut warnings = Vec::new();
        for (key, patterns) in [
            ("rules.disable", &self.disable),
            ("rules.enable", &self.enable),
        ] {
            for p in patterns.iter().filter(|p| !matches_any(p)) {
                warnings.push(format!(
                    "{}: {key} `{}` matches no loaded rule",
                    self.path,
                    p.as_str()
                ));
            }
        }
        for id in self.severity.keys() {
            if !rule_ids.iter().any(|r| r.eq_ignore_ascii_case(id)) {
                warnings.push(format!(
                    "{}: severity override for `{id}`, which is not a loaded rule",
                    self.path
                ));
            }
        }
        for w in &self.waivers {
            if !rule_ids.iter().any(|r| r.eq_ignore_ascii_case(&w.rule)) {
                warnings.push(format!(
                    "{}: waiver for rule `{}`, which is not a loaded rule",
                    self.path, w.rule
                ));
            }
        }
        warnings
    }
}

/// A configuration or waivers file's name as shown, and its text (under the file cap).
fn read(path: &Path) -> Result<(String, String), ConfigError> {
    let display = path.display().to_string();
    let text = input::read_to_string(path, Kind::File).map_err(|e| {
        e.or_io(|source| ConfigError::Io {
            path: display.clone(),
            source,
        })
    })?;
    Ok((display, text))
}

/// Deepest nesting of a rule parameter's value. Rules read parameters as
/// `data.apimguard.config`, inside the engine's data document, whose reader stops at
/// 128 levels; real parameters nest two or three.
pub const MAX_PARAMETER_DEPTH: usize = 64;

/// Refuses a parameter whose value nests past [`MAX_PARAMETER_DEPTH`], at its key.
fn refuse_deep_parameters(name: &str, text: &str, raw: &raw::RawConfig) -> Result<(), ConfigError> {
    for (key, value) in &raw.parameters {
        let mut stack = vec![(value, 1usize)];
        let mut deepest = 0;
        while let Some((value, depth)) = stack.pop() {
            deepest = deepest.max(depth);
            match value {
                serde_json::Value::Array(items) => {
                    stack.extend(items.iter().map(|v| (v, depth + 1)))
                }
                serde_json::Value::Object(map) => {
                    stack.extend(map.values().map(|v| (v, depth + 1)))
                }
                _ => {}
            }
        }
        if deepest > MAX_PARAMETER_DEPTH {
            let line = line_of_key(text, key);
            return Err(ConfigError::Invalid(Located::new(
                "apimguard::config::depth",
                "no rule needs a parameter this deep; flatten it (docs/limits.md)",
                name,
                text,
                line,
                1,
                format!("{name}:{line}:1: parameter `{key}` nests more than {MAX_PARAMETER_DEPTH} levels deep"),
            )));
        }
    }
    Ok(())
}

/// The 1-based line where `key` is written as a mapping key (1 when not found).
fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .trim_start_matches(['"', '\''])
                .starts_with(key)
        })
        .map_or(1, |i| i + 1)
}

/// Rule ids match whatever their case, so two severity overrides of one rule that differ
/// only in case would leave which one wins to key order: refused at the second key.
fn refuse_case_variants(name: &str, text: &str, raw: &raw::RawConfig) -> Result<(), ConfigError> {
    let ids: Vec<&str> = raw.severity.keys().map(|id| id.0.as_str()).collect();
    for (i, id) in ids.iter().enumerate() {
        let Some(first) = ids[..i].iter().find(|o| o.eq_ignore_ascii_case(id)) else {
            continue;
        };
        let line = line_of_key(text, id);
        return Err(ConfigError::Invalid(Located::new(
            "apimguard::config::invalid",
            CONFIG_HELP,
            name,
            text,
            line,
            1,
            format!("{name}:{line}:1: severity sets `{id}` and `{first}`, which name the same rule (rule ids match whatever their case): keep one"),
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
rules:
  disable: [APIM-POL-*, APIM-DEF-002]
  enable: [APIM-POL-003]
severity:
  APIM-DEF-001: high
parameters:
  allowedProtocols: [https]
waivers:
  - rule: APIM-DEF-001
    resource: /subscriptions/*/resourceGroups/RG-DEV/*
    reason: sandbox, no customer data
    owner: platform-team@contoso.com
    expires: 2026-12-31
";

    #[test]
    fn expiry_dates_are_written_yyyy_mm_dd_only() {
        let waiver = |date: &str| {
            format!("waivers:\n  - rule: APIM-DEF-001\n    resource: x\n    reason: r\n    owner: o\n    expires: {date}\n")
        };
        for date in ["2027-3-1", "31/03/2027", "2027-02-30"] {
            let (line, message) = invalid(&waiver(date));
            assert_eq!(line, 6, "{date}");
            assert!(
                message.contains("is not a date written YYYY-MM-DD"),
                "{message}"
            );
        }
        assert!(Config::parse("c.yaml", &waiver("2027-03-01")).is_ok());
    }

    #[test]
    fn severity_overrides_of_one_rule_in_two_cases_are_refused() {
        let (line, message) = invalid("severity:\n  APIM-DEF-001: high\n  apim-def-001: info\n");
        assert_eq!(line, 3);
        assert!(message.contains("name the same rule"), "{message}");
    }

    fn invalid(text: &str) -> (usize, String) {
        match Config::parse("c.yaml", text).unwrap_err() {
            ConfigError::Invalid(located) => {
                let mut parts = located.message.splitn(4, ':');
                let line = parts.nth(1).unwrap().parse().unwrap();
                (line, parts.nth(1).unwrap().trim().to_string())
            }
            other => panic!("expected an invalid-config error, got {other:?}"),
        }
    }

    #[test]
    fn reads_every_key() {
        let config = Config::parse("c.yaml", FILE).unwrap();
        assert!(!config.is_enabled("APIM-POL-001"));
        assert!(config.is_enabled("APIM-POL-003"));
        assert!(!config.is_enabled("apim-def-002"));
        assert!(config.is_enabled("APIM-DEF-001"));
        assert_eq!(config.severity_of("APIM-DEF-001"), Some(Severity::High));
        assert_eq!(
            config.parameters["allowedProtocols"],
            serde_json::json!(["https"])
        );
        let w = &config.waivers[0];
        assert!(w.covers(
            "APIM-DEF-001",
            "/subscriptions/1/resourcegroups/rg-dev/providers/x/apis/a"
        ));
        assert!(!w.covers(
            "APIM-DEF-001",
            "/subscriptions/1/resourceGroups/rg-prod/providers/x/apis/a"
        ));
        assert!(!w.is_expired(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()));
        assert!(w.is_expired(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()));
    }

    #[test]
    fn unknown_key_names_its_line() {
        let (line, message) = invalid(&FILE.replace("  enable:", "  enabel:"));
        assert_eq!(line, 3);
        assert!(message.contains("unknown field `enabel`"), "{message}");
    }

    #[test]
    fn waiver_needs_owner_and_a_date() {
        let (line, message) = invalid(&FILE.replace("    owner: platform-team@contoso.com\n", ""));
        assert!(message.contains("missing field `owner`"), "{message}");
        assert_eq!(line, 9);
        let (line, message) = invalid(&FILE.replace("2026-12-31", "31/12/2026"));
        assert_eq!(line, 13);
        assert!(message.contains("YYYY-MM-DD"), "{message}");
        let (line, message) = invalid(&FILE.replace("sandbox, no customer data", "''"));
        assert_eq!(line, 11);
        assert!(message.contains("must not be empty"), "{message}");
    }

    #[test]
    fn bad_severity_and_rule_id_are_located() {
        let (line, _) = invalid(&FILE.replace("APIM-DEF-001: high", "APIM-DEF-001: severe"));
        assert_eq!(line, 5);
        let (line, message) = invalid(&FILE.replace("  - rule: APIM-DEF-001", "  - rule: APIM-*"));
        assert_eq!(line, 9);
        assert!(message.contains("not a rule id"), "{message}");
    }

    #[test]
    fn the_example_file_is_valid() {
        let config = Config::parse(
            "apimguard.example.yaml",
            include_str!("../../apimguard.example.yaml"),
        )
        .unwrap();
        assert_eq!(config.waivers.len(), 2);
        assert!(config.is_enabled("APIM-POL-002") && !config.is_enabled("APIM-POL-001"));
    }

    #[test]
    fn parameters_nested_past_the_limit_are_refused_at_their_key() {
        let nested = |n: usize| {
            format!(
                "parameters:\n  shallow: 1\n  deep: {}{}\n",
                "[".repeat(n),
                "]".repeat(n)
            )
        };
        assert!(Config::parse("c.yaml", &nested(MAX_PARAMETER_DEPTH)).is_ok());
        let (line, message) = invalid(&nested(MAX_PARAMETER_DEPTH + 1));
        assert_eq!(line, 3);
        assert_eq!(message, "parameter `deep` nests more than 64 levels deep");
        let (line, message) = invalid(&nested(100_000));
        assert_eq!(line, 3);
        assert_eq!(message, "`[`/`{` nest more than 128 levels deep");
    }

    #[test]
    fn comments_only_is_empty() {
        let config = Config::parse("c.yaml", "# nothing yet\n").unwrap();
        assert!(config.is_enabled("APIM-DEF-001"));
        assert!(config.waivers.is_empty());
    }

    #[test]
    fn a_waiver_that_matches_every_checked_resource_is_a_blanket() {
        let text = FILE.replace(
            "/subscriptions/*/resourceGroups/RG-DEV/*",
            "/subscriptions/*",
        );
        let config = Config::parse("c.yaml", &text).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let both = ["/subscriptions/1/apis/a", "/subscriptions/2/apis/b"];
        let warnings = config.blanket_waivers("apim-def-001", both, today);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("matches all 2 resource(s) of apim-def-001"));
        assert!(config.blanket_waivers("APIM-DEF-001", [], today).is_empty());
        let narrow = Config::parse("c.yaml", FILE).unwrap();
        let dev = "/subscriptions/1/resourceGroups/rg-dev/x";
        let prod = "/subscriptions/1/resourceGroups/rg-prod/x";
        assert!(narrow
            .blanket_waivers("APIM-DEF-001", [dev, prod], today)
            .is_empty());
        let expired = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert!(config
            .blanket_waivers("APIM-DEF-001", both, expired)
            .is_empty());
    }

    #[test]
    fn unmatched_ids_are_warned_about() {
        let config = Config::parse("c.yaml", FILE).unwrap();
        let warnings = config.unmatched(&["APIM-DEF-001", "APIM-POL-003"]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("APIM-DEF-002"));
    }

    #[test]
    fn honouring_azure_exemptions_is_a_key_of_the_configuration_only() {
        let config = Config::parse("c.yaml", "honorAzureExemptions: true\n").unwrap();
        assert!(config.honor_azure_exemptions);
        assert!(
            !Config::parse("c.yaml", "{}\n")
                .unwrap()
                .honor_azure_exemptions
        );
        let err = Config::parse_waivers("w.yaml", "honorAzureExemptions: true\nwaivers: []\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`honorAzureExemptions` does not belong"),
            "{err}"
        );
    }
}
