//! The customer projection: what a customer document is written out as.
//!
//! A customer's row in `customers` (what lists and queries read), its phones reversed in
//! `customer_phones` (search by the last digits), its names' terms in `customer_fts` (search by
//! characters and pinyin), and its entry in the duplicate index (profile, blocking keys, merge
//! pointer). The store calls it through [`Projection`] for every write of a customer — a local
//! edit, a change from another device, a rebuild — in the write's own transaction.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use crate::dedup::index;
use crate::dedup::profile::{Profile, ProfileSource};
use crate::error::Result;
use crate::media::shrink::is_content_hash;
use crate::media::table::{self as media_table, MediaRole, Ref};
use crate::record::schema::Kind;
use crate::record::RecordDoc;
use crate::search::terms::{name_terms, reversed_digits, Terms};
use crate::store::{Projection, Row, Rows};

use super::{hydrate, Customer};

/// The customer kind's [`Projection`].
pub(crate) struct CustomerProjection;

impl Projection for CustomerProjection {
    fn kind(&self) -> Kind {
        Kind::Customer
    }

    fn read(&self, doc: &RecordDoc) -> Row {
        Box::new(hydrate(doc))
    }

    fn remove(&self, conn: &Connection, id: &str) -> Result<()> {
        conn.prepare_cached(
            "DELETE FROM customer_fts WHERE rowid = (SELECT num FROM customers WHERE id = ?1)",
        )?
        .execute([id])?;
        for sql in [
            "DELETE FROM customers WHERE id = ?1",
            "DELETE FROM customer_phones WHERE customer_id = ?1",
        ] {
            conn.prepare_cached(sql)?.execute([id])?;
        }
        media_table::set_refs(conn, id, &[])?;
        index::forget(conn, id)
    }

    fn clear(&self, conn: &Connection) -> Result<()> {
        conn.execute_batch(
            "DELETE FROM customers; DELETE FROM customer_phones; DELETE FROM customer_fts;",
        )?;
        index::clear(conn)
    }
}

impl Rows for Customer {
    fn write(&self, conn: &Connection) -> Result<()> {
        project(conn, self)
    }
}

impl Customer {
    /// The search terms of the customer's name, legal name and contacts' names.
    pub fn search_terms(&self) -> Terms {
        let contacts = self.contacts.iter().filter_map(|c| c.name.as_deref());
        name_terms(
            [self.name.as_str()]
                .into_iter()
                .chain(self.legal_name.as_deref())
                .chain(contacts),
        )
    }
}

/// The matching profile of a stored customer.
pub(crate) fn profile(c: &Customer) -> Profile {
    Profile::build(&ProfileSource {
        name: &c.name,
        legal_name: c.legal_name.as_deref(),
        credit_code: c.credit_code.as_deref(),
        phones: c
            .phones
            .iter()
            .map(|p| p.e164.as_str())
            .chain(c.contacts.iter().filter_map(|k| k.phone.as_deref()))
            .collect(),
        emails: c
            .emails
            .iter()
            .map(String::as_str)
            .chain(c.contacts.iter().filter_map(|k| k.email.as_deref()))
            .collect(),
        address: c.address.text.as_deref(),
        contacts: c
            .contacts
            .iter()
            .map(|k| (k.name.as_deref(), k.title.as_deref()))
            .collect(),
    })
}

/// Refreshes the customer's entry in the duplicate index: profile and keys (none once
/// deleted) and the merge pointer of a customer merged away.
pub(crate) fn index_duplicates(conn: &Connection, c: &Customer) -> Result<()> {
    let profile = (!c.deleted).then(|| profile(c));
    let merged_into = c.merged_into.as_deref().filter(|_| c.deleted);
    index::project(conn, &c.id, profile.as_ref(), merged_into)
}

/// Writes the customer's row, phone index, search terms and duplicate index.
fn project(conn: &Connection, c: &Customer) -> Result<()> {
    let id = c.id.clone();
    let ts = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp_millis()).unwrap_or(0);
    let num: i64 = conn
        .prepare_cached(
            "INSERT INTO customers (id, name, legal_name, credit_code, phone, stage, owner, team,
                visibility, lat, lon, created_at, updated_at, deleted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, legal_name = excluded.legal_name,
                credit_code = excluded.credit_code, phone = excluded.phone, stage = excluded.stage,
                owner = excluded.owner, team = excluded.team, visibility = excluded.visibility,
                lat = excluded.lat, lon = excluded.lon, updated_at = excluded.updated_at,
                deleted = excluded.deleted
             RETURNING num",
        )?
        .query_row(
            params![
                id,
                c.name,
                c.legal_name,
                c.credit_code,
                c.phones.first().map(|p| p.e164.as_str()),
                c.stage,
                c.owner,
                c.team,
                c.visibility.as_str(),
                c.address.lat,
                c.address.lon,
                ts(c.created_at),
                ts(c.updated_at),
                c.deleted,
            ],
            |r| r.get(0),
        )?;

    conn.prepare_cached("DELETE FROM customer_phones WHERE customer_id = ?1")?
        .execute([&id])?;
    conn.prepare_cached("DELETE FROM customer_fts WHERE rowid = ?1")?
        .execute([num])?;
    index_duplicates(conn, c)?;
    media_table::set_refs(conn, &id, &media_refs(c))?;
    if c.deleted {
        return Ok(());
    }
    let mut insert_phone = conn.prepare_cached(
        "INSERT OR IGNORE INTO customer_phones (rev, customer_id) VALUES (?1, ?2)",
    )?;
    let contact_phones = c.contacts.iter().filter_map(|k| k.phone.as_deref());
    for e164 in c
        .phones
        .iter()
        .map(|p| p.e164.as_str())
        .chain(contact_phones)
    {
        insert_phone.execute(params![reversed_digits(e164), id])?;
    }
    let terms = c.search_terms();
    conn.prepare_cached("INSERT INTO customer_fts (rowid, hanzi, latin) VALUES (?1, ?2, ?3)")?
        .execute(params![num, terms.hanzi, terms.latin])?;
    Ok(())
}

/// The media a customer references: its documents and their thumbnails; none once it is deleted
/// (or merged away).
fn media_refs(c: &Customer) -> Vec<Ref> {
    if c.deleted {
        return Vec::new();
    }
    c.documents
        .iter()
        .flat_map(|(image, thumbnail)| {
            [
                (image, MediaRole::Document),
                (thumbnail, MediaRole::Thumbnail),
            ]
        })
        .filter(|(hash, _)| is_content_hash(hash))
        .map(|(hash, role)| Ref {
            hash: hash.clone(),
            role,
        })
        .collect()
}
