//! Where policy text comes from: the built-in pack embedded in the binary, and
//! user directories given with `--policies`.

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

use super::errors::PolicyError;
use crate::input::{self, Kind};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/policies");

/// One `.rego` file.
#[derive(Debug, Clone)]
pub struct PolicySource {
    /// Path shown to the user (`policies/...` for built-in files).
    pub path: String,
    /// The Rego text.
    pub text: String,
    /// Whether it ships inside the binary.
    pub builtin: bool,
}

impl PolicySource {
    /// Whether this file holds unit tests (`*_test.rego`).
    pub fn is_test(&self) -> bool {
        self.path.ends_with("_test.rego")
    }

    /// The module's package as declared (`apimguard.rules.api.x`), without `data.`.
    pub fn package(&self) -> Option<&str> {
        self.text.lines().find_map(|line| {
            let rest = line.strip_prefix("package")?;
            let name = rest.trim_start();
            let end = name
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(name.len());
            (rest.starts_with(char::is_whitespace) && end > 0).then_some(&name[..end])
        })
    }
}

/// The built-in rule pack (rules, libraries and their tests).
pub fn builtin() -> Vec<PolicySource> {
    let mut out = Vec::new();
    collect_embedded(&BUILTIN, &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn collect_embedded(dir: &Dir<'static>, out: &mut Vec<PolicySource>) {
    for file in dir.files() {
        if file.path().extension().is_some_and(|e| e == "rego") {
            out.push(PolicySource {
                path: format!("policies/{}", file.path().display()),
                text: file.contents_utf8().unwrap_or_default().to_string(),
                builtin: true,
            });
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

/// Every `.rego` file under `root` (or `root` itself when it is a file), sorted by path.
pub fn from_path(root: &Path) -> Result<Vec<PolicySource>, PolicyError> {
    let io = |path: &Path, source: std::io::Error| PolicyError::Io {
        path: path.display().to_string(),
        source,
    };
    let meta = std::fs::metadata(root).map_err(|e| io(root, e))?;
    let mut files = Vec::new();
    if meta.is_file() {
        files.push(root.to_path_buf());
    } else {
        let mut seen = std::collections::HashSet::new();
        walk(root, &mut files, &mut seen).map_err(|(p, e)| io(&p, e))?;
        // Rules the user asked for that are not there would not run, silently.
        if files.is_empty() {
            return Err(io(
                root,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no .rego file in this directory or below it",
                ),
            ));
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text =
                input::read_to_string(&path, Kind::File).map_err(|e| e.or_io(|e| io(&path, e)))?;
            let source = PolicySource {
                path: path.display().to_string(),
                text,
                builtin: false,
            };
            refuse_deep_nesting(&source)?;
            Ok(source)
        })
        .collect()
}

/// Deepest nesting of brackets (`(`, `[`, `{`) a policy file may use. The engine's
/// parser reads each `[` and `{` level twice or more (a comprehension first, then a
/// literal), so its time doubles with every level, and it recurses on the stack for
/// each: 16 levels parse at once, 30 would take hours. The built-in pack, tests
/// included, nests 8 deep at most.
pub const MAX_REGO_NESTING: usize = 16;

/// Refuses a file whose brackets nest past [`MAX_REGO_NESTING`] (strings and comments
/// aside), at the bracket that goes too deep.
fn refuse_deep_nesting(source: &PolicySource) -> Result<(), PolicyError> {
    let bytes = source.text.as_bytes();
    let (mut depth, mut line, mut line_start, mut at) = (0usize, 1usize, 0usize, 0usize);
    while at < bytes.len() {
        match bytes[at] {
            b'\n' => {
                line += 1;
                line_start = at + 1;
            }
            b'#' => {
                at = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n);
                continue;
            }
            b'"' => {
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' && bytes[at] != b'\n' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
            }
            b'`' => {
                let end =
                    memchr::memchr(b'`', &bytes[at + 1..]).map_or(bytes.len(), |n| at + 1 + n);
                line += memchr::memchr_iter(b'\n', &bytes[at..end]).count();
                if let Some(n) = memchr::memrchr(b'\n', &bytes[at..end]) {
                    line_start = at + n + 1;
                }
                at = end;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_REGO_NESTING {
                    return Err(PolicyError::rego(
                        source,
                        line,
                        at - line_start + 1,
                        format!("brackets nest more than {MAX_REGO_NESTING} levels deep: the engine reads such nesting in exponential time; build deep values from variables"),
                    ));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    Ok(())
}

/// Every `.rego` file below `dir`. Symbolic links are followed (a rules folder shared
/// by a link must not be skipped silently); `seen` holds the folders already walked, so
/// a link back up the tree is walked once.
fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> Result<(), (PathBuf, std::io::Error)> {
    let real = std::fs::canonicalize(dir).map_err(|e| (dir.to_path_buf(), e))?;
    if !seen.insert(real) {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| (dir.to_path_buf(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| (dir.to_path_buf(), e))?;
        let path = entry.path();
        let mut file_type = entry.file_type().map_err(|e| (path.clone(), e))?;
        if file_type.is_symlink() {
            file_type = std::fs::metadata(&path)
                .map_err(|e| (path.clone(), e))?
                .file_type();
        }
        if file_type.is_dir() {
            walk(&path, out, seen)?;
        } else if path.extension().is_some_and(|e| e == "rego") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(text: String) -> PolicySource {
        PolicySource {
            path: "my/rule.rego".into(),
            text,
            builtin: false,
        }
    }

    #[test]
    fn the_built_in_pack_nests_well_below_the_limit() {
        for source in builtin() {
            assert!(
                refuse_deep_nesting(&user(source.text)).is_ok(),
                "{}",
                source.path
            );
        }
    }

    #[test]
    fn nesting_past_the_limit_is_located_strings_and_comments_aside() {
        let nested = |n: usize| {
            format!(
                "package x\nimport rego.v1\n# ((((((\ns := \"[[[[\\\"[[[[\"\nr := `{{{{\n{{{{`\np := {}{}\n",
                "[".repeat(n),
                "]".repeat(n)
            )
        };
        assert!(refuse_deep_nesting(&user(nested(MAX_REGO_NESTING))).is_ok());
        for n in [MAX_REGO_NESTING + 1, 100_000] {
            let err = refuse_deep_nesting(&user(nested(n)))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("my/rule.rego:7:22: brackets nest more than 16 levels deep"),
                "{err}"
            );
        }
    }
}
