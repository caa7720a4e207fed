//! What the sync client hands back: the session after a login, the status line, and the
//! report of one sync. Plain data, serialisable, so that the command line prints it as JSON and
//! the bindings convert it field by field.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::protocol::Role;

use super::{ConflictFound, RejectedEdit};

/// A signed-in session (the token itself stays inside the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub server_url: String,
    pub user_id: String,
    pub team_id: Option<String>,
    pub role: Role,
    /// RFC 3339.
    pub expires_at: String,
}

/// Where sync stands, for a status line in the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub server_url: Option<String>,
    pub signed_in: bool,
    pub session_expires_at: Option<String>,
    /// The last server sequence fully applied.
    pub cursor: u64,
    /// Local changes not yet acknowledged by the server.
    pub pending_changes: u64,
    /// Entries in the rejected-edits list.
    pub rejected_edits: u64,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The last failure, cleared by the next success.
    pub last_error: Option<String>,
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncReport {
    pub round_trips: u32,
    /// Local changes the server acknowledged.
    pub sent: u64,
    /// Documents received and merged.
    pub received: u64,
    /// Documents erased on the server and removed here.
    pub purged: u64,
    /// Documents left aside: of kinds this version cannot read, or whose changes could not be
    /// merged (malformed; logged by id). The rest of the answer was applied.
    pub skipped: u64,
    /// Local edits the server refused (now in the rejected list).
    pub rejected: Vec<RejectedEdit>,
    /// Records where merging brought in concurrent values.
    pub conflicts: Vec<ConflictFound>,
    /// The cursor after the sync.
    pub cursor: u64,
    /// Local changes still waiting (written while the sync ran).
    pub pending: u64,
    /// Photos and documents (and their thumbnails) this device captured that the server now
    /// holds; uploaded after the records.
    #[serde(default)]
    pub media_uploaded: u64,
    /// Thumbnails of arrived records fetched by this sync (full images come on demand,
    /// `fetch_media`).
    #[serde(default)]
    pub media_downloaded: u64,
    /// Captured media the server refused (kept, with the reason, in the media queue).
    #[serde(default)]
    pub media_failed: u64,
    /// Uploads were held back: the network is metered and the device uploads media only on
    /// an unmetered one (`SyncConfig::media_unmetered_only`).
    #[serde(default)]
    pub media_waiting_for_unmetered: bool,
}
