//! Quick-log: what a rep records in a few seconds after a call, a WeChat chat or a meeting.
//!
//! The app fills in the phone number, the time and the call length; the rep ticks pain points
//! and a next action. The phone number finds the customer (any phone of the customer or of one
//! of its contacts); an unknown number becomes a new lead, incomplete on purpose, so the log is
//! never blocked and the lead shows up in data health for someone to complete. The next action
//! becomes a follow-up task in the same transaction.

use std::collections::HashMap;
use std::sync::Arc;

use automerge::{ScalarValue, ROOT};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::Config;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::record::parse_id;
use crate::record::schema::{common, customer as cf, quicklog as f, Kind};
use crate::record::{Init, RecordDoc};
use crate::store::{Projection, Row, Rows, Writer};
use crate::validate::Phone;

/// A call or chat longer than a day is a mistyped duration.
const MAX_DURATION_S: i64 = 24 * 3600;

/// How the rep talked to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    #[default]
    Call,
    Visit,
    Wechat,
    Meeting,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Call => "call",
            Channel::Visit => "visit",
            Channel::Wechat => "wechat",
            Channel::Meeting => "meeting",
            Channel::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Result<Channel> {
        match s.trim().to_ascii_lowercase().as_str() {
            "call" | "phone" => Ok(Channel::Call),
            "visit" => Ok(Channel::Visit),
            "wechat" | "weixin" => Ok(Channel::Wechat),
            "meeting" => Ok(Channel::Meeting),
            "email" | "e-mail" => Ok(Channel::Email),
            _ => Err(Error::invalid(
                "channel",
                "must be call, visit, wechat, meeting or email",
            )),
        }
    }
}

/// What the app pre-fills and the rep ticks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NewQuickLog {
    pub channel: Channel,
    /// When the interaction started; defaults to now.
    pub at: Option<DateTime<Utc>>,
    pub duration_s: Option<i64>,
    /// The number called or calling, as the phone reports it.
    pub phone: Option<String>,
    /// The customer, when the app already knows it (WeChat, meeting).
    pub customer_id: Option<String>,
    pub pain_points: Vec<String>,
    pub next_action: Option<String>,
    /// Due time of the next action; defaults to the company's follow-up delay.
    pub due: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// A stored quick-log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "uniffi",
    derive(uniffi::Record),
    uniffi(name = "QuickLogEntry")
)]
pub struct QuickLog {
    pub id: String,
    pub channel: Channel,
    pub at: DateTime<Utc>,
    pub duration_s: Option<i64>,
    pub phone: Option<String>,
    pub customer_id: String,
    pub rep: String,
    pub pain_points: Vec<String>,
    pub next_action: Option<String>,
    pub due: Option<DateTime<Utc>>,
    pub note: Option<String>,
    /// The follow-up task made from the next action.
    pub task_id: Option<String>,
    pub deleted: bool,
}

/// What a quick-log did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Logged {
    pub entry: QuickLog,
    /// True when the phone number was unknown and a new lead was created for it.
    pub new_lead: bool,
}

/// The quick-log area of a [`crate::FieldSales`].
#[derive(Clone)]
pub struct QuickLogs {
    engine: Arc<Engine>,
}

impl QuickLogs {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        QuickLogs { engine }
    }

    /// Records an interaction. Refused only for malformed values (a phone that is not a phone,
    /// a negative duration, a due time before the interaction) or when neither a customer nor
    /// a phone number says who it was with.
    pub fn log(&self, input: NewQuickLog) -> Result<Logged> {
        let team = self.engine.identity().team_id.as_deref();
        self.engine
            .write(|w| log_in(w, self.engine.config(), team, &input))
    }

    /// Records many interactions in one transaction (imports from a call log): all or
    /// nothing; a refusal names the input by its position, `[3].phone`.
    pub fn log_many(&self, inputs: &[NewQuickLog]) -> Result<Vec<Logged>> {
        let team = self.engine.identity().team_id.as_deref();
        self.engine.write(|w| {
            inputs
                .iter()
                .enumerate()
                .map(|(i, input)| {
                    log_in(w, self.engine.config(), team, input).map_err(|e| e.at_index(i))
                })
                .collect()
        })
    }

    pub fn get(&self, id: &str) -> Result<QuickLog> {
        let doc = self
            .engine
            .load(Kind::QuickLog, parse_id(Kind::QuickLog, id)?)?;
        Ok(hydrate(&doc))
    }
}

