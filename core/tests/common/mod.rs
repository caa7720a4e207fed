//! Shared set-up for the core's behaviour tests.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use fieldsales_core::{Config, FieldSales, Identity, ManualClock};
use tempfile::TempDir;

/// A rep's device: its store, its clock and the directory that holds the database.
pub struct Device {
    pub fs: FieldSales,
    pub clock: Arc<ManualClock>,
    pub dir: TempDir,
}

/// 2026-03-02 09:00 in Beijing.
pub fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

pub fn device(user: &str, team: &str) -> Device {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(monday_morning()));
    let config = Config {
        clock: clock.clone(),
        ..Config::default()
    };
    let identity = Identity::new(user, Some(team.to_string())).unwrap();
    let fs = FieldSales::open(dir.path(), identity, config).unwrap();
    Device { fs, clock, dir }
}

/// A valid unified social credit code built from 17 characters.
pub fn credit_code(first17: &str) -> String {
    let check = fieldsales_core::validate::check_character(first17).unwrap();
    format!("{first17}{check}")
}

/// Sends everything `from` has not yet sent to `to` (a stand-in for the sync server).
pub fn send(from: &Device, to: &Device) {
    let outgoing = from.fs.outbox(10_000).unwrap();
    let batch: Vec<_> = outgoing
        .iter()
        .map(|c| fieldsales_core::outbox::IncomingChanges {
            doc_id: c.doc_id.clone(),
            kind: c.kind,
            changes: vec![c.change.clone()],
        })
        .collect();
    to.fs.apply_changes(&batch).unwrap();
    if let Some(last) = outgoing.last() {
        from.fs.acknowledge(last.seq).unwrap();
    }
}
