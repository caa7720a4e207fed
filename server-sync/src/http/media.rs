//! `HEAD`, `PATCH` and `GET /v1/media/{hash}`: the resumable upload and the download of media
//! blobs (`docs/protocol.md`, "Media").
//!
//! Every request is checked in the same order, cheapest first, before any blob byte is read or
//! written: the session (401), the hash's form (400), the upload headers and declared length
//! (400, 413), then whether a record the user may see refers to the hash (404 otherwise, the
//! same answer as for a blob that does not exist), then the device's share of concurrent
//! uploads (429); a read (`HEAD`, `GET`) counts against the user's reads per minute before the
//! visibility check (429, `media_rate`). Only then is a chunk body read, at most [`MAX_CHUNK_BYTES`] of it (413
//! beyond), under the connection's body pace. The bytes themselves are the blob store's
//! business (`crate::media::BlobStore`). Logs carry ids, hashes' first characters and sizes,
//! never a user's data.
//!
//! A download (`GET`) also accepts the manager console's cookie session
//! (`pages::session::BearerOrCookie`), so the console shows photos as `<img>`; the reach check
//! is the same. Uploads take the bearer token only.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fieldsales_protocol::media::{
    self, MAX_BLOB_BYTES, MAX_CHUNK_BYTES, STATE_COMPLETE, STATE_PARTIAL, UPLOAD_LENGTH,
    UPLOAD_OFFSET, UPLOAD_STATE,
};
use fieldsales_protocol::ErrorCode;
use futures_util::StreamExt;

use super::pages::session::BearerOrCookie;
use super::{AppState, Authenticated};
use crate::error::ApiError;
use crate::media::{Chunk, ChunkRefused, UploadState};

/// Seconds a device told to slow down waits: one chunk's time on a slow network.
const RETRY_UPLOAD_AFTER_SECS: &str = "2";

/// What a device may cache a blob for: a blob never changes (its name is its hash).
const CACHE_CONTROL: &str = "private, max-age=31536000, immutable";

fn check_hash(hash: &str) -> Result<(), ApiError> {
    if media::is_content_hash(hash) {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            "a media hash is 64 lowercase hexadecimal digits (SHA-256)",
        ))
    }
}

/// `None` while the user has reads left this minute (`media_rate`), else the 429 with
/// `Retry-After` to answer.
fn over_read_rate(state: &AppState, auth: &Authenticated) -> Option<Response> {
    let principal = &auth.principal;
    let wait = state
        .media_reads
        .take(&principal.tenant_id, &principal.user_id)
        .err()?;
    state.metrics.media_reads_limited.inc();
    let refused = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        "too many media reads; retry after Retry-After seconds",
    );
    let secs = wait.as_secs().max(1).to_string();
    Some(([(header::RETRY_AFTER, secs)], refused).into_response())
}

/// The user may reach the blob, else the 404 a missing blob gets.
async fn check_reachable(
    state: &AppState,
    auth: &Authenticated,
    hash: &str,
) -> Result<(), ApiError> {
    if state
        .storage
        .media_reachable(auth.principal.clone(), hash)
        .await?
    {
        Ok(())
    } else {
        Err(not_found())
    }
}

fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such media")
}

fn header_u64(headers: &HeaderMap, name: &'static str) -> Result<u64, ApiError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| ApiError::invalid_field(format!("the {name} header must be a number")))
}

