//! `apimguard hook KIND FILES…`: what the pre-commit hooks run. Each changed file is
//! mapped to the entry it belongs to (an ARM template, a Bicep entry file, an APIOps
//! artifacts folder), and `check` runs once per entry; the exit code is the worst one.
//!
//! How a changed file maps to its entry (docs/ci.md, "pre-commit"):
//! - `arm`: an ARM template (`$schema` …`deploymentTemplate.json#`) is its own entry; a
//!   parameters file (`…deploymentParameters.json#`) `X.parameters.json` maps to `X.json`;
//!   other JSON files are not templates and are skipped. `X.parameters.json` beside an
//!   entry `X.json` is passed as `--parameters`.
//! - `bicep`: a `.bicepparam` file is its own entry (read with the file its `using`
//!   names, and no `--parameters`); a `.bicep` file maps to the nearest `main.bicep` in its folder or a folder
//!   above it (up to the working directory: the repository's root under pre-commit), else
//!   to itself; `X.parameters.json` maps as `X.bicep` beside it does (skipped without
//!   one); `X.parameters.json` beside the entry `X.bicep` is passed as `--parameters`.
//! - `apiops`: a file maps to the outermost folder above it (up to the working directory)
//!   that directly holds an APIOps artifact folder (`apis`, `products`, `backends`, …); a
//!   changed `configuration.*.yaml` maps to the artifacts folders in its own folder.
//!   Files in no artifacts folder are skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Parser;

use super::output;
use crate::cli::{CheckArgs, HookArgs, HookKind};
use crate::iac::APIOPS_ARTIFACTS;

/// `check`'s arguments alone, to build them as the command line would.
#[derive(Debug, Parser)]
#[command(name = "apimguard check")]
struct CheckOnly {
    #[command(flatten)]
    check: CheckArgs,
}

/// Runs `check` on every entry the changed files belong to.
pub fn run(args: &HookArgs) -> miette::Result<u8> {
    let entries = entries(args.kind, &args.files);
    if entries.is_empty() {
        output::print(&format!(
            "apimguard: no {} file among the changed files\n",
            args.kind.name()
        ))?;
        return Ok(0);
    }
    let mut worst = 0;
    for (entry, changed) in &entries {
        output::print(&format!(
            "apimguard: checking {} ({changed} changed file(s))\n",
            entry.display()
        ))?;
        let argv = check_argv(args, entry);
        let parsed = CheckOnly::try_parse_from(&argv)
            .expect("the hook's own arguments make a valid check command line");
        worst = worst.max(super::check::run(&parsed.check)?);
    }
    Ok(worst)
}

/// The `check` command line for one entry.
fn check_argv(args: &HookArgs, entry: &Path) -> Vec<std::ffi::OsString> {
    let mut argv: Vec<std::ffi::OsString> = vec!["apimguard check".into()];
    // `--flag=VALUE`: a path that starts with `-` stays a value.
    let mut push = |flag: &str, value: &Path| {
        let mut arg = std::ffi::OsString::from(format!("{flag}="));
        arg.push(value.as_os_str());
        argv.push(arg);
    };
    match args.kind {
        HookKind::Arm => push("--from-arm", entry),
        HookKind::Bicep => push("--from-bicep", entry),
        HookKind::Apiops => push("--from-apiops", entry),
    }
    if args.kind != HookKind::Apiops && !is_bicepparam(entry) {
        if let Some(parameters) = parameters_of(entry) {
            push("--parameters", &parameters);
        }
    }
    if let Some(config) = &args.config {
        push("--config", config);
    }
    for dir in &args.policies {
        push("--policies", dir);
    }
    let mut flag = |name: &str, value: Option<&str>| {
        if let Some(value) = value {
            argv.push(format!("{name}={value}").into());
        }
    };
    flag("--fail-on", Some(&args.fail_on.to_string()));
    flag("--profile", args.profile.map(|p| p.name));
    flag(
        "--env",
        args.env
            .as_deref()
            .filter(|_| args.kind == HookKind::Apiops),
    );
    if args.allow_incomplete {
        argv.push("--allow-incomplete".into());
    }
    argv
}

