//! The one error type apps see, and the guard that keeps panics on the Rust side.
//!
//! The core's error is rich (sources, internal detail); apps need to know what to do: show the
//! field that was refused, reload, sign in again, retry later. So the core's variants fold into
//! a few here, and the detail text never carries personal data (the core's messages name fields
//! and rules, not values).
//!
//! Naming is chosen for the generated code: UniFFI renames `*Error` to `*Exception` in Kotlin,
//! a field named `message` would clash with `Throwable.message`, and a variant named like its
//! payload type breaks Kotlin, so payloads are plain strings named `detail`, `field`, `reason`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use fieldsales_core::error::MediaError;
use fieldsales_core::sync::SyncError;
use fieldsales_core::{Error as CoreError, Remedy};

/// What went wrong, in terms an app can act on.
///
/// Kotlin: `catch (e: FieldSalesException.Validation) { showError(e.field, e.reason) }`.
/// Swift: `catch FieldSalesError.Validation(let field, let reason) { … }`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum FieldSalesError {
    /// The record does not exist on this device (or the id is not a record id).
    #[error("{kind} {id} not found")]
    NotFound { kind: String, id: String },
    /// A value was refused: `field` names it (`phones`, `[3].phone`, `contacts.<id>.email`),
    /// `reason` says which rule it broke. Nothing was stored.
    #[error("invalid {field}: {reason}")]
    Validation { field: String, reason: String },
    /// The record changed underneath the caller (for example a conflict resolved elsewhere):
    /// reload and try again.
    #[error("conflict on {field}: {reason}")]
    Conflict { field: String, reason: String },
    /// The record is deleted or merged away and cannot be edited.
    #[error("{kind} {id} is deleted")]
    Deleted { kind: String, id: String },
    /// The server refused the session: sign in again. (Raised by sync.)
    #[error("unauthorized: {detail}")]
    Unauthorized { detail: String },
    /// The server could not be reached or answered badly: retry later. (Raised by sync.)
    #[error("network: {detail}")]
    Network { detail: String },
    /// The local database or data directory failed (disk full, damaged file, a database from a
    /// newer app version).
    #[error("storage: {detail}")]
    Storage { detail: String },
    /// A bug: a panic or broken invariant inside the core caught at the boundary, or a request
    /// the server refuses as it is (retrying cannot help). Worth a crash report; the store is
    /// unchanged by the failed call.
    #[error("internal: {detail}")]
    Internal { detail: String },
}

impl From<CoreError> for FieldSalesError {
    fn from(e: CoreError) -> Self {
        let detail = e.to_string();
        match e {
            CoreError::NotFound { kind, id } => FieldSalesError::NotFound {
                kind: kind.to_string(),
                id,
            },
            CoreError::Validation { field, reason } => {
                FieldSalesError::Validation { field, reason }
            }
            CoreError::Conflict { field, reason } => FieldSalesError::Conflict { field, reason },
            CoreError::Deleted { kind, id } => FieldSalesError::Deleted {
                kind: kind.to_string(),
                id,
            },
            CoreError::CorruptDocument { .. }
            | CoreError::Storage(_)
            | CoreError::Io(_)
            | CoreError::SchemaTooNew { .. } => FieldSalesError::Storage { detail },
            CoreError::Document(_) => FieldSalesError::Internal { detail },
            CoreError::Sync(e) => e.into(),
            // A refused image is the user's to fix (pick or convert another); the rest are the
            // downloader's to retry.
            CoreError::Media(MediaError::Unreferenced { hash }) => FieldSalesError::NotFound {
                kind: "media".into(),
                id: hash,
            },
            CoreError::Media(e) => match e.remedy() {
                Remedy::FixInput => FieldSalesError::Validation {
                    field: "image".into(),
                    reason: e.to_string(),
                },
                _ => FieldSalesError::Network { detail },
            },
        }
    }
}

/// Sync failures fold by the core's remedy ([`fieldsales_core::Remedy`]): sign in (again),
/// retry later, or report (a request the server refuses as it is). The core's messages carry
/// status codes and error codes, never a token or a password.
impl From<SyncError> for FieldSalesError {
    fn from(e: SyncError) -> Self {
        let detail = e.to_string();
        if let SyncError::MediaNotAvailable = e {
            // Not on the server, or not for this user: the same answer, on purpose.
            return FieldSalesError::NotFound {
                kind: "media".into(),
                id: String::new(),
            };
        }
        match e.remedy() {
            Remedy::SignIn => FieldSalesError::Unauthorized { detail },
            Remedy::RetryLater => FieldSalesError::Network { detail },
            Remedy::FixInput | Remedy::Reload | Remedy::Report => {
                FieldSalesError::Internal { detail }
            }
        }
    }
}

impl FieldSalesError {
    pub(crate) fn invalid(field: &str, reason: &str) -> Self {
        FieldSalesError::Validation {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// The result of every exported call.
pub type Result<T, E = FieldSalesError> = std::result::Result<T, E>;

/// Runs one exported call so that a panic inside it comes out as
/// [`FieldSalesError::Internal`] instead of unwinding into (and killing) the app.
pub(crate) fn guard<T>(call: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic without a message".into());
            Err(FieldSalesError::Internal {
                detail: format!("panic: {detail}"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_a_call_becomes_an_internal_error() {
        let result: Result<()> = guard(|| panic!("invariant broken"));
        match result {
            Err(FieldSalesError::Internal { detail }) => assert!(detail.contains("invariant")),
            other => panic!("expected Internal, got {other:?}"),
        }
    }

    #[test]
    fn sync_errors_say_sign_in_again_or_retry_later() {
        let refused: FieldSalesError = CoreError::Sync(SyncError::Unauthorized).into();
        assert!(matches!(refused, FieldSalesError::Unauthorized { .. }));
        let offline: FieldSalesError =
            CoreError::Sync(SyncError::Network("connection refused".into())).into();
        match offline {
            FieldSalesError::Network { detail } => assert!(detail.contains("connection refused")),
            other => panic!("expected Network, got {other:?}"),
        }
    }

    #[test]
    fn core_refusals_keep_their_field_and_reason() {
        let e: FieldSalesError = CoreError::invalid("phones", "not a phone number").into();
        match e {
            FieldSalesError::Validation { field, reason } => {
                assert_eq!(field, "phones");
                assert_eq!(reason, "not a phone number");
            }
            other => panic!("expected Validation, got {other:?}"),
        }
    }
}
