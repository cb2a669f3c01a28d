//! Opening the files apimguard reads (snapshots, configurations, rules, IaC files,
//! journals, reports to compare).
//!
//! Each must be a regular file: a FIFO would block the read for ever (or the open
//! itself, without a writer) and a device never ends (`/dev/zero`). The file is opened
//! non-blocking and its type checked on the open file, so that nothing can swap it
//! between the check and the read. Every file opened is remembered (device and inode),
//! so that no output of the run can overwrite one of them
//! (`commands::output::refuse_overwrites`).

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A file's identity on its file system: the same file under any name or link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    device: u64,
    inode: u64,
}

impl FileId {
    /// The identity of the file `metadata` describes (`None` where the platform has none).
    pub fn of(metadata: &Metadata) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(FileId {
                device: metadata.dev(),
                inode: metadata.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            None
        }
    }
}

/// Every file opened by [`open`] in this process, with the path it was opened by.
static READ: Mutex<Vec<(PathBuf, FileId)>> = Mutex::new(Vec::new());

/// Opens `path` for reading; an error (kind `InvalidInput`) when it is not a regular file.
pub fn open(path: &Path) -> io::Result<File> {
    let file = open_nonblocking(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is {}, not a regular file",
                path.display(),
                kind(&metadata)
            ),
        ));
    }
    if let Some(id) = FileId::of(&metadata) {
        READ.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((path.to_path_buf(), id));
    }
    Ok(file)
}

/// Reads a whole regular file as UTF-8 text (see [`open`]).
pub fn read_to_string(path: &Path) -> io::Result<String> {
    let mut text = String::new();
    open(path)?.read_to_string(&mut text)?;
    Ok(text)
}

/// Every file read so far by this process, with the path it was read by.
pub fn read_so_far() -> Vec<(PathBuf, FileId)> {
    READ.lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// What a file that is not a regular file is, for people.
fn kind(metadata: &Metadata) -> &'static str {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "not a file"
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("rule.rego");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let err = read_to_string(&fifo).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err
            .to_string()
            .contains("a named pipe (FIFO), not a regular file"));
    }

    #[test]
    fn devices_and_folders_are_refused() {
        let err = read_to_string(Path::new("/dev/zero")).unwrap_err();
        assert!(err.to_string().contains("is a device"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = read_to_string(dir.path()).unwrap_err();
        assert!(err.to_string().contains("is a directory"), "{err}");
    }

    #[test]
    fn files_read_are_remembered_by_identity() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, "x").unwrap();
        let link = dir.path().join("b.yaml");
        std::fs::hard_link(&file, &link).unwrap();
        assert_eq!(read_to_string(&file).unwrap(), "x");
        let id = FileId::of(&std::fs::metadata(&link).unwrap()).unwrap();
        assert!(read_so_far().iter().any(|(p, i)| p == &file && *i == id));
    }
}
