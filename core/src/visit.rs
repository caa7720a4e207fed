//! Visits: planned, checked in at the customer's door, checked out with what happened.
//!
//! A check-in records where the phone was and how far that is from the customer; the geofence
//! verdict (verified, out of range, unverifiable) is computed once, at check-in, and stored, so
//! a manager sees what the device saw. Notes are collaborative text: a rep and a colleague who
//! both edit them offline both keep their words. The next action becomes a follow-up task in the
//! same transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use automerge::{ObjId as ExId, ROOT};
use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::media::shrink::is_content_hash;
use crate::media::table::{self as media_table, MediaRole, Ref};
use crate::record::parse_id;
use crate::record::schema::{common, customer as cf, visit as f, Kind};
use crate::record::{MapView, RecordDoc};
use crate::store::{Projection, Row, Rows, Writer};
use crate::validate::{self, GeoPoint, GeofenceVerdict};

/// A position fix from the phone.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Fix {
    pub lat: f64,
    pub lon: f64,
    /// Radius of the fix's uncertainty, metres.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub accuracy_m: Option<f64>,
}

/// A check-in or check-out as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Presence {
    pub at: DateTime<Utc>,
    pub fix: Option<Fix>,
    /// Distance to the customer's coordinates, metres, when both are known.
    pub distance_m: Option<f64>,
    pub verdict: Verdict,
}

/// Whether a check-in happened at the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Verified,
    OutOfRange,
    /// No fix, or the customer has no coordinates.
    Unverifiable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::OutOfRange => "out_of_range",
            Verdict::Unverifiable => "unverifiable",
        }
    }

    fn parse(s: &str) -> Verdict {
        match s {
            "verified" => Verdict::Verified,
            "out_of_range" => Verdict::OutOfRange,
            _ => Verdict::Unverifiable,
        }
    }
}

impl From<GeofenceVerdict> for Verdict {
    fn from(v: GeofenceVerdict) -> Self {
        match v {
            GeofenceVerdict::Verified => Verdict::Verified,
            GeofenceVerdict::OutOfRange => Verdict::OutOfRange,
            GeofenceVerdict::Unverifiable => Verdict::Unverifiable,
        }
    }
}

/// A visit as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Visit {
    pub id: String,
    pub customer_id: String,
    pub rep: String,
    pub planned_at: Option<DateTime<Utc>>,
    pub check_in: Option<Presence>,
    pub check_out: Option<Presence>,
    pub notes: String,
    pub pain_points: Vec<String>,
    pub outcome: Option<String>,
    pub next_action: Option<String>,
    pub next_action_due: Option<DateTime<Utc>>,
    pub decision_maker_wechat: Option<String>,
    /// Content hashes of the visit's photos.
    pub photos: Vec<String>,
    /// Photo hash → its thumbnail's hash, for the photos that have one (attached through
    /// `FieldSales::media`; older records referenced photos without thumbnails).
    pub photo_thumbnails: BTreeMap<String, String>,
    /// The follow-up task made from the next action.
    pub task_id: Option<String>,
    pub deleted: bool,
}

/// What the rep records when leaving. Everything is optional: a check-out with nothing typed
/// is still a check-out.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CheckOut {
    pub fix: Option<Fix>,
    /// The whole new text of the notes; merged as a text diff.
    pub notes: Option<String>,
    pub pain_points: Vec<String>,
    pub outcome: Option<String>,
    pub next_action: Option<String>,
    pub next_action_due: Option<DateTime<Utc>>,
    pub decision_maker_wechat: Option<String>,
    pub photos: Vec<String>,
}

/// The visits area of a [`crate::FieldSales`].
#[derive(Clone)]
pub struct Visits {
    engine: Arc<Engine>,
}

