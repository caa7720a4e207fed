//! The local database schema, as numbered migrations run at open.
//!
//! Migration N moves `PRAGMA user_version` from N-1 to N inside one transaction. Never edit a
//! migration that has shipped; add the next one. Projection tables are derived from `docs` and
//! can be rebuilt (see `Store::rebuild_projections`), so a migration may drop and refill them.
//! Most migrations are SQL; one that must hand something to the world outside the database (the
//! session, to the credential store) is a Rust step in the same transaction.

use fieldsales_migrate::{Migrations, Step};
use rusqlite::{Connection, OptionalExtension, Transaction};

use crate::credentials::{Credential, CredentialStore};
use crate::error::{Error, Result};

/// One numbered migration: SQL, or a Rust step that reads the credential store.
type Migration = Step<StaticCredentials, Error>;

/// The credential store the app owns for as long as the store is open.
pub(crate) type StaticCredentials = dyn CredentialStore + 'static;

/// The migrations in order; index 0 is migration 1.
const MIGRATIONS: &[Migration] = &[
    // 1: documents, outbox, device state, projections and search.
    Step::Sql(
        r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    -- One Automerge document per record; `bytes` is the compacted save.
    CREATE TABLE docs (
        id    TEXT PRIMARY KEY,
        kind  TEXT NOT NULL,
        bytes BLOB NOT NULL
    ) WITHOUT ROWID;

    -- Local changes the server has not acknowledged yet, oldest first.
    CREATE TABLE outbox (
        seq    INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id TEXT NOT NULL,
        kind   TEXT NOT NULL,
        change BLOB NOT NULL
    );

    -- Projections: plain columns for lists and queries, rebuilt from `docs` at will.
    CREATE TABLE customers (
        num         INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        name        TEXT NOT NULL,
        legal_name  TEXT,
        credit_code TEXT,
        phone       TEXT,
        stage       TEXT,
        owner       TEXT,
        team        TEXT,
        visibility  TEXT NOT NULL,
        lat         REAL,
        lon         REAL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        deleted     INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX customers_name ON customers(name) WHERE deleted = 0;

    -- Every phone of a customer and of its contacts, digits reversed so that a suffix search
    -- ("the last four digits") is a range scan of this index.
    CREATE TABLE customer_phones (
        rev         TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        PRIMARY KEY (rev, customer_id)
    ) WITHOUT ROWID;
    CREATE INDEX customer_phones_customer ON customer_phones(customer_id);

    -- Search terms (see `search::terms`): Chinese characters one token each, pinyin and Latin
    -- words as suffix tokens. Contentless: the text lives in the documents.
    CREATE VIRTUAL TABLE customer_fts USING fts5(
        hanzi, latin,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61', prefix = '2 3'
    );

    CREATE TABLE visits (
        id          TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        rep         TEXT NOT NULL,
        at          INTEGER NOT NULL,
        planned_at  INTEGER,
        checkin_at  INTEGER,
        checkout_at INTEGER,
        verdict     TEXT,
        outcome     TEXT,
        deleted     INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE INDEX visits_customer ON visits(customer_id, at);
    CREATE INDEX visits_rep ON visits(rep, at);

    CREATE TABLE quick_logs (
        id          TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        rep         TEXT NOT NULL,
        channel     TEXT NOT NULL,
        at          INTEGER NOT NULL,
        duration_s  INTEGER,
        next_action TEXT,
        deleted     INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE INDEX quick_logs_customer ON quick_logs(customer_id, at);

    CREATE TABLE tasks (
        id          TEXT PRIMARY KEY,
        customer_id TEXT,
        title       TEXT NOT NULL,
        assignee    TEXT NOT NULL,
        due_at      INTEGER NOT NULL,
        done        INTEGER NOT NULL DEFAULT 0,
        deleted     INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE INDEX tasks_open ON tasks(due_at) WHERE done = 0 AND deleted = 0;
    CREATE INDEX tasks_customer ON tasks(customer_id);

    -- Records where concurrent writes left several values in a field (see `conflict`).
    CREATE TABLE conflicted (
        id     TEXT PRIMARY KEY,
        kind   TEXT NOT NULL,
        fields INTEGER NOT NULL
    ) WITHOUT ROWID;
    "#,
    ),
    // 2: duplicate detection: profiles, blocking keys, merge pointers (see `dedup`).
    Step::Sql(
        r#"
    -- The normalised facts of each live customer, as JSON (see `dedup::profile`).
    CREATE TABLE dedup_profiles (
        customer_id TEXT PRIMARY KEY,
        profile     TEXT NOT NULL
    ) WITHOUT ROWID;

    -- Blocking keys: customers sharing a key are compared, no one else.
    CREATE TABLE dedup_keys (
        key         TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        PRIMARY KEY (key, customer_id)
    ) WITHOUT ROWID;
    CREATE INDEX dedup_keys_customer ON dedup_keys(customer_id);

    -- Merged-away customers: the pointer in their document, and the end of the chain.
    CREATE TABLE customer_merges (
        id       TEXT PRIMARY KEY,
        into_id  TEXT NOT NULL,
        survivor TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX customer_merges_into ON customer_merges(into_id);
    CREATE INDEX customer_merges_survivor ON customer_merges(survivor);

    -- Merged-away customers stored since their merge follow-ups were last settled.
    CREATE TABLE dedup_settle (
        id TEXT PRIMARY KEY
    ) WITHOUT ROWID;

    -- Customers stored before this migration are indexed at the next open.
    INSERT OR REPLACE INTO meta (key, value) VALUES ('dedup_index', 'rebuild');
    "#,
    ),
    // 3: the sync client's state and the edits the server refused.
    Step::Sql(
        r#"
    -- One row: where this store syncs, how far it got, and how the last attempt went. The
    -- session token lives here (the database is the app's private storage); it is never logged.
    CREATE TABLE sync_state (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        server_url      TEXT,
        token           TEXT,
        token_expires   TEXT,
        cursor          INTEGER NOT NULL DEFAULT 0,
        resume          TEXT,
        last_success_at INTEGER,
        last_attempt_at INTEGER,
        last_error      TEXT
    );
    INSERT INTO sync_state (id) VALUES (1);

    -- Local edits the server refused, kept for the app to show until the user dismisses them.
    -- `local_doc` is the device's version of the document just before it took the server's.
    CREATE TABLE rejected_edits (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id      TEXT NOT NULL,
        kind        TEXT NOT NULL,
        reason      TEXT NOT NULL,
        detail      TEXT NOT NULL,
        rejected_at INTEGER NOT NULL,
        local_doc   BLOB
    );
    CREATE TABLE rejected_changes (
        edit_id INTEGER NOT NULL REFERENCES rejected_edits(id) ON DELETE CASCADE,
        seq     INTEGER NOT NULL,
        change  BLOB NOT NULL,
        PRIMARY KEY (edit_id, seq)
    ) WITHOUT ROWID;
    "#,
    ),
    // 4: duplicate detection reads a generic word typed with its last character twice
    // (科技技) as the word: customers whose names double a character are profiled again at the
    // next open (a whole rebuild still pending from migration 2 covers them too).
    Step::Sql(
        r#"
    INSERT OR IGNORE INTO meta (key, value) VALUES ('dedup_index', 'doubled-names');
    "#,
    ),
    // 5: the session token leaves the database for the credential store (see `credentials`).
    Step::Rust {
        run: move_session_out,
        scrub: true,
    },
    // 6: duplicate detection reads traditional characters, trade words, group markers,
    // numbered units and gendered honorifics (see `dedup::normalise`): every customer is
    // profiled again at the next open.
    Step::Sql(
        r#"
    INSERT OR REPLACE INTO meta (key, value) VALUES ('dedup_index', 'rebuild');
    "#,
    ),
    // 7: photos and documents: the files beside the store, who references them, their uploads
    // (see `media`).
    Step::Sql(crate::media::table::MIGRATION),
];

/// The store's migrations, run by the one migrator the server uses too.
const SCHEMA: Migrations<StaticCredentials, Error> = Migrations::new("store", MIGRATIONS);

/// The schema version this build writes.
pub(crate) const LATEST: i64 = SCHEMA.latest();

/// Brings the database up to [`LATEST`], one transaction per migration; a store from a newer
/// app is refused untouched. `credentials` receives a session that an older version kept in
/// the database.
pub(crate) fn migrate(conn: &mut Connection, credentials: &StaticCredentials) -> Result<()> {
    migrate_to(conn, LATEST, credentials)
}

/// Brings the database up to `target` (tests build older stores with it).
fn migrate_to(conn: &mut Connection, target: i64, credentials: &StaticCredentials) -> Result<()> {
    SCHEMA.run_to(conn, target, credentials)?;
    Ok(())
}

/// Migration 5: hands the session kept in `sync_state` (by migration 3) to the credential
/// store, then rebuilds `sync_state` without the token's columns. The old table is dropped
/// with `secure_delete` on, so its page, which also holds the stale copies of every token the
/// row ever had, is overwritten with zeros rather than left in the file.
fn move_session_out(tx: &Transaction<'_>, credentials: &StaticCredentials) -> Result<()> {
    // Already done (a store whose version was wound back, as tests of older migrations do): the
    // table has no token column left to move.
    let has_token: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('sync_state') WHERE name = 'token')",
        [],
        |r| r.get(0),
    )?;
    if !has_token {
        return Ok(());
    }
    let stored: Option<(Option<String>, Option<String>, Option<String>)> = tx
        .query_row(
            "SELECT server_url, token, token_expires FROM sync_state WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((Some(server_url), Some(token), expires_at)) = stored {
        // Written before the database lets go of it: a crash in between leaves the session in
        // both places, and this migration runs again at the next open.
        credentials.save(&Credential {
            server_url,
            token,
            expires_at: expires_at.unwrap_or_default(),
        })?;
    }
    let secure: i64 = tx.pragma_query_value(None, "secure_delete", |r| r.get(0))?;
    tx.pragma_update(None, "secure_delete", true)?;
    tx.execute_batch(
        r#"
        CREATE TABLE sync_state_v5 (
            id              INTEGER PRIMARY KEY CHECK (id = 1),
            server_url      TEXT,
            cursor          INTEGER NOT NULL DEFAULT 0,
            resume          TEXT,
            last_success_at INTEGER,
            last_attempt_at INTEGER,
            last_error      TEXT
        );
        INSERT INTO sync_state_v5
            (id, server_url, cursor, resume, last_success_at, last_attempt_at, last_error)
        SELECT id, server_url, cursor, resume, last_success_at, last_attempt_at, last_error
        FROM sync_state;
        DROP TABLE sync_state;
        ALTER TABLE sync_state_v5 RENAME TO sync_state;
        "#,
    )?;
    tx.pragma_update(None, "secure_delete", secure)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use rusqlite::config::DbConfig;

    use super::*;
    use crate::credentials::SessionFile;
    use crate::{Config, FieldSales, Identity};

    /// Names of the files in `dir` that contain `needle`.
    fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let bytes = std::fs::read(p).unwrap();
                bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            })
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    /// A store as version 4 left it: signed in twice (the first token checkpointed into the
    /// database, the second only in the log, which a crash left behind).
    fn version_4_store(db: &Path) {
        let mut conn = Connection::open(db).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .unwrap();
        migrate_to(&mut conn, 4, &SessionFile::beside(db)).unwrap();
        for token in ["first-token-aaaa", "second-token-bbbb"] {
            conn.execute(
                "UPDATE sync_state SET server_url = 'https://sync.example.com/', token = ?1,
                    token_expires = '2099-01-01T00:00:00Z' WHERE id = 1",
                [token],
            )
            .unwrap();
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                .unwrap();
        }
        conn.execute("UPDATE sync_state SET cursor = 7 WHERE id = 1", [])
            .unwrap();
    }

    #[test]
    fn an_older_store_hands_its_session_over_and_keeps_no_copy_of_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("user-rep-1.sqlite3");
        version_4_store(&db);
        assert!(!files_containing(dir.path(), "second-token-bbbb").is_empty());

        let fs = FieldSales::open(
            dir.path(),
            Identity::new("rep-1", None).unwrap(),
            Config::default(),
        )
        .unwrap();
        let status = fs.sync().status().unwrap();
        assert!(status.signed_in, "the session survives the upgrade");
        assert_eq!(status.cursor, 7);
        assert_eq!(
            status.session_expires_at.as_deref(),
            Some("2099-01-01T00:00:00Z")
        );
        assert_eq!(
            files_containing(dir.path(), "second-token-bbbb"),
            ["user-rep-1.session"]
        );
        assert_eq!(
            files_containing(dir.path(), "first-token-aaaa"),
            Vec::<String>::new()
        );
        let version: i64 = fs
            .engine
            .store
            .read(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?))
            .unwrap();
        assert_eq!(version, LATEST);
    }

    #[test]
    fn migrations_refuse_a_store_from_a_newer_version() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let mut conn = Connection::open(&db).unwrap();
        conn.pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
        let err = migrate(&mut conn, &SessionFile::beside(&db)).unwrap_err();
        assert!(matches!(err, Error::SchemaTooNew { .. }), "{err:?}");
    }
}
