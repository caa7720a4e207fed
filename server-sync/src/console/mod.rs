//! The manager console's data: what a manager or admin asks of the read model, and what the
//! answers hold.
//!
//! The console reviews the team's synced work: the visits list (filtered, paginated by cursor),
//! one visit with its record's history, per-rep figures for a period, and a customer's
//! timeline. This module owns the questions ([`filter`]: a filter typed by a person, parsed
//! into bounds with a clear refusal for anything malformed) and the answers (the types below,
//! the JSON of `/v1/console/...`, described in the OpenAPI document). Times go out as RFC 3339
//! in the tenant's time zone ([`local_time`]), because a manager reads "09:30" as their own
//! morning.
//!
//! It must not hold SQL (the storage backend answers the questions) nor decide who sees what
//! (`crate::access::console_reach`).

pub mod filter;

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

pub use filter::{Cursor, Period, VisitFilter};

use crate::access::{ConsoleReach, Viewer};

/// Who asks the console, and how far it reaches for them.
#[derive(Debug, Clone)]
pub struct Asker {
    pub tenant_id: String,
    pub viewer: Viewer,
    pub reach: ConsoleReach,
    /// The tenant's time zone.
    pub zone: Tz,
    /// Now, ms since the epoch (what "overdue" is measured against).
    pub now_ms: i64,
}

/// `ms` (since the Unix epoch) as RFC 3339 in `zone`.
pub fn local_time(ms: i64, zone: Tz) -> Option<String> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.with_timezone(&zone).to_rfc3339())
}

/// One visit as the list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct VisitRow {
    pub id: String,
    pub rep_id: Option<String>,
    /// The rep's username.
    pub rep: Option<String>,
    pub customer_id: Option<String>,
    /// Absent when the customer is not visible to the reader (a rep's private customer).
    pub customer_name: Option<String>,
    /// The visit's time: its check-in, else its planned time, else its creation.
    pub at: Option<String>,
    pub check_in_at: Option<String>,
    pub check_out_at: Option<String>,
    /// `verified`, `out_of_range` or `unverifiable` (also: not checked in).
    pub verdict: String,
    /// Distance from the check-in fix to the customer, metres.
    pub distance_m: Option<f64>,
    /// Check-out minus check-in, seconds.
    pub time_on_site_s: Option<i64>,
    pub outcome: Option<String>,
    pub next_action: Option<String>,
    /// Whether the follow-up task made from the next action is done (absent: no task).
    pub task_done: Option<bool>,
    /// Number of photos.
    pub photos: i64,
    /// When the phone created the record.
    pub captured_at: Option<String>,
    /// When the record first reached the server (absent for records older than the console).
    pub synced_at: Option<String>,
}

/// A page of the visits list.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct VisitPage {
    pub visits: Vec<VisitRow>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// The time zone the times are in.
    pub time_zone: String,
}

/// A check-in or check-out.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PresenceView {
    pub at: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub distance_m: Option<f64>,
    pub verdict: String,
}

/// A photo of a visit: fetch it from `url` (`GET /v1/media/{hash}`, same session).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PhotoView {
    pub hash: String,
    pub url: String,
    pub thumbnail_hash: Option<String>,
    pub thumbnail_url: Option<String>,
}

/// The customer of a visit, or of a timeline.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CustomerView {
    pub id: String,
    pub name: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Pipeline stage; absent: a lead.
    pub stage: Option<String>,
}

/// One change of a record: who wrote which fields, when.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// Position in the tenant's change log.
    pub seq: u64,
    /// When the writer's device made the change (its own clock).
    pub at: Option<String>,
    /// The writer's username (absent: a device the server no longer knows).
    pub user: Option<String>,
    /// Top-level fields the change wrote.
    pub fields: Vec<String>,
}

/// One visit in full.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct VisitDetail {
    pub visit: VisitRow,
    pub customer: Option<CustomerView>,
    pub planned_at: Option<String>,
    pub check_in: Option<PresenceView>,
    pub check_out: Option<PresenceView>,
    pub notes: String,
    pub pain_points: Vec<String>,
    pub next_action_due: Option<String>,
    pub photos: Vec<PhotoView>,
    /// The record's changes, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The change log was trimmed (compaction): the earliest changes may be missing.
    pub history_trimmed: bool,
}

/// One rep's figures for a period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RepFigures {
    pub rep_id: String,
    pub rep: String,
    pub visits: i64,
    pub visits_verified: i64,
    /// `visits_verified / visits` (absent without visits).
    pub verified_share: Option<f64>,
    pub calls: i64,
    /// Customers the rep created in the period, leads (no pipeline stage yet) included.
    pub new_customers: i64,
    pub new_leads: i64,
    /// Tasks due in the period; of those, still open past their due time; tasks done in it.
    pub tasks_due: i64,
    pub tasks_overdue: i64,
    pub tasks_done: i64,
    pub avg_time_on_site_s: Option<f64>,
    /// Mean time from capture on the phone to arrival at the server, over the period's visits
    /// and quick-logs.
    pub avg_sync_lag_s: Option<f64>,
}

/// Per-rep figures.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Figures {
    /// First day of the period (tenant's time zone).
    pub from: String,
    /// Last day of the period, included.
    pub to: String,
    pub time_zone: String,
    pub reps: Vec<RepFigures>,
}

/// One entry of a customer's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// `visit`, `quick_log` or `task`.
    pub kind: String,
    pub id: String,
    pub at: Option<String>,
    pub rep: Option<String>,
    /// A visit's outcome, a quick-log's channel, a task's title.
    pub summary: Option<String>,
    pub next_action: Option<String>,
    /// A task's state (absent for other kinds).
    pub done: Option<bool>,
}

/// A customer and the team's work with it, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Timeline {
    pub customer: CustomerView,
    pub entries: Vec<TimelineEntry>,
    pub time_zone: String,
}
