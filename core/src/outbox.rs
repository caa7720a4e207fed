//! The exchange of changes with other replicas: the outbox going out, changes coming in.
//!
//! Every local write appends its Automerge change to the outbox in the write's own transaction,
//! so the outbox is exactly the set of local edits the server has not acknowledged. Incoming
//! changes are applied in one transaction per batch; applying a change twice is harmless
//! (Automerge deduplicates by hash), so every step can be retried after any failure. The
//! transport (HTTP, cursors, acknowledgements) is the sync client's business, not this module's.

use std::collections::BTreeMap;

use automerge::{AutoCommit, TextEncoding};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::record::parse_id;
use crate::record::{schema::Kind, RecordDoc};
use crate::store::Projections;

/// One local change waiting for the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OutgoingChange {
    /// Position in the outbox; acknowledge up to it.
    pub seq: i64,
    pub doc_id: String,
    pub kind: Kind,
    /// The Automerge change, in its binary encoding.
    pub change: Vec<u8>,
}

/// Changes to one document received from elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IncomingChanges {
    pub doc_id: String,
    pub kind: Kind,
    /// Automerge changes (binary), or whole saved documents: both load the same way.
    pub changes: Vec<Vec<u8>>,
}

/// Local changes not yet acknowledged, oldest first, at most `limit` (`FieldSales::outbox`).
pub(crate) fn pending(engine: &Engine, limit: u32) -> Result<Vec<OutgoingChange>> {
    engine.read(|conn| {
        let mut stmt = conn
            .prepare_cached("SELECT seq, doc_id, kind, change FROM outbox ORDER BY seq LIMIT ?1")?;
        let rows = stmt.query_map([limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, doc_id, kind, change) = row?;
            let Some(kind) = Kind::parse(&kind) else {
                continue;
            };
            out.push(OutgoingChange {
                seq,
                doc_id,
                kind,
                change,
            });
        }
        Ok(out)
    })
}

/// Drops outbox entries up to and including `seq`: the server has them.
pub(crate) fn acknowledge(engine: &Engine, seq: i64) -> Result<u64> {
    engine
        .store
        .transaction(|tx| Ok(tx.execute("DELETE FROM outbox WHERE seq <= ?1", [seq])? as u64))
}

/// Applies changes from other replicas in one transaction (`FieldSales::apply_changes`).
pub(crate) fn apply_changes(engine: &Engine, batch: &[IncomingChanges]) -> Result<()> {
    let projections = engine.store.projections();
    engine.store.transaction(|tx| {
        for incoming in batch {
            let id = Uuid::parse_str(&incoming.doc_id)
                .map_err(|_| Error::invalid("doc_id", "not a record id"))?;
            merge_incoming(
                tx,
                projections,
                &engine.actor,
                id,
                incoming.kind,
                &incoming.changes,
            )?;
        }
        // Merges that met other devices' changes settle in the same transaction.
        crate::dedup::settle_pending(&engine.writer(tx, engine.now()))?;
        Ok(())
    })
}

/// Every stored record as plain JSON, keyed by id (`FieldSales::documents_as_json`).
pub(crate) fn documents_as_json(engine: &Engine) -> Result<BTreeMap<String, serde_json::Value>> {
    let rows: Vec<(String, String, Vec<u8>)> = engine.read(|conn| {
        let mut stmt = conn.prepare("SELECT id, kind, bytes FROM docs ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })?;
    let mut out = BTreeMap::new();
    for (id, kind, bytes) in rows {
        let options = automerge::LoadOptions::new().text_encoding(TextEncoding::Utf16CodeUnit);
        let doc = AutoCommit::load_with_options(&bytes, options).map_err(|source| {
            Error::CorruptDocument {
                id: id.clone(),
                source: crate::error::Cause::new(source),
            }
        })?;
        let value = serde_json::to_value(automerge::AutoSerde::from(&doc))
            .map_err(|e| Error::invalid("document", e))?;
        out.insert(id, serde_json::json!({ "kind": kind, "doc": value }));
    }
    Ok(out)
}

/// The whole stored document of record `id`, as Automerge bytes (`FieldSales::export_document`).
pub(crate) fn export_document(engine: &Engine, kind: Kind, id: &str) -> Result<Vec<u8>> {
    let id = parse_id(kind, id)?;
    let mut doc = engine.load(kind, id)?;
    Ok(doc.save())
}

/// Merges changes (or whole saved documents) from elsewhere into stored record `id`, creating
/// it when it is new here, and refreshes its projections — inside the caller's transaction, so
/// the sync client can apply a whole server answer, acknowledgements and cursor included, as one
/// transaction. Returns the merged record.
pub(crate) fn merge_incoming(
    tx: &rusqlite::Connection,
    projections: &Projections,
    actor: &automerge::ActorId,
    id: Uuid,
    kind: Kind,
    changes: &[impl AsRef<[u8]>],
) -> Result<RecordDoc> {
    let stored: Option<String> = tx
        .prepare_cached("SELECT kind FROM docs WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    let mut record = match stored {
        Some(stored) if stored == kind.as_str() => crate::store::writer::load(tx, kind, id, actor)?,
        Some(_) => {
            return Err(Error::invalid(
                "kind",
                "the record exists with another kind",
            ))
        }
        None => {
            // A record this device does not hold yet, in one piece (every record of a first
            // sync): a saved document, or its whole history as one change. Loading it is the
            // validation, and the bytes are kept as they came rather than merged into an empty
            // document and saved again. A lone change that needs earlier history does not load
            // and takes the merge below.
            if let [bytes] = changes {
                let bytes = bytes.as_ref();
                if let Ok(record) = RecordDoc::load(id, kind, bytes, actor) {
                    if record.stored_kind().as_deref() != Some(kind.as_str()) {
                        return Err(Error::invalid(
                            "kind",
                            "the document does not hold that kind",
                        ));
                    }
                    crate::store::writer::put_saved(tx, projections, &record, bytes)?;
                    return Ok(record);
                }
            }
            let mut empty = AutoCommit::new_with_encoding(TextEncoding::Utf16CodeUnit);
            RecordDoc::load(id, kind, &empty.save(), actor)?
        }
    };
    for bytes in changes {
        record
            .apply_bytes(bytes.as_ref())
            .map_err(|_| Error::invalid("changes", "not an Automerge change or document"))?;
    }
    if record.stored_kind().as_deref() != Some(kind.as_str()) {
        return Err(Error::invalid(
            "kind",
            "the document does not hold that kind",
        ));
    }
    crate::store::writer::put_doc(tx, projections, &mut record)?;
    Ok(record)
}
