//! `initial_sync`, `incremental_sync`, `noop_sync`: a device's sync as a rep lives it.
//!
//! One world (see `sync_world`) serves the three, in this order, because each starts where the
//! last ended: the manager's brand-new phone pulls the team's whole book (`initial_sync`), then
//! works a day offline while a rep syncs theirs, and syncs once, twenty days over
//! (`incremental_sync`, p50 and p99 of the twenty syncs), then syncs again with nothing new
//! (`noop_sync`). The device talks to the server through a counting proxy, so byte figures are
//! what crossed the wire, HTTP headers included. Times are client-side wall clock around the
//! product's own `sync_now`. `initial_sync` is held against a plain rusqlite insert of the rows
//! it stored, timed in the same run (see `plain_insert`).

mod plain_insert;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use fieldsales_core::customer::CustomerPatch;
use fieldsales_core::visit::Fix;
use fieldsales_core::FieldSales;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map};

use self::plain_insert::Rows as PlainRows;
use super::sync_world::{CountingProxy, World, BOSS};
use super::{round, Outcome, Samples};
use crate::fixtures::Generator;
use crate::Result;

/// The sync workloads, in the order they must run.
pub(crate) const WORKLOADS: &[&str] = &["initial_sync", "incremental_sync", "noop_sync"];

/// An offline day: visits and customer edits.
const DAY_VISITS: usize = 50;
const DAY_EDITS: usize = 20;
/// Offline days synced by `incremental_sync`, each timed: enough for a p50 and a p99 (the
/// slowest run), few enough to take well under a minute.
const INCREMENTAL_RUNS: usize = 20;

/// Runs the `selected` sync workloads (any subset of [`WORKLOADS`]); the ones before a
/// selected one run too, unreported, because each needs the state the last left.
pub(crate) fn run(dir: &Path, selected: &[&str]) -> Result<Vec<(&'static str, Outcome)>> {
    let last = WORKLOADS
        .iter()
        .rposition(|w| selected.contains(w))
        .ok_or("no sync workload selected")?;
    let world = World::start(dir)?;
    let proxy = CountingProxy::start(&world.server.runtime, world.server.addr())?;
    let device = world.fresh_device("boss", BOSS, &proxy.url())?;
    let mut out = Vec::new();
    let initial = initial(&world, &proxy, &device)?;
    out.push(("initial_sync", initial));
    if last >= 1 {
        out.push(("incremental_sync", incremental(&world, &device)?));
    }
    if last >= 2 {
        out.push(("noop_sync", noop(&proxy, &device)?));
    }
    drop(device);
    world.stop()?;
    out.retain(|(name, _)| selected.contains(name));
    Ok(out)
}

fn initial(world: &World, proxy: &CountingProxy, device: &FieldSales) -> Result<Outcome> {
    proxy.take(); // the login is not part of the pull
    let start = Instant::now();
    let report = device.sync().sync_now()?;
    let secs = start.elapsed().as_secs_f64();
    let (up, down) = proxy.take();
    let per_s = report.received as f64 / secs;
    let plain_secs = PlainRows::read(device)?
        .insert(&world.dir, report.round_trips)?
        .as_secs_f64();
    let plain_per_s = report.received as f64 / plain_secs;
    let ratio = per_s / plain_per_s;
    let wire_vs_gzip = down as f64 / world.book.json_gzip_bytes as f64;
    let mut figures = Map::new();
    figures.insert("records".into(), json!(report.received));
    figures.insert("book_records".into(), json!(world.book.records));
    figures.insert("seconds".into(), json!(round(secs)));
    figures.insert("records_per_s".into(), json!(round(per_s)));
    figures.insert("plain_insert_seconds".into(), json!(round(plain_secs)));
    figures.insert("plain_records_per_s".into(), json!(round(plain_per_s)));
    figures.insert("ratio_to_plain_insert".into(), json!(round(ratio)));
    figures.insert("round_trips".into(), json!(report.round_trips));
    figures.insert("wire_bytes_down".into(), json!(down));
    figures.insert("wire_bytes_up".into(), json!(up));
    figures.insert("json_bytes".into(), json!(world.book.json_bytes));
    figures.insert("json_gzip_bytes".into(), json!(world.book.json_gzip_bytes));
    figures.insert("wire_to_gzip_json".into(), json!(round(wire_vs_gzip)));
    let mut targets = BTreeMap::new();
    // Absolute rates differ between machines of this kind by a third; the ratio holds.
    targets.insert(">= 0.7x plain insert's records/s".to_string(), ratio >= 0.7);
    targets.insert("wire <= 1.5x gzip'd JSON".to_string(), wire_vs_gzip <= 1.5);
    targets.insert(
        "every record arrived".to_string(),
        report.received >= world.book.records,
    );
    Ok(Outcome { figures, targets })
}

