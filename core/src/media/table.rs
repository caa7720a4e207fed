//! The `media` and `media_refs` tables (migration 7): every SQL statement about media, in one
//! place.
//!
//! `media` has one row per stored file (role, size, where it came from, upload state, last
//! use); `media_refs` says which records reference which hash, and is kept by the projections
//! of the kinds that hold media (a visit's photos, a customer's documents) in each write's own
//! transaction. When a record stops referencing a hash (the photo removed, the record deleted or
//! purged) and no other record does, its `media` row goes in the same transaction and the hash
//! is noted in the connection's temporary `media_released` table; the store removes those files
//! after the commit ([`take_released`]), so a rolled-back transaction removes nothing.
//!
//! Must not touch files (that is `media::files`) nor decide policy (what to evict, what to
//! upload next: the `media` area asks, this answers).

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// What a media item is to the record that references it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MediaRole {
    /// A visit's photo (the 1,920 px image).
    Photo,
    /// The small version of a photo or document.
    Thumbnail,
    /// A customer's document (business licence, signed contract).
    Document,
}

impl MediaRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaRole::Photo => "photo",
            MediaRole::Thumbnail => "thumbnail",
            MediaRole::Document => "document",
        }
    }

    pub(crate) fn parse(s: &str) -> MediaRole {
        match s {
            "thumbnail" => MediaRole::Thumbnail,
            "document" => MediaRole::Document,
            _ => MediaRole::Photo,
        }
    }
}

/// Where the server stands with a media item this device holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum UploadState {
    /// Captured here, waiting for its record to sync and then for the uploader.
    Queued,
    /// Handed to the uploader.
    Uploading,
    /// The server has it (uploaded from here, or downloaded from it).
    Uploaded,
    /// The last upload failed; the uploader tries again.
    Failed,
}

impl UploadState {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadState::Queued => "queued",
            UploadState::Uploading => "uploading",
            UploadState::Uploaded => "uploaded",
            UploadState::Failed => "failed",
        }
    }

    pub(crate) fn parse(s: &str) -> UploadState {
        match s {
            "uploading" => UploadState::Uploading,
            "uploaded" => UploadState::Uploaded,
            "failed" => UploadState::Failed,
            _ => UploadState::Queued,
        }
    }
}

/// A media reference as a record's projection reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ref {
    pub(crate) hash: String,
    pub(crate) role: MediaRole,
}

/// A `media` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MediaRow {
    pub(crate) hash: String,
    pub(crate) role: MediaRole,
    pub(crate) bytes: u64,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) captured: bool,
    pub(crate) state: UploadState,
    pub(crate) attempts: u32,
    pub(crate) error: Option<String>,
}

/// A new `media` row.
pub(crate) struct NewRow<'a> {
    pub(crate) hash: &'a str,
    pub(crate) role: MediaRole,
    pub(crate) bytes: u64,
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Captured here (queued for upload) or downloaded (the server has it).
    pub(crate) captured: bool,
    pub(crate) now_ms: i64,
}