/// The entries the changed files belong to, each with how many changed files led to it.
fn entries(kind: HookKind, files: &[PathBuf]) -> BTreeMap<PathBuf, usize> {
    let mut out = BTreeMap::new();
    for file in files {
        let found = match kind {
            HookKind::Arm => arm_entry(file).into_iter().collect(),
            HookKind::Bicep => bicep_entry(file).into_iter().collect(),
            HookKind::Apiops => apiops_entries(file),
        };
        for entry in found {
            *out.entry(entry).or_insert(0) += 1;
        }
    }
    out
}

/// `X.parameters.json` beside `X.json` or `X.bicep`.
fn parameters_of(entry: &Path) -> Option<PathBuf> {
    let stem = entry.file_stem()?.to_str()?;
    let path = entry.with_file_name(format!("{stem}.parameters.json"));
    path.is_file().then_some(path)
}

fn arm_entry(file: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(file).ok()?;
    let head: String = text.chars().take(4096).collect();
    if head.contains("deploymentTemplate.json#") {
        return Some(file.to_path_buf());
    }
    if head.contains("deploymentParameters.json#") {
        let name = file.file_name()?.to_str()?;
        let template =
            file.with_file_name(name.strip_suffix(".parameters.json")?.to_string() + ".json");
        return template.is_file().then_some(template);
    }
    None
}

/// Whether `path` is a `.bicepparam` file (its own entry: it gives its values itself).
fn is_bicepparam(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "bicepparam")
}

fn bicep_entry(file: &Path) -> Option<PathBuf> {
    if is_bicepparam(file) {
        return Some(file.to_path_buf());
    }
    let name = file.file_name()?.to_str()?;
    if let Some(stem) = name.strip_suffix(".parameters.json") {
        let bicep = file.with_file_name(format!("{stem}.bicep"));
        return bicep.is_file().then(|| bicep_entry(&bicep)).flatten();
    }
    if !name.ends_with(".bicep") {
        return None;
    }
    let main = folders_up(file)
        .into_iter()
        .map(|dir| dir.join("main.bicep"))
        .find(|main| main.is_file());
    Some(main.unwrap_or_else(|| file.to_path_buf()))
}

fn apiops_entries(file: &Path) -> Vec<PathBuf> {
    let holds = |dir: &Path| {
        APIOPS_ARTIFACTS
            .iter()
            .filter(|name| **name != "policy.xml")
            .any(|name| dir.join(name).is_dir())
    };
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if name.starts_with("configuration.") && (name.ends_with(".yaml") || name.ends_with(".yml")) {
        let dir = parent(file);
        if holds(&dir) {
            return vec![dir];
        }
        let mut children: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|read| read.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        children.retain(|child| child.is_dir() && holds(child));
        return children;
    }
    folders_up(file)
        .into_iter()
        .rev()
        .find(|dir| holds(dir))
        .into_iter()
        .collect()
}

/// The folder of `file`, as given (`.` for a bare name).
fn parent(file: &Path) -> PathBuf {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The folders from `file`'s own up to the working directory (relative paths, as
/// pre-commit passes them), nearest first. An absolute path or one leaving the working
/// directory stops at the file's own folder.
fn folders_up(file: &Path) -> Vec<PathBuf> {
    let own = parent(file);
    let inside = file.is_relative()
        && !file
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir));
    if !inside {
        return vec![own];
    }
    let mut out = vec![own.clone()];
    let mut dir = own;
    while let Some(up) = dir.parent() {
        let up = if up.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            up.to_path_buf()
        };
        if out.last() == Some(&up) {
            break;
        }
        out.push(up.clone());
        if up == Path::new(".") {
            break;
        }
        dir = up;
    }
    out
}
