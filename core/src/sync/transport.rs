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
pub trait Transport: Send + Sync {
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

/// An open event stream.
pub trait EventStream: Send {
    /// The next event; `None` when the server closed the stream.
    fn next_event(&mut self) -> BoxFuture<'_, Option<Result<SeqEvent, SyncError>>>;
}
