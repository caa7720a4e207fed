//! `login_flood`: 128 concurrent wrong-password logins for 10 seconds, while a legitimate user
//! logs in again and again.
//!
//! The server runs in this process (on two tokio workers), so its memory is this process's
//! resident set: `VmRSS` of `/proc/self/status`, sampled every 20 ms. The flood's clients are
//! 128 keep-alive connections sending small JSON bodies, a few kilobytes in all, so the figure
//! is the server's. "Above idle" is the peak minus the resident set just before the flood,
//! after the users were created.
//!
//! The flood comes from 127.0.0.1 and names a new, unknown username each time, so that no
//! account lockout stops it and every admitted attempt costs a (decoy) argon2id check — the
//! most expensive flood there is. Per-address lockout would stop a single address after 50
//! failures, so this bench switches it off (`address_max_failures` at its maximum) to stand for
//! a flood from many addresses; the per-address share of the check queue stays on. The
//! legitimate user logs in from 127.0.0.2 (another loopback address), as a user on another
//! network would. A flood client refused with 503 pauses 10 ms before its next try, so that
//! the flood does not spend these two cores on itself.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fieldsales_core::protocol::Role;
use fieldsales_server::ServerConfig;
use fieldsales_testkit::{LoopbackServer, Tenant};
use serde_json::{json, Map};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

use super::{round, Outcome, PeakRss, Samples};
use crate::Result;

const FLOODERS: usize = 128;
const RUN: Duration = Duration::from_secs(10);
const TENANT: &str = "flood";
const USER: &str = "legit";
const PASSWORD: &str = "legit-password-1";
const FLOOD_FROM: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1));
const LEGIT_FROM: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// What the flood got back.
#[derive(Default)]
struct Tally {
    unauthorized: AtomicU64,
    busy: AtomicU64,
    throttled: AtomicU64,
    other: AtomicU64,
}

impl Tally {
    fn count(&self, status: u16) {
        let slot = match status {
            401 => &self.unauthorized,
            503 => &self.busy,
            429 => &self.throttled,
            _ => &self.other,
        };
        slot.fetch_add(1, Ordering::Relaxed);
    }
}

pub(crate) fn run(dir: &Path) -> Result<Outcome> {
    let dir = dir.join("login_flood");
    let _ = std::fs::remove_dir_all(&dir);
    let mut config = ServerConfig::for_tests(dir.join("server"));
    config.login.address_max_failures = u32::MAX;
    let workers = config.login.hash_workers();
    let server = LoopbackServer::start(config)?;
    let addr = server.addr();
    server.seed(&Tenant::new(TENANT, PASSWORD).member(USER, Role::Admin, None))?;
    let rt = &server.runtime;

    let rss = PeakRss::start(Duration::from_millis(20))?;
    let idle_kb = rss.idle_kb;
    eprintln!(
        "bench: {FLOODERS} clients flooding login for {} s…",
        RUN.as_secs()
    );
    let tally = Arc::new(Tally::default());
    let (mut legit, legit_failures) = rt.block_on(async {
        let deadline = Instant::now() + RUN;
        let flood: Vec<_> = (0..FLOODERS)
            .map(|i| tokio::spawn(flood_client(addr, i, deadline, tally.clone())))
            .collect();
        let legit = legit_client(addr, deadline).await;
        for f in flood {
            let _ = f.await;
        }
        legit
    })?;
    let peak_kb = rss.stop();
    let checks = metric(rt, addr, "fieldsales_password_checks_total")?;
    server.shutdown()?;

    let above_idle_mb = (peak_kb - idle_kb) as f64 / 1024.0;
    let p50 = legit.ms(50.0);
    let max = legit.ms(100.0);
    let mut figures = Map::new();
    figures.insert("flood_clients".into(), json!(FLOODERS));
    figures.insert("seconds".into(), json!(RUN.as_secs()));
    figures.insert("hash_workers".into(), json!(workers));
    figures.insert("idle_rss_mb".into(), json!(round(idle_kb as f64 / 1024.0)));
    figures.insert("peak_rss_above_idle_mb".into(), json!(round(above_idle_mb)));
    figures.insert(
        "flood_401".into(),
        json!(tally.unauthorized.load(Ordering::Relaxed)),
    );
    figures.insert(
        "flood_503".into(),
        json!(tally.busy.load(Ordering::Relaxed)),
    );
    figures.insert(
        "flood_429".into(),
        json!(tally.throttled.load(Ordering::Relaxed)),
    );
    figures.insert(
        "flood_other".into(),
        json!(tally.other.load(Ordering::Relaxed)),
    );
    figures.insert("password_checks".into(), json!(checks));
    figures.insert("legit_logins".into(), json!(legit.len()));
    figures.insert("legit_failures".into(), json!(legit_failures));
    figures.insert("legit_p50_ms".into(), json!(round(p50)));
    figures.insert("legit_max_ms".into(), json!(round(max)));
    let mut targets = BTreeMap::new();
    targets.insert(
        "peak RSS ≤ 300 MB above idle".to_string(),
        above_idle_mb <= 300.0,
    );
    targets.insert(
        "legit login ≤ 1 s, none refused".to_string(),
        max <= 1000.0 && legit.len() > 0 && legit_failures == 0,
    );
    Ok(Outcome { figures, targets })
}

