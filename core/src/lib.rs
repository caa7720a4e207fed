//! `fieldsales-core`: the offline-first engine of a field-sales app.
//!
//! A rep's phone keeps every customer, visit, quick-log entry and follow-up task in a local
//! SQLite database, one Automerge document per record, so that capture never waits for a
//! network and concurrent edits from several reps merge instead of overwriting each other.
//!
//! [`FieldSales`] is the root: open it once per signed-in user, then work through its areas —
//! [`FieldSales::customers`], [`FieldSales::visits`], [`FieldSales::quick_log`],
//! [`FieldSales::tasks`], [`FieldSales::search`], [`FieldSales::conflicts`],
//! [`FieldSales::health`], [`FieldSales::dedup`], [`FieldSales::sync`], and hear what changed
//! through [`FieldSales::changes`].
//!
//! ```
//! use fieldsales_core::{FieldSales, Identity, Config, customer::NewCustomer};
//! let dir = tempfile::tempdir().unwrap();
//! let fs = FieldSales::open(dir.path(), Identity::new("rep-1", Some("team-north".into())).unwrap(), Config::default()).unwrap();
//! let id = fs.customers().create(NewCustomer {
//!     name: "北京小米".into(),
//!     phones: vec!["138 1234 5678".into()],
//!     ..Default::default()
//! }).unwrap();
//! let hits = fs.search().customers("bjxm", 10).unwrap();
//! assert_eq!(hits[0].id, id);
//! ```
//!
//! This crate knows nothing of FFI or HTTP frameworks: the bindings and the server wrap it.

pub mod config;
pub mod conflict;
pub mod credentials;
pub mod customer;
pub mod dedup;
pub mod error;
pub mod feed;
pub mod health;
pub mod outbox;
pub mod pipeline;
mod projection;
pub use fieldsales_protocol as protocol;
pub mod quicklog;
pub mod record;
pub mod search;
mod store;
pub mod sync;
pub mod task;
pub mod timeline;
pub mod validate;
pub mod visit;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use automerge::ActorId;
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use uuid::Uuid;

pub use config::{Clock, Config, Identity, ManualClock, SystemClock};
pub use error::{Error, Remedy, Result};
pub use record::schema::Kind;
pub use store::Durability;

use record::RecordDoc;
use store::{Store, Writer};

/// An open store for one signed-in user. Cheap to clone; all clones share one database.
#[derive(Clone)]
pub struct FieldSales {
    engine: Arc<Engine>,
}

/// What every area needs: the database, who is writing, and the company's rules.
pub(crate) struct Engine {
    store: Store,
    identity: Identity,
    device_id: Uuid,
    actor: ActorId,
    config: Config,
    path: PathBuf,
    /// Bumped after every committed local write; the auto-sync engine watches it.
    writes: tokio::sync::watch::Sender<u64>,
    /// The sync client's runtime, transport and lock, created on first use.
    sync: sync::SyncShared,
}

impl FieldSales {
    /// Opens the store of `identity.user_id` under `data_dir`, creating it on first use and
    /// running any pending migrations. Each user gets their own database file, so signing in
    /// as someone else never mixes their data.
    pub fn open(data_dir: &Path, identity: Identity, config: Config) -> Result<FieldSales> {
        FieldSales::open_as_device(data_dir, identity, config, None)
    }

