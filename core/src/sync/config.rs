//! How this device syncs: the settings of the sync client, held by [`crate::config::Config`].
//!
//! Plain data and the [`Transport`] a caller may give; it sits below the settings of the whole
//! store so that `Config` can hold it, and knows nothing of how a sync runs.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::protocol::limits;

use super::backoff::Backoff;
use super::transport::Transport;

/// How this device syncs. The defaults suit a phone; tests shorten the delays.
#[derive(Clone)]
pub struct SyncConfig {
    /// Allow plain `http://` to servers other than this device (a company's lab network).
    pub allow_insecure_http: bool,
    /// Local writes within this delay go up together.
    pub debounce: Duration,
    /// A sync at least this often while online, even without triggers.
    pub periodic: Duration,
    /// Retry delays after a failure.
    pub backoff: Backoff,
    /// Login and sync requests give up after this long.
    pub request_timeout: Duration,
    /// Ask the server for answers no larger than this (bytes, uncompressed).
    pub max_answer_bytes: Option<u64>,
    /// Most outbox changes sent in one request.
    pub max_changes_per_request: usize,
    /// A label for the admin's device list ("Pixel 8").
    pub device_name: Option<String>,
    /// Photo and document uploads wait for an unmetered network (Wi-Fi) when the app reports
    /// a metered one ([`super::SyncClient::set_network`]); records still sync on any network.
    /// The device keeps no originals, so what waits are the shrunk photos (a few hundred KB
    /// each). Off by default; [`super::SyncClient::set_media_unmetered_only`] changes it while
    /// the app runs.
    pub media_unmetered_only: bool,
    /// Carries the messages; `None` means HTTPS ([`super::http::HttpTransport`]).
    pub transport: Option<Arc<dyn Transport>>,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            allow_insecure_http: false,
            debounce: Duration::from_secs(2),
            periodic: Duration::from_secs(15 * 60),
            backoff: Backoff {
                initial: Duration::from_secs(1),
                max: Duration::from_secs(5 * 60),
            },
            request_timeout: Duration::from_secs(60),
            max_answer_bytes: None,
            max_changes_per_request: limits::MAX_CHANGES_PER_REQUEST,
            device_name: None,
            media_unmetered_only: false,
            transport: None,
        }
    }
}

impl std::fmt::Debug for SyncConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncConfig")
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("debounce", &self.debounce)
            .field("periodic", &self.periodic)
            .field("backoff", &self.backoff)
            .field("request_timeout", &self.request_timeout)
            .field("max_answer_bytes", &self.max_answer_bytes)
            .field("max_changes_per_request", &self.max_changes_per_request)
            .field("media_unmetered_only", &self.media_unmetered_only)
            .field("custom_transport", &self.transport.is_some())
            .finish_non_exhaustive()
    }
}

/// The kind of network the platform reports (`ConnectivityManager`'s `NOT_METERED`,
/// `NWPath.isExpensive`/`isConstrained`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum NetworkKind {
    /// Mobile data, a hotspot, or not reported yet: it may cost the user money.
    #[default]
    Metered,
    /// Wi-Fi or Ethernet without a data cap.
    Unmetered,
}
