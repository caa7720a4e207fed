//! `POST /v1/sync`: one round trip of the protocol.
//!
//! Decoding and encoding (zstd or gzip + CBOR, up to tens of megabytes) run on the blocking
//! pool like the storage work, so a big sync never stalls the async threads that serve everyone
//! else.
//! After the commit, a sync that moved the tenant's log tells the event streams.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use fieldsales_protocol::{self as protocol, RejectReason, SyncRequest};

use super::{AppState, Authenticated, TenantSeq};
use crate::error::{ApiError, Error};
use crate::sync::check::check;

fn body_rejection(e: BytesRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large("the body exceeds the size limit")
    } else {
        ApiError::malformed("the body could not be read")
    }
}

fn reason_label(reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::Forbidden => "forbidden",
        RejectReason::WrongActor => "wrong_actor",
        RejectReason::InvalidChange => "invalid_change",
        RejectReason::UnknownKind => "unknown_kind",
        RejectReason::KindMismatch => "kind_mismatch",
        RejectReason::TooLarge => "too_large",
        RejectReason::Purged => "purged",
    }
}

pub(super) async fn sync(
    State(state): State<AppState>,
    auth: Authenticated,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let body = body.map_err(body_rejection)?;
    let limits = state.config.limits.clone();
    let max_decompressed = limits.max_decompressed_bytes;
    // The answer goes back in the framing the request came in: a client built before version 2
    // still reads it.
    let (request, framing) = tokio::task::spawn_blocking(move || {
        protocol::decode_framed::<SyncRequest>(&body, max_decompressed)
    })
    .await
    .map_err(Error::from)??;
    let principal = auth.principal;
    let checked = check(request, &principal, &limits)?;
    let pushed_docs = checked.docs.len();
    let (response, stats) = state
        .storage
        .sync(principal.clone(), checked, limits)
        .await?;

    if stats.advanced {
        // No receiver is fine: nobody is listening right now.
        let _ = state.events.send(TenantSeq {
            tenant_id: principal.tenant_id.clone(),
            seq: stats.head,
        });
    }
    state.metrics.syncs.inc();
    state
        .metrics
        .changes_accepted
        .inc_by(stats.changes_accepted);
    for reason in &stats.rejections {
        state
            .metrics
            .rejections
            .with_label_values(&[reason_label(*reason)])
            .inc();
    }
    // A pull that found nothing new is the common case under load: keep it out of the info log.
    if stats.changes_accepted > 0 || !stats.rejections.is_empty() || !response.docs.is_empty() {
        tracing::info!(
            tenant = %principal.tenant_id,
            user = %principal.user_id,
            device = %principal.device_id,
            pushed_docs,
            accepted = stats.changes_accepted,
            already_known = stats.changes_already_known,
            rejected = stats.rejections.len(),
            sent_docs = response.docs.len(),
            cursor = response.cursor,
            more = response.more,
            "sync"
        );
    } else {
        tracing::debug!(
            tenant = %principal.tenant_id,
            device = %principal.device_id,
            cursor = response.cursor,
            "sync: nothing new"
        );
    }
    let body = tokio::task::spawn_blocking(move || protocol::encode_as(&response, framing))
        .await
        .map_err(Error::from)?;
    state
        .metrics
        .sync_seconds
        .observe(started.elapsed().as_secs_f64());
    Ok(([(header::CONTENT_TYPE, protocol::CONTENT_TYPE)], body).into_response())
}
