//! The `[http]` and `[tls]` sections: what one connection may cost before it is cut, and the
//! certificate the server presents (see `http::listen` and `http::connection`, which enforce it).

use std::path::PathBuf;

use serde::Deserialize;

use super::parse;
use crate::error::{Error, Result};

/// What one connection may cost the server before it is cut: the defence against clients
/// (or attackers) that open connections and then send slowly or not at all.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// A new connection's TLS handshake and every request's head must arrive within this.
    pub header_timeout_secs: u64,
    /// A request body may take this long, plus one second per `body_min_bytes_per_sec` bytes
    /// received: a slow phone gets time in proportion to what it sends, a trickle does not.
    pub body_timeout_secs: u64,
    pub body_min_bytes_per_sec: u64,
    /// A kept-alive connection with no request for this long is closed.
    pub idle_timeout_secs: u64,
    /// Open connections at most; beyond it a new connection is closed at once.
    pub max_connections: usize,
    /// Event streams (`GET /v1/events`) one user may hold open at once; beyond it, 429.
    pub max_streams_per_user: usize,
}

/// The certificate chain and private key (PEM files) the server presents. Re-read on SIGHUP.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            header_timeout_secs: 10,
            body_timeout_secs: 30,
            body_min_bytes_per_sec: 16 * 1024,
            idle_timeout_secs: 60,
            max_connections: 4096,
            max_streams_per_user: 4,
        }
    }
}

impl HttpSettings {
    pub(super) fn check(&self) -> Result<()> {
        let positive = [
            self.header_timeout_secs,
            self.body_timeout_secs,
            self.body_min_bytes_per_sec,
            self.idle_timeout_secs,
            self.max_connections as u64,
            self.max_streams_per_user as u64,
        ];
        if positive.contains(&0) {
            return Err(Error::Config("every http setting must be > 0".into()));
        }
        Ok(())
    }

    pub(super) fn apply_env(&mut self, var: &impl Fn(&str) -> Option<String>) -> Result<()> {
        let secs: [(&str, &mut u64); 4] = [
            (
                "FIELDSALES_SERVER_HEADER_TIMEOUT_SECS",
                &mut self.header_timeout_secs,
            ),
            (
                "FIELDSALES_SERVER_BODY_TIMEOUT_SECS",
                &mut self.body_timeout_secs,
            ),
            (
                "FIELDSALES_SERVER_BODY_MIN_BYTES_PER_SEC",
                &mut self.body_min_bytes_per_sec,
            ),
            (
                "FIELDSALES_SERVER_IDLE_TIMEOUT_SECS",
                &mut self.idle_timeout_secs,
            ),
        ];
        for (key, slot) in secs {
            if let Some(v) = var(key) {
                *slot = parse(key, &v)?;
            }
        }
        let counts: [(&str, &mut usize); 2] = [
            (
                "FIELDSALES_SERVER_MAX_CONNECTIONS",
                &mut self.max_connections,
            ),
            (
                "FIELDSALES_SERVER_MAX_STREAMS_PER_USER",
                &mut self.max_streams_per_user,
            ),
        ];
        for (key, slot) in counts {
            if let Some(v) = var(key) {
                *slot = parse(key, &v)?;
            }
        }
        Ok(())
    }
}

impl TlsSettings {
    /// `FIELDSALES_SERVER_TLS_CERT` and `..._TLS_KEY` together turn TLS on (or move its files).
    pub(super) fn from_env(var: &impl Fn(&str) -> Option<String>) -> Result<Option<TlsSettings>> {
        match (
            var("FIELDSALES_SERVER_TLS_CERT"),
            var("FIELDSALES_SERVER_TLS_KEY"),
        ) {
            (Some(cert), Some(key)) => Ok(Some(TlsSettings {
                cert_path: cert.into(),
                key_path: key.into(),
            })),
            (None, None) => Ok(None),
            _ => Err(Error::Config(
                "FIELDSALES_SERVER_TLS_CERT and FIELDSALES_SERVER_TLS_KEY go together".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ServerConfig;
    use super::*;

    #[test]
    fn http_and_tls_sections_are_read_checked_and_overridden() {
        let mut config: ServerConfig = toml::from_str(
            r#"
            [http]
            header_timeout_secs = 5
            max_connections = 100
            [tls]
            cert_path = "/etc/fieldsales/cert.pem"
            key_path = "/etc/fieldsales/key.pem"
            "#,
        )
        .unwrap();
        assert_eq!(config.http.header_timeout_secs, 5);
        assert_eq!(config.http.idle_timeout_secs, 60);
        assert_eq!(
            config.tls.as_ref().map(|t| t.key_path.clone()),
            Some(PathBuf::from("/etc/fieldsales/key.pem"))
        );
        config
            .apply_env(|key| (key == "FIELDSALES_SERVER_MAX_STREAMS_PER_USER").then(|| "2".into()))
            .unwrap();
        assert_eq!(config.http.max_streams_per_user, 2);
        config.check().unwrap();
        config.http.max_connections = 0;
        assert!(config.check().is_err());
        let half = ServerConfig::default()
            .apply_env(|key| (key == "FIELDSALES_SERVER_TLS_CERT").then(|| "/c.pem".into()));
        assert!(half.is_err(), "a certificate without its key is refused");
    }
}
