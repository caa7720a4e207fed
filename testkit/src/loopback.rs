//! A `fieldsales-server` on 127.0.0.1 with a runtime of its own, for callers that block: the
//! CLI tests, the demo, the benches. Async tests start [`Server`] themselves (or use
//! [`crate::wire::Fixture`]) on the test's runtime.

use std::net::SocketAddr;

use fieldsales_server::{RunningServer, Server, ServerConfig};
use tokio::runtime::Runtime;

use crate::tenant::{seed, Accounts, Tenant};
use crate::Result;

/// A running server and the runtime it runs on.
pub struct LoopbackServer {
    pub runtime: Runtime,
    pub server: RunningServer,
}

/// The runtime a loopback server or a harness runs on: two workers, as this project's
/// machines have two cores.
pub fn runtime() -> Result<Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

impl LoopbackServer {
    /// Starts a server over `config` (its data directory may already hold tenants).
    pub fn start(config: ServerConfig) -> Result<LoopbackServer> {
        let runtime = runtime()?;
        let server = runtime.block_on(Server::start(config))?;
        Ok(LoopbackServer { runtime, server })
    }

    /// Seeds `tenant` on this server.
    pub fn seed(&self, tenant: &Tenant) -> Result<Accounts> {
        Ok(self.runtime.block_on(seed(self.server.admin(), tenant))?)
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Stops accepting, finishes what is in flight, and stops.
    pub fn shutdown(self) -> Result<()> {
        Ok(self.runtime.block_on(self.server.shutdown())?)
    }
}
