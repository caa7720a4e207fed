//! Building the answer: what the user may see since their cursor, cut at the size budget.
//!
//! Two modes. **Incremental**: walk the tenant's log after the cursor, keep the entries whose
//! document the user may see now, skip the sender's own changes, and send a document whole
//! when its audience changed after the cursor (its earlier history may never have reached the
//! people who now see it; a marker entry in the log makes sure such a document comes up even
//! when it has no new change). **Snapshot**: for a new device (cursor 0), a cursor behind the compaction
//! horizon or ahead of the log (a server restored from backup), send every visible document
//! whole, in id order, paged with an opaque `resume` token; the last page hands out the log
//! head as it was when the snapshot began, so nothing written meanwhile is skipped.
//!
//! Documents the request itself created are not sent back: the device holds every change of
//! them. An answer stops before the item that would pass the budget (but always carries at least one
//! item, so a single huge document still gets through) and says `more`.

use std::collections::{HashMap, HashSet};

use fieldsales_protocol::{DocUpdate, SyncResponse};
use serde_bytes::ByteBuf;

use super::check::{CheckedRequest, Resume};
use super::SyncStore;
use crate::access::{can_see, Teams, Viewer};
use crate::error::Result;

/// Log entries or documents read per storage call.
const BATCH: usize = 512;
/// Framing cost counted per document in the budget (ids, kind, CBOR headers).
const PER_DOC_OVERHEAD: usize = 64;

/// An answer being filled up to its budget.
struct Answer {
    budget: usize,
    used: usize,
    docs: Vec<DocUpdate>,
    /// Index in `docs` of the change-carrying update of each document.
    changes_at: HashMap<String, usize>,
    /// Documents already sent whole in this answer.
    whole: HashSet<String>,
}

impl Answer {
    fn new(budget: usize) -> Self {
        Answer {
            budget,
            used: 0,
            docs: Vec::new(),
            changes_at: HashMap::new(),
            whole: HashSet::new(),
        }
    }

    fn fits(&self, bytes: usize) -> bool {
        self.docs.is_empty() || self.used + bytes + PER_DOC_OVERHEAD <= self.budget
    }

    fn push_whole(&mut self, doc_id: &str, kind: &str, bytes: Vec<u8>) {
        self.used += bytes.len() + PER_DOC_OVERHEAD;
        self.whole.insert(doc_id.to_string());
        self.docs.push(DocUpdate {
            doc_id: doc_id.to_string(),
            kind: kind.to_string(),
            snapshot: true,
            data: vec![ByteBuf::from(bytes)],
        });
    }

    fn push_change(&mut self, doc_id: &str, kind: &str, bytes: Vec<u8>) {
        self.used += bytes.len() + PER_DOC_OVERHEAD;
        if let Some(&at) = self.changes_at.get(doc_id) {
            self.docs[at].data.push(ByteBuf::from(bytes));
            return;
        }
        self.changes_at.insert(doc_id.to_string(), self.docs.len());
        self.docs.push(DocUpdate {
            doc_id: doc_id.to_string(),
            kind: kind.to_string(),
            snapshot: false,
            data: vec![ByteBuf::from(bytes)],
        });
    }
}

pub(super) fn answer(
    store: &mut dyn SyncStore,
    viewer: &Viewer,
    teams: &Teams,
    request: &CheckedRequest,
    created: &HashSet<String>,
) -> Result<SyncResponse> {
    let head = store.head()?;
    let horizon = store.horizon()?;
    let needs_snapshot = request.resume.is_some()
        || request.cursor == 0
        || request.cursor < horizon
        || request.cursor > head;
    if needs_snapshot {
        snapshot(store, viewer, teams, request, head, created)
    } else {
        incremental(store, viewer, teams, request, head)
    }
}

