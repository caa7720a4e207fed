//! The HTTP surface: routes, shared state, and the mapping of every refusal to a JSON error.
//!
//! Connections come in through our own accept loop (`listen`, `connection`, `body_pace`,
//! [`tls`]): a connection cap, header, body-pace and idle timeouts, and an early 413, so a slow
//! or silent client costs a bounded amount. Login goes through the password pool and the
//! [`throttle`]. Handlers are thin: they authenticate, decode, call storage or the sync, and
//! encode. Each route's behaviour is written down in `docs/protocol.md`. Bodies are bounded before they are
//! read ([`DefaultBodyLimit`]), and a body the limit or the decoder refuses becomes an
//! [`ApiError`] like any other, so a client always gets `{"error": {"code", "message"}}`.

mod auth;
mod body_pace;
mod client_address;
mod connection;
mod console;
mod events;
pub(crate) mod listen;
mod login;
mod media;
pub mod media_rate;
mod pages;
mod password_pool;
mod sync;
pub mod throttle;
pub mod tls;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use tokio::sync::{broadcast, watch};

use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::storage::Storage;

pub use auth::Authenticated;
pub use client_address::ClientAddress;
pub(crate) use connection::ConnectionLimits;
pub use console::ConsoleApi;
pub use events::StreamSlots;
pub use login::LoginGuard;

/// A login body is a few short strings; anything bigger is refused before it is read.
const LOGIN_BODY_BYTES: usize = 16 << 10;

/// "The log of this tenant reached this sequence", for the event streams.
#[derive(Debug, Clone)]
pub struct TenantSeq {
    pub tenant_id: String,
    pub seq: u64,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub config: Arc<ServerConfig>,
    pub metrics: Metrics,
    pub events: broadcast::Sender<TenantSeq>,
    /// Becomes `true` when the server is stopping; long-lived streams end on it.
    pub shutdown: watch::Receiver<bool>,
    /// Event streams open per user, against `http.max_streams_per_user`.
    pub streams: StreamSlots,
    /// Media uploads in flight per device, against `media.max_uploads_per_device`.
    pub uploads: StreamSlots,
    /// Media blobs.
    pub blobs: crate::media::BlobStore,
    /// Media reads per user, against `media.max_reads_per_user_per_minute`.
    pub media_reads: Arc<media_rate::MediaReadRate>,
}

/// The routes over `state`. Serve it with `into_make_service_with_connect_info::<SocketAddr>()`
/// (or insert `ConnectInfo<SocketAddr>` per request): login throttles per client address.
/// Fails only when the password-check threads cannot be started.
pub fn router(state: AppState) -> std::io::Result<Router> {
    let body_limit = state.config.limits.max_request_bytes;
    let login_guard = Arc::new(LoginGuard::new(&state.config.login)?);
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route(
            "/v1/login",
            post(login::login).layer((
                DefaultBodyLimit::max(LOGIN_BODY_BYTES),
                Extension(login_guard.clone()),
            )),
        )
        .route("/v1/logout", post(login::logout))
        .route("/v1/sync", post(sync::sync))
        .route("/v1/events", get(events::events))
        .route(
            "/v1/media/{hash}",
            get(media::download)
                .head(media::status)
                .patch(media::upload),
        )
        .route("/v1/console/visits", get(console::visits))
        .route("/v1/console/visits/{id}", get(console::visit))
        .route("/v1/console/figures", get(console::figures))
        .route("/v1/console/customers/{id}", get(console::customer))
        .route("/v1/openapi.json", get(console::openapi))
        .route("/console", get(pages::home))
        .route(
            "/console/login",
            post(pages::sign_in).layer((
                DefaultBodyLimit::max(LOGIN_BODY_BYTES),
                Extension(login_guard.clone()),
            )),
        )
        .route("/console/logout", post(pages::sign_out))
        .route("/console/visits", get(pages::visits))
        .route("/console/visits/{id}", get(pages::visit))
        .route("/console/figures", get(pages::figures))
        .route("/console/assets/console.css", get(pages::stylesheet))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), count_errors))
        .with_state(state);
    Ok(app)
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.storage.head("").await {
        Ok(_) => Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check cannot reach storage");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable" })),
            )
                .into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        fieldsales_protocol::ErrorCode::NotFound,
        "this endpoint does not take that method",
    )
}

/// Counts every 4xx/5xx answer by status, whatever produced it.
async fn count_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        // Method and status only: a path, a body or a header could carry personal data or a
        // token.
        tracing::debug!(status = status.as_u16(), method = %method, "request refused");
        state
            .metrics
            .errors
            .with_label_values(&[status.as_str()])
            .inc();
    }
    response
}
