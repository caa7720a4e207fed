use std::sync::mpsc;
use std::time::Duration;

use super::*;
use crate::root::{FieldSales, FieldSalesConfig};
use crate::NewCustomer;

struct Counting(Mutex<Vec<StoreEvent>>);
impl StoreListener for Counting {
    fn on_change(&self, event: StoreEvent) {
        self.0.lock().unwrap().push(event);
    }
}
struct Throwing;
impl StoreListener for Throwing {
    fn on_change(&self, _: StoreEvent) {
        panic!("listener failed");
    }
}

/// Sends each event with the name of the thread it was heard on.
struct Relay(Mutex<mpsc::Sender<(StoreEvent, Option<String>)>>);
impl StoreListener for Relay {
    fn on_change(&self, event: StoreEvent) {
        let thread = std::thread::current().name().map(str::to_string);
        let _ = self.0.lock().unwrap().send((event, thread));
    }
}

fn open(dir: &tempfile::TempDir) -> Arc<FieldSales> {
    let config = FieldSalesConfig {
        user_id: "rep-1".into(),
        team_id: None,
        geofence_radius_m: None,
        stale_after_days: None,
        default_follow_up_hours: None,
        utc_offset_minutes: None,
        durability: Some(fieldsales_core::Durability::AppCrash),
        pipeline: Vec::new(),
    };
    FieldSales::open(dir.path().to_string_lossy().into_owned(), config).expect("a store")
}

fn relay(
    store: &FieldSales,
) -> (
    Arc<Subscription>,
    mpsc::Receiver<(StoreEvent, Option<String>)>,
) {
    let (tx, rx) = mpsc::channel();
    (store.subscribe(Arc::new(Relay(Mutex::new(tx)))), rx)
}

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn a_throwing_listener_does_not_stop_the_others_and_cancel_stops_events() {
    let listeners = Arc::new(Listeners::default());
    let seen = Arc::new(Counting(Mutex::new(Vec::new())));
    let _bad = listeners.add(Arc::new(Throwing));
    let sub = listeners.add(seen.clone());
    listeners.notify(RecordKind::Customer, vec!["a".into()]);
    sub.cancel();
    listeners.notify(RecordKind::Customer, vec!["b".into()]);
    let events = seen.0.lock().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].ids, vec!["a".to_string()]);
}

#[test]
fn a_write_reaches_listeners_on_the_event_thread_after_a_throwing_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let _bad = store.subscribe(Arc::new(Throwing));
    let (_sub, heard) = relay(&store);
    let id = store
        .customers()
        .create(NewCustomer {
            name: "北京小米".into(),
            ..NewCustomer::default()
        })
        .unwrap();
    let (event, thread) = heard.recv_timeout(WAIT).expect("the write was announced");
    assert_eq!(
        event,
        StoreEvent {
            kind: RecordKind::Customer,
            ids: vec![id]
        }
    );
    assert_eq!(thread.as_deref(), Some("fieldsales-events"));
}

#[test]
fn a_change_made_past_the_bindings_reaches_listeners() {
    // What sync and merge settling do: the core writes without any binding call.
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let (_sub, heard) = relay(&store);
    let core = store.core();
    let task = core
        .tasks()
        .create(fieldsales_core::task::NewTask {
            title: "call back".into(),
            ..Default::default()
        })
        .unwrap();
    let (event, _) = heard
        .recv_timeout(WAIT)
        .expect("the core's write was announced");
    assert_eq!((event.kind, event.ids), (RecordKind::Task, vec![task]));

    core.rebuild_projections().unwrap();
    let kinds: Vec<_> = (0..Kind::ALL.len())
        .map(|_| heard.recv_timeout(WAIT).expect("every kind is announced").0)
        .collect();
    assert!(
        kinds.iter().all(|e| e.ids.is_empty()),
        "a rebuild says 're-read all': {kinds:?}"
    );
}