    /// [`FieldSales::open`], giving a new store the device id `new_device` (the one a login
    /// already registered); an existing store keeps its own.
    pub(crate) fn open_as_device(
        data_dir: &Path,
        identity: Identity,
        config: Config,
        new_device: Option<Uuid>,
    ) -> Result<FieldSales> {
        store::permissions::private_dir(data_dir)?;
        let path = data_dir.join(database_file_name(&identity.user_id));
        let credentials = Arc::new(credentials::SessionFile::beside(&path));
        let store = Store::open(&path, config.durability, credentials.as_ref())?;
        let device_id = store.transaction(|tx| {
            let existing: Option<String> = tx
                .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
                    r.get(0)
                })
                .optional()?;
            if let Some(id) = existing.and_then(|s| Uuid::parse_str(&s).ok()) {
                return Ok(id);
            }
            let id = new_device.unwrap_or_else(Uuid::now_v7);
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('device_id', ?1)",
                [id.to_string()],
            )?;
            Ok(id)
        })?;
        let actor = ActorId::from(device_id.as_bytes().as_slice());
        store.transaction(|tx| dedup::build_if_needed(tx, &actor))?;
        Ok(FieldSales {
            engine: Arc::new(Engine {
                store,
                identity,
                device_id,
                actor,
                config,
                path,
                writes: tokio::sync::watch::Sender::new(0),
                sync: sync::SyncShared::new(credentials),
            }),
        })
    }

    /// Customers and their contacts.
    pub fn customers(&self) -> customer::Customers {
        customer::Customers::new(self.engine.clone())
    }

    /// Planned visits, check-in and check-out.
    pub fn visits(&self) -> visit::Visits {
        visit::Visits::new(self.engine.clone())
    }

    /// The few-seconds log after a call, a WeChat chat or a meeting.
    pub fn quick_log(&self) -> quicklog::QuickLogs {
        quicklog::QuickLogs::new(self.engine.clone())
    }

    /// Follow-up tasks.
    pub fn tasks(&self) -> task::Tasks {
        task::Tasks::new(self.engine.clone())
    }

    /// Finding a customer by name, pinyin or phone digits.
    pub fn search(&self) -> search::Search {
        search::Search::new(self.engine.clone())
    }

    /// Fields where concurrent edits left several values.
    pub fn conflicts(&self) -> conflict::Conflicts {
        conflict::Conflicts::new(self.engine.clone())
    }

    /// Data-health findings: incomplete or invalid records, customers gone quiet.
    pub fn health(&self) -> health::Health {
        health::Health::new(self.engine.clone())
    }

    /// Likely duplicate customers and contacts, and merging them.
    pub fn dedup(&self) -> dedup::Dedup {
        dedup::Dedup::new(self.engine.clone())
    }

    /// Which records every committed transaction changed — local writes, sync answers, merges
    /// settling, rebuilds — for screens that must refresh (see [`feed`]).
    pub fn changes(&self) -> feed::ChangeFeed {
        feed::ChangeFeed::new(self.engine.clone())
    }

    /// Signing in, syncing with the server, sync status, rejected edits, auto-sync.
    pub fn sync(&self) -> sync::SyncClient {
        sync::SyncClient::new(self.engine.clone())
    }

    /// The signed-in user.
    pub fn identity(&self) -> &Identity {
        &self.engine.identity
    }

    /// This device's id; its Automerge actor id is the same 16 bytes.
    pub fn device_id(&self) -> Uuid {
        self.engine.device_id
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.engine.path
    }

    /// The company rules in force.
    pub fn config(&self) -> &Config {
        &self.engine.config
    }

    /// Number of local changes not yet acknowledged by the server.
    pub fn pending_changes(&self) -> Result<u64> {
        self.engine.store.read(|conn| {
            Ok(conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get::<_, i64>(0))? as u64)
        })
    }

    /// Rebuilds every projection and the search index from the stored documents. Projections
    /// are derived data; this is the repair tool when they are suspected wrong.
    pub fn rebuild_projections(&self) -> Result<u64> {
        let engine = &self.engine;
        engine.store.transaction(|tx| {
            let count = projection::rebuild(tx, &engine.actor)?;
            feed::everything_changed(tx)?;
            let writer = Writer::new(tx, &engine.actor, &engine.identity.user_id, engine.now());
            dedup::settle_pending(&writer)?;
            Ok(count)
        })
    }
}

impl Engine {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.config.clock.now()
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Runs `f` as one write transaction of the signed-in user.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Writer<'_>) -> Result<T>) -> Result<T> {
        let now = self.now();
        let out = self.store.transaction(|tx| {
            let writer = Writer::new(tx, &self.actor, &self.identity.user_id, now);
            f(&writer)
        })?;
        self.writes.send_modify(|n| *n = n.wrapping_add(1));
        Ok(out)
    }

    /// Runs `f` on the read connection.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        self.store.read(f)
    }

    /// Loads a record for reading.
    pub(crate) fn load(&self, kind: Kind, id: Uuid) -> Result<RecordDoc> {
        self.store
            .read(|conn| store::writer::load(conn, kind, id, &self.actor))
    }
}

/// `user-<id>.sqlite3`, with anything but ASCII letters, digits, `-` and `_` hex-escaped so
/// that any server user id makes a safe, distinct file name.
fn database_file_name(user_id: &str) -> String {
    let mut name = String::from("user-");
    for byte in user_id.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' {
            name.push(byte as char);
        } else {
            name.push_str(&format!("_{byte:02x}"));
        }
    }
    name.push_str(".sqlite3");
    name
}

/// Parses a record id given by a caller.
pub(crate) fn parse_id(kind: Kind, id: &str) -> Result<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| Error::NotFound {
        kind: kind.as_str(),
        id: id.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_file_names_are_safe_and_distinct() {
        assert_eq!(database_file_name("rep-1"), "user-rep-1.sqlite3");
        assert_ne!(database_file_name("a/b"), database_file_name("a_b"));
        assert!(!database_file_name("../etc").contains('/'));
    }
}
