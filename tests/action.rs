//! The GitHub Action (`action.yml`), run as the runner would run it: each `run:` step in
//! bash with its `env:` evaluated from the inputs, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`
//! and `GITHUB_PATH` as temporary files, and the built binary on `PATH`. `uses:` steps
//! (the cache, the SARIF upload) are not run: the test records whether they would run and
//! with what. The install step is not run either (it downloads or builds); the resolve
//! step finds the built binary on `PATH` and plans no install.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use serde_yaml::Value as Yaml;

const PLANTED: &str = "PLANTED-ACTION-SECRET";

/// One run of the action.
struct Run {
    /// Step id → its outputs.
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// Step id → success | failure | skipped.
    outcomes: BTreeMap<String, String>,
    /// `uses:` steps that would run, with their evaluated `with:`.
    used: Vec<(String, BTreeMap<String, String>)>,
    /// The job summary.
    summary: String,
    /// Everything the steps printed.
    log: String,
    /// The exit code of the last step that failed (the job's result), or 0.
    exit: i32,
}

struct Runner {
    inputs: BTreeMap<String, String>,
    github: BTreeMap<String, String>,
    workspace: tempfile::TempDir,
    env: Vec<(String, String)>,
}

fn action() -> Yaml {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn scalar(value: &Yaml) -> String {
    match value {
        Yaml::String(s) => s.clone(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Null => String::new(),
        other => panic!("not a scalar: {other:?}"),
    }
}

impl Runner {
    fn new(inputs: &[(&str, &str)]) -> Self {
        let action = action();
        let mut all = BTreeMap::new();
        for (name, input) in action["inputs"].as_mapping().unwrap() {
            all.insert(scalar(name), scalar(&input["default"]));
        }
        for (name, value) in inputs {
            assert!(all.contains_key(*name), "action.yml has no input {name}");
            all.insert(name.to_string(), value.to_string());
        }
        let github = [
            ("event_name", "push"),
            ("repository", "contoso/apim"),
            ("actor", "alice"),
            ("action_repository", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        Runner {
            inputs: all,
            github,
            workspace: tempfile::tempdir().unwrap(),
            env: Vec::new(),
        }
    }

    fn github(mut self, name: &str, value: &str) -> Self {
        self.github.insert(name.into(), value.into());
        self
    }

    fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// A workspace file (for inputs that name one).
    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.workspace.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    fn run(&self) -> Run {
        let action = action();
        let temp = tempfile::tempdir().unwrap();
        let summary = temp.path().join("summary.md");
        std::fs::write(&summary, "").unwrap();
        let bin_dir = support::binary_dir();
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
        let mut run = Run {
            outputs: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            used: Vec::new(),
            summary: String::new(),
            log: String::new(),
            exit: 0,
        };
        for (index, step) in action["runs"]["steps"]
            .as_sequence()
            .unwrap()
            .iter()
            .enumerate()
        {
            let id = step["id"].as_str().unwrap_or_default().to_string();
            let condition = step["if"].as_str().unwrap_or("success()");
            if !self.eval_condition(condition, &run) {
                run.outcomes.insert(id, "skipped".into());
                continue;
            }
            if let Some(uses) = step["uses"].as_str() {
                let mut with = BTreeMap::new();
                if let Some(map) = step["with"].as_mapping() {
                    for (k, v) in map {
                        with.insert(scalar(k), self.interpolate(&scalar(v), &run));
                    }
                }
                run.used.push((uses.to_string(), with));
                run.outcomes.insert(id, "success".into());
                continue;
            }
            if id == "install" {
                panic!(
                    "the test would install apimguard: the resolve step did not find it on PATH"
                );
            }
            let script = step["run"].as_str().unwrap();
            assert!(
                !script.contains("${{"),
                "step {id}: expressions inside run: can inject shell; pass them in env:"
            );
            let output = temp.path().join(format!("output-{index}"));
            std::fs::write(&output, "").unwrap();
            let mut command = Command::new("bash");
            support::without_ambient(&mut command)
                .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
                .current_dir(self.workspace.path())
                .env("PATH", &path)
                .env("NO_COLOR", "1")
                .env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
                .env("GITHUB_OUTPUT", &output)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("GITHUB_PATH", temp.path().join("path"))
                .env("GITHUB_SERVER_URL", "https://github.invalid")
                .env("RUNNER_TEMP", temp.path())
                .env("RUNNER_OS", "Linux")
                .env("RUNNER_ARCH", "X64");
            for (name, value) in &self.env {
                command.env(name, value);
            }
            if let Some(map) = step["env"].as_mapping() {
                for (k, v) in map {
                    command.env(scalar(k), self.interpolate(&scalar(v), &run));
                }
            }
            let out = command.output().unwrap();
            run.log.push_str(&support::text(&out.stdout));
            run.log.push_str(&support::text(&out.stderr));
            let mut outputs = BTreeMap::new();
            for line in std::fs::read_to_string(&output).unwrap().lines() {
                let (k, v) = line.split_once('=').expect("name=value lines");
                outputs.insert(k.to_string(), v.to_string());
            }
            run.outputs.insert(id.clone(), outputs);
            let ok = out.status.success();
            run.outcomes
                .insert(id, if ok { "success" } else { "failure" }.into());
            if !ok {
                run.exit = out.status.code().unwrap_or(-1);
            }
        }
        run.summary = std::fs::read_to_string(&summary).unwrap();
        run
    }

    /// `${{ a.b }}` references in a value, evaluated.
    fn interpolate(&self, text: &str, run: &Run) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").unwrap() + start;
            out.push_str(&self.value(rest[start + 3..end].trim(), run));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// The value of a context reference or a quoted literal.
    fn value(&self, expr: &str, run: &Run) -> String {
        if let Some(literal) = expr.strip_prefix('\'').and_then(|e| e.strip_suffix('\'')) {
            return literal.to_string();
        }
        let parts: Vec<&str> = expr.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self.inputs[*name].clone(),
            ["steps", id, "outputs", name] => run
                .outputs
                .get(*id)
                .and_then(|o| o.get(*name))
                .cloned()
                .unwrap_or_default(),
            ["steps", id, "outcome"] => run.outcomes.get(*id).cloned().unwrap_or_default(),
            ["github", "event", "pull_request", "head", "repo", "full_name"] => self
                .github
                .get("head_repository")
                .cloned()
                .unwrap_or_default(),
            ["github", name] => self.github[*name].clone(),
            _ => panic!("the test runner cannot evaluate {expr:?}"),
        }
    }

    /// `if:` conditions: `always()`, `success()` and `==`/`!=` comparisons joined by `&&`.
    fn eval_condition(&self, condition: &str, run: &Run) -> bool {
        let failed = run.outcomes.values().any(|o| o == "failure");
        let mut always = false;
        let mut holds = true;
        for term in condition.split("&&").map(str::trim) {
            if term == "always()" {
                always = true;
            } else if term == "success()" {
            } else if let Some((a, b)) = term.split_once("!=") {
                holds &= self.value(a.trim(), run) != self.value(b.trim(), run);
            } else if let Some((a, b)) = term.split_once("==") {
                holds &= self.value(a.trim(), run) == self.value(b.trim(), run);
            } else {
                panic!("the test runner cannot evaluate the condition {term:?}");
            }
        }
        holds && (always || !failed)
    }
}

/// `fixtures/check/small.json` (it fails a few rules) with a credential in a web service
/// URL, as a hand-made or hostile snapshot could carry one.
fn snapshot_with_a_secret(runner: &Runner) -> PathBuf {
    let small = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/check/small.json");
    let mut snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(small).unwrap()).unwrap();
    snapshot["subscriptions"][0]["services"][0]["apis"][0]["properties"]["serviceUrl"] = json!(
        format!("https://hooks.azurewebsites.net/api?code={PLANTED}")
    );
    runner.file("snapshot.json", &snapshot.to_string())
}

fn check_outputs(run: &Run) -> &BTreeMap<String, String> {
    &run.outputs["check"]
}

#[test]
fn a_failing_gate_fails_the_job_and_still_reports_summarises_and_uploads() {
    let runner =
        Runner::new(&[("snapshot", "snapshot.json")]).env("APIMGUARD_ACCESS_TOKEN", PLANTED);
    snapshot_with_a_secret(&runner);
    let run = runner.run();
    assert_eq!(run.outputs["resolve"]["how"], "none", "{}", run.log);
    let out = check_outputs(&run);
    assert_eq!(out["exit-code"], "1", "{}", run.log);
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(runner.workspace.path().join(&out["json"])).unwrap(),
    )
    .unwrap();
    for name in [
        "rules", "passed", "failed", "errors", "findings", "waived", "gating",
    ] {
        assert_eq!(out[name], report["summary"][name].to_string(), "{name}");
    }
    for name in ["sarif", "markdown", "html"] {
        assert!(runner.workspace.path().join(&out[name]).is_file(), "{name}");
    }
    assert!(!out.contains_key("junit"), "junit was not asked for");
    assert!(
        run.summary.contains("APIM-"),
        "the Markdown report is in the summary"
    );
    assert!(
        !run.summary.contains(PLANTED),
        "a secret reached the job summary"
    );
    assert!(!run
        .outputs
        .values()
        .flat_map(|o| o.values())
        .any(|v| v.contains(PLANTED)));
    let upload = run
        .used
        .iter()
        .find(|(uses, _)| uses.starts_with("github/codeql-action/upload-sarif"))
        .expect("the SARIF upload runs");
    assert_eq!(upload.1["sarif_file"], out["sarif"]);
    assert_eq!(run.outcomes["gate"], "failure");
    assert_eq!(run.exit, 1);
}

#[test]
fn a_fork_pull_request_skips_the_upload_with_a_notice_and_the_gate_still_decides() {
    let runner = Runner::new(&[("snapshot", "small.json")])
        .github("event_name", "pull_request")
        .github("head_repository", "mallory/apim");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/check/small.json"),
        runner.workspace.path().join("small.json"),
    )
    .unwrap();
    let run = runner.run();
    assert_eq!(run.outputs["sarif"]["upload"], "false");
    assert!(
        run.log
            .contains("::notice title=apimguard::SARIF upload skipped"),
        "{}",
        run.log
    );
    assert!(run
        .used
        .iter()
        .all(|(uses, _)| !uses.contains("upload-sarif")));
    assert_eq!(run.outcomes["upload-failed"], "skipped");
    assert_eq!(check_outputs(&run)["exit-code"], "1");
    assert_eq!(run.exit, 1, "the gate fails the fork's job too");
}

