//! The core's error type, and the one policy of what to do about an error.
//!
//! One rich enum for the whole engine, with its sources kept for debugging. Every variant is
//! something a caller can act on, and [`Error::remedy`] says what: fix the input, reload, sign
//! in again, retry later, or report. The auto-sync engine, the bindings and the command line all
//! decide through it, so a failure cannot be "retry" in one and "report" in another. The
//! libraries underneath (the database, the document engine) stay out of the public type: their
//! errors travel as an opaque [`Cause`] with its message and source chain. The sync client's
//! own error, [`SyncError`], lives here too (in `sync`), so this bottom layer of the engine
//! names nothing above it.
//! Messages never carry personal data (names, phone numbers): they name the field and the rule.

mod media;
mod sync;

use thiserror::Error;

pub use media::MediaError;
pub use sync::SyncError;

/// What went wrong, in terms the app can act on.
#[derive(Debug, Error)]
pub enum Error {
    /// The record does not exist in this store (or was purged).
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },

    /// A value was refused. `field` names it (`phones`, `credit_code`, `contacts.<id>.phone`),
    /// `reason` says which rule it broke. The store is unchanged.
    #[error("invalid {field}: {reason}")]
    Validation { field: String, reason: String },

    /// The record changed underneath the caller (for example a conflict was resolved with a
    /// value that is no longer one of the candidates). Reload and try again.
    #[error("conflict on {field}: {reason}")]
    Conflict { field: String, reason: String },

    /// The record is deleted or merged away and cannot be edited.
    #[error("{kind} {id} is deleted")]
    Deleted { kind: &'static str, id: String },

    /// A stored document could not be decoded: the file is damaged or was written by a newer,
    /// incompatible version. The document is left as it is.
    #[error("stored document {id} is unreadable: {source}")]
    CorruptDocument {
        id: String,
        #[source]
        source: Cause,
    },

    /// The local database failed (disk full, locked, damaged).
    #[error("storage: {0}")]
    Storage(#[source] Cause),

    /// The data directory could not be used.
    #[error("data directory: {0}")]
    Io(#[from] std::io::Error),

    /// The database was written by a newer version of the app.
    #[error("database schema version {found} is newer than this app supports ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },

    /// Talking to the sync server failed (see [`SyncError`] for what to do).
    #[error("sync: {0}")]
    Sync(SyncError),

    /// A photo or document was refused, or downloaded media bytes were wrong (see
    /// [`MediaError`] for what to do).
    #[error("media: {0}")]
    Media(MediaError),

    /// An Automerge operation failed on a document we built ourselves: a bug, not bad input.
    #[error("document operation failed: {0}")]
    Document(#[source] Cause),
}

/// What a caller should do about an [`Error`](enum@Error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Remedy {
    /// A value was refused: show the field and the reason; the user corrects it. Nothing was
    /// stored.
    FixInput,
    /// The record is missing, deleted or changed underneath the caller: reload, then decide
    /// again.
    Reload,
    /// There is no session, or the server refused it: sign in again. Retrying does not help.
    SignIn,
    /// A passing failure (no network, a server error, asked to slow down): try again later,
    /// nothing was lost.
    RetryLater,
    /// Trying again will not help and the user cannot fix it here (local storage failed, the
    /// server refused the request as malformed, a bug): tell the user and report it.
    Report,
}

impl Error {
    /// The one answer to "what now?" for this error.
    ///
    /// ```
    /// use fieldsales_core::{Error, Remedy};
    /// assert_eq!(Error::invalid("phones", "not a phone number").remedy(), Remedy::FixInput);
    /// ```
    pub fn remedy(&self) -> Remedy {
        match self {
            Error::Validation { .. } => Remedy::FixInput,
            Error::NotFound { .. } | Error::Conflict { .. } | Error::Deleted { .. } => {
                Remedy::Reload
            }
            Error::Sync(e) => e.remedy(),
            Error::Media(e) => e.remedy(),
            Error::CorruptDocument { .. }
            | Error::Storage(_)
            | Error::Io(_)
            | Error::SchemaTooNew { .. }
            | Error::Document(_) => Remedy::Report,
        }
    }
}

/// A failure of a library underneath the core (the database, the document engine): its message
/// and source chain, without its type in the core's API.
#[derive(Debug)]
pub struct Cause(Box<dyn std::error::Error + Send + Sync>);

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl Cause {
    pub(crate) fn new(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Cause(Box::new(e))
    }
}

impl From<MediaError> for Error {
    fn from(e: MediaError) -> Self {
        Error::Media(e)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(Cause::new(e))
    }
}

impl From<fieldsales_migrate::SchemaTooNew> for Error {
    fn from(e: fieldsales_migrate::SchemaTooNew) -> Self {
        Error::SchemaTooNew {
            found: e.found,
            supported: e.supported,
        }
    }
}

impl From<automerge::AutomergeError> for Error {
    fn from(e: automerge::AutomergeError) -> Self {
        Error::Document(Cause::new(e))
    }
}

impl Error {
    /// Places a refusal inside a batch: field `phones` of the fourth input becomes `[3].phones`.
    pub fn at_index(self, index: usize) -> Self {
        match self {
            Error::Validation { field, reason } => Error::Validation {
                field: format!("[{index}].{field}"),
                reason,
            },
            other => other,
        }
    }

    /// Shorthand for a refused value.
    pub fn invalid(field: impl Into<String>, reason: impl ToString) -> Self {
        Error::Validation {
            field: field.into(),
            reason: reason.to_string(),
        }
    }
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
