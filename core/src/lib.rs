//! `fieldsales-core`: the offline-first engine of a field-sales app.
//!
//! A rep's phone keeps every customer, visit, quick-log entry and follow-up task in a local
//! SQLite database, one Automerge document per record, so that capture never waits for a
//! network and concurrent edits from several reps merge instead of overwriting each other.
//!
//! [`FieldSales`] is the root: open it once per signed-in user, then work through its areas —
//! [`FieldSales::customers`], [`FieldSales::visits`], [`FieldSales::quick_log`],
//! [`FieldSales::tasks`], [`FieldSales::search`], [`FieldSales::conflicts`],
//! [`FieldSales::health`], [`FieldSales::dedup`], [`FieldSales::media`], [`FieldSales::sync`],
//! and hear what changed
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
//! With the `uniffi` feature its value types carry UniFFI derives (see `ffi`), so the bindings
//! hand them to the apps as they are instead of copying them.
//!
//! # Layout
//!
//! The modules form layers; each imports only its own layer and those below it
//! (`cargo xtask layers` checks this, and holds the table with a reason for every module):
//!
//! 0. [`error`], `protocol` (the wire crate, re-exported) and [`validate`]: plain values, rules
//!    and the one error type.
//! 1. [`record`]: one Automerge document per record, its fields and concurrent values;
//!    `permissions`, how the core's files are made owner-only; and `media::files`, the
//!    content-addressed media folder.
//! 2. [`credentials`]: where the session token is kept, apart from the records.
//! 3. `store`: SQLite, the `Writer` of every transaction, migrations, and the `Projection` trait
//!    through which each record kind supplies its rows; `media::table`, the media rows and
//!    references whose files the store removes after a commit.
//! 4. The indexes a kind's projection feeds and the plain settings `Config` holds:
//!    [`search::terms`], the duplicate index and rules (`dedup::{index, profile, score, …}`),
//!    [`pipeline`], the sync settings (`sync::{config, backoff, transport}`), and the media
//!    settings and image pipeline ([`media::config`], [`media::shrink`]).
//! 5. [`config`]: who is signed in and the company's rules.
//! 6. `engine`: the open store of one user as every area sees it.
//! 7. The record kinds and the areas over them: [`customer`], [`visit`], [`quicklog`],
//!    [`task`], [`conflict`], [`timeline`], [`health`], [`search`], [`dedup`], [`media`].
//! 8. [`outbox`]: the exchange of changes with other replicas.
//! 9. [`sync`]: the sync client — sessions, round trips, auto-sync.
//! 10. [`FieldSales`] (this file), which opens the engine, registers each kind's projection and
//!     hands out the areas.
//!
//! # Life of a write
//!
//! `fs.customers().create(NewCustomer { .. })`:
//!
//! 1. **Validation.** [`customer::Customers::create`] normalises and checks the input (phones to
//!    E.164 through [`validate`], e-mails, credit code, coordinates); a refusal names the field
//!    and nothing is written.
//! 2. **One transaction.** `Engine::write` opens one `BEGIN IMMEDIATE` transaction on the
//!    writer connection and hands the kind a `store::Writer` for it.
//! 3. **The document.** The writer creates the record's Automerge document with its header
//!    ([`record`]); the kind puts its fields.
//! 4. **Saving.** `Writer::save` stamps `updated_*` and the editor, commits the pending
//!    operations as one Automerge change, appends that change to the `outbox` table, and stores
//!    the compacted document in `docs`.
//! 5. **Projections.** In the same transaction the store calls the kind's `Projection`: the
//!    customer's row, its phones reversed for suffix search, its names' search terms (hanzi and
//!    pinyin, [`search::terms`]), its duplicate profile and keys ([`dedup`]); then the store's
//!    index of conflicted records.
//! 6. **Commit.** The transaction commits (with `synchronous = FULL`, the write survives a power
//!    cut from here); any error before rolls all of it back.
//! 7. **Write notification.** `Engine::write` bumps its write counter, which the auto-sync engine
//!    ([`sync::auto`]) watches.
//! 8. **Push.** After the debounce, auto-sync runs one sync: the outbox goes up in a round trip
//!    ([`sync::Transport`]), the server's answer comes back and is applied in one transaction,
//!    and the acknowledged outbox rows are deleted.

#[doc(hidden)]
pub mod fuzzing;

pub mod config;
pub mod conflict;
pub mod credentials;
pub mod customer;
pub mod dedup;
mod engine;
pub mod error;
pub mod feed;
#[cfg(feature = "uniffi")]
pub mod ffi;
pub mod health;
pub mod media;
pub mod outbox;
mod permissions;
pub mod pipeline;
pub use fieldsales_protocol as protocol;
pub mod quicklog;
pub mod record;
pub mod search;
mod store;
pub mod sync;
pub mod task;
mod tenant;
pub mod timeline;
pub mod validate;
pub mod visit;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use uuid::Uuid;