impl Visits {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        Visits { engine }
    }

    /// Plans a visit to `customer_id` at `at`.
    pub fn plan(&self, customer_id: &str, at: DateTime<Utc>) -> Result<String> {
        let customer = parse_id(Kind::Customer, customer_id)?;
        self.engine.write(|w| {
            w.load(Kind::Customer, customer)?.ensure_live()?;
            let mut doc = new_visit(w, customer)?;
            doc.put_time(&ROOT, f::PLANNED_AT, at)?;
            w.save(&mut doc)?;
            Ok(doc.id().to_string())
        })
    }

    /// Checks in at `customer_id` now. When `visit_id` names a planned visit, that visit is
    /// checked in; otherwise a new visit starts. The verdict compares `fix` to the customer's
    /// coordinates with the company's geofence radius.
    pub fn check_in(
        &self,
        customer_id: &str,
        visit_id: Option<&str>,
        fix: Option<Fix>,
    ) -> Result<Visit> {
        let customer = parse_id(Kind::Customer, customer_id)?;
        let visit = visit_id.map(|v| parse_id(Kind::Visit, v)).transpose()?;
        let radius = self.engine.config().geofence_radius_m;
        self.engine.write(|w| {
            let customer_doc = w.load(Kind::Customer, customer)?;
            customer_doc.ensure_live()?;
            let mut doc = match visit {
                Some(id) => {
                    let doc = w.load(Kind::Visit, id)?;
                    doc.ensure_live()?;
                    if doc.str_at(&ROOT, f::CUSTOMER) != Some(customer.to_string()) {
                        return Err(Error::invalid("visit", "the visit is for another customer"));
                    }
                    doc
                }
                None => new_visit(w, customer)?,
            };
            let target = customer_point(&customer_doc);
            let presence = doc.object(&ROOT, f::CHECK_IN)?;
            write_presence(&mut doc, &presence, w.now(), fix, target, radius)?;
            w.save(&mut doc)?;
            Ok(hydrate(&doc))
        })
    }

    /// Checks out of `visit_id` now, with what happened. A next action becomes (or updates)
    /// the visit's follow-up task.
    pub fn check_out(&self, visit_id: &str, out: CheckOut) -> Result<Visit> {
        let id = parse_id(Kind::Visit, visit_id)?;
        let radius = self.engine.config().geofence_radius_m;
        let follow_up = Duration::hours(self.engine.config().default_follow_up_hours);
        self.engine.write(|w| {
            let mut doc = w.load(Kind::Visit, id)?;
            doc.ensure_live()?;
            let customer = visit_customer(&doc)?;
            let target = w
                .load(Kind::Customer, customer)
                .ok()
                .and_then(|c| customer_point(&c));
            let presence = doc.object(&ROOT, f::CHECK_OUT)?;
            write_presence(&mut doc, &presence, w.now(), out.fix, target, radius)?;
            if let Some(notes) = &out.notes {
                doc.update_text(&ROOT, f::NOTES, notes)?;
            }
            for p in out
                .pain_points
                .iter()
                .map(|p| p.trim())
                .filter(|p| !p.is_empty())
            {
                doc.set_add(&ROOT, f::PAIN_POINTS, p)?;
            }
            for photo in &out.photos {
                validate_photo_ref(photo)?;
                doc.set_add(&ROOT, f::PHOTOS, photo)?;
            }
            if let Some(outcome) = &out.outcome {
                doc.put_opt_str(&ROOT, f::OUTCOME, Some(outcome))?;
            }
            if let Some(wechat) = &out.decision_maker_wechat {
                doc.put_opt_str(&ROOT, f::DECISION_MAKER_WECHAT, Some(wechat))?;
            }
            if let Some(action) = out.next_action.as_deref().filter(|a| !a.trim().is_empty()) {
                let due = out.next_action_due.unwrap_or(w.now() + follow_up);
                doc.put_str(&ROOT, f::NEXT_ACTION, action.trim())?;
                doc.put_time(&ROOT, f::NEXT_ACTION_DUE, due)?;
                let existing = doc
                    .str_at(&ROOT, f::TASK)
                    .and_then(|t| Uuid::parse_str(&t).ok());
                let rep = doc
                    .str_at(&ROOT, f::REP)
                    .unwrap_or_else(|| w.user().to_string());
                let task = crate::task::write_task(
                    w,
                    existing,
                    action,
                    Some(customer),
                    Some(doc.id()),
                    &rep,
                    due,
                )?;
                doc.put_str(&ROOT, f::TASK, &task.to_string())?;
            }
            w.save(&mut doc)?;
            Ok(hydrate(&doc))
        })
    }

    /// Deletes the visit (a tombstone that syncs). Its photos no other record references are
    /// removed from this device.
    pub fn delete(&self, visit_id: &str) -> Result<()> {
        let id = parse_id(Kind::Visit, visit_id)?;
        self.engine.write(|w| {
            let mut doc = w.load(Kind::Visit, id)?;
            doc.tombstone()?;
            w.save(&mut doc)?;
            Ok(())
        })
    }

    /// Replaces the visit's notes with `text`, merged as a diff so a colleague's concurrent
    /// edits elsewhere in the notes survive.
    pub fn edit_notes(&self, visit_id: &str, text: &str) -> Result<Visit> {
        let id = parse_id(Kind::Visit, visit_id)?;
        self.engine.write(|w| {
            let mut doc = w.load(Kind::Visit, id)?;
            doc.ensure_live()?;
            doc.update_text(&ROOT, f::NOTES, text)?;
            w.save(&mut doc)?;
            Ok(hydrate(&doc))
        })
    }

    pub fn get(&self, visit_id: &str) -> Result<Visit> {
        let doc = self
            .engine
            .load(Kind::Visit, parse_id(Kind::Visit, visit_id)?)?;
        Ok(hydrate(&doc))
    }

    /// A rep's visits with their time (check-in, else plan) in `[from, to)`, oldest first.
    pub fn by_rep(&self, rep: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Visit>> {
        let ids: Vec<String> = self.engine.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id FROM visits WHERE rep = ?1 AND at >= ?2 AND at < ?3 AND deleted = 0
                 ORDER BY at",
            )?;
            let rows = stmt.query_map(
                params![rep, from.timestamp_millis(), to.timestamp_millis()],
                |r| r.get(0),
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        ids.iter().map(|id| self.get(id)).collect()
    }
}

