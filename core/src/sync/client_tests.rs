//! Behaviour of one sync against a scripted transport: sessions, acknowledgements, the cursor,
//! paging, rejected edits and the all-or-nothing application of an answer.

use std::sync::Arc;

use crate::customer::CustomerPatch;
use crate::error::Error;
use crate::protocol::{RejectReason, Rejection, SyncResponse};
use crate::sync::fake::FakeTransport;
use crate::sync::testing::{customer, device, login};
use crate::sync::SyncError;
use crate::{Config, FieldSales, Identity, Kind};

#[tokio::test]
async fn login_keeps_the_session_in_the_store_and_a_wrong_password_keeps_nothing() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    let status = fs.sync().status().unwrap();
    assert!(status.signed_in);
    assert_eq!(
        status.server_url.as_deref(),
        Some("https://sync.example.com/")
    );

    fs.sync().logout_async().await.unwrap();
    assert!(!fs.sync().status().unwrap().signed_in);
    let err = fs.sync().login_async(&login("wrong")).await.unwrap_err();
    assert!(matches!(err, Error::Sync(SyncError::Unauthorized)));
    assert!(!fs.sync().status().unwrap().signed_in);
    assert!(
        !format!("{:?}", login("hunter2")).contains("hunter2"),
        "passwords stay out of logs"
    );
}

#[tokio::test]
async fn a_store_refuses_a_session_of_another_user() {
    let fake = Arc::new(FakeTransport::default());
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.sync.transport = Some(fake.clone());
    let fs = FieldSales::open(dir.path(), Identity::new("rep-2", None).unwrap(), config).unwrap();
    let err = fs.sync().login_async(&login("secret")).await.unwrap_err();
    assert!(matches!(err, Error::Sync(SyncError::AccountMismatch)));
    assert!(!fs.sync().status().unwrap().signed_in);
}

#[tokio::test]
async fn syncing_without_a_session_sends_nothing() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    fs.sync().logout_async().await.unwrap();
    let err = fs.sync().sync_async().await.unwrap_err();
    assert!(matches!(err, Error::Sync(SyncError::NotSignedIn)));
    assert!(fake.calls().is_empty());
}

#[tokio::test]
async fn acknowledged_changes_leave_the_outbox_and_the_cursor_moves() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    customer(&fs, "甲");
    customer(&fs, "乙");
    fake.announce(12);
    let report = fs.sync().sync_async().await.unwrap();
    assert_eq!((report.sent, report.round_trips, report.cursor), (2, 1, 12));
    let status = fs.sync().status().unwrap();
    assert_eq!((status.pending_changes, status.cursor), (0, 12));
    assert!(status.last_success_at.is_some() && status.last_error.is_none());

    let second = fs.sync().sync_async().await.unwrap();
    assert_eq!(
        fake.calls()[1].1.cursor,
        12,
        "the next sync starts from the cursor"
    );
    assert_eq!(second.sent, 0);
}

#[tokio::test]
async fn a_failed_sync_keeps_the_outbox_and_records_the_error() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    customer(&fs, "甲");
    fake.set_offline(true);
    assert!(fs.sync().sync_async().await.is_err());
    let status = fs.sync().status().unwrap();
    assert_eq!(status.pending_changes, 1);
    assert!(status.last_error.unwrap().contains("network"));
}

#[tokio::test]
async fn an_answer_is_applied_whole_or_not_at_all() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    let (other, _other_dir) = device(&Arc::new(FakeTransport::default())).await;
    let theirs = customer(&other, "乙");
    let good = FakeTransport::update(
        &theirs,
        "customer",
        other.export_document(Kind::Customer, &theirs).unwrap(),
    );
    let mine = customer(&fs, "甲");
    // A refusal whose "server version" is not a document: the answer cannot be applied as the
    // server meant it. (A bad document among the updates costs only that document: see
    // `apply_tests`.)
    let corrupt = Rejection {
        doc_id: mine,
        kind: "customer".into(),
        seqs: vec![],
        reason: RejectReason::Forbidden,
        detail: "not yours".into(),
        server_doc: Some(vec![1, 2, 3]),
    };
    let seqs: Vec<i64> = fs.outbox(10).unwrap().iter().map(|c| c.seq).collect();
    fake.queue_answer(SyncResponse {
        cursor: 40,
        acked: seqs,
        docs: vec![good.clone()],
        rejected: vec![corrupt],
        ..Default::default()
    });
    assert!(fs.sync().sync_async().await.is_err());
    let status = fs.sync().status().unwrap();
    assert_eq!(
        (status.pending_changes, status.cursor),
        (1, 0),
        "nothing of the answer stayed"
    );
    assert!(fs.customers().get(&theirs).is_err());
    assert!(
        status.last_error.is_some(),
        "the failure shows in the status"
    );

    // The retry gets a sound answer and everything lands.
    let seqs: Vec<i64> = fs.outbox(10).unwrap().iter().map(|c| c.seq).collect();
    fake.queue_answer(SyncResponse {
        cursor: 40,
        acked: seqs,
        docs: vec![good],
        ..Default::default()
    });
    let report = fs.sync().sync_async().await.unwrap();
    assert_eq!((report.sent, report.received, report.cursor), (1, 1, 40));
    assert_eq!(fs.customers().get(&theirs).unwrap().name, "乙");
}

