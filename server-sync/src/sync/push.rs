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
//! The document's media references (`fieldsales_protocol::media::references`) and its
//! console read-model row (`fieldsales_protocol::record::Summary`) are stored with it, in the
//! same transaction, so neither the blob store's access check nor the console lags a push.
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

/// Why one document was not applied: the document is refused (the rest of the request goes
/// on), or storage failed (the whole sync fails and its transaction is dropped).
enum Stop {
    Refused(Refusal),
    Failed(Error),
}

impl From<Refusal> for Stop {
    fn from(refusal: Refusal) -> Stop {
        Stop::Refused(refusal)
    }
}

impl From<WriteRefusal> for Stop {
    fn from(refusal: WriteRefusal) -> Stop {
        Stop::Refused(refusal.into())
    }
}

impl From<Error> for Stop {
    fn from(error: Error) -> Stop {
        Stop::Failed(error)
    }
}

/// What an applied document added: changes new to the server, and changes it already held.
#[derive(Debug, Default)]
struct Applied {
    accepted: u64,
    already_known: u64,
}

/// One document of a request, with everything its checks read.
struct DocPush<'a> {
    viewer: &'a Viewer,
    teams: &'a Teams,
    request: &'a CheckedRequest,
    limits: &'a Limits,
    doc: &'a CheckedDoc,
    /// The server's copy before this request, if it has one.
    existing: Option<&'a StoredDoc>,
}

