//! Rule documentation: one page per rule, generated from its METADATA and its unit
//! tests so that it can never drift from the rule, and the catalogue of all rules.
//!
//! `apimguard rules doc` writes `docs/rules/<ID>.md` and `docs/rules/README.md`
//! (PSRule style); `apimguard rules explain ID` shows the same [`Page`] in a
//! terminal. Output is deterministic (rules sorted by id, families by name, JSON
//! keys sorted), so `rules doc --check` in CI can tell when the docs are stale.

mod markdown;
mod page;
mod terminal;

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crate::engine::{PolicyError, PolicySet, Rule};
use crate::input::{self, Kind, ReadError};
pub use page::Page;
pub use terminal::render as render_terminal;

/// Name of the catalogue page.
pub const CATALOGUE: &str = "README.md";

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocFile {
    /// File name inside the output directory.
    pub name: String,
    /// Its Markdown text.
    pub text: String,
}

/// How a file on disk differs from what would be generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drift {
    /// It does not exist yet.
    Missing,
    /// Its text differs.
    Changed,
    /// A generated page that no rule produces any more.
    Obsolete,
}

/// A file that `rules doc` would write or remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleFile {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub drift: Drift,
}

/// Reading or writing the documentation directory failed.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot {action} {path}: {source}")]
#[diagnostic(
    code(apimguard::ruledoc::io),
    help("check that --out names a directory you can write to")
)]
pub struct DocIoError {
    /// `read`, `write` or `remove`.
    action: &'static str,
    /// The file or directory.
    path: String,
    /// The I/O error.
    source: std::io::Error,
}

/// The page of every rule in `set` (which must be loaded with tests, for the
/// examples), sorted by id, followed by the catalogue.
pub fn generate(set: &PolicySet) -> Result<Vec<DocFile>, PolicyError> {
    let mut rules: Vec<&Rule> = set.rules().iter().collect();
    rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    let examples = set.examples(&rules)?;
    let mut files: Vec<DocFile> = rules
        .iter()
        .zip(&examples)
        .map(|(rule, examples)| DocFile {
            name: format!("{}.md", rule.meta.id),
            text: markdown::render_page(&Page::for_rule(rule, Some(examples))),
        })
        .collect();
    files.push(DocFile {
        name: CATALOGUE.to_string(),
        text: markdown::render_catalogue(&rules),
    });
    Ok(files)
}

/// The files under `out` that differ from `files`: missing, changed, or generated
/// pages that nothing generates any more. Sorted by path.
pub fn stale(out: &Path, files: &[DocFile]) -> Result<Vec<StaleFile>, DocIoError> {
    let mut found = Vec::new();
    for file in files {
        let path = out.join(&file.name);
        // A page over the size cap cannot be the small page generated.
        match input::read_to_string(&path, Kind::File) {
            Ok(text) if text == file.text => {}
            Ok(_) | Err(ReadError::TooLarge(_) | ReadError::NotRegular(_)) => {
                found.push(StaleFile {
                    path,
                    drift: Drift::Changed,
                })
            }
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                found.push(StaleFile {
                    path,
                    drift: Drift::Missing,
                })
            }
            Err(ReadError::Io(source)) => return Err(io_error("read", &path, source)),
        }
    }
    let entries = match std::fs::read_dir(out) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(source) => return Err(io_error("read", out, source)),
    };
    for entry in entries {
        let path = entry
            .map_err(|source| io_error("read", out, source))?
            .path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let generated_now = files.iter().any(|f| f.name == name);
        if !generated_now && name.ends_with(".md") && is_generated(&path) {
            found.push(StaleFile {
                path,
                drift: Drift::Obsolete,
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// Brings `out` up to date with `files` (creating it, removing obsolete generated
/// pages) and returns what it changed.
pub fn write(out: &Path, files: &[DocFile]) -> Result<Vec<StaleFile>, DocIoError> {
    std::fs::create_dir_all(out).map_err(|source| io_error("write", out, source))?;
    let changes = stale(out, files)?;
    for change in &changes {
        let result = match change.drift {
            Drift::Obsolete => std::fs::remove_file(&change.path),
            Drift::Missing | Drift::Changed => {
                let name = change.path.file_name().and_then(|n| n.to_str());
                let text = files
                    .iter()
                    .find(|f| Some(f.name.as_str()) == name)
                    .map(|f| f.text.as_str())
                    .expect("missing and changed files are generated ones");
                crate::output_file::write_text(&change.path, text)
            }
        };
        let action = if change.drift == Drift::Obsolete {
            "remove"
        } else {
            "write"
        };
        result.map_err(|source| io_error(action, &change.path, source))?;
    }
    Ok(changes)
}

/// Whether the file at `path` starts with the generated-file marker.
fn is_generated(path: &Path) -> bool {
    input::read_to_string(path, Kind::File)
        .is_ok_and(|text| text.starts_with(markdown::GENERATED_MARKER))
}

fn io_error(action: &'static str, path: &Path, source: std::io::Error) -> DocIoError {
    DocIoError {
        action,
        path: path.display().to_string(),
        source,
    }
}
