//! The ARM HTTP client: token, bounded concurrency, retries, paging, and (for
//! `remediate` only) writes with long-running operations.
//!
//! - Every request takes a permit from one semaphore shared by the whole run
//!   (`--concurrency`); the permit is held for one HTTP exchange only (never while
//!   waiting to retry, never across awaits on other requests), so it cannot deadlock.
//! - 408, 429 and 5xx answers and transport failures are retried with exponential
//!   backoff and jitter, honouring `Retry-After`; each try has its own timeout.
//! - Lists follow `nextLink` until it is absent, null or empty, and only while it stays
//!   on the ARM endpoint (the bearer token is never sent anywhere else), for at most
//!   `--max-pages` pages.
//! - No redirect is followed: a 3xx answer is an error ([`ArmError::Redirected`]).
//! - No answer body is read past `--max-response-size`, and after the run's
//!   `--deadline` no request is made: both are errors of the request, never a shortened
//!   answer.
//! - Reads are GET, and POST for Resource Graph queries ([`ArmClient::query`]). PUT
//!   and DELETE are sent only by the methods of `write.rs`, which `remediate` calls;
//!   they are idempotent, so retrying them is safe.
//! - Before the permit, a request waits for its subscription's read budget
//!   (`pacing.rs`): ARM's remaining-reads headers pace requests before a 429. The
//!   `Authorization` header is set per request and never logged.

mod error;
mod limits;
pub mod names;
mod pacing;
mod retry;
mod write;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, LOCATION};
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;
use tokio::sync::Semaphore;

pub use error::ArmError;
pub use limits::{Bytes, Deadline, Limits, DEFAULT_MAX_PAGES, DEFAULT_MAX_RESPONSE_BYTES};
pub(crate) use write::provisioning_state;
pub use write::{Finished, Written};

use super::credential::{check_token, TokenSource};
use super::progress::Reporter;

/// How the client behaves.
#[derive(Debug, Clone)]
pub struct ArmOptions {
    /// The ARM endpoint, e.g. `https://management.azure.com`.
    pub endpoint: Url,
    /// Requests in flight at most, across the whole run.
    pub concurrency: usize,
    /// Timeout of one try (connect, send, read the body).
    pub timeout: Duration,
    /// Retries after the first try.
    pub max_retries: u32,
    /// First backoff step when ARM gives no `Retry-After`.
    pub backoff: Duration,
    /// Shortest wait between two polls of a long-running operation, whatever
    /// `Retry-After` says (a `Retry-After: 0` must not make the polls back to back);
    /// [`MIN_POLL_WAIT`] but in tests against a local server.
    pub min_poll_wait: Duration,
    /// Bounds on answers, lists and the run's time.
    pub limits: Limits,
}

/// The shortest wait between two polls of a long-running operation.
pub const MIN_POLL_WAIT: Duration = Duration::from_secs(1);

/// Requests and retries of a run.
#[derive(Debug, Default)]
pub struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
}

impl Counters {
    /// HTTP requests sent (each try counts).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Retries.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }
}

/// A read-only ARM client.
pub struct ArmClient {
    http: reqwest::Client,
    tokens: Arc<dyn TokenSource>,
    options: ArmOptions,
    permits: Semaphore,
    pacer: pacing::Pacer,
    counters: Counters,
    reporter: Arc<Reporter>,
}

/// One try's result, before retry decisions.
enum Attempt {
    Answer(Reply),
    Transport(reqwest::Error),
}

/// ARM's final answer to one request (after retries).
struct Reply {
    status: StatusCode,
    body: Vec<u8>,
    headers: HeaderMap,
    retries: u32,
}

impl ArmClient {
    /// A client that authenticates with `tokens` and reports through `reporter`.
    pub fn new(
        http: reqwest::Client,
        tokens: Arc<dyn TokenSource>,
        options: ArmOptions,
        reporter: Arc<Reporter>,
    ) -> Self {
        let permits = Semaphore::new(options.concurrency.max(1));
        Self {
            http,
            tokens,
            options,
            permits,
            pacer: pacing::Pacer::default(),
            counters: Counters::default(),
            reporter,
        }
    }

