//! Where a signed-in session's bearer token is kept: apart from the records.
//!
//! The token opens the user's account on the server until it expires, so it does not belong
//! with the records: a copy of the database (a backup, a support bundle, the store a rep hands
//! to IT) must not carry it, and the privacy work must be able to move it into the platform's
//! keystore (Android Keystore, iOS Keychain) or encrypt it without touching the schema. So the
//! sync client reads and writes it only through [`CredentialStore`], and the database keeps
//! only what is not secret (the server, the cursor).
//!
//! Today's one implementation, [`SessionFile`], is a small JSON file beside the user's
//! database (`user-….session`), owner-only (`0600`) and replaced atomically (see
//! `crate::permissions`). A credential names the server it was issued by, and the sync client
//! uses it only for that server: a crash between writing the session and the database can
//! leave them disagreeing, and a token must never be sent to another server than its own.
//!
//! It must not log a token or put one in an error message; [`Credential`]'s `Debug` leaves it
//! out.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::permissions;

/// A session issued by a sync server.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    /// The server that issued it (normalised, as the sync state stores it).
    pub server_url: String,
    /// The bearer token.
    pub token: String,
    /// When the server ends the session (RFC 3339, as the server sent it).
    pub expires_at: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("server_url", &self.server_url)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Keeps the session of one store. Implementations must keep it out of the store's database
/// and must never log it.
pub trait CredentialStore: Send + Sync {
    /// The stored session, if any.
    fn load(&self) -> Result<Option<Credential>>;
    /// Replaces the stored session.
    fn save(&self, credential: &Credential) -> Result<()>;
    /// Forgets the session (sign-out). Forgetting none is not an error.
    fn delete(&self) -> Result<()>;
}

/// The session as an owner-only file beside the database.
#[derive(Debug, Clone)]
pub struct SessionFile {
    path: PathBuf,
}

impl SessionFile {
    /// The session file of the database at `database` (`user-rep-1.sqlite3` →
    /// `user-rep-1.session`).
    pub fn beside(database: &Path) -> SessionFile {
        SessionFile {
            path: database.with_extension("session"),
        }
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl CredentialStore for SessionFile {
    fn load(&self) -> Result<Option<Credential>> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        match serde_json::from_slice(&bytes) {
            Ok(credential) => Ok(Some(credential)),
            Err(_) => {
                // Written atomically, so only a damaged disk or a hand edit gets here. The user
                // is shown as signed out and signing in again replaces the file; the parser's
                // message is not logged, since it may quote the token.
                tracing::warn!("the session file is unreadable; sign in again");
                Ok(None)
            }
        }
    }

    fn save(&self, credential: &Credential) -> Result<()> {
        let bytes = serde_json::to_vec(credential)
            .map_err(|_| std::io::Error::other("the session could not be encoded"))?;
        permissions::write_private(&self.path, &bytes)?;
        Ok(())
    }

    fn delete(&self) -> Result<()> {
        permissions::remove_private(&self.path)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential() -> Credential {
        Credential {
            server_url: "https://sync.example.com/".into(),
            token: "secret-token-value".into(),
            expires_at: "2026-04-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_saved_session_loads_back_and_deleting_it_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = SessionFile::beside(&dir.path().join("user-rep-1.sqlite3"));
        assert_eq!(file.load().unwrap(), None);
        file.save(&credential()).unwrap();
        assert_eq!(file.load().unwrap(), Some(credential()));
        assert_eq!(file.path().file_name().unwrap(), "user-rep-1.session");
        file.delete().unwrap();
        file.delete().unwrap();
        assert_eq!(file.load().unwrap(), None);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_damaged_session_file_reads_as_signed_out() {
        let dir = tempfile::tempdir().unwrap();
        let file = SessionFile::beside(&dir.path().join("user-rep-1.sqlite3"));
        std::fs::write(file.path(), b"{\"token\": \"secret-tok").unwrap();
        assert_eq!(file.load().unwrap(), None);
    }

    #[test]
    fn the_debug_form_of_a_session_leaves_the_token_out() {
        assert!(!format!("{:?}", credential()).contains("secret-token-value"));
    }
}
