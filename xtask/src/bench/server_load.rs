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
use fieldsales_server::{Server, ServerConfig, UserSpec};
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
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let server = rt.block_on(Server::start(ServerConfig::for_tests(dir.join("server"))))?;
    let url = server.url();
    rt.block_on(async {
        let admin = server.admin();
        admin.create_tenant(TENANT).await?;
        for team in 0..DEVICES / TEAM_SIZE {
            admin.create_team(TENANT, &format!("team-{team}")).await?;
        }
        for i in 0..DEVICES {
            admin
                .create_user(UserSpec {
                    tenant: TENANT,
                    username: &format!("rep-{i}"),
                    password: PASSWORD,
                    role: Role::Rep,
                    team: Some(&format!("team-{}", i / TEAM_SIZE)),
                })
                .await?;
        }
        Ok::<_, fieldsales_server::Error>(())
    })?;
    eprintln!("bench: {DEVICES} users created; signing their devices in…");
    let usernames = (0..DEVICES).map(|i| format!("rep-{i}"));
    let devices = device_load::sign_in(&dir, &url, TENANT, usernames, PASSWORD)?;

    eprintln!("bench: {DEVICES} devices syncing for {} s…", RUN.as_secs());
    let started = Instant::now();
    let Phase {
        mut samples,
        errors,
    } = device_load::sync_loop(&devices, RUN, "server_load")?;
    let elapsed = started.elapsed().as_secs_f64();
    rt.block_on(server.shutdown())?;
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
