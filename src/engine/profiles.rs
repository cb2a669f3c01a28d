//! Profiles: named selections of rules for `check --profile` and `rules list --profile`.
//!
//! Every profile is one row of [`PROFILES`]; this table is the only place they are
//! defined (docs/profiles.md describes them for users):
//!
//! | profile | built-in rules | rules from `--policies` |
//! |---|---|---|
//! | `baseline` (default) | every rule without `strict: true` | every rule without `strict: true` |
//! | `strict` | every rule | every rule |
//! | `defender` | family `defender`, without `strict: true` | every rule without `strict: true` |
//!
//! A rule marked `strict: true` in its METADATA runs only in the `strict` profile. A
//! profile's family list narrows the built-in pack only: the user asked for their own
//! rules by passing `--policies`.

use super::Rule;

/// A named selection of rules.
#[derive(Debug, PartialEq, Eq)]
pub struct Profile {
    /// The name given to `--profile`.
    pub name: &'static str,
    /// One line for help texts and docs.
    pub summary: &'static str,
    /// Whether rules marked `strict: true` are included.
    pub strict: bool,
    /// The built-in families included; `None` includes every family.
    pub families: Option<&'static [&'static str]>,
}

/// Every profile; the first one is the default.
pub const PROFILES: [Profile; 3] = [
    Profile {
        name: "baseline",
        summary:
            "every rule not marked `strict: true` (what check, remediate and diff run by default)",
        strict: false,
        families: None,
    },
    Profile {
        name: "strict",
        summary: "every rule, including those marked `strict: true`",
        strict: true,
        families: None,
    },
    Profile {
        name: "defender",
        summary: "the built-in `defender` family (Defender for APIs posture), plus your own rules",
        strict: false,
        families: Some(&["defender"]),
    },
];

impl Profile {
    /// The profile used when none is named: `baseline`.
    pub fn default_profile() -> &'static Profile {
        &PROFILES[0]
    }

    /// The profile called `name`, if there is one.
    pub fn named(name: &str) -> Option<&'static Profile> {
        PROFILES.iter().find(|p| p.name == name)
    }

    /// Whether this profile selects `rule`.
    pub fn includes(&self, rule: &Rule) -> bool {
        let strict_ok = self.strict || !rule.meta.strict;
        let family_ok = !rule.builtin
            || self
                .families
                .is_none_or(|families| families.contains(&rule.meta.family.as_str()));
        strict_ok && family_ok
    }

    /// The names of the profiles that select `rule`, in table order.
    pub fn names_including(rule: &Rule) -> Vec<&'static str> {
        PROFILES
            .iter()
            .filter(|p| p.includes(rule))
            .map(|p| p.name)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::metadata::{family_of, RuleMeta};
    use crate::engine::Severity;

    fn rule(package: &str, strict: bool, builtin: bool) -> Rule {
        Rule {
            meta: RuleMeta {
                id: "X-1".into(),
                title: "T".into(),
                description: String::new(),
                severity: Severity::Low,
                family: family_of(package),
                recommendation: None,
                remediation: None,
                frameworks: Default::default(),
                unmapped: Default::default(),
                parameters: Default::default(),
                strict,
                input: Default::default(),
                needs: Vec::new(),
                references: Vec::new(),
            },
            package: package.into(),
            path: "x.rego".into(),
            builtin,
        }
    }

    #[test]
    fn profiles_select_by_strictness_and_family() {
        let api = rule("data.apimguard.rules.api.x", false, true);
        let strict_api = rule("data.apimguard.rules.api.y", true, true);
        let defender = rule("data.apimguard.rules.defender.x", false, true);
        let user = rule("data.acme.x", false, false);
        let strict_user = rule("data.acme.y", true, false);
        assert_eq!(Profile::names_including(&api), vec!["baseline", "strict"]);
        assert_eq!(Profile::names_including(&strict_api), vec!["strict"]);
        assert_eq!(
            Profile::names_including(&defender),
            vec!["baseline", "strict", "defender"]
        );
        assert_eq!(
            Profile::names_including(&user),
            vec!["baseline", "strict", "defender"]
        );
        assert_eq!(Profile::names_including(&strict_user), vec!["strict"]);
    }

    #[test]
    fn the_default_is_baseline() {
        assert_eq!(Profile::default_profile().name, "baseline");
        assert_eq!(Profile::named("defender").map(|p| p.name), Some("defender"));
        assert!(Profile::named("paranoid").is_none());
    }
}
