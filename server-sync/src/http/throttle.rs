//! Login throttling: wrong passwords counted per account and per source address, and a
//! temporary lockout once either count reaches its limit.
//!
//! A key (an account or an address) collects failures within a window; the failure that
//! reaches the limit locks the key for the lockout time, and every attempt meanwhile is
//! refused before any password is checked — a right password too, or the lockout would not
//! stop a guesser. When the lockout ends the key starts clean. A successful login forgets its
//! account's failures (a user who mistyped twice is not one step nearer a lockout tomorrow).
//!
//! Accounts are keyed by a SHA-256 of tenant and username, so the table holds no names, and
//! unknown accounts are counted like real ones (a lockout must not tell which usernames
//! exist). Addresses are keyed by IPv4 address or IPv6 /64, the block one subscriber gets.
//!
//! Each table holds at most `max_tracked` keys: when full, the keys whose failures already
//! expired go first, then those that would be forgotten soonest. A flood of distinct names or
//! addresses therefore costs bounded memory; it can push out old entries, but a flood from
//! one address locks that address out first.
//!
//! Why not `governor`: it limits the rate of all requests (GCRA), where a lockout needs a count
//! of failures only, a reset on success, and a fixed-length lock — and its keyed store grows
//! with every key until it is swept. This module must not check passwords or talk to storage.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::config::Login;

/// An account's key: no name is kept, only its hash.
pub type AccountKey = [u8; 32];

/// The account key of `tenant` and `username`, as login looks them up (trimmed).
pub fn account_key(tenant: &str, username: &str) -> AccountKey {
    let mut hasher = Sha256::new();
    hasher.update(tenant.trim().as_bytes());
    hasher.update([0]);
    hasher.update(username.trim().as_bytes());
    hasher.finalize().into()
}

/// The address key: an IPv4 address, or the /64 an IPv6 address belongs to.
pub fn address_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
    }
}

/// Which limit refused an attempt (a metric label and a log field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Account,
    Address,
}

impl Scope {
    pub fn label(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Address => "address",
        }
    }
}

/// A refused attempt: which key is locked and for how much longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked {
    pub scope: Scope,
    pub retry_after: Duration,
}

/// The two tables login consults.
pub struct Throttle {
    accounts: FailureTable<AccountKey>,
    addresses: FailureTable<IpAddr>,
}

impl Throttle {
    pub fn new(config: &Login) -> Self {
        let window = Duration::from_secs(config.failure_window_secs);
        let lockout = Duration::from_secs(config.lockout_secs);
        Throttle {
            accounts: FailureTable::new(
                config.account_max_failures,
                window,
                lockout,
                config.max_tracked,
            ),
            addresses: FailureTable::new(
                config.address_max_failures,
                window,
                lockout,
                config.max_tracked,
            ),
        }
    }

    /// Refuses an attempt on a locked account or from a locked address.
    pub fn check(&self, account: &AccountKey, address: Option<IpAddr>) -> Result<(), Locked> {
        let now = Instant::now();
        if let Some(retry_after) = self.accounts.locked(account, now) {
            return Err(Locked {
                scope: Scope::Account,
                retry_after,
            });
        }
        if let Some(retry_after) = address.and_then(|a| self.addresses.locked(&a, now)) {
            return Err(Locked {
                scope: Scope::Address,
                retry_after,
            });
        }
        Ok(())
    }

    /// Counts a wrong password; returns the scopes this failure locked.
    pub fn failed(&self, account: &AccountKey, address: Option<IpAddr>) -> Vec<Scope> {
        let now = Instant::now();
        let mut locked = Vec::new();
        if self.accounts.fail(*account, now) {
            locked.push(Scope::Account);
        }
        if address.is_some_and(|a| self.addresses.fail(a, now)) {
            locked.push(Scope::Address);
        }
        locked
    }

    /// Forgets the account's failures after a right password.
    pub fn succeeded(&self, account: &AccountKey) {
        self.accounts.forget(account);
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    /// When the first failure counted now was made.
    since: Instant,
    locked_until: Option<Instant>,
}

impl Entry {
    /// When this entry no longer matters and may be dropped.
    fn expires(&self, window: Duration) -> Instant {
        self.locked_until.unwrap_or(self.since + window)
    }
}

/// Failures per key with a window, a lockout, and a bounded size. Also counts plain requests
/// for the per-user media read limit (`super::media_rate`), where every request is an event.
pub(crate) struct FailureTable<K> {
    entries: Mutex<HashMap<K, Entry>>,
    max_failures: u32,
    window: Duration,
    lockout: Duration,
    capacity: usize,
}

impl<K: Hash + Eq + Copy> FailureTable<K> {
    pub(crate) fn new(
        max_failures: u32,
        window: Duration,
        lockout: Duration,
        capacity: usize,
    ) -> Self {
        FailureTable {
            entries: Mutex::new(HashMap::new()),
            max_failures,
            window,
            lockout,
            capacity: capacity.max(1),
        }
    }

