//! The change feed: which records every committed transaction changed, for whoever shows them.
//!
//! A list screen must refresh when a record changes, whatever changed it: the rep's own write,
//! a colleague's edit applied by a sync answer, a merge settling after sync, a projection
//! rebuild, an erasure from the server. This module owns how those changes are collected and
//! handed out, so that no write path can forget to announce itself:
//!
//! - **Collecting.** The write connection carries temporary triggers on `docs` that note the
//!   kind and id of every document row inserted, updated or deleted into a temporary table
//!   ([`install`]). Every record change is a `docs` row change, so every write path is covered
//!   without calling anything; the one change that touches no document — a projection rebuild —
//!   notes "everything" itself ([`everything_changed`]). The noted rows belong to the
//!   transaction: a savepoint rolled back (a malformed document skipped by sync) or a
//!   transaction rolled back takes its notes with it.
//! - **Publishing.** The store's transaction drains the notes just before `COMMIT` ([`take`])
//!   and, once the commit succeeded, publishes one [`Change`] for the whole transaction, the ids
//!   grouped by kind. A rolled-back transaction publishes nothing. Changes are published in
//!   commit order.
//! - **Subscribing.** [`ChangeFeed::subscribe`] gives a [`Subscriber`], usable from async code
//!   ([`Subscriber::next`]) and from a plain thread ([`Subscriber::blocking_next`]). Publishing
//!   never waits for a subscriber and never fails a write: each subscriber has a buffer of
//!   [`BUFFERED`] changes, and one that falls further behind loses the oldest and receives
//!   [`Change::Everything`] in their place ("re-read all"), never a silent gap. A dropped
//!   subscriber costs nothing.
//!
//! It must not decide what a change means to a screen (which query to re-run, how to coalesce
//! a burst): that is the subscriber's business. It publishes what was committed, nothing more.
//!
//! ```
//! use fieldsales_core::{feed::Change, FieldSales, Identity, Config, Kind, customer::NewCustomer};
//! let dir = tempfile::tempdir().unwrap();
//! let fs = FieldSales::open(dir.path(), Identity::new("rep-1", None).unwrap(), Config::default()).unwrap();
//! let mut changes = fs.changes().subscribe();
//! let id = fs.customers().create(NewCustomer { name: "北京小米".into(), ..Default::default() }).unwrap();
//! let Some(Change::Records(records)) = changes.try_next() else { panic!("no change") };
//! assert_eq!(records[0].kind, Kind::Customer);
//! assert_eq!(records[0].ids, vec![id]);
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use rusqlite::Connection;
use tokio::sync::broadcast;

use crate::error::Result;
use crate::record::schema::Kind;
use crate::Engine;

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

/// The change feed of a [`crate::FieldSales`]: `fs.changes()`.
#[derive(Clone)]
pub struct ChangeFeed {
    engine: Arc<Engine>,
}

impl ChangeFeed {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        ChangeFeed { engine }
    }

    /// Starts receiving every change committed from now on. Drop the subscriber to stop.
    pub fn subscribe(&self) -> Subscriber {
        Subscriber {
            rx: self.engine.store.feed().subscribe(),
        }
    }
}

/// One subscription to the change feed.
pub struct Subscriber {
    rx: broadcast::Receiver<Change>,
}

impl Subscriber {
    /// Waits for the next change; `None` once the store is closed (every clone of its
    /// [`crate::FieldSales`] dropped).
    pub async fn next(&mut self) -> Option<Change> {
        match self.rx.recv().await {
            Ok(change) => Some(change),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Change::Everything),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// Blocks this thread until the next change; `None` once the store is closed. Must not be
    /// called from async code (use [`Subscriber::next`] there).
    pub fn blocking_next(&mut self) -> Option<Change> {
        match self.rx.blocking_recv() {
            Ok(change) => Some(change),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Change::Everything),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// The next change if one is waiting; `None` when none is (or the store is closed).
    pub fn try_next(&mut self) -> Option<Change> {
        match self.rx.try_recv() {
            Ok(change) => Some(change),
            Err(broadcast::error::TryRecvError::Lagged(_)) => Some(Change::Everything),
            Err(_) => None,
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

    fn subscribe(&self) -> broadcast::Receiver<Change> {
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

#[cfg(test)]
#[path = "feed_tests.rs"]
mod tests;
