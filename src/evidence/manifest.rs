//! The manifest of an evidence directory (`manifest.json`) and the checks of its paths.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::EvidenceError;
use crate::report::Summary;

/// The manifest's `format`.
pub const FORMAT: &str = "apimguard-evidence/1";
/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// Most files a manifest may list (a rule pack is a few hundred files).
const MAX_FILES: usize = 10_000;

/// What `manifest.json` records.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// `apimguard <version>`, as `--version` and the reports' `tool`.
    pub tool: String,
    /// When the check ran (RFC 3339, UTC): waivers are judged against this day.
    pub checked_at: String,
    /// When the snapshot was collected.
    pub collected_at: String,
    /// What was checked.
    pub scope: Scope,
    /// How the check ran.
    pub run: RunSettings,
    /// The exit code of the check.
    pub exit_code: u8,
    /// The report's counts.
    pub summary: Summary,
    /// Every other file of the directory, with its SHA-256.
    pub files: Vec<FileEntry>,
}

/// What a check looked at.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scope {
    /// `arm`, `iac` or `fixture`.
    pub source: String,
    /// The Entra tenant, when the snapshot records one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The subscriptions of the snapshot.
    pub subscriptions: Vec<String>,
    /// APIM services.
    pub services: usize,
    /// APIs.
    pub apis: usize,
    /// Whether the collector read everything.
    pub complete: bool,
    /// Scopes it could not read.
    pub gaps: usize,
}

/// The settings of the check that decide its verdicts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunSettings {
    /// `--fail-on`.
    pub fail_on: String,
    /// `--profile`.
    pub profile: String,
    /// Whether the built-in pack was loaded (its files are under `rules/builtin/`).
    pub builtin: bool,
    /// `--allow-incomplete`.
    pub allow_incomplete: bool,
    /// `--framework` views of the reports.
    #[serde(default)]
    pub frameworks: Vec<String>,
    /// The configuration file given (copied as `config.yaml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// The waivers file given (copied as `waivers.yaml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waivers: Option<String>,
    /// Whether Azure exemptions waived findings (`--honor-azure-exemptions` or the
    /// configuration's `honorAzureExemptions`); `verify` re-runs with the same choice.
    #[serde(default)]
    pub honor_azure_exemptions: bool,
}

/// One file of the evidence.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileEntry {
    /// Its path relative to the directory, with `/`.
    pub path: String,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
}

impl Manifest {
    /// Parses and validates a manifest: the format, the number of files, and every
    /// path (see [`safe_path`]).
    pub fn parse(name: &str, text: &str) -> Result<Manifest, EvidenceError> {
        let bad = |reason: String| EvidenceError::Manifest {
            path: name.to_string(),
            reason,
        };
        let manifest: Manifest = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if manifest.format != FORMAT {
            return Err(bad(format!(
                "format `{}`, expected `{FORMAT}`",
                manifest.format
            )));
        }
        if manifest.files.len() > MAX_FILES {
            return Err(bad(format!(
                "{} files listed, more than the {MAX_FILES} evidence ever holds",
                manifest.files.len()
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for f in &manifest.files {
            safe_path(&f.path).ok_or_else(|| {
                bad(format!(
                    "`{}` is not a plain relative path inside the directory",
                    f.path
                ))
            })?;
            if !seen.insert(f.path.to_ascii_lowercase()) || f.path == MANIFEST {
                return Err(bad(format!("`{}` is listed twice", f.path)));
            }
            if f.sha256.len() != 64 || !f.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad(format!("`{}` has no SHA-256", f.path)));
            }
        }
        Ok(manifest)
    }

    /// The entry of `path`, if listed.
    pub fn file(&self, path: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// `path` as a relative path of plain names (no root, drive, `.` or `..`, no
/// backslash or control character), or `None`.
pub fn safe_path(path: &str) -> Option<PathBuf> {
    if path.is_empty()
        || path.len() > 512
        || path.contains(['\\', ':'])
        || path.chars().any(char::is_control)
    {
        return None;
    }
    let p = Path::new(path);
    p.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_safe() {
        assert!(safe_path("rules/builtin/api/https_only.rego").is_some());
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "./a",
            "a\\..\\b",
            "C:x",
            "a\nb",
        ] {
            assert!(safe_path(bad).is_none(), "{bad:?}");
        }
    }
}
