//! The change feed: which records every committed transaction changed, for whoever shows them.
//!
//! A list screen must refresh when a record changes, whatever changed it: the rep's own write,
//! a colleague's edit applied by a sync answer, a merge settling after sync, a projection
//! rebuild, an erasure from the server. This module owns how those changes are collected and
//! handed out, so that no write path can forget to announce itself:
//!
//! - **Collecting.** The write connection carries temporary triggers on `docs` that note the
//!   kind and id of every document row inserted, updated or deleted into a temporary table
//!   ([`install`]). Every record change is a `docs` row change, so every write path is covered
//!   without calling anything; the one change that touches no document — a projection rebuild —
//!   notes "everything" itself ([`everything_changed`]). The noted rows belong to the
//!   transaction: a savepoint rolled back (a malformed document skipped by sync) or a
//!   transaction rolled back takes its notes with it.
//! - **Publishing.** The store's transaction drains the notes just before `COMMIT` ([`take`])
//!   and, once the commit succeeded, publishes one [`Change`] for the whole transaction, the ids
//!   grouped by kind. A rolled-back transaction publishes nothing. Changes are published in
//!   commit order.
//! - **Subscribing.** [`ChangeFeed::subscribe`] gives a [`Subscriber`], usable from async code
//!   ([`Subscriber::next`]) and from a plain thread ([`Subscriber::blocking_next`]). Publishing
//!   never waits for a subscriber and never fails a write: each subscriber has a buffer of
//!   [`BUFFERED`] changes, and one that falls further behind loses the oldest and receives
//!   [`Change::Everything`] in their place ("re-read all"), never a silent gap. A dropped
//!   subscriber costs nothing.
//!
//! It must not decide what a change means to a screen (which query to re-run, how to coalesce
//! a burst): that is the subscriber's business. It publishes what was committed, nothing more.
//!
//! ```
//! use fieldsales_core::{feed::Change, FieldSales, Identity, Config, Kind, customer::NewCustomer};
//! let dir = tempfile::tempdir().unwrap();
//! let fs = FieldSales::open(dir.path(), Identity::new("rep-1", None).unwrap(), Config::default()).unwrap();
//! let mut changes = fs.changes().subscribe();
//! let id = fs.customers().create(NewCustomer { name: "北京小米".into(), ..Default::default() }).unwrap();
//! let Some(Change::Records(records)) = changes.try_next() else { panic!("no change") };
//! assert_eq!(records[0].kind, Kind::Customer);
//! assert_eq!(records[0].ids, vec![id]);
//! ```

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::engine::Engine;
pub use crate::store::feed::{Change, Changed, BUFFERED};

/// The change feed of a [`crate::FieldSales`]: `fs.changes()`.
#[derive(Clone)]
pub struct ChangeFeed {
    engine: Arc<Engine>,
}

impl ChangeFeed {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        ChangeFeed { engine }
    }

    /// Starts receiving every change committed from now on. Drop the subscriber to stop.
    pub fn subscribe(&self) -> Subscriber {
        Subscriber {
            rx: self.engine.store.feed().subscribe(),
        }
    }
}

/// One subscription to the change feed.
pub struct Subscriber {
    rx: broadcast::Receiver<Change>,
}

impl Subscriber {
    /// Waits for the next change; `None` once the store is closed (every clone of its
    /// [`crate::FieldSales`] dropped).
    pub async fn next(&mut self) -> Option<Change> {
        match self.rx.recv().await {
            Ok(change) => Some(change),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Change::Everything),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// Blocks this thread until the next change; `None` once the store is closed. Must not be
    /// called from async code (use [`Subscriber::next`] there).
    pub fn blocking_next(&mut self) -> Option<Change> {
        match self.rx.blocking_recv() {
            Ok(change) => Some(change),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Change::Everything),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// The next change if one is waiting; `None` when none is (or the store is closed).
    pub fn try_next(&mut self) -> Option<Change> {
        match self.rx.try_recv() {
            Ok(change) => Some(change),
            Err(broadcast::error::TryRecvError::Lagged(_)) => Some(Change::Everything),
            Err(_) => None,
        }
    }
}

#[cfg(test)]
#[path = "feed_tests.rs"]
mod tests;
