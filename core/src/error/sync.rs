//! What can go wrong while talking to the sync server.
//!
//! Each variant tells the app (and the auto-sync engine) what to do next: sign in again, wait
//! and retry, or report a bug. Messages carry status codes and the server's error code, never a
//! token, a password or a record's content.

use super::Remedy;
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

    /// The server holds no media blob by that hash for this user: not uploaded yet, or no
    /// record the user may see refers to it (the server does not say which). Reload the
    /// record and decide again; a download may succeed once the uploader's phone has synced.
    #[error("the media is not available on the server")]
    MediaNotAvailable,

    /// The server signed in a different user than the one this store belongs to.
    #[error("the server signed in another user than the one this store belongs to")]
    AccountMismatch,
}

impl SyncError {
    /// What to do about it (the sync half of [`super::Error::remedy`]). A server's 5xx, 408 or
    /// 429 passes; any other 4xx refuses the request as it is (malformed, too large, another
    /// protocol version), so sending it again cannot help and it is reported instead.
    pub fn remedy(&self) -> Remedy {
        match self {
            SyncError::NotSignedIn | SyncError::Unauthorized | SyncError::AccountMismatch => {
                Remedy::SignIn
            }
            SyncError::Network(_) | SyncError::RateLimited { .. } | SyncError::BadAnswer(_) => {
                Remedy::RetryLater
            }
            SyncError::Server { status, .. } if *status >= 500 || matches!(status, 408 | 429) => {
                Remedy::RetryLater
            }
            SyncError::MediaNotAvailable => Remedy::Reload,
            SyncError::Server { .. } => Remedy::Report,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(status: u16) -> SyncError {
        SyncError::Server {
            status,
            code: None,
            message: String::new(),
        }
    }

    #[test]
    fn a_refused_session_means_sign_in_and_passing_failures_mean_retry() {
        for e in [
            SyncError::NotSignedIn,
            SyncError::Unauthorized,
            SyncError::AccountMismatch,
        ] {
            assert_eq!(e.remedy(), Remedy::SignIn, "{e:?}");
        }
        for e in [
            SyncError::Network("timed out".into()),
            SyncError::RateLimited {
                retry_after_secs: Some(3),
            },
            SyncError::BadAnswer("truncated".into()),
            server(500),
            server(503),
            server(408),
            server(429),
        ] {
            assert_eq!(e.remedy(), Remedy::RetryLater, "{e:?}");
        }
    }

    #[test]
    fn a_request_the_server_refuses_as_it_is_is_reported_not_retried() {
        for status in [400, 404, 413, 415] {
            assert_eq!(server(status).remedy(), Remedy::Report, "{status}");
        }
    }
}
