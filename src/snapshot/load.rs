//! Reading and writing snapshot files, with errors that point at the bad spot.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use super::{Digest, Snapshot, SCHEMA_VERSION};
use crate::diagnostic::Located;

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

impl LoadedSnapshot {
    /// What a report needs to know about the snapshot.
    pub fn digest(&self) -> Digest {
        Digest::of(&self.snapshot)
    }
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
    /// The file is not valid JSON, or not of the schema-v1 shape (located).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Located(Box<Located>),
    /// The snapshot was written for another version of the contract.
    #[error("{path}: `schemaVersion` is {found}, this apimguard reads version {SCHEMA_VERSION}")]
    #[diagnostic(
        code(apimguard::snapshot::version),
        help("collect the snapshot again with this version of apimguard, or use the apimguard release that wrote it")
    )]
    Version {
        /// The file.
        path: String,
        /// The version found, as written (clipped).
        found: String,
    },
    /// A snapshot that says it is complete and records gaps.
    #[error("{path} says `complete: true` but records {gaps} gap(s): it contradicts itself, so neither can be trusted")]
    #[diagnostic(
        code(apimguard::snapshot::contradiction),
        help("a collector that could not read something writes `complete: false`; collect again, and check where this file was edited")
    )]
    Contradiction {
        /// The file.
        path: String,
        /// How many gaps it records.
        gaps: usize,
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
    let text = read_text(path)?;
    let snapshot = load_str(&path.display().to_string(), &text)?;
    Ok(LoadedSnapshot {
        path: path.to_path_buf(),
        text,
        snapshot,
    })
}

/// Reads a snapshot file's text without validating it (`-` reads standard input).
pub fn read_text(path: &Path) -> Result<String, SnapshotError> {
    let display = path.display().to_string();
    if display == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        crate::input_file::read_to_string(path)
    }
    .map_err(|source| SnapshotError::Io {
        path: display,
        source,
    })
}

/// Validates snapshot text; `name` is used in error messages.
pub fn load_str(name: &str, text: &str) -> Result<Snapshot, SnapshotError> {
    // One pass on the happy path; the error path works out which error to report.
    let mut de = serde_json::Deserializer::from_str(text);
    let err = match serde_path_to_error::deserialize::<_, Snapshot>(&mut de) {
        Ok(snapshot) => {
            de.end().map_err(|e| syntax_error(name, text, &e))?;
            if snapshot.schema_version != SCHEMA_VERSION {
                return Err(version_error(name, &snapshot.schema_version.to_string()));
            }
            check_contract(name, &snapshot)?;
            return Ok(snapshot);
        }
        Err(err) => err,
    };
    let json_path = err.path().to_string();
    let inner = err.into_inner();
    // A document of another schema version fails on shape (or on a number too large to
    // read, for a huge version); say so rather than name a field.
    if let Some(found) = other_version(text) {
        return Err(version_error(name, found));
    }
    if !inner.is_data() {
        return Err(syntax_error(name, text, &inner));
    }
    Err(SnapshotError::Located(Located::new(
        "apimguard::snapshot::shape",
        "the snapshot does not follow schema v1; `apimguard schema` prints the JSON Schema, docs/snapshot.md explains each field",
        name,
        text,
        inner.line(),
        inner.column(),
        format!("{name}: `{json_path}`: {}", strip_position(&inner.to_string())),
    )))
}

fn version_error(name: &str, found: &str) -> SnapshotError {
    const SHOWN: usize = 40;
    let found = match found.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}… ({} characters)", &found[..end], found.len()),
        None => found.to_string(),
    };
    SnapshotError::Version {
        path: name.to_string(),
        found,
    }
}

/// The top-level `schemaVersion` as written, when it is an integer other than this
/// build's (of any size: `99999999999999999999` is reported as given).
fn other_version(text: &str) -> Option<&str> {
    #[derive(serde::Deserialize)]
    struct VersionOnly<'a> {
        #[serde(rename = "schemaVersion", borrow)]
        schema_version: Option<&'a serde_json::value::RawValue>,
    }
    let found = serde_json::from_str::<VersionOnly>(text)
        .ok()?
        .schema_version?
        .get();
    let digits = found.strip_prefix('-').unwrap_or(found);
    let integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    (integer && found != SCHEMA_VERSION.to_string()).then_some(found)
}

