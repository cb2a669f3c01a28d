//! One file per subcommand: argument handling and output, calling into the library.

pub mod check;
pub mod collect;
pub mod rules;
pub mod schema;

use std::io::IsTerminal;

use crate::cli::PolicyArgs;
use crate::engine::LoadOptions;

/// Whether to colour standard output: a terminal, and `NO_COLOR` unset or empty.
pub fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

impl PolicyArgs {
    /// The engine load options these arguments ask for.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            no_builtin: self.no_builtin,
            paths: self.policies.clone(),
            include_tests: false,
        }
    }
}