    /// The ARM endpoint requests go to.
    pub fn endpoint(&self) -> &Url {
        &self.options.endpoint
    }

    /// The bounds on what the client reads.
    pub fn limits(&self) -> &Limits {
        &self.options.limits
    }

    /// The run's request counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The URL of an ARM path (`/subscriptions/…`) with its api-version and extra query pairs.
    ///
    /// `path` is checked segment by segment first ([`names::check_path`]): it is built
    /// from ids and names ARM answered with, and none may steer the request to another
    /// path (a `..` segment, an encoded separator); such a path is an
    /// [`ArmError::UnsafePath`], and no request is made.
    pub fn url(
        &self,
        path: &str,
        api_version: &str,
        query: &[(&str, &str)],
    ) -> Result<Url, ArmError> {
        names::check_path(path).map_err(|problem| ArmError::UnsafePath { problem })?;
        let mut url = self.options.endpoint.clone();
        // `set_path` percent-encodes what must be (a `?` or `#` in a name stays in the path).
        url.set_path(&format!("{}{path}", url.path().trim_end_matches('/')));
        url.set_query(None);
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("api-version", api_version);
            for (key, value) in query {
                pairs.append_pair(key, value);
            }
        }
        Ok(url)
    }

    /// GETs a JSON document.
    pub async fn get(&self, url: &Url) -> Result<Value, ArmError> {
        let reply = self.send(Method::GET, url, None).await?;
        if !reply.status.is_success() {
            return Err(reply.error());
        }
        json_body(&reply.body)
    }

    /// GETs a JSON document that may not exist: 404 is `None`.
    pub async fn get_optional(&self, url: &Url) -> Result<Option<Value>, ArmError> {
        match self.get(url).await {
            Err(e) if e.status() == Some(404) => Ok(None),
            other => other.map(Some),
        }
    }

    /// POSTs a query that reads (Resource Graph's), and returns the answer with its
    /// headers (which carry the query quota). Like every read it is paced and retried.
    pub async fn query(&self, url: &Url, body: &Value) -> Result<(Value, HeaderMap), ArmError> {
        let reply = self.send(Method::POST, url, Some(body)).await?;
        if !reply.status.is_success() {
            return Err(reply.error());
        }
        Ok((json_body(&reply.body)?, reply.headers))
    }

    /// GETs every item of an ARM list, following `nextLink`.
    pub async fn list(&self, url: &Url) -> Result<Vec<Value>, ArmError> {
        let mut items = Vec::new();
        let mut next = Some(url.clone());
        let mut pages = 0;
        // Every page read so far: a nextLink back to any of them is a loop (A → B → A),
        // not only one back to the page itself.
        let mut seen = HashSet::new();
        let max_pages = self.options.limits.max_pages;
        while let Some(page_url) = next {
            pages += 1;
            if pages > max_pages {
                return Err(ArmError::EndlessList { pages: max_pages });
            }
            let mut page = self.get(&page_url).await?;
            seen.insert(page_url);
            match page.get_mut("value").map(Value::take) {
                Some(Value::Array(values)) => items.extend(values),
                _ => {
                    return Err(ArmError::Malformed {
                        detail: "a list page has no `value` array".to_string(),
                    })
                }
            }
            next = match page.get("nextLink") {
                Some(Value::String(link)) if !link.is_empty() => {
                    let link = self.same_endpoint(link, "the list's nextLink")?;
                    if seen.contains(&link) {
                        return Err(ArmError::Malformed {
                            detail: "a list page's nextLink points back to a page already read (a paging loop)".to_string(),
                        });
                    }
                    Some(link)
                }
                _ => None,
            };
        }
        Ok(items)
    }

    /// Checks that a link ARM handed out (`what`) stays on the ARM endpoint (ARM writes
    /// `:443` explicitly at times).
    fn same_endpoint(&self, link: &str, what: &'static str) -> Result<Url, ArmError> {
        let url = Url::parse(link).map_err(|e| ArmError::Malformed {
            detail: format!("{what} is not a URL ({e})"),
        })?;
        let endpoint = &self.options.endpoint;
        let same = url.scheme() == endpoint.scheme()
            && url.username().is_empty()
            && url.password().is_none()
            && url.host_str().map(str::to_ascii_lowercase)
                == endpoint.host_str().map(str::to_ascii_lowercase)
            && url.port_or_known_default() == endpoint.port_or_known_default();
        if same {
            Ok(url)
        } else {
            let host = url.host_str().unwrap_or("?");
            Err(ArmError::ForeignLink {
                link: what,
                host: match url.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host.to_string(),
                },
            })
        }
    }

    /// Sends a request, retrying as the module documentation says; returns the final answer.
    async fn send(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
    ) -> Result<Reply, ArmError> {
        let mut retries = 0u32;
        loop {
            let attempt = self.attempt(&method, url, body).await?;
            let (wait, failure) = match attempt {
                Attempt::Answer(mut reply) => {
                    reply.retries = retries;
                    if !retry::retryable(reply.status) {
                        return Ok(reply);
                    }
                    let failure = reply.error();
                    let retry_after = retry::retry_after(&reply.headers);
                    if retry_after.is_some_and(|wait| wait > retry::MAX_RETRY_AFTER) {
                        return Err(failure);
                    }
                    (
                        retry::delay(retries, retry_after, self.options.backoff),
                        failure,
                    )
                }
                Attempt::Transport(e) => {
                    let failure = ArmError::Transport {
                        detail: transport_detail(&e),
                        timed_out: e.is_timeout().then_some(self.options.timeout),
                        retries,
                    };
                    (retry::delay(retries, None, self.options.backoff), failure)
                }
            };
            let exhausted = retries >= self.options.max_retries;
            // A try cut short by the deadline (its timeout is the time left) is the
            // deadline's failure; so is a retry that would start after it.
            if let Some(deadline) = self.options.limits.deadline {
                if deadline.passed() || (!exhausted && deadline.remaining() <= wait) {
                    return Err(ArmError::Deadline {
                        budget: deadline.budget,
                    });
                }
            }
            if exhausted {
                return Err(failure);
            }
            retries += 1;
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            self.reporter.note(
                1,
                format_args!(
                    "retrying {method} {} in {:.1} s after {}",
                    display_path(url),
                    wait.as_secs_f64(),
                    failure.brief()
                ),
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// One try, holding a concurrency permit for its duration.
    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&Value>,
    ) -> Result<Attempt, ArmError> {
        let token = self
            .tokens
            .token()
            .await
            .map_err(|e| ArmError::Credential(e.to_string()))?;
        let authorization = bearer(token.secret())?;
        // The subscription's budget first, so that a throttled subscription holds no
        // permit the others could use.
        let pass = match self.options.limits.deadline {
            Some(deadline) => tokio::time::timeout(deadline.remaining(), self.pacer.admit(url))
                .await
                .map_err(|_| ArmError::Deadline {
                    budget: deadline.budget,
                })?,
            None => self.pacer.admit(url).await,
        };
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let mut timeout = self.options.timeout;
        if let Some(deadline) = self.options.limits.deadline {
            if deadline.passed() {
                return Err(ArmError::Deadline {
                    budget: deadline.budget,
                });
            }
            timeout = timeout.min(deadline.remaining());
        }
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .header(AUTHORIZATION, authorization)
            .header(reqwest::header::ACCEPT, "application/json")
            .timeout(timeout);
        if let Some(body) = body {
            request = request.json(body);
        }
        let attempt = match request.send().await {
            Ok(response) => {
                let status = response.status();
                let headers = response.headers().clone();
                match self.read_body(response, url).await? {
                    Ok(body) => Attempt::Answer(Reply {
                        status,
                        body,
                        headers,
                        retries: 0,
                    }),
                    Err(e) => Attempt::Transport(e),
                }
            }
            Err(e) => Attempt::Transport(e),
        };
        let outcome = match &attempt {
            Attempt::Answer(reply) => {
                let status = reply.status.as_u16();
                // A longer wait fails the request (`send`); it must not stall the others.
                let pause =
                    retry::retry_after(&reply.headers).map(|w| w.min(retry::MAX_RETRY_AFTER));
                pass.answered(status, &reply.headers, pause);
                status.to_string()
            }
            Attempt::Transport(_) => "no answer".to_string(),
        };
        self.reporter.note(
            2,
            format_args!(
                "{method} {} → {outcome} in {} ms",
                display_path(url),
                started.elapsed().as_millis()
            ),
        );
        Ok(attempt)
    }
}

impl ArmClient {
    /// Reads an answer's body, refusing (unread) one larger than `--max-response-size`:
    /// at once when its `Content-Length` says so, else as soon as the bytes received
    /// pass the bound. The inner error is a transport failure (retried).
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        url: &Url,
    ) -> Result<Result<Vec<u8>, reqwest::Error>, ArmError> {
        let limit = self.options.limits.max_response_bytes;
        let too_large = || ArmError::TooLarge {
            path: url.path().to_string(),
            limit,
        };
        let announced = response.content_length().unwrap_or(0);
        if announced > limit {
            return Err(too_large());
        }
        // Never trust the announced length for more than a first megabyte.
        let mut body = Vec::with_capacity(announced.min(1 << 20) as usize);
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if (body.len() + chunk.len()) as u64 > limit {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(Ok(body)),
                Err(e) => return Ok(Err(e)),
            }
        }
    }
}

