//! Robustness properties of every reader of untrusted input (issue #13): the snapshot
//! loader, the configuration and waiver loader, the policy XML reader, the Bicep reader,
//! the ARM template reader with its expression evaluator, and the APIOps reader.
//!
//! Each is handed real files edited at random with tokens of their own language, nesting
//! far deeper than any real file, and noise. Whatever it is handed, it must:
//! - return (no panic, no stack overflow on the 8 MiB stack the binary's main thread has);
//! - on failure, give a diagnostic that names the file, and that renders without panic;
//! - stay within memory proportional to its input (counted by allocator, not by time);
//! - finish (a case still running after [`HANG`] is reported as a hang).
//!
//! CI runs [`DEFAULT_CASES`] cases per property; run longer with
//! `PROPTEST_CASES=5000 cargo test --release --test robustness`.

mod alloc;
mod gen;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use apimguard::iac::{self, IacSource};
use miette::{GraphicalReportHandler, GraphicalTheme};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// Cases per property when `PROPTEST_CASES` is not set.
const DEFAULT_CASES: u32 = 200;
/// The stack the binary's main thread has, where every reader runs.
const STACK: usize = 8 << 20;
/// A case that has not finished after this long is taken to hang (generous: debug builds).
const HANG: Duration = Duration::from_secs(120);
/// Memory a case may hold at once: a fixed allowance plus this many times its input.
const FIXED_MEMORY: usize = 64 << 20;
const MEMORY_PER_INPUT_BYTE: usize = 64;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// What one reader did with one input.
struct Outcome {
    /// The rendered diagnostic, if it failed.
    error: Option<String>,
    /// The most bytes it held at once.
    peak: usize,
}

fn render(diagnostic: &dyn miette::Diagnostic) -> String {
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor());
    handler
        .render_report(&mut out, diagnostic)
        .expect("rendering into a String cannot fail");
    out
}

/// Runs `read` on its own thread with the binary's stack, bounded by [`HANG`].
fn run<E>(read: impl FnOnce() -> Result<(), E> + Send + 'static) -> Result<Outcome, TestCaseError>
where
    E: miette::Diagnostic + Send + Sync + 'static,
{
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .name("reader".into())
        .stack_size(STACK)
        .spawn(move || {
            let (error, peak) = alloc::peak_of(|| read().err().map(|e| render(&e)));
            let _ = tx.send(Outcome { error, peak });
        })
        .expect("spawn a reader thread");
    match rx.recv_timeout(HANG) {
        Ok(outcome) => {
            let _ = worker.join();
            Ok(outcome)
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(TestCaseError::fail(format!(
            "the reader was still running after {HANG:?}"
        ))),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let panic = worker.join().err().map(|p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            });
            Err(TestCaseError::fail(format!(
                "the reader panicked: {panic:?}"
            )))
        }
    }
}

/// The properties every reader keeps, for an input of `input_len` bytes in file `name`.
fn holds(outcome: &Outcome, input_len: usize, name: Option<&str>) -> Result<(), TestCaseError> {
    let allowed = FIXED_MEMORY + MEMORY_PER_INPUT_BYTE * input_len;
    prop_assert!(
        outcome.peak <= allowed,
        "held {} bytes at once for an input of {input_len} bytes (allowed {allowed})",
        outcome.peak
    );
    if let (Some(error), Some(name)) = (&outcome.error, name) {
        prop_assert!(
            error.contains(name),
            "the diagnostic does not name the file {name}:\n{error}"
        );
    }
    Ok(())
}

fn fixture(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `text` written as `name` in a fresh folder.
fn written(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write the case");
    (dir, path)
}

fn check_iac(
    name: &str,
    text: &str,
    source: impl FnOnce(PathBuf) -> IacSource,
) -> Result<(), TestCaseError> {
    let (_dir, path) = written(name, text);
    let source = source(path);
    let outcome = run(move || iac::read(&source, None, "2026-12-07T00:00:00Z".into()).map(drop))?;
    holds(&outcome, text.len(), Some(name))
}

const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "null",
    "true",
    "1e999",
    "-0",
    "99999999999999999999",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "{}",
    "[]",
    "\"schemaVersion\": 1,",
    "\"complete\": true,",
    "\"gaps\": [{}],",
    "\"effective\": \"unknown\",",
    "\"properties\": null,",
    "\"apis\": {},",
    "\"id\": \"/subscriptions/../../x\",",
    "\"name\": \"../../rg\",",
];