#[tokio::test]
async fn paging_repeats_the_round_trip_with_the_resume_token_until_the_end() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    let (other, _other_dir) = device(&Arc::new(FakeTransport::default())).await;
    let a = customer(&other, "甲");
    let b = customer(&other, "乙");
    let doc = |id: &str| {
        FakeTransport::update(
            id,
            "customer",
            other.export_document(Kind::Customer, id).unwrap(),
        )
    };
    fake.queue_answer(SyncResponse {
        cursor: 5,
        docs: vec![doc(&a)],
        more: true,
        resume: Some("page-2".into()),
        ..Default::default()
    });
    fake.queue_answer(SyncResponse {
        cursor: 9,
        docs: vec![doc(&b)],
        ..Default::default()
    });
    let report = fs.sync().sync_async().await.unwrap();
    assert_eq!(
        (report.round_trips, report.received, report.cursor),
        (2, 2, 9)
    );
    let calls = fake.calls();
    assert_eq!(calls[1].1.resume.as_deref(), Some("page-2"));
    assert_eq!(calls[1].1.cursor, 5);
    assert_eq!(fs.customers().count().unwrap(), 2);
}

#[tokio::test]
async fn refused_edits_are_kept_for_the_user_and_the_device_takes_the_servers_version() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    let id = customer(&fs, "甲");
    fs.sync().sync_async().await.unwrap();
    let server_version = fs.export_document(Kind::Customer, &id).unwrap();
    fs.customers()
        .edit(
            &id,
            CustomerPatch {
                name: Some("乙".into()),
                ..Default::default()
            },
        )
        .unwrap();
    fake.reject(Rejection {
        doc_id: id.clone(),
        kind: "customer".into(),
        seqs: vec![],
        reason: RejectReason::Forbidden,
        detail: "the customer moved to another team".into(),
        server_doc: Some(server_version),
    });
    let report = fs.sync().sync_async().await.unwrap();
    assert_eq!(report.rejected.len(), 1);

    assert_eq!(
        fs.customers().get(&id).unwrap().name,
        "甲",
        "the server's version"
    );
    assert_eq!(
        fs.pending_changes().unwrap(),
        0,
        "the refused edit is not resent forever"
    );
    let rejected = fs.sync().rejected().unwrap();
    assert_eq!(rejected.len(), 1);
    let edit = &rejected[0];
    assert_eq!(
        (
            edit.record_id.as_str(),
            edit.reason,
            edit.changes,
            edit.record_kept
        ),
        (id.as_str(), RejectReason::Forbidden, 1, true)
    );
    let mine = fs
        .sync()
        .rejected_document(edit.id)
        .unwrap()
        .expect("the local version is kept");
    let doc = automerge::AutoCommit::load(&mine).unwrap();
    let name = format!(
        "{:?}",
        automerge::ReadDoc::get(&doc, automerge::ROOT, "name").unwrap()
    );
    assert!(
        name.contains('乙'),
        "the user's refused edit can still be shown: {name}"
    );

    assert!(fs.sync().dismiss_rejected(edit.id).unwrap());
    assert!(fs.sync().rejected().unwrap().is_empty());
}

