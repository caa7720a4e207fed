//! `quicklog_write`: the rep's few-seconds log, durable, against a plain SQLite insert.
//!
//! One quick-log = phone lookup, the entry's document, its follow-up task's document, both
//! projections and both outbox rows, committed. The baseline is a plain rusqlite insert of a
//! row as large as the saved quick-log document, one transaction per row, in the same directory
//! with the same WAL and `synchronous` setting. Both are measured at the product's default
//! (`FULL`, survives power loss) and, for information, at `NORMAL`.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::Duration;
use fieldsales_core::customer::NewCustomer;
use fieldsales_core::quicklog::{Channel, NewQuickLog};
use fieldsales_core::{Config, Durability, FieldSales, Identity, Kind, ManualClock};
use rand::{Rng, SeedableRng};
use serde_json::{json, Map};

use super::{round, Outcome, Samples};
use crate::fixtures::Generator;
use crate::Result;

const CUSTOMERS: usize = 2_000;
const WARMUP: usize = 200;
const WRITES: usize = 2_000;

pub(crate) fn run(dir: &Path) -> Result<Outcome> {
    let mut figures = Map::new();
    let mut targets = std::collections::BTreeMap::new();
    for (label, durability) in [
        ("", Durability::PowerLoss),
        ("normal_", Durability::AppCrash),
    ] {
        let (mut ours, record_bytes) = quicklogs(dir, durability)?;
        let mut plain = plain_inserts(dir, durability, record_bytes)?;
        let (p50, p99) = (ours.us(50.0), ours.us(99.0));
        let (b50, b99) = (plain.us(50.0), plain.us(99.0));
        figures.insert(format!("{label}p50_us"), json!(round(p50)));
        figures.insert(format!("{label}p99_us"), json!(round(p99)));
        // The one write in a few hundred that copies the log (a stream of writes leaves no
        // pause for the background checkpoint) shows here.
        figures.insert(format!("{label}max_us"), json!(round(ours.us(100.0))));
        figures.insert(format!("{label}baseline_p50_us"), json!(round(b50)));
        figures.insert(format!("{label}baseline_p99_us"), json!(round(b99)));
        figures.insert(format!("{label}ratio_p50"), json!(round(p50 / b50)));
        figures.insert(format!("{label}ratio_p99"), json!(round(p99 / b99)));
        if label.is_empty() {
            figures.insert("record_bytes".into(), json!(record_bytes));
            targets.insert("p99 <= 1 ms".to_string(), p99 <= 1000.0);
            targets.insert("p99 <= 3x baseline".to_string(), p99 <= 3.0 * b99);
        }
    }
    figures.insert("writes".into(), json!(WRITES));
    Ok(Outcome { figures, targets })
}

/// Times `WRITES` quick-logs; returns the samples and the size of one saved entry.
fn quicklogs(dir: &Path, durability: Durability) -> Result<(Samples, usize)> {
    let data = dir.join("quicklog_write");
    let _ = std::fs::remove_dir_all(&data);
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let config = Config {
        durability,
        clock: clock.clone(),
        ..Config::default()
    };
    let fs = FieldSales::open(
        &data,
        Identity::new("bench-rep", Some("team-1".into()))?,
        config,
    )?;
    let mut gen = Generator::new(7);
    let companies = gen.companies(CUSTOMERS);
    let inputs: Vec<NewCustomer> = companies
        .iter()
        .map(|c| NewCustomer {
            name: c.name.clone(),
            phones: vec![c.phone.clone()],
            ..Default::default()
        })
        .collect();
    fs.customers().create_many(&inputs)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut samples = Samples::new();
    let mut last_id = String::new();
    for i in 0..WARMUP + WRITES {
        let company = &companies[rng.gen_range(0..companies.len())];
        let input = NewQuickLog {
            channel: Channel::Call,
            phone: Some(company.phone.clone()),
            duration_s: Some(rng.gen_range(20..900)),
            pain_points: gen.pain_points(),
            next_action: Some(gen.next_action()),
            due: Some(clock_now(&clock) + Duration::days(2)),
            ..Default::default()
        };
        clock.advance(Duration::seconds(30));
        let start = Instant::now();
        let logged = fs.quick_log().log(input)?;
        let took = start.elapsed();
        if i >= WARMUP {
            samples.push(took);
        }
        last_id = logged.entry.id;
    }
    let record_bytes = fs.export_document(Kind::QuickLog, &last_id)?.len();
    Ok((samples, record_bytes))
}

fn clock_now(clock: &ManualClock) -> chrono::DateTime<chrono::Utc> {
    use fieldsales_core::Clock;
    clock.now()
}

/// Times plain inserts of `bytes`-sized rows, one transaction each.
fn plain_inserts(dir: &Path, durability: Durability, bytes: usize) -> Result<Samples> {
    let path = dir.join("plain_insert.sqlite3");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let conn = rusqlite::Connection::open(&path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let sync = match durability {
        Durability::PowerLoss => "FULL",
        Durability::AppCrash => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", sync)?;
    conn.execute_batch("CREATE TABLE rows (id TEXT PRIMARY KEY, body BLOB NOT NULL)")?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut samples = Samples::new();
    let mut stmt = conn.prepare("INSERT INTO rows (id, body) VALUES (?1, ?2)")?;
    for i in 0..WARMUP + WRITES {
        let body: Vec<u8> = (0..bytes).map(|_| rng.gen()).collect();
        let id = format!("{:032x}", rng.gen::<u128>());
        let start = Instant::now();
        conn.execute_batch("BEGIN IMMEDIATE")?;
        stmt.execute(rusqlite::params![id, body])?;
        conn.execute_batch("COMMIT")?;
        if i >= WARMUP {
            samples.push(start.elapsed());
        }
    }
    Ok(samples)
}
