//! Customers and their contacts, as records for Kotlin, Swift and Python.

use std::collections::HashMap;
use std::time::SystemTime;

use fieldsales_core::customer as core;
use fieldsales_core::timeline as core_timeline;

use crate::convert::{count_in, count_out, opt_time_out, time_out, RecordKind};
use crate::error::{guard, Result};
use crate::root::Ctx;

/// Who besides the owner sees a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Visibility {
    /// Only the owner.
    Private,
    /// The owner's team and its managers (the default).
    Team,
    /// Everyone in the company.
    Organisation,
}

/// A street address with optional WGS-84 coordinates.
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct Address {
    #[uniffi(default)]
    pub text: Option<String>,
    #[uniffi(default)]
    pub lat: Option<f64>,
    #[uniffi(default)]
    pub lon: Option<f64>,
}

/// A contact person at a customer.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Contact {
    pub id: String,
    pub name: Option<String>,
    pub title: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub wechat: Option<String>,
    pub email: Option<String>,
}

/// A new or edited contact. `null` leaves a field as it is; `""` clears it.
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
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

/// A phone number of a customer.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PhoneNumber {
    /// E.164, e.g. `+8613812345678`.
    pub e164: String,
    /// `mobile`, `landline`, `service` or `foreign`.
    pub label: String,
}

/// The anchor action that entered a pipeline stage.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StageEntry {
    pub stage: String,
    pub anchor: String,
    pub at: Option<SystemTime>,
    pub by: Option<String>,
    pub note: Option<String>,
}

/// A customer as stored.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Customer {
    pub id: String,
    /// The name reps use; empty for a lead created from an unknown phone number.
    pub name: String,
    pub legal_name: Option<String>,
    /// The unified social credit code (统一社会信用代码).
    pub credit_code: Option<String>,
    pub phones: Vec<PhoneNumber>,
    pub emails: Vec<String>,
    pub address: Address,
    /// Pipeline stage key; `null` for a lead.
    pub stage: Option<String>,
    pub stage_entries: Vec<StageEntry>,
    pub tags: Vec<String>,
    pub owner: Option<String>,
    pub team: Option<String>,
    pub visibility: Visibility,
    pub custom: HashMap<String, String>,
    pub contacts: Vec<Contact>,
    pub created_at: Option<SystemTime>,
    pub created_by: Option<String>,
    pub updated_at: Option<SystemTime>,
    pub updated_by: Option<String>,
    pub deleted: bool,
}

/// What a rep gives to create a customer: a name or a phone is enough; missing pieces show up
/// in data health, never as a refusal. Phones may be typed any way (`138 1234 5678`, `+86…`).
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct NewCustomer {
    #[uniffi(default)]
    pub name: String,
    #[uniffi(default)]
    pub legal_name: Option<String>,
    #[uniffi(default)]
    pub credit_code: Option<String>,
    #[uniffi(default)]
    pub phones: Vec<String>,
    #[uniffi(default)]
    pub emails: Vec<String>,
    #[uniffi(default)]
    pub address: Option<Address>,
    #[uniffi(default)]
    pub tags: Vec<String>,
    /// Defaults to the signed-in user.
    #[uniffi(default)]
    pub owner: Option<String>,
    /// Defaults to the signed-in user's team.
    #[uniffi(default)]
    pub team: Option<String>,
    /// Defaults to `Team`.
    #[uniffi(default)]
    pub visibility: Option<Visibility>,
    #[uniffi(default)]
    pub custom: HashMap<String, String>,
    #[uniffi(default)]
    pub contacts: Vec<ContactInput>,
}

/// An edit: only what is set changes, so a colleague's concurrent edit of another field
/// survives the merge. For optional text fields `""` clears the field.
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
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
    pub custom: HashMap<String, String>,
}

/// A row of a customer list or search result.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CustomerSummary {
    pub id: String,
    pub name: String,
    pub legal_name: Option<String>,
    pub phone: Option<String>,
    pub stage: Option<String>,
    pub owner: Option<String>,
    pub updated_at: Option<SystemTime>,
}

/// One entry of a customer's timeline.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TimelineItem {
    pub at: SystemTime,
    pub kind: RecordKind,
    pub id: String,
    /// Outcome of a visit, channel and next action of a quick-log, title of a task.
    pub summary: String,
    /// For tasks: whether done.
    pub done: bool,
}

