//! Sync with the company's server: sign-in, a sync now, the status line, refused edits, and
//! the auto-sync engine with its listener as a foreign trait.
//!
//! Mirrors `fieldsales_core::sync`: [`SyncClient`] (from `FieldSales.sync()`) is a thin face on
//! `SyncClient` of the core, [`AutoSync`] on the core's engine, and [`SyncListener`] is the
//! core's listener trait implemented by the app (Kotlin interface, Swift protocol). The first
//! sign-in on a device, before the user's id is known, is the async constructor
//! `FieldSales.signIn` in [`crate::root`].
//!
//! Login and sync are `async` (Kotlin `suspend`): the core's futures run as tasks on the
//! store's runtime ([`crate::runtime`]), never on the caller's thread. Nothing here ever hands
//! a session token to the app: the token stays inside the store, and error details carry
//! status codes, never credentials.
//!
//! It must not decide anything about sync (when, how, what to merge): the core does.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::DateTime;
use fieldsales_core::protocol::{RejectReason as CoreRejectReason, Role as CoreRole};
use fieldsales_core::sync as core;

use crate::convert::{opt_time_out, time_out, RecordKind};
use crate::error::{guard, Result};
use crate::root::Ctx;

/// What a user types to sign in.
///
/// ```kotlin
/// val login = Login(serverUrl = "https://sync.example.com", tenant = "acme",
///     username = "li.wei", password = passwordField.text)
/// ```
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct Login {
    /// `https://…`; plain `http://` only to this device (loopback).
    pub server_url: String,
    /// The company's name on the server.
    pub tenant: String,
    pub username: String,
    pub password: String,
}

// Hand-written so that a logged `Login` never shows the password.
impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("server_url", &self.server_url)
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

impl Login {
    pub(crate) fn into_core(self) -> core::Login {
        core::Login {
            server_url: self.server_url,
            tenant: self.tenant,
            username: self.username,
            password: self.password,
        }
    }
}

/// What the user may do on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Role {
    /// Own records and the team's shared customers.
    Rep,
    /// Every record of the team.
    Manager,
    /// Everything in the company.
    Admin,
}

impl From<CoreRole> for Role {
    fn from(r: CoreRole) -> Self {
        match r {
            CoreRole::Rep => Role::Rep,
            CoreRole::Manager => Role::Manager,
            CoreRole::Admin => Role::Admin,
        }
    }
}

/// A signed-in session. The token itself never leaves the store.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncSession {
    pub server_url: String,
    /// The user's id on the server (also the store's user id).
    pub user_id: String,
    pub team_id: Option<String>,
    pub role: Role,
    /// When the session ends and the user must sign in again; `None` if the server sent a
    /// time this version cannot read.
    pub expires_at: Option<SystemTime>,
}

impl From<core::Session> for SyncSession {
    fn from(s: core::Session) -> Self {
        SyncSession {
            server_url: s.server_url,
            user_id: s.user_id,
            team_id: s.team_id,
            role: s.role.into(),
            expires_at: rfc3339(&s.expires_at),
        }
    }
}

fn rfc3339(text: &str) -> Option<SystemTime> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| time_out(t.to_utc()))
}

/// Why the server refused local edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RejectReason {
    /// The user may not write this record (another rep's customer, another team's visit).
    Forbidden,
    /// A change was written by another device than this one.
    WrongActor,
    /// A change was unreadable or depended on history the server lacks.
    InvalidChange,
    /// The server does not know this kind of record.
    UnknownKind,
    /// The record exists on the server as another kind.
    KindMismatch,
    /// A change was larger than the server accepts.
    TooLarge,
    /// The record was erased on the server.
    Purged,
}

impl From<CoreRejectReason> for RejectReason {
    fn from(r: CoreRejectReason) -> Self {
        match r {
            CoreRejectReason::Forbidden => RejectReason::Forbidden,
            CoreRejectReason::WrongActor => RejectReason::WrongActor,
            CoreRejectReason::InvalidChange => RejectReason::InvalidChange,
            CoreRejectReason::UnknownKind => RejectReason::UnknownKind,
            CoreRejectReason::KindMismatch => RejectReason::KindMismatch,
            CoreRejectReason::TooLarge => RejectReason::TooLarge,
            CoreRejectReason::Purged => RejectReason::Purged,
        }
    }
}

