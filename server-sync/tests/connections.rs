//! What a connection may cost the server: clients that send slowly or not at all are cut, a
//! huge declared body is refused before it is read, the connection cap holds, one user cannot
//! pin event streams without bound, and TLS serves (and reloads) the configured certificate.
//!
//! Each test talks raw TCP (or TLS) to a server on 127.0.0.1 with timeouts of about a second,
//! and asserts on what a client sees: a closed socket, a status line, a certificate. Waits are
//! generous bounds, never the measured quantity.

use std::sync::Arc;
use std::time::Duration;

use fieldsales_server::config::TlsSettings;
use fieldsales_server::ServerConfig;
use fieldsales_testkit::wire;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a test waits for something a one-second timer should bring about.
const BOUND: Duration = Duration::from_secs(10);

fn one_second_timeouts(config: &mut ServerConfig) {
    config.http.header_timeout_secs = 1;
    config.http.body_timeout_secs = 1;
    config.http.body_min_bytes_per_sec = 1024;
    config.http.idle_timeout_secs = 1;
}

/// Reads until the server closes the connection; `None` if it is still open after `within`.
async fn read_until_closed<S: AsyncReadExt + Unpin>(
    stream: &mut S,
    within: Duration,
) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    let read_all = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(within, read_all).await.ok()?;
    Some(received)
}

fn status_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// One `GET /healthz` on a fresh connection; the status line, or `None` if the connection
/// closed without an answer.
async fn healthz_status(addr: std::net::SocketAddr) -> Option<String> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .ok()?;
    let bytes = read_until_closed(&mut stream, BOUND).await?;
    (!bytes.is_empty()).then(|| status_line(&bytes))
}

