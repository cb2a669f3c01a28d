//! Control frameworks (MCSB, NIST SP 800-53, PCI DSS, ISO/IEC 27001, CIS Azure,
//! OWASP API Top 10): the catalogue of each framework's controls that apply to API
//! Management, so that a framework view can tell a control no rule of the run covers
//! ("not assessed") from one that passed. Summaries are apimguard's own words; the
//! sources of the rule mappings are in docs/frameworks.md.

use std::sync::OnceLock;

use miette::Diagnostic;
use serde::Deserialize;
use thiserror::Error;

use crate::engine::FrameworkFilter;

/// One framework of the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// The key rules use under `custom.frameworks`, e.g. `nist-800-53`.
    pub name: String,
    /// Its full name.
    pub title: String,
    /// The version the control ids are taken from.
    pub version: String,
    /// A remark shown with the framework's view (for example why it has no controls).
    #[serde(default)]
    pub note: Option<String>,
    /// The controls that apply to API Management, in the framework's order.
    pub controls: Vec<Control>,
}

/// One control of a framework.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// The framework's id, e.g. `SC-8(1)` or `A.8.24`.
    pub id: String,
    /// apimguard's one-line summary.
    pub title: String,
}

/// A `--framework` that names no framework of the catalogue.
#[derive(Debug, Error, Diagnostic)]
#[error("`{name}` is not a framework apimguard knows (known: {known})")]
#[diagnostic(
    code(apimguard::framework::unknown),
    help("pass one of the known names, optionally with a control (e.g. nist-800-53:SC-8); docs/frameworks.md lists each framework's controls")
)]
pub struct UnknownFramework {
    name: String,
    known: String,
}

/// A `--framework NAME:CONTROL` whose control is not in the framework's catalogue.
#[derive(Debug, Error, Diagnostic)]
#[error("`{control}` is not a control of {framework} that apimguard knows")]
#[diagnostic(
    code(apimguard::framework::unknown_control),
    help("docs/frameworks.md lists the controls of each framework that apply to API Management")
)]
pub struct UnknownControl {
    framework: String,
    control: String,
}

/// Every framework of the catalogue, in a fixed order.
pub fn catalogue() -> &'static [Framework] {
    static CATALOGUE: OnceLock<Vec<Framework>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        serde_yaml::from_str(include_str!("catalogue.yaml"))
            .expect("the embedded framework catalogue is valid (tested)")
    })
}

/// The framework named `name` (without regard to case).
pub fn find(name: &str) -> Option<&'static Framework> {
    catalogue()
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
}

/// Checks that every filter names a known framework, and a known control of it.
pub fn validate(filters: &[FrameworkFilter]) -> miette::Result<()> {
    for filter in filters {
        let framework = find(&filter.framework).ok_or_else(|| UnknownFramework {
            name: filter.framework.clone(),
            known: catalogue()
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
        if let Some(control) = &filter.control {
            if !framework
                .controls
                .iter()
                .any(|c| c.id.eq_ignore_ascii_case(control))
            {
                return Err(UnknownControl {
                    framework: framework.name.clone(),
                    control: control.clone(),
                }
                .into());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_reads_and_ids_are_unique() {
        let names: Vec<&str> = catalogue().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "mcsb",
                "nist-800-53",
                "pci-dss-4",
                "iso-27001",
                "cis-azure",
                "owasp-api-2023"
            ]
        );
        for f in catalogue() {
            let mut ids: Vec<&str> = f.controls.iter().map(|c| c.id.as_str()).collect();
            ids.sort_unstable();
            let before = ids.len();
            ids.dedup();
            assert_eq!(before, ids.len(), "{} repeats a control", f.name);
        }
    }

    /// A control id misspelt in a rule's METADATA would show as "not in the catalogue"
    /// beside a catalogued control that stays "not assessed": refused here.
    #[test]
    fn every_builtin_mapping_names_a_catalogued_control() {
        let set = crate::engine::PolicySet::load(&Default::default()).unwrap();
        for rule in set.rules() {
            for (name, controls) in &rule.meta.frameworks {
                let Some(framework) = find(name) else {
                    continue;
                };
                for control in controls {
                    assert!(
                        framework.controls.iter().any(|c| &c.id == control),
                        "{}: {name}:{control} is not in the catalogue",
                        rule.meta.id
                    );
                }
            }
            for name in rule.meta.unmapped.keys() {
                assert!(
                    find(name).is_some(),
                    "{}: custom.unmapped names {name}, not a framework of the catalogue",
                    rule.meta.id
                );
            }
            for name in ["mcsb", "nist-800-53"] {
                assert!(
                    rule.meta.frameworks.contains_key(name)
                        || rule.meta.unmapped.contains_key(name),
                    "{} maps to no {name} control and does not say why (custom.unmapped)",
                    rule.meta.id
                );
            }
        }
    }

    #[test]
    fn validate_refuses_unknown_names_and_controls() {
        let parse = |s: &str| s.parse::<FrameworkFilter>().unwrap();
        assert!(validate(&[parse("NIST-800-53:sc-8(1)"), parse("mcsb")]).is_ok());
        assert!(validate(&[parse("nist")]).is_err());
        assert!(validate(&[parse("mcsb:XX-9")]).is_err());
    }
}