/// Local edits the server refused; they stay listed until dismissed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RejectedEdit {
    /// This entry's id, for `dismissRejected`.
    pub id: i64,
    pub record_id: String,
    /// `customer`, `visit`, …
    pub kind: String,
    pub reason: RejectReason,
    /// The server's sentence for support staff.
    pub detail: String,
    pub rejected_at: SystemTime,
    /// How many local changes were refused.
    pub changes: u32,
    /// Whether the device still holds the record (the server's version of it).
    pub record_kept: bool,
}

impl From<core::RejectedEdit> for RejectedEdit {
    fn from(r: core::RejectedEdit) -> Self {
        RejectedEdit {
            id: r.id,
            record_id: r.record_id,
            kind: r.kind,
            reason: r.reason.into(),
            detail: r.detail,
            rejected_at: time_out(r.rejected_at),
            changes: r.changes,
            record_kept: r.record_kept,
        }
    }
}

/// A record where merging brought in concurrent values (see `conflicts()` to resolve them).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConflictFound {
    pub record_id: String,
    pub kind: RecordKind,
    /// Dotted names of the conflicted fields.
    pub fields: Vec<String>,
}

impl From<core::ConflictFound> for ConflictFound {
    fn from(c: core::ConflictFound) -> Self {
        ConflictFound {
            record_id: c.record_id,
            kind: c.kind.into(),
            fields: c.fields,
        }
    }
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    pub round_trips: u32,
    /// Local changes the server acknowledged.
    pub sent: u64,
    /// Records received and merged.
    pub received: u64,
    /// Records where merging brought in concurrent values.
    pub conflicts: Vec<ConflictFound>,
    /// Local edits the server refused in this sync (also in `rejected()`).
    pub rejected: Vec<RejectedEdit>,
    /// The server position this device has reached.
    pub cursor: u64,
    /// Local changes still waiting (written while the sync ran).
    pub pending: u64,
}

impl From<core::SyncReport> for SyncReport {
    fn from(r: core::SyncReport) -> Self {
        SyncReport {
            round_trips: r.round_trips,
            sent: r.sent,
            received: r.received,
            conflicts: r.conflicts.into_iter().map(Into::into).collect(),
            rejected: r.rejected.into_iter().map(Into::into).collect(),
            cursor: r.cursor,
            pending: r.pending,
        }
    }
}

/// Where sync stands, for a status line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncStatus {
    pub server_url: Option<String>,
    pub signed_in: bool,
    pub session_expires_at: Option<SystemTime>,
    pub cursor: u64,
    /// Local changes not yet acknowledged by the server.
    pub pending_changes: u64,
    /// Entries in the rejected-edits list.
    pub rejected_edits: u64,
    pub last_success_at: Option<SystemTime>,
    pub last_attempt_at: Option<SystemTime>,
    /// The last failure, cleared by the next success.
    pub last_error: Option<String>,
}

impl From<core::SyncStatus> for SyncStatus {
    fn from(s: core::SyncStatus) -> Self {
        SyncStatus {
            server_url: s.server_url,
            signed_in: s.signed_in,
            session_expires_at: s.session_expires_at.as_deref().and_then(rfc3339),
            cursor: s.cursor,
            pending_changes: s.pending_changes,
            rejected_edits: s.rejected_edits,
            last_success_at: opt_time_out(s.last_success_at),
            last_attempt_at: opt_time_out(s.last_attempt_at),
            last_error: s.last_error,
        }
    }
}

/// The sync area of an open store.
///
/// ```kotlin
/// val sync = store.sync()
/// sync.login(Login(serverUrl, tenant = "acme", username = "li.wei", password = pw))  // suspend
/// val report = sync.sync()                                                           // suspend
/// statusLine.text = "sent ${report.sent}, received ${report.received}"
/// ```
#[derive(uniffi::Object)]
pub struct SyncClient {
    ctx: Ctx,
}

impl SyncClient {
    pub(crate) fn new(ctx: Ctx) -> Self {
        SyncClient { ctx }
    }
}

