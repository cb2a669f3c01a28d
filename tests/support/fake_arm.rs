//! A fake Azure Resource Manager on loopback: a small HTTP/1.1 server on tokio that
//! serves an [`Estate`](super::estate::Estate) with ARM's behaviours — paging through
//! `nextLink`, bearer-token checks, 404 error bodies — plus injected faults (429 with
//! `Retry-After`, 5xx, 403, slow answers, malformed JSON, redirects and other canned
//! answers, endless bodies and endless lists) and a request log.
//!
//! It also takes the writes `remediate` makes, as Microsoft's examples show them:
//! `PUT …/apiCollections/{api}` starts a long-running operation (201 with `Location`;
//! polls answer 202, or `InProgress` on the resource, until it succeeds), `DELETE`
//! answers 200 or 204, `PUT …/pricings/Api` sets the plan. A service's Capacity metric
//! is served per region with `$filter=Location eq '*'` and averaged over the regions
//! without it, as Azure Monitor does, and can rise with each onboarding
//! ([`Behaviour::load_per_onboarding`]).
//!
//! It can throttle like ARM, with a token bucket per subscription
//! ([`Behaviour::throttle`], `throttle.rs`), and answers the collector's Resource Graph
//! queries from the estate (`resource_graph.rs`).
//!
//! It runs on its own thread and runtime, so a test can drive the real binary with a
//! blocking `std::process::Command` while the server answers.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::estate::{self, Estate};
use super::resource_graph;
use super::throttle::{Buckets, Metered, Throttle};

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
    /// The `Referer` header, if one was sent.
    pub referer: Option<String>,
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
    /// Answer exactly this.
    Canned {
        /// HTTP status.
        status: u16,
        /// Headers.
        headers: Vec<(&'static str, String)>,
        /// Body.
        body: String,
    },
    /// Answer 200 with a chunked body that never ends.
    EndlessBody,
    /// Answer 200 announcing a body of this many bytes, and send bytes until the
    /// client hangs up.
    HugeLength(u64),
    /// Answer a list page with no items and a `nextLink` to the next page, forever.
    EndlessPages,
    /// Answer a Resource Graph query with a page of one row and a new `$skipToken`,
    /// forever, announcing this `totalRecords`.
    EndlessGraphPages(u64),
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
    /// Only requests with this method (`None`: any).
    pub method: Option<&'static str>,
}

impl Fault {
    /// The same fault, for requests with `method` only.
    pub fn on(self, method: &'static str) -> Self {
        Self {
            method: Some(method),
            ..self
        }
    }

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
            method: None,
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
            method: None,
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
            method: None,
        }
    }

    /// A slow answer for the first `times` matching requests.
    pub fn slow(pattern: &str, delay: Duration, times: usize) -> Self {
        Self {
            pattern: pattern.to_string(),
            kind: FaultKind::Slow(delay),
            times: Some(times),
            method: None,
        }
    }

    /// Malformed JSON for every matching request.
    pub fn malformed(pattern: &str) -> Self {
        Self::always(pattern, FaultKind::Malformed)
    }

    /// `kind` for every matching request.
    pub fn always(pattern: &str, kind: FaultKind) -> Self {
        Self {
            pattern: pattern.to_string(),
            kind,
            times: None,
            method: None,
        }
    }

    /// A redirect (`status`, e.g. 302) to `location` for every matching request.
    pub fn redirect(pattern: &str, status: u16, location: String) -> Self {
        Self::always(
            pattern,
            FaultKind::Canned {
                status,
                headers: vec![("Location", location)],
                body: String::new(),
            },
        )
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
    /// Polls an onboarding answers as running before it succeeds (0: the PUT is final).
    pub lro_polls: u32,
    /// Percent added to a service's Capacity metric per API onboarded on it.
    pub load_per_onboarding: f64,
    /// Serve every request, with or without the token (a foreign server, say).
    pub anonymous: bool,
    /// Meter requests with a token bucket per subscription, as ARM does.
    pub throttle: Option<Throttle>,
}

impl Behaviour {
    /// Default behaviour (no faults, one page) accepting `token`.
    pub fn accepting(token: &str) -> Self {
        Behaviour {
            token: token.into(),
            ..Behaviour::default()
        }
    }
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            token: "test-token".into(),
            page_size: None,
            latency: Duration::ZERO,
            faults: Vec::new(),
            lro_polls: 2,
            load_per_onboarding: 0.0,
            anonymous: false,
            throttle: None,
        }
    }
}

