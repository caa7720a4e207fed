//! The per-user limit on media reads (`HEAD` and `GET /v1/media/{hash}`): each user may make
//! `media.max_reads_per_user_per_minute` of them in a minute; past it every read is refused
//! with 429 and `Retry-After` until the minute's lock ends.
//!
//! Reads are cheap one by one, but each one checks who may see the blob (a few documents read)
//! and a `GET` streams up to 16 MiB, so one session looping over hashes could keep a core and
//! the link busy. A phone's sync reads at most a few hundred thumbnails at once, far below the
//! limit. Counted per user (not per device), since a stolen token is one user's, and keyed by
//! a hash of tenant and user id in the login throttle's bounded table (the same counting, a
//! window and a lock, applied to every request instead of to failures), so a flood of users
//! costs bounded memory. Uploads are limited by their own slots per device.

use std::time::{Duration, Instant};

use super::throttle::{account_key, AccountKey, FailureTable};

/// The counting window, and how long a user over the limit waits.
const MINUTE: Duration = Duration::from_secs(60);
/// Users tracked at once; beyond, the entries that expire soonest are forgotten.
const TRACKED_USERS: usize = 100_000;

/// Media reads per user, per minute.
pub struct MediaReadRate {
    table: FailureTable<AccountKey>,
}

impl MediaReadRate {
    pub fn new(per_minute: u32) -> Self {
        MediaReadRate {
            table: FailureTable::new(per_minute.max(1), MINUTE, MINUTE, TRACKED_USERS),
        }
    }

    /// Counts one read by `user_id` of `tenant_id`; `Err` with the wait when the user is over
    /// the limit (the read that reaches it is still served).
    pub fn take(&self, tenant_id: &str, user_id: &str) -> Result<(), Duration> {
        let key = account_key(tenant_id, user_id);
        let now = Instant::now();
        if let Some(wait) = self.table.locked(&key, now) {
            return Err(wait);
        }
        self.table.fail(key, now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_past_the_limit_waits_and_another_user_does_not() {
        let rate = MediaReadRate::new(3);
        for _ in 0..3 {
            rate.take("t1", "u1").unwrap();
        }
        let wait = rate.take("t1", "u1").unwrap_err();
        assert!(wait > Duration::from_secs(50) && wait <= MINUTE, "{wait:?}");
        rate.take("t1", "u2").unwrap();
        rate.take("t2", "u1").unwrap();
    }
}
