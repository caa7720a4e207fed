//! One sync round trip: check the request, apply the outbox, answer with what the user may see.
//!
//! This module is the protocol's server half and knows nothing of SQL or HTTP. It runs inside
//! one storage transaction through the small, synchronous [`SyncStore`] trait, which each
//! backend implements over its own transaction (the SQLite backend on a blocking thread; a
//! PostgreSQL backend would do the same). Keeping the rules here, once, is what lets a second
//! backend arrive without touching the protocol.
//!
//! * [`check`] refuses malformed requests before any storage is touched (a 4xx for the whole
//!   request: bad ids, unknown kinds, too many documents).
//! * [`push`] applies each document's changes or rejects the document whole.
//! * [`pull`] builds the answer from the per-tenant change log after the device's cursor, or
//!   from whole documents (snapshots) for new devices, stale cursors and newly visible ones.

pub mod check;
mod pull;
mod push;

use std::collections::BTreeSet;

use fieldsales_protocol::record::Summary;
use fieldsales_protocol::SyncResponse;

use crate::access::{CustomerAudience, DocMeta, Teams, Viewer};
use crate::accounts::Principal;
use crate::config::Limits;
use crate::error::Result;

pub use check::CheckedRequest;

/// A document as the server keeps it: the Automerge bytes and the fields that decide who
/// sees it.
#[derive(Debug, Clone)]
pub struct StoredDoc {
    pub id: String,
    pub meta: DocMeta,
    /// A form `Automerge::load` accepts: the document's one change, or its save (see
    /// `push::stored_form`).
    pub bytes: Vec<u8>,
}

/// One entry of the change log, with the audience of its document (and of the document's
/// customer) as they are now.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub seq: u64,
    pub doc_id: String,
    /// The device that sent the change (not echoed back to it).
    pub device_id: String,
    /// The Automerge change; `None` marks "the document's audience changed here: send it
    /// whole".
    pub change: Option<Vec<u8>>,
    pub meta: DocMeta,
    pub customer: Option<CustomerAudience>,
    /// The sequence at which the document's audience last changed (0: never).
    pub audience_seq: u64,
}

/// A whole document for a snapshot answer.
#[derive(Debug, Clone)]
pub struct DocEntry {
    pub doc_id: String,
    pub meta: DocMeta,
    pub customer: Option<CustomerAudience>,
    pub bytes: Vec<u8>,
}

/// What a sync needs from storage, all inside one transaction of one tenant. Implementations
/// commit only when the sync returns `Ok`.
pub trait SyncStore {
    /// The tenant's latest sequence number (0 for an empty log).
    fn head(&mut self) -> Result<u64>;
    /// Log entries up to this sequence have been trimmed; older cursors need snapshots.
    fn horizon(&mut self) -> Result<u64>;
    /// Each user of the tenant and their team.
    fn teams(&mut self) -> Result<Teams>;
    fn load_doc(&mut self, doc_id: &str) -> Result<Option<StoredDoc>>;
    /// Inserts or replaces a document.
    fn put_doc(&mut self, doc: &StoredDoc) -> Result<()>;
    /// Appends to the log and returns the new sequence number.
    fn append(&mut self, doc_id: &str, device_id: &str, change: Option<&[u8]>) -> Result<u64>;
    /// Records that the audience of `doc_id` changed at `seq`: devices whose cursor is older
    /// receive the document whole.
    fn mark_audience_changed(&mut self, doc_id: &str, seq: u64) -> Result<()>;
    /// Ids of the visits, quick-logs and tasks of a customer.
    fn dependents(&mut self, customer_id: &str) -> Result<Vec<String>>;
    /// At most `limit` log entries with `after < seq <= upto`, in sequence order.
    fn log_after(&mut self, after: u64, upto: u64, limit: usize) -> Result<Vec<LogEntry>>;
    /// At most `limit` documents with ids greater than `after_id`, in id order.
    fn docs_after(&mut self, after_id: Option<&str>, limit: usize) -> Result<Vec<DocEntry>>;
    /// Replaces the media references of `doc_id` (the reference index `crate::media` reads).
    fn set_media_refs(&mut self, doc_id: &str, hashes: &BTreeSet<String>) -> Result<()>;
    /// At most `limit` live (not deleted) documents that refer to the blob `hash`, with ids
    /// greater than `after_id`, in id order, with their audience: a page of what decides who
    /// may reach the blob, read without the documents' bytes.
    fn media_referrers(
        &mut self,
        hash: &str,
        after_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Referrer>>;
    /// Replaces the console's read-model row of `doc_id` with what the document now says.
    fn set_summary(&mut self, doc_id: &str, summary: &Summary) -> Result<()>;
}

/// A live document that refers to a media blob, with the audience fields `can_see` reads.
#[derive(Debug, Clone)]
pub struct Referrer {
    pub doc_id: String,
    pub meta: DocMeta,
    pub customer: Option<CustomerAudience>,
}

/// The user a principal is, as the visibility rules see them.
pub fn viewer(principal: &Principal) -> Viewer {
    Viewer {
        user_id: principal.user_id.clone(),
        team_id: principal.team_id.clone(),
        role: principal.role,
    }
}

/// What a sync did, beyond the answer: for metrics, logs and the event stream.
#[derive(Debug, Clone, Default)]
pub struct SyncStats {
    pub changes_accepted: u64,
    pub changes_already_known: u64,
    pub rejections: Vec<fieldsales_protocol::RejectReason>,
    /// The tenant's head after this sync.
    pub head: u64,
    /// The head moved (someone else should pull).
    pub advanced: bool,
}

/// Runs one sync inside `store`'s transaction.
pub fn run(
    store: &mut dyn SyncStore,
    principal: &Principal,
    request: &CheckedRequest,
    limits: &Limits,
) -> Result<(SyncResponse, SyncStats)> {
    let viewer = viewer(principal);
    let teams = store.teams()?;
    let head_before = store.head()?;
    let mut stats = SyncStats::default();
    let pushed = push::apply(store, &viewer, &teams, request, limits, &mut stats)?;
    let mut response = pull::answer(store, &viewer, &teams, request, &pushed.created)?;
    response.acked = pushed.acked;
    response.rejected = pushed.rejected;
    stats.head = store.head()?;
    stats.advanced = stats.head > head_before;
    Ok((response, stats))
}
