//! The core's error type.
//!
//! One rich enum for the whole engine, with `#[from]` sources kept for debugging. Every variant
//! is something a caller can act on: the bindings map it one-to-one onto the small FFI enum.
//! Messages never carry personal data (names, phone numbers): they name the field and the rule.

use thiserror::Error;

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
        source: Box<automerge::AutomergeError>,
    },

    /// The local database failed (disk full, locked, damaged).
    #[error("storage: {0}")]
    Storage(#[from] rusqlite::Error),

    /// The data directory could not be used.
    #[error("data directory: {0}")]
    Io(#[from] std::io::Error),

    /// The database was written by a newer version of the app.
    #[error("database schema version {found} is newer than this app supports ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },

    /// Talking to the sync server failed (see [`crate::sync::SyncError`] for what to do).
    #[error("sync: {0}")]
    Sync(crate::sync::SyncError),

    /// An Automerge operation failed on a document we built ourselves: a bug, not bad input.
    #[error("document operation failed: {0}")]
    Document(Box<automerge::AutomergeError>),
}

impl From<automerge::AutomergeError> for Error {
    fn from(e: automerge::AutomergeError) -> Self {
        Error::Document(Box::new(e))
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
