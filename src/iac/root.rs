//! The IaC root: the folder every file an IaC input references must stay in.
//!
//! A pull-request gate reads files written by whoever opened the pull request, and those
//! files name other files: Bicep `load*` functions, modules and imports, ARM
//! `templateLink.relativePath`, the policy and specification files of an APIOps folder.
//! Each must resolve, links followed, to a regular file inside the root, else the input
//! is refused (exit 2): a path that is absolute, names a drive, a URL, a share or a home
//! folder, climbs out with `..` or leads out through a link, and anything but a regular
//! file (a pipe, a device, a folder). Nothing outside the root is ever read.
//!
//! The root is `--root DIR`, else the git work tree that holds the input (the nearest
//! folder above it, as written, that holds `.git`; one reached through a link inside an
//! outer work tree does not count), else the input's own folder. Files named on the
//! command line are read where the user named them; one named inside the root must
//! stay inside it too (a pull request can make `infra/main.bicep` a link).

use std::fmt;
use std::fs::Metadata;
use std::path::{Component, Path, PathBuf};

use miette::Diagnostic;

use super::error::IacError;
use crate::diagnostic::Located;
use crate::input::{self, Kind, ReadError};

/// The most bytes one referenced file may have: the run's `--max-file-size`.
fn max_file_bytes() -> u64 {
    input::limits().file.0
}

/// The folder IaC inputs are confined to.
#[derive(Debug, Clone)]
pub(super) struct IacRoot {
    /// As written (absolute, `..` resolved by name): whether a path is named inside.
    named: PathBuf,
    /// With links resolved: every file read is below it.
    real: PathBuf,
}

/// Why a path is refused.
#[derive(Debug)]
pub(super) enum Refusal {
    /// Not a path relative to the referencing file (what it is instead).
    NotRelative(&'static str),
    /// `..` climbs out of the root.
    Escapes,
    /// A link leads out of the root, to this path.
    LeadsOutside(PathBuf),
    /// Nothing there (or a link that leads nowhere).
    Missing,
    /// Something other than what the reader reads (what it is).
    NotRegular(&'static str),
    /// Larger than [`max_file_bytes`].
    TooLarge,
    /// The operating system refused it.
    Unreadable(std::io::Error),
}

impl Refusal {
    /// The diagnostic code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotRelative(_) => "apimguard::iac::path_not_relative",
            Refusal::Escapes | Refusal::LeadsOutside(_) => "apimguard::iac::outside_root",
            Refusal::Missing => "apimguard::iac::missing_file",
            Refusal::NotRegular(_) => "apimguard::iac::not_a_file",
            Refusal::TooLarge => "apimguard::iac::file_too_large",
            Refusal::Unreadable(_) => "apimguard::iac::io",
        }
    }

    /// What to do about it.
    pub fn help(&self) -> &'static str {
        match self {
            Refusal::NotRelative(_) => "name the file by a path relative to the file that references it, inside the IaC root (docs/iac.md#the-iac-root)",
            Refusal::Escapes | Refusal::LeadsOutside(_) => "keep every file an IaC input references inside the IaC root: the git work tree holding the input, or the folder given with --root (docs/iac.md#the-iac-root)",
            Refusal::Missing => "check the path: it is relative to the folder of the file that references it",
            Refusal::NotRegular(_) => "a file an IaC input references must be a regular file (not a folder, pipe, socket or device)",
            Refusal::TooLarge => "no policy, specification or parameters file is this large; check what the path names, or raise --max-file-size if it is genuine",
            Refusal::Unreadable(_) => "check the file's permissions",
        }
    }

    /// What is wrong, after the path: `is an absolute path`, `leads to …, outside …`.
    fn describe(&self, root: &Path) -> String {
        let root = root.display();
        match self {
            Refusal::NotRelative(what) => format!("is {what}"),
            Refusal::Escapes => format!("climbs with `..` to outside the IaC root {root}"),
            Refusal::LeadsOutside(to) => format!(
                "leads to {}, outside the IaC root {root}",
                printable(&to.display().to_string())
            ),
            Refusal::Missing => "does not exist (or is a link that leads nowhere)".into(),
            Refusal::NotRegular(what) => format!("is {what}, not a regular file"),
            Refusal::TooLarge => format!(
                "is larger than {} bytes (--max-file-size)",
                max_file_bytes()
            ),
            Refusal::Unreadable(e) => format!("cannot be read: {e}"),
        }
    }
}