#[test]
fn a_passing_gate_passes_the_job() {
    let runner = Runner::new(&[
        ("snapshot", "small.json"),
        ("fail-on", "never"),
        ("formats", "junit"),
    ]);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/check/small.json"),
        runner.workspace.path().join("small.json"),
    )
    .unwrap();
    let run = runner.run();
    assert_eq!(check_outputs(&run)["exit-code"], "0", "{}", run.log);
    assert!(check_outputs(&run).contains_key("junit"));
    assert_eq!(
        run.outcomes["summary"], "skipped",
        "no Markdown was asked for"
    );
    assert_eq!(run.outcomes["sarif"], "skipped", "no SARIF was asked for");
    assert_eq!(run.outcomes["gate"], "success");
    assert_eq!(run.exit, 0);
}

#[test]
fn an_undecided_check_fails_with_exit_2_and_nothing_to_upload() {
    let runner = Runner::new(&[("snapshot", "missing.json")]);
    let run = runner.run();
    assert_eq!(check_outputs(&run)["exit-code"], "2");
    assert!(!check_outputs(&run).contains_key("sarif"));
    assert_eq!(run.outcomes["sarif"], "skipped");
    assert_eq!(run.outcomes["summary"], "skipped");
    assert_eq!(run.exit, 2);
    assert!(run.log.contains("could not decide"), "{}", run.log);
}

