//! Conversions shared by every area: time stamps, record kinds, list limits.
//!
//! Times cross as UniFFI timestamps (`java.time.Instant` in Kotlin, `Date` in Swift,
//! `datetime` in Python). A foreign time outside chrono's range is refused as a validation
//! error naming the field, never a panic.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use fieldsales_core::Kind;

use crate::error::{FieldSalesError, Result};

/// The kinds of record the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum RecordKind {
    Customer,
    Visit,
    QuickLog,
    Task,
}

impl From<Kind> for RecordKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Customer => RecordKind::Customer,
            Kind::Visit => RecordKind::Visit,
            Kind::QuickLog => RecordKind::QuickLog,
            Kind::Task => RecordKind::Task,
        }
    }
}

impl From<RecordKind> for Kind {
    fn from(k: RecordKind) -> Self {
        match k {
            RecordKind::Customer => Kind::Customer,
            RecordKind::Visit => Kind::Visit,
            RecordKind::QuickLog => Kind::QuickLog,
            RecordKind::Task => Kind::Task,
        }
    }
}

/// A foreign time as the core's UTC time; `field` names it in the refusal.
pub(crate) fn time_in(t: SystemTime, field: &str) -> Result<DateTime<Utc>> {
    let (secs, nanos) = match t.duration_since(UNIX_EPOCH) {
        Ok(after) => (i64::try_from(after.as_secs()).ok(), after.subsec_nanos()),
        Err(before) => {
            let d = before.duration();
            let secs = i64::try_from(d.as_secs()).ok().map(|s| -s);
            match d.subsec_nanos() {
                0 => (secs, 0),
                n => (secs.and_then(|s| s.checked_sub(1)), 1_000_000_000 - n),
            }
        }
    };
    secs.and_then(|s| DateTime::from_timestamp(s, nanos))
        .ok_or_else(|| FieldSalesError::invalid(field, "time out of range"))
}

pub(crate) fn opt_time_in(t: Option<SystemTime>, field: &str) -> Result<Option<DateTime<Utc>>> {
    t.map(|t| time_in(t, field)).transpose()
}

/// The core's time for the foreign side. Core times come from clocks and checked input, so
/// they always fit; the fallback only avoids a panic path.
pub(crate) fn time_out(t: DateTime<Utc>) -> SystemTime {
    let millis = t.timestamp_millis();
    let magnitude = Duration::from_millis(millis.unsigned_abs());
    let moved = if millis >= 0 {
        UNIX_EPOCH.checked_add(magnitude)
    } else {
        UNIX_EPOCH.checked_sub(magnitude)
    };
    moved.unwrap_or(UNIX_EPOCH)
}

pub(crate) fn opt_time_out(t: Option<DateTime<Utc>>) -> Option<SystemTime> {
    t.map(time_out)
}

/// A page size or offset from Kotlin/Swift (signed there) as the core's unsigned count.
pub(crate) fn count_in(n: i32, field: &str) -> Result<u32> {
    u32::try_from(n).map_err(|_| FieldSalesError::invalid(field, "must not be negative"))
}

/// A count for the foreign side, where signed integers are the idiom.
pub(crate) fn count_out(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_to_the_millisecond_before_and_after_1970() {
        for millis in [0_i64, 1_700_000_000_123, -86_400_001] {
            let t = DateTime::from_timestamp_millis(millis).unwrap();
            assert_eq!(time_in(time_out(t), "at").unwrap(), t);
        }
    }

    #[test]
    fn a_time_beyond_chrono_is_a_validation_error_not_a_panic() {
        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 4);
        match time_in(far, "due") {
            Err(FieldSalesError::Validation { field, .. }) => assert_eq!(field, "due"),
            other => panic!("expected Validation, got {other:?}"),
        }
    }

    #[test]
    fn a_negative_limit_is_refused() {
        assert!(matches!(
            count_in(-1, "limit"),
            Err(FieldSalesError::Validation { .. })
        ));
        assert_eq!(count_in(20, "limit").unwrap(), 20);
    }
}
