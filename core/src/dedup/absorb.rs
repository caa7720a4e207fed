//! What one customer takes from another: the union a merge writes into its survivor, and that
//! settling writes again for edits that reach the merged-away record later.
//!
//! Shared by `merge` (which writes it, then lets merges settle) and `settle` (which carries late
//! edits over), so that neither needs the other's internals: the merge calls settling, never
//! the reverse. The heads recorded under the survivor's `absorbed` map are written here too.

use automerge::ROOT;

use crate::customer::Customer;
use crate::error::Result;
use crate::record::schema::customer as f;
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
