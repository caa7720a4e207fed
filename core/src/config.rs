//! Settings of an open store: who is signed in, and the company's rules.
//!
//! Everything here has a sensible default; an app passes only what its company changed.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset, Utc};

use crate::dedup::rules::DedupRules;
use crate::error::{Error, Result};
use crate::media::config::MediaConfig;
use crate::pipeline::Pipeline;
use crate::store::Durability;
use crate::sync::config::SyncConfig;
use crate::validate::DEFAULT_GEOFENCE_RADIUS_M;

/// The signed-in user. Every change this device makes is attributed to `user_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The user's id on the server (opaque; also names the database file).
    pub user_id: String,
    /// The user's team, given to new customers shared with the team.
    pub team_id: Option<String>,
}

impl Identity {
    pub fn new(user_id: impl Into<String>, team_id: Option<String>) -> Result<Self> {
        let user_id = user_id.into();
        if user_id.trim().is_empty() {
            return Err(Error::invalid("user_id", "must not be empty"));
        }
        Ok(Identity { user_id, team_id })
    }
}

/// Where "now" comes from. Tests and demos replace the system clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The device clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stays where it is set; for tests and scripted demos.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The company's rules and the device's settings.
#[derive(Clone)]
pub struct Config {
    /// A check-in within this distance of the customer is verified (metres).
    pub geofence_radius_m: f64,
    /// The sales pipeline: stages and the one anchor action that enters each.
    pub pipeline: Pipeline,
    /// A customer without a visit or quick-log for this many days is reported as stale.
    pub stale_after_days: i64,
    /// A next action given without a due time becomes a task due this many hours later.
    pub default_follow_up_hours: i64,
    /// The rep's time zone, which decides what "today" means for tasks.
    pub time_zone: FixedOffset,
    /// How hard each write is pushed to disk.
    pub durability: Durability,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// When two customers count as likely duplicates.
    pub dedup: DedupRules,
    /// How and when this device syncs.
    pub sync: SyncConfig,
    /// How photos and documents are shrunk, what is refused, how much is cached.
    pub media: MediaConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            geofence_radius_m: DEFAULT_GEOFENCE_RADIUS_M,
            pipeline: Pipeline::default(),
            stale_after_days: 90,
            default_follow_up_hours: 24,
            time_zone: FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset"),
            durability: Durability::default(),
            clock: Arc::new(SystemClock),
            dedup: DedupRules::default(),
            sync: SyncConfig::default(),
            media: MediaConfig::default(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("geofence_radius_m", &self.geofence_radius_m)
            .field("pipeline", &self.pipeline)
            .field("stale_after_days", &self.stale_after_days)
            .field("default_follow_up_hours", &self.default_follow_up_hours)
            .field("time_zone", &self.time_zone)
            .field("durability", &self.durability)
            .field("dedup", &self.dedup)
            .field("sync", &self.sync)
            .field("media", &self.media)
            .finish_non_exhaustive()
    }
}
