//! The auto-sync engine against the real server: it syncs by itself when the app reports the
//! network back and when the server announces new data — with every other trigger parked far in
//! the future, so only the trigger under test can have caused the sync.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use fieldsales_core::customer::NewCustomer;
use fieldsales_core::sync::{Backoff, SyncConfig, SyncListener, SyncReport};
use fieldsales_e2e::{wait_until, Device, World};

const PARKED: Duration = Duration::from_secs(3600);
const PATIENCE: Duration = Duration::from_secs(60);

fn parked(c: &mut SyncConfig) {
    c.debounce = PARKED;
    c.periodic = PARKED;
    c.backoff = Backoff {
        initial: PARKED,
        max: PARKED,
    };
}

#[derive(Default)]
struct Completions(AtomicUsize);

impl SyncListener for Completions {
    fn completed(&self, _report: &SyncReport) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn edits_made_offline_go_up_when_the_app_reports_the_network_back() {
    let world = World::start();
    let ann = Device::sign_in(&world.proxy.url(), "ann", parked);
    let bob = world.device("bob");
    let done = Arc::new(Completions::default());
    let auto = ann.fs.sync().start_auto_sync(done.clone()).unwrap();
    wait_until("the start-up sync", PATIENCE, || {
        done.0.load(Ordering::SeqCst) >= 1
    });

    auto.connectivity_changed(false);
    let id = ann
        .fs
        .customers()
        .create(NewCustomer {
            name: "离线新建".into(),
            ..Default::default()
        })
        .unwrap();
    auto.connectivity_changed(true);
    wait_until("the offline edit went up", PATIENCE, || {
        ann.fs.pending_changes().unwrap() == 0
    });
    bob.sync();
    assert_eq!(bob.fs.customers().get(&id).unwrap().name, "离线新建");
    auto.stop();
}

#[test]
fn a_server_event_makes_a_listening_device_pull_at_once() {
    let world = World::start();
    // The event stream is not proxied: this device talks to the server directly.
    let bob = Device::sign_in(&world.direct_url(), "bob", parked);
    let ann = world.device("ann");
    let done = Arc::new(Completions::default());
    let _auto = bob.fs.sync().start_auto_sync(done.clone()).unwrap();
    wait_until("the start-up sync", PATIENCE, || {
        done.0.load(Ordering::SeqCst) >= 1
    });

    let mut ids = Vec::new();
    // The stream may connect a moment after the start-up sync: keep writing until one is seen.
    wait_until("a pushed change arrived by itself", PATIENCE, || {
        let id = ann
            .fs
            .customers()
            .create(NewCustomer {
                name: "推送".into(),
                ..Default::default()
            })
            .unwrap();
        ann.sync();
        ids.push(id);
        std::thread::sleep(Duration::from_millis(200));
        ids.iter().any(|id| bob.fs.customers().get(id).is_ok())
    });
}
