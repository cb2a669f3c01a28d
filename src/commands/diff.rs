//! `apimguard diff OLD NEW`: what changed between two runs. Each side is a JSON
//! report (`check -f json`) or a snapshot, which is checked first with the same
//! rules and configuration.

use miette::Diagnostic;
use thiserror::Error;

use super::output;
use crate::app::check::gate;
use crate::cli::{DiffArgs, ReportFormat};
use crate::config::Config;
use crate::diagnostic::clip_message;
use crate::input::{self, Kind, TooLarge};
use crate::report::{self, Report};
use crate::snapshot::{self, LoadedSnapshot};

/// Why a side of the comparison could not be read.
#[derive(Debug, Error, Diagnostic)]
pub enum DiffError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(apimguard::diff::io))]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A side over the snapshot size cap.
    #[error(transparent)]
    #[diagnostic(transparent)]
    TooLarge(#[from] Box<TooLarge>),
    /// Text that is not JSON that can be read whole.
    #[error("{path} is not JSON apimguard can read: {message}")]
    #[diagnostic(
        code(apimguard::diff::json),
        help(
            "`diff` compares JSON reports written by `apimguard check -f json:FILE`, or snapshots"
        )
    )]
    Json {
        /// The file.
        path: String,
        /// The JSON reader's message.
        message: String,
    },
    /// A JSON document that is neither a report nor a snapshot.
    #[error("{path} is neither an apimguard report nor a snapshot")]
    #[diagnostic(
        code(apimguard::diff::input),
        help("`diff` compares two JSON reports written by `apimguard check -f json:FILE`, or two snapshots")
    )]
    Unknown {
        /// The file.
        path: String,
    },
    /// A report that does not have the report's shape.
    #[error("{path} looks like a report but cannot be read: `{json_path}`: {message}")]
    #[diagnostic(
        code(apimguard::diff::report),
        help("write reports with `apimguard check -f json:FILE` of this version; docs/report.md describes the format")
    )]
    Report {
        /// The file.
        path: String,
        /// Where in the document.
        json_path: String,
        /// What is wrong.
        message: String,
    },
}

/// A side of the comparison (or an input of `merge`).
pub(super) enum Input {
    /// A JSON report.
    Report(Box<Report>),
    /// A snapshot.
    Snapshot(Box<LoadedSnapshot>),
}

/// The formats `diff` writes.
const FORMATS: [ReportFormat; 3] = [
    ReportFormat::Human,
    ReportFormat::Json,
    ReportFormat::Markdown,
];

/// Runs `diff` and returns the exit code.
pub fn run(args: &DiffArgs) -> miette::Result<u8> {
    output::validate(&args.format, "diff", &FORMATS)?;
    let config = args.config.as_deref().map(Config::load).transpose()?;
    let old_path = args.old.display().to_string();
    let new_path = args.new.display().to_string();
    let old = read(&old_path)?;
    let new = read(&new_path)?;
    let needs_rules = matches!(old, Input::Snapshot(_)) || matches!(new, Input::Snapshot(_));
    let checker = if needs_rules {
        Some(super::checker(
            &args.policy,
            config.as_ref(),
            args.fail_on,
            args.limits.eval_options(),
        )?)
    } else {
        if config.is_some() || !args.policy.policies.is_empty() {
            crate::console::warning("both sides are reports; --config and --policies apply only to snapshots and are ignored");
        }
        None
    };
    let to_report = |input: Input| -> miette::Result<Report> {
        match input {
            Input::Report(report) => Ok(*report),
            Input::Snapshot(loaded) => checker
                .as_ref()
                .expect("rules are loaded when a side is a snapshot")
                .check(&loaded, args.allow_incomplete),
        }
    };
    // Both sides have been read: no output may overwrite one (nor another output).
    output::refuse_overwrites(&output::files(&args.format))?;
    let old = to_report(old)?;
    let new = to_report(new)?;
    let drift = report::compare(&old, &new, &old_path, &new_path, args.fail_on);
    for spec in &args.format {
        let text = match spec.format {
            ReportFormat::Json => report::render_json(&drift),
            ReportFormat::Markdown => report::render_drift_markdown(&drift),
            _ => report::render_drift_human(&drift, spec.path.is_none() && super::color_stdout()),
        };
        output::write(spec, &text)?;
    }
    Ok(gate(drift.exit_code(), args.exit_zero))
}

/// Reads a side: a snapshot when it has `schemaVersion`, a report when it has `results`.
pub(super) fn read(path: &str) -> miette::Result<Input> {
    let text = input::read_to_string(path.as_ref(), Kind::Snapshot).map_err(|e| {
        e.or_io(|source| DiffError::Io {
            path: path.to_string(),
            source,
        })
    })?;
    // A syntax error is reported by the snapshot reader, with its location.
    let mut value = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(value) => value,
        Err(e) => {
            return Err(match snapshot::load_str(path, &text) {
                Err(located) => located.into(),
                // The snapshot reader skips what it does not know without reading it.
                Ok(_) => DiffError::Json {
                    path: path.to_string(),
                    message: clip_message(e.to_string()),
                }
                .into(),
            });
        }
    };
    if value.get("schemaVersion").is_some() {
        let snapshot = snapshot::load_str(path, &text)?;
        return Ok(Input::Snapshot(Box::new(LoadedSnapshot {
            path: path.into(),
            text,
            snapshot,
        })));
    }
    if value.get("results").is_none() || value.get("summary").is_none() {
        return Err(DiffError::Unknown {
            path: path.to_string(),
        }
        .into());
    }
    // A report from an older run (or from anyone) may carry a secret in a message.
    crate::redact::redact_json(&mut value);
    serde_path_to_error::deserialize::<_, Report>(value)
        .map(|r| Input::Report(Box::new(r)))
        .map_err(|e| {
            DiffError::Report {
                path: path.to_string(),
                json_path: e.path().to_string(),
                message: clip_message(e.into_inner().to_string()),
            }
            .into()
        })
}
