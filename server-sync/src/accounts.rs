//! Who may talk to the server: passwords, session tokens, and the signed-in [`Principal`].
//!
//! Passwords are stored as argon2id PHC strings (salt and parameters inside), verified off the
//! async threads because a hash costs tens of milliseconds by design. Session tokens are 32
//! random bytes handed to the client once; the server keeps only their SHA-256, so a copy of
//! the database does not let anyone sign in. A session is bound to one device: the token that
//! device received cannot sync as another device.
//!
//! This module owns the cryptography and the types; storing them is the storage backend's job.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use fieldsales_protocol::Role;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// An authenticated request's user and device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub tenant_id: String,
    pub user_id: String,
    pub team_id: Option<String>,
    pub role: Role,
    /// The device the session was issued to (a UUID, the device's Automerge actor).
    pub device_id: String,
}

/// A user row as login needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccount {
    pub tenant_id: String,
    pub user_id: String,
    pub team_id: Option<String>,
    pub role: Role,
    pub password_hash: String,
}

/// A session to store: the token's hash, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token_hash: Vec<u8>,
    pub user_id: String,
    pub device_id: String,
    /// Milliseconds since the Unix epoch.
    pub expires_at_ms: i64,
}

/// Hashes `password` with argon2id and a fresh random salt (CPU-heavy: call off the async
/// threads).
pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 8 {
        return Err(Error::Invalid {
            field: "password",
            reason: "must have at least 8 characters",
        });
    }
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::PasswordHash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::PasswordHash(e.to_string()))
}

/// Checks `password` against a stored PHC string; a damaged hash verifies nothing.
pub fn verify_password(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// A hash to verify against when the user does not exist, so that an unknown username costs
/// the same time as a wrong password and cannot be told apart by timing.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        hash_password("decoy-password-never-matches")
            .expect("hashing a constant password with a random salt cannot fail")
    })
}

/// A new opaque session token (64 hex characters) and the hash the server stores.
pub fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse!", &hash));
        assert!(!verify_password("correct horse", "not a phc string"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(
            hash_password("short"),
            Err(Error::Invalid {
                field: "password",
                ..
            })
        ));
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), hash_a);
        assert!(!hash_a
            .windows(8)
            .any(|w| a.as_bytes().windows(8).any(|t| t == w)));
    }
}
