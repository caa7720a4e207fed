//! `dedup_check` and `dedup_scan`: duplicate detection against a 100,000-customer book
//! (see `dedup_dataset`).
//!
//! `dedup_check` times one check through the public API, the way the app runs it while a rep
//! creates a customer: probes are built from customers in the store (their short name, their
//! legal name with the phone, or a name with one character changed), so every probe meets a
//! crowded block of look-alikes. `dedup_scan` times one full scan and reports what it found.

use std::path::Path;
use std::time::Instant;

use fieldsales_core::customer::NewCustomer;
use serde_json::{json, Map};

use super::{dedup_dataset as dataset, round, Outcome, Samples};
use crate::Result;

const PROBES: usize = 300;

pub(crate) fn run_check(dir: &Path) -> Result<Outcome> {
    let data = dataset::ensure(dir)?;
    let fs = dataset::open(&data)?;
    let probes = probes(fs.path(), PROBES)?;
    // One warm-up check: the first read of the index pages is not what a rep waits for twice.
    if let Some((probe, _)) = probes.first() {
        fs.dedup().check(probe)?;
    }
    let mut samples = Samples::new();
    let mut found_own = 0usize;
    let mut candidates = 0usize;
    for (probe, own) in &probes {
        let start = Instant::now();
        let found = fs.dedup().check(probe)?;
        samples.push(start.elapsed());
        candidates += found.len();
        if found.iter().any(|c| &c.customer_id == own) {
            found_own += 1;
        }
    }
    let p99 = samples.ms(99.0);
    let mut figures = Map::new();
    figures.insert("customers".into(), json!(fs.customers().count()?));
    figures.insert("checks".into(), json!(probes.len()));
    figures.insert("p50_ms".into(), json!(round(samples.ms(50.0))));
    figures.insert("p99_ms".into(), json!(round(p99)));
    figures.insert("found_own_record".into(), json!(found_own));
    figures.insert(
        "mean_candidates".into(),
        json!(round(candidates as f64 / probes.len().max(1) as f64)),
    );
    let mut targets = std::collections::BTreeMap::new();
    targets.insert("check p99 <= 5 ms".into(), p99 <= 5.0);
    Ok(Outcome { figures, targets })
}

pub(crate) fn run_scan(dir: &Path) -> Result<Outcome> {
    let data = dataset::ensure(dir)?;
    let fs = dataset::open(&data)?;
    let start = Instant::now();
    let report = fs.dedup().scan()?;
    let seconds = start.elapsed().as_secs_f64();
    let largest = report
        .groups
        .iter()
        .map(|g| g.customer_ids.len())
        .max()
        .unwrap_or(0);
    let mut figures = Map::new();
    figures.insert("customers".into(), json!(report.customers));
    figures.insert("seconds".into(), json!(round(seconds)));
    figures.insert("groups".into(), json!(report.groups.len()));
    figures.insert("redundant".into(), json!(report.redundant));
    figures.insert("duplicate_rate".into(), json!(report.duplicate_rate));
    figures.insert("largest_group".into(), json!(largest));
    let mut targets = std::collections::BTreeMap::new();
    targets.insert("scan <= 10 s".into(), seconds <= 10.0);
    Ok(Outcome { figures, targets })
}

/// (probe, id of the customer it was made from) for `n` customers spread over the store.
fn probes(db: &Path, n: usize) -> Result<Vec<(NewCustomer, String)>> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut stmt = conn.prepare(
        "SELECT id, name, legal_name, phone FROM customers
         WHERE deleted = 0 AND num % (SELECT max(1, count(*) / ?1) FROM customers) = 0 LIMIT ?1",
    )?;
    let rows = stmt.query_map([n as i64], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for (i, row) in rows.enumerate() {
        let (id, name, legal, phone) = row?;
        let probe = match i % 3 {
            0 => NewCustomer {
                name,
                ..Default::default()
            },
            1 => NewCustomer {
                name: legal.unwrap_or(name),
                phones: phone.into_iter().collect(),
                ..Default::default()
            },
            _ => {
                // A typo: the last character of the short name doubled.
                let mut typo = name.clone();
                if let Some(last) = name.chars().last() {
                    typo.push(last);
                }
                NewCustomer {
                    name: typo,
                    ..Default::default()
                }
            }
        };
        out.push((probe, id));
    }
    Ok(out)
}
