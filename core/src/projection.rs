//! Projections: the plain rows that lists, queries and search read.
//!
//! Derived from the documents and nothing else, so they can be dropped and rebuilt at any time
//! (after a bug, after a migration, after changes arrive from another device). This module only
//! dispatches to each kind's `project` and keeps the conflicted-records index.

use automerge::ActorId;
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::error::Result;
use crate::record::{schema::Kind, RecordDoc};
use crate::store::writer::Conflicts;

/// A record read out of its document: what its projection rows are written from. Reading is
/// the costly half of projecting (a lookup in the document per field), and needs no database,
/// so the sync client reads the records of the next answer while the last one is written.
pub(crate) enum Row {
    Customer(Box<crate::customer::Customer>),
    Visit(Box<crate::visit::Visit>),
    QuickLog(Box<crate::quicklog::QuickLog>),
    Task(Box<crate::task::Task>),
}

impl Row {
    pub(crate) fn of(doc: &RecordDoc) -> Row {
        match doc.kind() {
            Kind::Customer => Row::Customer(Box::new(crate::customer::hydrate(doc))),
            Kind::Visit => Row::Visit(Box::new(crate::visit::hydrate(doc))),
            Kind::QuickLog => Row::QuickLog(Box::new(crate::quicklog::hydrate(doc))),
            Kind::Task => Row::Task(Box::new(crate::task::hydrate(doc))),
        }
    }

    /// Writes the projection rows (not the conflicts index).
    pub(crate) fn write(&self, conn: &Connection) -> Result<()> {
        match self {
            Row::Customer(c) => crate::customer::project(conn, c),
            Row::Visit(v) => crate::visit::project(conn, v),
            Row::QuickLog(q) => crate::quicklog::project(conn, q),
            Row::Task(t) => crate::task::project(conn, t),
        }
    }
}

/// Refreshes every projection row of `doc`.
pub(crate) fn project(conn: &Connection, doc: &RecordDoc, conflicts: Conflicts) -> Result<()> {
    Row::of(doc).write(conn)?;
    crate::conflict::index(conn, doc, conflicts)
}

/// Empties every projection and refills it from `docs`. Returns the number of documents.
pub(crate) fn rebuild(conn: &Connection, actor: &ActorId) -> Result<u64> {
    conn.execute_batch(
        "DELETE FROM customers; DELETE FROM customer_phones; DELETE FROM customer_fts;
         DELETE FROM visits; DELETE FROM quick_logs; DELETE FROM tasks; DELETE FROM conflicted;",
    )?;
    crate::dedup::clear_index(conn)?;
    let mut stmt = conn.prepare("SELECT id, kind, bytes FROM docs")?;
    let mut rows = stmt.query([])?;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let kind: String = row.get(1)?;
        let bytes: Vec<u8> = row.get(2)?;
        let (Ok(id), Some(kind)) = (Uuid::parse_str(&id), Kind::parse(&kind)) else {
            tracing::warn!("skipping a stored document with an unknown id or kind");
            continue;
        };
        let doc = RecordDoc::load(id, kind, &bytes, actor)?;
        project(conn, &doc, Conflicts::Recount)?;
        count += 1;
    }
    Ok(count)
}

/// Deletes document `id` with every projection row and search entry derived from it: what a
/// device does when the server erases a record or refuses one the user may not see.
pub(crate) fn remove(conn: &Connection, id: &str) -> Result<()> {
    let num: Option<i64> = conn
        .prepare_cached("SELECT num FROM customers WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    if let Some(num) = num {
        conn.prepare_cached("DELETE FROM customer_fts WHERE rowid = ?1")?
            .execute([num])?;
    }
    for sql in [
        "DELETE FROM customers WHERE id = ?1",
        "DELETE FROM customer_phones WHERE customer_id = ?1",
        "DELETE FROM visits WHERE id = ?1",
        "DELETE FROM quick_logs WHERE id = ?1",
        "DELETE FROM tasks WHERE id = ?1",
        "DELETE FROM conflicted WHERE id = ?1",
        "DELETE FROM docs WHERE id = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([id])?;
    }
    crate::dedup::forget(conn, id)
}
