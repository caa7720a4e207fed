//! The network and the server fail in the ways they do in the field; nothing is lost and
//! nothing is duplicated.

use std::time::Duration;

use fieldsales_core::customer::{CustomerPatch, NewCustomer};
use fieldsales_core::sync::{Login, SyncError};
use fieldsales_core::Error;
use fieldsales_e2e::{projection, wait_until, Device, Fault, World, TENANT};

fn create(device: &Device, n: usize, prefix: &str) -> Vec<String> {
    let inputs: Vec<NewCustomer> = (0..n)
        .map(|i| NewCustomer {
            name: format!("{prefix}{i}"),
            ..Default::default()
        })
        .collect();
    device.fs.customers().create_many(&inputs).unwrap()
}

#[test]
fn an_answer_lost_after_the_server_committed_is_retried_without_duplicates_or_loss() {
    let world = World::start();
    let ann = world.device("ann");
    let bob = world.device("bob");
    let ids = create(&ann, 3, "客户");
    let id = ids[0].clone();
    ann.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                add_tags: vec!["a".into()],
                ..Default::default()
            },
        )
        .unwrap();

    world.proxy.plan([Fault::DropAnswer]);
    let lost = ann.fs.sync().sync_now().unwrap_err();
    assert!(
        matches!(lost, Error::Sync(SyncError::Network(_))),
        "{lost:?}"
    );
    assert_eq!(
        ann.fs.pending_changes().unwrap(),
        4,
        "unacknowledged changes stay queued"
    );

    // The server has them already; the retry is acknowledged all the same.
    let retry = ann.sync();
    assert_eq!(retry.sent, 4);
    assert_eq!(ann.fs.pending_changes().unwrap(), 0);

    world.proxy.plan([Fault::Repeat, Fault::DropRequest]);
    ann.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                add_tags: vec!["b".into()],
                ..Default::default()
            },
        )
        .unwrap();
    ann.sync();
    assert!(
        ann.fs.sync().sync_now().is_err(),
        "a dropped request fails the sync"
    );
    ann.sync();

    bob.sync();
    assert_eq!(
        bob.fs.customers().count().unwrap(),
        3,
        "no duplicate record"
    );
    let tags = bob.fs.customers().get(&id).unwrap().tags;
    assert_eq!(tags, vec!["a".to_string(), "b".to_string()]);
    assert_eq!(projection(&ann.fs), projection(&bob.fs));
}

#[test]
fn a_server_killed_mid_sync_and_restarted_on_its_data_loses_nothing() {
    let mut world = World::start();
    let ann = world.device("ann");
    let bob = world.device("bob");
    let before = create(&ann, 20, "早");
    ann.sync();
    let during = create(&ann, 200, "中");

    world.proxy.hold();
    let syncing = {
        let fs = ann.fs.clone();
        std::thread::spawn(move || fs.sync().sync_now())
    };
    wait_until(
        "the sync reached the proxy",
        Duration::from_secs(30),
        || world.proxy.arrivals() >= 1,
    );
    world.proxy.release();
    world.kill();
    let outcome = syncing.join().unwrap();
    world.restart();

    if outcome.is_err() {
        assert!(ann.fs.pending_changes().unwrap() > 0);
    }
    ann.sync();
    assert_eq!(ann.fs.pending_changes().unwrap(), 0);
    bob.sync();
    assert_eq!(
        bob.fs.customers().count().unwrap() as usize,
        before.len() + during.len()
    );
    assert_eq!(projection(&ann.fs), projection(&bob.fs));
}

#[test]
fn a_large_pull_is_paged_with_more_and_arrives_complete() {
    let world = World::start();
    let ann = world.device("ann");
    create(&ann, 60, "分页");
    ann.sync();
    let bob = Device::sign_in(&world.proxy.url(), "bob", |c| {
        c.max_answer_bytes = Some(4_000)
    });
    let report = bob.sync();
    assert!(
        report.round_trips > 1,
        "the answer was cut into pages: {report:?}"
    );
    assert_eq!(report.received, 60);
    assert_eq!(bob.fs.customers().count().unwrap(), 60);
    assert_eq!(projection(&ann.fs), projection(&bob.fs));
}

#[test]
fn a_cursor_older_than_the_compaction_horizon_gets_snapshots_and_converges() {
    let world = World::start();
    let ann = world.device("ann");
    let bob = world.device("bob");
    let ids = create(&ann, 10, "旧");
    ann.sync();
    bob.sync();
    create(&ann, 15, "新");
    for id in &ids {
        ann.fs
            .customers()
            .edit(
                id,
                CustomerPatch {
                    add_tags: vec!["seen".into()],
                    ..Default::default()
                },
            )
            .unwrap();
    }
    ann.sync();
    assert!(world.compact(1) > 0, "the log was trimmed");

    bob.sync();
    assert_eq!(bob.fs.customers().count().unwrap(), 25);
    assert_eq!(projection(&ann.fs), projection(&bob.fs));
}

#[test]
fn an_ended_session_is_reported_and_unsent_changes_wait_for_the_next_login() {
    let world = World::start();
    let ann = world.device("ann");
    let bob = world.device("bob");
    create(&ann, 2, "会话");
    world.reset_password("ann", "a-new-password-2");

    let refused = ann.fs.sync().sync_now().unwrap_err();
    assert!(
        matches!(refused, Error::Sync(SyncError::Unauthorized)),
        "{refused:?}"
    );
    let status = ann.fs.sync().status().unwrap();
    assert_eq!(status.pending_changes, 2);
    assert!(status.last_error.is_some());

    ann.fs
        .sync()
        .login(&Login {
            server_url: world.proxy.url(),
            tenant: TENANT.into(),
            username: "ann".into(),
            password: "a-new-password-2".into(),
        })
        .unwrap();
    ann.sync();
    bob.sync();
    assert_eq!(bob.fs.customers().count().unwrap(), 2);
}
