//! The open store of one signed-in user, as every area sees it.
//!
//! [`Engine`] is what the areas (customers, visits, quick-logs, tasks, dedup, sync…) share: the
//! database, who is writing from which device, the company's rules, and the notification that a
//! local write committed. It sits between the store and the record kinds: it knows the store and
//! the settings, never a record kind (their projections come in through
//! [`crate::store::Projections`]) and never sync (the sync client keeps its own state beside it,
//! in `FieldSales`).

use std::path::{Path, PathBuf};

use automerge::ActorId;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction};
use uuid::Uuid;

use crate::config::{Config, Identity};
use crate::credentials::CredentialStore;
use crate::error::{Error, Result};
use crate::record::schema::Kind;
use crate::record::RecordDoc;
use crate::store::{self, Projections, Store, Writer};

/// What every area needs: the database, who is writing, and the company's rules.
pub(crate) struct Engine {
    pub(crate) store: Store,
    pub(crate) identity: Identity,
    pub(crate) device_id: Uuid,
    pub(crate) actor: ActorId,
    pub(crate) config: Config,
    pub(crate) path: PathBuf,
    /// Bumped after every committed local write; the auto-sync engine watches it.
    pub(crate) writes: tokio::sync::watch::Sender<u64>,
}

impl Engine {
    /// Opens the database at `path` (see [`Store::open`]) and reads its device id, giving a new
    /// store `new_device` (the one a login already registered) or a fresh one.
    pub(crate) fn open(
        path: &Path,
        identity: Identity,
        config: Config,
        new_device: Option<Uuid>,
        credentials: &(dyn CredentialStore + 'static),
        projections: Projections,
    ) -> Result<Engine> {
        let store = Store::open(path, config.durability, credentials, projections)?;
        let device_id = store.transaction(|tx| device_id(tx, new_device))?;
        Ok(Engine {
            store,
            identity,
            device_id,
            actor: ActorId::from(device_id.as_bytes().as_slice()),
            config,
            path: path.to_path_buf(),
            writes: tokio::sync::watch::Sender::new(0),
        })
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.config.clock.now()
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn identity(&self) -> &Identity {
        &self.identity
    }

    /// A writer in transaction `tx`, as the signed-in user at `now`.
    pub(crate) fn writer<'t>(&'t self, tx: &'t Transaction<'t>, now: DateTime<Utc>) -> Writer<'t> {
        Writer::new(
            tx,
            self.store.projections(),
            &self.actor,
            &self.identity.user_id,
            now,
        )
    }

    /// Runs `f` as one write transaction of the signed-in user.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Writer<'_>) -> Result<T>) -> Result<T> {
        let now = self.now();
        let out = self.store.transaction(|tx| {
            let writer = self.writer(tx, now);
            f(&writer)
        })?;
        self.writes.send_modify(|n| *n = n.wrapping_add(1));
        Ok(out)
    }

    /// Runs `f` on the read connection.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        self.store.read(f)
    }

    /// Loads record `id` of whatever kind it is, for reading.
    pub(crate) fn load_any(&self, id: &str) -> Result<RecordDoc> {
        let not_found = || Error::NotFound {
            kind: "record",
            id: id.to_string(),
        };
        let uuid = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
        let kind: Option<String> = self.store.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT kind FROM docs WHERE id = ?1")?
                .query_row([uuid.to_string()], |r| r.get(0))
                .optional()?)
        })?;
        let kind = kind.and_then(|k| Kind::parse(&k)).ok_or_else(not_found)?;
        self.load(kind, uuid)
    }

    /// Loads a record for reading.
    pub(crate) fn load(&self, kind: Kind, id: Uuid) -> Result<RecordDoc> {
        self.store
            .read(|conn| store::writer::load(conn, kind, id, &self.actor))
    }
}

/// The store's device id, written on first open (`new_device`, or a fresh one).
fn device_id(tx: &Transaction<'_>, new_device: Option<Uuid>) -> Result<Uuid> {
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
}
