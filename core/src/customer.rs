//! Customers and their contacts: the records reps search for, visit and call.
//!
//! Owns the customer document layout (through `record::schema::customer`), the input checks at
//! the source (phones, credit code, e-mails, coordinates are refused when malformed; a missing
//! optional value is never refused) and the customer projection (`projection`: its rows, phone
//! index, search terms and duplicate index). It does not decide who may see
//! a customer: the server filters what reaches this device.

use std::collections::BTreeMap;

use automerge::ROOT;
use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::Identity;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::record::parse_id;
use crate::record::schema::{customer as f, Kind};
use crate::record::RecordDoc;
use crate::store::Writer;
use crate::validate::{self, GeoPoint};
use std::sync::Arc;

mod projection;

pub(crate) use projection::{index_duplicates, profile, CustomerProjection};

/// Who besides the owner sees a customer (the protocol's one definition).
pub use fieldsales_protocol::Visibility;

/// A street address with optional coordinates (WGS-84).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Address {
    pub text: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// A contact person at a customer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Contact {
    pub id: String,
    pub name: Option<String>,
    pub title: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub wechat: Option<String>,
    pub email: Option<String>,
}

/// The fields of a new or edited contact. `None` leaves a field as it is; `Some("")` clears it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ContactInput {
    pub name: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub wechat: Option<String>,
    pub email: Option<String>,
}

/// A phone number of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhoneNumber {
    /// E.164, e.g. `+8613812345678`.
    pub e164: String,
    /// `mobile`, `landline`, `service` or `foreign`.
    pub label: String,
}

/// The anchor action that entered a pipeline stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StageEntry {
    pub stage: String,
    pub anchor: String,
    pub at: Option<DateTime<Utc>>,
    pub by: Option<String>,
    pub note: Option<String>,
}

/// A customer as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Customer {
    pub id: String,
    /// The name reps use; empty for a lead created from an unknown phone number.
    pub name: String,
    pub legal_name: Option<String>,
    pub credit_code: Option<String>,
    pub phones: Vec<PhoneNumber>,
    pub emails: Vec<String>,
    pub address: Address,
    /// Pipeline stage key; `None` for a lead.
    pub stage: Option<String>,
    pub stage_entries: Vec<StageEntry>,
    pub tags: Vec<String>,
    pub owner: Option<String>,
    pub team: Option<String>,
    pub visibility: Visibility,
    pub custom: BTreeMap<String, String>,
    pub contacts: Vec<Contact>,
    /// The customer's documents (business licence, signed contract): image hash → thumbnail
    /// hash, attached through `FieldSales::media`.
    pub documents: BTreeMap<String, String>,
    pub created_at: Option<DateTime<Utc>>,
    pub created_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
    pub deleted: bool,
    /// Set on a customer merged into another (then also `deleted`): the survivor's id.
    pub merged_into: Option<String>,
}

/// What a rep gives to create a customer. Only a name or a phone is needed; the rest can come
/// later (and missing pieces show up as data-health findings, never as a refusal).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NewCustomer {
    pub name: String,
    pub legal_name: Option<String>,
    pub credit_code: Option<String>,
    /// As typed: spaces, dashes, +86 are fine.
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub address: Option<Address>,
    pub tags: Vec<String>,
    /// Defaults to the signed-in user.
    pub owner: Option<String>,
    /// Defaults to the signed-in user's team.
    pub team: Option<String>,
    pub visibility: Visibility,
    pub custom: BTreeMap<String, String>,
    pub contacts: Vec<ContactInput>,
}

/// An edit: only what is set changes, so concurrent edits of other fields survive the merge.
/// For optional text fields `Some("")` clears the field.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CustomerPatch {
    pub name: Option<String>,
    pub legal_name: Option<String>,
    pub credit_code: Option<String>,
    pub add_phones: Vec<String>,
    pub remove_phones: Vec<String>,
    pub add_emails: Vec<String>,
    pub remove_emails: Vec<String>,
    pub address: Option<Address>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub owner: Option<String>,
    pub team: Option<String>,
    pub visibility: Option<Visibility>,
    /// Custom field values; an empty value removes the field.
    pub custom: BTreeMap<String, String>,
}

/// A row of a customer list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CustomerSummary {
    pub id: String,
    pub name: String,
    pub legal_name: Option<String>,
    pub phone: Option<String>,
    pub stage: Option<String>,
    pub owner: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The customers area of a [`crate::FieldSales`].
