//! Merging two customers, as ordinary record changes so that the merge syncs.
//!
//! One transaction writes two documents: the survivor receives the union of phones, e-mails,
//! tags, contacts, custom fields and stage entries, plus, per conflicting scalar field, the
//! value the user chose (an empty field is filled from the other side without asking); the
//! merged-away customer is tombstoned with `merged_into` pointing at the survivor. The
//! survivor also records, under `absorbed`, the heads of the merged-away document at the
//! moment of the merge, so edits made to it later on another device can be told apart and
//! carried over (see `settle`). Visits, quick-logs and tasks are not rewritten: queries follow
//! the pointer (see `index::FAMILY`), which holds for children created offline after the merge.

use std::collections::BTreeMap;

use automerge::ROOT;
use serde::{Deserialize, Serialize};

use super::Dedup;
use crate::customer::{hydrate, Customer};
use crate::error::{Error, Result};
use crate::parse_id;
use crate::record::schema::{customer as f, Kind};
use crate::record::RecordDoc;

/// The scalar fields a merge asks about when both customers have different values.
pub const MERGE_FIELDS: &[&str] = &[
    "name",
    "legal_name",
    "credit_code",
    "stage",
    "owner",
    "team",
    "visibility",
    "address",
];

/// Whose value to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    #[default]
    Survivor,
    Merged,
}

/// What the user decided.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MergeRequest {
    /// The customer that stays.
    pub survivor: String,
    /// The customer merged away.
    pub merged: String,
    /// Per field of [`MERGE_FIELDS`], whose value wins; unnamed fields keep the survivor's
    /// (or take the merged one's when the survivor has none).
    pub keep: BTreeMap<String, Side>,
}

/// A scalar field the two customers disagree on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChoice {
    pub field: String,
    pub survivor: String,
    pub merged: String,
}

/// Both customers and the fields the user must choose for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergePreview {
    pub survivor: Customer,
    pub merged: Customer,
    pub choices: Vec<FieldChoice>,
}

impl Dedup {
    /// The two customers and their conflicting scalar fields, for the merge screen.
    pub fn merge_preview(&self, survivor: &str, merged: &str) -> Result<MergePreview> {
        let (s, m) = (self.live(survivor)?, self.live(merged)?);
        let choices = MERGE_FIELDS
            .iter()
            .filter_map(|field| match (scalar(&s, field), scalar(&m, field)) {
                (Some(a), Some(b)) if a != b => Some(FieldChoice {
                    field: field.to_string(),
                    survivor: a,
                    merged: b,
                }),
                _ => None,
            })
            .collect();
        Ok(MergePreview {
            survivor: s,
            merged: m,
            choices,
        })
    }

    /// Merges `request.merged` into `request.survivor` and returns the survivor as stored.
    pub fn merge(&self, request: &MergeRequest) -> Result<Customer> {
        let s_id = parse_id(Kind::Customer, &request.survivor)?;
        let m_id = parse_id(Kind::Customer, &request.merged)?;
        if s_id == m_id {
            return Err(Error::invalid(
                "merged",
                "a customer cannot be merged into itself",
            ));
        }
        if let Some(unknown) = request
            .keep
            .keys()
            .find(|k| !MERGE_FIELDS.contains(&k.as_str()))
        {
            return Err(Error::invalid(
                "keep",
                format!(
                    "unknown field {unknown}; known: {}",
                    MERGE_FIELDS.join(", ")
                ),
            ));
        }
        self.engine.write(|w| {
            let mut survivor = w.load(Kind::Customer, s_id)?;
            survivor.ensure_live()?;
            let mut merged = w.load(Kind::Customer, m_id)?;
            merged.ensure_live()?;
            let (s, m) = (hydrate(&survivor), hydrate(&merged));
            let prefer = |field: &str| request.keep.get(field) == Some(&Side::Merged);
            absorb(&mut survivor, &s, &m, &prefer, false)?;
            let heads = heads_of(&mut merged);
            let absorbed = absorbed_map(&mut survivor)?;
            survivor.put_str(&absorbed, &m.id, &heads)?;
            merged.put_str(&ROOT, f::MERGED_INTO, &s.id)?;
            merged.tombstone()?;
            w.save(&mut survivor)?;
            w.save(&mut merged)?;
            super::settle::run(w)?;
            Ok(hydrate(&survivor))
        })
    }

    /// The customer a merged-away id ended up in (the id itself when never merged).
    pub fn survivor_of(&self, id: &str) -> Result<String> {
        let id = parse_id(Kind::Customer, id)?.to_string();
        self.engine.read(|conn| super::survivor_of(conn, &id))
    }

    fn live(&self, id: &str) -> Result<Customer> {
        let doc = self
            .engine
            .load(Kind::Customer, parse_id(Kind::Customer, id)?)?;
        doc.ensure_live()?;
        Ok(hydrate(&doc))
    }
}

