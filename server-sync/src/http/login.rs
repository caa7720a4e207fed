//! `POST /v1/login` and `POST /v1/logout`.
//!
//! Life of a login: the body is read and bounded; a locked account or address is refused with
//! `429` and `Retry-After` before any work ([`super::throttle`]); the password is checked
//! (argon2id) on the bounded [`PasswordPool`], or refused with `503` and `Retry-After` when it
//! is full; a wrong password counts toward the lockouts and is `401`. Then the device is
//! registered to the user on first sight — within the user's tenant, up to the per-user cap —
//! and a session bound to that device is issued, ending the user's oldest beyond their cap.
//!
//! An unknown tenant or user costs the same hash (a decoy, checked on the same pool) and gets
//! the same answers as a wrong password, lockout included, so accounts cannot be discovered by
//! probing. Device ids are scoped per tenant, so a device id known in another tenant is a new
//! device here, answered like any other. Logs carry ids and a hash of the account, never a
//! username, a password or a token.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{Duration, Utc};
use fieldsales_protocol::{ErrorCode, LoginRequest, LoginResponse};
use uuid::Uuid;

use super::client_address::ClientAddress;
use super::password_pool::{Busy, PasswordPool};
use super::throttle::{account_key, address_key, AccountKey, Locked, Throttle};
use super::{AppState, Authenticated};
use crate::accounts::{decoy_hash, new_token, verify_password, NewSession, UserAccount};
use crate::config::Login;
use crate::error::{ApiError, Error};

/// Longest tenant, username or password accepted (characters).
const MAX_FIELD_CHARS: usize = 256;
/// Longest device label kept.
const MAX_DEVICE_NAME_CHARS: usize = 100;
/// What a login refused for a full password pool is told to wait: checks take tens of
/// milliseconds, so a place is soon free.
const BUSY_RETRY_AFTER_SECS: u64 = 1;

/// What guards the password checks: the lockouts and the bounded pool.
pub struct LoginGuard {
    throttle: Throttle,
    pool: PasswordPool,
}

impl LoginGuard {
    pub fn new(config: &Login) -> std::io::Result<Self> {
        Ok(LoginGuard {
            throttle: Throttle::new(config),
            pool: PasswordPool::new(
                config.hash_workers(),
                config.max_waiting,
                config.max_waiting_per_address,
            )?,
        })
    }
}

pub(super) fn json_rejection(e: JsonRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large("the body exceeds the size limit")
    } else {
        ApiError::malformed(format!("not a valid login request: {}", e.body_text()))
    }
}

pub(super) async fn login(
    State(state): State<AppState>,
    Extension(guard): Extension<Arc<LoginGuard>>,
    ClientAddress(address): ClientAddress,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<LoginResponse>, Response> {
    let request = read_request(body).map_err(IntoResponse::into_response)?;
    let credentials = Credentials {
        tenant: &request.tenant,
        username: &request.username,
        password: &request.password,
    };
    let account = check_login(&state, &guard, address, credentials).await?;
    let device = Device {
        id: &request.device,
        name: request.device_name.as_deref(),
        capped: true,
    };
    let response = open_session(&state, account, device).await.map_err(|e| {
        if matches!(e, Error::DeviceTaken | Error::DeviceLimit { .. }) {
            state
                .metrics
                .logins
                .with_label_values(&["device_refused"])
                .inc();
        }
        ApiError::from(e).into_response()
    })?;
    state.metrics.logins.with_label_values(&["ok"]).inc();
    Ok(Json(response))
}

/// What a person types to sign in, from a phone or the console's form.
pub(super) struct Credentials<'a> {
    pub tenant: &'a str,
    pub username: &'a str,
    pub password: &'a str,
}

/// The one password check of every sign-in: lockouts first (`429`), then the bounded pool
/// (`503` when full), a wrong password counted (`401`). The refusal is a JSON answer; the
/// console turns it into its page.
pub(super) async fn check_login(
    state: &AppState,
    guard: &LoginGuard,
    address: Option<std::net::IpAddr>,
    credentials: Credentials<'_>,
) -> Result<UserAccount, Response> {
    if [
        credentials.tenant,
        credentials.username,
        credentials.password,
    ]
    .iter()
    .any(|f| f.chars().count() > MAX_FIELD_CHARS)
    {
        return Err(ApiError::invalid_field(
            "tenant, username and password have at most 256 characters",
        )
        .into_response());
    }
    let account_key = account_key(credentials.tenant, credentials.username);
    let address = address.map(address_key);
    if let Err(locked) = guard.throttle.check(&account_key, address) {
        return Err(throttled(state, locked));
    }
    match check_password(state, guard, &credentials, address).await {
        Ok(account) => {
            guard.throttle.succeeded(&account_key);
            Ok(account)
        }
        Err(Refusal::Busy) => Err(busy(state)),
        Err(Refusal::Other(e)) => Err(ApiError::from(e).into_response()),
        Err(Refusal::WrongPassword) => {
            count_failure(state, guard, &account_key, address);
            Err(ApiError::unauthorized("wrong tenant, username or password").into_response())
        }
    }
}