#[derive(Clone)]
pub struct Customers {
    engine: Arc<Engine>,
}

impl Customers {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        Customers { engine }
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Creates a customer and returns its id. Malformed phones, e-mails, credit codes or
    /// coordinates are refused with the field and the reason; nothing is stored then.
    pub fn create(&self, input: NewCustomer) -> Result<String> {
        self.engine
            .write(|w| create_in(w, self.engine.identity(), &input))
    }

    /// Creates many customers in one transaction (imports, first sign-in): all or nothing.
    /// A refusal names the input by its position: `[3].phones`.
    pub fn create_many(&self, inputs: &[NewCustomer]) -> Result<Vec<String>> {
        self.engine.write(|w| {
            inputs
                .iter()
                .enumerate()
                .map(|(i, input)| {
                    create_in(w, self.engine.identity(), input).map_err(|e| e.at_index(i))
                })
                .collect()
        })
    }

    /// The customer `id`, including deleted ones (their `deleted` flag is set).
    pub fn get(&self, id: &str) -> Result<Customer> {
        let doc = self
            .engine
            .load(Kind::Customer, parse_id(Kind::Customer, id)?)?;
        Ok(hydrate(&doc))
    }

    /// Applies `patch`. Refused values leave the customer unchanged.
    pub fn edit(&self, id: &str, patch: CustomerPatch) -> Result<Customer> {
        self.mutate(id, |doc| apply_patch(doc, &patch))
    }

    /// Adds a contact and returns its id.
    pub fn add_contact(&self, customer_id: &str, contact: ContactInput) -> Result<String> {
        let contact_id = Uuid::now_v7().to_string();
        self.mutate(customer_id, |doc| put_contact(doc, &contact_id, &contact))?;
        Ok(contact_id)
    }

    /// Edits a contact; only the fields given change.
    pub fn edit_contact(
        &self,
        customer_id: &str,
        contact_id: &str,
        contact: ContactInput,
    ) -> Result<Customer> {
        self.mutate(customer_id, |doc| {
            let contacts = doc.object(&ROOT, f::CONTACTS)?;
            if doc.object_opt(&contacts, contact_id).is_none() {
                return Err(Error::NotFound {
                    kind: "contact",
                    id: contact_id.to_string(),
                });
            }
            put_contact(doc, contact_id, &contact)
        })
    }

    /// Removes a contact.
    pub fn remove_contact(&self, customer_id: &str, contact_id: &str) -> Result<Customer> {
        self.mutate(customer_id, |doc| {
            let contacts = doc.object(&ROOT, f::CONTACTS)?;
            if doc.object_opt(&contacts, contact_id).is_none() {
                return Err(Error::NotFound {
                    kind: "contact",
                    id: contact_id.to_string(),
                });
            }
            doc.remove(&contacts, contact_id)
        })
    }

    /// Moves the customer into pipeline `stage`, recording `anchor` — the one action that
    /// enters that stage (see [`crate::pipeline`]). Stages may be skipped; a stage whose anchor
    /// was recorded before may be re-entered without repeating it.
    pub fn set_stage(
        &self,
        id: &str,
        stage: &str,
        anchor: Option<&str>,
        note: Option<&str>,
    ) -> Result<Customer> {
        let pipeline = self.engine.config().pipeline.clone();
        let user = self.engine.identity().user_id.clone();
        let now = self.engine.now();
        self.mutate(id, |doc| {
            let anchors = doc.object(&ROOT, f::ANCHORS)?;
            let recorded = doc.object_opt(&anchors, stage).is_some();
            match anchor {
                Some(anchor) => {
                    pipeline.check_entry(stage, anchor)?;
                    let entry = doc.child_map(&anchors, stage)?;
                    doc.put_str(&entry, "anchor", anchor)?;
                    doc.put_time(&entry, "at", now)?;
                    doc.put_str(&entry, "by", &user)?;
                    doc.put_opt_str(&entry, "note", note)?;
                }
                None if recorded && pipeline.stage(stage).is_some() => {}
                None => {
                    let required = pipeline
                        .stage(stage)
                        .map(|s| format!("{} ({})", s.anchor_label, s.anchor))
                        .unwrap_or_else(|| "a known stage".into());
                    return Err(Error::invalid(
                        "stage",
                        format!("entering this stage requires its anchor action {required}"),
                    ));
                }
            }
            doc.put_str(&ROOT, f::STAGE, stage)
        })
    }

