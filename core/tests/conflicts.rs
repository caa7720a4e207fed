//! Concurrent edits made apart: different fields both survive, the same field shows a
//! conflict with who wrote each value, notes merge as text, and a resolution ends it everywhere.

mod common;

use common::{device, send};
use fieldsales_core::conflict::FieldValue;
use fieldsales_core::customer::{CustomerPatch, NewCustomer};
use fieldsales_core::visit::CheckOut;
use fieldsales_core::Error;

#[test]
fn two_reps_editing_one_customer_apart_keep_both_edits_and_see_the_same_conflict() {
    let a = device("rep-a", "north");
    let b = device("rep-b", "north");
    let id =
        a.fs.customers()
            .create(NewCustomer {
                name: "华信软件".into(),
                ..Default::default()
            })
            .unwrap();
    send(&a, &b);
    assert_eq!(b.fs.customers().get(&id).unwrap().name, "华信软件");

    // Offline, both rename it; A adds a phone, B a legal name.
    a.fs.customers()
        .edit(
            &id,
            CustomerPatch {
                name: Some("华信软件(北京)".into()),
                add_phones: vec!["13812345678".into()],
                ..Default::default()
            },
        )
        .unwrap();
    b.fs.customers()
        .edit(
            &id,
            CustomerPatch {
                name: Some("北京华信".into()),
                legal_name: Some("北京华信软件有限公司".into()),
                ..Default::default()
            },
        )
        .unwrap();
    send(&a, &b);
    send(&b, &a);

    let on_a = a.fs.customers().get(&id).unwrap();
    let on_b = b.fs.customers().get(&id).unwrap();
    assert_eq!(on_a, on_b, "both devices converge");
    assert_eq!(on_a.phones[0].e164, "+8613812345678");
    assert_eq!(on_a.legal_name.as_deref(), Some("北京华信软件有限公司"));

    let conflicts_a = a.fs.conflicts().for_record(&id).unwrap();
    let conflicts_b = b.fs.conflicts().for_record(&id).unwrap();
    assert_eq!(
        conflicts_a, conflicts_b,
        "same conflict, same winner on both phones"
    );
    assert_eq!(conflicts_a.fields.len(), 1, "{conflicts_a:#?}");
    let name = &conflicts_a.fields[0];
    assert_eq!(name.field, "name");
    assert_eq!(name.current, FieldValue::Text(on_a.name.clone()));
    let mut written: Vec<_> = name
        .values
        .iter()
        .map(|v| (v.written_by.clone().unwrap(), v.value.clone()))
        .collect();
    written.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        written,
        vec![
            (
                "rep-a".to_string(),
                FieldValue::Text("华信软件(北京)".into())
            ),
            ("rep-b".to_string(), FieldValue::Text("北京华信".into())),
        ]
    );
    assert_eq!(a.fs.conflicts().list().unwrap().len(), 1);

    // B keeps A's name; once synced, the conflict is gone on both devices.
    b.fs.conflicts()
        .resolve(&id, "name", &FieldValue::Text("华信软件(北京)".into()))
        .unwrap();
    send(&b, &a);
    for d in [&a, &b] {
        assert_eq!(d.fs.customers().get(&id).unwrap().name, "华信软件(北京)");
        assert!(d.fs.conflicts().for_record(&id).unwrap().fields.is_empty());
        assert!(d.fs.conflicts().list().unwrap().is_empty());
    }
}

