//! Server settings: where to listen, where the data lives, and the limits it enforces.
//!
//! Every setting has a default, so `fieldsales-server serve` runs with no file at all. A TOML
//! file (`--config`) overrides the defaults and `FIELDSALES_SERVER_*` environment variables
//! override the file, the usual order for a binary an IT person runs under systemd or Docker.
//! Limits may only tighten the protocol's own ([`fieldsales_protocol::limits`]): a
//! server that accepted more than clients are told to send would invite drift.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use fieldsales_protocol::limits as proto;
use serde::Deserialize;

use crate::error::{Error, Result};

mod console;
mod http;
mod login;
mod media;

pub use console::ConsoleSettings;
pub use http::{HttpSettings, TlsSettings};
pub use login::Login;
pub use media::{MediaBackend, MediaSettings};

/// Everything the server needs to start.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port (tests).
    pub addr: SocketAddr,
    /// Directory of the embedded SQLite store.
    pub data_dir: PathBuf,
    /// How long a session token lives after login, in seconds.
    pub session_ttl_secs: u64,
    pub limits: Limits,
    pub compaction: Compaction,
    pub login: Login,
    pub http: HttpSettings,
    /// Where media blobs are kept.
    pub media: MediaSettings,
    /// The manager console.
    pub console: ConsoleSettings,
    /// Serve HTTPS with these files; absent: plain HTTP (loopback, or behind a proxy).
    pub tls: Option<TlsSettings>,
}

/// Bounds on what one request may carry and one answer may hold.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest request body, compressed (bytes).
    pub max_request_bytes: usize,
    /// Largest request body after decompression (bytes).
    pub max_decompressed_bytes: usize,
    /// Most documents in one sync request.
    pub max_docs_per_request: usize,
    /// Most changes in one sync request.
    pub max_changes_per_request: usize,
    /// Largest single change (bytes).
    pub max_change_bytes: usize,
    /// Size at which an answer is cut with `more: true` (uncompressed bytes of document data).
    pub max_answer_bytes: usize,
}

/// When the change log is trimmed. Devices whose cursor is older than the trimmed part get
/// whole documents instead of changes.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Compaction {
    /// Keep at least this many of each tenant's latest log entries; `None` keeps everything.
    pub keep_changes: Option<u64>,
    /// How often the server trims, in seconds.
    pub interval_secs: u64,
}

/// Reads one environment value; a value that does not parse is an error, not a default.
fn parse<T: std::str::FromStr>(key: &str, value: &str) -> Result<T> {
    value
        .trim()
        .parse()
        .map_err(|_| Error::Config(format!("{key} is not a valid value")))
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8787)),
            data_dir: PathBuf::from("fieldsales-data"),
            session_ttl_secs: 30 * 24 * 3600,
            limits: Limits::default(),
            compaction: Compaction::default(),
            login: Login::default(),
            http: HttpSettings::default(),
            media: MediaSettings::default(),
            console: ConsoleSettings::default(),
            tls: None,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_request_bytes: proto::MAX_REQUEST_BYTES,
            max_decompressed_bytes: proto::MAX_DECOMPRESSED_BYTES,
            max_docs_per_request: proto::MAX_DOCS_PER_REQUEST,
            max_changes_per_request: proto::MAX_CHANGES_PER_REQUEST,
            max_change_bytes: proto::MAX_CHANGE_BYTES,
            max_answer_bytes: proto::DEFAULT_ANSWER_BYTES,
        }
    }
}

impl Default for Compaction {
    fn default() -> Self {
        Compaction {
            keep_changes: None,
            interval_secs: 3600,
        }
    }
}

