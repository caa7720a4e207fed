//! Merging duplicate customers: the survivor gets everything, the merged-away record becomes a
//! tombstone pointing at it, its history shows under the survivor, and all of that holds on
//! every device after sync — also when two reps merged the same pair in opposite directions,
//! and when a rep edited the merged-away record offline.

mod common;
mod dedup_support;

use std::collections::BTreeMap;

use common::{device, Device};
use dedup_support::Hub;
use fieldsales_core::customer::{ContactInput, CustomerPatch, NewCustomer};
use fieldsales_core::dedup::{MergeRequest, Side};
use fieldsales_core::quicklog::{Channel, NewQuickLog};
use fieldsales_core::task::NewTask;
use fieldsales_core::{Error, Kind};

fn two_copies(d: &Device) -> (String, String) {
    let a =
        d.fs.customers()
            .create(NewCustomer {
                name: "北京华信软件".into(),
                phones: vec!["13812345678".into()],
                tags: vec!["vip".into()],
                contacts: vec![ContactInput {
                    name: Some("王经理".into()),
                    ..Default::default()
                }],
                ..Default::default()
            })
            .unwrap();
    let b =
        d.fs.customers()
            .create(NewCustomer {
                name: "华信软件技术有限公司".into(),
                legal_name: Some("北京华信软件技术有限公司".into()),
                phones: vec!["010-62345678".into()],
                emails: vec!["info@huaxin-soft.com.cn".into()],
                tags: vec!["trade-show".into()],
                contacts: vec![ContactInput {
                    name: Some("李娜".into()),
                    phone: Some("13900001111".into()),
                    ..Default::default()
                }],
                ..Default::default()
            })
            .unwrap();
    (a, b)
}

fn merge(d: &Device, survivor: &str, merged: &str) {
    d.fs.dedup()
        .merge(&MergeRequest {
            survivor: survivor.into(),
            merged: merged.into(),
            keep: BTreeMap::new(),
        })
        .unwrap();
}

fn timeline_ids(d: &Device, id: &str) -> Vec<String> {
    let mut ids: Vec<String> =
        d.fs.customers()
            .timeline(id)
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
    ids.sort();
    ids
}

#[test]
fn merge_unions_details_and_shows_the_merged_history_under_the_survivor() {
    let d = device("rep-a", "north");
    let (a, b) = two_copies(&d);
    let visit = d.fs.visits().check_in(&b, None, None).unwrap().id;
    let logged =
        d.fs.quick_log()
            .log(NewQuickLog {
                channel: Channel::Call,
                customer_id: Some(b.clone()),
                ..Default::default()
            })
            .unwrap();
    let task =
        d.fs.tasks()
            .create(NewTask {
                title: "send quote".into(),
                customer_id: Some(b.clone()),
                ..Default::default()
            })
            .unwrap();

    let preview = d.fs.dedup().merge_preview(&a, &b).unwrap();
    assert!(preview.choices.iter().any(|c| c.field == "name"));
    let mut keep = BTreeMap::new();
    keep.insert("name".to_string(), Side::Merged);
    let survivor =
        d.fs.dedup()
            .merge(&MergeRequest {
                survivor: a.clone(),
                merged: b.clone(),
                keep,
            })
            .unwrap();

    assert_eq!(survivor.name, "华信软件技术有限公司", "the chosen name");
    assert_eq!(
        survivor.legal_name.as_deref(),
        Some("北京华信软件技术有限公司"),
        "an empty field is filled from the merged record"
    );
    let phones: Vec<&str> = survivor.phones.iter().map(|p| p.e164.as_str()).collect();
    assert!(phones.contains(&"+8613812345678") && phones.contains(&"+861062345678"));
    assert_eq!(survivor.emails, vec!["info@huaxin-soft.com.cn"]);
    assert_eq!(survivor.tags.len(), 2);
    assert_eq!(survivor.contacts.len(), 2);

    let gone = d.fs.customers().get(&b).unwrap();
    assert!(gone.deleted);
    assert_eq!(gone.merged_into.as_deref(), Some(a.as_str()));
    assert_eq!(d.fs.customers().count().unwrap(), 1);
    assert_eq!(d.fs.dedup().survivor_of(&b).unwrap(), a);

    let mut expected = vec![visit, logged.entry.id, task.clone()];
    expected.sort();
    assert_eq!(timeline_ids(&d, &a), expected);
    let tasks: Vec<String> =
        d.fs.tasks()
            .for_customer(&a)
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
    assert_eq!(tasks, vec![task]);

    let hits = d.fs.search().customers("62345678", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        hits[0].id, a,
        "the merged record's phone finds the survivor"
    );
    assert!(d.fs.dedup().check_customer(&a).unwrap().is_empty());
}