/// One flooding client: wrong logins on one keep-alive connection until the deadline.
async fn flood_client(server: SocketAddr, client: usize, deadline: Instant, tally: Arc<Tally>) {
    let mut conn = None;
    let mut attempt = 0u64;
    while Instant::now() < deadline {
        attempt += 1;
        let body = login_body(&format!("nobody-{client}-{attempt}"), "wrong password");
        let stream = match conn.take() {
            Some(stream) => stream,
            None => match connect(FLOOD_FROM, server).await {
                Ok(stream) => stream,
                Err(_) => {
                    tally.count(0);
                    continue;
                }
            },
        };
        match post(stream, &body).await {
            Ok((status, stream)) => {
                tally.count(status);
                conn = stream;
                if status == 503 {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            Err(_) => tally.count(0),
        }
    }
}

/// The legitimate user's logins, one after another until the deadline: their latencies and
/// how many were refused.
async fn legit_client(server: SocketAddr, deadline: Instant) -> std::io::Result<(Samples, u64)> {
    let body = login_body(USER, PASSWORD);
    let mut samples = Samples::new();
    let mut failures = 0;
    while Instant::now() < deadline {
        let started = Instant::now();
        let stream = connect(LEGIT_FROM, server).await?;
        match post(stream, &body).await {
            Ok((200, _)) => samples.push(started.elapsed()),
            Ok((status, _)) => {
                eprintln!("bench: legitimate login answered {status}");
                failures += 1;
            }
            Err(e) => {
                eprintln!("bench: legitimate login failed: {e}");
                failures += 1;
            }
        }
    }
    Ok((samples, failures))
}

fn login_body(username: &str, password: &str) -> Vec<u8> {
    json!({
        "tenant": TENANT,
        "username": username,
        "password": password,
        // One device: the flood's logins never get as far as registering it.
        "device_id": "0190c1a2-0000-7000-8000-00000000f100",
    })
    .to_string()
    .into_bytes()
}

async fn connect(from: IpAddr, server: SocketAddr) -> std::io::Result<BufReader<TcpStream>> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    Ok(BufReader::new(socket.connect(server).await?))
}

/// Sends one login on a keep-alive connection; the status, and the connection if the server
/// keeps it open.
async fn post(
    mut stream: BufReader<TcpStream>,
    body: &[u8],
) -> std::io::Result<(u16, Option<BufReader<TcpStream>>)> {
    let head = format!(
        "POST /v1/login HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.get_mut().write_all(head.as_bytes()).await?;
    stream.get_mut().write_all(body).await?;
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP answer");
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    let (mut length, mut close) = (0usize, false);
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Err(bad());
        }
        let header = line.trim_end().to_ascii_lowercase();
        if header.is_empty() {
            break;
        }
        if let Some(v) = header.strip_prefix("content-length:") {
            length = v.trim().parse().map_err(|_| bad())?;
        }
        close |= header == "connection: close";
    }
    let mut answer = vec![0; length];
    stream.read_exact(&mut answer).await?;
    Ok((status, (!close).then_some(stream)))
}

/// One counter from the server's `/metrics`.
fn metric(rt: &tokio::runtime::Runtime, server: SocketAddr, name: &str) -> Result<u64> {
    let text = rt.block_on(async {
        let mut stream = TcpStream::connect(server).await?;
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            .await?;
        let mut text = String::new();
        stream.read_to_string(&mut text).await?;
        Ok::<_, std::io::Error>(text)
    })?;
    Ok(text
        .lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0))
}
