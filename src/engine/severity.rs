//! Rule severities and the gate threshold built on them.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How bad a failing rule is, from `info` to `critical`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never a risk on its own.
    Info,
    /// Low risk.
    Low,
    /// Medium risk.
    Medium,
    /// High risk.
    High,
    /// Critical risk: fix first.
    Critical,
}

impl Severity {
    /// Every severity, most severe first (the order of reports).
    pub const DESCENDING: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lower-case name used in METADATA and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}` (expected info, low, medium, high or critical)"
            )),
        }
    }
}

/// The `--fail-on` threshold: the lowest severity that fails the run, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Findings at or above this severity fail the run.
    AtLeast(Severity),
    /// Findings never fail the run (exit 0 unless apimguard could not decide).
    Never,
}

impl FailOn {
    /// Whether an unwaived finding of this severity fails the run.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::AtLeast(threshold) => severity >= threshold,
            FailOn::Never => false,
        }
    }
}

impl FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("never") {
            return Ok(FailOn::Never);
        }
        s.parse::<Severity>()
            .map(FailOn::AtLeast)
            .map_err(|e| format!("{e}, or never"))
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailOn::AtLeast(s) => s.fmt(f),
            FailOn::Never => f.write_str("never"),
        }
    }
}

/// Written as its `--fail-on` value (`high`, `never`), as reports carry it.
impl Serialize for FailOn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FailOn {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_is_written_as_its_flag_value() {
        for (gate, text) in [
            (FailOn::Never, "\"never\""),
            (FailOn::AtLeast(Severity::High), "\"high\""),
        ] {
            assert_eq!(serde_json::to_string(&gate).unwrap(), text);
            assert_eq!(serde_json::from_str::<FailOn>(text).unwrap(), gate);
        }
        assert!(serde_json::from_str::<FailOn>("\"sometimes\"").is_err());
    }

    #[test]
    fn threshold_compares_by_severity() {
        let gate: FailOn = "high".parse().unwrap();
        assert!(gate.fails(Severity::Critical));
        assert!(gate.fails(Severity::High));
        assert!(!gate.fails(Severity::Medium));
        assert!(!"never".parse::<FailOn>().unwrap().fails(Severity::Critical));
        assert!("severe".parse::<FailOn>().is_err());
    }
}
