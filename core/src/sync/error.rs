//! What can go wrong while talking to the sync server.
//!
//! Each variant tells the app (and the auto-sync engine) what to do next: sign in again, wait
//! and retry, or report a bug. Messages carry status codes and the server's error code, never a
//! token, a password or a record's content.

use crate::protocol::ErrorCode;

/// A failed login, logout or sync.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// No session: sign in first.
    #[error("not signed in to a sync server")]
    NotSignedIn,

    /// The server refused the credentials or the session token (expired, logged out). Signing
    /// in again is the only remedy; retrying does not help.
    #[error("the server refused the credentials or session")]
    Unauthorized,

    /// The server could not be reached or the connection broke (no network, timeout, DNS).
    /// Retry later; nothing was lost.
    #[error("network: {0}")]
    Network(String),

    /// The server answered with an error. `status` is the HTTP status; `code` the protocol's
    /// error code when the body carried one.
    #[error("server answered {status}{}: {message}", .code.map(|c| format!(" ({c:?})")).unwrap_or_default())]
    Server {
        status: u16,
        code: Option<ErrorCode>,
        message: String,
    },

    /// The server asked to slow down.
    #[error("rate limited by the server")]
    RateLimited { retry_after_secs: Option<u64> },

    /// The server's answer could not be read (wrong framing, version, or shape).
    #[error("unreadable answer from the server: {0}")]
    BadAnswer(String),

    /// The server signed in a different user than the one this store belongs to.
    #[error("the server signed in another user than the one this store belongs to")]
    AccountMismatch,
}

impl SyncError {
    /// Whether trying again later can succeed without the user doing anything.
    pub fn is_retryable(&self) -> bool {
        match self {
            SyncError::Network(_) | SyncError::RateLimited { .. } | SyncError::BadAnswer(_) => true,
            SyncError::Server { status, .. } => *status >= 500 || *status == 408,
            SyncError::NotSignedIn | SyncError::Unauthorized | SyncError::AccountMismatch => false,
        }
    }
}
