//! Customers: capture, validation at the source, contacts, pipeline, persistence.

mod common;

use common::{credit_code, device};
use fieldsales_core::customer::{Address, ContactInput, CustomerPatch, NewCustomer, Visibility};
use fieldsales_core::quicklog::NewQuickLog;
use fieldsales_core::{Config, Error, FieldSales, Identity};

#[test]
fn messy_phone_numbers_are_stored_in_one_canonical_form() {
    let d = device("rep-1", "north");
    let id =
        d.fs.customers()
            .create(NewCustomer {
                name: "北京小米".into(),
                phones: vec![
                    "+86 138-1234-5678".into(),
                    "0086 13812345678".into(),
                    "(010) 6234 5678".into(),
                ],
                ..Default::default()
            })
            .unwrap();
    let c = d.fs.customers().get(&id).unwrap();
    let phones: Vec<_> = c.phones.iter().map(|p| p.e164.as_str()).collect();
    assert_eq!(phones, vec!["+861062345678", "+8613812345678"]);
    assert_eq!(c.owner.as_deref(), Some("rep-1"));
    assert_eq!(c.team.as_deref(), Some("north"));
    assert_eq!(c.visibility, Visibility::Team);
}

#[test]
fn a_malformed_phone_is_refused_with_the_field_and_nothing_is_stored() {
    let d = device("rep-1", "north");
    let err =
        d.fs.customers()
            .create(NewCustomer {
                name: "华信软件".into(),
                phones: vec!["123 4567 8901".into()],
                ..Default::default()
            })
            .unwrap_err();
    match err {
        Error::Validation { field, reason } => {
            assert_eq!(field, "phones");
            assert!(reason.contains("segment"), "{reason}");
            assert!(
                !reason.contains("4567"),
                "no personal data in errors: {reason}"
            );
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(d.fs.customers().count().unwrap(), 0);
    assert_eq!(d.fs.pending_changes().unwrap(), 0);
}

#[test]
fn a_mistyped_credit_code_is_refused_and_the_customer_is_unchanged() {
    let d = device("rep-1", "north");
    let good = credit_code("91110108MA01ABCD1");
    let id =
        d.fs.customers()
            .create(NewCustomer {
                name: "恒通电子".into(),
                credit_code: Some(good.clone()),
                ..Default::default()
            })
            .unwrap();
    // One character mistyped: the check character no longer matches.
    let mut typo = good.clone().into_bytes();
    typo[10] = if typo[10] == b'1' { b'2' } else { b'1' };
    let typo = String::from_utf8(typo).unwrap();
    let err =
        d.fs.customers()
            .edit(
                &id,
                CustomerPatch {
                    name: Some("恒通电子科技".into()),
                    credit_code: Some(typo),
                    ..Default::default()
                },
            )
            .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "credit_code"),
        "{err:?}"
    );
    let c = d.fs.customers().get(&id).unwrap();
    assert_eq!(c.credit_code.as_deref(), Some(good.as_str()));
    assert_eq!(c.name, "恒通电子", "a refused edit changes no field at all");
}

#[test]
fn bad_emails_and_coordinates_are_refused_by_name() {
    let d = device("rep-1", "north");
    let err =
        d.fs.customers()
            .create(NewCustomer {
                name: "瑞丰".into(),
                emails: vec!["zhang.ming@".into()],
                ..Default::default()
            })
            .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "emails"),
        "{err:?}"
    );
    let err =
        d.fs.customers()
            .create(NewCustomer {
                name: "瑞丰".into(),
                address: Some(Address {
                    text: None,
                    lat: Some(139.9),
                    lon: Some(116.4),
                }),
                ..Default::default()
            })
            .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "address"),
        "{err:?}"
    );
}

#[test]
fn a_customer_needs_only_a_name_or_a_phone() {
    let d = device("rep-1", "north");
    assert!(d.fs.customers().create(NewCustomer::default()).is_err());
    let by_phone =
        d.fs.customers()
            .create(NewCustomer {
                phones: vec!["13912345678".into()],
                ..Default::default()
            })
            .unwrap();
    assert_eq!(d.fs.customers().get(&by_phone).unwrap().name, "");
}

