//! Outputs never destroy inputs, and a failed write to standard output is an error:
//! every command that writes files or prints, through the real binary.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

const SNAPSHOT: &str = "fixtures/check/small.json";
const TEMPLATE: &str = "fixtures/iac/arm/defender.json";

use support::cmd as apimguard;

/// A folder with copies of the small snapshot, a configuration and a rule, whose
/// texts stay as they were whatever the run does.
struct Inputs {
    dir: tempfile::TempDir,
    texts: Vec<(PathBuf, Vec<u8>)>,
}

impl Inputs {
    fn new() -> Inputs {
        let dir = tempfile::tempdir().unwrap();
        let mut texts = Vec::new();
        for (name, from) in [
            ("snap.json", SNAPSHOT),
            ("template.json", TEMPLATE),
            (
                "rules/keyed_only.rego",
                "fixtures/check/policies/custom/keyed_only.rego",
            ),
        ] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::copy(from, &path).unwrap();
            texts.push((path.clone(), std::fs::read(&path).unwrap()));
        }
        let config = dir.path().join("apimguard.yaml");
        std::fs::write(&config, "rules:\n  disable: [APIM-POL-*]\n").unwrap();
        texts.push((config.clone(), std::fs::read(&config).unwrap()));
        Inputs { dir, texts }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// Runs apimguard in the folder.
    fn run(&self, args: &[&str]) -> Output {
        apimguard()
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .expect("runs")
    }

    /// Asserts exit 2 naming `parts`, every input unchanged, and none of `unwritten` made.
    fn refused(&self, args: &[&str], parts: &[&str], unwritten: &[&str]) {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        for part in parts {
            assert!(
                stderr.contains(part),
                "{args:?}: stderr lacks {part:?}: {stderr}"
            );
        }
        for (path, text) in &self.texts {
            assert_eq!(
                &std::fs::read(path).unwrap(),
                text,
                "{args:?} changed {path:?}"
            );
        }
        for name in unwritten {
            assert!(
                !self.dir.path().join(name).exists(),
                "{args:?} wrote {name}"
            );
        }
    }
}

const INPUT: &str = "apimguard::output::overwrites_input";
const SAME: &str = "apimguard::output::same_file";

#[test]
fn a_report_over_the_snapshot_config_or_a_rule_is_refused() {
    let inputs = Inputs::new();
    let check = [
        "check",
        "snap.json",
        "--config",
        "apimguard.yaml",
        "-p",
        "rules",
    ];
    for output in [
        "json:snap.json",
        "html:apimguard.yaml",
        "sarif:rules/keyed_only.rego",
        "junit:./rules/../snap.json",
    ] {
        inputs.refused(&[&check[..], &["-f", output]].concat(), &[INPUT], &[]);
    }
    // The snapshot given by its absolute path, the report by a relative one.
    let absolute = inputs.path("snap.json");
    inputs.refused(
        &["check", &absolute, "-f", "markdown:snap.json"],
        &[INPUT],
        &[],
    );
}

#[cfg(unix)]
#[test]
fn a_report_over_a_link_to_an_input_is_refused() {
    let inputs = Inputs::new();
    std::os::unix::fs::symlink("snap.json", inputs.dir.path().join("soft.json")).unwrap();
    std::fs::hard_link(
        inputs.dir.path().join("snap.json"),
        inputs.dir.path().join("hard.json"),
    )
    .unwrap();
    for output in ["json:soft.json", "json:hard.json"] {
        inputs.refused(
            &["check", "snap.json", "-f", output],
            &[INPUT, "snap.json"],
            &[],
        );
    }
}

#[test]
fn two_outputs_to_one_file_are_refused_before_anything_is_written() {
    let inputs = Inputs::new();
    inputs.refused(
        &[
            "check",
            "snap.json",
            "-f",
            "json:out/r.json",
            "-f",
            "sarif:out/x/../r.json",
        ],
        &[SAME, "the sarif report and the json report"],
        &["out/r.json"],
    );
    inputs.refused(
        &[
            "diff",
            "snap.json",
            "snap.json",
            "-f",
            "json:d.json",
            "-f",
            "markdown:./d.json",
        ],
        &[SAME],
        &["d.json"],
    );
}

#[test]
fn iac_files_and_compared_runs_are_never_overwritten() {
    let inputs = Inputs::new();
    inputs.refused(
        &[
            "collect",
            "--from-arm",
            "template.json",
            "-o",
            "template.json",
        ],
        &[INPUT, "the snapshot would overwrite template.json"],
        &[],
    );
    inputs.refused(
        &[
            "check",
            "--from-arm",
            "template.json",
            "-f",
            "sarif:template.json",
        ],
        &[INPUT],
        &[],
    );
    inputs.refused(
        &["diff", "snap.json", "snap.json", "-f", "json:snap.json"],
        &[INPUT],
        &[],
    );
}

