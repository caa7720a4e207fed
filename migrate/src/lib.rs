//! Numbered SQLite migrations, one migrator for the device's store and the server's database.
//!
//! A database's schema version is its `PRAGMA user_version`. Migration N moves it from N-1 to N
//! inside one transaction, so a crash leaves the database at a version it really has. A
//! migration that has shipped is never edited; the next one is added after it. A database whose
//! version is above the last migration this build knows was written by a newer build: it is
//! refused with [`SchemaTooNew`] and left exactly as it is, never migrated or written (someone
//! who rolls the app or the server back must not damage their data).
//!
//! Most migrations are SQL. A [`Step::Rust`] runs code inside the migration's transaction, with
//! a context the caller passes in (the device hands its old session to the credential store
//! that way); one marked `scrub` empties the write-ahead log afterwards, so that what it removed
//! survives nowhere on disk.
//!
//! This crate knows nothing of what the tables are: `fieldsales-core` and `fieldsales-server`
//! each own their list.
//!
//! ```
//! use fieldsales_migrate::{Migrations, SchemaTooNew, Step};
//!
//! #[derive(Debug)]
//! enum Error { TooNew(SchemaTooNew), Sqlite(rusqlite::Error) }
//! impl From<SchemaTooNew> for Error { fn from(e: SchemaTooNew) -> Self { Error::TooNew(e) } }
//! impl From<rusqlite::Error> for Error { fn from(e: rusqlite::Error) -> Self { Error::Sqlite(e) } }
//!
//! const STEPS: &[Step<(), Error>] = &[
//!     Step::Sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"),
//!     Step::Sql("ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;"),
//! ];
//! const SCHEMA: Migrations<(), Error> = Migrations::new("notes", STEPS);
//!
//! let mut conn = rusqlite::Connection::open_in_memory().unwrap();
//! SCHEMA.run(&mut conn, &()).unwrap();
//! assert_eq!(SCHEMA.version(&conn).unwrap(), 2);
//! ```

use rusqlite::{Connection, Transaction};

/// A database written by a newer build than this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaTooNew {
    /// The version found in the database.
    pub found: i64,
    /// The last version this build knows.
    pub supported: i64,
}

impl std::fmt::Display for SchemaTooNew {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the database has schema version {}, newer than this build's {}: \
             it was written by a newer version and is left untouched",
            self.found, self.supported
        )
    }
}

impl std::error::Error for SchemaTooNew {}

