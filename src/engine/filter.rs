//! Selecting rules by severity, family, framework and profile (`rules list`).

use std::str::FromStr;

use super::{Profile, Rule, Severity};

/// A framework, or one control of it: `owasp-api-2023` or `owasp-api-2023:API2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkFilter {
    /// The framework key of `custom.frameworks`, e.g. `owasp-api-2023`.
    pub framework: String,
    /// One of its controls, e.g. `API2`; `None` matches any control.
    pub control: Option<String>,
}

impl FromStr for FrameworkFilter {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (framework, control) = match s.split_once(':') {
            Some((f, c)) => (f.trim(), Some(c.trim())),
            None => (s.trim(), None),
        };
        if framework.is_empty() || control.is_some_and(str::is_empty) {
            return Err(format!(
                "`{s}` is not a framework filter (expected FRAMEWORK or FRAMEWORK:CONTROL, e.g. owasp-api-2023:API2)"
            ));
        }
        Ok(FrameworkFilter {
            framework: framework.to_string(),
            control: control.map(str::to_string),
        })
    }
}

impl FrameworkFilter {
    /// Whether `rule` maps to this framework (and control). Names compare without case.
    pub fn matches(&self, rule: &Rule) -> bool {
        rule.meta.frameworks.iter().any(|(framework, controls)| {
            framework.eq_ignore_ascii_case(&self.framework)
                && self
                    .control
                    .as_ref()
                    .is_none_or(|want| controls.iter().any(|c| c.eq_ignore_ascii_case(want)))
        })
    }
}

/// Which rules to show; every criterion left empty matches every rule.
#[derive(Debug, Clone, Default)]
pub struct RuleFilter {
    /// Only rules at or above this severity.
    pub min_severity: Option<Severity>,
    /// Only rules of one of these families.
    pub families: Vec<String>,
    /// Only rules mapped to this framework (and control).
    pub framework: Option<FrameworkFilter>,
    /// Only rules this profile selects.
    pub profile: Option<&'static Profile>,
}

impl RuleFilter {
    /// Whether `rule` passes every criterion.
    pub fn matches(&self, rule: &Rule) -> bool {
        self.min_severity
            .is_none_or(|min| rule.meta.severity >= min)
            && (self.families.is_empty()
                || self
                    .families
                    .iter()
                    .any(|f| f.eq_ignore_ascii_case(&rule.meta.family)))
            && self.framework.as_ref().is_none_or(|f| f.matches(rule))
            && self.profile.is_none_or(|p| p.includes(rule))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_framework_filters() {
        let f: FrameworkFilter = "owasp-api-2023:API2".parse().unwrap();
        assert_eq!(f.framework, "owasp-api-2023");
        assert_eq!(f.control.as_deref(), Some("API2"));
        assert_eq!("psrule".parse::<FrameworkFilter>().unwrap().control, None);
        assert!("owasp:".parse::<FrameworkFilter>().is_err());
        assert!(":API2".parse::<FrameworkFilter>().is_err());
    }
}