fn incremental(
    store: &mut dyn SyncStore,
    viewer: &Viewer,
    teams: &Teams,
    request: &CheckedRequest,
    head: u64,
) -> Result<SyncResponse> {
    let mut answer = Answer::new(request.answer_bytes);
    let mut done_up_to = request.cursor;
    loop {
        let batch = store.log_after(done_up_to, head, BATCH)?;
        if batch.is_empty() {
            break;
        }
        for entry in batch {
            let visible = can_see(viewer, &entry.meta, entry.customer.as_ref(), teams);
            if visible && !answer.whole.contains(&entry.doc_id) {
                let kind = entry.meta.kind.as_str();
                // Who sees the document changed after this device's cursor: it may lack the
                // earlier history, so changes alone could not be applied.
                let send_whole = entry.audience_seq > request.cursor;
                match entry.change {
                    Some(_) if send_whole && entry.device_id == request.device_id => {}
                    _ if send_whole => {
                        if let Some(doc) = store.load_doc(&entry.doc_id)? {
                            if !answer.fits(doc.bytes.len()) {
                                return Ok(cut(answer, done_up_to, None));
                            }
                            answer.push_whole(&entry.doc_id, kind, doc.bytes);
                        }
                    }
                    None => {}
                    Some(bytes) if entry.device_id != request.device_id => {
                        if !answer.fits(bytes.len()) {
                            return Ok(cut(answer, done_up_to, None));
                        }
                        answer.push_change(&entry.doc_id, kind, bytes);
                    }
                    Some(_) => {}
                }
            }
            done_up_to = entry.seq;
        }
    }
    Ok(SyncResponse {
        cursor: head,
        docs: answer.docs,
        ..SyncResponse::default()
    })
}

fn snapshot(
    store: &mut dyn SyncStore,
    viewer: &Viewer,
    teams: &Teams,
    request: &CheckedRequest,
    head: u64,
    created: &HashSet<String>,
) -> Result<SyncResponse> {
    let (start_head, mut after) = match &request.resume {
        Some(resume) => (resume.head, Some(resume.after_id.clone())),
        None => (head, None),
    };
    let mut answer = Answer::new(request.answer_bytes);
    loop {
        let batch = store.docs_after(after.as_deref(), BATCH)?;
        if batch.is_empty() {
            break;
        }
        for entry in batch {
            let wanted = !created.contains(&entry.doc_id)
                && can_see(viewer, &entry.meta, entry.customer.as_ref(), teams);
            if wanted {
                if !answer.fits(entry.bytes.len()) {
                    let resume = after.map(|after_id| Resume {
                        head: start_head,
                        after_id,
                    });
                    let cursor = request.cursor.min(start_head);
                    return Ok(cut(answer, cursor, resume));
                }
                answer.push_whole(&entry.doc_id, entry.meta.kind.as_str(), entry.bytes);
            }
            after = Some(entry.doc_id);
        }
    }
    Ok(SyncResponse {
        cursor: start_head,
        docs: answer.docs,
        ..SyncResponse::default()
    })
}

fn cut(answer: Answer, cursor: u64, resume: Option<Resume>) -> SyncResponse {
    SyncResponse {
        cursor,
        docs: answer.docs,
        more: true,
        resume: resume.map(|r| r.encode()),
        ..SyncResponse::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_answer_takes_one_item_whatever_its_size() {
        let mut answer = Answer::new(1024);
        assert!(answer.fits(10 << 20), "a lone huge document still goes out");
        answer.push_whole("a", "customer", vec![0; 10 << 20]);
        assert!(!answer.fits(1), "but nothing after it");
    }

    #[test]
    fn changes_of_one_document_gather_in_one_update_in_log_order() {
        let mut answer = Answer::new(1 << 20);
        answer.push_change("a", "visit", vec![1]);
        answer.push_change("b", "visit", vec![2]);
        answer.push_change("a", "visit", vec![3]);
        assert_eq!(answer.docs.len(), 2);
        assert_eq!(
            answer.docs[0].data,
            vec![ByteBuf::from(vec![1]), ByteBuf::from(vec![3])]
        );
        assert!(!answer.docs[0].snapshot);
    }

    #[test]
    fn the_budget_counts_bytes_and_a_per_document_overhead() {
        let mut answer = Answer::new(1000);
        answer.push_change("a", "visit", vec![0; 500]);
        assert!(answer.fits(1000 - 500 - 2 * PER_DOC_OVERHEAD));
        assert!(!answer.fits(1000 - 500 - 2 * PER_DOC_OVERHEAD + 1));
    }
}