#[uniffi::export]
impl SyncClient {
    /// Signs in again (after `Unauthorized`) as the user this store belongs to. Signing in as
    /// another user fails with `Unauthorized` and stores nothing. For the first sign-in on a
    /// device use `FieldSales.signIn`.
    pub async fn login(&self, login: Login) -> Result<SyncSession> {
        let client = self.ctx.core.sync();
        let login = login.into_core();
        let session = self
            .ctx
            .rt
            .spawn(async move { Ok(client.login_async(&login).await?) })
            .await?;
        Ok(session.into())
    }

    /// Ends the session on the server (when reachable) and forgets the token. Local data and
    /// unsent changes stay; they go up after the next login.
    pub async fn logout(&self) -> Result<()> {
        let client = self.ctx.core.sync();
        self.ctx
            .rt
            .spawn(async move { Ok(client.logout_async().await?) })
            .await
    }

    /// Syncs now: sends local changes, merges the team's, repeats while the server has more.
    /// Fails with `Unauthorized` (sign in again) or `Network` (retry later; nothing is lost).
    pub async fn sync(&self) -> Result<SyncReport> {
        let client = self.ctx.core.sync();
        let report = self
            .ctx
            .rt
            .spawn(async move { Ok(client.sync_async().await?) })
            .await?;
        Ok(report.into())
    }

    /// Where sync stands (a quick local read).
    pub fn status(&self) -> Result<SyncStatus> {
        guard(|| Ok(self.ctx.core.sync().status()?.into()))
    }

