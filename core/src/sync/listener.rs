//! What the auto-sync engine tells the app.
//!
//! One listener receives everything (on mobile it becomes a UniFFI foreign trait, one object the
//! app implements). Every method has an empty default, so an app implements only what it shows.
//! Calls come from the engine's runtime thread: keep them short and hop to the UI thread there.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ConflictFound, RejectedEdit, SyncReport};

/// Why a sync started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum), uniffi(name = "SyncTrigger"))]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Local writes, after the debounce delay.
    LocalWrite,
    /// The app reported that the network is back.
    ConnectivityRegained,
    /// The app came to the foreground.
    Foreground,
    /// The server announced new data.
    ServerEvent,
    /// The periodic timer.
    Timer,
    /// A retry after a failure (backoff).
    Retry,
    /// The app asked for a sync now.
    Requested,
}

/// Progress within one sync: after each round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncProgress {
    /// Round trips done so far.
    pub round_trips: u32,
    /// Local changes the server acknowledged so far.
    pub sent: u64,
    /// Documents received and merged so far.
    pub received: u64,
    /// Whether the server has more to send.
    pub more: bool,
}

/// A sync that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncFailure {
    /// What went wrong (no personal data).
    pub message: String,
    /// `true` when only signing in again helps.
    pub needs_login: bool,
    /// Consecutive failures so far.
    pub attempt: u32,
    /// When the engine tries again by itself; `None` while offline or signed out.
    pub next_retry_at: Option<DateTime<Utc>>,
}

/// Receives the auto-sync engine's reports.
pub trait SyncListener: Send + Sync {
    fn started(&self, _trigger: Trigger) {}
    fn progress(&self, _progress: SyncProgress) {}
    /// A sync finished; `report` holds its counts.
    fn completed(&self, _report: &SyncReport) {}
    /// Merging brought in concurrent values for some fields of a record.
    fn conflict_found(&self, _conflict: &ConflictFound) {}
    /// The server refused local edits; they are kept in [`super::SyncClient::rejected`].
    fn rejected(&self, _edit: &RejectedEdit) {}
    fn failed(&self, _failure: &SyncFailure) {}
}

/// A listener that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoListener;

impl SyncListener for NoListener {}
