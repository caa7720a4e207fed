//! `search`: the three ways a rep looks a customer up, over 100,000 customers.
//!
//! Queries are drawn from customers actually in the store: two Chinese characters from the
//! middle of a name, the pinyin initials of a name's first four characters, the last four
//! digits of a phone. Each is timed through the public search API with a limit of 20.

use std::path::Path;
use std::time::Instant;

use pinyin::ToPinyin;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map};

use super::{dataset, round, Outcome, Samples};
use crate::Result;

const QUERIES: usize = 300;

/// Makes a query of one kind from a sampled customer's name and phone digits.
type QueryMaker = fn(&str, &str, &mut rand_chacha::ChaCha8Rng) -> Option<String>;

pub(crate) fn run(dir: &Path) -> Result<Outcome> {
    let data = dataset::ensure(dir)?;
    super::warm_os_cache(&data)?;
    let fs = dataset::open(&data)?;
    let sample = sample_customers(fs.path(), QUERIES)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let mut figures = Map::new();
    let mut targets = std::collections::BTreeMap::new();
    let kinds: [(&str, QueryMaker); 3] = [
        ("chinese", chinese_query),
        ("initials", initials_query),
        ("phone_suffix", phone_query),
    ];
    for (kind, make) in kinds {
        let mut samples = Samples::new();
        let mut found_own = 0usize;
        let mut total = 0usize;
        for (name, digits) in &sample {
            let Some(q) = make(name, digits, &mut rng) else {
                continue;
            };
            let start = Instant::now();
            let hits = fs.search().customers(&q, 20)?;
            samples.push(start.elapsed());
            total += 1;
            if !hits.is_empty() {
                found_own += 1;
            }
        }
        let p99 = samples.ms(99.0);
        figures.insert(format!("{kind}_p50_ms"), json!(round(samples.ms(50.0))));
        figures.insert(format!("{kind}_p99_ms"), json!(round(p99)));
        figures.insert(format!("{kind}_queries"), json!(total));
        figures.insert(format!("{kind}_with_hits"), json!(found_own));
        targets.insert(format!("{kind} p99 <= 10 ms"), p99 <= 10.0);
    }
    figures.insert("customers".into(), json!(fs.customers().count()?));
    Ok(Outcome { figures, targets })
}

/// (name, phone digits) of `n` customers spread over the store.
fn sample_customers(db: &Path, n: usize) -> Result<Vec<(String, String)>> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut stmt = conn.prepare(
        "SELECT c.name, p.rev FROM customers c JOIN customer_phones p ON p.customer_id = c.id
         WHERE c.num % (SELECT max(1, count(*) / ?1) FROM customers) = 0 LIMIT ?1",
    )?;
    let rows = stmt.query_map([n as i64], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, rev) = row?;
        out.push((name, rev.chars().rev().collect()));
    }
    Ok(out)
}

fn chinese_query(name: &str, _: &str, rng: &mut rand_chacha::ChaCha8Rng) -> Option<String> {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() < 2 {
        return None;
    }
    let start = rng.gen_range(0..chars.len() - 1);
    Some(chars[start..start + 2].iter().collect())
}

fn initials_query(name: &str, _: &str, _: &mut rand_chacha::ChaCha8Rng) -> Option<String> {
    let initials: String = name
        .chars()
        .filter_map(|c| c.to_pinyin().map(|p| p.first_letter().to_string()))
        .take(4)
        .collect();
    (initials.len() >= 2).then_some(initials)
}

fn phone_query(_: &str, digits: &str, _: &mut rand_chacha::ChaCha8Rng) -> Option<String> {
    (digits.len() >= 4).then(|| digits[digits.len() - 4..].to_string())
}
