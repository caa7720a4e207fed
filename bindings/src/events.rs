//! Change events: the app's way to hear that records changed, through a foreign trait.
//!
//! An app implements [`StoreListener`] (Kotlin: an interface; Swift: a protocol) and registers
//! it with `FieldSales.subscribe`; every committed change to the store then reaches it — the
//! app's own writes, records applied by a sync, merges settling, a projection rebuild — so
//! lists can refresh. The Android wrapper turns this into a `Flow`, the Swift wrapper into an
//! `AsyncStream`. The sync listener (`sync.rs`) follows the same pattern.
//!
//! This module only forwards the core's change feed (`fieldsales_core::feed`): which records a
//! transaction changed is the core's to say, never decided here. One thread per open store,
//! `fieldsales-events`, waits on the feed and calls the listeners, so:
//! - listeners are called on that thread, one event at a time, in commit order, after the
//!   change committed and never while the database is locked; a write returns without waiting
//!   for them, and a slow listener delays only later events;
//! - a listener that throws never fails a write nor stops the others: its error is caught here
//!   and dropped;
//! - when the listeners fall so far behind that the feed dropped changes, or after a rebuild,
//!   every kind is reported with empty `ids` ("re-read all"), never a silent gap;
//! - the thread ends when the store is closed.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use fieldsales_core::feed::{Change, Subscriber};
use fieldsales_core::Kind;

use crate::convert::RecordKind;
use crate::error::{FieldSalesError, Result};

/// Records that changed on this device.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoreEvent {
    pub kind: RecordKind,
    /// The records of `kind` that changed (created, edited, merged, removed). Empty means any
    /// record of `kind` may have changed: re-read them all.
    pub ids: Vec<String>,
}

/// Implemented by the app to hear about changes. Called on the store's event thread, never
/// on the thread that wrote: hand the event to the UI thread yourself (the Kotlin `events()`
/// Flow and the Swift `events()` stream do).
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
    /// Listeners fed by `core`'s change feed, on a thread of their own that ends when the
    /// store closes (or these listeners are dropped, at the next change).
    pub(crate) fn forwarding(core: &fieldsales_core::FieldSales) -> Result<Arc<Listeners>> {
        let listeners = Arc::new(Listeners::default());
        let feed = core.changes().subscribe();
        let weak = Arc::downgrade(&listeners);
        std::thread::Builder::new()
            .name("fieldsales-events".into())
            .spawn(move || forward(feed, weak))
            .map_err(|e| FieldSalesError::Internal {
                detail: format!("cannot start the event thread: {e}"),
            })?;
        Ok(listeners)
    }

    pub(crate) fn add(self: &Arc<Self>, listener: Arc<dyn StoreListener>) -> Arc<Subscription> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock().push((id, listener));
        Arc::new(Subscription {
            id,
            listeners: Arc::downgrade(self),
        })
    }

    /// Tells every listener about one committed change: one event per kind it names.
    fn announce(&self, change: &Change) {
        match change {
            Change::Records(records) => {
                for changed in records {
                    self.notify(changed.kind, changed.ids.clone());
                }
            }
            Change::Everything => {
                for kind in Kind::ALL {
                    self.notify(kind, Vec::new());
                }
            }
        }
    }

    /// Tells every listener that `ids` of `kind` changed (empty: any of them may have).
    fn notify(&self, kind: RecordKind, ids: Vec<String>) {
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

/// The event thread: waits for each committed change and hands it to the listeners.
fn forward(mut feed: Subscriber, listeners: Weak<Listeners>) {
    while let Some(change) = feed.blocking_next() {
        let Some(listeners) = listeners.upgrade() else {
            return;
        };
        listeners.announce(&change);
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
#[path = "events_tests.rs"]
mod tests;
