//! `contact …`: add, edit and remove the contact persons of a customer.

use fieldsales_core::customer::{Contact, ContactInput, Customer};
use fieldsales_core::Error;
use serde_json::json;

use super::customer::contact_line;
use super::Ctx;
use crate::args::{ContactCmd, ContactFields};
use crate::error::CliError;

pub fn run(ctx: &Ctx, cmd: ContactCmd) -> Result<String, CliError> {
    let customers = ctx.fs.customers();
    match cmd {
        ContactCmd::Add {
            customer_id,
            name,
            fields,
        } => {
            let contact_id = customers.add_contact(&customer_id, input(Some(name), fields))?;
            let contact = find(&customers.get(&customer_id)?, &contact_id)?;
            ctx.render(&contact, || contact_id.clone())
        }
        ContactCmd::Edit {
            customer_id,
            contact_id,
            name,
            fields,
        } => {
            let customer =
                customers.edit_contact(&customer_id, &contact_id, input(name, fields))?;
            let contact = find(&customer, &contact_id)?;
            ctx.render(&contact, || contact_line(&contact))
        }
        ContactCmd::Remove {
            customer_id,
            contact_id,
        } => {
            let customer = customers.remove_contact(&customer_id, &contact_id)?;
            let value =
                json!({"customer_id": customer.id, "contact_id": contact_id, "removed": true});
            ctx.render(&value, || format!("removed contact {contact_id}"))
        }
    }
}

fn input(name: Option<String>, f: ContactFields) -> ContactInput {
    ContactInput {
        name,
        title: f.title,
        phone: f.phone,
        wechat: f.wechat,
        email: f.email,
    }
}

fn find(customer: &Customer, contact_id: &str) -> Result<Contact, CliError> {
    customer
        .contacts
        .iter()
        .find(|c| c.id == contact_id)
        .cloned()
        .ok_or_else(|| {
            CliError::Core(Error::NotFound {
                kind: "contact",
                id: contact_id.to_string(),
            })
        })
}
