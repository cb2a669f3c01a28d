//! The module map of docs/architecture.md is the source's: every import between the
//! crate's top-level modules is listed there, every edge listed there exists, and the
//! few rules that keep data flowing one way hold.

mod support;
use support::rust_files;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Map = BTreeMap<String, BTreeSet<String>>;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The "may import" column of docs/architecture.md's module table.
fn documented() -> Map {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("docs/architecture.md"))
        .expect("docs/architecture.md");
    let mut map = Map::new();
    for line in doc.lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        let (Some(first), Some(last)) = (cells.first(), cells.last()) else {
            continue;
        };
        let first = first.trim();
        if cells.len() < 3 || !first.starts_with('`') {
            continue;
        }
        let module = first.trim_matches('`').trim_end_matches(".rs").to_string();
        let imports = last
            .split(',')
            .map(|name| name.trim().trim_matches('`').to_string())
            .filter(|name| !name.is_empty() && name != "—")
            .collect();
        map.insert(module, imports);
    }
    map
}

/// Every top-level module of the crate and the top-level modules its (non-test) code
/// names through `crate::` (or `apimguard::`, in main.rs).
fn actual() -> Map {
    let src = Path::new(ROOT).join("src");
    let mut map = Map::new();
    for file in rust_files(&src) {
        let relative = file.strip_prefix(&src).expect("under src");
        let mut parts = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy());
        let first = parts.next().expect("a file");
        let module = first.trim_end_matches(".rs").to_string();
        if relative.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let prefix = match module.as_str() {
            "main" => "apimguard::",
            // The crate root names its modules without a prefix.
            "lib" => "",
            _ => "crate::",
        };
        let text = std::fs::read_to_string(&file).expect("source file");
        let imports = map.entry(module.clone()).or_default();
        for name in names_after(&without_tests(&text), prefix) {
            if name != module {
                imports.insert(name);
            }
        }
    }
    // What is not a module is an item of the crate root (`apimguard::run`).
    let modules: BTreeSet<String> = map.keys().cloned().collect();
    for imports in map.values_mut() {
        *imports = imports
            .iter()
            .map(|name| match modules.contains(name) {
                true => name.clone(),
                false => "lib".to_string(),
            })
            .collect();
    }
    map.get_mut("lib")
        .expect("lib.rs")
        .retain(|name| modules.contains(name) && name != "lib");
    map
}

/// The code of a file without comments and without the items under `#[cfg(test)]`.
fn without_tests(text: &str) -> String {
    let mut code = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed.starts_with("#[cfg(test)]") {
            // Skip the item: up to its closing brace, or its `;`.
            let mut depth = 0i32;
            let mut opened = false;
            for line in lines.by_ref() {
                depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
                opened |= line.contains('{');
                if (opened && depth <= 0) || (!opened && line.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// The identifiers right after each `prefix` in `code`; with an empty prefix, each
/// identifier followed by `::`.
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    if prefix.is_empty() {
        return code
            .match_indices("::")
            .map(|(at, _)| {
                let name: String = code[..at]
                    .chars()
                    .rev()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                // The first segment of a path only (not `collect` in `commands::collect`).
                let first = !code[..at - name.len()].ends_with("::");
                (first, name.chars().rev().collect::<String>())
            })
            .filter(|(first, name)| *first && !name.is_empty())
            .map(|(_, name)| name)
            .collect();
    }
    code.match_indices(prefix)
        .filter(|(at, _)| {
            // `crate::` itself, not `foo_crate::`.
            !code[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, _)| {
            code[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_lowercase() || c == '_'))
        .collect()
}

#[test]
fn the_module_map_matches_the_imports() {
    let documented = documented();
    let actual = actual();
    let modules: BTreeSet<_> = actual.keys().collect();
    let listed: BTreeSet<_> = documented.keys().collect();
    assert_eq!(
        modules, listed,
        "docs/architecture.md must list exactly the top-level modules of src/"
    );
    let mut wrong = Vec::new();
    for (module, imports) in &actual {
        let allowed = &documented[module];
        for name in imports.difference(allowed) {
            wrong.push(format!(
                "{module} imports {name}, which docs/architecture.md does not allow"
            ));
        }
        for name in allowed.difference(imports) {
            wrong.push(format!(
                "docs/architecture.md lets {module} import {name}, which it no longer does: drop it from the map"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn data_flows_one_way() {
    let actual = actual();
    let imports = |module: &str| actual.get(module).cloned().unwrap_or_default();
    // The engine, the report and the snapshot never touch the network or a reader.
    for module in ["engine", "report", "snapshot", "policy_xml", "config"] {
        for far in [
            "azure",
            "collect",
            "iac",
            "app",
            "commands",
            "remediate",
            "cli",
        ] {
            assert!(
                !imports(module).contains(far),
                "{module} must not import {far}"
            );
        }
    }
    // Only the command line reaches the commands, and only commands reach `app`.
    for (module, names) in &actual {
        if names.contains("commands") {
            assert_eq!(module, "lib", "{module} must not import commands");
        }
        if names.contains("app") {
            assert_eq!(module, "commands", "{module} must not import app");
        }
    }
    // The ARM client is used by live collection, the app and remediation only (the
    // command line names its clouds and credential kinds as values of flags).
    for (module, names) in &actual {
        if names.contains("azure") {
            assert!(
                ["collect", "app", "remediate", "commands", "cli"].contains(&module.as_str()),
                "{module} must not import azure"
            );
        }
    }
}
