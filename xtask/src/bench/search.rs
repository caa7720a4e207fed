//! `search`: the three ways a rep looks a customer up, over 100,000 customers.
//!
//! Queries are drawn from customers actually in the store: two Chinese characters from the
//! middle of a name, the pinyin initials of a name's first four characters, the last four
//! digits of a phone. Each is timed through the public search API with a limit of 20.
//!
//! Timing alone cannot tell a right answer from a wrong one, so every query is also checked
//! against the customer it was drawn from, which a correct search must find:
//!
//! - `{kind}_found_own`: the customer is among all the query's matches (the search asked again,
//!   untimed, with the limit raised to [`CHECK_LIMIT`]). A query drawn from a customer must
//!   match it, however common its words are, so the target is every query (rate 1.0). Queries
//!   with [`CHECK_LIMIT`] matches or more (`{kind}_too_broad`) cannot be judged and are left out.
//! - `{kind}_own_in_top_20`: the customer is among the 20 results a rep sees. Two characters
//!   such as 科技, or four phone digits over 100,000 customers and their contacts, legitimately
//!   match more than 20 customers, and then which 20 come first says nothing about
//!   correctness. So the rate is taken over the queries specific enough to have at most 20
//!   matches in all (`{kind}_specific`), where a rep would expect the customer on screen, and
//!   the target is 1.0 there too.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use fieldsales_core::customer::CustomerSummary;
use pinyin::ToPinyin;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map};

use super::{dataset, round, Outcome, Samples};
use crate::Result;

const QUERIES: usize = 300;
/// The limit a rep's search screen asks for: the timed figure.
const LIMIT: u32 = 20;
/// The limit of the untimed correctness check: far above any result list a rep reads, low
/// enough that the check of 900 queries takes seconds.
const CHECK_LIMIT: u32 = 2_000;

/// Makes a query of one kind from a sampled customer's name and phone digits.
type QueryMaker = fn(&str, &str, &mut rand_chacha::ChaCha8Rng) -> Option<String>;

/// A customer the queries are drawn from.
struct Sampled {
    id: String,
    name: String,
    phone_digits: String,
}

/// How the queries of one kind did against the customers they were drawn from.
#[derive(Default)]
struct HitRate {
    queries: usize,
    /// Queries with fewer than `CHECK_LIMIT` matches, and of those the ones finding the customer.
    judged: usize,
    found_own: usize,
    /// Queries with at most `LIMIT` matches, and of those the ones showing the customer.
    specific: usize,
    own_in_top: usize,
}

impl HitRate {
    fn add(&mut self, own: &str, shown: &[String], all: &[String]) {
        self.queries += 1;
        if all.len() >= CHECK_LIMIT as usize {
            return;
        }
        self.judged += 1;
        if all.iter().any(|id| id == own) {
            self.found_own += 1;
        }
        if all.len() <= LIMIT as usize {
            self.specific += 1;
            if shown.iter().any(|id| id == own) {
                self.own_in_top += 1;
            }
        }
    }

    /// Share of `hits` in `of`; 1.0 when nothing was judged (no query missed).
    fn rate(hits: usize, of: usize) -> f64 {
        if of == 0 {
            1.0
        } else {
            hits as f64 / of as f64
        }
    }

    fn report(&self, kind: &str, figures: &mut Map<String, serde_json::Value>) {
        let found = Self::rate(self.found_own, self.judged);
        let shown = Self::rate(self.own_in_top, self.specific);
        figures.insert(
            format!("{kind}_too_broad"),
            json!(self.queries - self.judged),
        );
        figures.insert(format!("{kind}_found_own"), json!(self.found_own));
        figures.insert(format!("{kind}_found_own_rate"), json!(round(found)));
        figures.insert(format!("{kind}_specific"), json!(self.specific));
        figures.insert(format!("{kind}_own_in_top_20"), json!(self.own_in_top));
        figures.insert(format!("{kind}_own_in_top_20_rate"), json!(round(shown)));
    }
}

