//! `verify --key`: checks a detached Ed25519 signature over `manifest.json`, the file
//! whose hashes cover every other file of the evidence (docs/audits.md).
//!
//! Two formats, told apart by the key file:
//! - OpenSSH signatures (`ssh-keygen -Y sign -n apimguard-evidence`, armored SSHSIG),
//!   trusted through an `ssh-ed25519 AAAA…` public key line or an `allowed_signers`
//!   file; verified here with `ring` (the format is a few length-prefixed strings);
//! - minisign (`minisign -Sm manifest.json`), prehashed (`ED`, BLAKE2b-512) or legacy
//!   (`Ed`), trusted through a `minisign.pub` key; verified with `minisign-verify`.
//!
//! Key and signature files are untrusted input: read under the file size cap, parsed
//! with every length checked, and only Ed25519 is accepted.

use std::path::{Path, PathBuf};

use base64::Engine as _;

use super::EvidenceError;

/// The SSHSIG namespace evidence is signed for (`ssh-keygen -Y sign -n …`).
pub const NAMESPACE: &str = "apimguard-evidence";

/// Where, inside the evidence directory, `verify` looks for a signature of each kind.
pub const SSH_SIGNATURE: &str = "manifest.json.sig";
/// See [`SSH_SIGNATURE`].
pub const MINISIGN_SIGNATURE: &str = "manifest.json.minisig";

const SSH_ED25519: &str = "ssh-ed25519";

/// The keys `--key` trusts.
#[derive(Debug)]
pub enum TrustedKeys {
    /// Ed25519 keys of an OpenSSH public key line or `allowed_signers` file.
    Ssh(Vec<SshKey>),
    /// A minisign public key.
    Minisign(Box<minisign_verify::PublicKey>),
}

/// One Ed25519 key an SSH key file trusts.
#[derive(Debug, Clone)]
pub struct SshKey {
    /// The principals of its `allowed_signers` line (empty for a bare public key).
    pub principals: String,
    /// The raw 32-byte Ed25519 public key.
    pub key: Vec<u8>,
}

impl TrustedKeys {
    /// The file name a signature of this kind has inside the evidence directory.
    pub fn signature_name(&self) -> &'static str {
        match self {
            TrustedKeys::Ssh(_) => SSH_SIGNATURE,
            TrustedKeys::Minisign(_) => MINISIGN_SIGNATURE,
        }
    }
}

