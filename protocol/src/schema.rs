//! The record schema: document kinds and the key of every field, with its merge semantics.
//!
//! This is the one place that names fields. Server and client both read documents through these
//! names, so they cannot drift. Changing a key is a schema change: bump [`SCHEMA_VERSION`] and
//! keep reading the old key. Keys this version does not know are never touched, so a record
//! written by a newer app round-trips through an older one unharmed.
//!
//! Semantics legend used below: **scalar** = last-writer-wins, concurrent writes kept and shown
//! as a conflict; **set** = map of member → `true`; **text** = Automerge `Text` (UTF-16
//! indexes); **map** = child collection keyed by its own id.

use automerge::ObjType;

/// Version of the record layout written by this build.
pub const SCHEMA_VERSION: i64 = 1;

/// The kinds of record the store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Customer,
    Visit,
    QuickLog,
    Task,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Customer, Kind::Visit, Kind::QuickLog, Kind::Task];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Visit => "visit",
            Kind::QuickLog => "quick_log",
            Kind::Task => "task",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Nested objects created with every record of this kind (see the module doc of `record`
    /// for why they are never created later).
    pub fn nested_objects(self) -> &'static [(&'static str, ObjType)] {
        match self {
            Kind::Customer => &[
                (customer::PHONES, ObjType::Map),
                (customer::EMAILS, ObjType::Map),
                (customer::ADDRESS, ObjType::Map),
                (customer::TAGS, ObjType::Map),
                (customer::CUSTOM, ObjType::Map),
                (customer::CONTACTS, ObjType::Map),
                (customer::ANCHORS, ObjType::Map),
                (customer::ABSORBED, ObjType::Map),
                (customer::DOCUMENTS, ObjType::Map),
            ],
            Kind::Visit => &[
                (visit::CHECK_IN, ObjType::Map),
                (visit::CHECK_OUT, ObjType::Map),
                (visit::NOTES, ObjType::Text),
                (visit::PAIN_POINTS, ObjType::Map),
                (visit::PHOTOS, ObjType::Map),
            ],
            Kind::QuickLog => &[(quicklog::PAIN_POINTS, ObjType::Map)],
            Kind::Task => &[],
        }
    }
}

/// Keys every record carries.
pub mod common {
    /// scalar: the [`Kind`] name.
    pub const KIND: &str = "kind";
    /// scalar: [`SCHEMA_VERSION`] at creation.
    pub const SCHEMA: &str = "schema";
    /// scalar timestamps and user ids.
    pub const CREATED_AT: &str = "created_at";
    pub const CREATED_BY: &str = "created_by";
    pub const UPDATED_AT: &str = "updated_at";
    pub const UPDATED_BY: &str = "updated_by";
    /// scalar bool: the tombstone.
    pub const DELETED: &str = "deleted";
    /// map actor-hex → user id: who writes through which device.
    pub const EDITORS: &str = "editors";
}

