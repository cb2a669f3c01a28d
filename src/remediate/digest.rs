//! Digests that make a journal tamper-evident: the digest of the plan a person approved
//! (with its gates), and the chain that links each journal line to the line before it.
//!
//! Both are SHA-256, written `sha256:` and 64 lower-case hex digits. No secret key goes
//! into them (apimguard has none to keep), so they prove what they are compared with,
//! not who wrote them: a line edited, removed or inserted breaks the chain, and a plan
//! other than the approved one has another digest; but whoever can write the journal can
//! also write a whole new, consistent one. That is why a resumed run that no person
//! confirms must be given the approved plan's digest (`--plan-digest`), which comes from
//! outside the journal (docs/remediation.md, "Tamper evidence").

use serde::Serialize;

use super::executor::Settings;
use super::plan::Plan;

/// The prefix of every digest.
const PREFIX: &str = "sha256:";

/// The digest of a journal line's text (without its line break).
pub fn of_line(text: &str) -> String {
    of_bytes(text.as_bytes())
}

/// The digest of a plan and the gates it runs under, as apimguard serializes them.
pub fn of_plan(plan: &Plan, settings: &Settings) -> String {
    #[derive(Serialize)]
    struct Approved<'a> {
        plan: &'a Plan,
        settings: &'a Settings,
    }
    let text = serde_json::to_string(&Approved { plan, settings })
        .expect("a plan and its settings serialize");
    of_bytes(text.as_bytes())
}

/// Whether `text` is written as a digest is (`sha256:` and 64 hex digits, any case).
pub fn is_digest(text: &str) -> bool {
    text.strip_prefix(PREFIX)
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn of_bytes(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = String::with_capacity(PREFIX.len() + 64);
    out.push_str(PREFIX);
    for byte in digest.as_ref() {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_sha256_in_hex() {
        // The SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            of_line("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_digest(&of_line("")));
        assert!(is_digest(
            &of_line("x").to_uppercase().replace("SHA256", "sha256")
        ));
        for bad in ["", "sha256:", "sha256:xyz", "md5:ba78", &of_line("x")[1..]] {
            assert!(!is_digest(bad), "{bad}");
        }
    }
}
