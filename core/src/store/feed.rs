//! The store's half of the change feed: noting which records a transaction touches, and
//! publishing them once it committed (the subscribing half, and the why, are in `crate::feed`).
//!
//! It must not know what a record kind is beyond its name, nor decide when to publish: the
//! store's transaction calls [`take`] before `COMMIT` and [`Publisher::publish`] after it.

use std::collections::BTreeMap;

use rusqlite::Connection;
use tokio::sync::broadcast;

use crate::error::Result;
use crate::record::schema::Kind;

/// Changes a subscriber may fall behind by before it is told to re-read everything.
pub const BUFFERED: usize = 1024;

/// What one committed transaction changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// These records were created, edited, merged or removed, grouped by kind (each kind once,
    /// in the order of [`Kind::ALL`]; ids sorted).
    Records(Vec<Changed>),
    /// Anything may have changed: re-read everything. Sent after a projection rebuild, and to a
    /// subscriber in place of the changes it fell too far behind to receive.
    Everything,
}

/// The records of one kind that a transaction changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub kind: Kind,
    pub ids: Vec<String>,
}

impl Change {
    /// The ids of `kind` this change names; `None` for [`Change::Everything`].
    pub fn ids_of(&self, kind: Kind) -> Option<&[String]> {
        match self {
            Change::Records(records) => Some(
                records
                    .iter()
                    .find(|c| c.kind == kind)
                    .map_or(&[][..], |c| &c.ids),
            ),
            Change::Everything => None,
        }
    }
}

/// The sending side, held by the store.
pub(crate) struct Publisher {
    tx: broadcast::Sender<Change>,
}

impl Publisher {
    pub(crate) fn new() -> Self {
        Publisher {
            tx: broadcast::Sender::new(BUFFERED),
        }
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }

    /// Hands `change` to every subscriber without waiting; with none, it is dropped.
    pub(crate) fn publish(&self, change: Option<Change>) {
        if let Some(change) = change {
            let _ = self.tx.send(change);
        }
    }
}

/// The note that stands for "everything" in the table of touched records.
const EVERYTHING: &str = "*";

/// Creates, on the write connection only, the temporary table of touched records and the
/// triggers that fill it. Temporary objects live in the connection, not in the database file:
/// no migration, and nothing written to disk. The table has no unique key on purpose: a
/// statement inside a trigger takes the conflict handling of the statement that fired it (the
/// store's upserts), so a record touched twice is noted twice and [`take`] drops the repeats.
pub(crate) fn install(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS feed_touched (
             kind TEXT NOT NULL,
             id   TEXT NOT NULL
         );
         CREATE TEMP TRIGGER IF NOT EXISTS feed_doc_inserted AFTER INSERT ON main.docs BEGIN
             INSERT INTO feed_touched (kind, id) VALUES (new.kind, new.id);
         END;
         CREATE TEMP TRIGGER IF NOT EXISTS feed_doc_updated AFTER UPDATE ON main.docs BEGIN
             INSERT INTO feed_touched (kind, id) VALUES (new.kind, new.id);
         END;
         CREATE TEMP TRIGGER IF NOT EXISTS feed_doc_deleted AFTER DELETE ON main.docs BEGIN
             INSERT INTO feed_touched (kind, id) VALUES (old.kind, old.id);
         END;",
    )?;
    Ok(())
}

/// Notes, inside the caller's transaction, that anything may have changed (a projection
/// rebuild rewrites rows without touching a document).
pub(crate) fn everything_changed(conn: &Connection) -> Result<()> {
    conn.prepare_cached("INSERT INTO feed_touched (kind, id) VALUES (?1, ?1)")?
        .execute([EVERYTHING])?;
    Ok(())
}

/// Drains the notes of the current transaction: what it will have changed once committed.
/// `None` when it changed no record.
pub(crate) fn take(conn: &Connection) -> Result<Option<Change>> {
    let mut by_kind: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut everything = false;
    {
        let mut stmt =
            conn.prepare_cached("SELECT DISTINCT kind, id FROM feed_touched ORDER BY kind, id")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let kind: String = row.get(0)?;
            if kind == EVERYTHING {
                everything = true;
            } else if let Some(kind) = Kind::parse(&kind) {
                by_kind.entry(kind.as_str()).or_default().push(row.get(1)?);
            }
        }
    }
    if !everything && by_kind.is_empty() {
        return Ok(None);
    }
    conn.prepare_cached("DELETE FROM feed_touched")?
        .execute([])?;
    if everything {
        return Ok(Some(Change::Everything));
    }
    let records = Kind::ALL
        .into_iter()
        .filter_map(|kind| {
            by_kind
                .remove(kind.as_str())
                .map(|ids| Changed { kind, ids })
        })
        .collect();
    Ok(Some(Change::Records(records)))
}
