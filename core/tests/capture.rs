//! Capture at the door: quick-logs, visits with check-in, follow-up tasks, the timeline.

mod common;

use chrono::Duration;
use common::{device, monday_morning};
use fieldsales_core::customer::{Address, ContactInput, CustomerPatch, NewCustomer};
use fieldsales_core::quicklog::{Channel, NewQuickLog};
use fieldsales_core::visit::{CheckOut, Fix, Verdict};
use fieldsales_core::{Error, Kind};

/// A customer at Tiananmen (39.9087, 116.3975).
fn customer_with_coordinates(d: &common::Device) -> String {
    d.fs.customers()
        .create(NewCustomer {
            name: "天安科技".into(),
            phones: vec!["13812345678".into()],
            address: Some(Address {
                text: Some("北京市东城区".into()),
                lat: Some(39.9087),
                lon: Some(116.3975),
            }),
            contacts: vec![ContactInput {
                name: Some("李娜".into()),
                phone: Some("+86 139 8888 7777".into()),
                ..Default::default()
            }],
            ..Default::default()
        })
        .unwrap()
}

#[test]
fn a_call_from_a_known_number_is_logged_on_its_customer_with_a_follow_up_task() {
    let d = device("rep-1", "north");
    let customer = customer_with_coordinates(&d);
    let due = monday_morning() + Duration::hours(6);
    let logged =
        d.fs.quick_log()
            .log(NewQuickLog {
                channel: Channel::Call,
                phone: Some("138-1234-5678".into()),
                duration_s: Some(200),
                pain_points: vec!["价格太高".into(), "交付周期长".into()],
                next_action: Some("发送报价单".into()),
                due: Some(due),
                ..Default::default()
            })
            .unwrap();
    assert!(!logged.new_lead);
    assert_eq!(logged.entry.customer_id, customer);
    assert_eq!(logged.entry.at, monday_morning(), "time filled in");
    assert_eq!(logged.entry.pain_points, vec!["交付周期长", "价格太高"]);
    let task =
        d.fs.tasks()
            .get(logged.entry.task_id.as_deref().unwrap())
            .unwrap();
    assert_eq!(task.title, "发送报价单");
    assert_eq!(task.due_at, due);
    assert_eq!(task.customer_id.as_deref(), Some(customer.as_str()));
    assert_eq!(task.source_id.as_deref(), Some(logged.entry.id.as_str()));
    let today = d.fs.tasks().due_today().unwrap();
    assert_eq!(
        today.iter().map(|t| &t.id).collect::<Vec<_>>(),
        vec![&task.id]
    );
}

#[test]
fn a_call_with_a_contact_number_finds_the_contacts_customer() {
    let d = device("rep-1", "north");
    let customer = customer_with_coordinates(&d);
    let logged =
        d.fs.quick_log()
            .log(NewQuickLog {
                phone: Some("0086 13988887777".into()),
                ..Default::default()
            })
            .unwrap();
    assert_eq!(logged.entry.customer_id, customer);
}

