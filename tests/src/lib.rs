//! Harness for the end-to-end tests: a real `fieldsales-server` on loopback behind a faulty
//! proxy, seeded with the [`cast`] by `fieldsales-testkit`'s one seeder, and devices
//! (`FieldSales` stores in temporary directories) that sign in and sync through the same
//! public API an app uses.
//!
//! The server and the proxy run on a runtime owned by [`World`]; devices use their own store
//! runtimes through the blocking API, as a command line or a test thread would.

pub mod proxy;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fieldsales_core::customer::{NewCustomer, Visibility};
use fieldsales_core::protocol::Role;
use fieldsales_core::sync::SyncConfig;
use fieldsales_core::{Config, Durability, FieldSales};
use fieldsales_server::{RunningServer, Server, ServerConfig};
use fieldsales_testkit::device::sign_in;
use fieldsales_testkit::{seed, Tenant};

pub use proxy::{Fault, FaultyProxy};

/// The password every seeded user gets.
pub const PASSWORD: &str = "correct-horse-1";
pub const TENANT: &str = "acme";

/// The people of these stories: tenant `acme`, team `north` (manager `mia`, reps `ann` and
/// `bob`) and team `south` (rep `sam`).
pub fn cast() -> Tenant {
    Tenant::new(TENANT, PASSWORD)
        .team("north")
        .team("south")
        .member("mia", Role::Manager, Some("north"))
        .member("ann", Role::Rep, Some("north"))
        .member("bob", Role::Rep, Some("north"))
        .member("sam", Role::Rep, Some("south"))
}

/// A server, its data directory, the proxy in front of it, and their runtimes. The server has a
/// runtime of its own so that [`World::kill`] can stop it abruptly, mid-request, as a crash
/// would, while the proxy keeps running.
pub struct World {
    pub runtime: tokio::runtime::Runtime,
    server_runtime: Option<tokio::runtime::Runtime>,
    pub data_dir: tempfile::TempDir,
    server: Option<RunningServer>,
    pub proxy: FaultyProxy,
    config: ServerConfig,
}

fn new_runtime() -> tokio::runtime::Runtime {
    fieldsales_testkit::loopback::runtime().expect("a runtime")
}

impl World {
    /// A server seeded with the [`cast`].
    pub fn start() -> World {
        World::start_with(|_| {})
    }

    /// Like [`World::start`], adjusting the server's configuration first.
    pub fn start_with(adjust: impl FnOnce(&mut ServerConfig)) -> World {
        let runtime = new_runtime();
        let server_runtime = new_runtime();
        let data_dir = tempfile::tempdir().expect("a data directory");
        let mut config = ServerConfig::for_tests(data_dir.path());
        adjust(&mut config);
        let server = server_runtime.block_on(async {
            let server = Server::start(config.clone())
                .await
                .expect("the server starts");
            seed(server.admin(), &cast())
                .await
                .expect("the tenant is seeded");
            server
        });
        let proxy = runtime.block_on(FaultyProxy::start(&server.url()));
        World {
            runtime,
            server_runtime: Some(server_runtime),
            data_dir,
            server: Some(server),
            proxy,
            config,
        }
    }

    /// The server's own URL (no proxy).
    pub fn direct_url(&self) -> String {
        self.server
            .as_ref()
            .map(|s| s.url().to_string())
            .unwrap_or_default()
    }

    /// Stops the server abruptly: its runtime is torn down with requests in flight, as a
    /// crash would (only what SQLite committed survives).
    pub fn kill(&mut self) {
        self.server.take();
        if let Some(runtime) = self.server_runtime.take() {
            runtime.shutdown_background();
        }
    }

    /// Starts the server again on the same data directory; the proxy follows it.
    pub fn restart(&mut self) {
        let runtime = new_runtime();
        let server = runtime
            .block_on(Server::start(self.config.clone()))
            .expect("the server restarts on its data");
        self.proxy.set_upstream(&server.url());
        self.server = Some(server);
        self.server_runtime = Some(runtime);
    }

    fn server_runtime(&self) -> &tokio::runtime::Runtime {
        self.server_runtime.as_ref().expect("a running server")
    }

    /// Trims the server's log to its last `keep` entries (older cursors get snapshots).
    pub fn compact(&self, keep: u64) -> u64 {
        let server = self.server.as_ref().expect("a running server");
        self.server_runtime()
            .block_on(server.admin().compact(keep))
            .expect("compaction")
    }

    /// Sets a new password for `username`, which ends their sessions.
    pub fn reset_password(&self, username: &str, password: &str) {
        let server = self.server.as_ref().expect("a running server");
        self.server_runtime()
            .block_on(server.admin().reset_password(TENANT, username, password))
            .expect("password reset");
    }

    /// Turns the tenant's photo watermark on or off; devices learn it at their next sync.
    pub fn set_photo_watermark(&self, on: bool) {
        let server = self.server.as_ref().expect("a running server");
        self.server_runtime()
            .block_on(
                server
                    .admin()
                    .change_tenant_settings(TENANT, |s| s.photo_watermark = on),
            )
            .expect("the tenant's settings change");
    }

    /// A new device of `username`, signed in through the proxy.
    pub fn device(&self, username: &str) -> Device {
        Device::sign_in(&self.proxy.url(), username, |_| {})
    }
}

/// One phone: a store in a temporary directory.
pub struct Device {
    pub fs: FieldSales,
    pub user: String,
    pub dir: tempfile::TempDir,
}

impl Device {
    pub fn sign_in(
        server_url: &str,
        username: &str,
        adjust: impl FnOnce(&mut SyncConfig),
    ) -> Device {
        let dir = tempfile::tempdir().expect("a device directory");
        let mut sync = SyncConfig {
            request_timeout: Duration::from_secs(30),
            debounce: Duration::from_millis(50),
            ..SyncConfig::default()
        };
        adjust(&mut sync);
        let config = Config {
            durability: Durability::AppCrash,
            sync,
            ..Config::default()
        };
        let fs = sign_in(dir.path(), &cast().login(server_url, username), config).expect("sign-in");
        Device {
            fs,
            user: username.into(),
            dir,
        }
    }

    /// Syncs once. No fault is planned where this is used, so any failure fails the test.
    pub fn sync(&self) -> fieldsales_core::sync::SyncReport {
        self.fs
            .sync()
            .sync_now()
            .unwrap_or_else(|e| panic!("{} could not sync: {e:?}", self.user))
    }

    /// Syncs through the faults a test planned on the proxy: each planned fault costs at most
    /// one failed attempt, so `planned + 1` attempts must be enough.
    pub fn sync_through_faults(&self, planned: usize) -> fieldsales_core::sync::SyncReport {
        let mut last = None;
        for _ in 0..=planned {
            match self.fs.sync().sync_now() {
                Ok(report) => return report,
                Err(e) => last = Some(e),
            }
        }
        panic!(
            "{} could not sync through {planned} planned faults: {last:?}",
            self.user
        );
    }

    /// Adds a customer named `name` on this device (not yet synced); returns its id.
    pub fn add_customer(&self, name: &str, visibility: Visibility) -> String {
        self.fs
            .customers()
            .create(NewCustomer {
                name: name.into(),
                visibility,
                ..Default::default()
            })
            .expect("a customer")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

/// Waits until `condition` holds, checking every 20 ms, failing after `limit`.
pub fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < limit, "gave up waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The whole store of a device as comparable JSON: every document's current values.
pub fn projection(fs: &FieldSales) -> BTreeMap<String, serde_json::Value> {
    fs.documents_as_json().expect("the device's documents")
}
