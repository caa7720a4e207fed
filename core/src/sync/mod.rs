//! The client side of sync: signing in, exchanging changes with the server, and the rejected
//! edits the app must show.
//!
//! [`SyncClient`] (from [`crate::FieldSales::sync`]) owns the session and the sync itself: one
//! sync is one round trip (outbox up, cursor and the team's changes down), repeated while the
//! server says `more` or the outbox did not fit one request. Each answer is applied in one
//! SQLite transaction (module `apply`); network I/O never happens inside a transaction, and
//! reads use their own connection, so the app keeps reading and writing while a sync runs.
//!
//! Media blobs travel beside the records, through the same session and transport
//! ([`SyncClient::media_offset`], [`SyncClient::upload_media`], [`SyncClient::download_media`],
//! in `media`); the queue that decides which blobs to move belongs to the store's media module.
//!
//! The auto-sync engine ([`auto`]) decides *when* to sync; this module decides *how*. Both run
//! on a small tokio runtime owned by the store, created on first use.
//!
//! It must not know HTTP-framework types in its public API: [`Transport`] carries protocol
//! messages, and [`http::HttpTransport`] is the one place that speaks HTTP.
//!
//! Most of sync sits near the top of the crate's layers, but its settings do not: [`SyncConfig`]
//! (`config`), [`Backoff`], [`ServerUrl`] and the [`Transport`] contract are plain data and a
//! trait that [`crate::Config`] holds, so they sit below it and must not import the rest of
//! sync (its errors live in [`crate::error`] for the same reason).

mod apply;
pub mod auto;
pub mod backoff;
pub(crate) mod config;
#[cfg(test)]
pub(crate) mod fake;
#[cfg(feature = "http")]
pub mod http;
mod listener;
mod media;
mod media_queue;
#[cfg(test)]
mod metered_tests;
mod report;
mod round_trip;
mod runtime;
mod server_url;
mod session;
pub(crate) mod sign_in;
mod state;
#[cfg(test)]
pub(crate) mod testing;
pub mod transport;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use crate::credentials::{Credential, CredentialStore};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::protocol::{limits, LoginRequest};

pub use crate::error::SyncError;
pub use apply::ConflictFound;
pub use auto::AutoSync;
pub use backoff::Backoff;
pub use config::{NetworkKind, SyncConfig};
pub use listener::{NoListener, SyncFailure, SyncListener, SyncProgress, Trigger};
pub use report::{Session, SyncReport, SyncStatus};
use round_trip::{Exchange, Fetched, ReadingAhead};
use runtime::OwnedRuntime;
pub(crate) use runtime::{new_transport, run_blocking};
pub use server_url::ServerUrl;
pub use sign_in::{current_account, Account};
pub use state::RejectedEdit;
pub use transport::{MediaOffset, MediaTransport, Transport};

/// What a user types to sign in.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Login {
    pub server_url: String,
    pub tenant: String,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("server_url", &self.server_url)
            .finish_non_exhaustive()
    }
}

/// The sync machinery of one open store: the session's token, and what is created on first use.
pub(crate) struct SyncShared {
    /// Where the session's token is kept (never in the database: see `crate::credentials`).
    credentials: Arc<dyn CredentialStore>,
    runtime: OnceLock<OwnedRuntime>,
    transport: OnceLock<Arc<dyn Transport>>,
    /// One sync at a time per store: two interleaved syncs would be harmless (everything is
    /// idempotent) but could move the cursor backwards and pull twice.
    running: tokio::sync::Mutex<()>,
    /// Bumped after each login, so that a running engine stops waiting out a backoff that only
    /// a new session could end.
    logins: tokio::sync::watch::Sender<u64>,
    /// The network the app last reported is unmetered.
    unmetered: AtomicBool,
    /// Media uploads wait for an unmetered network (`SyncConfig::media_unmetered_only`, or
    /// as the app set it since).
    media_unmetered_only: AtomicBool,
}

impl SyncShared {
    pub(crate) fn new(credentials: Arc<dyn CredentialStore>, config: &SyncConfig) -> Self {
        SyncShared {
            credentials,
            runtime: OnceLock::new(),
            transport: OnceLock::new(),
            running: tokio::sync::Mutex::new(()),
            logins: tokio::sync::watch::Sender::new(0),
            unmetered: AtomicBool::new(false),
            media_unmetered_only: AtomicBool::new(config.media_unmetered_only),
        }
    }
}

