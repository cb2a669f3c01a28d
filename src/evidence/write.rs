//! Writing an evidence directory.

use std::path::Path;

use super::manifest::{FileEntry, Manifest, RunSettings, Scope, FORMAT, MANIFEST};
use super::{sha256, EvidenceError};
use crate::engine::PolicySource;
use crate::redact;
use crate::report::{self, Report};

/// What a `check --evidence` run keeps.
pub struct Evidence<'a> {
    /// The snapshot text as checked (redacted again before it is written).
    pub snapshot: &'a str,
    /// The report, with passing resources.
    pub report: &'a Report,
    /// The text of `--config`, if given.
    pub config: Option<&'a str>,
    /// The text of `--waivers`, if given.
    pub waivers: Option<&'a str>,
    /// Every policy file the run loaded (built-in and `--policies`).
    pub rules: &'a [PolicySource],
    /// The settings that decide the verdicts.
    pub run: RunSettings,
}

/// Refuses `-f FORMAT:PATH` outputs that would land inside the evidence directory `dir`
/// (under any name: `..` detours and symbolic links of the existing part are resolved).
/// They would be written after the manifest, unlisted, and `verify` would refuse the
/// evidence; the evidence holds its own reports. Call it before anything is written.
pub fn refuse_outputs_inside<'a>(
    dir: &Path,
    outputs: impl IntoIterator<Item = &'a Path>,
) -> Result<(), EvidenceError> {
    let root = resolved(dir);
    for path in outputs {
        if resolved(path).starts_with(&root) {
            return Err(EvidenceError::OutputInside {
                path: path.display().to_string(),
                dir: dir.display().to_string(),
            });
        }
    }
    Ok(())
}

/// `path` made absolute, its longest existing part canonical (links resolved) and the
/// rest normalized (`.` dropped, `..` going up).
fn resolved(path: &Path) -> std::path::PathBuf {
    use std::path::{Component, PathBuf};
    let absolute = std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let parts: Vec<Component> = absolute.components().collect();
    let (mut base, rest) = (0..=parts.len())
        .rev()
        .find_map(|i| {
            let prefix: PathBuf = parts[..i].iter().collect();
            prefix.canonicalize().ok().map(|real| (real, &parts[i..]))
        })
        .unwrap_or_else(|| (PathBuf::new(), &parts[..]));
    for part in rest {
        match part {
            Component::ParentDir => {
                base.pop();
            }
            Component::CurDir => {}
            other => base.push(other),
        }
    }
    base
}

/// Writes the evidence to `dir` (new or empty) and returns its manifest, written last.
pub fn write(dir: &Path, evidence: &Evidence) -> Result<Manifest, EvidenceError> {
    let io = |path: &Path, source| EvidenceError::Io {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    if std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .next()
        .is_some()
    {
        return Err(EvidenceError::NotEmpty {
            path: dir.display().to_string(),
        });
    }
    // A snapshot may come from anywhere: what is kept is what the rules saw, redacted.
    let mut document: serde_json::Value =
        serde_json::from_str(evidence.snapshot).map_err(|e| EvidenceError::Io {
            path: evidence.report.snapshot.path.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?;
    redact::document_json(&mut document);
    let scope = scope(&document, evidence.report);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            "snapshot.json".into(),
            serde_json::to_vec(&document).expect("a JSON value serializes"),
        ),
        (
            "report.json".into(),
            report::render_json(evidence.report).into_bytes(),
        ),
        (
            "report.csv".into(),
            report::render_csv(evidence.report).into_bytes(),
        ),
    ];
    if let Ok(html) = report::render_html(evidence.report) {
        files.push(("report.html".into(), html.into_bytes()));
    }
    if let Some(text) = evidence.config {
        files.push(("config.yaml".into(), text.as_bytes().to_vec()));
    }
    if let Some(text) = evidence.waivers {
        files.push(("waivers.yaml".into(), text.as_bytes().to_vec()));
    }
    let mut user = 0;
    for source in evidence.rules {
        let path = match source.path.strip_prefix("policies/") {
            Some(rest) if source.builtin => format!("rules/builtin/{rest}"),
            _ => {
                user += 1;
                format!("rules/user/{user:04}-{}", plain_name(&source.path))
            }
        };
        files.push((path, source.text.as_bytes().to_vec()));
    }
    let mut entries = Vec::with_capacity(files.len());
    for (path, bytes) in &files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&target, bytes).map_err(|e| io(&target, e))?;
        entries.push(FileEntry {
            path: path.clone(),
            sha256: sha256(bytes),
            bytes: bytes.len() as u64,
        });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        tool: evidence.report.tool.clone(),
        checked_at: evidence.report.generated_at.clone(),
        collected_at: evidence.report.snapshot.collected_at.clone(),
        scope,
        run: evidence.run.clone(),
        exit_code: evidence.report.exit_code(),
        summary: evidence.report.summary.clone(),
        files: entries,
    };
    let target = dir.join(MANIFEST);
    std::fs::write(&target, report::render_json(&manifest)).map_err(|e| io(&target, e))?;
    Ok(manifest)
}

fn scope(document: &serde_json::Value, report: &Report) -> Scope {
    let subscriptions = document["subscriptions"]
        .as_array()
        .map(|subs| {
            subs.iter()
                .filter_map(|s| s["subscriptionId"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Scope {
        source: report.snapshot.source.to_string(),
        tenant_id: document["source"]["tenantId"].as_str().map(str::to_string),
        subscriptions,
        services: report.snapshot.services,
        apis: report.snapshot.apis,
        complete: report.snapshot.complete,
        gaps: report.snapshot.gaps,
    }
}

/// A file name of letters, digits, `.`, `-` and `_` for a user policy file.
fn plain_name(path: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}