fn incremental(world: &World, device: &FieldSales) -> Result<Outcome> {
    let rep = world.seed_device()?;
    rep.sync().sync_now()?;
    let mut client = Samples::new();
    // The first run alone is what this workload reported before it took 20.
    let mut first_ms = None;
    let mut runs = Vec::with_capacity(INCREMENTAL_RUNS);
    for run in 0..INCREMENTAL_RUNS as u64 {
        // The team's day: the rep who owns the book logs calls and edits customers, and syncs;
        // then the manager's own day, offline, and one timed sync. Each run is a new day (its
        // own seeds), so the device holds a little more every run (140 records in 20 runs on
        // 110,000): the same situation, not a replay of an answer the device already has.
        offline_day(&rep, 2 * run + 1)?;
        rep.sync().sync_now()?;
        offline_day(device, 2 * run + 2)?;
        let pending = device.pending_changes()?;
        let start = Instant::now();
        let report = device.sync().sync_now()?;
        let took = start.elapsed();
        first_ms.get_or_insert(took.as_secs_f64() * 1000.0);
        client.push(took);
        runs.push((pending, report, device.pending_changes()?));
    }
    let (p50, p99) = (client.ms(50.0), client.ms(99.0));
    let max_round_trips = runs
        .iter()
        .map(|(_, r, _)| r.round_trips)
        .max()
        .unwrap_or(0);
    let mut figures = Map::new();
    if let Some((pending, report, _)) = runs.first() {
        figures.insert("local_changes_sent".into(), json!(pending));
        figures.insert("acknowledged".into(), json!(report.sent));
        figures.insert("documents_received".into(), json!(report.received));
    }
    figures.insert("runs".into(), json!(runs.len()));
    figures.insert("round_trips_max".into(), json!(max_round_trips));
    figures.insert("client_p50_ms".into(), json!(round(p50)));
    // Nearest rank over 20 runs: the slowest run.
    figures.insert("client_p99_ms".into(), json!(round(p99)));
    figures.insert("client_first_run_ms".into(), json!(first_ms.map(round)));
    let mut targets = BTreeMap::new();
    targets.insert(
        "one round trip (every run)".to_string(),
        max_round_trips == 1,
    );
    targets.insert("p99 <= 50 ms client-side".to_string(), p99 <= 50.0);
    targets.insert(
        "everything sent was acknowledged (every run)".to_string(),
        runs.iter().all(|(_, _, left)| *left == 0),
    );
    Ok(Outcome { figures, targets })
}

fn noop(proxy: &CountingProxy, device: &FieldSales) -> Result<Outcome> {
    device.sync().sync_now()?; // settle anything the last sync announced
    proxy.take();
    let report = device.sync().sync_now()?;
    let (up, down) = proxy.take();
    let mut figures = Map::new();
    figures.insert("round_trips".into(), json!(report.round_trips));
    figures.insert("request_bytes".into(), json!(up));
    figures.insert("answer_bytes".into(), json!(down));
    let mut targets = BTreeMap::new();
    targets.insert("request <= 1 KB".to_string(), up <= 1024);
    targets.insert("answer <= 1 KB".to_string(), down <= 1024);
    Ok(Outcome { figures, targets })
}

/// 50 visits (check-in and notes) at team customers and 20 customer edits, without syncing.
fn offline_day(fs: &FieldSales, seed: u64) -> Result {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut gen = Generator::new(seed);
    let customers = fs.customers().list(2_000, 0)?;
    if customers.is_empty() {
        return Err("the device holds no customers".into());
    }
    for _ in 0..DAY_VISITS {
        let c = &customers[rng.gen_range(0..customers.len())];
        let fix = Fix {
            lat: 31.2 + rng.gen::<f64>() * 0.1,
            lon: 121.4 + rng.gen::<f64>() * 0.1,
            accuracy_m: Some(12.0),
        };
        let visit = fs.visits().check_in(&c.id, None, Some(fix))?;
        fs.visits().edit_notes(&visit.id, &gen.visit_note())?;
    }
    for _ in 0..DAY_EDITS {
        let c = &customers[rng.gen_range(0..customers.len())];
        fs.customers().edit(
            &c.id,
            CustomerPatch {
                add_tags: vec![format!("day-{seed}")],
                ..Default::default()
            },
        )?;
    }
    Ok(())
}
