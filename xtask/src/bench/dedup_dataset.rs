//! The book the `dedup_check` and `dedup_scan` workloads run against: 100,000 generated
//! customers (the shared fixtures' companies, contacts and e-mail domains), of which one in
//! fifty was entered a second time by another rep the way it happens in the field — the
//! registered name instead of the short one, the same phone — so the scan has real duplicates
//! to find among the many look-alikes the generator makes on purpose.
//!
//! Kept apart from the shared `dataset` (which also writes visits and quick-logs) because the
//! checks only need customers, and because a generated value the core refuses (a mobile
//! segment the validator does not know) is dropped here rather than failing the build.
//! Cached under `target/bench/dedup-dataset-<version>`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use fieldsales_core::customer::{Address, ContactInput, NewCustomer};
use fieldsales_core::validate::{parse_email, parse_phone};
use fieldsales_core::{Config, Durability, FieldSales, Identity};

use crate::fixtures::{FakeCompany, Generator};
use crate::Result;

pub(crate) const CUSTOMERS: usize = 100_000;
/// One company in this many is entered twice.
const REENTERED_EVERY: usize = 50;
const VERSION: &str = "v2";
/// (original id, re-entered id) per line, written with the book.
pub(crate) const REENTERED_FILE: &str = "reentered.tsv";
const CHUNK: usize = 1_000;

pub(crate) fn ensure(bench_dir: &Path) -> Result<PathBuf> {
    let dir = bench_dir.join(format!("dedup-dataset-{VERSION}"));
    let marker = dir.join("complete");
    if marker.exists() {
        return Ok(dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let started = Instant::now();
    build(&dir)?;
    std::fs::write(&marker, format!("{CUSTOMERS} customers\n"))?;
    eprintln!(
        "bench: dedup dataset built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(dir)
}

pub(crate) fn open(dir: &Path) -> Result<FieldSales> {
    Ok(FieldSales::open(dir, identity()?, Config::default())?)
}

fn identity() -> Result<Identity> {
    Ok(Identity::new("bench-rep", Some("team-1".into()))?)
}

fn valid_phone(raw: &str) -> Option<String> {
    parse_phone(raw).ok().map(|_| raw.to_string())
}

fn input(c: &FakeCompany) -> NewCustomer {
    NewCustomer {
        name: c.name.clone(),
        legal_name: Some(c.legal_name.clone()),
        credit_code: Some(c.credit_code.clone()),
        phones: valid_phone(&c.phone).into_iter().collect(),
        emails: c
            .contacts
            .iter()
            .filter_map(|k| k.email.clone())
            .filter(|e| parse_email(e).is_ok())
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
                phone: valid_phone(&k.mobile),
                wechat: k.wechat.clone(),
                email: None,
            })
            .collect(),
        ..Default::default()
    }
}

/// The same company as a second rep enters it: the registered name, the phone, nothing else.
fn reentered(c: &FakeCompany) -> NewCustomer {
    NewCustomer {
        name: c.legal_name.clone(),
        phones: valid_phone(&c.phone).into_iter().collect(),
        ..Default::default()
    }
}

fn build(dir: &Path) -> Result {
    let config = Config {
        durability: Durability::AppCrash,
        ..Config::default()
    };
    let fs = FieldSales::open(dir, identity()?, config)?;
    let mut gen = Generator::new(2026);
    let mut written = 0usize;
    let mut pairs = String::new();
    while written < CUSTOMERS {
        let companies = gen.companies(CHUNK);
        let mut inputs = Vec::with_capacity(CHUNK + CHUNK / REENTERED_EVERY);
        // Positions in `inputs` of each original and its second entry.
        let mut twins = Vec::new();
        for (i, c) in companies.iter().enumerate() {
            if written + inputs.len() >= CUSTOMERS {
                break;
            }
            inputs.push(input(c));
            if i % REENTERED_EVERY == 0 && written + inputs.len() < CUSTOMERS {
                twins.push((inputs.len() - 1, inputs.len()));
                inputs.push(reentered(c));
            }
        }
        written += inputs.len();
        let ids = fs.customers().create_many(&inputs)?;
        for (original, copy) in twins {
            pairs.push_str(&format!("{}\t{}\n", ids[original], ids[copy]));
        }
    }
    std::fs::write(dir.join(REENTERED_FILE), pairs)?;
    eprintln!("bench: {written} customers written for dedup");
    Ok(())
}
