//! Whether this store is signed in, and with which token: the one place that puts the
//! database's half of a session (the server, in `sync_state`) and the credential store's half
//! (the token) together.
//!
//! A token is used only with the server that issued it. The two halves are written one after
//! the other (the token first), so a crash in between can leave them naming different servers;
//! the store then counts as signed out rather than sending one server's token to another.
//!
//! Everything here touches the disk: async callers go through `SyncClient::on_db`.

use crate::credentials::Credential;
use crate::engine::Engine;
use crate::error::Result;

use super::{state, SyncShared};

/// The session this store syncs with.
pub(crate) fn current(engine: &Engine, shared: &SyncShared) -> Result<Option<Credential>> {
    let Some(credential) = shared.credentials.load()? else {
        return Ok(None);
    };
    let server = engine.store.read(state::load)?.server_url;
    Ok((server.as_deref() == Some(credential.server_url.as_str())).then_some(credential))
}

/// Keeps a new session: the token in the credential store, the server in the database.
pub(crate) fn start(engine: &Engine, shared: &SyncShared, credential: &Credential) -> Result<()> {
    shared.credentials.save(credential)?;
    let url = credential.server_url.as_str();
    engine.store.transaction(|tx| state::save_server(tx, url))
}

/// Forgets the session's token; which server the store syncs with stays, as does the cursor.
pub(crate) fn end(shared: &SyncShared) -> Result<()> {
    shared.credentials.delete()
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
