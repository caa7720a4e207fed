//! Who may make a record what it becomes: the write half of the rules in [`super`], checked on
//! each pushed document as it stood on the server (`before`, absent for a create) and as the
//! device's changes leave it (`after`).
//!
//! Rights follow who is writing, never what the document claims:
//!
//! * A **rep** creates records in their own name (customer `owner`, visit and quick-log `rep`,
//!   task `assignee`) and, for a customer, in their own team. A rep never hands a record on:
//!   changing an owner or a team is not a rep's act, even on their own records. A rep assigns
//!   tasks to themselves only: a follow-up for a teammate is asked of the manager, who sees
//!   the whole team's work and decides who does it (and a rep who assigned a task away could
//!   no longer correct it).
//! * A **manager** creates and moves records among the members of their own team; a customer
//!   stays in their team. Moving a record to another team would hand that team data it never
//!   asked for and take it out of the manager's own reach for good, so it is the admin's act.
//! * An **admin** moves anything within the tenant, to an owner who is a user of it.
//! * Only the owner, a manager or an admin changes a record's `visibility` or its `customer`.
//! * The attribution fields say who wrote: `created_by` is set once, at creation, to the
//!   writer; `updated_by`, when a push changes it, names the writer; and in the `editors` map
//!   (device actor → user) a device writes only its own entry, naming its own user.
//!
//! Unchanged fields are not judged again on an edit, so a record whose owner later moved team
//! stays editable by whoever may write it. Every refusal names the field at fault
//! ([`WriteRefusal`]) so the device can show the user what to change; it never names a person.
//!
//! This module must not read the store nor decide who receives a document: the push loads
//! the documents and the teams, and [`super::can_see`] decides visibility.

use std::collections::BTreeMap;

use automerge::{ObjType, ReadDoc, Value, ROOT};
use fieldsales_protocol::schema::{common, customer, quicklog, task, visit};
use fieldsales_protocol::Kind;
use fieldsales_protocol::Role;

use super::{DocMeta, Teams, Viewer};

/// A write the rules forbid: the field at fault and the rule it breaks. Shown to the device
/// as `"<field>: <rule>"` (the rejection's `detail`), never with a user's name or id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct WriteRefusal {
    pub field: &'static str,
    pub rule: &'static str,
}

fn refuse(field: &'static str, rule: &'static str) -> Result<(), WriteRefusal> {
    Err(WriteRefusal { field, rule })
}

/// The field that names a record's owner in documents of `kind`.
pub fn owner_field(kind: Kind) -> &'static str {
    match kind {
        Kind::Customer => customer::OWNER,
        Kind::Visit => visit::REP,
        Kind::QuickLog => quicklog::REP,
        Kind::Task => task::ASSIGNEE,
    }
}

/// May `viewer` leave the document as `after`? `before` is the server's version (which the
/// viewer may write: [`super::can_write`] was checked on it), `None` when the push creates it.
pub fn check_write(
    viewer: &Viewer,
    before: Option<&DocMeta>,
    after: &DocMeta,
    teams: &Teams,
) -> Result<(), WriteRefusal> {
    let owner_changed = before.is_none_or(|b| b.owner != after.owner);
    let team_changed = before.is_none_or(|b| b.team != after.team);
    if owner_changed {
        check_owner(viewer, before.is_none(), after, teams)?;
    }
    if team_changed && after.kind == Kind::Customer {
        check_team(viewer, before.is_none(), after, teams)?;
    }
    if let Some(before) = before {
        check_audience_change(viewer, before, after)?;
    }
    Ok(())
}

/// The record's owner as the push leaves it, when it is new or changed.
fn check_owner(
    viewer: &Viewer,
    creating: bool,
    after: &DocMeta,
    teams: &Teams,
) -> Result<(), WriteRefusal> {
    let field = owner_field(after.kind);
    let Some(owner) = after.owner.as_ref() else {
        if viewer.role == Role::Admin {
            return Ok(());
        }
        return refuse(field, "a record names the user it belongs to");
    };
    if !teams.contains_key(owner) {
        return refuse(field, "names no user of this tenant");
    }
    let own = *owner == viewer.user_id;
    match viewer.role {
        Role::Admin => Ok(()),
        Role::Rep if creating && own => Ok(()),
        Role::Rep if creating => refuse(
            field,
            "a rep creates records in their own name; a manager assigns them to others",
        ),
        Role::Rep => refuse(
            field,
            "only a manager of the team or an admin gives a record to another user",
        ),
        Role::Manager => {
            let owner_team = teams.get(owner).and_then(Option::as_ref);
            if own || (owner_team.is_some() && owner_team == viewer.team_id.as_ref()) {
                Ok(())
            } else {
                refuse(
                    field,
                    "a manager gives records to members of their own team; an admin moves them across teams",
                )
            }
        }
    }
}

