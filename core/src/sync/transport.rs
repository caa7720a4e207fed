//! The seam between the sync client and the network.
//!
//! The client speaks protocol messages ([`SyncRequest`] up, [`SyncResponse`] down); a
//! [`Transport`] carries them. The real one is HTTP ([`super::http::HttpTransport`]); tests
//! and the auto-sync engine's scheduling tests use a fake, so that every failure a network can
//! produce is reproducible without one. The trait names no HTTP-library type.

use std::future::Future;
use std::pin::Pin;

use crate::protocol::{LoginRequest, LoginResponse, SeqEvent, SyncRequest, SyncResponse};

use super::server_url::ServerUrl;
use crate::error::SyncError;

/// A boxed, sendable future (the trait is object-safe, so the app or a test can plug in its own).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Carries protocol messages to a sync server.
pub trait Transport: MediaTransport + Send + Sync {
    /// `POST /v1/login`.
    fn login<'a>(
        &'a self,
        server: &'a ServerUrl,
        request: &'a LoginRequest,
    ) -> BoxFuture<'a, Result<LoginResponse, SyncError>>;

    /// `POST /v1/logout`: ends the session `token` on the server.
    fn logout<'a>(
        &'a self,
        server: &'a ServerUrl,
        token: &'a str,
    ) -> BoxFuture<'a, Result<(), SyncError>>;

    /// `POST /v1/sync`: one round trip.
    fn sync<'a>(
        &'a self,
        server: &'a ServerUrl,
        token: &'a str,
        request: &'a SyncRequest,
    ) -> BoxFuture<'a, Result<SyncResponse, SyncError>>;

    /// `GET /v1/events`: the server's "new data at sequence N" stream.
    fn events<'a>(
        &'a self,
        server: &'a ServerUrl,
        token: &'a str,
    ) -> BoxFuture<'a, Result<Box<dyn EventStream>, SyncError>>;
}

/// Where a media upload stands on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaOffset {
    /// Bytes the server holds (the whole length once complete).
    pub held: u64,
    /// The server holds the verified blob.
    pub complete: bool,
}

/// A transport that carries no media (a test's fake) answers every media call with this.
fn no_media<'a, T: Send + 'a>() -> BoxFuture<'a, Result<T, SyncError>> {
    Box::pin(async {
        Err(SyncError::Server {
            status: 501,
            code: None,
            message: "this transport carries no media".into(),
        })
    })
}

/// Carries media blobs (`docs/protocol.md`, "Media"). The upload loop (resume, chunking) is
/// `super::media`'s; a transport moves one request each call. Not every transport carries
/// media: the defaults refuse.
pub trait MediaTransport: Send + Sync {
    /// `HEAD /v1/media/{hash}`.
    fn media_offset<'a>(
        &'a self,
        _server: &'a ServerUrl,
        _token: &'a str,
        _hash: &'a str,
    ) -> BoxFuture<'a, Result<MediaOffset, SyncError>> {
        no_media()
    }

    /// `PATCH /v1/media/{hash}`: `chunk` at `offset` of a blob of `length` bytes. A 409 is
    /// answered as the server's offset (`complete: false`), for the caller to go on from.
    fn media_chunk<'a>(
        &'a self,
        _server: &'a ServerUrl,
        _token: &'a str,
        _hash: &'a str,
        _offset: u64,
        _length: u64,
        _chunk: Vec<u8>,
    ) -> BoxFuture<'a, Result<MediaOffset, SyncError>> {
        no_media()
    }

    /// `GET /v1/media/{hash}`.
    fn media_download<'a>(
        &'a self,
        _server: &'a ServerUrl,
        _token: &'a str,
        _hash: &'a str,
    ) -> BoxFuture<'a, Result<Vec<u8>, SyncError>> {
        no_media()
    }
}

/// An open event stream.
pub trait EventStream: Send {
    /// The next event; `None` when the server closed the stream.
    fn next_event(&mut self) -> BoxFuture<'_, Option<Result<SeqEvent, SyncError>>>;
}