    /// Deletes the customer (a tombstone that syncs; its history stays for audit).
    pub fn delete(&self, id: &str) -> Result<()> {
        self.mutate(id, |doc| doc.tombstone()).map(|_| ())
    }

    /// Live customers by name, `limit` at a time from `offset`.
    pub fn list(&self, limit: u32, offset: u32) -> Result<Vec<CustomerSummary>> {
        self.engine.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, name, legal_name, phone, stage, owner, updated_at FROM customers
                 WHERE deleted = 0 ORDER BY name LIMIT ?1 OFFSET ?2",
            )?;
            let rows = stmt.query_map(params![limit, offset], summary_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Number of live customers.
    pub fn count(&self) -> Result<u64> {
        self.engine.read(|conn| {
            Ok(conn.query_row(
                "SELECT count(*) FROM customers WHERE deleted = 0",
                [],
                |r| r.get::<_, i64>(0),
            )? as u64)
        })
    }

    fn mutate(
        &self,
        id: &str,
        edit: impl FnOnce(&mut RecordDoc) -> Result<()>,
    ) -> Result<Customer> {
        let id = parse_id(Kind::Customer, id)?;
        self.engine.write(|w| {
            let mut doc = w.load(Kind::Customer, id)?;
            doc.ensure_live()?;
            edit(&mut doc)?;
            w.save(&mut doc)?;
            Ok(hydrate(&doc))
        })
    }
}

fn create_in(w: &Writer<'_>, identity: &Identity, input: &NewCustomer) -> Result<String> {
    let name = input.name.trim();
    if name.is_empty() && input.phones.iter().all(|p| p.trim().is_empty()) {
        return Err(Error::invalid(
            "name",
            "a customer needs a name or a phone number",
        ));
    }
    let owner = input.owner.as_deref().unwrap_or(&identity.user_id);
    let team = input.team.as_ref().or(identity.team_id.as_ref());
    let mut doc = w.create(Kind::Customer)?;
    doc.put_str(&ROOT, f::NAME, name)?;
    doc.put_str(&ROOT, f::OWNER, owner)?;
    if let Some(team) = team {
        doc.put_str(&ROOT, f::TEAM, team)?;
    }
    doc.put_str(&ROOT, f::VISIBILITY, input.visibility.as_str())?;
    let patch = CustomerPatch {
        legal_name: input.legal_name.clone(),
        credit_code: input.credit_code.clone(),
        add_phones: input.phones.clone(),
        add_emails: input.emails.clone(),
        address: input.address.clone(),
        add_tags: input.tags.clone(),
        custom: input.custom.clone(),
        ..Default::default()
    };
    apply_patch(&mut doc, &patch)?;
    for contact in &input.contacts {
        put_contact(&mut doc, &Uuid::now_v7().to_string(), contact)?;
    }
    w.save(&mut doc)?;
    Ok(doc.id().to_string())
}

pub(crate) fn summary_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<CustomerSummary> {
    Ok(CustomerSummary {
        id: row.get(0)?,
        name: row.get(1)?,
        legal_name: row.get(2)?,
        phone: row.get(3)?,
        stage: row.get(4)?,
        owner: row.get(5)?,
        updated_at: row
            .get::<_, Option<i64>>(6)?
            .and_then(chrono::DateTime::from_timestamp_millis),
    })
}

/// Validates and writes every set field of `patch`. Validation happens field by field before
/// the write of that field; since the whole edit runs in one transaction and the document is
/// only saved at the end, a refusal anywhere leaves the stored customer untouched.
fn apply_patch(doc: &mut RecordDoc, patch: &CustomerPatch) -> Result<()> {
    if let Some(name) = &patch.name {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("name", "must not be empty"));
        }
        doc.put_str(&ROOT, f::NAME, name)?;
    }
    if let Some(legal) = &patch.legal_name {
        doc.put_opt_str(&ROOT, f::LEGAL_NAME, Some(legal))?;
    }
    if let Some(code) = &patch.credit_code {
        if code.trim().is_empty() {
            doc.remove(&ROOT, f::CREDIT_CODE)?;
        } else {
            let code =
                validate::parse_credit_code(code).map_err(|e| Error::invalid("credit_code", e))?;
            doc.put_str(&ROOT, f::CREDIT_CODE, code.as_str())?;
        }
    }
    let phones = doc.object(&ROOT, f::PHONES)?;
    for raw in &patch.add_phones {
        if raw.trim().is_empty() {
            continue;
        }
        let phone = validate::parse_phone(raw).map_err(|e| Error::invalid("phones", e))?;
        if doc.str_at(&phones, phone.e164()).is_none() {
            doc.put_str(&phones, phone.e164(), phone_label(&phone))?;
        }
    }
    for raw in &patch.remove_phones {
        let phone = validate::parse_phone(raw).map_err(|e| Error::invalid("phones", e))?;
        doc.remove(&phones, phone.e164())?;
    }
    let emails = doc.object(&ROOT, f::EMAILS)?;
    for raw in &patch.add_emails {
        if raw.trim().is_empty() {
            continue;
        }
        let email = validate::parse_email(raw).map_err(|e| Error::invalid("emails", e))?;
        doc.set_add(&ROOT, f::EMAILS, email.as_str())?;
    }
    for raw in &patch.remove_emails {
        let email = validate::parse_email(raw).map_err(|e| Error::invalid("emails", e))?;
        doc.remove(&emails, email.as_str())?;
    }
    if let Some(address) = &patch.address {
        put_address(doc, address)?;
    }
    for tag in &patch.add_tags {
        let tag = tag.trim();
        if !tag.is_empty() {
            doc.set_add(&ROOT, f::TAGS, tag)?;
        }
    }
    let tags = doc.object(&ROOT, f::TAGS)?;
    for tag in &patch.remove_tags {
        doc.remove(&tags, tag.trim())?;
    }
    if let Some(owner) = &patch.owner {
        if owner.trim().is_empty() {
            return Err(Error::invalid("owner", "must not be empty"));
        }
        doc.put_str(&ROOT, f::OWNER, owner.trim())?;
    }
    if let Some(team) = &patch.team {
        doc.put_opt_str(&ROOT, f::TEAM, Some(team))?;
    }
    if let Some(visibility) = patch.visibility {
        doc.put_str(&ROOT, f::VISIBILITY, visibility.as_str())?;
    }
    let custom = doc.object(&ROOT, f::CUSTOM)?;
    for (key, value) in &patch.custom {
        if key.trim().is_empty() {
            return Err(Error::invalid("custom", "a custom field needs a name"));
        }
        doc.put_opt_str(&custom, key.trim(), Some(value))?;
    }
    Ok(())
}

