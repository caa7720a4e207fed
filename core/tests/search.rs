//! Finding a customer in a second: Chinese substring, pinyin, phone digits.

mod common;

use common::device;
use fieldsales_core::customer::{ContactInput, NewCustomer};

fn seeded() -> (common::Device, String, String) {
    let d = device("rep-1", "north");
    let xiaomi =
        d.fs.customers()
            .create(NewCustomer {
                name: "北京小米".into(),
                legal_name: Some("小米科技有限责任公司".into()),
                phones: vec!["138 1234 5678".into()],
                contacts: vec![ContactInput {
                    name: Some("张明".into()),
                    phone: Some("13900005555".into()),
                    ..Default::default()
                }],
                ..Default::default()
            })
            .unwrap();
    let huaxin =
        d.fs.customers()
            .create(NewCustomer {
                name: "华信软件".into(),
                phones: vec!["010-6234 9999".into()],
                ..Default::default()
            })
            .unwrap();
    (d, xiaomi, huaxin)
}

fn ids(hits: Vec<fieldsales_core::customer::CustomerSummary>) -> Vec<String> {
    hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn a_chinese_substring_finds_the_customer() {
    let (d, xiaomi, huaxin) = seeded();
    assert_eq!(
        ids(d.fs.search().customers("小米", 10).unwrap()),
        vec![xiaomi.clone()]
    );
    assert_eq!(
        ids(d.fs.search().customers("科技有限", 10).unwrap()),
        vec![xiaomi.clone()]
    );
    assert_eq!(
        ids(d.fs.search().customers("信", 10).unwrap()),
        vec![huaxin]
    );
    assert!(
        d.fs.search().customers("米小", 10).unwrap().is_empty(),
        "order matters"
    );
}

#[test]
fn pinyin_initials_and_full_pinyin_find_the_customer() {
    let (d, xiaomi, huaxin) = seeded();
    assert_eq!(
        ids(d.fs.search().customers("bjxm", 10).unwrap()),
        vec![xiaomi.clone()]
    );
    assert_eq!(
        ids(d.fs.search().customers("BJXM", 10).unwrap()),
        vec![xiaomi.clone()]
    );
    assert_eq!(
        ids(d.fs.search().customers("xiaomi", 10).unwrap()),
        vec![xiaomi.clone()]
    );
    assert_eq!(
        ids(d.fs.search().customers("xm", 10).unwrap()),
        vec![xiaomi.clone()]
    );
    assert_eq!(
        ids(d.fs.search().customers("hxrj", 10).unwrap()),
        vec![huaxin]
    );
}

#[test]
fn a_contact_name_finds_the_customer() {
    let (d, xiaomi, _) = seeded();
    assert_eq!(
        ids(d.fs.search().customers("张明", 10).unwrap()),
        vec![xiaomi.clone()]
    );
    assert_eq!(
        ids(d.fs.search().customers("zhangming", 10).unwrap()),
        vec![xiaomi]
    );
}

#[test]
fn the_last_digits_of_any_phone_find_the_customer() {
    let (d, xiaomi, huaxin) = seeded();
    assert_eq!(
        ids(d.fs.search().customers("5678", 10).unwrap()),
        vec![xiaomi.clone()]
    );
    assert_eq!(
        ids(d.fs.search().customers("5555", 10).unwrap()),
        vec![xiaomi.clone()],
        "contact phone"
    );
    assert_eq!(
        ids(d.fs.search().customers("+86 138-1234-5678", 10).unwrap()),
        vec![xiaomi]
    );
    assert_eq!(
        ids(d.fs.search().customers("010 62349999", 10).unwrap()),
        vec![huaxin]
    );
    assert!(d.fs.search().customers("0000", 10).unwrap().is_empty());
}

#[test]
fn deleted_customers_are_not_found_and_renames_are() {
    let (d, xiaomi, huaxin) = seeded();
    d.fs.customers().delete(&xiaomi).unwrap();
    assert!(d.fs.search().customers("小米", 10).unwrap().is_empty());
    assert!(d.fs.search().customers("5678", 10).unwrap().is_empty());
    d.fs.customers()
        .edit(
            &huaxin,
            fieldsales_core::customer::CustomerPatch {
                name: Some("华信智能".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(d.fs.search().customers("软件", 10).unwrap().is_empty());
    assert_eq!(
        ids(d.fs.search().customers("智能", 10).unwrap()),
        vec![huaxin]
    );
}

#[test]
fn odd_queries_find_nothing_instead_of_failing() {
    let (d, xiaomi, _) = seeded();
    // Search syntax and too little to go on: no error, and no hit.
    for q in ["", "   ", "\"", "*", "AND", "(", "NEAR(", "12"] {
        let result = d.fs.search().customers(q, 10);
        assert!(
            result.as_ref().is_ok_and(|hits| hits.is_empty()),
            "query {q:?} should find nothing: {result:?}"
        );
    }
    // A stray quote around a word is typing, not syntax: the word is still found.
    assert_eq!(
        ids(d.fs.search().customers("小米\"", 10).unwrap()),
        vec![xiaomi.clone()]
    );
    assert_eq!(d.fs.search().customers("小米", 1).unwrap().len(), 1);
}

#[test]
fn projections_rebuilt_from_documents_answer_the_same() {
    let (d, xiaomi, _) = seeded();
    assert_eq!(d.fs.rebuild_projections().unwrap(), 2);
    assert_eq!(
        ids(d.fs.search().customers("bjxm", 10).unwrap()),
        vec![xiaomi.clone()]
    );
    assert_eq!(
        ids(d.fs.search().customers("5678", 10).unwrap()),
        vec![xiaomi]
    );
}
