//! The embedded SQLite backend: one database file in the data directory.
//!
//! SQLite allows one writer at a time, so the backend holds one write connection behind a
//! mutex and serialises the syncs that carry changes on it (each one short `BEGIN IMMEDIATE`
//! transaction). Session checks and syncs that only pull — most of them: a phone asking "any
//! news?" — run on a small pool of read connections, each in a read transaction that WAL mode
//! keeps consistent while a write goes on beside it. All database work runs on tokio's
//! blocking pool, never on the async threads.

mod log;
mod schema;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use fieldsales_core::protocol::SyncResponse;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use super::{Device, NewUser, Storage, Team, Tenant, User};
use crate::accounts::{parse_role, role_name, NewSession, Principal, UserAccount};
use crate::config::Limits;
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

fn now() -> String {
    Utc::now().to_rfc3339()
}

/// Maps a uniqueness violation to [`Error::AlreadyExists`].
fn unique(what: &'static str) -> impl FnOnce(rusqlite::Error) -> Error {
    move |e| match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation => {
            Error::AlreadyExists { what }
        }
        _ => Error::Database(e),
    }
}

fn role_of(name: String, at: usize) -> rusqlite::Result<fieldsales_core::protocol::Role> {
    parse_role(&name).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            at,
            rusqlite::types::Type::Text,
            "unknown role in the users table".into(),
        )
    })
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
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO tenants (id, name, created_at) VALUES (?1, ?2, ?3)",
                params![row.id, row.name, now()],
            )
            .map_err(unique("tenant"))?;
            Ok(())
        })
        .await?;
        Ok(tenant)
    }

    async fn tenant_by_name(&self, name: &str) -> Result<Option<Tenant>> {
        let name = name.trim().to_string();
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, name FROM tenants WHERE name = ?1",
                    [name],
                    |r| {
                        Ok(Tenant {
                            id: r.get(0)?,
                            name: r.get(1)?,
                        })
                    },
                )
                .optional()?)
        })
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
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO teams (id, tenant_id, name) VALUES (?1, ?2, ?3)",
                params![row.id, row.tenant_id, row.name],
            )
            .map_err(unique("team"))?;
            Ok(())
        })
        .await?;
        Ok(team)
    }

    async fn team_by_name(&self, tenant_id: &str, name: &str) -> Result<Option<Team>> {
        let (tenant_id, name) = (tenant_id.to_string(), name.trim().to_string());
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, tenant_id, name FROM teams WHERE tenant_id = ?1 AND name = ?2",
                    params![tenant_id, name],
                    |r| {
                        Ok(Team {
                            id: r.get(0)?,
                            tenant_id: r.get(1)?,
                            name: r.get(2)?,
                        })
                    },
                )
                .optional()?)
        })
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
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO users (id, tenant_id, username, team_id, role, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    row.id,
                    row.tenant_id,
                    row.username,
                    row.team_id,
                    role_name(row.role),
                    user.password_hash,
                    now()
                ],
            )
            .map_err(unique("user"))?;
            Ok(())
        })
        .await?;
        Ok(created)
    }

    async fn set_password(&self, tenant_id: &str, username: &str, hash: &str) -> Result<()> {
        let (tenant_id, username, hash) = (
            tenant_id.to_string(),
            username.to_string(),
            hash.to_string(),
        );
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let user_id: String = tx
                .query_row(
                    "SELECT id FROM users WHERE tenant_id = ?1 AND username = ?2",
                    params![tenant_id, username],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or(Error::NotFound { what: "user" })?;
            tx.execute(
                "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                params![user_id, hash],
            )?;
            // A new password signs the user out everywhere.
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [&user_id])?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn account(&self, tenant: &str, username: &str) -> Result<Option<UserAccount>> {
        let (tenant, username) = (tenant.trim().to_string(), username.trim().to_string());
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT u.tenant_id, u.id, u.team_id, u.role, u.password_hash
                     FROM users u JOIN tenants t ON t.id = u.tenant_id
                     WHERE t.name = ?1 AND u.username = ?2",
                    params![tenant, username],
                    |r| {
                        Ok(UserAccount {
                            tenant_id: r.get(0)?,
                            user_id: r.get(1)?,
                            team_id: r.get(2)?,
                            role: role_of(r.get(3)?, 3)?,
                            password_hash: r.get(4)?,
                        })
                    },
                )
                .optional()?)
        })
        .await
    }

    async fn register_device(
        &self,
        tenant_id: &str,
        user_id: &str,
        device_id: &str,
        name: Option<&str>,
    ) -> Result<()> {
        let (tenant_id, user_id, device_id) = (
            tenant_id.to_string(),
            user_id.to_string(),
            device_id.to_string(),
        );
        let name = name.map(str::to_string);
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let owner: Option<String> = tx
                .query_row(
                    "SELECT user_id FROM devices WHERE id = ?1",
                    [&device_id],
                    |r| r.get(0),
                )
                .optional()?;
            match owner {
                Some(owner) if owner != user_id => return Err(Error::DeviceTaken),
                Some(_) => {
                    if let Some(name) = name {
                        tx.execute(
                            "UPDATE devices SET name = ?2 WHERE id = ?1",
                            params![device_id, name],
                        )?;
                    }
                }
                None => {
                    tx.execute(
                        "INSERT INTO devices (id, tenant_id, user_id, name, registered_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![device_id, tenant_id, user_id, name, now()],
                    )?;
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn list_devices(&self, tenant_id: &str) -> Result<Vec<Device>> {
        let tenant_id = tenant_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT d.id, d.user_id, u.username, d.name, d.registered_at, d.last_seen_at
                 FROM devices d JOIN users u ON u.id = d.user_id
                 WHERE d.tenant_id = ?1 ORDER BY u.username, d.registered_at",
            )?;
            let rows = stmt.query_map([tenant_id], |r| {
                Ok(Device {
                    id: r.get(0)?,
                    user_id: r.get(1)?,
                    username: r.get(2)?,
                    name: r.get(3)?,
                    registered_at: r.get(4)?,
                    last_seen_at: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn create_session(&self, session: NewSession) -> Result<()> {
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO sessions (token_hash, user_id, device_id, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    session.token_hash,
                    session.user_id,
                    session.device_id,
                    session.expires_at_ms
                ],
            )?;
            // Expired sessions of anyone are swept here, where a write happens anyway.
            conn.execute(
                "DELETE FROM sessions WHERE expires_at <= ?1",
                [Utc::now().timestamp_millis()],
            )?;
            Ok(())
        })
        .await
    }

    async fn session(&self, token_hash: &[u8], now_ms: i64) -> Result<Option<Principal>> {
        let token_hash = token_hash.to_vec();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT u.tenant_id, u.id, u.team_id, u.role, s.device_id
                 FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2",
            )?;
            Ok(stmt
                .query_row(params![token_hash, now_ms], |r| {
                    Ok(Principal {
                        tenant_id: r.get(0)?,
                        user_id: r.get(1)?,
                        team_id: r.get(2)?,
                        role: role_of(r.get(3)?, 3)?,
                        device_id: r.get(4)?,
                    })
                })
                .optional()?)
        })
        .await
    }

    async fn delete_session(&self, token_hash: &[u8]) -> Result<()> {
        let token_hash = token_hash.to_vec();
        self.write(move |conn| {
            conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
            Ok(())
        })
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
            let device_id = principal.device_id.clone();
            let outcome = self
                .read(move |conn| {
                    let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
                    let mut tenant = log::TenantLog::open(&tx, &principal.tenant_id)?;
                    let outcome = sync::run(&mut tenant, &principal, &request, &limits)?;
                    drop(tenant);
                    tx.rollback()?;
                    Ok(outcome)
                })
                .await?;
            if self.due_last_seen(&device_id) {
                self.write(move |conn| {
                    conn.execute(
                        "UPDATE devices SET last_seen_at = ?2 WHERE id = ?1",
                        params![device_id, now()],
                    )?;
                    Ok(())
                })
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
            let outcome = sync::run(&mut tenant, &principal, &request, &limits)?;
            tenant.finish()?;
            tx.execute(
                "UPDATE devices SET last_seen_at = ?2 WHERE id = ?1",
                params![principal.device_id, now()],
            )?;
            tx.commit()?;
            Ok(outcome)
        })
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