    /// Local edits the server refused, oldest first.
    pub fn rejected(&self) -> Result<Vec<RejectedEdit>> {
        guard(|| {
            Ok(self
                .ctx
                .core
                .sync()
                .rejected()?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// Removes an entry from the rejected list (the user has seen it). `false` if it was not
    /// there.
    pub fn dismiss_rejected(&self, id: i64) -> Result<bool> {
        guard(|| Ok(self.ctx.core.sync().dismiss_rejected(id)?))
    }

    /// Starts the auto-sync engine, reporting to `listener`, until the returned handle is
    /// stopped or closed. Tell it about the network and the app's lifecycle.
    ///
    /// ```kotlin
    /// val auto = store.sync().startAutoSync(object : SyncListener {
    ///     override fun started(trigger: SyncTrigger) { spinner.show() }
    ///     override fun completed(report: SyncReport) { spinner.hide() }
    ///     /* progress, conflictFound, rejected, failed … */
    /// })
    /// auto.connectivityChanged(true)   // from ConnectivityManager's callback
    /// auto.appForeground()             // from the lifecycle observer
    /// ```
    pub fn start_auto_sync(&self, listener: Arc<dyn SyncListener>) -> Result<Arc<AutoSync>> {
        guard(|| {
            let engine = self
                .ctx
                .core
                .sync()
                .start_auto_sync(Arc::new(Bridge(listener)))?;
            Ok(Arc::new(AutoSync {
                engine: Mutex::new(Some(engine)),
            }))
        })
    }
}

/// Why a sync started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SyncTrigger {
    /// Local writes, after a short delay.
    LocalWrite,
    /// The app reported the network is back.
    ConnectivityRegained,
    /// The app came to the foreground.
    Foreground,
    /// The server announced new data.
    ServerEvent,
    /// The periodic timer.
    Timer,
    /// A retry after a failure.
    Retry,
    /// The app asked (`syncNow`).
    Requested,
}

impl From<core::Trigger> for SyncTrigger {
    fn from(t: core::Trigger) -> Self {
        match t {
            core::Trigger::LocalWrite => SyncTrigger::LocalWrite,
            core::Trigger::ConnectivityRegained => SyncTrigger::ConnectivityRegained,
            core::Trigger::Foreground => SyncTrigger::Foreground,
            core::Trigger::ServerEvent => SyncTrigger::ServerEvent,
            core::Trigger::Timer => SyncTrigger::Timer,
            core::Trigger::Retry => SyncTrigger::Retry,
            core::Trigger::Requested => SyncTrigger::Requested,
        }
    }
}

/// Progress within one sync, after each round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SyncProgress {
    pub round_trips: u32,
    pub sent: u64,
    pub received: u64,
    /// Whether the server has more to send.
    pub more: bool,
}

/// A sync that failed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncFailure {
    /// What went wrong (no personal data, no credentials).
    pub message: String,
    /// Only signing in again helps (show the login screen).
    pub needs_login: bool,
    /// Consecutive failures so far.
    pub attempt: u32,
    /// When the engine retries by itself; `None` while offline or signed out.
    pub next_retry_at: Option<SystemTime>,
}

/// Implemented by the app to follow the auto-sync engine. Calls come from a background
/// thread: keep them short and hop to the UI thread. An exception thrown here is dropped.
///
/// ```swift
/// final class Status: SyncListener {
///     func started(trigger: SyncTrigger) { }
///     func progress(progress: SyncProgress) { }
///     func completed(report: SyncReport) { print("received \(report.received)") }
///     func conflictFound(conflict: ConflictFound) { }
///     func rejected(edit: RejectedEdit) { }
///     func failed(failure: SyncFailure) { if failure.needsLogin { showLogin() } }
/// }
/// ```
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + std::marker::Sync {
    fn started(&self, trigger: SyncTrigger);
    fn progress(&self, progress: SyncProgress);
    fn completed(&self, report: SyncReport);
    fn conflict_found(&self, conflict: ConflictFound);
    fn rejected(&self, edit: RejectedEdit);
    fn failed(&self, failure: SyncFailure);
}

/// The app's listener as the core's listener. A foreign exception surfaces as a panic in the
/// generated glue; it is caught here so that it never reaches the engine's task.
struct Bridge(Arc<dyn SyncListener>);

impl Bridge {
    fn call(&self, f: impl FnOnce(&dyn SyncListener)) {
        let _ = catch_unwind(AssertUnwindSafe(|| f(self.0.as_ref())));
    }
}

impl core::SyncListener for Bridge {
    fn started(&self, trigger: core::Trigger) {
        self.call(|l| l.started(trigger.into()));
    }
    fn progress(&self, p: core::SyncProgress) {
        self.call(|l| {
            l.progress(SyncProgress {
                round_trips: p.round_trips,
                sent: p.sent,
                received: p.received,
                more: p.more,
            })
        });
    }
    fn completed(&self, report: &core::SyncReport) {
        self.call(|l| l.completed(report.clone().into()));
    }
    fn conflict_found(&self, conflict: &core::ConflictFound) {
        self.call(|l| l.conflict_found(conflict.clone().into()));
    }
    fn rejected(&self, edit: &core::RejectedEdit) {
        self.call(|l| l.rejected(edit.clone().into()));
    }
    fn failed(&self, f: &core::SyncFailure) {
        self.call(|l| {
            l.failed(SyncFailure {
                message: f.message.clone(),
                needs_login: f.needs_login,
                attempt: f.attempt,
                next_retry_at: opt_time_out(f.next_retry_at),
            })
        });
    }
}

/// A running auto-sync engine. `stop()` (or closing it) ends it.
#[derive(uniffi::Object)]
pub struct AutoSync {
    engine: Mutex<Option<core::AutoSync>>,
}

impl AutoSync {
    fn with(&self, f: impl FnOnce(&core::AutoSync)) {
        let engine = self.engine.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(engine) = engine.as_ref() {
            f(engine);
        }
    }
}

#[uniffi::export]
impl AutoSync {
    /// The network went away (`false`) or came back (`true`, which syncs at once).
    pub fn connectivity_changed(&self, online: bool) {
        self.with(|e| e.connectivity_changed(online));
    }

    /// The app came to the foreground: sync at once.
    pub fn app_foreground(&self) {
        self.with(|e| e.app_foreground());
    }

    /// Sync at once (pull-to-refresh). The result arrives through the listener.
    pub fn sync_now(&self) {
        self.with(|e| e.sync_now());
    }

    /// Whether the engine still runs.
    pub fn is_running(&self) -> bool {
        let engine = self.engine.lock().unwrap_or_else(|p| p.into_inner());
        engine.as_ref().is_some_and(|e| e.is_running())
    }

    /// Stops the engine; a sync in flight is abandoned (applied atomically or not at all).
    /// Calling it twice is harmless.
    pub fn stop(&self) {
        let engine = self.engine.lock().unwrap_or_else(|p| p.into_inner()).take();
        drop(engine);
    }
}