fn new_visit(w: &Writer<'_>, customer: Uuid) -> Result<RecordDoc> {
    let mut doc = w.create(Kind::Visit)?;
    doc.put_str(&ROOT, f::CUSTOMER, &customer.to_string())?;
    doc.put_str(&ROOT, f::REP, w.user())?;
    Ok(doc)
}

fn visit_customer(doc: &RecordDoc) -> Result<Uuid> {
    doc.str_at(&ROOT, f::CUSTOMER)
        .and_then(|c| Uuid::parse_str(&c).ok())
        .ok_or_else(|| Error::invalid("customer", "the visit names no customer"))
}

/// The customer's stored coordinates, if any (and sane).
pub(crate) fn customer_point(customer: &RecordDoc) -> Option<GeoPoint> {
    let address = customer.object_opt(&ROOT, cf::ADDRESS)?;
    let lat = customer.f64_at(&address, cf::ADDRESS_LAT)?;
    let lon = customer.f64_at(&address, cf::ADDRESS_LON)?;
    GeoPoint::new(lat, lon).ok()
}

fn write_presence(
    doc: &mut RecordDoc,
    obj: &ExId,
    at: DateTime<Utc>,
    fix: Option<Fix>,
    target: Option<GeoPoint>,
    radius_m: f64,
) -> Result<()> {
    let fix_point = match fix {
        Some(fix) => {
            let point = GeoPoint::new(fix.lat, fix.lon).map_err(|e| Error::invalid("fix", e))?;
            let accuracy = fix.accuracy_m.unwrap_or(0.0);
            if !accuracy.is_finite() || accuracy < 0.0 {
                return Err(Error::invalid(
                    "fix.accuracy_m",
                    "must be a distance in metres",
                ));
            }
            Some((point, accuracy))
        }
        None => None,
    };
    let (verdict, distance) = validate::geofence(fix_point, target, radius_m);
    doc.put_time(obj, f::AT, at)?;
    match (fix, fix_point) {
        (Some(fix), Some((point, _))) => {
            doc.put_f64(obj, f::LAT, point.lat)?;
            doc.put_f64(obj, f::LON, point.lon)?;
            match fix.accuracy_m {
                Some(a) => doc.put_f64(obj, f::ACCURACY_M, a)?,
                None => doc.remove(obj, f::ACCURACY_M)?,
            }
        }
        _ => {
            for key in [f::LAT, f::LON, f::ACCURACY_M] {
                doc.remove(obj, key)?;
            }
        }
    }
    match distance {
        Some(d) => doc.put_f64(obj, f::DISTANCE_M, d)?,
        None => doc.remove(obj, f::DISTANCE_M)?,
    }
    doc.put_str(obj, f::VERDICT, Verdict::from(verdict).as_str())
}

/// Photo references are SHA-256 content hashes (64 lowercase hex digits).
fn validate_photo_ref(photo: &str) -> Result<()> {
    if is_content_hash(photo) {
        Ok(())
    } else {
        Err(Error::invalid(
            "photos",
            "a photo reference is a SHA-256 hex digest",
        ))
    }
}

