//! Projections: the plain rows that lists, queries and search read, and the trait through which
//! each record kind supplies its own.
//!
//! Derived from the documents and nothing else, so they can be dropped and rebuilt at any time
//! (after a bug, after a migration, after changes arrive from another device). The store does
//! not know what a customer or a visit is: each record kind implements [`Projection`] next to
//! its own code, and `FieldSales::open` registers them all in [`Projections`]. What is the same
//! for every kind stays here: the `docs` table, and the `conflicted` index of records whose
//! fields hold concurrent values.

use automerge::ActorId;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use crate::error::Result;
use crate::record::conflicts;
use crate::record::{schema::Kind, RecordDoc};

/// What one record kind derives from its documents.
pub(crate) trait Projection: Send + Sync {
    /// The kind whose documents this projection reads.
    fn kind(&self) -> Kind;

    /// Reads the record out of its document. This is the costly half of projecting (a lookup
    /// in the document per field) and needs no database, so the sync client runs it on other
    /// threads while the previous answer is written.
    fn read(&self, doc: &RecordDoc) -> Row;

    /// Deletes every row derived from record `id` (called for ids of any kind).
    fn remove(&self, conn: &Connection, id: &str) -> Result<()>;

    /// Empties every row of this projection, before a rebuild refills it.
    fn clear(&self, conn: &Connection) -> Result<()>;
}

/// A record read out of its document, ready to be written as its kind's rows.
pub(crate) trait Rows: Send {
    /// Writes (replaces) the record's projection rows.
    fn write(&self, conn: &Connection) -> Result<()>;
}

/// A record read by its kind's [`Projection::read`].
pub(crate) type Row = Box<dyn Rows>;

/// How a stored document's conflicts are indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conflicts {
    /// Changes from elsewhere may bring concurrent values: count them.
    Recount,
    /// A local edit: recount only when the record was conflicted before.
    RecountIfKnown,
}

/// The projection of every record kind, registered when a store is opened.
pub(crate) struct Projections {
    /// One per kind, in the order of [`Kind::ALL`].
    kinds: Vec<Box<dyn Projection>>,
}

impl Projections {
    /// The registry of `projections`, one for each kind.
    ///
    /// # Panics
    /// When a kind has no projection or two: the set is fixed at compile time, so this is a bug
    /// of the caller, caught by the first test that opens a store.
    pub(crate) fn new(mut projections: Vec<Box<dyn Projection>>) -> Self {
        projections.sort_by_key(|p| Kind::ALL.iter().position(|k| *k == p.kind()));
        let kinds: Vec<Kind> = projections.iter().map(|p| p.kind()).collect();
        assert_eq!(
            kinds,
            Kind::ALL,
            "every record kind registers one projection"
        );
        Projections { kinds: projections }
    }

    fn of(&self, kind: Kind) -> &dyn Projection {
        let at = Kind::ALL
            .iter()
            .position(|k| *k == kind)
            .expect("Kind::ALL lists every kind");
        self.kinds[at].as_ref()
    }

    /// Reads `doc`'s rows (see [`Projection::read`]).
    pub(crate) fn read(&self, doc: &RecordDoc) -> Row {
        self.of(doc.kind()).read(doc)
    }

    /// Refreshes every projection row of `doc`, and its entry in the conflicted index.
    pub(crate) fn project(&self, conn: &Connection, doc: &RecordDoc, how: Conflicts) -> Result<()> {
        self.read(doc).write(conn)?;
        index_conflicts(conn, doc, how)
    }

    /// Empties every projection and refills it from the stored documents. Returns the number
    /// of documents.
    pub(crate) fn rebuild(&self, conn: &Connection, actor: &ActorId) -> Result<u64> {
        for projection in &self.kinds {
            projection.clear(conn)?;
        }
        conn.execute("DELETE FROM conflicted", [])?;
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
            self.project(conn, &doc, Conflicts::Recount)?;
            count += 1;
        }
        Ok(count)
    }

    /// Deletes document `id` with every projection row and search entry derived from it: what
    /// a device does when the server erases a record or refuses one the user may not see.
    pub(crate) fn remove(&self, conn: &Connection, id: &str) -> Result<()> {
        for projection in &self.kinds {
            projection.remove(conn, id)?;
        }
        for sql in [
            "DELETE FROM conflicted WHERE id = ?1",
            "DELETE FROM docs WHERE id = ?1",
        ] {
            conn.prepare_cached(sql)?.execute([id])?;
        }
        Ok(())
    }
}

/// Keeps the `conflicted` index in step with the document.
fn index_conflicts(conn: &Connection, doc: &RecordDoc, how: Conflicts) -> Result<()> {
    let id = doc.id().to_string();
    if how == Conflicts::RecountIfKnown {
        let known: Option<i64> = conn
            .prepare_cached("SELECT fields FROM conflicted WHERE id = ?1")?
            .query_row([&id], |r| r.get(0))
            .optional()?;
        if known.is_none() {
            return Ok(());
        }
    }
    store_conflict_count(conn, &id, doc.kind(), conflicts::find(doc).len())
}

/// Records that record `id` has `count` conflicted fields (none: forgets it).
pub(crate) fn store_conflict_count(
    conn: &Connection,
    id: &str,
    kind: Kind,
    count: usize,
) -> Result<()> {
    if count == 0 {
        conn.prepare_cached("DELETE FROM conflicted WHERE id = ?1")?
            .execute([id])?;
    } else {
        conn.prepare_cached(
            "INSERT INTO conflicted (id, kind, fields) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET fields = excluded.fields",
        )?
        .execute(params![id, kind.as_str(), count as i64])?;
    }
    Ok(())
}
