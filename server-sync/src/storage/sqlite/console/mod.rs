//! The console's questions answered from the read model (`read_model`) in SQLite.
//!
//! Every answer runs in one read transaction. The SQL narrows a manager's rows to their team's
//! reps for speed (an index range, not a scan of the tenant); each row is then checked against
//! `access::console_reaches`, the one statement of the rule, and a customer's name or address
//! is shown only when `access::can_see` lets the reader see that customer. A visit's detail is
//! read from its document through `fieldsales_protocol::record` (notes, pain points, photos,
//! fixes) and its history from the change log.

use std::collections::{HashMap, HashSet};

use automerge::{Automerge, Change};
use fieldsales_protocol::isolate::isolate;
use fieldsales_protocol::record::{fields_touched, Presence, Summary};
use fieldsales_protocol::{media, Kind};
use rusqlite::{params, OptionalExtension, Row, Transaction};

mod figures;
mod timeline;

pub use figures::figures;
pub use timeline::timeline;

use crate::access::{can_see, console_reaches, read_visibility, ConsoleReach, DocMeta, Teams};
use crate::console::{
    local_time, Asker, Cursor, CustomerView, HistoryEntry, PhotoView, PresenceView, VisitDetail,
    VisitFilter, VisitPage, VisitRow,
};
use crate::error::Result;

/// Most history entries a visit's detail shows (the latest).
const MAX_HISTORY: usize = 200;

/// The tenant's users: username, team, and who administers the tenant.
struct People {
    names: HashMap<String, String>,
    teams: Teams,
    admins: HashSet<String>,
}

impl People {
    /// The users a console with `reach` reports on (id, username), by username: everyone in
    /// reach but the tenant's admins, who capture nothing.
    fn reps_in_reach(&self, reach: &ConsoleReach) -> Vec<(String, String)> {
        let mut reps: Vec<(String, String)> = self
            .names
            .iter()
            .filter(|(id, _)| !self.admins.contains(*id))
            .filter(|(id, _)| console_reaches(reach, Some(id), &self.teams))
            .map(|(id, name)| (id.clone(), name.clone()))
            .collect();
        reps.sort_by(|a, b| a.1.cmp(&b.1));
        reps
    }
}

fn people(tx: &Transaction<'_>, tenant_id: &str) -> Result<People> {
    let mut stmt =
        tx.prepare_cached("SELECT id, username, team_id, role FROM users WHERE tenant_id = ?1")?;
    let mut rows = stmt.query([tenant_id])?;
    let (mut names, mut teams, mut admins) = (HashMap::new(), Teams::new(), HashSet::new());
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if r.get::<_, String>(3)? == "admin" {
            admins.insert(id.clone());
        }
        names.insert(id.clone(), r.get(1)?);
        teams.insert(id, r.get(2)?);
    }
    Ok(People {
        names,
        teams,
        admins,
    })
}

/// The reps the asker's console reports on (id, username), for the list's rep filter.
pub fn reps(tx: &Transaction<'_>, asker: &Asker) -> Result<Vec<(String, String)>> {
    Ok(people(tx, &asker.tenant_id)?.reps_in_reach(&asker.reach))
}

fn team_of(reach: &ConsoleReach) -> Option<&str> {
    match reach {
        ConsoleReach::Tenant => None,
        ConsoleReach::Team(team) => Some(team),
    }
}

/// Columns of `console_visits v`, its customer's audience `cu` and name `c`, its task `t`, in
/// the order [`visit_row`] reads them.
const VISIT_COLUMNS: &str = "v.id, v.rep, v.customer, c.name, cu.id IS NOT NULL, cu.owner, \
    cu.team, cu.visibility, v.at, v.check_in_at, v.check_out_at, v.verdict, v.distance_m, \
    v.outcome, v.next_action, t.done, v.photos, v.created_at, v.synced_at";

const VISIT_JOINS: &str = "FROM console_visits v \
    LEFT JOIN docs cu ON cu.tenant_id = v.tenant_id AND cu.id = v.customer \
        AND cu.kind = 'customer' \
    LEFT JOIN console_customers c ON c.tenant_id = v.tenant_id AND c.id = v.customer \
    LEFT JOIN console_tasks t ON t.tenant_id = v.tenant_id AND t.id = v.task";

/// May the asker see the customer whose audience columns start at `at`?
fn customer_visible(
    asker: &Asker,
    teams: &Teams,
    r: &Row<'_>,
    at: usize,
) -> rusqlite::Result<bool> {
    if !r.get::<_, bool>(at)? {
        return Ok(false);
    }
    let visibility: String = r.get(at + 3)?;
    let meta = DocMeta {
        kind: Kind::Customer,
        owner: r.get(at + 1)?,
        team: r.get(at + 2)?,
        visibility: read_visibility(&visibility),
        customer: None,
        deleted: false,
    };
    Ok(can_see(&asker.viewer, &meta, None, teams))
}

