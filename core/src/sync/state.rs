//! The sync client's SQL: the `sync_state` row, the outbox as a request, and the rejected-edits
//! list. All of the sync client's queries live here, so the schema is read in one place.
//!
//! The session token is not here: it lives in the credential store (see `crate::credentials`),
//! and the database keeps only which server this store syncs with and how far it got.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::protocol::{DocChanges, LocalChange, RejectReason};

/// The stored `sync_state` row.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoredState {
    pub server_url: Option<String>,
    pub cursor: u64,
    pub resume: Option<String>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

pub(crate) fn load(conn: &Connection) -> Result<StoredState> {
    let state = conn
        .prepare_cached(
            "SELECT server_url, cursor, resume, last_success_at, last_attempt_at, last_error
             FROM sync_state WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok(StoredState {
                server_url: r.get(0)?,
                cursor: r.get::<_, i64>(1)?.max(0) as u64,
                resume: r.get(2)?,
                last_success_at: r.get::<_, Option<i64>>(3)?.and_then(from_ms),
                last_attempt_at: r.get::<_, Option<i64>>(4)?.and_then(from_ms),
                last_error: r.get(5)?,
            })
        })
        .optional()?;
    Ok(state.unwrap_or_default())
}

fn from_ms(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// Records the server of a new session (its token goes to the credential store). Another
/// server means another log: the cursor starts over.
pub(crate) fn save_server(conn: &Connection, server_url: &str) -> Result<()> {
    conn.execute(
        "UPDATE sync_state SET
            cursor = CASE WHEN server_url IS ?1 THEN cursor ELSE 0 END,
            resume = CASE WHEN server_url IS ?1 THEN resume ELSE NULL END,
            server_url = ?1, last_error = NULL
         WHERE id = 1",
        params![server_url],
    )?;
    Ok(())
}

/// Records a failed attempt (the message is a [`super::SyncError`]'s, free of personal data).
pub(crate) fn record_failure(conn: &Connection, at: DateTime<Utc>, error: &str) -> Result<()> {
    conn.execute(
        "UPDATE sync_state SET last_attempt_at = ?1, last_error = ?2 WHERE id = 1",
        params![at.timestamp_millis(), error],
    )?;
    Ok(())
}

/// Moves the cursor after an applied answer, in the answer's transaction.
pub(crate) fn record_success(
    conn: &Connection,
    at: DateTime<Utc>,
    cursor: u64,
    resume: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE sync_state SET cursor = ?1, resume = ?2, last_success_at = ?3,
            last_attempt_at = ?3, last_error = NULL WHERE id = 1",
        params![cursor as i64, resume, at.timestamp_millis()],
    )?;
    Ok(())
}

/// The next slice of the outbox as a request body's documents, oldest change first, within
/// `max_changes` changes and about `max_bytes` of change bytes (a single change larger than
/// that still goes alone, so that the server can refuse it with a reason). Returns the
/// documents and whether the outbox holds more.
pub(crate) fn outbox_batch(
    conn: &Connection,
    max_changes: usize,
    max_docs: usize,
    max_bytes: usize,
) -> Result<(Vec<DocChanges>, bool)> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, doc_id, kind, change FROM outbox ORDER BY seq LIMIT ?1")?;
    let mut rows = stmt.query([max_changes as i64 + 1])?;
    let mut docs: Vec<DocChanges> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    let (mut count, mut bytes) = (0usize, 0usize);
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let doc_id: String = row.get(1)?;
        let kind: String = row.get(2)?;
        let change: Vec<u8> = row.get(3)?;
        let new_doc = !index.contains_key(&doc_id);
        if count == max_changes
            || (count > 0 && bytes + change.len() > max_bytes)
            || (new_doc && docs.len() == max_docs)
        {
            return Ok((docs, true));
        }
        count += 1;
        bytes += change.len();
        let at = *index.entry(doc_id.clone()).or_insert_with(|| {
            docs.push(DocChanges {
                doc_id,
                kind,
                changes: Vec::new(),
            });
            docs.len() - 1
        });
        docs[at].changes.push(LocalChange { seq, bytes: change });
    }
    Ok((docs, false))
}