/// The sync area of a [`crate::FieldSales`].
///
/// ```no_run
/// # use fieldsales_core::{FieldSales, Identity, Config, sync::Login};
/// # let fs = FieldSales::open(std::path::Path::new("/tmp/x"), Identity::new("u-1", None).unwrap(), Config::default()).unwrap();
/// fs.sync().login(&Login {
///     server_url: "https://sync.example.com".into(),
///     tenant: "acme".into(),
///     username: "li.wei".into(),
///     password: "…".into(),
/// })?;
/// let report = fs.sync().sync_now()?;
/// println!("sent {}, received {}", report.sent, report.received);
/// # Ok::<(), fieldsales_core::Error>(())
/// ```
#[derive(Clone)]
pub struct SyncClient {
    engine: Arc<Engine>,
    shared: Arc<SyncShared>,
}

impl SyncClient {
    pub(crate) fn new(engine: Arc<Engine>, shared: Arc<SyncShared>) -> Self {
        SyncClient { engine, shared }
    }

    /// Signs in and registers this device with the user; the token is kept apart from the
    /// records (see [`crate::credentials`]).
    /// Fails with [`SyncError::AccountMismatch`] when the server's user is not the one this
    /// store belongs to (nothing is stored then).
    pub fn login(&self, login: &Login) -> Result<Session> {
        self.block_on(self.login_async(login))
    }

    /// [`Self::login`] for async callers.
    pub async fn login_async(&self, login: &Login) -> Result<Session> {
        let config = &self.engine.config.sync;
        let server = ServerUrl::parse(&login.server_url, config.allow_insecure_http)?;
        let request = LoginRequest {
            tenant: login.tenant.clone(),
            username: login.username.clone(),
            password: login.password.clone(),
            device_id: self.engine.device_id.to_string(),
            device_name: config.device_name.clone(),
        };
        let transport = self.transport()?;
        let answer = transport.login(&server, &request).await?;
        if answer.user_id != self.engine.identity.user_id {
            // Best effort: the session is of no use to this store.
            let _ = transport.logout(&server, &answer.token).await;
            return Err(SyncError::AccountMismatch.into());
        }
        let credential = Credential {
            server_url: server.as_str().to_string(),
            token: answer.token.clone(),
            expires_at: answer.expires_at.clone(),
        };
        let shared = self.shared.clone();
        self.on_db(move |e| session::start(e, &shared, &credential))
            .await?;
        self.shared.logins.send_modify(|n| *n = n.wrapping_add(1));
        tracing::info!("signed in to the sync server");
        Ok(Session {
            server_url: server.as_str().to_string(),
            user_id: answer.user_id,
            team_id: answer.team_id,
            role: answer.role,
            expires_at: answer.expires_at,
        })
    }

    /// Ends the session on the server (when reachable) and forgets the token. Local data and
    /// unsent changes stay; they go up after the next login.
    pub fn logout(&self) -> Result<()> {
        self.block_on(self.logout_async())
    }

    /// [`Self::logout`] for async callers.
    pub async fn logout_async(&self) -> Result<()> {
        if let Some(session) = self.current_session().await? {
            if let Ok(server) = ServerUrl::parse(&session.server_url, true) {
                if let Err(e) = self.transport()?.logout(&server, &session.token).await {
                    tracing::info!(error = %e, "server logout failed; forgetting the token anyway");
                }
            }
        }
        let shared = self.shared.clone();
        self.on_db(move |_| session::end(&shared)).await
    }

    /// Syncs now: sends the outbox, applies what the server sends back, repeats while there is
    /// more. Blocks the calling thread; async callers use [`Self::sync_async`].
    pub fn sync_now(&self) -> Result<SyncReport> {
        self.block_on(self.sync_async())
    }

    /// [`Self::sync_now`] for async callers.
    pub async fn sync_async(&self) -> Result<SyncReport> {
        self.run(&mut |_| {}).await
    }

    /// Where sync stands.
    pub fn status(&self) -> Result<SyncStatus> {
        let session = session::current(&self.engine, &self.shared)?;
        self.engine.read(|conn| {
            let s = state::load(conn)?;
            let pending: i64 = conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?;
            Ok(SyncStatus {
                server_url: s.server_url,
                signed_in: session.is_some(),
                session_expires_at: session.map(|c| c.expires_at),
                cursor: s.cursor,
                pending_changes: pending as u64,
                rejected_edits: state::count_rejected(conn)?,
                last_success_at: s.last_success_at,
                last_attempt_at: s.last_attempt_at,
                last_error: s.last_error,
            })
        })
    }

    /// The platform reports the kind of network the phone is on now. With
    /// [`SyncConfig::media_unmetered_only`] on, photo uploads wait while it is
    /// [`NetworkKind::Metered`] (the default until the app reports one); records sync on any.
    /// An app with auto-sync running reports through [`AutoSync::network_changed`], which also
    /// syncs at once when an unmetered network appears.
    ///
    /// ```no_run
    /// # fn demo(fs: &fieldsales_core::FieldSales) {
    /// use fieldsales_core::sync::NetworkKind;
    /// fs.sync().set_media_unmetered_only(true); // the user's "photos on Wi-Fi only"
    /// fs.sync().set_network(NetworkKind::Unmetered); // from the platform's network callback
    /// # }
    /// ```
    pub fn set_network(&self, network: NetworkKind) {
        self.shared
            .unmetered
            .store(network == NetworkKind::Unmetered, Ordering::Relaxed);
    }

