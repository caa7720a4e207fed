//! `POST /v1/login` and `POST /v1/logout`.
//!
//! Login checks the password (argon2id, on the blocking pool), registers the device to the
//! user on first sight (refusing a device already registered to someone else), and issues a
//! session token bound to that device. An unknown tenant or user costs the same hash as a wrong
//! password and gets the same answer, so accounts cannot be discovered by probing.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{Duration, Utc};
use fieldsales_protocol::{LoginRequest, LoginResponse};
use uuid::Uuid;

use super::{AppState, Authenticated};
use crate::accounts::{decoy_hash, new_token, verify_password, NewSession};
use crate::error::{ApiError, Error};

/// Longest tenant, username or password accepted (characters).
const MAX_FIELD_CHARS: usize = 256;
/// Longest device label kept.
const MAX_DEVICE_NAME_CHARS: usize = 100;

pub(super) fn json_rejection(e: JsonRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large("the body exceeds the size limit")
    } else {
        ApiError::malformed(format!("not a valid login request: {}", e.body_text()))
    }
}

pub(super) async fn login(
    State(state): State<AppState>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<LoginResponse>, ApiError> {
    let Json(request) = body.map_err(json_rejection)?;
    let device = Uuid::parse_str(&request.device_id)
        .map_err(|_| ApiError::invalid_field("device_id is not a UUID"))?
        .to_string();
    if [&request.tenant, &request.username, &request.password]
        .iter()
        .any(|f| f.chars().count() > MAX_FIELD_CHARS)
    {
        return Err(ApiError::invalid_field(
            "tenant, username and password have at most 256 characters",
        ));
    }
    let device_name: Option<String> = request
        .device_name
        .as_deref()
        .map(|n| n.trim().chars().take(MAX_DEVICE_NAME_CHARS).collect())
        .filter(|n: &String| !n.is_empty());

    let account = state
        .storage
        .account(&request.tenant, &request.username)
        .await?;
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let password = request.password;
    let verified = tokio::task::spawn_blocking(move || match stored {
        Some(hash) => verify_password(&password, &hash),
        None => {
            verify_password(&password, decoy_hash());
            false
        }
    })
    .await
    .map_err(Error::from)?;
    let account = match account {
        Some(account) if verified => account,
        _ => {
            state.metrics.logins.with_label_values(&["refused"]).inc();
            return Err(ApiError::unauthorized("wrong tenant, username or password"));
        }
    };

    state
        .storage
        .register_device(
            &account.tenant_id,
            &account.user_id,
            &device,
            device_name.as_deref(),
        )
        .await?;
    let (token, token_hash) = new_token();
    let ttl = i64::try_from(state.config.session_ttl_secs)
        .ok()
        .and_then(Duration::try_seconds)
        .unwrap_or(Duration::days(3650));
    let expires_at = Utc::now()
        .checked_add_signed(ttl)
        .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC);
    state
        .storage
        .create_session(NewSession {
            token_hash,
            user_id: account.user_id.clone(),
            device_id: device.clone(),
            expires_at_ms: expires_at.timestamp_millis(),
        })
        .await?;
    state.metrics.logins.with_label_values(&["ok"]).inc();
    tracing::info!(tenant = %account.tenant_id, user = %account.user_id, device = %device, "login");
    Ok(Json(LoginResponse {
        token,
        expires_at: expires_at.to_rfc3339(),
        user_id: account.user_id,
        team_id: account.team_id,
        role: account.role,
    }))
}

pub(super) async fn logout(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<StatusCode, ApiError> {
    state.storage.delete_session(&auth.token_hash).await?;
    tracing::info!(user = %auth.principal.user_id, device = %auth.principal.device_id, "logout");
    Ok(StatusCode::NO_CONTENT)
}
