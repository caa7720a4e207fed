//! The sync's view of one tenant inside one SQLite transaction: documents and the change log.
//!
//! Every statement is prepared once and cached (`prepare_cached`), and the log and snapshot
//! reads come in batches joined with each document's customer, so a sync is a handful of
//! statements whatever the number of documents. The tenant's head is kept in memory while the
//! sync appends and written back once by [`TenantLog::finish`].

use std::collections::BTreeSet;

use fieldsales_protocol::record::Summary;
use fieldsales_protocol::Kind;
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::{media, read_model};
use crate::access::{read_visibility, CustomerAudience, DocMeta, Teams};
use crate::error::{Error, Result};
use crate::sync::{DocEntry, LogEntry, Referrer, StoredDoc, SyncStore};

pub struct TenantLog<'a> {
    tx: &'a Transaction<'a>,
    tenant_id: String,
    head: u64,
    horizon: u64,
    appended: bool,
}

impl<'a> TenantLog<'a> {
    pub fn open(tx: &'a Transaction<'a>, tenant_id: &str) -> Result<Self> {
        let (head, horizon): (i64, i64) = tx
            .query_row(
                "SELECT head, horizon FROM tenants WHERE id = ?1",
                [tenant_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(Error::NotFound { what: "tenant" })?;
        Ok(TenantLog {
            tx,
            tenant_id: tenant_id.to_string(),
            head: head as u64,
            horizon: horizon as u64,
            appended: false,
        })
    }

    /// Writes the head back; call before committing.
    pub fn finish(self) -> Result<()> {
        if self.appended {
            self.tx.execute(
                "UPDATE tenants SET head = ?2 WHERE id = ?1",
                params![self.tenant_id, self.head as i64],
            )?;
        }
        Ok(())
    }
}

/// Columns of `docs d` and its customer `cu`, in the order [`read_meta`] expects them.
const META_COLUMNS: &str = "d.kind, d.owner, d.team, d.visibility, d.customer, d.deleted, \
     cu.id IS NOT NULL, cu.owner, cu.team, cu.visibility";

fn read_meta(row: &Row<'_>, at: usize) -> rusqlite::Result<(DocMeta, Option<CustomerAudience>)> {
    let kind: String = row.get(at)?;
    let kind = Kind::parse(&kind).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            at,
            rusqlite::types::Type::Text,
            "unknown kind in the docs table".into(),
        )
    })?;
    let visibility: String = row.get(at + 3)?;
    let meta = DocMeta {
        kind,
        owner: row.get(at + 1)?,
        team: row.get(at + 2)?,
        visibility: read_visibility(&visibility),
        customer: row.get(at + 4)?,
        deleted: row.get(at + 5)?,
    };
    let customer = if row.get::<_, bool>(at + 6)? {
        let visibility: String = row.get(at + 9)?;
        Some(CustomerAudience {
            owner: row.get(at + 7)?,
            team: row.get(at + 8)?,
            visibility: read_visibility(&visibility),
        })
    } else {
        None
    };
    Ok((meta, customer))
}

