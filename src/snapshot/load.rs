//! Reading and writing snapshot files, with errors that point at the bad spot.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use super::{Digest, Snapshot, MAX_DEPTH, SCHEMA_MINOR, SCHEMA_VERSION};
use crate::diagnostic::Located;
use crate::input::{self, Kind, TooLarge};

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
    /// The file is over the snapshot size cap.
    #[error(transparent)]
    #[diagnostic(transparent)]
    TooLarge(#[from] Box<TooLarge>),
    /// The file is not valid JSON, or not of the schema-v1 shape (located).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Located(Box<Located>),
    /// The snapshot was written for another major version of the contract.
    #[error("{path}: `schemaVersion` is {found}, this apimguard reads schema {SCHEMA_VERSION} (1.0 to 1.{SCHEMA_MINOR}, and newer 1.x minors in part)")]
    #[diagnostic(
        code(apimguard::snapshot::version),
        help("collect the snapshot again with this version of apimguard, or use an apimguard release that reads schema {found}")
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
    /// The snapshot to write nests deeper than its readers read.
    #[error("the snapshot would nest more than {MAX_DEPTH} levels deep (at {near}), deeper than apimguard reads")]
    #[diagnostic(
        code(apimguard::snapshot::too_deep),
        help("a value read from Azure or the IaC files nests deeper than any real resource; find it near the text shown and report it if it is genuine (docs/limits.md)")
    )]
    TooDeep {
        /// The text around the spot that goes too deep.
        near: String,
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
    let snapshot = parse(&path.display().to_string(), &text)?;
    Ok(LoadedSnapshot {
        path: path.to_path_buf(),
        text,
        snapshot,
    })
}

/// Reads a snapshot file's text (`-` reads standard input), refusing what no reader
/// of the snapshot could read whole (see [`MAX_DEPTH`]); the shape is not validated.
pub fn read_text(path: &Path) -> Result<String, SnapshotError> {
    let text = input::read_to_string_or_stdin(path, Kind::Snapshot).map_err(|e| {
        e.or_io(|source| SnapshotError::Io {
            path: path.display().to_string(),
            source,
        })
    })?;
    refuse_unreadable(&path.display().to_string(), &text)?;
    Ok(text)
}

/// Validates snapshot text; `name` is used in error messages.
pub fn load_str(name: &str, text: &str) -> Result<Snapshot, SnapshotError> {
    refuse_unreadable(name, text)?;
    parse(name, text)
}

/// Validates snapshot text already checked by [`refuse_unreadable`].
fn parse(name: &str, text: &str) -> Result<Snapshot, SnapshotError> {
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

/// Writes a snapshot through [`crate::output_file`]: atomically (a temporary file
/// beside the target, then a rename), replacing a link at `path` rather than following
/// it; devices and pipes (`/dev/null`) are written through.
pub fn save(snapshot: &Snapshot, path: &Path) -> Result<(), SnapshotError> {
    let mut text = to_text(snapshot, true)?;
    text.push('\n');
    crate::output_file::write_text(path, &text).map_err(|source| SnapshotError::Write {
        path: path.display().to_string(),
        source,
    })
}

/// The snapshot as JSON text (`pretty`: indented), refused when it nests deeper than
/// [`MAX_DEPTH`]: what apimguard writes, it must be able to read back.
pub fn to_text(snapshot: &Snapshot, pretty: bool) -> Result<String, SnapshotError> {
    let text = if pretty {
        serde_json::to_string_pretty(snapshot)
    } else {
        serde_json::to_string(snapshot)
    }
    .map_err(|e| SnapshotError::Write {
        path: "the snapshot".into(),
        source: e.into(),
    })?;
    match unreadable(&text) {
        Some(
            Unreadable::TooDeep(at)
            | Unreadable::NumberOutOfRange(at)
            | Unreadable::LoneSurrogate(at),
        ) => {
            let start = (0..=at.saturating_sub(60))
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            let near = text[start..at]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            Err(SnapshotError::TooDeep { near })
        }
        None => Ok(text),
    }
}

/// What JSON text holds that the typed reader would let through (it skips the
/// fields it does not know without looking into them) but every other reader of the
/// snapshot refuses: nesting past [`MAX_DEPTH`], a number too large for a double, a
/// `\u` escape of half a UTF-16 surrogate pair.
#[derive(Debug, PartialEq, Eq)]
enum Unreadable {
    TooDeep(usize),
    NumberOutOfRange(usize),
    LoneSurrogate(usize),
}

/// The bytes [`unreadable`] stops at outside strings.
static SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(
            b as u8,
            b'"' | b'{' | b'[' | b'}' | b']' | b'-' | b'0'..=b'9'
        );
        b += 1;
    }
    table
};

