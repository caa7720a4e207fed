//! The bearer-token extractor: `Authorization: Bearer <token>` to a [`Principal`].
//!
//! Only the token's SHA-256 is looked up; the token itself is never logged or stored. Every
//! failure (no header, not a bearer, unknown, expired, logged out) is the same 401, so a caller
//! learns nothing about which tokens exist.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::Utc;

use super::AppState;
use crate::accounts::{token_hash, Principal};
use crate::error::ApiError;

/// An authenticated request.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub principal: Principal,
    pub token_hash: Vec<u8>,
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let refused = || ApiError::unauthorized("a valid session token is required");
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(refused)?;
        let token = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or_else(refused)?;
        let hash = token_hash(token);
        let principal = state
            .storage
            .session(&hash, Utc::now().timestamp_millis())
            .await?
            .ok_or_else(refused)?;
        Ok(Authenticated {
            principal,
            token_hash: hash,
        })
    }
}