#[test]
fn a_number_two_customers_share_lands_on_the_one_touched_last_and_never_on_a_deleted_one() {
    // A switchboard number entered on two customers (a group and its branch): the call goes
    // to the customer someone worked on most recently.
    let d = device("rep-1", "north");
    let customer = |name: &str| {
        d.clock.advance(Duration::minutes(1));
        d.fs.customers()
            .create(NewCustomer {
                name: name.into(),
                phones: vec!["021 6888 1234".into()],
                ..Default::default()
            })
            .unwrap()
    };
    let group = customer("上海华东集团");
    let branch = customer("上海华东集团浦东分公司");
    let call = || {
        d.fs.quick_log()
            .log(NewQuickLog {
                phone: Some("+86 21 6888 1234".into()),
                ..Default::default()
            })
            .unwrap()
            .entry
            .customer_id
    };
    assert_eq!(call(), branch);
    d.clock.advance(Duration::minutes(1));
    d.fs.customers()
        .edit(
            &group,
            CustomerPatch {
                add_tags: vec!["重点".into()],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(call(), group);
    d.fs.customers().delete(&group).unwrap();
    assert_eq!(call(), branch);
}

#[test]
fn an_unknown_number_becomes_an_incomplete_lead_and_the_log_is_kept() {
    let d = device("rep-1", "north");
    let logged =
        d.fs.quick_log()
            .log(NewQuickLog {
                phone: Some("186 0000 1234".into()),
                note: Some("展会上认识的".into()),
                ..Default::default()
            })
            .unwrap();
    assert!(logged.new_lead);
    let lead = d.fs.customers().get(&logged.entry.customer_id).unwrap();
    assert_eq!(lead.name, "");
    assert_eq!(lead.phones[0].e164, "+8618600001234");
    let health = d.fs.health().report().unwrap();
    assert!(health
        .findings
        .iter()
        .any(|f| f.customer_id == lead.id
            && f.kind == fieldsales_core::health::FindingKind::MissingName));
    // The next call from the same number lands on the same lead.
    let again =
        d.fs.quick_log()
            .log(NewQuickLog {
                phone: Some("+8618600001234".into()),
                ..Default::default()
            })
            .unwrap();
    assert!(!again.new_lead);
    assert_eq!(again.entry.customer_id, lead.id);
}

#[test]
fn two_phones_calling_one_unknown_number_name_the_same_lead_and_a_deleted_one_stays_deleted() {
    let ann = device("ann", "north");
    let bob = device("bob", "north");
    let call = |d: &common::Device| {
        d.fs.quick_log()
            .log(NewQuickLog {
                phone: Some("186 0000 4321".into()),
                ..Default::default()
            })
            .unwrap()
    };
    let (on_ann, on_bob) = (call(&ann), call(&bob));
    assert!(on_ann.new_lead && on_bob.new_lead);
    assert_eq!(on_ann.entry.customer_id, on_bob.entry.customer_id);

    // Deleted, the lead is not brought back by the next call: that call gets a lead of its own.
    ann.fs
        .customers()
        .delete(&on_ann.entry.customer_id)
        .unwrap();
    let after = call(&ann);
    assert!(after.new_lead);
    assert_ne!(after.entry.customer_id, on_ann.entry.customer_id);
    assert!(
        ann.fs
            .customers()
            .get(&on_ann.entry.customer_id)
            .unwrap()
            .deleted
    );
}

#[test]
fn a_quick_log_refuses_malformed_values_and_writes_nothing() {
    let d = device("rep-1", "north");
    let bad = [
        (
            NewQuickLog {
                phone: Some("1234".into()),
                ..Default::default()
            },
            "phone",
        ),
        (NewQuickLog::default(), "customer"),
        (
            NewQuickLog {
                phone: Some("13812345678".into()),
                duration_s: Some(-5),
                ..Default::default()
            },
            "duration_s",
        ),
        (
            NewQuickLog {
                phone: Some("13812345678".into()),
                next_action: Some("回访".into()),
                due: Some(monday_morning() - Duration::days(1)),
                ..Default::default()
            },
            "due",
        ),
    ];
    for (input, expected_field) in bad {
        match d.fs.quick_log().log(input) {
            Err(Error::Validation { field, .. }) => assert_eq!(field, expected_field),
            other => panic!("expected a refusal of {expected_field}, got {other:?}"),
        }
    }
    assert_eq!(d.fs.pending_changes().unwrap(), 0);
    assert_eq!(
        d.fs.customers().count().unwrap(),
        0,
        "no lead left behind by a refused log"
    );
}

#[test]
fn a_next_action_without_a_due_time_is_due_after_the_company_delay() {
    let d = device("rep-1", "north");
    customer_with_coordinates(&d);
    let logged =
        d.fs.quick_log()
            .log(NewQuickLog {
                channel: Channel::Wechat,
                phone: Some("13812345678".into()),
                next_action: Some("约见采购负责人".into()),
                ..Default::default()
            })
            .unwrap();
    let task =
        d.fs.tasks()
            .get(logged.entry.task_id.as_deref().unwrap())
            .unwrap();
    assert_eq!(task.due_at, monday_morning() + Duration::hours(24));
}

#[test]
fn check_in_at_the_door_is_verified_and_across_town_is_out_of_range() {
    let d = device("rep-1", "north");
    let customer = customer_with_coordinates(&d);
    // ~110 m north of the customer, fix accurate to 20 m.
    let at_door =
        d.fs.visits()
            .check_in(
                &customer,
                None,
                Some(Fix {
                    lat: 39.9097,
                    lon: 116.3975,
                    accuracy_m: Some(20.0),
                }),
            )
            .unwrap();
    let check_in = at_door.check_in.unwrap();
    assert_eq!(check_in.verdict, Verdict::Verified);
    let distance = check_in.distance_m.unwrap();
    assert!((distance - 111.0).abs() < 5.0, "{distance}");
    // ~5.5 km away.
    let far =
        d.fs.visits()
            .check_in(
                &customer,
                None,
                Some(Fix {
                    lat: 39.9587,
                    lon: 116.3975,
                    accuracy_m: Some(10.0),
                }),
            )
            .unwrap();
    assert_eq!(far.check_in.unwrap().verdict, Verdict::OutOfRange);
    // No fix at all: kept, but unverifiable.
    let blind = d.fs.visits().check_in(&customer, None, None).unwrap();
    assert_eq!(blind.check_in.unwrap().verdict, Verdict::Unverifiable);
}

#[test]
fn a_customer_without_coordinates_makes_check_in_unverifiable() {
    let d = device("rep-1", "north");
    let customer =
        d.fs.customers()
            .create(NewCustomer {
                name: "无坐标公司".into(),
                ..Default::default()
            })
            .unwrap();
    let visit =
        d.fs.visits()
            .check_in(
                &customer,
                None,
                Some(Fix {
                    lat: 39.9,
                    lon: 116.4,
                    accuracy_m: None,
                }),
            )
            .unwrap();
    let check_in = visit.check_in.unwrap();
    assert_eq!(check_in.verdict, Verdict::Unverifiable);
    assert_eq!(check_in.distance_m, None);
}

#[test]
fn the_geofence_radius_is_configurable() {
    let mut d = device("rep-1", "north");
    let customer = customer_with_coordinates(&d);
    let dir = std::mem::replace(&mut d.dir, tempfile::tempdir().unwrap());
    drop(d.fs);
    let config = fieldsales_core::Config {
        geofence_radius_m: 50.0,
        ..Default::default()
    };
    let fs = fieldsales_core::FieldSales::open(
        dir.path(),
        fieldsales_core::Identity::new("rep-1", None).unwrap(),
        config,
    )
    .unwrap();
    let visit = fs
        .visits()
        .check_in(
            &customer,
            None,
            Some(Fix {
                lat: 39.9097,
                lon: 116.3975,
                accuracy_m: Some(5.0),
            }),
        )
        .unwrap();
    assert_eq!(visit.check_in.unwrap().verdict, Verdict::OutOfRange);
}

#[test]
fn a_bad_fix_is_refused() {
    let d = device("rep-1", "north");
    let customer = customer_with_coordinates(&d);
    let err =
        d.fs.visits()
            .check_in(
                &customer,
                None,
                Some(Fix {
                    lat: f64::NAN,
                    lon: 116.0,
                    accuracy_m: None,
                }),
            )
            .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "fix"),
        "{err:?}"
    );
}