#[test]
fn a_merged_away_customer_refuses_edits_and_bad_merges_are_refused_by_field() {
    let d = device("rep-a", "north");
    let (a, b) = two_copies(&d);
    let err =
        d.fs.dedup()
            .merge(&MergeRequest {
                survivor: a.clone(),
                merged: a.clone(),
                keep: BTreeMap::new(),
            })
            .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "merged"),
        "{err}"
    );
    let mut keep = BTreeMap::new();
    keep.insert("favourite_colour".to_string(), Side::Merged);
    let err =
        d.fs.dedup()
            .merge(&MergeRequest {
                survivor: a.clone(),
                merged: b.clone(),
                keep,
            })
            .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "keep"),
        "{err}"
    );

    merge(&d, &a, &b);
    let err =
        d.fs.customers()
            .edit(
                &b,
                CustomerPatch {
                    add_tags: vec!["late".into()],
                    ..Default::default()
                },
            )
            .unwrap_err();
    assert!(matches!(err, Error::Deleted { .. }), "{err}");
    let err = d.fs.visits().check_in(&b, None, None).unwrap_err();
    assert!(matches!(err, Error::Deleted { .. }), "{err}");
    assert!(matches!(
        d.fs.dedup().merge(&MergeRequest {
            survivor: b.clone(),
            merged: a.clone(),
            keep: BTreeMap::new(),
        }),
        Err(Error::Deleted { .. })
    ));
}

#[test]
fn a_merge_reaches_every_device_and_the_server_with_history_made_offline() {
    let hub = Hub::new();
    let rep_a = device("rep-a", "north");
    let rep_b = device("rep-b", "north");
    let (a, b) = two_copies(&rep_a);
    hub.settle_all(&[&rep_a, &rep_b]);

    // Offline: rep B visits the copy that rep A is merging away.
    let visit = rep_b.fs.visits().check_in(&b, None, None).unwrap().id;
    merge(&rep_a, &a, &b);
    hub.settle_all(&[&rep_a, &rep_b]);

    for d in [&rep_a, &rep_b, &hub.server] {
        assert_eq!(d.fs.customers().count().unwrap(), 1);
        let gone = d.fs.customers().get(&b).unwrap();
        assert!(gone.deleted && gone.merged_into.as_deref() == Some(a.as_str()));
        assert!(
            timeline_ids(d, &a).contains(&visit),
            "the offline visit shows"
        );
        assert_eq!(d.fs.customers().get(&a).unwrap().phones.len(), 2);
    }
}

#[test]
fn an_offline_edit_to_the_merged_away_customer_is_carried_to_the_survivor_everywhere() {
    let hub = Hub::new();
    let rep_a = device("rep-a", "north");
    let rep_b = device("rep-b", "north");
    let (a, b) = two_copies(&rep_a);
    hub.settle_all(&[&rep_a, &rep_b]);

    merge(&rep_a, &a, &b);
    rep_b
        .fs
        .customers()
        .edit(
            &b,
            CustomerPatch {
                add_phones: vec!["13700009999".into()],
                add_tags: vec!["met-at-expo".into()],
                credit_code: Some(common::credit_code("91110108MA01ABCDE")),
                ..Default::default()
            },
        )
        .unwrap();
    hub.settle_all(&[&rep_a, &rep_b]);

    let expected = rep_a.fs.customers().get(&a).unwrap();
    for d in [&rep_a, &rep_b, &hub.server] {
        let s = d.fs.customers().get(&a).unwrap();
        assert!(!s.deleted);
        assert!(
            s.phones.iter().any(|p| p.e164 == "+8613700009999"),
            "the late phone is on the survivor"
        );
        assert!(s.tags.contains(&"met-at-expo".to_string()));
        assert_eq!(s.credit_code, expected.credit_code);
        assert!(s.credit_code.is_some(), "the late credit code is carried");
        assert!(d.fs.customers().get(&b).unwrap().deleted);
        assert_eq!(d.fs.customers().count().unwrap(), 1);
        assert!(
            d.fs.conflicts().for_record(&a).unwrap().fields.is_empty(),
            "carrying on several devices writes equal values, not a conflict"
        );
    }
}

