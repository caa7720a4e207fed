//! The UniFFI vocabulary of the core's values, compiled only with the `uniffi` feature.
//!
//! The core's value types (`Customer`, `Visit`, `SyncReport`, …) carry
//! `#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]` beside their definitions, so the
//! bindings crate (`fieldsales-ffi`) hands them to Kotlin, Swift and Python as they are: a field
//! added here reaches the apps without a copy to keep in step. This module holds what those
//! derives need and cannot say on a type of their own:
//! - custom types for values whose Rust type UniFFI does not know: [`Timestamp`]
//!   (`DateTime<Utc>`, crossing as a UniFFI timestamp: `java.time.Instant`, `Date`,
//!   `datetime`) and [`CustomFields`] (a `BTreeMap`, crossing as a map);
//! - the protocol's enums ([`RecordKind`], `Visibility`, `Role`, `RejectReason`), declared as
//!   UniFFI remote types: the declarations below mirror `fieldsales-protocol`, and the
//!   generated conversions match on every variant, so a variant added there fails this build
//!   until it is added here. The protocol crate stays free of UniFFI (the server uses it);
//! - the three inputs whose every field the apps may leave out (`Address`, `ContactInput`,
//!   `CustomerPatch`), declared here as remote records too, because each field needs its own
//!   `#[uniffi(default)]` line and `customer.rs` is at the workspace's 700-line cap. The
//!   generated conversions build the real struct with a struct literal and read every declared
//!   field, so a field added to, removed from or retyped in `customer.rs` fails this build
//!   until the declaration here follows.
//!
//! The bindings crate takes these with `uniffi::use_remote_type!` where its own signatures
//! need them. Foreign packages: the types of this crate are the `fieldsales_core` component
//! (Kotlin package `app.fieldsales.core`, Python module `fieldsales_core`; Swift compiles it
//! into the same module as the bindings), see `core/uniffi.toml`.
//!
//! It must not hold logic or foreign-only shapes: a value that apps need in another shape than
//! the core's is the bindings crate's business (with a test that no field is lost).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

use crate::customer::{Address, ContactInput, CustomerPatch};
use crate::protocol::{RejectReason, Role, Visibility};
use crate::Kind;

/// A point in time, UTC. Crosses to the apps to the millisecond (what the store keeps).
pub type Timestamp = DateTime<Utc>;

/// Free-form fields a company adds to its customers, by name.
pub type CustomFields = BTreeMap<String, String>;

/// The kind of a record; named `RecordKind` for the apps, where `Kind` says too little.
pub type RecordKind = Kind;

/// The core's time for the foreign side, to the millisecond. Core times come from clocks and
/// checked input, so they fit a `SystemTime`; the fallback only avoids a panic path.
pub fn system_time(t: DateTime<Utc>) -> SystemTime {
    let millis = t.timestamp_millis();
    let magnitude = Duration::from_millis(millis.unsigned_abs());
    let moved = if millis >= 0 {
        UNIX_EPOCH.checked_add(magnitude)
    } else {
        UNIX_EPOCH.checked_sub(magnitude)
    };
    moved.unwrap_or(UNIX_EPOCH)
}

/// A foreign time as the core's UTC time; `None` when chrono cannot represent it (a foreign
/// `Instant.MAX`, say).
pub fn utc_time(t: SystemTime) -> Option<DateTime<Utc>> {
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
}

/// Why a foreign time was refused.
#[derive(Debug, thiserror::Error)]
#[error("time out of range")]
pub struct TimeOutOfRange;

uniffi::custom_type!(Timestamp, SystemTime, {
    remote,
    lower: |t| system_time(t),
    try_lift: |t| utc_time(t).ok_or_else(|| TimeOutOfRange.into()),
});

uniffi::custom_type!(CustomFields, HashMap<String, String>, {
    remote,
    lower: |fields| fields.into_iter().collect(),
    try_lift: |fields| Ok(fields.into_iter().collect()),
});

/// The kinds of record the store keeps.
#[uniffi::remote(Enum)]
pub enum RecordKind {
    Customer,
    Visit,
    QuickLog,
    Task,
}