/// The `Upload-*` headers of an answer.
fn state_headers(upload: UploadState) -> [(&'static str, HeaderValue); 2] {
    let (offset, state) = match upload {
        UploadState::Complete { length } => (length, STATE_COMPLETE),
        UploadState::Partial { offset } => (offset, STATE_PARTIAL),
    };
    [
        (UPLOAD_OFFSET, HeaderValue::from(offset)),
        (UPLOAD_STATE, HeaderValue::from_static(state)),
    ]
}

/// `HEAD`: where the upload stands (`Upload-Offset`, `Upload-State`).
pub(super) async fn status(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(hash): Path<String>,
) -> Result<Response, ApiError> {
    check_hash(&hash)?;
    if let Some(refused) = over_read_rate(&state, &auth) {
        return Ok(refused);
    }
    check_reachable(&state, &auth, &hash).await?;
    let upload = state.blobs.state(&auth.principal.tenant_id, &hash).await?;
    let mut response = (StatusCode::OK, state_headers(upload)).into_response();
    if let UploadState::Complete { length } = upload {
        response
            .headers_mut()
            .insert(UPLOAD_LENGTH, HeaderValue::from(length));
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `PATCH`: one chunk at `Upload-Offset` of a blob of `Upload-Length` bytes.
pub(super) async fn upload(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(hash): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    check_hash(&hash)?;
    let offset = header_u64(&headers, UPLOAD_OFFSET)?;
    let length = header_u64(&headers, UPLOAD_LENGTH)?;
    if length > MAX_BLOB_BYTES {
        return Err(ApiError::too_large(format!(
            "a media blob holds at most {MAX_BLOB_BYTES} bytes"
        )));
    }
    check_reachable(&state, &auth, &hash).await?;
    let principal = &auth.principal;
    let max = state.config.media.max_uploads_per_device;
    let Some(_slot) = state
        .uploads
        .take(&principal.tenant_id, &principal.device_id, max)
    else {
        let refused = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!("at most {max} uploads at once per device"),
        );
        return Ok(([(header::RETRY_AFTER, RETRY_UPLOAD_AFTER_SECS)], refused).into_response());
    };
    let _in_flight = InFlight::new(&state.metrics.media_uploads);
    let bytes = read_chunk(body).await?;
    let received = bytes.len();
    let chunk = Chunk {
        offset,
        length,
        bytes,
    };
    let outcome = state
        .blobs
        .put_chunk(&principal.tenant_id, &hash, chunk)
        .await;
    match outcome {
        Ok(upload) => {
            if matches!(upload, UploadState::Complete { .. }) {
                tracing::info!(
                    tenant = %principal.tenant_id,
                    device = %principal.device_id,
                    blob = &hash[..12],
                    length,
                    "media upload complete"
                );
            }
            tracing::debug!(device = %principal.device_id, offset, received, "media chunk");
            Ok((StatusCode::NO_CONTENT, state_headers(upload)).into_response())
        }
        Err(refused) => Err(chunk_refusal(refused, &hash)),
    }
}

/// One upload counted in `fieldsales_media_uploads_in_flight` while it lives.
struct InFlight(prometheus::IntGauge);

impl InFlight {
    fn new(gauge: &prometheus::IntGauge) -> Self {
        gauge.inc();
        InFlight(gauge.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Reads a chunk body, refusing one past [`MAX_CHUNK_BYTES`] as soon as it passes.
async fn read_chunk(body: Body) -> Result<Bytes, ApiError> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(frame) = stream.next().await {
        let frame = frame.map_err(|_| ApiError::malformed("the body could not be read"))?;
        if bytes.len() + frame.len() > MAX_CHUNK_BYTES {
            return Err(ApiError::too_large(format!(
                "a media chunk holds at most {MAX_CHUNK_BYTES} bytes"
            )));
        }
        bytes.extend_from_slice(&frame);
    }
    Ok(Bytes::from(bytes))
}

fn chunk_refusal(refused: ChunkRefused, hash: &str) -> ApiError {
    match refused {
        ChunkRefused::OffsetMismatch { held } => {
            let mut error = ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::OffsetMismatch,
                format!("the upload stands at {held} bytes"),
            );
            error.upload_offset = Some(held);
            error
        }
        ChunkRefused::PastLength => {
            ApiError::invalid_field("the chunk runs past the Upload-Length")
        }
        ChunkRefused::TooLarge => {
            ApiError::too_large(format!("a media blob holds at most {MAX_BLOB_BYTES} bytes"))
        }
        ChunkRefused::NotAnImage => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "the bytes are not a JPEG, PNG or WebP image",
        ),
        ChunkRefused::HashMismatch => {
            tracing::warn!(blob = &hash[..12], "media upload did not match its hash");
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::HashMismatch,
                "the bytes do not hash to the blob's name; the upload was discarded",
            )
        }
        ChunkRefused::Failed(e) => e.into(),
    }
}

/// `GET`: the blob, typed by its bytes, cacheable for good by this user only.
pub(super) async fn download(
    State(state): State<AppState>,
    BearerOrCookie(auth): BearerOrCookie,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_hash(&hash)?;
    if let Some(refused) = over_read_rate(&state, &auth) {
        return Ok(refused);
    }
    check_reachable(&state, &auth, &hash).await?;
    let etag = format!("\"{hash}\"");
    let etag_value =
        HeaderValue::from_str(&etag).expect("a quoted hex hash is a valid header value");
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let tenant = &auth.principal.tenant_id;
    if cached
        && matches!(
            state.blobs.state(tenant, &hash).await?,
            UploadState::Complete { .. }
        )
    {
        let unchanged = [
            (header::ETAG, etag_value),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(CACHE_CONTROL),
            ),
        ];
        return Ok((StatusCode::NOT_MODIFIED, unchanged).into_response());
    }
    let Some(blob) = state.blobs.read(tenant, &hash).await? else {
        return Err(not_found());
    };
    let headers_out = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(blob.kind.mime()),
        ),
        (header::CONTENT_LENGTH, HeaderValue::from(blob.length)),
        (header::ETAG, etag_value),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    Ok((headers_out, Body::from_stream(blob.bytes)).into_response())
}
