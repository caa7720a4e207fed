//! The messages of the sync protocol.
//!
//! Ids travel as strings (UUIDs in their hyphenated form) and document kinds as their schema
//! names (`customer`, `visit`, `quick_log`, `task`), so that an unknown kind from a newer client
//! reaches the server as a value it can refuse with a reason rather than as a decode failure.
//! Sequence numbers are the server's (`cursor`, per tenant) or the device's (`seq`, its outbox
//! position); the two never mix.

use serde::{Deserialize, Serialize};

use crate::Role;

/// One sync round trip, device → server (`POST /v1/sync`, framed by [`crate::encode`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    /// The device sending, as registered at login; its Automerge actor id is the same 16 bytes.
    pub device_id: String,
    /// The last server sequence this device has fully applied; 0 for a new device.
    pub cursor: u64,
    /// The device's outbox, grouped by document. May be empty (a pull). Read with the
    /// protocol's counts checked as it is read (see `bounded`).
    #[serde(deserialize_with = "super::bounded::docs")]
    pub docs: Vec<DocChanges>,
    /// Sent back unchanged from the previous answer's `resume` while `more` was true.
    #[serde(default)]
    pub resume: Option<String>,
    /// The device asks for smaller answers than the server's limit (slow networks, tests).
    #[serde(default)]
    pub max_answer_bytes: Option<u64>,
}

/// Local changes to one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocChanges {
    pub doc_id: String,
    /// The record kind ([`crate::Kind::as_str`]).
    pub kind: String,
    pub changes: Vec<LocalChange>,
}

/// One Automerge change from the device's outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalChange {
    /// The change's position in the device's outbox; acknowledgements name it.
    pub seq: i64,
    /// The Automerge change in its binary encoding.
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

/// The server's answer to a [`SyncRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SyncResponse {
    /// The cursor to send next time: everything visible up to it is in this answer or was in
    /// earlier ones.
    pub cursor: u64,
    /// Outbox positions the server has durably stored (or already had): delete them.
    pub acked: Vec<i64>,
    /// Documents whose changes the server refused, with the reason; the device keeps the
    /// refused edits for the user to see and takes the server's version.
    pub rejected: Vec<Rejection>,
    /// Changes (or whole documents) the user may see, not echoing the device's own.
    pub docs: Vec<DocUpdate>,
    /// Documents erased for good (privacy law): delete them, their projections and media.
    #[serde(default)]
    pub purged: Vec<String>,
    /// The answer was cut at its size limit: sync again at once with `cursor` and `resume`.
    pub more: bool,
    /// Opaque continuation while `more` is true (snapshot paging); send it back as is.
    #[serde(default)]
    pub resume: Option<String>,
    /// The tenant's settings for its devices, as they stand now; `None` from a server that
    /// predates them (the device keeps what it had, or the defaults). A device that does not
    /// know the field ignores it.
    #[serde(default)]
    pub settings: Option<TenantSettings>,
}

/// What a tenant's administrator chose for every device of the tenant
/// (`fieldsales-server tenant settings`). Every field has a default, so a newer server may add
/// fields that an older device reads as absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettings {
    /// Burn the time and the check-in position into a corner of every photo attached to a
    /// visit (off by default).
    #[serde(default)]
    pub photo_watermark: bool,
    /// The tenant's local time as minutes east of UTC, for times written on photos. The
    /// default, +08:00, is China Standard Time (Asia/Shanghai, no daylight saving).
    #[serde(default = "TenantSettings::default_utc_offset")]
    pub utc_offset_minutes: i32,
}

impl TenantSettings {
    /// China Standard Time, +08:00.
    pub const DEFAULT_UTC_OFFSET_MINUTES: i32 = 8 * 60;
    /// The widest offset in use anywhere (UTC−12:00 to UTC+14:00), both ways.
    pub const MAX_UTC_OFFSET_MINUTES: i32 = 14 * 60;

    fn default_utc_offset() -> i32 {
        Self::DEFAULT_UTC_OFFSET_MINUTES
    }

