//! A loopback HTTP proxy that loses and repeats sync traffic on purpose.
//!
//! Sits between the devices and the real server so that the failures a mobile network produces
//! can be scheduled exactly: a request that never reaches the server, an answer lost after the
//! server committed (the connection breaks after the status line, as when a phone leaves the
//! cell mid-download), and a request delivered twice. It can also be pointed at a restarted
//! server, so devices keep their server URL across a server restart.
//!
//! Faults apply to `POST /v1/sync` and to media chunks (`PATCH /v1/media/...`), in the order
//! they arrive; every other request is passed through. The event stream
//! is not proxied (it is buffered here); tests that need it talk to the server directly.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;

/// What happens to one sync request (or media chunk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Delivered, answered.
    Pass,
    /// Never reaches the server; the connection breaks.
    DropRequest,
    /// Reaches the server (which commits); the answer is lost on the way back.
    DropAnswer,
    /// Delivered twice; the device gets the second answer.
    Repeat,
}

#[derive(Default)]
struct Shared {
    upstream: Mutex<String>,
    faults: Mutex<VecDeque<Fault>>,
    seen: Mutex<Vec<Fault>>,
    arrivals: AtomicUsize,
    client: reqwest::Client,
    hold: Mutex<Option<Arc<tokio::sync::Semaphore>>>,
}

/// A running proxy; stops with the runtime that started it.
#[derive(Clone)]
pub struct FaultyProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FaultyProxy {
    /// Starts a proxy to `upstream` (`http://127.0.0.1:port`) on the current tokio runtime.
    pub async fn start(upstream: &str) -> FaultyProxy {
        let shared = Arc::new(Shared::default());
        *lock(&shared.upstream) = upstream.trim_end_matches('/').to_string();
        let app = Router::new().fallback(forward).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port for the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FaultyProxy { addr, shared }
    }

    /// The URL devices use.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Points the proxy at another server address (a restarted server).
    pub fn set_upstream(&self, upstream: &str) {
        *lock(&self.shared.upstream) = upstream.trim_end_matches('/').to_string();
    }

    /// Faults for the next sync requests, in order; after them requests pass.
    pub fn plan(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.shared.faults).extend(faults);
    }

    /// The faults applied so far, one per sync request.
    pub fn seen(&self) -> Vec<Fault> {
        lock(&self.shared.seen).clone()
    }

    /// Holds every sync request at the proxy until [`Self::release`].
    pub fn hold(&self) {
        *lock(&self.shared.hold) = Some(Arc::new(tokio::sync::Semaphore::new(0)));
    }

    /// Lets held requests go on.
    pub fn release(&self) {
        if let Some(gate) = lock(&self.shared.hold).take() {
            gate.add_permits(1 << 20);
        }
    }

    /// How many sync requests and media chunks have reached the proxy (held ones included).
    pub fn arrivals(&self) -> usize {
        self.shared.arrivals.load(Ordering::SeqCst)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 64 << 20).await else {
        return status(StatusCode::BAD_REQUEST);
    };
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let is_sync = parts.method == Method::POST && path.starts_with("/v1/sync");
    let is_chunk = parts.method == Method::PATCH && path.starts_with("/v1/media/");
    let fault = if is_sync || is_chunk {
        shared.arrivals.fetch_add(1, Ordering::SeqCst);
        let gate = lock(&shared.hold).clone();
        if let Some(gate) = gate {
            let _ = gate.acquire().await;
        }
        let fault = lock(&shared.faults).pop_front().unwrap_or(Fault::Pass);
        lock(&shared.seen).push(fault);
        fault
    } else {
        Fault::Pass
    };
    let upstream = format!("{}{}", lock(&shared.upstream), path);
    match fault {
        Fault::DropRequest => broken(),
        Fault::Pass => {
            send(
                &shared.client,
                &upstream,
                &parts.method,
                &parts.headers,
                body,
            )
            .await
        }
        Fault::DropAnswer => {
            let _ = send(
                &shared.client,
                &upstream,
                &parts.method,
                &parts.headers,
                body,
            )
            .await;
            broken()
        }
        Fault::Repeat => {
            let _ = send(
                &shared.client,
                &upstream,
                &parts.method,
                &parts.headers,
                body.clone(),
            )
            .await;
            send(
                &shared.client,
                &upstream,
                &parts.method,
                &parts.headers,
                body,
            )
            .await
        }
    }
}

async fn send(
    client: &reqwest::Client,
    url: &str,
    method: &Method,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    let method =
        reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap_or(reqwest::Method::POST);
    let mut request = client.request(method, url).body(body);
    for (name, value) in headers {
        if name.as_str() == "host" || name.as_str() == "content-length" {
            continue;
        }
        request = request.header(name.as_str(), value.as_bytes());
    }
    let Ok(answer) = request.send().await else {
        // The server is down: the device sees a broken connection, as it would without us.
        return broken();
    };
    let mut response = Response::builder().status(answer.status().as_u16());
    for (name, value) in answer.headers() {
        if name.as_str() == "content-length" || name.as_str() == "transfer-encoding" {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            response = response.header(n, v);
        }
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    response
        .body(Body::from(bytes))
        .unwrap_or_else(|_| status(StatusCode::BAD_GATEWAY))
}

/// A response whose body breaks: the client sees the connection fail mid-answer.
fn broken() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("connection lost (injected)"))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", fieldsales_core::protocol::CONTENT_TYPE)
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| status(StatusCode::BAD_GATEWAY))
}

fn status(code: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = code;
    response
}