/// A refused path with no file and line to point at (a file named on the command line,
/// or found in an APIOps folder).
#[derive(Debug)]
pub struct Refused {
    code: &'static str,
    help: &'static str,
    message: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refused {}

impl Diagnostic for Refused {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.help))
    }
}

/// What a path must lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Want {
    File,
    Folder,
}

impl IacRoot {
    /// `--root DIR` when given, else the root of the input at `start` (the input's
    /// folder, or the APIOps folder itself).
    pub fn find(given: Option<&Path>, start: &Path) -> Result<IacRoot, IacError> {
        let named = match given {
            Some(dir) => lexical(dir),
            None => {
                let start = lexical(start);
                repository(&start).unwrap_or(start)
            }
        };
        let real = match std::fs::canonicalize(&named) {
            Ok(real) if real.is_dir() => real,
            Ok(_) => return Err(root_error(&named, given, "is not a folder")),
            Err(e) => return Err(root_error(&named, given, &e.to_string())),
        };
        Ok(IacRoot { named, real })
    }

    /// A file or folder named on the command line: refused only when it is named inside
    /// the root and does not stay there (a link), or is not what the reader reads.
    pub fn named(&self, path: &Path, want: Want) -> Result<(), IacError> {
        let written = lexical(path);
        if !written.starts_with(&self.named) && !written.starts_with(&self.real) {
            return Ok(());
        }
        self.resolve(path, want)
            .map(drop)
            .map_err(|r| self.refused(&path.display().to_string(), r))
    }

    /// Resolves `path`, links followed; refused unless it stays inside the root and is a
    /// `want`. Returns the resolved path.
    pub fn resolve(&self, path: &Path, want: Want) -> Result<PathBuf, Refusal> {
        let (real, meta) = self.locate(path)?;
        check_kind(&meta, want)?;
        Ok(real)
    }

    /// Resolves `path`, links followed, whatever it is; refused unless it stays inside
    /// the root. Returns the resolved path and what is there.
    pub fn locate(&self, path: &Path) -> Result<(PathBuf, Metadata), Refusal> {
        let real = std::fs::canonicalize(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Refusal::Missing,
            _ => Refusal::Unreadable(e),
        })?;
        if !real.starts_with(&self.real) {
            return Err(Refusal::LeadsOutside(real));
        }
        let meta = std::fs::metadata(&real).map_err(Refusal::Unreadable)?;
        Ok((real, meta))
    }

    /// The file or folder a file inside the root references by the path `written`
    /// (relative to that file's folder): refused unless it stays inside the root.
    pub fn reference(&self, from: &Path, written: &str, want: Want) -> Result<PathBuf, Refusal> {
        let relative = relative_path(written)?;
        let joined = from.parent().unwrap_or(Path::new("")).join(relative);
        let lexical = lexical(&joined);
        if !lexical.starts_with(&self.named) && !lexical.starts_with(&self.real) {
            return Err(Refusal::Escapes);
        }
        self.resolve(&joined, want)
    }

    /// Reads a file [`IacRoot::resolve`] accepted, at most [`max_file_bytes`], through
    /// the one reader of inputs (its type is checked again on the open file: the path
    /// may have changed since).
    pub fn read(&self, real: &Path) -> Result<Vec<u8>, Refusal> {
        input::read_bytes(real, Kind::File).map_err(|e| match e {
            ReadError::Io(e) => Refusal::Unreadable(e),
            ReadError::NotRegular(what) => Refusal::NotRegular(what),
            ReadError::TooLarge(_) => Refusal::TooLarge,
        })
    }

    /// The error for `shown` (a path as the user or the layout names it).
    pub fn refused(&self, shown: &str, refusal: Refusal) -> IacError {
        IacError::Refused(Box::new(Refused {
            code: refusal.code(),
            help: refusal.help(),
            message: format!("{} {}", printable(shown), refusal.describe(&self.real)),
        }))
    }

    /// The error for the reference `written` by `what` (`loadTextContent`, `module`, …)
    /// at `line` and `column` of `file` (whose text is `text`).
    pub fn refused_at(&self, at: At<'_>, what: &str, written: &str, refusal: Refusal) -> IacError {
        let message = format!(
            "{}:{}: {what} names `{}`, which {}",
            at.file,
            at.line,
            printable(written),
            refusal.describe(&self.real)
        );
        IacError::Located(Located::new(
            refusal.code(),
            refusal.help(),
            at.file,
            at.text,
            at.line,
            at.column,
            message,
        ))
    }
}

