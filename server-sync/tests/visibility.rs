//! Who receives what: pulls filtered by visibility — private, team and organisation
//! customers, the visits that follow them, a manager's view of the team, a customer shared
//! later arriving whole, and tenants kept apart.

use fieldsales_core::customer::{CustomerPatch, NewCustomer, Visibility};
use fieldsales_core::protocol::{self, Role, SyncResponse};
use fieldsales_testkit::wire::{self, Device};
use fieldsales_testkit::Tenant;

fn customer(name: &str, visibility: Visibility) -> NewCustomer {
    NewCustomer {
        name: name.into(),
        visibility,
        ..Default::default()
    }
}

#[tokio::test]
async fn a_private_customer_reaches_nobody_but_its_owner() {
    let fx = wire::start().await;
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

    let got = Device::received(&ann_tablet.sync().await);
    assert!(got.contains(&private) && got.contains(&shared) && got.contains(&open));
    let got = Device::received(&bob.sync().await);
    assert!(
        !got.contains(&private),
        "a teammate does not get a private customer"
    );
    assert!(got.contains(&shared) && got.contains(&open));
    let got = Device::received(&max.sync().await);
    assert!(!got.contains(&private));
    assert!(got.contains(&shared));
    let got = Device::received(&cat.sync().await);
    assert!(
        !got.contains(&private) && !got.contains(&shared),
        "another team sees neither"
    );
    assert!(
        got.contains(&open),
        "an organisation customer reaches everyone"
    );
    let got = Device::received(&root.sync().await);
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
    assert!(!Device::received(&bob.sync().await).contains(&private));
    assert!(Device::received(&ann_tablet.sync().await).contains(&private));
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn teammates_write_team_customers_and_a_manager_gets_the_whole_teams_visits() {
    let fx = wire::start().await;
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

    let got = Device::received(&max.sync().await);
    assert!(got.contains(&visit_shared) && got.contains(&visit_private));
    assert!(
        !got.contains(&private),
        "the private customer itself stays with its owner"
    );

    let got = Device::received(&cat.sync().await);
    assert!(!got.contains(&visit_shared) && !got.contains(&visit_private));
    fx.server.shutdown().await.unwrap();
}

/// The one test of this story (it was also in the end-to-end suite): what the wire carries
/// (whole documents) and what the teammate's store then holds (every field written before the
/// share).
#[tokio::test]
async fn a_customer_shared_with_the_team_later_arrives_whole_with_its_visits() {
    let fx = wire::start().await;
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
                add_phones: vec!["139 0000 1111".into()],
                add_tags: vec!["key".into()],
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
    let got = bob
        .fs
        .customers()
        .get(&id)
        .expect("shared customers arrive");
    assert_eq!(
        got.name, "Soon Shared",
        "including the history from before the share"
    );
    assert_eq!(got.legal_name.as_deref(), Some("Soon Shared Ltd"));
    assert_eq!(got.phones.len(), 1);
    assert_eq!(got.tags, vec!["key".to_string()]);
    assert!(bob.fs.visits().get(&visit).is_ok());
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn another_tenant_sees_nothing_of_this_one() {
    let fx = wire::start().await;
    fx.seed(&Tenant::new("globex", wire::PASSWORD).member("ann", Role::Admin, None))
        .await;
    let mut acme = fx.device("ann").await;
    acme.fs
        .customers()
        .create(customer("Everyone Here", Visibility::Organisation))
        .unwrap();
    acme.sync().await;

    let device = uuid::Uuid::now_v7().to_string();
    let login = fx
        .login_answer("globex", "ann", wire::PASSWORD, &device)
        .await
        .login();
    let answer = fx
        .post_sync(&login.token, &wire::pull(&device))
        .await
        .bytes()
        .await
        .unwrap();
    let answer: SyncResponse = protocol::decode(&answer, 1 << 20).unwrap();
    assert!(
        answer.docs.is_empty(),
        "even a tenant admin sees only their own tenant"
    );
    assert_eq!(answer.cursor, 0, "each tenant has its own sequence");
    fx.server.shutdown().await.unwrap();
}