fn visit_row(asker: &Asker, people: &People, r: &Row<'_>) -> rusqlite::Result<VisitRow> {
    let zone = asker.zone;
    let time = |i: usize| -> rusqlite::Result<Option<String>> {
        Ok(r.get::<_, Option<i64>>(i)?
            .and_then(|ms| local_time(ms, zone)))
    };
    let rep: Option<String> = r.get(1)?;
    let check_in: Option<i64> = r.get(9)?;
    let check_out: Option<i64> = r.get(10)?;
    let visible = customer_visible(asker, &people.teams, r, 4)?;
    Ok(VisitRow {
        id: r.get(0)?,
        rep: rep.as_ref().and_then(|id| people.names.get(id).cloned()),
        rep_id: rep,
        customer_id: r.get(2)?,
        customer_name: if visible { r.get(3)? } else { None },
        at: time(8)?,
        check_in_at: time(9)?,
        check_out_at: time(10)?,
        verdict: r
            .get::<_, Option<String>>(11)?
            .unwrap_or_else(|| "unverifiable".into()),
        distance_m: r.get(12)?,
        time_on_site_s: match (check_in, check_out) {
            (Some(i), Some(o)) if o >= i => Some((o - i) / 1000),
            _ => None,
        },
        outcome: r.get(13)?,
        next_action: r.get(14)?,
        task_done: r.get(15)?,
        photos: r.get(16)?,
        captured_at: time(17)?,
        synced_at: time(18)?,
    })
}

/// A page of the visits list, newest first.
pub fn visits(tx: &Transaction<'_>, asker: &Asker, filter: &VisitFilter) -> Result<VisitPage> {
    let people = people(tx, &asker.tenant_id)?;
    // Only the filters given become clauses (a handful of cached statements), so SQLite picks
    // the index that fits: a rep's own (rep, at) range rather than the tenant's whole week.
    let cursor = filter.cursor.as_ref();
    let mut clauses = String::new();
    for (given, clause) in [
        (
            team_of(&asker.reach).is_some(),
            " AND v.rep IN (SELECT id FROM users WHERE tenant_id = ?1 AND team_id = ?4)",
        ),
        (filter.rep.is_some(), " AND v.rep = ?5"),
        (filter.customer.is_some(), " AND v.customer = ?6"),
        (
            filter.verdict.is_some(),
            " AND coalesce(v.verdict, 'unverifiable') = ?7",
        ),
        (
            cursor.is_some(),
            " AND (v.at < ?8 OR (v.at = ?8 AND v.id < ?9))",
        ),
    ] {
        if given {
            clauses.push_str(clause);
        }
    }
    let sql = format!(
        "SELECT {VISIT_COLUMNS} {VISIT_JOINS}
         WHERE v.tenant_id = ?1 AND v.deleted = 0 AND v.at >= ?2 AND v.at < ?3{clauses}
         ORDER BY v.at DESC, v.id DESC LIMIT ?10"
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![
        asker.tenant_id,
        filter.period.from_ms,
        filter.period.to_ms,
        team_of(&asker.reach),
        filter.rep,
        filter.customer,
        filter.verdict.map(|v| v.as_str()),
        cursor.map(|c| c.at_ms),
        cursor.map(|c| c.id.as_str()),
        (filter.limit + 1) as i64,
    ])?;
    let mut visits = Vec::new();
    let mut last: Option<Cursor> = None;
    let (mut seen, mut more) = (0, false);
    while let Some(r) = rows.next()? {
        if seen == filter.limit {
            more = true;
            break;
        }
        seen += 1;
        let row = visit_row(asker, &people, r)?;
        last = Some(Cursor {
            at_ms: r.get(8)?,
            id: row.id.clone(),
        });
        if console_reaches(&asker.reach, row.rep_id.as_deref(), &people.teams) {
            visits.push(row);
        }
    }
    Ok(VisitPage {
        visits,
        next_cursor: last.filter(|_| more).map(|c| c.encode()),
        time_zone: asker.zone.name().to_string(),
    })
}

fn presence(p: &Presence, asker: &Asker) -> PresenceView {
    PresenceView {
        at: local_time(p.at_ms, asker.zone),
        lat: p.lat,
        lon: p.lon,
        accuracy_m: p.accuracy_m,
        distance_m: p.distance_m,
        verdict: p.verdict.as_str().to_string(),
    }
}

/// The stored document `id` of `kind`, loaded.
fn document(
    tx: &Transaction<'_>,
    tenant_id: &str,
    id: &str,
    kind: Kind,
) -> Result<Option<Automerge>> {
    let data: Option<Vec<u8>> = tx
        .prepare_cached("SELECT data FROM docs WHERE tenant_id = ?1 AND id = ?2 AND kind = ?3")?
        .query_row(params![tenant_id, id, kind.as_str()], |r| r.get(0))
        .optional()?;
    Ok(data.as_deref().and_then(super::stored::load))
}