#[test]
fn devices_take_several_outputs() {
    let inputs = Inputs::new();
    let out = inputs.run(&[
        "check",
        "snap.json",
        "--fail-on",
        "never",
        "-f",
        "json:/dev/null",
        "-f",
        "sarif:/dev/null",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs apimguard with standard output on a full device.
#[cfg(target_os = "linux")]
fn to_full_device(args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    support::apimguard()
        .args(args)
        .stdout(full)
        .output()
        .expect("runs")
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_standard_output_is_exit_2_in_every_command() {
    let rules = "fixtures/check/policies/custom";
    for args in [
        &["check", SNAPSHOT, "--fail-on", "never"][..],
        &["check", SNAPSHOT, "--fail-on", "never", "-f", "json"],
        &["collect", "--from-arm", TEMPLATE],
        &["diff", SNAPSHOT, SNAPSHOT],
        &["schema"],
        &["rules", "list"],
        &["rules", "explain", "APIM-DEF-001"],
        &["rules", "test", rules],
        &["remediate", SNAPSHOT],
        &["remediate", SNAPSHOT, "-f", "json"],
    ] {
        let out = to_full_device(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("apimguard::output::stdout_write")
                && stderr.contains("cannot write to standard output"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn outputs_beside_the_inputs_are_written() {
    let inputs = Inputs::new();
    let out = inputs.run(&[
        "check",
        "snap.json",
        "--config",
        "apimguard.yaml",
        "--fail-on",
        "never",
        "-f",
        "json:reports/r.json",
        "-f",
        "sarif:reports/r.sarif",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["reports/r.json", "reports/r.sarif"] {
        assert!(Path::new(&inputs.path(name)).exists(), "{name}");
    }
}

/// An output path that is a symbolic link (planted where the report goes, to a file
/// outside the intended one, or to nothing) is replaced by the report, never written
/// through: the file it named is left as it was, and nothing is made where a dangling
/// link pointed. `collect --from-arm -o` and the report formats alike.
#[cfg(unix)]
#[test]
fn an_output_that_is_a_link_is_replaced_not_followed() {
    let inputs = Inputs::new();
    let dir = tempfile::tempdir().unwrap();
    let nowhere = dir.path().join("nowhere.txt");
    let links: Vec<PathBuf> = ["r.json", "r.sarif", "s.json", "d.json"]
        .iter()
        .map(|name| dir.path().join(name))
        .collect();
    // Two outputs through links to one file would be refused as one output: one each.
    let victims: Vec<PathBuf> = (0..3)
        .map(|n| dir.path().join(format!("victim-{n}.txt")))
        .collect();
    for (link, victim) in links.iter().zip(&victims) {
        std::fs::write(victim, "precious").unwrap();
        std::os::unix::fs::symlink(victim, link).unwrap();
    }
    std::os::unix::fs::symlink(&nowhere, &links[3]).unwrap();
    let out = |link: &Path| link.to_str().unwrap().to_string();
    let snap = inputs.path("snap.json");
    let runs: Vec<Vec<String>> = vec![
        vec![
            "check".into(),
            snap.clone(),
            "--fail-on".into(),
            "never".into(),
            "-f".into(),
            format!("json:{}", out(&links[0])),
            "-f".into(),
            format!("sarif:{}", out(&links[1])),
        ],
        vec![
            "collect".into(),
            "--from-arm".into(),
            inputs.path("template.json"),
            "-o".into(),
            out(&links[2]),
        ],
        vec![
            "check".into(),
            snap,
            "--fail-on".into(),
            "never".into(),
            "-f".into(),
            format!("json:{}", out(&links[3])),
        ],
    ];
    for args in runs {
        let run = apimguard().args(&args).output().unwrap();
        assert!(
            matches!(run.status.code(), Some(0) | Some(2)),
            "{args:?}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    for victim in &victims {
        assert_eq!(std::fs::read_to_string(victim).unwrap(), "precious");
    }
    assert!(
        !nowhere.exists(),
        "nothing is made where a dangling link points"
    );
    for link in &links {
        let meta = std::fs::symlink_metadata(link).unwrap();
        assert!(
            meta.is_file(),
            "{} is now the output itself",
            link.display()
        );
        assert!(std::fs::read_to_string(link).unwrap().contains('{'));
    }
}