/// The `Authorization` header of `token`, marked sensitive. A token that is not a
/// bearer token (a control character, a line break, a non-ASCII byte…) is a credential
/// error at once, not a transport failure retried; the token is never shown.
fn bearer(token: &str) -> Result<HeaderValue, ArmError> {
    check_token(token).map_err(ArmError::Credential)?;
    let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|e| ArmError::Credential(e.to_string()))?;
    value.set_sensitive(true);
    Ok(value)
}

impl Reply {
    /// The error this (non-success) answer stands for: a 3xx is a redirect, which is
    /// never followed.
    fn error(&self) -> ArmError {
        if self.status.is_redirection() {
            let host = self
                .headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|link| Url::parse(link).ok())
                .and_then(|link| link.host_str().map(str::to_string));
            return ArmError::Redirected {
                status: self.status.as_u16(),
                host,
            };
        }
        ArmError::from_response(self.status.as_u16(), &self.body, self.retries)
    }
}

/// How deep an ARM or Resource Graph answer may nest objects and arrays. Values of an
/// answer land in the snapshot up to about ten levels further down, and the snapshot's
/// readers stop at [`crate::snapshot::MAX_DEPTH`] (128): an answer within this bound
/// always makes a snapshot they read, as IaC files within theirs do. No ARM answer comes
/// near.
pub const MAX_ANSWER_DEPTH: usize = 100;

