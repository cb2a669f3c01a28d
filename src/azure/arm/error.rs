//! ARM failures, worded so a person knows what to do about them.

use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

use regex::Regex;
use serde_json::Value;

use super::limits::{Bytes, Span};

/// Why an ARM read failed. `Display` is the message a gap records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArmError {
    /// ARM answered with an error status (after retries, when the status is retryable).
    Status {
        /// HTTP status.
        status: u16,
        /// ARM error code (`AuthorizationFailed`, `ResourceNotFound`, …).
        code: Option<String>,
        /// ARM error message.
        message: Option<String>,
        /// How many times the request was retried.
        retries: u32,
    },
    /// No (complete) answer: connection failure or timeout.
    Transport {
        /// What the HTTP client reported.
        detail: String,
        /// Whether the per-request timeout expired.
        timed_out: Option<Duration>,
        /// How many times the request was retried.
        retries: u32,
    },
    /// A 2xx answer whose body is not the JSON ARM documents.
    Malformed {
        /// What is wrong with it.
        detail: String,
    },
    /// A link ARM handed out (`nextLink`, an operation's `Location`) that leaves the ARM
    /// endpoint; the token is not sent there.
    ForeignLink {
        /// Which link, e.g. "the list's nextLink".
        link: &'static str,
        /// The host it points to.
        host: String,
    },
    /// A 3xx answer: redirects are never followed (ARM data comes only from the
    /// management endpoint).
    Redirected {
        /// HTTP status.
        status: u16,
        /// The host the `Location` header names (`None`: no usable `Location`).
        host: Option<String>,
    },
    /// An answer larger than `--max-response-size`; it was not read.
    TooLarge {
        /// The path asked for (never the query).
        path: String,
        /// The bound, in bytes.
        limit: u64,
    },
    /// A list with more pages than `--max-pages`.
    EndlessList {
        /// The bound.
        pages: usize,
    },
    /// The run's `--deadline` passed before the request could be made (or retried).
    Deadline {
        /// The budget the run had.
        budget: Duration,
    },
    /// A long-running operation did not reach a terminal state in time.
    Unfinished {
        /// How long it was watched.
        waited: Duration,
        /// Its last state, e.g. `InProgress`.
        state: String,
    },
    /// No token could be had.
    Credential(String),
    /// A path built from names ARM answered with (an id, a name) that has a segment no
    /// ARM name can be; no request was made to it.
    UnsafePath {
        /// What is wrong, with the segment shown escaped.
        problem: String,
    },
}

impl ArmError {
    /// The HTTP status, for errors ARM answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ArmError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// What went wrong in a few words (for retry notes).
    pub fn brief(&self) -> String {
        match self {
            ArmError::Status {
                status,
                code,
                message,
                ..
            } => said(*status, code, message),
            ArmError::Transport {
                timed_out: Some(limit),
                ..
            } => format!("no answer within {} s", limit.as_secs()),
            ArmError::Transport { detail, .. } => detail.clone(),
            other => other.to_string(),
        }
    }

    /// Builds the error for a non-success answer from its body (ARM's
    /// `{"error": {code, message}}` or APIM's top-level `{code, message}`).
    pub(super) fn from_response(status: u16, body: &[u8], retries: u32) -> Self {
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        let error = parsed.as_ref().map(|v| v.get("error").unwrap_or(v));
        let field = |name: &str| {
            error
                .and_then(|e| e.get(name))
                .and_then(Value::as_str)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let message = field("message").or_else(|| {
            // Not JSON (a proxy's HTML page, say): keep a short, printable excerpt.
            let text = String::from_utf8_lossy(body);
            let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            (!text.is_empty() && parsed.is_none()).then(|| text.chars().take(160).collect())
        });
        ArmError::Status {
            status,
            code: field("code"),
            message,
            retries,
        }
    }
}

impl fmt::Display for ArmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArmError::Status {
                status,
                code,
                message,
                retries,
            } => {
                let said = said(*status, code, message);
                match status {
                    401 => write!(
                        f,
                        "ARM did not accept the credentials ({said}); the token may have expired or be for another cloud: sign in again, or check --cloud"
                    ),
                    403 => match missing_permission(message.as_deref()) {
                        Some((action, scope)) => {
                            let (role, doc) = role_for(&action);
                            write!(
                                f,
                                "permission denied: the identity may not `{action}` on `{scope}`; assign it {role} on that scope (see {doc})"
                            )
                        }
                        None => write!(
                            f,
                            "permission denied ({said}); the identity needs Reader on the service (Security Reader for Defender data), see docs/collect.md"
                        ),
                    },
                    404 => write!(f, "not found ({said})"),
                    429 => write!(
                        f,
                        "ARM kept throttling the requests ({said}) after {retries} retries; run again later or lower --concurrency"
                    ),
                    500..=599 => write!(f, "ARM failed ({said}) after {retries} retries; try again later"),
                    _ => write!(f, "ARM refused the request ({said})"),
                }
            }
            ArmError::Transport {
                detail,
                timed_out: Some(limit),
                retries,
            } => write!(
                f,
                "no answer within {} s, {retries} retries ({detail}); raise --timeout or check the connection to ARM",
                limit.as_secs()
            ),
            ArmError::Transport { detail, retries, .. } => {
                write!(f, "cannot reach ARM after {retries} retries: {detail}")
            }
            ArmError::Malformed { detail } => write!(f, "ARM sent an unreadable answer: {detail}"),
            ArmError::Redirected { status, host } => write!(
                f,
                "ARM answered {status}, a redirect{}; redirects are never followed, so nothing was read from there (ARM data comes only from the management endpoint)",
                host.as_deref().map(|h| format!(" to {h}")).unwrap_or_default()
            ),
            ArmError::TooLarge { path, limit } => write!(
                f,
                "the answer to {path} is larger than --max-response-size ({}); it was not read: raise --max-response-size if ARM really sends that much",
                Bytes(*limit)
            ),
            ArmError::EndlessList { pages } => write!(
                f,
                "the list did not end after {pages} pages (--max-pages), so it is taken as a paging loop; raise --max-pages if the list really is that long"
            ),
            ArmError::Deadline { budget } => write!(
                f,
                "the run's --deadline ({}) passed before this was read; raise --deadline, or narrow the run (--subscription, --resource-group, --service)",
                Span(*budget)
            ),
            ArmError::ForeignLink { link, host } => write!(
                f,
                "{link} points to another host ({host}); it was not followed, so the token is not sent there"
            ),
            ArmError::Unfinished { waited, state } => write!(
                f,
                "the operation was still {state} after {} s; it may yet finish (a later run re-reads it first), or raise --operation-timeout",
                waited.as_secs()
            ),
            ArmError::Credential(reason) => write!(f, "no token: {reason}"),
            ArmError::UnsafePath { problem } => write!(
                f,
                "not read: the path built from ARM's answer {problem}; a name in an answer cannot steer a request elsewhere"
            ),
        }
    }
}

