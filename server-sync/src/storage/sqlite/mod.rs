//! The embedded SQLite backend: one database file in the data directory.
//!
//! SQLite allows one writer at a time, so the backend holds one write connection behind a
//! mutex and serialises the syncs that carry changes on it (each one short `BEGIN IMMEDIATE`
//! transaction). Session checks and syncs that only pull — most of them: a phone asking "any
//! news?" — run on a small pool of read connections, each in a read transaction that WAL mode
//! keeps consistent while a write goes on beside it. All database work runs on tokio's
//! blocking pool, never on the async threads.

mod accounts;
mod console;
mod log;
mod media;
mod read_model;
mod schema;
mod settings;
mod stored;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use fieldsales_protocol::{SyncResponse, TenantSettings};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use super::{Device, NewUser, Storage, Team, Tenant, User};
use crate::accounts::{NewSession, Principal, UserAccount};
use crate::config::Limits;
use crate::console::{Asker, Figures, Period, Timeline, VisitDetail, VisitFilter, VisitPage};
use crate::error::{Error, Result};
use crate::sync::{self, CheckedRequest, SyncStats};

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "fieldsales-server.sqlite3";

/// Read connections kept open: enough for both cores and a little waiting on I/O.
const READERS: usize = 4;
/// A pull-only sync records the device's `last_seen_at` at most this often, so that pulls do
/// not queue on the writer.
const LAST_SEEN_EVERY: Duration = Duration::from_secs(60);

pub struct SqliteStorage {
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: AtomicUsize,
    /// When each device's `last_seen_at` was last written.
    last_seen: Arc<Mutex<HashMap<String, Instant>>>,
}

fn open_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

impl SqliteStorage {
    /// Opens (creating if needed) the database in `data_dir` and migrates it.
    pub fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(DATABASE_FILE);
        let mut writer = open_connection(&path)?;
        schema::migrate(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| open_connection(&path).map(Mutex::new))
            .collect::<Result<Vec<_>>>()?;
        Ok(SqliteStorage {
            writer: Arc::new(Mutex::new(writer)),
            readers: Arc::new(readers),
            next_reader: AtomicUsize::new(0),
            last_seen: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let conn = self.writer.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut conn)
        })
        .await?
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let readers = self.readers.clone();
        let first = self.next_reader.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            // Take a free connection if there is one, else wait for the round-robin choice.
            let free = (0..readers.len())
                .map(|i| &readers[(first + i) % readers.len()])
                .find_map(|m| m.try_lock().ok());
            let mut conn = match free {
                Some(conn) => conn,
                None => readers[first % readers.len()]
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            };
            f(&mut conn)
        })
        .await?
    }

    /// Whether a pull-only sync of `device_id` should write `last_seen_at` now.
    fn due_last_seen(&self, device_id: &str) -> bool {
        let mut seen = self
            .last_seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        match seen.get(device_id) {
            Some(at) if now.duration_since(*at) < LAST_SEEN_EVERY => false,
            _ => {
                seen.insert(device_id.to_string(), now);
                true
            }
        }
    }
}

#[async_trait]
impl Storage for SqliteStorage {
    async fn create_tenant(&self, name: &str) -> Result<Tenant> {
        let tenant = Tenant {
            id: Uuid::now_v7().to_string(),
            name: name.trim().to_string(),
        };
        if tenant.name.is_empty() {
            return Err(Error::Invalid {
                field: "tenant",
                reason: "a tenant needs a name",
            });
        }
        let row = tenant.clone();
        self.write(move |conn| accounts::insert_tenant(conn, &row))
            .await?;
        Ok(tenant)
    }

    async fn tenant_by_name(&self, name: &str) -> Result<Option<Tenant>> {
        let name = name.trim().to_string();
        self.read(move |conn| accounts::tenant_by_name(conn, &name))
            .await
    }

    async fn create_team(&self, tenant_id: &str, name: &str) -> Result<Team> {
        let team = Team {
            id: Uuid::now_v7().to_string(),
            tenant_id: tenant_id.to_string(),
            name: name.trim().to_string(),
        };
        if team.name.is_empty() {
            return Err(Error::Invalid {
                field: "team",
                reason: "a team needs a name",
            });
        }
        let row = team.clone();
        self.write(move |conn| accounts::insert_team(conn, &row))
            .await?;
        Ok(team)
    }

