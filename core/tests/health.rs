//! Data health: incomplete and invalid records are saved, then reported.

mod common;

use automerge::{transaction::Transactable, AutoCommit, ROOT};
use chrono::Duration;
use common::device;
use fieldsales_core::customer::NewCustomer;
use fieldsales_core::health::FindingKind;
use fieldsales_core::outbox::IncomingChanges;
use fieldsales_core::quicklog::NewQuickLog;
use fieldsales_core::Kind;

fn kinds_of(report: &fieldsales_core::health::HealthReport, id: &str) -> Vec<FindingKind> {
    report
        .findings
        .iter()
        .filter(|f| f.customer_id == id)
        .map(|f| f.kind)
        .collect()
}

#[test]
fn a_customer_without_any_phone_is_reported() {
    let d = device("rep-1", "north");
    let bare =
        d.fs.customers()
            .create(NewCustomer {
                name: "无电话公司".into(),
                ..Default::default()
            })
            .unwrap();
    let ok =
        d.fs.customers()
            .create(NewCustomer {
                name: "有电话公司".into(),
                phones: vec!["13812345678".into()],
                ..Default::default()
            })
            .unwrap();
    let report = d.fs.health().report().unwrap();
    assert_eq!(kinds_of(&report, &bare), vec![FindingKind::MissingPhone]);
    assert!(kinds_of(&report, &ok).is_empty());
    assert_eq!(report.customers, 2);
    assert_eq!(report.customers_with_findings, 1);
    assert_eq!(report.counts.get(&FindingKind::MissingPhone), Some(&1));
}

#[test]
fn a_customer_nobody_contacted_for_ninety_days_is_reported_until_someone_does() {
    let d = device("rep-1", "north");
    let id =
        d.fs.customers()
            .create(NewCustomer {
                name: "沉睡客户".into(),
                phones: vec!["13812345678".into()],
                ..Default::default()
            })
            .unwrap();
    d.clock.advance(Duration::days(89));
    assert!(kinds_of(&d.fs.health().report().unwrap(), &id).is_empty());
    d.clock.advance(Duration::days(2));
    let report = d.fs.health().report().unwrap();
    assert_eq!(
        kinds_of(&report, &id),
        vec![FindingKind::NoRecentInteraction]
    );
    assert!(
        report.findings[0].detail.contains("91 days"),
        "{}",
        report.findings[0].detail
    );
    d.fs.quick_log()
        .log(NewQuickLog {
            phone: Some("13812345678".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(kinds_of(&d.fs.health().report().unwrap(), &id).is_empty());
}

#[test]
fn an_invalid_credit_code_from_an_older_client_is_kept_and_reported() {
    let d = device("rep-1", "north");
    // An old client without validation wrote a customer with a mistyped code.
    let id = uuid::Uuid::now_v7().to_string();
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "kind", "customer").unwrap();
    doc.put(ROOT, "name", "旧数据公司").unwrap();
    doc.put(ROOT, "credit_code", "91110108MA01ABCD10").unwrap();
    doc.put(ROOT, "visibility", "team").unwrap();
    d.fs.apply_changes(&[IncomingChanges {
        doc_id: id.clone(),
        kind: Kind::Customer,
        changes: vec![doc.save()],
    }])
    .unwrap();
    let report = d.fs.health().report().unwrap();
    let kinds = kinds_of(&report, &id);
    assert!(kinds.contains(&FindingKind::InvalidCreditCode), "{kinds:?}");
    assert!(kinds.contains(&FindingKind::MissingPhone), "{kinds:?}");
    assert_eq!(
        d.fs.customers().get(&id).unwrap().credit_code.as_deref(),
        Some("91110108MA01ABCD10")
    );
}