struct State {
    live: Mutex<Live>,
    behaviour: Behaviour,
    faults: Mutex<Vec<(Fault, usize)>>,
    log: Mutex<Vec<Logged>>,
    base: String,
    buckets: Option<Buckets>,
    graph_queries: AtomicU64,
}

/// What the writes change.
struct Live {
    /// The estate's routes, as writes leave them.
    routes: BTreeMap<String, Value>,
    /// Onboardings still running: collection route → polls left.
    running: HashMap<String, u32>,
    /// APIs onboarded per service route (for the Capacity metric).
    onboarded: HashMap<String, usize>,
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
            live: Mutex::new(Live {
                routes: estate.routes,
                running: HashMap::new(),
                onboarded: HashMap::new(),
            }),
            faults: Mutex::new(faults),
            log: Mutex::new(Vec::new()),
            base: url.clone(),
            buckets: behaviour.throttle.map(Buckets::new),
            graph_queries: AtomicU64::new(0),
            behaviour,
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

    /// Serves `estate` to anyone, token or not: a server that is not ARM, which a
    /// redirect or a foreign link would lead to.
    pub fn foreign(estate: Estate) -> Self {
        Self::start(
            estate,
            Behaviour {
                anonymous: true,
                ..Behaviour::default()
            },
        )
    }

    /// Every request served so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.state.log.lock().unwrap().clone()
    }

    /// The bearer token it accepts.
    pub fn token(&self) -> &str {
        &self.state.behaviour.token
    }

    /// Serves `body` at `path` from now on (for documents that must name the fake's
    /// own URL, such as a `nextLink`).
    pub fn serve(&self, path: &str, body: Value) {
        let key = path.to_ascii_lowercase().trim_end_matches('/').to_string();
        self.state.live.lock().unwrap().routes.insert(key, body);
    }

    /// The document served at `path` now (after writes), if any.
    pub fn resource(&self, path: &str) -> Option<Value> {
        let key = path.to_ascii_lowercase();
        self.state.live.lock().unwrap().routes.get(&key).cloned()
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
        match answer(&state, &request).await {
            Response::Whole(bytes) => write.write_all(&bytes).await?,
            Response::Endless { head, chunked } => {
                // Until the client hangs up (the write then fails).
                write.write_all(&head).await?;
                let block = vec![b' '; 64 * 1024];
                let framed = [
                    format!("{:x}\r\n", block.len()).into_bytes(),
                    block.clone(),
                    b"\r\n".to_vec(),
                ]
                .concat();
                let piece = if chunked { framed } else { block };
                loop {
                    write.write_all(&piece).await?;
                }
            }
        }
        if request.close {
            return Ok(());
        }
    }
}

/// What goes back on the connection.
enum Response {
    /// A whole answer.
    Whole(Vec<u8>),
    /// A head, then bytes without end.
    Endless {
        /// Status line and headers.
        head: Vec<u8>,
        /// Whether the bytes are framed as chunks.
        chunked: bool,
    },
}

struct Request {
    method: String,
    path: String,
    query: String,
    authorization: Option<String>,
    referer: Option<String>,
    close: bool,
    body: Vec<u8>,
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
    let mut referer = None;
    let mut close = false;
    let mut length = 0usize;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "authorization" => authorization = Some(value.to_string()),
            "referer" => referer = Some(value.to_string()),
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
        referer,
        close,
        body,
    }))
}

/// An answer before it is written out.
struct Reply {
    status: u16,
    body: String,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn json(status: u16, body: &Value) -> Self {
        Reply {
            status,
            body: body.to_string(),
            headers: Vec::new(),
        }
    }

    fn empty(status: u16) -> Self {
        Reply {
            status,
            body: String::new(),
            headers: Vec::new(),
        }
    }

    fn error(status: u16, code: &str, message: &str) -> Self {
        Reply {
            status,
            body: error_body(code, message),
            headers: Vec::new(),
        }
    }
}

