//! Applying one server answer to the store, as one transaction.
//!
//! One document whose bytes cannot be merged (malformed, or making Automerge panic) is skipped
//! and counted in the report (`SyncReport::skipped`); the rest of the answer is applied.
//! Otherwise everything an answer says happens together or not at all: merged documents and their
//! projections, refused edits moved to the rejected list (and the server's version taken),
//! erased documents removed, acknowledged outbox rows deleted, the cursor moved. A crash or an
//! error halfway leaves the store as before the answer, and the next sync repeats the round
//! trip; merging the same changes twice is harmless (Automerge deduplicates by hash), and the
//! server acknowledges changes it already has, so the repeat converges to the same state.

use automerge::ActorId;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::protocol::{DocUpdate, Rejection, SyncResponse};
use crate::record::conflicts;
use crate::record::isolate::{isolate, Malformed};
use crate::record::{schema::Kind, RecordDoc};
use crate::store::{Projections, Row};

use super::state::{self, RejectedEdit};

/// A record where merging brought in concurrent values for a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ConflictFound {
    pub record_id: String,
    pub kind: Kind,
    /// Dotted names of the conflicted fields (see [`crate::conflict::Conflicts::for_record`]).
    pub fields: Vec<String>,
}

/// What one applied answer did.
#[derive(Debug, Clone, Default)]
pub(crate) struct Applied {
    pub acked: u64,
    pub received: u64,
    pub purged: u64,
    pub skipped: u64,
    pub rejected: Vec<RejectedEdit>,
    pub conflicts: Vec<ConflictFound>,
}

/// A record that arrived in one piece (a snapshot, or a record whose whole history is one
/// change), loaded and read ahead of the transaction that stores it.
pub(crate) struct ReadAhead {
    row: Row,
    /// Names of its conflicted fields.
    conflicts: Vec<String>,
}