/// A change as parsed, beside the bytes the device sent for it.
type Incoming<'a> = (Change, &'a [u8]);

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
        let push = DocPush {
            viewer,
            teams,
            request,
            limits,
            doc,
            existing: existing.as_ref(),
        };
        let verdict = isolate(|| apply_doc(store, &push)).unwrap_or_else(|_: Malformed| {
            // Only the id: the panic's own message may quote the document.
            tracing::warn!(doc = %doc.doc_id, "malformed change: Automerge failed on it");
            Err(Stop::Refused(refuse(
                RejectReason::InvalidChange,
                "malformed change: the server could not apply it",
            )))
        });
        match verdict {
            Ok(applied) => {
                stats.changes_accepted += applied.accepted;
                stats.changes_already_known += applied.already_known;
                pushed.acked.extend(doc.changes.iter().map(|c| c.seq));
                if existing.is_none() {
                    pushed.created.insert(doc.doc_id.clone());
                }
            }
            Err(Stop::Failed(error)) => return Err(error),
            Err(Stop::Refused(refusal)) => {
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

/// Checks and applies one document's changes, in the order the module doc gives.
///
/// Every Automerge step (parsing, applying, reading the meta, the stored form) comes before
/// the first write ([`DocPush::store`]): a panic in one of them, caught by the caller, leaves
/// nothing of the document behind. Keep new Automerge work above that line.
fn apply_doc(store: &mut dyn SyncStore, push: &DocPush) -> std::result::Result<Applied, Stop> {
    let changes = push.parse_changes()?;
    push.check_existing()?;
    let mut automerge = push.load()?;
    let before_attribution = push
        .existing
        .is_some()
        .then(|| Attribution::extract(&automerge));
    let fresh = push.merge(&mut automerge, changes)?;
    let already_known = (push.doc.changes.len() - fresh.len()) as u64;
    if fresh.is_empty() {
        return Ok(Applied {
            accepted: 0,
            already_known,
        });
    }
    let meta = push.check_rules(&automerge, before_attribution.as_ref())?;
    push.check_customer_visible(store, &meta)?;
    push.store(store, meta, &automerge, &fresh)?;
    Ok(Applied {
        accepted: fresh.len() as u64,
        already_known,
    })
}

impl DocPush<'_> {
    /// Every change is within the size limit, parses, and was written by the sending device.
    fn parse_changes(&self) -> std::result::Result<Vec<Incoming<'_>>, Refusal> {
        let mut changes = Vec::with_capacity(self.doc.changes.len());
        for local in &self.doc.changes {
            if local.bytes.len() > self.limits.max_change_bytes {
                return Err(refuse(
                    RejectReason::TooLarge,
                    "a change exceeds the per-change size limit",
                ));
            }
            let Ok(change) = Change::from_bytes(local.bytes.clone()) else {
                return Err(refuse(
                    RejectReason::InvalidChange,
                    "a change is not a valid Automerge change",
                ));
            };
            if change.actor_id().to_bytes() != self.request.actor.as_slice()
                && !self.is_shared_genesis(&change)
            {
                return Err(refuse(
                    RejectReason::WrongActor,
                    "a change was written by another device's actor",
                ));
            }
            changes.push((change, local.bytes.as_slice()));
        }
        Ok(changes)
    }

    /// `change` is the shared genesis of this document (see
    /// `fieldsales_protocol::shared_genesis_actor`): written under the actor derived from the
    /// document's id, first of its actor and depending on nothing. Every device that creates
    /// the document writes the same one, so it is nobody's in particular; what it makes of the
    /// document is judged by the rules like any other change.
    fn is_shared_genesis(&self, change: &Change) -> bool {
        change.seq() == 1
            && change.deps().is_empty()
            && fieldsales_protocol::shared_genesis_actor(&self.doc.doc_id)
                .is_some_and(|actor| change.actor_id().to_bytes() == actor.as_slice())
    }

    /// The push re-creates a document from its shared genesis: the device wrote its own
    /// creation (owner, creator) on top of the genesis without knowing another device had
    /// done the same, so its writes are judged as a creation's, not as an edit of the other
    /// device's record.
    fn recreates_shared_genesis(&self) -> bool {
        self.doc.changes.iter().any(|local| {
            Change::from_bytes(local.bytes.clone()).is_ok_and(|c| self.is_shared_genesis(&c))
        })
    }

    /// The document as the pushed changes alone make it (they parsed in `parse_changes`).
    fn own_view(&self) -> Automerge {
        let mut own = Automerge::new_with_encoding(TextEncoding::Utf16CodeUnit);
        let changes: Vec<Change> = self
            .doc
            .changes
            .iter()
            .filter_map(|local| Change::from_bytes(local.bytes.clone()).ok())
            .collect();
        // Changes that build on another device's (absent here) wait in the queue: the view
        // is this device's creation.
        let _ = own.apply_changes(changes);
        own
    }

    /// The server's copy, if any, has the kind sent, and the user may write it as it stands.
    fn check_existing(&self) -> std::result::Result<(), Refusal> {
        let Some(existing) = self.existing else {
            return Ok(());
        };
        if existing.meta.kind != self.doc.kind {
            return Err(refuse(
                RejectReason::KindMismatch,
                "the document exists on the server with another kind",
            ));
        }
        if !can_write(self.viewer, &existing.meta, self.teams) {
            return Err(refuse(
                RejectReason::Forbidden,
                "the user may not write this document",
            ));
        }
        Ok(())
    }

    /// The server's copy loaded, or a new empty document.
    fn load(&self) -> Result<Automerge> {
        let options = LoadOptions::new().text_encoding(TextEncoding::Utf16CodeUnit);
        match self.existing {
            Some(d) => Automerge::load_with_options(&d.bytes, options).map_err(|_| {
                Error::CorruptDocument {
                    doc_id: d.id.clone(),
                }
            }),
            None => Ok(Automerge::new_with_encoding(TextEncoding::Utf16CodeUnit)),
        }
    }

    /// Applies the changes the document does not hold yet and returns them; refuses the
    /// document when one cannot be applied or its history is missing.
    fn merge<'c>(
        &self,
        automerge: &mut Automerge,
        changes: Vec<Incoming<'c>>,
    ) -> std::result::Result<Vec<Incoming<'c>>, Refusal> {
        // The device's own bytes go into the log (they may be compressed; the parsed change's
        // are not). `get_missing_deps` on a freshly loaded document (nothing queued) names
        // exactly the given hashes it does not hold — far cheaper than rebuilding each change
        // by hash.
        let hashes: Vec<_> = changes.iter().map(|(c, _)| c.hash()).collect();
        let unknown: HashSet<_> = automerge.get_missing_deps(&hashes).into_iter().collect();
        let fresh: Vec<Incoming> = changes
            .into_iter()
            .filter(|(c, _)| unknown.contains(&c.hash()))
            .collect();
        if fresh.is_empty() {
            return Ok(fresh);
        }
        if automerge
            .apply_changes(fresh.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>())
            .is_err()
        {
            return Err(refuse(
                RejectReason::InvalidChange,
                "a change cannot be applied to the server's document",
            ));
        }
        // A change whose dependencies are missing is queued, not applied: refuse the document
        // rather than store a gap.
        let fresh_hashes: Vec<_> = fresh.iter().map(|(c, _)| c.hash()).collect();
        if !automerge.get_missing_deps(&fresh_hashes).is_empty() {
            return Err(refuse(
                RejectReason::InvalidChange,
                "a change depends on history the server does not have",
            ));
        }
        Ok(fresh)
    }

    /// The document as it now stands holds the kind it was sent as, and the write rules
    /// (`access::check_write`, attribution) allow what the changes made of it.
    fn check_rules(
        &self,
        automerge: &Automerge,
        before_attribution: Option<&Attribution>,
    ) -> std::result::Result<DocMeta, Stop> {
        if DocMeta::stored_kind(automerge).as_deref() != Some(self.doc.kind.as_str()) {
            return Err(refuse(
                RejectReason::KindMismatch,
                "the document does not hold the kind it was sent as",
            )
            .into());
        }
        let meta = DocMeta::extract(self.doc.kind, automerge);
        let writer_actor = automerge::ActorId::from(self.request.actor.as_slice()).to_hex_string();
        if self.existing.is_some() && self.recreates_shared_genesis() {
            // Judged as the creation it is: the document as this device's own changes make it
            // from the genesis, not as an edit of what another device created meanwhile.
            let own = self.own_view();
            check_write(
                self.viewer,
                None,
                &DocMeta::extract(self.doc.kind, &own),
                self.teams,
            )?;
            check_attribution(
                &self.viewer.user_id,
                &writer_actor,
                None,
                &Attribution::extract(&own),
            )?;
            return Ok(meta);
        }
        check_write(
            self.viewer,
            self.existing.map(|e| &e.meta),
            &meta,
            self.teams,
        )?;
        check_attribution(
            &self.viewer.user_id,
            &writer_actor,
            before_attribution,
            &Attribution::extract(automerge),
        )?;
        Ok(meta)
    }

    /// A record that (newly) names a customer may name only one the user may see.
    fn check_customer_visible(
        &self,
        store: &mut dyn SyncStore,
        meta: &DocMeta,
    ) -> std::result::Result<(), Stop> {
        let customer_changed =
            !matches!(self.existing, Some(e) if e.meta.customer == meta.customer);
        let (true, Some(customer_id)) = (customer_changed, &meta.customer) else {
            return Ok(());
        };
        if let Some(customer) = store.load_doc(customer_id)? {
            if !can_see(self.viewer, &customer.meta, None, self.teams) {
                return Err(refuse(
                    RejectReason::Forbidden,
                    "customer: the record refers to a customer the user may not see",
                )
                .into());
            }
        }
        Ok(())
    }

    /// Stores the document, appends its new changes to the log, and marks a changed audience.
    fn store(
        &self,
        store: &mut dyn SyncStore,
        meta: DocMeta,
        automerge: &Automerge,
        fresh: &[Incoming],
    ) -> Result<()> {
        let doc = self.doc;
        let device = &self.request.device_id;
        // Read before the first write, like every Automerge step (see `apply_doc`).
        let media = fieldsales_protocol::media::references(doc.kind, automerge);
        let summary = fieldsales_protocol::record::Summary::read(doc.kind, automerge);
        let stored = StoredDoc {
            id: doc.doc_id.clone(),
            meta,
            bytes: stored_form(automerge, self.existing.is_none(), fresh),
        };
        store.put_doc(&stored)?;
        store.set_media_refs(&doc.doc_id, &media)?;
        store.set_summary(&doc.doc_id, &summary)?;
        for (_, bytes) in fresh {
            store.append(&doc.doc_id, device, Some(*bytes))?;
        }
        // Whoever newly sees the document (or, for a customer, its visits, quick-logs and
        // tasks) lacks its earlier history: a marker in the log, and the document's audience
        // sequence, make the pull send them whole to every device whose cursor is older.
        let audience_changed = self
            .existing
            .is_some_and(|e| e.meta.audience() != stored.meta.audience());
        if audience_changed {
            let mut marked = vec![doc.doc_id.clone()];
            if doc.kind == fieldsales_protocol::Kind::Customer {
                marked.extend(store.dependents(&doc.doc_id)?);
            }
            for id in marked {
                let seq = store.append(&id, device, None)?;
                store.mark_audience_changed(&id, seq)?;
            }
        }
        Ok(())
    }
}

/// The bytes a document is stored (and sent whole) as; both forms load as the document.
///
/// A document whose whole history is one change — most records: a visit or a quick-log is
/// written once — is kept as that change, uncompressed. A saved document repeats the hash of
/// its head (32 incompressible bytes) and packs its content apart from every other record's;
/// the bare change carries no hash at all (the receiver computes it), so a snapshot of
/// thousands of such records compresses as one stream of similar text. Longer histories are
/// saved compacted but without DEFLATE for the same reason: the answer as a whole is compressed.
fn stored_form(automerge: &Automerge, new: bool, fresh: &[Incoming]) -> Vec<u8> {
    if let [(change, _)] = fresh {
        if new && change.deps().is_empty() && automerge.get_heads() == [change.hash()] {
            return change.raw_bytes().to_vec();
        }
    }
    automerge.save_nocompress()
}
