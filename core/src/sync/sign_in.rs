//! Signing in before the store is known: which local database belongs to a login.
//!
//! The server names users by opaque ids that a person never types, while each user's data lives
//! in its own database file named by that id, whose device id (the Automerge actor) the login
//! must register. So a first login on a device goes: log in with a fresh device id, learn the
//! user id, create that user's store with that same device id. Later logins go through a small
//! index in the data directory (`accounts.json`: server, tenant and username → user id), open
//! the known store and log in with its own device id, so no device is registered twice.
//! The index holds no secrets; each store's token lives in its credential store.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{session, Login, ServerUrl, Session, SyncClient};
use crate::config::{Config, Identity};
use crate::credentials::Credential;
use crate::error::{Error, Result};
use crate::permissions;
use crate::protocol::LoginRequest;

/// The data directory's accounts index.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Accounts {
    /// The user who signed in last (what a command line opens by default).
    #[serde(default)]
    current: Option<Account>,
    /// `server|tenant|username` → account.
    #[serde(default)]
    known: BTreeMap<String, Account>,
}

/// A user this device has signed in as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub user_id: String,
    pub team_id: Option<String>,
}

fn index_path(data_dir: &Path) -> PathBuf {
    data_dir.join("accounts.json")
}

fn read_index(data_dir: &Path) -> Accounts {
    std::fs::read(index_path(data_dir))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

fn write_index(data_dir: &Path, accounts: &Accounts) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(accounts)
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    permissions::write_private(&index_path(data_dir), &bytes)?;
    Ok(())
}

/// The account that signed in last in `data_dir`, if any.
pub fn current_account(data_dir: &Path) -> Option<Account> {
    read_index(data_dir).current
}

/// Signs in and opens the signed-in user's store (`FieldSales::sign_in`). `open` opens the
/// store of an identity, giving a new store the device id a login already registered, and
/// returns it with its sync client.
pub(crate) fn sign_in<S>(
    data_dir: &Path,
    config: Config,
    login: &Login,
    open: impl Fn(Identity, Config, Option<Uuid>) -> Result<(S, SyncClient)>,
) -> Result<(S, Session)> {
    permissions::private_dir(data_dir)?;
    let server = ServerUrl::parse(&login.server_url, config.sync.allow_insecure_http)?;
    let key = format!("{}|{}|{}", server.as_str(), login.tenant, login.username);
    let mut accounts = read_index(data_dir);
    let (fs, session) = match accounts.known.get(&key).cloned() {
        Some(account) => {
            let identity = Identity::new(account.user_id, account.team_id)?;
            let (store, client) = open(identity, config, None)?;
            let session = client.login(login)?;
            (store, session)
        }
        None => first_login(config, &server, login, open)?,
    };
    let account = Account {
        user_id: session.user_id.clone(),
        team_id: session.team_id.clone(),
    };
    accounts.known.insert(key, account.clone());
    accounts.current = Some(account);
    write_index(data_dir, &accounts)?;
    Ok((fs, session))
}

/// Logs in with a fresh device id, then opens (or creates) the user's store with it.
fn first_login<S>(
    config: Config,
    server: &ServerUrl,
    login: &Login,
    open: impl Fn(Identity, Config, Option<Uuid>) -> Result<(S, SyncClient)>,
) -> Result<(S, Session)> {
    let device = Uuid::now_v7();
    let transport = super::new_transport(&config.sync)?;
    let request = LoginRequest {
        tenant: login.tenant.clone(),
        username: login.username.clone(),
        password: login.password.clone(),
        device_id: device.to_string(),
        device_name: config.sync.device_name.clone(),
    };
    let answer = super::run_blocking(None, async { Ok(transport.login(server, &request).await?) })?;

    let identity = Identity::new(answer.user_id.clone(), answer.team_id.clone())?;
    let (store, client) = open(identity, config, Some(device))?;
    if client.engine().device_id != device {
        // The user's store exists from before the index did: log in again as its device.
        let _ = client.block_on(async {
            transport
                .logout(server, &answer.token)
                .await
                .map_err(Error::from)
        });
        let session = client.login(login)?;
        return Ok((store, session));
    }
    let url = server.as_str().to_string();
    session::start(
        client.engine(),
        client.shared(),
        &Credential {
            server_url: url.clone(),
            token: answer.token,
            expires_at: answer.expires_at.clone(),
        },
    )?;
    Ok((
        store,
        Session {
            server_url: url,
            user_id: answer.user_id,
            team_id: answer.team_id,
            role: answer.role,
            expires_at: answer.expires_at,
        },
    ))
}
