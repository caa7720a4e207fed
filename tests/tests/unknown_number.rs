//! Two reps call the same unknown number while offline: each phone creates a lead for it, and
//! after sync there is one lead, on both phones and on the server, holding both calls and both
//! follow-up tasks — nobody has to merge anything by hand.

use fieldsales_core::quicklog::{Channel, NewQuickLog};
use fieldsales_e2e::{Device, World};

const UNKNOWN: &str = "139 0000 1717";

fn call(device: &Device, next_action: &str) -> (String, String) {
    let logged = device
        .fs
        .quick_log()
        .log(NewQuickLog {
            channel: Channel::Call,
            phone: Some(UNKNOWN.into()),
            next_action: Some(next_action.into()),
            ..Default::default()
        })
        .expect("a call to an unknown number is logged");
    assert!(logged.new_lead, "the number was unknown on this phone");
    let task = logged.entry.task_id.expect("a follow-up task");
    (logged.entry.customer_id, task)
}

/// The customers on `device` that hold the unknown number.
fn leads(device: &Device) -> Vec<String> {
    device
        .fs
        .customers()
        .list(1_000, 0)
        .expect("customers")
        .into_iter()
        .filter(|c| {
            c.phone
                .as_deref()
                .is_some_and(|p| p.replace(' ', "").ends_with("13900001717"))
        })
        .map(|c| c.id)
        .collect()
}

#[test]
fn two_reps_calling_one_unknown_number_offline_end_with_one_lead_everywhere() {
    let world = World::start();
    let ann = world.device("ann");
    let bob = world.device("bob");

    // Both offline: each phone creates its own lead for the number.
    let (ann_lead, ann_task) = call(&ann, "send the price list");
    let (bob_lead, bob_task) = call(&bob, "visit on Friday");
    assert_eq!(ann_lead, bob_lead, "both phones name the lead alike");

    for _ in 0..2 {
        ann.sync();
        bob.sync();
    }
    let server_view = world.device("mia");
    server_view.sync();

    for device in [&ann, &bob, &server_view] {
        assert_eq!(leads(device), vec![ann_lead.clone()], "{}", device.user);
        let tasks: Vec<String> = device
            .fs
            .tasks()
            .for_customer(&ann_lead)
            .expect("tasks")
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert!(
            tasks.contains(&ann_task) && tasks.contains(&bob_task),
            "{}: both follow-ups on the lead, got {tasks:?}",
            device.user
        );
        let calls = device
            .fs
            .customers()
            .timeline(&ann_lead)
            .expect("timeline")
            .into_iter()
            .filter(|i| i.kind == fieldsales_core::protocol::Kind::QuickLog)
            .count();
        assert_eq!(calls, 2, "{}: both calls on the lead", device.user);
        let lead = device.fs.customers().get(&ann_lead).expect("the lead");
        assert_eq!(lead.phones.len(), 1, "{}: one number", device.user);
        // The two phones wrote the same number and the same empty name: nothing to resolve.
        let conflicted: Vec<String> = device
            .fs
            .conflicts()
            .list()
            .expect("conflicts")
            .into_iter()
            .filter(|r| r.record_id == ann_lead)
            .flat_map(|r| r.fields.into_iter().map(|f| f.field))
            .filter(|f| f != "owner")
            .collect();
        assert!(conflicted.is_empty(), "{}: {conflicted:?}", device.user);
    }
    // Both phones' changes were accepted: nothing waits to be shown as refused.
    for device in [&ann, &bob] {
        let rejected = device.fs.sync().rejected().expect("rejected edits");
        assert!(rejected.is_empty(), "{}: {rejected:?}", device.user);
    }
}
