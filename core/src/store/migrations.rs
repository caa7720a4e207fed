//! The local database schema, as numbered migrations run at open.
//!
//! Migration N moves `PRAGMA user_version` from N-1 to N inside one transaction. Never edit a
//! migration that has shipped; add the next one. Projection tables are derived from `docs` and
//! can be rebuilt (see `Store::rebuild_projections`), so a migration may drop and refill them.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// The migrations in order; index 0 is migration 1.
const MIGRATIONS: &[&str] = &[
    // 1: documents, outbox, device state, projections and search.
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
    // 2: duplicate detection: profiles, blocking keys, merge pointers (see `dedup`).
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
    // 3: the sync client's state and the edits the server refused.
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
    // 4: duplicate detection reads a generic word typed with its last character twice
    // (科技技) as the word: customers whose names double a character are profiled again at the
    // next open (a whole rebuild still pending from migration 2 covers them too).
    r#"
    INSERT OR IGNORE INTO meta (key, value) VALUES ('dedup_index', 'doubled-names');
    "#,
];

/// The schema version this build writes.
pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`LATEST`], one transaction per migration.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if current > LATEST {
        return Err(Error::SchemaTooNew {
            found: current,
            supported: LATEST,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "applied store migration");
    }
    Ok(())
}