/// The first [`Unreadable`] spot of JSON text (a byte offset), in one pass: strings
/// are crossed with `memchr` and other bytes through a table, so the pass costs a
/// fraction of parsing (about 1.5 ns a byte).
fn unreadable(text: &str) -> Option<Unreadable> {
    let bytes = text.as_bytes();
    let (mut depth, mut at) = (0usize, 0usize);
    while let Some(&b) = bytes.get(at) {
        if !SPECIAL[usize::from(b)] {
            at += 1;
            continue;
        }
        match b {
            b'"' => {
                at += 1;
                loop {
                    // (An escape at the very end leaves `at` past the text: nothing more to scan.)
                    at += memchr::memchr2(b'"', b'\\', bytes.get(at..)?)?;
                    if bytes[at] == b'"' {
                        break;
                    }
                    match surrogates(&bytes[at..]) {
                        Surrogates::Lone => return Some(Unreadable::LoneSurrogate(at)),
                        Surrogates::Pair => at += 12,
                        Surrogates::None => at += 2,
                    }
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(Unreadable::TooDeep(at));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'-' | b'0'..=b'9' => {
                let end = bytes[at..]
                    .iter()
                    .position(|b| !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .map_or(bytes.len(), |n| at + n);
                let number = &text[at..end];
                // Short plain numbers always fit; the others are parsed as a reader would.
                let large = number.len() > 15 || number.contains(['e', 'E']);
                if large && number.parse::<f64>().is_ok_and(f64::is_infinite) {
                    return Some(Unreadable::NumberOutOfRange(at));
                }
                at = end;
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    None
}

/// What the escape that `escape` starts with is, as to UTF-16 surrogates.
enum Surrogates {
    None,
    Pair,
    /// A high surrogate not followed by a low one, or a low one alone.
    Lone,
}

fn surrogates(escape: &[u8]) -> Surrogates {
    let unit = |at: usize| {
        escape
            .get(at..at + 6)
            .filter(|e| e.starts_with(b"\\u"))
            .and_then(|e| std::str::from_utf8(&e[2..]).ok())
            .and_then(|hex| u16::from_str_radix(hex, 16).ok())
    };
    match unit(0) {
        Some(0xD800..=0xDBFF) if matches!(unit(6), Some(0xDC00..=0xDFFF)) => Surrogates::Pair,
        Some(0xD800..=0xDFFF) => Surrogates::Lone,
        _ => Surrogates::None,
    }
}

/// Refuses text that [`unreadable`] finds something in, located at it.
fn refuse_unreadable(name: &str, text: &str) -> Result<(), SnapshotError> {
    let (at, message) = match unreadable(text) {
        None => return Ok(()),
        Some(Unreadable::TooDeep(at)) => (
            at,
            format!(
                "objects and arrays nest more than {MAX_DEPTH} levels deep, the snapshot limit"
            ),
        ),
        Some(Unreadable::NumberOutOfRange(at)) => (
            at,
            "a number too large for a double-precision float".to_string(),
        ),
        Some(Unreadable::LoneSurrogate(at)) => (
            at,
            "a \\u escape of half a surrogate pair, which is no character".to_string(),
        ),
    };
    let located = Located::at_offset(
        "apimguard::snapshot::syntax",
        "the snapshot must be JSON that apimguard can read whole; was it edited by hand or written by another tool?",
        name,
        text,
        at,
        |line, column| format!("{name} cannot be read (line {line}, column {column}): {message}"),
    );
    Err(SnapshotError::Located(located))
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
                format!("s.json: `schemaVersion` is {written}, this apimguard reads schema 1 (1.0 to 1.{SCHEMA_MINOR}, and newer 1.x minors in part)")
            );
        }
        // The longest integer a double holds (a longer one is refused as a number).
        let long = "9".repeat(300);
        let err = load_str("s.json", &format!(r#"{{"schemaVersion":{long}}}"#)).unwrap_err();
        assert!(err.to_string().contains("… (300 characters)"), "{err}");
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

    fn nested(depth: usize) -> String {
        let inner = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        format!(
            r#"{{"schemaVersion":1,"collectedAt":"2026-01-01T00:00:00Z","source":{{"kind":"fixture"}},"complete":true,"gaps":[],"subscriptions":[],"x":{inner}}}"#
        )
    }

    #[test]
    fn nesting_is_read_to_the_limit_and_refused_past_it_at_its_spot() {
        // The document's own object is one level.
        let snapshot = load_str("s.json", &nested(MAX_DEPTH - 1)).unwrap();
        assert!(to_text(&snapshot, false).is_ok());
        let at = nested(0).len() - 1 + MAX_DEPTH;
        for depth in [MAX_DEPTH, 100_000] {
            let err = load_str("s.json", &nested(depth)).unwrap_err().to_string();
            assert_eq!(err, format!("s.json cannot be read (line 1, column {at}): objects and arrays nest more than 128 levels deep, the snapshot limit"));
        }
    }

    #[test]
    fn numbers_no_reader_can_hold_are_refused_at_their_spot() {
        for number in ["1e999", "-1E+400", &"9".repeat(400)] {
            let text = nested(1).replace("\"x\":", &format!("\"y\":[1.5e3,-0.25,{number}],\"x\":"));
            let err = load_str("s.json", &text).unwrap_err().to_string();
            assert!(
                err.ends_with("a number too large for a double-precision float"),
                "{err}"
            );
        }
        for escape in ["\\ud800", "\\udfff", "\\ud800\\u0041"] {
            let text = nested(1).replace("\"x\":", &format!("\"y\":\"a{escape}\",\"x\":"));
            let err = load_str("s.json", &text).unwrap_err().to_string();
            assert!(
                err.ends_with("half a surrogate pair, which is no character"),
                "{err}"
            );
        }
        let text = nested(1).replace(
            "\"x\":",
            "\"z\":\"\\ud83d\\ude00\\\\ud800\",\"y\":[1e308,\"1e999\",12345678901234567890],\"x\":",
        );
        if let Err(e) = load_str("s.json", &text) {
            panic!("{e}: {text}");
        }
    }

    #[test]
    fn text_cut_inside_a_string_escape_is_a_syntax_error() {
        for text in ["\"\\", "{\"a\": \"\\", "[\"\\u12"] {
            let err = load_str("s.json", text).unwrap_err().to_string();
            assert!(err.contains("s.json"), "{err}");
        }
    }

    #[test]
    fn a_snapshot_deeper_than_its_readers_is_not_written() {
        let mut snapshot = load_str("s.json", &nested(1)).unwrap();
        assert_eq!(unreadable(r#"{"a":"[[[[\\"[[["}"#), None);
        let mut deep = serde_json::json!("leaf");
        for _ in 0..MAX_DEPTH {
            deep = serde_json::json!([deep]);
        }
        let extra = &mut snapshot.source.extra;
        extra.insert("deep".into(), serde_json::Value::String(deep.to_string()));
        assert!(
            to_text(&snapshot, true).is_ok(),
            "a deep string is not deep JSON"
        );
        snapshot.source.extra.insert("deep".into(), deep);
        let err = to_text(&snapshot, true).unwrap_err().to_string();
        assert!(
            err.starts_with("the snapshot would nest more than 128 levels deep (at"),
            "{err}"
        );
    }
}
