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
//! The records and enums are the core's (`Login`, `SyncReport`, `ConflictFound`,
//! `RejectedEdit`, `SyncProgress`, `SyncFailure`, the trigger as `SyncTrigger`, `Role`,
//! `RejectReason`). Two stay mirrors, [`SyncSession`] and [`SyncStatus`]: the core keeps the
//! session's end as the server's RFC 3339 text, the apps get a time (or `None` when the text
//! cannot be read). Their conversions name every field of the core's value, so a field added
//! there breaks this build until it is added here.
//!
//! It must not decide anything about sync (when, how, what to merge): the core does.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::DateTime;
use fieldsales_core::protocol::Role;
use fieldsales_core::sync::{
    self as core, ConflictFound, Login, NetworkKind, RejectedEdit, SyncReport,
};
use fieldsales_core::sync::{SyncFailure, SyncProgress, Trigger as SyncTrigger};

use crate::convert::{opt_time_out, time_out};
use crate::error::{guard, Result};
use crate::root::Ctx;

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
        // The core's value named field by field (no `..`): a new field fails the build.
        let core::Session {
            server_url,
            user_id,
            team_id,
            role,
            expires_at,
        } = s;
        SyncSession {
            server_url,
            user_id,
            team_id,
            role,
            expires_at: rfc3339(&expires_at),
        }
    }
}

fn rfc3339(text: &str) -> Option<SystemTime> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| time_out(t.to_utc()))
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
        // The core's value named field by field (no `..`): a new field fails the build.
        let core::SyncStatus {
            server_url,
            signed_in,
            session_expires_at,
            cursor,
            pending_changes,
            rejected_edits,
            last_success_at,
            last_attempt_at,
            last_error,
        } = s;
        SyncStatus {
            server_url,
            signed_in,
            session_expires_at: session_expires_at.as_deref().and_then(rfc3339),
            cursor,
            pending_changes,
            rejected_edits,
            last_success_at: opt_time_out(last_success_at),
            last_attempt_at: opt_time_out(last_attempt_at),
            last_error,
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
        self.ctx
            .rt
            .spawn(async move { Ok(client.sync_async().await?) })
            .await
    }

    /// Where sync stands (a quick local read).
    pub fn status(&self) -> Result<SyncStatus> {
        guard(|| Ok(self.ctx.core.sync().status()?.into()))
    }

    /// The kind of network the phone is on now (from `ConnectivityManager` /
    /// `NWPathMonitor`). While "photos on Wi-Fi only" is on, photo uploads wait on a
    /// `METERED` network (the default until reported); records sync on any network.
    ///
    /// ```kotlin
    /// store.sync().setMediaUnmeteredOnly(settings.photosOnWifiOnly)
    /// store.sync().setNetwork(if (caps.hasCapability(NET_CAPABILITY_NOT_METERED)) NetworkKind.UNMETERED else NetworkKind.METERED)
    /// ```
    pub fn set_network(&self, network: NetworkKind) {
        self.ctx.core.sync().set_network(network);
    }

    /// Turns "photo uploads only on an unmetered network" on or off (the user's setting).
    pub fn set_media_unmetered_only(&self, on: bool) {
        self.ctx.core.sync().set_media_unmetered_only(on);
    }

    /// The tenant's watermark setting as the last sync delivered it, for a settings screen
    /// ("photos are stamped with time and place").
    pub fn photo_watermark(&self) -> Result<bool> {
        guard(|| Ok(self.ctx.core.sync().tenant_settings()?.photo_watermark))
    }

    /// Local edits the server refused, oldest first.
    pub fn rejected(&self) -> Result<Vec<RejectedEdit>> {
        guard(|| Ok(self.ctx.core.sync().rejected()?))
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
    fn started(&self, trigger: SyncTrigger) {
        self.call(|l| l.started(trigger));
    }
    fn progress(&self, progress: SyncProgress) {
        self.call(|l| l.progress(progress));
    }
    fn completed(&self, report: &SyncReport) {
        self.call(|l| l.completed(report.clone()));
    }
    fn conflict_found(&self, conflict: &ConflictFound) {
        self.call(|l| l.conflict_found(conflict.clone()));
    }
    fn rejected(&self, edit: &RejectedEdit) {
        self.call(|l| l.rejected(edit.clone()));
    }
    fn failed(&self, failure: &SyncFailure) {
        self.call(|l| l.failed(failure.clone()));
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

    /// The kind of network changed; an unmetered one syncs at once, so photos held back on
    /// mobile data go up (see `Sync.setNetwork`).
    pub fn network_changed(&self, network: NetworkKind) {
        self.with(|e| e.network_changed(network));
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

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;

    #[test]
    fn a_session_reaches_the_apps_with_every_field() {
        let session = core::Session {
            server_url: "https://sync.example.com".into(),
            user_id: "u-1".into(),
            team_id: Some("north".into()),
            role: Role::Manager,
            expires_at: "2026-11-25T08:00:00.250Z".into(),
        };
        let expires = DateTime::from_timestamp_millis(1_795_593_600_250).unwrap();
        let expected = SyncSession {
            server_url: "https://sync.example.com".into(),
            user_id: "u-1".into(),
            team_id: Some("north".into()),
            role: Role::Manager,
            expires_at: Some(time_out(expires)),
        };
        assert_eq!(SyncSession::from(session), expected);
    }

    #[test]
    fn a_session_end_the_app_cannot_read_is_none_not_an_error() {
        let session = core::Session {
            server_url: "https://sync.example.com".into(),
            user_id: "u-1".into(),
            team_id: None,
            role: Role::Rep,
            expires_at: "next tuesday".into(),
        };
        assert_eq!(SyncSession::from(session).expires_at, None);
    }

    #[test]
    fn a_sync_status_reaches_the_apps_with_every_field() {
        let success = DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
        let attempt = DateTime::from_timestamp_millis(1_700_000_060_000).unwrap();
        let expires = DateTime::from_timestamp_millis(1_795_593_600_000).unwrap();
        let status = core::SyncStatus {
            server_url: Some("https://sync.example.com".into()),
            signed_in: true,
            session_expires_at: Some("2026-11-25T08:00:00Z".into()),
            cursor: 42,
            pending_changes: 3,
            rejected_edits: 1,
            last_success_at: Some(success),
            last_attempt_at: Some(attempt),
            last_error: Some("network: timed out".into()),
        };
        let expected = SyncStatus {
            server_url: Some("https://sync.example.com".into()),
            signed_in: true,
            session_expires_at: Some(time_out(expires)),
            cursor: 42,
            pending_changes: 3,
            rejected_edits: 1,
            last_success_at: Some(time_out(success)),
            last_attempt_at: Some(time_out(attempt)),
            last_error: Some("network: timed out".into()),
        };
        assert_eq!(SyncStatus::from(status), expected);
    }
}