/// One numbered migration. `C` is what a Rust step may read besides the database; `E` is the
/// caller's error type.
pub enum Step<C: ?Sized + 'static, E: 'static> {
    /// SQL run as one batch.
    Sql(&'static str),
    /// Code run in the migration's transaction. `scrub`: what it removed must not survive in
    /// the write-ahead log either (the log is emptied once all migrations ran).
    Rust {
        run: fn(&Transaction<'_>, &C) -> Result<(), E>,
        scrub: bool,
    },
}

/// An ordered list of migrations; the first is migration 1.
pub struct Migrations<C: ?Sized + 'static, E: 'static> {
    /// Names the database in logs ("store", "server").
    name: &'static str,
    steps: &'static [Step<C, E>],
}

impl<C: ?Sized, E> Migrations<C, E>
where
    E: From<rusqlite::Error> + From<SchemaTooNew>,
{
    /// The migrations of the database called `name` in logs.
    pub const fn new(name: &'static str, steps: &'static [Step<C, E>]) -> Self {
        Migrations { name, steps }
    }

    /// The schema version this build writes.
    pub const fn latest(&self) -> i64 {
        self.steps.len() as i64
    }

    /// The schema version of `conn`.
    pub fn version(&self, conn: &Connection) -> Result<i64, E> {
        Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    /// Brings the database to [`Migrations::latest`], one transaction per migration. Returns the
    /// versions it applied (none when the database was current).
    pub fn run(&self, conn: &mut Connection, context: &C) -> Result<Vec<i64>, E> {
        self.run_to(conn, self.latest(), context)
    }

    /// Brings the database up to `target` (clamped to what this build knows); tests build an
    /// older database with it. A database above `target` but not above the latest is left as
    /// it is; one above the latest is refused.
    pub fn run_to(&self, conn: &mut Connection, target: i64, context: &C) -> Result<Vec<i64>, E> {
        let found = self.version(conn)?;
        if found > self.latest() {
            return Err(SchemaTooNew {
                found,
                supported: self.latest(),
            }
            .into());
        }
        let mut applied = Vec::new();
        let mut scrub_log = false;
        let first = found.max(0) as usize;
        let last = target.clamp(0, self.latest()) as usize;
        for (index, step) in self.steps.iter().enumerate().take(last).skip(first) {
            let version = index as i64 + 1;
            let tx = conn.transaction()?;
            match step {
                Step::Sql(sql) => tx.execute_batch(sql)?,
                Step::Rust { run, scrub } => {
                    run(&tx, context)?;
                    scrub_log |= scrub;
                }
            }
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()?;
            tracing::info!(database = self.name, version, "applied migration");
            applied.push(version);
        }
        if scrub_log {
            empty_log(conn, self.name)?;
        }
        Ok(applied)
    }
}

/// Copies the write-ahead log into the database and empties it, so that pages as they were
/// before a migration are nowhere on disk. At open only this connection exists, so the
/// checkpoint is not kept waiting.
fn empty_log(conn: &Connection, name: &'static str) -> rusqlite::Result<()> {
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    if busy != 0 {
        // Another process has the database open; the next checkpoint overwrites the log.
        tracing::warn!(
            database = name,
            "the log could not be emptied after a migration"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    enum TestError {
        TooNew(SchemaTooNew),
        Sqlite(rusqlite::Error),
        Refused(&'static str),
    }
    impl From<SchemaTooNew> for TestError {
        fn from(e: SchemaTooNew) -> Self {
            TestError::TooNew(e)
        }
    }
    impl From<rusqlite::Error> for TestError {
        fn from(e: rusqlite::Error) -> Self {
            TestError::Sqlite(e)
        }
    }

    fn copy_note(tx: &Transaction<'_>, prefix: &str) -> Result<(), TestError> {
        tx.execute(
            "INSERT INTO notes (body) SELECT ?1 || body FROM notes",
            [prefix],
        )?;
        Ok(())
    }

    fn refuse(_: &Transaction<'_>, _: &str) -> Result<(), TestError> {
        Err(TestError::Refused("no"))
    }

    const STEPS: &[Step<str, TestError>] = &[
        Step::Sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"),
        Step::Sql("INSERT INTO notes (body) VALUES ('first');"),
        Step::Rust {
            run: copy_note,
            scrub: false,
        },
    ];
    const SCHEMA: Migrations<str, TestError> = Migrations::new("test", STEPS);

    fn bodies(conn: &Connection) -> Vec<String> {
        let mut stmt = conn.prepare("SELECT body FROM notes ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn a_fresh_database_gets_every_migration_in_order_with_the_caller_context() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(SCHEMA.run(&mut conn, "copy of ").unwrap(), vec![1, 2, 3]);
        assert_eq!(SCHEMA.version(&conn).unwrap(), 3);
        assert_eq!(bodies(&conn), ["first", "copy of first"]);
    }

    #[test]
    fn running_again_applies_nothing_and_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        SCHEMA.run(&mut conn, "x").unwrap();
        assert!(SCHEMA.run(&mut conn, "x").unwrap().is_empty());
        assert_eq!(bodies(&conn), ["first", "xfirst"]);
    }

    #[test]
    fn an_older_database_gets_only_the_migrations_it_lacks() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(SCHEMA.run_to(&mut conn, 2, "x").unwrap(), vec![1, 2]);
        conn.execute("INSERT INTO notes (body) VALUES ('second')", [])
            .unwrap();
        assert_eq!(SCHEMA.run(&mut conn, "y").unwrap(), vec![3]);
        assert_eq!(bodies(&conn), ["first", "second", "yfirst", "ysecond"]);
    }

    #[test]
    fn a_database_from_a_newer_build_is_refused_and_left_as_it_is() {
        let mut conn = Connection::open_in_memory().unwrap();
        SCHEMA.run(&mut conn, "x").unwrap();
        conn.pragma_update(None, "user_version", 7).unwrap();
        let err = SCHEMA.run(&mut conn, "x").unwrap_err();
        assert!(
            matches!(
                err,
                TestError::TooNew(SchemaTooNew {
                    found: 7,
                    supported: 3
                })
            ),
            "{err:?}"
        );
        assert_eq!(SCHEMA.version(&conn).unwrap(), 7);
        assert_eq!(bodies(&conn), ["first", "xfirst"]);
        let shown = SchemaTooNew {
            found: 7,
            supported: 3,
        }
        .to_string();
        assert!(shown.contains('7') && shown.contains('3'), "{shown}");
    }

    #[test]
    fn a_failing_migration_leaves_the_database_at_the_last_version_that_succeeded() {
        const FAILING: &[Step<str, TestError>] = &[
            Step::Sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"),
            Step::Sql("INSERT INTO notes (body) VALUES ('kept');"),
            Step::Rust {
                run: refuse,
                scrub: true,
            },
        ];
        let schema: Migrations<str, TestError> = Migrations::new("failing", FAILING);
        let mut conn = Connection::open_in_memory().unwrap();
        let err = schema.run(&mut conn, "x").unwrap_err();
        assert!(matches!(err, TestError::Refused("no")), "{err:?}");
        assert_eq!(schema.version(&conn).unwrap(), 2);
        assert_eq!(bodies(&conn), ["kept"]);

        // A broken SQL migration rolls back whole: no half-made table, version unchanged.
        const BROKEN: &[Step<str, TestError>] = &[Step::Sql(
            "CREATE TABLE half (id INTEGER); INSERT INTO missing VALUES (1);",
        )];
        let broken: Migrations<str, TestError> = Migrations::new("broken", BROKEN);
        let mut conn = Connection::open_in_memory().unwrap();
        let err = broken.run(&mut conn, "x").unwrap_err();
        assert!(
            matches!(&err, TestError::Sqlite(e) if e.to_string().contains("missing")),
            "{err:?}"
        );
        assert_eq!(broken.version(&conn).unwrap(), 0);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'half'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0);
    }
}