pub(crate) fn phone_label(phone: &validate::Phone) -> &'static str {
    match phone.kind() {
        validate::PhoneKind::Mobile => "mobile",
        validate::PhoneKind::Landline => "landline",
        validate::PhoneKind::Service => "service",
        validate::PhoneKind::Foreign => "foreign",
    }
}

fn put_address(doc: &mut RecordDoc, address: &Address) -> Result<()> {
    let obj = doc.object(&ROOT, f::ADDRESS)?;
    if let Some(text) = &address.text {
        doc.put_opt_str(&obj, f::ADDRESS_TEXT, Some(text))?;
    }
    match (address.lat, address.lon) {
        (Some(lat), Some(lon)) => {
            let point = GeoPoint::new(lat, lon).map_err(|e| Error::invalid("address", e))?;
            doc.put_f64(&obj, f::ADDRESS_LAT, point.lat)?;
            doc.put_f64(&obj, f::ADDRESS_LON, point.lon)?;
        }
        (None, None) => {}
        _ => {
            return Err(Error::invalid(
                "address",
                "latitude and longitude come together",
            ))
        }
    }
    Ok(())
}

fn put_contact(doc: &mut RecordDoc, contact_id: &str, input: &ContactInput) -> Result<()> {
    let field = |name: &str| format!("contacts.{contact_id}.{name}");
    let phone = match input.phone.as_deref().map(str::trim) {
        Some("") => Some(String::new()),
        Some(raw) => Some(
            validate::parse_phone(raw)
                .map_err(|e| Error::invalid(field(f::CONTACT_PHONE), e))?
                .e164()
                .to_string(),
        ),
        None => None,
    };
    let email = match input.email.as_deref().map(str::trim) {
        Some("") => Some(String::new()),
        Some(raw) => Some(
            validate::parse_email(raw)
                .map_err(|e| Error::invalid(field(f::CONTACT_EMAIL), e))?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let contacts = doc.object(&ROOT, f::CONTACTS)?;
    let contact = doc.child_map(&contacts, contact_id)?;
    let fields = [
        (f::CONTACT_NAME, input.name.as_deref()),
        (f::CONTACT_TITLE, input.title.as_deref()),
        (f::CONTACT_PHONE, phone.as_deref()),
        (f::CONTACT_WECHAT, input.wechat.as_deref()),
        (f::CONTACT_EMAIL, email.as_deref()),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            doc.put_opt_str(&contact, key, Some(value))?;
        }
    }
    Ok(())
}

/// Reads a customer out of its document. Tolerates anything missing (records from older
/// versions, leads without a name): reading never fails on incomplete data.
pub(crate) fn hydrate(doc: &RecordDoc) -> Customer {
    let phones = doc
        .object_opt(&ROOT, f::PHONES)
        .map(|obj| {
            doc.keys_of(&obj)
                .into_iter()
                .map(|e164| PhoneNumber {
                    label: doc.str_at(&obj, &e164).unwrap_or_default(),
                    e164,
                })
                .collect()
        })
        .unwrap_or_default();
    let address = doc
        .object_opt(&ROOT, f::ADDRESS)
        .map(|obj| Address {
            text: doc.str_at(&obj, f::ADDRESS_TEXT),
            lat: doc.f64_at(&obj, f::ADDRESS_LAT),
            lon: doc.f64_at(&obj, f::ADDRESS_LON),
        })
        .unwrap_or_default();
    let custom = doc
        .object_opt(&ROOT, f::CUSTOM)
        .map(|obj| {
            doc.keys_of(&obj)
                .into_iter()
                .filter_map(|k| doc.str_at(&obj, &k).map(|v| (k, v)))
                .collect()
        })
        .unwrap_or_default();
    let contacts = doc
        .object_opt(&ROOT, f::CONTACTS)
        .map(|obj| {
            doc.keys_of(&obj)
                .into_iter()
                .filter_map(|id| {
                    let c = doc.object_opt(&obj, &id)?;
                    Some(Contact {
                        name: doc.str_at(&c, f::CONTACT_NAME),
                        title: doc.str_at(&c, f::CONTACT_TITLE),
                        phone: doc.str_at(&c, f::CONTACT_PHONE),
                        wechat: doc.str_at(&c, f::CONTACT_WECHAT),
                        email: doc.str_at(&c, f::CONTACT_EMAIL),
                        id,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let stage_entries = doc
        .object_opt(&ROOT, f::ANCHORS)
        .map(|obj| {
            doc.keys_of(&obj)
                .into_iter()
                .filter_map(|stage| {
                    let e = doc.object_opt(&obj, &stage)?;
                    Some(StageEntry {
                        anchor: doc.str_at(&e, "anchor").unwrap_or_default(),
                        at: doc.time_at(&e, "at"),
                        by: doc.str_at(&e, "by"),
                        note: doc.str_at(&e, "note"),
                        stage,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    use crate::record::schema::common as c;
    Customer {
        id: doc.id().to_string(),
        name: doc.str_at(&ROOT, f::NAME).unwrap_or_default(),
        legal_name: doc.str_at(&ROOT, f::LEGAL_NAME),
        credit_code: doc.str_at(&ROOT, f::CREDIT_CODE),
        phones,
        emails: doc.set_at(&ROOT, f::EMAILS),
        address,
        stage: doc.str_at(&ROOT, f::STAGE),
        stage_entries,
        tags: doc.set_at(&ROOT, f::TAGS),
        owner: doc.str_at(&ROOT, f::OWNER),
        team: doc.str_at(&ROOT, f::TEAM),
        visibility: doc
            .str_at(&ROOT, f::VISIBILITY)
            .and_then(|v| Visibility::parse(&v))
            .unwrap_or_default(),
        custom,
        contacts,
        documents: doc
            .str_map_at(&ROOT, f::DOCUMENTS)
            .into_iter()
            .filter_map(|(image, thumbnail)| Some((image, thumbnail?)))
            .collect(),
        created_at: doc.time_at(&ROOT, c::CREATED_AT),
        created_by: doc.str_at(&ROOT, c::CREATED_BY),
        updated_at: doc.time_at(&ROOT, c::UPDATED_AT),
        updated_by: doc.str_at(&ROOT, c::UPDATED_BY),
        deleted: doc.is_deleted(),
        merged_into: doc.str_at(&ROOT, f::MERGED_INTO),
    }
}
