//! Writes, for `remediate` only: PUT and DELETE, and watching a long-running operation.
//!
//! ARM answers a write either at once (200, 201 or 204 with a terminal
//! `provisioningState`, or none) or by starting an operation in the background
//! (202, or 201/200 with a running `provisioningState`), saying where to watch it
//! (<https://learn.microsoft.com/azure/azure-resource-manager/management/async-operations>):
//!
//! - `Azure-AsyncOperation`: a status resource whose `status` becomes terminal;
//! - else `Location`: 202 while running, then the final answer (200, 201 or 204);
//! - else the resource itself, until its `provisioningState` is terminal.
//!
//! A watch link must stay on the ARM endpoint (the bearer token goes with every poll).
//! Polls wait what `Retry-After` asks, else back off exponentially, but at least the
//! client's `min_poll_wait` (1 s: `Retry-After: 0` does not mean back to back), and
//! stop at the caller's deadline.

use std::time::{Duration, Instant};

use reqwest::{Method, Url};
use serde_json::Value;

use super::{json_body, retry, ArmClient, ArmError, Reply};

/// Longest wait between two polls, whatever `Retry-After` says.
const MAX_POLL_WAIT: Duration = Duration::from_secs(60);

/// ARM's answer to a PUT or DELETE.
#[derive(Debug, Clone)]
pub struct Written {
    /// HTTP status.
    pub status: u16,
    /// The body, when it is JSON.
    pub body: Option<Value>,
    /// Where to watch the operation, when ARM named a place.
    monitor: Option<Monitor>,
    /// The wait ARM asked for before the first poll.
    retry_after: Option<Duration>,
}

/// Where a running operation is watched.
#[derive(Debug, Clone)]
enum Monitor {
    /// `Azure-AsyncOperation`: a status resource.
    Status(Url),
    /// `Location`: 202 while running, then the result.
    Location(Url),
}

/// How a long-running operation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// `Succeeded`, `Failed` or `Canceled`.
    pub state: String,
    /// How many polls it took (0: the write's answer was final).
    pub polls: u32,
    /// ARM's reason for a failed or canceled operation.
    pub error: Option<String>,
}

impl Finished {
    /// Whether the operation succeeded.
    pub fn succeeded(&self) -> bool {
        self.state.eq_ignore_ascii_case("Succeeded")
    }
}

impl Written {
    /// A resource as read back (a GET), to watch an operation an earlier run started.
    pub fn read_back(body: Value) -> Written {
        Written {
            status: 200,
            body: Some(body),
            monitor: None,
            retry_after: None,
        }
    }

    /// Whether the operation goes on in the background.
    pub fn in_progress(&self) -> bool {
        match provisioning_state(self.body.as_ref()) {
            Some(state) => !terminal(state),
            None => self.status == 202 || (self.status == 201 && self.monitor.is_some()),
        }
    }
}

impl ArmClient {
    /// PUTs `body` to `url` (retried like a read: a PUT is idempotent).
    pub async fn put(&self, url: &Url, body: &Value) -> Result<Written, ArmError> {
        self.write(Method::PUT, url, Some(body)).await
    }

    /// DELETEs `url` (retried like a read: a DELETE is idempotent).
    pub async fn delete(&self, url: &Url) -> Result<Written, ArmError> {
        self.write(Method::DELETE, url, None).await
    }

    /// Waits until the operation `written` started on `resource` ends, or `timeout` passes.
    pub async fn finish(
        &self,
        written: &Written,
        resource: &Url,
        timeout: Duration,
    ) -> Result<Finished, ArmError> {
        if !written.in_progress() {
            return Ok(settled(written.body.as_ref(), 0));
        }
        let started = Instant::now();
        let mut asked = written.retry_after;
        let mut state = provisioning_state(written.body.as_ref())
            .unwrap_or("InProgress")
            .to_string();
        let mut polls = 0;
        loop {
            let wait = poll_wait(
                polls,
                asked,
                self.options.backoff,
                self.options.min_poll_wait,
            );
            if started.elapsed() + wait > timeout {
                return Err(ArmError::Unfinished {
                    waited: started.elapsed(),
                    state,
                });
            }
            tokio::time::sleep(wait).await;
            polls += 1;
            let (url, by_status) = match &written.monitor {
                Some(Monitor::Status(url)) => (url, true),
                Some(Monitor::Location(url)) => (url, false),
                None => (resource, false),
            };
            let reply = self.send(Method::GET, url, None).await?;
            asked = retry::retry_after(&reply.headers);
            if let Some(done) = poll_outcome(&reply, by_status, polls, &mut state)? {
                return Ok(done);
            }
        }
    }

    async fn write(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
    ) -> Result<Written, ArmError> {
        let reply = self.send(method, url, body).await?;
        if !reply.status.is_success() {
            return Err(reply.error());
        }
        let header = |name: &str| {
            reply
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.trim().is_empty())
        };
        let monitor = match (header("azure-asyncoperation"), header("location")) {
            (Some(link), _) => Some(Monitor::Status(
                self.same_endpoint(link, "the operation's Azure-AsyncOperation header")?,
            )),
            (None, Some(link)) => Some(Monitor::Location(
                self.same_endpoint(link, "the operation's Location header")?,
            )),
            (None, None) => None,
        };
        Ok(Written {
            status: reply.status.as_u16(),
            body: serde_json::from_slice(&reply.body).ok(),
            monitor,
            retry_after: retry::retry_after(&reply.headers),
        })
    }
}

