//! Writing a command's outputs: each `--format FORMAT[:PATH]` to its file, or to
//! standard output.

use std::io::Write;
use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

use crate::cli::{OutputSpec, ReportFormat};

/// Why the outputs could not be written.
#[derive(Debug, Error, Diagnostic)]
pub enum OutputError {
    /// Two formats asked for standard output.
    #[error("both `{first}` and `{second}` would write to standard output")]
    #[diagnostic(
        code(apimguard::output::stdout),
        help("give all but one format a file, for example `-f human -f sarif:apimguard.sarif`")
    )]
    SharedStdout {
        /// The first format.
        first: String,
        /// The second one.
        second: String,
    },
    /// A format this command does not write.
    #[error("`{command}` cannot write {format}")]
    #[diagnostic(
        code(apimguard::output::format),
        help("`{command}` writes: {supported}")
    )]
    Unsupported {
        /// The command.
        command: &'static str,
        /// The format asked for.
        format: String,
        /// The formats it does write.
        supported: String,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(apimguard::output::write))]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The lower-case name of a format, as on the command line.
pub fn name(format: ReportFormat) -> String {
    format!("{format:?}").to_lowercase()
}

/// Checks that `command` supports every format asked for and that at most one
/// of them takes standard output.
pub fn validate(
    specs: &[OutputSpec],
    command: &'static str,
    supported: &[ReportFormat],
) -> Result<(), OutputError> {
    if let Some(bad) = specs.iter().find(|s| !supported.contains(&s.format)) {
        return Err(OutputError::Unsupported {
            command,
            format: name(bad.format),
            supported: supported
                .iter()
                .map(|f| name(*f))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let mut on_stdout = specs.iter().filter(|s| s.path.is_none());
    if let (Some(first), Some(second)) = (on_stdout.next(), on_stdout.next()) {
        return Err(OutputError::SharedStdout {
            first: name(first.format),
            second: name(second.format),
        });
    }
    Ok(())
}

/// Writes one rendered output to its file (creating missing directories) or to standard output.
pub fn write(spec: &OutputSpec, text: &str) -> Result<(), OutputError> {
    match &spec.path {
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            Ok(())
        }
        Some(path) => write_file(path, text).map_err(|source| OutputError::Write {
            path: path.display().to_string(),
            source,
        }),
    }
}

fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}