/// Local edits the server refused, as the app shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RejectedEdit {
    /// Id of this entry (for [`super::SyncClient::dismiss_rejected`]).
    pub id: i64,
    /// The record the edits were made to.
    pub record_id: String,
    /// Its kind (`customer`, `visit`, ...).
    pub kind: String,
    pub reason: RejectReason,
    /// The server's sentence for support staff.
    pub detail: String,
    pub rejected_at: DateTime<Utc>,
    /// How many local changes were refused.
    pub changes: u32,
    /// Whether the device still holds the record (the server's version of it); `false` when
    /// the user may not see it and the device dropped it.
    pub record_kept: bool,
}

/// Moves every outbox change of `doc_id` into a new rejected-edits entry, keeping the device's
/// own version of the document beside it. Returns the entry.
pub(crate) fn reject(
    conn: &Connection,
    doc_id: &str,
    kind: &str,
    reason: RejectReason,
    detail: &str,
    at: DateTime<Utc>,
    record_kept: bool,
) -> Result<RejectedEdit> {
    let local_doc: Option<Vec<u8>> = conn
        .prepare_cached("SELECT bytes FROM docs WHERE id = ?1")?
        .query_row([doc_id], |r| r.get(0))
        .optional()?;
    conn.prepare_cached(
        "INSERT INTO rejected_edits (doc_id, kind, reason, detail, rejected_at, local_doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        doc_id,
        kind,
        reason_name(reason),
        detail,
        at.timestamp_millis(),
        local_doc
    ])?;
    let id = conn.last_insert_rowid();
    let moved = conn
        .prepare_cached(
            "INSERT INTO rejected_changes (edit_id, seq, change)
             SELECT ?1, seq, change FROM outbox WHERE doc_id = ?2",
        )?
        .execute(params![id, doc_id])?;
    conn.prepare_cached("DELETE FROM outbox WHERE doc_id = ?1")?
        .execute([doc_id])?;
    Ok(RejectedEdit {
        id,
        record_id: doc_id.to_string(),
        kind: kind.to_string(),
        reason,
        detail: detail.to_string(),
        rejected_at: at,
        changes: moved as u32,
        record_kept,
    })
}

pub(crate) fn rejected(conn: &Connection) -> Result<Vec<RejectedEdit>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.doc_id, e.kind, e.reason, e.detail, e.rejected_at,
                (SELECT count(*) FROM rejected_changes c WHERE c.edit_id = e.id),
                EXISTS (SELECT 1 FROM docs d WHERE d.id = e.doc_id)
         FROM rejected_edits e ORDER BY e.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(RejectedEdit {
            id: r.get(0)?,
            record_id: r.get(1)?,
            kind: r.get(2)?,
            reason: parse_reason(&r.get::<_, String>(3)?),
            detail: r.get(4)?,
            rejected_at: from_ms(r.get(5)?).unwrap_or_default(),
            changes: r.get::<_, i64>(6)? as u32,
            record_kept: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The device's version of the record as it was when its edits were refused (Automerge bytes).
pub(crate) fn rejected_document(conn: &Connection, id: i64) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .prepare_cached("SELECT local_doc FROM rejected_edits WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .flatten())
}

pub(crate) fn dismiss(conn: &Connection, id: i64) -> Result<bool> {
    conn.execute("DELETE FROM rejected_changes WHERE edit_id = ?1", [id])?;
    Ok(conn.execute("DELETE FROM rejected_edits WHERE id = ?1", [id])? > 0)
}

pub(crate) fn count_rejected(conn: &Connection) -> Result<u64> {
    Ok(
        conn.query_row("SELECT count(*) FROM rejected_edits", [], |r| {
            r.get::<_, i64>(0)
        })? as u64,
    )
}

fn reason_name(reason: RejectReason) -> String {
    match serde_json::to_value(reason) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "unknown".into(),
    }
}

fn parse_reason(name: &str) -> RejectReason {
    serde_json::from_value(serde_json::Value::String(name.to_string()))
        .unwrap_or(RejectReason::InvalidChange)
}
