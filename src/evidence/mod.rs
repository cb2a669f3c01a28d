//! Audit evidence (`check --evidence DIR`, `apimguard verify DIR`): what an auditor
//! needs to reproduce a verdict later — the snapshot, the reports, the effective
//! configuration and waivers, the rule pack's files — and a manifest with the SHA-256
//! of each, the tool version, the collection time and scope and the check time.
//!
//! The manifest is what a signer signs (docs/audits.md): its hashes cover every other
//! file. On `verify`, an evidence directory is untrusted input: the manifest is read
//! under the size cap, every path in it must be a plain relative path inside the
//! directory, and nothing is ever written there.

mod compare;
mod manifest;
pub mod signature;
mod write;

pub use compare::{differences, Difference};
pub use manifest::{safe_path, FileEntry, Manifest, RunSettings, Scope, FORMAT, MANIFEST};
pub use write::{refuse_outputs_inside, write, Evidence};

use miette::Diagnostic;
use thiserror::Error;

/// Why evidence could not be written or verified.
#[derive(Debug, Error, Diagnostic)]
pub enum EvidenceError {
    /// `--evidence DIR` names a directory that already holds files.
    #[error("{path} is not empty: evidence is written to a new or empty directory, never over other files")]
    #[diagnostic(
        code(apimguard::evidence::not_empty),
        help("give --evidence a new directory, e.g. evidence/$(date +%F)")
    )]
    NotEmpty {
        /// The directory.
        path: String,
    },
    /// A file could not be written or read.
    #[error("{path}: {source}")]
    #[diagnostic(code(apimguard::evidence::io))]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is over its size cap.
    #[error(transparent)]
    #[diagnostic(transparent)]
    TooLarge(#[from] Box<crate::input::TooLarge>),
    /// The manifest is missing, unreadable or not a manifest of this format.
    #[error("{path}: not an apimguard evidence manifest: {reason}")]
    #[diagnostic(
        code(apimguard::evidence::manifest),
        help("point verify at a directory written by `apimguard check --evidence DIR` (its manifest.json lists every file and its SHA-256)")
    )]
    Manifest {
        /// The manifest file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The `--key` file holds no usable Ed25519 public key.
    #[error("{path}: not a key verify can use: {reason}")]
    #[diagnostic(
        code(apimguard::evidence::key),
        help("give --key an OpenSSH Ed25519 public key (ssh-ed25519 AAAA…), an allowed_signers file, or a minisign public key (docs/audits.md)")
    )]
    Key {
        /// The key file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The signature of `manifest.json` is absent, malformed, by an untrusted key or
    /// does not verify.
    #[error("{path}: the signature of manifest.json is not valid: {reason}")]
    #[diagnostic(
        code(apimguard::evidence::signature),
        help("the evidence is not sealed by a key you trust: do not rely on it; ask its author for the signature made with the key given to --key (docs/audits.md)")
    )]
    Signature {
        /// The signature file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A `-f FORMAT:PATH` output of `check --evidence DIR` would be written inside DIR.
    #[error("{path} is inside the evidence directory {dir}: a report written there after the manifest is a file the manifest does not list, and verify refuses it")]
    #[diagnostic(
        code(apimguard::evidence::output_inside),
        help("write -f outputs outside the --evidence directory; the evidence already holds report.json, report.html and report.csv")
    )]
    OutputInside {
        /// The output file.
        path: String,
        /// The evidence directory.
        dir: String,
    },
    /// The evidence does not verify: files differ, or the re-check gives other verdicts.
    #[error("{path} does not verify: {count} problem(s)\n{list}")]
    #[diagnostic(
        code(apimguard::evidence::mismatch),
        help("the files or verdicts above differ from what the manifest records; the evidence cannot be relied on as it is")
    )]
    Mismatch {
        /// The directory.
        path: String,
        /// How many problems.
        count: usize,
        /// One line per problem.
        list: String,
    },
}

/// Reads a text file under the snapshot size cap (evidence holds a snapshot and reports).
pub fn read_text(path: &std::path::Path) -> Result<String, EvidenceError> {
    crate::input::read_to_string(path, crate::input::Kind::Snapshot).map_err(|e| {
        e.or_io(|source| EvidenceError::Io {
            path: path.display().to_string(),
            source,
        })
    })
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256(bytes: &[u8]) -> String {
    crate::version::hex(ring::digest::digest(&ring::digest::SHA256, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_text() {
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
