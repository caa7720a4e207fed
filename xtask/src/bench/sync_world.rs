//! The world the sync benchmarks run in: a real `fieldsales-server` on loopback holding a
//! team's book, devices signed in through the product's own login, and a byte-counting proxy
//! between a device and the server so the figures are bytes on the wire.
//!
//! The book — 10,000 customers and 100,000 quick-logs written by one rep and uploaded — takes
//! minutes to build, so it is kept under `target/bench/sync-<version>/` (the server's data
//! directory and the rep's device) with a marker holding the figures of its JSON form. Each run
//! works on a copy of it (`target/bench/sync-run/`): the workloads upload days of visits and
//! edits, and a run on the kept book would start from what the last run left, so no two runs
//! would measure the same book.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use fieldsales_core::protocol::Role;
use fieldsales_core::quicklog::{Channel, NewQuickLog};
use fieldsales_core::{Config, FieldSales};
use fieldsales_server::ServerConfig;
use fieldsales_testkit::{device, LoopbackServer, Tenant};
use rand::{Rng, SeedableRng};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::dataset::new_customer;
use crate::fixtures::Generator;
use crate::Result;

pub(crate) const CUSTOMERS: usize = 10_000;
pub(crate) const QUICK_LOGS: usize = 100_000;
/// v3: the kept book is no longer written to by the runs (v2 books grew with every run).
const VERSION: &str = "v3";
/// In the kept book's directory once it is complete: the figures of its JSON form.
const MARKER: &str = "complete.json";
pub(crate) const TENANT: &str = "bench";
pub(crate) const TEAM: &str = "north";
const PASSWORD: &str = "bench-password-1";

/// The rep who wrote the book, the manager whose fresh phone pulls it, and a second rep.
pub(crate) const SEED: &str = "seed";
pub(crate) const BOSS: &str = "boss";

/// The JSON form of the book, for comparison with what sync puts on the wire.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct BookFigures {
    pub records: u64,
    pub json_bytes: u64,
    pub json_gzip_bytes: u64,
}

/// A running server over the cached book.
pub(crate) struct World {
    pub server: LoopbackServer,
    pub dir: PathBuf,
    pub book: BookFigures,
}

impl World {
    /// Starts the server on a copy of the cached book, building the book first if needed.
    pub(crate) fn start(bench_dir: &Path) -> Result<World> {
        let kept = bench_dir.join(format!("sync-{VERSION}"));
        let book = match std::fs::read(kept.join(MARKER)) {
            Ok(bytes) => serde_json::from_slice(&bytes)?,
            Err(_) => build_kept(&kept)?,
        };
        let dir = bench_dir.join("sync-run");
        let _ = std::fs::remove_dir_all(&dir);
        for part in ["server", "seed"] {
            copy_tree(&kept.join(part), &dir.join(part))?;
        }
        let server = LoopbackServer::start(ServerConfig::for_tests(dir.join("server")))?;
        Ok(World { server, dir, book })
    }

    /// The rep's device that wrote the book.
    pub(crate) fn seed_device(&self) -> Result<FieldSales> {
        let login = tenant().login(&self.server.url(), SEED);
        Ok(device::sign_in(
            &self.dir.join("seed"),
            &login,
            Config::default(),
        )?)
    }

    /// A brand-new device of `username` in a fresh directory under the world, talking to
    /// `url` (the server, or a proxy in front of it).
    pub(crate) fn fresh_device(&self, name: &str, username: &str, url: &str) -> Result<FieldSales> {
        let dir = self.dir.join("devices").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        let login = tenant().login(url, username);
        Ok(device::sign_in(&dir, &login, Config::default())?)
    }

    pub(crate) fn stop(self) -> Result {
        self.server.shutdown()?;
        Ok(())
    }
}

/// The team: the rep who writes the book, the manager whose fresh phone pulls it, and a
/// second rep.
pub(crate) fn tenant() -> Tenant {
    Tenant::new(TENANT, PASSWORD)
        .team(TEAM)
        .member(SEED, Role::Rep, Some(TEAM))
        .member(BOSS, Role::Manager, Some(TEAM))
        .member("peer", Role::Rep, Some(TEAM))
}

