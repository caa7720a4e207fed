//! Shared helpers for the sync client's and the engine's unit tests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::config::{Config, Identity};
use crate::customer::NewCustomer;
use crate::store::Durability;
use crate::FieldSales;

use super::fake::FakeTransport;
use super::listener::{SyncFailure, SyncListener, SyncProgress, Trigger};
use super::{Backoff, ConflictFound, Login, RejectedEdit, SyncConfig, SyncReport};

pub(crate) const DEBOUNCE: Duration = Duration::from_secs(2);
pub(crate) const PERIODIC: Duration = Duration::from_secs(600);
pub(crate) const BACKOFF: Backoff = Backoff {
    initial: Duration::from_secs(1),
    max: Duration::from_secs(64),
};

/// A store's configuration that syncs through `fake`, with the tests' delays.
pub(crate) fn config(fake: &Arc<FakeTransport>) -> Config {
    Config {
        durability: Durability::AppCrash,
        sync: SyncConfig {
            transport: Some(fake.clone()),
            debounce: DEBOUNCE,
            periodic: PERIODIC,
            backoff: BACKOFF,
            ..SyncConfig::default()
        },
        ..Config::default()
    }
}

/// A store of `rep-1` that syncs through `fake`, signed in.
pub(crate) async fn device(fake: &Arc<FakeTransport>) -> (FieldSales, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = config(fake);
    let identity = Identity::new("rep-1", Some("team-north".into())).expect("an identity");
    let fs = FieldSales::open(dir.path(), identity, config).expect("a store");
    fs.sync()
        .login_async(&login("secret"))
        .await
        .expect("login through the fake");
    (fs, dir)
}

pub(crate) fn login(password: &str) -> Login {
    Login {
        server_url: "https://sync.example.com".into(),
        tenant: "acme".into(),
        username: "rep-1".into(),
        password: password.into(),
    }
}

pub(crate) fn customer(fs: &FieldSales, name: &str) -> String {
    fs.customers()
        .create(NewCustomer {
            name: name.into(),
            ..Default::default()
        })
        .expect("a customer")
}

/// Everything a listener heard, in order.
#[derive(Default)]
pub(crate) struct Recorder {
    pub events: Mutex<Vec<Heard>>,
}

#[derive(Debug, Clone)]
pub(crate) enum Heard {
    Started(Trigger),
    Progress(SyncProgress),
    Completed(SyncReport),
    Conflict(ConflictFound),
    Rejected(RejectedEdit),
    Failed(SyncFailure),
}

impl Recorder {
    pub(crate) fn heard(&self) -> Vec<Heard> {
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn completed(&self) -> usize {
        self.heard()
            .iter()
            .filter(|h| matches!(h, Heard::Completed(_)))
            .count()
    }

    pub(crate) fn failures(&self) -> Vec<SyncFailure> {
        self.heard()
            .into_iter()
            .filter_map(|h| match h {
                Heard::Failed(f) => Some(f),
                _ => None,
            })
            .collect()
    }

    fn push(&self, heard: Heard) {
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(heard);
    }
}

impl SyncListener for Recorder {
    fn started(&self, trigger: Trigger) {
        self.push(Heard::Started(trigger));
    }
    fn progress(&self, progress: SyncProgress) {
        self.push(Heard::Progress(progress));
    }
    fn completed(&self, report: &SyncReport) {
        self.push(Heard::Completed(report.clone()));
    }
    fn conflict_found(&self, conflict: &ConflictFound) {
        self.push(Heard::Conflict(conflict.clone()));
    }
    fn rejected(&self, edit: &RejectedEdit) {
        self.push(Heard::Rejected(edit.clone()));
    }
    fn failed(&self, failure: &SyncFailure) {
        self.push(Heard::Failed(failure.clone()));
    }
}

/// Waits (in virtual time when paused) until `condition` holds; panics after a generous bound.
pub(crate) async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..200_000 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("gave up waiting until {what}");
}