impl std::error::Error for ArmError {}

fn said(status: u16, code: &Option<String>, message: &Option<String>) -> String {
    match (code, message) {
        (Some(code), Some(message)) => format!("{status} {code}: {message}"),
        (Some(code), None) => format!("{status} {code}"),
        (None, Some(message)) => format!("{status}: {message}"),
        (None, None) => status.to_string(),
    }
}

/// Reads ARM's `AuthorizationFailed` wording: "… does not have authorization to perform
/// action 'X' over scope 'Y' …".
fn missing_permission(message: Option<&str>) -> Option<(String, String)> {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        Regex::new(r"perform action '([^']+)' over scope '([^']+)'").expect("valid regex")
    });
    let captures = pattern.captures(message?)?;
    Some((captures[1].to_string(), captures[2].to_string()))
}

/// The least-privileged built-in role that grants an action, and the page that
/// explains the roles (reads are `collect`'s, writes `remediate`'s).
fn role_for(action: &str) -> (&'static str, &'static str) {
    let action = action.to_ascii_lowercase();
    let security = action.starts_with("microsoft.security/");
    match (security, action.ends_with("/read")) {
        (true, true) => ("Security Reader", "docs/collect.md"),
        (false, true) => ("Reader", "docs/collect.md"),
        (true, false) => ("Security Admin", "docs/remediation.md"),
        (false, false) => ("Contributor", "docs/remediation.md"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_failed_names_action_scope_and_role() {
        let body = br#"{"error":{"code":"AuthorizationFailed","message":"The client 'a@b.c' with object id '1' does not have authorization to perform action 'Microsoft.ApiManagement/service/apis/read' over scope '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/x' or the scope is invalid."}}"#;
        let text = ArmError::from_response(403, body, 0).to_string();
        assert!(
            text.contains("may not `Microsoft.ApiManagement/service/apis/read`"),
            "{text}"
        );
        assert!(text.contains("on `/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/x`"), "{text}");
        assert!(text.contains("assign it Reader"), "{text}");
        let security = br#"{"error":{"code":"AuthorizationFailed","message":"does not have authorization to perform action 'Microsoft.Security/alerts/read' over scope '/subscriptions/s'"}}"#;
        assert!(ArmError::from_response(403, security, 0)
            .to_string()
            .contains("Security Reader"));
        let write = br#"{"error":{"code":"AuthorizationFailed","message":"does not have authorization to perform action 'Microsoft.Security/apiCollections/write' over scope '/subscriptions/s/x'"}}"#;
        let text = ArmError::from_response(403, write, 0).to_string();
        assert!(
            text.contains("assign it Security Admin") && text.contains("docs/remediation.md"),
            "{text}"
        );
    }

    #[test]
    fn apim_error_bodies_and_non_json_bodies() {
        let apim = br#"{"code":"ResourceNotFound","message":"Api not found."}"#;
        assert_eq!(
            ArmError::from_response(404, apim, 0).to_string(),
            "not found (404 ResourceNotFound: Api not found.)"
        );
        let html = b"<html>\n<body>Bad   gateway</body></html>";
        assert_eq!(
            ArmError::from_response(502, html, 3).to_string(),
            "ARM failed (502: <html> <body>Bad gateway</body></html>) after 3 retries; try again later"
        );
        assert!(ArmError::from_response(429, b"", 6)
            .to_string()
            .contains("after 6 retries"));
    }
}
