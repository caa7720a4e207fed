//! `dedup_quality`: precision and recall of duplicate checks on the labelled pairs in
//! `xtask/data/dedup_pairs.tsv`.
//!
//! Every pair's first customer is stored (all in one store, as a real book holds many
//! look-alikes side by side); then the second is checked through the public API as a rep
//! creating it would. A pair is predicted "same" when the check returns its first customer.
//! Misses are listed in the report with the pair's note, never hidden.

use std::path::Path;

use fieldsales_core::customer::{Address, NewCustomer};
use fieldsales_core::{Config, Durability, FieldSales, Identity};
use serde_json::{json, Map};

use super::{round, Outcome};
use crate::Result;

struct Pair {
    same: bool,
    a: NewCustomer,
    b: NewCustomer,
    note: String,
    line: usize,
}

fn customer(cols: &[&str]) -> NewCustomer {
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    NewCustomer {
        name: cols[0].trim().to_string(),
        phones: opt(cols[1]).into_iter().collect(),
        emails: opt(cols[2]).into_iter().collect(),
        address: opt(cols[3]).map(|text| Address {
            text: Some(text),
            ..Default::default()
        }),
        credit_code: opt(cols[4]),
        ..Default::default()
    }
}

fn load(path: &Path) -> Result<Vec<Pair>> {
    let text = std::fs::read_to_string(path)?;
    let mut pairs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.starts_with("label\t") || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 12 {
            return Err(format!("{}:{}: expected 12 columns", path.display(), i + 1).into());
        }
        pairs.push(Pair {
            same: cols[0] == "1",
            a: customer(&cols[1..6]),
            b: customer(&cols[6..11]),
            note: cols[11].to_string(),
            line: i + 1,
        });
    }
    Ok(pairs)
}

pub(crate) fn run(dir: &Path) -> Result<Outcome> {
    let pairs = load(&crate::workspace_root().join("xtask/data/dedup_pairs.tsv"))?;
    let store = dir.join("dedup-quality");
    let _ = std::fs::remove_dir_all(&store);
    let config = Config {
        durability: Durability::AppCrash,
        ..Config::default()
    };
    let fs = FieldSales::open(&store, Identity::new("bench-rep", None)?, config)?;
    let inputs: Vec<NewCustomer> = pairs.iter().map(|p| p.a.clone()).collect();
    let ids = fs.customers().create_many(&inputs)?;
    let (mut tp, mut fp, mut fn_, mut tn) = (0u32, 0u32, 0u32, 0u32);
    let mut misses = Vec::new();
    for (pair, id) in pairs.iter().zip(&ids) {
        let found = fs.dedup().check(&pair.b)?;
        let predicted = found.iter().any(|c| &c.customer_id == id);
        match (pair.same, predicted) {
            (true, true) => tp += 1,
            (false, false) => tn += 1,
            (true, false) => {
                fn_ += 1;
                misses.push(format!(
                    "missed (line {}): {}: {} | {}",
                    pair.line, pair.note, pair.a.name, pair.b.name
                ));
            }
            (false, true) => {
                fp += 1;
                misses.push(format!(
                    "false alarm (line {}): {}: {} | {}",
                    pair.line, pair.note, pair.a.name, pair.b.name
                ));
            }
        }
    }
    let precision = if tp + fp == 0 {
        0.0
    } else {
        f64::from(tp) / f64::from(tp + fp)
    };
    let recall = if tp + fn_ == 0 {
        0.0
    } else {
        f64::from(tp) / f64::from(tp + fn_)
    };
    for m in &misses {
        eprintln!("dedup_quality: {m}");
    }
    let mut figures = Map::new();
    figures.insert("pairs".into(), json!(pairs.len()));
    figures.insert("positives".into(), json!(tp + fn_));
    figures.insert("negatives".into(), json!(tn + fp));
    figures.insert("precision".into(), json!(round(precision)));
    figures.insert("recall".into(), json!(round(recall)));
    figures.insert("false_positives".into(), json!(fp));
    figures.insert("false_negatives".into(), json!(fn_));
    figures.insert("misses".into(), json!(misses));
    let mut targets = std::collections::BTreeMap::new();
    targets.insert("precision >= 0.95".into(), precision >= 0.95);
    targets.insert("recall >= 0.95".into(), recall >= 0.95);
    Ok(Outcome { figures, targets })
}