fn presence(doc: &RecordDoc, root: &MapView<'_>, key: &str) -> Option<Presence> {
    let place = doc.view(&root.object(key)?);
    let at = place.time(f::AT)?;
    let fix = match (place.f64(f::LAT), place.f64(f::LON)) {
        (Some(lat), Some(lon)) => Some(Fix {
            lat,
            lon,
            accuracy_m: place.f64(f::ACCURACY_M),
        }),
        _ => None,
    };
    Some(Presence {
        at,
        fix,
        distance_m: place.f64(f::DISTANCE_M),
        verdict: Verdict::parse(&place.str(f::VERDICT).unwrap_or_default()),
    })
}

pub(crate) fn hydrate(doc: &RecordDoc) -> Visit {
    let root = doc.view(&ROOT);
    let photos = doc.str_map_at(&ROOT, f::PHOTOS);
    Visit {
        id: doc.id().to_string(),
        customer_id: root.str(f::CUSTOMER).unwrap_or_default(),
        rep: root.str(f::REP).unwrap_or_default(),
        planned_at: root.time(f::PLANNED_AT),
        check_in: presence(doc, &root, f::CHECK_IN),
        check_out: presence(doc, &root, f::CHECK_OUT),
        notes: root.text(f::NOTES).unwrap_or_default(),
        pain_points: root.set(f::PAIN_POINTS),
        outcome: root.str(f::OUTCOME),
        next_action: root.str(f::NEXT_ACTION),
        next_action_due: root.time(f::NEXT_ACTION_DUE),
        decision_maker_wechat: root.str(f::DECISION_MAKER_WECHAT),
        photo_thumbnails: photos
            .iter()
            .filter_map(|(photo, thumbnail)| Some((photo.clone(), thumbnail.clone()?)))
            .collect(),
        photos: photos.into_iter().map(|(photo, _)| photo).collect(),
        task_id: root.str(f::TASK),
        deleted: root.bool(common::DELETED).unwrap_or(false),
    }
}

/// The visit kind's [`Projection`]: its row in `visits`.
pub(crate) struct VisitProjection;

impl Projection for VisitProjection {
    fn kind(&self) -> Kind {
        Kind::Visit
    }

    fn read(&self, doc: &RecordDoc) -> Row {
        Box::new(hydrate(doc))
    }

    fn remove(&self, conn: &rusqlite::Connection, id: &str) -> Result<()> {
        conn.prepare_cached("DELETE FROM visits WHERE id = ?1")?
            .execute([id])?;
        media_table::set_refs(conn, id, &[])
    }

    fn clear(&self, conn: &rusqlite::Connection) -> Result<()> {
        conn.execute("DELETE FROM visits", [])?;
        Ok(())
    }
}

impl Rows for Visit {
    fn write(&self, conn: &rusqlite::Connection) -> Result<()> {
        project(conn, self)
    }
}

/// Writes the projection rows of a hydrated record.
fn project(conn: &rusqlite::Connection, v: &Visit) -> Result<()> {
    let ms = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp_millis());
    let checkin = v.check_in.as_ref().map(|p| p.at);
    let at = checkin
        .or(v.planned_at)
        .or(v.check_out.as_ref().map(|p| p.at))
        .map(|t| t.timestamp_millis())
        .unwrap_or(0);
    conn.prepare_cached(
        "INSERT INTO visits (id, customer_id, rep, at, planned_at, checkin_at, checkout_at,
            verdict, outcome, deleted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, rep = excluded.rep,
            at = excluded.at, planned_at = excluded.planned_at, checkin_at = excluded.checkin_at,
            checkout_at = excluded.checkout_at, verdict = excluded.verdict,
            outcome = excluded.outcome, deleted = excluded.deleted",
    )?
    .execute(params![
        v.id,
        v.customer_id,
        v.rep,
        at,
        ms(v.planned_at),
        ms(checkin),
        ms(v.check_out.as_ref().map(|p| p.at)),
        v.check_in.as_ref().map(|p| p.verdict.as_str()),
        v.outcome,
        v.deleted
    ])?;
    media_table::set_refs(conn, &v.id, &media_refs(v))
}

/// The media a visit references: its photos and their thumbnails; none once it is deleted.
fn media_refs(v: &Visit) -> Vec<Ref> {
    if v.deleted {
        return Vec::new();
    }
    let photos = v.photos.iter().map(|hash| (hash, MediaRole::Photo));
    let thumbnails = v
        .photo_thumbnails
        .values()
        .map(|hash| (hash, MediaRole::Thumbnail));
    photos
        .chain(thumbnails)
        .filter(|(hash, _)| is_content_hash(hash))
        .map(|(hash, role)| Ref {
            hash: hash.clone(),
            role,
        })
        .collect()
}