    /// How long `key` stays locked, if it is.
    pub(crate) fn locked(&self, key: &K, now: Instant) -> Option<Duration> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let until = entries.get(key)?.locked_until?;
        (until > now).then(|| until - now)
    }

    /// Counts one failure of `key`; true when this failure locks it.
    pub(crate) fn fail(&self, key: K, now: Instant) -> bool {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if !entries.contains_key(&key) && entries.len() >= self.capacity {
            self.make_room(&mut entries, now);
        }
        let fresh = Entry {
            failures: 0,
            since: now,
            locked_until: None,
        };
        let entry = entries.entry(key).or_insert(fresh);
        if entry.expires(self.window) <= now {
            *entry = fresh;
        }
        if entry.locked_until.is_some() {
            // Attempts during a lockout are refused before they get here; one that raced the
            // lock does not lengthen it.
            return false;
        }
        entry.failures += 1;
        if entry.failures >= self.max_failures {
            entry.locked_until = Some(now + self.lockout);
            return true;
        }
        false
    }

    fn forget(&self, key: &K) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }

    /// Drops expired entries; if none expired, the one that would be forgotten soonest.
    fn make_room(&self, entries: &mut HashMap<K, Entry>, now: Instant) {
        entries.retain(|_, e| e.expires(self.window) > now);
        if entries.len() < self.capacity {
            return;
        }
        let soonest = entries
            .iter()
            .min_by_key(|(_, e)| e.expires(self.window))
            .map(|(k, _)| *k);
        if let Some(key) = soonest {
            entries.remove(&key);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(60);
    const LOCKOUT: Duration = Duration::from_secs(30);

    #[test]
    fn the_failure_that_reaches_the_limit_locks_until_the_lockout_ends() {
        let table = FailureTable::new(3, WINDOW, LOCKOUT, 10);
        let t0 = Instant::now();
        assert!(!table.fail(1u8, t0));
        assert!(!table.fail(1, t0));
        assert_eq!(table.locked(&1, t0), None);
        assert!(table.fail(1, t0));
        assert_eq!(table.locked(&1, t0), Some(LOCKOUT));
        assert_eq!(table.locked(&2, t0), None, "other keys are not locked");
        let after = t0 + LOCKOUT;
        assert_eq!(table.locked(&1, after), None);
        assert!(!table.fail(1, after), "a lockout that ended starts clean");
    }

    #[test]
    fn failures_older_than_the_window_are_forgotten() {
        let table = FailureTable::new(2, WINDOW, LOCKOUT, 10);
        let t0 = Instant::now();
        assert!(!table.fail(1u8, t0));
        assert!(!table.fail(1, t0 + WINDOW));
        assert!(table.fail(1, t0 + WINDOW));
    }

    #[test]
    fn a_success_forgets_the_accounts_failures() {
        let table = FailureTable::new(2, WINDOW, LOCKOUT, 10);
        let t0 = Instant::now();
        assert!(!table.fail(1u8, t0));
        table.forget(&1);
        assert!(!table.fail(1, t0));
    }

    #[test]
    fn a_flood_of_distinct_keys_stays_within_the_capacity_and_locks_keep_priority() {
        let table = FailureTable::new(2, WINDOW, LOCKOUT * 100, 64);
        let t0 = Instant::now();
        table.fail(u32::MAX, t0);
        table.fail(u32::MAX, t0);
        for key in 0..10_000u32 {
            table.fail(key, t0 + Duration::from_millis(u64::from(key)));
        }
        assert_eq!(table.len(), 64);
        assert!(
            table.locked(&u32::MAX, t0).is_some(),
            "a long lockout outlives entries that expire sooner"
        );
    }

    #[test]
    fn account_keys_hold_no_name_and_ipv6_addresses_count_per_64() {
        let key = account_key(" acme ", "ann");
        assert_eq!(key, account_key("acme", "ann"));
        assert_ne!(key, account_key("acm", "eann"));
        assert!(!key.windows(3).any(|w| w == b"ann"));
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(address_key(mapped), "10.0.0.1".parse::<IpAddr>().unwrap());
    }
}
