//! Every YAML file of the repository and every ```yaml block of README.md and docs/
//! parses: a recipe a user copies must at least be YAML. (CI also validates the
//! workflows, the action, the Azure Pipelines template and the recipes against their
//! schemas, with check-jsonschema and actionlint: scripts/ci_dist.sh.)

use std::path::{Path, PathBuf};

const SKIP: [&str; 3] = ["target", ".git", "node_modules"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn walk(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let name = entry.file_name();
        if entry.file_type().unwrap().is_dir() {
            if !SKIP.iter().any(|s| name == *s) {
                walk(&path, keep, out);
            }
        } else if keep(&path) {
            out.push(path);
        }
    }
}

fn parse(what: &str, text: &str) -> Result<(), String> {
    serde_yaml::from_str::<serde_yaml::Value>(text)
        .map(|_| ())
        .map_err(|e| format!("{what}: {e}"))
}

#[test]
fn every_yaml_file_parses() {
    let mut files = Vec::new();
    let is_yaml = |p: &Path| p.extension().is_some_and(|e| e == "yml" || e == "yaml");
    walk(root(), &is_yaml, &mut files);
    let names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    for expected in [
        "action.yml",
        ".pre-commit-hooks.yaml",
        "templates/apimguard.yml",
        ".github/workflows/release.yml",
        "apimguard.example.yaml",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} not found");
    }
    let errors: Vec<String> = files
        .iter()
        .zip(&names)
        .filter_map(|(file, name)| parse(name, &std::fs::read_to_string(file).unwrap()).err())
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The ```yaml blocks of a Markdown text, with the line each starts at.
fn yaml_blocks(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (index, line) in text.lines().enumerate() {
        match &mut open {
            None if line == "```yaml" || line == "```yml" => {
                open = Some((index + 2, String::new()))
            }
            Some(_) if line == "```" => out.push(open.take().unwrap()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    assert!(open.is_none(), "an unclosed ```yaml block");
    out
}

#[test]
fn every_yaml_block_of_the_docs_parses() {
    let mut docs = vec![root().join("README.md")];
    walk(
        &root().join("docs"),
        &|p| p.extension().is_some_and(|e| e == "md"),
        &mut docs,
    );
    let mut count = 0;
    let mut errors = Vec::new();
    for doc in &docs {
        let name = doc.strip_prefix(root()).unwrap().display().to_string();
        for (line, body) in yaml_blocks(&std::fs::read_to_string(doc).unwrap()) {
            count += 1;
            if let Err(e) = parse(&format!("{name}:{line}"), &body) {
                errors.push(e);
            }
        }
    }
    assert!(count >= 10, "only {count} YAML blocks found in the docs");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn a_broken_block_is_caught() {
    let blocks = yaml_blocks("text\n```yaml\na: [1, 2\n```\n");
    assert_eq!(blocks.len(), 1);
    assert!(parse("x", &blocks[0].1).is_err());
}