    /// Turns "photo uploads only on an unmetered network" on or off while the app runs.
    pub fn set_media_unmetered_only(&self, on: bool) {
        self.shared
            .media_unmetered_only
            .store(on, Ordering::Relaxed);
    }

    /// Whether media uploads wait now: the setting is on and the network is metered.
    pub fn media_uploads_waiting_for_unmetered(&self) -> bool {
        self.shared.media_unmetered_only.load(Ordering::Relaxed)
            && !self.shared.unmetered.load(Ordering::Relaxed)
    }

    /// What the tenant's administrator chose for its devices, as the last sync answer carried
    /// it (the defaults before any): whether visit photos get a watermark, the tenant's UTC
    /// offset.
    pub fn tenant_settings(&self) -> Result<crate::protocol::TenantSettings> {
        self.engine.read(crate::tenant::load)
    }

    /// Local edits the server refused, oldest first. They stay until dismissed.
    pub fn rejected(&self) -> Result<Vec<RejectedEdit>> {
        self.engine.read(state::rejected)
    }

    /// The device's own version of the record when its edits were refused (Automerge bytes),
    /// for an app that shows "what you had".
    pub fn rejected_document(&self, id: i64) -> Result<Option<Vec<u8>>> {
        self.engine.read(|conn| state::rejected_document(conn, id))
    }

    /// Removes an entry from the rejected-edits list (the user has seen it).
    pub fn dismiss_rejected(&self, id: i64) -> Result<bool> {
        self.engine.store.transaction(|tx| state::dismiss(tx, id))
    }

    /// Starts the auto-sync engine, reporting to `listener`. It runs until the returned handle
    /// is stopped or dropped.
    pub fn start_auto_sync(&self, listener: Arc<dyn SyncListener>) -> Result<AutoSync> {
        let _entered = self.runtime()?.enter();
        Ok(auto::AutoSync::start(self.clone(), listener))
    }

    /// One sync, reporting progress after each round trip.
    pub(crate) async fn run(
        &self,
        progress: &mut (dyn FnMut(SyncProgress) + Send),
    ) -> Result<SyncReport> {
        let _one_at_a_time = self.shared.running.lock().await;
        let outcome = match self.rounds(progress).await {
            // Records first, then media (see `media_queue`).
            Ok(mut report) => self.move_media().await.map(|moved| {
                report.media_uploaded = moved.uploaded;
                report.media_downloaded = moved.downloaded;
                report.media_failed = moved.failed;
                report.media_waiting_for_unmetered = moved.waiting_for_unmetered;
                report
            }),
            Err(e) => Err(e),
        };
        if let Err(error) = &outcome {
            // Kept for the status line; the message names no record and no credential.
            let message = error.to_string();
            let now = self.engine.now();
            self.on_db(move |e| {
                e.store
                    .transaction(|tx| state::record_failure(tx, now, &message))
            })
            .await?;
        }
        outcome
    }

