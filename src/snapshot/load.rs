//! Reading and writing snapshot files, with errors that point at the bad spot.

use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

use super::{Snapshot, SCHEMA_VERSION};

/// A snapshot together with the text it was read from.
///
/// The engine evaluates the original text (so fields the types do not know are
/// still visible to rules); the typed view is for the tool itself.
#[derive(Debug)]
pub struct LoadedSnapshot {
    /// Where it was read from (`-` for standard input).
    pub path: PathBuf,
    /// The document as read.
    pub text: String,
    /// The validated, typed view.
    pub snapshot: Snapshot,
}

/// Why a snapshot could not be read.
#[derive(Debug, Error, Diagnostic)]
pub enum SnapshotError {
    /// The file could not be read.
    #[error("cannot read snapshot {path}: {source}")]
    #[diagnostic(
        code(apimguard::snapshot::io),
        help("check the path; `apimguard collect -o FILE` writes a snapshot")
    )]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid JSON.
    #[error("{path} is not valid JSON (line {line}, column {column}): {message}")]
    #[diagnostic(
        code(apimguard::snapshot::syntax),
        help("the snapshot must be one JSON document; was the file truncated or edited by hand?")
    )]
    Syntax {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
        /// The document, for the excerpt.
        #[source_code]
        src: NamedSource<String>,
        /// The bad spot.
        #[label("here")]
        span: SourceSpan,
    },
    /// The JSON does not have the schema-v1 shape.
    #[error("{path}: `{json_path}`: {message}")]
    #[diagnostic(
        code(apimguard::snapshot::shape),
        help("the snapshot does not follow schema v1; `apimguard schema` prints the JSON Schema, docs/snapshot.md explains each field")
    )]
    Shape {
        /// The file.
        path: String,
        /// JSON path of the offending value, for example `subscriptions[0].services[1].apis[3].auth`.
        json_path: String,
        /// What is wrong there.
        message: String,
        /// The document, for the excerpt.
        #[source_code]
        src: NamedSource<String>,
        /// The bad spot.
        #[label("here")]
        span: SourceSpan,
    },
    /// The snapshot was written for another version of the contract.
    #[error("{path}: `schemaVersion` is {found}, this apimguard reads version {SCHEMA_VERSION}")]
    #[diagnostic(
        code(apimguard::snapshot::version),
        help("collect the snapshot again with this version of apimguard, or use the apimguard release that wrote it")
    )]
    Version {
        /// The file.
        path: String,
        /// The version found.
        found: u32,
    },
    /// The snapshot could not be written.
    #[error("cannot write snapshot {path}: {source}")]
    #[diagnostic(code(apimguard::snapshot::write))]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Reads and validates a snapshot file (`-` reads standard input).
pub fn load(path: &Path) -> Result<LoadedSnapshot, SnapshotError> {
    let display = path.display().to_string();
    let text = if display == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
    .map_err(|source| SnapshotError::Io {
        path: display.clone(),
        source,
    })?;
    let snapshot = load_str(&display, &text)?;
    Ok(LoadedSnapshot {
        path: path.to_path_buf(),
        text,
        snapshot,
    })
}

/// Validates snapshot text; `name` is used in error messages.
pub fn load_str(name: &str, text: &str) -> Result<Snapshot, SnapshotError> {
    // Syntax first, so that a broken document is reported as such, not as a shape error.
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| syntax_error(name, text, &e))?;
    if let Some(found) = value.get("schemaVersion").and_then(|v| v.as_u64()) {
        if found != u64::from(SCHEMA_VERSION) {
            return Err(SnapshotError::Version {
                path: name.to_string(),
                found: u32::try_from(found).unwrap_or(u32::MAX),
            });
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, Snapshot>(&mut de).map_err(|e| {
        let json_path = e.path().to_string();
        let inner = e.into_inner();
        SnapshotError::Shape {
            path: name.to_string(),
            json_path,
            message: strip_position(&inner.to_string()),
            src: NamedSource::new(name, text.to_string()),
            span: span_at(text, inner.line(), inner.column()),
        }
    })
}

/// Writes a snapshot atomically: a temporary file beside the target, then a rename,
/// so an interrupted run never leaves a half-written snapshot behind.
pub fn save(snapshot: &Snapshot, path: &Path) -> Result<(), SnapshotError> {
    let write_err = |source| SnapshotError::Write {
        path: path.display().to_string(),
        source,
    };
    let mut text = serde_json::to_string_pretty(snapshot).map_err(|e| write_err(e.into()))?;
    text.push('\n');
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text).map_err(write_err)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        write_err(e)
    })
}

fn syntax_error(name: &str, text: &str, e: &serde_json::Error) -> SnapshotError {
    SnapshotError::Syntax {
        path: name.to_string(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
        src: NamedSource::new(name, text.to_string()),
        span: span_at(text, e.line(), e.column()),
    }
}

/// serde_json appends " at line L column C"; the diagnostic shows that itself.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Byte offset of a 1-based line and column, clamped to the text.
pub(crate) fn span_at(text: &str, line: usize, column: usize) -> SourceSpan {
    let mut offset = 0usize;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col = column.saturating_sub(1).min(l.len());
            offset += col;
            let offset = offset.min(text.len().saturating_sub(1));
            return SourceSpan::new(offset.into(), 1);
        }
        offset += l.len();
    }
    SourceSpan::new(text.len().saturating_sub(1).into(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_names_line_and_column() {
        let err = load_str("s.json", "{\n  \"schemaVersion\": 1,\n  oops\n}").unwrap_err();
        match err {
            SnapshotError::Syntax { line, column, .. } => assert_eq!((line, column), (3, 3)),
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn missing_field_names_json_path() {
        let text = r#"{"schemaVersion":1,"collectedAt":"2026-01-01T00:00:00Z","source":{"kind":"fixture"},
            "complete":true,"gaps":[],"subscriptions":[{"subscriptionId":"s","defenderForApis":null,
            "recommendations":[],"alerts":[]}]}"#;
        let err = load_str("s.json", text).unwrap_err();
        match err {
            SnapshotError::Shape { json_path, message, .. } => {
                assert_eq!(json_path, "subscriptions[0]");
                assert!(message.contains("missing field `services`"), "{message}");
            }
            other => panic!("expected a shape error, got {other:?}"),
        }
    }

    #[test]
    fn wrong_version_is_refused() {
        let err = load_str("s.json", r#"{"schemaVersion":2}"#).unwrap_err();
        assert!(matches!(err, SnapshotError::Version { found: 2, .. }));
    }
}