#[test]
fn inputs_cannot_inject_shell() {
    let runner = Runner::new(&[
        ("snapshot", "x\"; touch injected; echo \""),
        ("args", "$(touch injected2) `touch injected3`"),
        ("formats", "markdown;touch injected4"),
    ]);
    let run = runner.run();
    for name in ["injected", "injected2", "injected3", "injected4"] {
        assert!(
            !runner.workspace.path().join(name).exists(),
            "{name}: {}",
            run.log
        );
    }
    assert_eq!(run.exit, 2);
}

#[test]
fn an_unknown_format_or_install_mode_is_refused() {
    let run = Runner::new(&[("snapshot", "small.json"), ("formats", "pdf")]).run();
    assert!(run.log.contains("unknown format 'pdf'"), "{}", run.log);
    assert_eq!(run.exit, 2);

    let run = Runner::new(&[("install", "maybe")]).run();
    assert_eq!(run.outcomes["resolve"], "failure");
    assert!(
        run.log.contains("install must be auto, release or source"),
        "{}",
        run.log
    );
}

#[test]
fn install_only_puts_apimguard_on_path_and_checks_nothing() {
    let run = Runner::new(&[("check", "false")]).run();
    assert_eq!(run.outcomes["resolve"], "success", "{}", run.log);
    for step in ["check", "summary", "sarif", "gate"] {
        assert_eq!(run.outcomes[step], "skipped", "{step}");
    }
    assert_eq!(run.exit, 0);
}