/// The wait before poll number `polls` (0-based): what ARM asked (`asked`), else
/// exponential backoff from `backoff`; never under `floor`, nor over [`MAX_POLL_WAIT`].
fn poll_wait(polls: u32, asked: Option<Duration>, backoff: Duration, floor: Duration) -> Duration {
    retry::delay(polls, asked, backoff)
        .max(floor)
        .min(MAX_POLL_WAIT)
}

/// What one poll says: the end of the operation, or `None` while it runs (then `state`
/// holds its latest state).
fn poll_outcome(
    reply: &Reply,
    by_status: bool,
    polls: u32,
    state: &mut String,
) -> Result<Option<Finished>, ArmError> {
    let code = reply.status.as_u16();
    if !reply.status.is_success() {
        return Err(reply.error());
    }
    if code == 202 {
        return Ok(None);
    }
    if code == 204 {
        return Ok(Some(settled(None, polls)));
    }
    let body = json_body(&reply.body)?;
    let (now, end) = if by_status {
        let now =
            body.get("status")
                .and_then(Value::as_str)
                .ok_or_else(|| ArmError::Malformed {
                    detail: "an operation status has no `status`".to_string(),
                })?;
        let end = Finished {
            state: now.to_string(),
            polls,
            error: error_message(&body),
        };
        (Some(now), end)
    } else {
        (provisioning_state(Some(&body)), settled(Some(&body), polls))
    };
    match now {
        Some(now) if !terminal(now) => {
            *state = now.to_string();
            Ok(None)
        }
        _ => Ok(Some(end)),
    }
}

/// The end state of a resource body: its terminal `provisioningState`, or `Succeeded`
/// when it has none (the write was synchronous).
fn settled(body: Option<&Value>, polls: u32) -> Finished {
    Finished {
        state: provisioning_state(body).unwrap_or("Succeeded").to_string(),
        polls,
        error: body.and_then(error_message),
    }
}

/// `properties.provisioningState` of a resource body.
pub(crate) fn provisioning_state(body: Option<&Value>) -> Option<&str> {
    body?.pointer("/properties/provisioningState")?.as_str()
}

/// Whether an operation or provisioning state is final.
fn terminal(state: &str) -> bool {
    ["Succeeded", "Failed", "Canceled", "Cancelled"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(state))
}

/// `error.message` of an operation status or resource body.
fn error_message(body: &Value) -> Option<String> {
    body.pointer("/error/message")
        .or_else(|| body.pointer("/properties/error/message"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;
    use reqwest::StatusCode;
    use serde_json::json;

    fn reply(status: u16, body: Value) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            body: body.to_string().into_bytes(),
            headers: HeaderMap::new(),
            retries: 0,
        }
    }

    fn written(status: u16, body: Option<Value>, location: bool) -> Written {
        Written {
            status,
            body,
            monitor: location
                .then(|| Monitor::Location(Url::parse("https://management.azure.com/x").unwrap())),
            retry_after: None,
        }
    }

    #[test]
    fn polls_wait_at_least_the_floor() {
        let floor = Duration::from_secs(1);
        let backoff = Duration::from_millis(500);
        let zero = Some(Duration::ZERO);
        assert_eq!(poll_wait(0, zero, backoff, floor), floor, "Retry-After: 0");
        assert_eq!(poll_wait(5, zero, backoff, floor), floor);
        assert_eq!(
            poll_wait(0, Some(Duration::from_millis(300)), backoff, floor),
            floor
        );
        let asked = poll_wait(0, Some(Duration::from_secs(7)), backoff, floor);
        assert!(asked >= Duration::from_secs(7), "{asked:?}");
        assert_eq!(
            poll_wait(0, Some(Duration::from_secs(3600)), backoff, floor),
            MAX_POLL_WAIT
        );
        assert_eq!(poll_wait(0, zero, backoff, Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn what_is_still_running() {
        let running = json!({"properties": {"provisioningState": "InProgress"}});
        let done = json!({"properties": {"provisioningState": "Succeeded"}});
        assert!(written(201, Some(running.clone()), true).in_progress());
        assert!(written(200, Some(running), false).in_progress());
        assert!(!written(201, Some(done), true).in_progress());
        assert!(written(202, None, true).in_progress());
        assert!(written(201, None, true).in_progress());
        assert!(!written(200, Some(json!({"properties": {}})), false).in_progress());
        assert!(!written(204, None, false).in_progress());
    }

    #[test]
    fn polls_read_202_states_and_status_resources() {
        let mut state = "InProgress".to_string();
        assert_eq!(
            poll_outcome(&reply(202, json!({})), false, 1, &mut state),
            Ok(None)
        );
        let updating = reply(
            200,
            json!({"properties": {"provisioningState": "Updating"}}),
        );
        assert_eq!(poll_outcome(&updating, false, 2, &mut state), Ok(None));
        assert_eq!(state, "Updating");
        let done = reply(
            200,
            json!({"properties": {"provisioningState": "Succeeded"}}),
        );
        let finished = poll_outcome(&done, false, 3, &mut state).unwrap().unwrap();
        assert!(finished.succeeded() && finished.polls == 3);

        let failed = reply(
            200,
            json!({"status": "Failed", "error": {"code": "X", "message": "no capacity"}}),
        );
        let finished = poll_outcome(&failed, true, 1, &mut state).unwrap().unwrap();
        assert_eq!(
            (finished.state.as_str(), finished.error.as_deref()),
            ("Failed", Some("no capacity"))
        );
        assert!(poll_outcome(&reply(200, json!({})), true, 1, &mut state).is_err());
        assert!(poll_outcome(&reply(404, json!({})), false, 1, &mut state).is_err());
    }
}
