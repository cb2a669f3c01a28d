//! What a packager or a pipeline relies on: `--version` names the version, the commit
//! (from a git checkout) and the built-in pack's digest, and every report carries that
//! same string as its `tool`; `completions` and `man` print what shells and `man` read.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::{apimguard, text};

const SMALL: &str = "fixtures/check/small.json";

fn version_line() -> String {
    let out = apimguard().arg("--version").output().unwrap();
    assert!(out.status.success());
    text(&out.stdout).trim_end().to_string()
}

/// The commit of this checkout, when the crate's folder is the top of one.
fn checkout_commit() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| text(&out.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    (Path::new(&top).canonicalize().ok()? == dir.canonicalize().ok()?)
        .then(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .flatten()
}

#[test]
fn version_names_version_commit_and_builtin_pack_digest() {
    let line = version_line();
    let prefix = format!("apimguard {} (", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(&prefix), "{line}");
    let digest = line
        .split("built-in rules sha256:")
        .nth(1)
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no pack digest in {line}"));
    assert_eq!(digest.len(), 64, "{line}");
    assert!(digest.chars().all(|c| c.is_ascii_hexdigit()), "{line}");
    if let Some(commit) = checkout_commit() {
        assert!(line.contains(&format!("(commit {commit}, ")), "{line}");
    }
}

#[test]
fn every_report_names_the_version_string_as_its_tool() {
    let tool = version_line();
    let describe = tool.strip_prefix("apimguard ").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).display().to_string();
    let out = apimguard()
        .args(["check", SMALL, "--fail-on", "never", "-f"])
        .arg(format!("json:{}", at("report.json")))
        .arg("-f")
        .arg(format!("sarif:{}", at("report.sarif")))
        .arg("-f")
        .arg(format!("markdown:{}", at("report.md")))
        .arg("-f")
        .arg(format!("html:{}", at("report.html")))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let read = |name: &str| std::fs::read_to_string(at(name)).unwrap();
    let json: Value = serde_json::from_str(&read("report.json")).unwrap();
    assert_eq!(json["tool"], tool.as_str());
    let sarif: Value = serde_json::from_str(&read("report.sarif")).unwrap();
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["version"], describe);
    assert!(read("report.md").contains(&tool));
    assert!(read("report.html").contains(&tool));

    let out = apimguard()
        .args(["diff", &at("report.json"), &at("report.json"), "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let drift: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(drift["tool"], tool.as_str());
}

#[test]
fn completions_cover_every_shell_and_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = apimguard().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        for word in ["apimguard", "check", "fail-on", "remediate"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let out = apimguard().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("possible values"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn man_prints_the_page_and_writes_one_per_command() {
    let out = apimguard().arg("man").output().unwrap();
    assert!(out.status.success());
    let page = text(&out.stdout);
    assert!(page.contains(".TH apimguard 1"), "{page}");
    assert!(page.contains(&version_line()), "the page names the build");

    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    let out = apimguard()
        .arg("man")
        .arg("--dir")
        .arg(&pages)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for name in ["apimguard.1", "apimguard-check.1", "apimguard-rules-test.1"] {
        let page = std::fs::read_to_string(pages.join(name)).unwrap();
        assert!(page.contains(".TH"), "{name}");
    }
    let check = std::fs::read_to_string(pages.join("apimguard-check.1")).unwrap();
    assert!(
        check.contains("fail\\-on"),
        "the check page lists its flags"
    );
}

#[test]
fn man_into_a_file_in_the_way_fails_with_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("taken");
    std::fs::write(&file, "not a folder").unwrap();
    let out = apimguard()
        .arg("man")
        .arg("--dir")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("apimguard::output::write"), "{stderr}");
    assert!(stderr.contains("taken"), "{stderr}");
}

#[test]
fn a_failing_standard_output_is_an_error_not_a_silent_pass() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // no /dev/full on this system
    };
    for args in [&["man"][..], &["completions", "bash"], &["hook", "arm"]] {
        let out = apimguard()
            .args(args)
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains("apimguard::output::stdout_write"),
            "{args:?}"
        );
    }
}
