//! The client's address, for per-address login throttling.
//!
//! The peer address comes from axum's [`ConnectInfo`], which exists only when the server is
//! served with `into_make_service_with_connect_info::<SocketAddr>()` (or an accept loop that
//! inserts `ConnectInfo<SocketAddr>` into each request's extensions). Behind a proxy every peer
//! is the proxy, so `login.trust_forwarded_for` takes the last `X-Forwarded-For` entry instead:
//! the one the proxy itself appended (earlier entries are whatever the client wrote). This
//! module must not decide what is done with the address.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use super::AppState;

/// The client's address, when the server knows it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.config.login.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .and_then(|last| last.trim().parse::<IpAddr>().ok());
            if forwarded.is_some() {
                return Ok(ClientAddress(forwarded));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        if peer.is_none() {
            warn_once_without_peer();
        }
        Ok(ClientAddress(peer))
    }
}

/// Without peer addresses only per-account throttling works: say so once, not per request.
fn warn_once_without_peer() {
    static WARNED: std::sync::Once = std::sync::Once::new();
    WARNED.call_once(|| {
        tracing::warn!(
            "requests carry no peer address (serve with connect info): \
             per-address login throttling is off"
        );
    });
}