    async fn team_by_name(&self, tenant_id: &str, name: &str) -> Result<Option<Team>> {
        let (tenant_id, name) = (tenant_id.to_string(), name.trim().to_string());
        self.read(move |conn| accounts::team_by_name(conn, &tenant_id, &name))
            .await
    }

    async fn create_user(&self, user: NewUser) -> Result<User> {
        let created = User {
            id: Uuid::now_v7().to_string(),
            tenant_id: user.tenant_id.clone(),
            username: user.username.trim().to_string(),
            team_id: user.team_id.clone(),
            role: user.role,
        };
        if created.username.is_empty() {
            return Err(Error::Invalid {
                field: "username",
                reason: "a user needs a username",
            });
        }
        let row = created.clone();
        self.write(move |conn| accounts::insert_user(conn, &row, &user))
            .await?;
        Ok(created)
    }

    async fn set_password(&self, tenant_id: &str, username: &str, hash: &str) -> Result<()> {
        let (tenant_id, username, hash) = (
            tenant_id.to_string(),
            username.to_string(),
            hash.to_string(),
        );
        self.write(move |conn| accounts::set_password(conn, &tenant_id, &username, &hash))
            .await
    }

    async fn account(&self, tenant: &str, username: &str) -> Result<Option<UserAccount>> {
        let (tenant, username) = (tenant.trim().to_string(), username.trim().to_string());
        self.read(move |conn| accounts::account(conn, &tenant, &username))
            .await
    }

    async fn register_device(
        &self,
        tenant_id: &str,
        user_id: &str,
        device_id: &str,
        name: Option<&str>,
        max_devices: usize,
    ) -> Result<()> {
        let (tenant_id, user_id, device_id) = (
            tenant_id.to_string(),
            user_id.to_string(),
            device_id.to_string(),
        );
        let name = name.map(str::to_string);
        self.write(move |conn| {
            let device = accounts::DeviceRegistration {
                tenant_id: &tenant_id,
                user_id: &user_id,
                device_id: &device_id,
                name,
            };
            accounts::register_device(conn, device, Some(max_devices))
        })
        .await
    }

    async fn allow_device(&self, tenant_id: &str, user_id: &str, device_id: &str) -> Result<()> {
        let (tenant_id, user_id, device_id) = (
            tenant_id.to_string(),
            user_id.to_string(),
            device_id.to_string(),
        );
        self.write(move |conn| {
            let device = accounts::DeviceRegistration {
                tenant_id: &tenant_id,
                user_id: &user_id,
                device_id: &device_id,
                name: None,
            };
            accounts::register_device(conn, device, None)
        })
        .await
    }

    async fn list_devices(&self, tenant_id: &str) -> Result<Vec<Device>> {
        let tenant_id = tenant_id.to_string();
        self.read(move |conn| accounts::list_devices(conn, &tenant_id))
            .await
    }

    async fn create_session(&self, session: NewSession, max_per_user: usize) -> Result<()> {
        self.write(move |conn| accounts::insert_session(conn, &session, max_per_user))
            .await
    }

    async fn session(&self, token_hash: &[u8], now_ms: i64) -> Result<Option<Principal>> {
        let token_hash = token_hash.to_vec();
        self.read(move |conn| accounts::session(conn, &token_hash, now_ms))
            .await
    }

    async fn delete_session(&self, token_hash: &[u8]) -> Result<()> {
        let token_hash = token_hash.to_vec();
        self.write(move |conn| accounts::delete_session(conn, &token_hash))
            .await
    }

