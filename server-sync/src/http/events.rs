//! `GET /v1/events`: a server-sent event stream of the tenant's log head.
//!
//! Each event (`event: seq`, `data: {"seq": N}`) says only "new data up to N": the device
//! syncs if its cursor is behind. The first event is sent at once with the current head, so a
//! device that reconnects after a gap learns whether it missed something. Events name no
//! document and no user, so the stream needs no per-user filtering. A listener that falls
//! behind the broadcast buffer gets the current head instead of the missed events; a stopping
//! server ends every stream so shutdown is not held up by idle connections.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use fieldsales_protocol::SeqEvent;
use futures_util::stream::{self, Stream};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use super::{AppState, Authenticated, TenantSeq};
use crate::error::ApiError;
use crate::storage::Storage;

struct Listener {
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
    auth: Authenticated,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let events = state.events.subscribe();
    let tenant_id = auth.principal.tenant_id;
    let head = state.storage.head(&tenant_id).await?;
    let listener = Listener {
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
