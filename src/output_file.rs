//! Writing an output file: the one way apimguard writes a file it makes (reports,
//! snapshots, generated rule pages).
//!
//! A regular file is written whole to a new temporary file beside it, which then
//! replaces it (a rename): an interrupted run never leaves half a file, and a symbolic
//! link at the output's path is *replaced*, never followed, so `-f json:out.json`
//! cannot be turned into a write to whatever file the link names. The temporary file is
//! created exclusively (an existing file or link of its name is never opened). Devices
//! and pipes (`/dev/null`, a FIFO), and links to them or to the process's own
//! descriptors (`/dev/stdout`), are written through: a rename would replace the device.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes what `produce` writes to the file at `path` (see the module documentation),
/// creating missing folders.
pub fn write(
    path: &Path,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    if written_through(path) {
        let mut out = BufWriter::new(File::create(path)?);
        produce(&mut out)?;
        return out.flush();
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let (temp, file) = temporary(&dir, path)?;
    let written = (|| {
        let mut out = BufWriter::new(file);
        produce(&mut out)?;
        out.flush()?;
        drop(out);
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Writes `text` to the file at `path` (see [`write`]).
pub fn write_text(path: &Path, text: &str) -> io::Result<()> {
    write(path, |out| out.write_all(text.as_bytes()))
}

/// Whether `path` is written through rather than replaced: a device, a pipe or a
/// socket, a link to one, or a name of one of the process's descriptors.
fn written_through(path: &Path) -> bool {
    let Ok(link) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if link.file_type().is_symlink() {
        return descriptor(path)
            || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
    }
    !link.is_file() && !link.is_dir()
}

/// `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: the descriptors the
/// person running apimguard handed it, whatever they lead to.
fn descriptor(path: &Path) -> bool {
    let text = path.to_string_lossy();
    matches!(text.as_ref(), "/dev/stdout" | "/dev/stderr")
        || ["/dev/fd/", "/proc/self/fd/"].iter().any(|prefix| {
            text.strip_prefix(prefix)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// A new temporary file in `dir` for `path`, created exclusively.
fn temporary(dir: &Path, path: &Path) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep").unwrap();
        let out = dir.path().join("out.json");
        std::os::unix::fs::symlink(&victim, &out).unwrap();
        write_text(&out, "report").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(!std::fs::symlink_metadata(&out).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "report");
        // A dangling link is replaced too, and nothing is made where it pointed.
        let nowhere = dir.path().join("nowhere.txt");
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink(&nowhere, &dangling).unwrap();
        write_text(&dangling, "report").unwrap();
        assert!(!nowhere.exists());
    }

    #[test]
    fn a_planted_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep").unwrap();
        let out = dir.path().join("out.json");
        for n in 0..4 {
            let planted = dir
                .path()
                .join(format!(".out.json.{}-{n}.tmp", std::process::id()));
            let _ = std::os::unix::fs::symlink(&victim, planted);
        }
        write_text(&out, "report").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "report");
    }

    #[test]
    fn devices_and_descriptors_are_written_through() {
        assert!(written_through(Path::new("/dev/null")));
        assert!(descriptor(Path::new("/dev/stdout")));
        assert!(descriptor(Path::new("/proc/self/fd/1")));
        assert!(!descriptor(Path::new("/dev/fd/")));
        assert!(!descriptor(Path::new("/dev/stdout2")));
        write_text(Path::new("/dev/null"), "x").unwrap();
    }
}
