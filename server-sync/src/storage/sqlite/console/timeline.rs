//! A customer's timeline: the team's visits, quick-logs and tasks with it, newest first.

use fieldsales_protocol::Kind;
use rusqlite::{params, Transaction};

use super::{customer_view, people};
use crate::access::console_reaches;
use crate::console::{local_time, Asker, CustomerView, Timeline, TimelineEntry};
use crate::error::Result;

/// Most entries of each kind a customer's timeline shows (the latest).
const MAX_TIMELINE: usize = 300;

/// A customer and the team's visits, quick-logs and tasks with it, newest first; `None` when
/// the customer is unknown, or neither visible to the asker nor worked on by anyone in reach.
pub fn timeline(
    tx: &Transaction<'_>,
    asker: &Asker,
    customer_id: &str,
) -> Result<Option<Timeline>> {
    let people = people(tx, &asker.tenant_id)?;
    let limit = MAX_TIMELINE as i64;
    let mut entries = Vec::new();
    let zone = asker.zone;
    let time = |ms: Option<i64>| ms.and_then(|ms| local_time(ms, zone));
    let name = |id: &Option<String>| id.as_ref().and_then(|i| people.names.get(i).cloned());
    let mut keyed: Vec<(i64, TimelineEntry)> = Vec::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT id, rep, at, outcome, next_action FROM console_visits
             WHERE tenant_id = ?1 AND customer = ?2 AND deleted = 0 ORDER BY at DESC LIMIT ?3",
        )?;
        let mut rows = stmt.query(params![asker.tenant_id, customer_id, limit])?;
        while let Some(r) = rows.next()? {
            let rep: Option<String> = r.get(1)?;
            let at: i64 = r.get(2)?;
            keyed.push((
                at,
                TimelineEntry {
                    kind: Kind::Visit.as_str().into(),
                    id: r.get(0)?,
                    at: time(Some(at)),
                    rep: name(&rep),
                    summary: r.get(3)?,
                    next_action: r.get(4)?,
                    done: None,
                },
            ));
            if !console_reaches(&asker.reach, rep.as_deref(), &people.teams) {
                keyed.pop();
            }
        }
    }
    {
        let mut stmt = tx.prepare_cached(
            "SELECT id, rep, at, channel, next_action FROM console_quick_logs
             WHERE tenant_id = ?1 AND customer = ?2 AND deleted = 0 ORDER BY at DESC LIMIT ?3",
        )?;
        let mut rows = stmt.query(params![asker.tenant_id, customer_id, limit])?;
        while let Some(r) = rows.next()? {
            let rep: Option<String> = r.get(1)?;
            if !console_reaches(&asker.reach, rep.as_deref(), &people.teams) {
                continue;
            }
            let at: Option<i64> = r.get(2)?;
            keyed.push((
                at.unwrap_or(0),
                TimelineEntry {
                    kind: Kind::QuickLog.as_str().into(),
                    id: r.get(0)?,
                    at: time(at),
                    rep: name(&rep),
                    summary: r.get(3)?,
                    next_action: r.get(4)?,
                    done: None,
                },
            ));
        }
    }
    {
        let mut stmt = tx.prepare_cached(
            "SELECT id, assignee, due_at, title, done FROM console_tasks
             WHERE tenant_id = ?1 AND customer = ?2 AND deleted = 0 ORDER BY due_at DESC LIMIT ?3",
        )?;
        let mut rows = stmt.query(params![asker.tenant_id, customer_id, limit])?;
        while let Some(r) = rows.next()? {
            let rep: Option<String> = r.get(1)?;
            if !console_reaches(&asker.reach, rep.as_deref(), &people.teams) {
                continue;
            }
            let at: Option<i64> = r.get(2)?;
            keyed.push((
                at.unwrap_or(0),
                TimelineEntry {
                    kind: Kind::Task.as_str().into(),
                    id: r.get(0)?,
                    at: time(at),
                    rep: name(&rep),
                    summary: r.get(3)?,
                    next_action: None,
                    done: Some(r.get(4)?),
                },
            ));
        }
    }
    keyed.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    entries.extend(keyed.into_iter().map(|(_, e)| e));
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