    async fn sync(
        &self,
        principal: Principal,
        request: CheckedRequest,
        limits: Limits,
    ) -> Result<(SyncResponse, SyncStats)> {
        let pushes = request.docs.iter().any(|d| !d.changes.is_empty());
        if !pushes {
            let (tenant_id, device_id) = (principal.tenant_id.clone(), principal.device_id.clone());
            let outcome = self
                .read(move |conn| {
                    let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
                    let mut tenant = log::TenantLog::open(&tx, &principal.tenant_id)?;
                    let mut outcome = sync::run(&mut tenant, &principal, &request, &limits)?;
                    drop(tenant);
                    outcome.0.settings = Some(settings::load(&tx, &principal.tenant_id)?);
                    tx.rollback()?;
                    Ok(outcome)
                })
                .await?;
            if self.due_last_seen(&device_id) {
                self.write(move |conn| accounts::touch_device(conn, &tenant_id, &device_id))
                    .await?;
            }
            return Ok(outcome);
        }
        self.last_seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(principal.device_id.clone(), Instant::now());
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut tenant = log::TenantLog::open(&tx, &principal.tenant_id)?;
            let mut outcome = sync::run(&mut tenant, &principal, &request, &limits)?;
            tenant.finish()?;
            outcome.0.settings = Some(settings::load(&tx, &principal.tenant_id)?);
            accounts::touch_device(&tx, &principal.tenant_id, &principal.device_id)?;
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    async fn media_reachable(&self, principal: Principal, hash: &str) -> Result<bool> {
        let hash = hash.to_string();
        self.read(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let mut tenant = log::TenantLog::open(&tx, &principal.tenant_id)?;
            let viewer = sync::viewer(&principal);
            let reachable = crate::media::may_reach(&mut tenant, &viewer, &hash)?;
            drop(tenant);
            tx.rollback()?;
            Ok(reachable)
        })
        .await
    }

    async fn media_referenced(&self, tenant_id: &str, hash: &str) -> Result<bool> {
        let (tenant_id, hash) = (tenant_id.to_string(), hash.to_string());
        self.read(move |conn| media::referenced(conn, &tenant_id, &hash))
            .await
    }

    async fn tenant_settings(&self, tenant_id: &str) -> Result<TenantSettings> {
        let tenant_id = tenant_id.to_string();
        self.read(move |conn| settings::load(conn, &tenant_id))
            .await
    }

    async fn set_tenant_settings(&self, tenant_id: &str, value: TenantSettings) -> Result<()> {
        let tenant_id = tenant_id.to_string();
        self.write(move |conn| settings::save(conn, &tenant_id, &value))
            .await
    }

    async fn head(&self, tenant_id: &str) -> Result<u64> {
        let tenant_id = tenant_id.to_string();
        self.read(move |conn| {
            let head: Option<i64> = conn
                .query_row("SELECT head FROM tenants WHERE id = ?1", [tenant_id], |r| {
                    r.get(0)
                })
                .optional()?;
            Ok(head.unwrap_or(0) as u64)
        })
        .await
    }

    async fn rebuild_read_model(&self) -> Result<(u64, u64)> {
        self.write(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let done = read_model::rebuild(&tx)?;
            tx.commit()?;
            Ok((done.records, done.unreadable))
        })
        .await
    }

    async fn console_visits(&self, asker: Asker, filter: VisitFilter) -> Result<VisitPage> {
        self.read(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            console::visits(&tx, &asker, &filter)
        })
        .await
    }

    async fn console_visit(&self, asker: Asker, visit_id: String) -> Result<Option<VisitDetail>> {
        self.read(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            console::visit(&tx, &asker, &visit_id)
        })
        .await
    }

    async fn console_reps(&self, asker: Asker) -> Result<Vec<(String, String)>> {
        self.read(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            console::reps(&tx, &asker)
        })
        .await
    }

    async fn console_figures(&self, asker: Asker, period: Period) -> Result<Figures> {
        self.read(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            console::figures(&tx, &asker, &period)
        })
        .await
    }

    async fn console_timeline(
        &self,
        asker: Asker,
        customer_id: String,
    ) -> Result<Option<Timeline>> {
        self.read(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            console::timeline(&tx, &asker, &customer_id)
        })
        .await
    }

    async fn compact(&self, keep: u64) -> Result<u64> {
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let tenants: Vec<(String, i64, i64)> = {
                let mut stmt = tx.prepare("SELECT id, head, horizon FROM tenants")?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let mut removed = 0u64;
            for (id, head, horizon) in tenants {
                let new_horizon = head - (keep.min(i64::MAX as u64) as i64);
                if new_horizon <= horizon {
                    continue;
                }
                removed += tx.execute(
                    "DELETE FROM changes WHERE tenant_id = ?1 AND seq <= ?2",
                    params![id, new_horizon],
                )? as u64;
                tx.execute(
                    "UPDATE tenants SET horizon = ?2 WHERE id = ?1",
                    params![id, new_horizon],
                )?;
            }
            tx.commit()?;
            Ok(removed)
        })
        .await
    }
}
