//! Customers and their contacts.
//!
//! The records are the core's (`fieldsales_core::customer`: `Customer`, `Contact`,
//! `ContactInput`, `Address`, `CustomerPatch`, `CustomerSummary`, …), crossing as they are.
//! One input stays a mirror here, [`NewCustomer`]: apps leave its `visibility` out to get the
//! company's default, and UniFFI proc-macros cannot give an enum field a default value, so the
//! mirror holds it as optional. Its conversion names every field of both sides, so a field
//! added to the core's `NewCustomer` breaks this build until it is added here.

use std::collections::HashMap;

use fieldsales_core::customer::{self as core, ContactInput, Customer, CustomerPatch};
use fieldsales_core::customer::{Address, CustomerSummary, Visibility};
use fieldsales_core::timeline::TimelineItem;

use crate::convert::{count_in, count_out};
use crate::error::{guard, Result};
use crate::root::Ctx;

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
        guard(|| Ok(self.area().get(&id)?))
    }

    /// Applies `patch` and returns the customer as it now is.
    pub fn edit(&self, id: String, patch: CustomerPatch) -> Result<Customer> {
        guard(|| Ok(self.area().edit(&id, patch)?))
    }

    /// Adds a contact and returns its id.
    pub fn add_contact(&self, customer_id: String, contact: ContactInput) -> Result<String> {
        guard(|| Ok(self.area().add_contact(&customer_id, contact)?))
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
                .edit_contact(&customer_id, &contact_id, contact)?;
            Ok(c)
        })
    }

    /// Removes a contact.
    pub fn remove_contact(&self, customer_id: String, contact_id: String) -> Result<Customer> {
        guard(|| {
            let c = self.area().remove_contact(&customer_id, &contact_id)?;
            Ok(c)
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
            Ok(c)
        })
    }

    /// Deletes the customer (a tombstone that syncs; history stays for audit).
    pub fn delete(&self, id: String) -> Result<()> {
        guard(|| Ok(self.area().delete(&id)?))
    }

    /// Live customers by name, `limit` at a time from `offset`.
    pub fn list(&self, limit: i32, offset: i32) -> Result<Vec<CustomerSummary>> {
        guard(|| {
            Ok(self
                .area()
                .list(count_in(limit, "limit")?, count_in(offset, "offset")?)?)
        })
    }

    /// Number of live customers.
    pub fn count(&self) -> Result<i64> {
        guard(|| Ok(count_out(self.area().count()?)))
    }

    /// The customer's visits, quick-logs and tasks, oldest first.
    pub fn timeline(&self, customer_id: String) -> Result<Vec<TimelineItem>> {
        guard(|| Ok(self.area().timeline(&customer_id)?))
    }
}

impl From<NewCustomer> for core::NewCustomer {
    fn from(c: NewCustomer) -> Self {
        // Both sides named field by field (no `..`): a field added to either fails the build.
        let NewCustomer {
            name,
            legal_name,
            credit_code,
            phones,
            emails,
            address,
            tags,
            owner,
            team,
            visibility,
            custom,
            contacts,
        } = c;
        core::NewCustomer {
            name,
            legal_name,
            credit_code,
            phones,
            emails,
            address,
            tags,
            owner,
            team,
            visibility: visibility.unwrap_or_default(),
            custom: custom.into_iter().collect(),
            contacts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_customer_reaches_the_core_with_every_field() {
        let contact = ContactInput {
            name: Some("王经理".into()),
            phone: Some("13900001111".into()),
            ..ContactInput::default()
        };
        let address = Address {
            text: Some("海淀区".into()),
            lat: Some(39.98),
            lon: Some(116.31),
        };
        let input = NewCustomer {
            name: "北京小米".into(),
            legal_name: Some("北京小米科技有限责任公司".into()),
            credit_code: Some("91110108551385082Q".into()),
            phones: vec!["138 1234 5678".into()],
            emails: vec!["info@example.com".into()],
            address: Some(address.clone()),
            tags: vec!["vip".into()],
            owner: Some("rep-2".into()),
            team: Some("south".into()),
            visibility: Some(Visibility::Organisation),
            custom: HashMap::from([("industry".to_string(), "retail".to_string())]),
            contacts: vec![contact.clone()],
        };
        let expected = core::NewCustomer {
            name: "北京小米".into(),
            legal_name: Some("北京小米科技有限责任公司".into()),
            credit_code: Some("91110108551385082Q".into()),
            phones: vec!["138 1234 5678".into()],
            emails: vec!["info@example.com".into()],
            address: Some(address),
            tags: vec!["vip".into()],
            owner: Some("rep-2".into()),
            team: Some("south".into()),
            visibility: Visibility::Organisation,
            custom: [("industry".to_string(), "retail".to_string())].into(),
            contacts: vec![contact],
        };
        assert_eq!(core::NewCustomer::from(input), expected);
    }

    #[test]
    fn a_merged_customer_read_through_the_bindings_names_the_customer_it_went_into() {
        let dir = tempfile::tempdir().unwrap();
        let (survivor, merged) = {
            let identity = fieldsales_core::Identity::new("rep-1", None).unwrap();
            let core_store =
                fieldsales_core::FieldSales::open(dir.path(), identity, Default::default())
                    .unwrap();
            let create = |name: &str| {
                let input = core::NewCustomer {
                    name: name.into(),
                    ..Default::default()
                };
                core_store.customers().create(input).unwrap()
            };
            let (survivor, merged) = (create("北京小米"), create("北京小米科技"));
            let request = fieldsales_core::dedup::MergeRequest {
                survivor: survivor.clone(),
                merged: merged.clone(),
                keep: Default::default(),
            };
            core_store.dedup().merge(&request).unwrap();
            (survivor, merged)
        };
        let config = crate::FieldSalesConfig {
            user_id: "rep-1".into(),
            team_id: None,
            geofence_radius_m: None,
            stale_after_days: None,
            default_follow_up_hours: None,
            utc_offset_minutes: None,
            durability: None,
            pipeline: Vec::new(),
        };
        let store = crate::FieldSales::open(dir.path().display().to_string(), config).unwrap();
        let gone = store.customers().get(merged).unwrap();
        assert_eq!(gone.merged_into, Some(survivor.clone()));
        assert_eq!(store.customers().get(survivor).unwrap().merged_into, None);
    }

    #[test]
    fn a_new_customer_without_visibility_gets_the_core_default() {
        let converted = core::NewCustomer::from(NewCustomer::default());
        assert_eq!(converted.visibility, Visibility::default());
        assert_eq!(converted.visibility, Visibility::Team);
    }
}