async fn answer(state: &State, request: &Request) -> Response {
    let authorized = request.authorization.as_deref()
        == Some(format!("Bearer {}", state.behaviour.token).as_str());
    let mut delay = state.behaviour.latency;
    let mut endless = None;
    let metered = state.buckets.as_ref().map(|b| b.take(&request.path));
    let reply = if !authorized && !state.behaviour.anonymous {
        Reply::error(
            401,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        )
    } else if let Some(Metered::Refused(seconds)) = metered {
        let mut reply = Reply::error(429, "TooManyRequests", "The request for subscription could not be processed due to an excessive volume of traffic");
        reply.headers.push(("Retry-After", seconds.to_string()));
        reply
    } else {
        match take_fault(state, request) {
            Some(FaultKind::Status {
                status,
                code,
                message,
                retry_after,
            }) => {
                let mut reply = Reply::error(status, code, &message);
                if let Some(seconds) = retry_after {
                    reply.headers.push(("Retry-After", seconds.to_string()));
                }
                reply
            }
            Some(FaultKind::Malformed) => Reply {
                status: 200,
                body: "{\"value\": [{\"id\": \"/subscriptions/".to_string(),
                headers: Vec::new(),
            },
            Some(FaultKind::Canned {
                status,
                headers,
                body,
            }) => Reply {
                status,
                body,
                headers,
            },
            Some(FaultKind::EndlessBody) => {
                endless = Some(true);
                Reply {
                    status: 200,
                    body: String::new(),
                    headers: vec![("Transfer-Encoding", "chunked".to_string())],
                }
            }
            Some(FaultKind::HugeLength(length)) => {
                endless = Some(false);
                Reply {
                    status: 200,
                    body: String::new(),
                    headers: vec![("Content-Length", length.to_string())],
                }
            }
            Some(FaultKind::EndlessPages) => endless_page(state, request),
            Some(FaultKind::EndlessGraphPages(total)) => {
                Reply::json(200, &resource_graph::endless_page(&request.body, total))
            }
            Some(FaultKind::Slow(extra)) => {
                delay += extra;
                route(state, request)
            }
            None if !matches!(request.method.as_str(), "GET" | "PUT" | "DELETE" | "POST") => {
                Reply::error(
                    405,
                    "MethodNotAllowed",
                    "The fake ARM takes GET, PUT, DELETE and POST.",
                )
            }
            None => route(state, request),
        }
    };
    let mut reply = reply;
    if let Some(Metered::Served(header, left)) = metered {
        reply.headers.push((header, left.to_string()));
    }
    // Logged on arrival, so a request the client gave up on is still seen.
    state.log.lock().unwrap().push(Logged {
        method: request.method.clone(),
        path: request.path.clone(),
        query: request.query.clone(),
        authorized,
        referer: request.referer.clone(),
        status: reply.status,
    });
    tokio::time::sleep(delay).await;
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json; charset=utf-8\r\n",
        reply.status,
        reason(reply.status),
    );
    if endless.is_none() {
        head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut response = head.into_bytes();
    match endless {
        Some(chunked) => Response::Endless {
            head: response,
            chunked,
        },
        None => {
            response.extend_from_slice(reply.body.as_bytes());
            Response::Whole(response)
        }
    }
}

/// A list page with no items whose `nextLink` is the same path, one `$skipToken` on.
fn endless_page(state: &State, request: &Request) -> Reply {
    let page: u64 = query_param(&request.query, "$skipToken")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let next = format!(
        "{}{}?api-version=2024-05-01&$skipToken={}",
        state.base,
        request.path,
        page + 1
    );
    Reply::json(200, &json!({"value": [], "nextLink": next}))
}

fn take_fault(state: &State, request: &Request) -> Option<FaultKind> {
    let path = request.path.to_ascii_lowercase();
    let mut faults = state.faults.lock().unwrap();
    for (fault, used) in faults.iter_mut() {
        if path.contains(&fault.pattern.to_ascii_lowercase())
            && fault.method.is_none_or(|m| m == request.method)
            && fault.times.is_none_or(|t| *used < t)
        {
            *used += 1;
            return Some(fault.kind.clone());
        }
    }
    None
}

/// The last path segment of collections and the plan.
const COLLECTIONS: &str = "/providers/microsoft.security/apicollections";
const PLAN: &str = "/providers/microsoft.security/pricings/api";
const METRICS: &str = "/providers/microsoft.insights/metrics";

