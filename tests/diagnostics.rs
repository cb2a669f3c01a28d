//! docs/diagnostics.md lists every diagnostic code the source declares, and only
//! those; and each code names one kind of error.

mod support;
use support::rust_files;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const PREFIX: &str = "apimguard::";

/// Where a code is used: the file and whether it is a `#[diagnostic(code(...))]`.
struct Use {
    file: String,
    attribute: bool,
}

/// Every `apimguard::area::name` code in the code (not the comments) of src/.
fn codes_in_source() -> BTreeMap<String, Vec<Use>> {
    let src = Path::new(ROOT).join("src");
    let mut codes: BTreeMap<String, Vec<Use>> = BTreeMap::new();
    for file in rust_files(&src) {
        let name = file
            .strip_prefix(ROOT)
            .expect("in the crate")
            .display()
            .to_string();
        let text = std::fs::read_to_string(&file).expect("source file");
        for line in text.lines() {
            let code = line.trim_start();
            if code.starts_with("//") || code.starts_with("use ") {
                continue;
            }
            for (at, _) in code.match_indices(PREFIX) {
                let attribute = code[..at].ends_with("code(");
                let quoted = code[..at].ends_with('"');
                if !attribute && !quoted {
                    continue;
                }
                let found: String = code[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_' || *c == ':')
                    .collect();
                if found.matches("::").count() == 2 {
                    codes.entry(found).or_default().push(Use {
                        file: name.clone(),
                        attribute,
                    });
                }
            }
        }
    }
    codes
}

/// The codes docs/diagnostics.md documents: the first cell of its table rows.
fn documented() -> Vec<String> {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("docs/diagnostics.md"))
        .expect("docs/diagnostics.md");
    doc.lines()
        .filter_map(|line| line.strip_prefix("| `apimguard::"))
        .filter_map(|rest| rest.split('`').next())
        .map(|code| format!("{PREFIX}{code}"))
        .collect()
}

/// The top-level module of a file under src/.
fn area(file: &str) -> &str {
    let path = file.trim_start_matches("src/");
    path.split('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".rs")
}

#[test]
fn every_code_is_documented_and_every_documented_code_exists() {
    let source = codes_in_source();
    assert!(
        source.len() > 50,
        "the scan found only {} codes",
        source.len()
    );
    let documented = documented();
    let listed: BTreeSet<&String> = documented.iter().collect();
    let mut wrong = Vec::new();
    for (code, uses) in &source {
        if !listed.contains(code) {
            wrong.push(format!(
                "{code} (in {}) is not documented in docs/diagnostics.md",
                uses[0].file
            ));
        }
    }
    for code in &listed {
        if !source.contains_key(*code) {
            wrong.push(format!(
                "docs/diagnostics.md documents {code}, which the source no longer has"
            ));
        }
    }
    let mut seen = BTreeSet::new();
    for code in &documented {
        if !seen.insert(code) {
            wrong.push(format!("docs/diagnostics.md lists {code} twice"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn each_code_names_one_kind_of_error() {
    let mut wrong = Vec::new();
    for (code, uses) in codes_in_source() {
        // One error type (or variant) declares it...
        let declared = uses.iter().filter(|u| u.attribute).count();
        if declared > 1 {
            wrong.push(format!(
                "{code} is declared by {declared} error types: give each its own code"
            ));
        }
        // ...and one module owns it (located errors name theirs at several sites).
        let areas: BTreeSet<&str> = uses.iter().map(|u| area(&u.file)).collect();
        if areas.len() > 1 {
            wrong.push(format!("{code} is used by several modules: {areas:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
