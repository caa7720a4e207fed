//! Two reps edit the same customer offline, then sync through the real server: their work
//! merges instead of overwriting.

use chrono::Utc;
use fieldsales_core::conflict::FieldValue;
use fieldsales_core::customer::{CustomerPatch, Visibility};
use fieldsales_e2e::{projection, World};

fn patch() -> CustomerPatch {
    CustomerPatch::default()
}

#[test]
fn offline_edits_of_different_fields_by_two_reps_both_survive_sync() {
    let world = World::start();
    let ann = world.device("ann");
    let bob = world.device("bob");
    let id = ann.add_customer("北京小米", Visibility::Team);
    ann.sync();
    bob.sync();
    assert_eq!(bob.fs.customers().get(&id).unwrap().name, "北京小米");

    // Both offline: different fields.
    ann.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                legal_name: Some("北京小米科技有限责任公司".into()),
                ..patch()
            },
        )
        .unwrap();
    bob.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                add_phones: vec!["138 1234 5678".into()],
                add_tags: vec!["vip".into()],
                ..patch()
            },
        )
        .unwrap();
    ann.sync();
    bob.sync();
    ann.sync();

    for device in [&ann, &bob] {
        let c = device.fs.customers().get(&id).unwrap();
        assert_eq!(
            c.legal_name.as_deref(),
            Some("北京小米科技有限责任公司"),
            "{}",
            device.user
        );
        assert_eq!(c.phones.len(), 1, "{}", device.user);
        assert_eq!(c.tags, vec!["vip".to_string()], "{}", device.user);
        assert!(device.fs.conflicts().list().unwrap().is_empty());
    }
    assert_eq!(projection(&ann.fs), projection(&bob.fs));
}

#[test]
fn the_same_field_edited_on_two_phones_shows_one_conflict_with_the_same_winner_on_both() {
    let world = World::start();
    let ann = world.device("ann");
    let bob = world.device("bob");
    let id = ann.add_customer("上海浦东", Visibility::Team);
    ann.sync();
    bob.sync();

    ann.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                name: Some("上海浦东发展".into()),
                ..patch()
            },
        )
        .unwrap();
    bob.fs
        .customers()
        .edit(
            &id,
            CustomerPatch {
                name: Some("浦东实业".into()),
                ..patch()
            },
        )
        .unwrap();
    let first = ann.sync();
    let second = bob.sync();
    let third = ann.sync();
    assert!(first.conflicts.is_empty());
    assert_eq!(
        second.conflicts.len(),
        1,
        "bob learns of the conflict when ann's edit arrives"
    );
    assert_eq!(second.conflicts[0].fields, vec!["name".to_string()]);
    assert_eq!(third.conflicts.len(), 1, "and ann when bob's arrives");

    let on_ann = ann.fs.conflicts().for_record(&id).unwrap();
    let on_bob = bob.fs.conflicts().for_record(&id).unwrap();
    assert_eq!(on_ann.fields.len(), 1);
    assert_eq!(on_ann.fields[0].field, "name");
    assert_eq!(
        on_ann.fields[0].current, on_bob.fields[0].current,
        "same winner on both phones"
    );
    let mut candidates: Vec<FieldValue> = on_ann.fields[0]
        .values
        .iter()
        .map(|v| v.value.clone())
        .collect();
    candidates.sort_by_key(|v| format!("{v:?}"));
    let mut expected = vec![
        FieldValue::Text("浦东实业".into()),
        FieldValue::Text("上海浦东发展".into()),
    ];
    expected.sort_by_key(|v| format!("{v:?}"));
    assert_eq!(candidates, expected);
    let writers: Vec<Option<String>> = on_bob.fields[0]
        .values
        .iter()
        .map(|v| v.written_by.clone())
        .collect();
    assert!(
        writers.iter().all(Option::is_some),
        "each candidate names its writer"
    );
    assert_eq!(
        ann.fs.customers().get(&id).unwrap().name,
        bob.fs.customers().get(&id).unwrap().name
    );

    // Resolving on one phone ends the conflict on both.
    bob.fs
        .conflicts()
        .resolve(&id, "name", &FieldValue::Text("上海浦东发展".into()))
        .unwrap();
    bob.sync();
    ann.sync();
    assert!(ann.fs.conflicts().list().unwrap().is_empty());
    assert_eq!(ann.fs.customers().get(&id).unwrap().name, "上海浦东发展");
}

#[test]
fn concurrent_edits_of_visit_notes_merge_as_text() {
    let world = World::start();
    let ann = world.device("ann");
    let mia = world.device("mia");
    let customer = ann.add_customer("广州白云", Visibility::Team);
    let visit = ann.fs.visits().plan(&customer, Utc::now()).unwrap();
    ann.fs
        .visits()
        .edit_notes(&visit, "客户关心价格。")
        .unwrap();
    ann.sync();
    mia.sync();
    assert_eq!(mia.fs.visits().get(&visit).unwrap().notes, "客户关心价格。");

    ann.fs
        .visits()
        .edit_notes(&visit, "客户关心价格。下周再访。")
        .unwrap();
    mia.fs
        .visits()
        .edit_notes(&visit, "经理备注：客户关心价格。")
        .unwrap();
    ann.sync();
    mia.sync();
    ann.sync();

    let merged = ann.fs.visits().get(&visit).unwrap().notes;
    assert_eq!(merged, mia.fs.visits().get(&visit).unwrap().notes);
    assert!(merged.contains("经理备注："), "{merged}");
    assert!(merged.contains("下周再访。"), "{merged}");
    assert_eq!(merged.matches("客户关心价格").count(), 1, "{merged}");
}
