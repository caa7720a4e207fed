//! A customer's timeline: visits, quick-logs and tasks in time order.
//!
//! Read straight from the projections (one indexed query per kind), so opening a customer with
//! years of history stays instant.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::customer::Customers;
use crate::error::Result;
use crate::record::parse_id;
use crate::record::schema::Kind;

/// One entry of a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TimelineItem {
    pub at: DateTime<Utc>,
    pub kind: Kind,
    pub id: String,
    /// Outcome of a visit, channel and next action of a quick-log, title of a task.
    pub summary: String,
    /// For tasks: whether done.
    pub done: bool,
}

impl Customers {
    /// The customer's visits (at check-in or planned time), quick-logs (at their time) and
    /// tasks (at their due time), oldest first, including those of customers merged into it.
    pub fn timeline(&self, customer_id: &str) -> Result<Vec<TimelineItem>> {
        let id = parse_id(Kind::Customer, customer_id)?.to_string();
        self.engine().read(|conn| {
            let sql = format!(
                "SELECT at, 'visit', id, coalesce(outcome, ''), 0 FROM visits
                    WHERE customer_id IN {family} AND deleted = 0
                 UNION ALL
                 SELECT at, 'quick_log', id, channel || coalesce(' → ' || next_action, ''), 0
                    FROM quick_logs WHERE customer_id IN {family} AND deleted = 0
                 UNION ALL
                 SELECT due_at, 'task', id, title, done FROM tasks
                    WHERE customer_id IN {family} AND deleted = 0
                 ORDER BY 1, 3",
                family = crate::dedup::index::FAMILY
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![id], |r| {
                let kind: String = r.get(1)?;
                Ok(TimelineItem {
                    at: DateTime::from_timestamp_millis(r.get(0)?).unwrap_or_default(),
                    kind: Kind::parse(&kind).unwrap_or(Kind::Task),
                    id: r.get(2)?,
                    summary: r.get(3)?,
                    done: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