#[tokio::test]
async fn a_purged_record_disappears_with_its_unsent_edits() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    let id = customer(&fs, "甲");
    fs.sync().sync_async().await.unwrap();
    fs.customers()
        .edit(
            &id,
            CustomerPatch {
                name: Some("乙".into()),
                ..Default::default()
            },
        )
        .unwrap();
    fake.queue_answer(SyncResponse {
        cursor: 3,
        purged: vec![id.clone()],
        ..Default::default()
    });
    fs.sync().sync_async().await.unwrap();
    assert!(fs.customers().get(&id).is_err());
    assert!(fs.search().customers("甲", 5).unwrap().is_empty());
    assert_eq!(fs.pending_changes().unwrap(), 0);
}

#[tokio::test]
async fn the_blocking_api_works_from_inside_an_async_context() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    customer(&fs, "甲");
    let report = fs.sync().sync_now().unwrap();
    assert_eq!(report.sent, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_and_writes_go_on_while_a_sync_waits_for_the_network() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    customer(&fs, "甲");
    fake.hold();
    let syncing = tokio::spawn({
        let fs = fs.clone();
        async move { fs.sync().sync_async().await }
    });
    while fake.calls().is_empty() {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // The sync is now waiting for its answer. A transaction held across that wait would
    // block this write forever; the guard only turns such a hang into a failure.
    let local = tokio::task::spawn_blocking({
        let fs = fs.clone();
        move || {
            let id = customer(&fs, "乙");
            (id, fs.customers().count().unwrap())
        }
    });
    let (id, count) = tokio::time::timeout(std::time::Duration::from_secs(60), local)
        .await
        .expect("a local write must not wait for the network")
        .unwrap();
    assert_eq!(count, 2);
    fake.release();
    let report = syncing.await.unwrap().unwrap();
    assert_eq!(report.sent, 1, "the first customer went up");
    assert_eq!(
        report.pending, 1,
        "the one written meanwhile waits for the next sync"
    );
    assert!(fs.customers().get(&id).is_ok());
}

#[tokio::test]
async fn a_big_first_pull_stores_every_record_and_reports_the_conflicts_it_brings() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    // Two other phones: one wrote the book, and both renamed one customer apart.
    let (other, _other_dir) = device(&Arc::new(FakeTransport::default())).await;
    let (third, _third_dir) = device(&Arc::new(FakeTransport::default())).await;
    let ids: Vec<String> = (0..300)
        .map(|i| customer(&other, &format!("客户{i}")))
        .collect();
    let disputed = &ids[150];
    // One phone hands its whole copy of the disputed customer to the other.
    let hand_over = |from: &FieldSales, to: &FieldSales| {
        to.apply_changes(&[crate::outbox::IncomingChanges {
            doc_id: disputed.clone(),
            kind: Kind::Customer,
            changes: vec![from.export_document(Kind::Customer, disputed).unwrap()],
        }])
        .unwrap();
    };
    hand_over(&other, &third);
    let rename = |name: &str| CustomerPatch {
        name: Some(name.into()),
        ..Default::default()
    };
    other
        .customers()
        .edit(disputed, rename("北京甲方"))
        .unwrap();
    third
        .customers()
        .edit(disputed, rename("北京乙方"))
        .unwrap();
    hand_over(&third, &other);
    let page = |ids: &[String]| -> Vec<_> {
        ids.iter()
            .map(|id| {
                let data = other.export_document(Kind::Customer, id).unwrap();
                FakeTransport::update(id, "customer", data)
            })
            .collect()
    };
    fake.queue_answer(SyncResponse {
        cursor: 0,
        docs: page(&ids[..280]),
        more: true,
        resume: Some("page-2".into()),
        ..Default::default()
    });
    fake.queue_answer(SyncResponse {
        cursor: 40,
        docs: page(&ids[280..]),
        ..Default::default()
    });

    let report = fs.sync().sync_async().await.unwrap();
    assert_eq!((report.received, report.cursor), (300, 40));
    assert_eq!(fs.customers().count().unwrap(), 300);
    assert_eq!(fs.customers().get(&ids[7]).unwrap().name, "客户7");
    assert_eq!(
        fs.search().customers("客户299", 5).unwrap()[0].id,
        ids[299],
        "records that came whole are searchable"
    );
    assert_eq!(report.conflicts.len(), 1, "{:?}", report.conflicts);
    assert_eq!(&report.conflicts[0].record_id, disputed);
    assert_eq!(report.conflicts[0].fields, ["name"]);
    let listed = fs.conflicts().list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(&listed[0].record_id, disputed);
}
