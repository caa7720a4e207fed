//! `fieldsales-testkit`: what every test crate and the xtask harnesses share to put a tenant on
//! a server and phones in front of it. Dev-only: the test crates take it as a
//! dev-dependency and xtask (tooling itself) as a dependency; nothing that ships depends on it.
//!
//! * [`tenant`] — the one tenant seeder: a [`Tenant`] is data (teams, people, roles,
//!   passwords), [`seed`] writes it through the server's [`fieldsales_server::Admin`] onto any
//!   server storage, and [`acme`] is the cast the server and CLI tests share.
//! * [`loopback`] — a server on 127.0.0.1 on a runtime of its own, for blocking callers (the
//!   CLI tests, the demo, the benches).
//! * [`device`] — phones: a store signed in through the product's login, or opened for a known
//!   user.
//! * [`wire`] — the sync protocol spoken by hand for the server's own tests: a seeded server,
//!   a device that pushes its real outbox and applies answers itself, and the raw request
//!   steps (login, pull, one-document pushes, logout, metrics).
//!
//! The fake transport of the sync client stays in `fieldsales-core` (`sync::fake`): only the
//! core's unit tests use it, and tests outside core talk to a real server on loopback.
//!
//! What it must not do: hold assertions about behaviour (those belong to the tests), or grow
//! a second way to create accounts — every seeded user goes through [`seed`].

pub mod device;
pub mod loopback;
pub mod tenant;
pub mod wire;

pub use loopback::LoopbackServer;
pub use tenant::{acme, seed, seed_data_dir, Accounts, Person, Tenant};

/// Why a harness could not set its world up.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("server: {0}")]
    Server(#[from] fieldsales_server::Error),
    #[error("device: {0}")]
    Device(#[from] fieldsales_core::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
