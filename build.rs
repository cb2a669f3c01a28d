//! Build script: rebuild when the built-in rule pack changes, and record the git commit
//! this binary is built from.
//!
//! `include_dir!` embeds `policies/`, but on stable Rust the compiler cannot track the
//! files it reads, hence `rerun-if-changed=policies`.
//!
//! The commit is set as `APIMGUARD_GIT_COMMIT` only when the crate's own folder is the top
//! of a git checkout and `git` answers; a crate tarball (or a copy vendored inside another
//! repository) builds without it, and `--version` then names no commit.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=policies");
    let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from) else {
        return;
    };
    if let Some(commit) = git_commit(&manifest_dir) {
        println!("cargo:rustc-env=APIMGUARD_GIT_COMMIT={commit}");
    }
}

/// The short commit of `HEAD` when `dir` is the top of a git work tree, and the files
/// whose change moves `HEAD` (so a new commit rebuilds the version string).
fn git_commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(Path::new(&top), dir) {
        return None;
    }
    for file in ["HEAD", "packed-refs"] {
        rerun_on_git_path(dir, file);
    }
    if let Some(reference) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        rerun_on_git_path(dir, &reference);
    }
    let commit = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    commit
        .chars()
        .all(|c| c.is_ascii_hexdigit())
        .then_some(commit)
}

fn rerun_on_git_path(dir: &Path, name: &str) {
    if let Some(path) = git(dir, &["rev-parse", "--git-path", name]) {
        let path = dir.join(path);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

/// `git ARGS` run in `dir`: its trimmed standard output, or `None` if git is missing or
/// fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}
