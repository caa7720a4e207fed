//! Conversions shared by every area: time stamps, list limits, and the core's remote types
//! this crate's own signatures use.
//!
//! Times cross as UniFFI timestamps (`java.time.Instant` in Kotlin, `Date` in Swift,
//! `datetime` in Python). The core's records carry them as its `Timestamp` custom type; the
//! times an app types in (call arguments, the fields of `NewQuickLog`, `NewTask`, `CheckOut`)
//! arrive here as `SystemTime` instead, so that one outside chrono's range is refused as a
//! validation error naming the field, never a panic.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use fieldsales_core::customer::{Address, ContactInput, CustomerPatch};
pub use fieldsales_core::ffi::RecordKind;
use fieldsales_core::ffi::{system_time, utc_time};
use fieldsales_core::protocol::{Role, Visibility};

use crate::error::{FieldSalesError, Result};

// The core's remote types (`fieldsales_core::ffi`: the protocol's enums and three inputs);
// these borrow its conversions for this crate's signatures (`StoreEvent.kind`, `NewCustomer`,
// `Customers.edit`, …).
uniffi::use_remote_type!(fieldsales_core::RecordKind);
uniffi::use_remote_type!(fieldsales_core::Visibility);
uniffi::use_remote_type!(fieldsales_core::Role);
uniffi::use_remote_type!(fieldsales_core::Address);
uniffi::use_remote_type!(fieldsales_core::ContactInput);
uniffi::use_remote_type!(fieldsales_core::CustomerPatch);

/// A foreign time as the core's UTC time; `field` names it in the refusal.
pub(crate) fn time_in(t: SystemTime, field: &str) -> Result<DateTime<Utc>> {
    utc_time(t).ok_or_else(|| FieldSalesError::invalid(field, "time out of range"))
}

pub(crate) fn opt_time_in(t: Option<SystemTime>, field: &str) -> Result<Option<DateTime<Utc>>> {
    t.map(|t| time_in(t, field)).transpose()
}

/// The core's time for the foreign side.
pub(crate) fn time_out(t: DateTime<Utc>) -> SystemTime {
    system_time(t)
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
    use std::time::{Duration, UNIX_EPOCH};

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
