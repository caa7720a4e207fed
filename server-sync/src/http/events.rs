//! `GET /v1/events`: a server-sent event stream of the tenant's log head.
//!
//! Each event (`event: seq`, `data: {"seq": N}`) says only "new data up to N": the device
//! syncs if its cursor is behind. The first event is sent at once with the current head, so a
//! device that reconnects after a gap learns whether it missed something. Events name no
//! document and no user, so the stream needs no per-user filtering. A listener that falls
//! behind the broadcast buffer gets the current head instead of the missed events; a stopping
//! server ends every stream so shutdown is not held up by idle connections.
//!
//! The manager console's visit list listens too, with its cookie session instead of a bearer
//! token (an `EventSource` cannot send one), and reloads when the head moves.
//!
//! A user may hold `http.max_streams_per_user` streams at once (a phone needs one; a few
//! allow for a tablet and a reconnect racing its old stream); beyond that the answer is 429
//! with `Retry-After`, so one token cannot pin thousands of connections. A stream's slot is
//! given back when the stream is dropped: when the server ends it, or when a write to a
//! vanished client fails, which the keep-alive comment every 15 s brings about.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use fieldsales_protocol::{ErrorCode, SeqEvent};
use futures_util::stream::{self, Stream};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use super::pages::session::BearerOrCookie;
use super::{AppState, Authenticated, TenantSeq};
use crate::error::ApiError;
use crate::storage::Storage;

/// Seconds a refused client is told to wait: a dead stream's slot is back within one
/// keep-alive interval (15 s).
const RETRY_STREAM_AFTER_SECS: &str = "15";

/// How many event streams each user holds open (and, as `AppState::uploads`, how many media
/// uploads each device has in flight): a per-holder counter of slots.
#[derive(Clone, Default)]
pub struct StreamSlots {
    held: Arc<Mutex<HashMap<(String, String), usize>>>,
}

/// One open stream's claim on its user's slots; gives it back when dropped.
pub(super) struct StreamSlot {
    slots: StreamSlots,
    key: (String, String),
}

impl StreamSlots {
    /// Claims one of `max` slots of `(tenant_id, holder)`; `None` when all are taken.
    pub(super) fn take(&self, tenant_id: &str, user_id: &str, max: usize) -> Option<StreamSlot> {
        let key = (tenant_id.to_string(), user_id.to_string());
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let count = held.entry(key.clone()).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            slots: self.clone(),
            key,
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut held = self.slots.held.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = held.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                held.remove(&self.key);
            }
        }
    }
}

struct Listener {
    /// Held for its `Drop`: the user's slot is freed with the stream.
    _slot: StreamSlot,
    tenant_id: String,
    first: Option<u64>,
    events: broadcast::Receiver<TenantSeq>,
    shutdown: watch::Receiver<bool>,
    storage: Arc<dyn Storage>,
}

fn seq_event(seq: u64) -> Event {
    Event::default()
        .event("seq")
        .id(seq.to_string())
        .json_data(SeqEvent { seq })
        .expect("a SeqEvent always serialises")
}

impl Listener {
    async fn next(&mut self) -> Option<u64> {
        if let Some(seq) = self.first.take() {
            return Some(seq);
        }
        loop {
            if *self.shutdown.borrow() {
                return None;
            }
            tokio::select! {
                changed = self.shutdown.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                }
                received = self.events.recv() => match received {
                    Ok(event) if event.tenant_id == self.tenant_id => return Some(event.seq),
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => {
                        return self.storage.head(&self.tenant_id).await.ok();
                    }
                    Err(RecvError::Closed) => return None,
                },
            }
        }
    }
}

pub(super) async fn events(
    State(state): State<AppState>,
    BearerOrCookie(auth): BearerOrCookie,
) -> Response {
    let principal = &auth.principal;
    let max = state.config.http.max_streams_per_user;
    let Some(slot) = state
        .streams
        .take(&principal.tenant_id, &principal.user_id, max)
    else {
        let refused = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!("at most {max} event streams per user"),
        );
        return ([(header::RETRY_AFTER, RETRY_STREAM_AFTER_SECS)], refused).into_response();
    };
    match open(state, auth, slot).await {
        Ok(stream) => stream.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn open(
    state: AppState,
    auth: Authenticated,
    slot: StreamSlot,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let events = state.events.subscribe();
    let tenant_id = auth.principal.tenant_id;
    let head = state.storage.head(&tenant_id).await?;
    let listener = Listener {
        _slot: slot,
        tenant_id,
        first: Some(head),
        events,
        shutdown: state.shutdown.clone(),
        storage: state.storage.clone(),
    };
    let stream = stream::unfold(listener, |mut listener| async move {
        let seq = listener.next().await?;
        Some((Ok(seq_event(seq)), listener))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
