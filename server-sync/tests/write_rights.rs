//! Who may write what: write-rights rejections that leave the server untouched and carry the
//! server's version when the user may see it, audience changes reserved to owners and
//! managers, and changes refused for their actor, their bytes, their kind or missing history.

use automerge::{transaction::Transactable, ActorId, AutoCommit, ROOT};
use fieldsales_core::customer::{CustomerPatch, NewCustomer, Visibility};
use fieldsales_core::protocol::{LocalChange, RejectReason, SyncResponse};
use fieldsales_core::Kind;
use fieldsales_testkit::wire;

fn customer(name: &str, visibility: Visibility) -> NewCustomer {
    NewCustomer {
        name: name.into(),
        visibility,
        ..Default::default()
    }
}

#[tokio::test]
async fn a_rep_cannot_push_into_another_reps_private_customer_and_the_server_is_untouched() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let private = ann
        .fs
        .customers()
        .create(customer("Secret Lead", Visibility::Private))
        .unwrap();
    ann.sync().await;
    let head = ann.cursor;

    // Bob somehow holds a copy (an old share, a crafted client) and edits it.
    let mut bob = fx.device("bob").await;
    bob.sync().await;
    let copy = ann
        .fs
        .export_document(fieldsales_core::Kind::Customer, &private)
        .unwrap();
    bob.fs
        .apply_changes(&[fieldsales_core::outbox::IncomingChanges {
            doc_id: private.clone(),
            kind: fieldsales_core::Kind::Customer,
            changes: vec![copy],
        }])
        .unwrap();
    bob.fs
        .customers()
        .edit(
            &private,
            CustomerPatch {
                name: Some("Stolen".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let request = bob.outbox_request();
    let answer = bob.send(&request).await;
    assert!(answer.acked.is_empty());
    assert_eq!(answer.rejected.len(), 1);
    let rejection = &answer.rejected[0];
    assert_eq!(rejection.doc_id, private);
    assert_eq!(rejection.reason, RejectReason::Forbidden);
    assert_eq!(
        rejection.server_doc, None,
        "a user who may not see the document does not get it in the rejection"
    );
    assert_eq!(answer.cursor, head, "nothing was appended to the log");

    let mut ann_tablet = fx.device("ann").await;
    ann_tablet.sync().await;
    assert_eq!(
        ann_tablet.fs.customers().get(&private).unwrap().name,
        "Secret Lead",
        "the server's copy is unchanged"
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rejected_edit_to_a_visible_document_carries_the_servers_version() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let mut cat = fx.device("cat").await;
    let open = ann
        .fs
        .customers()
        .create(customer("Public Mall", Visibility::Organisation))
        .unwrap();
    ann.sync().await;
    cat.sync().await;
    cat.fs
        .customers()
        .edit(
            &open,
            CustomerPatch {
                name: Some("Mine Now".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let answer = cat.send(&cat.outbox_request()).await;
    assert_eq!(answer.rejected.len(), 1);
    assert_eq!(answer.rejected[0].reason, RejectReason::Forbidden);
    let server_doc = answer.rejected[0]
        .server_doc
        .clone()
        .expect("cat may see the customer, so the rejection carries it");
    let doc = AutoCommit::load(&server_doc).unwrap();
    let name = automerge::ReadDoc::get(&doc, ROOT, "name")
        .unwrap()
        .unwrap()
        .0;
    assert_eq!(name.as_str(), Some("Public Mall"));
    fx.server.shutdown().await.unwrap();
}

/// A raw Automerge change to a new customer document, written by `actor`.
fn forged_customer_change(actor: ActorId, owner: &str) -> Vec<u8> {
    let mut doc = AutoCommit::new();
    doc.set_actor(actor);
    doc.put(ROOT, "kind", "customer").unwrap();
    doc.put(ROOT, "owner", owner).unwrap();
    doc.put(ROOT, "visibility", "team").unwrap();
    doc.put(ROOT, "name", "Forged").unwrap();
    doc.commit();
    doc.get_last_local_change().unwrap().raw_bytes().to_vec()
}

#[tokio::test]
async fn a_change_written_by_another_devices_actor_is_refused() {
    let fx = wire::start().await;
    let ann = fx.device("ann").await;
    let bob = fx.device("bob").await;
    let doc_id = uuid::Uuid::now_v7().to_string();
    let change = forged_customer_change(bob.actor(), &ann.user_id);
    let answer = ann.send(&ann.one_doc(&doc_id, "customer", change)).await;
    assert!(answer.acked.is_empty());
    assert_eq!(answer.rejected[0].reason, RejectReason::WrongActor);
    assert_eq!(answer.cursor, 0, "nothing was stored");

    let change = forged_customer_change(ann.actor(), &ann.user_id);
    let answer = ann.send(&ann.one_doc(&doc_id, "customer", change)).await;
    assert_eq!(
        answer.acked,
        vec![1],
        "the same change from the right actor is accepted"
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn bytes_that_are_not_a_change_and_kinds_that_do_not_match_are_rejected_per_document() {
    let fx = wire::start().await;
    let ann = fx.device("ann").await;
    let doc_id = uuid::Uuid::now_v7().to_string();
    let answer = ann
        .send(&ann.one_doc(&doc_id, "customer", b"not automerge".to_vec()))
        .await;
    assert_eq!(answer.rejected[0].reason, RejectReason::InvalidChange);

    let change = forged_customer_change(ann.actor(), &ann.user_id);
    let answer = ann.send(&ann.one_doc(&doc_id, "visit", change)).await;
    assert_eq!(
        answer.rejected[0].reason,
        RejectReason::KindMismatch,
        "a customer document sent as a visit is refused"
    );

    let change = forged_customer_change(ann.actor(), &fx.users["cat"].id);
    let third = uuid::Uuid::now_v7().to_string();
    let answer = ann.send(&ann.one_doc(&third, "customer", change)).await;
    assert_eq!(
        answer.rejected[0].reason,
        RejectReason::Forbidden,
        "a customer owned by another team's rep is refused"
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_change_whose_history_the_server_lacks_is_refused_until_the_history_comes() {
    let fx = wire::start().await;
    let ann = fx.device("ann").await;
    let mut doc = AutoCommit::new();
    doc.set_actor(ann.actor());
    doc.put(ROOT, "kind", "customer").unwrap();
    doc.put(ROOT, "owner", ann.user_id.as_str()).unwrap();
    doc.put(ROOT, "visibility", "team").unwrap();
    doc.commit();
    let first = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    doc.put(ROOT, "name", "Second Step").unwrap();
    doc.commit();
    let second = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    let doc_id = uuid::Uuid::now_v7().to_string();

    let mut request = ann.one_doc(&doc_id, "customer", second.clone());
    request.docs[0].changes[0].seq = 2;
    let answer = ann.send(&request).await;
    assert_eq!(answer.rejected[0].reason, RejectReason::InvalidChange);
    assert_eq!(answer.cursor, 0, "nothing was stored");

    request.docs[0].changes = vec![
        LocalChange {
            seq: 1,
            bytes: first,
        },
        LocalChange {
            seq: 2,
            bytes: second,
        },
    ];
    let answer = ann.send(&request).await;
    assert!(answer.rejected.is_empty());
    assert_eq!(answer.acked, vec![1, 2]);
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn only_an_owner_or_a_manager_changes_who_sees_a_customer() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let mut bob = fx.device("bob").await;
    let mut max = fx.device("max").await;
    let id = ann
        .fs
        .customers()
        .create(customer("Team Shop", Visibility::Team))
        .unwrap();
    ann.sync().await;
    bob.sync().await;
    max.sync().await;

    bob.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                visibility: Some(Visibility::Private),
                owner: Some(bob.user_id.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    let answer = bob.send(&bob.outbox_request()).await;
    assert_eq!(
        answer.rejected.len(),
        1,
        "a teammate cannot take over or hide it"
    );
    assert_eq!(answer.rejected[0].reason, RejectReason::Forbidden);
    assert!(answer.rejected[0].server_doc.is_some());

    max.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                visibility: Some(Visibility::Organisation),
                ..Default::default()
            },
        )
        .unwrap();
    let answers = max.sync().await;
    assert!(answers[0].rejected.is_empty(), "the team's manager may");
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_record_cannot_attach_itself_to_a_customer_the_rep_may_not_see() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let bob = fx.device("bob").await;
    let private = ann
        .fs
        .customers()
        .create(customer("Secret Lead", Visibility::Private))
        .unwrap();
    ann.sync().await;
    let head = ann.cursor;

    for (kind, owner_field) in [("visit", "rep"), ("quick_log", "rep"), ("task", "assignee")] {
        let change = forged_create(
            &bob,
            &[
                ("kind", kind),
                (owner_field, &bob.user_id),
                ("customer", &private),
            ],
        );
        let id = uuid::Uuid::now_v7().to_string();
        let answer = bob.send(&bob.one_doc(&id, kind, change)).await;
        assert_refused(&answer, &id, "customer");
        assert_eq!(answer.cursor, head, "nothing was appended to the log");
    }
    fx.server.shutdown().await.unwrap();
}

/// A raw change creating a document with these root fields, as a crafted client would send.
fn forged_create(device: &wire::Device, fields: &[(&str, &str)]) -> Vec<u8> {
    let mut doc = AutoCommit::new();
    doc.set_actor(device.actor());
    for (key, value) in fields {
        doc.put(ROOT, *key, *value).unwrap();
    }
    doc.commit();
    doc.get_last_local_change().unwrap().raw_bytes().to_vec()
}

/// A raw change setting `key` to `value` on `device`'s copy of a record.
fn forged_edit(device: &wire::Device, kind: Kind, id: &str, key: &str, value: &str) -> Vec<u8> {
    let bytes = device.fs.export_document(kind, id).unwrap();
    let mut doc = AutoCommit::load(&bytes).unwrap();
    doc.set_actor(device.actor());
    let heads = doc.get_heads();
    doc.put(ROOT, key, value).unwrap();
    doc.commit();
    let new = doc.get_changes(&heads);
    assert_eq!(new.len(), 1, "one new change");
    new[0].raw_bytes().to_vec()
}

/// `doc_id` was refused as forbidden, unacknowledged, with a detail that names `field` first.
fn assert_refused(answer: &SyncResponse, doc_id: &str, field: &str) {
    let rejection = answer
        .rejected
        .iter()
        .find(|r| r.doc_id == doc_id)
        .unwrap_or_else(|| {
            panic!(
                "{doc_id} is refused; acked {:?}, rejected {:?}",
                answer.acked, answer.rejected
            )
        });
    assert_eq!(rejection.reason, RejectReason::Forbidden);
    assert!(
        rejection.detail.starts_with(&format!("{field}: ")),
        "the detail names the field {field}: {:?}",
        rejection.detail
    );
    assert!(
        !answer.acked.iter().any(|s| rejection.seqs.contains(s)),
        "a refused change is not acknowledged"
    );
}

/// Every document a new device of `username` receives.
async fn received_by(fx: &wire::Fixture, username: &str) -> Vec<String> {
    let mut device = fx.device(username).await;
    wire::Device::received(&device.sync().await)
}

fn team_of(fx: &wire::Fixture, username: &str) -> Option<String> {
    fx.users[username].team_id.clone()
}

#[tokio::test]
async fn a_rep_creates_customers_only_in_their_own_team_and_another_team_never_receives_one() {
    let fx = wire::start().await;
    let cat = fx.device("cat").await;
    let planted = cat
        .fs
        .customers()
        .create(NewCustomer {
            team: team_of(&fx, "ann"),
            ..customer("Planted", Visibility::Team)
        })
        .unwrap();
    let answer = cat.send(&cat.outbox_request()).await;
    assert_refused(&answer, &planted, "team");
    assert_eq!(answer.rejected[0].server_doc, None, "nothing to take back");
    assert_eq!(answer.cursor, 0, "nothing was appended to the log");
    for north in ["ann", "bob", "max"] {
        assert!(!received_by(&fx, north).await.contains(&planted));
    }

    let mut cat_tablet = fx.device("cat").await;
    let own = cat_tablet
        .fs
        .customers()
        .create(customer("South Shop", Visibility::Team))
        .unwrap();
    let answers = cat_tablet.sync().await;
    assert!(
        answers[0].rejected.is_empty(),
        "a rep creates in their own team as owner"
    );
    assert!(!received_by(&fx, "ann").await.contains(&own));
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rep_cannot_create_a_customer_in_a_teammates_name() {
    let fx = wire::start().await;
    let ann = fx.device("ann").await;
    let forged = ann
        .fs
        .customers()
        .create(NewCustomer {
            owner: Some(fx.users["bob"].id.clone()),
            ..customer("Bob's Now", Visibility::Private)
        })
        .unwrap();
    let answer = ann.send(&ann.outbox_request()).await;
    assert_refused(&answer, &forged, "owner");
    assert_eq!(answer.cursor, 0, "nothing was appended to the log");
    assert!(!received_by(&fx, "bob").await.contains(&forged));
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rep_cannot_move_their_own_customer_to_another_team() {
    let fx = wire::start().await;
    let mut cat = fx.device("cat").await;
    let id = cat
        .fs
        .customers()
        .create(customer("South Shop", Visibility::Team))
        .unwrap();
    cat.sync().await;
    let head = cat.cursor;
    cat.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                team: team_of(&fx, "ann"),
                ..Default::default()
            },
        )
        .unwrap();
    let answer = cat.send(&cat.outbox_request()).await;
    assert_refused(&answer, &id, "team");
    assert!(
        answer.rejected[0].server_doc.is_some(),
        "cat still sees it: the rejection carries the server's version"
    );
    assert_eq!(answer.cursor, head, "nothing was appended to the log");
    assert!(!received_by(&fx, "ann").await.contains(&id));
    let mut cat_tablet = fx.device("cat").await;
    cat_tablet.sync().await;
    assert_eq!(
        cat_tablet.fs.customers().get(&id).unwrap().team,
        team_of(&fx, "cat"),
        "the server's copy stays in south"
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rep_cannot_give_their_own_customer_to_a_teammate() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let id = ann
        .fs
        .customers()
        .create(customer("Secret Lead", Visibility::Private))
        .unwrap();
    ann.sync().await;
    let head = ann.cursor;
    ann.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                owner: Some(fx.users["bob"].id.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    let answer = ann.send(&ann.outbox_request()).await;
    assert_refused(&answer, &id, "owner");
    assert_eq!(answer.cursor, head, "nothing was appended to the log");
    assert!(!received_by(&fx, "bob").await.contains(&id));
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rep_cannot_log_visits_calls_or_tasks_in_a_teammates_name() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let shop = ann
        .fs
        .customers()
        .create(customer("Team Shop", Visibility::Team))
        .unwrap();
    let visit = ann.fs.visits().plan(&shop, chrono::Utc::now()).unwrap();
    ann.sync().await;
    let head = ann.cursor;
    let bob = &fx.users["bob"].id;

    let mut forged = Vec::new();
    for (kind, field) in [("visit", "rep"), ("quick_log", "rep"), ("task", "assignee")] {
        let change = forged_create(&ann, &[("kind", kind), (field, bob), ("customer", &shop)]);
        let id = uuid::Uuid::now_v7().to_string();
        let answer = ann.send(&ann.one_doc(&id, kind, change)).await;
        assert_refused(&answer, &id, field);
        assert_eq!(answer.cursor, head, "nothing was appended to the log");
        forged.push(id);
    }
    let change = forged_edit(&ann, Kind::Visit, &visit, "rep", bob);
    let answer = ann.send(&ann.one_doc(&visit, "visit", change)).await;
    assert_refused(&answer, &visit, "rep");
    assert_eq!(answer.cursor, head, "the visit stays ann's");

    let change = forged_create(
        &ann,
        &[
            ("kind", "task"),
            ("assignee", &ann.user_id),
            ("customer", &shop),
        ],
    );
    let own_task = uuid::Uuid::now_v7().to_string();
    let answer = ann.send(&ann.one_doc(&own_task, "task", change)).await;
    assert_eq!(answer.acked, vec![1], "a rep assigns a task to themselves");
    let seen = received_by(&fx, "bob").await;
    assert!(forged.iter().all(|id| !seen.contains(id)));
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_manager_moves_customers_within_the_team_and_only_an_admin_across_teams() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let mut max = fx.device("max").await;
    let id = ann
        .fs
        .customers()
        .create(customer("Team Shop", Visibility::Team))
        .unwrap();
    ann.sync().await;
    max.sync().await;
    let bob = fx.users["bob"].id.clone();
    max.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                owner: Some(bob.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    let answers = max.sync().await;
    assert!(answers[0].rejected.is_empty(), "within the team: allowed");
    let head = max.cursor;

    max.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                team: team_of(&fx, "cat"),
                ..Default::default()
            },
        )
        .unwrap();
    let answer = max.send(&max.outbox_request()).await;
    assert_refused(&answer, &id, "team");
    assert_eq!(answer.cursor, head, "nothing was appended to the log");
    assert!(!received_by(&fx, "cat").await.contains(&id));

    let mut root = fx.device("root").await;
    root.sync().await;
    root.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                team: team_of(&fx, "cat"),
                owner: Some(fx.users["cat"].id.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    let answers = root.sync().await;
    assert!(
        answers[0].rejected.is_empty(),
        "an admin moves across teams"
    );
    assert!(received_by(&fx, "cat").await.contains(&id));
    let mut cat = fx.device("cat").await;
    cat.sync().await;
    assert_eq!(
        cat.fs.customers().get(&id).unwrap().owner.as_deref(),
        Some(fx.users["cat"].id.as_str())
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rep_cannot_forge_who_created_or_last_edited_a_record() {
    let fx = wire::start().await;
    let mut ann = fx.device("ann").await;
    let mut bob = fx.device("bob").await;
    let change = forged_create(
        &ann,
        &[
            ("kind", "customer"),
            ("owner", &ann.user_id),
            ("visibility", "team"),
            ("created_by", &bob.user_id),
        ],
    );
    let id = uuid::Uuid::now_v7().to_string();
    let answer = ann.send(&ann.one_doc(&id, "customer", change)).await;
    assert_refused(&answer, &id, "created_by");
    assert_eq!(answer.cursor, 0, "nothing was appended to the log");

    let shop = ann
        .fs
        .customers()
        .create(customer("Team Shop", Visibility::Team))
        .unwrap();
    ann.sync().await;
    bob.sync().await;
    let head = bob.cursor;
    let max = fx.users["max"].id.clone();
    for (field, value) in [("created_by", bob.user_id.clone()), ("updated_by", max)] {
        let change = forged_edit(&bob, Kind::Customer, &shop, field, &value);
        let answer = bob.send(&bob.one_doc(&shop, "customer", change)).await;
        assert_refused(&answer, &shop, field);
        assert_eq!(answer.cursor, head, "nothing was appended to the log");
    }
    fx.server.shutdown().await.unwrap();
}

/// A raw change to customer `doc_id` under its shared genesis actor: the first one (`seq` 1,
/// no dependencies) or, with `second`, one that follows it.
fn genesis_change(of_doc: &str, owner: &str, second: bool) -> Vec<u8> {
    let actor = fieldsales_core::protocol::shared_genesis_actor(of_doc).expect("a uuid");
    let mut doc = AutoCommit::new();
    doc.set_actor(ActorId::from(actor));
    doc.put(ROOT, "kind", "customer").unwrap();
    doc.put(ROOT, "owner", owner).unwrap();
    doc.put(ROOT, "visibility", "team").unwrap();
    doc.commit();
    if second {
        doc.put(ROOT, "name", "Forged").unwrap();
        doc.commit();
    }
    doc.get_last_local_change().unwrap().raw_bytes().to_vec()
}

#[tokio::test]
async fn only_a_documents_own_shared_genesis_may_come_from_an_actor_not_the_devices() {
    let fx = wire::start().await;
    let ann = fx.device("ann").await;
    let doc_id = uuid::Uuid::now_v7().to_string();
    let other_doc = uuid::Uuid::now_v7().to_string();

    let answer = ann
        .send(&ann.one_doc(
            &doc_id,
            "customer",
            genesis_change(&other_doc, &ann.user_id, false),
        ))
        .await;
    assert_eq!(
        answer.rejected[0].reason,
        RejectReason::WrongActor,
        "another document's genesis"
    );

    let answer = ann
        .send(&ann.one_doc(
            &doc_id,
            "customer",
            genesis_change(&doc_id, &ann.user_id, true),
        ))
        .await;
    assert_eq!(
        answer.rejected[0].reason,
        RejectReason::WrongActor,
        "a change after the genesis"
    );

    let answer = ann
        .send(&ann.one_doc(
            &doc_id,
            "customer",
            genesis_change(&doc_id, &ann.user_id, false),
        ))
        .await;
    assert_eq!(
        answer.acked,
        vec![1],
        "the document's own genesis is accepted"
    );
    fx.server.shutdown().await.unwrap();
}