pub(crate) fn run(dir: &Path) -> Result<Outcome> {
    let data = dataset::ensure(dir)?;
    super::warm_os_cache(&data)?;
    let fs = dataset::open(&data)?;
    let sample = sample_customers(fs.path(), QUERIES)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let mut figures = Map::new();
    let mut targets = BTreeMap::new();
    let kinds: [(&str, QueryMaker); 3] = [
        ("chinese", chinese_query),
        ("initials", initials_query),
        ("phone_suffix", phone_query),
    ];
    for (kind, make) in kinds {
        let mut samples = Samples::new();
        // (customer, query, ids shown), checked after the timing so that the check's reads do
        // not warm the pages of the next timed query.
        let mut answers = Vec::new();
        for customer in &sample {
            let Some(q) = make(&customer.name, &customer.phone_digits, &mut rng) else {
                continue;
            };
            let start = Instant::now();
            let shown = fs.search().customers(&q, LIMIT)?;
            samples.push(start.elapsed());
            answers.push((customer, q, ids(shown)));
        }
        let mut hits = HitRate::default();
        for (customer, q, shown) in &answers {
            let all = ids(fs.search().customers(q, CHECK_LIMIT)?);
            hits.add(&customer.id, shown, &all);
        }
        let p99 = samples.ms(99.0);
        figures.insert(format!("{kind}_p50_ms"), json!(round(samples.ms(50.0))));
        figures.insert(format!("{kind}_p99_ms"), json!(round(p99)));
        figures.insert(format!("{kind}_queries"), json!(hits.queries));
        hits.report(kind, &mut figures);
        targets.insert(format!("{kind} p99 <= 10 ms"), p99 <= 10.0);
        targets.insert(
            format!("{kind} finds its customer (every query)"),
            hits.found_own == hits.judged,
        );
        targets.insert(
            format!("{kind} shows its customer when <= 20 match"),
            hits.own_in_top == hits.specific,
        );
    }
    figures.insert("customers".into(), json!(fs.customers().count()?));
    Ok(Outcome { figures, targets })
}

fn ids(found: Vec<CustomerSummary>) -> Vec<String> {
    found.into_iter().map(|c| c.id).collect()
}

/// `n` customers spread over the store, with the digits of one of their phones (their own or
/// a contact's: search finds a customer by either).
fn sample_customers(db: &Path, n: usize) -> Result<Vec<Sampled>> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut stmt = conn.prepare(
        "SELECT c.id, c.name, p.rev FROM customers c
         JOIN customer_phones p ON p.customer_id = c.id
         WHERE c.deleted = 0 AND c.num % (SELECT max(1, count(*) / ?1) FROM customers) = 0
         LIMIT ?1",
    )?;
    let rows = stmt.query_map([n as i64], |r| {
        Ok(Sampled {
            id: r.get(0)?,
            name: r.get(1)?,
            phone_digits: r.get::<_, String>(2)?.chars().rev().collect(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn a_query_missing_its_customer_counts_as_a_miss() {
        let mut rate = HitRate::default();
        let (shown, all) = (ids(3), ids(3));
        rate.add("other", &shown, &all);
        rate.add("c1", &shown, &all);
        assert_eq!((rate.judged, rate.found_own), (2, 1));
        assert_eq!((rate.specific, rate.own_in_top), (2, 1));
    }

    #[test]
    fn a_broad_query_is_held_to_its_matches_not_to_the_first_twenty() {
        let mut rate = HitRate::default();
        let all = ids(50);
        rate.add("c40", &all[..20], &all);
        assert_eq!((rate.judged, rate.found_own), (1, 1));
        assert_eq!(rate.specific, 0, "50 matches are not specific enough");
        let too_many = ids(CHECK_LIMIT as usize);
        rate.add("nobody", &too_many[..20], &too_many);
        assert_eq!((rate.queries, rate.judged), (2, 1), "cannot be judged");
    }
}