/// Who besides the owner sees a customer.
#[uniffi::remote(Enum)]
pub enum Visibility {
    /// Only the owner.
    Private,
    /// The owner's team and its managers (the default).
    Team,
    /// Everyone in the company.
    Organisation,
}

/// What the user may do on the server.
#[uniffi::remote(Enum)]
pub enum Role {
    /// Own records and the team's shared customers.
    Rep,
    /// Every record of the team.
    Manager,
    /// Everything in the company.
    Admin,
}

/// Why the server refused local edits.
#[uniffi::remote(Enum)]
pub enum RejectReason {
    /// The user may not write this record (another rep's customer, another team's visit).
    Forbidden,
    /// A change was written by another device than this one.
    WrongActor,
    /// A change was unreadable or depended on history the server lacks.
    InvalidChange,
    /// The server does not know this kind of record.
    UnknownKind,
    /// The record exists on the server as another kind.
    KindMismatch,
    /// A change was larger than the server accepts.
    TooLarge,
    /// The record was erased on the server.
    Purged,
}

/// A street address with optional WGS-84 coordinates.
#[uniffi::remote(Record)]
pub struct Address {
    #[uniffi(default)]
    pub text: Option<String>,
    #[uniffi(default)]
    pub lat: Option<f64>,
    #[uniffi(default)]
    pub lon: Option<f64>,
}

/// A new or edited contact. `null` leaves a field as it is; `""` clears it.
#[uniffi::remote(Record)]
pub struct ContactInput {
    #[uniffi(default)]
    pub name: Option<String>,
    #[uniffi(default)]
    pub title: Option<String>,
    #[uniffi(default)]
    pub phone: Option<String>,
    #[uniffi(default)]
    pub wechat: Option<String>,
    #[uniffi(default)]
    pub email: Option<String>,
}

/// An edit: only what is set changes, so a colleague's concurrent edit of another field
/// survives the merge. For optional text fields `""` clears the field.
#[uniffi::remote(Record)]
pub struct CustomerPatch {
    #[uniffi(default)]
    pub name: Option<String>,
    #[uniffi(default)]
    pub legal_name: Option<String>,
    #[uniffi(default)]
    pub credit_code: Option<String>,
    #[uniffi(default)]
    pub add_phones: Vec<String>,
    #[uniffi(default)]
    pub remove_phones: Vec<String>,
    #[uniffi(default)]
    pub add_emails: Vec<String>,
    #[uniffi(default)]
    pub remove_emails: Vec<String>,
    #[uniffi(default)]
    pub address: Option<Address>,
    #[uniffi(default)]
    pub add_tags: Vec<String>,
    #[uniffi(default)]
    pub remove_tags: Vec<String>,
    #[uniffi(default)]
    pub owner: Option<String>,
    #[uniffi(default)]
    pub team: Option<String>,
    #[uniffi(default)]
    pub visibility: Option<Visibility>,
    /// Custom field values; an empty value removes the field.
    #[uniffi(default)]
    pub custom: CustomFields,
}

#[cfg(test)]
mod tests {
    use super::*;
    use uniffi::{Lift, Lower};

    type Tag = crate::UniFfiTag;

    #[test]
    fn times_cross_to_the_millisecond_before_and_after_1970() {
        for millis in [0_i64, 1_700_000_000_123, -86_400_001] {
            let t = DateTime::from_timestamp_millis(millis).unwrap();
            let lowered = <Timestamp as Lower<Tag>>::lower(t);
            assert_eq!(<Timestamp as Lift<Tag>>::try_lift(lowered).unwrap(), t);
        }
    }

    #[test]
    fn a_foreign_time_beyond_chrono_is_refused_not_a_panic() {
        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 4);
        assert!(utc_time(far).is_none());
        let lowered = <SystemTime as Lower<Tag>>::lower(far);
        assert!(<Timestamp as Lift<Tag>>::try_lift(lowered).is_err());
    }

    #[test]
    fn custom_fields_cross_as_a_map_with_every_entry() {
        let fields: CustomFields = [("industry", "retail"), ("size", "")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lowered = <CustomFields as Lower<Tag>>::lower(fields.clone());
        assert_eq!(
            <CustomFields as Lift<Tag>>::try_lift(lowered).unwrap(),
            fields
        );
    }
}