impl SyncStore for TenantLog<'_> {
    fn head(&mut self) -> Result<u64> {
        Ok(self.head)
    }

    fn horizon(&mut self) -> Result<u64> {
        Ok(self.horizon)
    }

    fn teams(&mut self) -> Result<Teams> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id, team_id FROM users WHERE tenant_id = ?1")?;
        let rows = stmt.query_map([&self.tenant_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Teams>>()?)
    }

    fn load_doc(&mut self, doc_id: &str) -> Result<Option<StoredDoc>> {
        let sql = format!(
            "SELECT {META_COLUMNS}, d.data FROM docs d \
             LEFT JOIN docs cu ON cu.tenant_id = d.tenant_id AND cu.id = d.customer \
                AND cu.kind = 'customer' \
             WHERE d.tenant_id = ?1 AND d.id = ?2"
        );
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let doc = stmt
            .query_row(params![self.tenant_id, doc_id], |r| {
                let (meta, _) = read_meta(r, 0)?;
                Ok(StoredDoc {
                    id: doc_id.to_string(),
                    meta,
                    bytes: r.get(10)?,
                })
            })
            .optional()?;
        Ok(doc)
    }

    fn put_doc(&mut self, doc: &StoredDoc) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO docs (tenant_id, id, kind, owner, team, visibility, customer, deleted, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (tenant_id, id) DO UPDATE SET
                kind = excluded.kind, owner = excluded.owner, team = excluded.team,
                visibility = excluded.visibility, customer = excluded.customer,
                deleted = excluded.deleted, data = excluded.data",
        )?;
        stmt.execute(params![
            self.tenant_id,
            doc.id,
            doc.meta.kind.as_str(),
            doc.meta.owner,
            doc.meta.team,
            doc.meta.visibility.as_str(),
            doc.meta.customer,
            doc.meta.deleted,
            doc.bytes,
        ])?;
        Ok(())
    }

    fn append(&mut self, doc_id: &str, device_id: &str, change: Option<&[u8]>) -> Result<u64> {
        let seq = self.head + 1;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO changes (tenant_id, seq, doc_id, device_id, data) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        stmt.execute(params![
            self.tenant_id,
            seq as i64,
            doc_id,
            device_id,
            change
        ])?;
        self.head = seq;
        self.appended = true;
        Ok(seq)
    }

    fn mark_audience_changed(&mut self, doc_id: &str, seq: u64) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached("UPDATE docs SET audience_seq = ?3 WHERE tenant_id = ?1 AND id = ?2")?;
        stmt.execute(params![self.tenant_id, doc_id, seq as i64])?;
        Ok(())
    }

    fn dependents(&mut self, customer_id: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id FROM docs WHERE tenant_id = ?1 AND customer = ?2")?;
        let rows = stmt.query_map(params![self.tenant_id, customer_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }

    fn log_after(&mut self, after: u64, upto: u64, limit: usize) -> Result<Vec<LogEntry>> {
        let sql = format!(
            "SELECT c.seq, c.doc_id, c.device_id, c.data, {META_COLUMNS}, d.audience_seq \
             FROM changes c \
             JOIN docs d ON d.tenant_id = c.tenant_id AND d.id = c.doc_id \
             LEFT JOIN docs cu ON cu.tenant_id = d.tenant_id AND cu.id = d.customer \
                AND cu.kind = 'customer' \
             WHERE c.tenant_id = ?1 AND c.seq > ?2 AND c.seq <= ?3 ORDER BY c.seq LIMIT ?4"
        );
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![self.tenant_id, after as i64, upto as i64, limit as i64],
            |r| {
                let (meta, customer) = read_meta(r, 4)?;
                Ok(LogEntry {
                    seq: r.get::<_, i64>(0)? as u64,
                    doc_id: r.get(1)?,
                    device_id: r.get(2)?,
                    change: r.get(3)?,
                    meta,
                    customer,
                    audience_seq: r.get::<_, i64>(14)? as u64,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn set_media_refs(&mut self, doc_id: &str, hashes: &BTreeSet<String>) -> Result<()> {
        media::replace_refs(self.tx, &self.tenant_id, doc_id, hashes)
    }

    fn media_referrers(
        &mut self,
        hash: &str,
        after_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Referrer>> {
        let sql = format!(
            "SELECT d.id, {META_COLUMNS} FROM media_refs r \
             JOIN docs d ON d.tenant_id = r.tenant_id AND d.id = r.doc_id \
             LEFT JOIN docs cu ON cu.tenant_id = d.tenant_id AND cu.id = d.customer \
                AND cu.kind = 'customer' \
             WHERE r.tenant_id = ?1 AND r.hash = ?2 AND r.doc_id > ?3 AND d.deleted = 0 \
             ORDER BY r.doc_id LIMIT ?4"
        );
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![self.tenant_id, hash, after_id.unwrap_or(""), limit as i64],
            |r| {
                let (meta, customer) = read_meta(r, 1)?;
                Ok(Referrer {
                    doc_id: r.get(0)?,
                    meta,
                    customer,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn set_summary(&mut self, doc_id: &str, summary: &Summary) -> Result<()> {
        let now = read_model::now_ms();
        read_model::replace(self.tx, &self.tenant_id, doc_id, summary, Some(now))
    }

    fn docs_after(&mut self, after_id: Option<&str>, limit: usize) -> Result<Vec<DocEntry>> {
        let sql = format!(
            "SELECT d.id, d.data, {META_COLUMNS} FROM docs d \
             LEFT JOIN docs cu ON cu.tenant_id = d.tenant_id AND cu.id = d.customer \
                AND cu.kind = 'customer' \
             WHERE d.tenant_id = ?1 AND d.id > ?2 ORDER BY d.id LIMIT ?3"
        );
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![self.tenant_id, after_id.unwrap_or(""), limit as i64],
            |r| {
                let (meta, customer) = read_meta(r, 2)?;
                Ok(DocEntry {
                    doc_id: r.get(0)?,
                    bytes: r.get(1)?,
                    meta,
                    customer,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
