//! The configuration file as written: serde types that mirror the YAML.
//!
//! Every key is known (`deny_unknown_fields`), and leaf values that have a form
//! (rule ids, globs, dates, non-empty text) are checked while they are read, so
//! that each error carries the line and column of the value at fault.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::engine::Severity;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    /// Which rules run.
    #[serde(default)]
    pub rules: RawRules,
    /// Severity overrides, by rule id.
    #[serde(default)]
    pub severity: BTreeMap<RuleId, Severity>,
    /// Rule parameters, passed to rules as `data.apimguard.config`.
    #[serde(default)]
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// Accepted findings.
    #[serde(default)]
    pub waivers: Vec<RawWaiver>,
    /// Whether Azure exemptions waive the findings they cover (`--honor-azure-exemptions`).
    #[serde(default, rename = "honorAzureExemptions")]
    pub honor_azure_exemptions: bool,
}

/// `rules:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRules {
    /// Rule ids or globs not to evaluate.
    #[serde(default)]
    pub disable: Vec<Glob>,
    /// Rule ids or globs to evaluate even when `disable` matches them.
    #[serde(default)]
    pub enable: Vec<Glob>,
}

/// One entry of `waivers:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWaiver {
    /// The rule id.
    pub rule: RuleId,
    /// The resource id, or a glob over resource ids.
    pub resource: Glob,
    /// Why the finding is accepted.
    pub reason: Text,
    /// Who accepted it.
    pub owner: Text,
    /// Last day the waiver applies (`YYYY-MM-DD`).
    pub expires: Date,
}

/// A rule id: letters, digits, `-`, `_`, `.`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct RuleId(pub String);

/// An exact value or a glob (`*`, `?`, `[…]`), not empty.
#[derive(Debug, Clone)]
pub(super) struct Glob(pub String);

/// Text that is not blank.
#[derive(Debug, Clone)]
pub(super) struct Text(pub String);

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Date(pub NaiveDate);

/// Deserializes a string and checks it with `check`, which returns the value or why not.
fn checked_string<'de, D, T>(
    deserializer: D,
    expecting: &'static str,
    check: fn(String) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct StringVisitor<T> {
        expecting: &'static str,
        check: fn(String) -> Result<T, String>,
    }
    impl<T> Visitor<'_> for StringVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.check)(v.to_string()).map_err(E::custom)
        }
    }
    deserializer.deserialize_str(StringVisitor { expecting, check })
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        checked_string(deserializer, "a rule id such as APIM-DEF-001", |s| {
            let s = s.trim().to_string();
            if !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                Ok(RuleId(s))
            } else {
                Err(format!(
                    "`{s}` is not a rule id (letters, digits and dashes, e.g. APIM-DEF-001; globs are not allowed here)"
                ))
            }
        })
    }
}

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        checked_string(deserializer, "an id or a glob", |s| {
            let s = s.trim().to_string();
            if s.is_empty() {
                return Err("must not be empty".into());
            }
            super::Pattern::new(&s)
                .map(|_| Glob(s))
                .map_err(|e| e.to_string())
        })
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        checked_string(deserializer, "text", |s| {
            let s = s.trim().to_string();
            if s.is_empty() {
                Err("must not be empty: an auditor needs to see who accepted what, and why".into())
            } else {
                Ok(Text(s))
            }
        })
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        checked_string(deserializer, "a date written YYYY-MM-DD", |s| {
            // chrono also takes `2027-3-1`; the file promises one way of writing a date.
            let written = s.trim();
            let shaped = written.len() == 10 && written.as_bytes()[4] == b'-';
            NaiveDate::parse_from_str(written, "%Y-%m-%d")
                .ok()
                .filter(|_| shaped)
                .map(Date)
                .ok_or_else(|| format!("`{s}` is not a date written YYYY-MM-DD"))
        })
    }
}