fn log_in(
    w: &Writer<'_>,
    config: &Config,
    team: Option<&str>,
    input: &NewQuickLog,
) -> Result<Logged> {
    let checked = check(input, w.now())?;
    let (customer, new_lead) = find_customer(w, &checked, team)?;
    // The entry is written in one batch with its header (a put per field costs an insertion
    // into the document's columns each); its follow-up task first, so the entry can name it.
    let id = Uuid::now_v7();
    let mut fields = entry_fields(w, input, &checked, customer);
    if let Some(action) = trimmed(input.next_action.as_deref()) {
        let follow_up = Duration::hours(config.default_follow_up_hours);
        let due = input.due.unwrap_or(checked.at + follow_up);
        let task =
            crate::task::write_task(w, None, action, Some(customer), Some(id), w.user(), due)?;
        fields.push((f::NEXT_ACTION, text(action)));
        fields.push((f::DUE, time(due)));
        fields.push((f::TASK, text(&task.to_string())));
    }
    let mut doc = w.create_with(Kind::QuickLog, id, fields)?;
    w.save(&mut doc)?;
    Ok(Logged {
        entry: hydrate(&doc),
        new_lead,
    })
}

/// A quick-log's input, checked: who it is about and when it happened.
struct Checked {
    phone: Option<Phone>,
    customer: Option<Uuid>,
    at: DateTime<Utc>,
}

/// Refuses an entry that names no customer (by id or phone), a malformed phone, a duration
/// out of range, or a follow-up due before the interaction.
fn check(input: &NewQuickLog, now: DateTime<Utc>) -> Result<Checked> {
    let phone = trimmed(input.phone.as_deref())
        .map(|raw| crate::validate::parse_phone(raw).map_err(|e| Error::invalid("phone", e)))
        .transpose()?;
    let customer = input
        .customer_id
        .as_deref()
        .map(|c| parse_id(Kind::Customer, c))
        .transpose()?;
    if phone.is_none() && customer.is_none() {
        return Err(Error::invalid(
            "customer",
            "give the customer or the phone number",
        ));
    }
    if let Some(d) = input.duration_s {
        if !(0..=MAX_DURATION_S).contains(&d) {
            return Err(Error::invalid(
                "duration_s",
                "must be between 0 and 86400 seconds",
            ));
        }
    }
    let at = input.at.unwrap_or(now);
    if let Some(due) = input.due {
        if due < at {
            return Err(Error::invalid("due", "must not be before the interaction"));
        }
    }
    Ok(Checked {
        phone,
        customer,
        at,
    })
}

/// The customer the entry is about: the one named (which must be live), else the one holding
/// the phone number, else a new lead with that number (`true`).
fn find_customer(w: &Writer<'_>, checked: &Checked, team: Option<&str>) -> Result<(Uuid, bool)> {
    if let Some(id) = checked.customer {
        w.load(Kind::Customer, id)?.ensure_live()?;
        return Ok((id, false));
    }
    let phone = checked
        .phone
        .as_ref()
        .expect("check() refuses an entry with neither phone nor customer");
    match customer_by_phone(w.conn(), phone.digits())? {
        Some(id) => Ok((id, false)),
        None => Ok((new_lead(w, phone, team)?, true)),
    }
}