/// The heads of a document, as the comma-separated hex stored under `absorbed`.
pub(crate) fn heads_of(doc: &mut RecordDoc) -> String {
    doc.doc_mut()
        .get_heads()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The survivor's `absorbed` map (created with every new customer; created here for records
/// written before it existed).
pub(crate) fn absorbed_map(doc: &mut RecordDoc) -> Result<automerge::ObjId> {
    doc.child_map(&ROOT, f::ABSORBED)
}

/// A scalar field's value for display and comparison; `None` when empty.
pub(crate) fn scalar(c: &Customer, field: &str) -> Option<String> {
    let v = match field {
        "name" => Some(c.name.clone()),
        "legal_name" => c.legal_name.clone(),
        "credit_code" => c.credit_code.clone(),
        "stage" => c.stage.clone(),
        "owner" => c.owner.clone(),
        "team" => c.team.clone(),
        "visibility" => Some(c.visibility.as_str().to_string()),
        "address" => {
            let a = &c.address;
            match (&a.text, a.lat, a.lon) {
                (None, None, _) | (None, _, None) => None,
                (text, lat, lon) => Some(format!(
                    "{}{}",
                    text.clone().unwrap_or_default(),
                    match (lat, lon) {
                        (Some(lat), Some(lon)) => format!(" ({lat:.6},{lon:.6})"),
                        _ => String::new(),
                    }
                )),
            }
        }
        _ => None,
    };
    v.filter(|s| !s.trim().is_empty())
}

/// Writes into `doc` (holding `into`) what `from` adds: every set member and contact it has,
/// and each scalar field where `into` has none or `prefer(field)` says `from` wins.
/// `overwrite_contacts` also rewrites contacts both have (for late edits).
pub(crate) fn absorb(
    doc: &mut RecordDoc,
    into: &Customer,
    from: &Customer,
    prefer: &dyn Fn(&str) -> bool,
    overwrite_contacts: bool,
) -> Result<()> {
    for field in MERGE_FIELDS {
        let theirs = scalar(from, field);
        let mine = scalar(into, field);
        if theirs.is_none() || theirs == mine || (mine.is_some() && !prefer(field)) {
            continue;
        }
        match *field {
            "name" => doc.put_str(&ROOT, f::NAME, &from.name)?,
            "legal_name" => doc.put_opt_str(&ROOT, f::LEGAL_NAME, from.legal_name.as_deref())?,
            "credit_code" => doc.put_opt_str(&ROOT, f::CREDIT_CODE, from.credit_code.as_deref())?,
            "stage" => doc.put_opt_str(&ROOT, f::STAGE, from.stage.as_deref())?,
            "owner" => doc.put_opt_str(&ROOT, f::OWNER, from.owner.as_deref())?,
            "team" => doc.put_opt_str(&ROOT, f::TEAM, from.team.as_deref())?,
            "visibility" => doc.put_str(&ROOT, f::VISIBILITY, from.visibility.as_str())?,
            "address" => {
                let obj = doc.object(&ROOT, f::ADDRESS)?;
                doc.put_opt_str(&obj, f::ADDRESS_TEXT, from.address.text.as_deref())?;
                if let (Some(lat), Some(lon)) = (from.address.lat, from.address.lon) {
                    doc.put_f64(&obj, f::ADDRESS_LAT, lat)?;
                    doc.put_f64(&obj, f::ADDRESS_LON, lon)?;
                }
            }
            _ => {}
        }
    }
    let phones = doc.object(&ROOT, f::PHONES)?;
    for phone in &from.phones {
        if !into.phones.iter().any(|p| p.e164 == phone.e164) {
            doc.put_str(&phones, &phone.e164, &phone.label)?;
        }
    }
    for email in &from.emails {
        doc.set_add(&ROOT, f::EMAILS, email)?;
    }
    for tag in &from.tags {
        doc.set_add(&ROOT, f::TAGS, tag)?;
    }
    let custom = doc.object(&ROOT, f::CUSTOM)?;
    for (key, value) in &from.custom {
        if !into.custom.contains_key(key) || overwrite_contacts {
            doc.put_str(&custom, key, value)?;
        }
    }
    let anchors = doc.object(&ROOT, f::ANCHORS)?;
    for entry in &from.stage_entries {
        if into.stage_entries.iter().any(|e| e.stage == entry.stage) {
            continue;
        }
        let obj = doc.child_map(&anchors, &entry.stage)?;
        doc.put_str(&obj, "anchor", &entry.anchor)?;
        if let Some(at) = entry.at {
            doc.put_time(&obj, "at", at)?;
        }
        doc.put_opt_str(&obj, "by", entry.by.as_deref())?;
        doc.put_opt_str(&obj, "note", entry.note.as_deref())?;
    }
    let contacts = doc.object(&ROOT, f::CONTACTS)?;
    for contact in &from.contacts {
        let known = into.contacts.iter().any(|c| c.id == contact.id);
        if known && !overwrite_contacts {
            continue;
        }
        let obj = doc.child_map(&contacts, &contact.id)?;
        let fields = [
            (f::CONTACT_NAME, &contact.name),
            (f::CONTACT_TITLE, &contact.title),
            (f::CONTACT_PHONE, &contact.phone),
            (f::CONTACT_WECHAT, &contact.wechat),
            (f::CONTACT_EMAIL, &contact.email),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                doc.put_opt_str(&obj, key, Some(value))?;
            }
        }
    }
    Ok(())
}
