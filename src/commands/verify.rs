//! `apimguard verify DIR`: re-checks the SHA-256 of every file of an evidence
//! directory and re-runs the check offline as of the recorded check time; exit 0
//! when everything matches, 2 with what differs or cannot be verified.
//!
//! The directory is untrusted: the manifest is read under the size cap and validated
//! ([`evidence::Manifest::parse`]), symbolic links are refused, files the manifest does
//! not list are reported, and nothing is written there. With `--key`, the detached
//! signature of `manifest.json` is checked first ([`signature`]); the signature files
//! (`manifest.json.sig`, `manifest.json.minisig`) are the only files the manifest
//! need not list.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::cli::{PolicyArgs, VerifyArgs};
use crate::engine::{EvalOptions, FailOn, Profile};
use crate::evidence::{self, signature, EvidenceError, Manifest, MANIFEST};
use crate::report::Report;

use super::check::load_config;
use crate::app::check::{Stopwatch, Timing};

/// Most entries walked in an evidence directory, and how deep.
const MAX_ENTRIES: usize = 20_000;
const MAX_DEPTH: usize = 8;

/// Runs `verify` and returns the exit code.
pub fn run(args: &VerifyArgs) -> miette::Result<u8> {
    let dir = &args.dir;
    let manifest_path = dir.join(MANIFEST);
    let name = manifest_path.display().to_string();
    if is_link(&manifest_path) {
        return Err(manifest_error(&name, "it is a symbolic link".into()).into());
    }
    let keys = args.key.as_deref().map(signature::load_key).transpose()?;
    let text = evidence::read_text(&manifest_path)?;
    // The signature is checked before anything the manifest says is believed.
    let sealed = match &keys {
        Some(keys) => {
            let at = signature::signature_path(dir, keys, args.signature.as_deref());
            signature::verify(keys, &at, text.as_bytes())?
        }
        None => "signature not checked (no --key)".to_string(),
    };
    let manifest = Manifest::parse(&name, &text)?;
    let mut problems = check_files(dir, &manifest);
    if problems.is_empty() {
        problems.extend(recheck(dir, &manifest)?);
    }
    if problems.is_empty() {
        super::output::print(&format!(
            "verified {}: {sealed}; {} file(s) match the manifest; re-checked as of {} with {}: the same verdicts (exit code {})\n",
            dir.display(),
            manifest.files.len(),
            day(&manifest).map(|d| d.to_string()).unwrap_or_default(),
            manifest.tool,
            manifest.exit_code
        ))?;
        return Ok(0);
    }
    Err(EvidenceError::Mismatch {
        path: dir.display().to_string(),
        count: problems.len(),
        list: problems
            .iter()
            .map(|p| format!("  - {p}"))
            .collect::<Vec<_>>()
            .join("\n"),
    }
    .into())
}

fn manifest_error(name: &str, reason: String) -> EvidenceError {
    EvidenceError::Manifest {
        path: name.to_string(),
        reason,
    }
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Every listed file: present, a plain file reached without symbolic links, of the
/// recorded size and SHA-256; and no file the manifest does not list.
fn check_files(dir: &Path, manifest: &Manifest) -> Vec<String> {
    let mut problems = Vec::new();
    for f in &manifest.files {
        let rel = evidence::safe_path(&f.path).expect("validated with the manifest");
        let mut at = dir.to_path_buf();
        let mut linked = false;
        for part in rel.components() {
            at.push(part);
            linked |= is_link(&at);
        }
        if linked {
            problems.push(format!("{}: reached through a symbolic link", f.path));
            continue;
        }
        match evidence::read_text(&at) {
            Ok(text) if evidence::sha256(text.as_bytes()) == f.sha256 => {}
            Ok(_) => problems.push(format!(
                "{}: SHA-256 differs from the manifest (the file was changed)",
                f.path
            )),
            Err(e) => problems.push(format!("{}: {e}", f.path)),
        }
    }
    let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    let mut found = Vec::new();
    if let Err(why) = walk(dir, "", 0, &mut found) {
        problems.push(why);
    }
    for path in found {
        let unlisted = ![
            MANIFEST,
            signature::SSH_SIGNATURE,
            signature::MINISIGN_SIGNATURE,
        ]
        .contains(&path.as_str());
        if unlisted && !listed.contains(path.as_str()) {
            problems.push(format!("{path}: not in the manifest"));
        }
    }
    problems
}

/// The files under `dir` (relative paths with `/`), refusing links, depth and count past the limits.
fn walk(dir: &Path, prefix: &str, depth: usize, out: &mut Vec<String>) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("{prefix}: nested deeper than evidence ever is"));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type().map_err(|e| format!("{rel}: {e}"))?;
        if out.len() >= MAX_ENTRIES {
            return Err(format!(
                "more than {MAX_ENTRIES} files: not an evidence directory"
            ));
        }
        if kind.is_symlink() {
            out.push(rel);
        } else if kind.is_dir() {
            walk(&entry.path(), &rel, depth + 1, out)?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}

