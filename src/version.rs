//! What this build is, in one string: the crate version, the git commit it was built from
//! (when built from a git checkout; see `build.rs`) and the digest of the built-in rule
//! pack. `apimguard --version` prints it, and it is the `tool` of every report, drift,
//! journal and snapshot, so a result names exactly the rules that produced it.

use std::sync::OnceLock;

use crate::engine::sources;

/// `0.1.0 (commit 1a2b3c4d5e6f, built-in rules sha256:…)`: what `--version` prints after
/// the program's name.
pub fn describe() -> &'static str {
    static DESCRIBE: OnceLock<String> = OnceLock::new();
    DESCRIBE.get_or_init(|| {
        let commit = option_env!("APIMGUARD_GIT_COMMIT")
            .map(|c| format!("commit {c}, "))
            .unwrap_or_default();
        format!(
            "{} ({commit}built-in rules sha256:{})",
            env!("CARGO_PKG_VERSION"),
            builtin_pack_digest()
        )
    })
}

/// `apimguard 0.1.0 (commit …, built-in rules sha256:…)`: the `tool` of every document
/// apimguard writes.
pub fn tool() -> &'static str {
    static TOOL: OnceLock<String> = OnceLock::new();
    TOOL.get_or_init(|| format!("apimguard {}", describe()))
}

/// SHA-256, in lowercase hex, over every file of the built-in pack in path order: each
/// file's path, a NUL, its length as 8 little-endian bytes, then its bytes. Any change to
/// a rule, a library or a test of the pack changes it.
pub fn builtin_pack_digest() -> String {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    for file in sources::builtin() {
        context.update(file.path.as_bytes());
        context.update(&[0]);
        context.update(&(file.text.len() as u64).to_le_bytes());
        context.update(file.text.as_bytes());
    }
    hex(context.finish())
}

/// A digest in lower-case hex.
pub(crate) fn hex(digest: ring::digest::Digest) -> String {
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_version_and_pack_digest() {
        let text = describe();
        assert!(text.starts_with(env!("CARGO_PKG_VERSION")), "{text}");
        let digest = builtin_pack_digest();
        assert_eq!(digest.len(), 64);
        assert!(
            text.ends_with(&format!("built-in rules sha256:{digest})")),
            "{text}"
        );
        assert_eq!(tool(), format!("apimguard {text}"));
    }
}
