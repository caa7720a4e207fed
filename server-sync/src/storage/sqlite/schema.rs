//! The server database's tables, created and migrated at open.
//!
//! Migrations are numbered by position and tracked in `PRAGMA user_version`; an existing
//! migration is never edited, only followed by a new one. A database from a newer server is
//! refused, never migrated or written (an IT person who rolls the binary back must not damage
//! it): the same guard as the device's store. The change log (`changes`) is the
//! one append-only table: its rows are only ever removed by compaction, below a tenant's
//! `horizon`. `docs` keeps the server's copy of each record with the audience fields pulled out
//! into columns, so that filtering a pull reads no Automerge bytes. `media_refs` is derived from
//! `docs` (migration 4 rebuilds it) and says which documents refer to which media blob. The
//! `console_*` tables are the console's read model, derived from `docs` too (migration 6
//! creates and fills them; see `read_model`).

use fieldsales_migrate::{Migrations, Step};
use rusqlite::Connection;

use crate::error::{Error, Result};

const MIGRATIONS: &[Step<(), Error>] = &[
    // 1: the first schema.
    Step::Sql(
        r#"
CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    head        INTEGER NOT NULL DEFAULT 0,
    horizon     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE TABLE teams (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    name        TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    username      TEXT NOT NULL,
    team_id       TEXT REFERENCES teams(id),
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (tenant_id, username)
);
CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    name          TEXT,
    registered_at TEXT NOT NULL,
    last_seen_at  TEXT
);
CREATE INDEX devices_tenant ON devices (tenant_id);
CREATE TABLE sessions (
    token_hash  BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    device_id   TEXT NOT NULL REFERENCES devices(id),
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE TABLE docs (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    owner       TEXT,
    team        TEXT,
    visibility  TEXT NOT NULL,
    customer    TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0,
    -- The sequence of the last change of who may see this document (0: never changed).
    audience_seq INTEGER NOT NULL DEFAULT 0,
    data        BLOB NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE INDEX docs_customer ON docs (tenant_id, customer) WHERE customer IS NOT NULL;
CREATE TABLE changes (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    seq         INTEGER NOT NULL,
    doc_id      TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    data        BLOB,
    PRIMARY KEY (tenant_id, seq)
);
"#,
    ),
    // 2: devices keyed by (tenant, id), so that an id registered in one tenant says nothing in
    // another; sessions name their tenant (to reach that key) and their creation time (to end the
    // oldest beyond the per-user cap; sessions from before count as the oldest).
    Step::Sql(
        r#"
CREATE TABLE devices_v2 (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    id            TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id),
    name          TEXT,
    registered_at TEXT NOT NULL,
    last_seen_at  TEXT,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO devices_v2 (tenant_id, id, user_id, name, registered_at, last_seen_at)
    SELECT tenant_id, id, user_id, name, registered_at, last_seen_at FROM devices;
CREATE TABLE sessions_v2 (
    token_hash  BLOB PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(id),
    device_id   TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    FOREIGN KEY (tenant_id, device_id) REFERENCES devices_v2 (tenant_id, id)
);
INSERT INTO sessions_v2 (token_hash, tenant_id, user_id, device_id, created_at, expires_at)
    SELECT s.token_hash, d.tenant_id, s.user_id, s.device_id, 0, s.expires_at
    FROM sessions s JOIN devices d ON d.id = s.device_id;
DROP TABLE sessions;
DROP TABLE devices;
ALTER TABLE devices_v2 RENAME TO devices;
ALTER TABLE sessions_v2 RENAME TO sessions;
CREATE INDEX devices_user ON devices (user_id);
CREATE INDEX sessions_user ON sessions (user_id, created_at);
"#,
    ),
    // 3: the media reference index: which documents refer to which blob (see `media`).
    Step::Sql(
        r#"
CREATE TABLE media_refs (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    hash        TEXT NOT NULL,
    doc_id      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, hash, doc_id)
);
CREATE INDEX media_refs_doc ON media_refs (tenant_id, doc_id);
"#,
    ),
    // 4: the index filled from the documents stored before it existed.
    Step::Rust {
        run: rebuild_media_refs,
        scrub: false,
    },
    // 5: what a tenant's administrator chose for its devices (see `settings`); no row means
    // the defaults.
    Step::Sql(
        r#"
CREATE TABLE tenant_settings (
    tenant_id          TEXT PRIMARY KEY REFERENCES tenants(id),
    photo_watermark    INTEGER NOT NULL DEFAULT 0,
    utc_offset_minutes INTEGER NOT NULL DEFAULT 480
);
"#,
    ),
    // 6: the console's read model (see `read_model`), filled from the documents already stored.
    Step::Rust {
        run: create_read_model,
        scrub: false,
    },
];

fn rebuild_media_refs(tx: &rusqlite::Transaction<'_>, _: &()) -> Result<()> {
    super::media::rebuild(tx)
}

fn create_read_model(tx: &rusqlite::Transaction<'_>, _: &()) -> Result<()> {
    tx.execute_batch(super::read_model::TABLES)?;
    super::read_model::rebuild(tx)?;
    Ok(())
}

/// The server's migrations, run by the one migrator the device's store uses too.
const SCHEMA: Migrations<(), Error> = Migrations::new("server", MIGRATIONS);

/// Brings the database to the latest schema, each migration in its own transaction; a
/// database from a newer server is refused untouched.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    SCHEMA.run(conn, &())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_from_a_newer_server_is_refused_and_left_as_it_is() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let newer = MIGRATIONS.len() as i64 + 1;
        conn.pragma_update(None, "user_version", newer).unwrap();
        let refused = migrate(&mut conn).unwrap_err();
        assert!(
            matches!(refused, Error::SchemaTooNew { found, .. } if found == newer),
            "{refused:?}"
        );
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, newer, "the newer database is not touched");
    }

    #[test]
    fn migrating_twice_is_harmless() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());
    }

    #[test]
    fn devices_and_sessions_of_the_first_schema_survive_the_move_to_per_tenant_devices() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        let Step::Sql(first) = MIGRATIONS[0] else {
            unreachable!("the first migration is SQL")
        };
        conn.execute_batch(first).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 'x'), ('t2', 'globex', 'x');
             INSERT INTO users (id, tenant_id, username, role, password_hash, created_at)
                 VALUES ('u1', 't1', 'ann', 'rep', 'h', 'x'), ('u2', 't2', 'zed', 'rep', 'h', 'x');
             INSERT INTO devices (id, tenant_id, user_id, registered_at) VALUES ('d1', 't1', 'u1', 'x');
             INSERT INTO sessions (token_hash, user_id, device_id, expires_at) VALUES (x'01', 'u1', 'd1', 9);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let session: (String, String, i64) = conn
            .query_row(
                "SELECT tenant_id, device_id, expires_at FROM sessions WHERE token_hash = x'01'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(session, ("t1".into(), "d1".into(), 9));
        // The same device id may now be registered in another tenant.
        conn.execute(
            "INSERT INTO devices (tenant_id, id, user_id, registered_at) VALUES ('t2', 'd1', 'u2', 'x')",
            [],
        )
        .unwrap();
        let fk_errors: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk_errors, 0);
    }
}
