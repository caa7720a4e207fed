//! `fieldsales-server`: the sync server of fieldsales.
//!
//! Devices push their outbox of Automerge changes and pull what their user may see in one HTTP
//! round trip (`POST /v1/sync`), against a per-tenant append-only change log with a monotonic
//! sequence number. The design is DESIGN.md's "Sync protocol" and "Server"; the wire format is
//! `fieldsales_protocol` (shared with the client, so the two cannot drift) and is written
//! down for third parties in `docs/protocol.md`.
//!
//! Map of the crate:
//!
//! * [`server`] — start, stop ([`Server`], [`RunningServer`]).
//! * [`http`] — connections (limits, timeouts, TLS), routes, authentication, login (bounded
//!   hashing, throttling), sync, the event stream.
//! * [`sync`] — the protocol's server half, written once against [`sync::SyncStore`].
//! * [`access`] — who may see and write which record (visibility and write rights), and how
//!   far the manager console reaches.
//! * [`console`] — the manager console's questions and answers over the read model.
//! * [`storage`] — the [`storage::Storage`] trait and its SQLite backend.
//! * [`media`] — media blobs (`object_store`), resumable uploads, who may reach a blob.
//! * [`accounts`] — passwords, tokens, the signed-in principal.
//! * [`admin`] — tenants, teams, users, devices, compaction ([`Admin`]).
//! * [`config`], [`metrics`], [`error`].
//!
//! ```no_run
//! # async fn demo() -> fieldsales_server::Result<()> {
//! use fieldsales_protocol::Role;
//! use fieldsales_server::{Server, ServerConfig, UserSpec};
//! let server = Server::start(ServerConfig::for_tests("/tmp/fs-demo")).await?;
//! let admin = server.admin();
//! admin.create_tenant("acme").await?;
//! admin.create_team("acme", "north").await?;
//! let ann = admin
//!     .create_user(UserSpec { tenant: "acme", username: "ann", password: "ann-secret-1",
//!                             role: Role::Rep, team: Some("north") })
//!     .await?;
//! println!("{} can log in at {}/v1/login", ann.id, server.url());
//! server.shutdown().await
//! # }
//! ```

pub mod access;
pub mod accounts;
pub mod admin;
pub mod config;
pub mod console;
pub mod error;
pub mod http;
pub mod media;
pub mod metrics;
pub mod server;
pub mod storage;
pub mod sync;

pub use admin::{Admin, UserSpec};
pub use config::{Compaction, Limits, Login, ServerConfig};
pub use error::{ApiError, Error, Result};
pub use server::{RunningServer, Server};
