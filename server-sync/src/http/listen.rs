//! The accept loop: takes connections off the listening socket, caps how many are open, does
//! the TLS handshake when TLS is on, and hands each to [`super::connection`].
//!
//! Beyond `max_connections` a new connection is accepted and closed at once, without a byte
//! written: answering 503 would cost a TLS handshake per refusal, which is what a flood wants,
//! and a closed socket tells a client to retry just as well. Accept errors that concern one
//! connection (it was reset before we took it) are skipped; the others — out of file
//! descriptors above all — make the loop back off (up to a second) instead of spinning, and are
//! logged at most once per [`LOG_EVERY`] with a count. On shutdown the loop stops accepting,
//! tells every connection to finish, and returns once all have closed; aborting the loop's
//! task drops every connection with it, as a crash would. This module must not know routes.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use super::connection::{self, ConnectionLimits};

/// How often a repeated refusal or accept error is logged at most.
const LOG_EVERY: Duration = Duration::from_secs(10);
/// Longest pause after an accept error such as "too many open files".
const MAX_BACKOFF: Duration = Duration::from_secs(1);
const FIRST_BACKOFF: Duration = Duration::from_millis(10);

/// What the accept loop needs besides the socket.
pub(crate) struct Serving {
    pub app: Router,
    pub limits: ConnectionLimits,
    pub max_connections: usize,
    pub tls: Option<TlsAcceptor>,
    pub shutdown: watch::Receiver<bool>,
}

/// Accepts until `shutdown` turns `true`, then waits for the open connections to finish.
pub(crate) async fn serve(listener: TcpListener, serving: Serving) -> io::Result<()> {
    let Serving {
        app,
        limits,
        max_connections,
        tls,
        mut shutdown,
    } = serving;
    let mut connections = JoinSet::new();
    let mut refusals = LogThrottle::default();
    let mut accept_errors = LogThrottle::default();
    let mut backoff = FIRST_BACKOFF;
    loop {
        while connections.try_join_next().is_some() {}
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if is_about_one_connection(&e) => continue,
            Err(e) => {
                if let Some(repeats) = accept_errors.tick() {
                    tracing::error!(error = %e, repeats, "cannot accept connections; backing off");
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        backoff = FIRST_BACKOFF;
        if connections.len() >= max_connections {
            drop(stream);
            if let Some(repeats) = refusals.tick() {
                tracing::warn!(max_connections, repeats, "connection cap reached; refusing");
            }
            continue;
        }
        let _ = stream.set_nodelay(true);
        connections.spawn(open(
            stream,
            peer,
            tls.clone(),
            app.clone(),
            limits,
            shutdown.clone(),
        ));
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// The TLS handshake (bounded by the header timeout: it is the first thing a client sends),
/// then the connection itself.
async fn open(
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    app: Router,
    limits: ConnectionLimits,
    shutdown: watch::Receiver<bool>,
) {
    let Some(tls) = tls else {
        return connection::serve(stream, peer, app, limits, shutdown).await;
    };
    match tokio::time::timeout(limits.header_timeout, tls.accept(stream)).await {
        Ok(Ok(stream)) => connection::serve(stream, peer, app, limits, shutdown).await,
        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
        Err(_) => tracing::debug!("TLS handshake timed out"),
    }
}

/// Errors that end one pending connection, not the listener's ability to accept.
fn is_about_one_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// Lets one log line through per [`LOG_EVERY`], counting the ones held back.
#[derive(Default)]
struct LogThrottle {
    last: Option<Instant>,
    held_back: u64,
}

impl LogThrottle {
    /// `Some(occurrences since the last line)` when a line is due.
    fn tick(&mut self) -> Option<u64> {
        let now = Instant::now();
        self.held_back += 1;
        if self.last.is_some_and(|last| now - last < LOG_EVERY) {
            return None;
        }
        self.last = Some(now);
        Some(std::mem::take(&mut self.held_back))
    }
}
