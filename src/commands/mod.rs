//! One file per subcommand: argument handling and output, calling into the library.

pub mod check;
pub mod collect;
pub mod completions;
mod connection;
pub mod diff;
pub mod hook;
pub mod iac;
pub mod man;
pub mod merge;
pub mod offboard;
mod output;
pub mod remediate;
pub mod rules;
pub mod schema;
pub mod verify;

use std::io::IsTerminal;

use std::time::Duration;

use crate::app::check::Checker;
use crate::cli::{PolicyArgs, RuleLimitArgs};
use crate::config::Config;
use crate::engine::{EvalOptions, FailOn, LoadOptions, Profile};

/// Whether to colour standard output: a terminal, and `NO_COLOR` unset or empty.
pub fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Loads the rules `policy` and `config` select into a [`Checker`], and prints its
/// warnings on standard error.
fn checker<'a>(
    policy: &PolicyArgs,
    config: Option<&'a Config>,
    fail_on: FailOn,
    options: EvalOptions,
) -> miette::Result<Checker<'a>> {
    let checker = Checker::new(&policy.load_options(), config, fail_on, options)?;
    for warning in checker.warnings() {
        crate::console::warning(warning);
    }
    Ok(checker)
}

impl PolicyArgs {
    /// The engine load options these arguments ask for, to run rules: the rules of
    /// `--profile`, or of the default profile (baseline) when none is named.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            no_builtin: self.no_builtin,
            paths: self.policies.clone(),
            include_tests: false,
            profile: Some(self.profile.unwrap_or_else(Profile::default_profile)),
        }
    }

    /// The load options to browse rules: only the rules of `--profile` when one is
    /// named, otherwise every rule.
    pub fn browse_options(&self) -> LoadOptions {
        LoadOptions {
            profile: self.profile,
            ..self.load_options()
        }
    }
}

impl RuleLimitArgs {
    /// The evaluation options these limits ask for (the rest default).
    pub fn eval_options(&self) -> EvalOptions {
        EvalOptions {
            rule_timeout: Duration::from_secs(self.rule_timeout),
            memory_limit: self.memory_limit.map(|size| size.0),
            ..EvalOptions::default()
        }
    }
}
