//! The convergence property: whatever 3–5 devices do offline, and however the network loses or
//! repeats their syncs, once everyone has synced every device and the server hold identical
//! records, and every write the server acknowledged is in them.
//!
//! Devices belong to one team (ann on two phones, bob, manager mia, bob's second phone), so
//! every device may see every record and the comparison is over whole stores. Writes carry unique
//! tokens in places that survive any merge (custom-field keys, text inserted into visit notes),
//! so "present" is a string search; name edits race on one field on purpose to exercise
//! conflicts, and deletes tombstone. The server's view is a fresh device signed in at the end.
//!
//! Cases: `FIELDSALES_PROPTEST_CASES` (default 32; each case starts its own server).

use std::collections::BTreeMap;

use chrono::Utc;
use fieldsales_core::customer::{CustomerPatch, NewCustomer};
use fieldsales_e2e::{projection, Device, Fault, World};
use proptest::prelude::*;

const USERS: [&str; 5] = ["ann", "ann", "bob", "mia", "bob"];

#[derive(Debug, Clone)]
enum Op {
    Create {
        device: usize,
    },
    EditCustom {
        device: usize,
        pick: usize,
    },
    Rename {
        device: usize,
        pick: usize,
    },
    PlanVisit {
        device: usize,
        pick: usize,
    },
    Note {
        device: usize,
        pick: usize,
        at_start: bool,
    },
    Delete {
        device: usize,
        pick: usize,
    },
    Sync {
        device: usize,
        fault: Fault,
    },
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        4 => Just(Fault::Pass),
        1 => Just(Fault::DropRequest),
        1 => Just(Fault::DropAnswer),
        1 => Just(Fault::Repeat),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let d = 0..5usize;
    let p = 0..64usize;
    prop_oneof![
        3 => d.clone().prop_map(|device| Op::Create { device }),
        3 => (d.clone(), p.clone()).prop_map(|(device, pick)| Op::EditCustom { device, pick }),
        1 => (d.clone(), p.clone()).prop_map(|(device, pick)| Op::Rename { device, pick }),
        2 => (d.clone(), p.clone()).prop_map(|(device, pick)| Op::PlanVisit { device, pick }),
        3 => (d.clone(), p.clone(), any::<bool>())
            .prop_map(|(device, pick, at_start)| Op::Note { device, pick, at_start }),
        1 => (d.clone(), p).prop_map(|(device, pick)| Op::Delete { device, pick }),
        4 => (d, fault()).prop_map(|(device, fault)| Op::Sync { device, fault }),
    ]
}