#[test]
fn edits_change_only_the_fields_given() {
    let d = device("rep-1", "north");
    let id =
        d.fs.customers()
            .create(NewCustomer {
                name: "金桥物流".into(),
                legal_name: Some("上海金桥物流有限公司".into()),
                phones: vec!["13812345678".into()],
                tags: vec!["重点".into()],
                ..Default::default()
            })
            .unwrap();
    let c =
        d.fs.customers()
            .edit(
                &id,
                CustomerPatch {
                    add_phones: vec!["021-5888 1234".into()],
                    remove_tags: vec!["重点".into()],
                    add_tags: vec!["华东".into()],
                    visibility: Some(Visibility::Private),
                    custom: [("行业".to_string(), "物流".to_string())].into(),
                    ..Default::default()
                },
            )
            .unwrap();
    assert_eq!(c.legal_name.as_deref(), Some("上海金桥物流有限公司"));
    assert_eq!(c.phones.len(), 2);
    assert_eq!(c.tags, vec!["华东"]);
    assert_eq!(c.visibility, Visibility::Private);
    assert_eq!(c.custom.get("行业").map(String::as_str), Some("物流"));
    // Clearing an optional field with an empty value.
    let c =
        d.fs.customers()
            .edit(
                &id,
                CustomerPatch {
                    legal_name: Some(String::new()),
                    ..Default::default()
                },
            )
            .unwrap();
    assert_eq!(c.legal_name, None);
}

