//! A signed-in device whose sync is done by hand: a real `fieldsales_core::FieldSales` store
//! (so the server sees the documents phones send), its outbox turned into requests and the
//! answers applied here, so a test can look at, withhold or tamper with each step.

use std::path::PathBuf;

use automerge::ActorId;
use fieldsales_core::outbox::IncomingChanges;
use fieldsales_core::protocol::{self, DocChanges, LocalChange, Role, SyncRequest, SyncResponse};
use fieldsales_core::{FieldSales, Kind};

/// A device signed in through `/v1/login`, with its own local store.
pub struct Device {
    pub fs: FieldSales,
    pub dir: PathBuf,
    pub device_id: String,
    pub token: String,
    pub user_id: String,
    pub team_id: Option<String>,
    pub role: Role,
    /// The server's URL (change it after a restart on another port).
    pub base: String,
    pub http: reqwest::Client,
    /// The last sequence this device applied.
    pub cursor: u64,
}

impl Device {
    /// The device's Automerge actor: the 16 bytes of its id. Changes written by another actor
    /// are refused.
    pub fn actor(&self) -> ActorId {
        let id = uuid::Uuid::parse_str(&self.device_id).expect("a device id is a UUID");
        ActorId::from(id.as_bytes().as_slice())
    }

    /// The device's outbox as a request body.
    pub fn outbox_request(&self) -> SyncRequest {
        let outbox = self.fs.outbox(10_000).expect("outbox");
        let mut docs: Vec<DocChanges> = Vec::new();
        for change in outbox {
            let local = LocalChange {
                seq: change.seq,
                bytes: change.change,
            };
            match docs.iter_mut().find(|d| d.doc_id == change.doc_id) {
                Some(doc) => doc.changes.push(local),
                None => docs.push(DocChanges {
                    doc_id: change.doc_id,
                    kind: change.kind.as_str().into(),
                    changes: vec![local],
                }),
            }
        }
        SyncRequest {
            device_id: self.device_id.clone(),
            cursor: self.cursor,
            docs,
            resume: None,
            max_answer_bytes: None,
        }
    }

    /// A request pushing one change (`bytes`, numbered 1) to `doc_id` as `kind`, from this
    /// device's cursor: how a crafted client would send it.
    pub fn one_doc(&self, doc_id: &str, kind: &str, bytes: Vec<u8>) -> SyncRequest {
        SyncRequest {
            device_id: self.device_id.clone(),
            cursor: self.cursor,
            docs: vec![DocChanges {
                doc_id: doc_id.into(),
                kind: kind.into(),
                changes: vec![LocalChange { seq: 1, bytes }],
            }],
            resume: None,
            max_answer_bytes: None,
        }
    }

    /// Sends `body` as a sync request and returns the raw answer.
    pub async fn post_sync(&self, body: Vec<u8>) -> reqwest::Response {
        self.http
            .post(format!("{}/v1/sync", self.base))
            .bearer_auth(&self.token)
            .header("content-type", protocol::CONTENT_TYPE)
            .body(body)
            .send()
            .await
            .expect("server answers")
    }

    /// One sync request; panics unless the server answers 200 with a sync body.
    pub async fn send(&self, request: &SyncRequest) -> SyncResponse {
        let response = self.post_sync(protocol::encode(request)).await;
        let status = response.status();
        let bytes = response.bytes().await.expect("body");
        assert_eq!(
            status,
            200,
            "sync failed: {}",
            String::from_utf8_lossy(&bytes)
        );
        protocol::decode(&bytes, 64 << 20).expect("a sync body")
    }

    /// Applies an answer like the sync client: merge documents, drop acknowledged outbox
    /// entries, move the cursor.
    pub fn apply(&mut self, response: &SyncResponse) {
        let batch: Vec<IncomingChanges> = response
            .docs
            .iter()
            .map(|d| IncomingChanges {
                doc_id: d.doc_id.clone(),
                kind: Kind::parse(&d.kind).expect("known kind"),
                changes: d.data.iter().map(|b| b.to_vec()).collect(),
            })
            .collect();
        self.fs.apply_changes(&batch).expect("answer applies");
        if let Some(max) = response.acked.iter().max() {
            self.fs.acknowledge(*max).expect("ack");
        }
        self.cursor = response.cursor;
    }

    /// Pushes the outbox and pulls until the server has nothing more; returns every answer.
    pub async fn sync(&mut self) -> Vec<SyncResponse> {
        let mut answers = Vec::new();
        let mut request = self.outbox_request();
        loop {
            let response = self.send(&request).await;
            self.apply(&response);
            let more = response.more;
            let resume = response.resume.clone();
            answers.push(response);
            if !more {
                return answers;
            }
            request = SyncRequest {
                device_id: self.device_id.clone(),
                cursor: self.cursor,
                docs: vec![],
                resume,
                max_answer_bytes: request.max_answer_bytes,
            };
        }
    }

    /// Every document id in `answers` (what this device received).
    pub fn received(answers: &[SyncResponse]) -> Vec<String> {
        answers
            .iter()
            .flat_map(|a| &a.docs)
            .map(|d| d.doc_id.clone())
            .collect()
    }
}