impl ServerConfig {
    /// A configuration for tests and demos: a free loopback port and `data_dir`.
    pub fn for_tests(data_dir: impl Into<PathBuf>) -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            ..ServerConfig::default()
        }
    }

    /// Defaults, then the file at `path` (if any), then the environment.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path)?;
                toml::from_str(&text).map_err(|e| Error::Config(e.to_string()))?
            }
            None => ServerConfig::default(),
        };
        config.apply_env(|key| std::env::var(key).ok())?;
        config.check()?;
        Ok(config)
    }

    /// Overrides settings from `FIELDSALES_SERVER_*` variables, read through `var`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(v) = var("FIELDSALES_SERVER_ADDR") {
            self.addr = parse("FIELDSALES_SERVER_ADDR", &v)?;
        }
        if let Some(v) = var("FIELDSALES_SERVER_DATA") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = var("FIELDSALES_SERVER_SESSION_TTL_SECS") {
            self.session_ttl_secs = parse("FIELDSALES_SERVER_SESSION_TTL_SECS", &v)?;
        }
        let limits: [(&str, &mut usize); 6] = [
            (
                "FIELDSALES_SERVER_MAX_REQUEST_BYTES",
                &mut self.limits.max_request_bytes,
            ),
            (
                "FIELDSALES_SERVER_MAX_DECOMPRESSED_BYTES",
                &mut self.limits.max_decompressed_bytes,
            ),
            (
                "FIELDSALES_SERVER_MAX_DOCS_PER_REQUEST",
                &mut self.limits.max_docs_per_request,
            ),
            (
                "FIELDSALES_SERVER_MAX_CHANGES_PER_REQUEST",
                &mut self.limits.max_changes_per_request,
            ),
            (
                "FIELDSALES_SERVER_MAX_CHANGE_BYTES",
                &mut self.limits.max_change_bytes,
            ),
            (
                "FIELDSALES_SERVER_MAX_ANSWER_BYTES",
                &mut self.limits.max_answer_bytes,
            ),
        ];
        for (key, slot) in limits {
            if let Some(v) = var(key) {
                *slot = parse(key, &v)?;
            }
        }
        if let Some(v) = var("FIELDSALES_SERVER_KEEP_CHANGES") {
            self.compaction.keep_changes = Some(parse("FIELDSALES_SERVER_KEEP_CHANGES", &v)?);
        }
        self.login.apply_env(&var)?;
        self.http.apply_env(&var)?;
        self.media.apply_env(&var)?;
        self.console.apply_env(&var)?;
        if let Some(tls) = TlsSettings::from_env(&var)? {
            self.tls = Some(tls);
        }
        Ok(())
    }

    /// Refuses limits looser than the protocol's or too small to carry anything.
    pub fn check(&self) -> Result<()> {
        let l = &self.limits;
        let within = |value: usize, max: usize| (1..=max).contains(&value);
        if !within(l.max_request_bytes, proto::MAX_REQUEST_BYTES)
            || !within(l.max_decompressed_bytes, proto::MAX_DECOMPRESSED_BYTES)
            || !within(l.max_docs_per_request, proto::MAX_DOCS_PER_REQUEST)
            || !within(l.max_changes_per_request, proto::MAX_CHANGES_PER_REQUEST)
            || !within(l.max_change_bytes, proto::MAX_CHANGE_BYTES)
            || l.max_answer_bytes < 1024
        {
            return Err(Error::Config(
                "limits must be positive and no looser than the protocol's".into(),
            ));
        }
        if self.compaction.interval_secs == 0 {
            return Err(Error::Config("compaction.interval_secs must be > 0".into()));
        }
        self.login.check()?;
        self.http.check()?;
        self.media.check()?;
        self.console.check()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_overrides_defaults_and_the_environment_overrides_the_file() {
        let mut config: ServerConfig = toml::from_str(
            r#"
            addr = "0.0.0.0:9000"
            data_dir = "/var/lib/fieldsales"
            [limits]
            max_answer_bytes = 65536
            "#,
        )
        .unwrap();
        assert_eq!(config.addr.port(), 9000);
        assert_eq!(config.limits.max_answer_bytes, 65536);
        assert_eq!(
            config.limits.max_docs_per_request,
            proto::MAX_DOCS_PER_REQUEST
        );
        config
            .apply_env(|key| match key {
                "FIELDSALES_SERVER_ADDR" => Some("127.0.0.1:7000".into()),
                "FIELDSALES_SERVER_MAX_DOCS_PER_REQUEST" => Some("50".into()),
                _ => None,
            })
            .unwrap();
        assert_eq!(config.addr.port(), 7000);
        assert_eq!(config.limits.max_docs_per_request, 50);
        assert_eq!(config.data_dir, PathBuf::from("/var/lib/fieldsales"));
        config.check().unwrap();
    }

    #[test]
    fn limits_looser_than_the_protocol_are_refused() {
        let mut config = ServerConfig::default();
        config.limits.max_request_bytes = proto::MAX_REQUEST_BYTES + 1;
        assert!(config.check().is_err());
    }

    #[test]
    fn a_bad_environment_value_is_an_error_not_a_default() {
        let mut config = ServerConfig::default();
        let result = config.apply_env(|key| {
            (key == "FIELDSALES_SERVER_ADDR").then(|| "not an address".to_string())
        });
        assert!(result.is_err());
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<ServerConfig>("adress = \"x\"").is_err());
    }
}
