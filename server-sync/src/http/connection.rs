//! One connection's life, from accept to close, with the timers that stop a client from holding
//! it without using it.
//!
//! A connection is in one of three phases ([`Phase`]): waiting for a request head (right after
//! accept, or once a byte of the next request arrived), idle between kept-alive requests, or
//! busy with requests. Waiting for a head is bounded by `header_timeout_secs` (a slow-header
//! client is cut), idleness by `idle_timeout_secs`; a busy connection has no connection timer,
//! its body is paced instead ([`super::body_pace`]) and its answer may be a long event stream.
//! hyper's own header timer is not used because it also runs while a kept-alive connection
//! waits, which would make the idle timeout meaningless.
//!
//! Requests declaring a body larger than any route accepts are answered 413 before a byte of
//! the body is read. Only HTTP/1.1 is served (the apps speak nothing else). This module must
//! not know routes: the router is handed in whole.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use fieldsales_protocol::ErrorCode;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{watch, Notify};
use tokio::time::Instant;
use tower::ServiceExt;

use super::body_pace::{BodyPace, PacedBody};
use crate::config::ServerConfig;
use crate::error::ApiError;

/// The settings one connection needs, taken once from the server's configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub body_pace: BodyPace,
    pub max_body_bytes: u64,
}

impl ConnectionLimits {
    pub(crate) fn from_config(config: &ServerConfig) -> Self {
        let http = &config.http;
        ConnectionLimits {
            header_timeout: Duration::from_secs(http.header_timeout_secs),
            idle_timeout: Duration::from_secs(http.idle_timeout_secs),
            body_pace: BodyPace {
                allowance: Duration::from_secs(http.body_timeout_secs),
                bytes_per_sec: http.body_min_bytes_per_sec,
            },
            max_body_bytes: config.limits.max_request_bytes as u64,
        }
    }
}

/// Serves one accepted connection (plain or after its TLS handshake) until it closes, a timer
/// cuts it, or the server stops (in-flight requests finish first).
pub(crate) async fn serve<S>(
    io: S,
    peer: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    mut shutdown: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(WatchedIo {
        inner: io,
        activity: activity.clone(),
    });
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |request| {
            handle(request, peer, app.clone(), limits, activity.clone())
        })
    };
    let conn = hyper::server::conn::http1::Builder::new()
        // Our own head timer runs instead (see the module doc).
        .header_read_timeout(None)
        .serve_connection(io, service);
    tokio::pin!(conn);
    let mut stopping = false;
    loop {
        let deadline = activity.deadline(&limits);
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    // Client-side failures (a reset, a bad head) are routine on the internet.
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            _ = sleep_until(deadline) => {
                if activity.expired(&limits) {
                    // Nothing is in flight: dropping the connection closes the socket.
                    tracing::debug!("connection cut by its header or idle timeout");
                    return;
                }
            }
            _ = activity.changed.notified() => {}
            _ = shutdown.wait_for(|stop| *stop), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// One request through the router: refused at once if its declared body is too large, its
/// body paced, the peer's address attached (login throttles per address), and the connection
/// marked busy until the answer is fully written.
async fn handle(
    mut request: Request<Incoming>,
    peer: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    activity: Arc<Activity>,
) -> Result<Response<GuardedBody>, Infallible> {
    let busy = activity.request_started();
    request.extensions_mut().insert(ConnectInfo(peer));
    if declared_length(&request).is_some_and(|len| len > limits.max_body_bytes) {
        let refused = ApiError::too_large("the declared body exceeds the size limit");
        return Ok(closing(refused.into_response()).map(|body| GuardedBody { body, busy }));
    }
    let (parts, body) = request.into_parts();
    let (body, too_slow) = PacedBody::new(body, limits.body_pace);
    let request = Request::from_parts(parts, Body::new(body));
    let response = match app.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let response = if too_slow.load(Ordering::Acquire) {
        closing(
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::MalformedBody,
                "the request body arrived too slowly",
            )
            .into_response(),
        )
    } else {
        response
    };
    Ok(response.map(|body| GuardedBody { body, busy }))
}

fn declared_length<B>(request: &Request<B>) -> Option<u64> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The body of a refused request is left unread, so the connection cannot carry another.
fn closing(mut response: Response<Body>) -> Response<Body> {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// What the connection is doing, as far as its timers care.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for a request head since this instant.
    AwaitingHead(Instant),
    /// Kept alive with nothing to do since this instant.
    Idle(Instant),
    /// This many requests are being answered.
    Busy(usize),
}

struct Activity {
    phase: Mutex<Phase>,
    /// Wakes the connection's timer loop when the phase changes.
    changed: Notify,
}

impl Activity {
    fn new() -> Self {
        Activity {
            phase: Mutex::new(Phase::AwaitingHead(Instant::now())),
            changed: Notify::new(),
        }
    }

    fn update(&self, change: impl FnOnce(Phase) -> Phase) {
        let mut phase = self.phase.lock().unwrap_or_else(|p| p.into_inner());
        *phase = change(*phase);
        drop(phase);
        self.changed.notify_one();
    }

    fn bytes_arrived(&self) {
        let idle = matches!(
            *self.phase.lock().unwrap_or_else(|p| p.into_inner()),
            Phase::Idle(_)
        );
        if idle {
            self.update(|phase| match phase {
                Phase::Idle(_) => Phase::AwaitingHead(Instant::now()),
                other => other,
            });
        }
    }

    fn request_started(self: &Arc<Self>) -> BusyGuard {
        self.update(|phase| match phase {
            Phase::Busy(n) => Phase::Busy(n + 1),
            _ => Phase::Busy(1),
        });
        BusyGuard {
            activity: self.clone(),
        }
    }

    fn deadline(&self, limits: &ConnectionLimits) -> Option<Instant> {
        match *self.phase.lock().unwrap_or_else(|p| p.into_inner()) {
            Phase::AwaitingHead(since) => Some(since + limits.header_timeout),
            Phase::Idle(since) => Some(since + limits.idle_timeout),
            Phase::Busy(_) => None,
        }
    }

    fn expired(&self, limits: &ConnectionLimits) -> bool {
        self.deadline(limits)
            .is_some_and(|deadline| deadline <= Instant::now())
    }
}

/// Marks a request in flight until its answer has been written (or abandoned).
struct BusyGuard {
    activity: Arc<Activity>,
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.activity.update(|phase| match phase {
            Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
            _ => Phase::Idle(Instant::now()),
        });
    }
}

/// An answer's body carrying the [`BusyGuard`] of its request: hyper drops it once written.
pub(crate) struct GuardedBody {
    body: Body,
    #[allow(dead_code)] // held for its Drop
    busy: BusyGuard,
}

impl http_body::Body for GuardedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// The socket (or TLS stream), telling [`Activity`] when bytes arrive.
struct WatchedIo<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S: AsyncRead + Unpin> AsyncRead for WatchedIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.bytes_arrived();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WatchedIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
