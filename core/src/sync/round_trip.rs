//! One round trip of a sync: the request, the answer, and the reading of its records ahead of
//! the transaction that applies them (see `apply::prepare`).

use std::future::Future;
use std::sync::Arc;

use crate::engine::Engine;
use crate::error::Result;
use crate::protocol::{DocChanges, SyncRequest, SyncResponse};

use super::{apply, task_stopped, ServerUrl, Transport};

/// An answer with its records read ahead (see `apply::prepare`).
pub(super) struct Fetched {
    pub(super) answer: SyncResponse,
    pub(super) read: Vec<Option<apply::ReadAhead>>,
}

/// The parts of every round trip of one sync: who talks to which server, with which token.
pub(super) struct Exchange {
    pub(super) transport: Arc<dyn Transport>,
    pub(super) server: ServerUrl,
    pub(super) token: String,
    pub(super) engine: Arc<Engine>,
}

impl Exchange {
    /// One round trip from where the device stands (`cursor`, `resume`), with `docs` from its
    /// outbox; owns what it needs, so it can run as a task of its own.
    pub(super) fn round_trip(
        &self,
        cursor: u64,
        docs: Vec<DocChanges>,
        resume: Option<String>,
    ) -> impl Future<Output = Result<Fetched>> + Send + 'static {
        let request = SyncRequest {
            device_id: self.engine.device_id.to_string(),
            cursor,
            docs,
            resume,
            max_answer_bytes: self.engine.config.sync.max_answer_bytes,
        };
        fetch(
            self.transport.clone(),
            self.server.clone(),
            self.token.clone(),
            request,
            self.engine.clone(),
        )
    }

    /// Asks for the next page of a pull now, to be read while this one is written.
    pub(super) fn read_ahead(&self, cursor: u64, resume: Option<String>) -> ReadingAhead {
        ReadingAhead(tokio::spawn(self.round_trip(cursor, Vec::new(), resume)))
    }
}

/// One round trip, then the reading of its records on the blocking pool.
async fn fetch(
    transport: Arc<dyn Transport>,
    server: ServerUrl,
    token: String,
    request: SyncRequest,
    engine: Arc<Engine>,
) -> Result<Fetched> {
    let answer = transport.sync(&server, &token, &request).await?;
    tokio::task::spawn_blocking(move || {
        let read = apply::prepare(&answer, &engine.actor, engine.store.projections());
        Fetched { answer, read }
    })
    .await
    .map_err(task_stopped)
}

/// The next page being fetched; dropped unused (the sync failed), it is cancelled.
pub(super) struct ReadingAhead(tokio::task::JoinHandle<Result<Fetched>>);

impl ReadingAhead {
    pub(super) async fn wait(mut self) -> Result<Fetched> {
        (&mut self.0).await.map_err(task_stopped)?
    }
}

impl Drop for ReadingAhead {
    fn drop(&mut self) {
        self.0.abort();
    }
}
