//! Errors: the rich internal [`Error`] and the small [`ApiError`] a client sees.
//!
//! Internal errors keep their sources (`#[from]`) for the logs; what goes on the wire is an
//! [`ErrorBody`] with a stable [`ErrorCode`] and a sentence without personal data. The mapping
//! from one to the other lives here and nowhere else, so every endpoint answers alike.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use fieldsales_protocol::{DecodeError, ErrorBody, ErrorCode, ErrorDetail};

/// What went wrong inside the server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("blob store: {0}")]
    Blob(#[from] object_store::Error),
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("{what} already exists")]
    AlreadyExists { what: &'static str },
    #[error("invalid {field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
    #[error("the device is registered to another user")]
    DeviceTaken,
    #[error("this account already has {max} devices; an admin must allow a new one")]
    DeviceLimit { max: usize },
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    #[error("stored document {doc_id} cannot be loaded")]
    CorruptDocument { doc_id: String },
    #[error("configuration: {0}")]
    Config(String),
    #[error("the database's schema version {found} is newer than this server supports ({supported}); run the newer server")]
    SchemaTooNew { found: i64, supported: i64 },
}

impl From<fieldsales_migrate::SchemaTooNew> for Error {
    fn from(e: fieldsales_migrate::SchemaTooNew) -> Self {
        Error::SchemaTooNew {
            found: e.found,
            supported: e.supported,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An answer refusing a request: HTTP status, machine code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    /// A media upload's `Upload-Offset`, sent back with a 409 so the device resumes from it.
    pub upload_offset: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            upload_offset: None,
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::MalformedBody, message)
    }

    pub fn invalid_field(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, message)
    }

    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            message,
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "no such endpoint",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "the server failed; retry later",
        )
    }
}

impl From<DecodeError> for ApiError {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::UnsupportedVersion { .. } => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedVersion,
                e.to_string(),
            ),
            DecodeError::TooLarge { .. } => ApiError::too_large(e.to_string()),
            DecodeError::TooMany { .. } => ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::TooManyDocuments,
                e.to_string(),
            ),
            DecodeError::NotSyncBody | DecodeError::Compression | DecodeError::Message(_) => {
                ApiError::malformed(e.to_string())
            }
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::DeviceTaken | Error::DeviceLimit { .. } => ApiError::forbidden(e.to_string()),
            Error::Invalid { .. } => ApiError::invalid_field(e.to_string()),
            Error::NotFound { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, e.to_string())
            }
            other => {
                // The cause goes to the log (it names no person); the client gets a code.
                tracing::error!(error = %other, "request failed inside the server");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(offset) = self.upload_offset {
            response.headers_mut().insert(
                fieldsales_protocol::media::UPLOAD_OFFSET,
                axum::http::HeaderValue::from(offset),
            );
        }
        response
    }
}
