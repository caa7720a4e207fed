//! Refusing a malformed sync request before anything is stored.
//!
//! A request is all-or-nothing at this level: an id that is not a UUID, a kind this server does
//! not know, or more documents than allowed make the whole request a 4xx with a reason, because
//! they mean a broken or incompatible client rather than a user's edit the server disagrees with
//! (that is a per-document rejection, decided in `push`).
//!
//! The counts are checked twice on purpose: the protocol's own limits stop the decoding itself
//! (`fieldsales_protocol`, so a small body of millions of tiny changes is cheap to
//! refuse), and this server's configured limits, which may be lower, are checked here.

use axum::http::StatusCode;
use fieldsales_protocol::Kind;
use fieldsales_protocol::{ErrorCode, LocalChange, SyncRequest};
use uuid::Uuid;

use crate::accounts::Principal;
use crate::config::Limits;
use crate::error::ApiError;

/// A request whose ids, kinds and counts are known good.
#[derive(Debug, Clone)]
pub struct CheckedRequest {
    pub device_id: String,
    /// The device's Automerge actor: the 16 bytes of its id.
    pub actor: Vec<u8>,
    pub cursor: u64,
    pub docs: Vec<CheckedDoc>,
    pub resume: Option<Resume>,
    /// The answer budget: the server's, lowered by the request's `max_answer_bytes`.
    pub answer_bytes: usize,
}

#[derive(Debug, Clone)]
pub struct CheckedDoc {
    /// The id in canonical hyphenated lower-case form.
    pub doc_id: String,
    pub kind: Kind,
    pub changes: Vec<LocalChange>,
}

/// Where a paged snapshot answer continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    /// The log head when the snapshot began: the cursor its last page hands out.
    pub head: u64,
    /// The last document id already sent.
    pub after_id: String,
}

impl Resume {
    const PREFIX: &'static str = "snap1";

    pub fn encode(&self) -> String {
        format!("{}.{}.{}", Self::PREFIX, self.head, self.after_id)
    }

    pub fn parse(token: &str) -> Option<Resume> {
        let mut parts = token.splitn(3, '.');
        if parts.next()? != Self::PREFIX {
            return None;
        }
        let head = parts.next()?.parse().ok()?;
        let after_id = Uuid::parse_str(parts.next()?).ok()?.to_string();
        Some(Resume { head, after_id })
    }
}

/// The smallest answer budget honoured, so that a tiny `max_answer_bytes` cannot turn one
/// sync into thousands of round trips.
const MIN_ANSWER_BYTES: usize = 1024;

pub fn check(
    request: SyncRequest,
    principal: &Principal,
    limits: &Limits,
) -> Result<CheckedRequest, ApiError> {
    let device = Uuid::parse_str(&request.device_id)
        .map_err(|_| ApiError::invalid_field("device_id is not a UUID"))?;
    if device.to_string() != principal.device_id {
        return Err(ApiError::forbidden(
            "device_id is not the device this session was issued to",
        ));
    }
    if request.docs.len() > limits.max_docs_per_request {
        return Err(too_many(format!(
            "at most {} documents per request",
            limits.max_docs_per_request
        )));
    }
    let changes: usize = request.docs.iter().map(|d| d.changes.len()).sum();
    if changes > limits.max_changes_per_request {
        return Err(too_many(format!(
            "at most {} changes per request",
            limits.max_changes_per_request
        )));
    }
    let mut docs = Vec::with_capacity(request.docs.len());
    for doc in request.docs {
        let id = Uuid::parse_str(&doc.doc_id)
            .map_err(|_| ApiError::invalid_field("a doc_id is not a UUID"))?;
        let kind = Kind::parse(&doc.kind).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::UnknownKind,
                "a document kind is not one this server knows (customer, visit, quick_log, task)",
            )
        })?;
        docs.push(CheckedDoc {
            doc_id: id.to_string(),
            kind,
            changes: doc.changes,
        });
    }
    let resume =
        match request.resume.as_deref() {
            None => None,
            Some(token) => Some(Resume::parse(token).ok_or_else(|| {
                ApiError::invalid_field("resume is not a token this server issued")
            })?),
        };
    let asked = request
        .max_answer_bytes
        .map(|b| usize::try_from(b).unwrap_or(usize::MAX))
        .unwrap_or(usize::MAX);
    Ok(CheckedRequest {
        device_id: device.to_string(),
        actor: device.as_bytes().to_vec(),
        cursor: request.cursor,
        docs,
        resume,
        answer_bytes: asked.min(limits.max_answer_bytes).max(MIN_ANSWER_BYTES),
    })
}

fn too_many(message: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::TooManyDocuments,
        message,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldsales_protocol::{DocChanges, Role};

    fn principal(device: &str) -> Principal {
        Principal {
            tenant_id: "t".into(),
            user_id: "u".into(),
            team_id: None,
            role: Role::Rep,
            device_id: device.into(),
        }
    }

    const DEVICE: &str = "0190c1a2-0000-7000-8000-000000000001";

    fn request(kind: &str, doc_id: &str) -> SyncRequest {
        SyncRequest {
            device_id: DEVICE.into(),
            cursor: 0,
            docs: vec![DocChanges {
                doc_id: doc_id.into(),
                kind: kind.into(),
                changes: vec![],
            }],
            resume: None,
            max_answer_bytes: Some(10),
        }
    }

    #[test]
    fn a_good_request_passes_with_the_answer_budget_floored() {
        let checked = check(
            request("visit", "0190C1A2-0000-7000-8000-000000000002"),
            &principal(DEVICE),
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(
            checked.docs[0].doc_id,
            "0190c1a2-0000-7000-8000-000000000002"
        );
        assert_eq!(checked.answer_bytes, MIN_ANSWER_BYTES);
        assert_eq!(checked.actor.len(), 16);
    }

    #[test]
    fn unknown_kinds_bad_ids_and_foreign_devices_are_refused() {
        let limits = Limits::default();
        let doc = "0190c1a2-0000-7000-8000-000000000002";
        let e = check(request("invoice", doc), &principal(DEVICE), &limits).unwrap_err();
        assert_eq!(e.code, ErrorCode::UnknownKind);
        let e = check(request("visit", "nope"), &principal(DEVICE), &limits).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidField);
        let other = "0190c1a2-0000-7000-8000-00000000000f";
        let e = check(request("visit", doc), &principal(other), &limits).unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden);
    }

    #[test]
    fn too_many_documents_are_refused() {
        let limits = Limits {
            max_docs_per_request: 1,
            ..Limits::default()
        };
        let mut req = request("visit", "0190c1a2-0000-7000-8000-000000000002");
        req.docs.push(req.docs[0].clone());
        let e = check(req, &principal(DEVICE), &limits).unwrap_err();
        assert_eq!(e.code, ErrorCode::TooManyDocuments);
    }

    #[test]
    fn resume_tokens_round_trip_and_forgeries_are_refused() {
        let r = Resume {
            head: 42,
            after_id: "0190c1a2-0000-7000-8000-000000000002".into(),
        };
        assert_eq!(Resume::parse(&r.encode()), Some(r));
        assert_eq!(Resume::parse("snap1.x.y"), None);
        assert_eq!(
            Resume::parse("other.1.0190c1a2-0000-7000-8000-000000000002"),
            None
        );
    }
}