#[test]
fn contacts_are_added_edited_and_removed_by_id() {
    let d = device("rep-1", "north");
    let id =
        d.fs.customers()
            .create(NewCustomer {
                name: "博远咨询".into(),
                ..Default::default()
            })
            .unwrap();
    let contact =
        d.fs.customers()
            .add_contact(
                &id,
                ContactInput {
                    name: Some("王芳".into()),
                    title: Some("采购经理".into()),
                    phone: Some("139 0000 1111".into()),
                    wechat: Some("wangfang88".into()),
                    email: Some("Wang.Fang@BoYuan.com".into()),
                },
            )
            .unwrap();
    let c =
        d.fs.customers()
            .edit_contact(
                &id,
                &contact,
                ContactInput {
                    title: Some("采购总监".into()),
                    ..Default::default()
                },
            )
            .unwrap();
    let k = &c.contacts[0];
    assert_eq!(k.name.as_deref(), Some("王芳"));
    assert_eq!(k.title.as_deref(), Some("采购总监"));
    assert_eq!(k.phone.as_deref(), Some("+8613900001111"));
    assert_eq!(k.email.as_deref(), Some("wang.fang@boyuan.com"));
    let err =
        d.fs.customers()
            .edit_contact(
                &id,
                &contact,
                ContactInput {
                    phone: Some("12".into()),
                    ..Default::default()
                },
            )
            .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == &format!("contacts.{contact}.phone")),
        "{err:?}"
    );
    let c = d.fs.customers().remove_contact(&id, &contact).unwrap();
    assert!(c.contacts.is_empty());
    assert!(matches!(
        d.fs.customers().remove_contact(&id, &contact),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn a_pipeline_stage_is_entered_only_with_its_anchor_action() {
    let d = device("rep-1", "north");
    let id =
        d.fs.customers()
            .create(NewCustomer {
                name: "新锐科技".into(),
                ..Default::default()
            })
            .unwrap();
    let err =
        d.fs.customers()
            .set_stage(&id, "negotiation", None, None)
            .unwrap_err();
    assert!(err.to_string().contains("quote_sent"), "{err}");
    let err =
        d.fs.customers()
            .set_stage(&id, "negotiation", Some("nda_signed"), None)
            .unwrap_err();
    assert!(matches!(err, Error::Validation { .. }));
    // Skipping stages is fine when the target's anchor is there.
    let c =
        d.fs.customers()
            .set_stage(&id, "negotiation", Some("quote_sent"), Some("报价 12 万"))
            .unwrap();
    assert_eq!(c.stage.as_deref(), Some("negotiation"));
    assert_eq!(c.stage_entries[0].anchor, "quote_sent");
    assert_eq!(c.stage_entries[0].by.as_deref(), Some("rep-1"));
    // Back to an earlier stage and forward again: the recorded anchor still counts.
    d.fs.customers()
        .set_stage(&id, "needs_confirmed", Some("requirements_uploaded"), None)
        .unwrap();
    let c =
        d.fs.customers()
            .set_stage(&id, "negotiation", None, None)
            .unwrap();
    assert_eq!(c.stage.as_deref(), Some("negotiation"));
}

#[test]
fn deleted_customers_leave_lists_and_refuse_edits() {
    let d = device("rep-1", "north");
    let id =
        d.fs.customers()
            .create(NewCustomer {
                name: "腾达电子".into(),
                ..Default::default()
            })
            .unwrap();
    d.fs.customers().delete(&id).unwrap();
    assert!(d.fs.customers().list(10, 0).unwrap().is_empty());
    assert!(d.fs.customers().get(&id).unwrap().deleted);
    assert!(matches!(
        d.fs.customers().edit(
            &id,
            CustomerPatch {
                name: Some("x".into()),
                ..Default::default()
            }
        ),
        Err(Error::Deleted { .. })
    ));
}

#[test]
fn unknown_ids_are_not_found_rather_than_errors_of_another_kind() {
    let d = device("rep-1", "north");
    assert!(matches!(
        d.fs.customers().get("not-a-uuid"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        d.fs.customers().get("0190f0f0-0000-7000-8000-000000000000"),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn every_write_survives_reopening_the_store_and_each_user_has_a_database() {
    let d = device("rep-1", "north");
    let id =
        d.fs.customers()
            .create(NewCustomer {
                name: "华信软件".into(),
                ..Default::default()
            })
            .unwrap();
    let device_id = d.fs.device_id();
    drop(d.fs);
    let reopened = FieldSales::open(
        d.dir.path(),
        Identity::new("rep-1", Some("north".into())).unwrap(),
        Config::default(),
    )
    .unwrap();
    assert_eq!(reopened.customers().get(&id).unwrap().name, "华信软件");
    assert_eq!(
        reopened.device_id(),
        device_id,
        "the device keeps its actor id"
    );
    let other = FieldSales::open(
        d.dir.path(),
        Identity::new("rep-2", None).unwrap(),
        Config::default(),
    )
    .unwrap();
    assert_eq!(other.customers().count().unwrap(), 0);
    assert_ne!(other.path(), reopened.path());
}

/// The size of the store's write-ahead log file (0 when there is none).
fn log_bytes(d: &common::Device) -> u64 {
    let path = d.fs.path();
    let wal = path.with_file_name(format!(
        "{}-wal",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0)
}

#[test]
fn the_write_ahead_log_shrinks_back_after_a_big_import() {
    let d = device("rep-1", "north");
    let wal_bytes = || log_bytes(&d);
    // One transaction big enough to grow the log well past its limit (like a first sync's
    // page or an index rebuild): some 20 MB of pages.
    let inputs: Vec<NewCustomer> = (0..6_000)
        .map(|i| NewCustomer {
            name: format!("合肥第{i}号客户有限公司"),
            address: Some(fieldsales_core::customer::Address {
                text: Some(format!("安徽省合肥市蜀山区长江西路{i}号")),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    d.fs.customers().create_many(&inputs).unwrap();
    assert!(
        wal_bytes() > 16 << 20,
        "the import grows the log past its limit: {} bytes",
        wal_bytes()
    );
    // A checkpoint runs in the background; the first write after it restarts the log and
    // cuts it back.
    for i in 0..200 {
        d.fs.customers()
            .create(NewCustomer {
                name: format!("芜湖客户{i}"),
                ..Default::default()
            })
            .unwrap();
        if wal_bytes() <= 16 << 20 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the log kept its high-water mark: {} bytes", wal_bytes());
}

#[test]
fn a_steady_stream_of_writes_keeps_the_log_within_its_limit() {
    // A rep logging a day's calls in a row, or an import: writes that never pause for the
    // background checkpoint. The log must still be copied and started over, not grow with
    // every write (each growing commit also costs the file system a journal commit).
    let d = device("rep-1", "north");
    let customer =
        d.fs.customers()
            .create(NewCustomer {
                name: "无锡客户".into(),
                ..Default::default()
            })
            .unwrap();
    let mut largest = 0;
    for i in 0..2_000 {
        d.fs.quick_log()
            .log(NewQuickLog {
                customer_id: Some(customer.clone()),
                duration_s: Some(60 + i),
                pain_points: vec!["价格".into()],
                next_action: Some("回电".into()),
                ..Default::default()
            })
            .unwrap();
        largest = largest.max(log_bytes(&d));
    }
    // Unchecked, 2,000 quick-logs of ten-odd pages each grow the log to some 90 MB; the store
    // keeps it within its 16 MiB limit (`WAL_SIZE_LIMIT`).
    assert!(
        largest <= 16 << 20,
        "the log grew to {largest} bytes under a stream of writes"
    );
    assert_eq!(d.fs.pending_changes().unwrap(), 1 + 2 * 2_000);
}

#[test]
fn a_database_from_a_newer_app_is_refused_not_damaged() {
    let d = device("rep-1", "north");
    let path = d.fs.path().to_path_buf();
    drop(d.fs);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let err = FieldSales::open(
        d.dir.path(),
        Identity::new("rep-1", None).unwrap(),
        Config::default(),
    )
    .err()
    .unwrap();
    assert!(
        matches!(err, Error::SchemaTooNew { found: 999, .. }),
        "{err:?}"
    );
}

#[test]
fn every_mutation_adds_one_outbox_change_per_record_written() {
    let d = device("rep-1", "north");
    let id =
        d.fs.customers()
            .create(NewCustomer {
                name: "恒通".into(),
                ..Default::default()
            })
            .unwrap();
    assert_eq!(d.fs.pending_changes().unwrap(), 1);
    d.fs.customers()
        .edit(
            &id,
            CustomerPatch {
                name: Some("恒通电子".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(d.fs.pending_changes().unwrap(), 2);
    // An edit that changes nothing writes nothing.
    d.fs.customers()
        .edit(
            &id,
            CustomerPatch {
                name: Some("恒通电子".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(d.fs.pending_changes().unwrap(), 2);
    let outbox = d.fs.outbox(10).unwrap();
    assert!(outbox.iter().all(|c| c.doc_id == id));
    d.fs.acknowledge(outbox[0].seq).unwrap();
    assert_eq!(d.fs.pending_changes().unwrap(), 1);
}

#[test]
fn fields_written_by_a_newer_app_version_survive_an_edit_here() {
    use automerge::{transaction::Transactable, AutoCommit, ReadDoc, ROOT};
    let a = device("rep-1", "north");
    let id =
        a.fs.customers()
            .create(NewCustomer {
                name: "瑞丰".into(),
                ..Default::default()
            })
            .unwrap();
    // A newer app adds a field this version does not know.
    let mut newer = AutoCommit::load(
        &a.fs
            .export_document(fieldsales_core::Kind::Customer, &id)
            .unwrap(),
    )
    .unwrap();
    newer.put(ROOT, "credit_rating", "AA").unwrap();
    newer.commit();
    let change = newer.get_last_local_change().unwrap().raw_bytes().to_vec();
    a.fs.apply_changes(&[fieldsales_core::outbox::IncomingChanges {
        doc_id: id.clone(),
        kind: fieldsales_core::Kind::Customer,
        changes: vec![change],
    }])
    .unwrap();
    a.fs.customers()
        .edit(
            &id,
            CustomerPatch {
                name: Some("瑞丰集团".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let doc = AutoCommit::load(
        &a.fs
            .export_document(fieldsales_core::Kind::Customer, &id)
            .unwrap(),
    )
    .unwrap();
    let rating = doc
        .get(ROOT, "credit_rating")
        .unwrap()
        .unwrap()
        .0
        .to_string();
    assert!(rating.contains("AA"), "{rating}");
    assert_eq!(a.fs.customers().get(&id).unwrap().name, "瑞丰集团");
}