#[test]
fn a_planned_visit_is_checked_in_and_out_with_a_follow_up_task() {
    let d = device("rep-1", "north");
    let customer = customer_with_coordinates(&d);
    let planned =
        d.fs.visits()
            .plan(&customer, monday_morning() + Duration::hours(2))
            .unwrap();
    d.clock.advance(Duration::hours(2));
    let visit =
        d.fs.visits()
            .check_in(
                &customer,
                Some(&planned),
                Some(Fix {
                    lat: 39.9087,
                    lon: 116.3976,
                    accuracy_m: Some(8.0),
                }),
            )
            .unwrap();
    assert_eq!(visit.id, planned);
    d.clock.advance(Duration::minutes(40));
    let photo = "a".repeat(64);
    let visit =
        d.fs.visits()
            .check_out(
                &planned,
                CheckOut {
                    notes: Some("客户对价格敏感,决策人是王总".into()),
                    pain_points: vec!["数据不互通".into()],
                    outcome: Some("有意向".into()),
                    next_action: Some("安排技术演示".into()),
                    decision_maker_wechat: Some("wang_zong".into()),
                    photos: vec![photo.clone()],
                    ..Default::default()
                },
            )
            .unwrap();
    assert_eq!(visit.notes, "客户对价格敏感,决策人是王总");
    assert_eq!(visit.photos, vec![photo]);
    let task_id = visit.task_id.clone().unwrap();
    // Changing the next action updates the same task instead of adding another.
    let visit =
        d.fs.visits()
            .check_out(
                &planned,
                CheckOut {
                    next_action: Some("安排高层拜访".into()),
                    ..Default::default()
                },
            )
            .unwrap();
    assert_eq!(visit.task_id.as_deref(), Some(task_id.as_str()));
    let tasks = d.fs.tasks().for_customer(&customer).unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].title, "安排高层拜访");
    let err =
        d.fs.visits()
            .check_out(
                &planned,
                CheckOut {
                    photos: vec!["not-a-hash".into()],
                    ..Default::default()
                },
            )
            .unwrap_err();
    assert!(matches!(&err, Error::Validation { field, .. } if field == "photos"));
}