/// Reads every record of `answer` that arrives in one piece: loading the document and reading
/// its projection row and conflicts is the costly part of applying an answer, and needs no
/// database. One entry per `answer.docs`; `None` where the update takes the ordinary merge
/// (several changes, or bytes that do not load as a record of their kind — the merge then
/// refuses them with its reason). The sync client runs this for the next answer while the last
/// one is written, split over the device's cores.
pub(crate) fn prepare(
    answer: &SyncResponse,
    actor: &ActorId,
    projections: &Projections,
) -> Vec<Option<ReadAhead>> {
    let docs = &answer.docs;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if threads < 2 || docs.len() < 256 {
        return docs
            .iter()
            .map(|u| read_ahead(u, actor, projections))
            .collect();
    }
    std::thread::scope(|scope| {
        let parts: Vec<_> = docs
            .chunks(docs.len().div_ceil(threads))
            .map(|part| {
                let handle = scope.spawn(move || {
                    part.iter()
                        .map(|u| read_ahead(u, actor, projections))
                        .collect::<Vec<_>>()
                });
                (part.len(), handle)
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|(len, handle)| {
                // A panic while reading one part only costs the read-ahead of that part.
                handle
                    .join()
                    .unwrap_or_else(|_| std::iter::repeat_with(|| None).take(len).collect())
            })
            .collect()
    })
}

/// Reads one record ahead; a record Automerge panics on is not read ahead, and the merge then
/// skips it.
fn read_ahead(update: &DocUpdate, actor: &ActorId, projections: &Projections) -> Option<ReadAhead> {
    isolate(|| read_whole(update, actor, projections))
        .ok()
        .flatten()
}

fn read_whole(update: &DocUpdate, actor: &ActorId, projections: &Projections) -> Option<ReadAhead> {
    let [bytes] = update.data.as_slice() else {
        return None;
    };
    let id = Uuid::parse_str(&update.doc_id).ok()?;
    let kind = Kind::parse(&update.kind)?;
    let record = RecordDoc::load(id, kind, bytes, actor).ok()?;
    (record.stored_kind().as_deref() == Some(kind.as_str())).then(|| ReadAhead {
        row: projections.read(&record),
        conflicts: conflicts::find(&record)
            .into_iter()
            .map(|c| c.field)
            .collect(),
    })
}

/// Stores a record read ahead when this device does not hold it yet (the bytes as they came,
/// its rows, its conflicts). `false` when the record is already here: it takes the merge.
fn store_new(
    tx: &Transaction<'_>,
    id: &str,
    kind: Kind,
    bytes: &[u8],
    read: &ReadAhead,
) -> Result<bool> {
    let held = tx
        .prepare_cached("SELECT 1 FROM docs WHERE id = ?1")?
        .exists([id])?;
    if held {
        return Ok(false);
    }
    crate::store::writer::put_whole(tx, id, kind, bytes, &read.row, read.conflicts.len())?;
    Ok(true)
}

/// What merging one incoming document came to.
enum Merged {
    /// Stored, with the conflicts it brought in, if any.
    Applied(Option<ConflictFound>),
    /// Its bytes could not be merged (malformed, or not the kind they claim): left aside and
    /// nothing of it stored.
    Skipped,
}

/// Merges one incoming document inside a savepoint, so that a document whose bytes Automerge
/// refuses (or panics on: see [`crate::record::isolate`]) costs that document only. A storage
/// failure still fails the whole answer, which the next sync repeats.
fn merge_isolated(
    tx: &Transaction<'_>,
    projections: &Projections,
    actor: &ActorId,
    id: Uuid,
    kind: Kind,
    data: &[serde_bytes::ByteBuf],
) -> Result<Merged> {
    tx.prepare_cached("SAVEPOINT incoming_doc")?.execute([])?;
    let outcome = match isolate(|| merge(tx, projections, actor, id, kind, data)) {
        Ok(Ok(conflict)) => {
            tx.prepare_cached("RELEASE incoming_doc")?.execute([])?;
            return Ok(Merged::Applied(conflict));
        }
        Ok(Err(e @ (Error::Storage(_) | Error::Io(_)))) => Err(e),
        Ok(Err(_)) | Err(Malformed) => Ok(Merged::Skipped),
    };
    // Whatever the merge wrote before it failed goes; the document stays as it was here.
    tx.prepare_cached("ROLLBACK TO incoming_doc")?.execute([])?;
    tx.prepare_cached("RELEASE incoming_doc")?.execute([])?;
    if let Ok(Merged::Skipped) = outcome {
        // The id only: the bytes (and a panic's message) may quote the record.
        tracing::warn!(doc = %id, kind = kind.as_str(), "malformed change from the server: document skipped");
    }
    outcome
}

/// Merges one incoming document and names the conflicts it brought in.
fn merge(
    tx: &Transaction<'_>,
    projections: &Projections,
    actor: &ActorId,
    id: Uuid,
    kind: Kind,
    data: &[serde_bytes::ByteBuf],
) -> Result<Option<ConflictFound>> {
    let before: i64 = tx
        .prepare_cached("SELECT fields FROM conflicted WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let record = crate::outbox::merge_incoming(tx, projections, actor, id, kind, data)?;
    // The projection has just counted the conflicts into `conflicted`; the fields are named (a
    // second walk of the document) only for the rare record that gained some.
    let after: i64 = tx
        .prepare_cached("SELECT fields FROM conflicted WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    Ok((after > before).then(|| ConflictFound {
        record_id: id.to_string(),
        kind,
        fields: conflicts::find(&record)
            .into_iter()
            .map(|f| f.field)
            .collect(),
    }))
}

/// Applies `answer` inside `tx` (the caller commits). `ahead` is [`prepare`]'s result for this
/// answer, or empty.
pub(crate) fn apply(
    tx: &Transaction<'_>,
    engine: &Engine,
    answer: &SyncResponse,
    ahead: Vec<Option<ReadAhead>>,
    now: DateTime<Utc>,
) -> Result<Applied> {
    let projections = engine.store.projections();
    let mut applied = Applied::default();
    // Refusals first: the device takes the server's version, and any update for the same
    // document in this answer then merges onto it.
    for rejection in &answer.rejected {
        applied.rejected.extend(take_rejection(
            tx,
            projections,
            &engine.actor,
            rejection,
            now,
        )?);
    }
    let mut ahead = ahead.into_iter();
    for update in &answer.docs {
        let read = ahead.next().flatten();
        receive(tx, projections, &engine.actor, update, read, &mut applied)?;
    }
    for doc_id in &answer.purged {
        purge(tx, projections, doc_id)?;
        applied.purged += 1;
    }
    // Merges that met other devices' changes settle in the same transaction (see `dedup`).
    crate::dedup::settle_pending(&engine.writer(tx, now))?;
    applied.acked = acknowledge(tx, &answer.acked)?;
    if let Some(settings) = &answer.settings {
        crate::tenant::save(tx, settings)?;
    }
    let resume = answer.resume.as_deref().filter(|_| answer.more);
    state::record_success(tx, now, answer.cursor, resume)?;
    Ok(applied)
}

