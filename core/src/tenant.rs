//! The tenant's settings for its devices as the server last delivered them
//! ([`TenantSettings`], in every sync answer), kept in the store's `meta` table so that they
//! hold offline and across restarts.
//!
//! Owns their storage only: the sync client saves what an answer carries, in the answer's
//! transaction; an area that obeys a setting (the media area: the photo watermark) loads them.
//! Until a server has sent any, a store has the defaults (every optional behaviour off). It
//! must not decide what a setting means.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;
use crate::protocol::TenantSettings;

const KEY: &str = "tenant_settings";

/// The settings last received, or the defaults. A value this build cannot read (written by a
/// newer one) reads as the defaults for what it does not know.
pub(crate) fn load(conn: &Connection) -> Result<TenantSettings> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([KEY], |r| r.get(0))
        .optional()?;
    Ok(stored
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

/// Keeps `settings` as the tenant's.
pub(crate) fn save(conn: &Connection, settings: &TenantSettings) -> Result<()> {
    let json = serde_json::to_string(settings).expect("settings are flags and numbers");
    conn.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?
        .execute(params![KEY, json])?;
    Ok(())
}
