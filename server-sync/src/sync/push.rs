//! Applying a device's outbox: each document's changes are accepted whole or rejected whole.
//!
//! For each document the server checks, in order: the change sizes, that every change parses
//! and was written by the sending device's actor, that the stored document has the same kind,
//! that the user may write the document as it stands (and, for a new document, as it would
//! stand), that the rules allow what the changes make of it (`access::check_write`: owner, team, visibility, customer, attribution), that it does not attach
//! itself to a customer the user may not see, and that every change's dependencies are known. Only then are the new changes
//! appended to the log and the document stored. A rejected document leaves the server
//! untouched, and its rejection carries the server's copy when the user may see it.
//!
//! Automerge panics on some crafted changes. Each document's work runs inside
//! [`isolate`], and does all its Automerge work before its first write to the store, so a
//! panic leaves the store untouched: the document is rejected as `invalid_change` ("malformed
//! change") and the other documents of the request are applied and acknowledged.
//!
//! Idempotency comes from Automerge's change hashes: a change the document already holds is
//! acknowledged again without a new log entry, so a request retried after a lost answer
//! creates nothing twice.

use std::collections::HashSet;

use automerge::{Automerge, Change, LoadOptions, ReadDoc, TextEncoding};
use fieldsales_protocol::isolate::{isolate, Malformed};
use fieldsales_protocol::{RejectReason, Rejection};

use super::check::{CheckedDoc, CheckedRequest};
use super::{StoredDoc, SyncStats, SyncStore};
use crate::access::{
    can_see, can_write, check_attribution, check_write, Attribution, DocMeta, Teams, Viewer,
    WriteRefusal,
};
use crate::config::Limits;
use crate::error::{Error, Result};

/// The acknowledgements and rejections of one request.
#[derive(Debug, Default)]
pub(super) struct Pushed {
    pub acked: Vec<i64>,
    pub rejected: Vec<Rejection>,
    /// Documents this request created on the server: the device holds all of them already.
    pub created: HashSet<String>,
}

/// A refusal of one document, before it is turned into a [`Rejection`].
struct Refusal {
    reason: RejectReason,
    detail: String,
}

fn refuse(reason: RejectReason, detail: &'static str) -> Refusal {
    Refusal {
        reason,
        detail: detail.to_string(),
    }
}

/// A breach of the write rules: `forbidden`, with the field at fault leading the detail.
impl From<WriteRefusal> for Refusal {
    fn from(refusal: WriteRefusal) -> Refusal {
        Refusal {
            reason: RejectReason::Forbidden,
            detail: refusal.to_string(),
        }
    }
}

pub(super) fn apply(
    store: &mut dyn SyncStore,
    viewer: &Viewer,
    teams: &Teams,
    request: &CheckedRequest,
    limits: &Limits,
    stats: &mut SyncStats,
) -> Result<Pushed> {
    let mut pushed = Pushed::default();
    for doc in &request.docs {
        if doc.changes.is_empty() {
            continue;
        }
        let existing = store.load_doc(&doc.doc_id)?;
        let verdict = isolate(|| {
            apply_doc(
                store,
                viewer,
                teams,
                request,
                limits,
                doc,
                existing.as_ref(),
                stats,
            )
        })
        .unwrap_or_else(|_: Malformed| {
            // Only the id: the panic's own message may quote the document.
            tracing::warn!(doc = %doc.doc_id, "malformed change: Automerge failed on it");
            Ok(Err(refuse(
                RejectReason::InvalidChange,
                "malformed change: the server could not apply it",
            )))
        });
        match verdict? {
            Ok(()) => {
                pushed.acked.extend(doc.changes.iter().map(|c| c.seq));
                if existing.is_none() {
                    pushed.created.insert(doc.doc_id.clone());
                }
            }
            Err(refusal) => {
                let server_doc = existing
                    .filter(|d| {
                        let customer = customer_of(store, &d.meta).ok().flatten();
                        can_see(viewer, &d.meta, customer.as_ref(), teams)
                    })
                    .map(|d| d.bytes);
                stats.rejections.push(refusal.reason);
                pushed.rejected.push(Rejection {
                    doc_id: doc.doc_id.clone(),
                    kind: doc.kind.as_str().to_string(),
                    seqs: doc.changes.iter().map(|c| c.seq).collect(),
                    reason: refusal.reason,
                    detail: refusal.detail,
                    server_doc,
                });
            }
        }
    }
    Ok(pushed)
}

