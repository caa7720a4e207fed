//! Damaged copies of real changes, for the fuzz tests of both intakes: the server's (changes
//! pushed by a device) and the device's (changes in a server answer).
//!
//! Test support, hidden from the docs: one copy of the seed records and of the mutation, so the
//! two fuzz runs feed their intakes the same kind of input. It must not be used by the engine.
//! The cases come from a seeded generator, so a failure repeats with the same seed.

use chrono::{TimeZone, Utc};
use rand::rngs::StdRng;
use rand::Rng;

use crate::customer::{ContactInput, CustomerPatch, NewCustomer};
use crate::error::Result;
use crate::record::schema::Kind;
use crate::FieldSales;

/// A document's kind and its changes in order, as its writer's outbox holds them.
pub type History = (Kind, Vec<Vec<u8>>);

/// How many cases a fuzz run tries: `FIELDSALES_FUZZ_CASES`, or `default` (a short run).
pub fn cases(default: usize) -> usize {
    std::env::var("FIELDSALES_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Writes a few records through `fs` — customers created, edited, given a contact; visits
/// planned with notes edited twice — and returns their histories from the outbox.
pub fn real_histories(fs: &FieldSales) -> Result<Vec<History>> {
    for i in 0..4u32 {
        let id = fs.customers().create(NewCustomer {
            name: format!("客户{i}"),
            phones: vec!["13800138000".into()],
            ..Default::default()
        })?;
        fs.customers().add_contact(
            &id,
            ContactInput {
                name: Some("王经理".into()),
                phone: Some("13900139000".into()),
                ..Default::default()
            },
        )?;
        fs.customers().edit(
            &id,
            CustomerPatch {
                name: Some(format!("客户{i}有限公司")),
                add_tags: vec!["vip".into()],
                ..Default::default()
            },
        )?;
        let at = Utc
            .with_ymd_and_hms(2026, 3, 1 + i, 9, 0, 0)
            .single()
            .expect("a valid fixed date");
        let visit = fs.visits().plan(&id, at)?;
        fs.visits().edit_notes(&visit, "谈了价格，下周再来")?;
        fs.visits()
            .edit_notes(&visit, "谈了价格，下周三再来看样品")?;
    }
    let mut histories: Vec<(String, History)> = Vec::new();
    for change in fs.outbox(10_000)? {
        match histories.iter_mut().find(|(id, _)| id == &change.doc_id) {
            Some((_, (_, changes))) => changes.push(change.change),
            None => histories.push((change.doc_id, (change.kind, vec![change.change]))),
        }
    }
    Ok(histories.into_iter().map(|(_, history)| history).collect())
}

/// A few random byte edits (flip, overwrite, delete, insert) past the four magic bytes, whose
/// damage only ever fails the parse.
pub fn mutate(rng: &mut StdRng, change: &[u8]) -> Vec<u8> {
    let mut out = change.to_vec();
    for _ in 0..rng.gen_range(1..=3) {
        if out.len() < 6 {
            break;
        }
        let at = rng.gen_range(4..out.len());
        match rng.gen_range(0..4) {
            0 => out[at] ^= 1 << rng.gen_range(0..8),
            1 => out[at] = rng.gen(),
            2 => {
                out.remove(at);
            }
            _ => out.insert(at, rng.gen()),
        }
    }
    out
}

/// One case: a random document's history up to a random change, that change damaged.
pub fn damaged_history(rng: &mut StdRng, histories: &[History]) -> History {
    let (kind, changes) = &histories[rng.gen_range(0..histories.len())];
    let upto = rng.gen_range(0..changes.len());
    let mut sent = changes[..upto].to_vec();
    sent.push(mutate(rng, &changes[upto]));
    (*kind, sent)
}
