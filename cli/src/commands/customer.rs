//! `customer …`: add, show, list, search, edit, delete, timeline and pipeline stage.

use std::collections::BTreeMap;

use fieldsales_core::customer::{
    Address, Contact, Customer, CustomerPatch, CustomerSummary, NewCustomer,
};
use fieldsales_core::timeline::TimelineItem;
use serde_json::json;

use super::Ctx;
use crate::args::{CustomerAdd, CustomerCmd, CustomerEdit, DocumentCmd, PointArgs};
use crate::error::CliError;
use crate::output::{or, Text};

/// How a lead without a name is shown.
pub const NO_NAME: &str = "(lead without a name)";

pub fn run(ctx: &Ctx, cmd: CustomerCmd) -> Result<String, CliError> {
    let customers = ctx.fs.customers();
    match cmd {
        CustomerCmd::Add(args) => {
            let id = customers.create(new_customer(args))?;
            let customer = customers.get(&id)?;
            ctx.render(&customer, || id.clone())
        }
        CustomerCmd::Show { id } => {
            let customer = customers.get(&id)?;
            ctx.render(&customer, || describe(ctx, &customer))
        }
        CustomerCmd::List { limit, offset } => {
            let rows = customers.list(limit, offset)?;
            ctx.render(&rows, || summaries(&rows, "no customers"))
        }
        CustomerCmd::Search { query, limit } => {
            let rows = ctx.fs.search().customers(&query.join(" "), limit)?;
            ctx.render(&rows, || summaries(&rows, "no customer matches"))
        }
        CustomerCmd::Edit(args) => {
            let id = args.id.clone();
            let customer = customers.edit(&id, patch(args))?;
            ctx.render(&customer, || describe(ctx, &customer))
        }
        CustomerCmd::Delete { id } => {
            let customer = customers.get(&id)?;
            customers.delete(&id)?;
            ctx.render(&json!({"id": customer.id, "deleted": true}), || {
                format!("deleted {} {}", customer.id, or(&customer.name, NO_NAME))
            })
        }
        CustomerCmd::Timeline { id } => {
            // The timeline of an unknown id would just be empty: say it is unknown instead.
            let customer = customers.get(&id)?;
            let items = customers.timeline(&customer.id)?;
            ctx.render(&items, || timeline(ctx, &customer, &items))
        }
        CustomerCmd::Stage {
            id,
            stage,
            anchor,
            note,
        } => {
            let (stage, anchor) = pipeline_keys(ctx, &stage, anchor.as_deref())?;
            let customer = customers.set_stage(&id, &stage, anchor.as_deref(), note.as_deref())?;
            ctx.render(&customer, || describe(ctx, &customer))
        }
        CustomerCmd::Document(DocumentCmd::Add { customer_id, file }) => {
            super::media::attach_document(ctx, &customer_id, &file)
        }
    }
}

fn new_customer(args: CustomerAdd) -> NewCustomer {
    NewCustomer {
        name: args.name,
        legal_name: args.legal_name,
        credit_code: args.credit_code,
        phones: args.phones,
        emails: args.emails,
        address: address(args.address, &args.point),
        tags: args.tags,
        visibility: args.visibility.unwrap_or_default(),
        custom: args.custom.into_iter().collect(),
        ..Default::default()
    }
}

fn patch(args: CustomerEdit) -> CustomerPatch {
    let custom: BTreeMap<String, String> = args.custom.into_iter().collect();
    CustomerPatch {
        name: args.name,
        legal_name: args.legal_name,
        credit_code: args.credit_code,
        add_phones: args.add_phones,
        remove_phones: args.remove_phones,
        add_emails: args.add_emails,
        remove_emails: args.remove_emails,
        address: address(args.address, &args.point),
        add_tags: args.add_tags,
        remove_tags: args.remove_tags,
        visibility: args.visibility,
        custom,
        ..Default::default()
    }
}

/// The address to write, if any part of it was given.
fn address(text: Option<String>, point: &PointArgs) -> Option<Address> {
    if text.is_none() && point.lat.is_none() && point.lon.is_none() {
        return None;
    }
    Some(Address {
        text,
        lat: point.lat,
        lon: point.lon,
    })
}

