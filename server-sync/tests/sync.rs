//! The sync round trip against a real server: changes travel between devices, retries are
//! idempotent, answers page, old cursors get snapshots, the log survives a restart, and the
//! event stream announces new data.

use fieldsales_core::customer::{CustomerPatch, NewCustomer, Visibility};
use fieldsales_core::protocol::{self, SyncRequest};
use fieldsales_server::{Server, ServerConfig};
use fieldsales_testkit::wire;

fn team_customer(name: &str) -> NewCustomer {
    NewCustomer {
        name: name.into(),
        visibility: Visibility::Team,
        ..Default::default()
    }
}

/// Puts something in the log and brings `bob` to its head, so that his next pull is
/// incremental (a cursor of 0 asks for snapshots).
async fn warm_up(ann: &mut wire::Device, bob: &mut wire::Device) {
    ann.fs.customers().create(team_customer("Warm-up")).unwrap();
    ann.sync().await;
    bob.sync().await;
    assert!(bob.cursor > 0);
}

#[tokio::test]
async fn a_customer_created_on_one_device_reaches_a_teammate_and_edits_come_back() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let mut bob = fx.device("bob").await;

    let id = ann
        .fs
        .customers()
        .create(team_customer("北京小米"))
        .unwrap();
    let outbox = ann.fs.outbox(1000).unwrap().len();
    let pushed = ann.sync().await;
    assert_eq!(
        pushed[0].acked.len(),
        outbox,
        "every change is acknowledged"
    );
    assert!(pushed[0].rejected.is_empty());
    assert_eq!(ann.fs.pending_changes().unwrap(), 0);
    assert!(
        pushed[0].docs.is_empty(),
        "the device's own changes are not echoed back"
    );

    bob.sync().await;
    assert_eq!(bob.fs.customers().get(&id).unwrap().name, "北京小米");

    bob.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                legal_name: Some("小米科技有限责任公司".into()),
                ..Default::default()
            },
        )
        .unwrap();
    bob.sync().await;
    let answers = ann.sync().await;
    assert_eq!(answers[0].docs.len(), 1);
    assert!(
        !answers[0].docs[0].snapshot,
        "an incremental pull sends changes"
    );
    assert_eq!(
        ann.fs.customers().get(&id).unwrap().legal_name.as_deref(),
        Some("小米科技有限责任公司")
    );

    let metrics = fx.metrics().await;
    let value = |name: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} is exported"))
    };
    assert_eq!(value("fieldsales_syncs_total "), 4.0);
    assert_eq!(value("fieldsales_sync_seconds_count "), 4.0);
    assert!(value("fieldsales_changes_accepted_total ") >= 2.0);
    assert!(!metrics.contains("北京小米"), "no record data in metrics");
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_retried_request_after_a_lost_answer_creates_no_duplicates() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let mut bob = fx.device("bob").await;
    warm_up(&mut ann, &mut bob).await;
    let start_cursor = bob.cursor;

    ann.fs
        .customers()
        .create(team_customer("Acme Tea"))
        .unwrap();
    let request = ann.outbox_request();
    let first = ann.send(&request).await; // the answer is "lost": not applied
    let again = ann.send(&request).await;
    assert_eq!(
        first.acked, again.acked,
        "the same changes are acknowledged again"
    );
    assert!(again.rejected.is_empty());
    assert_eq!(
        first.cursor, again.cursor,
        "the retry appended nothing to the log"
    );
    ann.apply(&again);
    assert_eq!(ann.fs.pending_changes().unwrap(), 0);

    let pulled = bob.sync().await;
    let changes: usize = pulled
        .iter()
        .flat_map(|a| &a.docs)
        .map(|d| d.data.len())
        .sum();
    assert_eq!(
        changes,
        request.docs.iter().map(|d| d.changes.len()).sum::<usize>(),
        "a teammate receives each change once"
    );
    assert_eq!(bob.cursor, start_cursor + changes as u64);
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_client_speaking_body_version_1_is_answered_in_version_1() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let id = ann
        .fs
        .customers()
        .create(team_customer("上海老客户"))
        .unwrap();
    ann.sync().await;

    let bob = fx.device("bob").await;
    let old_body = protocol::encode_as(&bob.outbox_request(), protocol::Framing::Gzip);
    let response = bob.post_sync(old_body).await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes[3], 1, "the answer uses the framing the request used");
    let (answer, framing) =
        protocol::decode_framed::<protocol::SyncResponse>(&bytes, 64 << 20).unwrap();
    assert_eq!(framing, protocol::Framing::Gzip);
    assert!(answer.docs.iter().any(|d| d.doc_id == id));
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_new_device_receives_whole_documents_paged_with_resume() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(
            ann.fs
                .customers()
                .create(team_customer(&format!("customer {i}")))
                .unwrap(),
        );
    }
    ann.sync().await;

    let mut bob = fx.device("bob").await;
    let mut request = bob.outbox_request();
    request.max_answer_bytes = Some(2048);
    let mut pages = 0;
    let mut received = std::collections::HashSet::new();
    loop {
        let answer = bob.send(&request).await;
        bob.apply(&answer);
        pages += 1;
        for doc in &answer.docs {
            assert!(doc.snapshot, "a new device gets whole documents");
            received.insert(doc.doc_id.clone());
        }
        if !answer.more {
            break;
        }
        assert!(
            answer.resume.is_some(),
            "a cut snapshot answer says where to go on"
        );
        request = SyncRequest {
            cursor: bob.cursor,
            resume: answer.resume.clone(),
            docs: vec![],
            ..request
        };
    }
    assert!(pages > 1, "the answer was cut at the asked size");
    assert_eq!(received.len(), ids.len());
    for id in &ids {
        assert!(bob.fs.customers().get(id).is_ok());
    }
    assert!(bob.cursor > 0, "the last page hands out the log head");
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_incremental_answer_is_cut_with_more_and_the_rest_follows() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let mut bob = fx.device("bob").await;
    warm_up(&mut ann, &mut bob).await;
    for i in 0..20 {
        ann.fs
            .customers()
            .create(team_customer(&format!("shop {i}")))
            .unwrap();
    }
    ann.sync().await;

    let mut request = bob.outbox_request();
    request.max_answer_bytes = Some(1024);
    let first = bob.send(&request).await;
    assert!(first.more);
    assert!(
        first.cursor < ann.cursor,
        "the cursor stops where the answer was cut"
    );
    bob.apply(&first);
    let rest = bob.sync().await;
    assert!(!rest.last().unwrap().more);
    assert_eq!(bob.cursor, ann.cursor);
    assert_eq!(bob.fs.customers().count().unwrap(), 21);
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_cursor_behind_the_compaction_horizon_gets_snapshots() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let mut bob = fx.device("bob").await;
    let id = ann
        .fs
        .customers()
        .create(team_customer("Old Shop"))
        .unwrap();
    ann.sync().await;
    bob.sync().await;
    let stale = bob.cursor;

    for i in 0..5 {
        ann.fs
            .customers()
            .edit(
                &id,
                CustomerPatch {
                    legal_name: Some(format!("Old Shop {i} Ltd")),
                    ..Default::default()
                },
            )
            .unwrap();
        ann.sync().await;
    }
    let removed = fx.server.admin().compact(1).await.unwrap();
    assert!(removed > 0);

    let answers = bob.sync().await;
    let doc = answers
        .iter()
        .flat_map(|a| &a.docs)
        .find(|d| d.doc_id == id)
        .expect("the customer is re-sent");
    assert!(
        doc.snapshot,
        "changes before the horizon are gone: the document comes whole"
    );
    assert!(bob.cursor > stale);
    assert_eq!(
        bob.fs.customers().get(&id).unwrap().legal_name.as_deref(),
        Some("Old Shop 4 Ltd")
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_log_survives_a_restart_on_the_same_data_directory() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("server");
    let fx = wire::start_with(|c| c.data_dir = dir.clone()).await;
    let mut ann = fx.device("ann").await;
    let id = ann
        .fs
        .customers()
        .create(team_customer("Survivor"))
        .unwrap();
    ann.sync().await;
    let head = ann.cursor;
    let wire::Fixture {
        server,
        data: devices,
        http,
        users,
    } = fx;
    server.shutdown().await.unwrap();

    let server = Server::start(ServerConfig::for_tests(&dir)).await.unwrap();
    let fx = wire::Fixture {
        server,
        data: devices,
        http,
        users,
    };
    let mut bob = fx.device("bob").await;
    bob.sync().await;
    assert_eq!(bob.fs.customers().get(&id).unwrap().name, "Survivor");
    assert_eq!(bob.cursor, head, "the sequence continues where it was");

    ann.base = fx.server.url();
    ann.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                name: Some("Survivor Two".into()),
                ..Default::default()
            },
        )
        .unwrap();
    ann.sync().await;
    assert!(ann.cursor > head, "new entries follow the old ones");
    bob.sync().await;
    assert_eq!(bob.fs.customers().get(&id).unwrap().name, "Survivor Two");
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_event_stream_announces_the_new_sequence() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let bob = fx.device("bob").await;
    let mut events = fx.events(&bob.token).await;
    assert_eq!(events.status(), 200);
    let first = next_seq(&mut events).await;
    assert_eq!(first, 0, "the stream opens with the current head");

    ann.fs.customers().create(team_customer("Ping")).unwrap();
    ann.sync().await;
    let announced = next_seq(&mut events).await;
    assert_eq!(announced, ann.cursor);

    // An open stream does not hold up a shutdown: the server ends it.
    tokio::time::timeout(std::time::Duration::from_secs(60), fx.server.shutdown())
        .await
        .expect("shutdown finishes with a stream open")
        .unwrap();
    let rest = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Ok(Some(_)) = events.chunk().await {}
    })
    .await;
    assert!(rest.is_ok(), "the stream ended");
}