#[tokio::test]
async fn a_connection_that_never_finishes_its_headers_is_closed() {
    let fx = wire::start_with(one_second_timeouts).await;
    let mut slow = TcpStream::connect(fx.server.addr()).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut slow, BOUND).await;
    let answer = answer.expect("the server closes a connection whose head never ends");
    assert!(
        !status_line(&answer).contains("200"),
        "the unfinished request is not served"
    );
    fx.assert_healthy().await;
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_body_trickled_below_the_minimum_rate_is_cut_with_408() {
    let fx = wire::start_with(one_second_timeouts).await;
    let stream = TcpStream::connect(fx.server.addr()).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    write
        .write_all(
            b"POST /v1/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
              Content-Length: 1000\r\n\r\n{\"tenant\"",
        )
        .await
        .unwrap();
    // A byte every 200 ms: 5 B/s against the 1,024 B/s asked for, for as long as the bound.
    let trickle = tokio::spawn(async move {
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if write.write_all(b" ").await.is_err() {
                return;
            }
        }
    });
    let answer = read_until_closed(&mut read, BOUND)
        .await
        .expect("the server cuts a trickling body");
    assert_eq!(status_line(&answer), "HTTP/1.1 408 Request Timeout");
    trickle.abort();
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let fx = wire::start_with(|config| {
        one_second_timeouts(config);
        // The head timer must not be what closes it.
        config.http.header_timeout_secs = 60;
    })
    .await;
    let mut kept = TcpStream::connect(fx.server.addr()).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 512];
    let n = kept.read(&mut first).await.unwrap();
    assert_eq!(status_line(&first[..n]), "HTTP/1.1 200 OK");
    let rest = read_until_closed(&mut kept, BOUND)
        .await
        .expect("the idle connection is closed by the server");
    assert!(
        rest.is_empty(),
        "nothing more is sent on an idle connection"
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_huge_declared_body_is_refused_with_413_before_it_is_read() {
    let fx = wire::start().await;
    let mut stream = TcpStream::connect(fx.server.addr()).await.unwrap();
    stream
        .write_all(
            b"POST /v1/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
              Content-Length: 4611686018427387904\r\n\r\n0123456789",
        )
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream, BOUND)
        .await
        .expect("the server answers and closes at once, not after a body timeout");
    assert_eq!(status_line(&answer), "HTTP/1.1 413 Payload Too Large");
    assert!(
        String::from_utf8_lossy(&answer).contains("payload_too_large"),
        "the answer is the API's JSON error"
    );
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn beyond_the_connection_cap_new_connections_are_not_served_until_others_close() {
    let fx = wire::start_with(|config| {
        config.http.max_connections = 4;
        config.http.header_timeout_secs = 60;
    })
    .await;
    let addr = fx.server.addr();
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    assert_eq!(
        healthz_status(addr).await,
        None,
        "a fifth connection is closed without an answer"
    );
    drop(held);
    let mut served = None;
    for _ in 0..50 {
        served = healthz_status(addr).await;
        if served.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(served.as_deref(), Some("HTTP/1.1 200 OK"));
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_fifth_event_stream_of_one_user_is_429_while_another_user_streams() {
    let fx = wire::start().await;
    let ann = fx.device("ann").await;
    let bob = fx.device("bob").await;
    let mut streams = Vec::new();
    for _ in 0..4 {
        let stream = fx.events(&ann.token).await;
        assert_eq!(stream.status(), 200);
        streams.push(stream);
    }
    let refused = fx.events(&ann.token).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: fieldsales_core::protocol::ErrorBody = refused.json().await.unwrap();
    assert_eq!(
        body.error.code,
        fieldsales_core::protocol::ErrorCode::RateLimited
    );
    assert_eq!(fx.events(&bob.token).await.status(), 200);

    // A stream that ends gives its slot back.
    drop(streams.pop());
    let mut status = 0;
    for _ in 0..100 {
        status = fx.events(&ann.token).await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(status, 200, "a closed stream's slot is given back");
    drop(streams);
    fx.server.shutdown().await.unwrap();
}

/// A self-signed certificate for `localhost`, written where the server's config points.
fn write_self_signed(dir: &std::path::Path) -> rustls::pki_types::CertificateDer<'static> {
    let issued = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    std::fs::write(dir.join("cert.pem"), issued.cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), issued.signing_key.serialize_pem()).unwrap();
    issued.cert.der().clone()
}

/// `GET /healthz` over TLS trusting only `trusted`; the status line and the certificate the
/// server presented, or the handshake's error.
async fn healthz_over_tls(
    addr: std::net::SocketAddr,
    trusted: &rustls::pki_types::CertificateDer<'static>,
) -> Result<(String, Vec<u8>), std::io::Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(trusted.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(addr).await?;
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await?;
    let presented = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|cert| cert.to_vec())
        .unwrap_or_default();
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await?;
    let answer = read_until_closed(&mut tls, BOUND).await.unwrap_or_default();
    Ok((status_line(&answer), presented))
}

#[tokio::test]
async fn tls_serves_the_configured_certificate_and_a_reload_swaps_it_for_new_connections() {
    let certs = tempfile::tempdir().unwrap();
    let first = write_self_signed(certs.path());
    let tls = TlsSettings {
        cert_path: certs.path().join("cert.pem"),
        key_path: certs.path().join("key.pem"),
    };
    let fx = wire::start_with(|config| config.tls = Some(tls)).await;
    let addr = fx.server.addr();
    assert!(fx.server.url().starts_with("https://"));
    let (status, presented) = healthz_over_tls(addr, &first).await.unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(presented, first.to_vec());

    let second = write_self_signed(certs.path());
    fx.server.reload_tls().unwrap();
    let (status, presented) = healthz_over_tls(addr, &second).await.unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(
        presented,
        second.to_vec(),
        "new connections see the new cert"
    );
    assert!(
        healthz_over_tls(addr, &first).await.is_err(),
        "a client trusting only the old certificate is refused"
    );

    std::fs::write(certs.path().join("key.pem"), "not a key").unwrap();
    assert!(fx.server.reload_tls().is_err(), "a broken key is reported");
    let (status, presented) = healthz_over_tls(addr, &second).await.unwrap();
    assert_eq!(
        status, "HTTP/1.1 200 OK",
        "the old certificate stays in use"
    );
    assert_eq!(presented, second.to_vec());
    fx.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn without_a_tls_section_the_server_speaks_plain_http() {
    let fx = wire::start().await;
    assert!(fx.server.url().starts_with("http://"));
    assert_eq!(
        healthz_status(fx.server.addr()).await.as_deref(),
        Some("HTTP/1.1 200 OK")
    );
    assert!(fx.server.reload_tls().is_err());
    fx.server.shutdown().await.unwrap();
}