/// A login body whose fields were checked.
struct ValidRequest {
    tenant: String,
    username: String,
    password: String,
    device: String,
    device_name: Option<String>,
}

fn read_request(body: Result<Json<LoginRequest>, JsonRejection>) -> Result<ValidRequest, ApiError> {
    let Json(request) = body.map_err(json_rejection)?;
    let device = Uuid::parse_str(&request.device_id)
        .map_err(|_| ApiError::invalid_field("device_id is not a UUID"))?
        .to_string();
    let device_name: Option<String> = request
        .device_name
        .as_deref()
        .map(|n| n.trim().chars().take(MAX_DEVICE_NAME_CHARS).collect())
        .filter(|n: &String| !n.is_empty());
    Ok(ValidRequest {
        tenant: request.tenant,
        username: request.username,
        password: request.password,
        device,
        device_name,
    })
}

/// Why a password check let no one in.
enum Refusal {
    WrongPassword,
    Busy,
    Other(Error),
}

/// Looks the account up and checks the password on the pool; an unknown account checks the
/// decoy so that it costs the same.
async fn check_password(
    state: &AppState,
    guard: &LoginGuard,
    credentials: &Credentials<'_>,
    address: Option<std::net::IpAddr>,
) -> Result<UserAccount, Refusal> {
    let account = state
        .storage
        .account(credentials.tenant, credentials.username)
        .await
        .map_err(Refusal::Other)?;
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let password = credentials.password.to_string();
    let checks = state.metrics.password_checks.clone();
    let verified = guard
        .pool
        .submit(address, move || {
            checks.inc();
            match stored {
                Some(hash) => verify_password(&password, &hash),
                None => {
                    verify_password(&password, decoy_hash());
                    false
                }
            }
        })
        .await
        .map_err(|Busy| Refusal::Busy)?;
    match account {
        Some(account) if verified => Ok(account),
        _ => Err(Refusal::WrongPassword),
    }
}

/// Counts a wrong password toward the lockouts; a lockout that begins is counted and logged
/// with the scope and a short hash of the account only.
fn count_failure(
    state: &AppState,
    guard: &LoginGuard,
    account: &AccountKey,
    address: Option<std::net::IpAddr>,
) {
    state.metrics.logins.with_label_values(&["refused"]).inc();
    for scope in guard.throttle.failed(account, address) {
        state
            .metrics
            .login_lockouts
            .with_label_values(&[scope.label()])
            .inc();
        tracing::warn!(
            scope = scope.label(),
            account = %hex::encode(&account[..6]),
            "login locked out after repeated wrong passwords"
        );
    }
}

/// The device a session is bound to.
pub(super) struct Device<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
    /// Counted against the user's device cap (a phone); the console's browser device is not.
    pub capped: bool,
}

/// Registers the device (a phone within its caps) and issues a session.
pub(super) async fn open_session(
    state: &AppState,
    account: UserAccount,
    device: Device<'_>,
) -> Result<LoginResponse, Error> {
    let login = &state.config.login;
    if device.capped {
        state
            .storage
            .register_device(
                &account.tenant_id,
                &account.user_id,
                device.id,
                device.name,
                login.max_devices_per_user,
            )
            .await?;
    } else {
        state
            .storage
            .allow_device(&account.tenant_id, &account.user_id, device.id)
            .await?;
    }
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
        .create_session(
            NewSession {
                token_hash,
                user_id: account.user_id.clone(),
                device_id: device.id.to_string(),
                expires_at_ms: expires_at.timestamp_millis(),
            },
            login.max_sessions_per_user,
        )
        .await?;
    tracing::info!(tenant = %account.tenant_id, user = %account.user_id, device = %device.id, "login");
    Ok(LoginResponse {
        token,
        expires_at: expires_at.to_rfc3339(),
        user_id: account.user_id,
        team_id: account.team_id,
        role: account.role,
    })
}

/// `429` for an attempt on a locked account or from a locked address.
fn throttled(state: &AppState, locked: Locked) -> Response {
    state.metrics.logins.with_label_values(&["throttled"]).inc();
    state
        .metrics
        .login_throttled
        .with_label_values(&[locked.scope.label()])
        .inc();
    let secs = whole_seconds(locked.retry_after);
    let error = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        format!("too many wrong passwords; retry in {secs} s"),
    );
    ([(header::RETRY_AFTER, secs.to_string())], error).into_response()
}

/// `503` for a login the password pool has no place for.
fn busy(state: &AppState) -> Response {
    state.metrics.logins.with_label_values(&["busy"]).inc();
    let error = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal,
        "the server is busy checking other logins; retry shortly",
    );
    (
        [(header::RETRY_AFTER, BUSY_RETRY_AFTER_SECS.to_string())],
        error,
    )
        .into_response()
}

/// `Retry-After` is whole seconds: rounded up, so a client that waits it is let in.
fn whole_seconds(d: StdDuration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

pub(super) async fn logout(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<StatusCode, ApiError> {
    state.storage.delete_session(&auth.token_hash).await?;
    tracing::info!(user = %auth.principal.user_id, device = %auth.principal.device_id, "logout");
    Ok(StatusCode::NO_CONTENT)
}