/// Reads the event stream until the next `seq` event. A generous guard turns a hang into a
/// failure; nothing is asserted about time.
async fn next_seq(response: &mut reqwest::Response) -> u64 {
    let mut text = String::new();
    loop {
        if let Some(at) = text.find("data: ") {
            let rest = &text[at + 6..];
            if let Some(end) = rest.find('\n') {
                let event: fieldsales_core::protocol::SeqEvent =
                    serde_json::from_str(rest[..end].trim()).unwrap();
                return event.seq;
            }
        }
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(30), response.chunk())
            .await
            .expect("the stream delivers an event")
            .unwrap()
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
        if text.starts_with(':') {
            // keep-alive comment
            text.clear();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_syncs_from_many_devices_all_land_each_change_once() {
    let fx = wire::start().await;
    let mut devices = Vec::new();
    for i in 0..8 {
        let user = ["ann", "bob", "max"][i % 3];
        let device = fx.device(user).await;
        for j in 0..5 {
            device
                .fs
                .customers()
                .create(team_customer(&format!("shop {i}-{j}")))
                .unwrap();
        }
        devices.push(device);
    }
    let pushed: usize = devices
        .iter()
        .map(|d| d.fs.outbox(10_000).unwrap().len())
        .sum();
    let mut tasks = tokio::task::JoinSet::new();
    for mut device in devices {
        tasks.spawn(async move {
            device.sync().await;
            device.fs.pending_changes().unwrap()
        });
    }
    while let Some(pending) = tasks.join_next().await {
        assert_eq!(
            pending.unwrap(),
            0,
            "every device's outbox was acknowledged"
        );
    }
    let mut fresh = fx.device("bob").await;
    fresh.sync().await;
    assert_eq!(fresh.fs.customers().count().unwrap(), 40);
    assert_eq!(
        fresh.cursor, pushed as u64,
        "the log holds each change exactly once, numbered without gaps"
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_configured_compaction_trims_the_log_by_itself() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("server");
    let fx = wire::start_with(|c| c.data_dir = dir.clone()).await;
    let mut ann = fx.device("ann").await;
    let mut bob = fx.device("bob").await;
    let id = ann.fs.customers().create(team_customer("Trimmed")).unwrap();
    ann.sync().await;
    bob.sync().await;
    for i in 0..3 {
        ann.fs
            .customers()
            .edit(
                &id,
                CustomerPatch {
                    legal_name: Some(format!("Trimmed {i}")),
                    ..Default::default()
                },
            )
            .unwrap();
        ann.sync().await;
    }
    let wire::Fixture {
        server,
        data: devices,
        http,
        users,
    } = fx;
    server.shutdown().await.unwrap();

    // Restarted with a retention of one entry: the periodic task runs at start.
    let mut config = ServerConfig::for_tests(&dir);
    config.compaction.keep_changes = Some(1);
    let server = Server::start(config).await.unwrap();
    bob.base = server.url();
    let stale = bob.outbox_request();
    let mut snapshot = false;
    for _ in 0..600 {
        let answer = bob.send(&stale).await; // not applied: the cursor stays stale
        if answer.docs.iter().any(|d| d.doc_id == id && d.snapshot) {
            snapshot = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(snapshot, "the stale cursor now gets the document whole");
    let _ = (devices, http, users);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_tenants_settings_reach_its_devices_in_every_answer_and_bad_ones_are_refused() {
    use fieldsales_core::protocol::TenantSettings;
    use fieldsales_server::Error;

    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let pulled = ann.sync().await;
    assert_eq!(
        pulled[0].settings,
        Some(TenantSettings::default()),
        "a tenant nobody configured sends the defaults: no watermark, +08:00"
    );

    let admin = fx.server.admin();
    let set = admin
        .change_tenant_settings(wire::TENANT, |s| {
            s.photo_watermark = true;
            s.utc_offset_minutes = 7 * 60;
        })
        .await
        .unwrap();
    assert_eq!(admin.tenant_settings(wire::TENANT).await.unwrap(), set);
    let pulled = ann.sync().await;
    assert_eq!(pulled[0].settings, Some(set), "a pull carries them");
    ann.fs
        .customers()
        .create(team_customer("Settings Shop"))
        .unwrap();
    let pushed = ann.sync().await;
    assert!(!pushed[0].acked.is_empty());
    assert_eq!(pushed[0].settings, Some(set), "and so does a push");

    let refused = admin
        .change_tenant_settings(wire::TENANT, |s| s.utc_offset_minutes = 15 * 60)
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Invalid { .. }), "{refused:?}");
    assert_eq!(admin.tenant_settings(wire::TENANT).await.unwrap(), set);
    let unknown = admin.tenant_settings("no-such-tenant").await.unwrap_err();
    assert!(matches!(unknown, Error::NotFound { .. }), "{unknown:?}");
}
