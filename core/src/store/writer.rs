//! The write path shared by every record kind.
//!
//! A [`Writer`] lives for one SQLite transaction. Saving a record commits its pending Automerge
//! operations as one change, appends that change to the outbox, stores the compacted document
//! and refreshes the kind's projection rows (through the kind's [`super::Projection`]) — all in
//! the caller's transaction, so either all of it is on disk or none of it is.

use automerge::ActorId;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::record::{conflicts, schema::Kind, Init, RecordDoc};

use super::projection::{store_conflict_count, Conflicts, Projections, Row};

/// One write transaction, as one user on one device, at one instant.
pub(crate) struct Writer<'t> {
    tx: &'t Transaction<'t>,
    projections: &'t Projections,
    actor: &'t ActorId,
    user: &'t str,
    now: DateTime<Utc>,
}

impl<'t> Writer<'t> {
    pub(crate) fn new(
        tx: &'t Transaction<'t>,
        projections: &'t Projections,
        actor: &'t ActorId,
        user: &'t str,
        now: DateTime<Utc>,
    ) -> Self {
        Writer {
            tx,
            projections,
            actor,
            user,
            now,
        }
    }

    pub(crate) fn conn(&self) -> &Connection {
        self.tx
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub(crate) fn user(&self) -> &str {
        self.user
    }

    /// A new, unsaved record of `kind` with a fresh time-ordered id.
    pub(crate) fn create(&self, kind: Kind) -> Result<RecordDoc> {
        RecordDoc::create(kind, Uuid::now_v7(), self.actor, self.user, self.now)
    }

    /// A new, unsaved record of `kind` with id `id` (time-ordered, from `Uuid::now_v7`) and
    /// its first `fields` written with its header (see [`RecordDoc::create_with`]).
    pub(crate) fn create_with(
        &self,
        kind: Kind,
        id: Uuid,
        fields: Vec<(&str, Init)>,
    ) -> Result<RecordDoc> {
        RecordDoc::create_with(kind, id, self.actor, self.user, self.now, fields)
    }

    /// A record every device creates identically (see [`RecordDoc::create_shared`]): its
    /// shared first change goes to the outbox; the record is saved by the caller's next
    /// [`Self::save`], with this device's own creation (owner, creator, time) on top.
    pub(crate) fn create_shared(
        &self,
        kind: Kind,
        id: Uuid,
        fields: &[(&str, automerge::ScalarValue)],
        nested: &[(&str, &str, automerge::ScalarValue)],
    ) -> Result<RecordDoc> {
        let (record, genesis) = RecordDoc::create_shared(kind, id, self.actor, fields, nested)?;
        self.tx
            .prepare_cached("INSERT INTO outbox (doc_id, kind, change) VALUES (?1, ?2, ?3)")?
            .execute(params![id.to_string(), kind.as_str(), genesis.raw_bytes()])?;
        Ok(record)
    }

    /// Whether record `id` is stored on this device.
    pub(crate) fn exists(&self, id: Uuid) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached("SELECT 1 FROM docs WHERE id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The stored record `id`, which must be of `kind`.
    pub(crate) fn load(&self, kind: Kind, id: Uuid) -> Result<RecordDoc> {
        load(self.tx, kind, id, self.actor)
    }

    /// Commits the record's pending edits and writes change, document and projection. Returns
    /// `false` (and writes nothing) when the edit changed nothing.
    pub(crate) fn save(&self, record: &mut RecordDoc) -> Result<bool> {
        if automerge::transaction::Transactable::pending_ops(record.doc()) == 0 {
            return Ok(false);
        }
        record.touch(self.actor, self.user, self.now)?;
        let Some(change) = record.commit(self.now) else {
            return Ok(false);
        };
        let id = record.id().to_string();
        let kind = record.kind().as_str();
        self.tx
            .prepare_cached("INSERT INTO outbox (doc_id, kind, change) VALUES (?1, ?2, ?3)")?
            .execute(params![id, kind, change.raw_bytes()])?;
        store(self.tx, record)?;
        // A local change follows everything the document holds, so it can settle concurrent
        // values but never create them: only a record already known to be conflicted needs
        // its conflicts counted again.
        self.projections
            .project(self.tx, record, Conflicts::RecountIfKnown)?;
        Ok(true)
    }
}

/// Stores the compacted document and refreshes its projection, conflicts included: the path of
/// changes that arrive from elsewhere.
pub(crate) fn put_doc(
    conn: &Connection,
    projections: &Projections,
    record: &mut RecordDoc,
) -> Result<()> {
    store(conn, record)?;
    projections.project(conn, record, Conflicts::Recount)
}

/// Writes the compacted document bytes.
fn store(conn: &Connection, record: &mut RecordDoc) -> Result<()> {
    let bytes = record.save();
    insert(conn, record, &bytes)
}

/// Stores `bytes`, which must be a saved form of `record` (they load to the same document),
/// and refreshes its projection, conflicts included. Lets a document received whole be kept
/// as it came, without the cost of saving (and compressing) it again.
pub(crate) fn put_saved(
    conn: &Connection,
    projections: &Projections,
    record: &RecordDoc,
    bytes: &[u8],
) -> Result<()> {
    put_whole(
        conn,
        &record.id().to_string(),
        record.kind(),
        bytes,
        &projections.read(record),
        conflicts::find(record).len(),
    )
}

/// Stores the saved form `bytes` of record `id` with its projection `row` and the number of
/// its conflicted fields, all read from the record beforehand (the sync client reads them on
/// other cores while the last answer is written).
pub(crate) fn put_whole(
    conn: &Connection,
    id: &str,
    kind: Kind,
    bytes: &[u8],
    row: &Row,
    conflicted: usize,
) -> Result<()> {
    insert_bytes(conn, id, kind, bytes)?;
    row.write(conn)?;
    store_conflict_count(conn, id, kind, conflicted)
}

fn insert(conn: &Connection, record: &RecordDoc, bytes: &[u8]) -> Result<()> {
    insert_bytes(conn, &record.id().to_string(), record.kind(), bytes)
}

/// Stores the saved form `bytes` of record `id` as they are (projections are the caller's).
fn insert_bytes(conn: &Connection, id: &str, kind: Kind, bytes: &[u8]) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO docs (id, kind, bytes) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes",
    )?
    .execute(params![id, kind.as_str(), bytes])?;
    Ok(())
}

/// Loads record `id` of `kind` through `conn` (reader or writer), editing as `actor`.
pub(crate) fn load(conn: &Connection, kind: Kind, id: Uuid, actor: &ActorId) -> Result<RecordDoc> {
    let row: Option<(String, Vec<u8>)> = conn
        .prepare_cached("SELECT kind, bytes FROM docs WHERE id = ?1")?
        .query_row([id.to_string()], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    match row {
        Some((stored, bytes)) if stored == kind.as_str() => {
            RecordDoc::load(id, kind, &bytes, actor)
        }
        _ => Err(Error::NotFound {
            kind: kind.as_str(),
            id: id.to_string(),
        }),
    }
}
