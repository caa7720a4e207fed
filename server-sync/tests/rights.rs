//! Who sees and who writes what: visibility-filtered pulls, write-rights rejections that leave
//! the server untouched, and changes refused for their actor or their bytes.

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

fn ids(answers: &[fieldsales_core::protocol::SyncResponse]) -> Vec<String> {
    answers
        .iter()
        .flat_map(|a| &a.docs)
        .map(|d| d.doc_id.clone())
        .collect()
}

#[tokio::test]
async fn a_private_customer_reaches_nobody_but_its_owner() {
    let fx = fixture::start().await;
    let mut ann = fx.device("ann").await;
    let mut ann_tablet = fx.device("ann").await;
    let mut bob = fx.device("bob").await;
    let mut max = fx.device("max").await;
    let mut cat = fx.device("cat").await;
    let mut root = fx.device("root").await;
    let private = ann
        .fs
        .customers()
        .create(customer("Secret Lead", Visibility::Private))
        .unwrap();
    let shared = ann
        .fs
        .customers()
        .create(customer("Team Shop", Visibility::Team))
        .unwrap();
    let open = ann
        .fs
        .customers()
        .create(customer("Public Mall", Visibility::Organisation))
        .unwrap();
    ann.sync().await;

    let got = ids(&ann_tablet.sync().await);
    assert!(got.contains(&private) && got.contains(&shared) && got.contains(&open));
    let got = ids(&bob.sync().await);
    assert!(
        !got.contains(&private),
        "a teammate does not get a private customer"
    );
    assert!(got.contains(&shared) && got.contains(&open));
    let got = ids(&max.sync().await);
    assert!(!got.contains(&private));
    assert!(got.contains(&shared));
    let got = ids(&cat.sync().await);
    assert!(
        !got.contains(&private) && !got.contains(&shared),
        "another team sees neither"
    );
    assert!(
        got.contains(&open),
        "an organisation customer reaches everyone"
    );
    let got = ids(&root.sync().await);
    assert!(got.contains(&private), "the admin sees the whole tenant");

    // Later edits follow the same rule on incremental pulls.
    ann.fs
        .customers()
        .edit(
            &private,
            CustomerPatch {
                legal_name: Some("Secret Ltd".into()),
                ..Default::default()
            },
        )
        .unwrap();
    ann.sync().await;
    assert!(!ids(&bob.sync().await).contains(&private));
    assert!(ids(&ann_tablet.sync().await).contains(&private));
    fx.server.shutdown().await.unwrap();
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

#[tokio::test]
async fn teammates_write_team_customers_and_a_manager_gets_the_whole_teams_visits() {
    let fx = fixture::start().await;
    let mut ann = fx.device("ann").await;
    let mut bob = fx.device("bob").await;
    let mut max = fx.device("max").await;
    let mut cat = fx.device("cat").await;
    let shared = ann
        .fs
        .customers()
        .create(customer("Team Shop", Visibility::Team))
        .unwrap();
    let private = ann
        .fs
        .customers()
        .create(customer("Own Lead", Visibility::Private))
        .unwrap();
    let visit_shared = ann.fs.visits().plan(&shared, chrono::Utc::now()).unwrap();
    let visit_private = ann.fs.visits().plan(&private, chrono::Utc::now()).unwrap();
    ann.sync().await;

    bob.sync().await;
    bob.fs
        .customers()
        .edit(
            &shared,
            CustomerPatch {
                add_tags: vec!["vip".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let answers = bob.sync().await;
    assert!(
        answers[0].rejected.is_empty(),
        "a rep writes the team's customers"
    );
    assert!(
        bob.fs.visits().get(&visit_shared).is_ok(),
        "visits of a team customer follow it"
    );
    assert!(bob.fs.visits().get(&visit_private).is_err());

    let got = ids(&max.sync().await);
    assert!(got.contains(&visit_shared) && got.contains(&visit_private));
    assert!(
        !got.contains(&private),
        "the private customer itself stays with its owner"
    );

    let got = ids(&cat.sync().await);
    assert!(!got.contains(&visit_shared) && !got.contains(&visit_private));
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_customer_shared_with_the_team_later_arrives_whole_with_its_visits() {
    let fx = fixture::start().await;
    let mut ann = fx.device("ann").await;
    let mut bob = fx.device("bob").await;
    let id = ann
        .fs
        .customers()
        .create(customer("Soon Shared", Visibility::Private))
        .unwrap();
    let visit = ann.fs.visits().plan(&id, chrono::Utc::now()).unwrap();
    ann.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                legal_name: Some("Soon Shared Ltd".into()),
                ..Default::default()
            },
        )
        .unwrap();
    ann.sync().await;
    bob.sync().await;
    assert!(bob.fs.customers().get(&id).is_err());

    ann.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                visibility: Some(Visibility::Team),
                ..Default::default()
            },
        )
        .unwrap();
    ann.sync().await;
    let answers = bob.sync().await;
    let docs: Vec<_> = answers.iter().flat_map(|a| &a.docs).collect();
    let customer_doc = docs.iter().find(|d| d.doc_id == id).expect("sent");
    assert!(
        customer_doc.snapshot,
        "the earlier history comes too: the document is whole"
    );
    assert!(docs.iter().any(|d| d.doc_id == visit && d.snapshot));
    let got = bob.fs.customers().get(&id).unwrap();
    assert_eq!(got.legal_name.as_deref(), Some("Soon Shared Ltd"));
    assert!(bob.fs.visits().get(&visit).is_ok());
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn another_tenant_sees_nothing_of_this_one() {
    let fx = fixture::start().await;
    let admin = fx.server.admin();
    admin.create_tenant("globex").await.unwrap();
    admin
        .create_user(fieldsales_server::UserSpec {
            tenant: "globex",
            username: "ann",
            password: fixture::PASSWORD,
            role: fieldsales_core::protocol::Role::Admin,
            team: None,
        })
        .await
        .unwrap();
    let mut acme = fx.device("ann").await;
    acme.fs
        .customers()
        .create(customer("Everyone Here", Visibility::Organisation))
        .unwrap();
    acme.sync().await;

    let device = uuid::Uuid::now_v7().to_string();
    let response = fx
        .http
        .post(fx.url("/v1/login"))
        .json(&fieldsales_core::protocol::LoginRequest {
            tenant: "globex".into(),
            username: "ann".into(),
            password: fixture::PASSWORD.into(),
            device_id: device.clone(),
            device_name: None,
        })
        .send()
        .await
        .unwrap();
    let login: fieldsales_core::protocol::LoginResponse = response.json().await.unwrap();
    let body = fieldsales_core::protocol::encode(&SyncRequest {
        device_id: device,
        cursor: 0,
        docs: vec![],
        resume: None,
        max_answer_bytes: None,
    });
    let answer = fx
        .http
        .post(fx.url("/v1/sync"))
        .bearer_auth(&login.token)
        .body(body)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let answer: fieldsales_core::protocol::SyncResponse =
        fieldsales_core::protocol::decode(&answer, 1 << 20).unwrap();
    assert!(
        answer.docs.is_empty(),
        "even a tenant admin sees only their own tenant"
    );
    assert_eq!(answer.cursor, 0, "each tenant has its own sequence");
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