    /// Reads an offset as people write it: `+08:00`, `-03:30`, `+8`, `0`, `Z`; `None` when it is
    /// none of those or outside ±14:00.
    pub fn parse_utc_offset(text: &str) -> Option<i32> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("z") || text == "0" {
            return Some(0);
        }
        let (sign, rest) = match text.as_bytes().first()? {
            b'+' => (1, &text[1..]),
            b'-' => (-1, &text[1..]),
            _ => return None,
        };
        let (hours, minutes) = match rest.split_once(':') {
            Some((h, m)) if m.len() == 2 => (h, m),
            Some(_) => return None,
            None => (rest, "0"),
        };
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if hours.is_empty() || hours.len() > 2 || !digits(hours) || !digits(minutes) {
            return None;
        }
        let hours: i32 = hours.parse().ok()?;
        let minutes: i32 = minutes.parse().ok()?;
        if minutes >= 60 {
            return None;
        }
        let total = sign * (hours * 60 + minutes);
        (total.abs() <= Self::MAX_UTC_OFFSET_MINUTES).then_some(total)
    }

    /// The offset as `+08:00`.
    pub fn utc_offset_text(&self) -> String {
        let sign = if self.utc_offset_minutes < 0 {
            '-'
        } else {
            '+'
        };
        let abs = self.utc_offset_minutes.unsigned_abs();
        format!("{sign}{:02}:{:02}", abs / 60, abs % 60)
    }
}

impl Default for TenantSettings {
    fn default() -> Self {
        TenantSettings {
            photo_watermark: false,
            utc_offset_minutes: Self::DEFAULT_UTC_OFFSET_MINUTES,
        }
    }
}

/// New state of one document, for the device to merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocUpdate {
    pub doc_id: String,
    pub kind: String,
    /// `true` when `data` holds one whole saved document (a new device, a document that just
    /// became visible, a cursor behind the compaction horizon) rather than changes.
    pub snapshot: bool,
    /// Automerge changes, or one saved document; both merge the same way and merging twice is
    /// harmless.
    pub data: Vec<serde_bytes::ByteBuf>,
}

/// Changes to one document that the server refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub doc_id: String,
    pub kind: String,
    /// The outbox positions refused; they are not acknowledged.
    pub seqs: Vec<i64>,
    pub reason: RejectReason,
    /// A sentence for support staff; never personal data. A `Forbidden` refusal by the write
    /// rules starts with the field at fault and a colon (`"team: a rep creates customers in
    /// their own team"`), so an app can point at the field.
    pub detail: String,
    /// The server's version of the document when the user may see it (the device replaces its
    /// own with it); `None` when the user may not see it or it does not exist there (the device
    /// drops its copy).
    #[serde(default, with = "serde_bytes")]
    pub server_doc: Option<Vec<u8>>,
}

/// Why a document's changes were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The user may not write this document (another rep's customer, another team's visit).
    Forbidden,
    /// A change was written by an actor other than this device's.
    WrongActor,
    /// A change is not a valid Automerge change, or depends on history the server lacks.
    InvalidChange,
    /// The document kind is not one this server knows.
    UnknownKind,
    /// The document exists on the server with another kind.
    KindMismatch,
    /// A change exceeds the server's per-change size limit.
    TooLarge,
    /// The document was erased on the server.
    Purged,
}

/// `POST /v1/login` (JSON). Its `Debug` leaves the password out, so a logged request never
/// carries it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub tenant: String,
    pub username: String,
    pub password: String,
    /// The device's id (its Automerge actor); registered to the user on first login.
    pub device_id: String,
    /// A label for the admin's device list ("Pixel 8", "iPhone 15").
    #[serde(default)]
    pub device_name: Option<String>,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("tenant", &self.tenant)
            .field("device_id", &self.device_id)
            .field("device_name", &self.device_name)
            .finish_non_exhaustive()
    }
}

/// Answer to a successful login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Opaque bearer token: `Authorization: Bearer <token>`.
    pub token: String,
    /// RFC 3339 expiry of the token.
    pub expires_at: String,
    pub user_id: String,
    pub team_id: Option<String>,
    pub role: Role,
}

/// An error answer (JSON): `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

