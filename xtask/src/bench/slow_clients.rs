//! `slow_clients`: 50 devices syncing while 2,000 connections sit idle or send slowly.
//!
//! The attacker of issue 10's finding 2: half the connections open and send nothing, a
//! quarter send a request head a byte a second, a quarter send a login body a byte a second,
//! and each reconnects as soon as the server cuts it, so about 2,000 are held all the time.
//! The devices are real stores signed in through the product's login, each on its own thread
//! logging a call and syncing in a loop (as `server_load`). They run first alone, then beside
//! the slow connections, in the same run on the same server, so the two p99s compare on this
//! noisy shared machine. Targets: no device error, and p99 with the slow connections at most
//! twice the p99 without. The server runs with its default limits.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fieldsales_core::protocol::Role;
use fieldsales_server::ServerConfig;
use fieldsales_testkit::{LoopbackServer, Tenant};
use serde_json::{json, Map};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::{device_load, round, Outcome};
use crate::Result;

const DEVICES: usize = 50;
const SLOW_CONNECTIONS: usize = 2_000;
/// Each phase's length; with sign-in and ramp-up the workload stays under a minute.
const PHASE: Duration = Duration::from_secs(15);
/// Time for the slow connections to be opened before the devices are measured beside them.
const RAMP: Duration = Duration::from_secs(5);
const TENANT: &str = "slow";
const PASSWORD: &str = "slow-password-1";
/// Two sockets per slow connection (both ends live in this process), plus the devices.
const FILES_NEEDED: u64 = 2 * SLOW_CONNECTIONS as u64 + 2_048;

/// One phase's device figures.
pub(crate) fn run(dir: &Path) -> Result<Outcome> {
    let files = rlimit::increase_nofile_limit(FILES_NEEDED)?;
    if files < FILES_NEEDED {
        eprintln!("bench: open-file limit is {files} (< {FILES_NEEDED}); figures may show it");
    }
    let started = Instant::now();
    let dir = dir.join("slow_clients");
    let _ = std::fs::remove_dir_all(&dir);
    let server = LoopbackServer::start(ServerConfig::for_tests(dir.join("server")))?;
    let addr = server.addr();
    let tenant = tenant();
    server.seed(&tenant)?;
    let usernames = (0..DEVICES).map(|i| format!("rep-{i}"));
    let devices = device_load::sign_in(&dir, &server.url(), &tenant, usernames)?;

    eprintln!(
        "bench: {DEVICES} devices syncing alone for {} s…",
        PHASE.as_secs()
    );
    let mut alone = device_load::sync_loop(&devices, PHASE, "slow_clients")?;

    eprintln!("bench: opening {SLOW_CONNECTIONS} slow connections…");
    let attack = SlowClients::start(addr)?;
    std::thread::sleep(RAMP);
    let held_at_start = attack.held.load(Ordering::Relaxed);
    eprintln!("bench: {DEVICES} devices syncing beside {held_at_start} slow connections…");
    let mut beside = device_load::sync_loop(&devices, PHASE, "slow_clients")?;
    let held_at_end = attack.held.load(Ordering::Relaxed);
    let cut = attack.cut.load(Ordering::Relaxed);
    attack.stop();
    drop(devices);
    server.shutdown()?;

    let p99_alone = alone.samples.ms(99.0);
    let p99_beside = beside.samples.ms(99.0);
    let mut figures = Map::new();
    figures.insert("devices".into(), json!(DEVICES));
    figures.insert(
        "seconds_total".into(),
        json!(round(started.elapsed().as_secs_f64())),
    );
    figures.insert("slow_connections_held".into(), json!(held_at_end));
    figures.insert("slow_connections_cut".into(), json!(cut));
    figures.insert("syncs_alone".into(), json!(alone.samples.len()));
    figures.insert("p50_ms_alone".into(), json!(round(alone.samples.ms(50.0))));
    figures.insert("p99_ms_alone".into(), json!(round(p99_alone)));
    figures.insert("errors_alone".into(), json!(alone.errors));
    figures.insert("syncs_beside".into(), json!(beside.samples.len()));
    figures.insert(
        "p50_ms_beside".into(),
        json!(round(beside.samples.ms(50.0))),
    );
    figures.insert("p99_ms_beside".into(), json!(round(p99_beside)));
    figures.insert("errors_beside".into(), json!(beside.errors));
    let mut targets = BTreeMap::new();
    targets.insert(
        "zero errors".to_string(),
        alone.errors + beside.errors == 0 && beside.samples.len() > 0,
    );
    targets.insert(
        "p99 beside <= 2x alone".to_string(),
        p99_alone > 0.0 && p99_beside <= 2.0 * p99_alone,
    );
    Ok(Outcome { figures, targets })
}