/// A refused edit: moves it to the rejected list and replaces the local copy with the server's
/// version (or removes it when the server sent none). `None` for an unreadable id.
fn take_rejection(
    tx: &Transaction<'_>,
    projections: &Projections,
    actor: &ActorId,
    rejection: &Rejection,
    now: DateTime<Utc>,
) -> Result<Option<RejectedEdit>> {
    let Ok(id) = Uuid::parse_str(&rejection.doc_id) else {
        tracing::warn!("server refused a document with an unreadable id; ignored");
        return Ok(None);
    };
    let local_kind: Option<String> = tx
        .prepare_cached("SELECT kind FROM docs WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    let kind = Kind::parse(&rejection.kind).or(local_kind.as_deref().and_then(Kind::parse));
    let server_version = match (&rejection.server_doc, kind) {
        (Some(bytes), Some(kind)) => Some(
            isolate(|| RecordDoc::load(id, kind, bytes, actor))
                .ok()
                .and_then(|loaded| loaded.ok())
                .ok_or_else(|| {
                    Error::invalid("rejected.server_doc", "not an Automerge document")
                })?,
        ),
        _ => None,
    };
    let edit = state::reject(
        tx,
        &id.to_string(),
        &rejection.kind,
        rejection.reason,
        &rejection.detail,
        now,
        server_version.is_some(),
    )?;
    // Replace, not merge: merging would keep the refused changes in the local copy.
    projections.remove(tx, &id.to_string())?;
    if let Some(mut record) = server_version {
        crate::store::writer::put_doc(tx, projections, &mut record)?;
    }
    Ok(Some(edit))
}

/// One incoming document: stored as it came when it was read ahead and is new here, merged
/// otherwise; counted in `applied` as received (with its conflicts) or skipped.
fn receive(
    tx: &Transaction<'_>,
    projections: &Projections,
    actor: &ActorId,
    update: &DocUpdate,
    read: Option<ReadAhead>,
    applied: &mut Applied,
) -> Result<()> {
    let (Ok(id), Some(kind)) = (Uuid::parse_str(&update.doc_id), Kind::parse(&update.kind)) else {
        // A kind from a newer server version: this build cannot show it; skip it rather
        // than stall every later sync.
        tracing::warn!(kind = %update.kind, "skipping a document this version cannot read");
        applied.skipped += 1;
        return Ok(());
    };
    if let Some(read) = read {
        let doc_id = id.to_string();
        if store_new(tx, &doc_id, kind, &update.data[0], &read)? {
            if !read.conflicts.is_empty() {
                applied.conflicts.push(ConflictFound {
                    record_id: doc_id,
                    kind,
                    fields: read.conflicts,
                });
            }
            applied.received += 1;
            return Ok(());
        }
    }
    match merge_isolated(tx, projections, actor, id, kind, &update.data)? {
        Merged::Applied(conflict) => {
            applied.conflicts.extend(conflict);
            applied.received += 1;
        }
        Merged::Skipped => applied.skipped += 1,
    }
    Ok(())
}

/// Erasure: the document, its projections and any unsent edits to it go.
fn purge(tx: &Transaction<'_>, projections: &Projections, doc_id: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM outbox WHERE doc_id = ?1")?
        .execute([doc_id])?;
    projections.remove(tx, doc_id)
}

/// Deletes the outbox rows the server acknowledged; returns how many were still there.
fn acknowledge(tx: &Transaction<'_>, acked: &[i64]) -> Result<u64> {
    let mut delete = tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?;
    let mut count = 0;
    for seq in acked {
        count += delete.execute(params![seq])? as u64;
    }
    Ok(count)
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
