//! The sync protocol: the wire types that client and server exchange, and their encoding.
//!
//! Both sides compile this one module, so they cannot drift. It owns the message shapes, the
//! body framing and the limits; it must not know about HTTP frameworks, SQL or tokio — the
//! server (`fieldsales-server`) and the sync client put these messages on the wire.
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
mod messages;

pub use codec::{decode, decode_framed, encode, encode_as, DecodeError, Framing};
pub use messages::*;

/// The newest body version this build speaks, carried in the body's fourth byte. Version 2
/// differs from version 1 only in the compression of the body ([`Framing`]); the messages and
/// the path (`/v1/...`) are the same.
pub const VERSION: u8 = 2;

/// The first bytes of every sync body.
pub const MAGIC: &[u8; 3] = b"FSY";

/// `Content-Type` of sync bodies.
pub const CONTENT_TYPE: &str = "application/vnd.fieldsales.sync+cbor";