/// The entry's fields, but its follow-up.
fn entry_fields(
    w: &Writer<'_>,
    input: &NewQuickLog,
    checked: &Checked,
    customer: Uuid,
) -> Vec<(&'static str, Init)> {
    let pain_points: HashMap<String, Init> = input
        .pain_points
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(|p| (p.to_string(), Init::Scalar(ScalarValue::Boolean(true))))
        .collect();
    let mut fields = vec![
        (f::CHANNEL, text(input.channel.as_str())),
        (f::AT, time(checked.at)),
        (f::CUSTOMER, text(&customer.to_string())),
        (f::REP, text(w.user())),
        (f::PAIN_POINTS, Init::Map(pain_points.into())),
    ];
    if let Some(d) = input.duration_s {
        fields.push((f::DURATION_S, Init::Scalar(ScalarValue::Int(d))));
    }
    if let Some(phone) = &checked.phone {
        fields.push((f::PHONE, text(phone.e164())));
    }
    if let Some(note) = trimmed(input.note.as_deref()) {
        fields.push((f::NOTE, text(note)));
    }
    fields
}

/// A text given by the app, trimmed; `None` when there is none.
fn trimmed(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn text(s: &str) -> Init {
    Init::Scalar(ScalarValue::Str(s.into()))
}

fn time(t: DateTime<Utc>) -> Init {
    Init::Scalar(ScalarValue::Timestamp(t.timestamp_millis()))
}

/// The live customer one of whose numbers (or whose contacts' numbers) is `digits`; the most
/// recently updated when several share it.
pub(crate) fn customer_by_phone(conn: &rusqlite::Connection, digits: &str) -> Result<Option<Uuid>> {
    let rev: String = digits.chars().rev().collect();
    // Two single-table lookups rather than one statement: SQLite plans a join on a bound value
    // again for every new value, and `IN (subquery)` or `ORDER BY .. LIMIT` build a temporary
    // table per call whose page cache is allocated and freed each time (either way about a
    // sixth of a quick-log's CPU).
    let holders = conn
        .prepare_cached("SELECT customer_id FROM customer_phones WHERE rev = ?1")?
        .query_map([&rev], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut updated =
        conn.prepare_cached("SELECT updated_at FROM customers WHERE id = ?1 AND deleted = 0")?;
    let mut newest: Option<(i64, String)> = None;
    for id in holders {
        let Some(at) = updated
            .query_row([&id], |r| r.get::<_, i64>(0))
            .optional()?
        else {
            continue;
        };
        if !matches!(&newest, Some((best, _)) if *best >= at) {
            newest = Some((at, id));
        }
    }
    Ok(newest.and_then(|(_, id)| Uuid::parse_str(&id).ok()))
}

/// Namespace of the ids of leads created from an unknown number (UUID v5 of the number).
const LEAD_BY_PHONE: Uuid = Uuid::from_u128(0x6c65_6164_2d62_792d_7068_6f6e_6500_0001);

/// The id of the lead created from unknown number `e164`: the same on every device, so that two
/// reps who call one unknown number offline create one lead, not two. The server keeps each
/// tenant's documents apart (its documents are keyed by tenant and id), so the number alone
/// names the lead within its tenant.
pub(crate) fn lead_id(e164: &str) -> Uuid {
    Uuid::new_v5(&LEAD_BY_PHONE, e164.as_bytes())
}

/// A lead known only by its number: saved incomplete (no name), shared with the rep's team like
/// any new customer, and reported by data health until someone completes it.
///
/// Every device creates it identically: the id comes from the number ([`lead_id`]), and its
/// first change (no name, the number, the default visibility) is the shared genesis of
/// [`RecordDoc::create_shared`]. This device's creation — owner, team, creator, time — follows
/// as its own change, so after sync the lead holds both reps' calls and tasks; the two
/// creations are concurrent values of the same fields, of which only the owner means something
/// to a user (it shows as a conflict for a manager to settle).
fn new_lead(w: &Writer<'_>, phone: &Phone, team: Option<&str>) -> Result<Uuid> {
    let id = lead_id(phone.e164());
    let visibility = crate::customer::Visibility::default();
    if w.exists(id)? {
        // The shared lead is here but no longer holds the number as a live customer (it was
        // deleted, merged away, or its number was edited): the call must not bring it back,
        // so it gets a lead of its own, as before shared leads.
        let mut doc = w.create(Kind::Customer)?;
        doc.put_str(&ROOT, cf::NAME, "")?;
        doc.put_str(&ROOT, cf::VISIBILITY, visibility.as_str())?;
        let phones = doc.object(&ROOT, cf::PHONES)?;
        doc.put_str(&phones, phone.e164(), crate::customer::phone_label(phone))?;
        return own_creation(w, doc, team);
    }
    let doc = w.create_shared(
        Kind::Customer,
        id,
        &[
            (cf::NAME, ScalarValue::Str("".into())),
            (cf::VISIBILITY, ScalarValue::Str(visibility.as_str().into())),
        ],
        &[(
            cf::PHONES,
            phone.e164(),
            ScalarValue::Str(crate::customer::phone_label(phone).into()),
        )],
    )?;
    doc_created_here(w, doc, team)
}

/// Writes this device's creation of a shared lead (time, creator) and saves it.
fn doc_created_here(w: &Writer<'_>, mut doc: RecordDoc, team: Option<&str>) -> Result<Uuid> {
    doc.put_time(&ROOT, common::CREATED_AT, w.now())?;
    doc.put_str(&ROOT, common::CREATED_BY, w.user())?;
    own_creation(w, doc, team)
}

/// Gives a new lead to this rep (owner) and their team, and saves it.
fn own_creation(w: &Writer<'_>, mut doc: RecordDoc, team: Option<&str>) -> Result<Uuid> {
    doc.put_str(&ROOT, cf::OWNER, w.user())?;
    if let Some(team) = team {
        doc.put_str(&ROOT, cf::TEAM, team)?;
    }
    w.save(&mut doc)?;
    Ok(doc.id())
}

pub(crate) fn hydrate(doc: &RecordDoc) -> QuickLog {
    let root = doc.view(&ROOT);
    QuickLog {
        id: doc.id().to_string(),
        channel: root
            .str(f::CHANNEL)
            .and_then(|c| Channel::parse(&c).ok())
            .unwrap_or_default(),
        at: root.time(f::AT).unwrap_or(DateTime::<Utc>::MIN_UTC),
        duration_s: root.i64(f::DURATION_S),
        phone: root.str(f::PHONE),
        customer_id: root.str(f::CUSTOMER).unwrap_or_default(),
        rep: root.str(f::REP).unwrap_or_default(),
        pain_points: root.set(f::PAIN_POINTS),
        next_action: root.str(f::NEXT_ACTION),
        due: root.time(f::DUE),
        note: root.str(f::NOTE),
        task_id: root.str(f::TASK),
        deleted: root.bool(common::DELETED).unwrap_or(false),
    }
}

/// The quick-log kind's [`Projection`]: its row in `quick_logs`.
pub(crate) struct QuickLogProjection;

impl Projection for QuickLogProjection {
    fn kind(&self) -> Kind {
        Kind::QuickLog
    }

    fn read(&self, doc: &RecordDoc) -> Row {
        Box::new(hydrate(doc))
    }

    fn remove(&self, conn: &rusqlite::Connection, id: &str) -> Result<()> {
        conn.prepare_cached("DELETE FROM quick_logs WHERE id = ?1")?
            .execute([id])?;
        Ok(())
    }

    fn clear(&self, conn: &rusqlite::Connection) -> Result<()> {
        conn.execute("DELETE FROM quick_logs", [])?;
        Ok(())
    }
}

impl Rows for QuickLog {
    fn write(&self, conn: &rusqlite::Connection) -> Result<()> {
        project(conn, self)
    }
}

/// Writes the projection rows of a hydrated record.
fn project(conn: &rusqlite::Connection, q: &QuickLog) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO quick_logs (id, customer_id, rep, channel, at, duration_s, next_action, deleted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, rep = excluded.rep,
            channel = excluded.channel, at = excluded.at, duration_s = excluded.duration_s,
            next_action = excluded.next_action, deleted = excluded.deleted",
    )?
    .execute(params![
        q.id,
        q.customer_id,
        q.rep,
        q.channel.as_str(),
        q.at.timestamp_millis(),
        q.duration_s,
        q.next_action,
        q.deleted
    ])?;
    Ok(())
}