    /// The round trips of one sync (the caller holds the one-sync-at-a-time lock).
    async fn rounds(&self, progress: &mut (dyn FnMut(SyncProgress) + Send)) -> Result<SyncReport> {
        let exchange = self.exchange().await?;
        let stored = self.on_db(|e| e.store.read(state::load)).await?;
        let mut report = SyncReport {
            cursor: stored.cursor,
            ..SyncReport::default()
        };
        let mut resume = stored.resume;
        // The next page of a pull, already asked for and read while this one is written.
        let mut ahead: Option<ReadingAhead> = None;
        loop {
            let (fetched, sent_nothing, truncated) = match ahead.take() {
                Some(next) => (next.wait().await?, true, false),
                None => {
                    self.send_outbox(&exchange, report.cursor, resume.clone())
                        .await?
                }
            };
            let more = fetched.answer.more;
            let next_resume = fetched.answer.resume.clone().filter(|_| more);
            let cursor = fetched.answer.cursor;
            // A pull that is cut (a first sync's pages) asks for the next page now, with the
            // cursor and resume this answer gives, and reads its records while this one is
            // written: the network, the server and the reading overlap the database work. The
            // next request does not depend on what applying this answer does, because this one
            // carried no local changes; changes written meanwhile go up in the next round.
            if more && sent_nothing {
                ahead = Some(exchange.read_ahead(cursor, next_resume.clone()));
            }
            let applied = self.apply_answer(fetched).await?;
            let progressed = applied.acked > 0 || !applied.rejected.is_empty();
            count_round(&mut report, applied, cursor);
            resume = next_resume;
            progress(SyncProgress {
                round_trips: report.round_trips,
                sent: report.sent,
                received: report.received,
                more,
            });
            // The guard only stops a misbehaving server from keeping the device busy forever.
            if report.round_trips >= 100_000 || !(more || (truncated && progressed)) {
                break;
            }
        }
        report.pending = self.engine.read(|conn| {
            Ok(conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get::<_, i64>(0))?)
        })? as u64;
        tracing::info!(
            round_trips = report.round_trips,
            sent = report.sent,
            received = report.received,
            rejected = report.rejected.len(),
            "sync done"
        );
        Ok(report)
    }

    /// Who talks to which server with which token, for every round trip of one sync.
    async fn exchange(&self) -> Result<Exchange> {
        let Some(Credential {
            server_url, token, ..
        }) = self.current_session().await?
        else {
            return Err(SyncError::NotSignedIn.into());
        };
        let config = &self.engine.config.sync;
        Ok(Exchange {
            transport: self.transport()?,
            server: ServerUrl::parse(&server_url, config.allow_insecure_http)?,
            token,
            engine: self.engine.clone(),
        })
    }

    /// One round trip carrying the next batch of the outbox: the answer, whether the batch was
    /// empty, and whether the outbox held more than one request may carry.
    async fn send_outbox(
        &self,
        exchange: &Exchange,
        cursor: u64,
        resume: Option<String>,
    ) -> Result<(Fetched, bool, bool)> {
        let max_changes = self.engine.config.sync.max_changes_per_request.max(1);
        let (docs, truncated) = self
            .on_db(move |e| {
                e.store.read(|conn| {
                    state::outbox_batch(
                        conn,
                        max_changes,
                        limits::MAX_DOCS_PER_REQUEST,
                        limits::MAX_REQUEST_BYTES / 2,
                    )
                })
            })
            .await?;
        let sent_nothing = docs.is_empty();
        let fetched = exchange.round_trip(cursor, docs, resume).await?;
        Ok((fetched, sent_nothing, truncated))
    }

    /// Applies one answer in one transaction, off the async threads.
    async fn apply_answer(&self, fetched: Fetched) -> Result<apply::Applied> {
        let Fetched { answer, read } = fetched;
        let now = self.engine.now();
        self.on_db(move |e| {
            e.store
                .transaction(|tx| apply::apply(tx, e, &answer, read, now))
        })
        .await
    }

    /// The store's runtime, created on first use.
    pub(crate) fn runtime(&self) -> Result<&tokio::runtime::Runtime> {
        if self.shared.runtime.get().is_none() {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("fieldsales-sync")
                .enable_all()
                .build()?;
            let _ = self.shared.runtime.set(OwnedRuntime(Some(runtime)));
        }
        Ok(self
            .shared
            .runtime
            .get()
            .and_then(|r| r.0.as_ref())
            .expect("the runtime was set just above and is only taken on drop"))
    }

    pub(crate) fn transport(&self) -> Result<Arc<dyn Transport>> {
        if let Some(t) = self.shared.transport.get() {
            return Ok(t.clone());
        }
        let transport = new_transport(&self.engine.config.sync)?;
        Ok(self.shared.transport.get_or_init(|| transport).clone())
    }

    pub(crate) fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    pub(crate) fn shared(&self) -> &SyncShared {
        &self.shared
    }

    /// The session this store syncs with, read off the async threads.
    async fn current_session(&self) -> Result<Option<Credential>> {
        let shared = self.shared.clone();
        self.on_db(move |e| session::current(e, &shared)).await
    }

    /// Runs blocking database work off the async threads.
    async fn on_db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Engine) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let engine = self.engine.clone();
        tokio::task::spawn_blocking(move || f(&engine))
            .await
            .map_err(task_stopped)?
    }

    /// Runs `future` to completion on the store's runtime for a blocking caller.
    pub(crate) fn block_on<T: Send>(
        &self,
        future: impl Future<Output = Result<T>> + Send,
    ) -> Result<T> {
        run_blocking(Some(self.runtime()?), future)
    }
}

/// Adds one applied answer to the sync's report.
fn count_round(report: &mut SyncReport, applied: apply::Applied, cursor: u64) {
    report.round_trips += 1;
    report.sent += applied.acked;
    report.received += applied.received;
    report.purged += applied.purged;
    report.skipped += applied.skipped;
    report.cursor = cursor;
    report.rejected.extend(applied.rejected);
    report.conflicts.extend(applied.conflicts);
}

impl From<SyncError> for Error {
    fn from(e: SyncError) -> Self {
        Error::Sync(e)
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;

/// A sync task that panicked or was cancelled, as the error its caller sees.
pub(crate) fn task_stopped(_: tokio::task::JoinError) -> Error {
    Error::Io(std::io::Error::other("a sync task stopped unexpectedly"))
}
