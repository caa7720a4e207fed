//! `fieldsales-protocol`: what a device and the server must agree on, in one crate both compile.
//!
//! It owns the sync messages and their framing ([`encode`], [`decode`]), the limits both sides
//! enforce ([`limits`]), the record schema — the kinds and the key of every field ([`schema`],
//! [`Kind`]) — the value vocabulary with one parser each ([`Visibility`], [`Role`]), and the
//! guard both sides put around Automerge when it reads bytes from elsewhere ([`isolate`]), and
//! the media upload protocol with the reader of a record's media references ([`media`]), and
//! the one reader of a record's fields and per-kind summaries ([`record`]). It
//! must not know about HTTP frameworks, SQL, tokio or the device's store: the server
//! (`fieldsales-server`) and the engine (`fieldsales-core`, which re-exports this crate as
//! `fieldsales_core::protocol`) put these types to work. Its dependencies are automerge (the
//! schema names Automerge object types) and the serialisation crates, nothing else, so the
//! server does not compile the engine to speak to it.
//!
//! The design (see DESIGN.md, "Sync protocol") is a per-tenant change log with a monotonic
//! sequence number and a client cursor: one round trip carries the device's outbox up and
//! everything new the user may see down, whatever the number of documents. `docs/protocol.md`
//! is the description a third party writes a client from; keep the two in step.
//!
//! # Framing
//!
//! A sync body (request and answer alike) is `MAGIC` (`b"FSY"`), one version byte
//! ([`VERSION`]), then the message as CBOR (RFC 8949) compressed with Zstandard (version 2,
//! [`Framing::Zstd`]) or gzip (version 1, still read and answered in kind). The
//! version byte comes first and uncompressed so that a server can refuse a client of another
//! protocol version with a clear reason before decoding anything. Automerge changes and
//! snapshots travel as CBOR byte strings, never as base64. Login and errors are small JSON.

mod bounded;
mod codec;
mod genesis;
pub mod isolate;
pub mod media;
mod messages;
pub mod record;
pub mod schema;
mod vocabulary;

pub use codec::{decode, decode_framed, encode, encode_as, DecodeError, Framing};
pub use genesis::shared_genesis_actor;
pub use messages::*;
pub use schema::{Kind, SCHEMA_VERSION};
pub use vocabulary::{Role, Visibility};

/// The newest body version this build speaks, carried in the body's fourth byte. Version 2
/// differs from version 1 only in the compression of the body ([`Framing`]); the messages and
/// the path (`/v1/...`) are the same.
pub const VERSION: u8 = 2;

/// The first bytes of every sync body.
pub const MAGIC: &[u8; 3] = b"FSY";

/// `Content-Type` of sync bodies.
pub const CONTENT_TYPE: &str = "application/vnd.fieldsales.sync+cbor";