const XML_TOKENS: &[&str] = &[
    "<base />",
    "<choose>",
    "</choose>",
    "<when condition=\"@(true)\">",
    "</when>",
    "<otherwise>",
    "</otherwise>",
    "@(",
    "@{",
    "}",
    ")",
    "{{secret}}",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE p [<!ENTITY a \"b\">]>",
    "&a;",
    "<!--",
    "-->",
    "<validate-jwt header-name=\"Authorization\">",
    "</validate-jwt>",
    "<check-header name=\"x\" />",
    "<set-body>{\"client_secret\": \"s3cret\"}</set-body>",
    "<include-fragment fragment-id=\"f\" />",
    "<cache-lookup />",
    "<inbound>",
    "</inbound>",
    "<policies>",
    "</policies>",
    "\"",
    "'",
    "<",
    ">",
    "/>",
    "<?xml version=\"1.0\"?>",
];

const BICEP_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "'",
    "'''",
    "${",
    "?",
    ":",
    "!",
    "...",
    "if (",
    "for x in y:",
    "\nresource r 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {\n",
    "loadTextContent('x.xml')",
    "loadJsonContent('x.json')",
    "\nmodule m './m.bicep' = {\n",
    "\nparam p string\n",
    "\nvar v = ",
    "\n",
    "@description('x')\n",
    "#disable-next-line x\n",
    "//",
    "/*",
    "*/",
    "parent: svc\n",
    "properties: {\n",
    "existing",
    "=",
    ".",
    "[0]",
    "??",
    "concat(",
    "format('{0}', ",
    "union(",
    "json('",
    "resourceId(",
];

const ARM_TOKENS: &[&str] = &[
    "\"[concat('a', parameters('p'))]\"",
    "\"[if(true(), 1, 2)]\"",
    "\"[variables('v')]\"",
    "\"[[\"",
    "\"[\"",
    "]\"",
    "(",
    ")",
    "'",
    "''",
    "\"[json('{')]\"",
    "\"[format('{0}{1}', 1)]\"",
    "\"[resourceId('Microsoft.ApiManagement/service', '..')]\"",
    "\"condition\": \"[false()]\",",
    "\"copy\": {\"name\": \"c\", \"count\": 100000},",
    "\"dependsOn\": [\"a\"],",
    "\"[union(createObject(), json('[]'))]\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\"[reference('x').y]\"",
    "\"[range(0, 100000000)]\"",
    "\"[string(range(0, 99999))]\"",
];

const YAML_TOKENS: &[&str] = &[
    "&a [x, x, x, x]",
    "*a",
    "<<: *a",
    "!!binary",
    "? ",
    "- ",
    ": ",
    "\t",
    "---\n",
    "...\n",
    "\"",
    "'",
    "{",
    "}",
    "[",
    "]",
    "2026-13-45",
    "rules:\n",
    "waivers:\n",
    "severity:\n",
    "  - rule: APIM-DEF-001\n    resource: '**'\n    reason: x\n    expires: 2099-01-01\n",
    "!!python/object:os.system",
    "%YAML 1.1\n",
    "|\n",
    ">\n",
    "~",
    "null",
];

/// Deeply nested JSON values, closed or not.
const JSON_LEVELS: &[(&str, &str)] = &[("[", "]"), ("{\"a\":", "}"), ("{\"properties\":", "}")];