fn customer_of(
    store: &mut dyn SyncStore,
    meta: &DocMeta,
) -> Result<Option<crate::access::CustomerAudience>> {
    match &meta.customer {
        Some(id) => Ok(store.load_doc(id)?.map(|c| c.meta.as_customer())),
        None => Ok(None),
    }
}

/// Checks and applies one document's changes. The outer `Result` is a storage failure (the
/// whole sync fails); the inner one is this document's verdict.
///
/// Every Automerge step (parsing, applying, reading the meta, the stored form) comes before
/// the first write (`put_doc`): a panic in one of them, caught by the caller, leaves nothing
/// of the document behind. Keep new Automerge work above that line.
#[allow(clippy::too_many_arguments)]
fn apply_doc(
    store: &mut dyn SyncStore,
    viewer: &Viewer,
    teams: &Teams,
    request: &CheckedRequest,
    limits: &Limits,
    doc: &CheckedDoc,
    existing: Option<&StoredDoc>,
    stats: &mut SyncStats,
) -> Result<Result<(), Refusal>> {
    let mut changes = Vec::with_capacity(doc.changes.len());
    for local in &doc.changes {
        if local.bytes.len() > limits.max_change_bytes {
            return Ok(Err(refuse(
                RejectReason::TooLarge,
                "a change exceeds the per-change size limit",
            )));
        }
        let Ok(change) = Change::from_bytes(local.bytes.clone()) else {
            return Ok(Err(refuse(
                RejectReason::InvalidChange,
                "a change is not a valid Automerge change",
            )));
        };
        if change.actor_id().to_bytes() != request.actor.as_slice() {
            return Ok(Err(refuse(
                RejectReason::WrongActor,
                "a change was written by another device's actor",
            )));
        }
        changes.push((change, local.bytes.as_slice()));
    }
    if let Some(existing) = existing {
        if existing.meta.kind != doc.kind {
            return Ok(Err(refuse(
                RejectReason::KindMismatch,
                "the document exists on the server with another kind",
            )));
        }
        if !can_write(viewer, &existing.meta, teams) {
            return Ok(Err(refuse(
                RejectReason::Forbidden,
                "the user may not write this document",
            )));
        }
    }
    let options = LoadOptions::new().text_encoding(TextEncoding::Utf16CodeUnit);
    let mut automerge = match existing {
        Some(d) => {
            Automerge::load_with_options(&d.bytes, options).map_err(|_| Error::CorruptDocument {
                doc_id: d.id.clone(),
            })?
        }
        None => Automerge::new_with_encoding(TextEncoding::Utf16CodeUnit),
    };
    // The device's own bytes go into the log (they may be compressed; the parsed change's are
    // not). `get_missing_deps` on a freshly loaded document (nothing queued) names exactly the
    // given hashes it does not hold — far cheaper than rebuilding each change by hash.
    let before_attribution = existing.is_some().then(|| Attribution::extract(&automerge));
    let hashes: Vec<_> = changes.iter().map(|(c, _)| c.hash()).collect();
    let unknown: HashSet<_> = automerge.get_missing_deps(&hashes).into_iter().collect();
    let fresh: Vec<(Change, &[u8])> = changes
        .into_iter()
        .filter(|(c, _)| unknown.contains(&c.hash()))
        .collect();
    let already_known = doc.changes.len() - fresh.len();
    if fresh.is_empty() {
        stats.changes_already_known += already_known as u64;
        return Ok(Ok(()));
    }
    if automerge
        .apply_changes(fresh.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>())
        .is_err()
    {
        return Ok(Err(refuse(
            RejectReason::InvalidChange,
            "a change cannot be applied to the server's document",
        )));
    }
    // A change whose dependencies are missing is queued, not applied: refuse the document
    // rather than store a gap.
    let fresh_hashes: Vec<_> = fresh.iter().map(|(c, _)| c.hash()).collect();
    if !automerge.get_missing_deps(&fresh_hashes).is_empty() {
        return Ok(Err(refuse(
            RejectReason::InvalidChange,
            "a change depends on history the server does not have",
        )));
    }
    if DocMeta::stored_kind(&automerge).as_deref() != Some(doc.kind.as_str()) {
        return Ok(Err(refuse(
            RejectReason::KindMismatch,
            "the document does not hold the kind it was sent as",
        )));
    }
    let meta = DocMeta::extract(doc.kind, &automerge);
    let writer_actor = automerge::ActorId::from(request.actor.as_slice()).to_hex_string();
    let verdict = check_write(viewer, existing.map(|e| &e.meta), &meta, teams).and_then(|()| {
        check_attribution(
            &viewer.user_id,
            &writer_actor,
            before_attribution.as_ref(),
            &Attribution::extract(&automerge),
        )
    });
    if let Err(refusal) = verdict {
        return Ok(Err(refusal.into()));
    }
    let customer_changed = !matches!(existing, Some(e) if e.meta.customer == meta.customer);
    if let (true, Some(customer_id)) = (customer_changed, &meta.customer) {
        if let Some(customer) = store.load_doc(customer_id)? {
            if !can_see(viewer, &customer.meta, None, teams) {
                return Ok(Err(refuse(
                    RejectReason::Forbidden,
                    "customer: the record refers to a customer the user may not see",
                )));
            }
        }
    }
    let stored = StoredDoc {
        id: doc.doc_id.clone(),
        meta,
        bytes: stored_form(&automerge, existing.is_none(), &fresh),
    };
    store.put_doc(&stored)?;
    for (_, bytes) in &fresh {
        store.append(&doc.doc_id, &request.device_id, Some(*bytes))?;
    }
    // Whoever newly sees the document (or, for a customer, its visits, quick-logs and tasks)
    // lacks its earlier history: a marker in the log, and the document's audience sequence,
    // make the pull send them whole to every device whose cursor is older.
    let audience_changed = existing.is_some_and(|e| e.meta.audience() != stored.meta.audience());
    if audience_changed {
        let mut marked = vec![doc.doc_id.clone()];
        if doc.kind == fieldsales_protocol::Kind::Customer {
            marked.extend(store.dependents(&doc.doc_id)?);
        }
        for id in marked {
            let seq = store.append(&id, &request.device_id, None)?;
            store.mark_audience_changed(&id, seq)?;
        }
    }
    stats.changes_accepted += fresh.len() as u64;
    stats.changes_already_known += already_known as u64;
    Ok(Ok(()))
}

/// The bytes a document is stored (and sent whole) as; both forms load as the document.
///
/// A document whose whole history is one change — most records: a visit or a quick-log is
/// written once — is kept as that change, uncompressed. A saved document repeats the hash of
/// its head (32 incompressible bytes) and packs its content apart from every other record's;
/// the bare change carries no hash at all (the receiver computes it), so a snapshot of
/// thousands of such records compresses as one stream of similar text. Longer histories are
/// saved compacted but without DEFLATE for the same reason: the answer as a whole is compressed.
fn stored_form(automerge: &Automerge, new: bool, fresh: &[(Change, &[u8])]) -> Vec<u8> {
    if let [(change, _)] = fresh {
        if new && change.deps().is_empty() && automerge.get_heads() == [change.hash()] {
            return change.raw_bytes().to_vec();
        }
    }
    automerge.save_nocompress()
}