/// Where a reference is written.
#[derive(Debug, Clone, Copy)]
pub(super) struct At<'a> {
    /// The file, as shown.
    pub file: &'a str,
    /// Its text.
    pub text: &'a str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// `text` with control characters escaped (`\u{1b}`): paths come from the files read,
/// and a message must not drive the terminal or the CI log it is printed to.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c.is_control() {
            true => c.escape_default().to_string(),
            false => c.to_string(),
        })
        .collect()
}

/// Refuses a file apimguard found by name beside its input (`configuration.<env>.yaml`
/// for `--env`, which may be outside the root) unless it is a regular file, not a link.
pub(super) fn found_file(path: &Path) -> Result<(), IacError> {
    let shown = path.display().to_string();
    let meta = path
        .symlink_metadata()
        .map_err(|e| IacError::io(&shown, e))?;
    let (code, help, what) = if meta.file_type().is_symlink() {
        (
            "apimguard::iac::found_link",
            "name the file with --configuration FILE: a link that --env finds is not followed",
            "is a link".to_string(),
        )
    } else {
        match check_kind(&meta, Want::File) {
            Ok(()) => return Ok(()),
            Err(refusal) => (
                refusal.code(),
                refusal.help(),
                refusal.describe(Path::new("")),
            ),
        }
    };
    Err(IacError::Refused(Box::new(Refused {
        code,
        help,
        message: format!("{} {what}", printable(&shown)),
    })))
}

/// Refuses what is not a `want`, naming what it is.
fn check_kind(meta: &Metadata, want: Want) -> Result<(), Refusal> {
    let kind = meta.file_type();
    match want {
        Want::File if kind.is_file() => Ok(()),
        Want::Folder if kind.is_dir() => Ok(()),
        Want::Folder => Err(Refusal::NotRegular("not a folder")),
        Want::File if kind.is_dir() => Err(Refusal::NotRegular("a folder")),
        Want::File => Err(Refusal::NotRegular(
            input::not_regular(&kind).unwrap_or("a special file"),
        )),
    }
}

/// A reference as a relative path (`\` read as `/`, as Bicep on Windows reads it), or
/// what else it is.
fn relative_path(written: &str) -> Result<PathBuf, Refusal> {
    let path = written.replace('\\', "/");
    let first = path.split('/').next().unwrap_or_default();
    let refused = if path.is_empty() {
        "an empty path"
    } else if path.contains('\0') {
        "a path with a NUL character"
    } else if path.starts_with('/') {
        "an absolute path"
    } else if first.contains(':') {
        "a drive or URL"
    } else if first.starts_with('~') {
        "a home-folder path"
    } else {
        return Ok(PathBuf::from(path));
    };
    Err(Refusal::NotRelative(refused))
}

