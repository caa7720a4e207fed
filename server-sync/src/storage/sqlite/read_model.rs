//! The console's read model in SQLite: one query table per kind (`console_customers`,
//! `console_visits`, `console_quick_logs`, `console_tasks`) with the columns the console lists,
//! filters and counts on.
//!
//! The sync writes a document's row in the transaction that stores the document and appends
//! its changes to the log ([`replace`], called through `SyncStore::set_summary`), so the
//! console never shows a record the log does not hold, nor misses one it does. Migration 6
//! creates the tables and fills them from the stored documents ([`rebuild`]); the admin command
//! `fieldsales-server read-model rebuild` runs the same. The rows are derived data: what a
//! record says is read by `fieldsales_protocol::record` (the phone's reader), never here; who
//! may see a row is `crate::access`, never here.
//!
//! Two columns are not in the documents: `synced_at` (server time, ms, when the record first
//! reached the server, for the capture → sync lag) is written once and kept by every later
//! write and by a rebuild (a record the rebuild finds without a row gets none: its lag is
//! unknown, not invented), and a visit's `at` (its check-in, else its planned time, else its
//! creation), the one time the list sorts and filters by.

use fieldsales_protocol::record::{
    CustomerSummary, QuickLogSummary, Summary, TaskSummary, VisitSummary,
};
use fieldsales_protocol::Kind;
use rusqlite::{params, Connection, Transaction};

use crate::error::Result;