fn key_error(path: &Path, reason: impl Into<String>) -> EvidenceError {
    EvidenceError::Key {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

fn signature_error(path: &Path, reason: impl Into<String>) -> EvidenceError {
    EvidenceError::Signature {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

fn read(path: &Path) -> Result<String, EvidenceError> {
    crate::input::read_to_string(path, crate::input::Kind::File).map_err(|e| {
        e.or_io(|source| EvidenceError::Io {
            path: path.display().to_string(),
            source,
        })
    })
}

/// Reads the `--key` file: a minisign public key, or OpenSSH public key lines /
/// `allowed_signers` entries of which the Ed25519 ones allowed for [`NAMESPACE`] are kept.
pub fn load_key(path: &Path) -> Result<TrustedKeys, EvidenceError> {
    let text = read(path)?;
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    if lines
        .first()
        .is_some_and(|l| l.starts_with("untrusted comment:"))
    {
        let key = minisign_verify::PublicKey::from_base64(lines.get(1).unwrap_or(&""))
            .map_err(|e| key_error(path, format!("not a minisign public key: {e}")))?;
        return Ok(TrustedKeys::Minisign(Box::new(key)));
    }
    if let [only] = lines.as_slice() {
        if !only.contains(' ') {
            if let Ok(key) = minisign_verify::PublicKey::from_base64(only) {
                return Ok(TrustedKeys::Minisign(Box::new(key)));
            }
        }
    }
    let mut keys = Vec::new();
    let mut skipped = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        match ssh_line(line) {
            Ok(key) => keys.push(key),
            Err(why) => skipped.push(format!("entry {}: {why}", n + 1)),
        }
    }
    if keys.is_empty() {
        let why = if skipped.is_empty() {
            "the file holds no key".to_string()
        } else {
            skipped.join("; ")
        };
        return Err(key_error(
            path,
            format!("no Ed25519 key usable for namespace {NAMESPACE}: {why}"),
        ));
    }
    Ok(TrustedKeys::Ssh(keys))
}

/// One line of an OpenSSH public key file (`ssh-ed25519 AAAA… comment`) or of an
/// `allowed_signers` file (`principals [options] ssh-ed25519 AAAA… [comment]`).
fn ssh_line(line: &str) -> Result<SshKey, String> {
    let tokens = tokens(line);
    let at = tokens
        .iter()
        .position(|t| is_key_type(t))
        .ok_or("no OpenSSH key type (ssh-ed25519 …) in it")?;
    if tokens[at] != SSH_ED25519 {
        return Err(format!(
            "{} keys are not accepted, only Ed25519",
            tokens[at]
        ));
    }
    if at > 2 {
        return Err("more than principals and options before the key".into());
    }
    if at == 2 {
        for option in split_unquoted(&tokens[1], ',') {
            let (name, value) = option.split_once('=').unwrap_or((option.as_str(), ""));
            match name.to_ascii_lowercase().as_str() {
                "namespaces" => {
                    let allowed = value.trim_matches('"');
                    if !allowed
                        .split(',')
                        .any(|p| matches_pattern(p.trim(), NAMESPACE))
                    {
                        return Err(format!(
                            "its namespaces=\"{allowed}\" does not allow {NAMESPACE}"
                        ));
                    }
                }
                other => {
                    return Err(format!(
                        "option {other} is not supported (only namespaces=): the key is not trusted"
                    ))
                }
            }
        }
    }
    let blob = tokens
        .get(at + 1)
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .ok_or("the key after ssh-ed25519 is not base64")?;
    let key = ed25519_key_blob(&blob).ok_or("not an Ed25519 public key blob")?;
    Ok(SshKey {
        principals: if at == 0 {
            String::new()
        } else {
            tokens[0].clone()
        },
        key,
    })
}

fn is_key_type(token: &str) -> bool {
    token.starts_with("ssh-")
        || token.starts_with("ecdsa-sha2-")
        || token.starts_with("sk-")
        || token.starts_with("rsa-sha2-")
}

/// Whitespace-separated tokens, where double quotes keep spaces inside a token.
fn tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `text` split at `sep` outside double quotes.
fn split_unquoted(text: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in text.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c == sep && !quoted {
            out.push(String::new());
        } else {
            out.last_mut().expect("never empty").push(c);
        }
    }
    out
}

/// OpenSSH's pattern match: `*` any run of characters, `?` one character.
fn matches_pattern(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], t) || (!t.is_empty() && go(p, &t[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &t[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    p.len() <= 256 && go(&p, &t)
}

/// Reads SSH wire-format strings (a big-endian `u32` length, then the bytes).
struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        self.bytes(4)
            .map(|b| u32::from_be_bytes(b.try_into().expect("four bytes")))
    }

    fn string(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.bytes(n)
    }
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// The raw key of an `ssh-ed25519` public key blob.
fn ed25519_key_blob(blob: &[u8]) -> Option<Vec<u8>> {
    let mut wire = Wire(blob);
    (wire.string()? == SSH_ED25519.as_bytes()).then_some(())?;
    let key = wire.string()?;
    (key.len() == 32 && wire.0.is_empty()).then(|| key.to_vec())
}

/// The OpenSSH fingerprint of a key blob (`SHA256:…`), to name a key in messages.
fn fingerprint(blob: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, blob);
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest.as_ref())
    )
}

/// Where the signature is: `explicit` (`--signature`), else the file of the key's kind
/// inside the evidence directory.
pub fn signature_path(dir: &Path, keys: &TrustedKeys, explicit: Option<&Path>) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.join(keys.signature_name()))
}

