//! Files an IaC input references stay inside the IaC root: a pull request cannot make
//! apimguard read a file elsewhere on the CI runner into a report, a log or a snapshot.
//!
//! Each case builds a small repository (a folder holding `.git`) in a temporary folder,
//! with a secret beside it (outside the repository), and drives the real binary.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

/// Text of the secret beside the repository, and of an environment variable of the run.
const SECRET: &str = "CANARY-1b7e0c4f";

/// An API whose `serviceUrl` (which rules quote in their messages) holds `value`.
fn bicep_with_service_url(value: &str) -> String {
    format!(
        "resource svc 'Microsoft.ApiManagement/service@2022-08-01' = {{
  name: 'contoso'
  sku: {{ name: 'Developer', capacity: 1 }}
  properties: {{ publisherEmail: 'a@example.com', publisherName: 'x' }}
  resource api 'apis' = {{
    name: 'echo'
    properties: {{
      path: 'echo'
      protocols: [ 'https' ]
      serviceUrl: {value}
    }}
  }}
}}
"
    )
}

/// A repository in a temporary folder: `<tmp>/repo` (holding `.git`), and the secret
/// in `<tmp>/secret.txt`, outside it.
struct Repo {
    tmp: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("repo/.git")).unwrap();
        std::fs::write(tmp.path().join("secret.txt"), format!("http://{SECRET}\n")).unwrap();
        Repo { tmp }
    }

    /// `repo/<rel>` (or `<tmp>/<rel>` for `../…`), as an absolute path.
    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join("repo").join(rel)
    }

    fn write(&self, rel: &str, text: &str) -> String {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    #[cfg(unix)]
    fn link(&self, rel: &str, target: &Path) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, path).unwrap();
    }

    fn secret(&self) -> PathBuf {
        self.tmp.path().join("secret.txt")
    }
}