/// The tables, created by migration 6.
pub const TABLES: &str = r#"
CREATE TABLE console_customers (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    name        TEXT,
    owner       TEXT,
    team        TEXT,
    visibility  TEXT,
    stage       TEXT,
    address     TEXT,
    lat         REAL,
    lon         REAL,
    created_at  INTEGER,
    created_by  TEXT,
    updated_at  INTEGER,
    synced_at   INTEGER,
    deleted     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX console_customers_creator ON console_customers (tenant_id, created_by, created_at);
CREATE TABLE console_visits (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    rep             TEXT,
    customer        TEXT,
    at              INTEGER NOT NULL,
    planned_at      INTEGER,
    check_in_at     INTEGER,
    check_out_at    INTEGER,
    verdict         TEXT,
    distance_m      REAL,
    outcome         TEXT,
    next_action     TEXT,
    next_action_due INTEGER,
    task            TEXT,
    photos          INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER,
    updated_at      INTEGER,
    synced_at       INTEGER,
    deleted         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX console_visits_at ON console_visits (tenant_id, at, id);
CREATE INDEX console_visits_rep ON console_visits (tenant_id, rep, at, id);
CREATE INDEX console_visits_customer ON console_visits (tenant_id, customer, at);
-- The figures' period scan reads only this index (1M visits, a month: 1.2 s -> 0.5 s).
CREATE INDEX console_visits_figures ON console_visits
    (tenant_id, at, rep, verdict, check_in_at, check_out_at, created_at, synced_at, deleted);
CREATE TABLE console_quick_logs (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    rep         TEXT,
    customer    TEXT,
    channel     TEXT,
    at          INTEGER,
    duration_s  INTEGER,
    next_action TEXT,
    due         INTEGER,
    note        TEXT,
    task        TEXT,
    created_at  INTEGER,
    synced_at   INTEGER,
    deleted     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX console_quick_logs_rep ON console_quick_logs (tenant_id, rep, at);
CREATE INDEX console_quick_logs_customer ON console_quick_logs (tenant_id, customer, at);
CREATE TABLE console_tasks (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    assignee    TEXT,
    customer    TEXT,
    source      TEXT,
    title       TEXT,
    due_at      INTEGER,
    done        INTEGER NOT NULL DEFAULT 0,
    done_at     INTEGER,
    created_at  INTEGER,
    synced_at   INTEGER,
    deleted     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX console_tasks_assignee ON console_tasks (tenant_id, assignee, due_at);
CREATE INDEX console_tasks_customer ON console_tasks (tenant_id, customer);
"#;

/// When a record reaches the server, for `synced_at`.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Writes the row of `doc_id` from its summary. `synced_at` is the arrival time to keep when
/// the row is new (`None`: unknown); an existing row keeps its own.
pub fn replace(
    conn: &Connection,
    tenant_id: &str,
    doc_id: &str,
    summary: &Summary,
    synced_at: Option<i64>,
) -> Result<()> {
    let key = (tenant_id, doc_id, synced_at);
    match summary {
        Summary::Customer(c) => customer(conn, key, c),
        Summary::Visit(v) => visit(conn, key, v),
        Summary::QuickLog(q) => quick_log(conn, key, q),
        Summary::Task(t) => task(conn, key, t),
    }
}

type Key<'a> = (&'a str, &'a str, Option<i64>);

fn customer(conn: &Connection, (tenant, id, synced): Key<'_>, c: &CustomerSummary) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO console_customers (tenant_id, id, name, owner, team, visibility, stage,
            address, lat, lon, created_at, created_by, updated_at, synced_at, deleted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (tenant_id, id) DO UPDATE SET
            name = excluded.name, owner = excluded.owner, team = excluded.team,
            visibility = excluded.visibility, stage = excluded.stage, address = excluded.address,
            lat = excluded.lat, lon = excluded.lon, created_at = excluded.created_at,
            created_by = excluded.created_by, updated_at = excluded.updated_at,
            deleted = excluded.deleted",
    )?
    .execute(params![
        tenant,
        id,
        c.name,
        c.owner,
        c.team,
        c.visibility,
        c.stage,
        c.address,
        c.lat,
        c.lon,
        c.header.created_at_ms,
        c.header.created_by,
        c.header.updated_at_ms,
        synced,
        c.header.deleted || c.merged_into.is_some(),
    ])?;
    Ok(())
}

fn visit(conn: &Connection, (tenant, id, synced): Key<'_>, v: &VisitSummary) -> Result<()> {
    let check_in = v.check_in.as_ref();
    let at = check_in
        .map(|p| p.at_ms)
        .or(v.planned_at_ms)
        .or(v.header.created_at_ms)
        .unwrap_or(0);
    conn.prepare_cached(
        "INSERT INTO console_visits (tenant_id, id, rep, customer, at, planned_at, check_in_at,
            check_out_at, verdict, distance_m, outcome, next_action, next_action_due, task,
            photos, created_at, updated_at, synced_at, deleted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
         ON CONFLICT (tenant_id, id) DO UPDATE SET
            rep = excluded.rep, customer = excluded.customer, at = excluded.at,
            planned_at = excluded.planned_at, check_in_at = excluded.check_in_at,
            check_out_at = excluded.check_out_at, verdict = excluded.verdict,
            distance_m = excluded.distance_m, outcome = excluded.outcome,
            next_action = excluded.next_action, next_action_due = excluded.next_action_due,
            task = excluded.task, photos = excluded.photos, created_at = excluded.created_at,
            updated_at = excluded.updated_at, deleted = excluded.deleted",
    )?
    .execute(params![
        tenant,
        id,
        v.rep,
        v.customer,
        at,
        v.planned_at_ms,
        check_in.map(|p| p.at_ms),
        v.check_out.as_ref().map(|p| p.at_ms),
        check_in.map(|p| p.verdict.as_str()),
        check_in.and_then(|p| p.distance_m),
        v.outcome,
        v.next_action,
        v.next_action_due_ms,
        v.task,
        v.photos.len() as i64,
        v.header.created_at_ms,
        v.header.updated_at_ms,
        synced,
        v.header.deleted,
    ])?;
    Ok(())
}

fn quick_log(conn: &Connection, (tenant, id, synced): Key<'_>, q: &QuickLogSummary) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO console_quick_logs (tenant_id, id, rep, customer, channel, at, duration_s,
            next_action, due, note, task, created_at, synced_at, deleted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (tenant_id, id) DO UPDATE SET
            rep = excluded.rep, customer = excluded.customer, channel = excluded.channel,
            at = excluded.at, duration_s = excluded.duration_s,
            next_action = excluded.next_action, due = excluded.due, note = excluded.note,
            task = excluded.task, created_at = excluded.created_at, deleted = excluded.deleted",
    )?
    .execute(params![
        tenant,
        id,
        q.rep,
        q.customer,
        q.channel,
        q.at_ms,
        q.duration_s,
        q.next_action,
        q.due_ms,
        q.note,
        q.task,
        q.header.created_at_ms,
        synced,
        q.header.deleted,
    ])?;
    Ok(())
}

fn task(conn: &Connection, (tenant, id, synced): Key<'_>, t: &TaskSummary) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO console_tasks (tenant_id, id, assignee, customer, source, title, due_at,
            done, done_at, created_at, synced_at, deleted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (tenant_id, id) DO UPDATE SET
            assignee = excluded.assignee, customer = excluded.customer,
            source = excluded.source, title = excluded.title, due_at = excluded.due_at,
            done = excluded.done, done_at = excluded.done_at, created_at = excluded.created_at,
            deleted = excluded.deleted",
    )?
    .execute(params![
        tenant,
        id,
        t.assignee,
        t.customer,
        t.source,
        t.title,
        t.due_at_ms,
        t.done,
        t.done_at_ms,
        t.header.created_at_ms,
        synced,
        t.header.deleted,
    ])?;
    Ok(())
}

/// What a rebuild did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rebuilt {
    /// Documents read into rows.
    pub records: u64,
    /// Stored documents Automerge could not load (left out, and logged as a count).
    pub unreadable: u64,
}