#[test]
fn a_contact_phone_edited_on_two_devices_is_a_conflict_at_its_path() {
    let a = device("rep-a", "north");
    let b = device("rep-b", "north");
    let id =
        a.fs.customers()
            .create(NewCustomer {
                name: "金桥物流".into(),
                ..Default::default()
            })
            .unwrap();
    let contact =
        a.fs.customers()
            .add_contact(
                &id,
                fieldsales_core::customer::ContactInput {
                    name: Some("王经理".into()),
                    ..Default::default()
                },
            )
            .unwrap();
    send(&a, &b);
    let phone = |p: &str| fieldsales_core::customer::ContactInput {
        phone: Some(p.into()),
        ..Default::default()
    };
    a.fs.customers()
        .edit_contact(&id, &contact, phone("13800001111"))
        .unwrap();
    b.fs.customers()
        .edit_contact(&id, &contact, phone("13900002222"))
        .unwrap();
    send(&a, &b);
    send(&b, &a);
    let fields = a.fs.conflicts().for_record(&id).unwrap().fields;
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].field, format!("contacts.{contact}.phone"));
    // Both numbers still find the customer until the conflict is resolved.
    let err =
        a.fs.conflicts()
            .resolve(
                &id,
                &fields[0].field,
                &FieldValue::Text("+8613000000000".into()),
            )
            .unwrap_err();
    assert!(
        matches!(err, Error::Conflict { .. }),
        "only a candidate can be chosen"
    );
    a.fs.conflicts()
        .resolve(
            &id,
            &fields[0].field,
            &FieldValue::Text("+8613900002222".into()),
        )
        .unwrap();
    assert!(a.fs.conflicts().for_record(&id).unwrap().fields.is_empty());
    assert_eq!(
        a.fs.customers().get(&id).unwrap().contacts[0]
            .phone
            .as_deref(),
        Some("+8613900002222")
    );
}

#[test]
fn visit_notes_edited_apart_merge_as_text() {
    let a = device("rep-a", "north");
    let b = device("manager", "north");
    let customer =
        a.fs.customers()
            .create(NewCustomer {
                name: "博远咨询".into(),
                ..Default::default()
            })
            .unwrap();
    let visit = a.fs.visits().check_in(&customer, None, None).unwrap();
    a.fs.visits()
        .check_out(
            &visit.id,
            CheckOut {
                notes: Some("客户关注价格。".into()),
                ..Default::default()
            },
        )
        .unwrap();
    send(&a, &b);
    a.fs.visits()
        .edit_notes(&visit.id, "客户关注价格。下周再约。")
        .unwrap();
    b.fs.visits()
        .edit_notes(&visit.id, "重点客户:客户关注价格。")
        .unwrap();
    send(&a, &b);
    send(&b, &a);
    let notes_a = a.fs.visits().get(&visit.id).unwrap().notes;
    let notes_b = b.fs.visits().get(&visit.id).unwrap().notes;
    assert_eq!(notes_a, notes_b);
    assert_eq!(notes_a, "重点客户:客户关注价格。下周再约。");
    assert!(a
        .fs
        .conflicts()
        .for_record(&visit.id)
        .unwrap()
        .fields
        .is_empty());
}

#[test]
fn concurrent_tag_and_pain_point_adds_both_survive() {
    let a = device("rep-a", "north");
    let b = device("rep-b", "north");
    let id =
        a.fs.customers()
            .create(NewCustomer {
                name: "瑞丰".into(),
                ..Default::default()
            })
            .unwrap();
    send(&a, &b);
    a.fs.customers()
        .edit(
            &id,
            CustomerPatch {
                add_tags: vec!["华北".into()],
                ..Default::default()
            },
        )
        .unwrap();
    b.fs.customers()
        .edit(
            &id,
            CustomerPatch {
                add_tags: vec!["重点".into()],
                ..Default::default()
            },
        )
        .unwrap();
    send(&a, &b);
    send(&b, &a);
    assert_eq!(
        a.fs.customers().get(&id).unwrap().tags,
        vec!["华北", "重点"]
    );
    assert!(a.fs.conflicts().list().unwrap().is_empty());
}

#[test]
fn garbage_from_the_network_is_refused_and_changes_nothing() {
    let a = device("rep-a", "north");
    let id =
        a.fs.customers()
            .create(NewCustomer {
                name: "瑞丰".into(),
                ..Default::default()
            })
            .unwrap();
    let err =
        a.fs.apply_changes(&[fieldsales_core::outbox::IncomingChanges {
            doc_id: id.clone(),
            kind: fieldsales_core::Kind::Customer,
            changes: vec![b"definitely not automerge".to_vec()],
        }])
        .unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err:?}");
    let err =
        a.fs.apply_changes(&[fieldsales_core::outbox::IncomingChanges {
            doc_id: id.clone(),
            kind: fieldsales_core::Kind::Visit,
            changes: vec![],
        }])
        .unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err:?}");
    assert_eq!(a.fs.customers().get(&id).unwrap().name, "瑞丰");
}