fn apimguard(args: &[&str]) -> Output {
    support::cmd()
        .env("APIMGUARD_COLLECTED_AT", "2026-01-31T00:00:00Z")
        .env("APIMGUARD_TEST_CANARY", SECRET)
        .args(args)
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .expect("runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `check` refused the input with exit 2, saying each of `expected`, and the secret is
/// nowhere in what it wrote.
#[track_caller]
fn assert_refused(out: &Output, expected: &[&str]) {
    let err = stderr(out);
    let all = format!("{}{err}", String::from_utf8_lossy(&out.stdout));
    assert!(!all.contains(SECRET), "the secret leaked: {all}");
    assert_eq!(out.status.code(), Some(2), "{err}");
    for e in expected {
        assert!(err.contains(e), "`{e}` not in: {err}");
    }
}

fn check(args: &[&str]) -> Output {
    apimguard(&[&["check"], args, &["-f", "json"]].concat())
}

#[test]
fn a_bicep_file_cannot_load_a_file_outside_the_repository() {
    let repo = Repo::new();
    let secret = repo.secret().display().to_string();
    let cases = [
        // (serviceUrl expression, what the message says)
        (
            "'http://${loadTextContent('/proc/self/environ')}'".to_string(),
            "an absolute path",
        ),
        (format!("loadTextContent('{secret}')"), "an absolute path"),
        (
            "loadTextContent('../../secret.txt')".into(),
            "outside the IaC root",
        ),
        (
            "loadTextContent('..\\\\..\\\\secret.txt')".into(),
            "outside the IaC root",
        ),
        (
            "loadTextContent('../../../../../../../../../../proc/self/environ')".into(),
            "outside the IaC root",
        ),
        (
            "loadJsonContent('../../secret.txt')".into(),
            "outside the IaC root",
        ),
        (
            "loadYamlContent('../../secret.txt')".into(),
            "outside the IaC root",
        ),
        (
            "loadFileAsBase64('../../secret.txt')".into(),
            "outside the IaC root",
        ),
        (
            "sys.loadTextContent('../../secret.txt', 'utf-8')".into(),
            "outside the IaC root",
        ),
        ("loadTextContent('~/.bashrc')".into(), "a home-folder path"),
        (
            "loadTextContent('C:\\\\Windows\\\\win.ini')".into(),
            "a drive or URL",
        ),
        (
            "loadTextContent('\\\\\\\\server\\\\share\\\\x')".into(),
            "an absolute path",
        ),
        (
            "loadTextContent('file:///etc/passwd')".into(),
            "a drive or URL",
        ),
        ("loadTextContent('')".into(), "an empty path"),
        // A path from a variable is checked when the value is read.
        ("loadTextContent(secretPath)".into(), "outside the IaC root"),
        // A path's control characters are shown escaped, never sent to the terminal.
        ("loadTextContent('\\u{1b}[2J')".into(), "\\u{1b}[2J"),
    ];
    for (expression, expected) in cases {
        let text = format!(
            "var secretPath = '../../secret.txt'\n{}",
            bicep_with_service_url(&expression)
        );
        let file = repo.write("infra/main.bicep", &text);
        let out = check(&["--from-bicep", &file]);
        assert_refused(&out, &[&format!("{file}:11"), expected]);
        assert!(!stderr(&out).contains('\u{1b}'), "{}", stderr(&out));
    }
}

#[test]
fn a_reference_nobody_evaluates_is_refused_too() {
    // Bicep reads every file its load functions name when it builds the file, used or not.
    let repo = Repo::new();
    for extra in [
        "var unused = loadTextContent('../../secret.txt')",
        "output leak string = loadTextContent('../../secret.txt')",
        "var listing = loadDirectoryFileInfo('../..')",
        "var ok = true ? 'a' : loadTextContent('/etc/hostname')",
        "func f() string => loadTextContent('/etc/hostname')",
    ] {
        let text = format!("{}{extra}\n", bicep_with_service_url("'https://backend'"));
        let file = repo.write("infra/main.bicep", &text);
        let out = check(&["--from-bicep", &file]);
        assert_refused(&out, &[&format!("{file}:14")]);
    }
}

#[cfg(unix)]
#[test]
fn a_link_inside_the_repository_cannot_lead_out_of_it() {
    let repo = Repo::new();
    repo.link("infra/leak.txt", &repo.secret());
    repo.link("infra/environ.txt", Path::new("/proc/self/environ"));
    repo.link("shared", repo.tmp.path());
    for reference in ["leak.txt", "environ.txt", "../shared/secret.txt"] {
        let file = repo.write(
            "infra/main.bicep",
            &bicep_with_service_url(&format!("loadTextContent('{reference}')")),
        );
        let out = check(&["--from-bicep", &file]);
        assert_refused(
            &out,
            &[&format!("{file}:10"), "outside the IaC root", "leads to"],
        );
    }
}

#[cfg(unix)]
#[test]
fn a_pipe_or_a_folder_is_not_read_as_a_file() {
    let repo = Repo::new();
    let fifo = repo.path("infra/pipe.xml");
    std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::create_dir_all(repo.path("infra/folder.xml")).unwrap();
    for (reference, expected) in [
        ("pipe.xml", "a named pipe"),
        ("folder.xml", "a folder"),
        ("missing.xml", "does not exist"),
    ] {
        let file = repo.write(
            "infra/main.bicep",
            &bicep_with_service_url(&format!("loadTextContent('{reference}')")),
        );
        let out = check(&["--from-bicep", &file]);
        assert_refused(&out, &[&format!("{file}:10"), expected]);
    }
}

#[test]
fn a_file_inside_the_repository_still_loads() {
    // `../policies` is outside the Bicep file's folder but inside the repository.
    let repo = Repo::new();
    repo.write("policies/url.txt", "http://inside.example.com");
    repo.write(
        "policies/settings.json",
        "{\"backend\": {\"url\": \"http://json.example.com\"}}",
    );
    let file = repo.write(
        "infra/main.bicep",
        &bicep_with_service_url(
            "'${loadTextContent('../policies/url.txt')}|${loadJsonContent('../policies/settings.json', '$.backend.url')}'",
        ),
    );
    let out = apimguard(&["collect", "--from-bicep", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let snapshot: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let api = &snapshot["subscriptions"][0]["services"][0]["apis"][0];
    assert_eq!(
        api["properties"]["serviceUrl"],
        "http://inside.example.com|http://json.example.com"
    );
    let files = snapshot["source"]["files"].to_string();
    assert!(
        files.contains("url.txt") && files.contains("settings.json"),
        "{files}"
    );

    // With --root naming the repository's parent, the file beside it is inside the root.
    let file = repo.write(
        "infra/main.bicep",
        &bicep_with_service_url("loadTextContent('../../secret.txt')"),
    );
    let root = repo.tmp.path().display().to_string();
    let out = apimguard(&["collect", "--from-bicep", &file, "--root", &root]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(SECRET));
}

#[test]
fn a_module_or_import_outside_the_repository_is_refused() {
    let repo = Repo::new();
    std::fs::write(repo.tmp.path().join("outside.bicep"), "param a string\n").unwrap();
    for statement in [
        "module m '../../outside.bicep' = {\n  name: 'm'\n}",
        "module m '/etc/outside.bicep' = {\n  name: 'm'\n}",
        "module m '../../outside.bicep' = if (true) {\n  name: 'm'\n}",
        "import { a } from '../../outside.bicep'",
        "import * as x from '/etc/outside.bicep'",
        "extension '../../outside.bicep'",
    ] {
        let text = format!(
            "{}{statement}\n",
            bicep_with_service_url("'https://backend'")
        );
        let file = repo.write("infra/main.bicep", &text);
        let out = check(&["--from-bicep", &file]);
        assert_refused(&out, &[&format!("{file}:14")]);
    }
    // A local module inside the root is read; a registry module is a gap (not read).
    repo.write("infra/inside.bicep", "param a string\n");
    let text = format!(
        "{}module m './inside.bicep' = {{\n  name: 'm'\n}}\n",
        bicep_with_service_url("'https://backend'")
    );
    let file = repo.write("infra/main.bicep", &text);
    let out = apimguard(&["collect", "--from-bicep", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for (statement, expected) in [
        (
            "module m 'br/public:avm/res/api-management/service:0.1.0' = {\n  name: 'm'\n}",
            "registry",
        ),
        (
            "module m 'ts:00000000-0000-0000-0000-000000000000/rg/spec:1.0' = {\n  name: 'm'\n}",
            "template spec",
        ),
    ] {
        repo.write("infra/inside.bicep", "param a string\n");
        let text = format!(
            "{}{statement}\n",
            bicep_with_service_url("'https://backend'")
        );
        let file = repo.write("infra/main.bicep", &text);
        let out = apimguard(&["collect", "--from-bicep", &file]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let snapshot: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(snapshot["gaps"][0]["what"], "module");
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
    }
}

#[cfg(unix)]
#[test]
fn a_file_named_on_the_command_line_cannot_lead_out_of_the_repository() {
    let repo = Repo::new();
    // The input itself, and its parameters file, are links out of the repository.
    std::fs::write(
        repo.tmp.path().join("outside.bicep"),
        bicep_with_service_url("'https://backend'"),
    )
    .unwrap();
    repo.link("infra/main.bicep", &repo.tmp.path().join("outside.bicep"));
    let file = repo.path("infra/main.bicep").display().to_string();
    let out = check(&["--from-bicep", &file]);
    assert_refused(&out, &["main.bicep", "outside the IaC root"]);

    let file = repo.write(
        "infra/inside.bicep",
        &bicep_with_service_url("'https://backend'"),
    );
    repo.link("infra/params.json", &repo.secret());
    let params = repo.path("infra/params.json").display().to_string();
    let out = check(&["--from-bicep", &file, "--parameters", &params]);
    assert_refused(&out, &["params.json", "outside the IaC root"]);

    // A parameters file the user names outside the repository is read: the user chose it.
    let outside = repo.tmp.path().join("params.json");
    std::fs::write(&outside, "{\"parameters\": {}}").unwrap();
    let out = apimguard(&[
        "collect",
        "--from-bicep",
        &file,
        "--parameters",
        outside.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // A folder of the repository that is a link out does not make the root.
    std::fs::create_dir_all(repo.tmp.path().join("elsewhere/.git")).unwrap();
    std::fs::write(
        repo.tmp.path().join("elsewhere/main.bicep"),
        bicep_with_service_url("loadTextContent('../secret.txt')"),
    )
    .unwrap();
    repo.link("linked", &repo.tmp.path().join("elsewhere"));
    let file = repo.path("linked/main.bicep").display().to_string();
    let out = check(&["--from-bicep", &file]);
    assert_refused(&out, &["outside the IaC root"]);
}

#[test]
fn a_linked_template_outside_the_repository_is_refused() {
    let repo = Repo::new();
    let template = |relative: &str| {
        format!(
            r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {{
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "linked",
      "properties": {{
        "mode": "Incremental",
        "templateLink": {{
          "relativePath": "{relative}"
        }}
      }}
    }}
  ]
}}
"#
        )
    };
    for relative in ["../../secret.txt", "/etc/passwd"] {
        let file = repo.write("infra/azuredeploy.json", &template(relative));
        let out = check(&["--from-arm", &file]);
        assert_refused(&out, &[&format!("{file}:12")]);
    }
    repo.write("infra/nested/linked.json", "{}");
    let file = repo.write("infra/azuredeploy.json", &template("nested/linked.json"));
    let out = apimguard(&["collect", "--from-arm", &file]);
    // Inside the repository it is read (`{}` is no template).
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nested/linked.json is not an ARM template"),
        "{}",
        stderr(&out)
    );
}

/// A repository holding an APIOps folder `apim` with one API, and beside it (outside
/// the repository) a folder `outside` whose files hold the secret.
fn apiops_repo() -> Repo {
    let repo = Repo::new();
    let outside = repo.tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("apiInformation.json"),
        format!("{{\"properties\": {{\"path\": \"x\", \"serviceUrl\": \"http://{SECRET}\"}}}}"),
    )
    .unwrap();
    std::fs::write(
        outside.join("policy.xml"),
        format!("<policies><inbound><set-header name=\"x\"><value>{SECRET}</value></set-header></inbound></policies>"),
    )
    .unwrap();
    repo.write(
        "apim/apis/echo/apiInformation.json",
        "{\"properties\": {\"path\": \"echo\", \"protocols\": [\"https\"]}}",
    );
    repo
}

#[cfg(unix)]
#[test]
fn an_apiops_folder_cannot_lead_out_of_the_repository() {
    fn outside(r: &Repo) -> PathBuf {
        r.tmp.path().join("outside")
    }
    /// Makes a repository hostile.
    type Plant = fn(&Repo);
    let cases: [(&str, Plant); 6] = [
        ("apis/echo/policy.xml", |r| {
            r.link("apim/apis/echo/policy.xml", &outside(r).join("policy.xml"))
        }),
        ("apis/evil", |r| r.link("apim/apis/evil", &outside(r))),
        ("specification.yaml", |r| {
            r.link("apim/apis/echo/specification.yaml", &r.secret())
        }),
        ("apim/apis leads to", |r| {
            std::fs::remove_dir_all(r.path("apim/apis")).unwrap();
            r.link("apim/apis", r.tmp.path());
        }),
        ("policy.xml is a named pipe", |r| {
            let made = std::process::Command::new("mkfifo")
                .arg(r.path("apim/policy.xml"))
                .status()
                .unwrap();
            assert!(made.success());
        }),
        // The artifacts folder itself, a link out of the repository.
        ("apim leads to", |r| {
            std::fs::remove_dir_all(r.path("apim")).unwrap();
            r.link("apim", &outside(r));
        }),
    ];
    for (expected, plant) in cases {
        let repo = apiops_repo();
        plant(&repo);
        let folder = repo.path("apim").display().to_string();
        let out = check(&["--from-apiops", &folder]);
        assert_refused(&out, &[expected]);
    }
}

#[test]
fn root_flag_must_name_a_folder_and_go_with_iac_files() {
    let repo = Repo::new();
    let file = repo.write("main.bicep", &bicep_with_service_url("'https://backend'"));
    let missing = repo.path("nope").display().to_string();
    let out = check(&["--from-bicep", &file, "--root", &missing]);
    assert_refused(&out, &["--root", "nope"]);
    let out = apimguard(&["check", "fixtures/demo/snapshot.json", "--root", "."]);
    assert_refused(&out, &["--root applies to"]);
}

#[cfg(unix)]
#[test]
fn a_configuration_found_by_env_is_a_regular_file_not_a_link() {
    let repo = Repo::new();
    repo.write(
        "apim/apis/echo/apiInformation.json",
        "{\"properties\": {\"path\": \"echo\", \"protocols\": [\"https\"]}}",
    );
    let folder = repo.path("apim").display().to_string();
    // Beside the folder, where APIOps keeps it: found from the folder as given, also `.`.
    repo.write("configuration.prod.yaml", "apimServiceName: contoso\n");
    let out = support::apimguard()
        .current_dir(repo.path("apim"))
        .args(["collect", "--from-apiops", ".", "--env", "prod"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("/service/contoso"));

    std::fs::remove_file(repo.path("configuration.prod.yaml")).unwrap();
    repo.link("configuration.prod.yaml", &repo.secret());
    let out = check(&["--from-apiops", &folder, "--env", "prod"]);
    assert_refused(
        &out,
        &["configuration.prod.yaml is a link", "--configuration"],
    );
}
