//! The big book shared by the `search` and `open` workloads: 100,000 customers and 300,000
//! visits and quick-logs of generated, realistic data (Chinese company and person names,
//! mainland phones, coordinates around ten cities), written through the public API.
//!
//! Built once and kept under `target/bench/dataset-<version>` (a marker file says it is
//! complete), since building it takes a minute and it does not change between runs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use fieldsales_core::customer::{Address, ContactInput, NewCustomer};
use fieldsales_core::quicklog::{Channel, NewQuickLog};
use fieldsales_core::visit::Fix;
use fieldsales_core::{Config, Durability, FieldSales, Identity, ManualClock};
use rand::{Rng, SeedableRng};

use crate::fixtures::{FakeCompany, Generator};
use crate::Result;

pub(crate) const CUSTOMERS: usize = 100_000;
pub(crate) const VISITS: usize = 100_000;
pub(crate) const QUICK_LOGS: usize = 200_000;
const VERSION: &str = "v1";
const CHUNK: usize = 1_000;

/// The dataset directory, built first if needed.
pub(crate) fn ensure(bench_dir: &Path) -> Result<PathBuf> {
    let dir = bench_dir.join(format!("dataset-{VERSION}"));
    let marker = dir.join("complete");
    if marker.exists() {
        return Ok(dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let started = Instant::now();
    build(&dir)?;
    std::fs::write(
        &marker,
        format!("{CUSTOMERS} customers, {VISITS} visits, {QUICK_LOGS} quick-logs\n"),
    )?;
    eprintln!(
        "bench: dataset built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(dir)
}

/// Opens the dataset as its rep would, with the product's default settings.
pub(crate) fn open(dir: &Path) -> Result<FieldSales> {
    Ok(FieldSales::open(dir, identity()?, Config::default())?)
}

/// Bytes of the database files, and the number of stored documents.
pub(crate) fn disk_usage(dir: &Path) -> Result<(u64, u64)> {
    let mut bytes = 0;
    let mut db = None;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        if name.contains(".sqlite3") {
            bytes += entry.metadata()?.len();
            if name.ends_with(".sqlite3") {
                db = Some(entry.path());
            }
        }
    }
    let db = db.ok_or("dataset has no database")?;
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let docs: i64 = conn.query_row("SELECT count(*) FROM docs", [], |r| r.get(0))?;
    Ok((bytes, docs as u64))
}

fn identity() -> Result<Identity> {
    Ok(Identity::new("bench-rep", Some("team-1".into()))?)
}

/// A generated company as a rep would type it in: name, legal name, credit code, phone, one
/// e-mail, address with coordinates and its contacts.
pub(crate) fn new_customer(c: &FakeCompany) -> NewCustomer {
    NewCustomer {
        name: c.name.clone(),
        legal_name: Some(c.legal_name.clone()),
        credit_code: Some(c.credit_code.clone()),
        phones: vec![c.phone.clone()],
        emails: c
            .contacts
            .iter()
            .filter_map(|k| k.email.clone())
            .take(1)
            .collect(),
        address: Some(Address {
            text: Some(c.address.clone()),
            lat: Some(c.lat),
            lon: Some(c.lon),
        }),
        contacts: c
            .contacts
            .iter()
            .map(|k| ContactInput {
                name: Some(k.name.clone()),
                title: Some(k.title.clone()),
                phone: Some(k.mobile.clone()),
                wechat: k.wechat.clone(),
                email: None,
            })
            .collect(),
        ..Default::default()
    }
}

fn build(dir: &Path) -> Result {
    let start = Utc
        .with_ymd_and_hms(2025, 1, 6, 1, 0, 0)
        .single()
        .ok_or("bad date")?;
    let clock = Arc::new(ManualClock::new(start));
    // Building is bulk work: the app-crash durability level is enough and saves an fsync per
    // record; the measurements open the result with the default settings.
    let config = Config {
        durability: Durability::AppCrash,
        clock: clock.clone(),
        ..Config::default()
    };
    let fs = FieldSales::open(dir, identity()?, config)?;
    let mut gen = Generator::new(2026);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);

    let mut customers: Vec<(String, f64, f64)> = Vec::with_capacity(CUSTOMERS);
    for chunk_start in (0..CUSTOMERS).step_by(CHUNK) {
        let companies = gen.companies(CHUNK.min(CUSTOMERS - chunk_start));
        let inputs: Vec<NewCustomer> = companies.iter().map(new_customer).collect();
        let ids = fs.customers().create_many(&inputs)?;
        customers.extend(
            ids.into_iter()
                .zip(companies.iter().map(|c| (c.lat, c.lon)))
                .map(|(id, (lat, lon))| (id, lat, lon)),
        );
    }
    eprintln!("bench: {} customers written", customers.len());

    for _ in 0..VISITS {
        let (id, lat, lon) = &customers[rng.gen_range(0..customers.len())];
        let jitter = || rand::random::<f64>() * 0.004 - 0.002;
        let fix = Fix {
            lat: lat + jitter(),
            lon: lon + jitter(),
            accuracy_m: Some(15.0),
        };
        clock.advance(Duration::minutes(3));
        fs.visits().check_in(id, None, Some(fix))?;
    }
    eprintln!("bench: {VISITS} visits written");

    for _ in (0..QUICK_LOGS).step_by(CHUNK) {
        let inputs: Vec<NewQuickLog> = (0..CHUNK)
            .map(|i| {
                let (id, _, _) = &customers[rng.gen_range(0..customers.len())];
                NewQuickLog {
                    channel: if i % 3 == 0 {
                        Channel::Wechat
                    } else {
                        Channel::Call
                    },
                    customer_id: Some(id.clone()),
                    duration_s: Some(rng.gen_range(15..1200)),
                    pain_points: gen.pain_points(),
                    next_action: (i % 4 == 0).then(|| gen.next_action()),
                    note: (i % 5 == 0).then(|| gen.visit_note()),
                    ..Default::default()
                }
            })
            .collect();
        clock.advance(Duration::minutes(20));
        fs.quick_log().log_many(&inputs)?;
    }
    eprintln!("bench: {QUICK_LOGS} quick-logs written");
    Ok(())
}
