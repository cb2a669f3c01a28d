//! Policy errors as miette diagnostics, located at the file and line at fault.

use miette::Diagnostic;
use thiserror::Error;

use super::sources::PolicySource;
use crate::diagnostic::Located;
use crate::input::TooLarge;

const REGO_HELP: &str =
    "fix the Rego at the marked spot; rules are rego.v1 (`import rego.v1`, `if`, `contains`)";
const RECURSION_HELP: &str = "Rego has no recursion (OPA refuses it, and evaluating it would exhaust the stack): rewrite the function with a comprehension, `walk`, or a fixed number of levels (one function per level)";
const CONTRACT_HELP: &str = "see docs/writing-rules.md: a rule has a METADATA block with title, custom.id and custom.severity, and defines `checked` and `deny`";

/// Why a policy set could not be loaded or run.
#[derive(Debug, Error, Diagnostic)]
pub enum PolicyError {
    /// A policy file or directory could not be read.
    #[error("cannot read policies at {path}: {source}")]
    #[diagnostic(
        code(apimguard::policy::io),
        help("give a directory of .rego files or one .rego file (`--policies`, or the DIR of `rules test`)")
    )]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A policy file over the file size cap.
    #[error(transparent)]
    #[diagnostic(transparent)]
    TooLarge(#[from] Box<TooLarge>),
    /// Rego that does not parse or compile, a recursive function, or a rule that
    /// breaks the rule contract (METADATA, `deny`, `checked`, forbidden builtins);
    /// located.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Located(Box<Located>),
    /// Two rules claim the same id.
    #[error("rule id {id} is defined twice: in {first} and in {second}")]
    #[diagnostic(
        code(apimguard::policy::duplicate_id),
        help("rule ids must be unique; give your rule its own id (built-in ids start with APIM-), or add --no-builtin when these files are a copy of the built-in pack")
    )]
    DuplicateId {
        /// The id.
        id: String,
        /// Where it was seen first.
        first: String,
        /// Where it was seen again.
        second: String,
    },
    /// Two rules whose ids differ only in case.
    #[error("rule id {id} ({path}) is rule id {first_id} ({first}) in another case: rule ids match whatever their case, so the configuration's entries and waivers would hit both")]
    #[diagnostic(
        code(apimguard::policy::id_case),
        help("give your rule an id of its own (built-in ids start with APIM-)")
    )]
    IdCase {
        /// The later id.
        id: String,
        /// Its file.
        path: String,
        /// The id seen first.
        first_id: String,
        /// Its file.
        first: String,
    },
    /// An engine error that carries no location.
    #[error("policy engine error: {message}")]
    #[diagnostic(code(apimguard::policy::engine))]
    Engine {
        /// The engine's message.
        message: String,
    },
}

impl PolicyError {
    /// A contract violation at a line of a source file.
    pub fn contract(source: &PolicySource, line: usize, message: impl Into<String>) -> Self {
        Self::contract_with_help(source, line, message, CONTRACT_HELP)
    }

    /// A contract violation at a line of a source file, with what to do about it.
    pub fn contract_with_help(
        source: &PolicySource,
        line: usize,
        message: impl Into<String>,
        help: &'static str,
    ) -> Self {
        let message = format!("{}:{line}: {}", source.path, message.into());
        PolicyError::Located(Located::new(
            "apimguard::policy::contract",
            help,
            &source.path,
            &source.text,
            line,
            1,
            message,
        ))
    }

    /// A function that calls itself, directly or through others, at its line.
    pub fn recursion(source: &PolicySource, line: usize, message: impl Into<String>) -> Self {
        PolicyError::Located(Located::new(
            "apimguard::policy::recursion",
            RECURSION_HELP,
            &source.path,
            &source.text,
            line,
            1,
            format!("{}:{line}: {}", source.path, message.into()),
        ))
    }

    /// Rego at fault at a line and column of a source file.
    pub fn rego(
        source: &PolicySource,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        PolicyError::Located(Located::new(
            "apimguard::policy::rego",
            REGO_HELP,
            &source.path,
            &source.text,
            line,
            column,
            format!("{}:{line}:{column}: {}", source.path, message.into()),
        ))
    }

    /// A rule head the engine's rule lookup cannot read (`p[[a, b]] := …`), at its line.
    pub fn unreadable_head(
        source: &PolicySource,
        line: usize,
        column: usize,
        engine: &str,
    ) -> Self {
        PolicyError::Located(Located::new(
            "apimguard::policy::rego",
            "write a composite key through a variable: `x[key] := v if { key := [a, b]; … }`",
            &source.path,
            &source.text,
            line,
            column,
            format!(
                "{}:{line}: the engine cannot read this rule head ({engine})",
                source.path
            ),
        ))
    }

    /// Locates a regorus error (`--> file:line:col … error: message`) in the sources.
    pub fn from_engine(err: &anyhow::Error, sources: &[PolicySource]) -> Self {
        let text = format!("{err:#}");
        let Some(location) = parse_location(&text) else {
            return PolicyError::Engine {
                message: text.trim().to_string(),
            };
        };
        let message = engine_message(&text);
        match sources.iter().find(|s| s.path == location.0) {
            Some(source) => PolicyError::rego(source, location.1, location.2, message),
            None => PolicyError::Engine {
                message: format!("{}:{}:{}: {message}", location.0, location.1, location.2),
            },
        }
    }
}

/// `(file, line, column)` from the first `--> file:line:col` of an engine message.
pub fn parse_location(text: &str) -> Option<(String, usize, usize)> {
    let line = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "))?;
    let mut parts = line.trim().rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let row = parts.next()?.parse().ok()?;
    Some((parts.next()?.to_string(), row, column))
}

/// The `error: …` part of an engine message (or the whole text without the excerpt).
pub fn engine_message(text: &str) -> String {
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix("error: "))
        .next_back()
        .map(str::to_string)
        .unwrap_or_else(|| text.lines().next().unwrap_or_default().trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regorus_locations() {
        let text = "--> my/rule.rego:5:12\n  |\n5 | deny if {\n  |\nerror: expecting expression";
        assert_eq!(parse_location(text), Some(("my/rule.rego".into(), 5, 12)));
        assert_eq!(engine_message(text), "expecting expression");
    }
}
