//! Writing a command's outputs: each `--format FORMAT[:PATH]` to its file, or to
//! standard output, and everything else a command prints on standard output.
//!
//! An output never destroys an input: before anything is written, every file about to
//! be written is compared with every file the run read and with the other outputs
//! ([`refuse_overwrites`]). A failed write to standard output (a full disk,
//! `> /dev/full`) is an error (exit 2); a reader that went away (`| head`) is not.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crate::cli::{OutputSpec, ReportFormat};
use crate::input::{self, FileId};

/// Why the outputs could not be written.
#[derive(Debug, Error, Diagnostic)]
pub enum OutputError {
    /// Two formats asked for standard output.
    #[error("both `{first}` and `{second}` would write to standard output")]
    #[diagnostic(
        code(apimguard::output::stdout),
        help("give all but one format a file, for example `-f human -f sarif:apimguard.sarif`")
    )]
    SharedStdout {
        /// The first format.
        first: String,
        /// The second one.
        second: String,
    },
    /// A format this command does not write.
    #[error("`{command}` cannot write {format}")]
    #[diagnostic(
        code(apimguard::output::format),
        help("`{command}` writes: {supported}")
    )]
    Unsupported {
        /// The command.
        command: &'static str,
        /// The format asked for.
        format: String,
        /// The formats it does write.
        supported: String,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(apimguard::output::write))]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Standard output could not be written.
    #[error("cannot write to standard output: {source}")]
    #[diagnostic(
        code(apimguard::output::stdout_write),
        help("standard output is full or failing (a full disk, /dev/full): free space, or write the output to a file (`-f FORMAT:PATH`, `collect -o FILE`)")
    )]
    Stdout {
        /// The I/O error.
        source: std::io::Error,
    },
    /// An output that is a file this run reads.
    #[error("{what} would overwrite {path}, which this run reads (as {input}): that input would be destroyed")]
    #[diagnostic(
        code(apimguard::output::overwrites_input),
        help("write outputs to files of their own, never over the snapshot, configuration, rules, IaC files or reports a run reads (a link or another name of the same file counts too)")
    )]
    OverwritesInput {
        /// What would be written (`the json report`).
        what: String,
        /// Where, as given.
        path: String,
        /// The input, as it was read.
        input: String,
    },
    /// Two outputs to one file.
    #[error("{what} and {other} would both be written to {path}: only the last one would be kept")]
    #[diagnostic(
        code(apimguard::output::same_file),
        help("give each output a file of its own")
    )]
    SameFile {
        /// The later output.
        what: String,
        /// The earlier output.
        other: String,
        /// Where, as given for the later one.
        path: String,
    },
}

/// The lower-case name of a format, as on the command line.
pub fn name(format: ReportFormat) -> String {
    format!("{format:?}").to_lowercase()
}

