//! Change events: the app's way to hear that records changed, through a foreign trait.
//!
//! An app implements [`StoreListener`] (Kotlin: an interface; Swift: a protocol) and registers
//! it with `FieldSales.subscribe`; every successful write through this store then reports the
//! records it touched, so lists can refresh. The Android wrapper turns this into a `Flow`, the
//! Swift wrapper into an `AsyncStream`. The sync listener (`sync.rs`) follows the same pattern.
//!
//! A listener is called on the thread that made the write, after the write committed. A
//! listener that throws never fails the write: its error is caught here and dropped.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use crate::convert::RecordKind;

/// Records that changed on this device.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoreEvent {
    pub kind: RecordKind,
    pub ids: Vec<String>,
}

/// Implemented by the app to hear about changes.
///
/// ```kotlin
/// val subscription = store.subscribe(object : StoreListener {
///     override fun onChange(event: StoreEvent) { refresh(event.kind) }
/// })
/// subscription.close() // stop listening
/// ```
#[uniffi::export(with_foreign)]
pub trait StoreListener: Send + Sync {
    fn on_change(&self, event: StoreEvent);
}

/// The listeners of one store.
#[derive(Default)]
pub(crate) struct Listeners {
    next: AtomicU64,
    registered: Mutex<Vec<(u64, Arc<dyn StoreListener>)>>,
}

impl Listeners {
    pub(crate) fn add(self: &Arc<Self>, listener: Arc<dyn StoreListener>) -> Arc<Subscription> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock().push((id, listener));
        Arc::new(Subscription {
            id,
            listeners: Arc::downgrade(self),
        })
    }

    /// Tells every listener that `ids` of `kind` changed. Empty changes are not reported.
    pub(crate) fn notify(&self, kind: RecordKind, ids: Vec<String>) {
        if ids.is_empty() {
            return;
        }
        let listeners: Vec<_> = self.lock().iter().map(|(_, l)| l.clone()).collect();
        let event = StoreEvent { kind, ids };
        for listener in listeners {
            // A foreign exception in a listener surfaces as a panic in the generated glue.
            let _ = catch_unwind(AssertUnwindSafe(|| listener.on_change(event.clone())));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(u64, Arc<dyn StoreListener>)>> {
        self.registered.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A registration of a [`StoreListener`]. Closing (or dropping) it stops the events.
#[derive(uniffi::Object)]
pub struct Subscription {
    id: u64,
    listeners: Weak<Listeners>,
}

#[uniffi::export]
impl Subscription {
    /// Stops the events. Calling it twice is harmless.
    pub fn cancel(&self) {
        if let Some(listeners) = self.listeners.upgrade() {
            listeners.lock().retain(|(id, _)| *id != self.id);
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
