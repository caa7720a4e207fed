//! `ffi_call`: what crossing into Rust from Kotlin costs, next to the same work in Rust.
//!
//! The same workload runs twice against the release library: here in Rust, calling
//! `fieldsales-core` directly, and on the host JVM through the generated Kotlin bindings
//! (`android/src/test/kotlin/.../FfiCallBench.kt`, run by Maven). Each times one quick-log per
//! call (phone lookup, entry, follow-up task, projections, outbox; `AppCrash` durability so
//! that fsync noise does not hide the boundary's cost) and the difference of the medians is
//! the per-call overhead of the binding (JNA, RustBuffer serialisation, record conversion).
//! The Kotlin side also times a call with no work (the floor of a crossing) and a 5 MB byte
//! array into Rust and back.
//!
//! Workload sizes must match `FfiCallBench.kt`.

use std::path::Path;
use std::time::Instant;

use fieldsales_core::customer::NewCustomer;
use fieldsales_core::quicklog::{Channel, NewQuickLog};
use fieldsales_core::{Config, Durability, FieldSales, Identity};
use serde_json::{json, Map, Value};

use super::{round, Outcome, Samples};
use crate::Result;

const CUSTOMERS: usize = 200;
const WARMUP: usize = 200;
const WRITES: usize = 2_000;

pub(crate) fn run(dir: &Path) -> Result<Outcome> {
    let mut rust = rust_quicklogs(dir)?;
    let kotlin = kotlin(dir)?;
    let mut figures = Map::new();
    let (r50, r99) = (rust.us(50.0), rust.us(99.0));
    figures.insert("rust_quicklog_p50_us".into(), json!(round(r50)));
    figures.insert("rust_quicklog_p99_us".into(), json!(round(r99)));
    for (key, value) in &kotlin {
        figures.insert(key.clone(), json!(value.as_f64().map(round)));
    }
    let k50 = kotlin
        .get("kotlin_quicklog_p50_us")
        .and_then(Value::as_f64)
        .ok_or("the Kotlin benchmark wrote no kotlin_quicklog_p50_us")?;
    figures.insert("overhead_p50_us".into(), json!(round(k50 - r50)));
    figures.insert("ratio_p50".into(), json!(round(k50 / r50)));
    figures.insert("writes".into(), json!(WRITES));
    // The issue sets no target for this workload: it asks for the figures.
    let targets = std::collections::BTreeMap::new();
    Ok(Outcome { figures, targets })
}

/// The Rust half: the same quick-logs through the core directly.
fn rust_quicklogs(dir: &Path) -> Result<Samples> {
    let data = dir.join("ffi_call_rust");
    let _ = std::fs::remove_dir_all(&data);
    let config = Config {
        durability: Durability::AppCrash,
        ..Config::default()
    };
    let fs = FieldSales::open(
        &data,
        Identity::new("bench-rep", Some("team-1".into()))?,
        config,
    )?;
    let phones: Vec<String> = (0..CUSTOMERS).map(|i| format!("138{i:08}")).collect();
    let inputs: Vec<NewCustomer> = phones
        .iter()
        .enumerate()
        .map(|(i, p)| NewCustomer {
            name: format!("客户{i}"),
            phones: vec![p.clone()],
            ..Default::default()
        })
        .collect();
    fs.customers().create_many(&inputs)?;
    let mut samples = Samples::new();
    for i in 0..WARMUP + WRITES {
        let input = NewQuickLog {
            channel: Channel::Call,
            phone: Some(phones[i % CUSTOMERS].clone()),
            duration_s: Some(60 + (i % 600) as i64),
            pain_points: vec!["价格太高".into(), "交付慢".into()],
            next_action: Some("发报价单".into()),
            ..Default::default()
        };
        let start = Instant::now();
        fs.quick_log().log(input)?;
        let took = start.elapsed();
        if i >= WARMUP {
            samples.push(took);
        }
    }
    drop(fs);
    let _ = std::fs::remove_dir_all(&data);
    Ok(samples)
}

/// The Kotlin half, through Maven against the release library; returns its figures.
fn kotlin(dir: &Path) -> Result<Map<String, Value>> {
    let lib = crate::bindings::build_library("release")?;
    crate::bindings::generate(&lib, "kotlin")?;
    let out = dir.join("ffi_call_kotlin.json");
    let _ = std::fs::remove_file(&out);
    crate::bindings::kotlin(
        &lib,
        &[
            "-q".to_string(),
            "-Dfieldsales.tests=FfiCallBench".to_string(),
            format!("-Dfieldsales.bench.out={}", out.display()),
        ],
    )?;
    let text = std::fs::read_to_string(&out)?;
    match serde_json::from_str(&text)? {
        Value::Object(map) => Ok(map),
        _ => Err("the Kotlin benchmark wrote no JSON object".into()),
    }
}