#[test]
fn opposite_merges_of_one_pair_end_with_the_lowest_id_surviving_on_every_device() {
    let hub = Hub::new();
    let rep_a = device("rep-a", "north");
    let rep_b = device("rep-b", "north");
    // A third rep who is offline through both merges and syncs only at the end.
    let rep_c = device("rep-c", "north");
    let (a, b) = two_copies(&rep_a);
    let visit_a = rep_a.fs.visits().check_in(&a, None, None).unwrap().id;
    let visit_b = rep_a.fs.visits().check_in(&b, None, None).unwrap().id;
    hub.settle_all(&[&rep_a, &rep_b, &rep_c]);

    merge(&rep_a, &a, &b);
    merge(&rep_b, &b, &a);
    hub.settle_all(&[&rep_a, &rep_b]);
    hub.sync(&rep_c);

    let (low, high) = if a < b { (&a, &b) } else { (&b, &a) };
    let reference = hub.server.fs.customers().get(low).unwrap();
    for d in [&rep_a, &rep_b, &rep_c, &hub.server] {
        assert_eq!(d.fs.customers().count().unwrap(), 1, "one survivor");
        let survivor = d.fs.customers().get(low).unwrap();
        assert!(!survivor.deleted && survivor.merged_into.is_none());
        assert_eq!(survivor.phones, reference.phones, "same content everywhere");
        assert_eq!(survivor.contacts.len(), 2);
        let gone = d.fs.customers().get(high).unwrap();
        assert!(gone.deleted);
        assert_eq!(gone.merged_into.as_deref(), Some(low.as_str()));
        let mut both = vec![visit_a.clone(), visit_b.clone()];
        both.sort();
        assert_eq!(timeline_ids(d, low), both);
    }
}

#[test]
fn rebuilding_projections_keeps_merged_history_under_the_survivor() {
    let d = device("rep-a", "north");
    let (a, b) = two_copies(&d);
    let visit = d.fs.visits().check_in(&b, None, None).unwrap().id;
    merge(&d, &a, &b);
    d.fs.rebuild_projections().unwrap();
    assert_eq!(timeline_ids(&d, &a), vec![visit]);
    assert_eq!(d.fs.dedup().survivor_of(&b).unwrap(), a);
    assert_eq!(d.fs.customers().count().unwrap(), 1);
    let probe = NewCustomer {
        name: "华信软件".into(),
        phones: vec!["13812345678".into()],
        ..Default::default()
    };
    let found = d.fs.dedup().check(&probe).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].customer_id, a);
    let _ = Kind::Customer;
}

#[test]
fn merges_made_apart_that_chain_end_in_one_survivor_holding_everything() {
    let hub = Hub::new();
    let rep_a = device("rep-a", "north");
    let rep_b = device("rep-b", "north");
    let (x, y) = two_copies(&rep_a);
    let z = rep_a
        .fs
        .customers()
        .create(NewCustomer {
            name: "华信软件（北京）".into(),
            phones: vec!["13600001234".into()],
            ..Default::default()
        })
        .unwrap();
    let visit_x = rep_a.fs.visits().check_in(&x, None, None).unwrap().id;
    hub.settle_all(&[&rep_a, &rep_b]);

    // Offline: rep A merges x into y, rep B merges y into z.
    merge(&rep_a, &y, &x);
    merge(&rep_b, &z, &y);
    hub.settle_all(&[&rep_a, &rep_b]);

    for d in [&rep_a, &rep_b, &hub.server] {
        assert_eq!(d.fs.customers().count().unwrap(), 1);
        assert_eq!(d.fs.dedup().survivor_of(&x).unwrap(), z);
        let survivor = d.fs.customers().get(&z).unwrap();
        let phones: Vec<&str> = survivor.phones.iter().map(|p| p.e164.as_str()).collect();
        assert!(
            phones.contains(&"+8613812345678"),
            "x's phone reached z through y: {phones:?}"
        );
        assert_eq!(phones.len(), 3);
        assert!(timeline_ids(d, &z).contains(&visit_x));
    }
}

#[test]
fn visits_of_a_merged_away_customer_keep_the_survivor_out_of_the_stale_list() {
    use fieldsales_core::health::FindingKind::NoRecentInteraction;
    let d = device("rep-a", "north");
    let (a, b) = two_copies(&d);
    let quiet = d.fs.customers().create(NewCustomer {
        name: "博远咨询".into(),
        phones: vec!["13500001111".into()],
        ..Default::default()
    });
    let quiet = quiet.unwrap();
    d.clock.advance(chrono::Duration::days(95));
    d.fs.visits().check_in(&b, None, None).unwrap();
    merge(&d, &a, &b);
    d.clock.advance(chrono::Duration::days(5));
    let report = d.fs.health().report().unwrap();
    let stale = |id: &str| {
        report
            .findings
            .iter()
            .any(|f| f.customer_id == id && f.kind == NoRecentInteraction)
    };
    assert!(
        stale(&quiet),
        "a customer nobody visited for 100 days is stale"
    );
    assert!(
        !stale(&a),
        "the merged-away customer's visit counts for the survivor"
    );
}
