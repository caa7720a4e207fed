//! `cargo xtask bench`: measured figures for the targets the issues set.
//!
//! Always measured in a release build (a debug xtask re-runs itself with `--release`). Each
//! workload compares against a baseline measured in the same run where a target is relative,
//! because this machine is shared and noisy. Results go to `target/bench/report.json` (one
//! object per workload) and a table on stdout. Nothing here asserts: the report states the
//! targets next to the figures and says which were met.

mod dataset;
mod dedup_dataset;
mod dedup_quality;
mod dedup_speed;
mod device_load;
mod ffi_call;
mod login_flood;
mod open;
pub(crate) mod photo;
mod photo_sync;
mod quicklog;
mod search;
mod server_load;
mod slow_clients;
mod sync;
mod sync_world;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::Result;

/// Workloads in the order they run.
pub(crate) const WORKLOADS: &[&str] = &[
    "quicklog_write",
    "search",
    "open",
    "dedup_quality",
    "dedup_check",
    "dedup_scan",
    "ffi_call",
    "initial_sync",
    "incremental_sync",
    "noop_sync",
    "server_load",
    "login_flood",
    "slow_clients",
    "photo",
    "photo_sync",
];

/// One workload's figures and whether its targets were met.
pub(crate) struct Outcome {
    pub figures: Map<String, Value>,
    /// target description → met?
    pub targets: BTreeMap<String, bool>,
}

/// Workloads that count labels, not time: a debug build gives the same figures, so they run
/// without the release rebuild (which compiles the whole workspace a second time).
const QUALITY_ONLY: &[&str] = &["dedup_quality"];

pub(crate) fn run(args: &[String]) -> Result {
    let quality_only = !args.is_empty() && args.iter().all(|a| QUALITY_ONLY.contains(&a.as_str()));
    if cfg!(debug_assertions) && !quality_only {
        // Benchmarks of a debug build measure the wrong thing.
        let mut cmd = crate::cargo();
        cmd.args([
            "run",
            "--release",
            "--quiet",
            "--package",
            "xtask",
            "--features",
            "tools",
            "--",
            "bench",
        ]);
        cmd.args(args);
        return crate::run(&mut cmd);
    }
    let selected: Vec<&str> = if args.is_empty() {
        WORKLOADS.to_vec()
    } else {
        for a in args {
            if !WORKLOADS.contains(&a.as_str()) {
                return Err(
                    format!("unknown workload {a}; known: {}", WORKLOADS.join(", ")).into(),
                );
            }
        }
        args.iter().map(String::as_str).collect()
    };
    let dir = bench_dir();
    std::fs::create_dir_all(&dir)?;
    let mut report = Map::new();
    report.insert("machine".into(), machine());
    let mut sync_ran = false;
    for &name in &selected {
        if sync::WORKLOADS.contains(&name) {
            // The sync workloads share one world and run as a group, in their own order.
            if !sync_ran {
                eprintln!("bench: sync workloads...");
                for (name, outcome) in sync::run(&dir, &selected)? {
                    record(&mut report, name, outcome);
                }
                sync_ran = true;
            }
            continue;
        }
        eprintln!("bench: {name}...");
        let outcome = match name {
            "quicklog_write" => quicklog::run(&dir)?,
            "search" => search::run(&dir)?,
            "open" => open::run(&dir)?,
            "dedup_quality" => dedup_quality::run(&dir)?,
            "dedup_check" => dedup_speed::run_check(&dir)?,
            "dedup_scan" => dedup_speed::run_scan(&dir)?,
            "ffi_call" => ffi_call::run(&dir)?,
            "server_load" => server_load::run(&dir)?,
            "login_flood" => login_flood::run(&dir)?,
            "slow_clients" => slow_clients::run(&dir)?,
            "photo" => photo::run(&dir)?,
            "photo_sync" => photo_sync::run(&dir)?,
            _ => unreachable!("checked above"),
        };
        record(&mut report, name, outcome);
    }
    let path = dir.join("report.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    print_table(&report);
    println!("\nreport: {}", path.display());
    Ok(())
}

fn record(report: &mut Map<String, Value>, name: &str, outcome: Outcome) {
    let mut obj = outcome.figures;
    obj.insert("targets".into(), json!(outcome.targets));
    report.insert(name.into(), Value::Object(obj));
}

pub(crate) fn bench_dir() -> PathBuf {
    crate::workspace_root().join("target").join("bench")
}

fn machine() -> Value {
    json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
    })
}

