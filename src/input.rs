//! Reading input files: the one place where apimguard opens a file it reads, and reads
//! a file (or standard input) whole.
//!
//! Every loader (snapshots, reports and journals; configurations, policies and IaC
//! files and the files they reference) reads through [`read_to_string`] or
//! [`read_bytes`]: the file is opened non-blocking and must be a regular file
//! ([`open`]: a FIFO cannot hang the run, a device is refused), its identity is
//! remembered so that no output overwrites it ([`read_so_far`]), and the read stops one
//! byte past the cap of the file's [`Kind`] instead of reading to the end of whatever
//! it was given. The caps are set once per run from `--max-snapshot-size` and
//! `--max-file-size` ([`set_limits`]).

mod open;

pub use open::{not_regular, read_so_far, FileId};

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;

use miette::Diagnostic;
use thiserror::Error;

/// What a file is, for which cap applies to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A snapshot, a JSON report read by `diff`, or a remediation journal: grows
    /// with the estate (`--max-snapshot-size`).
    Snapshot,
    /// A configuration, a `.rego` policy, or an IaC file (template, parameters,
    /// Bicep, APIOps artifact, a file a template loads): written by people
    /// (`--max-file-size`).
    File,
}

impl Kind {
    /// The flag that raises this kind's cap.
    pub fn flag(self) -> &'static str {
        match self {
            Kind::Snapshot => "--max-snapshot-size",
            Kind::File => "--max-file-size",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Kind::Snapshot => "snapshots, reports and journals",
            Kind::File => "configuration, policy and IaC files",
        }
    }
}

/// A number of bytes, written `4GiB`, `64MiB`, `512KiB` or in plain bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Size(pub u64);

const UNITS: [(&str, u64); 4] = [
    ("GiB", 1 << 30),
    ("MiB", 1 << 20),
    ("KiB", 1 << 10),
    ("B", 1),
];

impl FromStr for Size {
    type Err = String;

    fn from_str(s: &str) -> Result<Size, String> {
        let bad = || format!("`{s}` is not a size (e.g. 4GiB, 64MiB, 512KiB or a number of bytes)");
        let text = s.trim();
        let (number, scale) = UNITS
            .iter()
            .find_map(|(unit, scale)| text.strip_suffix(unit).map(|n| (n, *scale)))
            .unwrap_or((text, 1));
        let number: u64 = number.trim().parse().map_err(|_| bad())?;
        match number.checked_mul(scale) {
            Some(0) | None => Err(bad()),
            Some(bytes) => Ok(Size(bytes)),
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (unit, scale) = UNITS
            .iter()
            .find(|(_, scale)| self.0 >= *scale && self.0.is_multiple_of(*scale))
            .unwrap_or(&("B", 1));
        write!(f, "{} {unit}", self.0 / scale)
    }
}

/// The caps of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Cap of [`Kind::Snapshot`] inputs.
    pub snapshot: Size,
    /// Cap of [`Kind::File`] inputs.
    pub file: Size,
}

impl Limits {
    /// The defaults: 4 GiB for snapshots (twice the ~2 GB snapshot of a million
    /// APIs), 64 MiB for files (sixteen times ARM's own 4 MB limit on a template).
    pub const DEFAULT: Limits = Limits {
        snapshot: Size(4 << 30),
        file: Size(64 << 20),
    };

    fn of(&self, kind: Kind) -> Size {
        match kind {
            Kind::Snapshot => self.snapshot,
            Kind::File => self.file,
        }
    }
}

static LIMITS: OnceLock<Limits> = OnceLock::new();

/// Sets the caps of this run (the first call wins; the defaults apply until then).
pub fn set_limits(limits: Limits) {
    let _ = LIMITS.set(limits);
}

/// The caps in force.
pub fn limits() -> Limits {
    LIMITS.get().copied().unwrap_or(Limits::DEFAULT)
}

/// A file over its cap.
#[derive(Debug, Error, Diagnostic)]
#[error("{path} is larger than {cap}, the limit for {what}")]
#[diagnostic(
    code(apimguard::input::too_large),
    help("if the file is genuine, raise the limit with {flag} (e.g. {flag} {double}); docs/limits.md lists every limit")
)]
pub struct TooLarge {
    /// The file, as given.
    pub path: String,
    /// The cap it went over.
    pub cap: Size,
    /// The flag that raises the cap.
    pub flag: &'static str,
    what: &'static str,
    double: String,
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The operating system's error (missing file, no permission, not UTF-8, …).
    Io(std::io::Error),
    /// Not a regular file: what it is (`a named pipe (FIFO)`, `a device`, `a folder`).
    NotRegular(&'static str),
    /// The file is over its cap.
    TooLarge(Box<TooLarge>),
}

impl ReadError {
    /// The loader's own error: `io` for an I/O error or a file that is not a regular
    /// one (an [`std::io::ErrorKind::InvalidInput`] error saying what it is), the
    /// [`TooLarge`] diagnostic as is.
    pub fn or_io<E: From<Box<TooLarge>>>(self, io: impl FnOnce(std::io::Error) -> E) -> E {
        match self {
            ReadError::Io(e) => io(e),
            ReadError::NotRegular(what) => io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{what}, not a regular file"),
            )),
            ReadError::TooLarge(e) => E::from(e),
        }
    }
}

impl From<open::OpenError> for ReadError {
    fn from(e: open::OpenError) -> ReadError {
        match e {
            open::OpenError::Io(e) => ReadError::Io(e),
            open::OpenError::NotRegular(what) => ReadError::NotRegular(what),
        }
    }
}

