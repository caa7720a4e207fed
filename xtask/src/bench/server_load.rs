//! `server_load`: 200 devices syncing at once against one server for 60 seconds.
//!
//! Each simulated device is a real store signed in through the product's login, on its own
//! thread: it logs a call, syncs, and starts again at once — a rep's phone in a tight loop, far
//! busier than a real one. Twenty teams of ten reps share one tenant, so every sync also pulls
//! the team's new changes. The figures are the server's throughput and the latency of a whole
//! sync as a device sees it, and every error (there should be none). The server and the
//! devices share this machine's two cores, so the figures are a floor.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use fieldsales_core::protocol::Role;
use fieldsales_server::ServerConfig;
use fieldsales_testkit::{LoopbackServer, Tenant};
use serde_json::{json, Map};

use super::device_load::{self, Phase};
use super::{round, Outcome};
use crate::Result;

const DEVICES: usize = 200;
const TEAM_SIZE: usize = 10;
const RUN: Duration = Duration::from_secs(60);
const TENANT: &str = "load";
const PASSWORD: &str = "load-password-1";

pub(crate) fn run(dir: &Path) -> Result<Outcome> {
    let dir = dir.join("server_load");
    let _ = std::fs::remove_dir_all(&dir);
    let server = LoopbackServer::start(ServerConfig::for_tests(dir.join("server")))?;
    let url = server.url();
    server.seed(&tenant())?;
    eprintln!("bench: {DEVICES} users created; signing their devices in…");
    let usernames = (0..DEVICES).map(|i| format!("rep-{i}"));
    let devices = device_load::sign_in(&dir, &url, &tenant(), usernames)?;

    eprintln!("bench: {DEVICES} devices syncing for {} s…", RUN.as_secs());
    let started = Instant::now();
    let Phase {
        mut samples,
        errors,
    } = device_load::sync_loop(&devices, RUN, "server_load")?;
    let elapsed = started.elapsed().as_secs_f64();
    server.shutdown()?;
    let syncs = samples.len();
    let mut figures = Map::new();
    figures.insert("devices".into(), json!(DEVICES));
    figures.insert("seconds".into(), json!(round(elapsed)));
    figures.insert("syncs".into(), json!(syncs));
    figures.insert("syncs_per_s".into(), json!(round(syncs as f64 / elapsed)));
    figures.insert("p50_ms".into(), json!(round(samples.ms(50.0))));
    figures.insert("p99_ms".into(), json!(round(samples.ms(99.0))));
    figures.insert("errors".into(), json!(errors));
    let mut targets = BTreeMap::new();
    targets.insert("zero errors".to_string(), errors == 0 && syncs > 0);
    Ok(Outcome { figures, targets })
}

/// Twenty teams of ten reps: `rep-<i>` in `team-<i / 10>`.
fn tenant() -> Tenant {
    let teams = (0..DEVICES / TEAM_SIZE).fold(Tenant::new(TENANT, PASSWORD), |tenant, team| {
        tenant.team(&format!("team-{team}"))
    });
    (0..DEVICES).fold(teams, |tenant, i| {
        let team = format!("team-{}", i / TEAM_SIZE);
        tenant.member(&format!("rep-{i}"), Role::Rep, Some(&team))
    })
}