/// What the contract says beyond the shape: a complete snapshot records no gap.
fn check_contract(name: &str, snapshot: &Snapshot) -> Result<(), SnapshotError> {
    if snapshot.complete && !snapshot.gaps.is_empty() {
        return Err(SnapshotError::Contradiction {
            path: name.to_string(),
            gaps: snapshot.gaps.len(),
        });
    }
    Ok(())
}

/// Writes a snapshot atomically: a temporary file beside the target, then a rename,
/// so an interrupted run never leaves a half-written snapshot behind. A target that is
/// not a regular file (`/dev/null`, a pipe, a link) is written through instead: a rename
/// would replace the device or the link with a file.
pub fn save(snapshot: &Snapshot, path: &Path) -> Result<(), SnapshotError> {
    let write_err = |source| SnapshotError::Write {
        path: path.display().to_string(),
        source,
    };
    let mut text = serde_json::to_string_pretty(snapshot).map_err(|e| write_err(e.into()))?;
    text.push('\n');
    if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
        return std::fs::write(path, text).map_err(write_err);
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text).map_err(write_err)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        write_err(e)
    })
}

fn syntax_error(name: &str, text: &str, e: &serde_json::Error) -> SnapshotError {
    SnapshotError::Located(Located::new(
        "apimguard::snapshot::syntax",
        "the snapshot must be one JSON document; was the file truncated or edited by hand?",
        name,
        text,
        e.line(),
        e.column(),
        format!(
            "{name} is not valid JSON (line {}, column {}): {}",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        ),
    ))
}

/// serde_json appends " at line L column C"; the diagnostic shows that itself.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_names_line_and_column() {
        let err = load_str("s.json", "{\n  \"schemaVersion\": 1,\n  oops\n}").unwrap_err();
        assert_eq!(
            err.to_string(),
            "s.json is not valid JSON (line 3, column 3): key must be a string"
        );
    }

    #[test]
    fn missing_field_names_json_path() {
        let text = r#"{"schemaVersion":1,"collectedAt":"2026-01-01T00:00:00Z","source":{"kind":"fixture"},
            "complete":true,"gaps":[],"subscriptions":[{"subscriptionId":"s","defenderForApis":null,
            "recommendations":[],"alerts":[]}]}"#;
        let err = load_str("s.json", text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "s.json: `subscriptions[0]`: missing field `services`"
        );
    }

    /// `collect -o /dev/null` (or a pipe) must write to it, not rename a file over it.
    #[cfg(unix)]
    #[test]
    fn saving_to_a_pipe_writes_through_it() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                std::fs::File::open(fifo)
                    .unwrap()
                    .read_to_string(&mut text)
                    .unwrap();
                text
            })
        };
        let text = r#"{"schemaVersion":1,"collectedAt":"2026-01-01T00:00:00Z","source":{"kind":"fixture"},"complete":true,"gaps":[],"subscriptions":[]}"#;
        let snapshot = load_str("s.json", text).unwrap();
        save(&snapshot, &fifo).unwrap();
        let read = reader.join().unwrap();
        assert!(read.contains("\"schemaVersion\": 1"), "{read}");
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(!kind.is_file(), "the pipe is still a pipe");
    }

    #[test]
    fn wrong_version_is_refused() {
        let err = load_str("s.json", r#"{"schemaVersion":2}"#).unwrap_err();
        assert!(matches!(err, SnapshotError::Version { ref found, .. } if found == "2"));
    }

    #[test]
    fn a_version_of_any_size_is_reported_as_written() {
        for written in ["99999999999999999999", "-1", "4294967296"] {
            let err = load_str("s.json", &format!(r#"{{"schemaVersion":{written}}}"#)).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("s.json: `schemaVersion` is {written}, this apimguard reads version 1")
            );
        }
        let long = "9".repeat(100_000);
        let err = load_str("s.json", &format!(r#"{{"schemaVersion":{long}}}"#)).unwrap_err();
        assert!(err.to_string().contains("… (100000 characters)"), "{err}");
    }

    #[test]
    fn a_complete_snapshot_with_gaps_is_refused() {
        let text = r#"{"schemaVersion":1,"collectedAt":"2026-01-01T00:00:00Z","source":{"kind":"fixture"},"complete":true,
            "gaps":[{"scope":"/subscriptions/s","what":"apis","error":"403"}],"subscriptions":[]}"#;
        let err = load_str("s.json", text).unwrap_err();
        assert!(
            matches!(err, SnapshotError::Contradiction { gaps: 1, .. }),
            "{err}"
        );
        let incomplete = text.replace(r#""complete":true"#, r#""complete":false"#);
        assert!(load_str("s.json", &incomplete).is_ok());
    }
}
