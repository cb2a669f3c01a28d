//! A fake Azure Resource Manager on loopback: a small HTTP/1.1 server on tokio that
//! serves an [`Estate`](super::estate::Estate) with ARM's behaviours — paging through
//! `nextLink`, bearer-token checks, 404 error bodies — plus injected faults (429 with
//! `Retry-After`, 5xx, 403, slow answers, malformed JSON) and a request log.
//!
//! It runs on its own thread and runtime, so a test can drive the real binary with a
//! blocking `std::process::Command` while the server answers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::estate::Estate;

/// One request as the fake saw it. The token itself is never recorded.
#[derive(Debug, Clone)]
pub struct Logged {
    /// HTTP method.
    pub method: String,
    /// Path, as sent.
    pub path: String,
    /// Query string, as sent.
    pub query: String,
    /// Whether the request carried the expected bearer token.
    pub authorized: bool,
    /// The status answered.
    pub status: u16,
}

/// A misbehaviour to inject.
#[derive(Debug, Clone)]
pub enum FaultKind {
    /// Answer with this status and an ARM error body (and `Retry-After`, if given).
    Status {
        /// HTTP status.
        status: u16,
        /// ARM error code.
        code: &'static str,
        /// ARM error message.
        message: String,
        /// `Retry-After` header value.
        retry_after: Option<&'static str>,
    },
    /// Wait this long before answering normally.
    Slow(Duration),
    /// Answer 200 with a truncated JSON body.
    Malformed,
}

/// A fault for requests whose path contains `pattern` (case-insensitive).
#[derive(Debug, Clone)]
pub struct Fault {
    /// Path fragment to match.
    pub pattern: String,
    /// What to do.
    pub kind: FaultKind,
    /// How many matching requests to spoil (`None`: all of them).
    pub times: Option<usize>,
}

impl Fault {
    /// A 429 with `Retry-After: 1` for the first `times` matching requests.
    pub fn throttle(pattern: &str, times: usize) -> Self {
        Self {
            pattern: pattern.to_string(),
            kind: FaultKind::Status {
                status: 429,
                code: "TooManyRequests",
                message: "The request for subscription could not be processed due to an excessive volume of traffic".into(),
                retry_after: Some("1"),
            },
            times: Some(times),
        }
    }

    /// A 503 without `Retry-After` for the first `times` matching requests.
    pub fn unavailable(pattern: &str, times: usize) -> Self {
        Self {
            pattern: pattern.to_string(),
            kind: FaultKind::Status {
                status: 503,
                code: "ServiceUnavailable",
                message: "The service is temporarily unavailable.".into(),
                retry_after: None,
            },
            times: Some(times),
        }
    }

    /// ARM's `AuthorizationFailed` for every matching request.
    pub fn forbidden(pattern: &str, scope: &str) -> Self {
        Self {
            pattern: pattern.to_string(),
            kind: FaultKind::Status {
                status: 403,
                code: "AuthorizationFailed",
                message: format!(
                    "The client 'collector@contoso.com' with object id '5a2b' does not have authorization to perform action 'Microsoft.ApiManagement/service/apis/read' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials."
                ),
                retry_after: None,
            },
            times: None,
        }
    }

    /// A slow answer for the first `times` matching requests.
    pub fn slow(pattern: &str, delay: Duration, times: usize) -> Self {
        Self {
            pattern: pattern.to_string(),
            kind: FaultKind::Slow(delay),
            times: Some(times),
        }
    }

    /// Malformed JSON for every matching request.
    pub fn malformed(pattern: &str) -> Self {
        Self {
            pattern: pattern.to_string(),
            kind: FaultKind::Malformed,
            times: None,
        }
    }
}

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// The bearer token it accepts.
    pub token: String,
    /// Items per list page (`None`: one page).
    pub page_size: Option<usize>,
    /// Delay added to every answer.
    pub latency: Duration,
    /// Injected faults, first match wins.
    pub faults: Vec<Fault>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            token: "test-token".into(),
            page_size: None,
            latency: Duration::ZERO,
            faults: Vec::new(),
        }
    }
}

struct State {
    routes: BTreeMap<String, Value>,
    behaviour: Behaviour,
    faults: Mutex<Vec<(Fault, usize)>>,
    log: Mutex<Vec<Logged>>,
    base: String,
}

/// A running fake ARM server; stops when dropped.
pub struct FakeArm {
    /// Its base URL, for `--management-endpoint`.
    pub url: String,
    state: Arc<State>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl FakeArm {
    /// Starts serving `estate` on a free loopback port.
    pub fn start(estate: Estate, behaviour: Behaviour) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let faults = behaviour.faults.iter().cloned().map(|f| (f, 0)).collect();
        let state = Arc::new(State {
            routes: estate.routes,
            behaviour,
            faults: Mutex::new(faults),
            log: Mutex::new(Vec::new()),
            base: url.clone(),
        });
        let serving = state.clone();
        runtime.spawn(async move {
            let listener = TcpListener::from_std(listener).expect("tokio listener");
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = serving.clone();
                tokio::spawn(async move {
                    let _ = serve_connection(stream, state).await;
                });
            }
        });
        Self {
            url,
            state,
            runtime: Some(runtime),
        }
    }

    /// Every request served so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.state.log.lock().unwrap().clone()
    }
}