fn route(state: &State, request: &Request) -> Reply {
    let path = percent_decode(&request.path);
    let path = path.trim_end_matches('/');
    let key = path.to_ascii_lowercase();
    let mut live = state.live.lock().unwrap();
    let is_collection = key
        .rfind(COLLECTIONS)
        .is_some_and(|at| key[at + COLLECTIONS.len()..].starts_with('/'));
    match request.method.as_str() {
        "PUT" if is_collection => onboard(state, &mut live, path, &key),
        "DELETE" if is_collection => offboard(&mut live, &key),
        "PUT" if key.ends_with(PLAN) => set_plan(&mut live, path, &key, &request.body),
        "POST" if key == resource_graph::PATH => {
            let nth = state.graph_queries.fetch_add(1, Ordering::Relaxed);
            let (status, body, headers) =
                resource_graph::answer(&live.routes, &request.body, nth, state.behaviour.page_size);
            let mut reply = Reply::json(status, &body);
            reply.headers.extend(headers);
            reply
        }
        "GET" if live.running.contains_key(&key) => poll(&mut live, path, &key, &request.query),
        "GET" => read(state, &live, request, &key),
        _ => Reply::error(405, "MethodNotAllowed", "The fake ARM does not write here."),
    }
}

fn read(state: &State, live: &Live, request: &Request, key: &str) -> Reply {
    let Some(body) = live.routes.get(key) else {
        let message = format!("The resource '{}' was not found.", request.path);
        return Reply::error(404, "ResourceNotFound", &message);
    };
    if let Some(service) = key.strip_suffix(METRICS) {
        let load = live.onboarded.get(service).copied().unwrap_or(0) as f64
            * state.behaviour.load_per_onboarding;
        return metrics(&with_load(body, load), &request.query);
    }
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
    Reply::json(200, &page)
}

/// A metrics answer as Azure Monitor gives it for `query`: the served timeseries (one
/// per region) with `$filter=Dimension eq '*'`, 400 when a timeseries lacks that
/// dimension (the metric has no such dimension), and without a filter one timeseries
/// averaging them all per time stamp.
fn metrics(body: &Value, query: &str) -> Reply {
    let filter = query_param(query, "%24filter")
        .or_else(|| query_param(query, "$filter"))
        .map(form_decode);
    let series = body
        .pointer("/value/0/timeseries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(filter) = filter {
        let dimension = filter
            .strip_suffix(" eq '*'")
            .unwrap_or(&filter)
            .to_string();
        let has = |s: &Value| {
            s["metadatavalues"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|m| {
                    m["name"]["value"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&dimension))
                })
        };
        if !series.iter().all(has) {
            let metric = body
                .pointer("/value/0/name/value")
                .and_then(Value::as_str)
                .unwrap_or("");
            let message = format!(
                "Metric: {metric} does not support requested dimension combination: {}",
                dimension.to_ascii_lowercase()
            );
            return Reply::error(400, "BadRequest", &message);
        }
        return Reply::json(200, body);
    }
    if series.len() < 2 {
        return Reply::json(200, body);
    }
    let mut sums: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for point in series
        .iter()
        .flat_map(|s| s["data"].as_array().cloned().unwrap_or_default())
    {
        let at = point["timeStamp"].as_str().unwrap_or_default().to_string();
        let entry = sums.entry(at).or_insert((0.0, 0));
        if let Some(average) = point["average"].as_f64() {
            entry.0 += average;
            entry.1 += 1;
        }
    }
    let data: Vec<Value> = sums
        .into_iter()
        .map(|(at, (sum, n))| match n {
            0 => json!({"timeStamp": at}),
            n => json!({"timeStamp": at, "average": sum / n as f64}),
        })
        .collect();
    let mut whole = body.clone();
    whole["value"][0]["timeseries"] = json!([{"metadatavalues": [], "data": data}]);
    Reply::json(200, &whole)
}

/// A form-encoded query value, decoded (`+` is a space).
fn form_decode(value: &str) -> String {
    percent_decode(&value.replace('+', " "))
}

/// A metrics answer with `load` added to the newest point of every series.
fn with_load(body: &Value, load: f64) -> Value {
    let mut body = body.clone();
    for metric in body["value"].as_array_mut().into_iter().flatten() {
        for series in metric["timeseries"].as_array_mut().into_iter().flatten() {
            let newest = series["data"].as_array_mut().and_then(|d| d.last_mut());
            // A point without data stays without: load does not make a silent region report.
            if let Some(point) = newest.filter(|p| p["average"].is_number()) {
                let average = point["average"].as_f64().unwrap_or(0.0);
                point["average"] = json!(average + load);
            }
        }
    }
    body
}