/// Checks the signature in `signature` (a file) over `manifest` with the trusted keys;
/// returns who signed, for the closing line.
pub fn verify(
    keys: &TrustedKeys,
    signature: &Path,
    manifest: &[u8],
) -> Result<String, EvidenceError> {
    if std::fs::symlink_metadata(signature).is_err() {
        return Err(signature_error(
            signature,
            "no signature: --key asks for one (sign manifest.json and keep the signature there, or name it with --signature; docs/audits.md)",
        ));
    }
    if std::fs::symlink_metadata(signature).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(signature_error(signature, "it is a symbolic link"));
    }
    let text = read(signature)?;
    match keys {
        TrustedKeys::Minisign(key) => {
            let sig = minisign_verify::Signature::decode(&text).map_err(|e| {
                signature_error(signature, format!("not a minisign signature: {e}"))
            })?;
            key.verify(manifest, &sig, true).map_err(|e| {
                signature_error(
                    signature,
                    format!("the minisign signature does not verify with --key: {e}"),
                )
            })?;
            Ok(format!(
                "minisign signature verified (trusted comment: {})",
                sig.trusted_comment()
            ))
        }
        TrustedKeys::Ssh(trusted) => {
            verify_sshsig(trusted, &text, manifest).map_err(|why| signature_error(signature, why))
        }
    }
}