/// The schema of migration 7. `IF NOT EXISTS`: a store whose version was wound back (as tests of
/// older migrations do) runs it again over its tables.
pub(crate) const MIGRATION: &str = r#"
    -- One row per media file in `<store>.media/` (see `media::files`); a row never names a
    -- missing file. `origin`: captured (here) or downloaded. `upload`: queued, uploading,
    -- uploaded (the server has it) or failed (`error`, `attempts`).
    CREATE TABLE IF NOT EXISTS media (
        hash         TEXT PRIMARY KEY,
        role         TEXT NOT NULL,
        bytes        INTEGER NOT NULL,
        width        INTEGER NOT NULL,
        height       INTEGER NOT NULL,
        origin       TEXT NOT NULL,
        upload       TEXT NOT NULL,
        error        TEXT,
        attempts     INTEGER NOT NULL DEFAULT 0,
        created_at   INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS media_upload ON media(upload, created_at) WHERE upload <> 'uploaded';
    CREATE INDEX IF NOT EXISTS media_lru ON media(last_used_at) WHERE upload = 'uploaded';

    -- Which records reference which media (a photo and its thumbnail, a customer's document),
    -- kept by the projections; a hash may be referenced by several records.
    CREATE TABLE IF NOT EXISTS media_refs (
        hash      TEXT NOT NULL,
        record_id TEXT NOT NULL,
        role      TEXT NOT NULL,
        PRIMARY KEY (hash, record_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS media_refs_record ON media_refs(record_id);
"#;

/// Creates the write connection's temporary table of released hashes (see the module doc).
pub(crate) fn install(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS media_released (hash TEXT PRIMARY KEY) WITHOUT ROWID;",
    )?;
    Ok(())
}

/// Makes `refs` the media record `record_id` references (none: a deleted or purged record),
/// dropping the rows of media no record references any more.
pub(crate) fn set_refs(conn: &Connection, record_id: &str, refs: &[Ref]) -> Result<()> {
    let current: Vec<String> = {
        let mut stmt = conn.prepare_cached("SELECT hash FROM media_refs WHERE record_id = ?1")?;
        let rows = stmt.query_map([record_id], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if current.is_empty() && refs.is_empty() {
        return Ok(());
    }
    for hash in current
        .iter()
        .filter(|h| !refs.iter().any(|r| &r.hash == *h))
    {
        conn.prepare_cached("DELETE FROM media_refs WHERE hash = ?1 AND record_id = ?2")?
            .execute(params![hash, record_id])?;
        let referenced: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM media_refs WHERE hash = ?1)")?
            .query_row([hash], |r| r.get(0))?;
        if !referenced {
            release(conn, hash)?;
        }
    }
    for r in refs {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO media_refs (hash, record_id, role) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![r.hash, record_id, r.role.as_str()])?;
    }
    Ok(())
}

/// Drops media `hash`'s row; its file goes after the commit.
pub(crate) fn release(conn: &Connection, hash: &str) -> Result<()> {
    let removed = conn
        .prepare_cached("DELETE FROM media WHERE hash = ?1")?
        .execute([hash])?;
    if removed > 0 {
        conn.prepare_cached("INSERT OR IGNORE INTO temp.media_released (hash) VALUES (?1)")?
            .execute([hash])?;
    }
    Ok(())
}

/// The hashes released in this transaction whose row is still gone at its end, forgetting them:
/// the store removes their files once the transaction committed.
pub(crate) fn take_released(conn: &Connection) -> Result<Vec<String>> {
    let hashes: Vec<String> = {
        let mut stmt = conn.prepare_cached(
            "SELECT hash FROM temp.media_released
             WHERE hash NOT IN (SELECT hash FROM media)",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    conn.prepare_cached("DELETE FROM temp.media_released")?
        .execute([])?;
    Ok(hashes)
}

/// Records a media file just written. One already recorded keeps its row and upload state (the
/// same photo attached twice is stored once) and is marked used.
pub(crate) fn insert(conn: &Connection, row: &NewRow<'_>) -> Result<()> {
    let (origin, upload) = if row.captured {
        ("captured", UploadState::Queued)
    } else {
        ("downloaded", UploadState::Uploaded)
    };
    conn.prepare_cached(
        "INSERT INTO media (hash, role, bytes, width, height, origin, upload, created_at,
             last_used_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
         ON CONFLICT (hash) DO UPDATE SET last_used_at = excluded.last_used_at",
    )?
    .execute(params![
        row.hash,
        row.role.as_str(),
        row.bytes as i64,
        row.width,
        row.height,
        origin,
        upload.as_str(),
        row.now_ms
    ])?;
    Ok(())
}

const ROW_COLUMNS: &str = "hash, role, bytes, width, height, origin, upload, attempts, error";

fn media_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MediaRow> {
    Ok(MediaRow {
        hash: r.get(0)?,
        role: MediaRole::parse(&r.get::<_, String>(1)?),
        bytes: r.get::<_, i64>(2)? as u64,
        width: r.get(3)?,
        height: r.get(4)?,
        captured: r.get::<_, String>(5)? == "captured",
        state: UploadState::parse(&r.get::<_, String>(6)?),
        attempts: r.get(7)?,
        error: r.get(8)?,
    })
}

/// The row of media `hash`, if this device holds it.
pub(crate) fn row(conn: &Connection, hash: &str) -> Result<Option<MediaRow>> {
    let sql = format!("SELECT {ROW_COLUMNS} FROM media WHERE hash = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([hash], media_row)
        .optional()?)
}

/// The role a record gives media `hash`, if any record references it.
pub(crate) fn referenced_as(conn: &Connection, hash: &str) -> Result<Option<MediaRole>> {
    let role: Option<String> = conn
        .prepare_cached("SELECT role FROM media_refs WHERE hash = ?1 LIMIT 1")?
        .query_row([hash], |r| r.get(0))
        .optional()?;
    Ok(role.map(|r| MediaRole::parse(&r)))
}

/// The records that reference media `hash` as an image (a photo or a document, not as a
/// thumbnail).
pub(crate) fn records_with_image(conn: &Connection, hash: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT record_id FROM media_refs WHERE hash = ?1 AND role <> 'thumbnail'
         ORDER BY record_id",
    )?;
    let rows = stmt.query_map([hash], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// When media `hash` was last used (ms), if it has a row.
pub(crate) fn last_used(conn: &Connection, hash: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT last_used_at FROM media WHERE hash = ?1")?
        .query_row([hash], |r| r.get(0))
        .optional()?)
}

/// Marks media `hash` used at `now_ms` (the cache evicts the least recently used first).
pub(crate) fn touch(conn: &Connection, hash: &str, now_ms: i64) -> Result<()> {
    conn.prepare_cached("UPDATE media SET last_used_at = ?2 WHERE hash = ?1")?
        .execute(params![hash, now_ms])?;
    Ok(())
}

/// Captured media whose last upload failed, the most attempted first, at most `limit`.
pub(crate) fn failed(conn: &Connection, limit: u32) -> Result<Vec<MediaRow>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM media WHERE upload = 'failed'
         ORDER BY attempts DESC, created_at, hash LIMIT ?1"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([limit], media_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Counts of captured media by upload state, and the bytes not uploaded yet.
pub(crate) fn queue_counts(conn: &Connection) -> Result<(Vec<(UploadState, u64)>, u64)> {
    let mut stmt = conn.prepare_cached(
        "SELECT upload, count(*) FROM media WHERE origin = 'captured' GROUP BY upload",
    )?;
    let counts = stmt
        .query_map([], |r| {
            Ok((
                UploadState::parse(&r.get::<_, String>(0)?),
                r.get::<_, i64>(1)? as u64,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let pending: i64 = conn
        .prepare_cached("SELECT coalesce(sum(bytes), 0) FROM media WHERE upload <> 'uploaded'")?
        .query_row([], |r| r.get(0))?;
    Ok((counts, pending as u64))
}

/// Up to `limit` hashes referenced by a record and held by no row, thumbnails first (only
/// thumbnails when `thumbnails_only`).
pub(crate) fn wanted(conn: &Connection, limit: u32, thumbnails_only: bool) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT hash FROM media_refs r
         WHERE NOT EXISTS (SELECT 1 FROM media m WHERE m.hash = r.hash)
           AND (?2 = 0 OR role = 'thumbnail')
         GROUP BY hash
         ORDER BY min(role <> 'thumbnail'), hash
         LIMIT ?1",
    )?;
    let rows = stmt.query_map(rusqlite::params![limit, thumbnails_only], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every hash with a row.
pub(crate) fn all_hashes(conn: &Connection) -> Result<std::collections::HashSet<String>> {
    let mut stmt = conn.prepare("SELECT hash FROM media")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Up to `limit` media the server does not have yet and may accept now: every record that
/// references them has synced (the server serves a blob only to users who may see a record
/// referencing it, so the record goes first). Thumbnails first (small, and what others see
/// first), then oldest first; failed ones after fresh ones.
pub(crate) fn uploadable(conn: &Connection, limit: u32) -> Result<Vec<MediaRow>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM media m
         WHERE upload <> 'uploaded'
           AND NOT EXISTS (SELECT 1 FROM media_refs r JOIN outbox o ON o.doc_id = r.record_id
                           WHERE r.hash = m.hash)
         ORDER BY upload = 'failed', role <> 'thumbnail', created_at, hash
         LIMIT ?1"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([limit], media_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Sets media `hash`'s upload state; a failure counts an attempt and keeps its reason. Returns
/// whether the row exists.
pub(crate) fn set_state(
    conn: &Connection,
    hash: &str,
    state: UploadState,
    error: Option<&str>,
) -> Result<bool> {
    let failed = i64::from(state == UploadState::Failed);
    let changed = conn
        .prepare_cached(
            "UPDATE media SET upload = ?2, error = ?3, attempts = attempts + ?4 WHERE hash = ?1",
        )?
        .execute(params![hash, state.as_str(), error, failed])?;
    Ok(changed > 0)
}

/// Drops the least recently used media the server holds until those add up to `budget` bytes
/// or less, sparing `keep` (the one just stored); media not uploaded yet is never among them. Returns the hashes dropped (their files
/// go after the commit).
pub(crate) fn evict_over(conn: &Connection, budget: u64, keep: &str) -> Result<Vec<String>> {
    let held: i64 = conn
        .prepare_cached("SELECT coalesce(sum(bytes), 0) FROM media WHERE upload = 'uploaded'")?
        .query_row([], |r| r.get(0))?;
    let mut over = (held as u64).saturating_sub(budget);
    if over == 0 {
        return Ok(Vec::new());
    }
    let oldest: Vec<(String, i64)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT hash, bytes FROM media WHERE upload = 'uploaded'
             ORDER BY last_used_at, hash",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut evicted = Vec::new();
    for (hash, bytes) in oldest {
        if over == 0 {
            break;
        }
        if hash == keep {
            continue;
        }
        release(conn, &hash)?;
        over = over.saturating_sub(bytes as u64);
        evicted.push(hash);
    }
    Ok(evicted)
}