fn seeds(paths: &[&str]) -> Vec<String> {
    paths.iter().map(|p| fixture(p)).collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn snapshot_loader(text in prop_oneof![
        gen::mutated(snapshot_seeds(), JSON_TOKENS),
        gen::nested(&["@@", "{\"schemaVersion\": 1, \"subscriptions\": @@}"], JSON_LEVELS, "1"),
        gen::noise(),
    ]) {
        let (_dir, path) = written("snapshot.json", &text);
        let outcome = run(move || apimguard::snapshot::load(&path).map(drop))?;
        holds(&outcome, text.len(), Some("snapshot.json"))?;
    }

    #[test]
    fn config_loader(text in prop_oneof![
        gen::mutated(seeds(&["apimguard.example.yaml"]), YAML_TOKENS),
        gen::nested(&["rules: @@", "@@"], &[("[", "]"), ("{a: ", "}"), ("- ", "")], "1"),
        gen::noise(),
    ]) {
        let (_dir, path) = written("apimguard.yaml", &text);
        let outcome = run(move || apimguard::config::Config::load(&path).map(drop))?;
        holds(&outcome, text.len(), Some("apimguard.yaml"))?;
    }

    #[test]
    fn policy_xml_reader(text in prop_oneof![
        gen::mutated(policy_seeds(), XML_TOKENS),
        gen::nested(
            &["<policies><inbound>@@</inbound></policies>", "@@"],
            &[("<choose><when condition=\"@(true)\">", "</when></choose>"), ("<a>", "</a>"), ("@(", ")"), ("@{", "}")],
            "<base />",
        ),
        gen::noise(),
    ]) {
        let len = text.len();
        let outcome = run(move || apimguard::policy_xml::parse_policy(&text).map(drop))?;
        holds(&outcome, len, None)?;
    }

    #[test]
    fn bicep_reader(text in prop_oneof![
        gen::mutated(bicep_seeds(), BICEP_TOKENS),
        gen::nested(
            &["var v = @@\n", "resource s 'Microsoft.ApiManagement/service@2023-05-01-preview' = {\n  name: 'x'\n  properties: { publisherEmail: @@ }\n}\n"],
            &[("(", ")"), ("[", "]"), ("{ a: ", " }"), ("concat(", ")"), ("true ? ", " : 1")],
            "'x'",
        ),
        gen::noise(),
    ]) {
        check_iac("main.bicep", &text, |file| IacSource::Bicep { file, parameters: None })?;
    }

    #[test]
    fn arm_template_reader(text in prop_oneof![
        gen::mutated(arm_seeds(), ARM_TOKENS),
        gen::nested(&[ARM_FRAME], &[("concat(", ")"), ("if(true(), ", ", 1)"), ("json(string(", "))"), ("createArray(", ")")], "'x'"),
        gen::nested(&["@@"], JSON_LEVELS, "1"),
        gen::noise(),
    ]) {
        check_iac("azuredeploy.json", &text, |template| IacSource::ArmTemplate { template, parameters: None })?;
    }

    #[test]
    fn apiops_reader(pick in 0usize..64, edits in gen::edits(APIOPS_TOKENS)) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/iac/estate/apiops");
        let files = copy_tree(&root, dir.path());
        let (victim, original) = &files[pick % files.len()];
        let text = gen::apply(original, &edits);
        std::fs::write(dir.path().join(victim), &text).expect("write the case");
        let name = victim.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let folder = dir.path().to_path_buf();
        let outcome = run(move || {
            iac::read(&IacSource::Apiops { folder, configuration: None }, None, "2026-12-07T00:00:00Z".into()).map(drop)
        })?;
        holds(&outcome, text.len(), Some(&name))?;
    }
}

/// An ARM template whose API `serviceUrl` is the expression `@@`.
const ARM_FRAME: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {"type": "Microsoft.ApiManagement/service", "apiVersion": "2023-05-01-preview", "name": "x",
     "location": "westeurope", "sku": {"name": "Developer", "capacity": 1},
     "properties": {"publisherEmail": "a@b.c", "publisherName": "x"}},
    {"type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2023-05-01-preview", "name": "x/echo",
     "dependsOn": ["[resourceId('Microsoft.ApiManagement/service', 'x')]"],
     "properties": {"displayName": "Echo", "path": "echo", "serviceUrl": "[@@]"}}
  ]
}"#;

const APIOPS_TOKENS: &[&str] = &[
    "{",
    "}",
    "\"",
    "null",
    "\"properties\": null",
    "<base />",
    "@(",
    "{{nv}}",
    "</inbound>",
    "\"value\": \"x\"",
    "\"format\": \"rawxml\"",
    "\"path\": \"../../../etc\"",
    "- ",
    ": ",
    "&a x",
    "*a",
];

fn snapshot_seeds() -> Vec<String> {
    let demo = fixture("fixtures/demo/snapshot.json");
    let minified = serde_json::to_string(
        &serde_json::from_str::<serde_json::Value>(&demo).expect("demo is JSON"),
    )
    .expect("serialise the demo");
    vec![demo, minified, fixture("fixtures/check/small.json")]
}

fn policy_seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut found = Vec::new();
    collect_files(&root, &mut |path| {
        if path.extension().is_some_and(|e| e == "xml") {
            found.push(std::fs::read_to_string(path).unwrap_or_default());
        }
    });
    found.retain(|text| text.contains("<policies") || text.contains("<fragment"));
    assert!(!found.is_empty(), "no policy XML under fixtures/");
    found
}

fn bicep_seeds() -> Vec<String> {
    seeds(&[
        "fixtures/iac/bicep/real-world-syntax.bicep",
        "fixtures/iac/samples/quickstarts/api-management-create-all-resources/main.bicep",
        "fixtures/iac/samples/quickstarts/api-management-create-with-internal-vnet-publicip/main.bicep",
    ])
}

fn arm_seeds() -> Vec<String> {
    vec![
        fixture("fixtures/iac/estate/azuredeploy.json"),
        ARM_FRAME.replace("@@", "concat('https://', 'a')"),
    ]
}

fn collect_files(dir: &Path, found: &mut dyn FnMut(&Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, found);
        } else {
            found(&path);
        }
    }
}

/// Copies `from` into `to`; returns each file's path relative to `to` with its text.
fn copy_tree(from: &Path, to: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    collect_files(from, &mut |path| {
        let relative = path
            .strip_prefix(from)
            .expect("below the root")
            .to_path_buf();
        let target = to.join(&relative);
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("create a folder");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        std::fs::write(&target, &text).expect("copy a file");
        files.push((relative, text));
    });
    files.sort();
    files
}
