//! `apimguard hook KIND FILES…`, what the pre-commit hooks run: each changed file maps
//! to the entry it belongs to, each entry is checked once, and the exit code is the
//! worst one. Run from a temporary repository root, as pre-commit runs hooks.

mod support;

use std::path::Path;

use support::{apimguard, text};

fn fixture(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A repository with an ARM template and its parameters, a Bicep entry with a module,
/// and an APIOps artifacts folder with its configuration.
fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    std::fs::create_dir_all(root.join("infra")).unwrap();
    for name in ["azuredeploy.json", "azuredeploy.parameters.json"] {
        std::fs::copy(
            fixture("fixtures/iac/estate").join(name),
            root.join("infra").join(name),
        )
        .unwrap();
    }
    std::fs::write(root.join("infra/settings.json"), r#"{"not": "a template"}"#).unwrap();
    std::fs::create_dir_all(root.join("bicep/modules")).unwrap();
    std::fs::copy(
        fixture("fixtures/iac/bicep/real-world-syntax.bicep"),
        root.join("bicep/main.bicep"),
    )
    .unwrap();
    std::fs::write(root.join("bicep/modules/api.bicep"), "param name string\n").unwrap();
    copy_dir(
        &fixture("fixtures/iac/samples/apiops/SampleArtifacts"),
        &root.join("apim/artifacts"),
    );
    std::fs::copy(
        fixture("fixtures/iac/samples/apiops/configuration.prod.yaml"),
        root.join("apim/configuration.prod.yaml"),
    )
    .unwrap();
    repo
}

fn hook(repo: &Path, args: &[&str]) -> (i32, String) {
    let out = apimguard()
        .arg("hook")
        .args(args)
        .current_dir(repo)
        .output()
        .unwrap();
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    (out.status.code().unwrap(), all)
}

#[test]
fn arm_files_map_to_their_template_once_and_other_json_is_skipped() {
    let repo = repository();
    let (code, out) = hook(
        repo.path(),
        &[
            "arm",
            "--fail-on",
            "never",
            "infra/azuredeploy.parameters.json",
            "infra/azuredeploy.json",
            "infra/settings.json",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("apimguard: checking").count(), 1, "{out}");
    assert!(
        out.contains("checking infra/azuredeploy.json (2 changed file(s))"),
        "{out}"
    );

    let (code, out) = hook(repo.path(), &["arm", "infra/settings.json"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("no ARM template file among the changed files"),
        "{out}"
    );
}

#[test]
fn the_gate_is_checks_own_and_the_worst_entry_decides() {
    let repo = repository();
    let (code, out) = hook(repo.path(), &["arm", "infra/azuredeploy.json"]);
    assert_eq!(
        code, 1,
        "the sample has findings at the default gate: {out}"
    );
    assert!(
        out.contains("at infra/azuredeploy.json:"),
        "findings point at the file: {out}"
    );
}

#[test]
fn bicep_modules_map_to_the_main_file_above_them() {
    let repo = repository();
    let (code, out) = hook(
        repo.path(),
        &[
            "bicep",
            "--fail-on",
            "never",
            "--allow-incomplete",
            "bicep/modules/api.bicep",
            "bicep/main.bicep",
        ],
    );
    assert!(code == 0, "{out}");
    assert!(
        out.contains("checking bicep/main.bicep (2 changed file(s))"),
        "{out}"
    );
    assert!(!out.contains("checking bicep/modules"), "{out}");
}

#[test]
fn apiops_files_map_to_the_artifacts_folder_and_configuration_to_the_folders_beside_it() {
    let repo = repository();
    let (code, out) = hook(
        repo.path(),
        &[
            "apiops",
            "--fail-on",
            "never",
            "--env",
            "prod",
            "apim/artifacts/apis/basic-api/policy.xml",
            "apim/artifacts/apis/basic-api/operations",
            "apim/configuration.prod.yaml",
            "README.md",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("apimguard: checking").count(), 1, "{out}");
    assert!(
        out.contains("checking apim/artifacts (3 changed file(s))"),
        "{out}"
    );
}

#[test]
fn an_entry_that_cannot_be_read_fails_closed() {
    let repo = repository();
    std::fs::write(
        repo.path().join("bicep/main.bicep"),
        "resource x 'y' = {{{\n",
    )
    .unwrap();
    let (code, out) = hook(repo.path(), &["bicep", "bicep/modules/api.bicep"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("bicep/main.bicep"), "{out}");
}

#[test]
fn a_path_that_looks_like_a_flag_stays_a_path() {
    let repo = repository();
    std::fs::create_dir_all(repo.path().join("-x")).unwrap();
    std::fs::copy(
        repo.path().join("infra/azuredeploy.json"),
        repo.path().join("-x/t.json"),
    )
    .unwrap();
    let (code, out) = hook(
        repo.path(),
        &["arm", "--fail-on", "never", "--", "-x/t.json"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("checking -x/t.json"), "{out}");
}

#[test]
fn a_bicepparam_file_is_its_own_entry() {
    // Before: a `.bicepparam` file was skipped, and checked as Bicep it was a syntax error.
    let repo = repository();
    std::fs::write(
        repo.path().join("bicep/prod.bicepparam"),
        "using './main.bicep'\n",
    )
    .unwrap();
    let (code, out) = hook(
        repo.path(),
        &[
            "bicep",
            "--fail-on",
            "never",
            "--allow-incomplete",
            "bicep/prod.bicepparam",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("checking bicep/prod.bicepparam (1 changed file(s))"),
        "{out}"
    );
}