/// A customer as the asker may see it (`None`: unknown, or not visible to them).
fn customer_view(
    tx: &Transaction<'_>,
    asker: &Asker,
    teams: &Teams,
    id: &str,
) -> Result<Option<CustomerView>> {
    let Some(doc) = document(tx, &asker.tenant_id, id, Kind::Customer)? else {
        return Ok(None);
    };
    if !can_see(
        &asker.viewer,
        &DocMeta::extract(Kind::Customer, &doc),
        None,
        teams,
    ) {
        return Ok(None);
    }
    let Summary::Customer(c) = Summary::read(Kind::Customer, &doc) else {
        return Ok(None);
    };
    Ok(Some(CustomerView {
        id: id.to_string(),
        name: c.name,
        address: c.address,
        lat: c.lat,
        lon: c.lon,
        stage: c.stage,
    }))
}

/// The changes of `doc_id` in the log, oldest first (the latest [`MAX_HISTORY`]).
fn history(
    tx: &Transaction<'_>,
    asker: &Asker,
    people: &People,
    doc_id: &str,
    doc: &Automerge,
) -> Result<Vec<HistoryEntry>> {
    let mut stmt = tx.prepare_cached(
        "SELECT c.seq, c.data, d.user_id FROM changes c
         LEFT JOIN devices d ON d.tenant_id = c.tenant_id AND d.id = c.device_id
         WHERE c.tenant_id = ?1 AND c.doc_id = ?2 AND c.data IS NOT NULL
         ORDER BY c.seq DESC LIMIT ?3",
    )?;
    let mut rows = stmt.query(params![asker.tenant_id, doc_id, MAX_HISTORY as i64])?;
    let mut entries = Vec::new();
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let data: Vec<u8> = r.get(1)?;
        let user: Option<String> = r.get(2)?;
        let Ok(Ok(change)) = isolate(|| Change::from_bytes(data)) else {
            continue;
        };
        let fields = isolate(|| fields_touched(&change, doc)).unwrap_or_default();
        entries.push(HistoryEntry {
            seq: seq as u64,
            at: local_time(change.timestamp().saturating_mul(1000), asker.zone),
            user: user.and_then(|u| people.names.get(&u).cloned()),
            fields: fields.into_iter().collect(),
        });
    }
    entries.reverse();
    Ok(entries)
}

/// One visit in full, if the asker's console reaches it.
pub fn visit(tx: &Transaction<'_>, asker: &Asker, visit_id: &str) -> Result<Option<VisitDetail>> {
    let people = people(tx, &asker.tenant_id)?;
    let sql = format!("SELECT {VISIT_COLUMNS} {VISIT_JOINS} WHERE v.tenant_id = ?1 AND v.id = ?2");
    let row = tx
        .prepare_cached(&sql)?
        .query_row(params![asker.tenant_id, visit_id], |r| {
            visit_row(asker, &people, r)
        })
        .optional()?;
    let Some(row) =
        row.filter(|r| console_reaches(&asker.reach, r.rep_id.as_deref(), &people.teams))
    else {
        return Ok(None);
    };
    let Some(doc) = document(tx, &asker.tenant_id, visit_id, Kind::Visit)? else {
        return Ok(None);
    };
    let Summary::Visit(v) = Summary::read(Kind::Visit, &doc) else {
        return Ok(None);
    };
    let customer = match &row.customer_id {
        Some(id) => customer_view(tx, asker, &people.teams, id)?,
        None => None,
    };
    let horizon: i64 = tx
        .prepare_cached("SELECT horizon FROM tenants WHERE id = ?1")?
        .query_row([&asker.tenant_id], |r| r.get(0))?;
    Ok(Some(VisitDetail {
        customer,
        planned_at: v.planned_at_ms.and_then(|ms| local_time(ms, asker.zone)),
        check_in: v.check_in.as_ref().map(|p| presence(p, asker)),
        check_out: v.check_out.as_ref().map(|p| presence(p, asker)),
        notes: v.notes,
        pain_points: v.pain_points,
        next_action_due: v
            .next_action_due_ms
            .and_then(|ms| local_time(ms, asker.zone)),
        photos: v
            .photos
            .into_iter()
            .map(|(hash, thumb)| PhotoView {
                url: media::path(&hash),
                thumbnail_url: thumb.as_deref().map(media::path),
                hash,
                thumbnail_hash: thumb,
            })
            .collect(),
        history: history(tx, asker, &people, visit_id, &doc)?,
        history_trimmed: horizon > 0,
        visit: row,
    }))
}
