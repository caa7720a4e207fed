//! The accounts half of the SQLite backend: tenants, teams, users, devices and sessions.
//!
//! Plain synchronous functions over a connection, called by [`super::SqliteStorage`] on the
//! blocking pool; each is one statement or one short transaction. Uniqueness (tenant names,
//! usernames per tenant, team names per tenant) is enforced by the schema and reported as
//! [`Error::AlreadyExists`]. Devices are keyed by tenant and id: a device belongs to the first
//! user of its tenant who logged in with it, and the same id in another tenant is another
//! device (tenants share no documents, so their actors never meet). Each user holds a bounded
//! number of devices and sessions: the oldest sessions end, a device beyond the cap waits for
//! an admin.

use chrono::Utc;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};

use fieldsales_protocol::Role;

use crate::accounts::{NewSession, Principal, UserAccount};
use crate::error::{Error, Result};
use crate::storage::{Device, NewUser, Team, Tenant, User};

pub(super) fn now() -> String {
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

fn role_of(name: String, at: usize) -> rusqlite::Result<Role> {
    Role::parse(&name).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            at,
            rusqlite::types::Type::Text,
            "unknown role in the users table".into(),
        )
    })
}

pub(super) fn insert_tenant(conn: &Connection, row: &Tenant) -> Result<()> {
    conn.execute(
        "INSERT INTO tenants (id, name, created_at) VALUES (?1, ?2, ?3)",
        params![row.id, row.name, now()],
    )
    .map_err(unique("tenant"))?;
    Ok(())
}

pub(super) fn tenant_by_name(conn: &Connection, name: &str) -> Result<Option<Tenant>> {
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
}

pub(super) fn insert_team(conn: &Connection, row: &Team) -> Result<()> {
    conn.execute(
        "INSERT INTO teams (id, tenant_id, name) VALUES (?1, ?2, ?3)",
        params![row.id, row.tenant_id, row.name],
    )
    .map_err(unique("team"))?;
    Ok(())
}

pub(super) fn team_by_name(conn: &Connection, tenant_id: &str, name: &str) -> Result<Option<Team>> {
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
}

pub(super) fn insert_user(conn: &Connection, row: &User, user: &NewUser) -> Result<()> {
    conn.execute(
        "INSERT INTO users (id, tenant_id, username, team_id, role, password_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            row.id,
            row.tenant_id,
            row.username,
            row.team_id,
            row.role.as_str(),
            user.password_hash,
            now()
        ],
    )
    .map_err(unique("user"))?;
    Ok(())
}

pub(super) fn set_password(
    conn: &mut Connection,
    tenant_id: &str,
    username: &str,
    hash: &str,
) -> Result<()> {
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
}

pub(super) fn account(
    conn: &Connection,
    tenant: &str,
    username: &str,
) -> Result<Option<UserAccount>> {
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
}

/// A device to register to a user.
pub(super) struct DeviceRegistration<'a> {
    pub tenant_id: &'a str,
    pub user_id: &'a str,
    pub device_id: &'a str,
    pub name: Option<String>,
}

/// Registers the device (idempotent); a new one is refused when the user already has
/// `max_devices` (`None`: an admin's registration, no cap).
pub(super) fn register_device(
    conn: &mut Connection,
    device: DeviceRegistration<'_>,
    max_devices: Option<usize>,
) -> Result<()> {
    let DeviceRegistration {
        tenant_id,
        user_id,
        device_id,
        name,
    } = device;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let owner: Option<String> = tx
        .query_row(
            "SELECT user_id FROM devices WHERE tenant_id = ?1 AND id = ?2",
            params![tenant_id, device_id],
            |r| r.get(0),
        )
        .optional()?;
    match owner {
        Some(owner) if owner != user_id => return Err(Error::DeviceTaken),
        Some(_) => {
            if let Some(name) = name {
                tx.execute(
                    "UPDATE devices SET name = ?3 WHERE tenant_id = ?1 AND id = ?2",
                    params![tenant_id, device_id, name],
                )?;
            }
        }
        None => {
            if let Some(max) = max_devices {
                let held: i64 = tx.query_row(
                    "SELECT count(*) FROM devices WHERE user_id = ?1",
                    [user_id],
                    |r| r.get(0),
                )?;
                if usize::try_from(held).unwrap_or(usize::MAX) >= max {
                    return Err(Error::DeviceLimit { max });
                }
            }
            tx.execute(
                "INSERT INTO devices (tenant_id, id, user_id, name, registered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![tenant_id, device_id, user_id, name, now()],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Records that the device synced now.
pub(super) fn touch_device(conn: &Connection, tenant_id: &str, device_id: &str) -> Result<()> {
    conn.execute(
        "UPDATE devices SET last_seen_at = ?3 WHERE tenant_id = ?1 AND id = ?2",
        params![tenant_id, device_id, now()],
    )?;
    Ok(())
}

pub(super) fn list_devices(conn: &Connection, tenant_id: &str) -> Result<Vec<Device>> {
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
}

/// Stores a session and ends the user's oldest beyond `max_per_user`, in one transaction.
pub(super) fn insert_session(
    conn: &mut Connection,
    session: &NewSession,
    max_per_user: usize,
) -> Result<()> {
    let now_ms = Utc::now().timestamp_millis();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO sessions (token_hash, tenant_id, user_id, device_id, created_at, expires_at)
         SELECT ?1, tenant_id, id, ?3, ?4, ?5 FROM users WHERE id = ?2",
        params![
            session.token_hash,
            session.user_id,
            session.device_id,
            now_ms,
            session.expires_at_ms
        ],
    )?;
    // The newest sessions stay (rowid breaks ties within one millisecond).
    tx.execute(
        "DELETE FROM sessions WHERE user_id = ?1 AND token_hash NOT IN (
             SELECT token_hash FROM sessions WHERE user_id = ?1
             ORDER BY created_at DESC, rowid DESC LIMIT ?2)",
        params![
            session.user_id,
            i64::try_from(max_per_user).unwrap_or(i64::MAX)
        ],
    )?;
    // Expired sessions of anyone are swept here, where a write happens anyway.
    tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now_ms])?;
    tx.commit()?;
    Ok(())
}

pub(super) fn session(
    conn: &Connection,
    token_hash: &[u8],
    now_ms: i64,
) -> Result<Option<Principal>> {
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
}

pub(super) fn delete_session(conn: &Connection, token_hash: &[u8]) -> Result<()> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}
