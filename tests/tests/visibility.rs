//! Partial replication through the real server: a device receives only what its user may see,
//! cannot push into what it may not write, and a customer a rep plants in another team is
//! refused on the rep's phone and crosses no team. That a record arrives whole when it becomes
//! visible is tested once, at the wire where "whole" shows: the server's
//! `visibility::a_customer_shared_with_the_team_later_arrives_whole_with_its_visits`.

use chrono::Utc;
use fieldsales_core::customer::{CustomerPatch, NewCustomer, Visibility};
use fieldsales_core::protocol::RejectReason;
use fieldsales_core::quicklog::NewQuickLog;
use fieldsales_core::Kind;
use fieldsales_e2e::World;

#[test]
fn a_rep_never_receives_another_reps_private_customer() {
    let world = World::start();
    let ann = world.device("ann");
    let bob = world.device("bob");
    let private = ann.add_customer("私人客户", Visibility::Private);
    let shared = ann.add_customer("团队客户", Visibility::Team);
    ann.sync();
    bob.sync();
    assert!(bob.fs.customers().get(&private).is_err());
    assert!(bob.fs.customers().get(&shared).is_ok());
    assert!(bob.fs.search().customers("私人", 10).unwrap().is_empty());
}

#[test]
fn a_push_into_another_reps_private_customer_is_refused_kept_and_the_copy_dropped() {
    let world = World::start();
    let ann = world.device("ann");
    let bob = world.device("bob");
    let private = ann.add_customer("私人客户", Visibility::Private);
    ann.sync();
    // Bob got hold of the document somehow (an old export) and edits it.
    let bytes = ann.fs.export_document(Kind::Customer, &private).unwrap();
    bob.fs
        .apply_changes(&[fieldsales_core::outbox::IncomingChanges {
            doc_id: private.clone(),
            kind: Kind::Customer,
            changes: vec![bytes],
        }])
        .unwrap();
    bob.fs
        .customers()
        .edit(
            &private,
            CustomerPatch {
                name: Some("改名".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let report = bob.sync();

    assert_eq!(report.rejected.len(), 1);
    let kept = bob.fs.sync().rejected().unwrap();
    assert_eq!(
        kept.len(),
        1,
        "the refused edit is kept for the user to see"
    );
    assert_eq!(kept[0].record_id, private);
    assert_eq!(kept[0].reason, RejectReason::Forbidden);
    assert!(!kept[0].record_kept);
    assert!(
        bob.fs.customers().get(&private).is_err(),
        "bob drops what he may not see"
    );
    assert_eq!(bob.fs.pending_changes().unwrap(), 0);
    ann.sync();
    assert_eq!(
        ann.fs.customers().get(&private).unwrap().name,
        "私人客户",
        "the server is untouched"
    );
}

#[test]
fn a_manager_receives_the_whole_teams_visits_and_another_team_does_not() {
    let world = World::start();
    let ann = world.device("ann");
    let bob = world.device("bob");
    let mia = world.device("mia");
    let sam = world.device("sam");
    let mut visits = Vec::new();
    for rep in [&ann, &bob] {
        let customer = rep
            .fs
            .customers()
            .create(NewCustomer {
                name: format!("{}的客户", rep.user),
                visibility: Visibility::Private,
                ..Default::default()
            })
            .unwrap();
        visits.push(rep.fs.visits().plan(&customer, Utc::now()).unwrap());
        rep.sync();
    }
    mia.sync();
    sam.sync();
    for visit in &visits {
        assert!(
            mia.fs.visits().get(visit).is_ok(),
            "the manager sees the team's visit"
        );
        assert!(sam.fs.visits().get(visit).is_err(), "another team does not");
    }
}

#[test]
fn an_edit_to_a_customer_one_may_see_but_not_write_is_refused_and_the_servers_version_kept() {
    let world = World::start();
    let sam = world.device("sam");
    let ann = world.device("ann");
    let id = sam.add_customer("全公司可见", Visibility::Organisation);
    sam.sync();
    ann.sync();
    assert_eq!(ann.fs.customers().get(&id).unwrap().name, "全公司可见");

    ann.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                name: Some("擅自改名".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let report = ann.sync();
    assert_eq!(report.rejected.len(), 1);
    let kept = ann.fs.sync().rejected().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].reason, RejectReason::Forbidden);
    assert!(kept[0].record_kept, "ann may still see the customer");
    assert!(ann
        .fs
        .sync()
        .rejected_document(kept[0].id)
        .unwrap()
        .is_some());
    assert_eq!(
        ann.fs.customers().get(&id).unwrap().name,
        "全公司可见",
        "the device took the server's version"
    );
    assert_eq!(ann.fs.pending_changes().unwrap(), 0);
    sam.sync();
    assert_eq!(sam.fs.customers().get(&id).unwrap().name, "全公司可见");
}

#[test]
fn a_rep_cannot_plant_a_customer_in_another_team_and_no_data_crosses_the_teams() {
    let world = World::start();
    let ann = world.device("ann");
    let bob = world.device("bob");
    let sam = world.device("sam");
    let north_shop = ann.add_customer("北区客户", Visibility::Team);
    let north_visit = ann.fs.visits().plan(&north_shop, Utc::now()).unwrap();
    ann.sync();
    bob.sync();
    let north_call = bob
        .fs
        .quick_log()
        .log(NewQuickLog {
            customer_id: Some(north_shop.clone()),
            note: Some("北区的通话记录".into()),
            ..Default::default()
        })
        .unwrap()
        .entry
        .id;
    bob.sync();

    // Sam (south) creates a team customer and labels it north's.
    let planted = sam
        .fs
        .customers()
        .create(NewCustomer {
            name: "南区植入".into(),
            visibility: Visibility::Team,
            team: ann.fs.identity().team_id.clone(),
            ..Default::default()
        })
        .unwrap();
    let report = sam.sync();
    assert_eq!(report.rejected.len(), 1, "the server refuses the create");
    let kept = sam.fs.sync().rejected().unwrap();
    assert_eq!(kept.len(), 1, "sam sees the refusal");
    assert_eq!(kept[0].record_id, planted);
    assert_eq!(kept[0].reason, RejectReason::Forbidden);
    assert!(
        kept[0].detail.starts_with("team: "),
        "the refusal names the field: {:?}",
        kept[0].detail
    );
    assert!(!kept[0].record_kept);
    assert!(
        sam.fs
            .sync()
            .rejected_document(kept[0].id)
            .unwrap()
            .is_some(),
        "sam's own version is kept beside the refusal"
    );
    assert!(sam.fs.customers().get(&planted).is_err());
    assert!(sam.fs.search().customers("植入", 10).unwrap().is_empty());
    assert_eq!(sam.fs.pending_changes().unwrap(), 0, "nothing stuck");

    for north in [&ann, &bob] {
        north.sync();
        assert!(
            north.fs.customers().get(&planted).is_err(),
            "north never receives it"
        );
    }
    let south_shop = sam.add_customer("南区客户", Visibility::Team);
    let report = sam.sync();
    assert!(
        report.rejected.is_empty(),
        "sam still syncs his own team's work"
    );
    assert!(sam.fs.customers().get(&south_shop).is_ok());
    assert!(sam.fs.customers().get(&north_shop).is_err());
    assert!(sam.fs.visits().get(&north_visit).is_err());
    assert!(sam.fs.quick_log().get(&north_call).is_err());
    assert!(sam.fs.search().customers("北区", 10).unwrap().is_empty());
}