/// Verifies an armored SSHSIG (OpenSSH PROTOCOL.sshsig) over `message`.
fn verify_sshsig(trusted: &[SshKey], text: &str, message: &[u8]) -> Result<String, String> {
    const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
    const END: &str = "-----END SSH SIGNATURE-----";
    let body = text
        .trim()
        .strip_prefix(BEGIN)
        .and_then(|rest| rest.strip_suffix(END))
        .ok_or("not an OpenSSH signature (no BEGIN/END SSH SIGNATURE armor)")?;
    let blob = base64::engine::general_purpose::STANDARD
        .decode(body.split_whitespace().collect::<String>())
        .map_err(|_| "the OpenSSH signature is not valid base64")?;
    let malformed = || "the OpenSSH signature is malformed (truncated or with bad lengths)";
    let mut wire = Wire(&blob);
    if wire.bytes(6) != Some(b"SSHSIG".as_slice()) || wire.u32() != Some(1) {
        return Err("not an SSHSIG version 1 signature".into());
    }
    let key_blob = wire.string().ok_or_else(malformed)?;
    let namespace = wire.string().ok_or_else(malformed)?;
    let reserved = wire.string().ok_or_else(malformed)?;
    let hash = wire.string().ok_or_else(malformed)?;
    let sig_blob = wire.string().ok_or_else(malformed)?;
    if !wire.0.is_empty() {
        return Err(malformed().into());
    }
    let key = ed25519_key_blob(key_blob).ok_or_else(|| {
        let kind = Wire(key_blob).string().unwrap_or(b"an unknown key");
        format!(
            "signed with {}: only Ed25519 (ssh-ed25519) signatures are accepted",
            String::from_utf8_lossy(kind)
        )
    })?;
    if namespace != NAMESPACE.as_bytes() {
        return Err(format!(
            "signed for namespace {:?}, not {NAMESPACE} (sign with ssh-keygen -Y sign -n {NAMESPACE})",
            String::from_utf8_lossy(namespace)
        ));
    }
    let digest = match hash {
        b"sha512" => ring::digest::digest(&ring::digest::SHA512, message),
        b"sha256" => ring::digest::digest(&ring::digest::SHA256, message),
        other => {
            return Err(format!(
                "hash algorithm {:?} is not sha512 or sha256",
                String::from_utf8_lossy(other)
            ))
        }
    };
    let mut sig_wire = Wire(sig_blob);
    if sig_wire.string() != Some(SSH_ED25519.as_bytes()) {
        return Err("the signature is not an ssh-ed25519 signature".into());
    }
    let sig = sig_wire.string().ok_or_else(malformed)?;
    let Some(signer) = trusted.iter().find(|t| t.key == key) else {
        return Err(format!(
            "made by key {}, which --key does not trust",
            fingerprint(key_blob)
        ));
    };
    let mut signed = b"SSHSIG".to_vec();
    put_string(&mut signed, namespace);
    put_string(&mut signed, reserved);
    put_string(&mut signed, hash);
    put_string(&mut signed, digest.as_ref());
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &key)
        .verify(&signed, sig)
        .map_err(|_| {
            format!(
                "does not verify with key {}: manifest.json was changed after it was signed, or the signature was",
                fingerprint(key_blob)
            )
        })?;
    Ok(if signer.principals.is_empty() {
        format!("SSH signature verified (key {})", fingerprint(key_blob))
    } else {
        format!(
            "SSH signature verified ({}, key {})",
            signer.principals,
            fingerprint(key_blob)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/signatures");

    fn fixture(name: &str) -> PathBuf {
        Path::new(FIXTURES).join(name)
    }

    fn message() -> Vec<u8> {
        std::fs::read(fixture("manifest.json")).unwrap()
    }

    fn check(key: &str, signature: &str, message: &[u8]) -> Result<String, String> {
        let keys = load_key(&fixture(key)).map_err(|e| e.to_string())?;
        verify(&keys, &fixture(signature), message).map_err(|e| e.to_string())
    }

    #[test]
    fn ssh_signature_verifies_with_public_key_and_allowed_signers() {
        let by_key = check("ssh_ed25519.pub", "manifest.json.sig", &message()).unwrap();
        assert!(by_key.contains("SSH signature verified"), "{by_key}");
        let by_signers = check("allowed_signers", "manifest.json.sig", &message()).unwrap();
        assert!(by_signers.contains("auditor@contoso.com"), "{by_signers}");
    }

    #[test]
    fn ssh_signature_of_changed_manifest_or_other_key_fails() {
        let mut changed = message();
        changed.push(b' ');
        let err = check("ssh_ed25519.pub", "manifest.json.sig", &changed).unwrap_err();
        assert!(err.contains("does not verify"), "{err}");
        let err = check("other_ed25519.pub", "manifest.json.sig", &message()).unwrap_err();
        assert!(err.contains("which --key does not trust"), "{err}");
    }

    #[test]
    fn ssh_signature_for_another_namespace_fails() {
        let err = check("ssh_ed25519.pub", "manifest.json.file-ns.sig", &message()).unwrap_err();
        assert!(err.contains("signed for namespace \"file\""), "{err}");
    }

    #[test]
    fn allowed_signers_namespaces_and_other_options_are_honoured() {
        let err = check("allowed_signers_other_ns", "manifest.json.sig", &message()).unwrap_err();
        assert!(err.contains("does not allow apimguard-evidence"), "{err}");
        assert!(tokens(r#"a namespaces="x y" ssh-ed25519 K c"#)[1].contains("x y"));
        assert!(ssh_line("a cert-authority ssh-ed25519 AAAA").is_err());
        assert!(ssh_line("ssh-rsa AAAAB3NzaC1yc2E")
            .unwrap_err()
            .contains("only Ed25519"));
        assert!(matches_pattern("apimguard-*", NAMESPACE));
        assert!(!matches_pattern("file", NAMESPACE));
    }

    #[test]
    fn minisign_prehashed_and_legacy_signatures_verify() {
        let ok = check("minisign.pub", "manifest.json.minisig", &message()).unwrap();
        assert!(
            ok.contains("trusted comment: apimguard test fixture"),
            "{ok}"
        );
        check("minisign.pub", "manifest.json.legacy.minisig", &message()).unwrap();
        let mut changed = message();
        changed.push(b' ');
        let err = check("minisign.pub", "manifest.json.minisig", &changed).unwrap_err();
        assert!(err.contains("does not verify"), "{err}");
    }

    #[test]
    fn wrong_kind_or_garbage_is_refused_not_passed() {
        let err = check("minisign.pub", "manifest.json.sig", &message()).unwrap_err();
        assert!(err.contains("not a minisign signature"), "{err}");
        let err = check("ssh_ed25519.pub", "manifest.json.minisig", &message()).unwrap_err();
        assert!(err.contains("no BEGIN/END SSH SIGNATURE"), "{err}");
        let err = check("manifest.json", "manifest.json.sig", &message()).unwrap_err();
        assert!(err.contains("no Ed25519 key usable"), "{err}");
        let err = check("ssh_ed25519.pub", "absent.sig", &message()).unwrap_err();
        assert!(err.contains("no signature"), "{err}");
    }

    #[test]
    fn truncated_sshsig_is_malformed_not_a_panic() {
        let text = std::fs::read_to_string(fixture("manifest.json.sig")).unwrap();
        let keys = match load_key(&fixture("ssh_ed25519.pub")).unwrap() {
            TrustedKeys::Ssh(k) => k,
            _ => unreachable!(),
        };
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        let blob = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        for cut in 0..blob.len() {
            let armored = format!(
                "-----BEGIN SSH SIGNATURE-----\n{}\n-----END SSH SIGNATURE-----\n",
                base64::engine::general_purpose::STANDARD.encode(&blob[..cut])
            );
            assert!(verify_sshsig(&keys, &armored, &message()).is_err());
        }
    }
}
