//! Scheduling tests of the auto-sync engine, on a paused tokio clock with a fake transport: every
//! instant below is virtual, so the assertions are exact and never depend on machine speed.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::AutoSync;
use crate::protocol::{RejectReason, Rejection};
use crate::sync::fake::FakeTransport;
use crate::sync::listener::Trigger;
use crate::sync::testing::{
    customer, device, wait_until, Heard, Recorder, BACKOFF, DEBOUNCE, PERIODIC,
};

async fn started(
    fake: &Arc<FakeTransport>,
) -> (
    crate::FieldSales,
    tempfile::TempDir,
    Arc<Recorder>,
    AutoSync,
) {
    let (fs, dir) = device(fake).await;
    let recorder = Arc::new(Recorder::default());
    let auto = AutoSync::start(fs.sync(), recorder.clone());
    // The engine syncs once at start.
    wait_until("the start-up sync completed", || recorder.completed() == 1).await;
    (fs, dir, recorder, auto)
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_local_writes_goes_up_in_one_sync_one_debounce_after_the_first() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir, recorder, _auto) = started(&fake).await;
    let first_write = Instant::now();
    customer(&fs, "甲");
    tokio::time::sleep(Duration::from_millis(500)).await;
    customer(&fs, "乙");
    customer(&fs, "丙");
    wait_until("the writes were synced", || recorder.completed() == 2).await;

    let calls = fake.calls();
    assert_eq!(calls.len(), 2, "one sync for the whole burst");
    let (at, request) = &calls[1];
    assert_eq!(
        *at,
        first_write + DEBOUNCE,
        "sent one debounce after the first write"
    );
    assert_eq!(request.docs.len(), 3);
    assert_eq!(fs.pending_changes().unwrap(), 0);
    assert!(recorder
        .heard()
        .iter()
        .any(|h| matches!(h, Heard::Started(Trigger::LocalWrite))));
}

#[tokio::test(start_paused = true)]
async fn a_failed_upload_is_retried_with_growing_delays_without_a_new_write() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir, recorder, _auto) = started(&fake).await;
    fake.fail_next(3);
    customer(&fs, "甲");
    wait_until("the change went up", || fs.pending_changes().unwrap() == 0).await;

    let calls: Vec<Instant> = fake.calls().into_iter().map(|(at, _)| at).collect();
    assert_eq!(calls.len(), 5, "start-up, three failures, one success");
    for attempt in 1..=3u32 {
        let waited = calls[attempt as usize + 1] - calls[attempt as usize];
        let step = BACKOFF.step(attempt);
        assert!(
            waited >= step / 2 && waited <= step,
            "retry {attempt} after {waited:?}, step {step:?}"
        );
    }
    let failures = recorder.failures();
    assert_eq!(
        failures.iter().map(|f| f.attempt).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(failures
        .iter()
        .all(|f| f.next_retry_at.is_some() && !f.needs_login));
    assert_eq!(recorder.completed(), 2);
}

#[tokio::test(start_paused = true)]
async fn nothing_is_attempted_offline_and_sync_starts_at_once_when_connectivity_returns() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir, _recorder, auto) = started(&fake).await;
    auto.connectivity_changed(false);
    tokio::task::yield_now().await;
    customer(&fs, "甲");
    tokio::time::sleep(DEBOUNCE * 20).await;
    assert_eq!(fake.calls().len(), 1, "no attempt while offline");
    assert_eq!(fs.pending_changes().unwrap(), 1);

    let back = Instant::now();
    auto.connectivity_changed(true);
    wait_until("the change went up", || fs.pending_changes().unwrap() == 0).await;
    let (at, request) = fake.calls().pop().unwrap();
    assert_eq!(
        at, back,
        "the sync started at the very instant the network came back"
    );
    assert_eq!(request.docs.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn connectivity_regained_cuts_a_backoff_short() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir, recorder, auto) = started(&fake).await;
    fake.fail_next(6);
    customer(&fs, "甲");
    wait_until("five failures", || recorder.failures().len() == 5).await;
    fake.fail_next(0);
    let back = Instant::now();
    auto.connectivity_changed(true);
    wait_until("the change went up", || fs.pending_changes().unwrap() == 0).await;
    assert_eq!(fake.calls().pop().unwrap().0, back);
}

#[tokio::test(start_paused = true)]
async fn a_server_event_ahead_of_the_cursor_triggers_a_pull_and_one_behind_does_not() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir, recorder, _auto) = started(&fake).await;
    let announced = Instant::now();
    fake.announce(7);
    wait_until("the pull completed", || recorder.completed() == 2).await;
    assert_eq!(fake.calls()[1].0, announced);
    assert_eq!(fs.sync().status().unwrap().cursor, 7);
    assert!(recorder
        .heard()
        .iter()
        .any(|h| matches!(h, Heard::Started(Trigger::ServerEvent))));

    fake.announce(7);
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        fake.calls().len(),
        2,
        "an event the device already has starts nothing"
    );
}

