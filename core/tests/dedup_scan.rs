//! The full scan and contact de-duplication: groups of likely duplicates with the duplicate
//! rate, and one person entered as several contacts collapsing into one.

mod common;

use common::device;
use fieldsales_core::customer::{ContactInput, NewCustomer};

fn customer(name: &str, phone: Option<&str>) -> NewCustomer {
    NewCustomer {
        name: name.into(),
        phones: phone.into_iter().map(str::to_string).collect(),
        ..Default::default()
    }
}

#[test]
fn a_scan_groups_the_copies_of_each_customer_and_gives_the_duplicate_rate() {
    let d = device("rep-a", "north");
    let ids =
        d.fs.customers()
            .create_many(&[
                customer("北京小米科技有限责任公司", None),
                customer("小米科技（北京）", None),
                customer("小米科技", Some("13812345678")),
                customer("华信物流", Some("13812345678")),
                customer("远航控股", Some("13900001111")),
                customer("远航控股集团", None),
                customer("博远咨询", None),
                customer("北京小米信息技术", None),
            ])
            .unwrap();
    let report = d.fs.dedup().scan().unwrap();
    assert_eq!(report.customers, 8);
    let mut groups: Vec<Vec<String>> = report
        .groups
        .iter()
        .map(|g| g.customer_ids.clone())
        .collect();
    groups.sort();
    let mut expected = vec![
        vec![
            ids[0].clone(),
            ids[1].clone(),
            ids[2].clone(),
            ids[3].clone(),
        ],
        vec![ids[4].clone(), ids[5].clone()],
    ];
    expected.sort();
    assert_eq!(groups, expected, "{report:#?}");
    assert_eq!(report.redundant, 4);
    assert_eq!(report.duplicate_rate, 0.5);
    assert!(report.groups.iter().all(|g| !g.reasons.is_empty()));
}

#[test]
fn an_empty_book_scans_to_a_zero_rate() {
    let d = device("rep-a", "north");
    let report = d.fs.dedup().scan().unwrap();
    assert_eq!((report.customers, report.redundant), (0, 0));
    assert_eq!(report.duplicate_rate, 0.0);
}

fn contact(name: &str, title: Option<&str>, phone: Option<&str>) -> ContactInput {
    ContactInput {
        name: Some(name.into()),
        title: title.map(Into::into),
        phone: phone.map(Into::into),
        ..Default::default()
    }
}

#[test]
fn title_variants_of_one_person_are_one_contact_unless_their_phones_differ() {
    let d = device("rep-a", "north");
    let id =
        d.fs.customers()
            .create(NewCustomer {
                name: "华信软件".into(),
                contacts: vec![
                    contact("王经理", None, Some("13812345678")),
                    contact("王总监", Some("技术总监"), None),
                    contact("王先生", None, None),
                    contact("李明", Some("采购经理"), None),
                    contact("张总", None, Some("13800000001")),
                    contact("张先生", None, Some("13800000002")),
                ],
                ..Default::default()
            })
            .unwrap();
    let groups = d.fs.dedup().duplicate_contacts(&id).unwrap();
    assert_eq!(groups.len(), 1, "{groups:#?}");
    let mut names: Vec<String> = groups[0]
        .members
        .iter()
        .filter_map(|m| m.name.clone())
        .collect();
    names.sort();
    assert_eq!(names, vec!["王先生", "王总监", "王经理"]);
}

#[test]
fn merging_contacts_keeps_one_with_the_fullest_name_and_every_detail() {
    let d = device("rep-a", "north");
    let id =
        d.fs.customers()
            .create(NewCustomer {
                name: "华信软件".into(),
                contacts: vec![
                    contact("王经理", Some("采购经理"), Some("13812345678")),
                    contact("王建国", None, None),
                    ContactInput {
                        name: Some("王总".into()),
                        wechat: Some("wjg_1980".into()),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            })
            .unwrap();
    let group = d.fs.dedup().duplicate_contacts(&id).unwrap().remove(0);
    assert_eq!(group.members.len(), 3);
    let others: Vec<String> = group
        .members
        .iter()
        .map(|m| m.contact_id.clone())
        .filter(|c| *c != group.keep)
        .collect();
    let customer =
        d.fs.dedup()
            .merge_contacts(&id, &group.keep, &others)
            .unwrap();
    assert_eq!(customer.contacts.len(), 1);
    let kept = &customer.contacts[0];
    assert_eq!(kept.name.as_deref(), Some("王建国"));
    assert_eq!(kept.title.as_deref(), Some("采购经理"));
    assert_eq!(kept.phone.as_deref(), Some("+8613812345678"));
    assert_eq!(kept.wechat.as_deref(), Some("wjg_1980"));
    assert!(d.fs.dedup().duplicate_contacts(&id).unwrap().is_empty());
    let err =
        d.fs.dedup()
            .merge_contacts(&id, &group.keep, &["no-such-contact".into()])
            .unwrap_err();
    assert!(matches!(err, fieldsales_core::Error::NotFound { .. }));
}