/// A 2xx body as JSON, nested at most [`MAX_ANSWER_DEPTH`] levels (the parser itself
/// stops at 128; either is said as too deep, not as text that is not JSON).
fn json_body(body: &[u8]) -> Result<Value, ArmError> {
    let too_deep = || {
        ArmError::Malformed {
        detail: format!(
            "nested more than {MAX_ANSWER_DEPTH} levels deep, deeper than any ARM answer (a value this deep would make a snapshot apimguard cannot read)"
        ),
    }
    };
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        if e.to_string().starts_with("recursion limit exceeded") {
            too_deep()
        } else {
            ArmError::Malformed {
                detail: format!("not JSON: {e}"),
            }
        }
    })?;
    if crate::nesting::json_deeper_than(&value, MAX_ANSWER_DEPTH) {
        return Err(too_deep());
    }
    Ok(value)
}

/// A URL as logs show it: path and query only (never credentials, which are headers).
fn display_path(url: &Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    }
}

/// A transport error and its causes on one line, without the URL (gaps carry the scope).
fn transport_detail(error: &reqwest::Error) -> String {
    let text = match error.url() {
        Some(url) => error
            .to_string()
            .replace(&format!(" ({url})"), "")
            .replace(url.as_str(), "<url>"),
        None => error.to_string(),
    };
    crate::azure::http::with_causes(text, error)
}

