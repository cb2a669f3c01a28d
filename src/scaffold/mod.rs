//! `apimguard rules new`: a new rule and its unit tests, ready to edit.
//!
//! The two templates beside this file are a complete, working rule (every API must
//! require a subscription key) with one failing and one passing test, so that
//! `apimguard rules test DIR` is green right after scaffolding and the author
//! changes a working rule instead of starting from a blank file.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crate::engine::{valid_id, Severity, CUSTOM_FAMILY};

const RULE_TEMPLATE: &str = include_str!("rule.rego.tmpl");
const TEST_TEMPLATE: &str = include_str!("rule_test.rego.tmpl");

/// Words that cannot be package segments in Rego.
const REGO_KEYWORDS: [&str; 15] = [
    "as", "contains", "default", "else", "every", "false", "if", "import", "in", "not", "null",
    "package", "some", "true", "with",
];

/// What to scaffold.
#[derive(Debug, Clone)]
pub struct NewRule {
    /// File and package name, snake_case.
    pub name: String,
    /// Family: the package segment after `apimguard.rules.`.
    pub family: String,
    /// Rule id.
    pub id: String,
    /// Severity.
    pub severity: Severity,
}

/// The two files of a new rule.
#[derive(Debug, Clone)]
pub struct Scaffold {
    /// `DIR/<family>/<name>.rego`.
    pub rule_path: PathBuf,
    /// Its text.
    pub rule_text: String,
    /// `DIR/<family>/<name>_test.rego`.
    pub test_path: PathBuf,
    /// Its text.
    pub test_text: String,
}

/// Why a rule cannot be scaffolded.
#[derive(Debug, Error, Diagnostic)]
pub enum ScaffoldError {
    /// NAME or `--family` is not a snake_case identifier.
    #[error("{what} `{value}` is not valid: {reason}")]
    #[diagnostic(
        code(apimguard::scaffold::name),
        help("use snake_case: lower-case letters, digits and `_`, starting with a letter, e.g. `https_only`")
    )]
    BadName {
        /// `NAME` or `--family`.
        what: &'static str,
        /// The value given.
        value: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// `--id` is malformed.
    #[error("`{0}` is not a valid rule id")]
    #[diagnostic(
        code(apimguard::scaffold::id),
        help("use letters, digits and dashes, e.g. ACME-API-001")
    )]
    BadId(String),
    /// The id or package is taken by a built-in rule.
    #[error("{what} `{value}` is already used by the built-in rule {rule}")]
    #[diagnostic(
        code(apimguard::scaffold::taken),
        help("pick another NAME or --id; `apimguard rules list` shows the ones in use")
    )]
    Taken {
        /// `id` or `package`.
        what: &'static str,
        /// The value.
        value: String,
        /// The built-in rule using it.
        rule: String,
    },
    /// A file to create exists already.
    #[error("{0} already exists; `rules new` never overwrites files")]
    #[diagnostic(
        code(apimguard::scaffold::exists),
        help("choose another NAME, or delete or rename the existing file")
    )]
    Exists(String),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(apimguard::scaffold::io))]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl NewRule {
    /// A validated request; `family` defaults to `custom`, `id` to `CUSTOM-<NAME>`.
    pub fn new(
        name: &str,
        family: Option<&str>,
        id: Option<&str>,
        severity: Severity,
    ) -> Result<Self, ScaffoldError> {
        check_identifier("NAME", name)?;
        if name.ends_with("_test") {
            return Err(ScaffoldError::BadName {
                what: "NAME",
                value: name.to_string(),
                reason: "names ending in `_test` are reserved for test files",
            });
        }
        let family = family.unwrap_or(CUSTOM_FAMILY);
        check_identifier("--family", family)?;
        let id = match id {
            Some(id) if valid_id(id) => id.to_string(),
            Some(id) => return Err(ScaffoldError::BadId(id.to_string())),
            None => format!("CUSTOM-{}", name.to_uppercase().replace('_', "-")),
        };
        Ok(NewRule {
            name: name.to_string(),
            family: family.to_string(),
            id,
            severity,
        })
    }

    /// The rule's package, without `data.`.
    pub fn package(&self) -> String {
        format!("apimguard.rules.{}.{}", self.family, self.name)
    }

    /// The two files, placed under `dir`.
    pub fn render(&self, dir: &Path) -> Scaffold {
        let fill = |template: &str| {
            template
                .replace("__ID__", &self.id)
                .replace("__SEVERITY__", self.severity.as_str())
                .replace("__FAMILY__", &self.family)
                .replace("__NAME__", &self.name)
        };
        let folder = dir.join(&self.family);
        Scaffold {
            rule_path: folder.join(format!("{}.rego", self.name)),
            rule_text: fill(RULE_TEMPLATE),
            test_path: folder.join(format!("{}_test.rego", self.name)),
            test_text: fill(TEST_TEMPLATE),
        }
    }
}

