//! Who may write what: write-rights rejections that leave the server untouched and carry the
//! server's version when the user may see it, audience changes reserved to owners and
//! managers, and changes refused for their actor, their bytes, their kind or missing history.

mod fixture;

use automerge::{transaction::Transactable, ActorId, AutoCommit, ROOT};
use fieldsales_core::customer::{CustomerPatch, NewCustomer, Visibility};
use fieldsales_core::protocol::{DocChanges, LocalChange, RejectReason, SyncRequest};

fn customer(name: &str, visibility: Visibility) -> NewCustomer {
    NewCustomer {
        name: name.into(),
        visibility,
        ..Default::default()
    }
}

#[tokio::test]
async fn a_rep_cannot_push_into_another_reps_private_customer_and_the_server_is_untouched() {
    let fx = fixture::start().await;
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
    let fx = fixture::start().await;
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
fn forged_customer_change(actor: &[u8], owner: &str) -> Vec<u8> {
    let mut doc = AutoCommit::new();
    doc.set_actor(ActorId::from(actor));
    doc.put(ROOT, "kind", "customer").unwrap();
    doc.put(ROOT, "owner", owner).unwrap();
    doc.put(ROOT, "visibility", "team").unwrap();
    doc.put(ROOT, "name", "Forged").unwrap();
    doc.commit();
    doc.get_last_local_change().unwrap().raw_bytes().to_vec()
}

fn one_doc(device: &fixture::Device, doc_id: &str, kind: &str, bytes: Vec<u8>) -> SyncRequest {
    SyncRequest {
        device_id: device.device_id.clone(),
        cursor: device.cursor,
        docs: vec![DocChanges {
            doc_id: doc_id.into(),
            kind: kind.into(),
            changes: vec![LocalChange { seq: 1, bytes }],
        }],
        resume: None,
        max_answer_bytes: None,
    }
}

#[tokio::test]
async fn a_change_written_by_another_devices_actor_is_refused() {
    let fx = fixture::start().await;
    let ann = fx.device("ann").await;
    let bob = fx.device("bob").await;
    let bob_actor = uuid::Uuid::parse_str(&bob.device_id).unwrap();
    let doc_id = uuid::Uuid::now_v7().to_string();
    let change = forged_customer_change(bob_actor.as_bytes(), &ann.user_id);
    let answer = ann.send(&one_doc(&ann, &doc_id, "customer", change)).await;
    assert!(answer.acked.is_empty());
    assert_eq!(answer.rejected[0].reason, RejectReason::WrongActor);
    assert_eq!(answer.cursor, 0, "nothing was stored");

    let own = uuid::Uuid::parse_str(&ann.device_id).unwrap();
    let change = forged_customer_change(own.as_bytes(), &ann.user_id);
    let answer = ann.send(&one_doc(&ann, &doc_id, "customer", change)).await;
    assert_eq!(
        answer.acked,
        vec![1],
        "the same change from the right actor is accepted"
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn bytes_that_are_not_a_change_and_kinds_that_do_not_match_are_rejected_per_document() {
    let fx = fixture::start().await;
    let ann = fx.device("ann").await;
    let actor = uuid::Uuid::parse_str(&ann.device_id).unwrap();
    let doc_id = uuid::Uuid::now_v7().to_string();
    let answer = ann
        .send(&one_doc(
            &ann,
            &doc_id,
            "customer",
            b"not automerge".to_vec(),
        ))
        .await;
    assert_eq!(answer.rejected[0].reason, RejectReason::InvalidChange);

    let change = forged_customer_change(actor.as_bytes(), &ann.user_id);
    let answer = ann.send(&one_doc(&ann, &doc_id, "visit", change)).await;
    assert_eq!(
        answer.rejected[0].reason,
        RejectReason::KindMismatch,
        "a customer document sent as a visit is refused"
    );

    let other = uuid::Uuid::now_v7().to_string();
    let change = forged_customer_change(actor.as_bytes(), &fx.users["bob"].id);
    let answer = ann.send(&one_doc(&ann, &other, "customer", change)).await;
    assert!(
        answer.rejected.is_empty(),
        "a rep may create a team-visible customer for a teammate"
    );
    let change = forged_customer_change(actor.as_bytes(), &fx.users["cat"].id);
    let third = uuid::Uuid::now_v7().to_string();
    let answer = ann.send(&one_doc(&ann, &third, "customer", change)).await;
    assert_eq!(
        answer.rejected[0].reason,
        RejectReason::Forbidden,
        "but not one owned by another team's rep"
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_change_whose_history_the_server_lacks_is_refused_until_the_history_comes() {
    let fx = fixture::start().await;
    let ann = fx.device("ann").await;
    let actor = uuid::Uuid::parse_str(&ann.device_id).unwrap();
    let mut doc = AutoCommit::new();
    doc.set_actor(ActorId::from(actor.as_bytes().as_slice()));
    doc.put(ROOT, "kind", "customer").unwrap();
    doc.put(ROOT, "owner", ann.user_id.as_str()).unwrap();
    doc.put(ROOT, "visibility", "team").unwrap();
    doc.commit();
    let first = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    doc.put(ROOT, "name", "Second Step").unwrap();
    doc.commit();
    let second = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    let doc_id = uuid::Uuid::now_v7().to_string();

    let mut request = one_doc(&ann, &doc_id, "customer", second.clone());
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
    let fx = fixture::start().await;
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
async fn a_visit_cannot_attach_itself_to_a_customer_the_rep_may_not_see() {
    let fx = fixture::start().await;
    let mut ann = fx.device("ann").await;
    let bob = fx.device("bob").await;
    let private = ann
        .fs
        .customers()
        .create(customer("Secret Lead", Visibility::Private))
        .unwrap();
    ann.sync().await;

    let actor = uuid::Uuid::parse_str(&bob.device_id).unwrap();
    let mut visit = AutoCommit::new();
    visit.set_actor(ActorId::from(actor.as_bytes().as_slice()));
    visit.put(ROOT, "kind", "visit").unwrap();
    visit.put(ROOT, "rep", bob.user_id.as_str()).unwrap();
    visit.put(ROOT, "customer", private.as_str()).unwrap();
    visit.commit();
    let change = visit.get_last_local_change().unwrap().raw_bytes().to_vec();
    let answer = bob
        .send(&one_doc(
            &bob,
            &uuid::Uuid::now_v7().to_string(),
            "visit",
            change,
        ))
        .await;
    assert_eq!(answer.rejected[0].reason, RejectReason::Forbidden);
    fx.server.shutdown().await.unwrap();
}