/// Rewrites every row from the stored documents and drops rows whose document is gone. Rows
/// keep their `synced_at`. A document Automerge cannot load is skipped and counted, never a
/// reason to fail (the migration runs this).
pub fn rebuild(tx: &Transaction<'_>) -> Result<Rebuilt> {
    let mut done = Rebuilt::default();
    done.unreadable = super::stored::each_document(
        tx,
        &Kind::ALL,
        Summary::read,
        |tenant_id, doc_id, summary| {
            replace(tx, tenant_id, doc_id, &summary, None)?;
            done.records += 1;
            Ok(())
        },
    )?;
    for (table, kind) in [
        ("console_customers", Kind::Customer),
        ("console_visits", Kind::Visit),
        ("console_quick_logs", Kind::QuickLog),
        ("console_tasks", Kind::Task),
    ] {
        tx.execute(
            &format!(
                "DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM docs d
                    WHERE d.tenant_id = {table}.tenant_id AND d.id = {table}.id AND d.kind = ?1)"
            ),
            [kind.as_str()],
        )?;
    }
    if done.unreadable > 0 {
        tracing::warn!(
            unreadable = done.unreadable,
            "read model: stored documents that could not be read"
        );
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ScalarValue, ROOT};
    use fieldsales_protocol::schema::{common, visit};

    use super::*;

    fn visit_bytes(rep: &str, verdict: &str) -> Vec<u8> {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, common::KIND, "visit").unwrap();
        doc.put(ROOT, visit::REP, rep).unwrap();
        let check_in = doc.put_object(ROOT, visit::CHECK_IN, ObjType::Map).unwrap();
        doc.put(&check_in, visit::AT, ScalarValue::Timestamp(1_000))
            .unwrap();
        doc.put(&check_in, visit::VERDICT, verdict).unwrap();
        doc.save()
    }

    fn rows(conn: &Connection) -> Vec<(String, String, Option<String>, Option<i64>)> {
        conn.prepare("SELECT id, rep, verdict, synced_at FROM console_visits ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn migration_6_fills_the_read_model_of_a_database_that_held_documents_before_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        // The database as a server before the console left it: documents, no read model.
        conn.execute_batch(
            "DROP TABLE console_customers; DROP TABLE console_visits;
             DROP TABLE console_quick_logs; DROP TABLE console_tasks;
             PRAGMA user_version = 5;
             INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 'x');",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO docs (tenant_id, id, kind, visibility, data)
             VALUES ('t1', 'v1', 'visit', 'private', ?1)",
            [visit_bytes("ann", "out_of_range")],
        )
        .unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        assert_eq!(
            rows(&conn),
            vec![(
                "v1".to_string(),
                "ann".to_string(),
                Some("out_of_range".to_string()),
                None
            )],
            "filled from the document; its arrival time is unknown, not invented"
        );
    }

    #[test]
    fn a_rebuild_rewrites_rows_from_the_documents_keeps_arrival_times_and_drops_the_gone() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 'x');",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO docs (tenant_id, id, kind, visibility, data)
             VALUES ('t1', 'v1', 'visit', 'private', ?1), ('t1', 'v2', 'visit', 'private', x'00')",
            [visit_bytes("ann", "verified")],
        )
        .unwrap();
        // A stale row (the phone said out of range before), and a row whose document is gone.
        let stale = VisitSummary {
            rep: Some("ann".into()),
            ..match Summary::read(Kind::Visit, &AutoCommit::new()) {
                Summary::Visit(v) => v,
                _ => unreachable!("read as a visit"),
            }
        };
        replace(&conn, "t1", "v1", &Summary::Visit(stale.clone()), Some(77)).unwrap();
        replace(&conn, "t1", "gone", &Summary::Visit(stale), Some(88)).unwrap();
        let tx = conn.transaction().unwrap();
        let done = rebuild(&tx).unwrap();
        tx.commit().unwrap();
        assert_eq!(
            done,
            Rebuilt {
                records: 1,
                unreadable: 1
            }
        );
        assert_eq!(
            rows(&conn),
            vec![(
                "v1".to_string(),
                "ann".to_string(),
                Some("verified".to_string()),
                Some(77)
            )],
            "rewritten from the document, arrival time kept, the gone row dropped"
        );
    }
}