impl Scaffold {
    /// Creates both files (and their folder); refuses if either exists.
    pub fn write(&self) -> Result<(), ScaffoldError> {
        for path in [&self.rule_path, &self.test_path] {
            if path.exists() {
                return Err(ScaffoldError::Exists(path.display().to_string()));
            }
        }
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| ScaffoldError::Io { path, source }
        };
        let folder = self
            .rule_path
            .parent()
            .expect("the rule file is inside a folder");
        std::fs::create_dir_all(folder).map_err(io(folder))?;
        for (path, text) in [
            (&self.rule_path, &self.rule_text),
            (&self.test_path, &self.test_text),
        ] {
            // `create_new` so that a file appearing meanwhile is not overwritten either.
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
                .map_err(io(path))?;
        }
        Ok(())
    }
}

fn check_identifier(what: &'static str, value: &str) -> Result<(), ScaffoldError> {
    let bad = |reason| {
        Err(ScaffoldError::BadName {
            what,
            value: value.to_string(),
            reason,
        })
    };
    let mut chars = value.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_lowercase()) {
        return bad("it must start with a lower-case letter");
    }
    if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return bad("it may hold only lower-case letters, digits and `_`");
    }
    if value.contains("__") || value.ends_with('_') {
        return bad("`_` separates words: no doubled or trailing `_`");
    }
    if value.len() > 48 {
        return bad("it is longer than 48 characters");
    }
    if REGO_KEYWORDS.contains(&value) {
        return bad("it is a Rego keyword");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_snake_case() {
        for bad in [
            "HttpsOnly",
            "https-only",
            "1st",
            "a__b",
            "b_",
            "with",
            "x_test",
        ] {
            assert!(
                NewRule::new(bad, None, None, Severity::Low).is_err(),
                "{bad} was accepted"
            );
        }
        let rule = NewRule::new("https_only2", Some("api"), None, Severity::Low).unwrap();
        assert_eq!(rule.id, "CUSTOM-HTTPS-ONLY2");
        assert_eq!(rule.package(), "apimguard.rules.api.https_only2");
    }

    #[test]
    fn renders_into_the_family_folder() {
        let rule = NewRule::new("tls", Some("api"), Some("ACME-1"), Severity::High).unwrap();
        let files = rule.render(Path::new("p"));
        assert_eq!(files.rule_path, Path::new("p/api/tls.rego"));
        assert_eq!(files.test_path, Path::new("p/api/tls_test.rego"));
        assert!(files
            .rule_text
            .contains("package apimguard.rules.api.tls\n"));
        assert!(
            files.rule_text.contains("id: ACME-1\n")
                && files.rule_text.contains("severity: high\n")
        );
        assert!(files
            .test_text
            .contains("package apimguard.rules.api.tls_test\n"));
        assert!(!files.rule_text.contains("__") && !files.test_text.contains("__"));
    }
}