fn cases() -> u32 {
    std::env::var("FIELDSALES_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

/// A write that must survive: `token` inside document `doc`.
#[derive(Debug, Clone)]
struct Mark {
    doc: String,
    token: String,
}

struct Run {
    world: World,
    devices: Vec<Device>,
    /// Per device: marks written but not yet known to be acknowledged.
    unacked: Vec<Vec<Mark>>,
    acked: Vec<Mark>,
    next_token: usize,
}

impl Run {
    fn token(&mut self) -> String {
        self.next_token += 1;
        format!("t{}x", self.next_token)
    }

    fn ids(&self, device: usize, kind: &str) -> Vec<String> {
        projection(&self.devices[device].fs)
            .into_iter()
            .filter(|(_, v)| v["kind"] == kind && v["doc"]["deleted"] != true)
            .map(|(id, _)| id)
            .collect()
    }

    fn pick(&self, device: usize, kind: &str, pick: usize) -> Option<String> {
        let ids = self.ids(device, kind);
        (!ids.is_empty()).then(|| ids[pick % ids.len()].clone())
    }

    fn apply(&mut self, op: &Op) {
        let n = self.devices.len();
        match *op {
            Op::Create { device } => {
                let d = device % n;
                let token = self.token();
                let id = self.devices[d]
                    .fs
                    .customers()
                    .create(NewCustomer {
                        name: token.clone(),
                        // The name may be renamed later; the custom key stays.
                        custom: BTreeMap::from([(token.clone(), "1".to_string())]),
                        ..Default::default()
                    })
                    .expect("create");
                self.unacked[d].push(Mark { doc: id, token });
            }
            Op::EditCustom { device, pick } => {
                let d = device % n;
                let Some(id) = self.pick(d, "customer", pick) else {
                    return;
                };
                let token = self.token();
                let mut custom = BTreeMap::new();
                custom.insert(token.clone(), "1".to_string());
                let patch = CustomerPatch {
                    custom,
                    ..Default::default()
                };
                if self.devices[d].fs.customers().edit(&id, patch).is_ok() {
                    self.unacked[d].push(Mark { doc: id, token });
                }
            }
            Op::Rename { device, pick } => {
                let d = device % n;
                let Some(id) = self.pick(d, "customer", pick) else {
                    return;
                };
                let name = format!("改名{}", self.token());
                let patch = CustomerPatch {
                    name: Some(name),
                    ..Default::default()
                };
                let _ = self.devices[d].fs.customers().edit(&id, patch);
            }
            Op::PlanVisit { device, pick } => {
                let d = device % n;
                let Some(customer) = self.pick(d, "customer", pick) else {
                    return;
                };
                let _ = self.devices[d].fs.visits().plan(&customer, Utc::now());
            }
            Op::Note {
                device,
                pick,
                at_start,
            } => {
                let d = device % n;
                let user = self.devices[d].user.clone();
                // Reps write their own visits; the manager writes the team's.
                let own: Vec<String> = self
                    .ids(d, "visit")
                    .into_iter()
                    .filter(|id| {
                        user == "mia"
                            || self.devices[d].fs.visits().get(id).map(|v| v.rep).ok()
                                == Some(self.devices[d].fs.identity().user_id.clone())
                    })
                    .collect();
                if own.is_empty() {
                    return;
                }
                let id = own[pick % own.len()].clone();
                let Ok(visit) = self.devices[d].fs.visits().get(&id) else {
                    return;
                };
                let token = self.token();
                let text = if at_start {
                    format!("{token} {}", visit.notes)
                } else {
                    format!("{} {token}", visit.notes)
                };
                if self.devices[d].fs.visits().edit_notes(&id, &text).is_ok() {
                    self.unacked[d].push(Mark { doc: id, token });
                }
            }
            Op::Delete { device, pick } => {
                let d = device % n;
                if let Some(id) = self.pick(d, "customer", pick) {
                    let _ = self.devices[d].fs.customers().delete(&id);
                }
            }
            Op::Sync { device, fault } => {
                let d = device % n;
                self.world.proxy.plan([fault]);
                self.sync_once(d);
            }
        }
    }

    /// One sync attempt; when it succeeds with nothing left pending, the device's marks are
    /// acknowledged.
    fn sync_once(&mut self, d: usize) {
        if let Ok(report) = self.devices[d].fs.sync().sync_now() {
            assert!(
                report.rejected.is_empty(),
                "nothing here breaks a write rule: {report:?}"
            );
            if self.devices[d].fs.pending_changes().expect("pending") == 0 {
                let marks = std::mem::take(&mut self.unacked[d]);
                self.acked.extend(marks);
            }
        }
    }
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Op>)> {
    (3..=5usize, prop::collection::vec(op(), 8..40))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 16,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn devices_converge_through_a_lossy_network_and_keep_every_acknowledged_write(
        (count, ops) in scenario()
    ) {
        let world = World::start();
        let devices: Vec<Device> = USERS[..count].iter().map(|u| world.device(u)).collect();
        let mut run = Run {
            world,
            unacked: vec![Vec::new(); count],
            devices,
            acked: Vec::new(),
            next_token: 0,
        };
        for op in &ops {
            run.apply(op);
        }

        // Everyone syncs on a clean network: one round to push, one to pull.
        for _ in 0..2 {
            for d in 0..count {
                run.devices[d].sync();
                run.sync_once(d);
            }
        }
        let server = Device::sign_in(&run.world.proxy.url(), "mia", |_| {});
        server.sync();
        let reference = projection(&server.fs);
        for device in &run.devices {
            prop_assert_eq!(device.fs.pending_changes().unwrap(), 0);
            let mine = projection(&device.fs);
            prop_assert_eq!(
                mine.keys().collect::<Vec<_>>(),
                reference.keys().collect::<Vec<_>>(),
                "{} holds other records than the server", device.user
            );
            prop_assert!(mine == reference, "{} differs from the server", device.user);
        }
        for mark in run.acked.iter().chain(run.unacked.iter().flatten()) {
            let doc = reference.get(&mark.doc);
            prop_assert!(doc.is_some(), "record of {} lost", mark.token);
            prop_assert!(
                doc.map(|d| d.to_string().contains(&mark.token)).unwrap_or(false),
                "write {} lost", mark.token
            );
        }
    }
}