/// Checks that `command` supports every format asked for and that at most one
/// of them takes standard output.
pub fn validate(
    specs: &[OutputSpec],
    command: &'static str,
    supported: &[ReportFormat],
) -> Result<(), OutputError> {
    if let Some(bad) = specs.iter().find(|s| !supported.contains(&s.format)) {
        return Err(OutputError::Unsupported {
            command,
            format: name(bad.format),
            supported: supported
                .iter()
                .map(|f| name(*f))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let mut on_stdout = specs.iter().filter(|s| s.path.is_none());
    if let (Some(first), Some(second)) = (on_stdout.next(), on_stdout.next()) {
        return Err(OutputError::SharedStdout {
            first: name(first.format),
            second: name(second.format),
        });
    }
    Ok(())
}

/// The files of `specs`, each with what it would receive (`the json report`).
pub fn files(specs: &[OutputSpec]) -> Vec<(&Path, String)> {
    specs
        .iter()
        .filter_map(|s| Some((s.path.as_deref()?, format!("the {} report", name(s.format)))))
        .collect()
}

/// Refuses to write any of `outputs` (a file and what it would receive) over a file
/// this run has read, or over another of them: the same file under any name, link
/// (symbolic or hard) or `..` detour. Call it once every input has been read and before
/// anything is written. Outputs that are not regular files (`/dev/null`, a pipe) are
/// written through and destroy nothing.
pub fn refuse_overwrites(outputs: &[(&Path, String)]) -> Result<(), OutputError> {
    refuse_overwrites_of(outputs, input::read_so_far())
}

/// [`refuse_overwrites`], except that the input read from `refreshed` (as it was given)
/// may be written over: the one input a command replaces by design (`collect --since
/// FILE -o FILE` refreshes the snapshot in place, atomically). Any other input, and
/// `refreshed` when it was not read, is guarded as always.
pub fn refuse_overwrites_but(
    outputs: &[(&Path, String)],
    refreshed: &Path,
) -> Result<(), OutputError> {
    let mut inputs = input::read_so_far();
    if let Some(at) = inputs.iter().position(|(path, _)| path == refreshed) {
        let (_, id) = inputs.remove(at);
        inputs.retain(|(_, other)| *other != id);
    }
    refuse_overwrites_of(outputs, inputs)
}

fn refuse_overwrites_of(
    outputs: &[(&Path, String)],
    inputs: Vec<(PathBuf, FileId)>,
) -> Result<(), OutputError> {
    let mut seen: Vec<(Identity, &str)> = Vec::new();
    for (path, what) in outputs {
        let Some(identity) = Identity::of(path) else {
            continue;
        };
        if let Identity::File(id) = identity {
            if let Some((input, _)) = inputs.iter().find(|(_, i)| *i == id) {
                return Err(OutputError::OverwritesInput {
                    what: what.clone(),
                    path: path.display().to_string(),
                    input: input.display().to_string(),
                });
            }
        }
        if let Some((_, other)) = seen.iter().find(|(i, _)| *i == identity) {
            return Err(OutputError::SameFile {
                what: what.clone(),
                other: other.to_string(),
                path: path.display().to_string(),
            });
        }
        seen.push((identity, what));
    }
    Ok(())
}

/// Which file an output path names.
#[derive(Debug, PartialEq, Eq)]
enum Identity {
    /// An existing regular file.
    File(FileId),
    /// A file still to be made, by its absolute path with links and `..` resolved.
    New(PathBuf),
}

impl Identity {
    /// `None` for an existing file that is not a regular one (a device, a pipe: written
    /// through) or one whose identity cannot be known.
    fn of(path: &Path) -> Option<Identity> {
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => FileId::of(&m).map(Identity::File),
            Ok(_) => None,
            Err(_) => Some(Identity::New(resolved(path))),
        }
    }
}

/// `path` made absolute, with its longest existing ancestor resolved by the file system
/// (links) and the rest, which does not exist yet, resolved as written (`.` and `..`).
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let components: Vec<Component> = absolute.components().collect();
    for split in (1..=components.len()).rev() {
        let head: PathBuf = components[..split].iter().collect();
        if let Ok(mut real) = std::fs::canonicalize(&head) {
            for part in &components[split..] {
                match part {
                    Component::ParentDir => {
                        real.pop();
                    }
                    Component::CurDir => {}
                    other => real.push(other),
                }
            }
            return real;
        }
    }
    absolute
}

/// Writes one rendered output to its file (creating missing directories) or to standard output.
pub fn write(spec: &OutputSpec, text: &str) -> Result<(), OutputError> {
    match &spec.path {
        None => print(text),
        Some(path) => {
            crate::output_file::write_text(path, text).map_err(|source| OutputError::Write {
                path: path.display().to_string(),
                source,
            })
        }
    }
}

/// Like [`write`], for an output produced piece by piece (`produce` writes it): a large
/// report is then never held whole in memory.
pub fn write_with(
    spec: &OutputSpec,
    produce: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    match &spec.path {
        None => print_with(produce),
        Some(path) => {
            crate::output_file::write(path, produce).map_err(|source| OutputError::Write {
                path: path.display().to_string(),
                source,
            })
        }
    }
}

/// Writes `text` to standard output.
pub fn print(text: &str) -> Result<(), OutputError> {
    print_with(|out| out.write_all(text.as_bytes()))
}

/// Writes to standard output what `produce` writes, buffered. A reader that went away
/// (`| head`) ends the output quietly; any other failure is an error.
pub fn print_with(
    produce: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match produce(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(OutputError::Stdout { source: e })
        }
        _ => Ok(()),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_path_yet_to_be_made_resolves_links_and_dots() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap();
        let canonical = std::fs::canonicalize(&real).unwrap().join("r.json");
        assert_eq!(resolved(&dir.path().join("link/r.json")), canonical);
        assert_eq!(resolved(&dir.path().join("real/new/../r.json")), canonical);
        assert_eq!(resolved(&dir.path().join("real/./r.json")), canonical);
    }

    #[test]
    fn two_outputs_to_one_new_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("r.json");
        let b = dir.path().join("sub/../r.json");
        let err = refuse_overwrites(&[
            (&a, "the json report".into()),
            (&b, "the sarif report".into()),
        ])
        .unwrap_err();
        assert!(matches!(err, OutputError::SameFile { .. }), "{err}");
    }

    #[test]
    fn devices_are_written_through() {
        let null = Path::new("/dev/null");
        assert!(refuse_overwrites(&[(null, "a".into()), (null, "b".into())]).is_ok());
    }
}
