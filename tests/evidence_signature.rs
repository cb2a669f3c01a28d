//! `verify --key`: the detached Ed25519 signature over manifest.json, OpenSSH
//! (signed here with `ssh-keygen -Y sign`) and minisign (signed here as minisign does,
//! legacy `Ed` mode, with ring); and `check --evidence DIR` refusing `-f` outputs in DIR.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use support::reports::{apimguard, stderr};

const DEMO: &str = "fixtures/demo/snapshot.json";

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `check DEMO --evidence EV -f SPEC`.
fn check_with_evidence(ev: &Path, spec: &str) -> Output {
    apimguard(&[
        "check",
        DEMO,
        "--evidence",
        ev.to_str().unwrap(),
        "-f",
        spec,
    ])
}

/// Writes evidence of a demo check to `TMP/ev`.
fn evidence(tmp: &Path) -> PathBuf {
    let ev = tmp.join("ev");
    let out = check_with_evidence(&ev, "json");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    ev
}

/// A fresh SSH Ed25519 key pair in `dir`; returns the private key's path (`.pub` beside).
fn ssh_key(dir: &Path, name: &str) -> PathBuf {
    let key = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "auditor@contoso.com",
            "-f",
        ])
        .arg(&key)
        .status()
        .expect("ssh-keygen (OpenSSH) is needed to make test signatures");
    assert!(status.success());
    key
}

/// Signs `file` with `ssh-keygen -Y sign` for `namespace`, writing `file.sig`.
fn ssh_sign(key: &Path, namespace: &str, file: &Path) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", namespace, "-f"])
        .arg(key)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn verify(ev: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["verify", ev.to_str().unwrap()];
    args.extend(extra);
    apimguard(&args)
}

fn pub_of(key: &Path) -> String {
    format!("{}.pub", key.display())
}

#[test]
fn an_ssh_signature_over_the_manifest_is_checked_with_key() {
    let tmp = tempfile::tempdir().unwrap();
    let ev = evidence(tmp.path());
    let key = ssh_key(tmp.path(), "signer");
    ssh_sign(&key, "apimguard-evidence", &ev.join("manifest.json"));

    let out = verify(&ev, &["--key", &pub_of(&key)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("SSH signature verified"),
        "{}",
        stdout(&out)
    );

    // An allowed_signers file trusts the same key, for this namespace.
    let line = std::fs::read_to_string(pub_of(&key)).unwrap();
    let signers = tmp.path().join("allowed_signers");
    std::fs::write(
        &signers,
        format!("auditor@contoso.com namespaces=\"apimguard-evidence\" {line}"),
    )
    .unwrap();
    let out = verify(&ev, &["--key", signers.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("auditor@contoso.com"));

    // Without --key the signature is not checked, and verify says so.
    let out = verify(&ev, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("signature not checked (no --key)"));
}

#[test]
fn a_resealed_manifest_another_key_or_no_signature_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let ev = evidence(tmp.path());
    let key = ssh_key(tmp.path(), "signer");
    let other = ssh_key(tmp.path(), "other");
    ssh_sign(&key, "apimguard-evidence", &ev.join("manifest.json"));

    let out = verify(&ev, &["--key", &pub_of(&other)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("apimguard::evidence::signature"));
    assert!(
        stderr(&out).contains("which --key does not trust"),
        "{}",
        stderr(&out)
    );

    // Someone who can edit both the files and the manifest still cannot re-sign it.
    let manifest = ev.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replacen("\"exitCode\": 1", "\"exitCode\": 0", 1),
    )
    .unwrap();
    let out = verify(&ev, &["--key", &pub_of(&key)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not verify"), "{}", stderr(&out));

    std::fs::remove_file(ev.join("manifest.json.sig")).unwrap();
    let out = verify(&ev, &["--key", &pub_of(&key)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no signature"), "{}", stderr(&out));
}

#[test]
fn a_signature_for_another_namespace_or_an_unusable_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let ev = evidence(tmp.path());
    let key = ssh_key(tmp.path(), "signer");
    let copy = tmp.path().join("manifest.json");
    std::fs::copy(ev.join("manifest.json"), &copy).unwrap();
    ssh_sign(&key, "file", &copy);
    let sig = tmp.path().join("manifest.json.sig");
    let out = verify(
        &ev,
        &["--key", &pub_of(&key), "--signature", sig.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("signed for namespace \"file\""),
        "{}",
        stderr(&out)
    );

    let garbage = tmp.path().join("key.txt");
    std::fs::write(&garbage, "not a key\n").unwrap();
    let out = verify(&ev, &["--key", garbage.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("apimguard::evidence::key"),
        "{}",
        stderr(&out)
    );
}

/// A minisign key pair from a fixed seed: the public key file's text and the signer.
fn minisign_key() -> (String, ring::signature::Ed25519KeyPair) {
    use ring::signature::KeyPair;
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&[7; 32]).unwrap();
    let mut blob = b"Ed".to_vec();
    blob.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
    blob.extend_from_slice(pair.public_key().as_ref());
    let b64 = base64::engine::general_purpose::STANDARD;
    (
        format!(
            "untrusted comment: minisign public key 0807060504030201\n{}\n",
            b64.encode(blob)
        ),
        pair,
    )
}

/// A legacy (`Ed`) minisign signature of `message`, as `minisign -S -l` writes it.
fn minisign_sign(pair: &ring::signature::Ed25519KeyPair, message: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let signature = pair.sign(message);
    let mut blob = b"Ed".to_vec();
    blob.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
    blob.extend_from_slice(signature.as_ref());
    let trusted = "timestamp:1765152000\tfile:manifest.json";
    let mut global = signature.as_ref().to_vec();
    global.extend_from_slice(trusted.as_bytes());
    format!(
        "untrusted comment: signature from minisign secret key\n{}\ntrusted comment: {trusted}\n{}\n",
        b64.encode(blob),
        b64.encode(pair.sign(&global))
    )
}

#[test]
fn a_minisign_signature_is_checked_with_a_minisign_key() {
    let tmp = tempfile::tempdir().unwrap();
    let ev = evidence(tmp.path());
    let (public, pair) = minisign_key();
    let key = tmp.path().join("audit.pub");
    std::fs::write(&key, public).unwrap();
    let manifest = std::fs::read(ev.join("manifest.json")).unwrap();
    std::fs::write(
        ev.join("manifest.json.minisig"),
        minisign_sign(&pair, &manifest),
    )
    .unwrap();
    let out = verify(&ev, &["--key", key.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("minisign signature verified"));

    std::fs::write(
        ev.join("manifest.json.minisig"),
        minisign_sign(&pair, b"another manifest"),
    )
    .unwrap();
    let out = verify(&ev, &["--key", key.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not verify"), "{}", stderr(&out));
}

#[test]
fn check_refuses_reports_written_inside_the_evidence_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let ev = tmp.path().join("ev");
    for spec in [
        format!("html:{}", ev.join("audit.html").display()),
        format!("csv:{}/x/../ev/a.csv", tmp.path().display()),
    ] {
        let out = check_with_evidence(&ev, &spec);
        assert_eq!(out.status.code(), Some(2), "{spec}");
        assert!(
            stderr(&out).contains("apimguard::evidence::output_inside"),
            "{}",
            stderr(&out)
        );
        assert!(!ev.exists(), "nothing is written");
    }
}