/// The customers area: `store.customers()`.
#[derive(uniffi::Object)]
pub struct Customers {
    ctx: Ctx,
}

impl Customers {
    pub(crate) fn new(ctx: Ctx) -> Self {
        Customers { ctx }
    }

    fn area(&self) -> core::Customers {
        self.ctx.core.customers()
    }
}

#[uniffi::export]
impl Customers {
    /// Creates a customer and returns its id. Malformed phones, e-mails, credit codes or
    /// coordinates throw `Validation` with the field and reason; nothing is stored then.
    ///
    /// ```kotlin
    /// val id = store.customers().create(NewCustomer(name = "北京小米", phones = listOf("138 1234 5678")))
    /// ```
    pub fn create(&self, input: NewCustomer) -> Result<String> {
        guard(|| Ok(self.area().create(input.into())?))
    }

    /// Creates many customers in one transaction (imports, first sign-in): all or nothing.
    /// A refusal names the input by position: field `[3].phones`.
    pub async fn create_many(&self, inputs: Vec<NewCustomer>) -> Result<Vec<String>> {
        let area = self.area();
        self.ctx
            .rt
            .blocking(move || {
                let inputs: Vec<core::NewCustomer> = inputs.into_iter().map(Into::into).collect();
                Ok(area.create_many(&inputs)?)
            })
            .await
    }

    /// The customer `id`, deleted ones included (their `deleted` is true).
    pub fn get(&self, id: String) -> Result<Customer> {
        guard(|| Ok(self.area().get(&id)?.into()))
    }

    /// Applies `patch` and returns the customer as it now is.
    pub fn edit(&self, id: String, patch: CustomerPatch) -> Result<Customer> {
        guard(|| Ok(self.area().edit(&id, patch.into())?.into()))
    }

    /// Adds a contact and returns its id.
    pub fn add_contact(&self, customer_id: String, contact: ContactInput) -> Result<String> {
        guard(|| Ok(self.area().add_contact(&customer_id, contact.into())?))
    }

    /// Edits a contact; only the fields given change.
    pub fn edit_contact(
        &self,
        customer_id: String,
        contact_id: String,
        contact: ContactInput,
    ) -> Result<Customer> {
        guard(|| {
            let c = self
                .area()
                .edit_contact(&customer_id, &contact_id, contact.into())?;
            Ok(c.into())
        })
    }

    /// Removes a contact.
    pub fn remove_contact(&self, customer_id: String, contact_id: String) -> Result<Customer> {
        guard(|| {
            let c = self.area().remove_contact(&customer_id, &contact_id)?;
            Ok(c.into())
        })
    }

    /// Moves the customer into pipeline `stage`, recording `anchor`, the one action that enters
    /// that stage. Without the anchor the move is refused (`Validation` on `stage`).
    pub fn set_stage(
        &self,
        id: String,
        stage: String,
        anchor: Option<String>,
        note: Option<String>,
    ) -> Result<Customer> {
        guard(|| {
            let c = self
                .area()
                .set_stage(&id, &stage, anchor.as_deref(), note.as_deref())?;
            Ok(c.into())
        })
    }

    /// Deletes the customer (a tombstone that syncs; history stays for audit).
    pub fn delete(&self, id: String) -> Result<()> {
        guard(|| Ok(self.area().delete(&id)?))
    }

    /// Live customers by name, `limit` at a time from `offset`.
    pub fn list(&self, limit: i32, offset: i32) -> Result<Vec<CustomerSummary>> {
        guard(|| {
            let rows = self
                .area()
                .list(count_in(limit, "limit")?, count_in(offset, "offset")?)?;
            Ok(rows.into_iter().map(Into::into).collect())
        })
    }

    /// Number of live customers.
    pub fn count(&self) -> Result<i64> {
        guard(|| Ok(count_out(self.area().count()?)))
    }

    /// The customer's visits, quick-logs and tasks, oldest first.
    pub fn timeline(&self, customer_id: String) -> Result<Vec<TimelineItem>> {
        guard(|| {
            let items = self.area().timeline(&customer_id)?;
            Ok(items.into_iter().map(Into::into).collect())
        })
    }
}

impl From<core::Visibility> for Visibility {
    fn from(v: core::Visibility) -> Self {
        match v {
            core::Visibility::Private => Visibility::Private,
            core::Visibility::Team => Visibility::Team,
            core::Visibility::Organisation => Visibility::Organisation,
        }
    }
}