/// Customer fields.
pub mod customer {
    /// scalar: the name reps use (北京小米).
    pub const NAME: &str = "name";
    /// scalar: the registered legal name (小米科技有限责任公司).
    pub const LEGAL_NAME: &str = "legal_name";
    /// scalar: unified social credit code, validated.
    pub const CREDIT_CODE: &str = "credit_code";
    /// map E.164 → label ("mobile", "office"...): a set with a label, so concurrent adds survive.
    pub const PHONES: &str = "phones";
    /// map lower-cased address → true.
    pub const EMAILS: &str = "emails";
    /// map with scalar `text`, `lat`, `lon`.
    pub const ADDRESS: &str = "address";
    pub const ADDRESS_TEXT: &str = "text";
    pub const ADDRESS_LAT: &str = "lat";
    pub const ADDRESS_LON: &str = "lon";
    /// scalar: pipeline stage key; absent = a lead not yet in the pipeline.
    pub const STAGE: &str = "stage";
    /// map stage key → map {`at`, `by`, `note`}: the anchor action that entered the stage.
    pub const ANCHORS: &str = "anchors";
    /// set of tags.
    pub const TAGS: &str = "tags";
    /// scalars: owner user id, team id, visibility (private / team / organisation).
    pub const OWNER: &str = "owner";
    pub const TEAM: &str = "team";
    pub const VISIBILITY: &str = "visibility";
    /// map name → scalar string: the company's own custom fields.
    pub const CUSTOM: &str = "custom";
    /// map contact id → map {name, title, phone, wechat, email} (each scalar).
    pub const CONTACTS: &str = "contacts";
    pub const CONTACT_NAME: &str = "name";
    pub const CONTACT_TITLE: &str = "title";
    pub const CONTACT_PHONE: &str = "phone";
    pub const CONTACT_WECHAT: &str = "wechat";
    pub const CONTACT_EMAIL: &str = "email";
    /// scalar: on a merged-away customer (also tombstoned), the id of the customer it was
    /// merged into.
    pub const MERGED_INTO: &str = "merged_into";
    /// map merged-away customer id → scalar: that document's heads (hex, comma-separated) when
    /// it was merged into this one; edits after those heads are carried over (see `dedup`).
    pub const ABSORBED: &str = "absorbed";
    /// map image hash → thumbnail hash (both SHA-256 hex of the stored bytes): the customer's
    /// documents (business licence, signed contract), like a visit's [`super::visit::PHOTOS`].
    pub const DOCUMENTS: &str = "documents";
}

/// Visit fields.
pub mod visit {
    /// scalars: customer id, rep user id, planned time.
    pub const CUSTOMER: &str = "customer";
    pub const REP: &str = "rep";
    pub const PLANNED_AT: &str = "planned_at";
    /// maps {at, lat, lon, accuracy_m, distance_m, verdict}.
    pub const CHECK_IN: &str = "check_in";
    pub const CHECK_OUT: &str = "check_out";
    pub const AT: &str = "at";
    pub const LAT: &str = "lat";
    pub const LON: &str = "lon";
    pub const ACCURACY_M: &str = "accuracy_m";
    pub const DISTANCE_M: &str = "distance_m";
    pub const VERDICT: &str = "verdict";
    /// text: collaborative notes.
    pub const NOTES: &str = "notes";
    /// set of pain points.
    pub const PAIN_POINTS: &str = "pain_points";
    /// scalars.
    pub const OUTCOME: &str = "outcome";
    pub const NEXT_ACTION: &str = "next_action";
    pub const NEXT_ACTION_DUE: &str = "next_action_due";
    pub const DECISION_MAKER_WECHAT: &str = "decision_maker_wechat";
    /// scalar: id of the follow-up task made from the next action.
    pub const TASK: &str = "task";
    /// map image hash → thumbnail hash (both SHA-256 hex of the stored bytes). Older records
    /// hold `true` instead of a thumbnail hash (a set of image hashes); readers accept both.
    /// Media travel separately (see `media`), never inside a change.
    pub const PHOTOS: &str = "photos";
}

/// Quick-log entry fields.
pub mod quicklog {
    /// scalars.
    pub const CHANNEL: &str = "channel";
    pub const AT: &str = "at";
    pub const DURATION_S: &str = "duration_s";
    pub const PHONE: &str = "phone";
    pub const CUSTOMER: &str = "customer";
    pub const REP: &str = "rep";
    /// set of pain points.
    pub const PAIN_POINTS: &str = "pain_points";
    pub const NEXT_ACTION: &str = "next_action";
    pub const DUE: &str = "due";
    pub const NOTE: &str = "note";
    /// scalar: id of the follow-up task made from the next action.
    pub const TASK: &str = "task";
}

/// Task fields.
pub mod task {
    /// scalars.
    pub const TITLE: &str = "title";
    pub const CUSTOMER: &str = "customer";
    /// scalar: the visit or quick-log whose next action created it.
    pub const SOURCE: &str = "source";
    pub const ASSIGNEE: &str = "assignee";
    pub const DUE_AT: &str = "due_at";
    pub const DONE: &str = "done";
    pub const DONE_AT: &str = "done_at";
}
