//! The console's browser session: a cookie holding an ordinary session token, and the CSRF
//! token every state-changing form carries.
//!
//! Signing in from the console's form goes through the devices' own password check
//! (`login::check_login`: lockouts, the bounded hashing pool, the same answers) and issues an
//! ordinary session bound to the user's console device — one per user, derived from the user
//! id, registered outside the phones' device cap. The token travels in the [`SESSION_COOKIE`] cookie,
//! `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's page sends it), `Secure`
//! when the server speaks TLS, `Path=/` (the photos under `/v1/media` need it too). The cookie
//! is accepted only by the console's pages, by `GET /v1/media/{hash}` and by `GET /v1/events`
//! ([`BearerOrCookie`]), never by the sync or other writes.
//!
//! CSRF: a form that changes state carries [`csrf_token`] of the session, a hash of the
//! session's token that a page of another site can neither read nor compute; a POST without
//! it is refused (403). Cookies are parsed by hand: two headers' worth of code, not a crate.

use axum::extract::FromRequestParts;
use axum::http::header::{self, AUTHORIZATION};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::accounts::{token_hash, Principal};
use crate::error::ApiError;
use crate::http::{AppState, Authenticated};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "fs_console";
/// The language cookie's name (set by `?lang=`).
pub const LANG_COOKIE: &str = "fs_lang";
/// Longest token accepted (tokens are 64 hex characters).
const MAX_TOKEN_CHARS: usize = 256;

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The `Set-Cookie` value carrying `token`.
pub fn session_cookie(token: &str, secure: bool, max_age_secs: u64) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_cookie(secure: bool) -> String {
    session_cookie("", secure, 0)
}

/// The CSRF token of the session whose token hashes to `token_hash`.
pub fn csrf_token(token_hash: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"fieldsales console csrf\0");
    hasher.update(token_hash);
    hex::encode(hasher.finalize())
}

/// The console device of `user_id`: a UUID derived from the user, so a user's browser
/// sessions share one device row instead of adding one per sign-in.
pub fn console_device(user_id: &str) -> String {
    let digest = Sha256::digest(format!("fieldsales console device\0{user_id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

async fn from_cookie(parts: &Parts, state: &AppState) -> Result<Option<Authenticated>, ApiError> {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE)
        .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN_CHARS)
    else {
        return Ok(None);
    };
    let hash = token_hash(token);
    let principal = state
        .storage
        .session(&hash, Utc::now().timestamp_millis())
        .await?;
    Ok(principal.map(|principal| Authenticated {
        principal,
        token_hash: hash,
    }))
}

/// A signed-in console page: the session from the cookie (absent: the sign-in page).
pub struct ConsoleSession {
    pub principal: Option<Principal>,
    pub token_hash: Vec<u8>,
}

impl FromRequestParts<AppState> for ConsoleSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(match from_cookie(parts, state).await? {
            Some(auth) => ConsoleSession {
                principal: Some(auth.principal),
                token_hash: auth.token_hash,
            },
            None => ConsoleSession {
                principal: None,
                token_hash: Vec::new(),
            },
        })
    }
}

/// A session from the bearer token (a phone) or, without one, the console's cookie (a photo
/// shown in the console): only for reads that the same reach check guards.
pub struct BearerOrCookie(pub Authenticated);

impl FromRequestParts<AppState> for BearerOrCookie {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.headers.contains_key(AUTHORIZATION) {
            return Authenticated::from_request_parts(parts, state)
                .await
                .map(BearerOrCookie);
        }
        from_cookie(parts, state)
            .await?
            .map(BearerOrCookie)
            .ok_or_else(|| ApiError::unauthorized("a valid session token is required"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_session_cookie_is_found_among_others_and_guarded() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; fs_console=abc ; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
        let set = session_cookie("abc", true, 60);
        for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
            assert!(set.contains(part), "{set}");
        }
        assert!(!session_cookie("abc", false, 60).contains("Secure"));
    }

    #[test]
    fn csrf_tokens_differ_per_session_and_console_devices_per_user() {
        assert_ne!(csrf_token(b"one"), csrf_token(b"two"));
        assert_eq!(csrf_token(b"one"), csrf_token(b"one"));
        assert_eq!(console_device("u1"), console_device("u1"));
        assert_ne!(console_device("u1"), console_device("u2"));
        assert!(uuid::Uuid::parse_str(&console_device("u1")).is_ok());
    }
}
