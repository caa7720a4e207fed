//! A scripted in-memory [`Transport`] for the sync client's and the engine's unit tests: it
//! acknowledges everything, can be switched offline or made to fail the next calls, records
//! every request with the (virtual) instant it arrived, and can push server events.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::protocol::{
    DocUpdate, LoginRequest, LoginResponse, Rejection, Role, SeqEvent, SyncRequest, SyncResponse,
};

use super::transport::{BoxFuture, EventStream, Transport};
use super::{ServerUrl, SyncError};

#[derive(Default)]
pub(crate) struct FakeTransport {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    offline: bool,
    fail_next: u32,
    seq: u64,
    calls: Vec<(Instant, SyncRequest)>,
    queued: VecDeque<SyncResponse>,
    reject_docs: Vec<Rejection>,
    events: Option<mpsc::UnboundedReceiver<u64>>,
    gate: Option<Arc<tokio::sync::Semaphore>>,
    event_tx: Option<mpsc::UnboundedSender<u64>>,
}

impl FakeTransport {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn set_offline(&self, offline: bool) {
        self.lock().offline = offline;
    }

    pub(crate) fn fail_next(&self, n: u32) {
        self.lock().fail_next = n;
    }

    /// Holds sync answers until [`Self::release`] (requests are still recorded on arrival).
    pub(crate) fn hold(&self) {
        self.lock().gate = Some(Arc::new(tokio::sync::Semaphore::new(0)));
    }

    pub(crate) fn release(&self) {
        if let Some(gate) = self.lock().gate.take() {
            gate.add_permits(1 << 20);
        }
    }

    /// Every sync request so far, with when it arrived.
    pub(crate) fn calls(&self) -> Vec<(Instant, SyncRequest)> {
        self.lock().calls.clone()
    }

    /// The next answer, instead of the default "ack everything".
    pub(crate) fn queue_answer(&self, answer: SyncResponse) {
        self.lock().queued.push_back(answer);
    }

    /// Refuse the next request's changes to this document.
    pub(crate) fn reject(&self, rejection: Rejection) {
        self.lock().reject_docs.push(rejection);
    }

    /// Sends a server event on the open event stream (opening one first if needed).
    pub(crate) fn announce(&self, seq: u64) {
        let mut inner = self.lock();
        inner.seq = inner.seq.max(seq);
        if inner.event_tx.is_none() {
            let (tx, rx) = mpsc::unbounded_channel();
            inner.event_tx = Some(tx);
            inner.events = Some(rx);
        }
        if let Some(tx) = &inner.event_tx {
            let _ = tx.send(seq);
        }
    }

    pub(crate) fn update(doc_id: &str, kind: &str, data: Vec<u8>) -> DocUpdate {
        DocUpdate {
            doc_id: doc_id.into(),
            kind: kind.into(),
            snapshot: false,
            data: vec![serde_bytes::ByteBuf::from(data)],
        }
    }
}

impl super::transport::MediaTransport for FakeTransport {}

impl Transport for FakeTransport {
    fn login<'a>(
        &'a self,
        _server: &'a ServerUrl,
        request: &'a LoginRequest,
    ) -> BoxFuture<'a, Result<LoginResponse, SyncError>> {
        Box::pin(async move {
            if request.password != "secret" {
                return Err(SyncError::Unauthorized);
            }
            Ok(LoginResponse {
                token: "tok-1".into(),
                expires_at: "2099-01-01T00:00:00Z".into(),
                user_id: request.username.clone(),
                team_id: Some("team-north".into()),
                role: Role::Rep,
            })
        })
    }

    fn logout<'a>(&'a self, _: &'a ServerUrl, _: &'a str) -> BoxFuture<'a, Result<(), SyncError>> {
        Box::pin(async { Ok(()) })
    }

    fn sync<'a>(
        &'a self,
        _server: &'a ServerUrl,
        token: &'a str,
        request: &'a SyncRequest,
    ) -> BoxFuture<'a, Result<SyncResponse, SyncError>> {
        Box::pin(async move {
            let gate = {
                let mut inner = self.lock();
                inner.calls.push((Instant::now(), request.clone()));
                inner.gate.clone()
            };
            if let Some(gate) = gate {
                let _ = gate.acquire().await;
            }
            let mut inner = self.lock();
            if token != "tok-1" {
                return Err(SyncError::Unauthorized);
            }
            if inner.offline {
                return Err(SyncError::Network("cannot connect".into()));
            }
            if inner.fail_next > 0 {
                inner.fail_next -= 1;
                return Err(SyncError::Server {
                    status: 503,
                    code: None,
                    message: "unavailable".into(),
                });
            }
            if let Some(answer) = inner.queued.pop_front() {
                return Ok(answer);
            }
            let mut answer = SyncResponse {
                cursor: inner.seq.max(request.cursor),
                ..Default::default()
            };
            let rejections = std::mem::take(&mut inner.reject_docs);
            for doc in &request.docs {
                match rejections.iter().find(|r| r.doc_id == doc.doc_id) {
                    Some(r) => answer.rejected.push(Rejection {
                        seqs: doc.changes.iter().map(|c| c.seq).collect(),
                        ..r.clone()
                    }),
                    None => answer.acked.extend(doc.changes.iter().map(|c| c.seq)),
                }
            }
            Ok(answer)
        })
    }

    fn events<'a>(
        &'a self,
        _server: &'a ServerUrl,
        _token: &'a str,
    ) -> BoxFuture<'a, Result<Box<dyn EventStream>, SyncError>> {
        Box::pin(async move {
            let mut inner = self.lock();
            if inner.event_tx.is_none() {
                let (tx, rx) = mpsc::unbounded_channel();
                inner.event_tx = Some(tx);
                inner.events = Some(rx);
            }
            match inner.events.take() {
                Some(rx) => Ok(Box::new(FakeEvents(rx)) as Box<dyn EventStream>),
                None => Err(SyncError::Network("one stream at a time".into())),
            }
        })
    }
}

struct FakeEvents(mpsc::UnboundedReceiver<u64>);

impl EventStream for FakeEvents {
    fn next_event(&mut self) -> BoxFuture<'_, Option<Result<SeqEvent, SyncError>>> {
        Box::pin(async move { self.0.recv().await.map(|seq| Ok(SeqEvent { seq })) })
    }
}