/// The day of the recorded check (UTC).
fn day(manifest: &Manifest) -> Option<chrono::NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(&manifest.checked_at)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc).date_naive())
}

/// Re-runs the check from the evidence alone and compares its verdicts with the
/// recorded report. An error to run it (a rule or configuration that no longer
/// loads) is returned as such.
fn recheck(dir: &Path, manifest: &Manifest) -> miette::Result<Vec<String>> {
    let mut problems = Vec::new();
    let name = dir.join(MANIFEST).display().to_string();
    let listed = |path: &str| manifest.file(path).is_some();
    for required in ["snapshot.json", "report.json"] {
        if !listed(required) {
            problems.push(format!("{required}: not in the manifest"));
        }
    }
    let this_tool = crate::version::tool();
    if manifest.run.builtin {
        let ours: BTreeSet<(String, String)> = crate::engine::builtin_sources()
            .into_iter()
            .map(|s| {
                (
                    s.path.replacen("policies/", "rules/builtin/", 1),
                    evidence::sha256(s.text.as_bytes()),
                )
            })
            .collect();
        let theirs: BTreeSet<(String, String)> = manifest
            .files
            .iter()
            .filter(|f| f.path.starts_with("rules/builtin/"))
            .map(|f| (f.path.clone(), f.sha256.clone()))
            .collect();
        if ours != theirs {
            problems.push(format!(
                "rules/builtin: the built-in rules of the evidence ({}) are not those of {this_tool}; verify with {}",
                manifest.tool, manifest.tool
            ));
        }
    }
    let day = day(manifest).ok_or_else(|| {
        manifest_error(
            &name,
            format!("checkedAt `{}` is not a time", manifest.checked_at),
        )
    })?;
    let fail_on: FailOn = manifest
        .run
        .fail_on
        .parse()
        .map_err(|e: String| manifest_error(&name, e))?;
    let profile = Profile::named(&manifest.run.profile).ok_or_else(|| {
        manifest_error(
            &name,
            format!("profile `{}` is not known", manifest.run.profile),
        )
    })?;
    if !problems.is_empty() {
        return Ok(problems);
    }
    let user_rules = manifest
        .files
        .iter()
        .any(|f| f.path.starts_with("rules/user/"));
    let policy = PolicyArgs {
        policies: if user_rules {
            vec![dir.join("rules/user")]
        } else {
            Vec::new()
        },
        no_builtin: !manifest.run.builtin,
        profile: Some(profile),
    };
    let file = |path: &str| listed(path).then(|| dir.join(path));
    let config = load_config(
        file("config.yaml").as_deref(),
        file("waivers.yaml").as_deref(),
    )?;
    let checker = super::checker(&policy, config.as_ref(), fail_on, EvalOptions::default())?
        .judged_on(day)
        .honouring_azure_exemptions(manifest.run.honor_azure_exemptions);
    let recorded_text = evidence::read_text(&dir.join("report.json"))?;
    let recorded: Report = serde_json::from_str(&recorded_text).map_err(|e| {
        manifest_error(
            &dir.join("report.json").display().to_string(),
            e.to_string(),
        )
    })?;
    let snapshot: PathBuf = dir.join("snapshot.json");
    let text = evidence::read_text(&snapshot)?;
    let rechecked = checker.check_text(
        &snapshot,
        &text,
        manifest.run.allow_incomplete,
        false,
        &mut Stopwatch::new(Timing::Off),
    )?;
    if recorded.exit_code() != manifest.exit_code {
        problems.push(format!(
            "report.json: exit code {} where the manifest records {}",
            recorded.exit_code(),
            manifest.exit_code
        ));
    }
    problems.extend(
        evidence::differences(&recorded, &rechecked)
            .into_iter()
            .map(|d| d.0),
    );
    Ok(problems)
}