#[tokio::test(start_paused = true)]
async fn the_periodic_timer_and_the_foreground_sync_without_local_writes() {
    let fake = Arc::new(FakeTransport::default());
    let (_fs, _dir, recorder, auto) = started(&fake).await;
    let start = fake.calls()[0].0;
    wait_until("the timer fired", || recorder.completed() == 2).await;
    assert_eq!(fake.calls()[1].0, start + PERIODIC);

    let foreground = Instant::now();
    auto.app_foreground();
    wait_until("the foreground sync", || recorder.completed() == 3).await;
    assert_eq!(fake.calls()[2].0, foreground);
}

#[tokio::test(start_paused = true)]
async fn the_listener_hears_started_progress_completed_with_counts_and_rejections() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir, recorder, _auto) = started(&fake).await;
    let kept = customer(&fs, "甲");
    let refused = customer(&fs, "乙");
    fake.reject(Rejection {
        doc_id: refused.clone(),
        kind: "customer".into(),
        seqs: vec![],
        reason: RejectReason::Forbidden,
        detail: "not yours".into(),
        server_doc: None,
    });
    wait_until("the writes were synced", || recorder.completed() == 2).await;

    let heard = recorder.heard();
    let from_second_sync: Vec<&Heard> = heard
        .iter()
        .skip_while(|h| !matches!(h, Heard::Completed(_)))
        .skip(1)
        .collect();
    assert!(matches!(
        from_second_sync[0],
        Heard::Started(Trigger::LocalWrite)
    ));
    assert!(matches!(from_second_sync[1], Heard::Progress(p) if p.sent == 1 && p.round_trips == 1));
    assert!(
        matches!(from_second_sync[2], Heard::Rejected(e) if e.record_id == refused && !e.record_kept)
    );
    match from_second_sync[3] {
        Heard::Completed(report) => {
            assert_eq!(report.sent, 1);
            assert_eq!(report.rejected.len(), 1);
        }
        other => panic!("expected completion, heard {other:?}"),
    }
    assert!(fs.customers().get(&kept).is_ok());
    assert!(
        fs.customers().get(&refused).is_err(),
        "the device dropped what it may not see"
    );
    assert_eq!(fs.sync().rejected().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_signed_out_device_reports_that_login_is_needed() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    fs.sync().logout_async().await.unwrap();
    let recorder = Arc::new(Recorder::default());
    let _auto = AutoSync::start(fs.sync(), recorder.clone());
    wait_until("a failure", || !recorder.failures().is_empty()).await;
    let failure = &recorder.failures()[0];
    assert!(failure.needs_login);
    assert!(fake.calls().is_empty(), "nothing is sent without a session");

    // Signing in again ends the wait at once rather than after the long backoff.
    let signed_in = Instant::now();
    fs.sync()
        .login_async(&crate::sync::testing::login("secret"))
        .await
        .unwrap();
    wait_until("a sync after the login", || recorder.completed() == 1).await;
    assert_eq!(fake.calls()[0].0, signed_in);
}

#[tokio::test(start_paused = true)]
async fn a_conflict_brought_in_by_a_pull_is_reported_to_the_listener() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir, recorder, auto) = started(&fake).await;
    let id = customer(&fs, "甲");
    wait_until("the customer went up", || {
        fs.pending_changes().unwrap() == 0
    })
    .await;

    // Another phone edits the same name concurrently.
    let (other, _other_dir) = device(&Arc::new(FakeTransport::default())).await;
    let original = fs.export_document(crate::Kind::Customer, &id).unwrap();
    other
        .apply_changes(&[crate::outbox::IncomingChanges {
            doc_id: id.clone(),
            kind: crate::Kind::Customer,
            changes: vec![original],
        }])
        .unwrap();
    let patch = |name: &str| crate::customer::CustomerPatch {
        name: Some(name.into()),
        ..Default::default()
    };
    other.customers().edit(&id, patch("丙")).unwrap();
    fs.customers().edit(&id, patch("乙")).unwrap();
    let theirs = other.export_document(crate::Kind::Customer, &id).unwrap();
    fake.queue_answer(crate::protocol::SyncResponse {
        cursor: 3,
        docs: vec![FakeTransport::update(&id, "customer", theirs)],
        ..Default::default()
    });
    auto.sync_now();
    wait_until("the conflict was reported", || {
        recorder
            .heard()
            .iter()
            .any(|h| matches!(h, Heard::Conflict(c) if c.record_id == id && c.fields == ["name"]))
    })
    .await;
    assert_eq!(fs.conflicts().list().unwrap().len(), 1);
}
