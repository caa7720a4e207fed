//! What reaches a subscriber of the change feed, whatever path changed the records.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Change, Changed, Subscriber, BUFFERED};
use crate::customer::{CustomerPatch, NewCustomer};
use crate::dedup::MergeRequest;
use crate::outbox::IncomingChanges;
use crate::protocol::SyncResponse;
use crate::quicklog::{Channel, NewQuickLog};
use crate::sync::fake::FakeTransport;
use crate::sync::testing::{customer, device};
use crate::task::NewTask;
use crate::{Config, Durability, FieldSales, Identity, Kind};

fn store() -> (FieldSales, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = Config {
        durability: Durability::AppCrash,
        ..Config::default()
    };
    let identity = Identity::new("rep-1", Some("team-north".into())).expect("an identity");
    let fs = FieldSales::open(dir.path(), identity, config).expect("a store");
    (fs, dir)
}

/// Every change waiting for `sub`, oldest first.
fn drain(sub: &mut Subscriber) -> Vec<Change> {
    std::iter::from_fn(|| sub.try_next()).collect()
}

fn records(kind: Kind, ids: &[&String]) -> Changed {
    let mut ids: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
    ids.sort();
    Changed { kind, ids }
}

#[test]
fn a_local_write_reaches_a_subscriber_once_committed() {
    let (fs, _dir) = store();
    let mut sub = fs.changes().subscribe();
    let id = customer(&fs, "北京小米");
    let heard = drain(&mut sub);
    assert_eq!(
        heard,
        vec![Change::Records(vec![records(Kind::Customer, &[&id])])]
    );
    // What the subscriber is told is already readable.
    assert_eq!(fs.customers().get(&id).unwrap().name, "北京小米");
}