/// Stage and anchor keys from what was typed: a key or the label reps see (商务谈判).
fn pipeline_keys(
    ctx: &Ctx,
    stage: &str,
    anchor: Option<&str>,
) -> Result<(String, Option<String>), CliError> {
    let pipeline = &ctx.fs.config().pipeline;
    let typed = stage.trim();
    let Some(found) = pipeline
        .stages()
        .iter()
        .find(|s| s.key == typed || s.label == typed)
    else {
        let known: Vec<String> = pipeline
            .stages()
            .iter()
            .map(|s| format!("{} ({})", s.key, s.label))
            .collect();
        return Err(CliError::invalid(
            "stage",
            format!(
                "unknown pipeline stage; the stages are {}",
                known.join(", ")
            ),
        ));
    };
    let anchor = anchor.map(|a| {
        let a = a.trim();
        if a == found.anchor_label {
            found.anchor.clone()
        } else {
            a.to_string()
        }
    });
    Ok((found.key.clone(), anchor))
}

/// The stage as people read it: `negotiation 商务谈判`.
pub fn stage_text(ctx: &Ctx, stage: Option<&str>) -> Option<String> {
    let key = stage?;
    Some(match ctx.fs.config().pipeline.stage(key) {
        Some(s) => format!("{} {}", s.key, s.label),
        None => key.to_string(),
    })
}

/// A customer in a few lines.
pub fn describe(ctx: &Ctx, c: &Customer) -> String {
    let mut t = Text::new();
    let deleted = if c.deleted { "  [deleted]" } else { "" };
    t.line(format!("{}  {}{deleted}", or(&c.name, NO_NAME), c.id));
    t.field("legal name", c.legal_name.as_deref());
    t.field("credit code", c.credit_code.as_deref());
    let phones: Vec<String> = c
        .phones
        .iter()
        .map(|p| format!("{} ({})", p.e164, p.label))
        .collect();
    t.list("phones", &phones);
    t.list("emails", &c.emails);
    let point = match (c.address.lat, c.address.lon) {
        (Some(lat), Some(lon)) => Some(format!("({lat}, {lon})")),
        _ => None,
    };
    let address = [c.address.text.clone(), point]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    t.field("address", Some(address));
    t.field("stage", stage_text(ctx, c.stage.as_deref()));
    t.list("tags", &c.tags);
    let custom: Vec<String> = c.custom.iter().map(|(k, v)| format!("{k}={v}")).collect();
    t.list("custom", &custom);
    let owner = match (&c.owner, &c.team) {
        (Some(o), Some(team)) => format!("{o} (team {team}, {})", c.visibility.as_str()),
        (Some(o), None) => format!("{o} ({})", c.visibility.as_str()),
        (None, _) => c.visibility.as_str().to_string(),
    };
    t.field("owner", Some(owner));
    if !c.contacts.is_empty() {
        t.line("  contacts:");
        for contact in &c.contacts {
            t.line(format!("    {}", contact_line(contact)));
        }
    }
    t.finish()
}

/// A contact on one line: `张明 · 采购经理 · +8613812345678 · wechat zm · id …`.
pub fn contact_line(c: &Contact) -> String {
    let parts = [
        Some(or(c.name.as_deref().unwrap_or_default(), "(no name)").to_string()),
        c.title.clone(),
        c.phone.clone(),
        c.wechat.as_ref().map(|w| format!("wechat {w}")),
        c.email.clone(),
        Some(format!("id {}", c.id)),
    ];
    parts
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

fn summaries(rows: &[CustomerSummary], none: &str) -> String {
    if rows.is_empty() {
        return none.to_string();
    }
    rows.iter()
        .map(|r| {
            [
                Some(r.id.clone()),
                Some(or(&r.name, NO_NAME).to_string()),
                r.phone.clone(),
                r.stage.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("  ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn timeline(ctx: &Ctx, c: &Customer, items: &[TimelineItem]) -> String {
    let mut t = Text::new();
    t.line(format!("{}  {}", or(&c.name, NO_NAME), c.id));
    if items.is_empty() {
        t.line("  nothing yet");
    }
    for item in items {
        let done = match item.kind {
            fieldsales_core::Kind::Task if item.done => "  [done]",
            fieldsales_core::Kind::Task => "  [open]",
            _ => "",
        };
        t.line(format!(
            "  {}  {:<9}  {}{done}  ({})",
            ctx.time(item.at),
            item.kind.as_str(),
            item.summary,
            item.id
        ));
    }
    t.finish()
}