impl From<Visibility> for core::Visibility {
    fn from(v: Visibility) -> Self {
        match v {
            Visibility::Private => core::Visibility::Private,
            Visibility::Team => core::Visibility::Team,
            Visibility::Organisation => core::Visibility::Organisation,
        }
    }
}

impl From<core::Address> for Address {
    fn from(a: core::Address) -> Self {
        Address {
            text: a.text,
            lat: a.lat,
            lon: a.lon,
        }
    }
}

impl From<Address> for core::Address {
    fn from(a: Address) -> Self {
        core::Address {
            text: a.text,
            lat: a.lat,
            lon: a.lon,
        }
    }
}

impl From<ContactInput> for core::ContactInput {
    fn from(c: ContactInput) -> Self {
        core::ContactInput {
            name: c.name,
            title: c.title,
            phone: c.phone,
            wechat: c.wechat,
            email: c.email,
        }
    }
}

impl From<core::Contact> for Contact {
    fn from(c: core::Contact) -> Self {
        Contact {
            id: c.id,
            name: c.name,
            title: c.title,
            phone: c.phone,
            wechat: c.wechat,
            email: c.email,
        }
    }
}

impl From<core::Customer> for Customer {
    fn from(c: core::Customer) -> Self {
        Customer {
            id: c.id,
            name: c.name,
            legal_name: c.legal_name,
            credit_code: c.credit_code,
            phones: c
                .phones
                .into_iter()
                .map(|p| PhoneNumber {
                    e164: p.e164,
                    label: p.label,
                })
                .collect(),
            emails: c.emails,
            address: c.address.into(),
            stage: c.stage,
            stage_entries: c
                .stage_entries
                .into_iter()
                .map(|s| StageEntry {
                    stage: s.stage,
                    anchor: s.anchor,
                    at: opt_time_out(s.at),
                    by: s.by,
                    note: s.note,
                })
                .collect(),
            tags: c.tags,
            owner: c.owner,
            team: c.team,
            visibility: c.visibility.into(),
            custom: c.custom.into_iter().collect(),
            contacts: c.contacts.into_iter().map(Into::into).collect(),
            created_at: opt_time_out(c.created_at),
            created_by: c.created_by,
            updated_at: opt_time_out(c.updated_at),
            updated_by: c.updated_by,
            deleted: c.deleted,
        }
    }
}

impl From<NewCustomer> for core::NewCustomer {
    fn from(c: NewCustomer) -> Self {
        core::NewCustomer {
            name: c.name,
            legal_name: c.legal_name,
            credit_code: c.credit_code,
            phones: c.phones,
            emails: c.emails,
            address: c.address.map(Into::into),
            tags: c.tags,
            owner: c.owner,
            team: c.team,
            visibility: c.visibility.map(Into::into).unwrap_or_default(),
            custom: c.custom.into_iter().collect(),
            contacts: c.contacts.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<CustomerPatch> for core::CustomerPatch {
    fn from(p: CustomerPatch) -> Self {
        core::CustomerPatch {
            name: p.name,
            legal_name: p.legal_name,
            credit_code: p.credit_code,
            add_phones: p.add_phones,
            remove_phones: p.remove_phones,
            add_emails: p.add_emails,
            remove_emails: p.remove_emails,
            address: p.address.map(Into::into),
            add_tags: p.add_tags,
            remove_tags: p.remove_tags,
            owner: p.owner,
            team: p.team,
            visibility: p.visibility.map(Into::into),
            custom: p.custom.into_iter().collect(),
        }
    }
}

impl From<core::CustomerSummary> for CustomerSummary {
    fn from(s: core::CustomerSummary) -> Self {
        CustomerSummary {
            id: s.id,
            name: s.name,
            legal_name: s.legal_name,
            phone: s.phone,
            stage: s.stage,
            owner: s.owner,
            updated_at: opt_time_out(s.updated_at),
        }
    }
}

impl From<core_timeline::TimelineItem> for TimelineItem {
    fn from(t: core_timeline::TimelineItem) -> Self {
        TimelineItem {
            at: time_out(t.at),
            kind: t.kind.into(),
            id: t.id,
            summary: t.summary,
            done: t.done,
        }
    }
}