fn print_table(report: &Map<String, Value>) {
    println!("\n{:<16} {:<34} {:>14}", "workload", "figure", "value");
    println!("{}", "-".repeat(66));
    for (workload, value) in report {
        let Some(obj) = value.as_object() else {
            continue;
        };
        if workload == "machine" {
            continue;
        }
        for (key, v) in obj {
            if key == "targets" {
                continue;
            }
            let shown = match v {
                Value::Number(n) => n
                    .as_f64()
                    .map(|f| {
                        if f.fract() == 0.0 {
                            format!("{f:.0}")
                        } else {
                            format!("{f:.3}")
                        }
                    })
                    .unwrap_or_default(),
                other => other.to_string(),
            };
            println!("{workload:<16} {key:<34} {shown:>14}");
        }
        if let Some(targets) = obj.get("targets").and_then(Value::as_object) {
            for (target, met) in targets {
                let mark = if met.as_bool() == Some(true) {
                    "met"
                } else {
                    "MISSED"
                };
                println!("{workload:<16} target: {target:<26} {mark:>14}");
            }
        }
    }
}

/// Latency samples with percentiles.
pub(crate) struct Samples(Vec<Duration>);

impl Samples {
    pub fn new() -> Self {
        Samples(Vec::new())
    }

    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The `p`-th percentile (nearest rank), `p` in 0..=100.
    pub fn percentile(&mut self, p: f64) -> Duration {
        self.0.sort_unstable();
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }

    pub fn us(&mut self, p: f64) -> f64 {
        self.percentile(p).as_secs_f64() * 1e6
    }

    pub fn ms(&mut self, p: f64) -> f64 {
        self.percentile(p).as_secs_f64() * 1e3
    }
}

/// This process's resident set (kB).
/// Samples this process's resident set on a thread of its own, every `every`, keeping the
/// highest; [`PeakRss::stop`] returns it. `idle_kb` is the resident set when it started.
pub(crate) struct PeakRss {
    pub idle_kb: u64,
    peak_kb: std::sync::Arc<std::sync::atomic::AtomicU64>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    sampler: std::thread::JoinHandle<()>,
}

impl PeakRss {
    pub(crate) fn start(every: Duration) -> Result<PeakRss> {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        use std::sync::Arc;
        let idle_kb = rss_kb()?;
        let peak_kb = Arc::new(AtomicU64::new(idle_kb));
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = {
            let (peak_kb, stop) = (peak_kb.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(kb) = rss_kb() {
                        peak_kb.fetch_max(kb, Ordering::Relaxed);
                    }
                    std::thread::sleep(every);
                }
            })
        };
        Ok(PeakRss {
            idle_kb,
            peak_kb,
            stop,
            sampler,
        })
    }

    /// Stops sampling; the highest resident set seen, in KB.
    pub(crate) fn stop(self) -> u64 {
        use std::sync::atomic::Ordering;
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.sampler.join();
        self.peak_kb.load(Ordering::Relaxed)
    }
}

pub(crate) fn rss_kb() -> Result<u64> {
    status_kb("VmRSS:")
}

/// A `kB` line of `/proc/self/status` (`VmRSS:`, `VmHWM:`).
pub(crate) fn status_kb(key: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {key} in /proc/self/status").into())
}

/// Rounds for the report: three decimals are plenty for noisy timings.
/// Reads a store's files once, front to back, so their pages sit in the OS page cache: the book
/// as it is on a phone in use. Left alone for a few minutes, this machine's memory reclaimer
/// (DAMON) pages an idle file out, and the first queries then read from disk at about a
/// millisecond a page: that measures the VM, not the query. SQLite's own cache still starts
/// empty, as the store is opened after this.
pub(crate) fn warm_os_cache(data: &Path) -> Result {
    for entry in std::fs::read_dir(data)? {
        let path = entry?.path();
        if path.to_string_lossy().contains(".sqlite3") {
            let mut file = std::fs::File::open(&path)?;
            std::io::copy(&mut file, &mut std::io::sink())?;
        }
    }
    Ok(())
}

pub(crate) fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