/// A client of `endpoint` with a fixed token, no retries and a silent reporter (unit
/// tests; nothing is sent unless a test asks).
#[cfg(test)]
pub(crate) fn test_client(endpoint: &str) -> ArmClient {
    ArmClient::new(
        crate::azure::http::client().expect("client"),
        Arc::new(crate::azure::credential::StaticToken::new("t")),
        ArmOptions {
            endpoint: Url::parse(endpoint).expect("an endpoint URL"),
            concurrency: 2,
            timeout: Duration::from_secs(1),
            max_retries: 0,
            backoff: Duration::from_millis(1),
            min_poll_wait: Duration::ZERO,
            limits: Limits::default(),
        },
        Arc::new(Reporter::silent()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::credential::StaticToken;

    #[test]
    fn urls_keep_the_endpoint_path_and_encode_names() {
        let arm = test_client("https://arm.contoso.local/stack/");
        let url = arm.url(
            "/subscriptions/s/apis/a b;rev=2",
            "2024-05-01",
            &[("format", "rawxml")],
        );
        assert_eq!(
            url.unwrap().as_str(),
            "https://arm.contoso.local/stack/subscriptions/s/apis/a%20b;rev=2?api-version=2024-05-01&format=rawxml"
        );
        // A name that could leave its segment is refused before any URL is made.
        for odd in ["/x/what?#", "/x/../y", "/x/%2e", "/x//y"] {
            assert!(
                matches!(arm.url(odd, "1", &[]), Err(ArmError::UnsafePath { .. })),
                "{odd}"
            );
        }
    }

    #[tokio::test]
    async fn a_token_that_cannot_be_a_header_sends_nothing() {
        let arm = ArmClient::new(
            crate::azure::http::client().expect("client"),
            Arc::new(StaticToken::new("canary\nsecret")),
            test_client("http://127.0.0.1:9").options.clone(),
            Arc::new(Reporter::silent()),
        );
        let url = arm.url("/subscriptions", "1", &[]).unwrap();
        let error = arm.get(&url).await.expect_err("refused");
        assert!(matches!(error, ArmError::Credential(_)), "{error:?}");
        assert!(!error.to_string().contains("canary"), "{error}");
        assert_eq!(arm.counters().requests(), 0);
    }

    #[tokio::test]
    async fn after_the_deadline_nothing_is_sent() {
        let mut options = test_client("http://127.0.0.1:9").options.clone();
        options.limits.deadline = Some(Deadline::after(Duration::ZERO));
        let arm = ArmClient::new(
            crate::azure::http::client().expect("client"),
            Arc::new(StaticToken::new("t")),
            options,
            Arc::new(Reporter::silent()),
        );
        let error = arm
            .list(&arm.url("/subscriptions", "1", &[]).unwrap())
            .await
            .expect_err("too late");
        assert_eq!(
            error,
            ArmError::Deadline {
                budget: Duration::ZERO
            }
        );
        assert_eq!(arm.counters().requests(), 0);
    }

    #[test]
    fn a_redirect_is_an_error_naming_its_host() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LOCATION,
            HeaderValue::from_static("https://evil.example/subscriptions?x=1"),
        );
        let reply = Reply {
            status: StatusCode::FOUND,
            body: Vec::new(),
            headers,
            retries: 0,
        };
        assert_eq!(
            reply.error(),
            ArmError::Redirected {
                status: 302,
                host: Some("evil.example".into())
            }
        );
    }

    #[test]
    fn next_links_must_stay_on_the_endpoint() {
        let arm = test_client("https://management.azure.com");
        let next = "the list's nextLink";
        assert!(arm
            .same_endpoint(
                "https://management.azure.com:443/subscriptions?api-version=1&$skipToken=x",
                next
            )
            .is_ok());
        assert_eq!(
            arm.same_endpoint("https://evil.example/subscriptions", next),
            Err(ArmError::ForeignLink {
                link: next,
                host: "evil.example".into()
            })
        );
        assert!(arm
            .same_endpoint("http://management.azure.com/x", next)
            .is_err());
        assert!(arm
            .same_endpoint("https://user:pw@management.azure.com/x", next)
            .is_err());
        assert_eq!(
            arm.same_endpoint("https://management.azure.com:8443/x", next),
            Err(ArmError::ForeignLink {
                link: next,
                host: "management.azure.com:8443".into()
            })
        );
    }
}