/// `PUT {service}/providers/Microsoft.Security/apiCollections/{api}`.
fn onboard(state: &State, live: &mut Live, path: &str, key: &str) -> Reply {
    if let Some(existing) = live
        .routes
        .get(key)
        .filter(|_| !live.running.contains_key(key))
    {
        return Reply::json(200, existing);
    }
    let at = path
        .to_ascii_lowercase()
        .rfind(COLLECTIONS)
        .expect("a collection path");
    let (service, api) = (&path[..at], &path[at + COLLECTIONS.len() + 1..]);
    *live
        .onboarded
        .entry(service.to_ascii_lowercase())
        .or_default() += 1;
    let polls = state.behaviour.lro_polls;
    let body = estate::onboarded_collection(service, api, polls == 0);
    store(live, key, Some(body.clone()));
    if polls == 0 {
        return Reply::json(200, &body);
    }
    live.running.insert(key.to_string(), polls);
    let mut reply = Reply::json(201, &body);
    reply.headers.push((
        "Location",
        format!(
            "{}{path}?api-version=2023-11-15&$asyncScope=eyJydSI6NTM4MjczMzI4NDQ3MjA1NzY2fQ==",
            state.base
        ),
    ));
    reply.headers.push(("Retry-After", "0".to_string()));
    reply
}

/// A GET of a collection whose onboarding runs: 202 on the `Location` link, the
/// resource with `InProgress` otherwise, until the last poll, which succeeds.
fn poll(live: &mut Live, path: &str, key: &str, query: &str) -> Reply {
    let left = live.running.get_mut(key).expect("a running onboarding");
    *left -= 1;
    if *left == 0 {
        live.running.remove(key);
        let at = key.rfind(COLLECTIONS).expect("a collection path");
        let body =
            estate::onboarded_collection(&path[..at], &path[at + COLLECTIONS.len() + 1..], true);
        store(live, key, Some(body.clone()));
        return Reply::json(200, &body);
    }
    if query.contains("$asyncScope") {
        let mut reply = Reply::empty(202);
        reply.headers.push(("Retry-After", "0".to_string()));
        reply
    } else {
        Reply::json(200, &live.routes[key])
    }
}

/// `DELETE {service}/providers/Microsoft.Security/apiCollections/{api}`: 200, or 204
/// when there is no such collection.
fn offboard(live: &mut Live, key: &str) -> Reply {
    live.running.remove(key);
    if live.routes.contains_key(key) {
        store(live, key, None);
        Reply::empty(200)
    } else {
        Reply::empty(204)
    }
}

/// `PUT /subscriptions/{id}/providers/Microsoft.Security/pricings/Api`.
fn set_plan(live: &mut Live, path: &str, key: &str, body: &[u8]) -> Reply {
    let asked: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let subscription = path.split('/').nth(2).unwrap_or_default();
    let mut plan = estate::put_pricing(subscription);
    for field in ["pricingTier", "subPlan"] {
        if let Some(value) = asked.pointer(&format!("/properties/{field}")) {
            plan["properties"][field] = value.clone();
        }
    }
    live.routes.insert(key.to_string(), plan.clone());
    Reply::json(200, &plan)
}

/// Sets (or with `None` removes) the collection at `key`, in its own route and in every
/// list of collections that holds it (service, resource group, subscription).
fn store(live: &mut Live, key: &str, body: Option<Value>) {
    for (list_key, list) in live.routes.iter_mut() {
        let Some(scope) = list_key.strip_suffix(COLLECTIONS) else {
            continue;
        };
        if !key.starts_with(&format!("{scope}/")) {
            continue;
        }
        if let Some(items) = list["value"].as_array_mut() {
            items.retain(|item| {
                item["id"].as_str().map(str::to_ascii_lowercase).as_deref() != Some(key)
            });
            items.extend(body.clone());
        }
    }
    match body {
        Some(body) => live.routes.insert(key.to_string(), body),
        None => live.routes.remove(key),
    };
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
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        401 => "Unauthorized",
        403 => "Forbidden",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
