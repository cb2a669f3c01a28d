//! Opening an input file: the one `open` of every reader (snapshots, reports, journals,
//! configurations, rules, IaC files and the files they reference).
//!
//! An input must be a regular file: a FIFO would block the read for ever (or the open
//! itself, without a writer), a device never ends (`/dev/zero`) and a folder has no text.
//! The file is opened non-blocking and its type checked on the open file, so nothing can
//! swap it between the check and the read. Every file opened is remembered (device and
//! inode), so that no output of the run can overwrite one of them
//! (`commands::output::refuse_overwrites`).

use std::fs::{File, FileType, Metadata};
use std::io;
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

/// Why [`open`] refused a file.
#[derive(Debug)]
pub enum OpenError {
    /// The operating system's error (missing file, no permission, …).
    Io(io::Error),
    /// Not a regular file: what it is (`a named pipe (FIFO)`, `a device`, …).
    NotRegular(&'static str),
}

/// Opens `path` for reading, non-blocking; refused unless it is a regular file. The
/// file and its length are returned, and its identity remembered ([`read_so_far`]).
pub fn open(path: &Path) -> Result<(File, u64), OpenError> {
    let file = open_nonblocking(path).map_err(OpenError::Io)?;
    let metadata = file.metadata().map_err(OpenError::Io)?;
    if let Some(what) = not_regular(&metadata.file_type()) {
        return Err(OpenError::NotRegular(what));
    }
    if let Some(id) = FileId::of(&metadata) {
        READ.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((path.to_path_buf(), id));
    }
    Ok((file, metadata.len()))
}

/// Every file opened so far by this process, with the path it was opened by.
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

/// What a file that is not a regular file is, for people; `None` for a regular file.
pub fn not_regular(file_type: &FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return Some("a device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn refused(path: &Path) -> &'static str {
        match open(path) {
            Err(OpenError::NotRegular(what)) => what,
            Err(OpenError::Io(e)) => panic!("{e}"),
            Ok(_) => panic!("{} was opened", path.display()),
        }
    }

    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("rule.rego");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        assert_eq!(refused(&fifo), "a named pipe (FIFO)");
    }

    #[test]
    fn devices_and_folders_are_refused() {
        assert_eq!(refused(Path::new("/dev/zero")), "a device");
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(refused(dir.path()), "a folder");
    }

    #[test]
    fn files_opened_are_remembered_by_identity() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, "x").unwrap();
        let link = dir.path().join("b.yaml");
        std::fs::hard_link(&file, &link).unwrap();
        assert_eq!(open(&file).unwrap().1, 1);
        let id = FileId::of(&std::fs::metadata(&link).unwrap()).unwrap();
        assert!(read_so_far().iter().any(|(p, i)| p == &file && *i == id));
    }
}
