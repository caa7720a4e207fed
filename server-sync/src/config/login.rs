//! The `[login]` section: what login lets through (see `http::throttle` and
//! `http::password_pool`, which enforce it).

use serde::Deserialize;

use super::parse;
use crate::error::{Error, Result};

/// What login lets through: how many password checks run at once, how many wait, when an
/// account or an address is locked out, and how many sessions and devices one user may hold.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Login {
    /// Password checks (argon2id, 19 MiB each) running at once; 0 means one per CPU.
    pub max_concurrent_hashes: usize,
    /// Logins waiting for a password check; beyond, `503` with `Retry-After`.
    pub max_waiting: usize,
    /// Of the waiting and running checks, how many one source address may hold, so that one
    /// client's flood leaves room for everyone else.
    pub max_waiting_per_address: usize,
    /// Wrong passwords for one account (tenant and username) before it is locked out.
    pub account_max_failures: u32,
    /// Wrong passwords from one source address (an IPv6 /64) before it is locked out.
    pub address_max_failures: u32,
    /// Failures older than this are forgotten (seconds).
    pub failure_window_secs: u64,
    /// How long a lockout lasts (seconds); every attempt meanwhile is `429` with `Retry-After`.
    pub lockout_secs: u64,
    /// Accounts and addresses remembered at most (each table), so that a flood of distinct
    /// names or addresses cannot grow memory without bound.
    pub max_tracked: usize,
    /// Take the client's address from the last `X-Forwarded-For` entry: only behind a proxy
    /// that sets it, or every client could choose its own address.
    pub trust_forwarded_for: bool,
    /// Live sessions per user; a new login beyond ends the oldest.
    pub max_sessions_per_user: usize,
    /// Devices registered per user; a new device beyond is refused until an admin allows it.
    pub max_devices_per_user: usize,
}

impl Default for Login {
    fn default() -> Self {
        Login {
            max_concurrent_hashes: 0,
            max_waiting: 32,
            max_waiting_per_address: 4,
            account_max_failures: 5,
            address_max_failures: 50,
            failure_window_secs: 300,
            lockout_secs: 300,
            max_tracked: 65_536,
            trust_forwarded_for: false,
            max_sessions_per_user: 10,
            max_devices_per_user: 5,
        }
    }
}

impl Login {
    /// The password checks that run at once: the setting, or one per CPU.
    pub fn hash_workers(&self) -> usize {
        match self.max_concurrent_hashes {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        }
    }

    pub(super) fn apply_env(&mut self, var: &impl Fn(&str) -> Option<String>) -> Result<()> {
        let counts: [(&str, &mut usize); 6] = [
            (
                "FIELDSALES_SERVER_LOGIN_MAX_CONCURRENT_HASHES",
                &mut self.max_concurrent_hashes,
            ),
            ("FIELDSALES_SERVER_LOGIN_MAX_WAITING", &mut self.max_waiting),
            (
                "FIELDSALES_SERVER_LOGIN_MAX_WAITING_PER_ADDRESS",
                &mut self.max_waiting_per_address,
            ),
            ("FIELDSALES_SERVER_LOGIN_MAX_TRACKED", &mut self.max_tracked),
            (
                "FIELDSALES_SERVER_LOGIN_MAX_SESSIONS_PER_USER",
                &mut self.max_sessions_per_user,
            ),
            (
                "FIELDSALES_SERVER_LOGIN_MAX_DEVICES_PER_USER",
                &mut self.max_devices_per_user,
            ),
        ];
        for (key, slot) in counts {
            if let Some(v) = var(key) {
                *slot = parse(key, &v)?;
            }
        }
        let failures: [(&str, &mut u32); 2] = [
            (
                "FIELDSALES_SERVER_LOGIN_ACCOUNT_MAX_FAILURES",
                &mut self.account_max_failures,
            ),
            (
                "FIELDSALES_SERVER_LOGIN_ADDRESS_MAX_FAILURES",
                &mut self.address_max_failures,
            ),
        ];
        for (key, slot) in failures {
            if let Some(v) = var(key) {
                *slot = parse(key, &v)?;
            }
        }
        let spans: [(&str, &mut u64); 2] = [
            (
                "FIELDSALES_SERVER_LOGIN_FAILURE_WINDOW_SECS",
                &mut self.failure_window_secs,
            ),
            (
                "FIELDSALES_SERVER_LOGIN_LOCKOUT_SECS",
                &mut self.lockout_secs,
            ),
        ];
        for (key, slot) in spans {
            if let Some(v) = var(key) {
                *slot = parse(key, &v)?;
            }
        }
        if let Some(v) = var("FIELDSALES_SERVER_LOGIN_TRUST_FORWARDED_FOR") {
            self.trust_forwarded_for = parse("FIELDSALES_SERVER_LOGIN_TRUST_FORWARDED_FOR", &v)?;
        }
        Ok(())
    }

    pub(super) fn check(&self) -> Result<()> {
        let refuse = |what: &str| Err(Error::Config(format!("login.{what}")));
        if self.max_waiting == 0 {
            return refuse("max_waiting must be > 0");
        }
        if !(1..=self.max_waiting).contains(&self.max_waiting_per_address) {
            return refuse("max_waiting_per_address must be between 1 and max_waiting");
        }
        if self.account_max_failures == 0 || self.address_max_failures == 0 {
            return refuse("account_max_failures and address_max_failures must be > 0");
        }
        if self.failure_window_secs == 0 || self.lockout_secs == 0 {
            return refuse("failure_window_secs and lockout_secs must be > 0");
        }
        if self.max_tracked == 0 {
            return refuse("max_tracked must be > 0");
        }
        if self.max_sessions_per_user == 0 || self.max_devices_per_user == 0 {
            return refuse("max_sessions_per_user and max_devices_per_user must be > 0");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::ServerConfig;
    use super::*;

    #[test]
    fn the_login_section_reads_from_the_file_and_the_environment_and_is_checked() {
        let mut config: ServerConfig = toml::from_str(
            r#"
            [login]
            account_max_failures = 3
            lockout_secs = 60
            "#,
        )
        .unwrap();
        assert_eq!(config.login.account_max_failures, 3);
        assert_eq!(config.login.lockout_secs, 60);
        assert_eq!(config.login.max_sessions_per_user, 10);
        config
            .apply_env(|key| {
                (key == "FIELDSALES_SERVER_LOGIN_MAX_DEVICES_PER_USER").then(|| "2".to_string())
            })
            .unwrap();
        assert_eq!(config.login.max_devices_per_user, 2);
        config.check().unwrap();
        assert!(config.login.hash_workers() >= 1);
        config.login.max_waiting_per_address = config.login.max_waiting + 1;
        assert!(config.check().is_err());
        config.login = Login {
            lockout_secs: 0,
            ..Login::default()
        };
        assert!(config.check().is_err());
    }
}
