//! The JSON documents `diff` and `merge` are given: each one a report (`check -f json`)
//! or a snapshot, told apart by their fields and read under the snapshot size cap; a
//! report from anyone is redacted as it is read.

use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostic::clip_message;
use crate::input::{self, Kind, TooLarge};
use crate::merge::MergeError;
use crate::report::Report;
use crate::snapshot::{self, LoadedSnapshot, Snapshot};

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

/// A JSON document given to `diff` or `merge`.
pub enum Input {
    /// A JSON report.
    Report(Box<Report>),
    /// A snapshot.
    Snapshot(Box<LoadedSnapshot>),
}

/// Reads a side: a snapshot when it has `schemaVersion`, a report when it has `results`.
pub fn read(path: &str) -> miette::Result<Input> {
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

/// Which of the two a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocumentKind {
    Snapshot,
    Report,
}

impl DocumentKind {
    /// The word for it in a message.
    fn noun(self) -> &'static str {
        match self {
            DocumentKind::Snapshot => "snapshot",
            DocumentKind::Report => "report",
        }
    }
}

impl Input {
    fn kind(&self) -> DocumentKind {
        match self {
            Input::Snapshot(_) => DocumentKind::Snapshot,
            Input::Report(_) => DocumentKind::Report,
        }
    }
}

/// The documents given to `merge`, of one kind, each with its path.
pub enum Documents {
    /// Snapshots.
    Snapshots(Vec<(String, Snapshot)>),
    /// JSON reports.
    Reports(Vec<(String, Report)>),
}

/// Reads every file of `paths`, refusing a mix of snapshots and reports.
pub fn read_same_kind(paths: &[std::path::PathBuf]) -> miette::Result<Documents> {
    let mut snapshots = Vec::new();
    let mut reports = Vec::new();
    let mut first: Option<(String, DocumentKind)> = None;
    for path in paths {
        let name = path.display().to_string();
        let input = read(&name)?;
        match &first {
            None => first = Some((name.clone(), input.kind())),
            Some((first_name, first_kind)) if *first_kind != input.kind() => {
                return Err(MergeError::MixedKinds {
                    first: first_name.clone(),
                    first_kind: first_kind.noun(),
                    second: name,
                    second_kind: input.kind().noun(),
                }
                .into());
            }
            Some(_) => {}
        }
        match input {
            Input::Snapshot(loaded) => snapshots.push((name, loaded.snapshot)),
            Input::Report(report) => reports.push((name, *report)),
        }
    }
    Ok(if reports.is_empty() {
        Documents::Snapshots(snapshots)
    } else {
        Documents::Reports(reports)
    })
}