impl Drop for FakeArm {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn serve_connection(stream: TcpStream, state: Arc<State>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let Some(request) = read_request(&mut reader).await? else {
            return Ok(());
        };
        let response = answer(&state, &request).await;
        write.write_all(&response).await?;
        if request.close {
            return Ok(());
        }
    }
}

struct Request {
    method: String,
    path: String,
    query: String,
    authorization: Option<String>,
    close: bool,
}

async fn read_request(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<Option<Request>> {
    let mut head = Vec::new();
    loop {
        let mut byte = [0u8; 1];
        if reader.read(&mut byte).await? == 0 {
            return Ok(None);
        }
        head.push(byte[0]);
        if head.ends_with(b"\r\n\r\n") {
            break;
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let target = first.next().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut authorization = None;
    let mut close = false;
    let mut length = 0usize;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "authorization" => authorization = Some(value.to_string()),
            "connection" => close = value.eq_ignore_ascii_case("close"),
            "content-length" => length = value.parse().unwrap_or(0),
            _ => {}
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).await?;
    Ok(Some(Request {
        method,
        path: path.to_string(),
        query: query.to_string(),
        authorization,
        close,
    }))
}

async fn answer(state: &State, request: &Request) -> Vec<u8> {
    let authorized = request.authorization.as_deref()
        == Some(format!("Bearer {}", state.behaviour.token).as_str());
    let mut delay = state.behaviour.latency;
    let (status, body, retry_after) = if !authorized {
        (
            401,
            error_body("InvalidAuthenticationToken", "The access token is invalid."),
            None,
        )
    } else if request.method != "GET" {
        (
            405,
            error_body("MethodNotAllowed", "The fake ARM is read-only."),
            None,
        )
    } else {
        match take_fault(state, &request.path) {
            Some(FaultKind::Status {
                status,
                code,
                message,
                retry_after,
            }) => (status, error_body(code, &message), retry_after),
            Some(FaultKind::Malformed) => (
                200,
                "{\"value\": [{\"id\": \"/subscriptions/".to_string(),
                None,
            ),
            Some(FaultKind::Slow(extra)) => {
                delay += extra;
                route(state, request)
            }
            None => route(state, request),
        }
    };
    // Logged on arrival, so a request the client gave up on is still seen.
    state.log.lock().unwrap().push(Logged {
        method: request.method.clone(),
        path: request.path.clone(),
        query: request.query.clone(),
        authorized,
        status,
    });
    tokio::time::sleep(delay).await;
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n",
        reason(status),
        body.len()
    );
    if let Some(seconds) = retry_after {
        head.push_str(&format!("Retry-After: {seconds}\r\n"));
    }
    head.push_str("\r\n");
    let mut response = head.into_bytes();
    response.extend_from_slice(body.as_bytes());
    response
}

fn take_fault(state: &State, path: &str) -> Option<FaultKind> {
    let path = path.to_ascii_lowercase();
    let mut faults = state.faults.lock().unwrap();
    for (fault, used) in faults.iter_mut() {
        if path.contains(&fault.pattern.to_ascii_lowercase())
            && fault.times.is_none_or(|t| *used < t)
        {
            *used += 1;
            return Some(fault.kind.clone());
        }
    }
    None
}

fn route(state: &State, request: &Request) -> (u16, String, Option<&'static str>) {
    let key = percent_decode(&request.path).to_ascii_lowercase();
    let Some(body) = state.routes.get(key.trim_end_matches('/')) else {
        let message = format!("The resource '{}' was not found.", request.path);
        return (404, error_body("ResourceNotFound", &message), None);
    };
    let page = match (
        state.behaviour.page_size,
        body.get("value").and_then(Value::as_array),
    ) {
        (Some(size), Some(items)) if items.len() > size => {
            let skip: usize = query_param(&request.query, "$skipToken")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let end = (skip + size).min(items.len());
            let next = if end < items.len() {
                let others: Vec<&str> = request
                    .query
                    .split('&')
                    .filter(|p| !p.starts_with("$skipToken="))
                    .collect();
                format!(
                    "{}{}?{}&$skipToken={end}",
                    state.base,
                    request.path,
                    others.join("&")
                )
            } else {
                String::new()
            };
            let mut page = body.clone();
            page["value"] = Value::Array(items[skip.min(items.len())..end].to_vec());
            page["nextLink"] = Value::String(next);
            page
        }
        _ => body.clone(),
    };
    (200, page.to_string(), None)
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            if let Ok(byte) = u8::from_str_radix(text.get(i + 1..i + 3).unwrap_or(""), 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn error_body(code: &str, message: &str) -> String {
    json!({"error": {"code": code, "message": message}}).to_string()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