/// A customer's team as the push leaves it, when it is new or changed. Other kinds carry no
/// team: theirs is their owner's, judged by [`check_owner`].
fn check_team(
    viewer: &Viewer,
    creating: bool,
    after: &DocMeta,
    teams: &Teams,
) -> Result<(), WriteRefusal> {
    // Absent, the customer is in its owner's team (a rep without a team keeps theirs
    // team-less).
    let team = match &after.team {
        Some(team) => Some(team),
        None => after
            .owner
            .as_ref()
            .and_then(|o| teams.get(o))
            .and_then(Option::as_ref),
    };
    let in_own_team = team == viewer.team_id.as_ref();
    match viewer.role {
        Role::Admin => Ok(()),
        Role::Rep if creating && in_own_team => Ok(()),
        Role::Rep if creating => {
            refuse(customer::TEAM, "a rep creates customers in their own team")
        }
        Role::Rep => refuse(
            customer::TEAM,
            "only an admin moves a customer to another team",
        ),
        Role::Manager if in_own_team => Ok(()),
        Role::Manager => refuse(
            customer::TEAM,
            "a manager keeps customers in their own team; an admin moves them across teams",
        ),
    }
}

/// Visibility and customer: who sees the record. A rep who may edit a teammate's shared
/// customer may not hide it from the team.
fn check_audience_change(
    viewer: &Viewer,
    before: &DocMeta,
    after: &DocMeta,
) -> Result<(), WriteRefusal> {
    let owner_or_above =
        viewer.role != Role::Rep || before.owner.as_deref() == Some(viewer.user_id.as_str());
    if owner_or_above {
        return Ok(());
    }
    if before.visibility != after.visibility {
        return refuse(
            customer::VISIBILITY,
            "only the owner, a manager or an admin changes who sees a record",
        );
    }
    if before.customer != after.customer {
        return refuse(
            visit::CUSTOMER,
            "only the owner, a manager or an admin moves a record to another customer",
        );
    }
    Ok(())
}

/// The fields of a document that say who wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
    /// Device actor (hex) → user id.
    pub editors: BTreeMap<String, String>,
}

impl Attribution {
    pub fn extract(doc: &impl ReadDoc) -> Attribution {
        let editors = match doc.get(ROOT, common::EDITORS) {
            Ok(Some((Value::Object(ObjType::Map), map))) => doc
                .keys(&map)
                .filter_map(|actor| {
                    let user = super::str_at(doc, &map, &actor)?;
                    Some((actor, user))
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        Attribution {
            created_by: super::root_str(doc, common::CREATED_BY),
            updated_by: super::root_str(doc, common::UPDATED_BY),
            editors,
        }
    }
}

/// Do the attribution fields, as `writer` writing through the device actor `actor_hex` leaves
/// them, name the writer? Only what the push changed is judged: the pushed changes are all the
/// device's own, so a value that differs from `before` is one the device wrote (or won a
/// concurrent write with).
pub fn check_attribution(
    writer: &str,
    actor_hex: &str,
    before: Option<&Attribution>,
    after: &Attribution,
) -> Result<(), WriteRefusal> {
    let empty = Attribution::default();
    let creating = before.is_none();
    let before = before.unwrap_or(&empty);
    if after.created_by != before.created_by
        && !(creating && after.created_by.as_deref() == Some(writer))
    {
        return refuse(
            common::CREATED_BY,
            "is set once, when the record is created, to its writer",
        );
    }
    if after.updated_by != before.updated_by && after.updated_by.as_deref() != Some(writer) {
        return refuse(common::UPDATED_BY, "names the user writing");
    }
    let others_changed = before
        .editors
        .keys()
        .chain(after.editors.keys())
        .filter(|actor| actor.as_str() != actor_hex)
        .any(|actor| before.editors.get(actor) != after.editors.get(actor));
    let own_before = before.editors.get(actor_hex);
    let own_after = after.editors.get(actor_hex);
    if others_changed || (own_after != own_before && own_after.map(String::as_str) != Some(writer))
    {
        return refuse(
            common::EDITORS,
            "a device names only itself, as its own user",
        );
    }
    Ok(())
}

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;
