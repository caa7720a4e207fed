//! The media reference index in SQLite: which documents of a tenant refer to which blob.
//!
//! `media_refs` holds one row per (tenant, blob hash, document). The sync replaces a
//! document's rows in the transaction that stores the document ([`replace_refs`]); migration 4
//! fills the table from the documents stored before it existed ([`rebuild`]). It is derived
//! data: [`rebuild`] can always recreate it from `docs`. Only the SQL lives here; what a
//! reference is belongs to `fieldsales_protocol::media::references`.

use std::collections::BTreeSet;

use fieldsales_protocol::{media, Kind};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::error::Result;

/// Replaces the references of `doc_id` with `hashes`.
pub fn replace_refs(
    conn: &Connection,
    tenant_id: &str,
    doc_id: &str,
    hashes: &BTreeSet<String>,
) -> Result<()> {
    conn.prepare_cached("DELETE FROM media_refs WHERE tenant_id = ?1 AND doc_id = ?2")?
        .execute(params![tenant_id, doc_id])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO media_refs (tenant_id, hash, doc_id) VALUES (?1, ?2, ?3)",
    )?;
    for hash in hashes {
        insert.execute(params![tenant_id, hash, doc_id])?;
    }
    Ok(())
}

/// Does any document of `tenant_id` refer to `hash`?
pub fn referenced(conn: &Connection, tenant_id: &str, hash: &str) -> Result<bool> {
    let found: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM media_refs WHERE tenant_id = ?1 AND hash = ?2 LIMIT 1")?
        .query_row(params![tenant_id, hash], |r| r.get(0))
        .optional()?;
    Ok(found.is_some())
}

/// Recreates the whole index from the stored visits and customers. A document Automerge
/// cannot load is skipped (and counted in the log), never a reason to fail the migration.
pub fn rebuild(tx: &Transaction<'_>) -> Result<()> {
    tx.execute("DELETE FROM media_refs", [])?;
    let unreadable = super::stored::each_document(
        tx,
        &[Kind::Visit, Kind::Customer],
        media::references,
        |tenant_id, doc_id, hashes| replace_refs(tx, tenant_id, doc_id, &hashes),
    )?;
    if unreadable > 0 {
        tracing::warn!(
            unreadable,
            "media index: stored documents that could not be read"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT};
    use fieldsales_protocol::schema::{common, visit};

    use super::*;

    #[test]
    fn the_index_is_rebuilt_from_the_stored_documents() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        let (image, thumb) = (media::content_hash(b"image"), media::content_hash(b"thumb"));
        let mut doc = AutoCommit::new();
        doc.put(ROOT, common::KIND, "visit").unwrap();
        let photos = doc.put_object(ROOT, visit::PHOTOS, ObjType::Map).unwrap();
        doc.put(&photos, image.as_str(), thumb.as_str()).unwrap();
        conn.execute_batch(
            "INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 'x');",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO docs (tenant_id, id, kind, visibility, data)
             VALUES ('t1', 'v1', 'visit', 'private', ?1), ('t1', 'v2', 'visit', 'private', x'00')",
            [doc.save()],
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        rebuild(&tx).unwrap();
        tx.commit().unwrap();
        let rows: Vec<(String, String)> = conn
            .prepare("SELECT hash, doc_id FROM media_refs ORDER BY hash")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut expected = vec![(image, "v1".to_string()), (thumb, "v1".to_string())];
        expected.sort();
        assert_eq!(
            rows, expected,
            "the unreadable document is skipped, not fatal"
        );
        assert!(referenced(&conn, "t1", &expected[0].0).unwrap());
        assert!(!referenced(&conn, "t2", &expected[0].0).unwrap());
    }
}