pub use config::{Clock, Config, Identity, ManualClock, SystemClock};
pub use error::{Error, Remedy, Result};
pub use record::schema::Kind;
pub use store::Durability;
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

use engine::Engine;
use outbox::{IncomingChanges, OutgoingChange};
use store::Projections;
use sync::{Login, Session};

/// An open store for one signed-in user. Cheap to clone; all clones share one database.
#[derive(Clone)]
pub struct FieldSales {
    engine: Arc<Engine>,
    /// The sync client's runtime, transport, session and lock, created on first use.
    sync: Arc<sync::SyncShared>,
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
    fn open_as_device(
        data_dir: &Path,
        identity: Identity,
        config: Config,
        new_device: Option<Uuid>,
    ) -> Result<FieldSales> {
        permissions::private_dir(data_dir)?;
        let path = data_dir.join(database_file_name(&identity.user_id));
        let credentials = Arc::new(credentials::SessionFile::beside(&path));
        let engine = Engine::open(
            &path,
            identity,
            config,
            new_device,
            credentials.as_ref(),
            projections(),
        )?;
        engine
            .store
            .transaction(|tx| dedup::build_if_needed(tx, &engine.actor))?;
        media::sweep_orphans(&engine)?;
        let sync = sync::SyncShared::new(credentials, &engine.config.sync);
        Ok(FieldSales {
            engine: Arc::new(engine),
            sync: Arc::new(sync),
        })
    }

    /// Signs in and opens the signed-in user's store under `data_dir`, creating it on first
    /// login. Use this when the app does not know the server's user id yet; afterwards
    /// [`FieldSales::open`] with [`Identity`] `session.user_id` opens the same store.
    ///
    /// ```no_run
    /// # use fieldsales_core::{FieldSales, Config, sync::Login};
    /// let (fs, session) = FieldSales::sign_in(
    ///     std::path::Path::new("/data/fieldsales"),
    ///     Config::default(),
    ///     &Login {
    ///         server_url: "https://sync.example.com".into(),
    ///         tenant: "acme".into(),
    ///         username: "li.wei".into(),
    ///         password: "…".into(),
    ///     },
    /// )?;
    /// # Ok::<(), fieldsales_core::Error>(())
    /// ```
    pub fn sign_in(
        data_dir: &Path,
        config: Config,
        login: &Login,
    ) -> Result<(FieldSales, Session)> {
        sync::sign_in::sign_in(data_dir, config, login, |identity, config, device| {
            let fs = FieldSales::open_as_device(data_dir, identity, config, device)?;
            let client = fs.sync();
            Ok((fs, client))
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

    /// Photos of visits and documents of customers: attaching, listing, the upload queue and
    /// the download cache.
    pub fn media(&self) -> media::Media {
        media::Media::new(self.engine.clone())
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
        sync::SyncClient::new(self.engine.clone(), self.sync.clone())
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
            let count = engine.store.projections().rebuild(tx, &engine.actor)?;
            store::feed::everything_changed(tx)?;
            dedup::settle_pending(&engine.writer(tx, engine.now()))?;
            Ok(count)
        })
    }

    /// Local changes not yet acknowledged, oldest first, at most `limit`.
    pub fn outbox(&self, limit: u32) -> Result<Vec<OutgoingChange>> {
        outbox::pending(&self.engine, limit)
    }

    /// Drops outbox entries up to and including `seq`: the server has them.
    pub fn acknowledge(&self, seq: i64) -> Result<u64> {
        outbox::acknowledge(&self.engine, seq)
    }

    /// Applies changes from other replicas in one transaction and refreshes the projections of
    /// every touched document. A malformed change fails the whole batch and changes nothing.
    pub fn apply_changes(&self, batch: &[IncomingChanges]) -> Result<()> {
        outbox::apply_changes(&self.engine, batch)
    }

    /// Every stored record as plain JSON (its current values, tombstoned ones included), keyed
    /// by id: what two replicas compare to know they converged.
    pub fn documents_as_json(&self) -> Result<BTreeMap<String, serde_json::Value>> {
        outbox::documents_as_json(&self.engine)
    }

    /// The whole stored document of record `id`, as Automerge bytes (what a new replica needs).
    pub fn export_document(&self, kind: Kind, id: &str) -> Result<Vec<u8>> {
        outbox::export_document(&self.engine, kind, id)
    }
}

/// Every record kind's projection, registered with the store at open: the store writes a
/// kind's rows only through these.
fn projections() -> Projections {
    Projections::new(vec![
        Box::new(customer::CustomerProjection),
        Box::new(visit::VisitProjection),
        Box::new(quicklog::QuickLogProjection),
        Box::new(task::TaskProjection),
    ])
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