/// Machine-readable error codes; the HTTP status is given beside each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not a sync body, not gzip, or not the expected message.
    MalformedBody,
    /// 400: a field holds a value outside its rules (a device id that is not a UUID, …).
    InvalidField,
    /// 400: a document kind the server does not know.
    UnknownKind,
    /// 400: too many documents or changes in one request.
    TooManyDocuments,
    /// 401: no token, an unknown or expired token, or wrong credentials.
    Unauthorized,
    /// 403: the device is registered to another user, or the user lacks the right.
    Forbidden,
    /// 404: no such endpoint or object.
    NotFound,
    /// 413: the body exceeds the size limit.
    PayloadTooLarge,
    /// 415 / 426: the body's protocol version is not one the server speaks.
    UnsupportedVersion,
    /// 429: too many requests; retry after the `Retry-After` header.
    RateLimited,
    /// 409: a media chunk does not start where the server's upload stands (`Upload-Offset`
    /// of the answer says where).
    OffsetMismatch,
    /// 415: a media upload whose bytes are not an image type the server stores.
    UnsupportedMediaType,
    /// 422: a completed media upload whose bytes do not hash to its name; nothing was kept.
    HashMismatch,
    /// 500 / 503: the server failed; retry later.
    Internal,
}

/// What the event stream (`GET /v1/events`, server-sent events) tells a connected device:
/// the tenant's log reached `seq`; sync now if your cursor is behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeqEvent {
    pub seq: u64,
}

/// Limits both sides agree on; the server's configuration may lower them.
pub mod limits {
    /// Largest request body accepted, compressed (bytes).
    pub const MAX_REQUEST_BYTES: usize = 8 << 20;
    /// Largest request body after decompression (bytes).
    pub const MAX_DECOMPRESSED_BYTES: usize = 32 << 20;
    /// Most documents in one request; a device with more sends several requests.
    pub const MAX_DOCS_PER_REQUEST: usize = 2_000;
    /// Most changes in one request.
    pub const MAX_CHANGES_PER_REQUEST: usize = 10_000;
    /// Largest single change (bytes); photos travel separately, never inside a change.
    pub const MAX_CHANGE_BYTES: usize = 1 << 20;
    /// Default size at which an answer is cut with `more: true` (uncompressed bytes).
    pub const DEFAULT_ANSWER_BYTES: usize = 4 << 20;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logged_login_request_never_shows_the_password() {
        let request = LoginRequest {
            tenant: "acme".into(),
            username: "li".into(),
            password: "s3cret-pass".into(),
            device_id: "0190c1a2-0000-7000-8000-000000000001".into(),
            device_name: None,
        };
        let shown = format!("{request:?}");
        assert!(!shown.contains("s3cret-pass"), "{shown}");
        assert!(shown.contains("acme"));
    }

    #[test]
    fn an_answer_without_settings_reads_as_none_and_settings_without_fields_as_defaults() {
        #[derive(Serialize)]
        struct OldAnswer {
            cursor: u64,
            acked: Vec<i64>,
            rejected: Vec<Rejection>,
            docs: Vec<DocUpdate>,
            more: bool,
        }
        let old = OldAnswer {
            cursor: 7,
            acked: vec![],
            rejected: vec![],
            docs: vec![],
            more: false,
        };
        let bytes = crate::encode(&old);
        let read: SyncResponse = crate::decode(&bytes, 1 << 20).unwrap();
        assert_eq!((read.cursor, read.settings), (7, None));

        #[derive(Serialize)]
        struct Empty {}
        let bytes = crate::encode(&Empty {});
        let read: TenantSettings = crate::decode(&bytes, 1 << 20).unwrap();
        assert_eq!(read, TenantSettings::default());
        assert!(
            !read.photo_watermark,
            "the watermark is off unless turned on"
        );
        assert_eq!(read.utc_offset_text(), "+08:00");
    }

    #[test]
    fn utc_offsets_are_read_as_people_write_them_and_nonsense_is_refused() {
        let parse = TenantSettings::parse_utc_offset;
        assert_eq!(parse("+08:00"), Some(480));
        assert_eq!(parse("-03:30"), Some(-210));
        assert_eq!(parse("+8"), Some(480));
        assert_eq!(parse("Z"), Some(0));
        for bad in [
            "",
            "8",
            "+8:0",
            "+25:00",
            "+08:60",
            "+123",
            "Asia/Shanghai",
            "+-1",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