/// Builds the kept book in `kept` from nothing, on a server of its own that is stopped after.
fn build_kept(kept: &Path) -> Result<BookFigures> {
    let _ = std::fs::remove_dir_all(kept);
    std::fs::create_dir_all(kept)?;
    let started = Instant::now();
    let server = LoopbackServer::start(ServerConfig::for_tests(kept.join("server")))?;
    server.seed(&tenant())?;
    let book = build(&server.url(), kept)?;
    server.shutdown()?;
    std::fs::write(kept.join(MARKER), serde_json::to_vec_pretty(&book)?)?;
    eprintln!(
        "bench: sync book built and uploaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(book)
}

/// Copies the directory `from` (files and folders) to `to`.
fn copy_tree(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Writes the book on the seed rep's device, uploads it, and measures its JSON form.
fn build(url: &str, dir: &Path) -> Result<BookFigures> {
    let login = tenant().login(url, SEED);
    let fs = device::sign_in(&dir.join("seed"), &login, Config::default())?;
    let mut gen = Generator::new(77);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(77);
    let mut json = Vec::new();
    let mut records = 0u64;
    json.push(b'[');
    let mut push = |value: serde_json::Value, json: &mut Vec<u8>| -> Result {
        if records > 0 {
            json.push(b',');
        }
        serde_json::to_writer(&mut *json, &value)?;
        records += 1;
        Ok(())
    };
    let mut customer_ids = Vec::with_capacity(CUSTOMERS);
    for _ in 0..CUSTOMERS / 1_000 {
        let inputs: Vec<_> = gen.companies(1_000).iter().map(new_customer).collect();
        for id in fs.customers().create_many(&inputs)? {
            push(json!(fs.customers().get(&id)?), &mut json)?;
            customer_ids.push(id);
        }
    }
    for _ in 0..QUICK_LOGS / 5_000 {
        let inputs: Vec<NewQuickLog> = (0..5_000)
            .map(|_| NewQuickLog {
                channel: Channel::Call,
                duration_s: Some(rng.gen_range(20..900)),
                customer_id: Some(customer_ids[rng.gen_range(0..customer_ids.len())].clone()),
                pain_points: gen.pain_points(),
                note: Some(gen.visit_note()),
                ..Default::default()
            })
            .collect();
        for logged in fs.quick_log().log_many(&inputs)? {
            push(json!(logged.entry), &mut json)?;
        }
    }
    json.push(b']');
    eprintln!("bench: sync book written ({records} records), uploading…");
    let report = fs.sync().sync_now()?;
    if fs.pending_changes()? != 0 {
        return Err(format!("upload left {} changes pending", fs.pending_changes()?).into());
    }
    eprintln!("bench: uploaded in {} round trips", report.round_trips);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json)?;
    let gzip = gz.finish()?;
    Ok(BookFigures {
        records,
        json_bytes: json.len() as u64,
        json_gzip_bytes: gzip.len() as u64,
    })
}

/// A TCP proxy on loopback that counts the bytes going up (device → server) and down.
pub(crate) struct CountingProxy {
    pub addr: SocketAddr,
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
    /// When non-zero: the upload byte count at which the connection carrying it is cut, once.
    cut_at: Arc<AtomicU64>,
}

impl CountingProxy {
    pub(crate) fn start(rt: &tokio::runtime::Runtime, target: SocketAddr) -> Result<Self> {
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0"))?;
        let addr = listener.local_addr()?;
        let (up, down) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let cut_at = Arc::new(AtomicU64::new(0));
        let (u, d, c) = (up.clone(), down.clone(), cut_at.clone());
        rt.spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let (u, d, c) = (u.clone(), d.clone(), c.clone());
                tokio::spawn(async move {
                    if let Ok(outbound) = TcpStream::connect(target).await {
                        let (ri, wi) = inbound.into_split();
                        let (ro, wo) = outbound.into_split();
                        // A cut drops the connection both ways, as a lost network would.
                        tokio::select! {
                            _ = pump(ri, wo, u, Some(c)) => {}
                            _ = pump(ro, wi, d, None) => {}
                        }
                    }
                });
            }
        });
        Ok(CountingProxy {
            addr,
            up,
            down,
            cut_at,
        })
    }

    /// Cuts the connection that carries the upload past `bytes` more bytes from now, once.
    pub(crate) fn cut_after(&self, bytes: u64) {
        let at = self.up.load(Ordering::SeqCst) + bytes;
        self.cut_at.store(at, Ordering::SeqCst);
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Bytes (up, down) since the last call.
    pub(crate) fn take(&self) -> (u64, u64) {
        (
            self.up.swap(0, Ordering::SeqCst),
            self.down.swap(0, Ordering::SeqCst),
        )
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    counter: Arc<AtomicU64>,
    cut_at: Option<Arc<AtomicU64>>,
) {
    let mut buf = vec![0u8; 64 << 10];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let total = counter.fetch_add(n as u64, Ordering::SeqCst) + n as u64;
                if let Some(cut) = &cut_at {
                    let at = cut.load(Ordering::SeqCst);
                    if at != 0 && total >= at && cut.swap(0, Ordering::SeqCst) != 0 {
                        return;
                    }
                }
                if to.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown().await;
}
