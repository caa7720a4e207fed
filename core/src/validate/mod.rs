//! Input validation for data that field reps type on a phone, often offline:
//! phone numbers, unified social credit codes, email addresses and visit
//! geofencing. Every parser returns a canonical value type or a small error
//! enum whose message is a short English reason.
//!
//! Must not: touch the network, storage or logging. Error messages never
//! contain the input, because most of it is personal data.

mod credit_code;
mod email;
mod geo;
mod phone;
mod width;

pub use credit_code::{check_character, parse_credit_code, CreditCode, CreditCodeError};
pub use email::{parse_email, Email, EmailError};
pub use geo::{geofence, GeoError, GeoPoint, GeofenceVerdict, DEFAULT_GEOFENCE_RADIUS_M};
pub use phone::{parse_phone, Phone, PhoneError, PhoneKind};
pub use width::fold_full_width;
