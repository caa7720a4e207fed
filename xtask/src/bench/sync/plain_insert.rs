//! The baseline `initial_sync` is held against: the rows a first sync stored — documents,
//! projections, duplicate-detection keys and search terms — inserted again by plain rusqlite
//! into a new database with the same schema and the same durability, in as many transactions
//! as the sync had answers.
//!
//! Absolute rates differ between machines of the same kind by a third, so `initial_sync` holds
//! its ratio to this baseline, measured in the same run, rather than a record rate alone. The
//! rows are read from the synced device before the clock starts: what is timed is what any
//! store of these rows must pay (B-tree inserts, index updates, FTS5 tokens, commits), and the
//! difference to the sync is what fieldsales adds (the wire, the server, Automerge, deriving
//! the rows).
//!
//! Must not read anything the sync did not write, nor time the reading.

use std::path::Path;
use std::time::{Duration, Instant};

use fieldsales_core::{Durability, FieldSales};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OpenFlags};

use crate::Result;

/// The plain tables a sync fills (the FTS5 index is [`Rows::terms`]).
const TABLES: &[&str] = &[
    "docs",
    "customers",
    "customer_phones",
    "visits",
    "quick_logs",
    "tasks",
    "dedup_profiles",
    "dedup_keys",
    "conflicted",
];

/// The rows of one table, with the statements that create it and its indexes.
struct Table {
    name: &'static str,
    schema: Vec<String>,
    rows: Vec<Vec<Value>>,
}

/// Everything a first sync stored, read back.
pub(crate) struct Rows {
    tables: Vec<Table>,
    fts_schema: String,
    /// (customer number, hanzi terms, latin terms) for each live customer.
    terms: Vec<(i64, String, String)>,
}

impl Rows {
    /// Reads the rows `device` holds after its first sync (untimed).
    pub(crate) fn read(device: &FieldSales) -> Result<Rows> {
        let conn = Connection::open_with_flags(device.path(), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let mut tables = Vec::with_capacity(TABLES.len());
        for &name in TABLES {
            tables.push(Table {
                name,
                schema: schema_of(&conn, name)?,
                rows: rows_of(&conn, name)?,
            });
        }
        let fts_schema = schema_of(&conn, "customer_fts")?
            .into_iter()
            .next()
            .ok_or("the device has no customer_fts table")?;
        let mut stmt = conn.prepare("SELECT num, id FROM customers WHERE deleted = 0")?;
        let live = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut terms = Vec::new();
        for row in live {
            let (num, id) = row?;
            let t = device.customers().get(&id)?.search_terms();
            terms.push((num, t.hanzi, t.latin));
        }
        Ok(Rows {
            tables,
            fts_schema,
            terms,
        })
    }

    /// Inserts every row into a new database under `dir` in `transactions` transactions, at
    /// the device's default durability; returns the time the inserts and commits took.
    pub(crate) fn insert(&self, dir: &Path, transactions: u32) -> Result<Duration> {
        let path = dir.join("initial_sync_plain.sqlite3");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let sync = match Durability::default() {
            Durability::PowerLoss => "FULL",
            Durability::AppCrash => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", sync)?;
        for statement in self.tables.iter().flat_map(|t| &t.schema) {
            conn.execute_batch(statement)?;
        }
        conn.execute_batch(&self.fts_schema)?;
        let parts = transactions.max(1) as usize;
        let start = Instant::now();
        for part in 0..parts {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            for table in &self.tables {
                insert_rows(&conn, table.name, share(&table.rows, part, parts))?;
            }
            let mut fts = conn.prepare_cached(
                "INSERT INTO customer_fts (rowid, hanzi, latin) VALUES (?1, ?2, ?3)",
            )?;
            for (num, hanzi, latin) in share(&self.terms, part, parts) {
                fts.execute(rusqlite::params![num, hanzi, latin])?;
            }
            conn.execute_batch("COMMIT")?;
        }
        Ok(start.elapsed())
    }
}

/// The `part`-th of `parts` near-equal slices of `rows`.
fn share<T>(rows: &[T], part: usize, parts: usize) -> &[T] {
    let at = |p: usize| rows.len() * p / parts;
    &rows[at(part)..at(part + 1)]
}

fn insert_rows(conn: &Connection, table: &str, rows: &[Vec<Value>]) -> Result {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    let marks = vec!["?"; width].join(", ");
    let mut stmt = conn.prepare_cached(&format!("INSERT INTO {table} VALUES ({marks})"))?;
    for row in rows {
        stmt.execute(params_from_iter(row))?;
    }
    Ok(())
}

/// `CREATE` statements of a table and its indexes, as the device's store has them.
fn schema_of(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ?1 AND sql IS NOT NULL
         ORDER BY type = 'index'",
    )?;
    let rows = stmt.query_map([table], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn rows_of(conn: &Connection, table: &str) -> Result<Vec<Vec<Value>>> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM {table}"))?;
    let width = stmt.column_count();
    let rows = stmt.query_map([], |r| {
        (0..width)
            .map(|i| r.get::<_, Value>(i))
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