/// How a file that `from` references as `written` is shown in origins and the
/// snapshot's file list: beside `from` as the user gave it (relative stays relative, so
/// SARIF locations stay relative to the repository), `.` and `..` resolved by name, `\`
/// read as `/`.
pub(super) fn shown_beside(from: &Path, written: &str) -> PathBuf {
    let joined = from
        .parent()
        .unwrap_or(Path::new(""))
        .join(written.replace('\\', "/"));
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` made absolute against the current folder, `.` and `..` resolved by name.
pub(super) fn lexical(path: &Path) -> PathBuf {
    let path = match path.as_os_str().is_empty() {
        true => Path::new("."),
        false => path,
    };
    let absolute = match std::path::absolute(path) {
        Ok(p) => p,
        Err(_) => path.to_path_buf(),
    };
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The git work tree holding `dir` (as written): the nearest folder above it that holds
/// `.git`, skipping one reached through a link inside an outer work tree (where the
/// link leads is not the repository the input is in).
fn repository(dir: &Path) -> Option<PathBuf> {
    let holders: Vec<&Path> = dir
        .ancestors()
        .filter(|a| a.join(".git").symlink_metadata().is_ok())
        .collect();
    holders
        .iter()
        .enumerate()
        .find(|(i, inner)| match holders.get(i + 1) {
            Some(outer) => !linked_below(outer, inner),
            None => true,
        })
        .map(|(_, found)| found.to_path_buf())
}

/// Whether a folder between `outer` (excluded) and `inner` (included) is a link.
fn linked_below(outer: &Path, inner: &Path) -> bool {
    inner.ancestors().take_while(|a| *a != outer).any(|a| {
        a.symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
    })
}

fn root_error(root: &Path, given: Option<&Path>, why: &str) -> IacError {
    let (what, help) = match given {
        Some(_) => (
            "--root",
            "name an existing folder with --root, the folder the input and every file it references are in",
        ),
        None => (
            "the IaC root",
            "check that the input's folder exists and can be read, or name the root with --root DIR",
        ),
    };
    IacError::Refused(Box::new(Refused {
        code: "apimguard::iac::root",
        help,
        message: format!("{what} {} {why}", root.display()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_that_are_not_relative_paths_are_refused() {
        for (written, what) in [
            ("", "an empty path"),
            ("/etc/passwd", "an absolute path"),
            ("\\\\server\\share\\x", "an absolute path"),
            ("C:\\Windows\\win.ini", "a drive or URL"),
            ("c:win.ini", "a drive or URL"),
            ("file:///etc/passwd", "a drive or URL"),
            ("~/.ssh/id_rsa", "a home-folder path"),
            ("~root/x", "a home-folder path"),
            ("a\0b", "a path with a NUL character"),
        ] {
            match relative_path(written) {
                Err(Refusal::NotRelative(found)) => assert_eq!(found, what, "{written:?}"),
                other => panic!("{written:?}: {other:?}"),
            }
        }
        assert_eq!(
            relative_path("..\\policies\\a.xml").unwrap(),
            PathBuf::from("../policies/a.xml")
        );
    }

    #[test]
    fn messages_show_control_characters_escaped() {
        assert_eq!(printable("a\u{1b}[2Jb\n"), "a\\u{1b}[2Jb\\n");
        assert_eq!(printable("..\\x é"), "..\\x é");
    }

    #[test]
    fn lexical_paths_resolve_dots_by_name() {
        assert_eq!(lexical(Path::new("/a/b/../c/./d")), PathBuf::from("/a/c/d"));
        assert_eq!(lexical(Path::new("/a/../../..")), PathBuf::from("/"));
        assert!(lexical(Path::new("x")).is_absolute());
        assert_eq!(lexical(Path::new("")), lexical(Path::new(".")));
    }

    #[test]
    fn the_root_is_the_nearest_work_tree_not_reached_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("infra/sub")).unwrap();
        assert_eq!(repository(&repo.join("infra/sub")), Some(repo.clone()));
        // A submodule's work tree (a `.git` file) is the nearest.
        std::fs::write(repo.join("infra/.git"), "gitdir: x").unwrap();
        assert_eq!(
            repository(&repo.join("infra/sub")),
            Some(repo.join("infra"))
        );
        #[cfg(unix)]
        {
            let other = dir.path().join("other");
            std::fs::create_dir_all(other.join(".git")).unwrap();
            std::os::unix::fs::symlink(&other, repo.join("linked")).unwrap();
            assert_eq!(repository(&repo.join("linked")), Some(repo.clone()));
            assert_eq!(repository(&other), Some(other.clone()));
        }
        assert_eq!(repository(Path::new("/")), None);
    }
}
