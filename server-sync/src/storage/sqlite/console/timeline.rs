//! A customer's timeline: the team's visits, quick-logs and tasks with it, newest first.

use fieldsales_protocol::Kind;
use rusqlite::{params, Row, Transaction};

use super::{customer_view, people};
use crate::access::console_reaches;
use crate::console::{local_time, Asker, CustomerView, Timeline, TimelineEntry};
use crate::error::Result;

/// Most entries of each kind a customer's timeline shows (the latest).
const MAX_TIMELINE: usize = 300;

/// Reads a kind's fifth column: a visit's or quick-log's next action, or a task's done mark (the
/// first four are the same for every kind: id, person, time, summary).
type Last = fn(&Row<'_>) -> rusqlite::Result<(Option<String>, Option<bool>)>;

/// A customer and the team's visits, quick-logs and tasks with it, newest first; `None` when
/// the customer is unknown, or neither visible to the asker nor worked on by anyone in reach.
pub fn timeline(
    tx: &Transaction<'_>,
    asker: &Asker,
    customer_id: &str,
) -> Result<Option<Timeline>> {
    let people = people(tx, &asker.tenant_id)?;
    let zone = asker.zone;
    let mut keyed: Vec<(i64, TimelineEntry)> = Vec::new();
    let kinds: [(Kind, &str, Last); 3] = [
        (
            Kind::Visit,
            "SELECT id, rep, at, outcome, next_action FROM console_visits
             WHERE tenant_id = ?1 AND customer = ?2 AND deleted = 0 ORDER BY at DESC LIMIT ?3",
            |r| Ok((r.get(4)?, None)),
        ),
        (
            Kind::QuickLog,
            "SELECT id, rep, at, channel, next_action FROM console_quick_logs
             WHERE tenant_id = ?1 AND customer = ?2 AND deleted = 0 ORDER BY at DESC LIMIT ?3",
            |r| Ok((r.get(4)?, None)),
        ),
        (
            Kind::Task,
            "SELECT id, assignee, due_at, title, done FROM console_tasks
             WHERE tenant_id = ?1 AND customer = ?2 AND deleted = 0 ORDER BY due_at DESC LIMIT ?3",
            |r| Ok((None, Some(r.get(4)?))),
        ),
    ];
    for (kind, sql, last) in kinds {
        let mut stmt = tx.prepare_cached(sql)?;
        let mut rows = stmt.query(params![asker.tenant_id, customer_id, MAX_TIMELINE as i64])?;
        while let Some(r) = rows.next()? {
            let person: Option<String> = r.get(1)?;
            if !console_reaches(&asker.reach, person.as_deref(), &people.teams) {
                continue;
            }
            let at: Option<i64> = r.get(2)?;
            let (next_action, done) = last(r)?;
            let entry = TimelineEntry {
                kind: kind.as_str().into(),
                id: r.get(0)?,
                at: at.and_then(|ms| local_time(ms, zone)),
                rep: person.and_then(|id| people.names.get(&id).cloned()),
                summary: r.get(3)?,
                next_action,
                done,
            };
            keyed.push((at.unwrap_or(0), entry));
        }
    }
    keyed.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    let entries: Vec<TimelineEntry> = keyed.into_iter().map(|(_, e)| e).collect();
    let customer = customer_view(tx, asker, &people.teams, customer_id)?;
    let customer = match customer {
        Some(c) => c,
        // Not visible to the asker (a rep's private customer): the team's work with it still
        // shows, under its id alone; with no such work there is nothing to show.
        None if !entries.is_empty() => CustomerView {
            id: customer_id.to_string(),
            name: None,
            address: None,
            lat: None,
            lon: None,
            stage: None,
        },
        None => return Ok(None),
    };
    Ok(Some(Timeline {
        customer,
        entries,
        time_zone: zone.name().to_string(),
    }))
}
