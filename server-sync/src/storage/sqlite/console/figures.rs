//! Per-rep figures for a period: a few grouped counts over the read model, joined in memory.

use std::collections::HashMap;

use rusqlite::{params, Transaction};

use super::people;
use crate::console::{Asker, Figures, Period, RepFigures};
use crate::error::Result;

/// Per-user counts of one statement, keyed by user id.
fn counts<const N: usize>(
    tx: &Transaction<'_>,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<HashMap<String, [Option<f64>; N]>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let mut rows = stmt.query(args)?;
    let mut out = HashMap::new();
    while let Some(r) = rows.next()? {
        let Some(user) = r.get::<_, Option<String>>(0)? else {
            continue;
        };
        let mut values = [None; N];
        for (i, slot) in values.iter_mut().enumerate() {
            *slot = r.get(i + 1)?;
        }
        out.insert(user, values);
    }
    Ok(out)
}

/// Per-rep figures for `period`, for every non-admin user the asker's console reaches.
pub fn figures(tx: &Transaction<'_>, asker: &Asker, period: &Period) -> Result<Figures> {
    let people = people(tx, &asker.tenant_id)?;
    let (t, from, to, now) = (&asker.tenant_id, period.from_ms, period.to_ms, asker.now_ms);
    let visits = counts::<4>(
        tx,
        "SELECT rep, count(*), total(verdict = 'verified'),
            avg(CASE WHEN check_out_at >= check_in_at THEN (check_out_at - check_in_at) / 1000.0 END),
            avg(CASE WHEN synced_at IS NOT NULL AND created_at IS NOT NULL
                THEN (synced_at - created_at) / 1000.0 END)
         FROM console_visits WHERE tenant_id = ?1 AND deleted = 0 AND at >= ?2 AND at < ?3
         GROUP BY rep",
        params![t, from, to],
    )?;
    let logs = counts::<3>(
        tx,
        "SELECT rep, total(channel = 'call'),
            total(synced_at IS NOT NULL AND created_at IS NOT NULL),
            total(CASE WHEN synced_at IS NOT NULL AND created_at IS NOT NULL
                THEN (synced_at - created_at) / 1000.0 END)
         FROM console_quick_logs WHERE tenant_id = ?1 AND deleted = 0 AND at >= ?2 AND at < ?3
         GROUP BY rep",
        params![t, from, to],
    )?;
    let customers = counts::<2>(
        tx,
        "SELECT created_by, count(*), total(stage IS NULL) FROM console_customers
         WHERE tenant_id = ?1 AND created_at >= ?2 AND created_at < ?3 GROUP BY created_by",
        params![t, from, to],
    )?;
    let tasks = counts::<3>(
        tx,
        "SELECT assignee, total(due_at >= ?2 AND due_at < ?3),
            total(due_at >= ?2 AND due_at < ?3 AND done = 0 AND due_at < ?4),
            total(done = 1 AND done_at >= ?2 AND done_at < ?3)
         FROM console_tasks WHERE tenant_id = ?1 AND deleted = 0
            AND ((due_at >= ?2 AND due_at < ?3) OR (done_at >= ?2 AND done_at < ?3))
         GROUP BY assignee",
        params![t, from, to, now],
    )?;
    let whole = |v: Option<f64>| v.unwrap_or(0.0) as i64;
    let reps: Vec<RepFigures> = people
        .reps_in_reach(&asker.reach)
        .into_iter()
        .map(|(id, name)| {
            let v = visits.get(&id).copied().unwrap_or_default();
            let q = logs.get(&id).copied().unwrap_or_default();
            let c = customers.get(&id).copied().unwrap_or_default();
            let k = tasks.get(&id).copied().unwrap_or_default();
            let (n_visits, verified) = (whole(v[0]), whole(v[1]));
            // The mean lag over visits and quick-logs together, from each side's mean and count.
            let visit_lag = v[3].map(|mean| (mean * n_visits as f64, n_visits as f64));
            let log_lag =
                (q[1].unwrap_or(0.0) > 0.0).then(|| (q[2].unwrap_or(0.0), q[1].unwrap_or(0.0)));
            let (lag_sum, lag_n) = [visit_lag, log_lag]
                .into_iter()
                .flatten()
                .fold((0.0, 0.0), |(s, n), (ds, dn)| (s + ds, n + dn));
            RepFigures {
                rep_id: id,
                rep: name,
                visits: n_visits,
                visits_verified: verified,
                verified_share: (n_visits > 0).then(|| verified as f64 / n_visits as f64),
                calls: whole(q[0]),
                new_customers: whole(c[0]),
                new_leads: whole(c[1]),
                tasks_due: whole(k[0]),
                tasks_overdue: whole(k[1]),
                tasks_done: whole(k[2]),
                avg_time_on_site_s: v[2],
                avg_sync_lag_s: (lag_n > 0.0).then(|| lag_sum / lag_n),
            }
        })
        .collect();
    Ok(Figures {
        from: period.first_day.to_string(),
        to: period.last_day.to_string(),
        time_zone: asker.zone.name().to_string(),
        reps,
    })
}
