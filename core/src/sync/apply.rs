//! Applying one server answer to the store, as one transaction.
//!
//! Everything an answer says happens together or not at all: merged documents and their
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

use crate::error::{Error, Result};
use crate::protocol::SyncResponse;
use crate::record::{schema::Kind, RecordDoc};

use super::state::{self, RejectedEdit};

/// A record where merging brought in concurrent values for a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Applies `answer` inside `tx` (the caller commits).
pub(crate) fn apply(
    tx: &Transaction<'_>,
    actor: &ActorId,
    user: &str,
    answer: &SyncResponse,
    now: DateTime<Utc>,
) -> Result<Applied> {
    let mut applied = Applied::default();

    // Refusals first: the device takes the server's version, and any update for the same
    // document in this answer then merges onto it.
    for rejection in &answer.rejected {
        let Ok(id) = Uuid::parse_str(&rejection.doc_id) else {
            tracing::warn!("server refused a document with an unreadable id; ignored");
            continue;
        };
        let local_kind: Option<String> = tx
            .prepare_cached("SELECT kind FROM docs WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?;
        let kind = Kind::parse(&rejection.kind).or(local_kind.as_deref().and_then(Kind::parse));
        let server_version = match (&rejection.server_doc, kind) {
            (Some(bytes), Some(kind)) => {
                Some(RecordDoc::load(id, kind, bytes, actor).map_err(|_| {
                    Error::invalid("rejected.server_doc", "not an Automerge document")
                })?)
            }
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
        crate::projection::remove(tx, &id.to_string())?;
        if let Some(mut record) = server_version {
            crate::store::writer::put_doc(tx, &mut record)?;
        }
        applied.rejected.push(edit);
    }

    for update in &answer.docs {
        let (Ok(id), Some(kind)) = (Uuid::parse_str(&update.doc_id), Kind::parse(&update.kind))
        else {
            // A kind from a newer server version: this build cannot show it; skip it rather
            // than stall every later sync.
            tracing::warn!(kind = %update.kind, "skipping a document this version cannot read");
            applied.skipped += 1;
            continue;
        };
        let before: i64 = tx
            .prepare_cached("SELECT fields FROM conflicted WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        let record = crate::outbox::merge_incoming(tx, actor, id, kind, &update.data)?;
        let fields = crate::conflict::find(&record);
        if fields.len() as i64 > before {
            applied.conflicts.push(ConflictFound {
                record_id: id.to_string(),
                kind,
                fields: fields.into_iter().map(|f| f.field).collect(),
            });
        }
        applied.received += 1;
    }

    for doc_id in &answer.purged {
        // Erasure: the document, its projections and any unsent edits to it go.
        tx.prepare_cached("DELETE FROM outbox WHERE doc_id = ?1")?
            .execute([doc_id])?;
        crate::projection::remove(tx, doc_id)?;
        applied.purged += 1;
    }

    // Merges that met other devices' changes settle in the same transaction (see `dedup`).
    crate::dedup::settle_pending(&crate::store::Writer::new(tx, actor, user, now))?;

    let mut delete = tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?;
    for seq in &answer.acked {
        applied.acked += delete.execute(params![seq])? as u64;
    }

    let resume = if answer.more {
        answer.resume.as_deref()
    } else {
        None
    };
    state::record_success(tx, now, answer.cursor, resume)?;
    Ok(applied)
}
