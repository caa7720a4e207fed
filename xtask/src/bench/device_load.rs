//! Simulated phones for the server workloads (`server_load`, `slow_clients`): signed in through
//! the product's login, each on its own thread logging a call and syncing in a tight loop.
//!
//! Each device is a real store at the app-crash durability level, which spares the machine the
//! devices' fsyncs, so the figures are the server's rather than this disk's. The latency of a
//! sample is one whole sync as the device sees it; every failure is counted and the first few
//! are printed, since a load figure with errors hidden in it says nothing.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fieldsales_core::quicklog::{Channel, NewQuickLog};
use fieldsales_core::{Config, Durability, FieldSales};
use fieldsales_testkit::{device, Tenant};

use super::Samples;
use crate::Result;

/// Errors printed per run, beyond which they are only counted.
const ERRORS_SHOWN: usize = 5;

/// What the devices measured during one run of [`sync_loop`].
pub(crate) struct Phase {
    pub samples: Samples,
    pub errors: u64,
}

/// Signs in one device of `tenant` per username under `dir`, each with its own store.
pub(crate) fn sign_in(
    dir: &Path,
    url: &str,
    tenant: &Tenant,
    usernames: impl IntoIterator<Item = String>,
) -> Result<Vec<Arc<FieldSales>>> {
    let mut devices = Vec::new();
    for (i, username) in usernames.into_iter().enumerate() {
        let config = Config {
            durability: Durability::AppCrash,
            ..Config::default()
        };
        let login = tenant.login(url, &username);
        let fs = device::sign_in(&dir.join(format!("device-{i}")), &login, config)?;
        devices.push(Arc::new(fs));
    }
    Ok(devices)
}

/// Every device logs a call and syncs, again and again, for `run`; `label` names the workload
/// in the errors printed.
pub(crate) fn sync_loop(devices: &[Arc<FieldSales>], run: Duration, label: &str) -> Result<Phase> {
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let first_errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let threads: Vec<_> = devices
        .iter()
        .map(|fs| {
            let fs = fs.clone();
            let (stop, errors, first_errors) = (stop.clone(), errors.clone(), first_errors.clone());
            std::thread::spawn(move || {
                let mut samples = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    match log_and_sync(&fs) {
                        Ok(took) => samples.push(took),
                        Err(e) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            let mut first = first_errors.lock().unwrap_or_else(|p| p.into_inner());
                            if first.len() < ERRORS_SHOWN {
                                first.push(e.to_string());
                            }
                        }
                    }
                }
                samples
            })
        })
        .collect();
    std::thread::sleep(run);
    stop.store(true, Ordering::Relaxed);
    let mut samples = Samples::new();
    for t in threads {
        for d in t.join().map_err(|_| "a device thread panicked")? {
            samples.push(d);
        }
    }
    for e in first_errors
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
    {
        eprintln!("bench: {label} device error: {e}");
    }
    Ok(Phase {
        samples,
        errors: errors.load(Ordering::Relaxed),
    })
}

/// A rep's call, logged, then one sync: how long the sync took.
fn log_and_sync(fs: &FieldSales) -> fieldsales_core::Result<Duration> {
    fs.quick_log().log(NewQuickLog {
        channel: Channel::Call,
        phone: Some("13800138000".into()),
        duration_s: Some(95),
        pain_points: vec!["价格".into()],
        ..Default::default()
    })?;
    let started = Instant::now();
    fs.sync().sync_now()?;
    Ok(started.elapsed())
}
