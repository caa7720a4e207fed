//! `open`: opening the store of a rep with a big book — 100,000 customers and 300,000 visits
//! and quick-logs — and what that book costs on disk.

use std::path::Path;
use std::time::Instant;

use serde_json::{json, Map};

use super::{dataset, round, Outcome, Samples};
use crate::Result;

const OPENS: usize = 20;

pub(crate) fn run(dir: &Path) -> Result<Outcome> {
    let data = dataset::ensure(dir)?;
    let mut samples = Samples::new();
    let mut records = 0;
    for _ in 0..OPENS {
        let start = Instant::now();
        let fs = dataset::open(&data)?;
        samples.push(start.elapsed());
        records = fs.customers().count()?;
    }
    let (bytes, docs) = dataset::disk_usage(&data)?;
    let p50 = samples.ms(50.0);
    let max = samples.ms(100.0);
    let mut figures = Map::new();
    figures.insert("open_p50_ms".into(), json!(round(p50)));
    figures.insert("open_max_ms".into(), json!(round(max)));
    figures.insert("customers".into(), json!(records));
    figures.insert("records".into(), json!(docs));
    figures.insert("bytes_on_disk".into(), json!(bytes));
    figures.insert(
        "bytes_per_record".into(),
        json!(round(bytes as f64 / docs.max(1) as f64)),
    );
    let mut targets = std::collections::BTreeMap::new();
    targets.insert("open <= 100 ms".to_string(), max <= 100.0);
    Ok(Outcome { figures, targets })
}