#[test]
fn a_quick_log_announces_its_entry_its_task_and_the_new_lead_in_one_change() {
    let (fs, _dir) = store();
    let mut sub = fs.changes().subscribe();
    let logged = fs
        .quick_log()
        .log(NewQuickLog {
            channel: Channel::Call,
            phone: Some("13812345678".into()),
            next_action: Some("send quote".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(logged.new_lead);
    let task = logged.entry.task_id.clone().expect("a follow-up task");
    assert_eq!(
        drain(&mut sub),
        vec![Change::Records(vec![
            records(Kind::Customer, &[&logged.entry.customer_id]),
            records(Kind::QuickLog, &[&logged.entry.id]),
            records(Kind::Task, &[&task]),
        ])]
    );
}

#[test]
fn a_rolled_back_write_publishes_nothing() {
    let (fs, _dir) = store();
    let mut sub = fs.changes().subscribe();
    // The first entry is written (a lead, a log, a task) before the second is refused, so the
    // whole transaction rolls back.
    let good = NewQuickLog {
        channel: Channel::Call,
        phone: Some("13812345678".into()),
        next_action: Some("send quote".into()),
        ..Default::default()
    };
    let bad = NewQuickLog {
        channel: Channel::Call,
        ..Default::default()
    };
    assert!(fs.quick_log().log_many(&[good, bad]).is_err());
    assert_eq!(fs.customers().count().unwrap(), 0, "nothing was stored");
    assert_eq!(drain(&mut sub), vec![], "nothing was announced");

    // Nothing of the rolled-back transaction leaks into the next one's change.
    let id = customer(&fs, "北京小米");
    assert_eq!(
        drain(&mut sub),
        vec![Change::Records(vec![records(Kind::Customer, &[&id])])]
    );
}

#[tokio::test]
async fn a_record_that_arrives_by_sync_and_its_erasure_reach_a_subscriber() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    let (other, _other_dir) = device(&Arc::new(FakeTransport::default())).await;
    let theirs = customer(&other, "上海华为");
    let mut sub = fs.changes().subscribe();

    fake.queue_answer(SyncResponse {
        cursor: 4,
        docs: vec![FakeTransport::update(
            &theirs,
            "customer",
            other.export_document(Kind::Customer, &theirs).unwrap(),
        )],
        ..Default::default()
    });
    fs.sync().sync_async().await.unwrap();
    assert_eq!(
        drain(&mut sub),
        vec![Change::Records(vec![records(Kind::Customer, &[&theirs])])]
    );

    fake.queue_answer(SyncResponse {
        cursor: 5,
        purged: vec![theirs.clone()],
        ..Default::default()
    });
    fs.sync().sync_async().await.unwrap();
    assert!(fs.customers().get(&theirs).is_err());
    assert_eq!(
        drain(&mut sub),
        vec![Change::Records(vec![records(Kind::Customer, &[&theirs])])],
        "the erased record is announced too"
    );
}

#[tokio::test]
async fn a_survivor_touched_only_by_merge_settling_reaches_a_subscriber() {
    let fake = Arc::new(FakeTransport::default());
    let (ann, _ann_dir) = device(&fake).await;
    let (bob, _bob_dir) = device(&Arc::new(FakeTransport::default())).await;
    let survivor = ann
        .customers()
        .create(NewCustomer {
            name: "北京华信软件技术有限公司".into(),
            phones: vec!["138 1234 5678".into()],
            ..Default::default()
        })
        .unwrap();
    let merged = customer(&ann, "华信软件");
    let copies: Vec<IncomingChanges> = [&survivor, &merged]
        .into_iter()
        .map(|id| IncomingChanges {
            doc_id: id.clone(),
            kind: Kind::Customer,
            changes: vec![ann.export_document(Kind::Customer, id).unwrap()],
        })
        .collect();
    bob.apply_changes(&copies).unwrap();

    // Ann merges while Bob, who has not seen the merge, adds a phone to the merged-away copy.
    ann.dedup()
        .merge(&MergeRequest {
            survivor: survivor.clone(),
            merged: merged.clone(),
            keep: BTreeMap::new(),
        })
        .unwrap();
    bob.customers()
        .edit(
            &merged,
            CustomerPatch {
                add_phones: vec!["010-6234 5678".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let mut sub = ann.changes().subscribe();

    // The answer holds the merged-away record only; settling carries Bob's phone to the survivor.
    fake.queue_answer(SyncResponse {
        cursor: 7,
        docs: vec![FakeTransport::update(
            &merged,
            "customer",
            bob.export_document(Kind::Customer, &merged).unwrap(),
        )],
        ..Default::default()
    });
    ann.sync().sync_async().await.unwrap();
    assert_eq!(
        ann.customers().get(&survivor).unwrap().phones.len(),
        2,
        "the late phone was carried to the survivor"
    );
    assert_eq!(
        drain(&mut sub),
        vec![Change::Records(vec![records(
            Kind::Customer,
            &[&survivor, &merged]
        )])]
    );
}

#[test]
fn a_dropped_subscriber_does_not_block_writes_and_a_lagging_one_is_told_to_reread_everything() {
    let (fs, _dir) = store();
    drop(fs.changes().subscribe());
    let mut lagging = fs.changes().subscribe();
    let mut ids = Vec::new();
    for n in 0..=BUFFERED {
        let id = fs
            .tasks()
            .create(NewTask {
                title: format!("call back #{n}"),
                ..Default::default()
            })
            .expect("no subscriber holds a write up");
        ids.push(id);
    }
    let heard = drain(&mut lagging);
    assert_eq!(
        heard.first(),
        Some(&Change::Everything),
        "the missed change is replaced by 're-read everything', not silently lost"
    );
    assert_eq!(
        heard.last(),
        Some(&Change::Records(vec![records(
            Kind::Task,
            &[ids.last().unwrap()]
        )])),
        "then it hears the changes still buffered"
    );
}

#[test]
fn a_projection_rebuild_tells_subscribers_to_reread_everything() {
    let (fs, _dir) = store();
    customer(&fs, "北京小米");
    let mut sub = fs.changes().subscribe();
    fs.rebuild_projections().unwrap();
    assert_eq!(drain(&mut sub), vec![Change::Everything]);
}

#[test]
fn the_feed_ends_when_the_store_closes() {
    let (fs, _dir) = store();
    let mut sub = fs.changes().subscribe();
    customer(&fs, "北京小米");
    drop(fs);
    assert!(matches!(sub.blocking_next(), Some(Change::Records(_))));
    assert_eq!(sub.blocking_next(), None);
}

#[test]
fn a_record_written_several_times_in_one_transaction_is_announced_once() {
    let (ann, _ann_dir) = store();
    let (bob, _bob_dir) = store();
    let id = customer(&ann, "北京小米");
    ann.customers()
        .edit(
            &id,
            CustomerPatch {
                add_phones: vec!["138 1234 5678".into()],
                ..Default::default()
            },
        )
        .unwrap();
    // One entry per change, as a replay sends them: the record is stored twice in one batch.
    let batch: Vec<IncomingChanges> = ann
        .outbox(10)
        .unwrap()
        .into_iter()
        .map(|c| IncomingChanges {
            doc_id: c.doc_id,
            kind: c.kind,
            changes: vec![c.change],
        })
        .collect();
    assert_eq!(batch.len(), 2);
    let mut sub = bob.changes().subscribe();
    bob.apply_changes(&batch).unwrap();
    assert_eq!(
        drain(&mut sub),
        vec![Change::Records(vec![records(Kind::Customer, &[&id])])]
    );
}