/// One team of [`DEVICES`] reps, `rep-<i>`.
fn tenant() -> Tenant {
    (0..DEVICES).fold(Tenant::new(TENANT, PASSWORD).team("north"), |tenant, i| {
        tenant.member(&format!("rep-{i}"), Role::Rep, Some("north"))
    })
}

/// The slow connections, on a runtime of their own (one thread, as an attacker's laptop).
struct SlowClients {
    held: Arc<AtomicU64>,
    cut: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

#[derive(Clone, Copy)]
enum Slowness {
    /// Connects and sends nothing.
    Idle,
    /// Sends a request head a byte a second.
    Head,
    /// Sends a complete head, then a login body a byte a second.
    Body,
}

impl SlowClients {
    fn start(addr: SocketAddr) -> Result<SlowClients> {
        let held = Arc::new(AtomicU64::new(0));
        let cut = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = {
            let (held, cut, stop) = (held.clone(), cut.clone(), stop.clone());
            std::thread::spawn(move || {
                rt.block_on(async move {
                    let mut tasks = tokio::task::JoinSet::new();
                    for i in 0..SLOW_CONNECTIONS {
                        let slowness = match i % 4 {
                            0 | 1 => Slowness::Idle,
                            2 => Slowness::Head,
                            _ => Slowness::Body,
                        };
                        let (held, cut, stop) = (held.clone(), cut.clone(), stop.clone());
                        tasks.spawn(hold(addr, slowness, held, cut, stop));
                    }
                    while tasks.join_next().await.is_some() {}
                })
            })
        };
        Ok(SlowClients {
            held,
            cut,
            stop,
            thread,
        })
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
    }
}

/// Keeps one slow connection open until told to stop, reconnecting whenever it is cut.
async fn hold(
    addr: SocketAddr,
    slowness: Slowness,
    held: Arc<AtomicU64>,
    cut: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
) {
    const HEAD: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: bench\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    const BODY_HEAD: &[u8] =
        b"POST /v1/login HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        held.fetch_add(1, Ordering::Relaxed);
        if matches!(slowness, Slowness::Body) && stream.write_all(BODY_HEAD).await.is_err() {
            held.fetch_sub(1, Ordering::Relaxed);
            cut.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let mut sent = 0usize;
        loop {
            if stop.load(Ordering::Relaxed) {
                held.fetch_sub(1, Ordering::Relaxed);
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            let byte: &[u8] = match slowness {
                Slowness::Head => &HEAD[sent % HEAD.len()..][..1],
                Slowness::Body => b" ",
                Slowness::Idle => b"",
            };
            sent += 1;
            let alive = !closed(&stream) && stream.write_all(byte).await.is_ok();
            if !alive {
                break;
            }
        }
        held.fetch_sub(1, Ordering::Relaxed);
        cut.fetch_add(1, Ordering::Relaxed);
    }
}

/// Whether the server closed its end (a read would return end-of-file or an error).
fn closed(stream: &TcpStream) -> bool {
    let mut buf = [0u8; 64];
    match stream.try_read(&mut buf) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    }
}
