//! Starting and stopping a server: the binary's `serve`, tests and demos all come through here.
//!
//! [`Server::start`] opens the storage, binds the address (port 0 picks a free one), and serves
//! on the current tokio runtime, handing back a [`RunningServer`] with the bound address, an
//! [`Admin`] to seed tenants and users, and a graceful [`RunningServer::shutdown`]. A test can
//! therefore start a real server on `127.0.0.1:0`, talk HTTP to it, stop it, and start another
//! on the same data directory to see what survived.
//!
//! Connections go through our own accept loop ([`crate::http::listen`]) so that every one is
//! bounded: header, body and idle timeouts, a cap on open connections, and TLS when the
//! configuration names a certificate ([`RunningServer::reload_tls`] re-reads it).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::admin::Admin;
use crate::config::ServerConfig;
use crate::error::Result;
use crate::http::listen::{self, Serving};
use crate::http::media_rate::MediaReadRate;
use crate::http::tls::TlsCerts;
use crate::http::{self, AppState, ConnectionLimits, StreamSlots};
use crate::media::BlobStore;
use crate::metrics::Metrics;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::Storage;

/// How many head updates an event listener may fall behind before it is given the latest
/// head instead.
const EVENT_BUFFER: usize = 1024;

/// Entry point for running the sync server.
pub struct Server;

/// A server serving in the background.
pub struct RunningServer {
    addr: SocketAddr,
    admin: Admin,
    tls: Option<Arc<TlsCerts>>,
    shutdown: watch::Sender<bool>,
    serving: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Opens the SQLite store in `config.data_dir` and starts serving on `config.addr`.
    ///
    /// ```no_run
    /// # async fn demo() -> fieldsales_server::Result<()> {
    /// use fieldsales_server::{Server, ServerConfig};
    /// let server = Server::start(ServerConfig::for_tests("/tmp/fs-data")).await?;
    /// server.admin().create_tenant("acme").await?;
    /// println!("listening on {}", server.url());
    /// server.shutdown().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start(config: ServerConfig) -> Result<RunningServer> {
        config.check()?;
        let data_dir = config.data_dir.clone();
        let storage = tokio::task::spawn_blocking(move || SqliteStorage::open(&data_dir)).await??;
        Self::start_with(config, Arc::new(storage)).await
    }

    /// Starts serving over an already opened storage backend.
    pub async fn start_with(
        config: ServerConfig,
        storage: Arc<dyn Storage>,
    ) -> Result<RunningServer> {
        config.check()?;
        let tls = config.tls.as_ref().map(TlsCerts::load).transpose()?;
        let acceptor = tls.as_ref().map(TlsCerts::acceptor).transpose()?;
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let blobs = {
            let (settings, data_dir) = (config.media.clone(), config.data_dir.clone());
            tokio::task::spawn_blocking(move || BlobStore::open(&settings, &data_dir)).await??
        };
        let blobs_for_cleanup = blobs.clone();
        let config = Arc::new(config);
        let state = AppState {
            storage: storage.clone(),
            config: config.clone(),
            metrics: Metrics::new(),
            events,
            shutdown: shutdown_rx.clone(),
            streams: StreamSlots::default(),
            uploads: StreamSlots::default(),
            blobs,
            media_reads: Arc::new(MediaReadRate::new(
                config.media.max_reads_per_user_per_minute,
            )),
        };
        if let Some(keep) = config.compaction.keep_changes {
            let every = Duration::from_secs(config.compaction.interval_secs);
            tokio::spawn(compact_periodically(
                storage.clone(),
                keep,
                every,
                shutdown_rx.clone(),
            ));
        }
        tokio::spawn(drop_stale_uploads_periodically(
            blobs_for_cleanup,
            shutdown_rx.clone(),
        ));
        let serving = Serving {
            app: http::router(state)?,
            limits: ConnectionLimits::from_config(&config),
            max_connections: config.http.max_connections,
            tls: acceptor,
            shutdown: shutdown_rx,
        };
        let serving = tokio::spawn(listen::serve(listener, serving));
        tracing::info!(%addr, tls = tls.is_some(), "fieldsales-server listening");
        Ok(RunningServer {
            addr,
            admin: Admin::new(storage),
            tls,
            shutdown: shutdown_tx,
            serving,
        })
    }
}

/// An upload nobody added to for this long is abandoned: its chunks are removed.
const STALE_UPLOAD_AFTER: Duration = Duration::from_secs(7 * 24 * 3600);
/// How often abandoned uploads are looked for.
const STALE_UPLOAD_CHECK_EVERY: Duration = Duration::from_secs(6 * 3600);

async fn drop_stale_uploads_periodically(blobs: BlobStore, mut shutdown: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(STALE_UPLOAD_CHECK_EVERY);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return;
                }
                continue;
            }
        }
        match blobs.drop_stale_uploads(STALE_UPLOAD_AFTER).await {
            Ok(dropped) if dropped > 0 => {
                tracing::info!(dropped, "abandoned media uploads removed")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "removing abandoned media uploads failed"),
        }
    }
}

async fn compact_periodically(
    storage: Arc<dyn Storage>,
    keep: u64,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return;
                }
                continue;
            }
        }
        match storage.compact(keep).await {
            Ok(removed) if removed > 0 => tracing::info!(removed, "change log compacted"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "compaction failed"),
        }
    }
}

impl RunningServer {
    /// The bound address (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>` (`https://` with TLS), the base URL of the API.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Reads the TLS certificate and key files again: new connections get the new
    /// certificate, open ones keep theirs. On error the old certificate stays in use.
    pub fn reload_tls(&self) -> Result<()> {
        match &self.tls {
            Some(certs) => certs.reload(),
            None => Err(crate::error::Error::Config(
                "TLS is not configured; nothing to reload".into(),
            )),
        }
    }

    /// Administration over the same storage (seed tenants, teams, users).
    pub fn admin(&self) -> &Admin {
        &self.admin
    }

    /// Stops accepting connections, ends event streams, lets in-flight requests finish.
    pub async fn shutdown(self) -> Result<()> {
        let _ = self.shutdown.send(true);
        self.serving.await??;
        Ok(())
    }

    /// Stops at once, as a crash would: in-flight requests are dropped mid-way (their
    /// transactions roll back).
    pub async fn abort(self) {
        self.serving.abort();
        let _ = self.serving.await;
    }

    /// Serves until the process receives Ctrl-C or SIGTERM, then shuts down gracefully. SIGHUP
    /// reloads the TLS certificate.
    pub async fn run_until_signal(self) -> Result<()> {
        let reload = async {
            reload_on_hangup(self.tls.as_deref()).await;
        };
        tokio::select! {
            _ = wait_for_signal() => {}
            _ = reload => {}
        }
        tracing::info!("stopping");
        self.shutdown().await
    }
}

/// Reloads the certificate on every SIGHUP; a failed reload is logged and the old one stays.
async fn reload_on_hangup(tls: Option<&TlsCerts>) {
    #[cfg(unix)]
    if let Some(certs) = tls {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::hangup()) {
            Ok(mut hangups) => {
                while hangups.recv().await.is_some() {
                    if let Err(e) = certs.reload() {
                        tracing::error!(error = %e, "TLS reload failed; the old certificate stays");
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot listen for SIGHUP; TLS reload is off"),
        }
    }
    #[cfg(not(unix))]
    let _ = tls;
    std::future::pending::<()>().await
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