/// Reads a file as UTF-8 text, refusing it past the cap of `kind`.
pub fn read_to_string(path: &Path, kind: Kind) -> Result<String, ReadError> {
    read_from(path, kind, limits().of(kind), false).and_then(utf8)
}

/// [`read_to_string`], where `-` means standard input.
pub fn read_to_string_or_stdin(path: &Path, kind: Kind) -> Result<String, ReadError> {
    read_from(path, kind, limits().of(kind), true).and_then(utf8)
}

/// Reads a file's bytes, refusing it past the cap of `kind`.
pub fn read_bytes(path: &Path, kind: Kind) -> Result<Vec<u8>, ReadError> {
    read_from(path, kind, limits().of(kind), false)
}

fn utf8(bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })
}

fn read_from(path: &Path, kind: Kind, cap: Size, stdin: bool) -> Result<Vec<u8>, ReadError> {
    let from_stdin = stdin && path == Path::new("-");
    let too_large = || {
        ReadError::TooLarge(Box::new(TooLarge {
            path: if from_stdin {
                "standard input".to_string()
            } else {
                path.display().to_string()
            },
            cap,
            flag: kind.flag(),
            what: kind.what(),
            double: Size(cap.0.saturating_mul(2)).to_string().replace(' ', ""),
        }))
    };
    if from_stdin {
        return read_capped(std::io::stdin().lock(), cap, 0)
            .map_err(ReadError::Io)?
            .ok_or_else(too_large);
    }
    let (file, len) = open::open(path)?;
    if len > cap.0 {
        return Err(too_large());
    }
    read_capped(file, cap, len)
        .map_err(ReadError::Io)?
        .ok_or_else(too_large)
}

/// Bytes read at a time from a stream of unknown size.
const CHUNK: u64 = 64 << 20;

/// Reads to the end, or `None` past `cap` bytes; `hint` is the expected size (a
/// regular file's length), read in one piece. A stream is read in chunks joined at
/// the end, so that memory stays near the size read (a growing buffer would hold
/// twice that while it moves).
fn read_capped(reader: impl Read, cap: Size, hint: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut reader = reader.take(cap.0.saturating_add(1));
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut total: u64 = 0;
    let mut want = hint.min(cap.0).saturating_add(1);
    loop {
        let mut chunk = Vec::new();
        chunk.try_reserve_exact(usize::try_from(want).unwrap_or(usize::MAX))?;
        (&mut reader).take(want).read_to_end(&mut chunk)?;
        let ended = (chunk.len() as u64) < want;
        total += chunk.len() as u64;
        chunks.push(chunk);
        if total > cap.0 {
            return Ok(None);
        }
        if ended {
            break;
        }
        want = CHUNK;
    }
    if chunks.len() == 1 {
        return Ok(chunks.pop());
    }
    let mut all = Vec::new();
    all.try_reserve_exact(usize::try_from(total).unwrap_or(usize::MAX))?;
    for chunk in chunks.drain(..) {
        all.extend_from_slice(&chunk);
    }
    Ok(Some(all))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_and_print_in_binary_units() {
        for (text, bytes) in [
            ("4GiB", 4u64 << 30),
            ("64MiB", 64 << 20),
            ("512 KiB", 512 << 10),
            ("1000", 1000),
            ("7B", 7),
        ] {
            assert_eq!(text.parse::<Size>(), Ok(Size(bytes)), "{text}");
        }
        for bad in ["", "0", "4GB", "-1", "1.5GiB", "99999999999GiB"] {
            assert!(bad.parse::<Size>().is_err(), "{bad}");
        }
        assert_eq!(Size(4 << 30).to_string(), "4 GiB");
        assert_eq!(Size(1536).to_string(), "1536 B");
        assert_eq!(Size(3 << 10).to_string(), "3 KiB");
    }

    #[test]
    fn a_stream_stops_one_byte_past_the_cap() {
        let endless = std::io::repeat(b'x');
        assert_eq!(read_capped(endless, Size(1000), 0).unwrap(), None);
        let exact = &b"abc"[..];
        assert_eq!(
            read_capped(exact, Size(3), 3).unwrap().as_deref(),
            Some(&b"abc"[..])
        );
        assert_eq!(read_capped(&b"abcd"[..], Size(3), 0).unwrap(), None);
    }

    #[test]
    fn a_stream_in_many_chunks_is_joined() {
        let text = "é".repeat(CHUNK as usize / 2 + 7);
        let read = read_capped(text.as_bytes(), Size(CHUNK * 2), 0).unwrap();
        assert_eq!(read.as_deref(), Some(text.as_bytes()));
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_before_reading() {
        match read_from(Path::new("/dev/zero"), Kind::File, Size(1 << 20), false).unwrap_err() {
            ReadError::NotRegular(what) => assert_eq!(what, "a device"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_file_over_the_cap_is_refused_by_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, "x".repeat(2048)).unwrap();
        assert!(read_from(&path, Kind::File, Size(2048), false).is_ok());
        match read_from(&path, Kind::File, Size(2047), false).unwrap_err() {
            ReadError::TooLarge(e) => {
                let shown = path.display();
                assert_eq!(e.to_string(), format!("{shown} is larger than 2047 B, the limit for configuration, policy and IaC files"));
                assert_eq!(e.flag, "--max-file-size");
            }
            other => panic!("{other:?}"),
        }
    }
}
