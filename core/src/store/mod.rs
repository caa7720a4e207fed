//! The local SQLite store: one database file per signed-in user.
//!
//! Owns the connections, the pragmas and the transaction discipline; knows nothing of record
//! kinds: each kind supplies its projection rows through the [`Projection`] trait, registered
//! when the store is opened. Two connections: one writer (every mutation is one
//! `BEGIN IMMEDIATE` transaction holding document bytes, projection rows and the outbox row),
//! and one reader, so that in WAL mode lists and searches never wait for a write or a sync; a
//! third, on its own thread, runs the WAL checkpoints at pauses in the writes (when the writes
//! do not pause, the writer runs one before its next write: see `checkpoint`).
//!
//! Every committed write transaction announces the records it changed on the change feed
//! (`crate::feed`), after `COMMIT` and only then; the write connection carries the feed's
//! temporary triggers that collect them.
//!
//! Durability: WAL with `synchronous = FULL` by default, so a write that returned survives not
//! only the app being killed but the battery dying at the customer's door — the most common way
//! a field rep's phone goes down. It costs one fsync per write (a quick-log is one write, a few
//! per hour); bulk work batches many records into one transaction instead. `NORMAL`
//! ([`Durability::AppCrash`]) survives app kills only, and suits tests and throwaway stores.
//!
//! Files: the database and the files SQLite keeps beside it are the owner's only (`0600`, in a
//! `0700` directory; see `crate::permissions`). The session token is not in the database at all: it is
//! kept by a [`crate::credentials::CredentialStore`], which migration 5 handed an older store's
//! session to. Photos and documents are files in a folder beside the database
//! (`crate::media::files`); a transaction that released some (see `crate::media::table`)
//! removes their files after it committed, never before.

mod checkpoint;
pub(crate) mod feed;
mod migrations;
mod projection;
pub(crate) mod writer;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::credentials::CredentialStore;
use crate::error::Result;
use crate::media::files::MediaFiles;
use crate::media::table as media_table;

pub(crate) use projection::{Projection, Projections, Row, Rows};
pub(crate) use writer::Writer;

/// How hard a committed write is pushed to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Durability {
    /// Survives the app being killed, not a power cut (WAL, `synchronous = NORMAL`).
    AppCrash,
    /// Also survives power loss (WAL, `synchronous = FULL`): one fsync per write. The default.
    #[default]
    PowerLoss,
}

/// The database of one user on one device.
pub(crate) struct Store {
    // Fields drop in this order: the writer (and the checkpoint requests its WAL hook holds)
    // goes first, so the checkpoint thread can end; its connection, closing last, folds the log
    // into the database.
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
    checkpointer: checkpoint::Checkpointer,
    /// Each record kind's projection.
    projections: Projections,
    /// Where each committed transaction announces the records it changed.
    feed: feed::Publisher,
    /// The photos and documents beside the database.
    media: MediaFiles,
}

impl Store {
    /// Opens (creating if needed, owner-only) the database at `path` and runs pending
    /// migrations; one of them hands a session stored by an older version to `credentials`.
    /// `projections` are how each record kind's rows are written.
    pub(crate) fn open(
        path: &Path,
        durability: Durability,
        credentials: &(dyn CredentialStore + 'static),
        projections: Projections,
    ) -> Result<Store> {
        crate::permissions::private_database(path)?;
        let mut writer = Connection::open(path)?;
        configure(&writer, durability)?;
        migrations::migrate(&mut writer, credentials)?;
        feed::install(&writer)?;
        media_table::install(&writer)?;
        let checkpointer = checkpoint::Checkpointer::start(path, durability, &mut writer)?;
        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure_reader(&reader)?;
        Ok(Store {
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            checkpointer,
            projections,
            feed: feed::Publisher::new(),
            media: MediaFiles::beside(path),
        })
    }

    /// The projection of every record kind.
    pub(crate) fn projections(&self) -> &Projections {
        &self.projections
    }

    /// The media folder beside the database.
    pub(crate) fn media(&self) -> &MediaFiles {
        &self.media
    }

    /// The change feed's sending side (subscribers are made from it).
    pub(crate) fn feed(&self) -> &feed::Publisher {
        &self.feed
    }

    /// Runs `f` on the read connection. Reads see the last committed state and never block on
    /// a writer.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = lock(&self.reader);
        f(&conn)
    }

    /// Runs `f` inside one immediate transaction on the write connection and commits it; any
    /// error rolls the whole transaction back. Once committed, the records it changed go out on
    /// the change feed (see [`crate::feed`]); a rolled-back transaction announces nothing.
    pub(crate) fn transaction<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = lock(&self.writer);
        self.checkpointer.catch_up(&conn);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        let changed = feed::take(&tx)?;
        let released = media_table::take_released(&tx)?;
        tx.commit()?;
        // Still under the writer lock, so changes go out in commit order; publishing never
        // waits for a subscriber.
        self.feed.publish(changed);
        // Only now: had the transaction rolled back, its rows would still name these files.
        self.media.remove_all(&released);
        Ok(out)
    }
}

/// A poisoned lock only means another thread panicked while holding the connection; SQLite
/// rolled its transaction back, so the connection itself is sound and we keep using it.
fn lock(mutex: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn configure(conn: &Connection, durability: Durability) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let sync = match durability {
        Durability::AppCrash => "NORMAL",
        Durability::PowerLoss => "FULL",
    };
    conn.pragma_update(None, "synchronous", sync)?;
    // After a big transaction (a first sync's page, an index rebuild) the WAL file is cut back
    // to this size at the next checkpoint instead of keeping its high-water mark on the phone.
    conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    map_pages(conn)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Reads pages through a memory map instead of a `read` call each. A rep's first duplicate
/// check or search after opening the app touches a few hundred pages the connection's own cache
/// has never held: through the map they come straight from the OS page cache (measured on a
/// 100,000-customer book: single-shot `dedup_check` p50 1.24 ms → 0.13 ms). Writes still go
/// through SQLite's journal; where the map cannot be made (a 32-bit address space) SQLite falls
/// back to plain reads.
fn map_pages(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    Ok(())
}

/// Bytes the WAL file is truncated to after a checkpoint.
pub(super) const WAL_SIZE_LIMIT: i64 = 16 << 20;

/// Large enough for a book of several hundred thousand records.
const MMAP_BYTES: i64 = 1 << 30;

fn configure_reader(conn: &Connection) -> Result<()> {
    map_pages(conn)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}