#[test]
fn visits_are_listed_by_rep_and_date_range() {
    let d = device("rep-1", "north");
    let customer = customer_with_coordinates(&d);
    let first = d.fs.visits().check_in(&customer, None, None).unwrap();
    d.clock.advance(Duration::days(1));
    let second = d.fs.visits().check_in(&customer, None, None).unwrap();
    let day = Duration::days(1);
    let monday =
        d.fs.visits()
            .by_rep(
                "rep-1",
                monday_morning() - Duration::hours(1),
                monday_morning() + Duration::hours(12),
            )
            .unwrap();
    assert_eq!(
        monday.iter().map(|v| &v.id).collect::<Vec<_>>(),
        vec![&first.id]
    );
    let both =
        d.fs.visits()
            .by_rep("rep-1", monday_morning() - day, monday_morning() + day * 2)
            .unwrap();
    assert_eq!(
        both.iter().map(|v| &v.id).collect::<Vec<_>>(),
        vec![&first.id, &second.id]
    );
    assert!(d
        .fs
        .visits()
        .by_rep("rep-2", monday_morning() - day, monday_morning() + day * 2)
        .unwrap()
        .is_empty());
}

#[test]
fn today_and_overdue_tasks_follow_the_clock() {
    let d = device("rep-1", "north");
    let customer = customer_with_coordinates(&d);
    let tasks = d.fs.tasks();
    let morning = tasks
        .create(fieldsales_core::task::NewTask {
            title: "回电话".into(),
            customer_id: Some(customer.clone()),
            due_at: Some(monday_morning() + Duration::hours(1)),
            assignee: None,
        })
        .unwrap();
    let tomorrow = tasks
        .create(fieldsales_core::task::NewTask {
            title: "发合同".into(),
            customer_id: Some(customer.clone()),
            due_at: Some(monday_morning() + Duration::days(1)),
            assignee: None,
        })
        .unwrap();
    let ids = |v: Vec<fieldsales_core::task::Task>| v.into_iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(ids(tasks.due_today().unwrap()), vec![morning.clone()]);
    assert!(tasks.overdue().unwrap().is_empty());
    d.clock.advance(Duration::hours(3));
    assert_eq!(ids(tasks.overdue().unwrap()), vec![morning.clone()]);
    assert!(tasks.due_today().unwrap().is_empty());
    tasks.complete(&morning).unwrap();
    assert!(tasks.overdue().unwrap().is_empty());
    d.clock.advance(Duration::days(1));
    assert_eq!(ids(tasks.overdue().unwrap()), vec![tomorrow]);
    assert!(tasks.get(&morning).unwrap().done);
}

#[test]
fn the_customer_timeline_holds_visits_logs_and_tasks_in_time_order() {
    let d = device("rep-1", "north");
    let customer = customer_with_coordinates(&d);
    let visit = d.fs.visits().check_in(&customer, None, None).unwrap();
    d.clock.advance(Duration::hours(1));
    let logged =
        d.fs.quick_log()
            .log(NewQuickLog {
                customer_id: Some(customer.clone()),
                channel: Channel::Wechat,
                next_action: Some("寄样品".into()),
                due: Some(monday_morning() + Duration::hours(5)),
                ..Default::default()
            })
            .unwrap();
    let timeline = d.fs.customers().timeline(&customer).unwrap();
    let kinds: Vec<_> = timeline.iter().map(|i| (i.kind, i.id.clone())).collect();
    assert_eq!(
        kinds,
        vec![
            (Kind::Visit, visit.id),
            (Kind::QuickLog, logged.entry.id),
            (Kind::Task, logged.entry.task_id.unwrap()),
        ]
    );
    assert!(timeline[1].summary.contains("寄样品"));
}
